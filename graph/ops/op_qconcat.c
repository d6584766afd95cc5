/* com.microsoft QLinearConcat (y_scale, y_zero_point, then x, x_scale,
 * x_zero_point per input; attribute axis), any layout: inputs with the
 * output's parameters are copied, others requantized
 * (kernels/ref/qs8_concat.c, docs/quantization.md section 7). With one
 * input it is the rescaling the qdq pass makes of DQ -> Q pairs whose
 * parameters differ. */
#include <string.h>

#include "graph/ops/op_quant_util.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/qs8_concat.h"

typedef struct qconcat_params {
    int axis, n_in;
    tern_qs8_rescale *rescale; /* [n_in] */
} qconcat_params;

static tern_status qconcat_infer(tern_graph *g, tern_node *n, tern_err *err) {
    if (n->n_inputs < 5 || (n->n_inputs - 2) % 3 != 0 || n->n_outputs != 1)
        return tern_errf(err, TERN_ERR_SHAPE, "QLinearConcat takes y_scale, y_zero_point and "
                                              "triples (x, scale, zero point)");
    int n_in = (n->n_inputs - 2) / 3;
    tern_status st;
    const tern_tensor *x0 = tern_in(g, n, 2);
    if (!x0) return tern_errf(err, TERN_ERR_SHAPE, "input 2 is missing");
    int rank = x0->rank, axis;
    if ((st = tern_norm_axis(tern_attr_int(n, "axis", 0), rank, &axis, err))) return st;
    int64_t dims[TERN_MAX_RANK];
    memcpy(dims, x0->dims, sizeof dims);
    dims[axis] = 0;
    int all8 = 1;
    for (int i = 0; i < n_in; i++) {
        if ((st = tern_q_need8(g, n, 2 + 3 * i, "input", err))) return st;
        if ((st = tern_need_static(g, n, 2 + 3 * i, err))) return st;
        const tern_tensor *x = tern_in(g, n, 2 + 3 * i);
        if (x->rank != rank) return tern_errf(err, TERN_ERR_SHAPE, "inputs differ in rank");
        for (int a = 0; a < rank; a++)
            if (a != axis && x->dims[a] != dims[a])
                return tern_errf(err, TERN_ERR_SHAPE, "input %d differs in dim %d", i, a);
        if (x->dims[axis] > INT64_MAX / 4 - dims[axis])
            return tern_errf(err, TERN_ERR_SHAPE, "concatenated dim too large");
        dims[axis] += x->dims[axis];
        all8 &= x->dtype == TERN_INT8;
    }
    tern_dtype yt = tern_q_zp_type(g, n, 1, TERN_UINT8);
    tern_set_out(g, n, 0, yt, rank, dims);
    if ((st = tern_check_out(g, n, 0, err))) return st;
    n->params = NULL;
    if (!all8 || yt != TERN_INT8) return TERN_OK; /* before import */
    qconcat_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    p->rescale = tern_pool_alloc_array(&g->pool, (size_t)n_in, sizeof *p->rescale);
    if (!p->rescale) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    p->axis = axis;
    p->n_in = n_in;
    tern_qparams qy, qx;
    if ((st = tern_q_read(g, n, 0, 1, TERN_INT8, 1, &qy, err))) return st;
    for (int i = 0; i < n_in; i++) {
        if ((st = tern_q_read(g, n, 3 + 3 * i, 4 + 3 * i, TERN_INT8, 1, &qx, err))) return st;
        tern_qs8_rescale_init(&p->rescale[i], qx.scale[0], qx.zero_point[0], qy.scale[0],
                              qy.zero_point[0], -128, 127);
    }
    if (!tern_q_set_out(g, n, 0, &qy)) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    n->params = p;
    return TERN_OK;
}

static tern_status qconcat_run(const tern_graph *g, const tern_node *n, const void *const *in,
                               void *const *out, tern_err *err) {
    const qconcat_params *p = n->params;
    if (!p)
        return tern_errf(err, TERN_ERR_RUNTIME, "uint8 data was not converted to int8 (quant-import)");
    const tern_tensor *y = tern_out(g, n, 0);
    tern_qs8_concat_input ins[TERN_MAX_NODE_IO];
    int64_t strides[TERN_MAX_NODE_IO][TERN_MAX_RANK], ys[TERN_MAX_RANK];
    for (int i = 0; i < p->n_in; i++) {
        const tern_tensor *x = tern_in(g, n, 2 + 3 * i);
        tern_tensor_strides(x, strides[i]);
        ins[i] = (tern_qs8_concat_input){.x = in[2 + 3 * i], .dims = x->dims,
                                         .strides = strides[i],
                                         .rescale = tern_qs8_rescale_is_identity(&p->rescale[i])
                                                        ? NULL
                                                        : &p->rescale[i]};
    }
    tern_tensor_strides(y, ys);
    tern_ref_qs8_concat(y->rank, p->axis, p->n_in, ins, out[0], ys);
    return TERN_OK;
}

const tern_op tern_op_QLinearConcat = {"QLinearConcat", "com.microsoft", TERN_OP_ANY_LAYOUT,
                                       qconcat_infer, qconcat_run};
