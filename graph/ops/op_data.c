/* Data movement: Transpose, Concat, Slice, Pad (any layout: strided
 * copies), Split, Gather, Tile, DepthToSpace, SpaceToDepth, Cast, CastLike
 * (plain tensors). Elements are copied as opaque bytes, so every dtype
 * works except where noted. */
#include <string.h>

#include "graph/op.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/cast.h"
#include "kernels/ref/index.h"
#include "kernels/ref/movement.h"
#include "kernels/ref/walk.h"

static void *alloc_params(tern_graph *g, size_t bytes, tern_err *err) {
    void *p = tern_pool_alloc(&g->pool, bytes);
    if (!p) tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    return p;
}

/* ---- Transpose ---- */

typedef struct transpose_params {
    int perm[TERN_MAX_RANK];
} transpose_params;

static tern_status infer_transpose(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    transpose_params *p = alloc_params(g, sizeof *p, err);
    if (!p) return TERN_ERR_NOMEM;
    const tern_attr *a = tern_node_attr(n, "perm");
    if (a && (a->type != TERN_ATTR_INTS || a->count != (size_t)x->rank))
        return tern_errf(err, TERN_ERR_SHAPE, "perm must list %d axes", x->rank);
    int seen[TERN_MAX_RANK] = {0};
    for (int k = 0; k < x->rank; k++) {
        int64_t v = a ? a->ints[k] : x->rank - 1 - k; /* default: reverse the axes */
        if (v < 0 || v >= x->rank || seen[v])
            return tern_errf(err, TERN_ERR_SHAPE, "perm is not a permutation of 0..%d", x->rank - 1);
        seen[v] = 1;
        p->perm[k] = (int)v;
    }
    int64_t dims[TERN_MAX_RANK];
    for (int k = 0; k < x->rank; k++) dims[k] = x->dims[p->perm[k]];
    tern_set_out(g, n, 0, x->dtype, x->rank, dims);
    n->params = p;
    return TERN_OK;
}

static tern_status run_transpose(const tern_graph *g, const tern_node *n, const void *const *in,
                                 void *const *out, tern_err *err) {
    (void)err;
    const transpose_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *o = tern_out(g, n, 0);
    int64_t sx[TERN_MAX_RANK], so[TERN_MAX_RANK], ss[TERN_MAX_RANK];
    tern_tensor_strides(x, sx);
    tern_tensor_strides(o, so);
    for (int k = 0; k < o->rank; k++) ss[k] = sx[p->perm[k]]; /* out axis k reads axis perm[k] */
    tern_ref_copy_strided(tern_dtype_size(o->dtype), o->rank, o->dims, out[0], so, in[0], ss);
    return TERN_OK;
}

const tern_op tern_op_Transpose = {"Transpose", "", TERN_OP_ANY_LAYOUT, infer_transpose,
                                   run_transpose};

/* ---- Concat ---- */

typedef struct axis_params {
    int axis;
} axis_params;

static tern_status infer_concat(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1 << 20, 1, 1, err);
    if (st != TERN_OK) return st;
    const tern_tensor *x0 = tern_in(g, n, 0);
    const tern_attr *a = tern_node_attr(n, "axis");
    int concat1 = g->opset > 0 && g->opset < 4; /* Concat-1: axis optional, default 1 */
    if (a ? a->type != TERN_ATTR_INT : !concat1)
        return tern_errf(err, TERN_ERR_SHAPE, "axis is required (an int)");
    axis_params *p = alloc_params(g, sizeof *p, err);
    if (!p) return TERN_ERR_NOMEM;
    if ((st = tern_norm_axis(a ? a->i : 1, x0->rank, &p->axis, err)) != TERN_OK) return st;
    int64_t dims[TERN_MAX_RANK];
    memcpy(dims, x0->dims, sizeof dims);
    dims[p->axis] = 0;
    for (int i = 0; i < n->n_inputs; i++) {
        const tern_tensor *x = tern_in(g, n, i);
        if (!x) return tern_errf(err, TERN_ERR_SHAPE, "input %d is missing", i);
        if ((st = tern_need_static(g, n, i, err)) != TERN_OK) return st;
        if (x->dtype != x0->dtype || x->rank != x0->rank)
            return tern_errf(err, TERN_ERR_SHAPE, "input %d is %s rank %d, input 0 %s rank %d", i,
                             tern_dtype_name(x->dtype), x->rank, tern_dtype_name(x0->dtype),
                             x0->rank);
        for (int k = 0; k < x->rank; k++)
            if (k != p->axis && x->dims[k] != x0->dims[k])
                return tern_errf(err, TERN_ERR_SHAPE, "input %d dim %d is %lld, input 0 has %lld",
                                 i, k, (long long)x->dims[k], (long long)x0->dims[k]);
        if (x->dims[p->axis] > INT64_MAX - dims[p->axis])
            return tern_errf(err, TERN_ERR_SHAPE, "concatenated dim overflows");
        dims[p->axis] += x->dims[p->axis];
    }
    tern_set_out(g, n, 0, x0->dtype, x0->rank, dims);
    n->params = p;
    return tern_check_out(g, n, 0, err);
}

