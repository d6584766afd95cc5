/* Integer convolutions: QLinearConv (int8 in, int8 out, requantized) and
 * ConvInteger (int32 out), any group count, 1-D to 3-D, with depthwise
 * convolutions on their own kernel. The math is kernels/ref/qs8_conv_fp32.c
 * and qs8_dwconv_fp32.c (docs/quantization.md sections 2 and 3); this file
 * checks the node, reads its quantization parameters, and repacks the
 * weights once so the reduction over input channels is contiguous.
 *
 * uint8 data (before the quant-import pass converts it) gets its shape
 * and type only: the kernels take int8, and the pass re-infers the node. */
#include <string.h>

#include "graph/ops/op_nn_util.h"
#include "graph/ops/op_quant_util.h"
#include "graph/ops/op_tensor_util.h"
#include "graph/ops/qconv_fast.h"
#include "graph/threadpool.h"
#include "kernels/ref/qs8_conv_fp32.h"
#include "kernels/ref/qs8_dwconv_fp32.h"
#include "kernels/ref/qs8_gemm_fp32.h"

typedef struct qconv_params {
    tern_conv_geom geom;
    tern_qs8_dot_params dot;
    const int8_t *w; /* packed [c_out][kd][kh][kw][c_in/group], or as in the file (depthwise) */
    int64_t ws[5];
    int depthwise;
    int pointwise;  /* 1x1, stride 1, no padding, one group: a GEMM over pixels */
    int x_zp_input; /* ConvInteger: the x zero point comes from this input at run time, or -1 */
} qconv_params;

/* Shapes of X (input xi) and W (input wi) against each other and the group. */
static tern_status check_shapes(const tern_graph *g, const tern_node *n, int xi, int wi,
                                tern_conv_geom *geom, tern_err *err) {
    const tern_tensor *x = tern_in(g, n, xi), *w = tern_in(g, n, wi);
    tern_status st;
    if ((st = tern_q_need8(g, n, xi, "input X", err)) || (st = tern_q_need8(g, n, wi, "weight W", err)))
        return st;
    if (!w->data) return tern_errf(err, TERN_ERR_UNSUPPORTED, "weight W must be a constant");
    if (x->rank < 3 || x->rank > 2 + TERN_CONV_SP || w->rank != x->rank)
        return tern_errf(err, TERN_ERR_SHAPE, "X (rank %d) and W (rank %d): ranks 3..5, equal",
                         x->rank, w->rank);
    for (int i = 0; i < x->rank; i++)
        if (x->dims[i] < (i == 0 ? 0 : 1) || w->dims[i] < 1)
            return tern_errf(err, TERN_ERR_SHAPE, "X or W has an unknown or empty dim %d", i);
    if ((st = tern_need_static(g, n, xi, err)) || (st = tern_need_static(g, n, wi, err))) return st;
    int64_t group = tern_attr_int(n, "group", 1), cin = x->dims[1], m = w->dims[0];
    if (group < 1 || group > cin || cin % group != 0 || m % group != 0 ||
        w->dims[1] != cin / group)
        return tern_errf(err, TERN_ERR_SHAPE,
                         "group %lld does not fit X's %lld channels and W's [%lld, %lld, ...]",
                         (long long)group, (long long)cin, (long long)m, (long long)w->dims[1]);
    geom->n = x->dims[0];
    geom->c_in = cin;
    geom->c_out = m;
    geom->group = group;
    int nsp = x->rank - 2;
    int64_t kernel[TERN_CONV_SP];
    if ((st = tern_window_ints(n, "kernel_shape", nsp, 1, 0, kernel, err))) return st;
    for (int i = 0; i < nsp; i++) {
        if (tern_node_attr(n, "kernel_shape") && kernel[i] != w->dims[2 + i])
            return tern_errf(err, TERN_ERR_SHAPE, "kernel_shape[%d] = %lld but W has %lld", i,
                             (long long)kernel[i], (long long)w->dims[2 + i]);
        kernel[i] = w->dims[2 + i];
    }
    return tern_window_resolve(n, nsp, x->dims + 2, kernel, 0, 1, geom, err);
}

/* Weights in [c_out][kd][kh][kw][cig] order: each output's taps read
 * input channels contiguously (NHWC activations), the same values. */
