/* Ops that change only shapes, or make tensors from attributes:
 * Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout (views: output 0
 * holds input 0's bytes), Shape and Size (computed from shapes alone),
 * Constant, ConstantOfShape, Range, Expand. Views only ever see plain
 * tensors. */
#include <math.h>
#include <string.h>

#include "graph/op.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/walk.h"

/* ---- views: the run of every one of them is a copy (unless aliased) ---- */

static tern_status run_view(const tern_graph *g, const tern_node *n, const void *const *in,
                            void *const *out, tern_err *err) {
    (void)err;
    tern_copy_view(out[0], in[0], tern_tensor_bytes(tern_in(g, n, 0)));
    return TERN_OK;
}

/* Output dims of Reshape: 0 copies the input dim (unless allowzero), one -1
 * takes what is left. */
static tern_status reshape_dims(const tern_tensor *x, const int64_t *shape, int r, int allowzero,
                                int64_t *dims, tern_err *err) {
    int infer_at = -1;
    int64_t known = 1, numel = tern_tensor_numel(x);
    for (int k = 0; k < r; k++) {
        int64_t d = shape[k];
        if (d == 0 && !allowzero) {
            if (k >= x->rank)
                return tern_errf(err, TERN_ERR_SHAPE, "shape[%d] is 0 but the input has rank %d",
                                 k, x->rank);
            d = x->dims[k];
        }
        if (d == -1) {
            if (infer_at >= 0)
                return tern_errf(err, TERN_ERR_SHAPE, "shape has more than one -1 (%d and %d)",
                                 infer_at, k);
            infer_at = k;
            continue;
        }
        if (d < 0) return tern_errf(err, TERN_ERR_SHAPE, "shape[%d] is %lld", k, (long long)d);
        if (d != 0 && known > INT64_MAX / d)
            return tern_errf(err, TERN_ERR_SHAPE, "shape does not fit the input's %lld elements",
                             (long long)numel);
        dims[k] = d;
        known *= d;
    }
    if (infer_at >= 0) {
        if (known == 0 || numel % known != 0)
            return tern_errf(err, TERN_ERR_SHAPE, "cannot infer the -1 dim: %lld elements into %lld",
                             (long long)numel, (long long)known);
        dims[infer_at] = numel / known;
        known = numel;
    }
    if (known != numel)
        return tern_errf(err, TERN_ERR_SHAPE, "shape has %lld elements, the input %lld",
                         (long long)known, (long long)numel);
    return TERN_OK;
}