static tern_status run_concat(const tern_graph *g, const tern_node *n, const void *const *in,
                              void *const *out, tern_err *err) {
    (void)err;
    const axis_params *p = n->params;
    const tern_tensor *o = tern_out(g, n, 0);
    int64_t so[TERN_MAX_RANK], sx[TERN_MAX_RANK], at = 0;
    size_t esz = tern_dtype_size(o->dtype);
    tern_tensor_strides(o, so);
    for (int i = 0; i < n->n_inputs; i++) {
        const tern_tensor *x = tern_in(g, n, i);
        tern_tensor_strides(x, sx);
        char *dst = (char *)out[0] + at * so[p->axis] * (int64_t)esz;
        tern_ref_copy_strided(esz, x->rank, x->dims, dst, so, in[i], sx);
        at += x->dims[p->axis];
    }
    return TERN_OK;
}

const tern_op tern_op_Concat = {"Concat", "", TERN_OP_ANY_LAYOUT, infer_concat, run_concat};

/* ---- Gather ---- */

/* Constant indices are checked now, so that a bad model fails at load. */
static tern_status check_const_indices(const tern_tensor *idx, int64_t dim, tern_err *err) {
    int i64 = idx->dtype == TERN_INT64;
    int64_t j = tern_index_first_bad(idx->data, i64, tern_tensor_numel(idx), dim);
    if (j >= 0)
        return tern_errf(err, TERN_ERR_SHAPE, "index %lld (at %lld) is out of range [%lld, %lld)",
                         (long long)tern_index_at(idx->data, i64, j), (long long)j,
                         (long long)-dim, (long long)dim);
    return TERN_OK;
}

static tern_status infer_gather(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 2, 1, 1, err);
    if (st != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0), *idx = tern_in(g, n, 1);
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 1, err)) != TERN_OK) return st;
    if (idx->dtype != TERN_INT64 && idx->dtype != TERN_INT32)
        return tern_errf(err, TERN_ERR_SHAPE, "indices must be int64 or int32, are %s",
                         tern_dtype_name(idx->dtype));
    if (x->rank < 1) return tern_errf(err, TERN_ERR_SHAPE, "data must have rank >= 1");
    axis_params *p = alloc_params(g, sizeof *p, err);
    if (!p) return TERN_ERR_NOMEM;
    if ((st = tern_norm_axis(tern_attr_int(n, "axis", 0), x->rank, &p->axis, err)) != TERN_OK)
        return st;
    int r = x->rank - 1 + idx->rank;
    if (r > TERN_MAX_RANK)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "output rank %d is above %d", r, TERN_MAX_RANK);
    if (idx->data && (st = check_const_indices(idx, x->dims[p->axis], err)) != TERN_OK) return st;
    int64_t dims[TERN_MAX_RANK];
    int k = 0;
    for (int a = 0; a < p->axis; a++) dims[k++] = x->dims[a];
    for (int a = 0; a < idx->rank; a++) dims[k++] = idx->dims[a];
    for (int a = p->axis + 1; a < x->rank; a++) dims[k++] = x->dims[a];
    tern_set_out(g, n, 0, x->dtype, r, dims);
    n->params = p;
    return tern_check_out(g, n, 0, err);
}

