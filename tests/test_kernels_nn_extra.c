/* Tests of the less common NN ops (suite_kernels_nn_extra): the standalone
 * activations of op_activation_extra.c, InstanceNormalization,
 * LayerNormalization and LRN (op_norm.c) and ConvTranspose
 * (op_conv_transpose.c). Each op runs on a hand-built one-node graph
 * (op->infer, then op->run on our buffers) and is compared with a naive
 * implementation written here in double precision; layout-flagged ops are
 * tried with plain and channels-last inputs and outputs; bad attributes
 * must be rejected by infer with a message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/op.h"
#include "tests/harness.h"
#include "tests/nn_case.h"

/* ---- infer rejects bad nodes with a message ------------------------------- */

static void expect_error(th_ctx *t, tcase *c, const char *name, tern_status want,
                         const char *needle) {
    tern_status st = tc_infer(c);
    th_check(t, st == want && strstr(c->err.msg, needle) != NULL, name,
             "got status %d '%s', want status %d mentioning '%s'", (int)st, c->err.msg, (int)want,
             needle);
    tc_free(c);
}


/* ---- standalone activations -------------------------------------------------- */

typedef struct xact_case {
    const char *op;
    float a, b;          /* attributes to set (NAN: leave out, the reference uses da/db) */
    const char *an, *bn; /* their names */
    double da, db;       /* the values the reference uses */
} xact_case;

static double xact_ref(const xact_case *k, double x) {
    double a = k->da, b = k->db;
    const char *op = k->op;
    if (!strcmp(op, "Elu")) return x < 0 ? a * (exp(x) - 1) : x;
    if (!strcmp(op, "Selu")) return x <= 0 ? b * (a * exp(x) - a) : b * x;
    if (!strcmp(op, "Celu")) return fmax(0, x) + fmin(0, a * (exp(x / a) - 1));
    if (!strcmp(op, "Softplus")) return log(exp(x) + 1);
    if (!strcmp(op, "Softsign")) return x / (1 + fabs(x));
    if (!strcmp(op, "ThresholdedRelu")) return x > a ? x : 0;
    if (!strcmp(op, "Shrink")) return x < -a ? x + b : x > a ? x - b : 0;
    return NAN;
}

static void xact_one(th_ctx *t, const xact_case *k, int lin, int lout) {
    char name[160];
    snprintf(name, sizeof name, "%s a=%g b=%g (%s -> %s)", k->op, k->da, k->db, layout_name(lin),
             layout_name(lout));
    int64_t dims[4] = {2, 5, 3, 4}, ne = 2 * 5 * 3 * 4;
    float *x = rand_buf(ne);
    for (int64_t i = 0; i < ne; i++) x[i] *= 4;
    x[0] = 0.0f; /* the boundaries */
    x[1] = (float)k->da;
    x[2] = -(float)k->da;
    x[3] = 30.0f; /* softplus: exp(30) still fine in double */
    x[4] = -30.0f;
    tcase c;
    tc_init(&c, 17);
    int ins[1] = {tc_tensor(&c, "x", 4, dims, NULL)};
    tc_node(&c, k->op, ins, 1, 1);
    if (!isnan(k->a)) tc_float(&c, k->an, k->a);
    if (!isnan(k->b)) tc_float(&c, k->bn, k->b);
    tern_status st = tc_infer(&c);
    if (th_check(t, st == TERN_OK, name, "infer: %s", c.err.msg)) {
        c.g.tensors[ins[0]].layout = lin;
        tc_out(&c, 0)->layout = lout;
        const float *in[1] = {x};
        float *got = NULL;
        st = tc_run(&c, in, &got);
        double *want = malloc(sizeof(double) * (size_t)ne);
        for (int64_t i = 0; i < ne; i++) want[i] = xact_ref(k, x[i]);
        if (th_check(t, st == TERN_OK, name, "run: %s", c.err.msg)) {
            t->passed--;
            check_close(t, name, got, want, ne);
        }
        free(want);
        free(got);
    }
    tc_free(&c);
    free(x);
}

static void test_extra_activations(th_ctx *t) {
    const float N = NAN;
    const xact_case cases[] = {
        {"Elu", N, N, "alpha", NULL, 1.0, 0},
        {"Elu", 0.3f, N, "alpha", NULL, 0.3f, 0},
        {"Selu", N, N, "alpha", "gamma", 1.67326319217681884765625, 1.05070102214813232421875},
        {"Selu", 2.0f, 3.0f, "alpha", "gamma", 2.0, 3.0},
        {"Celu", N, N, "alpha", NULL, 1.0, 0},
        {"Celu", 2.5f, N, "alpha", NULL, 2.5, 0},
        {"Celu", -0.5f, N, "alpha", NULL, -0.5, 0},
        {"Softplus", N, N, NULL, NULL, 0, 0},
        {"Softsign", N, N, NULL, NULL, 0, 0},
        {"ThresholdedRelu", N, N, "alpha", NULL, 1.0, 0},
        {"ThresholdedRelu", -0.25f, N, "alpha", NULL, -0.25, 0},
        {"Shrink", N, N, "lambd", "bias", 0.5, 0},
        {"Shrink", 1.5f, 0.75f, "lambd", "bias", 1.5, 0.75},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        xact_one(t, &cases[i], TERN_LAYOUT_PLAIN, TERN_LAYOUT_PLAIN);
        xact_one(t, &cases[i], TERN_LAYOUT_CHANNELS_LAST, TERN_LAYOUT_PLAIN);
        xact_one(t, &cases[i], TERN_LAYOUT_PLAIN, TERN_LAYOUT_CHANNELS_LAST);
    }
}