static tern_status pack_weights(tern_graph *g, const tern_tensor *w, qconv_params *p,
                                tern_err *err) {
    const tern_conv_geom *ge = &p->geom;
    int64_t wsrc[5];
    tern_strides_ncdhw(w, wsrc);
    if (p->depthwise) {
        p->w = w->data;
        memcpy(p->ws, wsrc, sizeof wsrc);
        return TERN_OK;
    }
    int64_t cig = ge->c_in / ge->group, kd = ge->kernel[0], kh = ge->kernel[1], kw = ge->kernel[2];
    int8_t *dst = tern_q_alloc(g, (size_t)tern_tensor_numel(w), err);
    if (!dst) return TERN_ERR_NOMEM;
    const int8_t *src = w->data;
    p->ws[4] = cig;
    p->ws[3] = kw * cig;
    p->ws[2] = kh * kw * cig;
    p->ws[1] = 1;
    p->ws[0] = kd * kh * kw * cig;
    for (int64_t co = 0; co < ge->c_out; co++)
        for (int64_t a = 0; a < kd; a++)
            for (int64_t b = 0; b < kh; b++)
                for (int64_t c = 0; c < kw; c++)
                    for (int64_t ci = 0; ci < cig; ci++)
                        dst[co * p->ws[0] + a * p->ws[2] + b * p->ws[3] + c * p->ws[4] + ci] =
                            src[co * wsrc[0] + ci * wsrc[1] + a * wsrc[2] + b * wsrc[3] + c * wsrc[4]];
    p->w = dst;
    return TERN_OK;
}

/* Bias: an int32 constant [c_out] within the accumulator bound. */
static tern_status read_bias(tern_graph *g, const tern_node *n, int bi, int64_t k,
                             qconv_params *p, tern_err *err) {
    const tern_tensor *b = tern_in(g, n, bi);
    p->dot.bias = NULL;
    if (b) {
        if (!b->data || b->dtype != TERN_INT32 || b->rank != 1 || b->dims[0] != p->geom.c_out)
            return tern_errf(err, TERN_ERR_SHAPE, "bias B must be an int32 constant [%lld]",
                             (long long)p->geom.c_out);
        int32_t *copy = tern_pool_alloc_array(&g->pool, (size_t)b->dims[0], 4);
        if (!copy) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
        memcpy(copy, b->data, (size_t)b->dims[0] * 4); /* constant data may be unaligned */
        p->dot.bias = copy;
    }
    if (!tern_qs8_dot_fits(k, p->dot.bias, p->geom.c_out))
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "dot product of length %lld or a bias beyond 2^30 is outside the exact "
                         "int32 bound (docs/quantization.md section 2)",
                         (long long)k);
    return TERN_OK;
}

static void set_out(tern_graph *g, const tern_node *n, const tern_conv_geom *ge, tern_dtype dt) {
    int64_t dims[2 + TERN_CONV_SP];
    int rank = tern_in(g, n, 0)->rank;
    tern_window_out_dims(ge, rank, ge->c_out, dims);
    tern_set_out(g, n, 0, dt, rank, dims);
}

static tern_status finish_params(tern_graph *g, tern_node *n, int wi, int bi, int allow_dw,
                                 qconv_params *p, tern_err *err) {
    const tern_conv_geom *ge = &p->geom;
    int64_t k = ge->c_in / ge->group * ge->kernel[0] * ge->kernel[1] * ge->kernel[2];
    tern_status st = read_bias(g, n, bi, k, p, err);
    if (st) return st;
    p->depthwise = allow_dw && ge->group == ge->c_in && ge->c_out % ge->c_in == 0;
    p->pointwise = ge->group == 1;
    for (int a = 0; a < TERN_CONV_SP; a++)
        p->pointwise &= ge->kernel[a] == 1 && ge->stride[a] == 1 && ge->pad_begin[a] == 0 &&
                        ge->pad_end[a] == 0;
    return pack_weights(g, tern_in(g, n, wi), p, err);
}