static tern_status run_gather(const tern_graph *g, const tern_node *n, const void *const *in,
                              void *const *out, tern_err *err) {
    const axis_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *idx = tern_in(g, n, 1);
    int64_t outer = tern_dims_prod(x->dims, 0, p->axis);
    int64_t inner = tern_dims_prod(x->dims, p->axis + 1, x->rank);
    int64_t dim = x->dims[p->axis];
    int64_t bad = tern_ref_gather(tern_dtype_size(x->dtype), outer, dim, inner, in[0], in[1],
                                  idx->dtype == TERN_INT64, tern_tensor_numel(idx), out[0]);
    if (bad >= 0)
        return tern_errf(err, TERN_ERR_RUNTIME,
                         "index %lld (at position %lld) is out of range [%lld, %lld) for axis %d",
                         (long long)tern_index_at(in[1], idx->dtype == TERN_INT64, bad),
                         (long long)bad, (long long)-dim, (long long)dim, p->axis);
    return TERN_OK;
}

const tern_op tern_op_Gather = {"Gather", "", 0, infer_gather, run_gather};

/* ---- Slice ---- */

typedef struct slice_params {
    int64_t start[TERN_MAX_RANK], step[TERN_MAX_RANK];
} slice_params;

/* starts/ends/axes/steps: attributes before opset 10, constant inputs since */
static tern_status slice_args(const tern_graph *g, const tern_node *n, int64_t v[4][TERN_MAX_RANK],
                              int cnt[4], tern_err *err) {
    static const char *const names[4] = {"starts", "ends", "axes", "steps"};
    for (int i = 0; i < 4; i++) {
        int present;
        tern_status st = tern_read_axes(g, n, names[i], i + 1, 10, v[i], TERN_MAX_RANK, &cnt[i],
                                        &present, err);
        if (st != TERN_OK) {
            tern_err_prefix(err, "Slice %s", names[i]);
            return st;
        }
        if (!present) cnt[i] = -1;
    }
    if (cnt[0] < 0 || cnt[1] < 0 || cnt[0] != cnt[1] || (cnt[2] >= 0 && cnt[2] != cnt[0]) ||
        (cnt[3] >= 0 && cnt[3] != cnt[0]))
        return tern_errf(err, TERN_ERR_SHAPE, "starts, ends, axes and steps must have one length");
    return TERN_OK;
}

/* Clamp one axis's slice as ONNX says; *len gets the number of elements. */
static void slice_axis(int64_t d, int64_t start, int64_t end, int64_t step, int64_t *first,
                       int64_t *len) {
    if (start < 0) start += d;
    if (end < 0) end += d;
    uint64_t span, ustep;
    if (step > 0) {
        start = start < 0 ? 0 : start > d ? d : start;
        end = end < 0 ? 0 : end > d ? d : end;
        span = end > start ? (uint64_t)(end - start) : 0;
        ustep = (uint64_t)step;
    } else {
        start = start < 0 ? 0 : start > d - 1 ? d - 1 : start;
        end = end < -1 ? -1 : end > d - 1 ? d - 1 : end;
        span = start > end ? (uint64_t)(start - end) : 0;
        ustep = (uint64_t)0 - (uint64_t)step; /* |step| without overflow at INT64_MIN */
    }
    *first = start;
    *len = d == 0 ? 0 : (int64_t)(span / ustep + (span % ustep != 0)); /* ceil, no overflow */
}