/* A one-input node of op on X[dims] ready for attributes. */
static void x_node(tcase *c, const char *op, int rank, const int64_t *dims, int nout) {
    tc_init(c, 17);
    int ins[1] = {tc_tensor(c, "x", rank, dims, NULL)};
    tc_node(c, op, ins, 1, nout);
}

static void test_extra_activation_errors(th_ctx *t) {
    tcase c;
    int64_t d[2] = {2, 3}, huge[3] = {0, (int64_t)1 << 40, (int64_t)1 << 40};
    x_node(&c, "Celu", 2, d, 1);
    tc_float(&c, "alpha", 0.0f);
    expect_error(t, &c, "Celu alpha 0 rejected", TERN_ERR_SHAPE, "alpha");
    x_node(&c, "Elu", 2, d, 1);
    tc_int(&c, "alpha", 2);
    expect_error(t, &c, "Elu int alpha rejected", TERN_ERR_SHAPE, "alpha must be a float");
    x_node(&c, "Shrink", 2, d, 1);
    tc_float(&c, "lambd", INFINITY);
    expect_error(t, &c, "Shrink infinite lambd rejected", TERN_ERR_SHAPE, "finite");
    x_node(&c, "Softplus", 2, d, 2);
    expect_error(t, &c, "Softplus two outputs rejected", TERN_ERR_SHAPE, "output");
    x_node(&c, "Softsign", 3, huge, 1);
    c.g.tensors[0].dims[0] = 1 << 20;
    expect_error(t, &c, "Softsign overflowing dims rejected", TERN_ERR_SHAPE, "too large");
    x_node(&c, "Elu", 2, d, 1);
    c.g.tensors[0].dtype = TERN_INT32;
    expect_error(t, &c, "Elu int32 rejected", TERN_ERR_UNSUPPORTED, "float32");
}

/* ---- InstanceNormalization, LayerNormalization, LRN -------------------------- */

/* Row-major offset in a tensor of dims td[tr] of the element that logical
 * index e of X (dims xd[xr]) reads when td broadcasts to xd (right-aligned). */
static int64_t bcast_offset(int64_t e, int xr, const int64_t *xd, int tr, const int64_t *td) {
    int64_t idx[8], off = 0;
    for (int i = xr - 1; i >= 0; i--) {
        idx[i] = e % xd[i];
        e /= xd[i];
    }
    for (int i = 0; i < tr; i++) off = off * td[i] + (td[i] == 1 ? 0 : idx[xr - tr + i]);
    return off;
}

/* Naive normalization of groups [0,axis) x [axis,rank) in double; scale and
 * bias (may be NULL) broadcast from dims sd[sr] / bd[br]. */
static void norm_ref(int rank, const int64_t *dims, int axis, const float *x, const float *s,
                     int sr, const int64_t *sd, const float *b, int br, const int64_t *bd,
                     double eps, double *want) {
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; i++) outer *= dims[i];
    for (int i = axis; i < rank; i++) inner *= dims[i];
    for (int64_t o = 0; o < outer; o++) {
        double mean = 0, var = 0;
        for (int64_t i = 0; i < inner; i++) mean += x[o * inner + i];
        mean /= (double)inner;
        for (int64_t i = 0; i < inner; i++) var += pow(x[o * inner + i] - mean, 2);
        var /= (double)inner;
        for (int64_t i = 0; i < inner; i++) {
            int64_t e = o * inner + i;
            double v = (x[e] - mean) / sqrt(var + eps) * s[bcast_offset(e, rank, dims, sr, sd)];
            want[e] = v + (b ? b[bcast_offset(e, rank, dims, br, bd)] : 0.0);
        }
    }
}

/* Run the node built in c (input 0 gets layout lin, output lout) on
 * logical inputs in[] and compare with want[ne]. */
static void run_compare(th_ctx *t, tcase *c, const char *name, int lin, int lout,
                        const float *const *in, const double *want, int64_t ne) {
    tern_status st = tc_infer(c);
    if (!th_check(t, st == TERN_OK, name, "infer: %s", c->err.msg)) return;
    tern_tensor *y = tc_out(c, 0);
    int64_t got_ne = tern_tensor_numel(y);
    if (!th_check(t, got_ne == ne, name, "output has %lld elements, want %lld",
                  (long long)got_ne, (long long)ne))
        return;
    c->g.tensors[tc_n(c)->inputs[0]].layout = lin;
    y->layout = lout;
    float *got = NULL;
    st = tc_run(c, in, &got);
    if (th_check(t, st == TERN_OK, name, "run: %s", c->err.msg)) {
        t->passed--;
        check_close(t, name, got, want, ne);
    }
    free(got);
}