static tern_status infer_reshape(tern_graph *g, tern_node *n, tern_err *err) {
    int old = g->opset > 0 && g->opset < 5; /* Reshape-1: shape attribute */
    tern_status st = tern_check_arity(g, n, old ? 1 : 2, old ? 1 : 2, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    int64_t shape[TERN_MAX_RANK];
    int r, present = 0;
    if (old) {
        st = tern_read_axes(g, n, "shape", 1, 5, shape, TERN_MAX_RANK, &r, &present, err);
        if (st == TERN_OK && !present) st = tern_errf(err, TERN_ERR_SHAPE, "no shape attribute");
    } else {
        st = tern_const_ints(g, n, 1, shape, TERN_MAX_RANK, &r, err);
        if (st != TERN_OK) tern_err_prefix(err, "Reshape shape");
    }
    if (st != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t dims[TERN_MAX_RANK];
    int allowzero = tern_attr_int(n, "allowzero", 0) != 0;
    if ((st = reshape_dims(x, shape, r, allowzero, dims, err)) != TERN_OK) return st;
    tern_set_out(g, n, 0, x->dtype, r, dims);
    return tern_check_out(g, n, 0, err); /* an empty result may still have huge dims */
}

static tern_status infer_flatten(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t axis = tern_attr_int(n, "axis", 1);
    if (axis < -x->rank || axis > x->rank) /* axis == rank is allowed: [numel, 1] */
        return tern_errf(err, TERN_ERR_SHAPE, "axis %lld is out of range for rank %d",
                         (long long)axis, x->rank);
    if (axis < 0) axis += x->rank;
    int64_t dims[2] = {1, 1};
    for (int k = 0; k < x->rank; k++) dims[k < axis ? 0 : 1] *= x->dims[k];
    tern_set_out(g, n, 0, x->dtype, 2, dims);
    return TERN_OK;
}

/* The node checks and axes Squeeze and Unsqueeze share: the axes are an
 * attribute before opset 13, an optional constant input since. */
static tern_status squeeze_axes(const tern_graph *g, const tern_node *n, int64_t *axes,
                                int *count, tern_err *err) {
    int present;
    tern_status st = tern_check_arity(g, n, 1, 2, 1, 1, err);
    if (st == TERN_OK) st = tern_need_static(g, n, 0, err);
    if (st == TERN_OK)
        st = tern_read_axes(g, n, "axes", 1, 13, axes, TERN_MAX_RANK, count, &present, err);
    return st;
}

static tern_status infer_squeeze(tern_graph *g, tern_node *n, tern_err *err) {
    int64_t axes[TERN_MAX_RANK];
    int count, mask[TERN_MAX_RANK];
    tern_status st = squeeze_axes(g, n, axes, &count, err);
    if (st != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if ((st = tern_axes_mask(axes, count, x->rank, mask, err)) != TERN_OK) return st;
    int64_t dims[TERN_MAX_RANK];
    int r = 0;
    for (int k = 0; k < x->rank; k++) {
        if (count == 0 ? x->dims[k] == 1 : mask[k]) {
            if (x->dims[k] != 1)
                return tern_errf(err, TERN_ERR_SHAPE, "cannot squeeze axis %d of size %lld", k,
                                 (long long)x->dims[k]);
            continue;
        }
        dims[r++] = x->dims[k];
    }
    tern_set_out(g, n, 0, x->dtype, r, dims);
    return TERN_OK;
}

static tern_status infer_unsqueeze(tern_graph *g, tern_node *n, tern_err *err) {
    int64_t axes[TERN_MAX_RANK];
    int count, mask[TERN_MAX_RANK];
    tern_status st = squeeze_axes(g, n, axes, &count, err);
    if (st != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (count == 0) return tern_errf(err, TERN_ERR_SHAPE, "axes are required");
    int r = x->rank + count;
    if (r > TERN_MAX_RANK)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "output rank %d is above %d", r, TERN_MAX_RANK);
    if ((st = tern_axes_mask(axes, count, r, mask, err)) != TERN_OK) return st;
    int64_t dims[TERN_MAX_RANK];
    for (int k = 0, j = 0; k < r; k++) dims[k] = mask[k] ? 1 : x->dims[j++];
    tern_set_out(g, n, 0, x->dtype, r, dims);
    return TERN_OK;
}

static tern_status infer_identity(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    tern_set_out(g, n, 0, x->dtype, x->rank, x->dims);
    return TERN_OK;
}

/* Dropout in inference: output = input, mask (optional) all true. Training
 * mode with a nonzero ratio would need random numbers: unsupported. */
static tern_status dropout_training(const tern_graph *g, const tern_node *n, tern_err *err) {
    const tern_tensor *tm = tern_in(g, n, 2);
    if (g->opset < 12 || !tm) return TERN_OK;
    if (!tm->data || tm->dtype != TERN_BOOL || tern_tensor_numel(tm) != 1)
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "training_mode must be a constant bool scalar for inference");
    if (!((const unsigned char *)tm->data)[0]) return TERN_OK;
    float ratio = 0.5f;
    if (tern_in(g, n, 1)) {
        tern_status st = tern_const_float(g, n, 1, &ratio, err);
        if (st != TERN_OK) return st;
    }
    if (ratio > 0.0f)
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "Dropout in training mode (ratio %g) is not supported", (double)ratio);
    return TERN_OK;
}

static tern_status infer_dropout(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 3, 1, 2, err);
    if (st != TERN_OK) return st;
    if ((st = dropout_training(g, n, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    tern_set_out(g, n, 0, x->dtype, x->rank, x->dims);
    if (tern_out(g, n, 1)) {
        if (g->opset > 0 && g->opset < 10)
            return tern_errf(err, TERN_ERR_UNSUPPORTED, "Dropout mask output before opset 10");
        tern_set_out(g, n, 1, TERN_BOOL, x->rank, x->dims);
    }
    return TERN_OK;
}

static tern_status run_dropout(const tern_graph *g, const tern_node *n, const void *const *in,
                               void *const *out, tern_err *err) {
    tern_status st = run_view(g, n, in, out, err);
    const tern_tensor *mask = tern_out(g, n, 1);
    if (st == TERN_OK && mask) memset(out[1], 1, tern_tensor_bytes(mask));
    return st;
}

const tern_op tern_op_Reshape = {"Reshape", "", TERN_OP_VIEW, infer_reshape, run_view};
const tern_op tern_op_Flatten = {"Flatten", "", TERN_OP_VIEW, infer_flatten, run_view};
const tern_op tern_op_Squeeze = {"Squeeze", "", TERN_OP_VIEW, infer_squeeze, run_view};
const tern_op tern_op_Unsqueeze = {"Unsqueeze", "", TERN_OP_VIEW, infer_unsqueeze, run_view};
const tern_op tern_op_Identity = {"Identity", "", TERN_OP_VIEW, infer_identity, run_view};
const tern_op tern_op_Dropout = {"Dropout", "", TERN_OP_VIEW, infer_dropout, run_dropout};

/* ---- Shape and Size: only the input's shape matters ---- */

typedef struct shape_params {
    int start, end; /* the slice of dims that Shape returns */
} shape_params;

static int clamp_dim_index(int64_t v, int rank) {
    if (v < 0) v += rank;
    return v < 0 ? 0 : v > rank ? rank : (int)v;
}

static tern_status infer_shape(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    shape_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    p->start = clamp_dim_index(tern_attr_int(n, "start", 0), x->rank);
    p->end = clamp_dim_index(tern_attr_int(n, "end", x->rank), x->rank);
    if (p->end < p->start) p->end = p->start;
    int64_t len = p->end - p->start;
    tern_set_out(g, n, 0, TERN_INT64, 1, &len);
    n->params = p;
    return TERN_OK;
}

static tern_status run_shape(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    (void)in, (void)err;
    const shape_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    for (int k = p->start; k < p->end; k++)
        memcpy((char *)out[0] + 8 * (k - p->start), &x->dims[k], 8);
    return TERN_OK;
}

static tern_status infer_size(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    tern_set_out(g, n, 0, TERN_INT64, 0, NULL);
    return TERN_OK;
}

static tern_status run_size(const tern_graph *g, const tern_node *n, const void *const *in,
                            void *const *out, tern_err *err) {
    (void)in, (void)err;
    int64_t v = tern_tensor_numel(tern_in(g, n, 0));
    memcpy(out[0], &v, 8);
    return TERN_OK;
}

const tern_op tern_op_Shape = {"Shape", "", TERN_OP_FOLD_ON_SHAPE, infer_shape, run_shape};
const tern_op tern_op_Size = {"Size", "", TERN_OP_FOLD_ON_SHAPE, infer_size, run_size};

/* ---- Constant, ConstantOfShape ---- */

typedef struct const_params {
    const void *data; /* the bytes of the output (Constant) or of one element */
    size_t bytes;
} const_params;

/* Constant's one value attribute into p, setting the output. */
static tern_status constant_value(tern_graph *g, tern_node *n, const tern_attr *a,
                                  const_params *p, tern_err *err) {
    int64_t len = (int64_t)a->count;
    if (strcmp(a->name, "value") == 0 && a->type == TERN_ATTR_TENSOR && a->t) {
        const tern_tensor *t = a->t;
        tern_set_out(g, n, 0, t->dtype, t->rank, t->dims);
        p->data = t->data;
        p->bytes = tern_tensor_bytes(t);
        if (tern_dtype_size(t->dtype) == 0 || tern_tensor_numel(t) < 0 || (p->bytes && !t->data))
            return tern_errf(err, TERN_ERR_UNSUPPORTED, "value tensor of dtype %s has no usable data",
                             tern_dtype_name(t->dtype));
    } else if (strcmp(a->name, "value_float") == 0 && a->type == TERN_ATTR_FLOAT) {
        float *v = tern_pool_alloc(&g->pool, 4);
        if (!v) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
        *v = a->f;
        p->data = v, p->bytes = 4;
        tern_set_out(g, n, 0, TERN_FLOAT, 0, NULL);
    } else if (strcmp(a->name, "value_floats") == 0 && a->type == TERN_ATTR_FLOATS) {
        p->data = a->floats, p->bytes = a->count * 4;
        tern_set_out(g, n, 0, TERN_FLOAT, 1, &len);
    } else if (strcmp(a->name, "value_int") == 0 && a->type == TERN_ATTR_INT) {
        int64_t *v = tern_pool_alloc(&g->pool, 8);
        if (!v) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
        *v = a->i;
        p->data = v, p->bytes = 8;
        tern_set_out(g, n, 0, TERN_INT64, 0, NULL);
    } else if (strcmp(a->name, "value_ints") == 0 && a->type == TERN_ATTR_INTS) {
        p->data = a->ints, p->bytes = a->count * 8;
        tern_set_out(g, n, 0, TERN_INT64, 1, &len);
    } else {
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "Constant attribute '%s' is not supported",
                         a->name);
    }
    return TERN_OK;
}

static tern_status infer_constant(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 0, 0, 1, 1, err);
    if (st != TERN_OK) return st;
    if (n->n_attrs != 1)
        return tern_errf(err, TERN_ERR_SHAPE, "Constant needs exactly one attribute, has %d",
                         n->n_attrs);
    const_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    if ((st = constant_value(g, n, &n->attrs[0], p, err)) != TERN_OK) return st;
    n->params = p;
    return TERN_OK;
}

static tern_status run_constant(const tern_graph *g, const tern_node *n, const void *const *in,
                                void *const *out, tern_err *err) {
    (void)g, (void)in, (void)err;
    const const_params *p = n->params;
    if (p->bytes) memcpy(out[0], p->data, p->bytes);
    return TERN_OK;
}

static const float ZERO_F32 = 0.0f;

static tern_status infer_constant_of_shape(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st != TERN_OK) return st;
    int64_t dims[TERN_MAX_RANK];
    int r;
    if ((st = tern_const_ints(g, n, 0, dims, TERN_MAX_RANK, &r, err)) != TERN_OK) return st;
    for (int k = 0; k < r; k++)
        if (dims[k] < 0)
            return tern_errf(err, TERN_ERR_SHAPE, "shape[%d] is %lld", k, (long long)dims[k]);
    const_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    tern_dtype dt = TERN_FLOAT;
    p->data = &ZERO_F32, p->bytes = 4;
    const tern_attr *a = tern_node_attr(n, "value");
    if (a) {
        if (a->type != TERN_ATTR_TENSOR || !a->t || tern_tensor_numel(a->t) != 1 ||
            tern_dtype_size(a->t->dtype) == 0 || !a->t->data)
            return tern_errf(err, TERN_ERR_SHAPE, "value must be a one-element tensor");
        dt = a->t->dtype;
        p->data = a->t->data, p->bytes = tern_dtype_size(dt);
    }
    tern_set_out(g, n, 0, dt, r, dims);
    n->params = p;
    return tern_check_out(g, n, 0, err);
}

