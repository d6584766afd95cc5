/* Tests of the elementwise, reduction, shape and data-movement ops
 * (suite_kernels_tensor). Each op runs on a hand-built one-node graph
 * (op->infer, then op->run on our buffers) and is compared with a naive
 * implementation written here: logical-order loops that map each output
 * index back to its input index the obvious way. Any-layout ops are run with
 * plain and channels-last inputs/outputs; infer is fed bad nodes and must
 * answer with a status and a message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/op.h"
#include "kernels/ref/walk.h"
#include "tests/harness.h"

/* ---- a one-node graph ------------------------------------------------- */

typedef struct tc {
    tern_graph g;
    int node;
    tern_attr attrs[16];
    int layout_in[8]; /* layouts used by tc_run for non-constant inputs */
    int layout_out[8];
    tern_err err;
} tc;

static void tc_init(tc *c, int64_t opset) {
    memset(c, 0, sizeof *c);
    tern_graph_init(&c->g);
    c->g.opset = opset;
    c->node = -1;
}

static void tc_free(tc *c) { tern_graph_free(&c->g); }

/* A tensor; data (plain, logical order) makes it a constant. */
static int tc_t(tc *c, tern_dtype dt, int rank, const int64_t *dims, const void *data) {
    char name[16];
    snprintf(name, sizeof name, "x%d", c->g.n_tensors);
    int i = tern_graph_add_tensor(&c->g, name);
    tern_tensor *t = &c->g.tensors[i];
    t->dtype = dt;
    t->rank = rank;
    for (int k = 0; k < rank; k++) t->dims[k] = dims[k];
    t->data = data;
    t->is_input = data == NULL;
    return i;
}

static tern_node *tc_n(tc *c) { return &c->g.nodes[c->node]; }

static tern_node *tc_node(tc *c, const char *op, const int *ins, int nin, int nout) {
    c->node = tern_graph_add_node(&c->g, op, "", "n", nin, nout);
    for (int i = 0; i < nout; i++) {
        char name[16];
        snprintf(name, sizeof name, "y%d", i);
        c->g.nodes[c->node].outputs[i] = tern_graph_add_tensor(&c->g, name);
    }
    tern_node *n = tc_n(c);
    for (int i = 0; i < nin; i++) n->inputs[i] = ins[i];
    n->attrs = c->attrs;
    return n;
}

static tern_attr *tc_attr(tc *c, const char *name, int type) {
    tern_attr *a = &c->attrs[tc_n(c)->n_attrs++];
    memset(a, 0, sizeof *a);
    a->name = name;
    a->type = type;
    return a;
}

static void tc_ints(tc *c, const char *name, const int64_t *v, int count) {
    int64_t *copy = tern_pool_alloc_array(&c->g.pool, (size_t)count + 1, sizeof(int64_t));
    memcpy(copy, v, sizeof(int64_t) * (size_t)count);
    tern_attr *a = tc_attr(c, name, TERN_ATTR_INTS);
    a->ints = copy;
    a->count = (size_t)count;
}
static void tc_int(tc *c, const char *name, int64_t v) { tc_attr(c, name, TERN_ATTR_INT)->i = v; }
static void tc_float(tc *c, const char *name, float v) { tc_attr(c, name, TERN_ATTR_FLOAT)->f = v; }
static void tc_str(tc *c, const char *name, const char *v) { tc_attr(c, name, TERN_ATTR_STRING)->s = v; }

static tern_status tc_infer(tc *c) {
    tern_node *n = tc_n(c);
    n->op = tern_op_find(n->op_type, "");
    if (!n->op) return tern_errf(&c->err, TERN_ERR_UNSUPPORTED, "no op %s", n->op_type);
    c->err.msg[0] = 0;
    return n->op->infer(&c->g, n, &c->err);
}

static tern_tensor *tc_out(tc *c, int i) { return &c->g.tensors[tc_n(c)->outputs[i]]; }

/* Element offset of logical index e (row-major) of t in its layout. */
static int64_t phys_offset(const tern_tensor *t, int64_t e) {
    int64_t st[TERN_MAX_RANK], off = 0;
    tern_tensor_strides(t, st);
    for (int i = t->rank - 1; i >= 0; i--) {
        off += (e % t->dims[i]) * st[i];
        e /= t->dims[i];
    }
    return off;
}

/* Run the node: logical input data in[i] (ignored for constants) is laid
 * out as c->layout_in says; each output is set to c->layout_out, prefilled
 * with 0xAB bytes and read back in logical order into out[i] (malloc'ed).
 * Returns the run status. */
static tern_status tc_run(tc *c, const void *const *in, void **out) {
    tern_node *n = tc_n(c);
    const void *ins[8] = {0};
    void *bufs[8] = {0}, *outs[8] = {0};
    for (int i = 0; i < n->n_inputs && i < 8; i++) {
        tern_tensor *t = (tern_tensor *)tern_in(&c->g, n, i);
        if (!t) continue;
        if (t->data) {
            ins[i] = t->data;
            continue;
        }
        t->layout = t->rank >= 3 ? c->layout_in[i] : TERN_LAYOUT_PLAIN;
        size_t es = tern_dtype_size(t->dtype);
        int64_t ne = tern_tensor_numel(t);
        bufs[i] = malloc(es * (size_t)ne + 1);
        for (int64_t e = 0; e < ne; e++)
            memcpy((char *)bufs[i] + es * (size_t)phys_offset(t, e), (const char *)in[i] + es * e,
                   es);
        ins[i] = bufs[i];
    }
    for (int i = 0; i < n->n_outputs && i < 8; i++) {
        tern_tensor *y = tc_out(c, i);
        y->layout = y->rank >= 3 ? c->layout_out[i] : TERN_LAYOUT_PLAIN;
        size_t b = tern_tensor_bytes(y);
        outs[i] = malloc(b + 1);
        memset(outs[i], 0xAB, b + 1);
    }
    tern_status st = n->op->run(&c->g, n, ins, outs, &c->err);
    for (int i = 0; i < n->n_outputs && i < 8; i++) {
        const tern_tensor *y = tc_out(c, i);
        size_t es = tern_dtype_size(y->dtype);
        int64_t ne = tern_tensor_numel(y);
        out[i] = malloc(es * (size_t)ne + 1);
        for (int64_t e = 0; e < ne; e++)
            memcpy((char *)out[i] + es * e, (char *)outs[i] + es * (size_t)phys_offset(y, e), es);
        free(outs[i]);
    }
    for (int i = 0; i < 8; i++) free(bufs[i]);
    return st;
}

/* ---- data, naive index math and comparison ------------------------------ */

static uint32_t rng = 777;

static float frand(void) {
    rng = rng * 1664525u + 1013904223u;
    return (float)((rng >> 8) & 0xffff) / 16384.0f - 2.0f;
}

static float *rand_f32(int64_t n) {
    float *p = malloc(sizeof(float) * (size_t)(n + 1));
    for (int64_t i = 0; i < n; i++) p[i] = frand();
    return p;
}

static int64_t numel(int rank, const int64_t *dims) {
    int64_t n = 1;
    for (int k = 0; k < rank; k++) n *= dims[k];
    return n;
}

/* logical index e of dims -> its coordinates */
static void unravel(int64_t e, int rank, const int64_t *dims, int64_t *idx) {
    for (int k = rank - 1; k >= 0; k--) {
        idx[k] = e % dims[k];
        e /= dims[k];
    }
}

static int64_t ravel(int rank, const int64_t *dims, const int64_t *idx) {
    int64_t e = 0;
    for (int k = 0; k < rank; k++) e = e * dims[k] + idx[k];
    return e;
}

/* numpy broadcast: the element of an input (rank ri, dims di) that output
 * element e (rank ro, dims dout) reads */
static int64_t bcast_src(int64_t e, int ro, const int64_t *dout, int ri, const int64_t *di) {
    int64_t idx[TERN_MAX_RANK], src[TERN_MAX_RANK];
    unravel(e, ro, dout, idx);
    for (int k = 0; k < ri; k++) {
        int64_t v = idx[k + ro - ri];
        src[k] = di[k] == 1 ? 0 : v;
    }
    return ravel(ri, di, src);
}

static int close_f(double got, double want, double tol) {
    if (isnan(want)) return isnan(got);
    if (isinf(want)) return got == want;
    return fabs(got - want) <= tol * (1.0 + fabs(want));
}

/* Compare float outputs; one th_check for the whole array. */
static int check_f32(th_ctx *t, const char *name, const float *got, const double *want,
                     int64_t n, double tol) {
    for (int64_t i = 0; i < n; i++)
        if (!close_f(got[i], want[i], tol))
            return th_check(t, 0, name, "element %lld: got %.9g, want %.9g", (long long)i,
                            (double)got[i], want[i]);
    th_pass(t, name);
    return 1;
}

static int check_i64(th_ctx *t, const char *name, const int64_t *got, const int64_t *want,
                     int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (got[i] != want[i])
            return th_check(t, 0, name, "element %lld: got %lld, want %lld", (long long)i,
                            (long long)got[i], (long long)want[i]);
    th_pass(t, name);
    return 1;
}

static int check_bytes(th_ctx *t, const char *name, const void *got, const void *want,
                       size_t n) {
    for (size_t i = 0; i < n; i++)
        if (((const unsigned char *)got)[i] != ((const unsigned char *)want)[i])
            return th_check(t, 0, name, "byte %zu: got %u, want %u", i,
                            ((const unsigned char *)got)[i], ((const unsigned char *)want)[i]);
    th_pass(t, name);
    return 1;
}

static int check_dims(th_ctx *t, const char *name, const tern_tensor *y, int rank,
                      const int64_t *dims) {
    int ok = y->rank == rank;
    for (int k = 0; ok && k < rank; k++) ok = y->dims[k] == dims[k];
    char got[128] = "", want[128] = "";
    for (int k = 0; k < y->rank && k < TERN_MAX_RANK; k++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%lld,", (long long)y->dims[k]);
    for (int k = 0; k < rank; k++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%lld,", (long long)dims[k]);
    return th_check(t, ok, name, "shape [%s] (rank %d), want [%s]", got, y->rank, want);
}

/* infer must fail with code and a message containing `what` */
static void expect_fail(th_ctx *t, tc *c, tern_status code, const char *what, const char *name) {
    tern_status st = tc_infer(c);
    th_check(t, st == code && c->err.msg[0] && (!what || strstr(c->err.msg, what)), name,
             "status %d (want %d), message '%s' (want '%s')", st, code, c->err.msg,
             what ? what : "");
}

static const char *lname(int l) { return l ? "cl" : "plain"; }

/* ---- binary elementwise -------------------------------------------------- */

typedef struct shape2 {
    int ra;
    int64_t a[4];
    int rb;
    int64_t b[4];
} shape2;

static const shape2 BCAST_SHAPES[] = {
    {4, {2, 3, 4, 5}, 3, {3, 1, 1}},    /* per-channel constant */
    {4, {2, 3, 4, 5}, 0, {0}},          /* scalar */
    {1, {1}, 4, {2, 3, 4, 5}},          /* scalar-like on the left */
    {4, {2, 1, 4, 1}, 4, {1, 3, 1, 5}}, /* both sides broadcast */
    {3, {3, 4, 5}, 3, {3, 4, 5}},       /* same shape */
    {4, {1, 3, 1, 1}, 4, {2, 3, 4, 5}}, /* [1,C,1,1] vs NCHW */
    {2, {4, 5}, 4, {2, 3, 4, 5}},       /* lower rank, no 1s */
};

static double ref_bin(const char *op, double x, double y) {
    if (!strcmp(op, "Add")) return x + y;
    if (!strcmp(op, "Sub")) return x - y;
    if (!strcmp(op, "Mul")) return x * y;
    if (!strcmp(op, "Div")) return x / y;
    if (!strcmp(op, "Pow")) return pow(x, y);
    if (!strcmp(op, "Max")) return x > y ? x : y;
    return x < y ? x : y; /* Min */
}

static void test_binary_f32(th_ctx *t) {
    static const char *const OPS[] = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min"};
    for (size_t s = 0; s < sizeof BCAST_SHAPES / sizeof BCAST_SHAPES[0]; s++) {
        const shape2 *sh = &BCAST_SHAPES[s];
        for (size_t o = 0; o < sizeof OPS / sizeof OPS[0]; o++) {
            for (int lay = 0; lay < 8; lay++) { /* bit 0: out, 1: a, 2: b channels-last */
                if (o > 0 && lay != 0 && lay != 7) continue; /* every layout for Add only */
                int64_t na = numel(sh->ra, sh->a), nb = numel(sh->rb, sh->b);
                float *a = rand_f32(na), *b = rand_f32(nb);
                if (!strcmp(OPS[o], "Pow"))
                    for (int64_t i = 0; i < na; i++) a[i] = fabsf(a[i]) + 0.1f;
                tc c;
                tc_init(&c, 17);
                int ins[2] = {tc_t(&c, TERN_FLOAT, sh->ra, sh->a, NULL),
                              tc_t(&c, TERN_FLOAT, sh->rb, sh->b, NULL)};
                tc_node(&c, OPS[o], ins, 2, 1);
                char name[96];
                snprintf(name, sizeof name, "%s shapes#%zu out %s a %s b %s", OPS[o], s,
                         lname(lay & 1), lname(lay >> 1 & 1), lname(lay >> 2 & 1));
                if (!th_check(t, tc_infer(&c) == TERN_OK, name, "infer: %s", c.err.msg)) {
                    tc_free(&c), free(a), free(b);
                    continue;
                }
                tern_tensor *y = tc_out(&c, 0);
                c.layout_out[0] = lay & 1;
                c.layout_in[0] = lay >> 1 & 1;
                c.layout_in[1] = lay >> 2 & 1;
                int64_t ny = tern_tensor_numel(y);
                double *want = malloc(sizeof(double) * (size_t)ny);
                for (int64_t e = 0; e < ny; e++)
                    want[e] = (float)ref_bin(OPS[o], a[bcast_src(e, y->rank, y->dims, sh->ra, sh->a)],
                                             b[bcast_src(e, y->rank, y->dims, sh->rb, sh->b)]);
                const void *in[2] = {a, b};
                void *out[1] = {0};
                tern_status st = tc_run(&c, in, out);
                if (th_check(t, st == TERN_OK, name, "run: %s", c.err.msg))
                    check_f32(t, name, out[0], want, ny, 1e-6);
                free(out[0]), free(want), free(a), free(b);
                tc_free(&c);
            }
        }
    }
}

/* Integer arithmetic: wrap, x/0 = 0, INT64_MIN / -1 = INT64_MIN. */
static void test_binary_int(th_ctx *t) {
    static const int64_t A[6] = {7, -7, INT64_MIN, INT64_MAX, 5, -9};
    static const int64_t B[6] = {2, 2, -1, 1, 0, -4};
    static const char *const OPS[] = {"Add", "Sub", "Mul", "Div", "Max", "Min"};
    int64_t d6 = 6;
    for (size_t o = 0; o < sizeof OPS / sizeof OPS[0]; o++) {
        int64_t want[6];
        for (int i = 0; i < 6; i++) {
            uint64_t x = (uint64_t)A[i], y = (uint64_t)B[i];
            switch (o) {
            case 0: want[i] = (int64_t)(x + y); break;
            case 1: want[i] = (int64_t)(x - y); break;
            case 2: want[i] = (int64_t)(x * y); break;
            case 3:
                want[i] = B[i] == 0 ? 0 : (A[i] == INT64_MIN && B[i] == -1) ? INT64_MIN : A[i] / B[i];
                break;
            case 4: want[i] = A[i] > B[i] ? A[i] : B[i]; break;
            default: want[i] = A[i] < B[i] ? A[i] : B[i]; break;
            }
        }
        tc c;
        tc_init(&c, 13);
        int ins[2] = {tc_t(&c, TERN_INT64, 1, &d6, NULL), tc_t(&c, TERN_INT64, 1, &d6, B)};
        tc_node(&c, OPS[o], ins, 2, 1);
        char name[64];
        snprintf(name, sizeof name, "%s int64 edge cases", OPS[o]);
        if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->dtype == TERN_INT64, name,
                     "infer: %s", c.err.msg)) {
            const void *in[2] = {A, NULL};
            void *out[1];
            th_check(t, tc_run(&c, in, out) == TERN_OK, name, "run: %s", c.err.msg);
            check_i64(t, name, out[0], want, 6);
            free(out[0]);
        }
        tc_free(&c);
    }
    /* int32 Div with a broadcast scalar divisor 0 and INT32_MIN / -1 */
    {
        static const int32_t A32[4] = {9, -9, INT32_MIN, 4};
        int32_t b0 = 0, bm1 = -1;
        int64_t d4 = 4;
        for (int k = 0; k < 2; k++) {
            tc c;
            tc_init(&c, 13);
            int ins[2] = {tc_t(&c, TERN_INT32, 1, &d4, NULL),
                          tc_t(&c, TERN_INT32, 0, NULL, k ? &bm1 : &b0)};
            tc_node(&c, "Div", ins, 2, 1);
            const char *name = k ? "Div int32 by -1" : "Div int32 by 0";
            if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
                const void *in[2] = {A32, NULL};
                void *out[1];
                tc_run(&c, in, out);
                int32_t w1[4] = {-9, 9, INT32_MIN, -4}, w0[4] = {0, 0, 0, 0};
                check_bytes(t, name, out[0], k ? w1 : w0, 16);
                free(out[0]);
            }
            tc_free(&c);
        }
    }
}

