/* Indexing ops (plain tensors): GatherElements, ScatterElements (and the
 * older Scatter), GatherND, ScatterND, Trilu, CumSum, OneHot, TopK,
 * ReverseSequence, EyeLike.
 * Index inputs may be runtime data: they are checked in infer when
 * constant (TERN_ERR_SHAPE) and in run otherwise (TERN_ERR_RUNTIME). */
#include <string.h>

#include "graph/op.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/index.h"

typedef struct index_params {
    int axis;
    int b;                 /* GatherND batch_dims */
    tern_scatter_red red;  /* scatter reduction */
    int64_t k;             /* TopK k, Trilu/EyeLike diagonal */
    int flag_a, flag_b;    /* CumSum exclusive/reverse, TopK largest, Trilu upper */
} index_params;

static index_params *new_params(tern_graph *g, tern_node *n, tern_err *err) {
    index_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    n->params = p;
    return p;
}

static tern_status need_indices(const tern_tensor *t, tern_err *err) {
    if (t->dtype != TERN_INT64 && t->dtype != TERN_INT32)
        return tern_errf(err, TERN_ERR_SHAPE, "indices must be int64 or int32, are %s",
                         tern_dtype_name(t->dtype));
    return TERN_OK;
}

static tern_status bad_index(int64_t at, int in_infer, tern_err *err) {
    return tern_errf(err, in_infer ? TERN_ERR_SHAPE : TERN_ERR_RUNTIME,
                     "index at position %lld is out of range", (long long)at);
}

/* ---- GatherElements, ScatterElements, Scatter ---- */

static tern_status parse_reduction(const tern_node *n, tern_dtype dt, tern_scatter_red *red,
                                   tern_err *err) {
    static const char *const NAMES[] = {"none", "add", "mul", "max", "min"};
    const char *r = tern_attr_string(n, "reduction", "none");
    for (int i = 0; i < 5; i++)
        if (strcmp(r, NAMES[i]) == 0) {
            *red = (tern_scatter_red)i;
            if (i && dt != TERN_FLOAT && dt != TERN_INT64)
                return tern_errf(err, TERN_ERR_UNSUPPORTED, "reduction '%s' on %s", r,
                                 tern_dtype_name(dt));
            return TERN_OK;
        }
    return tern_errf(err, TERN_ERR_UNSUPPORTED, "reduction '%s' is not supported", r);
}