static tern_status run_constant_of_shape(const tern_graph *g, const tern_node *n,
                                         const void *const *in, void *const *out, tern_err *err) {
    (void)in, (void)err;
    const const_params *p = n->params;
    tern_ref_fill(p->bytes, tern_tensor_numel(tern_out(g, n, 0)), out[0], p->data);
    return TERN_OK;
}

const tern_op tern_op_Constant = {"Constant", "", 0, infer_constant, run_constant};
const tern_op tern_op_ConstantOfShape = {"ConstantOfShape", "", 0, infer_constant_of_shape,
                                         run_constant_of_shape};

/* ---- Range(start, limit, delta): its length depends on the values, so
 * they must be constants ---- */

/* a scalar input as int64 (integer types) or double (float) */
static tern_status range_scalar(const tern_graph *g, const tern_node *n, int i, int64_t *iv,
                                double *fv, tern_err *err) {
    const tern_tensor *t = tern_in(g, n, i);
    if (!t->data)
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "Range input %d ('%s') must be a constant (tern needs static shapes)", i,
                         t->name);
    if (tern_tensor_numel(t) != 1)
        return tern_errf(err, TERN_ERR_SHAPE, "Range input %d must be a scalar", i);
    if (t->dtype == TERN_FLOAT) {
        float f;
        memcpy(&f, t->data, 4);
        *fv = f;
    } else if (t->dtype == TERN_INT64) {
        memcpy(iv, t->data, 8);
    } else {
        int32_t v;
        memcpy(&v, t->data, 4);
        *iv = v;
    }
    return TERN_OK;
}