static void instnorm_one(th_ctx *t, int rank, const int64_t *dims, float eps, int lin,
                         int lout) {
    char name[160];
    snprintf(name, sizeof name, "InstanceNormalization rank %d C %lld eps %g (%s -> %s)", rank,
             (long long)dims[1], (double)eps, layout_name(lin), layout_name(lout));
    int64_t ne = 1, cd[1] = {dims[1]};
    for (int i = 0; i < rank; i++) ne *= dims[i];
    float *x = rand_buf(ne), *s = rand_buf(dims[1]), *b = rand_buf(dims[1]);
    for (int64_t i = 0; i < ne; i++) x[i] = x[i] * 3 + 5; /* an offset: tests the two passes */
    int64_t sdims[8] = {1, dims[1], 1, 1, 1, 1, 1, 1};
    double *want = malloc(sizeof(double) * (size_t)ne);
    norm_ref(rank, dims, 2, x, s, rank, sdims, b, rank, sdims, isnan(eps) ? 1e-5 : eps, want);
    tcase c;
    tc_init(&c, 6);
    int ins[3] = {tc_tensor(&c, "x", rank, dims, NULL), tc_tensor(&c, "s", 1, cd, s),
                  tc_tensor(&c, "b", 1, cd, NULL)};
    tc_node(&c, "InstanceNormalization", ins, 3, 1);
    if (!isnan(eps)) tc_float(&c, "epsilon", eps);
    const float *in[3] = {x, s, b};
    run_compare(t, &c, name, lin, lout, in, want, ne);
    tc_free(&c);
    free(want);
    free(x);
    free(s);
    free(b);
}

static void layernorm_one(th_ctx *t, int rank, const int64_t *dims, int64_t axis, int sr,
                          int with_b, int lin, int lout) {
    char name[160];
    snprintf(name, sizeof name, "LayerNormalization rank %d axis %lld scale rank %d%s (%s -> %s)",
             rank, (long long)axis, sr, with_b ? " +B" : "", layout_name(lin),
             layout_name(lout));
    int a = (int)(axis < 0 ? axis + rank : axis);
    int64_t ne = 1, sd[8], sn = 1, bd[8], bn = 1;
    for (int i = 0; i < rank; i++) ne *= dims[i];
    for (int i = 0; i < sr; i++) {
        int xi = rank - sr + i;
        sd[i] = xi < a || (i == 0 && sr > 1) ? 1 : dims[xi]; /* some broadcast dims */
        bd[i] = dims[xi] * (xi >= a) + (xi < a);
        sn *= sd[i];
        bn *= bd[i];
    }
    float *x = rand_buf(ne), *s = rand_buf(sn), *b = rand_buf(bn);
    for (int64_t i = 0; i < ne; i++) x[i] = x[i] * 2 - 3;
    double *want = malloc(sizeof(double) * (size_t)ne);
    norm_ref(rank, dims, a, x, s, sr, sd, with_b ? b : NULL, sr, bd, 1e-3, want);
    tcase c;
    tc_init(&c, 17);
    int ins[3] = {tc_tensor(&c, "x", rank, dims, NULL), tc_tensor(&c, "s", sr, sd, NULL),
                  tc_tensor(&c, "b", sr, bd, b)};
    tc_node(&c, "LayerNormalization", ins, with_b ? 3 : 2, 1);
    tc_int(&c, "axis", axis);
    tc_float(&c, "epsilon", 1e-3f);
    const float *in[3] = {x, s, b};
    run_compare(t, &c, name, lin, lout, in, want, ne);
    tc_free(&c);
    free(want);
    free(x);
    free(s);
    free(b);
}

/* The optional Mean and InvStdDev outputs of LayerNormalization over axes
 * [axis, 4) of a [2,3,4,5] input, written through their own layout. */