static tern_status infer_elements(tern_graph *g, tern_node *n, tern_err *err) {
    int scatter = strcmp(n->op_type, "GatherElements") != 0;
    tern_status st = tern_check_arity(g, n, scatter ? 3 : 2, scatter ? 3 : 2, 1, 1, err);
    if (st != TERN_OK) return st;
    for (int i = 0; i < n->n_inputs; i++)
        if ((st = tern_need_static(g, n, i, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0), *idx = tern_in(g, n, 1);
    if ((st = need_indices(idx, err)) != TERN_OK) return st;
    if (idx->rank != x->rank || x->rank < 1)
        return tern_errf(err, TERN_ERR_SHAPE, "indices rank %d must equal data rank %d (>= 1)",
                         idx->rank, x->rank);
    index_params *p = new_params(g, n, err);
    if (!p) return TERN_ERR_NOMEM;
    if ((st = tern_norm_axis(tern_attr_int(n, "axis", 0), x->rank, &p->axis, err)) != TERN_OK)
        return st;
    for (int a = 0; a < x->rank; a++)
        if (a != p->axis && idx->dims[a] > x->dims[a])
            return tern_errf(err, TERN_ERR_SHAPE, "indices dim %d (%lld) exceeds data's %lld", a,
                             (long long)idx->dims[a], (long long)x->dims[a]);
    if (scatter) {
        const tern_tensor *u = tern_in(g, n, 2);
        if (u->dtype != x->dtype || u->rank != idx->rank ||
            memcmp(u->dims, idx->dims, sizeof(int64_t) * (size_t)idx->rank) != 0)
            return tern_errf(err, TERN_ERR_SHAPE, "updates must match the indices' shape and the data's dtype");
        if ((st = parse_reduction(n, x->dtype, &p->red, err)) != TERN_OK) return st;
    }
    if (idx->data) { /* constant indices: check now */
        int64_t ne = tern_tensor_numel(idx);
        for (int64_t j = 0; j < ne; j++) {
            int64_t v = tern_index_at(idx->data, idx->dtype == TERN_INT64, j);
            if (v < -x->dims[p->axis] || v >= x->dims[p->axis]) return bad_index(j, 1, err);
        }
    }
    const tern_tensor *shape = scatter ? x : idx;
    tern_set_out(g, n, 0, x->dtype, shape->rank, shape->dims);
    return TERN_OK;
}

static tern_status run_elements(const tern_graph *g, const tern_node *n, const void *const *in,
                                void *const *out, tern_err *err) {
    const index_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *idx = tern_in(g, n, 1);
    size_t esz = tern_dtype_size(x->dtype);
    int i64 = idx->dtype == TERN_INT64;
    int64_t bad;
    if (strcmp(n->op_type, "GatherElements") == 0) {
        bad = tern_ref_gather_elements(esz, x->rank, x->dims, in[0], idx->dims, in[1], i64,
                                       p->axis, out[0]);
    } else {
        tern_copy_view(out[0], in[0], tern_tensor_bytes(x));
        bad = tern_ref_scatter_elements(esz, x->dtype == TERN_FLOAT, p->red, x->rank, x->dims,
                                        out[0], idx->dims, in[1], i64, in[2], p->axis);
    }
    return bad >= 0 ? bad_index(bad, 0, err) : TERN_OK;
}

const tern_op tern_op_GatherElements = {"GatherElements", "", 0, infer_elements, run_elements};
const tern_op tern_op_ScatterElements = {"ScatterElements", "", 0, infer_elements, run_elements};
const tern_op tern_op_Scatter = {"Scatter", "", 0, infer_elements, run_elements};

/* ---- GatherND, ScatterND ---- */

static tern_status infer_nd(tern_graph *g, tern_node *n, tern_err *err) {
    int scatter = strcmp(n->op_type, "ScatterND") == 0;
    tern_status st = tern_check_arity(g, n, scatter ? 3 : 2, scatter ? 3 : 2, 1, 1, err);
    if (st != TERN_OK) return st;
    for (int i = 0; i < n->n_inputs; i++)
        if ((st = tern_need_static(g, n, i, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0), *idx = tern_in(g, n, 1);
    if (idx->dtype != TERN_INT64)
        return tern_errf(err, TERN_ERR_SHAPE, "indices must be int64, are %s",
                         tern_dtype_name(idx->dtype));
    index_params *p = new_params(g, n, err);
    if (!p) return TERN_ERR_NOMEM;
    p->b = scatter ? 0 : (int)tern_attr_int(n, "batch_dims", 0);
    int q = idx->rank, r = x->rank;
    if (q < 1 || p->b < 0 || p->b >= q || p->b >= r)
        return tern_errf(err, TERN_ERR_SHAPE, "batch_dims %d does not fit ranks %d and %d", p->b,
                         r, q);
    int64_t k = idx->dims[q - 1];
    if (k < 1 || k > r - p->b)
        return tern_errf(err, TERN_ERR_SHAPE, "index tuples of %lld values for data rank %d",
                         (long long)k, r);
    for (int a = 0; a < p->b; a++)
        if (idx->dims[a] != x->dims[a])
            return tern_errf(err, TERN_ERR_SHAPE, "batch dim %d differs", a);
    p->k = k;
    /* GatherND output: indices dims but the last, then data dims after b + k */
    int64_t dims[2 * TERN_MAX_RANK];
    int orank = 0;
    for (int a = 0; a < q - 1; a++) dims[orank++] = idx->dims[a];
    for (int a = p->b + (int)k; a < r; a++) dims[orank++] = x->dims[a];
    if (orank > TERN_MAX_RANK)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "output rank %d is above %d", orank,
                         TERN_MAX_RANK);
    if (scatter) {
        const tern_tensor *u = tern_in(g, n, 2);
        if (u->dtype != x->dtype || u->rank != orank ||
            memcmp(u->dims, dims, sizeof(int64_t) * (size_t)orank) != 0)
            return tern_errf(err, TERN_ERR_SHAPE, "updates have the wrong shape or dtype");
        if ((st = parse_reduction(n, x->dtype, &p->red, err)) != TERN_OK) return st;
        tern_set_out(g, n, 0, x->dtype, r, x->dims);
        return TERN_OK;
    }
    tern_set_out(g, n, 0, x->dtype, orank, dims);
    return TERN_OK;
}

static tern_status run_nd(const tern_graph *g, const tern_node *n, const void *const *in,
                          void *const *out, tern_err *err) {
    const index_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *idx = tern_in(g, n, 1);
    size_t esz = tern_dtype_size(x->dtype);
    int k = (int)p->k;
    int64_t slice = tern_dims_prod(x->dims, p->b + k, x->rank);
    int64_t batches = tern_dims_prod(x->dims, 0, p->b);
    int64_t tuples = tern_dims_prod(idx->dims, p->b, idx->rank - 1);
    int64_t bad;
    if (strcmp(n->op_type, "ScatterND") == 0) {
        tern_copy_view(out[0], in[0], tern_tensor_bytes(x));
        bad = tern_ref_scatter_nd(esz, x->dtype == TERN_FLOAT, p->red, x->rank, x->dims, out[0],
                                  tuples, k, in[1], 1, in[2], slice);
    } else {
        bad = tern_ref_gather_nd(esz, x->rank, x->dims, in[0], p->b, batches, tuples, k, in[1], 1,
                                 slice, out[0]);
    }
    return bad >= 0 ? bad_index(bad, 0, err) : TERN_OK;
}

const tern_op tern_op_GatherND = {"GatherND", "", 0, infer_nd, run_nd};
const tern_op tern_op_ScatterND = {"ScatterND", "", 0, infer_nd, run_nd};

/* ---- Trilu: k may be a runtime scalar, read in run ---- */

static tern_status infer_trilu(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 2, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0), *k = tern_in(g, n, 1);
    if (x->rank < 2) return tern_errf(err, TERN_ERR_SHAPE, "input must have rank >= 2");
    if (tern_dtype_size(x->dtype) == 0) return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype");
    if (k && (k->dtype != TERN_INT64 || tern_tensor_numel(k) != 1))
        return tern_errf(err, TERN_ERR_SHAPE, "k must be an int64 scalar");
    index_params *p = new_params(g, n, err);
    if (!p) return TERN_ERR_NOMEM;
    p->flag_a = tern_attr_int(n, "upper", 1) != 0;
    tern_set_out(g, n, 0, x->dtype, x->rank, x->dims);
    return TERN_OK;
}

static tern_status run_trilu(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    (void)err;
    const index_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t k = 0, rows = x->dims[x->rank - 2], cols = x->dims[x->rank - 1];
    int64_t mats = tern_dims_prod(x->dims, 0, x->rank - 2);
    if (tern_in(g, n, 1)) memcpy(&k, in[1], 8); /* in[i] exists only for i < n_inputs */
    tern_ref_trilu(tern_dtype_size(x->dtype), mats, rows, cols, p->flag_a, k, in[0], out[0]);
    return TERN_OK;
}

const tern_op tern_op_Trilu = {"Trilu", "", 0, infer_trilu, run_trilu};

/* ---- CumSum: the axis is an input (a runtime one is checked in run) ---- */

static tern_status cumsum_axis(const tern_tensor *a, const void *data, int rank, int *axis,
                               int in_infer, tern_err *err) {
    int64_t v = tern_index_at(data, a->dtype == TERN_INT64, 0);
    if (v < -rank || v >= rank)
        return tern_errf(err, in_infer ? TERN_ERR_SHAPE : TERN_ERR_RUNTIME,
                         "axis %lld is out of range for rank %d", (long long)v, rank);
    *axis = (int)(v < 0 ? v + rank : v);
    return TERN_OK;
}

static tern_status infer_cumsum(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 2, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0), *a = tern_in(g, n, 1);
    if (x->dtype != TERN_FLOAT && x->dtype != TERN_DOUBLE && x->dtype != TERN_INT32 &&
        x->dtype != TERN_INT64)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s is not supported",
                         tern_dtype_name(x->dtype));
    if ((a->dtype != TERN_INT64 && a->dtype != TERN_INT32) || tern_tensor_numel(a) != 1)
        return tern_errf(err, TERN_ERR_SHAPE, "axis must be an int scalar");
    if (x->rank < 1) return tern_errf(err, TERN_ERR_SHAPE, "input must have rank >= 1");
    index_params *p = new_params(g, n, err);
    if (!p) return TERN_ERR_NOMEM;
    if (a->data && (st = cumsum_axis(a, a->data, x->rank, &p->axis, 1, err)) != TERN_OK) return st;
    p->flag_a = tern_attr_int(n, "exclusive", 0) != 0;
    p->flag_b = tern_attr_int(n, "reverse", 0) != 0;
    tern_set_out(g, n, 0, x->dtype, x->rank, x->dims);
    return TERN_OK;
}

