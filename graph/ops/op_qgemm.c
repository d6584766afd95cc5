/* Integer matrix products: QLinearMatMul and com.microsoft QGemm (int8
 * out, requantized) and MatMulInteger (int32 out). A is the activation
 * ([..., M, K]: leading dims are rows), B a constant [K, N] (QGemm: [N, K]
 * with transB). The math is kernels/ref/qs8_gemm_fp32.c
 * (docs/quantization.md sections 2 and 3). uint8 data before the
 * quant-import pass gets its shape and type only. */
#include <string.h>

#include "graph/ops/op_quant_util.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/qs8_gemm_fp32.h"

typedef struct qgemm_params {
    int64_t m, n, k;
    tern_qs8_dot_params dot;
    int64_t ws[2];  /* B element (n, k) at b[n * ws[0] + k * ws[1]] */
    int b_input;    /* which input is B */
    int x_zp_input; /* MatMulInteger: a runtime a_zero_point input, or -1 */
} qgemm_params;

/* A [..., M, K] and constant B ([K, N], or [N, K] when trans_b): shapes,
 * and the output dims [..., M, N]. */
static tern_status check_ab(tern_graph *g, const tern_node *n, int ai, int bi, int trans_b,
                            qgemm_params *p, tern_err *err) {
    const tern_tensor *a = tern_in(g, n, ai), *b = tern_in(g, n, bi);
    tern_status st;
    if ((st = tern_q_need8(g, n, ai, "input A", err)) || (st = tern_q_need8(g, n, bi, "input B", err)))
        return st;
    if ((st = tern_need_static(g, n, ai, err))) return st;
    if (!b->data || b->rank != 2)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "B must be a 2-D constant");
    if (a->rank < 2) return tern_errf(err, TERN_ERR_UNSUPPORTED, "A must have rank >= 2");
    p->k = a->dims[a->rank - 1];
    p->n = trans_b ? b->dims[0] : b->dims[1];
    if ((trans_b ? b->dims[1] : b->dims[0]) != p->k)
        return tern_errf(err, TERN_ERR_SHAPE, "A has K = %lld, B does not match",
                         (long long)p->k);
    p->m = tern_dims_prod(a->dims, 0, a->rank - 1);
    p->ws[0] = trans_b ? p->k : 1;
    p->ws[1] = trans_b ? 1 : p->n;
    p->b_input = bi;
    p->x_zp_input = -1;
    return TERN_OK;
}

static void set_out(tern_graph *g, const tern_node *n, int ai, const qgemm_params *p,
                    tern_dtype dt) {
    const tern_tensor *a = tern_in(g, n, ai);
    int64_t dims[TERN_MAX_RANK];
    memcpy(dims, a->dims, sizeof(int64_t) * (size_t)a->rank);
    dims[a->rank - 1] = p->n;
    tern_set_out(g, n, 0, dt, a->rank, dims);
}

static tern_status read_bias(tern_graph *g, const tern_node *n, int bi, qgemm_params *p,
                             tern_err *err) {
    const tern_tensor *c = tern_in(g, n, bi);
    if (c) {
        int64_t cn = tern_tensor_numel(c);
        if (!c->data || c->dtype != TERN_INT32 || (cn != 1 && cn != p->n) || c->rank > 2 ||
            (c->rank == 2 && c->dims[0] != 1))
            return tern_errf(err, TERN_ERR_UNSUPPORTED,
                             "bias C must be an int32 constant of 1 or N (%lld) values",
                             (long long)p->n);
        int32_t *b = tern_pool_alloc_array(&g->pool, (size_t)p->n, 4);
        if (!b) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
        for (int64_t i = 0; i < p->n; i++)
            memcpy(&b[i], (const char *)c->data + 4 * (cn == 1 ? 0 : i), 4);
        p->dot.bias = b;
    }
    if (!tern_qs8_dot_fits(p->k, p->dot.bias, p->n))
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "dot product of length %lld or a bias beyond 2^30 is outside the exact "
                         "int32 bound (docs/quantization.md section 2)",
                         (long long)p->k);
    return TERN_OK;
}

/* QLinearMatMul (a, a_s, a_z, b, b_s, b_z, y_s, y_z) and QGemm (a, a_s,
 * a_z, b, b_s, b_z, c, y_s, y_z): one infer, input positions differ. */
