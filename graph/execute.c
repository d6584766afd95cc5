/* Run a compiled graph: each node in order, its tensors found in the arena
 * (or in the constant data). Nothing is allocated here. */
#include "graph/compile.h"
#include "graph/op.h"

static const void *tensor_ptr(const tern_graph *g, int t, unsigned char *arena) {
    if (t < 0) return NULL;
    const tern_tensor *x = &g->tensors[t];
    return x->data ? x->data : arena + x->offset;
}

tern_status tern_execute(const tern_compiled *c, unsigned char *arena, tern_err *err) {
    return tern_execute_hooked(c, arena, NULL, NULL, err);
}

tern_status tern_execute_hooked(const tern_compiled *c, unsigned char *arena,
                                tern_node_hook hook, void *ctx, tern_err *err) {
    const tern_graph *g = &c->g;
    const void *in[TERN_MAX_NODE_IO];
    void *out[TERN_MAX_NODE_IO];
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        if (n->n_inputs > TERN_MAX_NODE_IO || n->n_outputs > TERN_MAX_NODE_IO)
            return tern_errf(err, TERN_ERR_UNSUPPORTED, "node '%s' has too many inputs/outputs",
                             n->name);
        for (int k = 0; k < n->n_inputs; k++) in[k] = tensor_ptr(g, n->inputs[k], arena);
        for (int k = 0; k < n->n_outputs; k++)
            out[k] = n->outputs[k] < 0 ? NULL : arena + g->tensors[n->outputs[k]].offset;
        tern_status st = n->op->run(g, n, in, out, err);
        if (st != TERN_OK) {
            tern_err_prefix(err, "node '%s' (%s)", n->name, n->op_type);
            return st;
        }
        if (hook && (st = hook(ctx, g, i, arena, err)) != TERN_OK) return st;
    }
    return TERN_OK;
}
