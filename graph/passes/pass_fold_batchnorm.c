/* fold-batchnorm: an inference BatchNormalization after a Conv (or a 2-D
 * Gemm) is a per-channel affine map y*s + t with
 *   s = gamma / sqrt(var + eps),  t = beta - mean * s,
 * so it folds into the producer's weights and bias:
 *   W'[c,...] = W[c,...] * s[c],  B'[c] = (B[c] - mean[c]) * s[c] + beta[c].
 * s and t are computed in double and the new constants stored as float. The
 * model's constants are shared read-only, so the folded ones are new. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/op.h"
#include "graph/passes/passes.h"

typedef struct bn_affine {
    int64_t c;   /* channels */
    double *s;   /* scale per channel */
    double *t;   /* shift per channel: beta - mean * s */
} bn_affine;

/* Reads the BN's constants into s/t. 0 when the BN cannot be folded
 * (non-constant or non-float parameters, wrong sizes, training mode, extra
 * outputs in use) or memory ran out (then *oom is set). */
static int bn_read(const tern_graph *g, const tern_node *bn, int64_t c, bn_affine *a, int *oom) {
    if (bn->n_inputs != 5 || bn->n_outputs < 1 || bn->outputs[0] < 0) return 0;
    if (tern_attr_int(bn, "training_mode", 0) != 0) return 0;
    for (int o = 1; o < bn->n_outputs; o++)
        if (bn->outputs[o] >= 0 && tern_graph_use_count(g, bn->outputs[o]) > 0) return 0;
    const tern_tensor *p[4];
    for (int k = 0; k < 4; k++)
        if (!(p[k] = tern_const_f32(g, bn->inputs[k + 1], c))) return 0;
    double eps = tern_attr_float(bn, "epsilon", 1e-5f);
    a->c = c;
    a->s = malloc(sizeof(double) * (size_t)(c + 1));
    a->t = malloc(sizeof(double) * (size_t)(c + 1));
    if (!a->s || !a->t) {
        *oom = 1;
        return 0;
    }
    for (int64_t i = 0; i < c; i++) {
        double gamma = tern_f32_at(p[0]->data, i), beta = tern_f32_at(p[1]->data, i);
        double mean = tern_f32_at(p[2]->data, i), var = tern_f32_at(p[3]->data, i);
        a->s[i] = gamma / sqrt(var + eps);
        a->t[i] = beta - mean * a->s[i];
    }
    return 1;
}

/* double -> float without the undefined out-of-range conversion: values
 * beyond float's range become infinities, as the unfolded BN would give. */
static float narrow(double v) {
    if (v > FLT_MAX) return INFINITY;
    if (v < -FLT_MAX) return -INFINITY;
    return (float)v;
}

static void bn_free(bn_affine *a) {
    free(a->s);
    free(a->t);
    a->s = a->t = NULL;
}

/* New weight constant: w scaled by s along axis `axis` (0: rows = output
 * channels as in Conv [M,...] or Gemm transB; 1: columns, Gemm [K,N]). */
static int scaled_weight(tern_graph *g, int w, const bn_affine *a, int axis, const char *name) {
    const tern_tensor *wt = &g->tensors[w];
    int64_t ne = tern_tensor_numel(wt);
    int64_t inner = 1;
    for (int d = axis + 1; d < wt->rank; d++) inner *= wt->dims[d];
    float *buf = malloc(sizeof(float) * (size_t)(ne + 1));
    if (!buf) return -1;
    for (int64_t i = 0; i < ne; i++) {
        int64_t ch = (i / inner) % a->c;
        buf[i] = narrow(tern_f32_at(wt->data, i) * a->s[ch]);
    }
    int64_t dims[TERN_MAX_RANK];
    memcpy(dims, wt->dims, sizeof dims);
    int t = tern_add_const(g, name, TERN_FLOAT, wt->rank, dims, buf);
    free(buf);
    return t;
}

