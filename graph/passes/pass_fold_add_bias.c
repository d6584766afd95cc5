/* fold-add-bias: y = Conv(x, W[, B]); z = Add(y, K) with K constant and
 * the same for every position of a channel (a scalar, or [C] broadcast on
 * the channel axis: [C,1,1], [1,C,1,1]...) is one Conv with bias B + K.
 * Likewise Gemm with K a scalar, [N] or [1,N] (the new C is beta*C + K,
 * beta becomes 1). y must be read by the Add alone. Exporters write such
 * Adds for biases kept apart from the Conv (TensorFlow's BiasAdd, the 3 of
 * TFLite's hard sigmoid); folded, the Conv's epilogue adds them for free.
 * The sum B + K is rounded once to float, so results can differ from the
 * unfolded graph in the last bit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/op.h"
#include "graph/passes/passes.h"

/* Element of K for channel c when K broadcasts along `axis` of an output of
 * rank `rank` (its other dims all 1), or -1 if K has any other shape. */
static int64_t per_channel_len(const tern_tensor *k, int rank, int axis, int64_t c) {
    int64_t ne = tern_tensor_numel(k);
    if (ne == 1 && k->rank <= rank) return 1;
    if (k->rank > rank || ne != c) return -1;
    int off = rank - k->rank; /* numpy aligns the trailing dims */
    for (int d = 0; d < k->rank; d++)
        if (k->dims[d] != (d + off == axis ? c : 1)) return -1;
    return c;
}

/* The Conv/Gemm producing Add input `slot`'s partner, with K's per-channel
 * length; -1 if the Add does not match. */
static int match(const tern_graph *g, const tern_node *add, int *slot_y, int64_t *klen) {
    if (!tern_node_is(add, "Add") || add->n_inputs != 2 || add->n_outputs != 1) return -1;
    for (int s = 0; s < 2; s++) {
        int y = add->inputs[s], k = add->inputs[1 - s];
        const tern_tensor *kt = tern_const_f32(g, k, -1);
        if (y < 0 || !kt || g->tensors[y].is_output || g->tensors[y].dtype != TERN_FLOAT) continue;
        int p = tern_producer(g, y);
        if (p < 0 || g->nodes[p].act.kind != TERN_ACT_NONE || g->nodes[p].n_outputs != 1) continue;
        int conv = tern_node_is(&g->nodes[p], "Conv"), gemm = tern_node_is(&g->nodes[p], "Gemm");
        if (!conv && !gemm) continue;
        if (tern_single_consumer(g, y, NULL) < 0) continue;
        const tern_tensor *yt = &g->tensors[y], *zt = tern_out(g, add, 0);
        /* K must not broadcast y to something larger */
        if (!zt || zt->rank != yt->rank ||
            memcmp(zt->dims, yt->dims, sizeof(int64_t) * (size_t)yt->rank) != 0)
            continue;
        if (yt->rank < 2 || (conv && yt->rank < 3) || (gemm && yt->rank != 2)) continue;
        *klen = per_channel_len(kt, yt->rank, 1, yt->dims[1]);
        if (*klen < 0) continue;
        *slot_y = s;
        return p;
    }
    return -1;
}

/* The old bias as c floats scaled by `scale` (0 when absent); for a Gemm C,
 * only scalar, [N] and [1,N] are per-column. 0 if the bias has another shape. */
static int old_bias(const tern_graph *g, int b, int64_t c, double scale, float *out) {
    for (int64_t i = 0; i < c; i++) out[i] = 0.0f;
    if (b < 0) return 1;
    const tern_tensor *bt = tern_const_f32(g, b, -1);
    if (!bt) return 0;
    int64_t n = per_channel_len(bt, 2, 1, c);
    if (bt->rank > 2 || n < 0) return 0;
    for (int64_t i = 0; i < c; i++) out[i] = (float)(tern_f32_at(bt->data, n == 1 ? 0 : i) * scale);
    return 1;
}

/* Fold Add node a into producer p. 1 folded, 0 not applicable, -status. */
static int fold(tern_graph *g, int a, int p, int slot_y, int64_t klen, tern_err *err) {
    const tern_node *pn = &g->nodes[p];
    int gemm = tern_node_is(pn, "Gemm");
    int64_t c = g->tensors[g->nodes[a].inputs[slot_y]].dims[1];
    int b = pn->n_inputs >= 3 ? pn->inputs[2] : -1;
    double beta = gemm ? tern_attr_float(pn, "beta", 1.0f) : 1.0;
    float *bias = malloc(sizeof(float) * (size_t)(c + 1));
    if (!bias) return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory folding an Add");
    if (!old_bias(g, b, c, beta, bias)) {
        free(bias);
        return 0;
    }
    const void *k = g->tensors[g->nodes[a].inputs[1 - slot_y]].data;
    for (int64_t i = 0; i < c; i++) bias[i] += tern_f32_at(k, klen == 1 ? 0 : i);
    char name[256];
    snprintf(name, sizeof name, "%s/bias_addfold_%d", g->nodes[a].name, g->n_tensors);
    int nb = tern_add_const(g, name, TERN_FLOAT, 1, &c, bias);
    free(bias);
    tern_attr beta_one = {.name = "beta", .type = TERN_ATTR_FLOAT, .f = 1.0f};
    int ins[3] = {g->nodes[p].inputs[0], g->nodes[p].inputs[1], nb};
    int out = g->nodes[a].outputs[0];
    if (nb < 0 || (gemm && !tern_set_attr(g, p, &beta_one)) || !tern_set_inputs(g, p, ins, 3) ||
        !tern_set_outputs(g, p, &out, 1))
        return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory folding an Add");
    g->nodes[a].dead = 1;
    tern_status st = tern_reinfer(g, p, err);
    return st == TERN_OK ? 1 : -(int)st;
}

tern_status tern_pass_fold_add_bias(tern_graph *g, tern_pass_report *r, tern_err *err) {
    tern_report_begin(r, "fold-add-bias", g);
    int convs = 0, gemms = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        int slot = 0;
        int64_t klen = 0;
        int p = match(g, &g->nodes[i], &slot, &klen);
        if (p < 0) continue;
        int is_gemm = tern_node_is(&g->nodes[p], "Gemm");
        int rc = fold(g, i, p, slot, klen, err);
        if (rc < 0) return (tern_status)-rc;
        gemms += rc > 0 && is_gemm;
        convs += rc > 0 && !is_gemm;
    }
    r->changes = convs + gemms;
    if (r->changes)
        tern_report_note(r, "folded %d constant Add into a Conv bias, %d into a Gemm C", convs,
                         gemms);
    tern_report_end(r, g);
    return TERN_OK;
}