static void test_compare_where(th_ctx *t) {
    static const char *const OPS[] = {"Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"};
    int64_t da[4] = {2, 3, 2, 2}, db[3] = {3, 1, 1};
    for (size_t o = 0; o < 5; o++) {
        float a[24], b[3] = {0.0f, 1.0f, -1.0f};
        for (int i = 0; i < 24; i++) a[i] = (float)(i % 3) - 1.0f;
        tc c;
        tc_init(&c, 13);
        int ins[2] = {tc_t(&c, TERN_FLOAT, 4, da, NULL), tc_t(&c, TERN_FLOAT, 3, db, NULL)};
        tc_node(&c, OPS[o], ins, 2, 1);
        char name[64];
        snprintf(name, sizeof name, "%s float broadcast, cl out", OPS[o]);
        if (!th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->dtype == TERN_BOOL, name,
                      "infer: %s", c.err.msg)) {
            tc_free(&c);
            continue;
        }
        c.layout_out[0] = 1;
        unsigned char want[24];
        for (int64_t e = 0; e < 24; e++) {
            float x = a[e], y = b[bcast_src(e, 4, da, 3, db)];
            want[e] = o == 0 ? x == y : o == 1 ? x < y : o == 2 ? x <= y : o == 3 ? x > y : x >= y;
        }
        const void *in[2] = {a, b};
        void *out[1];
        tc_run(&c, in, out);
        check_bytes(t, name, out[0], want, 24);
        free(out[0]);
        tc_free(&c);
    }
    /* Where(cond [3,1], x [3,4] int64, y scalar) */
    {
        int64_t dc[2] = {3, 1}, dx[2] = {3, 4};
        unsigned char cond[3] = {1, 0, 1};
        int64_t x[12], y = -5, want[12];
        for (int i = 0; i < 12; i++) x[i] = i * 10;
        for (int i = 0; i < 12; i++) want[i] = cond[i / 4] ? x[i] : y;
        tc c;
        tc_init(&c, 13);
        int ins[3] = {tc_t(&c, TERN_BOOL, 2, dc, cond), tc_t(&c, TERN_INT64, 2, dx, NULL),
                      tc_t(&c, TERN_INT64, 0, NULL, &y)};
        tc_node(&c, "Where", ins, 3, 1);
        if (th_check(t, tc_infer(&c) == TERN_OK, "Where int64", "%s", c.err.msg)) {
            const void *in[3] = {NULL, x, NULL};
            void *out[1];
            tc_run(&c, in, out);
            check_i64(t, "Where int64", out[0], want, 12);
            free(out[0]);
        }
        tc_free(&c);
    }
    /* And with bool broadcast */
    {
        int64_t d2 = 2, d22[2] = {2, 2};
        unsigned char a[4] = {0, 1, 1, 1}, b[2] = {1, 0}, want[4] = {0, 0, 1, 0};
        tc c;
        tc_init(&c, 13);
        int ins[2] = {tc_t(&c, TERN_BOOL, 2, d22, NULL), tc_t(&c, TERN_BOOL, 1, &d2, b)};
        tc_node(&c, "And", ins, 2, 1);
        if (th_check(t, tc_infer(&c) == TERN_OK, "And bool", "%s", c.err.msg)) {
            const void *in[2] = {a, NULL};
            void *out[1];
            tc_run(&c, in, out);
            check_bytes(t, "And bool", out[0], want, 4);
            free(out[0]);
        }
        tc_free(&c);
    }
}

/* Max, Min, Sum, Mean with 1..3 inputs of different broadcast shapes */
static void test_variadic(th_ctx *t) {
    static const char *const OPS[] = {"Max", "Min", "Sum", "Mean"};
    static const int RANKS[3] = {4, 3, 1};
    static const int64_t DIMS[3][4] = {{2, 3, 4, 5}, {3, 1, 1}, {5}};
    int64_t od[4] = {2, 3, 4, 5};
    float *xs[3];
    for (int i = 0; i < 3; i++) xs[i] = rand_f32(numel(RANKS[i], DIMS[i]));
    for (int o = 0; o < 4; o++)
        for (int k = 1; k <= 3; k++)
            for (int lay = 0; lay < 2; lay++) {
                tc c;
                tc_init(&c, 13);
                int ins[3];
                /* k == 1 takes the [3,1,1] input alone: the output is that shape */
                int first = k == 1 ? 1 : 0;
                for (int i = 0; i < k; i++)
                    ins[i] = tc_t(&c, TERN_FLOAT, RANKS[first + i], DIMS[first + i], NULL);
                tc_node(&c, OPS[o], ins, k, 1);
                char name[64];
                snprintf(name, sizeof name, "%s of %d inputs, %s", OPS[o], k, lname(lay));
                if (!th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
                    tc_free(&c);
                    continue;
                }
                const tern_tensor *y = tc_out(&c, 0);
                int64_t ny = tern_tensor_numel(y);
                if (k > 1) check_dims(t, name, y, 4, od);
                double *want = malloc(sizeof(double) * (size_t)ny);
                for (int64_t e = 0; e < ny; e++) {
                    double acc = 0;
                    for (int i = 0; i < k; i++) {
                        int j = first + i;
                        double v = xs[j][bcast_src(e, y->rank, y->dims, RANKS[j], DIMS[j])];
                        if (i == 0) acc = v;
                        else if (o == 0) acc = v > acc ? v : acc;
                        else if (o == 1) acc = v < acc ? v : acc;
                        else acc += v;
                    }
                    want[e] = o == 3 ? acc / k : acc;
                }
                for (int i = 0; i < 3; i++) c.layout_in[i] = lay;
                c.layout_out[0] = lay;
                const void *in[3] = {xs[first], xs[first + 1], k > 2 ? xs[2] : NULL};
                void *out[1];
                th_check(t, tc_run(&c, in, out) == TERN_OK, name, "%s", c.err.msg);
                check_f32(t, name, out[0], want, ny, 1e-6);
                free(out[0]), free(want);
                tc_free(&c);
            }
    for (int i = 0; i < 3; i++) free(xs[i]);
}

static void test_mod_classify(th_ctx *t) {
    static const int64_t A[8] = {7, -7, 7, -7, 5, INT64_MIN, 0, 9};
    static const int64_t B[8] = {3, 3, -3, -3, 0, -1, 4, 9};
    int64_t n8 = 8;
    for (int fm = 0; fm < 2; fm++) {
        int64_t want[8];
        for (int i = 0; i < 8; i++) {
            if (B[i] == 0 || B[i] == -1) { want[i] = 0; continue; }
            int64_t r = A[i] % B[i]; /* C: sign of the dividend */
            if (!fm && r != 0 && (r < 0) != (B[i] < 0)) r += B[i];
            want[i] = r;
        }
        tc c;
        tc_init(&c, 13);
        int ins[2] = {tc_t(&c, TERN_INT64, 1, &n8, NULL), tc_t(&c, TERN_INT64, 1, &n8, B)};
        tc_node(&c, "Mod", ins, 2, 1);
        tc_int(&c, "fmod", fm);
        const char *name = fm ? "Mod int64 fmod=1" : "Mod int64 fmod=0";
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
            const void *in[2] = {A, NULL};
            void *out[1];
            tc_run(&c, in, out);
            check_i64(t, name, out[0], want, 8);
            free(out[0]);
        }
        tc_free(&c);
    }
    float fa[4] = {5.5f, -5.5f, 5.5f, 1.0f}, fb[4] = {2.0f, 2.0f, -2.0f, 0.0f};
    double fw[4] = {1.5, -1.5, 1.5, NAN};
    int64_t n4 = 4;
    tc c;
    tc_init(&c, 13);
    int ins[2] = {tc_t(&c, TERN_FLOAT, 1, &n4, NULL), tc_t(&c, TERN_FLOAT, 1, &n4, fb)};
    tc_node(&c, "Mod", ins, 2, 1);
    tc_int(&c, "fmod", 1);
    if (th_check(t, tc_infer(&c) == TERN_OK, "Mod float fmod=1", "%s", c.err.msg)) {
        const void *in[2] = {fa, NULL};
        void *out[1];
        tc_run(&c, in, out);
        check_f32(t, "Mod float fmod=1", out[0], fw, 4, 0);
        free(out[0]);
    }
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 1, &n4, NULL);
    ins[1] = tc_t(&c, TERN_FLOAT, 1, &n4, fb);
    tc_node(&c, "Mod", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "fmod", "Mod rejects floats with fmod=0");
    tc_free(&c);
    /* IsNaN, IsInf (all, positive only, negative only, neither: all false) */
    float x[5] = {1.0f, NAN, INFINITY, -INFINITY, -0.0f};
    int64_t n5 = 5;
    static const uint8_t W[5][5] = {{0, 1, 0, 0, 0}, {0, 0, 1, 1, 0}, {0, 0, 1, 0, 0},
                                    {0, 0, 0, 1, 0}, {0, 0, 0, 0, 0}};
    for (int k = 0; k < 5; k++) {
        tc_init(&c, 13);
        int in0 = tc_t(&c, TERN_FLOAT, 1, &n5, NULL);
        tc_node(&c, k ? "IsInf" : "IsNaN", &in0, 1, 1);
        if (k == 2 || k == 4) tc_int(&c, "detect_negative", 0);
        if (k == 3 || k == 4) tc_int(&c, "detect_positive", 0);
        char name[48];
        snprintf(name, sizeof name, "%s case %d", k ? "IsInf" : "IsNaN", k);
        if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->dtype == TERN_BOOL, name, "%s",
                     c.err.msg)) {
            const void *in[1] = {x};
            void *out[1];
            tc_run(&c, in, out);
            check_bytes(t, name, out[0], W[k], 5);
            free(out[0]);
        }
        tc_free(&c);
    }
}

/* Pow with integer bases and exponents (result in the base's type) */
static void test_pow_int(th_ctx *t) {
    int64_t n6 = 6;
    int64_t base[6] = {2, -3, 1, -1, 0, 7}, ex[6] = {10, 3, -5, -3, -1, 0};
    int64_t want[6] = {1024, -27, 1, -1, 0, 1};
    tc c;
    tc_init(&c, 15);
    int ins[2] = {tc_t(&c, TERN_INT64, 1, &n6, NULL), tc_t(&c, TERN_INT64, 1, &n6, ex)};
    tc_node(&c, "Pow", ins, 2, 1);
    if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->dtype == TERN_INT64,
                 "Pow int64^int64", "%s", c.err.msg)) {
        const void *in[2] = {base, NULL};
        void *out[1];
        tc_run(&c, in, out);
        check_i64(t, "Pow int64^int64", out[0], want, 6);
        free(out[0]);
    }
    tc_free(&c);
    int32_t b32[3] = {4, 9, -8};
    float fe[3] = {0.5f, 1.5f, 1e30f};
    int32_t w32[3] = {2, 27, INT32_MAX}; /* (-8)^1e30 = +inf in double: saturates */
    tc_init(&c, 15);
    int64_t n3 = 3;
    ins[0] = tc_t(&c, TERN_INT32, 1, &n3, NULL);
    ins[1] = tc_t(&c, TERN_FLOAT, 1, &n3, fe);
    tc_node(&c, "Pow", ins, 2, 1);
    if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->dtype == TERN_INT32,
                 "Pow int32^float", "%s", c.err.msg)) {
        const void *in[2] = {b32, NULL};
        void *out[1];
        tc_run(&c, in, out);
        int32_t got[3];
        memcpy(got, out[0], 12);
        check_bytes(t, "Pow int32^float", got, w32, 12);
        free(out[0]);
    }
    tc_free(&c);
    float fb[3] = {2.0f, -2.0f, 9.0f};
    int32_t ie[3] = {3, 3, -1};
    double fw[3] = {8.0, -8.0, 1.0 / 9.0};
    tc_init(&c, 15);
    ins[0] = tc_t(&c, TERN_FLOAT, 1, &n3, NULL);
    ins[1] = tc_t(&c, TERN_INT32, 1, &n3, ie);
    tc_node(&c, "Pow", ins, 2, 1);
    if (th_check(t, tc_infer(&c) == TERN_OK, "Pow float^int32", "%s", c.err.msg)) {
        const void *in[2] = {fb, NULL};
        void *out[1];
        tc_run(&c, in, out);
        check_f32(t, "Pow float^int32", out[0], fw, 3, 1e-6);
        free(out[0]);
    }
    tc_free(&c);
}

/* int8, uint8, float16, float64 go through the slow generic path */
static void other_case(th_ctx *t, const char *op, tern_dtype dt, const void *a, const void *b,
                       int64_t n, tern_dtype odt, const void *want, const char *name) {
    tc c;
    tc_init(&c, 14);
    int ins[2] = {tc_t(&c, dt, 1, &n, NULL), tc_t(&c, dt, 0, NULL, b)}; /* b: a scalar */
    tc_node(&c, op, ins, 2, 1);
    if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->dtype == odt, name, "%s",
                 c.err.msg)) {
        const void *in[2] = {a, NULL};
        void *out[1];
        tc_run(&c, in, out);
        check_bytes(t, name, out[0], want, (size_t)n * tern_dtype_size(odt));
        free(out[0]);
    }
    tc_free(&c);
}

static void test_binary_other(th_ctx *t) {
    int8_t a8[4] = {100, -128, 7, -7}, b8 = 100;
    int8_t add8[4] = {-56, -28, 107, 93}; /* 200 - 256, -28, 107, 93 */
    other_case(t, "Add", TERN_INT8, a8, &b8, 4, TERN_INT8, add8, "Add int8 wraps");
    int8_t m1 = -1, div8[4] = {-100, -128, -7, 7}; /* -128 / -1 wraps to -128 */
    other_case(t, "Div", TERN_INT8, a8, &m1, 4, TERN_INT8, div8, "Div int8 by -1");
    uint8_t u8[4] = {0, 5, 250, 255}, ub = 10, subu[4] = {246, 251, 240, 245};
    other_case(t, "Sub", TERN_UINT8, u8, &ub, 4, TERN_UINT8, subu, "Sub uint8 wraps");
    uint8_t zero = 0, divz[4] = {0, 0, 0, 0};
    other_case(t, "Div", TERN_UINT8, u8, &zero, 4, TERN_UINT8, divz, "Div uint8 by 0 is 0");
    uint8_t gt[4] = {0, 0, 1, 1};
    other_case(t, "Greater", TERN_UINT8, u8, &ub, 4, TERN_BOOL, gt, "Greater uint8");
    /* float16: 1.5 + 0.25 = 1.75 (0x3f00), 65504 + 0.25 = 65504, -2 + 0.25 = -1.75 */
    uint16_t h[3] = {0x3e00, 0x7bff, 0xc000}, hb = 0x3400, hw[3] = {0x3f00, 0x7bff, 0xbf00};
    other_case(t, "Add", TERN_FLOAT16, h, &hb, 3, TERN_FLOAT16, hw, "Add float16");
    double d[3] = {1.0, -3.0, 1e300}, db = 3.0, dw[3] = {1.0 / 3.0, -1.0, 1e300 / 3.0};
    other_case(t, "Div", TERN_DOUBLE, d, &db, 3, TERN_DOUBLE, dw, "Div float64");
    double mx[3] = {3.0, 3.0, 1e300};
    other_case(t, "Max", TERN_DOUBLE, d, &db, 3, TERN_DOUBLE, mx, "Max float64");
}

static void test_binary_errors(th_ctx *t) {
    tc c;
    int64_t d23[2] = {2, 3}, d4 = 4, d3 = 3;
    tc_init(&c, 13);
    int ins[2] = {tc_t(&c, TERN_FLOAT, 2, d23, NULL), tc_t(&c, TERN_FLOAT, 1, &d4, NULL)};
    tc_node(&c, "Add", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "broadcast", "Add rejects incompatible broadcast");
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 1, &d3, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &d3, NULL);
    tc_node(&c, "Mul", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "differ", "Mul rejects mixed dtypes");
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 1, &d3, NULL);
    tc_node(&c, "Sub", ins, 1, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "inputs", "Sub rejects one input");
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 1, &d3, NULL);
    ins[1] = tc_t(&c, TERN_FLOAT, 1, &d3, NULL);
    tc_node(&c, "And", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "bool", "And rejects floats");
    tc_free(&c);
}

/* Before opset 7 the arithmetic ops broadcast only with broadcast=1: B's
 * dims then match A's starting at `axis` (default: at the end), and the
 * result has A's shape. Without broadcast=1 the shapes must be equal. */
static void test_binary_legacy_broadcast(th_ctx *t) {
    static const int64_t da[3] = {2, 3, 4}, d3[1] = {3}, d34[2] = {3, 4}, d4[1] = {4};
    static const struct {
        const char *op;
        int rb;
        const int64_t *db;
        int64_t axis; /* -1: no axis attribute; -2: no broadcast either (equal shapes) */
    } cs[] = {{"Add", 1, d3, 1}, {"Mul", 2, d34, 1}, {"Sub", 1, d4, -1}, {"Div", 1, d3, 1},
              {"Add", 3, da, -2}};
    float *a = rand_f32(24), *b = rand_f32(24);
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        tc c;
        tc_init(&c, 6);
        int ins[2] = {tc_t(&c, TERN_FLOAT, 3, da, NULL), tc_t(&c, TERN_FLOAT, cs[i].rb, cs[i].db, NULL)};
        tc_node(&c, cs[i].op, ins, 2, 1);
        if (cs[i].axis != -2) tc_int(&c, "broadcast", 1);
        if (cs[i].axis >= 0) tc_int(&c, "axis", cs[i].axis);
        char name[80];
        snprintf(name, sizeof name, "%s opset 6 broadcast=1 B rank %d axis %lld", cs[i].op,
                 cs[i].rb, (long long)cs[i].axis);
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "infer: %s", c.err.msg) &&
            check_dims(t, name, tc_out(&c, 0), 3, da)) {
            double want[24];
            int64_t at = cs[i].axis >= 0 ? cs[i].axis : 3 - cs[i].rb;
            for (int64_t e = 0; e < 24; e++) {
                int64_t idx[3], bi = 0;
                unravel(e, 3, da, idx);
                for (int k = 0; k < cs[i].rb; k++) bi = bi * cs[i].db[k] + idx[at + k];
                want[e] = ref_bin(cs[i].op, a[e], b[bi]);
            }
            const void *in[2] = {a, b};
            void *out[1];
            tc_run(&c, in, out);
            check_f32(t, name, out[0], want, 24, 1e-6);
            free(out[0]);
        }
        tc_free(&c);
    }
    tc c;
    tc_init(&c, 6);
    int ins[2] = {tc_t(&c, TERN_FLOAT, 3, da, NULL), tc_t(&c, TERN_FLOAT, 1, d4, NULL)};
    tc_node(&c, "Add", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "broadcast", "Add opset 6 without broadcast=1 needs equal shapes");
    tc_free(&c);
    tc_init(&c, 6);
    ins[0] = tc_t(&c, TERN_FLOAT, 3, da, NULL);
    ins[1] = tc_t(&c, TERN_FLOAT, 1, d4, NULL);
    tc_node(&c, "Add", ins, 2, 1);
    tc_int(&c, "broadcast", 1);
    tc_int(&c, "axis", 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "broadcast", "Add opset 6 rejects B not matching A at axis");
    tc_free(&c);
    free(a);
    free(b);
}

/* ---- unary ---------------------------------------------------------------- */

static double ref_un(const char *op, double x) {
    if (!strcmp(op, "Neg")) return -x;
    if (!strcmp(op, "Abs")) return fabs(x);
    if (!strcmp(op, "Sqrt")) return sqrt(x);
    if (!strcmp(op, "Exp")) return exp(x);
    if (!strcmp(op, "Log")) return log(x);
    if (!strcmp(op, "Reciprocal")) return 1.0 / x;
    if (!strcmp(op, "Floor")) return floor(x);
    if (!strcmp(op, "Ceil")) return ceil(x);
    if (!strcmp(op, "Round")) {
        double r = floor(x + 0.5); /* half to even, by hand */
        if (r - x == 0.5 && fmod(r, 2.0) != 0) r -= 1.0;
        return r;
    }
    if (!strcmp(op, "Erf")) return erf(x);
    if (!strcmp(op, "Sign")) return x > 0 ? 1 : x < 0 ? -1 : 0;
    if (!strcmp(op, "Sin")) return sin(x);
    if (!strcmp(op, "Tan")) return tan(x);
    if (!strcmp(op, "Asin")) return asin(x);
    if (!strcmp(op, "Acos")) return acos(x);
    if (!strcmp(op, "Atan")) return atan(x);
    if (!strcmp(op, "Sinh")) return sinh(x);
    if (!strcmp(op, "Cosh")) return cosh(x);
    if (!strcmp(op, "Asinh")) return asinh(x);
    if (!strcmp(op, "Acosh")) return acosh(x);
    if (!strcmp(op, "Atanh")) return atanh(x);
    return cos(x);
}

