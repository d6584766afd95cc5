/* Per-node profiling for `tern bench --profile`: the compiled nodes, their
 * MAC counts, whether a SIMD kernel runs them, and a timed run. */
#include "graph/report_counts.h"
#include "graph/session.h"

int tern_session_node_count(const tern_session *s) {
    return s && s->compiled ? s->c.g.n_nodes : 0;
}

tern_status tern_session_node_profile(const tern_session *s, int index, tern_node_profile *p) {
    if (!s || !s->compiled || !p || index < 0 || index >= s->c.g.n_nodes)
        return TERN_ERR_INVALID_ARG;
    const tern_node *n = &s->c.g.nodes[index];
    p->name = n->name ? n->name : "";
    p->op_type = n->op_type;
    int64_t m = tern_node_macs(&s->c.g, n);
    p->macs = m > 0 ? m : 0;
    p->simd = n->prepared != NULL;
    p->fused = n->fused_into_next;
    return TERN_OK;
}

tern_status tern_session_run_profiled(tern_session *s, double *seconds) {
    if (!s || !s->compiled || !seconds || !s->arena) return TERN_ERR_INVALID_ARG;
    tern_err err = {{0}};
    tern_status st = tern_execute_timed(&s->c, s->arena, seconds, &err);
    if (st != TERN_OK) {
        for (size_t i = 0; i < sizeof s->error; i++) s->error[i] = err.msg[i];
        s->ok = 0;
    }
    return st;
}
