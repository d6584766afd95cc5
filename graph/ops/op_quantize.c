/* QuantizeLinear, DequantizeLinear (per tensor and per axis, int8 and
 * uint8; int32 for DequantizeLinear of biases) and DynamicQuantizeLinear,
 * docs/quantization.md section 8. The math is kernels/ref/qs8_quantize.c.
 *
 * DequantizeLinear is never constant-folded: a DequantizeLinear of int8
 * weights is what the qdq pass turns into an integer Conv/Gemm, and folding
 * it first would leave only the float weights. One the pass does not fuse
 * runs like any op (a float op between DQ and Q "runs in float"). */
#include <math.h>
#include <string.h>

#include "graph/ops/op_quant_util.h"
#include "graph/ops/qbinary_fast.h"
#include "kernels/ref/qs8_quantize.h"

typedef struct quant_params {
    tern_qparams q;
    int axis; /* -1: per tensor */
} quant_params;

/* The axis of per-axis parameters (count > 1), checked against x. */
static tern_status q_axis(const tern_graph *g, const tern_node *n, const tern_tensor *x,
                          int64_t *count_max, int *axis, tern_err *err) {
    int64_t a = tern_attr_int(n, "axis", 1);
    *axis = -1;
    *count_max = 1;
    const tern_tensor *s = tern_in(g, n, 1);
    if (s && s->rank == 1 && s->dims[0] > 1) {
        tern_status st = tern_norm_axis(a, x->rank, axis, err);
        if (st) return st;
        *count_max = x->dims[*axis];
    }
    if (tern_attr_int(n, "block_size", 0) != 0)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "blocked quantization (block_size) is not supported");
    return TERN_OK;
}

static tern_status read_params(tern_graph *g, tern_node *n, const tern_tensor *x, tern_dtype elem,
                               quant_params *p, tern_err *err) {
    int64_t cmax;
    tern_status st = q_axis(g, n, x, &cmax, &p->axis, err);
    if (st == TERN_OK) st = tern_q_read(g, n, 1, 2, elem, cmax, &p->q, err);
    if (st == TERN_OK && p->q.count == 1) p->axis = -1;
    p->q.axis = p->axis;
    return st;
}

/* QuantizeLinear's output type: its zero point's, else output_dtype
 * (opset 21), else uint8 (the ONNX default). */
static tern_dtype q_out_type(const tern_graph *g, const tern_node *n) {
    int64_t od = tern_attr_int(n, "output_dtype", 0);
    return tern_q_zp_type(g, n, 2, od ? (tern_dtype)od : TERN_UINT8);
}

static tern_status quantize_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 3, 1, 1, err);
    if (st) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->dtype != TERN_FLOAT)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "QuantizeLinear of %s data (float32 only)",
                         tern_dtype_name(x->dtype));
    tern_dtype elem = q_out_type(g, n);
    if (!tern_q_is8(elem))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "QuantizeLinear to %s (int8, uint8 only)",
                         tern_dtype_name(elem));
    quant_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    if ((st = read_params(g, n, x, elem, p, err))) return st;
    tern_set_out(g, n, 0, elem, x->rank, x->dims);
    if (!tern_q_set_out(g, n, 0, &p->q)) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    n->params = p;
    return TERN_OK;
}

static tern_status quantize_run(const tern_graph *g, const tern_node *n, const void *const *in,
                                void *const *out, tern_err *err) {
    (void)err;
    const quant_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *y = tern_out(g, n, 0);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(y, ys);
    if (p->axis < 0 && y->dtype == TERN_INT8 && g->kern.qs8_quantize &&
        tern_q_same_dense(x->rank, x->dims, xs, ys)) { /* the session's SIMD kernel, same bytes */
        g->kern.qs8_quantize->fn((size_t)tern_tensor_numel(x), in[0], out[0], p->q.scale[0],
                                 p->q.zero_point[0]);
        return TERN_OK;
    }
    tern_ref_quantize_f32(x->rank, x->dims, in[0], xs, p->axis, p->q.scale, p->q.zero_point,
                          y->dtype, out[0], ys);
    return TERN_OK;
}