static void test_unary(th_ctx *t) {
    static const char *const OPS[] = {"Neg",  "Abs",  "Sqrt", "Exp",   "Log",   "Reciprocal",
                                      "Floor", "Ceil", "Round", "Erf", "Sign",  "Sin",
                                      "Cos",  "Tan",  "Asin", "Acos",  "Atan",  "Sinh",
                                      "Cosh", "Asinh", "Acosh", "Atanh"};
    int64_t dims[4] = {2, 3, 4, 3};
    int64_t ne = numel(4, dims);
    for (size_t o = 0; o < sizeof OPS / sizeof OPS[0]; o++) {
        for (int lay = 0; lay < 4; lay++) {
            float *x = rand_f32(ne);
            x[0] = 2.5f, x[1] = -2.5f, x[2] = 0.5f, x[3] = 1.5f; /* Round ties */
            if (!strcmp(OPS[o], "Sqrt") || !strcmp(OPS[o], "Log"))
                for (int64_t i = 0; i < ne; i++) x[i] = fabsf(x[i]) + 0.01f;
            if (!strcmp(OPS[o], "Asin") || !strcmp(OPS[o], "Acos") || !strcmp(OPS[o], "Atanh"))
                for (int64_t i = 0; i < ne; i++) x[i] *= 0.45f; /* into (-1, 1) */
            if (!strcmp(OPS[o], "Acosh"))
                for (int64_t i = 0; i < ne; i++) x[i] = fabsf(x[i]) + 1.0f;
            tc c;
            tc_init(&c, 13);
            int in0 = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
            tc_node(&c, OPS[o], &in0, 1, 1);
            char name[64];
            snprintf(name, sizeof name, "%s in %s out %s", OPS[o], lname(lay & 1), lname(lay >> 1));
            if (th_check(t, tc_infer(&c) == TERN_OK, name, "infer: %s", c.err.msg)) {
                c.layout_in[0] = lay & 1;
                c.layout_out[0] = lay >> 1;
                double *want = malloc(sizeof(double) * (size_t)ne);
                for (int64_t i = 0; i < ne; i++) want[i] = (float)ref_un(OPS[o], x[i]);
                const void *in[1] = {x};
                void *out[1];
                th_check(t, tc_run(&c, in, out) == TERN_OK, name, "run: %s", c.err.msg);
                check_f32(t, name, out[0], want, ne, 2e-6);
                free(out[0]), free(want);
            }
            free(x);
            tc_free(&c);
        }
    }
    /* int64 Neg/Abs wrap at INT64_MIN */
    static const int64_t X[4] = {INT64_MIN, -3, 0, INT64_MAX};
    static const int64_t NEG[4] = {INT64_MIN, 3, 0, -INT64_MAX}, ABS[4] = {INT64_MIN, 3, 0, INT64_MAX};
    int64_t d4 = 4;
    for (int k = 0; k < 2; k++) {
        tc c;
        tc_init(&c, 13);
        int in0 = tc_t(&c, TERN_INT64, 1, &d4, NULL);
        tc_node(&c, k ? "Abs" : "Neg", &in0, 1, 1);
        const char *name = k ? "Abs int64" : "Neg int64";
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
            const void *in[1] = {X};
            void *out[1];
            tc_run(&c, in, out);
            check_i64(t, name, out[0], k ? ABS : NEG, 4);
            free(out[0]);
        }
        tc_free(&c);
    }
    tc c;
    tc_init(&c, 13);
    int in0 = tc_t(&c, TERN_INT64, 1, &d4, NULL);
    tc_node(&c, "Sqrt", &in0, 1, 1);
    expect_fail(t, &c, TERN_ERR_UNSUPPORTED, "int64", "Sqrt rejects int64");
    tc_free(&c);
}

/* ---- reductions ---------------------------------------------------------- */

typedef struct axes_case {
    int n;
    int64_t axes[4];
} axes_case;

/* naive reduction in double over input [dims] into want (logical order of the output) */
static void ref_reduce(const char *op, int rank, const int64_t *dims, const float *x,
                       const int *mask, int keep, double *want, int64_t nout) {
    int64_t odims[TERN_MAX_RANK], idx[TERN_MAX_RANK], oidx[TERN_MAX_RANK], count = 1;
    int orank = 0;
    for (int k = 0; k < rank; k++) {
        if (mask[k]) count *= dims[k];
        if (!mask[k]) odims[orank++] = dims[k];
        else if (keep) odims[orank++] = 1;
    }
    int is_max = !strcmp(op, "ReduceMax"), is_min = !strcmp(op, "ReduceMin");
    int is_prod = !strcmp(op, "ReduceProd");
    for (int64_t e = 0; e < nout; e++)
        want[e] = is_max ? -INFINITY : is_min ? INFINITY : is_prod ? 1.0 : 0.0;
    for (int64_t e = 0; e < numel(rank, dims); e++) {
        unravel(e, rank, dims, idx);
        int r = 0;
        for (int k = 0; k < rank; k++) {
            if (!mask[k]) oidx[r++] = idx[k];
            else if (keep) oidx[r++] = 0;
        }
        double *w = &want[ravel(orank, odims, oidx)];
        double v = x[e];
        if (is_max) *w = fmax(*w, v);
        else if (is_min) *w = fmin(*w, v);
        else if (is_prod) *w *= v;
        else if (!strcmp(op, "ReduceL1")) *w += fabs(v);
        else if (!strcmp(op, "ReduceL2") || !strcmp(op, "ReduceSumSquare")) *w += v * v;
        else if (!strcmp(op, "ReduceLogSumExp")) *w += exp(v);
        else *w += v;
    }
    for (int64_t e = 0; e < nout; e++) {
        if (!strcmp(op, "ReduceMean")) want[e] /= (double)count;
        if (!strcmp(op, "ReduceL2")) want[e] = sqrt(want[e]);
        if (!strcmp(op, "ReduceLogSum") || !strcmp(op, "ReduceLogSumExp")) want[e] = log(want[e]);
    }
}

static void test_reduce(th_ctx *t) {
    static const char *const OPS[] = {"ReduceSum",       "ReduceMean",   "ReduceMax",
                                      "ReduceMin",       "ReduceProd",   "ReduceL1",
                                      "ReduceL2",        "ReduceSumSquare", "ReduceLogSum",
                                      "ReduceLogSumExp"};
    static const axes_case AXES[] = {{1, {1}}, {2, {2, 3}}, {1, {-1}}, {2, {0, -2}}, {0, {0}}};
    int64_t dims[4] = {2, 3, 4, 5}, ne = 120;
    for (size_t o = 0; o < sizeof OPS / sizeof OPS[0]; o++) {
        int64_t new_opset = o == 0 ? 13 : 18;
        for (size_t a = 0; a < sizeof AXES / sizeof AXES[0]; a++)
            for (int keep = 0; keep < 2; keep++)
                for (int ver = 0; ver < 2; ver++)
                    for (int lay = 0; lay < 4; lay++) {
                        float *x = rand_f32(ne);
                        if (o >= 4) /* Prod: near 1 so 120 factors stay finite; LogSum: > 0 */
                            for (int64_t i = 0; i < ne; i++) x[i] = 0.8f + fabsf(x[i]) * 0.2f;
                        tc c;
                        tc_init(&c, ver ? new_opset : 11);
                        int ins[2] = {tc_t(&c, TERN_FLOAT, 4, dims, NULL), -1};
                        int64_t ad = AXES[a].n;
                        if (ver && AXES[a].n)
                            ins[1] = tc_t(&c, TERN_INT64, 1, &ad, AXES[a].axes);
                        tc_node(&c, OPS[o], ins, ins[1] >= 0 ? 2 : 1, 1);
                        if (!ver && AXES[a].n) tc_ints(&c, "axes", AXES[a].axes, AXES[a].n);
                        tc_int(&c, "keepdims", keep);
                        char name[128];
                        snprintf(name, sizeof name, "%s axes#%zu keepdims %d opset %lld in %s out %s",
                                 OPS[o], a, keep, (long long)c.g.opset, lname(lay & 1),
                                 lname(lay >> 1));
                        if (th_check(t, tc_infer(&c) == TERN_OK, name, "infer: %s", c.err.msg)) {
                            int mask[4] = {0, 0, 0, 0};
                            for (int k = 0; k < AXES[a].n; k++)
                                mask[(AXES[a].axes[k] + 4) % 4] = 1;
                            if (!AXES[a].n) mask[0] = mask[1] = mask[2] = mask[3] = 1;
                            tern_tensor *y = tc_out(&c, 0);
                            int64_t ny = tern_tensor_numel(y);
                            double *want = malloc(sizeof(double) * (size_t)(ny + 1));
                            ref_reduce(OPS[o], 4, dims, x, mask, keep, want, ny);
                            c.layout_in[0] = lay & 1;
                            c.layout_out[0] = lay >> 1;
                            const void *in[2] = {x, NULL};
                            void *out[1];
                            th_check(t, tc_run(&c, in, out) == TERN_OK, name, "%s", c.err.msg);
                            /* the kernel folds in double and rounds once: float accuracy */
                            check_f32(t, name, out[0], want, ny, 1e-6);
                            free(out[0]), free(want);
                        }
                        free(x);
                        tc_free(&c);
                    }
    }
    /* noop_with_empty_axes = 1: identity */
    {
        float x[6] = {1, -2, 3, 4, 5, -6};
        double want[6] = {1, -2, 3, 4, 5, -6};
        int64_t d23[2] = {2, 3};
        tc c;
        tc_init(&c, 13);
        int in0 = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
        tc_node(&c, "ReduceSum", &in0, 1, 1);
        tc_int(&c, "noop_with_empty_axes", 1);
        if (th_check(t, tc_infer(&c) == TERN_OK, "ReduceSum noop_with_empty_axes", "%s", c.err.msg)) {
            check_dims(t, "ReduceSum noop shape", tc_out(&c, 0), 2, d23);
            const void *in[1] = {x};
            void *out[1];
            tc_run(&c, in, out);
            check_f32(t, "ReduceSum noop_with_empty_axes", out[0], want, 6, 0);
            free(out[0]);
        }
        tc_free(&c);
    }
    /* float64 ReduceLogSumExp over axis 1: values a float32 fold would lose */
    {
        double x[6] = {0.1, 0.2, 0.3, 1e-9, 2e-9, 3e-9}, want[2];
        int64_t d23[2] = {2, 3}, ax = 1, one = 1;
        for (int r = 0; r < 2; r++)
            want[r] = log(exp(x[r * 3]) + exp(x[r * 3 + 1]) + exp(x[r * 3 + 2]));
        tc c;
        tc_init(&c, 18);
        int ins[2] = {tc_t(&c, TERN_DOUBLE, 2, d23, NULL), tc_t(&c, TERN_INT64, 1, &one, &ax)};
        tc_node(&c, "ReduceLogSumExp", ins, 2, 1);
        tc_int(&c, "keepdims", 0);
        if (th_check(t, tc_infer(&c) == TERN_OK, "ReduceLogSumExp float64", "%s", c.err.msg)) {
            const void *in[2] = {x, NULL};
            void *out[1];
            tc_run(&c, in, out);
            double got[2];
            memcpy(got, out[0], 16);
            th_check(t, fabs(got[0] - want[0]) < 1e-15 && fabs(got[1] - want[1]) < 1e-15,
                     "ReduceLogSumExp float64", "got %.17g %.17g, want %.17g %.17g", got[0],
                     got[1], want[0], want[1]);
            free(out[0]);
        }
        tc_free(&c);
    }
    /* int64 ReduceSum over axis 0, keepdims 0 */
    {
        int64_t x[6] = {1, 2, 3, INT64_MAX, 5, 6}, d23[2] = {2, 3}, ax = 0, one = 1;
        int64_t want[3] = {(int64_t)((uint64_t)1 + (uint64_t)INT64_MAX), 7, 9};
        tc c;
        tc_init(&c, 13);
        int ins[2] = {tc_t(&c, TERN_INT64, 2, d23, NULL), tc_t(&c, TERN_INT64, 1, &one, &ax)};
        tc_node(&c, "ReduceSum", ins, 2, 1);
        tc_int(&c, "keepdims", 0);
        if (th_check(t, tc_infer(&c) == TERN_OK, "ReduceSum int64", "%s", c.err.msg)) {
            const void *in[2] = {x, NULL};
            void *out[1];
            tc_run(&c, in, out);
            check_i64(t, "ReduceSum int64", out[0], want, 3);
            free(out[0]);
        }
        tc_free(&c);
    }
    /* errors: axis out of range, repeated axis, non-constant axes input */
    {
        int64_t d23[2] = {2, 3}, bad[2] = {2, 0}, rep[2] = {1, -1}, two = 2;
        tc c;
        tc_init(&c, 13);
        int in0 = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
        tc_node(&c, "ReduceMean", &in0, 1, 1);
        tc_ints(&c, "axes", bad, 2);
        expect_fail(t, &c, TERN_ERR_SHAPE, "out of range", "ReduceMean rejects axis 2 of rank 2");
        tc_free(&c);
        tc_init(&c, 13);
        in0 = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
        tc_node(&c, "ReduceMax", &in0, 1, 1);
        tc_ints(&c, "axes", rep, 2);
        expect_fail(t, &c, TERN_ERR_SHAPE, "twice", "ReduceMax rejects a repeated axis");
        tc_free(&c);
        tc_init(&c, 18);
        int ins[2] = {tc_t(&c, TERN_FLOAT, 2, d23, NULL), tc_t(&c, TERN_INT64, 1, &two, NULL)};
        tc_node(&c, "ReduceMin", ins, 2, 1);
        expect_fail(t, &c, TERN_ERR_UNSUPPORTED, "constant", "ReduceMin rejects runtime axes");
        tc_free(&c);
    }
}

/* ---- shape ops ------------------------------------------------------------ */

/* Infer, check the output shape, run and check output 0 equals the input bytes. */
static void view_case(th_ctx *t, tc *c, const char *name, const void *x, int rank,
                      const int64_t *dims) {
    if (!th_check(t, tc_infer(c) == TERN_OK, name, "infer: %s", c->err.msg)) return;
    if (!check_dims(t, name, tc_out(c, 0), rank, dims)) return;
    const void *in[4] = {x, NULL, NULL, NULL};
    void *out[2] = {0};
    th_check(t, tc_run(c, in, out) == TERN_OK, name, "run: %s", c->err.msg);
    check_bytes(t, name, out[0], x, tern_tensor_bytes(tc_out(c, 0)));
    free(out[0]), free(out[1]);
}

