/* qdq: QuantizeLinear/DequantizeLinear patterns -> integer ops.
 *
 * A QDQ model spells every integer op as DequantizeLinear on its inputs, the
 * float op, QuantizeLinear on its output. Each such group whose op has an
 * integer kernel becomes that kernel's node, reading the int8 tensors and
 * the parameters of the DQ/Q nodes (never a float round trip):
 *
 *   DQ(x), DQ(w), [DQ(b, int32)] -> Conv [-> Relu|Clip] -> Q   QLinearConv
 *   DQ(a), DQ(b), [DQ(c)] -> Gemm [-> Relu|Clip] -> Q          QGemm
 *   DQ(a), DQ(b) -> MatMul -> Q                                QLinearMatMul
 *   DQ(a), DQ(b) -> Add|Mul [-> Relu] -> Q                     QLinearAdd|Mul
 *   DQ -> GlobalAveragePool|AveragePool -> Q                   QLinear*Pool
 *   DQ -> f -> Q, f an activation; DQ(x) -> x * HardSigmoid(x)
 *   or x * Sigmoid(x) -> Q                                     QLinearActivation (table)
 *   DQ... -> Concat -> Q                                       QLinearConcat
 *   DQ -> MaxPool|Reshape|Flatten|Squeeze|Unsqueeze|Transpose|Pad(0) -> Q
 *   with equal parameters                                      the op on int8
 *   DQ -> Q                                                    nothing, or a rescale
 *
 * Weights and biases must be constants, activations per tensor, weights
 * per tensor or per output channel. A group whose integer node is refused
 * (a scale that is not finite and positive, a bias beyond the exact int32
 * bound, a bias whose scale is not s_x * s_w) stays as it is: the float
 * op runs in float between its DQ and Q, and the report says so. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "graph/graph_index.h"
#include "graph/op.h"
#include "graph/ops/op_tensor_util.h"
#include "graph/passes/passes.h"

/* The live DequantizeLinear node writing t from int8 (or int32) data, or -1. */
static int dq_node(const tern_graph *g, int t, int allow_i32) {
    if (t < 0) return -1;
    int p = tern_producer(g, t);
    if (p < 0 || !tern_node_is(&g->nodes[p], "DequantizeLinear") || g->nodes[p].inputs[0] < 0)
        return -1;
    const tern_tensor *x = &g->tensors[g->nodes[p].inputs[0]];
    if (x->dtype != TERN_INT8 && !(allow_i32 && x->dtype == TERN_INT32)) return -1;
    return p;
}

static int numel_of(const tern_graph *g, int t) {
    return t < 0 ? 1 : (int)tern_tensor_numel(&g->tensors[t]);
}

/* A DQ with per-tensor parameters (an activation's). */
static int dq_act(const tern_graph *g, int t) {
    int d = dq_node(g, t, 0);
    if (d < 0 || numel_of(g, g->nodes[d].inputs[1]) != 1) return -1;
    return d;
}

static int in_at(const tern_node *n, int k) { return k < n->n_inputs ? n->inputs[k] : -1; }

/* The single QuantizeLinear (int8 out, per tensor) reading t, or -1. */
static int q_after(const tern_graph *g, int t) {
    int slot, c = tern_single_consumer(g, t, &slot);
    if (c < 0 || !tern_node_is(&g->nodes[c], "QuantizeLinear") || slot != 0) return -1;
    const tern_node *q = &g->nodes[c];
    if (g->tensors[q->outputs[0]].dtype != TERN_INT8 || numel_of(g, q->inputs[1]) != 1) return -1;
    return c;
}

