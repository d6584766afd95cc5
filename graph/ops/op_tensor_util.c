#include "graph/ops/op_tensor_util.h"

#include <string.h>

/* An empty tensor passes every element-count check, yet its other dims can
 * multiply past int64 in any product of a subset of them (strides,
 * outer/inner counts, Flatten): 1 if the product of the nonzero dims fits. */
static int dims_fit(const tern_tensor *t) {
    int64_t prod = 1;
    for (int k = 0; k < t->rank; k++)
        if (t->dims[k] != 0 && !tern_mul_dims(prod, t->dims[k], &prod)) return 0;
    return 1;
}

tern_status tern_need_static(const tern_graph *g, const tern_node *n, int i, tern_err *err) {
    const tern_tensor *t = tern_in(g, n, i);
    if (!t) return tern_errf(err, TERN_ERR_SHAPE, "input %d is missing", i);
    for (int k = 0; k < t->rank; k++)
        if (t->dims[k] < 0)
            return tern_errf(err, TERN_ERR_UNSUPPORTED,
                             "input %d ('%s') has an unknown dim %d (tern needs static shapes)", i,
                             t->name, k);
    if (!dims_fit(t))
        return tern_errf(err, TERN_ERR_SHAPE,
                         "input %d ('%s') is too large: its nonzero dims multiply past 2^63", i,
                         t->name);
    return TERN_OK;
}

tern_status tern_check_out(const tern_graph *g, const tern_node *n, int i, tern_err *err) {
    const tern_tensor *t = tern_out(g, n, i);
    if (!t) return TERN_OK;
    if (tern_tensor_numel(t) < 0 || (tern_tensor_numel(t) > 0 && tern_tensor_bytes(t) == 0) ||
        !dims_fit(t))
        return tern_errf(err, TERN_ERR_SHAPE,
                         "output %d ('%s') would be too large (over %zu bytes, the most one "
                         "tensor may hold)", i, t->name, (size_t)TERN_MAX_TENSOR_BYTES);
    return TERN_OK;
}

void tern_bcast_strides(const tern_tensor *t, int rank, int64_t *st) {
    int64_t own[TERN_MAX_RANK];
    tern_tensor_strides(t, own);
    for (int k = 0; k < rank; k++) {
        int a = k - (rank - t->rank);
        st[k] = (a >= 0 && t->dims[a] != 1) ? own[a] : 0;
    }
}

tern_status tern_read_axes(const tern_graph *g, const tern_node *n, const char *attr, int input,
                           int64_t from_opset, int64_t *axes, int cap, int *count, int *present,
                           tern_err *err) {
    *count = 0;
    *present = 0;
    if (g->opset >= from_opset) {
        if (!tern_in(g, n, input)) return TERN_OK;
        *present = 1;
        tern_status st = tern_const_ints(g, n, input, axes, cap, count, err);
        if (st != TERN_OK) tern_err_prefix(err, "axes");
        return st;
    }
    const tern_attr *a = tern_node_attr(n, attr);
    if (!a) return TERN_OK;
    if (a->type != TERN_ATTR_INTS && a->type != TERN_ATTR_INT)
        return tern_errf(err, TERN_ERR_SHAPE, "attribute %s must be ints", attr);
    if (a->type == TERN_ATTR_INT) {
        axes[0] = a->i;
        *count = 1;
    } else {
        if (a->count > (size_t)cap)
            return tern_errf(err, TERN_ERR_SHAPE, "attribute %s has %zu values, at most %d allowed",
                             attr, a->count, cap);
        for (size_t k = 0; k < a->count; k++) axes[k] = a->ints[k];
        *count = (int)a->count;
    }
    *present = 1;
    return TERN_OK;
}

tern_status tern_axes_mask(const int64_t *axes, int count, int rank, int *mask, tern_err *err) {
    for (int k = 0; k < rank; k++) mask[k] = 0;
    for (int k = 0; k < count; k++) {
        int a;
        tern_status st = tern_norm_axis(axes[k], rank, &a, err);
        if (st != TERN_OK) return st;
        if (mask[a])
            return tern_errf(err, TERN_ERR_SHAPE, "axis %lld is listed twice", (long long)axes[k]);
        mask[a] = 1;
    }
    return TERN_OK;
}

int tern_is_numeric(tern_dtype dt) {
    return dt == TERN_FLOAT || dt == TERN_INT32 || dt == TERN_INT64;
}

int tern_is_binary_dtype(tern_dtype dt) {
    return tern_is_numeric(dt) || dt == TERN_INT8 || dt == TERN_UINT8 || dt == TERN_FLOAT16 ||
           dt == TERN_DOUBLE;
}

void tern_copy_view(void *dst, const void *src, size_t nbytes) {
    if (dst != src && nbytes) memmove(dst, src, nbytes);
}

int tern_mul_dims(int64_t a, int64_t b, int64_t *out) {
    if (a < 0 || b < 0 || (b != 0 && a > INT64_MAX / b)) return 0;
    *out = a * b;
    return 1;
}

int64_t tern_dims_prod(const int64_t *dims, int from, int to) {
    int64_t p = 1;
    for (int a = from; a < to; a++) p *= dims[a];
    return p;
}
