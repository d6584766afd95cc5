/* fuse-expand-dw: the kernel-level fusion of an inverted-residual block's
 * expand (1x1 Conv) into the depthwise Conv that reads it
 * (graph/ops/conv_fuse.c computes the expanded rows in rings, so the
 * largest tensor of the block never goes to memory; same bits as unfused).
 *
 * Runs after the layout pass, with the session's kernel table known: both
 * convs must take their SIMD path (1x1 GEMM on NHWC, depthwise), the 1x1
 * conv must come right before the depthwise one, and its output must have
 * no other reader and not be a graph output. The depthwise node gets the
 * 1x1 conv's input as a fourth input, so the memory plan keeps it alive
 * while the depthwise conv writes (and the plan check sees the read); the
 * 1x1 node is marked fused_into_next and does nothing when run.
 *
 * It pays only where the expanded tensor is big and the 1x1 weights small
 * (the 112x112 and 56x56 stages): there the tensor's trip to memory is the
 * cost. In the late stages the tensor is small and the weights large, and
 * a GEMM per row of 7 or 14 pixels would read the weights once per row
 * instead of once (measured: slower), so those pairs stay apart. */
#include <stdint.h>

#include "graph/op.h"
#include "graph/ops/op_nn_util.h"
#include "graph/passes/passes.h"

#define FUSE_MIN_TENSOR ((size_t)1 << 20)   /* expanded tensor of at least 1 MiB */
#define FUSE_MAX_WEIGHTS ((size_t)256 << 10) /* 1x1 weights of at most 256 KiB */

/* Node i (a depthwise Conv) and the node before it form a fusable pair. */
static int fusable(const tern_graph *g, int i) {
    const tern_node *d = &g->nodes[i], *e = &g->nodes[i - 1];
    if (!tern_node_is(d, "Conv") || !tern_node_is(e, "Conv") || d->dead || e->dead ||
        d->n_inputs > 3 || e->fused_into_next || e->n_outputs != 1 || e->outputs[0] < 0)
        return 0;
    int t = d->inputs[0];
    const tern_tensor *x = tern_in(g, e, 0);
    if (e->outputs[0] != t || tern_graph_use_count(g, t) != 1 || !x || x->data ||
        g->tensors[t].is_output)
        return 0;
    const tern_tensor *w = tern_in(g, e, 1);
    if (tern_tensor_bytes(&g->tensors[t]) < FUSE_MIN_TENSOR || tern_tensor_bytes(w) > FUSE_MAX_WEIGHTS)
        return 0;
    return tern_conv_fast_path(g, d) == TERN_CONV_PATH_DW &&
           tern_conv_fast_path(g, e) == TERN_CONV_PATH_GEMM_1X1;
}

tern_status tern_pass_fuse_expand_dw(tern_graph *g, tern_pass_report *r, tern_err *err) {
    tern_report_begin(r, "fuse-expand-dw", g);
    for (int i = 1; i < g->n_nodes; i++) {
        if (!fusable(g, i)) continue;
        tern_node *d = &g->nodes[i];
        int ins[4] = {d->inputs[0], d->inputs[1], d->n_inputs > 2 ? d->inputs[2] : -1,
                      g->nodes[i - 1].inputs[0]};
        if (!tern_set_inputs(g, i, ins, 4)) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
        g->nodes[i - 1].fused_into_next = 1;
        r->changes++;
    }
    if (r->changes)
        tern_report_note(r, "%d expand 1x1 conv%s computed inside the depthwise conv after it",
                         r->changes, r->changes > 1 ? "s" : "");
    tern_report_end(r, g);
    return TERN_OK;
}