/* Scale and zero point of a per-tensor DQ/Q node (inputs 1 and 2). */
static int same_params(const tern_graph *g, const tern_node *a, const tern_node *b) {
    float sa, sb;
    if (!tern_const_scalar(g, a->inputs[1], &sa) || !tern_const_scalar(g, b->inputs[1], &sb))
        return 0;
    int za = in_at(a, 2) >= 0 ? ((const int8_t *)g->tensors[a->inputs[2]].data)[0] : 0;
    int zb = in_at(b, 2) >= 0 ? ((const int8_t *)g->tensors[b->inputs[2]].data)[0] : 0;
    return sa == sb && za == zb;
}

typedef struct fuse {
    const char *type, *domain;
    int ins[TERN_MAX_NODE_IO];
    int n_ins;
    int q;     /* the QuantizeLinear node whose output the fused node writes */
    int act;   /* a Relu/Clip node between, removed too, or -1 */
    int extra; /* another node the group absorbs (the HardSigmoid of x*HardSigmoid(x)), or -1 */
    tern_act fused_act;
    int keep_attrs;
} fuse;

/* Rewrite node i as f; on a refusal by the integer op's infer, undo and
 * return 0 (the group runs in float). 1 fused, negative status on OOM. */
static int apply(tern_graph *g, int i, const fuse *f, tern_err *err) {
    tern_node *n = &g->nodes[i];
    tern_node saved = *n;
    int out = g->nodes[f->q].outputs[0];
    if (!tern_set_inputs(g, i, f->ins, f->n_ins) || !tern_set_outputs(g, i, &out, 1))
        return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    n = &g->nodes[i];
    n->op_type = f->type;
    n->domain = f->domain;
    n->op = tern_op_find(f->type, f->domain);
    n->act = f->fused_act;
    if (!f->keep_attrs) {
        n->attrs = NULL;
        n->n_attrs = 0;
    }
    g->nodes[f->q].dead = 1;
    if (f->act >= 0) g->nodes[f->act].dead = 1;
    tern_err local = {0};
    if (tern_reinfer(g, i, &local) == TERN_OK) {
        if (f->extra >= 0 && tern_graph_use_count(g, g->nodes[f->extra].outputs[0]) == 0)
            g->nodes[f->extra].dead = 1;
        return 1;
    }
    /* refused: put the float group back as it was */
    tern_node_revive(g, f->q);
    if (f->act >= 0) tern_node_revive(g, f->act);
    if (!tern_set_inputs(g, i, saved.inputs, saved.n_inputs) ||
        !tern_set_outputs(g, i, saved.outputs, saved.n_outputs))
        return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    n = &g->nodes[i];
    n->op_type = saved.op_type;
    n->domain = saved.domain;
    n->op = saved.op;
    n->act = saved.act;
    n->attrs = saved.attrs;
    n->n_attrs = saved.n_attrs;
    tern_status st = tern_reinfer(g, i, err);
    return st == TERN_OK ? 0 : -(int)st;
}

/* Output side: t [-> Relu|Clip] -> Q. Fills f->q, f->act, f->fused_act. */
static int output_side(const tern_graph *g, int t, int allow_act, fuse *f) {
    f->act = -1;
    f->extra = -1;
    f->fused_act = (tern_act){TERN_ACT_NONE, 0, 0};
    f->q = q_after(g, t);
    if (f->q >= 0 || !allow_act) return f->q >= 0;
    int slot, c = tern_single_consumer(g, t, &slot);
    if (c < 0 || slot != 0) return 0;
    const tern_node *a = &g->nodes[c];
    float lo, hi;
    if (tern_node_is(a, "Relu")) f->fused_act = (tern_act){TERN_ACT_RELU, 0, 0};
    else if (tern_node_is(a, "Clip") && tern_clip_bounds(g, a, &lo, &hi))
        f->fused_act = (tern_act){TERN_ACT_CLIP, lo, hi};
    else return 0;
    f->act = c;
    f->q = q_after(g, a->outputs[0]);
    return f->q >= 0;
}

static void push_dq(const tern_graph *g, fuse *f, int dq) {
    const tern_node *d = &g->nodes[dq];
    f->ins[f->n_ins++] = d->inputs[0];
    f->ins[f->n_ins++] = d->inputs[1];
    f->ins[f->n_ins++] = in_at(d, 2);
}