static tern_status infer_slice(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, g->opset >= 10 ? 3 : 1, g->opset >= 10 ? 5 : 1, 1, 1,
                                      err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t v[4][TERN_MAX_RANK];
    int cnt[4], mask[TERN_MAX_RANK];
    if ((st = slice_args(g, n, v, cnt, err)) != TERN_OK) return st;
    if (cnt[2] < 0)
        for (int k = 0; k < cnt[0]; k++) v[2][k] = k;
    if ((st = tern_axes_mask(v[2], cnt[0], x->rank, mask, err)) != TERN_OK) return st;
    slice_params *p = alloc_params(g, sizeof *p, err);
    if (!p) return TERN_ERR_NOMEM;
    int64_t dims[TERN_MAX_RANK];
    for (int a = 0; a < x->rank; a++) p->start[a] = 0, p->step[a] = 1, dims[a] = x->dims[a];
    for (int k = 0; k < cnt[0]; k++) {
        int a = (int)(v[2][k] < 0 ? v[2][k] + x->rank : v[2][k]);
        int64_t step = cnt[3] >= 0 ? v[3][k] : 1;
        if (step == 0) return tern_errf(err, TERN_ERR_SHAPE, "steps[%d] is 0", k);
        slice_axis(x->dims[a], v[0][k], v[1][k], step, &p->start[a], &dims[a]);
        /* one element or none: the step is never taken (and a huge one would
         * overflow step * stride in run) */
        p->step[a] = dims[a] > 1 ? step : 1;
    }
    tern_set_out(g, n, 0, x->dtype, x->rank, dims);
    n->params = p;
    return TERN_OK;
}

static tern_status run_slice(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    (void)err;
    const slice_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *o = tern_out(g, n, 0);
    if (tern_tensor_numel(o) == 0) return TERN_OK; /* start may point past the end */
    int64_t sx[TERN_MAX_RANK], so[TERN_MAX_RANK], ss[TERN_MAX_RANK], base = 0;
    size_t esz = tern_dtype_size(x->dtype);
    tern_tensor_strides(x, sx);
    tern_tensor_strides(o, so);
    for (int a = 0; a < x->rank; a++) {
        base += p->start[a] * sx[a];
        ss[a] = p->step[a] * sx[a];
    }
    const char *src = (const char *)in[0] + base * (int64_t)esz;
    tern_ref_copy_strided(esz, o->rank, o->dims, out[0], so, src, ss);
    return TERN_OK;
}

const tern_op tern_op_Slice = {"Slice", "", TERN_OP_ANY_LAYOUT, infer_slice, run_slice};

/* ---- Split ---- */

typedef struct split_params {
    int axis;
    int64_t *sizes; /* one per output */
} split_params;

/* Sizes from the split input/attribute, or equal parts (the last one
 * smaller when num_outputs does not divide the dim, opset 18). */
static tern_status split_sizes(const tern_graph *g, const tern_node *n, int64_t d,
                               int64_t *sizes, tern_err *err) {
    int no = n->n_outputs, count = 0, present = 0;
    tern_status st = tern_read_axes(g, n, "split", 1, 13, sizes, no, &count, &present, err);
    if (st != TERN_OK) return st;
    if (present && count > 0) {
        if (count != no)
            return tern_errf(err, TERN_ERR_SHAPE, "split has %d sizes for %d outputs", count, no);
        int64_t sum = 0;
        for (int i = 0; i < no; i++) {
            if (sizes[i] < 0 || sizes[i] > d - sum)
                return tern_errf(err, TERN_ERR_SHAPE, "split sizes do not add up to %lld",
                                 (long long)d);
            sum += sizes[i];
        }
        if (sum != d)
            return tern_errf(err, TERN_ERR_SHAPE, "split sizes add up to %lld, not %lld",
                             (long long)sum, (long long)d);
        return TERN_OK;
    }
    int uneven = tern_node_attr(n, "num_outputs") != NULL;
    if (uneven && tern_attr_int(n, "num_outputs", 0) != no)
        return tern_errf(err, TERN_ERR_SHAPE, "num_outputs is %lld but the node has %d outputs",
                         (long long)tern_attr_int(n, "num_outputs", 0), no);
    if (!uneven && d % no != 0)
        return tern_errf(err, TERN_ERR_SHAPE, "dim %lld does not split into %d equal parts",
                         (long long)d, no);
    int64_t part = (d + no - 1) / no, left = d;
    for (int i = 0; i < no; i++) {
        sizes[i] = part < left ? part : left;
        left -= sizes[i];
    }
    return TERN_OK;
}