static void layernorm_stats(th_ctx *t, int axis, int layout) {
    char name[160];
    snprintf(name, sizeof name, "LayerNormalization Mean/InvStdDev axis %d (%s)", axis,
             layout_name(layout));
    int64_t dims[4] = {2, 3, 4, 5}, ne = 120, groups = 1, sdims[4], sn = 1;
    for (int i = 0; i < 4; i++) {
        groups *= i < axis ? dims[i] : 1;
        sdims[i] = i < axis ? 1 : dims[i];
        sn *= sdims[i];
    }
    float *x = rand_buf(ne), *sc = rand_buf(sn);
    tcase c;
    tc_init(&c, 17);
    int ins[2] = {tc_tensor(&c, "x", 4, dims, x), tc_tensor(&c, "s", 4, sdims, sc)};
    tc_node(&c, "LayerNormalization", ins, 2, 3);
    tc_int(&c, "axis", axis);
    tern_status st = tc_infer(&c);
    float *buf[3] = {NULL, NULL, NULL};
    if (st == TERN_OK) {
        for (int k = 0; k < 3; k++) {
            tc_out(&c, k)->layout = k ? layout : TERN_LAYOUT_PLAIN;
            buf[k] = malloc(sizeof(float) * (size_t)ne);
        }
        const void *in[2] = {x, sc};
        void *out[3] = {buf[0], buf[1], buf[2]};
        st = tc_n(&c)->op->run(&c.g, tc_n(&c), in, out, &c.err);
    }
    double worst = st == TERN_OK ? 0 : INFINITY;
    int64_t per = ne / groups;
    for (int64_t gi = 0; st == TERN_OK && gi < groups; gi++) {
        double sum = 0, sq = 0;
        for (int64_t e = 0; e < per; e++) sum += x[gi * per + e];
        double mean = sum / (double)per;
        for (int64_t e = 0; e < per; e++) sq += (x[gi * per + e] - mean) * (x[gi * per + e] - mean);
        double inv = 1.0 / sqrt(sq / (double)per + 1e-5);
        double em = fabs(buf[1][phys_offset(tc_out(&c, 1), gi)] - mean);
        double ei = fabs(buf[2][phys_offset(tc_out(&c, 2), gi)] - inv) / (1 + inv);
        worst = fmax(worst, fmax(em, ei));
    }
    th_check(t, worst <= TOL, name, "status %d '%s', worst error %g", (int)st, c.err.msg, worst);
    for (int k = 0; k < 3; k++) free(buf[k]);
    tc_free(&c);
    free(x);
    free(sc);
}

static void lrn_one(th_ctx *t, int rank, const int64_t *dims, int64_t size, float alpha,
                    float beta, float bias, int lin, int lout) {
    char name[160];
    snprintf(name, sizeof name, "LRN rank %d size %lld a %g b %g k %g (%s -> %s)", rank,
             (long long)size, (double)alpha, (double)beta, (double)bias, layout_name(lin),
             layout_name(lout));
    int64_t ne = 1, inner = 1, cn = dims[1];
    for (int i = 0; i < rank; i++) ne *= dims[i];
    for (int i = 2; i < rank; i++) inner *= dims[i];
    float *x = rand_buf(ne);
    double *want = malloc(sizeof(double) * (size_t)ne);
    for (int64_t e = 0; e < ne; e++) {
        int64_t ch = e / inner % cn, base = e - ch * inner, lo = ch - (size - 1) / 2;
        int64_t hi = ch + (size - 1) - (size - 1) / 2;
        double sq = 0;
        for (int64_t k = lo < 0 ? 0 : lo; k <= hi && k < cn; k++)
            sq += (double)x[base + k * inner] * x[base + k * inner];
        want[e] = x[e] / pow(bias + alpha / (double)size * sq, beta);
    }
    tcase c;
    tc_init(&c, 13);
    int ins[1] = {tc_tensor(&c, "x", rank, dims, NULL)};
    tc_node(&c, "LRN", ins, 1, 1);
    tc_int(&c, "size", size);
    tc_float(&c, "alpha", alpha);
    tc_float(&c, "beta", beta);
    tc_float(&c, "bias", bias);
    const float *in[1] = {x};
    run_compare(t, &c, name, lin, lout, in, want, ne);
    tc_free(&c);
    free(want);
    free(x);
}

static const int LAYOUT_PAIRS[3][2] = {{TERN_LAYOUT_PLAIN, TERN_LAYOUT_PLAIN},
                                       {TERN_LAYOUT_CHANNELS_LAST, TERN_LAYOUT_PLAIN},
                                       {TERN_LAYOUT_PLAIN, TERN_LAYOUT_CHANNELS_LAST}};

