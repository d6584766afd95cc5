/* com.microsoft QLinearGlobalAveragePool and QLinearAveragePool (x,
 * x_scale, x_zero_point, y_scale, y_zero_point), channels-first
 * (channels_last = 0; tern runs them channels-last inside anyway). The
 * math is kernels/ref/qs8_gavgpool_fp32.c and qs8_avgpool_fp32.c
 * (docs/quantization.md section 6). */
#include <string.h>

#include "graph/ops/op_nn_util.h"
#include "graph/ops/op_quant_util.h"
#include "graph/ops/op_tensor_util.h"
#include "graph/ops/qunary_fast.h"
#include "kernels/ref/qs8_avgpool_fp32.h"
#include "kernels/ref/qs8_gavgpool_fp32.h"

typedef struct qpool_params {
    tern_conv_geom geom;
    int count_include_pad;
    tern_qs8_rescale gavg;
    tern_qs8_avgpool_params avg;
} qpool_params;

/* x: int8/uint8 of rank 3..5, channels first; the parameters (or NULL
 * before import). */
static tern_status common(tern_graph *g, tern_node *n, qpool_params **pp, tern_qparams *qx,
                          tern_qparams *qy, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 4, 5, 1, 1, err);
    if (st) return st;
    if ((st = tern_q_need8(g, n, 0, "input X", err))) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->rank < 3 || x->rank > 5)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "input X of rank %d (3..5 supported)", x->rank);
    if ((st = tern_need_static(g, n, 0, err))) return st;
    if (tern_attr_int(n, "channels_last", 0) != 0)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "channels_last = 1 is not supported");
    *pp = NULL;
    tern_dtype yt = tern_q_zp_type(g, n, 4, TERN_UINT8);
    if (x->dtype != TERN_INT8 || yt != TERN_INT8) return TERN_OK;
    if ((st = tern_q_read(g, n, 1, 2, TERN_INT8, 1, qx, err)) ||
        (st = tern_q_read(g, n, 3, 4, TERN_INT8, 1, qy, err)))
        return st;
    *pp = tern_pool_alloc(&g->pool, sizeof **pp);
    if (!*pp) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    memset(*pp, 0, sizeof **pp);
    return TERN_OK;
}

static tern_status gavg_infer(tern_graph *g, tern_node *n, tern_err *err) {
    qpool_params *p;
    tern_qparams qx, qy;
    tern_status st = common(g, n, &p, &qx, &qy, err);
    if (st) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t dims[TERN_MAX_RANK];
    dims[0] = x->dims[0];
    dims[1] = x->dims[1];
    for (int i = 2; i < x->rank; i++) dims[i] = 1;
    tern_set_out(g, n, 0, tern_q_zp_type(g, n, 4, TERN_UINT8), x->rank, dims);
    n->params = p;
    if (!p) return TERN_OK;
    int64_t s = tern_dims_prod(x->dims, 2, x->rank);
    if (s > ((int64_t)1 << 23))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "%lld spatial elements (at most 2^23)",
                         (long long)s);
    int32_t qmin, qmax;
    tern_q_act_range(&n->act, qy.scale[0], qy.zero_point[0], &qmin, &qmax);
    tern_qs8_gavgpool_init(&p->gavg, qx.scale[0], qx.zero_point[0], qy.scale[0], qy.zero_point[0],
                           s, qmin, qmax);
    if (!tern_q_set_out(g, n, 0, &qy)) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    return TERN_OK;
}

static tern_status gavg_run(const tern_graph *g, const tern_node *n, const void *const *in,
                            void *const *out, tern_err *err) {
    const qpool_params *p = n->params;
    if (!p)
        return tern_errf(err, TERN_ERR_RUNTIME, "uint8 data was not converted to int8 (quant-import)");
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(tern_out(g, n, 0), ys);
    if (!tern_qgavgpool_fast(g, x->rank, x->dims, in[0], xs, &p->gavg, out[0], ys))
        tern_ref_qs8_gavgpool_fp32(x->dims[0], x->dims[1], x->rank - 2, x->dims + 2, in[0], xs,
                                   &p->gavg, out[0], ys);
    return TERN_OK;
}

static tern_status avg_infer(tern_graph *g, tern_node *n, tern_err *err) {
    qpool_params *p;
    tern_qparams qx, qy;
    tern_status st = common(g, n, &p, &qx, &qy, err);
    if (st) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    qpool_params tmp;
    qpool_params *q = p ? p : &tmp;
    int nsp = x->rank - 2;
    int64_t kernel[TERN_CONV_SP];
    if ((st = tern_window_ints(n, "kernel_shape", nsp, 1, 0, kernel, err))) return st;
    if (!tern_node_attr(n, "kernel_shape"))
        return tern_errf(err, TERN_ERR_SHAPE, "kernel_shape is required");
    q->geom.n = x->dims[0];
    q->geom.c_in = q->geom.c_out = q->geom.group = x->dims[1];
    int ceil_mode = (int)tern_attr_int(n, "ceil_mode", 0);
    if ((st = tern_window_resolve(n, nsp, x->dims + 2, kernel, ceil_mode, 0, &q->geom, err)))
        return st;
    int64_t dims[2 + TERN_CONV_SP];
    tern_window_out_dims(&q->geom, x->rank, x->dims[1], dims);
    tern_set_out(g, n, 0, tern_q_zp_type(g, n, 4, TERN_UINT8), x->rank, dims);
    n->params = p;
    if (!p) return TERN_OK;
    int64_t win = q->geom.kernel[0] * q->geom.kernel[1] * q->geom.kernel[2];
    if (win > ((int64_t)1 << 23))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "window of %lld taps (at most 2^23)",
                         (long long)win);
    p->count_include_pad = (int)tern_attr_int(n, "count_include_pad", 0) != 0;
    int32_t qmin, qmax;
    tern_q_act_range(&n->act, qy.scale[0], qy.zero_point[0], &qmin, &qmax);
    p->avg = (tern_qs8_avgpool_params){.x_scale = qx.scale[0], .y_scale = qy.scale[0],
                                       .x_zero_point = qx.zero_point[0],
                                       .y_zero_point = qy.zero_point[0], .qmin = qmin, .qmax = qmax};
    if (!tern_q_set_out(g, n, 0, &qy)) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    return TERN_OK;
}

static tern_status avg_run(const tern_graph *g, const tern_node *n, const void *const *in,
                           void *const *out, tern_err *err) {
    const qpool_params *p = n->params;
    if (!p)
        return tern_errf(err, TERN_ERR_RUNTIME, "uint8 data was not converted to int8 (quant-import)");
    int64_t xs[5], ys[5];
    tern_strides_ncdhw(tern_in(g, n, 0), xs);
    tern_strides_ncdhw(tern_out(g, n, 0), ys);
    tern_ref_qs8_avgpool_fp32(&p->geom, p->count_include_pad, in[0], xs, &p->avg, out[0], ys);
    return TERN_OK;
}

const tern_op tern_op_QLinearGlobalAveragePool = {"QLinearGlobalAveragePool", "com.microsoft",
                                                  TERN_OP_LAYOUT_NATIVE, gavg_infer, gavg_run};
const tern_op tern_op_QLinearAveragePool = {"QLinearAveragePool", "com.microsoft",
                                            TERN_OP_LAYOUT_NATIVE, avg_infer, avg_run};
