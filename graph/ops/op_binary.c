/* Elementwise ops with numpy broadcasting: Add, Sub, Mul, Div, Pow, the
 * Mod, the variadic Max, Min, Sum, Mean (one or more inputs), the comparisons Equal, Less,
 * LessOrEqual, Greater, GreaterOrEqual, the logic ops And, Or, Xor, and
 * Where (three inputs). float32 for activations; int64/int32 because
 * exporters compute shapes with them. Any layout: run indexes every operand
 * through its strides. */
#include <string.h>

#include "graph/op.h"
#include "graph/ops/op_nn_util.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/elementwise.h"
#include "kernels/ref/walk.h"

typedef struct binary_params {
    tern_binop op;
    int legacy_at; /* >= 0: B's dims sit at this axis of A (before opset 7) */
} binary_params;

static const struct {
    const char *type;
    tern_binop op;
} BINOPS[] = {
    {"Add", TERN_BIN_ADD},         {"Sub", TERN_BIN_SUB},
    {"Mul", TERN_BIN_MUL},         {"Div", TERN_BIN_DIV},
    {"Pow", TERN_BIN_POW},         {"Max", TERN_BIN_MAX},
    {"Min", TERN_BIN_MIN},         {"Equal", TERN_BIN_EQUAL},
    {"Less", TERN_BIN_LESS},       {"LessOrEqual", TERN_BIN_LESS_EQUAL},
    {"Greater", TERN_BIN_GREATER}, {"GreaterOrEqual", TERN_BIN_GREATER_EQUAL},
    {"And", TERN_BIN_AND},         {"Or", TERN_BIN_OR},
    {"Xor", TERN_BIN_XOR},         {"Mod", TERN_BIN_MOD},
};

static int is_logic(tern_binop op) {
    return op == TERN_BIN_AND || op == TERN_BIN_OR || op == TERN_BIN_XOR;
}

/* Which input dtypes an op accepts (both inputs share it, except Pow's exponent). */
static tern_status check_types(tern_binop op, tern_dtype a, tern_dtype b, tern_err *err) {
    if (is_logic(op)) {
        if (a != TERN_BOOL || b != TERN_BOOL)
            return tern_errf(err, TERN_ERR_SHAPE, "inputs must be bool, are %s and %s",
                             tern_dtype_name(a), tern_dtype_name(b));
        return TERN_OK;
    }
    if (op == TERN_BIN_POW) { /* any mix of float32, int32, int64 */
        if (!tern_is_numeric(a) || !tern_is_numeric(b))
            return tern_errf(err, TERN_ERR_UNSUPPORTED,
                             "Pow of %s by %s is not supported (float32, int32, int64)",
                             tern_dtype_name(a), tern_dtype_name(b));
        return TERN_OK;
    }
    if (a != b)
        return tern_errf(err, TERN_ERR_SHAPE, "input dtypes differ: %s vs %s", tern_dtype_name(a),
                         tern_dtype_name(b));
    if (!tern_is_binary_dtype(a) && !(op == TERN_BIN_EQUAL && a == TERN_BOOL))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s is not supported", tern_dtype_name(a));
    return TERN_OK;
}

/* Before opset 7 there was no numpy broadcasting: the shapes are equal,
 * or broadcast=1 places B's dims on A's starting at `axis` (default: at the
 * end, suffix matching); the result has A's shape. *at gets that axis, or -1
 * for equal shapes (which the numpy path handles). */
static tern_status legacy_broadcast(const tern_node *n, const tern_tensor *a,
                                    const tern_tensor *b, int *at, tern_err *err) {
    *at = -1;
    int equal = a->rank == b->rank;
    for (int k = 0; equal && k < a->rank; k++) equal = a->dims[k] == b->dims[k];
    if (tern_attr_int(n, "broadcast", 0) == 0) {
        if (!equal)
            return tern_errf(err, TERN_ERR_SHAPE,
                             "before opset 7 the shapes must be equal unless broadcast=1");
        return TERN_OK;
    }
    int64_t axis = tern_attr_int(n, "axis", a->rank - b->rank);
    if (b->rank > a->rank || axis < 0 || axis > a->rank - b->rank)
        return tern_errf(err, TERN_ERR_SHAPE, "B (rank %d) cannot broadcast to A (rank %d) at axis "
                         "%lld", b->rank, a->rank, (long long)axis);
    for (int k = 0; k < b->rank; k++)
        if (b->dims[k] != 1 && b->dims[k] != a->dims[axis + k])
            return tern_errf(err, TERN_ERR_SHAPE, "B dim %d is %lld; to broadcast at axis %lld it "
                             "must be 1 or %lld", k, (long long)b->dims[k], (long long)axis,
                             (long long)a->dims[axis + k]);
    *at = (int)axis;
    return TERN_OK;
}