static tern_status dequantize_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 3, 1, 1, err);
    if (st) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (!tern_q_is8(x->dtype) && x->dtype != TERN_INT32)
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "DequantizeLinear of %s data (int8, uint8, int32 only)",
                         tern_dtype_name(x->dtype));
    quant_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    if ((st = read_params(g, n, x, x->dtype, p, err))) return st;
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, x->dims);
    n->params = p;
    return TERN_OK;
}

static tern_status dequantize_run(const tern_graph *g, const tern_node *n, const void *const *in,
                                  void *const *out, tern_err *err) {
    (void)err;
    const quant_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *y = tern_out(g, n, 0);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(y, ys);
    tern_ref_dequantize_f32(x->rank, x->dims, x->dtype, in[0], xs, p->axis, p->q.scale,
                            p->q.zero_point, out[0], ys);
    return TERN_OK;
}

/* DynamicQuantizeLinear: uint8 by the spec. Once the quant-import pass has
 * given the node the internal attribute tern_int8 (its outputs feed integer
 * ops only), y and y_zero_point are the same values as int8 (u8 ^ 0x80,
 * zero point - 128; docs section 1). */
static tern_status dynq_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 3, 3, err);
    if (st) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->dtype != TERN_FLOAT)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "DynamicQuantizeLinear of %s data",
                         tern_dtype_name(x->dtype));
    tern_dtype t = tern_attr_int(n, "tern_int8", 0) ? TERN_INT8 : TERN_UINT8;
    tern_set_out(g, n, 0, t, x->rank, x->dims);
    tern_set_out(g, n, 1, TERN_FLOAT, 0, NULL);
    tern_set_out(g, n, 2, t, 0, NULL);
    return TERN_OK;
}

/* ONNX's (and ORT's) parameters: the range widened to include 0, scale
 * (max - min) / 255 (1 when the range is empty), zero point
 * round(0 - min / scale) clamped to [0, 255] with ties away from zero
 * (std::round), then QuantizeLinear's division and rne. */
static tern_status dynq_run(const tern_graph *g, const tern_node *n, const void *const *in,
                            void *const *out, tern_err *err) {
    (void)err;
    const tern_tensor *x = tern_in(g, n, 0), *y = tern_out(g, n, 0);
    int64_t ne = tern_tensor_numel(x);
    const float *xv = in[0];
    float lo = 0.0f, hi = 0.0f;
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(y, ys);
    /* min and max are exact, so any visiting order gives the same result;
     * the layouts of x and y agree (ANY_LAYOUT), so walk the bytes */
    for (int64_t i = 0; i < ne; i++) {
        lo = xv[i] < lo ? xv[i] : lo;
        hi = xv[i] > hi ? xv[i] : hi;
    }
    float scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
    float z0 = 0.0f - lo / scale;
    z0 = z0 < 0.0f ? 0.0f : z0 > 255.0f ? 255.0f : z0;
    int s8 = y->dtype == TERN_INT8;
    int32_t zp = (int32_t)roundf(z0) - (s8 ? 128 : 0);
    tern_ref_quantize_f32(x->rank, x->dims, xv, xs, -1, &scale, &zp, y->dtype, out[0], ys);
    if (out[1]) memcpy(out[1], &scale, 4);
    if (out[2]) {
        if (s8) *(int8_t *)out[2] = (int8_t)zp;
        else *(uint8_t *)out[2] = (uint8_t)zp;
    }
    return TERN_OK;
}

const tern_op tern_op_QuantizeLinear = {"QuantizeLinear", "", TERN_OP_ANY_LAYOUT, quantize_infer,
                                        quantize_run};
const tern_op tern_op_DequantizeLinear = {"DequantizeLinear", "",
                                          TERN_OP_ANY_LAYOUT | TERN_OP_NO_FOLD, dequantize_infer,
                                          dequantize_run};
const tern_op tern_op_DynamicQuantizeLinear = {"DynamicQuantizeLinear", "",
                                               TERN_OP_ANY_LAYOUT | TERN_OP_NO_FOLD, dynq_infer,
                                               dynq_run};