static tern_status run_cumsum(const tern_graph *g, const tern_node *n, const void *const *in,
                              void *const *out, tern_err *err) {
    const index_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    int axis = 0;
    tern_status st = cumsum_axis(tern_in(g, n, 1), in[1], x->rank, &axis, 0, err);
    if (st != TERN_OK) return st;
    int64_t outer = tern_dims_prod(x->dims, 0, axis);
    int64_t inner = tern_dims_prod(x->dims, axis + 1, x->rank);
    tern_ref_cumsum(x->dtype == TERN_FLOAT || x->dtype == TERN_DOUBLE, tern_dtype_size(x->dtype), outer, x->dims[axis], inner,
                    p->flag_a, p->flag_b, in[0], out[0]);
    return TERN_OK;
}

const tern_op tern_op_CumSum = {"CumSum", "", 0, infer_cumsum, run_cumsum};

/* ---- OneHot(indices, depth, values): depth decides the shape, so it must
 * be constant; values [off, on] may be runtime ---- */

static tern_status infer_onehot(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 3, 3, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *idx = tern_in(g, n, 0), *d = tern_in(g, n, 1), *v = tern_in(g, n, 2);
    if (idx->dtype != TERN_INT64 && idx->dtype != TERN_INT32 && idx->dtype != TERN_FLOAT)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "indices of %s", tern_dtype_name(idx->dtype));
    if (tern_tensor_numel(v) != 2 || tern_dtype_size(v->dtype) == 0)
        return tern_errf(err, TERN_ERR_SHAPE, "values must hold [off, on]");
    float fdepth;
    int64_t depth;
    int cnt;
    if (d->dtype == TERN_FLOAT) {
        if ((st = tern_const_float(g, n, 1, &fdepth, err)) != TERN_OK) return st;
        depth = fdepth >= 1 && fdepth < (float)(1 << 30) ? (int64_t)fdepth : -1;
    } else if ((st = tern_const_ints(g, n, 1, &depth, 1, &cnt, err)) != TERN_OK || cnt != 1) {
        return st != TERN_OK ? st : tern_errf(err, TERN_ERR_SHAPE, "depth must be a scalar");
    }
    if (depth < 1 || depth > (1 << 30))
        return tern_errf(err, TERN_ERR_SHAPE, "depth %lld is invalid", (long long)depth);
    index_params *p = new_params(g, n, err);
    if (!p) return TERN_ERR_NOMEM;
    int r = idx->rank + 1;
    if (r > TERN_MAX_RANK) return tern_errf(err, TERN_ERR_UNSUPPORTED, "output rank %d", r);
    if ((st = tern_norm_axis(tern_attr_int(n, "axis", -1), r, &p->axis, err)) != TERN_OK)
        return st;
    p->k = depth;
    int64_t dims[TERN_MAX_RANK];
    for (int a = 0, j = 0; a < r; a++) dims[a] = a == p->axis ? depth : idx->dims[j++];
    tern_set_out(g, n, 0, v->dtype, r, dims);
    return tern_check_out(g, n, 0, err);
}

