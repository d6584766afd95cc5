/* fuse-activation: an activation right after a Conv or Gemm is applied by
 * the Conv/Gemm kernel itself (n->act) while the output is in registers,
 * saving a pass over memory. Two shapes of graph are recognized:
 *   y = Conv(..); z = Act(y)                      (y read only by Act)
 *   y = Conv(..); h = HardSigmoid(y); z = Mul(y, h)  -> HARDSWISH(alpha, beta)
 *   y = Conv(..); h = Sigmoid(y);     z = Mul(y, h)  -> SILU
 * (y read only by those two nodes, h only by the Mul, either Mul order).
 * The Conv then writes z, so a graph output z keeps its name. */
#include <math.h>
#include <string.h>

#include "graph/op.h"
#include "graph/passes/passes.h"

enum { N_KINDS = TERN_ACT_TANH + 1 };

static const char *const KIND_NAME[N_KINDS] = {
    [TERN_ACT_RELU] = "Relu",           [TERN_ACT_CLIP] = "Clip",
    [TERN_ACT_HARDSIGMOID] = "HardSigmoid", [TERN_ACT_HARDSWISH] = "HardSwish",
    [TERN_ACT_SIGMOID] = "Sigmoid",     [TERN_ACT_SILU] = "SiLU",
    [TERN_ACT_LEAKYRELU] = "LeakyRelu", [TERN_ACT_TANH] = "Tanh"};

/* The fused form of single-input activation node a, or kind NONE. */
static tern_act act_of(const tern_graph *g, const tern_node *a) {
    tern_act act = {TERN_ACT_NONE, 0.0f, 0.0f};
    if (a->n_outputs != 1 || a->outputs[0] < 0) return act;
    if (tern_node_is(a, "Relu")) {
        act.kind = TERN_ACT_RELU;
    } else if (tern_node_is(a, "Clip")) {
        if (tern_clip_bounds(g, a, &act.a, &act.b)) act.kind = TERN_ACT_CLIP;
    } else if (tern_node_is(a, "HardSigmoid")) {
        act.kind = TERN_ACT_HARDSIGMOID;
        act.a = tern_attr_float(a, "alpha", 0.2f);
        act.b = tern_attr_float(a, "beta", 0.5f);
    } else if (tern_node_is(a, "HardSwish")) {
        act.kind = TERN_ACT_HARDSWISH;
        act.a = 1.0f / 6.0f;
        act.b = 0.5f;
    } else if (tern_node_is(a, "Sigmoid")) {
        act.kind = TERN_ACT_SIGMOID;
    } else if (tern_node_is(a, "Tanh")) {
        act.kind = TERN_ACT_TANH;
    } else if (tern_node_is(a, "LeakyRelu")) {
        act.kind = TERN_ACT_LEAKYRELU;
        act.a = tern_attr_float(a, "alpha", 0.01f);
    }
    return act;
}

/* y read by gate node a (HardSigmoid or Sigmoid) and by Mul m = Mul(y, a's
 * output) in either order, a's output read only by m: the x*gate(x)
 * pattern. Returns the fused act (kind NONE if no match). */
static tern_act gated(const tern_graph *g, int y, int a, int m) {
    tern_act none = {TERN_ACT_NONE, 0.0f, 0.0f};
    const tern_node *an = &g->nodes[a], *mn = &g->nodes[m];
    if (!tern_node_is(mn, "Mul") || mn->n_inputs != 2 || mn->n_outputs != 1) return none;
    if (an->n_inputs != 1 || an->n_outputs != 1) return none;
    int h = an->outputs[0];
    if (h < 0 || tern_single_consumer(g, h, NULL) != m) return none;
    if (!((mn->inputs[0] == y && mn->inputs[1] == h) || (mn->inputs[0] == h && mn->inputs[1] == y)))
        return none;
    /* Mul must not broadcast y to something larger */
    const tern_tensor *z = &g->tensors[mn->outputs[0]], *yt = &g->tensors[y];
    if (z->rank != yt->rank || memcmp(z->dims, yt->dims, sizeof(int64_t) * (size_t)yt->rank))
        return none;
    tern_act act = act_of(g, an);
    if (act.kind == TERN_ACT_HARDSIGMOID) {
        act.kind = TERN_ACT_HARDSWISH;
        return act;
    }
    if (act.kind == TERN_ACT_SIGMOID) {
        act.kind = TERN_ACT_SILU;
        return act;
    }
    return none;
}

/* Tries to fuse what follows Conv/Gemm node i. On a match sets *act, the
 * nodes to kill (dead[0..1], -1 when unused) and the tensor i will write. */
static int match(const tern_graph *g, int i, tern_act *act, int dead[2], int *out) {
    const tern_node *n = &g->nodes[i];
    if (!(tern_node_is(n, "Conv") || tern_node_is(n, "Gemm"))) return 0;
    if (n->act.kind != TERN_ACT_NONE || n->n_outputs != 1 || n->outputs[0] < 0) return 0;
    int y = n->outputs[0];
    const tern_tensor *yt = &g->tensors[y];
    if (yt->is_output || yt->dtype != TERN_FLOAT) return 0;
    int who[2] = {-1, -1};
    int uses = tern_consumers(g, y, who, 2);
    dead[0] = dead[1] = -1;
    if (uses == 1) {
        const tern_node *a = &g->nodes[who[0]];
        if (a->n_inputs < 1 || a->inputs[0] != y) return 0;
        *act = act_of(g, a);
        dead[0] = who[0];
        *out = a->outputs[0];
        return act->kind != TERN_ACT_NONE;
    }
    if (uses != 2 || who[0] == who[1]) return 0;
    for (int k = 0; k < 2; k++) {
        *act = gated(g, y, who[k], who[1 - k]);
        if (act->kind != TERN_ACT_NONE) {
            dead[0] = who[0];
            dead[1] = who[1];
            *out = g->nodes[who[1 - k]].outputs[0];
            return 1;
        }
    }
    return 0;
}

tern_status tern_pass_fuse_activation(tern_graph *g, tern_pass_report *r, tern_err *err) {
    tern_report_begin(r, "fuse-activation", g);
    int count[N_KINDS] = {0};
    for (int i = 0; i < g->n_nodes; i++) {
        tern_act act;
        int dead[2], out;
        if (!match(g, i, &act, dead, &out)) continue;
        for (int k = 0; k < 2; k++)
            if (dead[k] >= 0) g->nodes[dead[k]].dead = 1;
        if (!tern_set_outputs(g, i, &out, 1))
            return tern_errf(err, TERN_ERR_NOMEM, "out of memory fusing an activation");
        g->nodes[i].act = act;
        tern_status st = tern_reinfer(g, i, err);
        if (st != TERN_OK) return st;
        g->nodes[i].act = act; /* whatever infer did, the fused act stands */
        count[act.kind]++;
        r->changes++;
    }
    int first = 1;
    for (int k = 1; k < N_KINDS; k++) {
        if (!count[k]) continue;
        tern_report_note(r, "%s%d %s", first ? "fused " : ", ", count[k], KIND_NAME[k]);
        first = 0;
    }
    tern_report_end(r, g);
    return TERN_OK;
}