static void test_reshape(th_ctx *t) {
    int64_t d234[3] = {2, 3, 4};
    float x[24];
    for (int i = 0; i < 24; i++) x[i] = (float)i;
    struct {
        int r;
        int64_t shape[4];
        int allowzero;
        int wr;
        int64_t want[4];
    } ok[] = {
        {2, {0, -1}, 0, 2, {2, 12}},
        {2, {-1, 4}, 0, 2, {6, 4}},
        {4, {1, 2, 3, 4}, 0, 4, {1, 2, 3, 4}},
        {1, {-1}, 0, 1, {24}},
        {3, {0, 0, -1}, 0, 3, {2, 3, 4}},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        tc c;
        tc_init(&c, 14);
        int64_t r = ok[i].r;
        int ins[2] = {tc_t(&c, TERN_FLOAT, 3, d234, NULL),
                      tc_t(&c, TERN_INT64, 1, &r, ok[i].shape)};
        tc_node(&c, "Reshape", ins, 2, 1);
        char name[48];
        snprintf(name, sizeof name, "Reshape case %zu", i);
        view_case(t, &c, name, x, ok[i].wr, ok[i].want);
        tc_free(&c);
    }
    struct {
        int r;
        int64_t shape[4];
        int allowzero;
        tern_status code;
        const char *what;
    } bad[] = {
        {2, {-1, -1}, 0, TERN_ERR_SHAPE, "more than one -1"},
        {2, {5, -1}, 0, TERN_ERR_SHAPE, "-1"},
        {2, {4, 5}, 0, TERN_ERR_SHAPE, "elements"},
        {2, {0, -1}, 1, TERN_ERR_SHAPE, "-1"},
        {1, {-3}, 0, TERN_ERR_SHAPE, "-3"},
        {4, {INT64_MAX, INT64_MAX, 2, 2}, 0, TERN_ERR_SHAPE, "elements"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tc c;
        tc_init(&c, 14);
        int64_t r = bad[i].r;
        int ins[2] = {tc_t(&c, TERN_FLOAT, 3, d234, NULL), tc_t(&c, TERN_INT64, 1, &r, bad[i].shape)};
        tc_node(&c, "Reshape", ins, 2, 1);
        if (bad[i].allowzero) tc_int(&c, "allowzero", 1);
        char name[48];
        snprintf(name, sizeof name, "Reshape rejects bad shape %zu", i);
        expect_fail(t, &c, bad[i].code, bad[i].what, name);
        tc_free(&c);
    }
    tc c;
    tc_init(&c, 14);
    int64_t two = 2;
    int ins[2] = {tc_t(&c, TERN_FLOAT, 3, d234, NULL), tc_t(&c, TERN_INT64, 1, &two, NULL)};
    tc_node(&c, "Reshape", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_UNSUPPORTED, "constant", "Reshape rejects a runtime shape");
    tc_free(&c);
}

static void test_flatten_squeeze(th_ctx *t) {
    int64_t d = 0, dims[4] = {2, 1, 3, 1};
    float x[6] = {1, 2, 3, 4, 5, 6};
    struct {
        int64_t axis;
        int64_t want[2];
    } fl[] = {{0, {1, 6}}, {1, {2, 3}}, {3, {6, 1}}, {4, {6, 1}}, {-1, {6, 1}}, {-3, {2, 3}}};
    for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++) {
        tc c;
        tc_init(&c, 13);
        int in0 = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
        tc_node(&c, "Flatten", &in0, 1, 1);
        tc_int(&c, "axis", fl[i].axis);
        char name[48];
        snprintf(name, sizeof name, "Flatten axis %lld", (long long)fl[i].axis);
        view_case(t, &c, name, x, 2, fl[i].want);
        tc_free(&c);
    }
    tc c;
    tc_init(&c, 13);
    int in0 = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
    tc_node(&c, "Flatten", &in0, 1, 1);
    tc_int(&c, "axis", 5);
    expect_fail(t, &c, TERN_ERR_SHAPE, "out of range", "Flatten rejects axis 5");
    tc_free(&c);
    /* Squeeze: all 1s, attr axes (opset 11), input axes (opset 13), negative */
    int64_t w23[2] = {2, 3}, w213[3] = {2, 1, 3}, ax3 = 3, axm3[1] = {-3}, one = 1;
    tc_init(&c, 13);
    in0 = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
    tc_node(&c, "Squeeze", &in0, 1, 1);
    view_case(t, &c, "Squeeze all ones", x, 2, w23);
    tc_free(&c);
    tc_init(&c, 11);
    in0 = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
    tc_node(&c, "Squeeze", &in0, 1, 1);
    tc_ints(&c, "axes", &ax3, 1);
    view_case(t, &c, "Squeeze axes attr (opset 11)", x, 3, w213);
    tc_free(&c);
    tc_init(&c, 13);
    int ins[2] = {tc_t(&c, TERN_FLOAT, 4, dims, NULL), tc_t(&c, TERN_INT64, 1, &one, axm3)};
    tc_node(&c, "Squeeze", ins, 2, 1);
    int64_t w2311[3] = {2, 3, 1};
    view_case(t, &c, "Squeeze axes input -3 (opset 13)", x, 3, w2311);
    tc_free(&c);
    tc_init(&c, 13);
    d = 0;
    ins[0] = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &one, &d);
    tc_node(&c, "Squeeze", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "size 2", "Squeeze rejects a non-1 axis");
    tc_free(&c);
    /* Unsqueeze */
    int64_t d23[2] = {2, 3}, uax[2] = {0, -1}, two = 2, w1231[4] = {1, 2, 3, 1};
    tc_init(&c, 11);
    in0 = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
    tc_node(&c, "Unsqueeze", &in0, 1, 1);
    tc_ints(&c, "axes", uax, 2);
    view_case(t, &c, "Unsqueeze attr axes 0,-1 (opset 11)", x, 4, w1231);
    tc_free(&c);
    int64_t uax2[2] = {1, 3}, w2131[4] = {2, 1, 3, 1};
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &two, uax2);
    tc_node(&c, "Unsqueeze", ins, 2, 1);
    view_case(t, &c, "Unsqueeze input axes 1,3 (opset 13)", x, 4, w2131);
    tc_free(&c);
    int64_t uax3[2] = {4, 0};
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &two, uax3);
    tc_node(&c, "Unsqueeze", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "out of range", "Unsqueeze rejects axis 4 for rank 4");
    tc_free(&c);
    int64_t uax4[2] = {1, -3};
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &two, uax4);
    tc_node(&c, "Unsqueeze", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "twice", "Unsqueeze rejects a repeated axis");
    tc_free(&c);
    /* Identity and Dropout (with mask) */
    tc_init(&c, 13);
    in0 = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
    tc_node(&c, "Identity", &in0, 1, 1);
    view_case(t, &c, "Identity", x, 2, d23);
    tc_free(&c);
    tc_init(&c, 13);
    in0 = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
    tc_node(&c, "Dropout", &in0, 1, 2);
    if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 1)->dtype == TERN_BOOL, "Dropout mask",
                 "%s", c.err.msg)) {
        const void *in[1] = {x};
        void *out[2];
        tc_run(&c, in, out);
        unsigned char ones[6] = {1, 1, 1, 1, 1, 1};
        check_bytes(t, "Dropout output", out[0], x, 24);
        check_bytes(t, "Dropout mask all true", out[1], ones, 6);
        free(out[0]), free(out[1]);
    }
    tc_free(&c);
    unsigned char yes = 1;
    float ratio = 0.3f;
    tc_init(&c, 13);
    int dins[3] = {tc_t(&c, TERN_FLOAT, 2, d23, NULL), tc_t(&c, TERN_FLOAT, 0, NULL, &ratio),
                   tc_t(&c, TERN_BOOL, 0, NULL, &yes)};
    tc_node(&c, "Dropout", dins, 3, 1);
    expect_fail(t, &c, TERN_ERR_UNSUPPORTED, "training", "Dropout rejects training mode");
    tc_free(&c);
}

static void test_shape_size_const(th_ctx *t) {
    int64_t dims[4] = {2, 3, 4, 5};
    struct {
        int has_start, has_end;
        int64_t start, end;
        int n;
        int64_t want[4];
    } cs[] = {{0, 0, 0, 0, 4, {2, 3, 4, 5}}, {1, 0, 1, 0, 3, {3, 4, 5}},
              {1, 1, -3, -1, 2, {3, 4}},     {1, 1, 3, 1, 0, {0}},
              {1, 1, -10, 10, 4, {2, 3, 4, 5}}};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        tc c;
        tc_init(&c, 15);
        int in0 = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
        tc_node(&c, "Shape", &in0, 1, 1);
        if (cs[i].has_start) tc_int(&c, "start", cs[i].start);
        if (cs[i].has_end) tc_int(&c, "end", cs[i].end);
        char name[48];
        snprintf(name, sizeof name, "Shape case %zu", i);
        int64_t n = cs[i].n;
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg) &&
            check_dims(t, name, tc_out(&c, 0), 1, &n)) {
            const void *in[1] = {NULL}; /* Shape must not read its input's data */
            int64_t got[4] = {0};
            void *outs[1] = {got};
            th_check(t, tc_n(&c)->op->run(&c.g, tc_n(&c), in, outs, &c.err) == TERN_OK, name,
                     "run: %s", c.err.msg);
            check_i64(t, name, got, cs[i].want, n);
        }
        tc_free(&c);
    }
    tc c;
    tc_init(&c, 13);
    int in0 = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
    tc_node(&c, "Size", &in0, 1, 1);
    if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->rank == 0 &&
                        (c.g.nodes[0].op->flags & TERN_OP_FOLD_ON_SHAPE),
                 "Size infer", "%s", c.err.msg)) {
        int64_t v = 0, want = 120;
        void *outs[1] = {&v};
        const void *in[1] = {NULL};
        c.g.nodes[0].op->run(&c.g, tc_n(&c), in, outs, &c.err);
        check_i64(t, "Size", &v, &want, 1);
    }
    tc_free(&c);
    /* Constant: value tensor, value_floats, value_int, sparse (unsupported) */
    tern_tensor val = {0};
    int32_t vdata[3] = {4, -5, 6};
    val.dtype = TERN_INT32, val.rank = 1, val.dims[0] = 3, val.data = vdata;
    tc_init(&c, 13);
    tc_node(&c, "Constant", NULL, 0, 1);
    tc_attr(&c, "value", TERN_ATTR_TENSOR)->t = &val;
    if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->dtype == TERN_INT32,
                 "Constant value tensor", "%s", c.err.msg)) {
        void *out[1];
        tc_run(&c, NULL, out);
        check_bytes(t, "Constant value tensor", out[0], vdata, 12);
        free(out[0]);
    }
    tc_free(&c);
    float fl[2] = {1.5f, -2.0f};
    tc_init(&c, 13);
    tc_node(&c, "Constant", NULL, 0, 1);
    tern_attr *a = tc_attr(&c, "value_floats", TERN_ATTR_FLOATS);
    a->floats = fl, a->count = 2;
    if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->rank == 1, "Constant value_floats",
                 "%s", c.err.msg)) {
        void *out[1];
        tc_run(&c, NULL, out);
        check_bytes(t, "Constant value_floats", out[0], fl, 8);
        free(out[0]);
    }
    tc_free(&c);
    tc_init(&c, 13);
    tc_node(&c, "Constant", NULL, 0, 1);
    tc_int(&c, "value_int", -77);
    if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->rank == 0 &&
                        tc_out(&c, 0)->dtype == TERN_INT64,
                 "Constant value_int", "%s", c.err.msg)) {
        void *out[1];
        int64_t want = -77;
        tc_run(&c, NULL, out);
        check_i64(t, "Constant value_int", out[0], &want, 1);
        free(out[0]);
    }
    tc_free(&c);
    tc_init(&c, 13);
    tc_node(&c, "Constant", NULL, 0, 1);
    tc_attr(&c, "sparse_value", TERN_ATTR_TENSOR)->t = &val;
    expect_fail(t, &c, TERN_ERR_UNSUPPORTED, "sparse_value", "Constant rejects sparse_value");
    tc_free(&c);
    /* ConstantOfShape: default float 0, int64 value */
    int64_t shape[3] = {2, 1, 3}, three = 3, seven = 7;
    tern_tensor v7 = {0};
    v7.dtype = TERN_INT64, v7.rank = 1, v7.dims[0] = 1, v7.data = &seven;
    for (int k = 0; k < 2; k++) {
        tc_init(&c, 13);
        in0 = tc_t(&c, TERN_INT64, 1, &three, shape);
        tc_node(&c, "ConstantOfShape", &in0, 1, 1);
        if (k) tc_attr(&c, "value", TERN_ATTR_TENSOR)->t = &v7;
        const char *name = k ? "ConstantOfShape int64 7" : "ConstantOfShape default 0.0f";
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg) &&
            check_dims(t, name, tc_out(&c, 0), 3, shape)) {
            void *out[1];
            const void *in[1] = {NULL};
            tc_run(&c, in, out);
            int64_t w7[6] = {7, 7, 7, 7, 7, 7};
            float w0[6] = {0, 0, 0, 0, 0, 0};
            if (k) check_i64(t, name, out[0], w7, 6);
            else check_bytes(t, name, out[0], w0, 24);
            free(out[0]);
        }
        tc_free(&c);
    }
    int64_t negshape[2] = {2, -1}, tw = 2;
    tc_init(&c, 13);
    in0 = tc_t(&c, TERN_INT64, 1, &tw, negshape);
    tc_node(&c, "ConstantOfShape", &in0, 1, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "-1", "ConstantOfShape rejects a negative dim");
    tc_free(&c);
}

/* ---- data movement -------------------------------------------------------- */

/* Run c on float input x (input 0) with every in/out layout mix (rank >= 3)
 * and compare output 0 with want. */
static void run_layouts_f32(th_ctx *t, tc *c, const char *base, const float *x,
                            const double *want) {
    for (int lay = 0; lay < 4; lay++) {
        char name[128];
        snprintf(name, sizeof name, "%s in %s out %s", base, lname(lay & 1), lname(lay >> 1));
        for (int i = 0; i < 8; i++) c->layout_in[i] = lay & 1;
        c->layout_out[0] = lay >> 1;
        const void *in[8] = {x};
        void *out[8] = {0};
        th_check(t, tc_run(c, in, out) == TERN_OK, name, "run: %s", c->err.msg);
        check_f32(t, name, out[0], want, tern_tensor_numel(tc_out(c, 0)), 0);
        for (int i = 0; i < tc_n(c)->n_outputs; i++) free(out[i]);
    }
}

static void test_transpose_expand(th_ctx *t) {
    int64_t dims[4] = {2, 3, 4, 5};
    static const int64_t PERMS[4][4] = {{0, 2, 3, 1}, {0, 3, 1, 2}, {3, 2, 1, 0}, {1, 0, 2, 3}};
    float *x = rand_f32(120);
    for (int p = 0; p < 4; p++) {
        tc c;
        tc_init(&c, 13);
        int in0 = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
        tc_node(&c, "Transpose", &in0, 1, 1);
        if (p != 2) tc_ints(&c, "perm", PERMS[p], 4); /* perm 2 is the default */
        char name[64];
        snprintf(name, sizeof name, "Transpose perm#%d", p);
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
            const tern_tensor *y = tc_out(&c, 0);
            double want[120];
            int64_t oi[4], ii[4];
            for (int64_t e = 0; e < 120; e++) {
                unravel(e, 4, y->dims, oi);
                for (int k = 0; k < 4; k++) ii[PERMS[p][k]] = oi[k];
                want[e] = x[ravel(4, dims, ii)];
            }
            run_layouts_f32(t, &c, name, x, want);
        }
        tc_free(&c);
    }
    int64_t badperm[4] = {0, 1, 1, 2};
    tc c;
    tc_init(&c, 13);
    int in0 = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
    tc_node(&c, "Transpose", &in0, 1, 1);
    tc_ints(&c, "perm", badperm, 4);
    expect_fail(t, &c, TERN_ERR_SHAPE, "permutation", "Transpose rejects a bad perm");
    tc_free(&c);
    /* Expand [1,3,1,1] -> [2,3,4,5], and [3,1] by [2,1,4] */
    struct {
        int rx;
        int64_t dx[4];
        int rs;
        int64_t shape[4];
        int ry;
        int64_t dy[4];
    } ex[] = {{4, {1, 3, 1, 1}, 4, {2, 3, 4, 5}, 4, {2, 3, 4, 5}},
              {2, {3, 1}, 3, {2, 1, 4}, 3, {2, 3, 4}},
              {3, {2, 3, 4}, 1, {1}, 3, {2, 3, 4}}};
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        int64_t rs = ex[i].rs;
        tc_init(&c, 13);
        int ins[2] = {tc_t(&c, TERN_FLOAT, ex[i].rx, ex[i].dx, NULL),
                      tc_t(&c, TERN_INT64, 1, &rs, ex[i].shape)};
        tc_node(&c, "Expand", ins, 2, 1);
        char name[48];
        snprintf(name, sizeof name, "Expand case %zu", i);
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg) &&
            check_dims(t, name, tc_out(&c, 0), ex[i].ry, ex[i].dy)) {
            int64_t ny = numel(ex[i].ry, ex[i].dy);
            double *want = malloc(sizeof(double) * (size_t)ny);
            for (int64_t e = 0; e < ny; e++)
                want[e] = x[bcast_src(e, ex[i].ry, ex[i].dy, ex[i].rx, ex[i].dx)];
            run_layouts_f32(t, &c, name, x, want);
            free(want);
        }
        tc_free(&c);
    }
    int64_t d3 = 3, s4 = 4, one = 1;
    tc_init(&c, 13);
    int ins[2] = {tc_t(&c, TERN_FLOAT, 1, &d3, NULL), tc_t(&c, TERN_INT64, 1, &one, &s4)};
    tc_node(&c, "Expand", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "broadcast", "Expand rejects [3] to [4]");
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 1, &d3, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &one, NULL);
    tc_node(&c, "Expand", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_UNSUPPORTED, "constant", "Expand rejects a runtime shape");
    tc_free(&c);
    free(x);
}

static void test_concat(th_ctx *t) {
    for (int which = 0; which < 2; which++) {
        /* which 0: axis 1 of [2,k,3,4]; which 1: axis -1 of [2,3,4,k] */
        int64_t ks[3] = {1, 2, 3}, dims[3][4];
        float *xs[3];
        for (int i = 0; i < 3; i++) {
            int64_t d[4] = {2, 3, 4, 5};
            if (which == 0) d[1] = ks[i], d[2] = 3, d[3] = 4;
            else d[3] = ks[i];
            memcpy(dims[i], d, sizeof d);
            xs[i] = rand_f32(numel(4, d));
        }
        for (int lay = 0; lay < 16; lay++) { /* bits: out, in0, in1, in2 */
            tc c;
            tc_init(&c, 13);
            int ins[3];
            for (int i = 0; i < 3; i++) ins[i] = tc_t(&c, TERN_FLOAT, 4, dims[i], NULL);
            tc_node(&c, "Concat", ins, 3, 1);
            tc_int(&c, "axis", which ? -1 : 1);
            char name[96];
            snprintf(name, sizeof name, "Concat axis %d layouts %d%d%d%d", which ? -1 : 1, lay & 1,
                     lay >> 1 & 1, lay >> 2 & 1, lay >> 3 & 1);
            if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
                const tern_tensor *y = tc_out(&c, 0);
                int ax = which ? 3 : 1;
                int64_t ny = tern_tensor_numel(y), oi[4];
                double *want = malloc(sizeof(double) * (size_t)ny);
                for (int64_t e = 0; e < ny; e++) {
                    unravel(e, 4, y->dims, oi);
                    int i = 0;
                    while (oi[ax] >= dims[i][ax]) oi[ax] -= dims[i++][ax];
                    want[e] = xs[i][ravel(4, dims[i], oi)];
                }
                c.layout_out[0] = lay & 1;
                for (int i = 0; i < 3; i++) c.layout_in[i] = lay >> (i + 1) & 1;
                const void *in[3] = {xs[0], xs[1], xs[2]};
                void *out[1];
                th_check(t, tc_run(&c, in, out) == TERN_OK, name, "%s", c.err.msg);
                check_f32(t, name, out[0], want, ny, 0);
                free(out[0]), free(want);
            }
            tc_free(&c);
        }
        for (int i = 0; i < 3; i++) free(xs[i]);
    }
    /* int64 shape vectors, as exporters build them */
    int64_t a[2] = {1, 3}, b = -1, d2 = 2, d1 = 1, want[3] = {1, 3, -1};
    tc c;
    tc_init(&c, 13);
    int ins[2] = {tc_t(&c, TERN_INT64, 1, &d2, NULL), tc_t(&c, TERN_INT64, 1, &d1, &b)};
    tc_node(&c, "Concat", ins, 2, 1);
    tc_int(&c, "axis", 0);
    if (th_check(t, tc_infer(&c) == TERN_OK, "Concat int64", "%s", c.err.msg)) {
        const void *in[2] = {a, NULL};
        void *out[1];
        tc_run(&c, in, out);
        check_i64(t, "Concat int64", out[0], want, 3);
        free(out[0]);
    }
    tc_free(&c);
    int64_t d23[2] = {2, 3}, d24[2] = {2, 4};
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
    ins[1] = tc_t(&c, TERN_FLOAT, 2, d24, NULL);
    tc_node(&c, "Concat", ins, 2, 1);
    tc_int(&c, "axis", 0);
    expect_fail(t, &c, TERN_ERR_SHAPE, "dim 1", "Concat rejects mismatched dims");
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
    ins[1] = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
    tc_node(&c, "Concat", ins, 2, 1);
    tc_int(&c, "axis", 2);
    expect_fail(t, &c, TERN_ERR_SHAPE, "out of range", "Concat rejects axis 2 of rank 2");
    tc_free(&c);
    /* Concat-1 (opsets 1..3): axis defaults to 1; since Concat-4 it is required */
    tc_init(&c, 3);
    ins[0] = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
    ins[1] = tc_t(&c, TERN_FLOAT, 2, d24, NULL);
    tc_node(&c, "Concat", ins, 2, 1);
    int64_t d27[2] = {2, 7};
    if (th_check(t, tc_infer(&c) == TERN_OK, "Concat opset 3 axis defaults to 1", "%s",
                 c.err.msg))
        check_dims(t, "Concat opset 3 axis defaults to 1", tc_out(&c, 0), 2, d27);
    tc_free(&c);
    tc_init(&c, 4);
    ins[0] = tc_t(&c, TERN_FLOAT, 2, d23, NULL);
    ins[1] = tc_t(&c, TERN_FLOAT, 2, d24, NULL);
    tc_node(&c, "Concat", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "axis", "Concat opset 4 requires axis");
    tc_free(&c);
}