static void test_norms(th_ctx *t) {
    int64_t d3[3] = {2, 3, 7}, d4[4] = {2, 5, 4, 3}, d5[5] = {1, 4, 2, 3, 2}, d2[2] = {3, 8};
    for (int l = 0; l < 3; l++) {
        int li = LAYOUT_PAIRS[l][0], lo = LAYOUT_PAIRS[l][1];
        instnorm_one(t, 3, d3, NAN, li, lo);
        instnorm_one(t, 4, d4, 0.5f, li, lo);
        instnorm_one(t, 5, d5, 1e-3f, li, lo);
        for (int64_t axis = -4; axis < 4; axis++) {
            layernorm_one(t, 4, d4, axis, 4, 1, li, lo);
            layernorm_one(t, 4, d4, axis, 4 - (int)(axis < 0 ? axis + 4 : axis), axis % 2, li, lo);
        }
        layernorm_one(t, 3, d3, 1, 1, 1, li, lo);
        lrn_one(t, 4, d4, 3, 1e-4f, 0.75f, 1.0f, li, lo);
        lrn_one(t, 4, d4, 2, 0.5f, 0.5f, 2.0f, li, lo);
        lrn_one(t, 3, d3, 5, 2.0f, 1.5f, 1.0f, li, lo);
        lrn_one(t, 5, d5, 1, 0.1f, 0.75f, 1.0f, li, lo);
    }
    layernorm_one(t, 2, d2, -1, 1, 1, TERN_LAYOUT_PLAIN, TERN_LAYOUT_PLAIN);
    layernorm_one(t, 2, d2, 0, 2, 0, TERN_LAYOUT_PLAIN, TERN_LAYOUT_PLAIN);
    lrn_one(t, 2, d2, 4, 0.3f, 0.6f, 1.5f, TERN_LAYOUT_PLAIN, TERN_LAYOUT_PLAIN);
    for (int axis = 0; axis < 4; axis++) {
        layernorm_stats(t, axis, TERN_LAYOUT_PLAIN);
        layernorm_stats(t, axis, TERN_LAYOUT_CHANNELS_LAST);
    }
}

/* A node of op on X[xd] and extra constant float inputs of shape cd[cr]. */
static void xc_node(tcase *c, const char *op, int64_t opset, int xr, const int64_t *xd,
                    int nconst, int cr, const int64_t *cd, int nout) {
    static const float zeros[64];
    tc_init(c, opset);
    int ins[4] = {tc_tensor(c, "x", xr, xd, NULL), -1, -1, -1};
    for (int i = 1; i <= nconst; i++) ins[i] = tc_tensor(c, i == 1 ? "s" : "b", cr, cd, zeros);
    tc_node(c, op, ins, 1 + nconst, nout);
}

static void test_norm_errors(th_ctx *t) {
    tcase c;
    int64_t d4[4] = {2, 5, 4, 3}, d2[2] = {2, 5}, c5[1] = {5}, c4[1] = {4}, s23[2] = {2, 3};
    xc_node(&c, "InstanceNormalization", 6, 2, d2, 2, 1, c5, 1);
    expect_error(t, &c, "InstanceNormalization rank 2 rejected", TERN_ERR_SHAPE, "rank 2");
    xc_node(&c, "InstanceNormalization", 6, 4, d4, 2, 1, c4, 1);
    expect_error(t, &c, "InstanceNormalization scale size rejected", TERN_ERR_SHAPE, "[5]");
    xc_node(&c, "InstanceNormalization", 6, 4, d4, 2, 1, c5, 1);
    tc_float(&c, "epsilon", -1.0f);
    expect_error(t, &c, "InstanceNormalization negative epsilon rejected", TERN_ERR_SHAPE,
                 "epsilon");
    xc_node(&c, "InstanceNormalization", 6, 4, d4, 1, 1, c5, 1);
    expect_error(t, &c, "InstanceNormalization without B rejected", TERN_ERR_SHAPE, "inputs");
    xc_node(&c, "LayerNormalization", 17, 4, d4, 1, 1, c5, 1);
    expect_error(t, &c, "LayerNormalization scale not broadcastable", TERN_ERR_SHAPE, "Scale");
    xc_node(&c, "LayerNormalization", 17, 4, d4, 2, 2, s23, 1);
    c.g.tensors[1].dims[0] = 4; /* Scale [4, 3] is fine, B [2, 3] is not */
    expect_error(t, &c, "LayerNormalization B not broadcastable", TERN_ERR_SHAPE, "B");
    xc_node(&c, "LayerNormalization", 17, 4, d4, 1, 1, c4, 1);
    c.g.tensors[1].dims[0] = 3;
    tc_int(&c, "axis", 4);
    expect_error(t, &c, "LayerNormalization axis 4 rejected", TERN_ERR_SHAPE, "axis");
    xc_node(&c, "LayerNormalization", 17, 4, d4, 1, 1, c4, 1);
    c.g.tensors[1].dims[0] = 3;
    tc_int(&c, "stash_type", 10);
    expect_error(t, &c, "LayerNormalization stash_type 10 refused", TERN_ERR_UNSUPPORTED,
                 "stash_type");
    xc_node(&c, "LRN", 13, 4, d4, 0, 0, NULL, 1);
    expect_error(t, &c, "LRN without size rejected", TERN_ERR_SHAPE, "size");
    xc_node(&c, "LRN", 13, 4, d4, 0, 0, NULL, 1);
    tc_int(&c, "size", 0);
    expect_error(t, &c, "LRN size 0 rejected", TERN_ERR_SHAPE, "size");
    xc_node(&c, "LRN", 13, 4, d4, 0, 0, NULL, 1);
    tc_int(&c, "size", 3);
    tc_float(&c, "beta", NAN);
    expect_error(t, &c, "LRN NaN beta rejected", TERN_ERR_SHAPE, "beta");
    xc_node(&c, "LRN", 13, 1, d4, 0, 0, NULL, 1);
    tc_int(&c, "size", 3);
    expect_error(t, &c, "LRN rank 1 rejected", TERN_ERR_SHAPE, "rank 1");
}

