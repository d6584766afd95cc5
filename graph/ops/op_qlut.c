/* Elementwise functions of an int8 tensor as 256-entry tables
 * (docs/quantization.md section 5), built once when the session is
 * created: com.microsoft QLinearSigmoid and QLinearLeakyRelu, and
 * tern.internal QLinearActivation, which the qdq pass makes from
 * DequantizeLinear -> f -> QuantizeLinear for any activation tern_act can
 * name (n->act: HardSigmoid, HardSwish, x * HardSigmoid(x) with the
 * file's alpha and beta, Sigmoid, SiLU, Tanh, LeakyRelu, Relu, Clip).
 * Inputs (x, x_scale, x_zero_point, y_scale, y_zero_point); any layout. */
#include <string.h>

#include "graph/ops/op_quant_util.h"
#include "graph/ops/op_tensor_util.h"
#include "graph/ops/qunary_fast.h"
#include "kernels/ref/act.h"
#include "kernels/ref/detmath.h"
#include "kernels/ref/qs8_lut.h"

/* f(x) in double, deterministic (no libm: detmath.c), for the table. */
static double clamp01(double v) { return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v; }

static double act_eval(double x, const void *ctx) {
    const tern_act *a = ctx;
    switch (a->kind) {
    case TERN_ACT_NONE: return x;
    case TERN_ACT_RELU: return x < 0.0 ? 0.0 : x;
    case TERN_ACT_CLIP: {
        double lo = a->a, hi = a->b;
        double v = x < lo ? lo : x;
        return v > hi ? hi : v;
    }
    case TERN_ACT_HARDSIGMOID: return clamp01((double)a->a * x + (double)a->b);
    case TERN_ACT_HARDSWISH: return x * clamp01((double)a->a * x + (double)a->b);
    case TERN_ACT_SIGMOID: return tern_det_sigmoid(x);
    case TERN_ACT_SILU: return x * tern_det_sigmoid(x);
    case TERN_ACT_LEAKYRELU: return x < 0.0 ? (double)a->a * x : x;
    case TERN_ACT_TANH: return tern_det_tanh(x);
    }
    return x;
}

/* Piecewise-linear activations in float32: tern's float kernels' own
 * function (kernels/ref/act.h), so the table equals DQ -> op -> Q in float. */
static float act_eval_f32(float x, const void *ctx) { return tern_act_apply(ctx, x); }

static int piecewise_linear(tern_act_kind k) {
    return k == TERN_ACT_NONE || k == TERN_ACT_RELU || k == TERN_ACT_CLIP ||
           k == TERN_ACT_HARDSIGMOID || k == TERN_ACT_HARDSWISH || k == TERN_ACT_LEAKYRELU;
}

static tern_status lut_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 4, 5, 1, 1, err);
    if (st) return st;
    if ((st = tern_q_need8(g, n, 0, "input X", err))) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if ((st = tern_need_static(g, n, 0, err))) return st;
    tern_dtype yt = tern_q_zp_type(g, n, 4, TERN_UINT8);
    tern_set_out(g, n, 0, yt, x->rank, x->dims);
    n->params = NULL;
    if (strcmp(n->op_type, "QLinearSigmoid") == 0) n->act = (tern_act){TERN_ACT_SIGMOID, 0, 0};
    if (strcmp(n->op_type, "QLinearLeakyRelu") == 0)
        n->act = (tern_act){TERN_ACT_LEAKYRELU, tern_attr_float(n, "alpha", 0.01f), 0};
    if (x->dtype != TERN_INT8 || yt != TERN_INT8) return TERN_OK; /* before import */
    tern_qparams qx, qy;
    if ((st = tern_q_read(g, n, 1, 2, TERN_INT8, 1, &qx, err)) ||
        (st = tern_q_read(g, n, 3, 4, TERN_INT8, 1, &qy, err)))
        return st;
    int8_t *table = tern_q_alloc(g, 256, err);
    if (!table) return TERN_ERR_NOMEM;
    if (piecewise_linear(n->act.kind))
        tern_qs8_lut_build_f32(table, qx.scale[0], qx.zero_point[0], qy.scale[0],
                               qy.zero_point[0], -128, 127, act_eval_f32, &n->act);
    else
        tern_qs8_lut_build(table, qx.scale[0], qx.zero_point[0], qy.scale[0], qy.zero_point[0],
                           -128, 127, act_eval, &n->act);
    if (!tern_q_set_out(g, n, 0, &qy)) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    n->params = table;
    return TERN_OK;
}

static tern_status lut_run(const tern_graph *g, const tern_node *n, const void *const *in,
                           void *const *out, tern_err *err) {
    if (!n->params)
        return tern_errf(err, TERN_ERR_RUNTIME, "uint8 data was not converted to int8 (quant-import)");
    const tern_tensor *x = tern_in(g, n, 0), *y = tern_out(g, n, 0);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(y, ys);
    if (!tern_qlut_fast(g, x->rank, x->dims, in[0], xs, n->params, out[0], ys))
        tern_ref_qs8_lut(x->rank, x->dims, in[0], xs, n->params, out[0], ys);
    return TERN_OK;
}

const tern_op tern_op_QLinearSigmoid = {"QLinearSigmoid", "com.microsoft", TERN_OP_ANY_LAYOUT,
                                        lut_infer, lut_run};
const tern_op tern_op_QLinearLeakyRelu = {"QLinearLeakyRelu", "com.microsoft",
                                          TERN_OP_ANY_LAYOUT, lut_infer, lut_run};
const tern_op tern_op_QLinearActivation = {"QLinearActivation", "tern.internal",
                                           TERN_OP_ANY_LAYOUT, lut_infer, lut_run};
