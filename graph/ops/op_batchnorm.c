/* BatchNormalization in its inference form (running mean and variance).
 * Usually folded into the Conv before it (pass_fold_batchnorm.c); this runs
 * the ones that are left. The math is kernels/ref/batchnorm_f32.c. */
#include "graph/ops/op_nn_util.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/batchnorm_f32.h"

typedef struct bn_params {
    float epsilon;
} bn_params;

static const char *const BN_INPUTS[5] = {"input X", "scale", "B", "input_mean", "input_var"};

static tern_status bn_check(const tern_graph *g, const tern_node *n, tern_err *err) {
    if (tern_attr_int(n, "training_mode", 0) != 0)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "training_mode 1 is not supported");
    if (tern_attr_int(n, "spatial", 1) != 1)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "spatial 0 is not supported");
    for (int o = 1; o < n->n_outputs; o++)
        if (n->outputs[o] >= 0)
            return tern_errf(err, TERN_ERR_UNSUPPORTED,
                             "output %d (training statistics) is not supported", o);
    tern_status st;
    for (int i = 0; i < 5; i++)
        if ((st = tern_require_f32(g, n, i, BN_INPUTS[i], err))) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->rank < 2)
        return tern_errf(err, TERN_ERR_SHAPE, "input X must have rank >= 2, has %d", x->rank);
    if ((st = tern_need_static(g, n, 0, err))) return st;
    for (int i = 1; i < 5; i++) {
        const tern_tensor *p = tern_in(g, n, i);
        if (p->rank != 1 || p->dims[0] != x->dims[1])
            return tern_errf(err, TERN_ERR_SHAPE, "%s ('%s') must have shape [%lld]",
                             BN_INPUTS[i], p->name, (long long)x->dims[1]);
    }
    return TERN_OK;
}

static tern_status bn_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 5, 5, 1, 5, err);
    if (st || (st = bn_check(g, n, err))) return st;
    bn_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    p->epsilon = tern_attr_float(n, "epsilon", 1e-5f);
    if (!(p->epsilon >= 0.0f))
        return tern_errf(err, TERN_ERR_SHAPE, "epsilon must be >= 0, is %g", (double)p->epsilon);
    const tern_tensor *x = tern_in(g, n, 0);
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, x->dims);
    n->params = p;
    return TERN_OK;
}

/* Strides of (N, C, flattened spatial) for the kernel; see batchnorm_f32.h. */
static int64_t bn_strides(const tern_tensor *t, int64_t s3[3]) {
    int64_t st[TERN_MAX_RANK];
    int r = tern_tensor_strides(t, st);
    int64_t sp = 1;
    for (int i = 2; i < r; i++) sp *= t->dims[i];
    s3[0] = st[0];
    s3[1] = st[1];
    s3[2] = r > 2 ? st[r - 1] : 0;
    return sp;
}

static tern_status bn_run(const tern_graph *g, const tern_node *n, const void *const *in,
                          void *const *out, tern_err *err) {
    (void)err;
    const bn_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t xs[3], ys[3];
    int64_t sp = bn_strides(x, xs);
    bn_strides(tern_out(g, n, 0), ys);
    tern_batchnorm_f32(x->dims[0], x->dims[1], sp, in[0], xs, in[1], in[2], in[3], in[4],
                       p->epsilon, out[0], ys);
    return TERN_OK;
}

const tern_op tern_op_BatchNormalization = {"BatchNormalization", "", TERN_OP_LAYOUT_NATIVE,
                                            bn_infer, bn_run};