static void test_gather(th_ctx *t) {
    int64_t dims[3] = {3, 4, 5}, di[2] = {2, 2};
    int64_t idx[4] = {0, -1, 3, 1};
    float *x = rand_f32(60);
    for (int cst = 0; cst < 2; cst++) {
        tc c;
        tc_init(&c, 13);
        int ins[2] = {tc_t(&c, TERN_FLOAT, 3, dims, NULL),
                      tc_t(&c, TERN_INT64, 2, di, cst ? idx : NULL)};
        tc_node(&c, "Gather", ins, 2, 1);
        tc_int(&c, "axis", -2);
        const char *name = cst ? "Gather axis -2 constant indices" : "Gather axis -2 runtime indices";
        int64_t wd[4] = {3, 2, 2, 5};
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg) &&
            check_dims(t, name, tc_out(&c, 0), 4, wd)) {
            double want[60];
            int64_t oi[4];
            for (int64_t e = 0; e < 60; e++) {
                unravel(e, 4, wd, oi);
                int64_t j = idx[oi[1] * 2 + oi[2]];
                if (j < 0) j += 4;
                want[e] = x[(oi[0] * 4 + j) * 5 + oi[3]];
            }
            const void *in[2] = {x, idx};
            void *out[1];
            th_check(t, tc_run(&c, in, out) == TERN_OK, name, "%s", c.err.msg);
            check_f32(t, name, out[0], want, 60, 0);
            free(out[0]);
        }
        tc_free(&c);
    }
    /* int64 data (a shape), int32 scalar index -1: exporters' Shape -> Gather */
    int64_t shape[4] = {1, 3, 224, 224}, d4 = 4, w = 224;
    int32_t im1 = -1;
    tc c;
    tc_init(&c, 13);
    int ins[2] = {tc_t(&c, TERN_INT64, 1, &d4, NULL), tc_t(&c, TERN_INT32, 0, NULL, &im1)};
    tc_node(&c, "Gather", ins, 2, 1);
    if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->rank == 0, "Gather scalar index",
                 "%s", c.err.msg)) {
        const void *in[2] = {shape, NULL};
        void *out[1];
        tc_run(&c, in, out);
        check_i64(t, "Gather scalar index", out[0], &w, 1);
        free(out[0]);
    }
    tc_free(&c);
    /* out of range: constant -> SHAPE from infer; runtime -> RUNTIME from run */
    int64_t bad[4] = {0, 1, 4, 2}, four = 4;
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 3, dims, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &four, bad);
    tc_node(&c, "Gather", ins, 2, 1);
    tc_int(&c, "axis", 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "out of range", "Gather rejects constant index 4 of 4");
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 3, dims, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &four, NULL);
    tc_node(&c, "Gather", ins, 2, 1);
    tc_int(&c, "axis", 1);
    if (th_check(t, tc_infer(&c) == TERN_OK, "Gather runtime bad index infer", "%s", c.err.msg)) {
        const void *in[2] = {x, bad};
        void *out[1];
        tern_status st = tc_run(&c, in, out);
        th_check(t, st == TERN_ERR_RUNTIME && strstr(c.err.msg, "out of range"),
                 "Gather runtime index out of range", "status %d '%s'", st, c.err.msg);
        free(out[0]);
    }
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 3, dims, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &four, bad);
    tc_node(&c, "Gather", ins, 2, 1);
    tc_int(&c, "axis", 3);
    expect_fail(t, &c, TERN_ERR_SHAPE, "out of range", "Gather rejects axis 3 of rank 3");
    tc_free(&c);
    free(x);
}

/* indices a Python-style slice picks on an axis of size d (ONNX clamping) */
static int slice_indices(int64_t d, int64_t s, int64_t e, int64_t step, int64_t *out) {
    if (s < 0) s += d;
    if (e < 0) e += d;
    int n = 0;
    if (step > 0) {
        if (s < 0) s = 0;
        if (e > d) e = d;
        for (int64_t i = s; i < e; i += step) { /* stop before i + step could overflow */
            out[n++] = i;
            if (e - i <= step) break;
        }
    } else {
        if (s > d - 1) s = d - 1;
        if (e < -1) e = -1;
        for (int64_t i = s; i > e && i >= 0; i += step) {
            out[n++] = i;
            if (i + step <= e) break; /* i >= 0: no overflow even for INT64_MIN */
        }
    }
    return n;
}

static void test_slice(th_ctx *t) {
    int64_t dims[3] = {4, 5, 6};
    float *x = rand_f32(120);
    struct {
        int n;
        int64_t starts[3], ends[3], axes[3], steps[3];
        int has_axes, has_steps;
    } cs[] = {
        {1, {1}, {3}, {0}, {1}, 1, 0},
        {2, {0, -1}, {INT64_MAX, INT64_MIN}, {1, 2}, {2, -1}, 1, 1},
        {1, {10}, {20}, {-1}, {1}, 1, 0},
        {1, {-1}, {-100}, {0}, {-2}, 1, 1},
        {1, {1}, {6}, {2}, {3}, 1, 1},
        {3, {0, 1, -4}, {-1, 4, 5}, {0}, {1}, 0, 0},
        {2, {3, 2}, {0, 4}, {-3, 1}, {INT64_MIN, INT64_MAX}, 1, 1},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        for (int ver = 0; ver < 2; ver++) {
            if (!ver && cs[i].has_steps) continue; /* opset 9 has no steps */
            tc c;
            tc_init(&c, ver ? 13 : 9);
            int64_t n = cs[i].n;
            int ins[5] = {tc_t(&c, TERN_FLOAT, 3, dims, NULL), -1, -1, -1, -1};
            int nin = 1;
            if (ver) {
                ins[1] = tc_t(&c, TERN_INT64, 1, &n, cs[i].starts);
                ins[2] = tc_t(&c, TERN_INT64, 1, &n, cs[i].ends);
                nin = 3;
                if (cs[i].has_axes) ins[3] = tc_t(&c, TERN_INT64, 1, &n, cs[i].axes), nin = 4;
                if (cs[i].has_steps) ins[4] = tc_t(&c, TERN_INT64, 1, &n, cs[i].steps), nin = 5;
            }
            tc_node(&c, "Slice", ins, nin, 1);
            if (!ver) {
                tc_ints(&c, "starts", cs[i].starts, cs[i].n);
                tc_ints(&c, "ends", cs[i].ends, cs[i].n);
                if (cs[i].has_axes) tc_ints(&c, "axes", cs[i].axes, cs[i].n);
            }
            char name[64];
            snprintf(name, sizeof name, "Slice case %zu opset %lld", i, (long long)c.g.opset);
            if (!th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
                tc_free(&c);
                continue;
            }
            /* per-axis picked indices */
            int64_t pick[3][8], np[3];
            for (int a = 0; a < 3; a++) {
                np[a] = dims[a];
                for (int64_t k = 0; k < dims[a]; k++) pick[a][k] = k;
            }
            for (int k = 0; k < cs[i].n; k++) {
                int64_t ax = cs[i].has_axes ? cs[i].axes[k] : k;
                if (ax < 0) ax += 3;
                int64_t st = cs[i].has_steps ? cs[i].steps[k] : 1;
                np[ax] = slice_indices(dims[ax], cs[i].starts[k], cs[i].ends[k], st, pick[ax]);
            }
            if (!check_dims(t, name, tc_out(&c, 0), 3, np)) {
                tc_free(&c);
                continue;
            }
            int64_t ny = np[0] * np[1] * np[2], oi[3];
            double *want = malloc(sizeof(double) * (size_t)(ny + 1));
            for (int64_t e = 0; e < ny; e++) {
                unravel(e, 3, np, oi);
                want[e] = x[(pick[0][oi[0]] * 5 + pick[1][oi[1]]) * 6 + pick[2][oi[2]]];
            }
            run_layouts_f32(t, &c, name, x, want);
            free(want);
            tc_free(&c);
        }
    }
    int64_t one = 1, zero = 0, two = 2, se[2] = {0, 1};
    tc c;
    tc_init(&c, 13);
    int ins[5] = {tc_t(&c, TERN_FLOAT, 3, dims, NULL), tc_t(&c, TERN_INT64, 1, &one, &zero),
                  tc_t(&c, TERN_INT64, 1, &one, NULL), -1, -1};
    tc_node(&c, "Slice", ins, 3, 1);
    expect_fail(t, &c, TERN_ERR_UNSUPPORTED, "constant", "Slice rejects runtime ends");
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 3, dims, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &one, &zero);
    ins[2] = tc_t(&c, TERN_INT64, 1, &two, se);
    tc_node(&c, "Slice", ins, 3, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "one length", "Slice rejects starts/ends of two lengths");
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 3, dims, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &one, &zero);
    ins[2] = tc_t(&c, TERN_INT64, 1, &one, &one);
    ins[3] = tc_t(&c, TERN_INT64, 1, &one, &one);
    ins[4] = tc_t(&c, TERN_INT64, 1, &one, &zero);
    tc_node(&c, "Slice", ins, 5, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "steps", "Slice rejects step 0");
    tc_free(&c);
    free(x);
}

static void test_split(th_ctx *t) {
    int64_t dims[2] = {2, 7};
    float x[14];
    for (int i = 0; i < 14; i++) x[i] = (float)i;
    struct {
        int64_t opset;
        int nout;
        int mode; /* 0: input sizes, 1: attr sizes, 2: equal, 3: num_outputs */
        int64_t sizes[4];
    } cs[] = {{13, 2, 0, {3, 4}}, {11, 3, 1, {1, 0, 6}}, {13, 4, 3, {2, 2, 2, 1}},
              {18, 4, 3, {2, 2, 2, 1}}};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        tc c;
        tc_init(&c, cs[i].opset);
        int64_t no = cs[i].nout;
        int ins[2] = {tc_t(&c, TERN_FLOAT, 2, dims, NULL), -1};
        if (cs[i].mode == 0) ins[1] = tc_t(&c, TERN_INT64, 1, &no, cs[i].sizes);
        tc_node(&c, "Split", ins, ins[1] >= 0 ? 2 : 1, cs[i].nout);
        tc_int(&c, "axis", -1);
        if (cs[i].mode == 1) tc_ints(&c, "split", cs[i].sizes, cs[i].nout);
        if (cs[i].mode == 3) tc_int(&c, "num_outputs", cs[i].nout);
        char name[48];
        snprintf(name, sizeof name, "Split case %zu", i);
        if (cs[i].opset == 13 && cs[i].mode == 3) { /* 7 does not split in 4 equal parts */
            tc_n(&c)->n_attrs = 1;
            expect_fail(t, &c, TERN_ERR_SHAPE, "equal", "Split rejects uneven equal split");
            tc_free(&c);
            continue;
        }
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
            const void *in[2] = {x, NULL};
            void *out[4] = {0};
            tc_run(&c, in, out);
            int64_t at = 0;
            for (int o = 0; o < cs[i].nout; o++) {
                int64_t want_dims[2] = {2, cs[i].sizes[o]};
                char oname[64];
                snprintf(oname, sizeof oname, "%s output %d", name, o);
                if (check_dims(t, oname, tc_out(&c, o), 2, want_dims)) {
                    double want[14];
                    for (int r = 0; r < 2; r++)
                        for (int64_t k = 0; k < cs[i].sizes[o]; k++)
                            want[r * cs[i].sizes[o] + k] = x[r * 7 + at + k];
                    check_f32(t, oname, out[o], want, 2 * cs[i].sizes[o], 0);
                }
                at += cs[i].sizes[o];
                free(out[o]);
            }
        }
        tc_free(&c);
    }
    int64_t bad[2] = {3, 3}, two = 2;
    tc c;
    tc_init(&c, 13);
    int ins[2] = {tc_t(&c, TERN_FLOAT, 2, dims, NULL), tc_t(&c, TERN_INT64, 1, &two, bad)};
    tc_node(&c, "Split", ins, 2, 2);
    tc_int(&c, "axis", 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "add up", "Split rejects sizes not adding up");
    tc_free(&c);
}

/* numpy-style pad source index; -1 for the constant */
static int64_t pad_src(const char *mode, int64_t o, int64_t b, int64_t d) {
    int64_t i = o - b;
    if (i >= 0 && i < d) return i;
    if (!strcmp(mode, "constant")) return -1;
    if (!strcmp(mode, "edge")) return i < 0 ? 0 : d - 1;
    while (i < 0 || i >= d) {
        if (i < 0) i = -i;
        if (i >= d) i = 2 * (d - 1) - i;
    }
    return i;
}

static void test_pad(th_ctx *t) {
    int64_t dims[4] = {1, 2, 3, 4};
    float *x = rand_f32(24);
    static const char *const MODES[] = {"constant", "reflect", "edge"};
    static const int64_t PADS[3][8] = {{0, 0, 1, 2, 0, 1, 2, 1},
                                       {0, 0, -1, 1, 0, 0, 0, -2},
                                       {0, 1, 2, 3, 0, 0, 1, 2}};
    for (int m = 0; m < 3; m++)
        for (int p = 0; p < 3; p++)
            for (int ver = 0; ver < 3; ver++) { /* opset 2 attrs, 11 inputs, 18 axes */
                tc c;
                float cv = 1.5f;
                int64_t eight = 8, four = 4, ax4[2] = {-2, 3};
                int64_t pads4[4] = {PADS[p][2], PADS[p][3], PADS[p][6], PADS[p][7]};
                int only_hw = PADS[p][0] == 0 && PADS[p][1] == 0 && PADS[p][4] == 0 &&
                              PADS[p][5] == 0;
                if (ver == 2 && !only_hw) continue;
                tc_init(&c, ver == 0 ? 2 : ver == 1 ? 11 : 18);
                int ins[4] = {tc_t(&c, TERN_FLOAT, 4, dims, NULL), -1, -1, -1};
                int nin = 1;
                if (ver == 1) {
                    ins[1] = tc_t(&c, TERN_INT64, 1, &eight, PADS[p]);
                    ins[2] = tc_t(&c, TERN_FLOAT, 0, NULL, &cv);
                    nin = 3;
                } else if (ver == 2) {
                    ins[1] = tc_t(&c, TERN_INT64, 1, &four, pads4);
                    ins[2] = tc_t(&c, TERN_FLOAT, 0, NULL, &cv);
                    int64_t two = 2;
                    ins[3] = tc_t(&c, TERN_INT64, 1, &two, ax4);
                    nin = 4;
                }
                tc_node(&c, "Pad", ins, nin, 1);
                tc_str(&c, "mode", MODES[m]);
                if (ver == 0) {
                    tc_ints(&c, "pads", PADS[p], 8);
                    tc_float(&c, "value", cv);
                }
                char name[64];
                snprintf(name, sizeof name, "Pad %s pads#%d opset %lld", MODES[m], p,
                         (long long)c.g.opset);
                if (!th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
                    tc_free(&c);
                    continue;
                }
                int64_t od[4];
                for (int a = 0; a < 4; a++) od[a] = dims[a] + PADS[p][a] + PADS[p][a + 4];
                if (!check_dims(t, name, tc_out(&c, 0), 4, od)) {
                    tc_free(&c);
                    continue;
                }
                int64_t ny = numel(4, od), oi[4], ii[4];
                double *want = malloc(sizeof(double) * (size_t)(ny + 1));
                for (int64_t e = 0; e < ny; e++) {
                    unravel(e, 4, od, oi);
                    int fill = 0;
                    for (int a = 0; a < 4; a++) {
                        ii[a] = pad_src(MODES[m], oi[a], PADS[p][a], dims[a]);
                        if (ii[a] < 0) fill = 1;
                    }
                    want[e] = fill ? cv : x[ravel(4, dims, ii)];
                }
                run_layouts_f32(t, &c, name, x, want);
                free(want);
                tc_free(&c);
            }
    /* errors */
    int64_t six = 6, p6[6] = {0, 0, 0, 0, 0, 0}, eight = 8;
    tc c;
    tc_init(&c, 11);
    int ins[2] = {tc_t(&c, TERN_FLOAT, 4, dims, NULL), tc_t(&c, TERN_INT64, 1, &six, p6)};
    tc_node(&c, "Pad", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "pads has 6", "Pad rejects 6 pads for rank 4");
    tc_free(&c);
    tc_init(&c, 11);
    ins[0] = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &eight, NULL);
    tc_node(&c, "Pad", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_UNSUPPORTED, "constant", "Pad rejects runtime pads");
    tc_free(&c);
    int64_t crop[8] = {0, 0, 0, -5, 0, 0, 0, 0};
    tc_init(&c, 11);
    ins[0] = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &eight, crop);
    tc_node(&c, "Pad", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "do not fit", "Pad rejects cropping below zero");
    tc_free(&c);
    tc_init(&c, 11);
    ins[0] = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &eight, p6);
    tc_node(&c, "Pad", ins, 2, 1);
    tc_str(&c, "mode", "wrap");
    expect_fail(t, &c, TERN_ERR_UNSUPPORTED, "wrap", "Pad rejects mode wrap");
    tc_free(&c);
    free(x);
}

static void test_tile(th_ctx *t) {
    int64_t dims[2] = {2, 3}, rep[2] = {2, 3}, two = 2, x[6] = {1, 2, 3, 4, 5, 6};
    tc c;
    tc_init(&c, 13);
    int ins[2] = {tc_t(&c, TERN_INT64, 2, dims, NULL), tc_t(&c, TERN_INT64, 1, &two, rep)};
    tc_node(&c, "Tile", ins, 2, 1);
    int64_t od[2] = {4, 9};
    if (th_check(t, tc_infer(&c) == TERN_OK, "Tile", "%s", c.err.msg) &&
        check_dims(t, "Tile shape", tc_out(&c, 0), 2, od)) {
        int64_t want[36];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 9; j++) want[i * 9 + j] = x[(i % 2) * 3 + j % 3];
        const void *in[2] = {x, NULL};
        void *out[1];
        tc_run(&c, in, out);
        check_i64(t, "Tile int64", out[0], want, 36);
        free(out[0]);
    }
    tc_free(&c);
    int64_t neg[2] = {1, -1};
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_INT64, 2, dims, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 1, &two, neg);
    tc_node(&c, "Tile", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "repeats", "Tile rejects negative repeats");
    tc_free(&c);
}

