/* Helpers shared by the infer functions of every op. */
#include <string.h>

#include "graph/op.h"
#include "kernels/ref/cast.h"

tern_tensor *tern_in(const tern_graph *g, const tern_node *n, int i) {
    if (i < 0 || i >= n->n_inputs || n->inputs[i] < 0) return NULL;
    return &g->tensors[n->inputs[i]];
}

tern_tensor *tern_out(const tern_graph *g, const tern_node *n, int i) {
    if (i < 0 || i >= n->n_outputs || n->outputs[i] < 0) return NULL;
    return &g->tensors[n->outputs[i]];
}

tern_status tern_check_arity(const tern_graph *g, const tern_node *n, int min_in, int max_in,
                             int min_out, int max_out, tern_err *err) {
    if (n->n_inputs < min_in || n->n_inputs > max_in)
        return tern_errf(err, TERN_ERR_SHAPE, "expects %d..%d inputs, has %d", min_in, max_in,
                         n->n_inputs);
    if (n->n_outputs < min_out || n->n_outputs > max_out)
        return tern_errf(err, TERN_ERR_SHAPE, "expects %d..%d outputs, has %d", min_out, max_out,
                         n->n_outputs);
    for (int i = 0; i < min_in; i++)
        if (!tern_in(g, n, i))
            return tern_errf(err, TERN_ERR_SHAPE, "required input %d is missing", i);
    for (int i = 0; i < n->n_inputs; i++) {
        const tern_tensor *t = tern_in(g, n, i);
        if (t && t->rank < 0)
            return tern_errf(err, TERN_ERR_SHAPE, "input %d ('%s') has an unknown shape", i,
                             t->name);
    }
    return TERN_OK;
}

void tern_set_out(tern_graph *g, const tern_node *n, int i, tern_dtype dt, int rank,
                  const int64_t *dims) {
    tern_tensor *t = tern_out(g, n, i);
    if (!t) return;
    t->dtype = dt;
    t->rank = rank;
    for (int k = 0; k < rank; k++) t->dims[k] = dims[k];
    t->layout = TERN_LAYOUT_PLAIN;
}

tern_status tern_const_ints(const tern_graph *g, const tern_node *n, int i, int64_t *vals,
                            int cap, int *count, tern_err *err) {
    const tern_tensor *t = tern_in(g, n, i);
    if (!t) return tern_errf(err, TERN_ERR_SHAPE, "input %d is missing", i);
    if (!t->data)
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "input %d ('%s') must be a constant (tern needs static shapes)", i,
                         t->name);
    if (t->dtype != TERN_INT64 && t->dtype != TERN_INT32)
        return tern_errf(err, TERN_ERR_SHAPE, "input %d ('%s') must be int64 or int32, is %s", i,
                         t->name, tern_dtype_name(t->dtype));
    int64_t ne = tern_tensor_numel(t);
    if (ne < 0 || ne > cap)
        return tern_errf(err, TERN_ERR_SHAPE, "input %d ('%s') has %lld values, at most %d allowed",
                         i, t->name, (long long)ne, cap);
    for (int64_t k = 0; k < ne; k++) {
        if (t->dtype == TERN_INT64) {
            int64_t v;
            memcpy(&v, (const char *)t->data + 8 * k, 8);
            vals[k] = v;
        } else {
            int32_t v;
            memcpy(&v, (const char *)t->data + 4 * k, 4);
            vals[k] = v;
        }
    }
    *count = (int)ne;
    return TERN_OK;
}

tern_status tern_const_float(const tern_graph *g, const tern_node *n, int i, float *val,
                             tern_err *err) {
    const tern_tensor *t = tern_in(g, n, i);
    if (!t) return tern_errf(err, TERN_ERR_SHAPE, "input %d is missing", i);
    if (!t->data)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "input %d ('%s') must be a constant", i,
                         t->name);
    if (tern_tensor_numel(t) != 1)
        return tern_errf(err, TERN_ERR_SHAPE, "input %d ('%s') must be a scalar", i, t->name);
    switch (t->dtype) {
    case TERN_FLOAT: memcpy(val, t->data, 4); return TERN_OK;
    case TERN_DOUBLE: {
        double d;
        memcpy(&d, t->data, 8);
        *val = (float)d;
        return TERN_OK;
    }
    case TERN_FLOAT16: {
        uint16_t h;
        memcpy(&h, t->data, 2);
        *val = tern_half_to_float(h);
        return TERN_OK;
    }
    default:
        return tern_errf(err, TERN_ERR_SHAPE, "input %d ('%s') must be a float scalar, is %s", i,
                         t->name, tern_dtype_name(t->dtype));
    }
}

tern_status tern_broadcast_shape(int ra, const int64_t *a, int rb, const int64_t *b, int *rout,
                                 int64_t *out, tern_err *err) {
    int r = ra > rb ? ra : rb;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - ra), ib = i - (r - rb);
        int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
        if (da == db || db == 1) {
            out[i] = da;
        } else if (da == 1) {
            out[i] = db;
        } else {
            return tern_errf(err, TERN_ERR_SHAPE, "shapes cannot be broadcast: dim %d is %lld vs %lld",
                             i, (long long)da, (long long)db);
        }
    }
    *rout = r;
    return TERN_OK;
}

tern_status tern_norm_axis(int64_t axis, int rank, int *out, tern_err *err) {
    if (axis < -rank || axis >= rank)
        return tern_errf(err, TERN_ERR_SHAPE, "axis %lld is out of range for rank %d",
                         (long long)axis, rank);
    *out = (int)(axis < 0 ? axis + rank : axis);
    return TERN_OK;
}