/* ---- ConvTranspose -------------------------------------------------------------- */

typedef struct ct_case {
    const char *name;
    int nsp;                    /* 1 or 2 (1-D: only the w/x fields are used) */
    int64_t n, c, h, w, m, group; /* m: output channels */
    int64_t kh, kw, sh, sw, dh, dw;
    int64_t pt, pl, pb, pr;     /* pads */
    int64_t oph, opw;           /* output_padding */
    int64_t osh, osw;           /* output_shape (0: absent) */
    const char *auto_pad;       /* NULL: absent */
    int bias;
} ct_case;

static int64_t floor_div2(int64_t a) {
    return (int64_t)floor((double)a / 2.0);
}

/* Output size and begin pad of one axis, straight from the ONNX text. */
static int64_t ct_axis(const ct_case *k, int64_t in, int64_t ks, int64_t s, int64_t d,
                       int64_t pb, int64_t pe, int64_t op, int64_t os, int64_t *pad_begin) {
    const char *ap = k->auto_pad ? k->auto_pad : "NOTSET";
    int64_t full = s * (in - 1) + op + (ks - 1) * d + 1;
    int same = !strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER");
    if (!strcmp(ap, "VALID")) pb = pe = 0;
    if (os || same) {
        int64_t out = os ? os : in * s, total = full - out;
        *pad_begin = !strcmp(ap, "SAME_UPPER") ? floor_div2(total) : total - floor_div2(total);
        return out;
    }
    *pad_begin = pb;
    return full - pb - pe;
}

/* Naive scatter: every input element times every tap lands on one output. */
static void ct_ref(const ct_case *k, const float *x, const float *w, const float *b, int64_t oh,
                   int64_t ow, int64_t pt, int64_t pl, double *y) {
    int64_t cig = k->c / k->group, cog = k->m / k->group;
    int64_t ny = k->n * k->m * oh * ow;
    for (int64_t e = 0; e < ny; e++) y[e] = b ? b[e / (oh * ow) % k->m] : 0.0;
    for (int64_t n = 0; n < k->n; n++)
        for (int64_t ci = 0; ci < k->c; ci++)
            for (int64_t iy = 0; iy < k->h; iy++)
                for (int64_t ix = 0; ix < k->w; ix++)
                    for (int64_t mm = 0; mm < cog; mm++)
                        for (int64_t ky = 0; ky < k->kh; ky++)
                            for (int64_t kx = 0; kx < k->kw; kx++) {
                                int64_t oy = iy * k->sh + ky * k->dh - pt;
                                int64_t ox = ix * k->sw + kx * k->dw - pl;
                                if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
                                int64_t co = ci / cig * cog + mm;
                                double xv = x[((n * k->c + ci) * k->h + iy) * k->w + ix];
                                double wv = w[((ci * cog + mm) * k->kh + ky) * k->kw + kx];
                                y[((n * k->m + co) * oh + oy) * ow + ox] += xv * wv;
                            }
}

static void ct_attrs_set(tcase *c, const ct_case *k) {
    int two = k->nsp == 2;
    int64_t st[2] = {k->sh, k->sw}, dl[2] = {k->dh, k->dw}, op[2] = {k->oph, k->opw};
    int64_t os[2] = {k->osh, k->osw}, ks[2] = {k->kh, k->kw};
    int64_t pd4[4] = {k->pt, k->pl, k->pb, k->pr}, pd2[2] = {k->pl, k->pr};
    tc_int(c, "group", k->group);
    tc_ints(c, "strides", two ? st : st + 1, k->nsp);
    tc_ints(c, "dilations", two ? dl : dl + 1, k->nsp);
    tc_ints(c, "kernel_shape", two ? ks : ks + 1, k->nsp);
    if (k->pt || k->pl || k->pb || k->pr) tc_ints(c, "pads", two ? pd4 : pd2, 2 * k->nsp);
    if (k->oph || k->opw) tc_ints(c, "output_padding", two ? op : op + 1, k->nsp);
    if (k->osw) tc_ints(c, "output_shape", two ? os : os + 1, k->nsp);
    if (k->auto_pad) tc_str(c, "auto_pad", k->auto_pad);
}