static void test_depth_space(th_ctx *t) {
    const int64_t N = 2, b = 2, C = 8, H = 3, W = 2, Cp = C / (b * b);
    int64_t din[4] = {N, C, H, W};
    float *x = rand_f32(N * C * H * W);
    for (int mode = 0; mode < 2; mode++) { /* DepthToSpace DCR, CRD */
        tc c;
        tc_init(&c, 13);
        int in0 = tc_t(&c, TERN_FLOAT, 4, din, NULL);
        tc_node(&c, "DepthToSpace", &in0, 1, 1);
        tc_int(&c, "blocksize", b);
        if (mode) tc_str(&c, "mode", "CRD");
        const char *name = mode ? "DepthToSpace CRD" : "DepthToSpace DCR";
        int64_t od[4] = {N, Cp, H * b, W * b};
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg) &&
            check_dims(t, name, tc_out(&c, 0), 4, od)) {
            double want[96];
            for (int64_t n = 0; n < N; n++)
                for (int64_t ch = 0; ch < Cp; ch++)
                    for (int64_t h = 0; h < H * b; h++)
                        for (int64_t w = 0; w < W * b; w++) {
                            int64_t i = h % b, j = w % b;
                            int64_t src_c = mode ? ch * b * b + i * b + j : (i * b + j) * Cp + ch;
                            want[((n * Cp + ch) * H * b + h) * W * b + w] =
                                x[((n * C + src_c) * H + h / b) * W + w / b];
                        }
            const void *in[1] = {x};
            void *out[1];
            tc_run(&c, in, out);
            check_f32(t, name, out[0], want, 96, 0);
            free(out[0]);
        }
        tc_free(&c);
    }
    /* SpaceToDepth of [2,2,4,6] by 2 */
    int64_t ds[4] = {2, 2, 4, 6}, os[4] = {2, 8, 2, 3};
    tc c;
    tc_init(&c, 13);
    int in0 = tc_t(&c, TERN_FLOAT, 4, ds, NULL);
    tc_node(&c, "SpaceToDepth", &in0, 1, 1);
    tc_int(&c, "blocksize", 2);
    if (th_check(t, tc_infer(&c) == TERN_OK, "SpaceToDepth", "%s", c.err.msg) &&
        check_dims(t, "SpaceToDepth", tc_out(&c, 0), 4, os)) {
        double want[96];
        for (int64_t n = 0; n < 2; n++)
            for (int64_t ch = 0; ch < 2; ch++)
                for (int64_t h = 0; h < 4; h++)
                    for (int64_t w = 0; w < 6; w++) {
                        int64_t oc = ((h % 2) * 2 + w % 2) * 2 + ch;
                        want[((n * 8 + oc) * 2 + h / 2) * 3 + w / 2] = x[((n * 2 + ch) * 4 + h) * 6 + w];
                    }
        const void *in[1] = {x};
        void *out[1];
        tc_run(&c, in, out);
        check_f32(t, "SpaceToDepth", out[0], want, 96, 0);
        free(out[0]);
    }
    tc_free(&c);
    tc_init(&c, 13);
    in0 = tc_t(&c, TERN_FLOAT, 4, din, NULL);
    tc_node(&c, "DepthToSpace", &in0, 1, 1);
    tc_int(&c, "blocksize", 3);
    expect_fail(t, &c, TERN_ERR_SHAPE, "blocksize", "DepthToSpace rejects C not divisible by 9");
    tc_free(&c);
    free(x);
}

static void test_range(th_ctx *t) {
    struct {
        tern_dtype dt;
        double s, l, d;
        int n;
    } cs[] = {{TERN_INT64, 0, 5, 1, 5},   {TERN_INT64, 10, 1, -3, 3}, {TERN_INT32, 2, 2, 1, 0},
              {TERN_FLOAT, 1, 2, 0.3, 4}, {TERN_FLOAT, 0, -1, 0.5, 0}, {TERN_INT64, -7, 8, 5, 3}};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        int64_t iv[3] = {(int64_t)cs[i].s, (int64_t)cs[i].l, (int64_t)cs[i].d};
        int32_t i32[3] = {(int32_t)cs[i].s, (int32_t)cs[i].l, (int32_t)cs[i].d};
        float fv[3] = {(float)cs[i].s, (float)cs[i].l, (float)cs[i].d};
        const void *src = cs[i].dt == TERN_INT64 ? (const void *)iv
                          : cs[i].dt == TERN_INT32 ? (const void *)i32 : (const void *)fv;
        size_t es = tern_dtype_size(cs[i].dt);
        tc c;
        tc_init(&c, 13);
        int ins[3];
        for (int k = 0; k < 3; k++) ins[k] = tc_t(&c, cs[i].dt, 0, NULL, (const char *)src + es * k);
        tc_node(&c, "Range", ins, 3, 1);
        char name[48];
        snprintf(name, sizeof name, "Range case %zu", i);
        int64_t n = cs[i].n;
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg) &&
            check_dims(t, name, tc_out(&c, 0), 1, &n)) {
            const void *in[3] = {NULL, NULL, NULL};
            void *out[1];
            tc_run(&c, in, out);
            double want[8], got[8];
            for (int k = 0; k < n; k++) {
                want[k] = cs[i].dt == TERN_FLOAT ? (double)(fv[0] + (float)k * fv[2])
                                                 : cs[i].s + k * cs[i].d;
                got[k] = cs[i].dt == TERN_INT64   ? (double)((int64_t *)out[0])[k]
                         : cs[i].dt == TERN_INT32 ? (double)((int32_t *)out[0])[k]
                                                  : (double)((float *)out[0])[k];
            }
            int ok = 1;
            for (int k = 0; k < n; k++) ok &= got[k] == want[k];
            th_check(t, ok, name, "values differ");
            free(out[0]);
        }
        tc_free(&c);
    }
    int64_t z[3] = {0, 5, 0};
    tc c;
    tc_init(&c, 13);
    int ins[3] = {tc_t(&c, TERN_INT64, 0, NULL, &z[0]), tc_t(&c, TERN_INT64, 0, NULL, &z[1]),
                  tc_t(&c, TERN_INT64, 0, NULL, &z[2])};
    tc_node(&c, "Range", ins, 3, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "delta", "Range rejects delta 0");
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_INT64, 0, NULL, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 0, NULL, &z[1]);
    ins[2] = tc_t(&c, TERN_INT64, 0, NULL, &z[1]);
    tc_node(&c, "Range", ins, 3, 1);
    expect_fail(t, &c, TERN_ERR_UNSUPPORTED, "constant", "Range rejects a runtime start");
    tc_free(&c);
}

/* bilinear sample of plane p (h x w) at real coords (y, x), clamped to the edges */
static double bilinear(const float *p, int64_t h, int64_t w, double y, double x) {
    y = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
    x = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
    int64_t y0 = (int64_t)y, x0 = (int64_t)x, y1 = y0 + 1 < h ? y0 + 1 : y0,
            x1 = x0 + 1 < w ? x0 + 1 : x0;
    double fy = y - y0, fx = x - x0;
    return (1 - fy) * ((1 - fx) * p[y0 * w + x0] + fx * p[y0 * w + x1]) +
           fy * ((1 - fx) * p[y1 * w + x0] + fx * p[y1 * w + x1]);
}

static void test_resize(th_ctx *t) {
    int64_t dims[4] = {1, 2, 3, 4}, four = 4;
    float *x = rand_f32(24);
    /* linear, half_pixel and align_corners, scales 2 x 1.5 (opset 13), every layout */
    for (int ac = 0; ac < 2; ac++) {
        float scales[4] = {1, 1, 2.0f, 1.5f};
        tc c;
        tc_init(&c, 13);
        int ins[3] = {tc_t(&c, TERN_FLOAT, 4, dims, NULL), -1, tc_t(&c, TERN_FLOAT, 1, &four, scales)};
        tc_node(&c, "Resize", ins, 3, 1);
        tc_str(&c, "mode", "linear");
        if (ac) tc_str(&c, "coordinate_transformation_mode", "align_corners");
        const char *name = ac ? "Resize linear align_corners" : "Resize linear half_pixel";
        int64_t od[4] = {1, 2, 6, 6};
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg) &&
            check_dims(t, name, tc_out(&c, 0), 4, od)) {
            double want[72];
            for (int ch = 0; ch < 2; ch++)
                for (int i = 0; i < 6; i++)
                    for (int j = 0; j < 6; j++) {
                        double y = ac ? i * 2.0 / 5.0 : (i + 0.5) / 2.0 - 0.5;
                        double xx = ac ? j * 3.0 / 5.0 : (j + 0.5) / 1.5 - 0.5;
                        want[(ch * 6 + i) * 6 + j] = bilinear(x + ch * 12, 3, 4, y, xx);
                    }
            for (int lay = 0; lay < 4; lay++) {
                char lname2[96];
                snprintf(lname2, sizeof lname2, "%s in %s out %s", name, lname(lay & 1), lname(lay >> 1));
                c.layout_in[0] = lay & 1;
                c.layout_out[0] = lay >> 1;
                const void *in[3] = {x, NULL, NULL};
                void *out[1];
                th_check(t, tc_run(&c, in, out) == TERN_OK, lname2, "%s", c.err.msg);
                check_f32(t, lname2, out[0], want, 72, 1e-5);
                free(out[0]);
            }
        }
        tc_free(&c);
    }
    /* Upsample-9 nearest x3 (asymmetric, floor), and Resize sizes nearest round_prefer_ceil */
    {
        float sc[4] = {1, 1, 3, 3};
        tc c;
        tc_init(&c, 9);
        int ins[2] = {tc_t(&c, TERN_FLOAT, 4, dims, NULL), tc_t(&c, TERN_FLOAT, 1, &four, sc)};
        tc_node(&c, "Upsample", ins, 2, 1);
        int64_t od[4] = {1, 2, 9, 12};
        if (th_check(t, tc_infer(&c) == TERN_OK, "Upsample nearest x3", "%s", c.err.msg) &&
            check_dims(t, "Upsample nearest x3", tc_out(&c, 0), 4, od)) {
            double want[216];
            for (int ch = 0; ch < 2; ch++)
                for (int i = 0; i < 9; i++)
                    for (int j = 0; j < 12; j++)
                        want[(ch * 9 + i) * 12 + j] = x[(ch * 3 + i / 3) * 4 + j / 3];
            run_layouts_f32(t, &c, "Upsample nearest x3", x, want);
        }
        tc_free(&c);
    }
    {
        int64_t sizes[4] = {1, 2, 5, 7};
        tc c;
        tc_init(&c, 13);
        int ins[4] = {tc_t(&c, TERN_FLOAT, 4, dims, NULL), -1, -1,
                      tc_t(&c, TERN_INT64, 1, &four, sizes)};
        tc_node(&c, "Resize", ins, 4, 1);
        tc_str(&c, "nearest_mode", "round_prefer_ceil");
        tc_str(&c, "coordinate_transformation_mode", "asymmetric");
        if (th_check(t, tc_infer(&c) == TERN_OK, "Resize sizes nearest", "%s", c.err.msg) &&
            check_dims(t, "Resize sizes nearest", tc_out(&c, 0), 4, sizes)) {
            double want[70];
            for (int ch = 0; ch < 2; ch++)
                for (int i = 0; i < 5; i++)
                    for (int j = 0; j < 7; j++) {
                        double y = i * 3.0 / 5.0, xx = j * 4.0 / 7.0; /* asymmetric: o / scale */
                        int64_t yi = (int64_t)floor(y + 0.5), xi = (int64_t)floor(xx + 0.5);
                        if (yi > 2) yi = 2;
                        if (xi > 3) xi = 3;
                        want[(ch * 5 + i) * 7 + j] = x[(ch * 3 + yi) * 4 + xi];
                    }
            run_layouts_f32(t, &c, "Resize sizes nearest round_prefer_ceil", x, want);
        }
        tc_free(&c);
    }
    /* errors */
    float sc[4] = {1, 1, 2, 2};
    int64_t sz[4] = {1, 2, 6, 8};
    tc c;
    tc_init(&c, 13);
    int ins[4] = {tc_t(&c, TERN_FLOAT, 4, dims, NULL), -1, tc_t(&c, TERN_FLOAT, 1, &four, sc),
                  tc_t(&c, TERN_INT64, 1, &four, sz)};
    tc_node(&c, "Resize", ins, 4, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "exactly one", "Resize rejects scales and sizes together");
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
    ins[2] = tc_t(&c, TERN_FLOAT, 1, &four, NULL);
    tc_node(&c, "Resize", ins, 3, 1);
    expect_fail(t, &c, TERN_ERR_UNSUPPORTED, "constant", "Resize rejects runtime scales");
    tc_free(&c);
    float bad[4] = {1, 1, -2, 2};
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 4, dims, NULL);
    ins[2] = tc_t(&c, TERN_FLOAT, 1, &four, bad);
    tc_node(&c, "Resize", ins, 3, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "scale", "Resize rejects a negative scale");
    tc_free(&c);
    free(x);
}

/* GatherElements / ScatterElements on data [3,4] along each axis */
static void test_elements(th_ctx *t) {
    int64_t dd[2] = {3, 4}, di[2] = {2, 3};
    float x[12];
    for (int i = 0; i < 12; i++) x[i] = (float)(i * 10);
    int64_t idx[6] = {0, -1, 2, 1, 1, -2};
    float upd[6] = {1, 2, 3, 4, 5, 6};
    for (int axis = 0; axis < 2; axis++) {
        int64_t dim = dd[axis];
        tc c;
        tc_init(&c, 13);
        int ins[2] = {tc_t(&c, TERN_FLOAT, 2, dd, NULL), tc_t(&c, TERN_INT64, 2, di, NULL)};
        tc_node(&c, "GatherElements", ins, 2, 1);
        tc_int(&c, "axis", axis);
        char name[64];
        snprintf(name, sizeof name, "GatherElements axis %d", axis);
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
            double want[6];
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++) {
                    int64_t v = idx[i * 3 + j];
                    if (v < 0) v += dim;
                    want[i * 3 + j] = axis ? x[i * 4 + v] : x[v * 4 + j];
                }
            const void *in[2] = {x, idx};
            void *out[1];
            tc_run(&c, in, out);
            check_f32(t, name, out[0], want, 6, 0);
            free(out[0]);
        }
        tc_free(&c);
        /* ScatterElements with add: duplicates accumulate */
        tc_init(&c, 16);
        int sins[3] = {tc_t(&c, TERN_FLOAT, 2, dd, NULL), tc_t(&c, TERN_INT64, 2, di, idx),
                       tc_t(&c, TERN_FLOAT, 2, di, NULL)};
        tc_node(&c, "ScatterElements", sins, 3, 1);
        tc_int(&c, "axis", axis);
        tc_str(&c, "reduction", "add");
        snprintf(name, sizeof name, "ScatterElements add axis %d", axis);
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
            double want[12];
            for (int i = 0; i < 12; i++) want[i] = x[i];
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++) {
                    int64_t v = idx[i * 3 + j];
                    if (v < 0) v += dim;
                    want[axis ? i * 4 + v : v * 4 + j] += upd[i * 3 + j];
                }
            const void *in[3] = {x, NULL, upd};
            void *out[1];
            tc_run(&c, in, out);
            check_f32(t, name, out[0], want, 12, 0);
            free(out[0]);
        }
        tc_free(&c);
    }
    int64_t bad[6] = {0, 0, 0, 0, 3, 0};
    tc c;
    tc_init(&c, 13);
    int ins[2] = {tc_t(&c, TERN_FLOAT, 2, dd, NULL), tc_t(&c, TERN_INT64, 2, di, bad)};
    tc_node(&c, "GatherElements", ins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "out of range", "GatherElements rejects constant index 3 of 3");
    tc_free(&c);
    tc_init(&c, 13);
    ins[0] = tc_t(&c, TERN_FLOAT, 2, dd, NULL);
    ins[1] = tc_t(&c, TERN_INT64, 2, di, NULL);
    tc_node(&c, "GatherElements", ins, 2, 1);
    if (th_check(t, tc_infer(&c) == TERN_OK, "GatherElements runtime bad index", "%s", c.err.msg)) {
        const void *in[2] = {x, bad};
        void *out[1];
        tern_status st = tc_run(&c, in, out);
        th_check(t, st == TERN_ERR_RUNTIME, "GatherElements runtime bad index", "status %d", st);
        free(out[0]);
    }
    tc_free(&c);
}

/* GatherND with batch_dims 1 and ScatterND with mul */
static void test_nd(th_ctx *t) {
    int64_t dd[3] = {2, 3, 4}, di[3] = {2, 2, 1}, idx[4] = {2, 0, -1, 1};
    float x[24];
    for (int i = 0; i < 24; i++) x[i] = (float)i;
    tc c;
    tc_init(&c, 13);
    int ins[2] = {tc_t(&c, TERN_FLOAT, 3, dd, NULL), tc_t(&c, TERN_INT64, 3, di, NULL)};
    tc_node(&c, "GatherND", ins, 2, 1);
    tc_int(&c, "batch_dims", 1);
    int64_t od[3] = {2, 2, 4};
    if (th_check(t, tc_infer(&c) == TERN_OK, "GatherND batch_dims 1", "%s", c.err.msg) &&
        check_dims(t, "GatherND batch_dims 1", tc_out(&c, 0), 3, od)) {
        double want[16];
        for (int b = 0; b < 2; b++)
            for (int m = 0; m < 2; m++) {
                int64_t v = idx[b * 2 + m];
                if (v < 0) v += 3;
                for (int e = 0; e < 4; e++) want[(b * 2 + m) * 4 + e] = x[(b * 3 + v) * 4 + e];
            }
        const void *in[2] = {x, idx};
        void *out[1];
        tc_run(&c, in, out);
        check_f32(t, "GatherND batch_dims 1", out[0], want, 16, 0);
        free(out[0]);
    }
    tc_free(&c);
    /* ScatterND: indices [[0,1],[1,2]] into [2,3,4], updates [2,4], mul */
    int64_t di2[2] = {2, 2}, idx2[4] = {0, 1, 1, 2}, du[2] = {2, 4};
    float upd[8] = {2, 2, 2, 2, 3, 3, 3, 3};
    tc_init(&c, 16);
    int sins[3] = {tc_t(&c, TERN_FLOAT, 3, dd, NULL), tc_t(&c, TERN_INT64, 2, di2, idx2),
                   tc_t(&c, TERN_FLOAT, 2, du, upd)};
    tc_node(&c, "ScatterND", sins, 3, 1);
    tc_str(&c, "reduction", "mul");
    if (th_check(t, tc_infer(&c) == TERN_OK, "ScatterND mul", "%s", c.err.msg)) {
        double want[24];
        for (int i = 0; i < 24; i++) want[i] = x[i];
        for (int e = 0; e < 4; e++) want[(0 * 3 + 1) * 4 + e] *= 2, want[(1 * 3 + 2) * 4 + e] *= 3;
        const void *in[3] = {x, NULL, NULL};
        void *out[1];
        tc_run(&c, in, out);
        check_f32(t, "ScatterND mul", out[0], want, 24, 0);
        free(out[0]);
    }
    tc_free(&c);
    int64_t di3[2] = {1, 4};
    tc_init(&c, 13);
    int bins[2] = {tc_t(&c, TERN_FLOAT, 3, dd, NULL), tc_t(&c, TERN_INT64, 2, di3, NULL)};
    tc_node(&c, "GatherND", bins, 2, 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "tuples", "GatherND rejects tuples longer than the rank");
    tc_free(&c);
}