static tern_status infer_split(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 2, 1, 1 << 16, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    split_params *p = alloc_params(g, sizeof *p, err);
    if (!p) return TERN_ERR_NOMEM;
    p->sizes = tern_pool_alloc_array(&g->pool, (size_t)n->n_outputs, sizeof(int64_t));
    if (!p->sizes) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    if ((st = tern_norm_axis(tern_attr_int(n, "axis", 0), x->rank, &p->axis, err)) != TERN_OK)
        return st;
    if ((st = split_sizes(g, n, x->dims[p->axis], p->sizes, err)) != TERN_OK) return st;
    int64_t dims[TERN_MAX_RANK];
    memcpy(dims, x->dims, sizeof dims);
    for (int i = 0; i < n->n_outputs; i++) {
        dims[p->axis] = p->sizes[i];
        tern_set_out(g, n, i, x->dtype, x->rank, dims);
    }
    n->params = p;
    return TERN_OK;
}

static tern_status run_split(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    (void)err;
    const split_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t sx[TERN_MAX_RANK], so[TERN_MAX_RANK], at = 0;
    size_t esz = tern_dtype_size(x->dtype);
    tern_tensor_strides(x, sx);
    for (int i = 0; i < n->n_outputs; i++) {
        const tern_tensor *o = tern_out(g, n, i);
        if (o) {
            tern_tensor_strides(o, so);
            const char *src = (const char *)in[0] + at * sx[p->axis] * (int64_t)esz;
            tern_ref_copy_strided(esz, o->rank, o->dims, out[i], so, src, sx);
        }
        at += p->sizes[i];
    }
    return TERN_OK;
}

const tern_op tern_op_Split = {"Split", "", 0, infer_split, run_split};

/* ---- Pad ---- */

typedef struct pad_params {
    tern_pad_mode mode;
    int64_t begin[TERN_MAX_RANK];
    unsigned char value[8]; /* the constant, in the data's dtype */
} pad_params;

static tern_status pad_mode(const tern_node *n, tern_pad_mode *mode, tern_err *err) {
    const char *m = tern_attr_string(n, "mode", "constant");
    if (strcmp(m, "constant") == 0) *mode = TERN_PAD_CONSTANT;
    else if (strcmp(m, "reflect") == 0) *mode = TERN_PAD_REFLECT;
    else if (strcmp(m, "edge") == 0) *mode = TERN_PAD_EDGE;
    else return tern_errf(err, TERN_ERR_UNSUPPORTED, "Pad mode '%s' is not supported", m);
    return TERN_OK;
}

/* The constant value: input 2 (opset >= 11, same dtype as the data) or the
 * float attribute `value` (older). */
static tern_status pad_value(const tern_graph *g, const tern_node *n, pad_params *p,
                             tern_err *err) {
    const tern_tensor *x = tern_in(g, n, 0);
    if (g->opset >= 11) {
        const tern_tensor *c = tern_in(g, n, 2);
        if (!c) return TERN_OK;
        if (!c->data)
            return tern_errf(err, TERN_ERR_UNSUPPORTED, "constant_value must be a constant");
        if (c->dtype != x->dtype || tern_tensor_numel(c) != 1)
            return tern_errf(err, TERN_ERR_SHAPE, "constant_value must be one %s",
                             tern_dtype_name(x->dtype));
        memcpy(p->value, c->data, tern_dtype_size(c->dtype));
        return TERN_OK;
    }
    float v = tern_attr_float(n, "value", 0.0f);
    if (x->dtype == TERN_FLOAT) memcpy(p->value, &v, 4);
    else if (v != 0.0f)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "Pad value on %s data",
                         tern_dtype_name(x->dtype));
    return TERN_OK;
}