/* Output shape: numpy broadcasting, or the legacy rule before opset 7. */
static tern_status binary_shape(const tern_graph *g, const tern_node *n, binary_params *p,
                                int *r, int64_t *dims, tern_err *err) {
    const tern_tensor *a = tern_in(g, n, 0), *b = tern_in(g, n, 1);
    p->legacy_at = -1;
    if (g->opset > 0 && g->opset < 7) {
        tern_status st = legacy_broadcast(n, a, b, &p->legacy_at, err);
        if (st != TERN_OK) return st;
        if (p->legacy_at >= 0) {
            *r = a->rank;
            memcpy(dims, a->dims, sizeof(int64_t) * (size_t)a->rank);
            return TERN_OK;
        }
    }
    return tern_broadcast_shape(a->rank, a->dims, b->rank, b->dims, r, dims, err);
}

static tern_status infer_binary(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 2, 1, 1, err);
    if (st != TERN_OK) return st;
    binary_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    size_t k = 0;
    while (k < sizeof BINOPS / sizeof BINOPS[0] && strcmp(BINOPS[k].type, n->op_type) != 0) k++;
    if (k == sizeof BINOPS / sizeof BINOPS[0])
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "not a binary op: %s", n->op_type);
    p->op = BINOPS[k].op;
    const tern_tensor *a = tern_in(g, n, 0), *b = tern_in(g, n, 1);
    if (p->op == TERN_BIN_MOD && tern_attr_int(n, "fmod", 0)) p->op = TERN_BIN_FMOD;
    if (p->op == TERN_BIN_MOD &&
        (a->dtype == TERN_FLOAT || a->dtype == TERN_FLOAT16 || a->dtype == TERN_DOUBLE))
        return tern_errf(err, TERN_ERR_SHAPE, "Mod of floats needs fmod=1");
    if ((st = check_types(p->op, a->dtype, b->dtype, err)) != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 1, err)) != TERN_OK) return st;
    int r;
    int64_t dims[TERN_MAX_RANK];
    if ((st = binary_shape(g, n, p, &r, dims, err)) != TERN_OK) return st;
    tern_dtype odt = tern_binop_is_compare(p->op) || is_logic(p->op) ? TERN_BOOL : a->dtype;
    tern_set_out(g, n, 0, odt, r, dims);
    n->params = p;
    return TERN_OK;
}

/* The typed kernel for dtype dt (the inputs' type). */
static tern_status dispatch(tern_binop op, tern_dtype dt, int rank, const int64_t *dims, void *out,
                            const int64_t *so, const void *a, const int64_t *sa, const void *b,
                            const int64_t *sb, tern_err *err) {
    switch (dt) {
    case TERN_FLOAT: tern_ref_binary_f32(op, rank, dims, out, so, a, sa, b, sb); break;
    case TERN_INT64: tern_ref_binary_i64(op, rank, dims, out, so, a, sa, b, sb); break;
    case TERN_INT32: tern_ref_binary_i32(op, rank, dims, out, so, a, sa, b, sb); break;
    case TERN_BOOL: tern_ref_binary_bool(op, rank, dims, out, so, a, sa, b, sb); break;
    case TERN_INT8:
    case TERN_UINT8:
    case TERN_FLOAT16:
    case TERN_DOUBLE: tern_ref_binary_other(op, dt, rank, dims, out, so, a, sa, b, sb); break;
    default: return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s", tern_dtype_name(dt));
    }
    return TERN_OK;
}

/* B's strides seen from the output when its dims sit at axis `at`. */
static void legacy_strides(const tern_tensor *b, int at, int rank, int64_t *st) {
    int64_t own[TERN_MAX_RANK];
    tern_tensor_strides(b, own);
    for (int k = 0; k < rank; k++) st[k] = 0;
    for (int k = 0; k < b->rank; k++) st[at + k] = b->dims[k] != 1 ? own[k] : 0;
}