static tern_status run_onehot(const tern_graph *g, const tern_node *n, const void *const *in,
                              void *const *out, tern_err *err) {
    (void)err;
    const index_params *p = n->params;
    const tern_tensor *idx = tern_in(g, n, 0), *o = tern_out(g, n, 0);
    int64_t outer = tern_dims_prod(idx->dims, 0, p->axis);
    int64_t inner = tern_dims_prod(idx->dims, p->axis, idx->rank);
    size_t esz = tern_dtype_size(o->dtype);
    int kind = idx->dtype == TERN_INT64 ? TERN_IDX_I64
               : idx->dtype == TERN_INT32 ? TERN_IDX_I32
                                          : TERN_IDX_F32;
    const char *vals = in[2];
    tern_ref_onehot(esz, kind, in[0], outer, p->k, inner, vals, vals + esz, out[0]);
    return TERN_OK;
}

const tern_op tern_op_OneHot = {"OneHot", "", 0, infer_onehot, run_onehot};

/* ---- TopK(X, K): K decides the shape, so it must be constant ---- */

static tern_status infer_topk(tern_graph *g, tern_node *n, tern_err *err) {
    int old = g->opset > 0 && g->opset < 10; /* TopK-1: k attribute */
    tern_status st = tern_check_arity(g, n, old ? 1 : 2, old ? 1 : 2, 2, 2, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->dtype != TERN_FLOAT && x->dtype != TERN_INT64)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s is not supported (float32, int64)",
                         tern_dtype_name(x->dtype));
    index_params *p = new_params(g, n, err);
    if (!p) return TERN_ERR_NOMEM;
    int cnt = 1;
    if (old) p->k = tern_attr_int(n, "k", -1);
    else if ((st = tern_const_ints(g, n, 1, &p->k, 1, &cnt, err)) != TERN_OK) return st;
    if ((st = tern_norm_axis(tern_attr_int(n, "axis", -1), x->rank, &p->axis, err)) != TERN_OK)
        return st;
    if (cnt != 1 || p->k < 0 || p->k > x->dims[p->axis])
        return tern_errf(err, TERN_ERR_SHAPE, "k = %lld does not fit axis %d of size %lld",
                         (long long)p->k, p->axis, (long long)x->dims[p->axis]);
    p->flag_a = tern_attr_int(n, "largest", 1) != 0;
    if (!tern_out(g, n, 0) || !tern_out(g, n, 1)) /* both are the kernel's working space */
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "TopK needs both outputs");
    int64_t dims[TERN_MAX_RANK];
    memcpy(dims, x->dims, sizeof dims);
    dims[p->axis] = p->k;
    tern_set_out(g, n, 0, x->dtype, x->rank, dims);
    tern_set_out(g, n, 1, TERN_INT64, x->rank, dims);
    return TERN_OK;
}