/* New bias constant of shape [rows?, C]: (b * bscale) * s + t, where b is
 * the old bias (absent: 0) broadcast along the channel axis. rows > 1 only
 * for a Gemm C of shape [M,N]. */
static int folded_bias(tern_graph *g, int b, double bscale, const bn_affine *a, int64_t rows,
                       const char *name) {
    int64_t ne = rows * a->c;
    float *buf = malloc(sizeof(float) * (size_t)(ne + 1));
    if (!buf) return -1;
    const tern_tensor *bt = b >= 0 ? &g->tensors[b] : NULL;
    int64_t bn = bt ? tern_tensor_numel(bt) : 0;
    for (int64_t i = 0; i < ne; i++) {
        int64_t ch = i % a->c;
        /* bn is 1 (scalar), C or rows*C: pick the matching element */
        double old = !bt ? 0.0 : tern_f32_at(bt->data, bn == 1 ? 0 : bn == a->c ? ch : i);
        buf[i] = narrow(old * bscale * a->s[ch] + a->t[ch]);
    }
    int64_t dims[2] = {rows, a->c};
    int t = rows > 1 ? tern_add_const(g, name, TERN_FLOAT, 2, dims, buf)
                     : tern_add_const(g, name, TERN_FLOAT, 1, &dims[1], buf);
    free(buf);
    return t;
}

/* The BN that reads node i's only output and nothing else reads, or -1. */
static int bn_after(const tern_graph *g, const tern_node *n) {
    if (n->n_outputs != 1 || n->outputs[0] < 0 || n->act.kind != TERN_ACT_NONE) return -1;
    int slot;
    int bn = tern_single_consumer(g, n->outputs[0], &slot);
    if (bn < 0 || slot != 0 || !tern_node_is(&g->nodes[bn], "BatchNormalization")) return -1;
    return bn;
}

/* Points node i at its new inputs, makes it write the BN's output, kills
 * the BN and re-infers node i. */
static tern_status finish(tern_graph *g, int i, int bn, const int *ins, int n_ins,
                          tern_err *err) {
    int out = g->nodes[bn].outputs[0];
    g->nodes[bn].dead = 1;
    if (!tern_set_inputs(g, i, ins, n_ins) || !tern_set_outputs(g, i, &out, 1))
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory folding a BatchNormalization");
    return tern_reinfer(g, i, err);
}

/* Conv(X, W[, B]) -> BN. Returns 1 folded, 0 not applicable, or -status. */
static int fold_conv(tern_graph *g, int i, tern_err *err) {
    const tern_node *n = &g->nodes[i];
    if (!tern_node_is(n, "Conv") || n->n_inputs < 2 || n->n_inputs > 3) return 0;
    int bn = bn_after(g, n);
    if (bn < 0) return 0;
    const tern_tensor *w = tern_const_f32(g, n->inputs[1], -1);
    const tern_tensor *y = tern_out(g, n, 0);
    if (!w || w->rank < 3 || !y || y->rank < 3 || y->dims[1] != w->dims[0]) return 0;
    int64_t c = w->dims[0];
    int b = n->n_inputs == 3 ? n->inputs[2] : -1;
    if (b >= 0 && !tern_const_f32(g, b, c)) return 0;
    bn_affine a = {0};
    int oom = 0;
    if (!bn_read(g, &g->nodes[bn], c, &a, &oom)) {
        bn_free(&a);
        return oom ? -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory folding BN") : 0;
    }
    char wn[256], bname[256];
    snprintf(wn, sizeof wn, "%s/W_bnfold_%d", g->nodes[bn].name, g->n_tensors);
    snprintf(bname, sizeof bname, "%s/B_bnfold_%d", g->nodes[bn].name, g->n_tensors);
    int nw = scaled_weight(g, n->inputs[1], &a, 0, wn);
    int nb = nw < 0 ? -1 : folded_bias(g, b, 1.0, &a, 1, bname);
    bn_free(&a);
    if (nb < 0) return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory folding BN");
    int ins[3] = {g->nodes[i].inputs[0], nw, nb};
    tern_status st = finish(g, i, bn, ins, 3, err);
    return st == TERN_OK ? 1 : -(int)st;
}