static void push_q(const tern_graph *g, fuse *f) {
    const tern_node *q = &g->nodes[f->q];
    f->ins[f->n_ins++] = q->inputs[1];
    f->ins[f->n_ins++] = in_at(q, 2);
}

/* A constant weight DQ, per tensor or per axis `axis`. */
static int dq_weight(const tern_graph *g, int t, int axis) {
    int d = dq_node(g, t, 0);
    if (d < 0 || !g->tensors[g->nodes[d].inputs[0]].data) return -1;
    if (numel_of(g, g->nodes[d].inputs[1]) > 1 && tern_attr_int(&g->nodes[d], "axis", 1) != axis)
        return -1;
    return d;
}

/* A constant int32 bias DQ whose scale is s_x * s_w (per channel): the
 * integer op adds the int32 values to its accumulator as they are. */
static int dq_bias(const tern_graph *g, int t, int dx, int dw) {
    int d = dq_node(g, t, 1);
    if (d < 0 || g->tensors[g->nodes[d].inputs[0]].dtype != TERN_INT32 ||
        !g->tensors[g->nodes[d].inputs[0]].data)
        return -1;
    float sx;
    if (!tern_const_scalar(g, g->nodes[dx].inputs[1], &sx)) return -1;
    const tern_tensor *sb = &g->tensors[g->nodes[d].inputs[1]], *sw = &g->tensors[g->nodes[dw].inputs[1]];
    int64_t nb = tern_tensor_numel(sb), nw = tern_tensor_numel(sw);
    if (sb->dtype != TERN_FLOAT || sw->dtype != TERN_FLOAT || (nb != 1 && nb != nw && nw != 1))
        return -1;
    int64_t n = nb > nw ? nb : nw;
    for (int64_t c = 0; c < n; c++) {
        float b = tern_f32_at(sb->data, nb == 1 ? 0 : c), w = tern_f32_at(sw->data, nw == 1 ? 0 : c);
        float want = sx * w;
        if (!(fabsf(b - want) <= 1e-5f * want)) return -1;
    }
    return d;
}

static int fuse_conv_gemm(tern_graph *g, int i, fuse *f) {
    const tern_node *n = &g->nodes[i];
    int is_conv = tern_node_is(n, "Conv"), is_gemm = tern_node_is(n, "Gemm");
    if (!is_conv && !is_gemm) return 0;
    int trans_b = is_gemm ? (int)tern_attr_int(n, "transB", 0) : 0;
    if (is_gemm && (tern_attr_int(n, "transA", 0) || tern_attr_float(n, "alpha", 1.0f) != 1.0f ||
                    tern_attr_float(n, "beta", 1.0f) != 1.0f))
        return 0;
    int dx = dq_act(g, in_at(n, 0));
    int dw = dq_weight(g, in_at(n, 1), is_conv || trans_b ? 0 : 1);
    if (dx < 0 || dw < 0 || !output_side(g, n->outputs[0], 1, f)) return 0;
    int db = -1;
    if (in_at(n, 2) >= 0 && (db = dq_bias(g, in_at(n, 2), dx, dw)) < 0) return 0;
    push_dq(g, f, dx);
    push_dq(g, f, dw);
    if (is_conv) {
        f->type = "QLinearConv";
        f->domain = "";
        push_q(g, f);
        if (db >= 0) f->ins[f->n_ins++] = g->nodes[db].inputs[0];
    } else {
        f->type = "QGemm";
        f->domain = "com.microsoft";
        f->ins[f->n_ins++] = db >= 0 ? g->nodes[db].inputs[0] : -1;
        push_q(g, f);
    }
    f->keep_attrs = 1;
    return 1;
}

