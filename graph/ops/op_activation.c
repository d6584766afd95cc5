/* Unary activations (Relu, Clip, HardSigmoid, HardSwish, Sigmoid, Tanh,
 * LeakyRelu), PRelu, Softmax and LogSoftmax. Each unary activation is a
 * tern_act (graph/ir.h) evaluated by kernels/ref/act.h, the same code that
 * evaluates activations fused into Conv/Gemm. Relu and Clip also take
 * integer tensors (kernels/ref/clip_int.c). Any layout works: every kernel
 * here indexes through tern_tensor_strides. */
#include <math.h>
#include <string.h>

#include "graph/ops/op_nn_util.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/act_f32.h"
#include "kernels/ref/clip_int.h"
#include "kernels/ref/softmax_f32.h"

typedef struct act_params {
    tern_act act;
    int clip_min_input, clip_max_input; /* Clip >= 11 with non-constant min/max */
    int64_t ilo, ihi;                   /* bounds of an integer Clip/Relu */
} act_params;

/* An integer scalar of type dt (one tern_clip_int_supports) at p. */
static int64_t int_scalar(tern_dtype dt, const void *p) {
    switch (dt) {
    case TERN_INT8: { int8_t v; memcpy(&v, p, 1); return v; }
    case TERN_UINT8: { uint8_t v; memcpy(&v, p, 1); return v; }
    case TERN_INT32: { int32_t v; memcpy(&v, p, 4); return v; }
    default: { int64_t v; memcpy(&v, p, 8); return v; }
    }
}

/* Integer Relu (0..max) or Clip (min/max inputs of X's type, optional;
 * a constant one is read now, any other at run time). */
static tern_status int_bounds(const tern_graph *g, const tern_node *n, int clip, act_params *p,
                              tern_err *err) {
    tern_dtype dt = tern_in(g, n, 0)->dtype;
    tern_int_range(dt, &p->ilo, &p->ihi);
    if (!clip) {
        p->ilo = 0;
        return TERN_OK;
    }
    if (tern_graph_opset(g) < 11)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "integer Clip needs opset >= 11");
    for (int i = 1; i <= 2; i++) {
        const tern_tensor *t = tern_in(g, n, i);
        if (!t) continue;
        if (t->dtype != dt || tern_tensor_numel(t) != 1)
            return tern_errf(err, TERN_ERR_SHAPE, "%s ('%s') must be a %s scalar like X",
                             i == 1 ? "min" : "max", t->name, tern_dtype_name(dt));
        if (!t->data) *(i == 1 ? &p->clip_min_input : &p->clip_max_input) = 1;
        else *(i == 1 ? &p->ilo : &p->ihi) = int_scalar(dt, t->data);
    }
    return TERN_OK;
}

/* Clip bounds: attributes before opset 11, optional scalar inputs after. A
 * constant input is read now; any other is read at run time. */
static tern_status clip_bounds(const tern_graph *g, const tern_node *n, act_params *p,
                               tern_err *err) {
    p->act.a = -INFINITY;
    p->act.b = INFINITY;
    if (tern_graph_opset(g) < 11) {
        p->act.a = tern_attr_float(n, "min", -INFINITY);
        p->act.b = tern_attr_float(n, "max", INFINITY);
        return TERN_OK;
    }
    for (int i = 1; i <= 2; i++) {
        const tern_tensor *t = tern_in(g, n, i);
        if (!t) continue;
        if (t->dtype != TERN_FLOAT || tern_tensor_numel(t) != 1)
            return tern_errf(err, TERN_ERR_SHAPE, "%s ('%s') must be a float32 scalar",
                             i == 1 ? "min" : "max", t->name);
        if (!t->data) {
            *(i == 1 ? &p->clip_min_input : &p->clip_max_input) = 1;
            continue;
        }
        tern_status st = tern_const_float(g, n, i, i == 1 ? &p->act.a : &p->act.b, err);
        if (st) return st;
    }
    return TERN_OK;
}

