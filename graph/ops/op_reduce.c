/* ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd (float32,
 * float64, int64), ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum,
 * ReduceLogSumExp (float32, float64), any layout; ArgMax and ArgMin
 * (float32, int64; plain), Hardmax (float32; plain).
 *
 * Opset differences: the axes are an attribute until ReduceSum-13 and the
 * other reductions' opset 18 made them an optional (constant) input. keepdims
 * (default 1) keeps reduced axes as 1; with no axes the op reduces
 * everything, unless noop_with_empty_axes=1 makes it an identity. */
#include <string.h>

#include "graph/op.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/reduce.h"

typedef struct reduce_params {
    tern_reduce_op op;
    int keepdims;
    int mask[TERN_MAX_RANK]; /* 1: input axis is reduced */
} reduce_params;

static const struct {
    const char *type;
    tern_reduce_op op;
    int64_t axes_input_opset; /* first opset where axes is an input */
} REDUCES[] = {
    {"ReduceSum", TERN_REDUCE_SUM, 13},
    {"ReduceMean", TERN_REDUCE_MEAN, 18},
    {"ReduceMax", TERN_REDUCE_MAX, 18},
    {"ReduceMin", TERN_REDUCE_MIN, 18},
    {"ReduceProd", TERN_REDUCE_PROD, 18},
    {"ReduceL1", TERN_REDUCE_L1, 18},
    {"ReduceL2", TERN_REDUCE_L2, 18},
    {"ReduceSumSquare", TERN_REDUCE_SUM_SQUARE, 18},
    {"ReduceLogSum", TERN_REDUCE_LOG_SUM, 18},
    {"ReduceLogSumExp", TERN_REDUCE_LOG_SUM_EXP, 18},
};

/* the reductions the int64 kernel has */
static int int_ok(tern_reduce_op op) {
    return op == TERN_REDUCE_SUM || op == TERN_REDUCE_MEAN || op == TERN_REDUCE_MAX ||
           op == TERN_REDUCE_MIN || op == TERN_REDUCE_PROD;
}

/* which axes to reduce into p->mask */
static tern_status reduce_axes(const tern_graph *g, const tern_node *n, int64_t from_opset,
                               int rank, reduce_params *p, tern_err *err) {
    int64_t axes[TERN_MAX_RANK];
    int count, present;
    tern_status st =
        tern_read_axes(g, n, "axes", 1, from_opset, axes, TERN_MAX_RANK, &count, &present, err);
    if (st != TERN_OK) return st;
    if (count == 0) {
        int noop = tern_attr_int(n, "noop_with_empty_axes", 0) != 0;
        for (int k = 0; k < rank; k++) p->mask[k] = !noop;
        return TERN_OK;
    }
    return tern_axes_mask(axes, count, rank, p->mask, err);
}

static tern_status infer_reduce(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 2, 1, 1, err);
    if (st != TERN_OK) return st;
    size_t k = 0;
    while (k < sizeof REDUCES / sizeof REDUCES[0] && strcmp(REDUCES[k].type, n->op_type) != 0) k++;
    if (k == sizeof REDUCES / sizeof REDUCES[0])
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "not a reduction: %s", n->op_type);
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->dtype != TERN_FLOAT && x->dtype != TERN_DOUBLE &&
        !(x->dtype == TERN_INT64 && int_ok(REDUCES[k].op)))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s is not supported here",
                         tern_dtype_name(x->dtype));
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    reduce_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    p->op = REDUCES[k].op;
    p->keepdims = tern_attr_int(n, "keepdims", 1) != 0;
    if ((st = reduce_axes(g, n, REDUCES[k].axes_input_opset, x->rank, p, err)) != TERN_OK)
        return st;
    int64_t dims[TERN_MAX_RANK];
    int r = 0;
    for (int a = 0; a < x->rank; a++) {
        if (!p->mask[a]) dims[r++] = x->dims[a];
        else if (p->keepdims) dims[r++] = 1;
    }
    tern_set_out(g, n, 0, x->dtype, r, dims);
    n->params = p;
    return TERN_OK;
}

static tern_status run_reduce(const tern_graph *g, const tern_node *n, const void *const *in,
                              void *const *out, tern_err *err) {
    (void)err;
    const reduce_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *o = tern_out(g, n, 0);
    int64_t sx[TERN_MAX_RANK], so_out[TERN_MAX_RANK], so[TERN_MAX_RANK];
    tern_tensor_strides(x, sx);
    tern_tensor_strides(o, so_out);
    /* the output stride of each input axis (reduced axes: never used) */
    for (int a = 0, r = 0; a < x->rank; a++) {
        if (p->mask[a]) {
            so[a] = 0;
            if (p->keepdims) r++;
        } else {
            so[a] = so_out[r++];
        }
    }
    if (x->dtype == TERN_FLOAT)
        tern_ref_reduce_f32(p->op, x->rank, x->dims, p->mask, in[0], sx, out[0], so);
    else if (x->dtype == TERN_DOUBLE)
        tern_ref_reduce_f64(p->op, x->rank, x->dims, p->mask, in[0], sx, out[0], so);
    else
        tern_ref_reduce_i64(p->op, x->rank, x->dims, p->mask, in[0], sx, out[0], so);
    return TERN_OK;
}