static tern_status run_binary(const tern_graph *g, const tern_node *n, const void *const *in,
                              void *const *out, tern_err *err) {
    const binary_params *p = n->params;
    const tern_tensor *a = tern_in(g, n, 0), *b = tern_in(g, n, 1), *o = tern_out(g, n, 0);
    int64_t so[TERN_MAX_RANK], sa[TERN_MAX_RANK], sb[TERN_MAX_RANK];
    tern_tensor_strides(o, so);
    tern_bcast_strides(a, o->rank, sa);
    if (p->legacy_at >= 0) legacy_strides(b, p->legacy_at, o->rank, sb);
    else tern_bcast_strides(b, o->rank, sb);
    if (p->op == TERN_BIN_POW && (a->dtype != TERN_FLOAT || b->dtype != TERN_FLOAT)) {
        int ka = a->dtype == TERN_FLOAT ? 0 : (int)tern_dtype_size(a->dtype);
        int kb = b->dtype == TERN_FLOAT ? 0 : (int)tern_dtype_size(b->dtype);
        tern_ref_pow_mixed(o->rank, o->dims, out[0], so, ka, in[0], sa, kb, in[1], sb);
        return TERN_OK;
    }
    if ((p->op == TERN_BIN_ADD || p->op == TERN_BIN_MUL) && p->legacy_at < 0 &&
        tern_binary_fast(g, n, p->op == TERN_BIN_MUL, in, out))
        return TERN_OK;
    return dispatch(p->op, a->dtype, o->rank, o->dims, out[0], so, in[0], sa, in[1], sb, err);
}

#define BINARY_OP(NAME)                                                                           \
    const tern_op tern_op_##NAME = {#NAME, "", TERN_OP_ANY_LAYOUT, infer_binary, run_binary};
BINARY_OP(Add)
BINARY_OP(Sub)
BINARY_OP(Mul)
BINARY_OP(Div)
BINARY_OP(Pow)
BINARY_OP(Mod)
BINARY_OP(Equal)
BINARY_OP(Less)
BINARY_OP(LessOrEqual)
BINARY_OP(Greater)
BINARY_OP(GreaterOrEqual)
BINARY_OP(And)
BINARY_OP(Or)
BINARY_OP(Xor)

/* ---- Where(cond, x, y): three-way broadcast, any element type ---- */

static tern_status infer_where(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 3, 3, 1, 1, err);
    if (st != TERN_OK) return st;
    const tern_tensor *c = tern_in(g, n, 0), *x = tern_in(g, n, 1), *y = tern_in(g, n, 2);
    if (c->dtype != TERN_BOOL)
        return tern_errf(err, TERN_ERR_SHAPE, "condition must be bool, is %s",
                         tern_dtype_name(c->dtype));
    if (x->dtype != y->dtype || tern_dtype_size(x->dtype) == 0)
        return tern_errf(err, TERN_ERR_SHAPE, "x and y dtypes differ or are unknown: %s vs %s",
                         tern_dtype_name(x->dtype), tern_dtype_name(y->dtype));
    for (int i = 0; i < 3; i++)
        if ((st = tern_need_static(g, n, i, err)) != TERN_OK) return st;
    int r1, r;
    int64_t d1[TERN_MAX_RANK], dims[TERN_MAX_RANK];
    if ((st = tern_broadcast_shape(c->rank, c->dims, x->rank, x->dims, &r1, d1, err)) != TERN_OK)
        return st;
    if ((st = tern_broadcast_shape(r1, d1, y->rank, y->dims, &r, dims, err)) != TERN_OK) return st;
    tern_set_out(g, n, 0, x->dtype, r, dims);
    return TERN_OK;
}

static tern_status run_where(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    (void)err;
    const tern_tensor *o = tern_out(g, n, 0);
    int64_t so[TERN_MAX_RANK], sc[TERN_MAX_RANK], sx[TERN_MAX_RANK], sy[TERN_MAX_RANK];
    tern_tensor_strides(o, so);
    tern_bcast_strides(tern_in(g, n, 0), o->rank, sc);
    tern_bcast_strides(tern_in(g, n, 1), o->rank, sx);
    tern_bcast_strides(tern_in(g, n, 2), o->rank, sy);
    tern_ref_where(tern_dtype_size(o->dtype), o->rank, o->dims, out[0], so, in[0], sc, in[1], sx,
                   in[2], sy);
    return TERN_OK;
}