static void test_trilu_cumsum(th_ctx *t) {
    int64_t dd[3] = {2, 3, 4};
    int64_t x[24];
    for (int i = 0; i < 24; i++) x[i] = i + 1;
    for (int upper = 0; upper < 2; upper++)
        for (int64_t k = -2; k <= 2; k += 2) {
            tc c;
            tc_init(&c, 14);
            int ins[2] = {tc_t(&c, TERN_INT64, 3, dd, NULL), tc_t(&c, TERN_INT64, 0, NULL, NULL)};
            tc_node(&c, "Trilu", ins, k == 0 ? 1 : 2, 1); /* k 0 also as "absent" */
            tc_int(&c, "upper", upper);
            char name[48];
            snprintf(name, sizeof name, "Trilu upper %d k %lld", upper, (long long)k);
            if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
                int64_t want[24];
                for (int m = 0; m < 2; m++)
                    for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 4; j++) {
                            int keep = upper ? j >= i + k : j <= i + k;
                            want[(m * 3 + i) * 4 + j] = keep ? x[(m * 3 + i) * 4 + j] : 0;
                        }
                const void *in[2] = {x, &k};
                void *out[1];
                tc_run(&c, in, out);
                check_i64(t, name, out[0], want, 24);
                free(out[0]);
            }
            tc_free(&c);
        }
    /* CumSum along axis 1 (runtime axis), exclusive/reverse, float and int64 */
    float fx[24];
    for (int i = 0; i < 24; i++) fx[i] = (float)(i % 5) - 1.5f;
    for (int mode = 0; mode < 4; mode++)
        for (int isf = 0; isf < 2; isf++) {
            int excl = mode & 1, rev = mode >> 1;
            int64_t axis = -2;
            tc c;
            tc_init(&c, 14);
            int ins[2] = {tc_t(&c, isf ? TERN_FLOAT : TERN_INT64, 3, dd, NULL),
                          tc_t(&c, TERN_INT64, 0, NULL, NULL)};
            tc_node(&c, "CumSum", ins, 2, 1);
            tc_int(&c, "exclusive", excl);
            tc_int(&c, "reverse", rev);
            char name[64];
            snprintf(name, sizeof name, "CumSum %s exclusive %d reverse %d", isf ? "float" : "int64",
                     excl, rev);
            if (!th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
                tc_free(&c);
                continue;
            }
            double want[24];
            for (int b = 0; b < 2; b++)
                for (int j = 0; j < 4; j++)
                    for (int i = 0; i < 3; i++) {
                        double acc = 0;
                        for (int q = 0; q < 3; q++) {
                            int in_range = rev ? (excl ? q > i : q >= i) : (excl ? q < i : q <= i);
                            if (in_range) acc += isf ? fx[(b * 3 + q) * 4 + j] : (double)x[(b * 3 + q) * 4 + j];
                        }
                        want[(b * 3 + i) * 4 + j] = acc;
                    }
            const void *in[2] = {isf ? (const void *)fx : (const void *)x, &axis};
            void *out[1];
            tc_run(&c, in, out);
            if (isf) {
                check_f32(t, name, out[0], want, 24, 1e-6);
            } else {
                int64_t wi[24];
                for (int i = 0; i < 24; i++) wi[i] = (int64_t)want[i];
                check_i64(t, name, out[0], wi, 24);
            }
            free(out[0]);
            tc_free(&c);
        }
    int64_t badaxis = 3;
    tc c;
    tc_init(&c, 14);
    int ins[2] = {tc_t(&c, TERN_INT64, 3, dd, NULL), tc_t(&c, TERN_INT64, 0, NULL, NULL)};
    tc_node(&c, "CumSum", ins, 2, 1);
    if (th_check(t, tc_infer(&c) == TERN_OK, "CumSum runtime axis 3", "%s", c.err.msg)) {
        const void *in[2] = {x, &badaxis};
        void *out[1];
        tern_status st = tc_run(&c, in, out);
        th_check(t, st == TERN_ERR_RUNTIME && strstr(c.err.msg, "axis"), "CumSum runtime axis 3",
                 "status %d '%s'", st, c.err.msg);
        free(out[0]);
    }
    tc_free(&c);
}

static void test_onehot_topk_eye(th_ctx *t) {
    /* OneHot: indices [2,2] float with a negative and an out-of-range one, axis 1 */
    int64_t di[2] = {2, 2}, depth = 3;
    float idx[4] = {0.0f, -1.0f, 5.0f, 1.7f};
    int64_t vals[2] = {-1, 9};
    tc c;
    tc_init(&c, 11);
    int64_t two = 2;
    int ins[3] = {tc_t(&c, TERN_FLOAT, 2, di, NULL), tc_t(&c, TERN_INT64, 0, NULL, &depth),
                  tc_t(&c, TERN_INT64, 1, &two, NULL)};
    tc_node(&c, "OneHot", ins, 3, 1);
    tc_int(&c, "axis", 1);
    int64_t od[3] = {2, 3, 2};
    if (th_check(t, tc_infer(&c) == TERN_OK, "OneHot axis 1", "%s", c.err.msg) &&
        check_dims(t, "OneHot axis 1", tc_out(&c, 0), 3, od)) {
        int64_t want[12];
        int hot[4] = {0, 2, -1, 1}; /* -1 + 3 = 2; 5 is out of range; 1.7 truncates to 1 */
        for (int i = 0; i < 2; i++)
            for (int d = 0; d < 3; d++)
                for (int j = 0; j < 2; j++) want[(i * 3 + d) * 2 + j] = hot[i * 2 + j] == d ? 9 : -1;
        const void *in[3] = {idx, NULL, vals};
        void *out[1];
        tc_run(&c, in, out);
        check_i64(t, "OneHot axis 1", out[0], want, 12);
        free(out[0]);
    }
    tc_free(&c);
    /* TopK on [2,5] along axis 1, k 3, largest and smallest, ties and NaN */
    float x[10] = {1, 3, 3, NAN, 2, 5, 4, 4, 0, 4};
    int64_t dx[2] = {2, 5}, k = 3, one = 1;
    for (int largest = 0; largest < 2; largest++) {
        tc_init(&c, 11);
        int tins[2] = {tc_t(&c, TERN_FLOAT, 2, dx, NULL), tc_t(&c, TERN_INT64, 1, &one, &k)};
        tc_node(&c, "TopK", tins, 2, 2);
        tc_int(&c, "largest", largest);
        const char *name = largest ? "TopK largest" : "TopK smallest";
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
            /* by hand: NaN ranks last, ties keep the lower index first */
            int64_t wi_l[6] = {1, 2, 4, 0, 1, 2}, wi_s[6] = {0, 4, 1, 3, 1, 2};
            const int64_t *wi = largest ? wi_l : wi_s;
            double wv[6];
            for (int r = 0; r < 2; r++)
                for (int j = 0; j < 3; j++) wv[r * 3 + j] = x[r * 5 + wi[r * 3 + j]];
            const void *in[2] = {x, NULL};
            void *out[2];
            tc_run(&c, in, out);
            check_f32(t, name, out[0], wv, 6, 0);
            check_i64(t, name, out[1], wi, 6);
            free(out[0]), free(out[1]);
        }
        tc_free(&c);
    }
    int64_t k9 = 9;
    tc_init(&c, 11);
    int tins[2] = {tc_t(&c, TERN_FLOAT, 2, dx, NULL), tc_t(&c, TERN_INT64, 1, &one, &k9)};
    tc_node(&c, "TopK", tins, 2, 2);
    expect_fail(t, &c, TERN_ERR_SHAPE, "does not fit", "TopK rejects k above the axis");
    tc_free(&c);
    /* EyeLike [3,4] k 1 as float */
    int64_t de[2] = {3, 4};
    tc_init(&c, 9);
    int in0 = tc_t(&c, TERN_INT64, 2, de, NULL);
    tc_node(&c, "EyeLike", &in0, 1, 1);
    tc_int(&c, "k", 1);
    tc_int(&c, "dtype", TERN_FLOAT);
    if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->dtype == TERN_FLOAT, "EyeLike k 1",
                 "%s", c.err.msg)) {
        double want[12];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++) want[i * 4 + j] = j == i + 1;
        int64_t ignored[12] = {0}; /* EyeLike reads only the shape */
        const void *in[1] = {ignored};
        void *out[1];
        tc_run(&c, in, out);
        check_f32(t, "EyeLike k 1", out[0], want, 12, 0);
        free(out[0]);
    }
    tc_free(&c);
}

/* GridSample: pixel-center grids reproduce the input in every mode; points
 * outside follow the padding rule; a midpoint averages. */
static tern_status gs_run(tc *c, const float *x, const int64_t *dx, const float *grid,
                          const int64_t *dg, const char *mode, const char *pad, int align,
                          void **out) {
    tc_init(c, 16);
    int ins[2] = {tc_t(c, TERN_FLOAT, 4, dx, NULL), tc_t(c, TERN_FLOAT, 4, dg, NULL)};
    tc_node(c, "GridSample", ins, 2, 1);
    tc_str(c, "mode", mode);
    tc_str(c, "padding_mode", pad);
    tc_int(c, "align_corners", align);
    tern_status st = tc_infer(c);
    if (st != TERN_OK) return st;
    const void *in[2] = {x, grid};
    return tc_run(c, in, out);
}

static void test_grid_sample(th_ctx *t) {
    static const char *const MODES[] = {"bilinear", "nearest", "bicubic"};
    int64_t dx[4] = {1, 2, 3, 4}, dg[4] = {1, 3, 4, 2};
    float *x = rand_f32(24), grid[24];
    for (int align = 0; align < 2; align++) {
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++) { /* the normalized centre of pixel (i, j) */
                grid[(i * 4 + j) * 2] = align ? -1.0f + 2.0f * j / 3.0f : (2.0f * j + 1) / 4.0f - 1;
                grid[(i * 4 + j) * 2 + 1] = align ? -1.0f + 2.0f * i / 2.0f : (2.0f * i + 1) / 3.0f - 1;
            }
        for (int m = 0; m < 3; m++) {
            tc c;
            void *out[1] = {0};
            char name[80];
            snprintf(name, sizeof name, "GridSample %s identity grid, align_corners %d", MODES[m], align);
            tern_status st = gs_run(&c, x, dx, grid, dg, MODES[m], "zeros", align, out);
            double want[24];
            for (int k = 0; k < 24; k++) want[k] = x[k];
            if (th_check(t, st == TERN_OK, name, "%s", c.err.msg)) check_f32(t, name, out[0], want, 24, 1e-5);
            free(out[0]);
            tc_free(&c);
        }
    }
    /* one row [1 2 3 4] (H 1); points: x = -3 (left of everything), 1.5
     * (between 2 and 3 with align_corners: unnormalized 1.5 * 3 / 2 + 1.5) */
    float row[4] = {1, 2, 3, 4}, pts[4] = {-3.0f, 0.0f, 0.0f, 0.0f};
    int64_t dr[4] = {1, 1, 1, 4}, dp[4] = {1, 1, 2, 2};
    static const char *const PADS[] = {"zeros", "border", "reflection"};
    /* align_corners 1: x = -3 -> -3 * 1.5 + ... = (-3 + 1) / 2 * 3 = -3 (pixels);
     * zeros: 0; border: 1 (pixel 0); reflection about 0: pixel 3 -> 4.
     * x = 0 -> 1.5: average of 2 and 3 = 2.5 in every padding mode. */
    double want[3][2] = {{0, 2.5}, {1, 2.5}, {4, 2.5}};
    for (int pm = 0; pm < 3; pm++) {
        tc c;
        void *out[1] = {0};
        char name[64];
        snprintf(name, sizeof name, "GridSample bilinear padding %s", PADS[pm]);
        tern_status st = gs_run(&c, row, dr, pts, dp, "bilinear", PADS[pm], 1, out);
        if (th_check(t, st == TERN_OK, name, "%s", c.err.msg)) check_f32(t, name, out[0], want[pm], 2, 1e-6);
        free(out[0]);
        tc_free(&c);
    }
    tc c;
    int64_t bad[4] = {1, 3, 4, 3};
    void *out[1] = {0};
    th_check(t, gs_run(&c, x, dx, grid, bad, "bilinear", "zeros", 0, out) == TERN_ERR_SHAPE,
             "GridSample rejects a grid of triples", "%s", c.err.msg);
    tc_free(&c);
    th_check(t, gs_run(&c, x, dx, grid, dg, "bilinear", "wrap", 0, out) == TERN_ERR_UNSUPPORTED,
             "GridSample rejects padding_mode wrap", "%s", c.err.msg);
    tc_free(&c);
    free(x);
}

static void test_reverse_sequence(th_ctx *t) {
    int64_t dx[3] = {4, 3, 2}, three = 3, lens[3] = {4, 0, 2}, x[24], want[24];
    for (int i = 0; i < 24; i++) x[i] = i;
    for (int tt = 0; tt < 4; tt++)
        for (int b = 0; b < 3; b++)
            for (int k = 0; k < 2; k++) {
                int src_t = tt < lens[b] ? (int)lens[b] - 1 - tt : tt;
                want[(tt * 3 + b) * 2 + k] = x[(src_t * 3 + b) * 2 + k];
            }
    for (int cst = 0; cst < 2; cst++) {
        tc c;
        tc_init(&c, 10);
        int ins[2] = {tc_t(&c, TERN_INT64, 3, dx, NULL), tc_t(&c, TERN_INT64, 1, &three, cst ? lens : NULL)};
        tc_node(&c, "ReverseSequence", ins, 2, 1);
        tc_int(&c, "time_axis", 0);
        tc_int(&c, "batch_axis", 1);
        if (th_check(t, tc_infer(&c) == TERN_OK, "ReverseSequence", "%s", c.err.msg)) {
            int64_t badlens[3] = {5, 0, 0};
            const void *in[2] = {x, lens};
            void *out[1];
            tc_run(&c, in, out);
            check_i64(t, "ReverseSequence", out[0], want, 24);
            free(out[0]);
            if (!cst) {
                in[1] = badlens;
                tern_status st = tc_run(&c, in, out);
                th_check(t, st == TERN_ERR_RUNTIME, "ReverseSequence rejects length 5 of 4",
                         "status %d", st);
                free(out[0]);
            }
        }
        tc_free(&c);
    }
}

/* Cast x (n elements of from) to `to`; compare the bytes with want. */
static void cast_case(th_ctx *t, const char *name, tern_dtype from, const void *x, int64_t n,
                      tern_dtype to, const void *want) {
    tc c;
    tc_init(&c, 13);
    int in0 = tc_t(&c, from, 1, &n, NULL);
    tc_node(&c, "Cast", &in0, 1, 1);
    tc_int(&c, "to", to);
    if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->dtype == to, name, "%s",
                 c.err.msg)) {
        const void *in[1] = {x};
        void *out[1];
        tc_run(&c, in, out);
        check_bytes(t, name, out[0], want, (size_t)n * tern_dtype_size(to));
        free(out[0]);
    }
    tc_free(&c);
}

static void test_cast(th_ctx *t) {
    float f[7] = {1.9f, -1.9f, 3e10f, -3e10f, NAN, INFINITY, -0.0f};
    int32_t w32[7] = {1, -1, INT32_MAX, INT32_MIN, 0, INT32_MAX, 0};
    cast_case(t, "Cast float->int32 saturates, NaN -> 0", TERN_FLOAT, f, 7, TERN_INT32, w32);
    int64_t w64[7] = {1, -1, 30000001024LL, -30000001024LL, 0, INT64_MAX, 0};
    cast_case(t, "Cast float->int64", TERN_FLOAT, f, 7, TERN_INT64, w64);
    float fu[4] = {-5.0f, 300.0f, 7.7f, 255.5f};
    uint8_t wu[4] = {0, 255, 7, 255};
    cast_case(t, "Cast float->uint8 saturates", TERN_FLOAT, fu, 4, TERN_UINT8, wu);
    int8_t wi8[4] = {-5, 127, 7, 127};
    cast_case(t, "Cast float->int8 saturates", TERN_FLOAT, fu, 4, TERN_INT8, wi8);
    int64_t big[3] = {((int64_t)1 << 32) + 5, -1, 300};
    int32_t wb[3] = {5, -1, 300};
    cast_case(t, "Cast int64->int32 wraps", TERN_INT64, big, 3, TERN_INT32, wb);
    uint8_t wb8[3] = {5, 255, 44};
    cast_case(t, "Cast int64->uint8 wraps", TERN_INT64, big, 3, TERN_UINT8, wb8);
    float wbf[3] = {4294967301.0f, -1.0f, 300.0f};
    cast_case(t, "Cast int64->float", TERN_INT64, big, 3, TERN_FLOAT, wbf);
    /* rounded once, not through double: 2^53 + 2^29 + 1 is just above the
     * midpoint of two floats, but rounds to the midpoint itself in double */
    int64_t mid[2] = {((int64_t)1 << 53) + ((int64_t)1 << 29) + 1,
                      -(((int64_t)1 << 53) + ((int64_t)1 << 29) + 1)};
    float wmid[2] = {9007200328482816.0f, -9007200328482816.0f};
    cast_case(t, "Cast int64->float rounds once", TERN_INT64, mid, 2, TERN_FLOAT, wmid);
    float fb[4] = {0.0f, NAN, -0.0f, 2.0f};
    uint8_t wbool[4] = {0, 1, 0, 1};
    cast_case(t, "Cast float->bool", TERN_FLOAT, fb, 4, TERN_BOOL, wbool);
    uint8_t bools[3] = {1, 0, 1};
    float wfb[3] = {1.0f, 0.0f, 1.0f};
    cast_case(t, "Cast bool->float", TERN_BOOL, bools, 3, TERN_FLOAT, wfb);
    /* float16: exact values, rounding to nearest even, overflow, subnormal */
    float fh[6] = {1.0f, 65504.0f, 1e5f, 0.1f, -2.0f, 5.9604645e-08f};
    uint16_t wh[6] = {0x3c00, 0x7bff, 0x7c00, 0x2e66, 0xc000, 0x0001};
    cast_case(t, "Cast float->float16", TERN_FLOAT, fh, 6, TERN_FLOAT16, wh);
    float whf[6] = {1.0f, 65504.0f, INFINITY, 0.0999755859375f, -2.0f, 5.9604645e-08f};
    cast_case(t, "Cast float16->float", TERN_FLOAT16, wh, 6, TERN_FLOAT, whf);
    double d[3] = {1e300, -0.5, 3.25};
    float wd[3] = {INFINITY, -0.5f, 3.25f};
    cast_case(t, "Cast double->float", TERN_DOUBLE, d, 3, TERN_FLOAT, wd);
    tc c;
    int64_t n = 2;
    /* CastLike takes the type of its second input */
    tc_init(&c, 15);
    double like = 0;
    int cl[2] = {tc_t(&c, TERN_FLOAT, 1, &n, NULL), tc_t(&c, TERN_DOUBLE, 0, NULL, &like)};
    tc_node(&c, "CastLike", cl, 2, 1);
    if (th_check(t, tc_infer(&c) == TERN_OK && tc_out(&c, 0)->dtype == TERN_DOUBLE,
                 "CastLike float->double", "%s", c.err.msg)) {
        float fx[2] = {1.25f, -3.0f};
        double dw[2] = {1.25, -3.0};
        const void *in[2] = {fx, NULL};
        void *out[1];
        tc_run(&c, in, out);
        check_bytes(t, "CastLike float->double", out[0], dw, 16);
        free(out[0]);
    }
    tc_free(&c);
    tc_init(&c, 13);
    int in0 = tc_t(&c, TERN_FLOAT, 1, &n, NULL);
    tc_node(&c, "Cast", &in0, 1, 1);
    tc_int(&c, "to", 8); /* string */
    expect_fail(t, &c, TERN_ERR_UNSUPPORTED, "Cast", "Cast rejects string");
    tc_free(&c);
}

