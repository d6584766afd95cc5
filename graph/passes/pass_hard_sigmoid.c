/* hard-sigmoid: TFLite writes hard sigmoid as relu6(x + 3) / 6, which
 * converters turn into
 *   s = Add(x, c); t = Clip(s, 0, H); y = Mul(t, m)   (or Div(t, d), m = 1/d)
 * and that is HardSigmoid(x; alpha = m, beta = c*m) = clamp(m*x + c*m, 0, 1)
 * whenever H*m = 1. Rewritten as one HardSigmoid node, the existing passes
 * fuse it into the Conv before it (or, with y = x * HardSigmoid(x), into a
 * HardSwish), and INT8 turns it into one lookup table.
 *
 * H*m is accepted within 1e-4 of 1: the TFLite models store 1/6 as
 * 0.16667, so the clamp at 1 differs from the original's 1.00002 by 2e-5
 * (relative); nothing else changes beyond float rounding. The Add is
 * optional (beta 0 without it); c and m are one-element constants; each
 * intermediate tensor is read by the next node only. */
#include <math.h>
#include <string.h>

#include "graph/op.h"
#include "graph/passes/passes.h"

/* Node i is a float Clip(0, H > 0) whose single reader is Mul/Div by a
 * constant m with |H*m - 1| <= 1e-4 and no broadcasting: returns the
 * Mul/Div node and sets *m, else -1. */
static int clip_then_scale(const tern_graph *g, int i, float *m) {
    const tern_node *clip = &g->nodes[i];
    float lo, hi;
    if (!tern_node_is(clip, "Clip") || clip->n_outputs != 1 || clip->outputs[0] < 0) return -1;
    if (!tern_clip_bounds(g, clip, &lo, &hi) || lo != 0.0f || !(hi > 0.0f) || isinf(hi)) return -1;
    int t = clip->outputs[0], slot;
    if (g->tensors[t].dtype != TERN_FLOAT) return -1;
    int s = tern_single_consumer(g, t, &slot);
    if (s < 0) return -1;
    const tern_node *sn = &g->nodes[s];
    int div = tern_node_is(sn, "Div");
    if (!(tern_node_is(sn, "Mul") || div) || sn->n_inputs != 2 || (div && slot != 0)) return -1;
    float k;
    if (!tern_const_scalar(g, sn->inputs[1 - slot], &k) || !(k > 0.0f)) return -1;
    *m = div ? 1.0f / k : k;
    const tern_tensor *y = tern_out(g, sn, 0), *tt = &g->tensors[t];
    if (!y || y->rank != tt->rank || memcmp(y->dims, tt->dims, sizeof(int64_t) * (size_t)tt->rank))
        return -1;
    return fabs((double)hi * (double)*m - 1.0) <= 1e-4 ? s : -1;
}

/* The Add(x, c) writing tensor t and read only by the Clip, or -1; sets *x
 * and *c. */
static int add_before(const tern_graph *g, int t, int *x, float *c) {
    int a = tern_producer(g, t);
    if (a < 0 || tern_single_consumer(g, t, NULL) < 0) return -1;
    const tern_node *an = &g->nodes[a];
    if (!tern_node_is(an, "Add") || an->n_inputs != 2 || g->tensors[t].is_output) return -1;
    for (int k = 0; k < 2; k++) {
        int in = an->inputs[k];
        if (in < 0 || !tern_const_scalar(g, an->inputs[1 - k], c)) continue;
        const tern_tensor *it = &g->tensors[in], *tt = &g->tensors[t];
        if (it->rank != tt->rank || memcmp(it->dims, tt->dims, sizeof(int64_t) * (size_t)tt->rank))
            continue;
        *x = in;
        return a;
    }
    return -1;
}

/* Rewrite Clip node i (and the nodes around it) into a HardSigmoid. 1 done,
 * 0 no match, -status. */
static int rewrite(tern_graph *g, int i, tern_err *err) {
    float m, c = 0.0f;
    int s = clip_then_scale(g, i, &m);
    if (s < 0) return 0;
    int x = g->nodes[i].inputs[0];
    int a = add_before(g, x, &x, &c);
    const tern_op *op = tern_op_find("HardSigmoid", "");
    if (!op) return 0;
    tern_attr alpha = {.name = "alpha", .type = TERN_ATTR_FLOAT, .f = m};
    tern_attr beta = {.name = "beta", .type = TERN_ATTR_FLOAT, .f = c * m};
    tern_node *n = &g->nodes[i];
    n->n_attrs = 0; /* Clip's own attributes (min/max) do not carry over */
    int out = g->nodes[s].outputs[0];
    if (!tern_set_attr(g, i, &alpha) || !tern_set_attr(g, i, &beta) ||
        !tern_set_inputs(g, i, &x, 1) || !tern_set_outputs(g, i, &out, 1))
        return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory rewriting a hard sigmoid");
    n->op_type = "HardSigmoid";
    n->op = op;
    g->nodes[s].dead = 1;
    if (a >= 0) g->nodes[a].dead = 1;
    tern_status st = tern_reinfer(g, i, err);
    return st == TERN_OK ? 1 : -(int)st;
}

tern_status tern_pass_hard_sigmoid(tern_graph *g, tern_pass_report *r, tern_err *err) {
    tern_report_begin(r, "hard-sigmoid", g);
    for (int i = 0; i < g->n_nodes; i++) {
        int rc = rewrite(g, i, err);
        if (rc < 0) return (tern_status)-rc;
        r->changes += rc;
    }
    if (r->changes)
        tern_report_note(r, "rewrote %d Add/Clip/Mul chains as HardSigmoid", r->changes);
    tern_report_end(r, g);
    return TERN_OK;
}
