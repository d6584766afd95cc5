/* Shape inference and constant folding, in one sweep over the sorted nodes.
 *
 * Each node is inferred (op->infer), then evaluated right away if all its
 * inputs are constants (or, for Shape/Size, if its input's shape is known).
 * Doing both in one sweep is what lets the exporter chains
 * Shape -> Gather -> Unsqueeze -> Concat -> Reshape collapse: Reshape's infer
 * needs its shape input to be constant, and it is by the time Reshape comes. */
#include <stdio.h>
#include <string.h>

#include "graph/budget.h"
#include "graph/op.h"
#include "graph/ops/op_attr_names.h"
#include "graph/passes/passes.h"

/* Constants folded beyond this size stay as nodes: folding would only move
 * work from run time to session creation and bloat memory. */
#define FOLD_MAX_BYTES (16u << 20)

static tern_status unsupported_op(const tern_graph *g, int i, tern_err *err) {
    const tern_node *n = &g->nodes[i];
    const char *dom = n->domain[0] ? n->domain : "ai.onnx";
    int64_t opset = strcmp(dom, "com.microsoft") == 0 ? g->opset_ms : g->opset;
    return tern_errf(err, TERN_ERR_UNSUPPORTED,
                     "graph.node[%d] '%s': unsupported op %s (domain %s, opset %lld)", i, n->name,
                     n->op_type, dom, (long long)opset);
}

static int all_inputs_const(const tern_graph *g, const tern_node *n) {
    for (int k = 0; k < n->n_inputs; k++) {
        int t = n->inputs[k];
        if (t >= 0 && !g->tensors[t].data) return 0;
    }
    return 1;
}

static int worth_folding(const tern_graph *g, const tern_node *n) {
    if (n->op->flags & TERN_OP_NO_FOLD) return 0;
    for (int k = 0; k < n->n_outputs; k++) {
        int t = n->outputs[k];
        if (t < 0) continue;
        /* a graph output stays computed by a node so that running the
         * session fills it like every other output */
        if (g->tensors[t].is_output) return 0;
        if (tern_tensor_bytes(&g->tensors[t]) > FOLD_MAX_BYTES) return 0;
    }
    if (n->op->flags & TERN_OP_FOLD_ON_SHAPE) return 1;
    return all_inputs_const(g, n);
}

/* Evaluate node i now and turn its outputs into constants. Their bytes
 * count against the session's memory budget: a model that would fold more
 * than the budget fails here, before the memory is taken (folding less
 * would only move the same bytes into the arena, also counted). */
tern_status tern_fold_node(tern_graph *g, int i, tern_err *err) {
    tern_node *n = &g->nodes[i];
    const void *in[TERN_MAX_NODE_IO];
    void *out[TERN_MAX_NODE_IO];
    for (int k = 0; k < n->n_inputs; k++)
        in[k] = n->inputs[k] >= 0 ? g->tensors[n->inputs[k]].data : NULL;
    for (int k = 0; k < n->n_outputs; k++) {
        out[k] = NULL;
        if (n->outputs[k] < 0) continue;
        size_t b = tern_tensor_bytes(&g->tensors[n->outputs[k]]);
        tern_status st = tern_budget_charge(g, &g->const_bytes, b, err);
        if (st != TERN_OK) return st;
        out[k] = tern_pool_alloc(&g->pool, b ? b : 1);
        if (!out[k]) return tern_errf(err, TERN_ERR_NOMEM, "out of memory folding constants");
    }
    tern_status st = n->op->run(g, n, in, out, err);
    if (st != TERN_OK) return st;
    for (int k = 0; k < n->n_outputs; k++)
        if (n->outputs[k] >= 0) g->tensors[n->outputs[k]].data = out[k];
    n->dead = 1;
    return TERN_OK;
}

static tern_status check_outputs(const tern_graph *g, const tern_node *n, tern_err *err) {
    for (int k = 0; k < n->n_outputs; k++) {
        int t = n->outputs[k];
        if (t < 0) continue;
        const tern_tensor *o = &g->tensors[t];
        if (o->rank < 0 || tern_tensor_numel(o) < 0 || tern_dtype_size(o->dtype) == 0)
            return tern_errf(err, TERN_ERR_SHAPE, "output %d ('%s') has no static shape/dtype", k,
                             o->name);
        if (tern_tensor_bytes(o) == 0 && tern_tensor_numel(o) != 0)
            return tern_errf(err, TERN_ERR_SHAPE,
                             "output %d ('%s') is too large (over %zu bytes, the most one tensor "
                             "may hold)", k, o->name, (size_t)TERN_MAX_TENSOR_BYTES);
    }
    return TERN_OK;
}

tern_status tern_pass_infer_fold(tern_graph *g, tern_pass_report *r, tern_err *err) {
    r->name = "infer-and-fold-constants";
    r->nodes_before = g->n_nodes;
    int folded = 0, folded_shape = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        tern_node *n = &g->nodes[i];
        n->op = tern_op_find(n->op_type, n->domain);
        if (!n->op) return unsupported_op(g, i, err);
        if (n->n_inputs > TERN_MAX_NODE_IO || n->n_outputs > TERN_MAX_NODE_IO)
            return tern_errf(err, TERN_ERR_UNSUPPORTED,
                             "graph.node[%d] '%s' (%s) has %d inputs and %d outputs; at most %d each",
                             i, n->name, n->op_type, n->n_inputs, n->n_outputs, TERN_MAX_NODE_IO);
        /* standard ops only: other domains' attributes are their own business */
        tern_status st = n->op->domain[0] ? TERN_OK : tern_check_attr_names(g, n, err);
        if (st == TERN_OK) st = n->op->infer(g, n, err);
        if (st == TERN_OK) st = check_outputs(g, n, err);
        if (st == TERN_OK && worth_folding(g, n)) {
            int by_shape = (n->op->flags & TERN_OP_FOLD_ON_SHAPE) != 0;
            st = tern_fold_node(g, i, err);
            if (st == TERN_OK) {
                folded++;
                folded_shape += by_shape;
            }
        }
        if (st != TERN_OK) {
            tern_err_prefix(err, "graph.node[%d] '%s' (%s)", i, n->name, n->op_type);
            return st;
        }
    }
    tern_graph_compact(g);
    r->nodes_after = g->n_nodes;
    r->changes = folded;
    if (folded)
        tern_report_note(r, "folded %d nodes into constants (%d of them Shape/Size)", folded,
                         folded_shape);
    else
        tern_report_note(r, "nothing to fold");
    return TERN_OK;
}
