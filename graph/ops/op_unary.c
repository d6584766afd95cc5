/* Elementwise ops of one input: Neg, Abs, Sign (float32, int32, int64),
 * Sqrt, Exp, Log, Reciprocal, Floor, Ceil, Round, Erf and the trigonometric
 * and hyperbolic functions (float32), Not (bool), IsNaN and IsInf (float32
 * to bool). Any layout: input and output are indexed by strides. */
#include <string.h>

#include "graph/op.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/elementwise.h"

typedef struct unary_params {
    tern_unop op;
} unary_params;

static const struct {
    const char *type;
    tern_unop op;
} UNOPS[] = {
    {"Neg", TERN_UN_NEG},     {"Abs", TERN_UN_ABS},     {"Sqrt", TERN_UN_SQRT},
    {"Exp", TERN_UN_EXP},     {"Log", TERN_UN_LOG},     {"Reciprocal", TERN_UN_RECIPROCAL},
    {"Floor", TERN_UN_FLOOR}, {"Ceil", TERN_UN_CEIL},   {"Round", TERN_UN_ROUND},
    {"Erf", TERN_UN_ERF},     {"Sign", TERN_UN_SIGN},   {"Sin", TERN_UN_SIN},
    {"Cos", TERN_UN_COS},     {"Not", TERN_UN_NOT},     {"Tan", TERN_UN_TAN},
    {"Asin", TERN_UN_ASIN},   {"Acos", TERN_UN_ACOS},   {"Atan", TERN_UN_ATAN},
    {"Sinh", TERN_UN_SINH},   {"Cosh", TERN_UN_COSH},   {"Asinh", TERN_UN_ASINH},
    {"Acosh", TERN_UN_ACOSH}, {"Atanh", TERN_UN_ATANH},
};

static tern_status check_type(tern_unop op, tern_dtype dt, tern_err *err) {
    int ok = op == TERN_UN_NOT ? dt == TERN_BOOL
                               : dt == TERN_FLOAT ||
                                     (tern_unop_is_integer_ok(op) &&
                                      (dt == TERN_INT64 || dt == TERN_INT32));
    if (!ok)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s is not supported by this op",
                         tern_dtype_name(dt));
    return TERN_OK;
}

static tern_status infer_unary(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st != TERN_OK) return st;
    size_t k = 0;
    while (k < sizeof UNOPS / sizeof UNOPS[0] && strcmp(UNOPS[k].type, n->op_type) != 0) k++;
    if (k == sizeof UNOPS / sizeof UNOPS[0])
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "not a unary op: %s", n->op_type);
    const tern_tensor *x = tern_in(g, n, 0);
    if ((st = check_type(UNOPS[k].op, x->dtype, err)) != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    unary_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    p->op = UNOPS[k].op;
    n->params = p;
    tern_set_out(g, n, 0, x->dtype, x->rank, x->dims);
    return TERN_OK;
}

static tern_status run_unary(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    const unary_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *o = tern_out(g, n, 0);
    int64_t so[TERN_MAX_RANK], sx[TERN_MAX_RANK];
    tern_tensor_strides(o, so);
    tern_tensor_strides(x, sx);
    switch (x->dtype) {
    case TERN_FLOAT: tern_ref_unary_f32(p->op, o->rank, o->dims, out[0], so, in[0], sx); break;
    case TERN_INT64: tern_ref_unary_i64(p->op, o->rank, o->dims, out[0], so, in[0], sx); break;
    case TERN_INT32: tern_ref_unary_i32(p->op, o->rank, o->dims, out[0], so, in[0], sx); break;
    case TERN_BOOL: tern_ref_not_bool(o->rank, o->dims, out[0], so, in[0], sx); break;
    default: return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s", tern_dtype_name(x->dtype));
    }
    return TERN_OK;
}

#define UNARY_OP(NAME)                                                                            \
    const tern_op tern_op_##NAME = {#NAME, "", TERN_OP_ANY_LAYOUT, infer_unary, run_unary};
UNARY_OP(Neg)
UNARY_OP(Abs)
UNARY_OP(Sqrt)
UNARY_OP(Exp)
UNARY_OP(Log)
UNARY_OP(Reciprocal)
UNARY_OP(Floor)
UNARY_OP(Ceil)
UNARY_OP(Round)
UNARY_OP(Erf)
UNARY_OP(Sign)
UNARY_OP(Sin)
UNARY_OP(Cos)
UNARY_OP(Not)
UNARY_OP(Tan)
UNARY_OP(Asin)
UNARY_OP(Acos)
UNARY_OP(Atan)
UNARY_OP(Sinh)
UNARY_OP(Cosh)
UNARY_OP(Asinh)
UNARY_OP(Acosh)
UNARY_OP(Atanh)

/* ---- IsNaN, IsInf: float32 -> bool ---- */

typedef struct classify_params {
    int detect; /* TERN_DETECT_* bits */
} classify_params;

static tern_status infer_classify(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1, 1, 1, err);
    if (st != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->dtype != TERN_FLOAT)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s is not supported (float32)",
                         tern_dtype_name(x->dtype));
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    classify_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    p->detect = TERN_DETECT_NAN;
    if (strcmp(n->op_type, "IsInf") == 0)
        p->detect = (tern_attr_int(n, "detect_positive", 1) ? TERN_DETECT_POS_INF : 0) |
                    (tern_attr_int(n, "detect_negative", 1) ? TERN_DETECT_NEG_INF : 0);
    n->params = p;
    tern_set_out(g, n, 0, TERN_BOOL, x->rank, x->dims);
    return TERN_OK;
}

static tern_status run_classify(const tern_graph *g, const tern_node *n, const void *const *in,
                                void *const *out, tern_err *err) {
    (void)err;
    const classify_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *o = tern_out(g, n, 0);
    int64_t so[TERN_MAX_RANK], sx[TERN_MAX_RANK];
    tern_tensor_strides(o, so);
    tern_tensor_strides(x, sx);
    tern_ref_isnan_isinf_f32(p->detect, o->rank, o->dims, out[0], so, in[0], sx);
    return TERN_OK;
}

const tern_op tern_op_IsNaN = {"IsNaN", "", TERN_OP_ANY_LAYOUT, infer_classify, run_classify};
const tern_op tern_op_IsInf = {"IsInf", "", TERN_OP_ANY_LAYOUT, infer_classify, run_classify};