/* Rows of the folded Gemm C: 1 when C is absent, a scalar or [N]/[1,N];
 * M when it is [M,N]; 0 when C has another shape (not folded). */
static int64_t gemm_c_rows(const tern_graph *g, int c, int64_t m, int64_t n) {
    if (c < 0) return 1;
    const tern_tensor *ct = tern_const_f32(g, c, -1);
    if (!ct) return 0;
    int64_t ne = tern_tensor_numel(ct);
    if (ne == 1) return 1;
    if (ct->rank == 1 && ct->dims[0] == n) return 1;
    if (ct->rank == 2 && ct->dims[1] == n && (ct->dims[0] == 1 || ct->dims[0] == m))
        return ct->dims[0];
    return 0;
}

/* Gemm(A, B const[, C const]) -> BN over [M,N]: scale B's output columns. */
static int fold_gemm(tern_graph *g, int i, tern_err *err) {
    const tern_node *n = &g->nodes[i];
    if (!tern_node_is(n, "Gemm") || n->n_inputs < 2 || n->n_inputs > 3) return 0;
    int bn = bn_after(g, n);
    if (bn < 0) return 0;
    const tern_tensor *w = tern_const_f32(g, n->inputs[1], -1), *y = tern_out(g, n, 0);
    if (!w || w->rank != 2 || !y || y->rank != 2) return 0;
    int transb = tern_attr_int(n, "transB", 0) != 0;
    int64_t c = y->dims[1];
    if (w->dims[transb ? 0 : 1] != c) return 0;
    int cin = n->n_inputs == 3 ? n->inputs[2] : -1;
    int64_t rows = gemm_c_rows(g, cin, y->dims[0], c);
    if (rows == 0) return 0;
    double beta = tern_attr_float(n, "beta", 1.0f);
    bn_affine a = {0};
    int oom = 0;
    if (!bn_read(g, &g->nodes[bn], c, &a, &oom)) {
        bn_free(&a);
        return oom ? -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory folding BN") : 0;
    }
    char wn[256], bname[256];
    snprintf(wn, sizeof wn, "%s/W_bnfold_%d", g->nodes[bn].name, g->n_tensors);
    snprintf(bname, sizeof bname, "%s/C_bnfold_%d", g->nodes[bn].name, g->n_tensors);
    int nw = scaled_weight(g, n->inputs[1], &a, transb ? 0 : 1, wn);
    int nc = nw < 0 ? -1 : folded_bias(g, cin, beta, &a, rows, bname);
    bn_free(&a);
    /* the folded C carries the old beta */
    tern_attr beta_one = {.name = "beta", .type = TERN_ATTR_FLOAT, .f = 1.0f};
    if (nc < 0 || !tern_set_attr(g, i, &beta_one))
        return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory folding BN");
    int ins[3] = {g->nodes[i].inputs[0], nw, nc};
    tern_status st = finish(g, i, bn, ins, 3, err);
    return st == TERN_OK ? 1 : -(int)st;
}

tern_status tern_pass_fold_batchnorm(tern_graph *g, tern_pass_report *r, tern_err *err) {
    tern_report_begin(r, "fold-batchnorm", g);
    int convs = 0, gemms = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        int rc = fold_conv(g, i, err);
        if (rc == 0) {
            rc = fold_gemm(g, i, err);
            gemms += rc > 0;
        } else {
            convs += rc > 0;
        }
        if (rc < 0) return (tern_status)-rc;
    }
    r->changes = convs + gemms;
    if (convs) tern_report_note(r, "folded %d BatchNormalization into Conv", convs);
    if (gemms) tern_report_note(r, "%sfolded %d BatchNormalization into Gemm", convs ? ", " : "",
                                gemms);
    tern_report_end(r, g);
    return TERN_OK;
}
