/* MaxPool, AveragePool (1-D to 3-D windows), GlobalAveragePool and
 * GlobalMaxPool (any number of spatial axes). The math is
 * kernels/ref/pool_f32.c (kernels/ref/maxpool_int8.c for 8-bit MaxPool). */
#include "graph/ops/op_nn_util.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/maxpool_int8.h"
#include "kernels/ref/pool_f32.h"

typedef struct pool_params {
    tern_conv_geom geom;
    int is_max, count_include_pad;
} pool_params;

/* MaxPool also takes 8-bit integers (allow_int8). */
static tern_status check_pool_input(const tern_graph *g, const tern_node *n, int min_rank,
                                    int max_rank, int allow_int8, tern_err *err) {
    const tern_tensor *x = tern_in(g, n, 0);
    int int8 = allow_int8 && (x->dtype == TERN_UINT8 || x->dtype == TERN_INT8);
    tern_status st = int8 ? TERN_OK : tern_require_f32(g, n, 0, "input X", err);
    if (st) return st;
    if (x->rank < min_rank || x->rank > max_rank)
        return tern_errf(err, x->rank > max_rank ? TERN_ERR_UNSUPPORTED : TERN_ERR_SHAPE,
                         "input X has rank %d; rank %d..%d is supported", x->rank, min_rank,
                         max_rank);
    for (int i = 0; i < x->rank; i++)
        if (x->dims[i] < (i == 0 ? 0 : 1))
            return tern_errf(err, TERN_ERR_SHAPE, "input X has an unknown or empty dim %d", i);
    return tern_need_static(g, n, 0, err); /* a batch of 0 may come with huge dims */
}

/* The part MaxPool and AveragePool share: window and output shape. */
static tern_status window_pool_infer(tern_graph *g, tern_node *n, int is_max, tern_err *err) {
    tern_status st;
    if ((st = check_pool_input(g, n, 3, 2 + TERN_CONV_SP, is_max, err))) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    int nsp = x->rank - 2;
    if (!tern_node_attr(n, "kernel_shape"))
        return tern_errf(err, TERN_ERR_SHAPE, "attribute kernel_shape is required");
    int64_t kernel[TERN_CONV_SP];
    if ((st = tern_window_ints(n, "kernel_shape", nsp, 1, 1, kernel, err))) return st;
    int64_t ceil_mode = tern_attr_int(n, "ceil_mode", 0);
    if (ceil_mode != 0 && ceil_mode != 1)
        return tern_errf(err, TERN_ERR_SHAPE, "ceil_mode must be 0 or 1, is %lld",
                         (long long)ceil_mode);
    pool_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    p->geom.n = x->dims[0];
    p->geom.c_in = p->geom.c_out = x->dims[1];
    p->geom.group = 1;
    if ((st = tern_window_resolve(n, nsp, x->dims + 2, kernel, (int)ceil_mode, is_max, &p->geom,
                                  err)))
        return st;
    int64_t cip = tern_attr_int(n, "count_include_pad", 0);
    if (cip != 0 && cip != 1)
        return tern_errf(err, TERN_ERR_SHAPE, "count_include_pad must be 0 or 1, is %lld",
                         (long long)cip);
    p->count_include_pad = (int)cip;
    p->is_max = is_max;
    int64_t dims[2 + TERN_CONV_SP];
    tern_window_out_dims(&p->geom, x->rank, x->dims[1], dims);
    tern_set_out(g, n, 0, x->dtype, x->rank, dims);
    n->params = p;
    return TERN_OK;
}

static tern_status maxpool_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 2, err);
    if (st) return st;
    if (n->n_outputs > 1 && n->outputs[1] >= 0)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "the Indices output is not supported");
    /* storage_order only concerns Indices, so it is ignored */
    return window_pool_infer(g, n, 1, err);
}

static tern_status avgpool_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st) return st;
    return window_pool_infer(g, n, 0, err);
}

/* MaxPool (float32, int8, uint8) and AveragePool (float32). */
static tern_status window_pool_run(const tern_graph *g, const tern_node *n,
                                   const void *const *in, void *const *out, tern_err *err) {
    (void)err;
    const pool_params *p = n->params;
    int64_t xs[5], ys[5];
    tern_strides_ncdhw(tern_in(g, n, 0), xs);
    tern_strides_ncdhw(tern_out(g, n, 0), ys);
    if (!p->is_max) {
        tern_avgpool_f32(&p->geom, p->count_include_pad, in[0], xs, out[0], ys);
        return TERN_OK;
    }
    switch (tern_in(g, n, 0)->dtype) {
    case TERN_UINT8: tern_maxpool_u8(&p->geom, in[0], xs, out[0], ys); break;
    case TERN_INT8: tern_maxpool_s8(&p->geom, in[0], xs, out[0], ys); break;
    default: tern_maxpool_f32(&p->geom, in[0], xs, out[0], ys); break;
    }
    return TERN_OK;
}

static tern_status global_pool_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st || (st = check_pool_input(g, n, 3, TERN_MAX_RANK, 0, err))) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t dims[TERN_MAX_RANK];
    for (int i = 0; i < x->rank; i++) dims[i] = i < 2 ? x->dims[i] : 1;
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, dims);
    return TERN_OK;
}

static tern_status global_pool_run(const tern_graph *g, const tern_node *n, const void *const *in,
                                   void *const *out, int is_max) {
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(tern_out(g, n, 0), ys);
    int nsp = x->rank - 2;
    if (is_max)
        tern_global_maxpool_f32(x->dims[0], x->dims[1], nsp, x->dims + 2, in[0], xs, out[0], ys);
    else
        tern_global_avgpool_f32(x->dims[0], x->dims[1], nsp, x->dims + 2, in[0], xs, out[0], ys);
    return TERN_OK;
}

static tern_status gap_run(const tern_graph *g, const tern_node *n, const void *const *in,
                           void *const *out, tern_err *err) {
    (void)err;
    if (tern_gap_fast(g, n, in, out)) return TERN_OK;
    return global_pool_run(g, n, in, out, 0);
}

static tern_status gmp_run(const tern_graph *g, const tern_node *n, const void *const *in,
                           void *const *out, tern_err *err) {
    (void)err;
    return global_pool_run(g, n, in, out, 1);
}

const tern_op tern_op_MaxPool = {"MaxPool", "", TERN_OP_LAYOUT_NATIVE, maxpool_infer,
                                 window_pool_run};
const tern_op tern_op_AveragePool = {"AveragePool", "", TERN_OP_LAYOUT_NATIVE, avgpool_infer,
                                     window_pool_run};
const tern_op tern_op_GlobalAveragePool = {"GlobalAveragePool", "", TERN_OP_LAYOUT_NATIVE,
                                           global_pool_infer, gap_run};
const tern_op tern_op_GlobalMaxPool = {"GlobalMaxPool", "", TERN_OP_LAYOUT_NATIVE,
                                       global_pool_infer, gmp_run};