static int fuse_matmul(tern_graph *g, int i, fuse *f) {
    const tern_node *n = &g->nodes[i];
    if (!tern_node_is(n, "MatMul")) return 0;
    int da = dq_act(g, in_at(n, 0)), db = dq_weight(g, in_at(n, 1), 1);
    if (da < 0 || db < 0 || g->tensors[n->inputs[1]].rank != 2 ||
        !output_side(g, n->outputs[0], 0, f))
        return 0;
    push_dq(g, f, da);
    push_dq(g, f, db);
    push_q(g, f);
    f->type = "QLinearMatMul";
    f->domain = "";
    return 1;
}

static int fuse_binary(tern_graph *g, int i, fuse *f) {
    const tern_node *n = &g->nodes[i];
    int is_add = tern_node_is(n, "Add");
    if (!is_add && !tern_node_is(n, "Mul")) return 0;
    int da = dq_act(g, in_at(n, 0)), db = dq_act(g, in_at(n, 1));
    if (n->n_inputs != 2 || da < 0 || db < 0 || !output_side(g, n->outputs[0], is_add, f)) return 0;
    if (f->fused_act.kind == TERN_ACT_CLIP) return 0;
    push_dq(g, f, da);
    push_dq(g, f, db);
    push_q(g, f);
    f->type = is_add ? "QLinearAdd" : "QLinearMul";
    f->domain = "com.microsoft";
    return 1;
}

static int fuse_pool(tern_graph *g, int i, fuse *f) {
    const tern_node *n = &g->nodes[i];
    if (!tern_node_is(n, "GlobalAveragePool") && !tern_node_is(n, "AveragePool")) return 0;
    int dx = dq_act(g, in_at(n, 0));
    if (dx < 0 || !output_side(g, n->outputs[0], 0, f)) return 0;
    push_dq(g, f, dx);
    push_q(g, f);
    int global = tern_node_is(n, "GlobalAveragePool");
    f->type = global ? "QLinearGlobalAveragePool" : "QLinearAveragePool";
    f->domain = "com.microsoft";
    f->keep_attrs = !global;
    return 1;
}

/* The activation node n computes, as a table function; 0 if none. */
static int act_of(const tern_graph *g, const tern_node *n, tern_act *a) {
    float lo, hi;
    if (tern_node_is(n, "Relu")) *a = (tern_act){TERN_ACT_RELU, 0, 0};
    else if (tern_node_is(n, "Sigmoid")) *a = (tern_act){TERN_ACT_SIGMOID, 0, 0};
    else if (tern_node_is(n, "Tanh")) *a = (tern_act){TERN_ACT_TANH, 0, 0};
    else if (tern_node_is(n, "HardSigmoid"))
        *a = (tern_act){TERN_ACT_HARDSIGMOID, tern_attr_float(n, "alpha", 0.2f),
                        tern_attr_float(n, "beta", 0.5f)};
    else if (tern_node_is(n, "HardSwish")) *a = (tern_act){TERN_ACT_HARDSWISH, 1.0f / 6, 0.5f};
    else if (tern_node_is(n, "LeakyRelu"))
        *a = (tern_act){TERN_ACT_LEAKYRELU, tern_attr_float(n, "alpha", 0.01f), 0};
    else if (tern_node_is(n, "Clip") && tern_clip_bounds(g, n, &lo, &hi))
        *a = (tern_act){TERN_ACT_CLIP, lo, hi};
    else return 0;
    return 1;
}

/* Tensors a and b are the same DQ output, or DQs of the same int8 tensor
 * with the same parameters. */
static int same_dq(const tern_graph *g, int a, int b) {
    if (a == b) return 1;
    int da = dq_act(g, a), db = dq_act(g, b);
    return da >= 0 && db >= 0 && g->nodes[da].inputs[0] == g->nodes[db].inputs[0] &&
           same_params(g, &g->nodes[da], &g->nodes[db]);
}

