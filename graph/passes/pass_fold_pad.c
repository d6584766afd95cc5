/* fold-pad: p = Pad(x, constant 0) on the spatial axes only, read by a Conv
 * alone, is the Conv's own zero padding: Conv(x) with pads + Pad's pads.
 * TensorFlow exports write one before every stride-2 Conv ("SAME" padding
 * done by hand); folded, no padded copy of the activation is made.
 *
 * An AveragePool counts zeros it reads from a Pad, so the fold also needs
 * the pool to count its own padding: it applies when the pool has
 * count_include_pad = 1, or has no pads of its own (it then gets
 * count_include_pad = 1). ceil_mode pools are left alone (their last
 * window may run past the padding, where the two forms differ), and so is
 * MaxPool (its padding is -inf, not 0). Reflect/edge pads and non-zero
 * constants stay Pads. */
#include <string.h>

#include "graph/op.h"
#include "graph/ops/op_tensor_util.h"
#include "graph/passes/passes.h"

/* Pad node i's spatial pads in Conv order (all begins, then all ends) if
 * it is a zero Pad of a rank >= 3 float tensor that leaves N and C alone
 * and only grows; *nsp gets the number of spatial axes. */
static int zero_spatial_pads(const tern_graph *g, const tern_node *pad, int64_t *pads, int *nsp) {
    int64_t begin[TERN_MAX_RANK], end[TERN_MAX_RANK];
    if (!tern_node_is(pad, "Pad") || pad->n_outputs != 1 || pad->outputs[0] < 0) return 0;
    const tern_tensor *x = tern_in(g, pad, 0);
    if (!x || x->rank < 3 || x->rank > 5 || !tern_pad_is_zero(g, pad, begin, end)) return 0;
    if (begin[0] || end[0] || begin[1] || end[1]) return 0;
    *nsp = x->rank - 2;
    for (int a = 2; a < x->rank; a++) {
        if (begin[a] < 0 || end[a] < 0) return 0;
        pads[a - 2] = begin[a];
        pads[a - 2 + *nsp] = end[a];
    }
    return 1;
}

/* Is consumer c (reading the Pad's output as input 0) one the pads fold
 * into? Sets *set_cip when an AveragePool must start counting its pads. */
static int foldable_consumer(const tern_node *c, int *set_cip) {
    *set_cip = 0;
    const char *ap = tern_attr_string(c, "auto_pad", "NOTSET");
    if (strcmp(ap, "NOTSET") != 0 && strcmp(ap, "VALID") != 0) return 0;
    if (tern_node_is(c, "Conv")) return 1;
    if (!tern_node_is(c, "AveragePool") || tern_attr_int(c, "ceil_mode", 0) != 0) return 0;
    if (tern_attr_int(c, "count_include_pad", 0) == 1) return 1;
    const tern_attr *own = tern_node_attr(c, "pads");
    for (size_t k = 0; own && own->type == TERN_ATTR_INTS && k < own->count; k++)
        if (own->ints[k] != 0) return 0;
    *set_cip = 1;
    return 1;
}

/* The consumer's new pads: its own (none under VALID) plus the Pad's. */
static int merged_pads(const tern_node *c, const int64_t *add, int nsp, int64_t *out) {
    const tern_attr *own = tern_node_attr(c, "pads");
    int valid = strcmp(tern_attr_string(c, "auto_pad", "NOTSET"), "VALID") == 0;
    if (own && !valid && (own->type != TERN_ATTR_INTS || own->count != (size_t)(2 * nsp)))
        return 0; /* malformed: leave it for infer to report as it does today */
    for (int k = 0; k < 2 * nsp; k++) {
        int64_t mine = own && !valid ? own->ints[k] : 0;
        if (mine < 0 || add[k] > INT64_MAX / 4 - mine) return 0;
        out[k] = mine + add[k];
    }
    return 1;
}

/* Fold Pad node i into its consumer. 1 folded, 0 not applicable, -status. */
static int fold(tern_graph *g, int i, tern_err *err) {
    int64_t add[2 * 3], pads[2 * 3];
    int nsp, slot, set_cip;
    if (!zero_spatial_pads(g, &g->nodes[i], add, &nsp)) return 0;
    int c = tern_single_consumer(g, g->nodes[i].outputs[0], &slot);
    if (c < 0 || slot != 0 || !foldable_consumer(&g->nodes[c], &set_cip)) return 0;
    if (!merged_pads(&g->nodes[c], add, nsp, pads)) return 0;
    int64_t *vals = tern_pool_alloc_array(&g->pool, (size_t)(2 * nsp), sizeof(int64_t));
    if (!vals) return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory folding a Pad");
    memcpy(vals, pads, sizeof(int64_t) * (size_t)(2 * nsp));
    tern_attr a_pads = {.name = "pads", .type = TERN_ATTR_INTS, .ints = vals,
                        .count = (size_t)(2 * nsp)};
    tern_attr a_auto = {.name = "auto_pad", .type = TERN_ATTR_STRING, .s = "NOTSET"};
    tern_attr a_cip = {.name = "count_include_pad", .type = TERN_ATTR_INT, .i = 1};
    int ins[TERN_MAX_NODE_IO];
    const tern_node *cn = &g->nodes[c];
    if (cn->n_inputs > TERN_MAX_NODE_IO) return 0;
    memcpy(ins, cn->inputs, sizeof(int) * (size_t)cn->n_inputs);
    ins[0] = g->nodes[i].inputs[0];
    if (!tern_set_attr(g, c, &a_pads) || !tern_set_attr(g, c, &a_auto) ||
        (set_cip && !tern_set_attr(g, c, &a_cip)) ||
        !tern_set_inputs(g, c, ins, g->nodes[c].n_inputs))
        return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory folding a Pad");
    g->nodes[i].dead = 1;
    tern_status st = tern_reinfer(g, c, err);
    return st == TERN_OK ? 1 : -(int)st;
}

tern_status tern_pass_fold_pad(tern_graph *g, tern_pass_report *r, tern_err *err) {
    tern_report_begin(r, "fold-pad", g);
    for (int i = 0; i < g->n_nodes; i++) {
        int rc = fold(g, i, err);
        if (rc < 0) return (tern_status)-rc;
        r->changes += rc;
    }
    if (r->changes) tern_report_note(r, "folded %d zero Pad into Conv/AveragePool pads", r->changes);
    tern_report_end(r, g);
    return TERN_OK;
}
