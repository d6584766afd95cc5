/* InstanceNormalization, LayerNormalization (opset 17) and LRN, float32,
 * any layout (every operand is indexed through tern_tensor_strides). The
 * math and its summation order are kernels/ref/norm_f32.h; this file checks
 * the nodes and works out how scale and bias broadcast. */
#include <math.h>

#include "graph/ops/op_nn_util.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/norm_f32.h"

typedef struct norm_params {
    int axis;       /* first normalized axis */
    float eps;
    int64_t size;   /* LRN */
    float alpha, beta, bias;
} norm_params;

/* An optional FLOAT attribute that must be finite and >= min. */
static tern_status float_attr(const tern_node *n, const char *name, float dflt, float min,
                              float *v, tern_err *err) {
    const tern_attr *a = tern_node_attr(n, name);
    *v = dflt;
    if (!a) return TERN_OK;
    if (a->type != TERN_ATTR_FLOAT)
        return tern_errf(err, TERN_ERR_SHAPE, "attribute %s must be a float", name);
    if (!isfinite(a->f) || a->f < min)
        return tern_errf(err, TERN_ERR_SHAPE, "attribute %s = %g must be finite and >= %g", name,
                         (double)a->f, (double)min);
    *v = a->f;
    return TERN_OK;
}

static norm_params *new_params(tern_graph *g, tern_err *err) {
    norm_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    return p;
}

/* ---- InstanceNormalization: per (n, c), over the spatial axes ---- */

static tern_status instnorm_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 3, 3, 1, 1, err);
    if (st || (st = tern_require_f32(g, n, 0, "input X", err)) ||
        (st = tern_require_f32(g, n, 1, "scale", err)) ||
        (st = tern_require_f32(g, n, 2, "B", err)) || (st = tern_need_static(g, n, 0, err)))
        return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->rank < 3)
        return tern_errf(err, TERN_ERR_SHAPE, "input X has rank %d; it must be [N, C, D1, ...]",
                         x->rank);
    for (int i = 1; i <= 2; i++) {
        const tern_tensor *t = tern_in(g, n, i);
        if (t->rank != 1 || t->dims[0] != x->dims[1])
            return tern_errf(err, TERN_ERR_SHAPE, "%s ('%s') must have shape [%lld] (the channels)",
                             i == 1 ? "scale" : "B", t->name, (long long)x->dims[1]);
    }
    norm_params *p = new_params(g, err);
    if (!p) return TERN_ERR_NOMEM;
    p->axis = 2;
    if ((st = float_attr(n, "epsilon", 1e-5f, 0.0f, &p->eps, err))) return st;
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, x->dims);
    n->params = p;
    return TERN_OK;
}

/* Strides of a per-channel vector seen over X's logical index. */
static void channel_strides(const tern_tensor *v, int rank, int64_t *s) {
    int64_t vs[TERN_MAX_RANK];
    tern_tensor_strides(v, vs);
    for (int i = 0; i < rank; i++) s[i] = i == 1 ? vs[0] : 0;
}

static tern_status instnorm_run(const tern_graph *g, const tern_node *n, const void *const *in,
                                void *const *out, tern_err *err) {
    (void)err;
    const norm_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK], ss[TERN_MAX_RANK], bs[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(tern_out(g, n, 0), ys);
    channel_strides(tern_in(g, n, 1), x->rank, ss);
    channel_strides(tern_in(g, n, 2), x->rank, bs);
    tern_norm_f32(x->rank, x->dims, p->axis, in[0], xs, in[1], ss, in[2], bs, out[0], ys, p->eps,
                  NULL);
    return TERN_OK;
}

/* ---- LayerNormalization: over the axes [axis, rank) ---- */

/* t must broadcast one way to X's shape (aligned on the right). */
static tern_status check_bcast_to(const tern_tensor *t, const tern_tensor *x, const char *what,
                                  tern_err *err) {
    if (t->rank > x->rank)
        return tern_errf(err, TERN_ERR_SHAPE, "%s ('%s') has rank %d, more than X (%d)", what,
                         t->name, t->rank, x->rank);
    for (int i = 0; i < t->rank; i++) {
        int64_t td = t->dims[i], xd = x->dims[x->rank - t->rank + i];
        if (td != 1 && td != xd)
            return tern_errf(err, TERN_ERR_SHAPE,
                             "%s ('%s') dim %d is %lld; it must be 1 or %lld to broadcast to X",
                             what, t->name, i, (long long)td, (long long)xd);
    }
    return TERN_OK;
}