static tern_status qlinear_dot_infer(tern_graph *g, tern_node *n, int is_gemm, tern_err *err) {
    tern_status st = is_gemm ? tern_check_arity(g, n, 9, 9, 1, 1, err)
                             : tern_check_arity(g, n, 8, 8, 1, 1, err);
    if (st) return st;
    int trans_b = is_gemm && tern_attr_int(n, "transB", 0);
    if (is_gemm && (tern_attr_int(n, "transA", 0) || tern_attr_float(n, "alpha", 1.0f) != 1.0f))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "QGemm with transA or alpha != 1");
    qgemm_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    memset(p, 0, sizeof *p);
    if ((st = check_ab(g, n, 0, 3, trans_b, p, err))) return st;
    int ys = is_gemm ? 7 : 6;
    if (!tern_in(g, n, ys))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "QGemm with a float output");
    tern_dtype at = tern_in(g, n, 0)->dtype, bt = tern_in(g, n, 3)->dtype;
    tern_dtype yt = tern_q_zp_type(g, n, ys + 1, TERN_UINT8);
    set_out(g, n, 0, p, yt);
    n->params = NULL;
    if (at != TERN_INT8 || bt != TERN_INT8 || yt != TERN_INT8) return TERN_OK; /* before import */
    tern_qparams qa, qb, qy;
    if ((st = tern_q_read(g, n, 1, 2, at, 1, &qa, err)) ||
        (st = tern_q_read(g, n, 4, 5, bt, p->n, &qb, err)) ||
        (st = tern_q_read(g, n, ys, ys + 1, yt, 1, &qy, err)))
        return st;
    if (is_gemm && (st = read_bias(g, n, 6, p, err))) return st;
    if (!is_gemm && (st = read_bias(g, n, -1, p, err))) return st;
    p->dot.x_zero_point = qa.zero_point[0];
    p->dot.w_zero_point = tern_q_w_zero_points(g, &qb, p->n);
    p->dot.requant = tern_q_dot_requant(g, n, &qa, &qb, &qy, p->n);
    if (!p->dot.w_zero_point || !p->dot.requant || !tern_q_set_out(g, n, 0, &qy))
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    n->params = p;
    return TERN_OK;
}

static tern_status qlinearmatmul_infer(tern_graph *g, tern_node *n, tern_err *err) {
    return qlinear_dot_infer(g, n, 0, err);
}

static tern_status qgemm_infer(tern_graph *g, tern_node *n, tern_err *err) {
    return qlinear_dot_infer(g, n, 1, err);
}

/* MatMulInteger (a, b, a_zero_point, b_zero_point) -> int32. */
static tern_status matmulinteger_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 4, 1, 1, err);
    if (st) return st;
    qgemm_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    memset(p, 0, sizeof *p);
    if ((st = check_ab(g, n, 0, 1, 0, p, err))) return st;
    set_out(g, n, 0, p, TERN_INT32);
    const tern_tensor *a = tern_in(g, n, 0), *b = tern_in(g, n, 1), *az = tern_in(g, n, 2),
                      *bz = tern_in(g, n, 3);
    n->params = NULL;
    if (a->dtype != TERN_INT8 || b->dtype != TERN_INT8) return TERN_OK; /* before import */
    if (az && (az->dtype != TERN_INT8 || tern_tensor_numel(az) != 1))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "a_zero_point must be one value of A's type");
    p->x_zp_input = az ? 2 : -1;
    int64_t bzn = bz ? tern_tensor_numel(bz) : 1;
    if (bz && (!bz->data || bz->dtype != TERN_INT8 || (bzn != 1 && bzn != p->n)))
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "b_zero_point must be a constant of B's type, 1 or N values");
    int32_t *zw = tern_pool_alloc_array(&g->pool, (size_t)p->n, sizeof *zw);
    if (!zw) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    for (int64_t c = 0; c < p->n; c++) zw[c] = bz ? ((const int8_t *)bz->data)[bzn == 1 ? 0 : c] : 0;
    p->dot.w_zero_point = zw;
    if ((st = read_bias(g, n, -1, p, err))) return st;
    n->params = p;
    return TERN_OK;
}

/* A and Y are plain (these ops take no other layout): rows of K and N. */
static tern_status qgemm_run(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    const qgemm_params *p = n->params;
    if (!p)
        return tern_errf(err, TERN_ERR_RUNTIME, "uint8 data was not converted to int8 (quant-import)");
    tern_qs8_dot_params dot = p->dot;
    if (p->x_zp_input >= 0) dot.x_zero_point = *(const int8_t *)in[p->x_zp_input];
    const int64_t xs[2] = {p->k, 1}, ys[2] = {p->n, 1};
    if (tern_out(g, n, 0)->dtype == TERN_INT32)
        tern_ref_qs8_gemm_s32(p->m, p->n, p->k, in[0], xs, in[p->b_input], p->ws, &dot, out[0], ys);
    else
        tern_ref_qs8_gemm_fp32(p->m, p->n, p->k, in[0], xs, in[p->b_input], p->ws, &dot, out[0],
                               ys);
    return TERN_OK;
}

const tern_op tern_op_QLinearMatMul = {"QLinearMatMul", "", 0, qlinearmatmul_infer, qgemm_run};
const tern_op tern_op_MatMulInteger = {"MatMulInteger", "", 0, matmulinteger_infer, qgemm_run};
const tern_op tern_op_QGemm = {"QGemm", "com.microsoft", 0, qgemm_infer, qgemm_run};