/* number of elements: ceil((limit - start) / delta), at least 0 */
static tern_status range_count(tern_dtype dt, const int64_t *iv, const double *fv, int64_t *count,
                               tern_err *err) {
    if (dt == TERN_FLOAT) {
        if (fv[2] == 0 || fv[2] != fv[2])
            return tern_errf(err, TERN_ERR_SHAPE, "Range delta is %g", fv[2]);
        double c = ceil((fv[1] - fv[0]) / fv[2]);
        if (!(c < 1e12)) return tern_errf(err, TERN_ERR_SHAPE, "Range is too long or NaN");
        *count = c > 0 ? (int64_t)c : 0;
        return TERN_OK;
    }
    int64_t s = iv[0], l = iv[1], d = iv[2];
    if (d == 0) return tern_errf(err, TERN_ERR_SHAPE, "Range delta is 0");
    /* differences and |delta| in uint64 never overflow */
    uint64_t span = d > 0 ? (l > s ? (uint64_t)l - (uint64_t)s : 0)
                          : (s > l ? (uint64_t)s - (uint64_t)l : 0);
    uint64_t step = d > 0 ? (uint64_t)d : (uint64_t)0 - (uint64_t)d;
    uint64_t c = span / step + (span % step != 0);
    if (c > ((uint64_t)1 << 40)) return tern_errf(err, TERN_ERR_SHAPE, "Range is too long");
    *count = (int64_t)c;
    return TERN_OK;
}