static void ct_one(th_ctx *t, const ct_case *k, int lin, int lout, int const_w) {
    char name[200];
    snprintf(name, sizeof name, "ConvTranspose %s (%s -> %s, W %s)", k->name, layout_name(lin),
             layout_name(lout), const_w ? "const" : "input");
    int64_t cog = k->m / k->group, rank = 2 + k->nsp;
    int64_t xd[4] = {k->n, k->c, k->h, k->w}, wd[4] = {k->c, cog, k->kh, k->kw}, bd[1] = {k->m};
    if (k->nsp == 1) xd[2] = k->w, wd[2] = k->kw;
    float *x = rand_buf(k->n * k->c * k->h * k->w), *w = rand_buf(k->c * cog * k->kh * k->kw);
    float *b = k->bias ? rand_buf(k->m) : NULL;
    int64_t pt = 0, pl = 0;
    int64_t oh = ct_axis(k, k->h, k->kh, k->sh, k->dh, k->pt, k->pb, k->oph, k->osh, &pt);
    int64_t ow = ct_axis(k, k->w, k->kw, k->sw, k->dw, k->pl, k->pr, k->opw, k->osw, &pl);
    int64_t ne = k->n * k->m * oh * ow;
    double *want = malloc(sizeof(double) * (size_t)ne);
    ct_ref(k, x, w, b, oh, ow, pt, pl, want);
    tcase c;
    tc_init(&c, 17);
    int ins[3] = {tc_tensor(&c, "x", (int)rank, xd, NULL),
                  tc_tensor(&c, "w", (int)rank, wd, const_w ? w : NULL),
                  k->bias ? tc_tensor(&c, "b", 1, bd, const_w ? b : NULL) : -1};
    tc_node(&c, "ConvTranspose", ins, k->bias ? 3 : 2, 1);
    ct_attrs_set(&c, k);
    tern_status st = tc_infer(&c);
    if (th_check(t, st == TERN_OK, name, "infer: %s", c.err.msg)) {
        tern_tensor *y = tc_out(&c, 0);
        int ok = y->rank == rank && y->dims[0] == k->n && y->dims[1] == k->m &&
                 y->dims[rank - 1] == ow && (k->nsp == 1 || y->dims[2] == oh);
        if (th_check(t, ok, name, "output shape wrong (want h %lld w %lld)", (long long)oh,
                     (long long)ow)) {
            t->passed--;
            const float *in[3] = {x, w, b};
            run_compare(t, &c, name, lin, lout, in, want, ne);
        }
    }
    tc_free(&c);
    free(want);
    free(x);
    free(w);
    free(b);
}

static const ct_case CT_CASES[] = {
    /* name nsp n c h w m g kh kw sh sw dh dw pt pl pb pr oph opw osh osw auto_pad bias */
    {"3x3 plain", 2, 1, 2, 4, 5, 3, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 1},
    {"3x3 s2 pads", 2, 2, 3, 5, 4, 2, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, NULL, 1},
    {"4x3 s(3,2) asym pads", 2, 1, 2, 3, 4, 4, 1, 4, 3, 3, 2, 1, 1, 2, 0, 1, 1, 0, 0, 0, 0, NULL, 0},
    {"group 2", 2, 2, 4, 3, 3, 6, 2, 2, 3, 2, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, NULL, 1},
    {"depthwise", 2, 1, 3, 4, 4, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, NULL, 1},
    {"dilation 2", 2, 1, 2, 4, 4, 2, 1, 3, 2, 1, 2, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 1},
    {"output_padding", 2, 1, 1, 3, 3, 2, 1, 3, 3, 3, 2, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, NULL, 0},
    {"output_shape larger", 2, 1, 2, 3, 3, 2, 1, 3, 3, 3, 2, 1, 1, 0, 0, 0, 0, 0, 0, 10, 8, NULL, 1},
    {"output_shape smaller", 2, 1, 2, 4, 4, 2, 1, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 6, 7, NULL, 1},
    {"SAME_UPPER s2", 2, 1, 2, 3, 4, 2, 1, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, "SAME_UPPER", 1},
    {"SAME_LOWER s2", 2, 1, 2, 3, 4, 2, 1, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, "SAME_LOWER", 1},
    {"SAME_UPPER k2", 2, 1, 2, 3, 3, 2, 1, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, "SAME_UPPER", 0},
    {"VALID ignores pads", 2, 1, 2, 3, 3, 2, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, "VALID", 1},
    {"1-D", 1, 2, 3, 1, 6, 4, 1, 1, 3, 1, 2, 1, 1, 0, 1, 0, 2, 0, 1, 0, 0, NULL, 1},
    {"1-D group 3 dil", 1, 1, 3, 1, 5, 3, 3, 1, 2, 1, 3, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 1},
    {"1-D output_shape", 1, 1, 2, 1, 4, 2, 1, 1, 3, 1, 2, 1, 1, 0, 0, 0, 0, 0, 0, 1, 12, NULL, 0},
    {"batch 0", 2, 0, 2, 3, 3, 2, 1, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 1},
};

static void test_conv_transpose(th_ctx *t) {
    for (size_t i = 0; i < sizeof CT_CASES / sizeof CT_CASES[0]; i++)
        for (int l = 0; l < 3; l++)
            for (int cw = 0; cw < 2; cw++)
                ct_one(t, &CT_CASES[i], LAYOUT_PAIRS[l][0], LAYOUT_PAIRS[l][1], cw);
}

