/* com.microsoft QLinearAdd and QLinearMul (a, a_scale, a_zero_point, b,
 * b_scale, b_zero_point, c_scale, c_zero_point) with numpy broadcasting,
 * any layout. The math is kernels/ref/qs8_vadd_fp32.c and qs8_vmul_fp32.c
 * (docs/quantization.md section 4); a fused Relu (n->act) narrows the
 * output clamp. */
#include <string.h>

#include "graph/ops/op_quant_util.h"
#include "graph/ops/op_tensor_util.h"
#include "graph/ops/qbinary_fast.h"
#include "kernels/ref/qs8_vadd_fp32.h"
#include "kernels/ref/qs8_vmul_fp32.h"

typedef struct qbinary_params {
    int is_mul;
    tern_qs8_vadd_params add;
    tern_qs8_vmul_params mul;
} qbinary_params;

static tern_status qbinary_infer(tern_graph *g, tern_node *n, int is_mul, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 7, 8, 1, 1, err);
    if (st) return st;
    if ((st = tern_q_need8(g, n, 0, "input A", err)) || (st = tern_q_need8(g, n, 3, "input B", err)))
        return st;
    const tern_tensor *a = tern_in(g, n, 0), *b = tern_in(g, n, 3);
    if ((st = tern_need_static(g, n, 0, err)) || (st = tern_need_static(g, n, 3, err))) return st;
    int rank;
    int64_t dims[TERN_MAX_RANK];
    if ((st = tern_broadcast_shape(a->rank, a->dims, b->rank, b->dims, &rank, dims, err))) return st;
    tern_dtype yt = tern_q_zp_type(g, n, 7, TERN_UINT8);
    tern_set_out(g, n, 0, yt, rank, dims);
    n->params = NULL;
    if (a->dtype != TERN_INT8 || b->dtype != TERN_INT8 || yt != TERN_INT8) return TERN_OK;
    tern_qparams qa, qb, qy;
    if ((st = tern_q_read(g, n, 1, 2, TERN_INT8, 1, &qa, err)) ||
        (st = tern_q_read(g, n, 4, 5, TERN_INT8, 1, &qb, err)) ||
        (st = tern_q_read(g, n, 6, 7, TERN_INT8, 1, &qy, err)))
        return st;
    qbinary_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p || !tern_q_set_out(g, n, 0, &qy)) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    int32_t qmin, qmax;
    tern_q_act_range(&n->act, qy.scale[0], qy.zero_point[0], &qmin, &qmax);
    p->is_mul = is_mul;
    if (is_mul)
        tern_qs8_vmul_init_ex(&p->mul, qa.scale[0], qa.zero_point[0], qb.scale[0],
                              qb.zero_point[0], qy.scale[0], qy.zero_point[0], qmin, qmax,
                              qy.from_u8);
    else
        tern_qs8_vadd_init_ex(&p->add, qa.scale[0], qa.zero_point[0], qb.scale[0],
                              qb.zero_point[0], qy.scale[0], qy.zero_point[0], qmin, qmax,
                              qy.from_u8);
    n->params = p;
    return TERN_OK;
}

static tern_status qadd_infer(tern_graph *g, tern_node *n, tern_err *err) {
    return qbinary_infer(g, n, 0, err);
}
static tern_status qmul_infer(tern_graph *g, tern_node *n, tern_err *err) {
    return qbinary_infer(g, n, 1, err);
}

static tern_status qbinary_run(const tern_graph *g, const tern_node *n, const void *const *in,
                               void *const *out, tern_err *err) {
    const qbinary_params *p = n->params;
    if (!p)
        return tern_errf(err, TERN_ERR_RUNTIME, "uint8 data was not converted to int8 (quant-import)");
    const tern_tensor *y = tern_out(g, n, 0);
    int64_t as[TERN_MAX_RANK], bs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    tern_bcast_strides(tern_in(g, n, 0), y->rank, as);
    tern_bcast_strides(tern_in(g, n, 3), y->rank, bs);
    tern_tensor_strides(y, ys);
    if (tern_qbinary_fast(g, y->rank, y->dims, in[0], as, in[3], bs, out[0], ys,
                          p->is_mul ? NULL : &p->add, p->is_mul ? &p->mul : NULL))
        return TERN_OK; /* the session's SIMD kernel, same bytes */
    if (p->is_mul)
        tern_ref_qs8_vmul_fp32(y->rank, y->dims, in[0], as, in[3], bs, &p->mul, out[0], ys);
    else
        tern_ref_qs8_vadd_fp32(y->rank, y->dims, in[0], as, in[3], bs, &p->add, out[0], ys);
    return TERN_OK;
}

const tern_op tern_op_QLinearAdd = {"QLinearAdd", "com.microsoft", TERN_OP_ANY_LAYOUT, qadd_infer,
                                    qbinary_run};
const tern_op tern_op_QLinearMul = {"QLinearMul", "com.microsoft", TERN_OP_ANY_LAYOUT, qmul_infer,
                                    qbinary_run};