/* Pads per axis (begin, end) from the attribute or the constant inputs. */
static tern_status pad_amounts(const tern_graph *g, const tern_node *n, int rank,
                               int64_t *begin, int64_t *end, tern_err *err) {
    int64_t pads[2 * TERN_MAX_RANK], axes[TERN_MAX_RANK];
    int np, na = rank, present;
    tern_status st =
        tern_read_axes(g, n, "pads", 1, 11, pads, 2 * TERN_MAX_RANK, &np, &present, err);
    if (st != TERN_OK) return st;
    if (!present) return tern_errf(err, TERN_ERR_SHAPE, "pads are required");
    if (g->opset >= 18 && tern_in(g, n, 3)) {
        if ((st = tern_const_ints(g, n, 3, axes, TERN_MAX_RANK, &na, err)) != TERN_OK) return st;
    } else {
        for (int k = 0; k < rank; k++) axes[k] = k;
    }
    int mask[TERN_MAX_RANK];
    if ((st = tern_axes_mask(axes, na, rank, mask, err)) != TERN_OK) return st;
    if (np != 2 * na)
        return tern_errf(err, TERN_ERR_SHAPE, "pads has %d values, expected %d", np, 2 * na);
    for (int k = 0; k < rank; k++) begin[k] = end[k] = 0;
    for (int k = 0; k < na; k++) {
        int a = (int)(axes[k] < 0 ? axes[k] + rank : axes[k]);
        begin[a] = pads[k];
        end[a] = pads[na + k];
    }
    return TERN_OK;
}

static tern_status infer_pad(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, g->opset >= 11 ? 4 : 1, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (tern_dtype_size(x->dtype) == 0 || tern_dtype_size(x->dtype) > 8)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s", tern_dtype_name(x->dtype));
    pad_params *p = alloc_params(g, sizeof *p, err);
    if (!p) return TERN_ERR_NOMEM;
    int64_t end[TERN_MAX_RANK], dims[TERN_MAX_RANK];
    if ((st = pad_mode(n, &p->mode, err)) != TERN_OK) return st;
    if ((st = pad_value(g, n, p, err)) != TERN_OK) return st;
    if ((st = pad_amounts(g, n, x->rank, p->begin, end, err)) != TERN_OK) return st;
    for (int a = 0; a < x->rank; a++) {
        int64_t b = p->begin[a], e = end[a], d = x->dims[a];
        if (b < -d || e < -d || b > (INT64_MAX >> 2) || e > (INT64_MAX >> 2) || d + b + e < 0)
            return tern_errf(err, TERN_ERR_SHAPE, "pads %lld, %lld do not fit axis %d of size %lld",
                             (long long)b, (long long)e, a, (long long)d);
        if (p->mode != TERN_PAD_CONSTANT && d == 0 && (b > 0 || e > 0))
            return tern_errf(err, TERN_ERR_SHAPE, "cannot %s-pad the empty axis %d",
                             p->mode == TERN_PAD_EDGE ? "edge" : "reflect", a);
        dims[a] = d + b + e;
    }
    tern_set_out(g, n, 0, x->dtype, x->rank, dims);
    n->params = p;
    return tern_check_out(g, n, 0, err);
}

int tern_pad_is_zero(const tern_graph *g, const tern_node *n, int64_t *begin, int64_t *end) {
    const pad_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *o = tern_out(g, n, 0);
    float v;
    if (!p || !x || !o || x->dtype != TERN_FLOAT || p->mode != TERN_PAD_CONSTANT) return 0;
    memcpy(&v, p->value, sizeof v);
    if (v != 0.0f) return 0;
    for (int a = 0; a < x->rank; a++) {
        begin[a] = p->begin[a];
        end[a] = o->dims[a] - x->dims[a] - p->begin[a];
    }
    return 1;
}

static tern_status run_pad(const tern_graph *g, const tern_node *n, const void *const *in,
                           void *const *out, tern_err *err) {
    (void)err;
    const pad_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *o = tern_out(g, n, 0);
    int64_t sx[TERN_MAX_RANK], so[TERN_MAX_RANK];
    tern_tensor_strides(x, sx);
    tern_tensor_strides(o, so);
    tern_ref_pad(tern_dtype_size(x->dtype), p->mode, x->rank, x->dims, in[0], sx, o->dims, out[0],
                 so, p->begin, p->value);
    return TERN_OK;
}

const tern_op tern_op_Pad = {"Pad", "", TERN_OP_ANY_LAYOUT, infer_pad, run_pad};

/* ---- Tile ---- */