static tern_status qlinearconv_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 8, 9, 1, 1, err);
    if (st) return st;
    qconv_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    memset(p, 0, sizeof *p);
    p->x_zp_input = -1;
    if ((st = check_shapes(g, n, 0, 3, &p->geom, err))) return st;
    tern_dtype xt = tern_in(g, n, 0)->dtype, wt = tern_in(g, n, 3)->dtype;
    tern_dtype yt = tern_q_zp_type(g, n, 7, TERN_UINT8);
    set_out(g, n, &p->geom, yt);
    n->params = NULL;
    if (xt != TERN_INT8 || wt != TERN_INT8 || yt != TERN_INT8) return TERN_OK; /* before import */
    tern_qparams qx, qw, qy;
    if ((st = tern_q_read(g, n, 1, 2, xt, 1, &qx, err)) ||
        (st = tern_q_read(g, n, 4, 5, wt, p->geom.c_out, &qw, err)) ||
        (st = tern_q_read(g, n, 6, 7, yt, 1, &qy, err)))
        return st;
    p->dot.x_zero_point = qx.zero_point[0];
    p->dot.w_zero_point = tern_q_w_zero_points(g, &qw, p->geom.c_out);
    p->dot.requant = tern_q_dot_requant(g, n, &qx, &qw, &qy, p->geom.c_out);
    if (!p->dot.w_zero_point || !p->dot.requant || !tern_q_set_out(g, n, 0, &qy))
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    if ((st = finish_params(g, n, 3, 8, 1, p, err))) return st;
    n->params = p;
    return TERN_OK;
}

static tern_status convinteger_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 4, 1, 1, err);
    if (st) return st;
    qconv_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    memset(p, 0, sizeof *p);
    if ((st = check_shapes(g, n, 0, 1, &p->geom, err))) return st;
    set_out(g, n, &p->geom, TERN_INT32);
    const tern_tensor *x = tern_in(g, n, 0), *w = tern_in(g, n, 1), *xz = tern_in(g, n, 2);
    n->params = NULL;
    if (x->dtype != TERN_INT8 || w->dtype != TERN_INT8) return TERN_OK; /* before import */
    if (xz && (xz->dtype != TERN_INT8 || tern_tensor_numel(xz) != 1))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "x_zero_point must be one value of X's type");
    p->x_zp_input = xz ? 2 : -1;
    /* a weight "scale" of 1 makes tern_q_read check the zero points */
    const tern_tensor *wz = tern_in(g, n, 3);
    int32_t *zw = tern_pool_alloc_array(&g->pool, (size_t)p->geom.c_out, sizeof *zw);
    if (!zw) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    int64_t wzn = wz ? tern_tensor_numel(wz) : 1;
    if (wz && (!wz->data || wz->dtype != TERN_INT8 || (wzn != 1 && wzn != p->geom.c_out)))
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "w_zero_point must be a constant of W's type, 1 or C_out values");
    for (int64_t c = 0; c < p->geom.c_out; c++)
        zw[c] = wz ? ((const int8_t *)wz->data)[wzn == 1 ? 0 : c] : 0;
    p->dot.w_zero_point = zw;
    /* the int32 output has the general kernel only */
    if ((st = finish_params(g, n, 1, -1, 0, p, err))) return st;
    n->params = p;
    return TERN_OK;
}

/* One task: batch item and output row, as the float Conv splits its work
 * (graph/ops/op_conv.c); each output is computed exactly as unsplit. */
typedef struct qconv_job {
    const qconv_params *p;
    tern_qs8_dot_params dot;
    const int8_t *x;
    void *y;
    int64_t xs[5], ys[5];
    int s32;
} qconv_job;

/* Can the pixels of x and y be walked as the rows of matrices (NHWC with
 * the pixels of one item evenly spaced)? Then a 1x1 convolution is
 * tern_ref_qs8_gemm_fp32 over [pixels, C_in] x [C_out, C_in]: the same sums. */
static int rows_ok(const int64_t s[5], const int64_t *sp) {
    return s[1] == 1 && s[3] == sp[2] * s[4] && (sp[0] == 1 || s[2] == sp[1] * s[3]);
}