static tern_status layernorm_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 3, 1, 3, err);
    if (st || (st = tern_require_f32(g, n, 0, "input X", err)) ||
        (st = tern_require_f32(g, n, 1, "Scale", err)) ||
        (st = tern_require_f32(g, n, 2, "B", err)) || (st = tern_need_static(g, n, 0, err)))
        return st;
    const tern_tensor *x = tern_in(g, n, 0), *s = tern_in(g, n, 1), *b = tern_in(g, n, 2);
    if (x->rank < 1) return tern_errf(err, TERN_ERR_SHAPE, "input X must have rank >= 1");
    if ((st = check_bcast_to(s, x, "Scale", err)) || (b && (st = check_bcast_to(b, x, "B", err))))
        return st;
    int64_t stash = tern_attr_int(n, "stash_type", 1);
    if (stash != 1 && stash != 11) /* float or double: we compute in double either way */
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "stash_type %lld is not float or double",
                         (long long)stash);
    norm_params *p = new_params(g, err);
    if (!p) return TERN_ERR_NOMEM;
    if ((st = tern_norm_axis(tern_attr_int(n, "axis", -1), x->rank, &p->axis, err)) ||
        (st = float_attr(n, "epsilon", 1e-5f, 0.0f, &p->eps, err)))
        return st;
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, x->dims);
    /* Mean and InvStdDev: X's dims before axis, 1 from axis on */
    int64_t sd[TERN_MAX_RANK];
    for (int i = 0; i < x->rank; i++) sd[i] = i < p->axis ? x->dims[i] : 1;
    tern_set_out(g, n, 1, TERN_FLOAT, x->rank, sd);
    tern_set_out(g, n, 2, TERN_FLOAT, x->rank, sd);
    n->params = p;
    return TERN_OK;
}

static tern_status layernorm_run(const tern_graph *g, const tern_node *n, const void *const *in,
                                 void *const *out, tern_err *err) {
    (void)err;
    const norm_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *b = tern_in(g, n, 2);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK], ss[TERN_MAX_RANK], bs[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(tern_out(g, n, 0), ys);
    tern_bcast_strides(tern_in(g, n, 1), x->rank, ss);
    if (b) tern_bcast_strides(b, x->rank, bs);
    int64_t ms[TERN_MAX_RANK], is[TERN_MAX_RANK];
    tern_norm_stats stats = {n->n_outputs > 1 ? out[1] : NULL, n->n_outputs > 2 ? out[2] : NULL,
                             ms, is};
    if (stats.mean) tern_tensor_strides(tern_out(g, n, 1), ms);
    if (stats.inv_std) tern_tensor_strides(tern_out(g, n, 2), is);
    tern_norm_f32(x->rank, x->dims, p->axis, in[0], xs, in[1], ss, b ? in[2] : NULL, bs, out[0],
                  ys, p->eps, &stats);
    return TERN_OK;
}

/* ---- LRN: across channels ---- */

static tern_status lrn_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st || (st = tern_require_f32(g, n, 0, "input X", err)) ||
        (st = tern_need_static(g, n, 0, err)))
        return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->rank < 2)
        return tern_errf(err, TERN_ERR_SHAPE, "input X has rank %d; it must be [N, C, ...]",
                         x->rank);
    const tern_attr *size = tern_node_attr(n, "size");
    if (!size || size->type != TERN_ATTR_INT)
        return tern_errf(err, TERN_ERR_SHAPE, "attribute size (an int) is required");
    if (size->i < 1 || size->i > TERN_WINDOW_MAX)
        return tern_errf(err, TERN_ERR_SHAPE, "attribute size = %lld is out of range [1, %lld]",
                         (long long)size->i, (long long)TERN_WINDOW_MAX);
    norm_params *p = new_params(g, err);
    if (!p) return TERN_ERR_NOMEM;
    p->size = size->i;
    if ((st = float_attr(n, "alpha", 1e-4f, -INFINITY, &p->alpha, err)) ||
        (st = float_attr(n, "beta", 0.75f, -INFINITY, &p->beta, err)) ||
        (st = float_attr(n, "bias", 1.0f, -INFINITY, &p->bias, err)))
        return st;
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, x->dims);
    n->params = p;
    return TERN_OK;
}

static tern_status lrn_run(const tern_graph *g, const tern_node *n, const void *const *in,
                           void *const *out, tern_err *err) {
    (void)err;
    const norm_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(tern_out(g, n, 0), ys);
    tern_lrn_f32(x->rank, x->dims, in[0], xs, out[0], ys, p->size, p->alpha, p->beta, p->bias);
    return TERN_OK;
}

const tern_op tern_op_InstanceNormalization = {"InstanceNormalization", "", TERN_OP_ANY_LAYOUT,
                                               instnorm_infer, instnorm_run};
const tern_op tern_op_LayerNormalization = {"LayerNormalization", "", TERN_OP_ANY_LAYOUT,
                                            layernorm_infer, layernorm_run};
const tern_op tern_op_LRN = {"LRN", "", TERN_OP_ANY_LAYOUT, lrn_infer, lrn_run};