static tern_status infer_tile(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 2, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t rep[TERN_MAX_RANK], dims[TERN_MAX_RANK];
    int r;
    if ((st = tern_const_ints(g, n, 1, rep, TERN_MAX_RANK, &r, err)) != TERN_OK) {
        tern_err_prefix(err, "Tile repeats");
        return st;
    }
    if (r != x->rank)
        return tern_errf(err, TERN_ERR_SHAPE, "repeats has %d values for rank %d", r, x->rank);
    for (int a = 0; a < r; a++) {
        if (rep[a] < 0 || (x->dims[a] && rep[a] > INT64_MAX / x->dims[a]))
            return tern_errf(err, TERN_ERR_SHAPE, "repeats[%d] = %lld is invalid", a,
                             (long long)rep[a]);
        dims[a] = x->dims[a] * rep[a];
    }
    tern_set_out(g, n, 0, x->dtype, r, dims);
    return tern_check_out(g, n, 0, err);
}

static tern_status run_tile(const tern_graph *g, const tern_node *n, const void *const *in,
                            void *const *out, tern_err *err) {
    (void)err;
    const tern_tensor *x = tern_in(g, n, 0), *o = tern_out(g, n, 0);
    int64_t sx[TERN_MAX_RANK], so[TERN_MAX_RANK];
    tern_tensor_strides(x, sx);
    tern_tensor_strides(o, so);
    tern_ref_tile(tern_dtype_size(x->dtype), x->rank, x->dims, in[0], sx, o->dims, out[0], so);
    return TERN_OK;
}

const tern_op tern_op_Tile = {"Tile", "", 0, infer_tile, run_tile};

/* ---- DepthToSpace, SpaceToDepth: a 6-D transpose between reshapes ----
 * DepthToSpace DCR: [N, b, b, C/b², H, W] -> perm 0,3,4,1,5,2
 * DepthToSpace CRD: [N, C/b², b, b, H, W] -> perm 0,1,4,2,5,3
 * SpaceToDepth:     [N, C, H/b, b, W/b, b] -> perm 0,3,5,1,2,4
 * and the result, read row-major, is the output. */

typedef struct d2s_params {
    int64_t in6[6]; /* the input seen as 6-D */
    int perm[6];
} d2s_params;

static tern_status d2s_too_large(tern_err *err) {
    return tern_errf(err, TERN_ERR_SHAPE, "output would be too large (a dim over 2^63)");
}

static tern_status d2s_geometry(const tern_node *n, const tern_tensor *x, int64_t b,
                                d2s_params *p, int64_t *dims, tern_err *err) {
    int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3], big;
    if (strcmp(n->op_type, "SpaceToDepth") == 0) {
        if (H % b || W % b)
            return tern_errf(err, TERN_ERR_SHAPE, "H %lld and W %lld must divide by blocksize %lld",
                             (long long)H, (long long)W, (long long)b);
        /* an empty input may have any other dim: C * b² is checked */
        if (!tern_mul_dims(C, b * b, &big)) return d2s_too_large(err);
        int64_t in6[6] = {N, C, H / b, b, W / b, b};
        int perm[6] = {0, 3, 5, 1, 2, 4};
        memcpy(p->in6, in6, sizeof in6), memcpy(p->perm, perm, sizeof perm);
        dims[0] = N, dims[1] = big, dims[2] = H / b, dims[3] = W / b;
        return TERN_OK;
    }
    if (C % (b * b))
        return tern_errf(err, TERN_ERR_SHAPE, "C %lld must divide by blocksize² %lld",
                         (long long)C, (long long)(b * b));
    const char *mode = tern_attr_string(n, "mode", "DCR");
    int crd = strcmp(mode, "CRD") == 0;
    if (!crd && strcmp(mode, "DCR") != 0)
        return tern_errf(err, TERN_ERR_SHAPE, "mode '%s' is neither DCR nor CRD", mode);
    int64_t c = C / (b * b), dcr6[6] = {N, b, b, c, H, W}, crd6[6] = {N, c, b, b, H, W};
    int dcrp[6] = {0, 3, 4, 1, 5, 2}, crdp[6] = {0, 1, 4, 2, 5, 3};
    memcpy(p->in6, crd ? crd6 : dcr6, sizeof dcr6);
    memcpy(p->perm, crd ? crdp : dcrp, sizeof dcrp);
    if (!tern_mul_dims(H, b, &big) || !tern_mul_dims(W, b, &big)) return d2s_too_large(err);
    dims[0] = N, dims[1] = c, dims[2] = H * b, dims[3] = W * b;
    return TERN_OK;
}

