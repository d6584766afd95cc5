/* Run a compiled graph: each node in order, its tensors found in the arena
 * (or in the constant data). Nothing is allocated here. */
#include <time.h>

#include "graph/compile.h"
#include "graph/op.h"

static const void *tensor_ptr(const tern_graph *g, int t, unsigned char *arena) {
    if (t < 0) return NULL;
    const tern_tensor *x = &g->tensors[t];
    return x->data ? x->data : arena + x->offset;
}

/* Per-node times: with one thread the thread's CPU time, which leaves out
 * the time the OS ran other processes (on a busy machine that is most of
 * the noise); with a pool, wall time (the node's latency). */
static double now_seconds(int single) {
    struct timespec ts;
    clock_gettime(single ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

tern_status tern_execute(const tern_compiled *c, unsigned char *arena, tern_err *err) {
    return tern_execute_ex(c, arena, NULL, NULL, NULL, err);
}

tern_status tern_execute_timed(const tern_compiled *c, unsigned char *arena, double *seconds,
                               tern_err *err) {
    return tern_execute_ex(c, arena, seconds, NULL, NULL, err);
}

tern_status tern_execute_hooked(const tern_compiled *c, unsigned char *arena,
                                tern_node_hook hook, void *ctx, tern_err *err) {
    return tern_execute_ex(c, arena, NULL, hook, ctx, err);
}

tern_status tern_execute_ex(const tern_compiled *c, unsigned char *arena, double *seconds,
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
        int single = g->threads == NULL;
        double t0 = seconds ? now_seconds(single) : 0;
        tern_status st = n->op->run(g, n, in, out, err);
        if (seconds) seconds[i] += now_seconds(single) - t0;
        if (st != TERN_OK) {
            tern_err_prefix(err, "node '%s' (%s)", n->name, n->op_type);
            return st;
        }
        if (hook && (st = hook(ctx, g, i, arena, err)) != TERN_OK) return st;
    }
    return TERN_OK;
}