static tern_status run_topk(const tern_graph *g, const tern_node *n, const void *const *in,
                            void *const *out, tern_err *err) {
    (void)err;
    const index_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t outer = tern_dims_prod(x->dims, 0, p->axis);
    int64_t inner = tern_dims_prod(x->dims, p->axis + 1, x->rank);
    if (x->dtype == TERN_FLOAT)
        tern_ref_topk_f32(outer, x->dims[p->axis], inner, p->k, p->flag_a, in[0], out[0], out[1]);
    else
        tern_ref_topk_i64(outer, x->dims[p->axis], inner, p->k, p->flag_a, in[0], out[0], out[1]);
    return TERN_OK;
}

const tern_op tern_op_TopK = {"TopK", "", 0, infer_topk, run_topk};

/* ---- ReverseSequence(input, sequence_lens) ---- */

static tern_status infer_revseq(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 2, 1, 1, err);
    if (st != TERN_OK) return st;
    for (int i = 0; i < 2; i++)
        if ((st = tern_need_static(g, n, i, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0), *lens = tern_in(g, n, 1);
    if (x->rank < 2) return tern_errf(err, TERN_ERR_SHAPE, "input must have rank >= 2");
    if ((st = need_indices(lens, err)) != TERN_OK) return st;
    index_params *p = new_params(g, n, err);
    if (!p) return TERN_ERR_NOMEM;
    int64_t ba = tern_attr_int(n, "batch_axis", 1), ta = tern_attr_int(n, "time_axis", 0);
    if (!((ba == 0 && ta == 1) || (ba == 1 && ta == 0)))
        return tern_errf(err, TERN_ERR_SHAPE, "batch_axis/time_axis must be 0/1 or 1/0");
    p->b = (int)ba, p->axis = (int)ta;
    if (lens->rank != 1 || lens->dims[0] != x->dims[ba])
        return tern_errf(err, TERN_ERR_SHAPE, "sequence_lens must have one value per batch");
    tern_set_out(g, n, 0, x->dtype, x->rank, x->dims);
    return TERN_OK;
}

static tern_status run_revseq(const tern_graph *g, const tern_node *n, const void *const *in,
                              void *const *out, tern_err *err) {
    const index_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *lens = tern_in(g, n, 1);
    int64_t bad = tern_ref_reverse_sequence(tern_dtype_size(x->dtype), x->rank, x->dims, p->b,
                                            p->axis, in[0], in[1], lens->dtype == TERN_INT64,
                                            out[0]);
    if (bad >= 0)
        return tern_errf(err, TERN_ERR_RUNTIME, "sequence_lens[%lld] is outside [0, %lld]",
                         (long long)bad, (long long)x->dims[p->axis]);
    return TERN_OK;
}

const tern_op tern_op_ReverseSequence = {"ReverseSequence", "", 0, infer_revseq, run_revseq};

/* ---- EyeLike ---- */

static tern_status infer_eyelike(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->rank != 2) return tern_errf(err, TERN_ERR_SHAPE, "input must be 2-D");
    int64_t dt = tern_attr_int(n, "dtype", x->dtype);
    if (dt != TERN_FLOAT && dt != TERN_INT64 && dt != TERN_INT32 && dt != TERN_DOUBLE &&
        dt != TERN_INT8 && dt != TERN_UINT8 && dt != TERN_BOOL)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %lld", (long long)dt);
    index_params *p = new_params(g, n, err);
    if (!p) return TERN_ERR_NOMEM;
    p->k = tern_attr_int(n, "k", 0);
    tern_set_out(g, n, 0, (tern_dtype)dt, 2, x->dims);
    return TERN_OK;
}

static tern_status run_eyelike(const tern_graph *g, const tern_node *n, const void *const *in,
                               void *const *out, tern_err *err) {
    (void)in, (void)err;
    const index_params *p = n->params;
    const tern_tensor *o = tern_out(g, n, 0);
    /* the value 1 in each supported type (the bytes differ) */
    float f1 = 1.0f;
    double d1 = 1.0;
    int64_t i1 = 1;
    int32_t i32 = 1;
    uint8_t b1 = 1;
    const void *one = o->dtype == TERN_FLOAT   ? (const void *)&f1
                      : o->dtype == TERN_DOUBLE ? (const void *)&d1
                      : o->dtype == TERN_INT64  ? (const void *)&i1
                      : o->dtype == TERN_INT32  ? (const void *)&i32
                                                : (const void *)&b1;
    static const unsigned char zero[8];
    tern_ref_eye(tern_dtype_size(o->dtype), o->dims[0], o->dims[1], p->k, zero, one, out[0]);
    return TERN_OK;
}

const tern_op tern_op_EyeLike = {"EyeLike", "", 0, infer_eyelike, run_eyelike};