static void qconv_call(const qconv_job *j, const tern_conv_geom *ge, const int8_t *x, int64_t yoff) {
    const qconv_params *p = j->p;
    if (p->pointwise && !j->s32 && rows_ok(j->xs, ge->in) && rows_ok(j->ys, ge->out)) {
        int64_t pixels = ge->out[0] * ge->out[1] * ge->out[2];
        /* a row task's geometry says where its rows start by shifting the
         * (zero) padding, as for the other kernels */
        x -= ge->pad_begin[0] * j->xs[2] + ge->pad_begin[1] * j->xs[3] + ge->pad_begin[2] * j->xs[4];
        const int64_t xs[2] = {j->xs[4], 1}, ws[2] = {p->ws[0], 1}, ys[2] = {j->ys[4], 1};
        for (int64_t b = 0; b < ge->n; b++)
            tern_ref_qs8_gemm_fp32(pixels, ge->c_out, ge->c_in, x + b * j->xs[0], xs, p->w, ws,
                                   &j->dot, (int8_t *)j->y + yoff + b * j->ys[0], ys);
        return;
    }
    if (j->s32)
        tern_ref_qs8_conv_s32(ge, x, j->xs, p->w, p->ws, &j->dot, (int32_t *)j->y + yoff, j->ys);
    else if (p->depthwise)
        tern_ref_qs8_dwconv_fp32(ge, x, j->xs, p->w, p->ws, &j->dot, (int8_t *)j->y + yoff, j->ys);
    else
        tern_ref_qs8_conv_fp32(ge, x, j->xs, p->w, p->ws, &j->dot, (int8_t *)j->y + yoff, j->ys);
}

static void qconv_task(void *ctx, int64_t task) {
    const qconv_job *j = ctx;
    int64_t rows = j->p->geom.out[1], b = task / rows, o = task % rows;
    tern_conv_geom sub = j->p->geom;
    sub.n = 1;
    sub.out[1] = 1;
    sub.pad_begin[1] -= o * sub.stride[1];
    qconv_call(j, &sub, j->x + b * j->xs[0], b * j->ys[0] + o * j->ys[3]);
}

static tern_status qconv_run(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    qconv_job j;
    j.p = n->params;
    if (!j.p)
        return tern_errf(err, TERN_ERR_RUNTIME, "uint8 data was not converted to int8 (quant-import)");
    j.dot = j.p->dot;
    j.s32 = tern_out(g, n, 0)->dtype == TERN_INT32;
    if (j.p->x_zp_input >= 0) j.dot.x_zero_point = *(const int8_t *)in[j.p->x_zp_input];
    tern_strides_ncdhw(tern_in(g, n, 0), j.xs);
    tern_strides_ncdhw(tern_out(g, n, 0), j.ys);
    j.x = in[0];
    j.y = out[0];
    if (n->prepared && !j.s32) { /* packed for the session's SIMD kernels */
        tern_qconv_fast_run(g, n, j.x, j.y);
        return TERN_OK;
    }
    int64_t tasks = j.p->geom.n * j.p->geom.out[1];
    if (!g->threads || tasks < 2 || j.p->geom.out[0] != 1) {
        qconv_call(&j, &j.p->geom, j.x, 0);
        return TERN_OK;
    }
    tern_parallel_for(g->threads, tasks, qconv_task, &j);
    return TERN_OK;
}

/* QLinearConv's prepare step (graph/ops/prepare.c): pack the weights for
 * the SIMD kernels when one fits (graph/ops/qconv_fast.c). */
tern_status tern_qconv_prepare(tern_graph *g, tern_node *n, tern_err *err) {
    const qconv_params *p = n->params;
    if (!p || p->x_zp_input >= 0 || tern_out(g, n, 0)->dtype != TERN_INT8) return TERN_OK;
    tern_qconv_desc d = {
        .geom = &p->geom, .dot = &p->dot, .w = p->w, .ws = p->ws, .depthwise = p->depthwise};
    return tern_qconv_fast_prepare(g, n, &d, err);
}

const tern_op tern_op_QLinearConv = {"QLinearConv", "", TERN_OP_LAYOUT_NATIVE, qlinearconv_infer,
                                     qconv_run};
const tern_op tern_op_ConvInteger = {"ConvInteger", "", TERN_OP_LAYOUT_NATIVE, convinteger_infer,
                                     qconv_run};