static tern_status infer_d2s(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->rank != 4) return tern_errf(err, TERN_ERR_SHAPE, "input must be 4-D, is %d-D", x->rank);
    int64_t b = tern_attr_int(n, "blocksize", 0), dims[4];
    if (b <= 0 || b > (1 << 15))
        return tern_errf(err, TERN_ERR_SHAPE, "blocksize %lld is invalid", (long long)b);
    d2s_params *p = alloc_params(g, sizeof *p, err);
    if (!p) return TERN_ERR_NOMEM;
    if ((st = d2s_geometry(n, x, b, p, dims, err)) != TERN_OK) return st;
    tern_set_out(g, n, 0, x->dtype, 4, dims);
    n->params = p;
    return tern_check_out(g, n, 0, err);
}

static tern_status run_d2s(const tern_graph *g, const tern_node *n, const void *const *in,
                           void *const *out, tern_err *err) {
    (void)err;
    const d2s_params *p = n->params;
    int64_t s6[6], ss[6], od[6], os[6];
    int64_t acc = 1;
    for (int k = 5; k >= 0; k--) s6[k] = acc, acc *= p->in6[k];
    /* output axis k walks input axis perm[k]; the output is row-major */
    for (int k = 0; k < 6; k++) od[k] = p->in6[p->perm[k]], ss[k] = s6[p->perm[k]];
    acc = 1;
    for (int k = 5; k >= 0; k--) os[k] = acc, acc *= od[k];
    tern_ref_copy_strided(tern_dtype_size(tern_in(g, n, 0)->dtype), 6, od, out[0], os, in[0], ss);
    return TERN_OK;
}

const tern_op tern_op_DepthToSpace = {"DepthToSpace", "", 0, infer_d2s, run_d2s};
const tern_op tern_op_SpaceToDepth = {"SpaceToDepth", "", 0, infer_d2s, run_d2s};

/* ---- Cast ---- */

typedef struct cast_params {
    tern_dtype to;
} cast_params;

/* Cast's target from the `to` attribute, CastLike's from input 1's dtype. */
static tern_status infer_cast(tern_graph *g, tern_node *n, tern_err *err) {
    int like = strcmp(n->op_type, "CastLike") == 0;
    tern_status st = tern_check_arity(g, n, like ? 2 : 1, like ? 2 : 1, 1, 1, err);
    if (st != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t to;
    if (like) {
        to = tern_in(g, n, 1)->dtype;
    } else {
        const tern_attr *a = tern_node_attr(n, "to");
        if (!a || a->type != TERN_ATTR_INT) return tern_errf(err, TERN_ERR_SHAPE, "to is required");
        to = a->i;
    }
    if (to < 0 || to > 64 || !tern_cast_supported((tern_dtype)to) ||
        !tern_cast_supported(x->dtype))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "Cast from %s to type %lld is not supported",
                         tern_dtype_name(x->dtype), (long long)to);
    cast_params *p = alloc_params(g, sizeof *p, err);
    if (!p) return TERN_ERR_NOMEM;
    p->to = (tern_dtype)to;
    tern_set_out(g, n, 0, p->to, x->rank, x->dims);
    n->params = p;
    return TERN_OK;
}

static tern_status run_cast(const tern_graph *g, const tern_node *n, const void *const *in,
                            void *const *out, tern_err *err) {
    (void)err;
    const cast_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    tern_ref_cast(x->dtype, in[0], p->to, out[0], tern_tensor_numel(x));
    return TERN_OK;
}

const tern_op tern_op_Cast = {"Cast", "", 0, infer_cast, run_cast};
const tern_op tern_op_CastLike = {"CastLike", "", 0, infer_cast, run_cast};