/* A ConvTranspose X[1,4,5,5] * W[wd] node ready for attributes. */
static void ct_node(tcase *c, int xr, const int64_t *xd, int wr, const int64_t *wd) {
    tc_init(c, 17);
    int ins[2] = {tc_tensor(c, "x", xr, xd, NULL), tc_tensor(c, "w", wr, wd, NULL)};
    tc_node(c, "ConvTranspose", ins, 2, 1);
}

static void test_conv_transpose_errors(th_ctx *t) {
    tcase c;
    int64_t xd[4] = {1, 4, 5, 5}, wd[4] = {4, 2, 3, 3}, wbad[4] = {3, 2, 3, 3};
    int64_t x2[2] = {1, 4}, w2[2] = {4, 2}, two[2] = {2, 2}, neg[4] = {0, -1, 0, 0};
    int64_t big[2] = {(int64_t)1 << 40, 1}, hugex[4] = {1 << 10, 4, (int64_t)1 << 24, (int64_t)1 << 24};
    ct_node(&c, 2, x2, 2, w2);
    expect_error(t, &c, "ConvTranspose rank 2 rejected", TERN_ERR_SHAPE, "rank 2");
    ct_node(&c, 4, xd, 3, wd);
    expect_error(t, &c, "ConvTranspose W rank rejected", TERN_ERR_SHAPE, "rank 4");
    ct_node(&c, 4, xd, 4, wbad);
    expect_error(t, &c, "ConvTranspose W channels rejected", TERN_ERR_SHAPE, "input channels");
    ct_node(&c, 4, xd, 4, wd);
    tc_int(&c, "group", 3);
    expect_error(t, &c, "ConvTranspose group 3 rejected", TERN_ERR_SHAPE, "group");
    ct_node(&c, 4, xd, 4, wd);
    tc_int(&c, "group", 0);
    expect_error(t, &c, "ConvTranspose group 0 rejected", TERN_ERR_SHAPE, "group");
    ct_node(&c, 4, xd, 4, wd);
    tc_ints(&c, "output_padding", two, 2);
    expect_error(t, &c, "ConvTranspose output_padding >= stride rejected", TERN_ERR_SHAPE,
                 "output_padding");
    ct_node(&c, 4, xd, 4, wd);
    tc_ints(&c, "pads", neg, 4);
    expect_error(t, &c, "ConvTranspose negative pads rejected", TERN_ERR_SHAPE, "pads");
    ct_node(&c, 4, xd, 4, wd);
    tc_ints(&c, "pads", two, 2);
    expect_error(t, &c, "ConvTranspose short pads rejected", TERN_ERR_SHAPE, "pads");
    ct_node(&c, 4, xd, 4, wd);
    int64_t p4[4] = {4, 4, 4, 4}; /* 7 - 8 */
    tc_ints(&c, "pads", p4, 4);
    expect_error(t, &c, "ConvTranspose output cropped to nothing", TERN_ERR_SHAPE, "output size");
    ct_node(&c, 4, xd, 4, wd);
    tc_ints(&c, "output_shape", big, 2);
    expect_error(t, &c, "ConvTranspose huge output_shape rejected", TERN_ERR_SHAPE,
                 "output_shape");
    ct_node(&c, 4, xd, 4, wd);
    tc_str(&c, "auto_pad", "SAME");
    expect_error(t, &c, "ConvTranspose bad auto_pad rejected", TERN_ERR_SHAPE, "auto_pad");
    ct_node(&c, 4, xd, 4, wd);
    int64_t k5[2] = {5, 5};
    tc_ints(&c, "kernel_shape", k5, 2);
    expect_error(t, &c, "ConvTranspose kernel_shape mismatch rejected", TERN_ERR_SHAPE,
                 "kernel_shape");
    int64_t wide[4] = {4, (int64_t)1 << 20, 3, 3};
    ct_node(&c, 4, hugex, 4, wide); /* X and W fit; Y has 2^10 * 2^20 * 2^50 elements */
    int64_t s2[2] = {2, 2};
    tc_ints(&c, "strides", s2, 2);
    expect_error(t, &c, "ConvTranspose overflowing output rejected", TERN_ERR_SHAPE, "output");
    ct_node(&c, 4, xd, 4, wd);
    int64_t bd[1] = {3};
    int bi = tc_tensor(&c, "b", 1, bd, NULL);
    c.g.nodes[c.node].inputs = tern_pool_alloc_array(&c.g.pool, 3, sizeof(int));
    c.g.nodes[c.node].inputs[0] = 0;
    c.g.nodes[c.node].inputs[1] = 1;
    c.g.nodes[c.node].inputs[2] = bi;
    c.g.nodes[c.node].n_inputs = 3;
    expect_error(t, &c, "ConvTranspose bias size rejected", TERN_ERR_SHAPE, "bias");
}

TH_SUITE(suite_kernels_nn_extra) {
    tc_seed(12345);
    test_extra_activations(t);
    test_extra_activation_errors(t);
    test_norms(t);
    test_norm_errors(t);
    test_conv_transpose(t);
    test_conv_transpose_errors(t);
}