/* x * HardSigmoid(x) or x * Sigmoid(x) with both x the same DQ output. */
static int self_gated(const tern_graph *g, const tern_node *n, int *dx, int *gate, tern_act *a) {
    if (!tern_node_is(n, "Mul") || n->n_inputs != 2) return 0;
    for (int k = 0; k < 2; k++) {
        int x = n->inputs[k], p = tern_producer(g, n->inputs[1 - k]);
        if (p < 0 || !same_dq(g, g->nodes[p].inputs[0], x)) continue;
        const tern_node *gn = &g->nodes[p];
        if (tern_node_is(gn, "HardSigmoid"))
            *a = (tern_act){TERN_ACT_HARDSWISH, tern_attr_float(gn, "alpha", 0.2f),
                            tern_attr_float(gn, "beta", 0.5f)};
        else if (tern_node_is(gn, "Sigmoid")) *a = (tern_act){TERN_ACT_SILU, 0, 0};
        else continue;
        *dx = dq_act(g, x);
        *gate = p;
        return *dx >= 0;
    }
    return 0;
}

static int fuse_lut(tern_graph *g, int i, fuse *f) {
    const tern_node *n = &g->nodes[i];
    tern_act a;
    int dx, gate = -1;
    if (self_gated(g, n, &dx, &gate, &a)) {
    } else if (act_of(g, n, &a)) {
        dx = dq_act(g, in_at(n, 0));
    } else return 0;
    if (dx < 0 || !output_side(g, n->outputs[0], 0, f)) return 0;
    push_dq(g, f, dx);
    push_q(g, f);
    f->type = "QLinearActivation";
    f->domain = "tern.internal";
    f->fused_act = a;
    f->extra = gate;
    return 1;
}

static int fuse_concat(tern_graph *g, int i, fuse *f) {
    const tern_node *n = &g->nodes[i];
    if (!tern_node_is(n, "Concat")) return 0;
    if (3 * n->n_inputs + 2 > TERN_MAX_NODE_IO || !output_side(g, n->outputs[0], 0, f)) return 0;
    push_q(g, f);
    for (int k = 0; k < n->n_inputs; k++) {
        int d = dq_act(g, n->inputs[k]);
        if (d < 0) return 0;
        push_dq(g, f, d);
    }
    f->type = "QLinearConcat";
    f->domain = "com.microsoft";
    f->keep_attrs = 1;
    return 1;
}

/* DQ -> byte op -> Q with equal parameters: the op on the int8 data. Pad
 * must pad with the constant 0, which is the zero point in int8. */
static int fuse_bytes(tern_graph *g, int i, fuse *f, tern_err *err) {
    static const char *const OPS[] = {"MaxPool", "Reshape", "Flatten", "Squeeze", "Unsqueeze",
                                      "Transpose", "Pad", NULL};
    const tern_node *n = &g->nodes[i];
    int ok = 0;
    for (int k = 0; OPS[k]; k++) ok |= tern_node_is(n, OPS[k]);
    if (!ok || n->n_outputs != 1) return 0;
    int dx = dq_act(g, in_at(n, 0));
    if (dx < 0 || !output_side(g, n->outputs[0], 0, f) ||
        !same_params(g, &g->nodes[dx], &g->nodes[f->q]))
        return 0;
    int is_pad = tern_node_is(n, "Pad");
    if (is_pad) {
        int64_t b[TERN_MAX_RANK], e[TERN_MAX_RANK];
        if (!tern_pad_is_zero(g, n, b, e) || g->opset < 11) return 0;
    }
    for (int k = 0; k < n->n_inputs; k++) f->ins[f->n_ins++] = n->inputs[k];
    f->ins[0] = g->nodes[dx].inputs[0];
    if (is_pad) {
        int8_t z = in_at(&g->nodes[dx], 2) >= 0
                       ? ((const int8_t *)g->tensors[g->nodes[dx].inputs[2]].data)[0]
                       : 0;
        int c = tern_add_const(g, "tern.pad_zero_point", TERN_INT8, 0, NULL, &z);
        if (c < 0) return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory");
        while (f->n_ins < 3) f->ins[f->n_ins++] = -1;
        f->ins[2] = c;
    }
    f->type = n->op_type;
    f->domain = "";
    f->keep_attrs = 1;
    return 1;
}