#define REDUCE_OP(NAME)                                                                           \
    const tern_op tern_op_##NAME = {#NAME, "", TERN_OP_ANY_LAYOUT, infer_reduce, run_reduce};
REDUCE_OP(ReduceSum)
REDUCE_OP(ReduceMean)
REDUCE_OP(ReduceMax)
REDUCE_OP(ReduceMin)
REDUCE_OP(ReduceProd)
REDUCE_OP(ReduceL1)
REDUCE_OP(ReduceL2)
REDUCE_OP(ReduceSumSquare)
REDUCE_OP(ReduceLogSum)
REDUCE_OP(ReduceLogSumExp)

/* ---- ArgMax, ArgMin: int64 indices along one axis ---- */

typedef struct arg_params {
    int axis;
    int is_min, select_last;
    int flatten; /* Hardmax before opset 13: every axis from `axis` on is one */
} arg_params;

static tern_status infer_arg(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->dtype != TERN_FLOAT && x->dtype != TERN_INT64)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s is not supported (float32, int64)",
                         tern_dtype_name(x->dtype));
    arg_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    if ((st = tern_norm_axis(tern_attr_int(n, "axis", 0), x->rank, &p->axis, err)) != TERN_OK)
        return st;
    if (x->dims[p->axis] == 0)
        return tern_errf(err, TERN_ERR_SHAPE, "axis %d is empty: no index to return", p->axis);
    p->is_min = strcmp(n->op_type, "ArgMin") == 0;
    p->select_last = tern_attr_int(n, "select_last_index", 0) != 0;
    int keep = tern_attr_int(n, "keepdims", 1) != 0, r = 0;
    int64_t dims[TERN_MAX_RANK];
    for (int a = 0; a < x->rank; a++) {
        if (a != p->axis) dims[r++] = x->dims[a];
        else if (keep) dims[r++] = 1;
    }
    tern_set_out(g, n, 0, TERN_INT64, r, dims);
    n->params = p;
    return TERN_OK;
}

static tern_status run_arg(const tern_graph *g, const tern_node *n, const void *const *in,
                           void *const *out, tern_err *err) {
    (void)err;
    const arg_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t outer = tern_dims_prod(x->dims, 0, p->axis);
    int64_t inner = tern_dims_prod(x->dims, p->axis + 1, x->rank);
    if (x->dtype == TERN_FLOAT)
        tern_ref_arg_f32(p->is_min, p->select_last, outer, x->dims[p->axis], inner, in[0], out[0]);
    else
        tern_ref_arg_i64(p->is_min, p->select_last, outer, x->dims[p->axis], inner, in[0], out[0]);
    return TERN_OK;
}

const tern_op tern_op_ArgMax = {"ArgMax", "", 0, infer_arg, run_arg};
const tern_op tern_op_ArgMin = {"ArgMin", "", 0, infer_arg, run_arg};

/* ---- Hardmax: along axis (opset >= 13), or over the 2-D view
 * [prod(dims[:axis]), prod(dims[axis:])] before ---- */

static tern_status infer_hardmax(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->dtype != TERN_FLOAT)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s is not supported (float32)",
                         tern_dtype_name(x->dtype));
    if (x->rank < 1) return tern_errf(err, TERN_ERR_SHAPE, "input must have rank >= 1");
    arg_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    int coerce = g->opset > 0 && g->opset < 13;
    if ((st = tern_norm_axis(tern_attr_int(n, "axis", coerce ? 1 : -1), x->rank, &p->axis, err)) !=
        TERN_OK)
        return st;
    p->flatten = coerce;
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, x->dims);
    n->params = p;
    return TERN_OK;
}

static tern_status run_hardmax(const tern_graph *g, const tern_node *n, const void *const *in,
                               void *const *out, tern_err *err) {
    (void)err;
    const arg_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t outer = 1, dim = 1, inner = 1;
    for (int a = 0; a < x->rank; a++) {
        if (a < p->axis) outer *= x->dims[a];
        else if (a == p->axis || p->flatten) dim *= x->dims[a];
        else inner *= x->dims[a];
    }
    tern_ref_hardmax_f32(outer, dim, inner, in[0], out[0]);
    return TERN_OK;
}

const tern_op tern_op_Hardmax = {"Hardmax", "", 0, infer_hardmax, run_hardmax};