/* The tern_act a standalone activation node computes. */
static tern_status act_of_node(const tern_graph *g, const tern_node *n, act_params *p,
                               tern_err *err) {
    const char *t = n->op_type;
    tern_act *a = &p->act;
    if (strcmp(t, "Relu") == 0) {
        a->kind = TERN_ACT_RELU;
    } else if (strcmp(t, "Clip") == 0) {
        a->kind = TERN_ACT_CLIP;
        return clip_bounds(g, n, p, err);
    } else if (strcmp(t, "HardSigmoid") == 0) {
        a->kind = TERN_ACT_HARDSIGMOID;
        a->a = tern_attr_float(n, "alpha", 0.2f);
        a->b = tern_attr_float(n, "beta", 0.5f);
    } else if (strcmp(t, "HardSwish") == 0) {
        a->kind = TERN_ACT_HARDSWISH;
        a->a = 1.0f / 6.0f;
        a->b = 0.5f;
    } else if (strcmp(t, "Sigmoid") == 0) {
        a->kind = TERN_ACT_SIGMOID;
    } else if (strcmp(t, "Tanh") == 0) {
        a->kind = TERN_ACT_TANH;
    } else if (strcmp(t, "LeakyRelu") == 0) {
        a->kind = TERN_ACT_LEAKYRELU;
        a->a = tern_attr_float(n, "alpha", 0.01f);
    } else {
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "no activation called %s", t);
    }
    return TERN_OK;
}

static tern_status act_infer(tern_graph *g, tern_node *n, tern_err *err) {
    int clip = strcmp(n->op_type, "Clip") == 0, relu = strcmp(n->op_type, "Relu") == 0;
    int clip_inputs = clip && tern_graph_opset(g) >= 11; /* min/max inputs since Clip-11 */
    tern_status st = tern_check_arity(g, n, 1, clip_inputs ? 3 : 1, 1, 1, err);
    if (st) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    int is_int = (clip || relu) && tern_clip_int_supports(x->dtype);
    if (!is_int && (st = tern_require_f32(g, n, 0, "input X", err))) return st;
    if ((st = tern_need_static(g, n, 0, err))) return st;
    act_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    if ((st = is_int ? int_bounds(g, n, clip, p, err) : act_of_node(g, n, p, err))) return st;
    tern_set_out(g, n, 0, x->dtype, x->rank, x->dims);
    n->params = p;
    return TERN_OK;
}

static tern_status act_run(const tern_graph *g, const tern_node *n, const void *const *in,
                           void *const *out, tern_err *err) {
    (void)err;
    const act_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(tern_out(g, n, 0), ys);
    if (x->dtype != TERN_FLOAT) {
        int64_t lo = p->clip_min_input ? int_scalar(x->dtype, in[1]) : p->ilo;
        int64_t hi = p->clip_max_input ? int_scalar(x->dtype, in[2]) : p->ihi;
        tern_clip_int(x->dtype, x->rank, x->dims, in[0], xs, out[0], ys, lo, hi);
        return TERN_OK;
    }
    tern_act act = p->act;
    if (p->clip_min_input) memcpy(&act.a, in[1], sizeof(float));
    if (p->clip_max_input) memcpy(&act.b, in[2], sizeof(float));
    tern_act_f32(&act, x->rank, x->dims, in[0], xs, out[0], ys);
    return TERN_OK;
}

/* PRelu: slope broadcasts one way to X's shape. Before opset 7 a 1-D slope
 * of size C held one value per channel (axis 1) instead. */
typedef struct prelu_params {
    int per_channel;
} prelu_params;