/* Q(DQ(x)): equal parameters -> x itself; else a rescale (QLinearConcat of
 * one input). Node i is the Q. */
static int fuse_requant(tern_graph *g, int i, tern_err *err) {
    const tern_node *q = &g->nodes[i];
    if (!tern_node_is(q, "QuantizeLinear") || g->tensors[q->outputs[0]].dtype != TERN_INT8 ||
        numel_of(g, q->inputs[1]) != 1)
        return 0;
    int d = dq_act(g, q->inputs[0]);
    if (d < 0) return 0;
    int x = g->nodes[d].inputs[0], y = q->outputs[0];
    if (same_params(g, &g->nodes[d], q)) {
        if (!tern_redirect_tensor(g, y, x)) return 0;
        g->nodes[i].dead = 1;
        return 1;
    }
    fuse f = {.type = "QLinearConcat", .domain = "com.microsoft", .q = i, .act = -1, .extra = -1};
    f.ins[f.n_ins++] = q->inputs[1];
    f.ins[f.n_ins++] = in_at(q, 2);
    push_dq(g, &f, d);
    /* the Q node itself becomes the rescale: it writes y already */
    tern_node *n = &g->nodes[i];
    tern_node saved = *n;
    if (!tern_set_inputs(g, i, f.ins, f.n_ins))
        return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    n = &g->nodes[i];
    n->op_type = f.type;
    n->domain = f.domain;
    n->op = tern_op_find(f.type, f.domain);
    n->attrs = NULL;
    n->n_attrs = 0;
    tern_err local = {0};
    if (tern_reinfer(g, i, &local) == TERN_OK) return 1;
    if (!tern_set_inputs(g, i, saved.inputs, saved.n_inputs))
        return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    n = &g->nodes[i];
    n->op_type = saved.op_type;
    n->domain = saved.domain;
    n->op = saved.op;
    n->attrs = saved.attrs;
    n->n_attrs = saved.n_attrs;
    tern_status st = tern_reinfer(g, i, err);
    return st == TERN_OK ? 0 : -(int)st;
}

/* op -> Reshape|Flatten|Squeeze|Unsqueeze|Transpose -> Q becomes
 * op -> Q -> the byte op on int8 (as ORT's QDQ propagation moves Q up),
 * so that the op meets its Q: `mobilenet_v2_keras_int8pc_qdq` writes
 * GlobalAveragePool -> Reshape -> Q. The two nodes trade places (Q's input
 * exists where the byte op was). Returns the number moved. */
static int move_q_up(tern_graph *g, tern_err *err) {
    static const char *const OPS[] = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose",
                                      NULL};
    int moved = 0;
    for (int j = 0; j < g->n_nodes; j++) {
        const tern_node *q = &g->nodes[j];
        if (!tern_node_is(q, "QuantizeLinear") || g->tensors[q->outputs[0]].dtype != TERN_INT8 ||
            numel_of(g, q->inputs[1]) != 1)
            continue;
        int i = tern_producer(g, q->inputs[0]), ok = 0;
        if (i < 0 || i >= j) continue;
        for (int k = 0; OPS[k]; k++) ok |= tern_node_is(&g->nodes[i], OPS[k]);
        const tern_node *b = &g->nodes[i];
        int slot;
        if (!ok || b->n_outputs != 1 || tern_single_consumer(g, b->outputs[0], &slot) != j ||
            dq_node(g, b->inputs[0], 0) >= 0 || g->tensors[b->inputs[0]].dtype != TERN_FLOAT)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%s.q", g->tensors[b->inputs[0]].name);
        int t = tern_graph_add_tensor(g, name);
        if (t < 0) return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory");
        q = &g->nodes[j];
        b = &g->nodes[i];
        int qin[3] = {b->inputs[0], q->inputs[1], in_at(q, 2)}, y = q->outputs[0];
        int bin[TERN_MAX_NODE_IO];
        if (b->n_inputs > TERN_MAX_NODE_IO) continue;
        memcpy(bin, b->inputs, sizeof(int) * (size_t)b->n_inputs);
        bin[0] = t;
        if (!tern_set_inputs(g, j, qin, q->n_inputs) || !tern_set_outputs(g, j, &t, 1) ||
            !tern_set_inputs(g, i, bin, g->nodes[i].n_inputs) || !tern_set_outputs(g, i, &y, 1))
            return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory");
        tern_node tmp = g->nodes[i];
        g->nodes[i] = g->nodes[j];
        g->nodes[j] = tmp;
        tern_graph_index_drop(g);
        tern_status st = tern_reinfer(g, i, err);
        if (st == TERN_OK) st = tern_reinfer(g, j, err);
        if (st != TERN_OK) return -(int)st;
        moved++;
    }
    return moved;
}