const tern_op tern_op_Where = {"Where", "", TERN_OP_ANY_LAYOUT, infer_where, run_where};

/* ---- Max, Min, Sum, Mean: any number of inputs, folded pairwise ----
 * out = in0 op in1, then out = out op in_i: each step reads and writes the
 * same output position, so folding in place is safe. Mean divides at the end. */

static tern_status infer_variadic(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 1, 1 << 16, 1, 1, err);
    if (st != TERN_OK) return st;
    binary_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    p->op = strcmp(n->op_type, "Max") == 0   ? TERN_BIN_MAX
            : strcmp(n->op_type, "Min") == 0 ? TERN_BIN_MIN
                                             : TERN_BIN_ADD;
    const tern_tensor *x0 = tern_in(g, n, 0);
    int mean = strcmp(n->op_type, "Mean") == 0;
    if (!tern_is_binary_dtype(x0->dtype) || (mean && x0->dtype != TERN_FLOAT))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s is not supported%s",
                         tern_dtype_name(x0->dtype), mean ? " (float32)" : "");
    int r = 0;
    int64_t dims[TERN_MAX_RANK] = {0};
    for (int i = 0; i < n->n_inputs; i++) {
        const tern_tensor *x = tern_in(g, n, i);
        if (!x) return tern_errf(err, TERN_ERR_SHAPE, "input %d is missing", i);
        if (x->dtype != x0->dtype)
            return tern_errf(err, TERN_ERR_SHAPE, "input %d is %s, input 0 %s", i,
                             tern_dtype_name(x->dtype), tern_dtype_name(x0->dtype));
        if ((st = tern_need_static(g, n, i, err)) != TERN_OK) return st;
        int64_t prev[TERN_MAX_RANK]; /* tern_broadcast_shape must not write its input */
        memcpy(prev, dims, sizeof prev);
        if ((st = tern_broadcast_shape(r, prev, x->rank, x->dims, &r, dims, err)) != TERN_OK)
            return st;
    }
    tern_set_out(g, n, 0, x0->dtype, r, dims);
    n->params = p;
    return TERN_OK;
}

static tern_status run_variadic(const tern_graph *g, const tern_node *n, const void *const *in,
                                void *const *out, tern_err *err) {
    const binary_params *p = n->params;
    const tern_tensor *o = tern_out(g, n, 0), *x0 = tern_in(g, n, 0);
    int64_t so[TERN_MAX_RANK], sa[TERN_MAX_RANK], sb[TERN_MAX_RANK];
    tern_tensor_strides(o, so);
    tern_bcast_strides(x0, o->rank, sa);
    if (n->n_inputs == 1) {
        tern_ref_copy_strided(tern_dtype_size(o->dtype), o->rank, o->dims, out[0], so, in[0], sa);
        return TERN_OK;
    }
    tern_bcast_strides(tern_in(g, n, 1), o->rank, sb);
    tern_status st =
        dispatch(p->op, o->dtype, o->rank, o->dims, out[0], so, in[0], sa, in[1], sb, err);
    for (int i = 2; i < n->n_inputs && st == TERN_OK; i++) {
        tern_bcast_strides(tern_in(g, n, i), o->rank, sb);
        st = dispatch(p->op, o->dtype, o->rank, o->dims, out[0], so, out[0], so, in[i], sb, err);
    }
    if (st == TERN_OK && strcmp(n->op_type, "Mean") == 0) {
        float k = (float)n->n_inputs;
        static const int64_t zero[TERN_MAX_RANK];
        tern_ref_binary_f32(TERN_BIN_DIV, o->rank, o->dims, out[0], so, out[0], so, &k, zero);
    }
    return st;
}

#define VARIADIC_OP(NAME)                                                                         \
    const tern_op tern_op_##NAME = {#NAME, "", TERN_OP_ANY_LAYOUT, infer_variadic, run_variadic};
VARIADIC_OP(Max)
VARIADIC_OP(Min)
VARIADIC_OP(Sum)
VARIADIC_OP(Mean)