static tern_status infer_range(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 3, 3, 1, 1, err);
    if (st != TERN_OK) return st;
    tern_dtype dt = tern_in(g, n, 0)->dtype;
    if (dt != TERN_FLOAT && dt != TERN_INT64 && dt != TERN_INT32)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "Range of %s", tern_dtype_name(dt));
    int64_t iv[3] = {0, 0, 0};
    double fv[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (tern_in(g, n, i)->dtype != dt)
            return tern_errf(err, TERN_ERR_SHAPE, "Range inputs must share one dtype");
        if ((st = range_scalar(g, n, i, &iv[i], &fv[i], err)) != TERN_OK) return st;
    }
    int64_t count;
    if ((st = range_count(dt, iv, fv, &count, err)) != TERN_OK) return st;
    tern_set_out(g, n, 0, dt, 1, &count);
    return tern_check_out(g, n, 0, err);
}

/* output[i] = start + i * delta, in the inputs' type (integers wrap) */
static tern_status run_range(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    (void)err;
    const tern_tensor *o = tern_out(g, n, 0);
    int64_t count = o->dims[0];
    if (o->dtype == TERN_FLOAT) {
        float s, d;
        memcpy(&s, in[0], 4), memcpy(&d, in[2], 4);
        for (int64_t i = 0; i < count; i++) ((float *)out[0])[i] = s + (float)i * d;
    } else if (o->dtype == TERN_INT64) {
        uint64_t s, d;
        memcpy(&s, in[0], 8), memcpy(&d, in[2], 8);
        for (int64_t i = 0; i < count; i++) ((int64_t *)out[0])[i] = (int64_t)(s + (uint64_t)i * d);
    } else {
        int32_t s, d;
        memcpy(&s, in[0], 4), memcpy(&d, in[2], 4);
        for (int64_t i = 0; i < count; i++)
            ((int32_t *)out[0])[i] = (int32_t)((uint32_t)s + (uint32_t)i * (uint32_t)d);
    }
    return TERN_OK;
}

const tern_op tern_op_Range = {"Range", "", 0, infer_range, run_range};

/* ---- Expand: broadcast the input to (input shape) x (shape) ---- */

static tern_status infer_expand(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 2, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    int64_t shape[TERN_MAX_RANK], dims[TERN_MAX_RANK];
    int rs, r;
    if ((st = tern_const_ints(g, n, 1, shape, TERN_MAX_RANK, &rs, err)) != TERN_OK) {
        tern_err_prefix(err, "Expand shape");
        return st;
    }
    for (int k = 0; k < rs; k++)
        if (shape[k] < 0)
            return tern_errf(err, TERN_ERR_SHAPE, "shape[%d] is %lld", k, (long long)shape[k]);
    const tern_tensor *x = tern_in(g, n, 0);
    if ((st = tern_broadcast_shape(x->rank, x->dims, rs, shape, &r, dims, err)) != TERN_OK)
        return st;
    tern_set_out(g, n, 0, x->dtype, r, dims);
    return tern_check_out(g, n, 0, err);
}

static tern_status run_expand(const tern_graph *g, const tern_node *n, const void *const *in,
                              void *const *out, tern_err *err) {
    (void)err;
    const tern_tensor *x = tern_in(g, n, 0), *o = tern_out(g, n, 0);
    int64_t so[TERN_MAX_RANK], sx[TERN_MAX_RANK];
    tern_tensor_strides(o, so);
    tern_bcast_strides(x, o->rank, sx);
    tern_ref_copy_strided(tern_dtype_size(o->dtype), o->rank, o->dims, out[0], so, in[0], sx);
    return TERN_OK;
}

const tern_op tern_op_Expand = {"Expand", "", TERN_OP_ANY_LAYOUT, infer_expand, run_expand};