/* Remove DQ nodes nothing reads any more (their weights stay int8). */
static void drop_unused_dq(tern_graph *g) {
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        tern_node *n = &g->nodes[i];
        if (tern_node_is(n, "DequantizeLinear") && n->outputs[0] >= 0 &&
            tern_graph_use_count(g, n->outputs[0]) == 0)
            n->dead = 1;
    }
}

/* Float ops still reading a DQ output: they run in float. */
static void report_float(const tern_graph *g, tern_pass_report *r) {
    int nf = 0;
    char seen[160] = "";
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        if (n->dead || tern_node_is(n, "DequantizeLinear") || tern_node_is(n, "QuantizeLinear"))
            continue;
        int reads = 0;
        for (int k = 0; k < n->n_inputs; k++) reads |= dq_node(g, n->inputs[k], 1) >= 0;
        if (!reads) continue;
        nf++;
        if (!strstr(seen, n->op_type) && strlen(seen) + strlen(n->op_type) + 2 < sizeof seen) {
            strcat(seen, seen[0] ? " " : "");
            strcat(seen, n->op_type);
        }
    }
    if (nf) tern_report_note(r, "; %d ops stay float between DQ and Q (%s)", nf, seen);
}

tern_status tern_pass_qdq(tern_graph *g, tern_pass_report *r, tern_err *err) {
    tern_report_begin(r, "qdq", g);
    int fused = 0, moved = 0, requant = 0;
    int up = move_q_up(g, err);
    if (up < 0) return (tern_status)-up;
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].dead) continue;
        fuse f;
        memset(&f, 0, sizeof f);
        int rc = fuse_conv_gemm(g, i, &f) || fuse_matmul(g, i, &f) || fuse_binary(g, i, &f) ||
                 fuse_pool(g, i, &f) || fuse_lut(g, i, &f) || fuse_concat(g, i, &f);
        if (rc) {
            rc = apply(g, i, &f, err);
            if (rc < 0) return (tern_status)-rc;
            fused += rc;
            continue;
        }
        memset(&f, 0, sizeof f);
        rc = fuse_bytes(g, i, &f, err);
        if (rc < 0) return (tern_status)-rc;
        if (rc) {
            rc = apply(g, i, &f, err);
            if (rc < 0) return (tern_status)-rc;
            moved += rc;
        }
    }
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].dead) continue;
        int rc = fuse_requant(g, i, err);
        if (rc < 0) return (tern_status)-rc;
        requant += rc;
    }
    drop_unused_dq(g);
    r->changes = fused + moved + requant;
    tern_report_note(r, "%d integer ops, %d byte ops on int8 (%d moved after their Q), %d DQ->Q "
                        "pairs removed", fused, moved + up, up, requant);
    report_float(g, r);
    tern_report_end(r, g);
    return TERN_OK;
}
