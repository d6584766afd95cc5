/* Fold the DequantizeLinear nodes of constants that survive the qdq pass.
 *
 * DequantizeLinear is never folded by the first constant-folding sweep
 * (TERN_OP_NO_FOLD): the qdq pass must still see DQ(weights) -> Conv to
 * fuse it into an integer node. Whatever DQ of a constant is left after it
 * feeds an op that stays in float (e.g. a model's output head kept float by
 * the quantizer); computed at run time it would dequantize the whole weight
 * tensor on every inference (measured: half of a quantized MobileNetV2's
 * time for its 1280x1001 classifier). Folded once here, it costs the float
 * weights' bytes, charged to the memory budget like any folded constant. */
#include <string.h>

#include "graph/op.h"
#include "graph/passes/passes.h"

static int all_inputs_const(const tern_graph *g, const tern_node *n) {
    for (int k = 0; k < n->n_inputs; k++)
        if (n->inputs[k] >= 0 && !g->tensors[n->inputs[k]].data) return 0;
    return 1;
}

static int is_output(const tern_graph *g, const tern_node *n) {
    for (int k = 0; k < n->n_outputs; k++)
        if (n->outputs[k] >= 0 && g->tensors[n->outputs[k]].is_output) return 1;
    return 0;
}

tern_status tern_pass_fold_const_dq(tern_graph *g, tern_pass_report *r, tern_err *err) {
    r->name = "fold-constant-dequantize";
    int folded = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        if (n->dead || strcmp(n->op_type, "DequantizeLinear") != 0 || n->domain[0]) continue;
        if (!all_inputs_const(g, n) || is_output(g, n)) continue;
        tern_status st = tern_fold_node(g, i, err);
        if (st != TERN_OK) return st;
        folded++;
    }
    r->changes = folded;
    if (folded)
        tern_report_note(r, "%d DequantizeLinear of constants (weights of float ops) folded", folded);
    return TERN_OK;
}
