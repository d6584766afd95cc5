/* The activations that exist only as standalone ops: Elu, Selu, Celu,
 * Softplus, Softsign, ThresholdedRelu, Shrink (float32). Each node is parsed
 * once into a tern_act_extra (kernels/ref/act_extra.h), which holds the math
 * and the any-layout loop, like op_activation.c does with tern_act. */
#include <math.h>
#include <string.h>

#include "graph/ops/op_nn_util.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/act_extra.h"

/* An optional FLOAT attribute; a present one of another type is an error
 * rather than silently taking the default. */
static tern_status float_attr(const tern_node *n, const char *name, float dflt, float *v,
                              tern_err *err) {
    const tern_attr *a = tern_node_attr(n, name);
    *v = dflt;
    if (!a) return TERN_OK;
    if (a->type != TERN_ATTR_FLOAT)
        return tern_errf(err, TERN_ERR_SHAPE, "attribute %s must be a float", name);
    if (!isfinite(a->f))
        return tern_errf(err, TERN_ERR_SHAPE, "attribute %s must be finite", name);
    *v = a->f;
    return TERN_OK;
}

typedef struct {
    const char *op;
    tern_act_extra_kind kind;
    const char *a_name, *b_name; /* attributes read into a and b, or NULL */
    float a_dflt, b_dflt;
} extra_desc;

static const extra_desc DESCS[] = {
    {"Elu", TERN_ACTX_ELU, "alpha", NULL, 1.0f, 0.0f},
    {"Selu", TERN_ACTX_SELU, "alpha", "gamma", 1.67326319217681884765625f,
     1.05070102214813232421875f},
    {"Celu", TERN_ACTX_CELU, "alpha", NULL, 1.0f, 0.0f},
    {"Softplus", TERN_ACTX_SOFTPLUS, NULL, NULL, 0.0f, 0.0f},
    {"Softsign", TERN_ACTX_SOFTSIGN, NULL, NULL, 0.0f, 0.0f},
    {"ThresholdedRelu", TERN_ACTX_THRESHOLDEDRELU, "alpha", NULL, 1.0f, 0.0f},
    {"Shrink", TERN_ACTX_SHRINK, "lambd", "bias", 0.5f, 0.0f},
};

static tern_status extra_params(const tern_node *n, tern_act_extra *p, tern_err *err) {
    for (size_t i = 0; i < sizeof DESCS / sizeof DESCS[0]; i++) {
        const extra_desc *d = &DESCS[i];
        if (strcmp(n->op_type, d->op) != 0) continue;
        tern_status st;
        p->kind = d->kind;
        p->a = d->a_dflt;
        p->b = d->b_dflt;
        if ((d->a_name && (st = float_attr(n, d->a_name, d->a_dflt, &p->a, err))) ||
            (d->b_name && (st = float_attr(n, d->b_name, d->b_dflt, &p->b, err))))
            return st;
        if (d->kind == TERN_ACTX_CELU && p->a == 0.0f) /* x / alpha */
            return tern_errf(err, TERN_ERR_SHAPE, "Celu alpha must not be 0");
        return TERN_OK;
    }
    return tern_errf(err, TERN_ERR_UNSUPPORTED, "no activation called %s", n->op_type);
}

static tern_status extra_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st || (st = tern_require_f32(g, n, 0, "input X", err)) ||
        (st = tern_need_static(g, n, 0, err)))
        return st;
    tern_act_extra *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    if ((st = extra_params(n, p, err))) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, x->dims);
    n->params = p;
    return TERN_OK;
}

static tern_status extra_run(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    (void)err;
    const tern_tensor *x = tern_in(g, n, 0);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(tern_out(g, n, 0), ys);
    tern_act_extra_f32(n->params, x->rank, x->dims, in[0], xs, out[0], ys);
    return TERN_OK;
}

#define EXTRA_OP(name) \
    const tern_op tern_op_##name = {#name, "", TERN_OP_ANY_LAYOUT, extra_infer, extra_run};
EXTRA_OP(Elu)
EXTRA_OP(Selu)
EXTRA_OP(Celu)
EXTRA_OP(Softplus)
EXTRA_OP(Softsign)
EXTRA_OP(ThresholdedRelu)
EXTRA_OP(Shrink)
#undef EXTRA_OP