static tern_status prelu_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 2, 1, 1, err);
    if (st || (st = tern_require_f32(g, n, 0, "input X", err)) ||
        (st = tern_require_f32(g, n, 1, "slope", err)) || (st = tern_need_static(g, n, 0, err)))
        return st;
    const tern_tensor *x = tern_in(g, n, 0), *s = tern_in(g, n, 1);
    prelu_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    n->params = p;
    p->per_channel = tern_graph_opset(g) < 7 && x->rank >= 2 && s->rank == 1 &&
                     s->dims[0] == x->dims[1] && s->dims[0] != 1;
    if (p->per_channel) {
        tern_set_out(g, n, 0, TERN_FLOAT, x->rank, x->dims);
        return TERN_OK;
    }
    if (s->rank > x->rank)
        return tern_errf(err, TERN_ERR_SHAPE, "slope has rank %d, more than X (%d)", s->rank,
                         x->rank);
    for (int i = 0; i < s->rank; i++) {
        int64_t sd = s->dims[i], xd = x->dims[x->rank - s->rank + i];
        if (sd != 1 && sd != xd)
            return tern_errf(err, TERN_ERR_SHAPE, "slope dim %d is %lld; it must be 1 or %lld", i,
                             (long long)sd, (long long)xd);
    }
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, x->dims);
    return TERN_OK;
}

static tern_status prelu_run(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    (void)err;
    const tern_tensor *x = tern_in(g, n, 0), *s = tern_in(g, n, 1);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK], st[TERN_MAX_RANK], ss[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(tern_out(g, n, 0), ys);
    tern_tensor_strides(s, st);
    const prelu_params *p = n->params;
    for (int i = 0; i < x->rank; i++) {
        int j = i - (x->rank - s->rank);
        ss[i] = j >= 0 && s->dims[j] != 1 ? st[j] : 0;
        if (p->per_channel) ss[i] = i == 1 ? st[0] : 0;
    }
    tern_prelu_f32(x->rank, x->dims, in[0], xs, in[1], ss, out[0], ys);
    return TERN_OK;
}

/* Softmax / LogSoftmax: the normalized axes are [first, last). */
typedef struct softmax_params {
    int first, last, log;
} softmax_params;

static tern_status softmax_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st || (st = tern_require_f32(g, n, 0, "input X", err)) ||
        (st = tern_need_static(g, n, 0, err)))
        return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->rank < 1) return tern_errf(err, TERN_ERR_SHAPE, "input X must have rank >= 1");
    softmax_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    int old = tern_graph_opset(g) < 13; /* before 13: X coerced to 2-D at axis */
    int axis;
    if ((st = tern_norm_axis(tern_attr_int(n, "axis", old ? 1 : -1), x->rank, &axis, err)))
        return st;
    p->first = axis;
    p->last = old ? x->rank : axis + 1;
    p->log = strcmp(n->op_type, "LogSoftmax") == 0;
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, x->dims);
    n->params = p;
    return TERN_OK;
}

static tern_status softmax_run(const tern_graph *g, const tern_node *n, const void *const *in,
                               void *const *out, tern_err *err) {
    (void)err;
    const softmax_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(tern_out(g, n, 0), ys);
    tern_softmax_f32(x->rank, x->dims, p->first, p->last, in[0], xs, out[0], ys, p->log);
    return TERN_OK;
}

#define ACT_OP(name) \
    const tern_op tern_op_##name = {#name, "", TERN_OP_ANY_LAYOUT, act_infer, act_run};
ACT_OP(Relu)
ACT_OP(Clip)
ACT_OP(HardSigmoid)
ACT_OP(HardSwish)
ACT_OP(Sigmoid)
ACT_OP(Tanh)
ACT_OP(LeakyRelu)
#undef ACT_OP

const tern_op tern_op_PRelu = {"PRelu", "", TERN_OP_ANY_LAYOUT, prelu_infer, prelu_run};
const tern_op tern_op_Softmax = {"Softmax", "", TERN_OP_ANY_LAYOUT, softmax_infer, softmax_run};
const tern_op tern_op_LogSoftmax = {"LogSoftmax", "", TERN_OP_ANY_LAYOUT, softmax_infer,
                                    softmax_run};