static void test_argmax(th_ctx *t) {
    int64_t dims[3] = {2, 3, 4};
    float x[24];
    for (int i = 0; i < 24; i++) x[i] = (float)((i * 7) % 5); /* ties on purpose */
    x[5] = NAN;
    for (int op = 0; op < 2; op++)
        for (int axis = -1; axis < 3; axis++)
            for (int last = 0; last < 2; last++)
                for (int keep = 0; keep < 2; keep++) {
                    tc c;
                    tc_init(&c, 13);
                    int in0 = tc_t(&c, TERN_FLOAT, 3, dims, NULL);
                    tc_node(&c, op ? "ArgMin" : "ArgMax", &in0, 1, 1);
                    tc_int(&c, "axis", axis);
                    tc_int(&c, "keepdims", keep);
                    tc_int(&c, "select_last_index", last);
                    char name[80];
                    snprintf(name, sizeof name, "%s axis %d last %d keepdims %d",
                             op ? "ArgMin" : "ArgMax", axis, last, keep);
                    if (!th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
                        tc_free(&c);
                        continue;
                    }
                    int a = axis < 0 ? axis + 3 : axis;
                    int64_t want[24], n = 0, idx[3];
                    for (int64_t e = 0; e < 24; e++) { /* each output: scan the axis */
                        unravel(e, 3, dims, idx);
                        if (idx[a] != 0) continue;
                        int64_t best = -1;
                        for (int64_t k = 0; k < dims[a]; k++) {
                            idx[a] = k;
                            float v = x[ravel(3, dims, idx)];
                            if (isnan(v)) continue;
                            if (best < 0) { best = k; continue; }
                            idx[a] = best;
                            float b = x[ravel(3, dims, idx)];
                            if (op ? (v < b || (last && v == b)) : (v > b || (last && v == b)))
                                best = k;
                        }
                        want[n++] = best < 0 ? 0 : best;
                    }
                    const void *in[1] = {x};
                    void *out[1];
                    tc_run(&c, in, out);
                    check_i64(t, name, out[0], want, n);
                    free(out[0]);
                    tc_free(&c);
                }
    int64_t d0[2] = {3, 0};
    tc c;
    tc_init(&c, 13);
    int in0 = tc_t(&c, TERN_FLOAT, 2, d0, NULL);
    tc_node(&c, "ArgMax", &in0, 1, 1);
    tc_int(&c, "axis", 1);
    expect_fail(t, &c, TERN_ERR_SHAPE, "empty", "ArgMax rejects an empty axis");
    tc_free(&c);
}

/* ---- robustness: random nodes must give a status, never a crash ------ */

static uint32_t fz = 99;

static int64_t fz_int(int64_t lo, int64_t hi) {
    fz = fz * 1103515245u + 12345u;
    return lo + (int64_t)((fz >> 8) % (uint32_t)(hi - lo + 1));
}

/* A random tensor: rank 0..4, dims 0..4, a random dtype; constant (with
 * small values, so that shapes stay small) half the time. data points to
 * storage of `cap` bytes the caller owns. */
static int fz_tensor(tc *c, unsigned char *data, size_t cap) {
    static const tern_dtype DT[] = {TERN_FLOAT, TERN_INT64, TERN_INT64, TERN_INT32, TERN_BOOL,
                                    TERN_UINT8, TERN_DOUBLE};
    int64_t dims[4];
    int rank = (int)fz_int(0, 4);
    for (int k = 0; k < rank; k++) dims[k] = fz_int(0, 4) == 0 ? 0 : fz_int(1, 4);
    tern_dtype dt = DT[fz_int(0, 6)];
    int i = tc_t(c, dt, rank, dims, NULL);
    tern_tensor *x = &c->g.tensors[i];
    size_t bytes = tern_tensor_bytes(x);
    if (fz_int(0, 1) && bytes <= cap) {
        for (size_t b = 0; b < bytes; b += tern_dtype_size(dt)) {
            int64_t v = fz_int(-3, 5);
            float f = (float)v * 0.75f;
            double d = f;
            int32_t v32 = (int32_t)v;
            unsigned char u = (unsigned char)(v & 1);
            const void *src = dt == TERN_FLOAT   ? (const void *)&f
                              : dt == TERN_DOUBLE ? (const void *)&d
                              : dt == TERN_INT64  ? (const void *)&v
                              : dt == TERN_INT32  ? (const void *)&v32
                                                  : (const void *)&u;
            memcpy(data + b, src, tern_dtype_size(dt));
        }
        x->data = data;
        x->is_input = 0;
    }
    return i;
}

static void fz_attrs(tc *c) {
    static const char *const INTS[] = {"axis", "keepdims", "to", "blocksize", "k", "upper",
                                       "exclusive", "reverse", "select_last_index", "batch_dims",
                                       "allowzero", "start", "end", "fmod", "largest",
                                       "noop_with_empty_axes", "num_outputs"};
    static const char *const LISTS[] = {"axes", "perm", "pads", "split", "starts", "ends",
                                        "shape", "repeats"};
    static const char *const MODES[] = {"constant", "reflect", "edge", "linear", "nearest",
                                        "cubic", "DCR", "CRD", "bogus"};
    /* the attributes most ops need, often and with plausible values */
    if (fz_int(0, 1)) tc_int(c, "axis", fz_int(-2, 3));
    if (!fz_int(0, 3)) tc_int(c, "to", (int64_t[]){1, 2, 3, 6, 7, 9, 10, 11}[fz_int(0, 7)]);
    if (!fz_int(0, 3)) tc_int(c, "blocksize", fz_int(1, 2));
    int na = (int)fz_int(0, 3);
    for (int a = 0; a < na; a++) {
        int kind = (int)fz_int(0, 3);
        if (kind == 0) {
            tc_int(c, INTS[fz_int(0, 16)], fz_int(-4, 9));
        } else if (kind == 1) {
            int64_t v[6];
            int cnt = (int)fz_int(0, 6);
            for (int k = 0; k < cnt; k++) v[k] = fz_int(-4, 4);
            tc_ints(c, LISTS[fz_int(0, 7)], v, cnt);
        } else if (kind == 2) {
            tc_str(c, "mode", MODES[fz_int(0, 8)]);
        } else {
            tc_float(c, "value", (float)fz_int(-2, 2));
        }
    }
}

static void test_fuzz(th_ctx *t) {
    static const char *const OPS[] = {
#define OP(name) #name,
#include "graph/ops/list_tensor.h"
#undef OP
    };
    size_t nops = sizeof OPS / sizeof OPS[0];
    int ok = 0, rejected = 0, silent = 0, run_bad = 0;
    static unsigned char consts[6][4096];
    for (int iter = 0; iter < 100000; iter++) {
        const char *op = OPS[iter % nops];
        tc c;
        tc_init(&c, fz_int(7, 19));
        int nin = fz_int(0, 4) ? (int)fz_int(1, 3) : (int)fz_int(0, 5), ins[6];
        int nout = fz_int(0, 3) ? 1 : 2;
        for (int i = 0; i < nin; i++) {
            ins[i] = fz_int(0, 9) == 0 ? -1 : fz_tensor(&c, consts[i], 4096);
            if (i == 0 || ins[i] < 0 || ins[0] < 0) continue;
            /* bias towards nodes an op accepts: a twin of input 0 (elementwise)
             * or a short int64 vector (axes, shapes, pads...) */
            tern_tensor *x = &c.g.tensors[ins[i]], *x0 = &c.g.tensors[ins[0]];
            int pick_twin = (int)fz_int(0, 2);
            if (pick_twin == 0 && !x->data) {
                x->dtype = x0->dtype, x->rank = x0->rank;
                memcpy(x->dims, x0->dims, sizeof x->dims);
            } else if (pick_twin == 1) {
                int64_t len = fz_int(1, 4);
                x->dtype = TERN_INT64, x->rank = 1, x->dims[0] = len;
                for (int64_t k = 0; k < len; k++) {
                    int64_t v = fz_int(-2, 4);
                    memcpy(consts[i] + 8 * k, &v, 8);
                }
                x->data = consts[i], x->is_input = 0;
            }
        }
        tc_node(&c, op, ins, nin, nout);
        fz_attrs(&c);
        tern_status st = tc_infer(&c);
        if (st != TERN_OK) {
            rejected++;
            if (!c.err.msg[0]) silent++;
            tc_free(&c);
            continue;
        }
        ok++;
        /* run on random input bytes */
        const void *in[6] = {0};
        void *bufs[6] = {0};
        int fine = 1;
        for (int i = 0; i < nin; i++) {
            const tern_tensor *x = tern_in(&c.g, tc_n(&c), i);
            if (!x || x->data) continue;
            size_t b = tern_tensor_bytes(x);
            bufs[i] = malloc(b + 1);
            for (size_t k = 0; k < b; k++) ((unsigned char *)bufs[i])[k] = (unsigned char)fz_int(0, 255);
            in[i] = bufs[i];
        }
        for (int o = 0; o < nout; o++) {
            const tern_tensor *y = tern_out(&c.g, tc_n(&c), o);
            if (y && (y->rank < 0 || tern_tensor_numel(y) < 0 || tern_tensor_numel(y) > 1000000))
                fine = 0;
        }
        if (fine) {
            void *out[2] = {0};
            st = tc_run(&c, in, out);
            if (st != TERN_OK && st != TERN_ERR_RUNTIME) run_bad++;
            free(out[0]), free(out[1]);
        } else {
            run_bad++;
        }
        for (int i = 0; i < 6; i++) free(bufs[i]);
        tc_free(&c);
    }
    th_check(t, silent == 0, "fuzz: every rejection has a message", "%d silent of %d", silent,
             rejected);
    th_check(t, run_bad == 0, "fuzz: accepted nodes run (or report bad data)",
             "%d bad runs of %d accepted", run_bad, ok);
    th_check(t, ok > 5000 && rejected > 5000, "fuzz: both accepted and rejected nodes",
             "%d accepted, %d rejected", ok, rejected);
}

static void test_hardmax(th_ctx *t) {
    int64_t dims[3] = {2, 2, 3};
    float x[12] = {1, 5, 5, 0, 2, 1, /* */ 9, 8, 7, 6, NAN, 10};
    /* opset 13, axis 1 (columns of each [2,3] matrix) */
    float w13[12] = {1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1};
    /* opset 11, axis 1: the 2-D view [2, 6]: one 1 per row of 6 */
    float w11[12] = {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    for (int v = 0; v < 2; v++) {
        tc c;
        tc_init(&c, v ? 13 : 11);
        int in0 = tc_t(&c, TERN_FLOAT, 3, dims, NULL);
        tc_node(&c, "Hardmax", &in0, 1, 1);
        tc_int(&c, "axis", 1);
        const char *name = v ? "Hardmax axis 1 (opset 13)" : "Hardmax axis 1 (opset 11, 2-D view)";
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "%s", c.err.msg)) {
            const void *in[1] = {x};
            void *out[1];
            tc_run(&c, in, out);
            check_bytes(t, name, out[0], v ? w13 : w11, 48);
            free(out[0]);
        }
        tc_free(&c);
    }
}

/* The walk merges axes only where every operand allows it. */
static void test_walk(th_ctx *t) {
    int64_t dims[3] = {2, 3, 4}, plain[3] = {12, 4, 1}, bc[3] = {0, 1, 0}, cl[3] = {12, 1, 3};
    const int64_t *same[2] = {plain, plain}, *bcast[2] = {plain, bc}, *mixed[2] = {cl, plain};
    tern_walk w;
    int ok = tern_walk_start(&w, 3, dims, 2, same);
    th_check(t, ok && w.rank == 1 && w.n == 24, "walk merges a same-layout space into one row",
             "rank %d n %lld", w.rank, (long long)w.n);
    ok = tern_walk_start(&w, 3, dims, 2, bcast);
    th_check(t, ok && w.rank == 3 && w.n == 4, "walk keeps broadcast axes apart",
             "rank %d n %lld", w.rank, (long long)w.n);
    /* operand 0 channels-last: its stride-1 axis (logical 1) is innermost */
    ok = tern_walk_init(&w, 3, dims, 2, mixed);
    th_check(t, ok && w.perm[2] == 1 && w.n == 3 && w.inc[0] == 1 && w.inc[1] == 4,
             "walk follows operand 0's memory order", "perm %d %d %d", w.perm[0], w.perm[1],
             w.perm[2]);
    int64_t zero[3] = {2, 0, 4};
    th_check(t, !tern_walk_start(&w, 3, zero, 2, same), "walk of an empty space has no rows",
             "returned rows");
    int rows = 0;
    if (tern_walk_start(&w, 3, dims, 2, bcast)) do rows++; while (tern_walk_next(&w));
    th_check(t, rows == 6, "walk visits every row once", "%d rows", rows);
}

/* ---- review r2: shapes a hostile model can declare ------------------------ */

/* Infer must not overflow int64 computing output dims, even when the input
 * is empty (a zero dim lets the other dims be huge) or when the result,
 * not the input, is what is too large. Each node must be rejected. */
static void test_hostile_shapes(th_ctx *t) {
    const int64_t big = (int64_t)1 << 40, huge = (int64_t)1 << 62;
    tc c;
    {
        int64_t d[3] = {big, big, 0};
        tc_init(&c, 13);
        int in0 = tc_t(&c, TERN_FLOAT, 3, d, NULL);
        tc_node(&c, "Flatten", &in0, 1, 1);
        tc_int(&c, "axis", 2);
        expect_fail(t, &c, TERN_ERR_SHAPE, "too large", "Flatten of [2^40, 2^40, 0] at axis 2");
        tc_free(&c);
    }
    {
        int64_t d[4] = {1, 0, huge, 1};
        tc_init(&c, 13);
        int in0 = tc_t(&c, TERN_FLOAT, 4, d, NULL);
        tc_node(&c, "DepthToSpace", &in0, 1, 1);
        tc_int(&c, "blocksize", 2);
        expect_fail(t, &c, TERN_ERR_SHAPE, "too large", "DepthToSpace of [1, 0, 2^62, 1] by 2");
        tc_free(&c);
    }
    {
        int64_t d[4] = {1, huge, 0, 2};
        tc_init(&c, 13);
        int in0 = tc_t(&c, TERN_FLOAT, 4, d, NULL);
        tc_node(&c, "SpaceToDepth", &in0, 1, 1);
        tc_int(&c, "blocksize", 2);
        expect_fail(t, &c, TERN_ERR_SHAPE, "too large", "SpaceToDepth of [1, 2^62, 0, 2] by 2");
        tc_free(&c);
    }
    {
        /* not_smaller keeps the aspect ratio with the largest scale (2^27)
         * on every axis: 2^40 * 2^27 does not fit */
        int64_t d[4] = {1, 1, 1, big}, four = 4, sizes[4] = {1, 1, (int64_t)1 << 27, 1};
        tc_init(&c, 18);
        int ins[4] = {tc_t(&c, TERN_FLOAT, 4, d, NULL), -1, -1,
                      tc_t(&c, TERN_INT64, 1, &four, sizes)};
        tc_node(&c, "Resize", ins, 4, 1);
        tc_str(&c, "keep_aspect_ratio_policy", "not_smaller");
        expect_fail(t, &c, TERN_ERR_SHAPE, "invalid", "Resize not_smaller to 2^67 elements");
        tc_free(&c);
    }
    {
        /* an empty result with huge other dims: its strides overflow */
        int64_t one = 1, three = 3, shape[3] = {0, big, big};
        tc_init(&c, 13);
        int ins[2] = {tc_t(&c, TERN_FLOAT, 1, &one, NULL), tc_t(&c, TERN_INT64, 1, &three, shape)};
        tc_node(&c, "Expand", ins, 2, 1);
        expect_fail(t, &c, TERN_ERR_SHAPE, "too large", "Expand to [0, 2^40, 2^40]");
        tc_free(&c);
        tc_init(&c, 13);
        ins[0] = tc_t(&c, TERN_INT64, 1, &three, shape);
        tc_node(&c, "ConstantOfShape", ins, 1, 1);
        expect_fail(t, &c, TERN_ERR_SHAPE, "too large", "ConstantOfShape [0, 2^40, 2^40]");
        tc_free(&c);
        int64_t zero = 0;
        tc_init(&c, 13);
        ins[0] = tc_t(&c, TERN_FLOAT, 1, &zero, NULL);
        ins[1] = tc_t(&c, TERN_INT64, 1, &three, shape);
        tc_node(&c, "Reshape", ins, 2, 1);
        expect_fail(t, &c, TERN_ERR_SHAPE, "too large", "Reshape [0] to [0, 2^40, 2^40]");
        tc_free(&c);
    }
}

TH_SUITE(suite_kernels_tensor) {
    test_walk(t);
    test_binary_f32(t);
    test_binary_int(t);
    test_compare_where(t);
    test_variadic(t);
    test_mod_classify(t);
    test_pow_int(t);
    test_binary_other(t);
    test_binary_errors(t);
    test_binary_legacy_broadcast(t);
    test_unary(t);
    test_reduce(t);
    test_argmax(t);
    test_hardmax(t);
    test_reshape(t);
    test_flatten_squeeze(t);
    test_shape_size_const(t);
    test_transpose_expand(t);
    test_concat(t);
    test_gather(t);
    test_slice(t);
    test_split(t);
    test_pad(t);
    test_tile(t);
    test_cast(t);
    test_depth_space(t);
    test_range(t);
    test_resize(t);
    test_elements(t);
    test_nd(t);
    test_trilu_cumsum(t);
    test_onehot_topk_eye(t);
    test_grid_sample(t);
    test_reverse_sequence(t);
    test_fuzz(t);
    test_hostile_shapes(t);
}
