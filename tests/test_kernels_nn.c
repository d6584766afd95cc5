/* Tests of the conv-family, pooling, normalization, Gemm/MatMul and
 * activation ops (suite_kernels_nn). Each op runs on a hand-built one-node
 * graph (op->infer, then op->run on our buffers) and is compared with a
 * naive implementation written here in the most obvious way: plain NCHW
 * loops, double accumulation. Inputs and outputs are tried in plain and
 * channels-last layouts; weights as constants and as graph inputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/op.h"
#include "kernels/ref/act.h"
#include "tests/harness.h"
#include "tests/nn_case.h"

/* ---- independent activation math (double) ------------------------------ */

static double ref_act(const tern_act *a, double x) {
    switch (a->kind) {
    case TERN_ACT_NONE: return x;
    case TERN_ACT_RELU: return x > 0 ? x : 0;
    case TERN_ACT_CLIP: return fmin(fmax(x, a->a), a->b);
    case TERN_ACT_HARDSIGMOID: return fmax(0, fmin(1, a->a * x + a->b));
    case TERN_ACT_HARDSWISH: return x * fmax(0, fmin(1, a->a * x + a->b));
    case TERN_ACT_SIGMOID: return 1 / (1 + exp(-x));
    case TERN_ACT_SILU: return x / (1 + exp(-x));
    case TERN_ACT_LEAKYRELU: return x >= 0 ? x : a->a * x;
    case TERN_ACT_TANH: return tanh(x);
    }
    return x;
}

/* ---- Conv ---------------------------------------------------------------- */

typedef struct conv_case {
    const char *name;
    int nsp;                       /* 1 or 2; for 1-D h = kh = sh = dh = 1 */
    int64_t n, c, h, w, m, group;
    int64_t kh, kw, sh, sw, dh, dw;
    int64_t pt, pl, pb, pr;        /* pads (1-D: pl, pr) */
    const char *auto_pad;          /* NULL: NOTSET */
    int bias;
    tern_act act;
} conv_case;

/* Output size and begin pad of one axis, straight from the ONNX formulas. */
static int64_t conv_axis(const char *ap, int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb,
                         int64_t pe, int64_t *begin) {
    int64_t ek = (k - 1) * d + 1;
    if (ap && strncmp(ap, "SAME", 4) == 0) {
        int64_t out = (in + s - 1) / s;
        int64_t total = (out - 1) * s + ek - in;
        if (total < 0) total = 0;
        *begin = strcmp(ap, "SAME_UPPER") == 0 ? total / 2 : total - total / 2;
        return out;
    }
    if (ap && strcmp(ap, "VALID") == 0) pb = pe = 0;
    *begin = pb;
    return (in + pb + pe - ek) / s + 1;
}

static void conv_ref(const conv_case *k, const float *x, const float *w, const float *b,
                     int64_t oh, int64_t ow, int64_t pt, int64_t pl, double *y) {
    int64_t cig = k->c / k->group, mpg = k->m / k->group;
    for (int64_t n = 0; n < k->n; n++)
        for (int64_t m = 0; m < k->m; m++)
            for (int64_t oy = 0; oy < oh; oy++)
                for (int64_t ox = 0; ox < ow; ox++) {
                    double acc = 0;
                    int64_t g = m / mpg;
                    for (int64_t ci = 0; ci < cig; ci++)
                        for (int64_t ky = 0; ky < k->kh; ky++)
                            for (int64_t kx = 0; kx < k->kw; kx++) {
                                int64_t iy = oy * k->sh - pt + ky * k->dh;
                                int64_t ix = ox * k->sw - pl + kx * k->dw;
                                if (iy < 0 || iy >= k->h || ix < 0 || ix >= k->w) continue;
                                int64_t c = g * cig + ci;
                                acc += (double)x[((n * k->c + c) * k->h + iy) * k->w + ix] *
                                       w[((m * cig + ci) * k->kh + ky) * k->kw + kx];
                            }
                    if (b) acc += b[m];
                    y[((n * k->m + m) * oh + oy) * ow + ox] = ref_act(&k->act, acc);
                }
}

/* One conv case in one layout combination; weights constant or not. */
static void conv_one(th_ctx *t, const conv_case *k, int lin, int lout, int const_w) {
    char name[160];
    snprintf(name, sizeof name, "Conv %s (%s -> %s, W %s)", k->name, layout_name(lin),
             layout_name(lout), const_w ? "const" : "input");
    int64_t cig = k->c / k->group;
    int64_t xd[4] = {k->n, k->c, k->h, k->w}, wd[4] = {k->m, cig, k->kh, k->kw}, bd[1] = {k->m};
    if (k->nsp == 1) xd[2] = k->w, wd[2] = k->kw;
    int rank = 2 + k->nsp;
    float *x = rand_buf(k->n * k->c * k->h * k->w), *w = rand_buf(k->m * cig * k->kh * k->kw);
    float *b = k->bias ? rand_buf(k->m) : NULL;
    tcase c;
    tc_init(&c, 17);
    int ins[3] = {tc_tensor(&c, "x", rank, xd, NULL), tc_tensor(&c, "w", rank, wd, const_w ? w : NULL),
                  k->bias ? tc_tensor(&c, "b", 1, bd, const_w ? b : NULL) : -1};
    tc_node(&c, "Conv", ins, k->bias ? 3 : 2, 1);
    tc_int(&c, "group", k->group);
    int64_t st2[2] = {k->sh, k->sw}, dl2[2] = {k->dh, k->dw}, pd4[4] = {k->pt, k->pl, k->pb, k->pr};
    int64_t pd2[2] = {k->pl, k->pr}, ks2[2] = {k->kh, k->kw};
    if (k->nsp == 2) {
        tc_ints(&c, "strides", st2, 2);
        tc_ints(&c, "dilations", dl2, 2);
        tc_ints(&c, "pads", pd4, 4);
        tc_ints(&c, "kernel_shape", ks2, 2);
    } else {
        tc_ints(&c, "strides", st2 + 1, 1);
        tc_ints(&c, "dilations", dl2 + 1, 1);
        tc_ints(&c, "pads", pd2, 2);
    }
    if (k->auto_pad) tc_str(&c, "auto_pad", k->auto_pad);
    tern_status st = tc_infer(&c);
    if (!th_check(t, st == TERN_OK, name, "infer: %s", c.err.msg)) goto out;
    int64_t pt, pl;
    int64_t oh = conv_axis(k->auto_pad, k->h, k->kh, k->sh, k->dh, k->pt, k->pb, &pt);
    int64_t ow = conv_axis(k->auto_pad, k->w, k->kw, k->sw, k->dw, k->pl, k->pr, &pl);
    tern_tensor *y = tc_out(&c, 0);
    int shape_ok = y->rank == rank && y->dims[0] == k->n && y->dims[1] == k->m &&
                   y->dims[rank - 1] == ow && (k->nsp == 1 || y->dims[2] == oh);
    if (!th_check(t, shape_ok, name, "output shape wrong (want w %lld h %lld)", (long long)ow,
                  (long long)oh))
        goto out;
    c.g.nodes[c.node].act = k->act;
    c.g.tensors[ins[0]].layout = lin;
    y->layout = lout;
    const float *in[3] = {x, w, b};
    float *got = NULL;
    st = tc_run(&c, in, &got);
    int64_t ne = k->n * k->m * oh * ow;
    double *want = malloc(sizeof(double) * (size_t)ne);
    conv_ref(k, x, w, b, oh, ow, pt, pl, want);
    if (th_check(t, st == TERN_OK, name, "run: %s", c.err.msg)) {
        t->passed--; /* one case: counted by check_close */
        check_close(t, name, got, want, ne);
    }
    free(want);
    free(got);
out:
    tc_free(&c);
    free(x);
    free(w);
    free(b);
}

#define ACT0 {TERN_ACT_NONE, 0, 0}
static const conv_case CONV_CASES[] = {
    {"3x3 pad1", 2, 1, 3, 7, 7, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, NULL, 1, ACT0},
    {"5x5 s2 asym pads", 2, 2, 5, 9, 8, 7, 1, 5, 5, 2, 2, 1, 1, 2, 1, 0, 2, NULL, 1, ACT0},
    {"depthwise 3x3 d2", 2, 1, 4, 6, 6, 4, 4, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, NULL, 1, ACT0},
    {"depthwise x2 s2", 2, 1, 6, 7, 5, 12, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, NULL, 0, ACT0},
    {"grouped 1x1", 2, 1, 6, 5, 5, 9, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, NULL, 1, ACT0},
    {"grouped 3x3 g2", 2, 2, 10, 6, 7, 6, 2, 3, 3, 1, 2, 1, 1, 1, 0, 1, 1, NULL, 1, ACT0},
    {"1x1 odd channels", 2, 1, 7, 8, 8, 13, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, NULL, 1, ACT0},
    {"2x3 s1x2 d2x1", 2, 1, 3, 9, 9, 5, 1, 2, 3, 1, 2, 2, 1, 0, 1, 1, 0, NULL, 1, ACT0},
    {"32->24 3x3 (blocks+tail)", 2, 1, 32, 6, 6, 27, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, NULL, 1,
     ACT0},
    {"SAME_UPPER s2", 2, 1, 3, 7, 6, 4, 1, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, "SAME_UPPER", 1, ACT0},
    {"SAME_LOWER s2 4x4", 2, 1, 3, 7, 6, 4, 1, 4, 4, 2, 2, 1, 1, 0, 0, 0, 0, "SAME_LOWER", 1, ACT0},
    {"VALID s2", 2, 1, 3, 8, 7, 4, 1, 3, 3, 2, 2, 1, 1, 5, 5, 5, 5, "VALID", 0, ACT0},
    {"SAME_LOWER s2 d2 grouped", 2, 2, 4, 9, 8, 6, 2, 3, 2, 2, 3, 2, 2, 0, 0, 0, 0, "SAME_LOWER",
     1, ACT0},
    {"SAME_UPPER d3 odd", 2, 1, 2, 7, 5, 3, 1, 2, 3, 1, 1, 3, 2, 0, 0, 0, 0, "SAME_UPPER", 0, ACT0},
    {"1-D k3 s2 pads 1,2", 1, 2, 3, 1, 11, 4, 1, 1, 3, 1, 2, 1, 1, 0, 1, 0, 2, NULL, 1, ACT0},
    {"1-D depthwise d2", 1, 1, 4, 1, 12, 4, 4, 1, 3, 1, 1, 1, 2, 0, 2, 0, 2, NULL, 1, ACT0},
    {"1-D SAME_UPPER", 1, 1, 3, 1, 10, 2, 1, 1, 4, 1, 3, 1, 1, 0, 0, 0, 0, "SAME_UPPER", 0, ACT0},
    {"relu", 2, 1, 3, 5, 5, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, NULL, 1, {TERN_ACT_RELU, 0, 0}},
    {"relu6 clip", 2, 1, 5, 5, 5, 6, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, NULL, 1,
     {TERN_ACT_CLIP, 0.0f, 0.5f}},
    {"hardswish", 2, 1, 6, 5, 5, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, NULL, 1,
     {TERN_ACT_HARDSWISH, 1.0f / 6.0f, 0.5f}},
    {"sigmoid", 2, 1, 3, 4, 4, 5, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, NULL, 1, {TERN_ACT_SIGMOID, 0, 0}},
    {"silu", 2, 1, 3, 4, 4, 5, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, NULL, 1, {TERN_ACT_SILU, 0, 0}},
    {"leakyrelu", 2, 1, 3, 4, 4, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, NULL, 0,
     {TERN_ACT_LEAKYRELU, 0.1f, 0}},
    {"tanh", 2, 1, 3, 4, 4, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, NULL, 1, {TERN_ACT_TANH, 0, 0}},
    {"hardsigmoid", 2, 1, 3, 4, 4, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, NULL, 1,
     {TERN_ACT_HARDSIGMOID, 0.2f, 0.5f}},
};

static void test_conv(th_ctx *t) {
    for (size_t i = 0; i < sizeof CONV_CASES / sizeof CONV_CASES[0]; i++)
        for (int l = 0; l < 4; l++)
            conv_one(t, &CONV_CASES[i], l & 1, (l >> 1) & 1, (int)((i + (size_t)l) % 2));
}


/* ---- MaxPool / AveragePool ------------------------------------------------ */

typedef struct pool_case {
    const char *name;
    int nsp, is_max;
    int64_t n, c, h, w;
    int64_t kh, kw, sh, sw, dh, dw;
    int64_t pt, pl, pb, pr;
    int ceil_mode, count_include_pad;
    const char *auto_pad;
} pool_case;

/* Output size of one axis; floating-point ceil/floor on purpose (another
 * route than the engine's integer arithmetic). */
static int64_t pool_axis(const pool_case *k, int64_t in, int64_t ks, int64_t s, int64_t d,
                         int64_t *pb, int64_t *pe) {
    int64_t ek = (ks - 1) * d + 1;
    if (k->auto_pad && strncmp(k->auto_pad, "SAME", 4) == 0) {
        int64_t out = (int64_t)ceil((double)in / (double)s);
        int64_t total = (out - 1) * s + ek - in;
        if (total < 0) total = 0;
        *pb = strcmp(k->auto_pad, "SAME_UPPER") == 0 ? total / 2 : total - total / 2;
        *pe = total - *pb;
        return out;
    }
    double q = (double)(in + *pb + *pe - ek) / (double)s;
    int64_t out = (int64_t)(k->ceil_mode ? ceil(q) : floor(q)) + 1;
    if (k->ceil_mode && (out - 1) * s >= in + *pb) out--;
    return out;
}

static void pool_ref(const pool_case *k, const float *x, int64_t oh, int64_t ow, int64_t pt,
                     int64_t pl, int64_t pb, int64_t pr, double *y) {
    for (int64_t n = 0; n < k->n; n++)
        for (int64_t c = 0; c < k->c; c++)
            for (int64_t oy = 0; oy < oh; oy++)
                for (int64_t ox = 0; ox < ow; ox++) {
                    double acc = k->is_max ? -INFINITY : 0;
                    int64_t valid = 0, padded = 0;
                    for (int64_t ky = 0; ky < k->kh; ky++)
                        for (int64_t kx = 0; kx < k->kw; kx++) {
                            int64_t iy = oy * k->sh - pt + ky * k->dh;
                            int64_t ix = ox * k->sw - pl + kx * k->dw;
                            if (iy >= -pt && iy < k->h + pb && ix >= -pl && ix < k->w + pr)
                                padded++;
                            if (iy < 0 || iy >= k->h || ix < 0 || ix >= k->w) continue;
                            double v = x[((n * k->c + c) * k->h + iy) * k->w + ix];
                            valid++;
                            acc = k->is_max ? fmax(acc, v) : acc + v;
                        }
                    if (!k->is_max) acc /= (double)(k->count_include_pad ? padded : valid);
                    y[((n * k->c + c) * oh + oy) * ow + ox] = acc;
                }
}

static void pool_one(th_ctx *t, const pool_case *k, int lin, int lout) {
    char name[160];
    snprintf(name, sizeof name, "%s %s (%s -> %s)", k->is_max ? "MaxPool" : "AveragePool",
             k->name, layout_name(lin), layout_name(lout));
    int rank = 2 + k->nsp;
    int64_t xd[4] = {k->n, k->c, k->h, k->w};
    if (k->nsp == 1) xd[2] = k->w;
    float *x = rand_buf(k->n * k->c * k->h * k->w);
    tcase c;
    tc_init(&c, 17);
    int ins[1] = {tc_tensor(&c, "x", rank, xd, NULL)};
    tc_node(&c, k->is_max ? "MaxPool" : "AveragePool", ins, 1, 1);
    int64_t ks[2] = {k->kh, k->kw}, st2[2] = {k->sh, k->sw}, dl[2] = {k->dh, k->dw};
    int64_t pd4[4] = {k->pt, k->pl, k->pb, k->pr}, pd2[2] = {k->pl, k->pr};
    int o = 2 - k->nsp;
    tc_ints(&c, "kernel_shape", ks + o, k->nsp);
    tc_ints(&c, "strides", st2 + o, k->nsp);
    if (k->is_max) tc_ints(&c, "dilations", dl + o, k->nsp);
    tc_ints(&c, "pads", k->nsp == 2 ? pd4 : pd2, 2 * k->nsp);
    tc_int(&c, "ceil_mode", k->ceil_mode);
    if (!k->is_max) tc_int(&c, "count_include_pad", k->count_include_pad);
    if (k->auto_pad) tc_str(&c, "auto_pad", k->auto_pad);
    tern_status st = tc_infer(&c);
    if (!th_check(t, st == TERN_OK, name, "infer: %s", c.err.msg)) goto out;
    int64_t pt = k->pt, pb = k->pb, pl = k->pl, pr = k->pr;
    int64_t oh = pool_axis(k, k->h, k->kh, k->sh, k->dh, &pt, &pb);
    int64_t ow = pool_axis(k, k->w, k->kw, k->sw, k->dw, &pl, &pr);
    tern_tensor *y = tc_out(&c, 0);
    int shape_ok = y->rank == rank && y->dims[1] == k->c && y->dims[rank - 1] == ow &&
                   (k->nsp == 1 || y->dims[2] == oh);
    if (!th_check(t, shape_ok, name, "output shape wrong (want h %lld w %lld, got %lld %lld)",
                  (long long)oh, (long long)ow, (long long)y->dims[2],
                  (long long)y->dims[rank - 1]))
        goto out;
    c.g.tensors[ins[0]].layout = lin;
    y->layout = lout;
    const float *in[1] = {x};
    float *got = NULL;
    st = tc_run(&c, in, &got);
    int64_t ne = k->n * k->c * oh * ow;
    double *want = malloc(sizeof(double) * (size_t)ne);
    pool_ref(k, x, oh, ow, pt, pl, pb, pr, want);
    if (st == TERN_OK) check_close(t, name, got, want, ne);
    else th_fail(t, name, "run: %s", c.err.msg);
    free(want);
    free(got);
out:
    tc_free(&c);
    free(x);
}

static const pool_case POOL_CASES[] = {
    {"2x2 s2", 2, 1, 1, 3, 8, 8, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, NULL},
    {"3x3 s2 pad1", 2, 1, 2, 5, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, NULL},
    {"3x3 s2 ceil", 2, 1, 1, 3, 8, 7, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 1, 0, NULL},
    {"3x3 s3 ceil asym pad", 2, 1, 1, 2, 8, 10, 3, 3, 3, 3, 1, 1, 1, 0, 0, 1, 1, 0, NULL},
    {"2x3 dil 2x1", 2, 1, 1, 3, 9, 9, 2, 3, 1, 2, 2, 1, 1, 0, 0, 1, 0, 0, NULL},
    {"ceil window dropped", 2, 1, 1, 2, 4, 7, 2, 3, 3, 2, 1, 1, 0, 1, 2, 1, 1, 0, NULL},
    {"3x3 SAME_UPPER s2", 2, 1, 1, 3, 7, 6, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, "SAME_UPPER"},
    {"2x2 SAME_LOWER", 2, 1, 1, 3, 5, 5, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, "SAME_LOWER"},
    {"1-D k3 s2 pad", 1, 1, 2, 3, 1, 11, 1, 3, 1, 2, 1, 1, 0, 1, 0, 1, 0, 0, NULL},
    {"2x2 s2", 2, 0, 1, 3, 8, 8, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, NULL},
    {"3x3 s2 pad1", 2, 0, 2, 5, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, NULL},
    {"3x3 s2 pad1 count_include_pad", 2, 0, 2, 5, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, NULL},
    {"3x3 s2 ceil", 2, 0, 1, 3, 8, 7, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 1, 0, NULL},
    {"3x3 s2 ceil pad count_include_pad", 2, 0, 1, 3, 8, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1,
     NULL},
    {"3x3 s3 ceil asym pad", 2, 0, 1, 2, 8, 10, 3, 3, 3, 3, 1, 1, 1, 0, 0, 1, 1, 0, NULL},
    {"ceil window dropped count_include_pad", 2, 0, 1, 2, 4, 7, 2, 3, 3, 2, 1, 1, 0, 1, 2, 1, 1, 1,
     NULL},
    {"3x3 SAME_UPPER count_include_pad", 2, 0, 1, 3, 7, 6, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 0, 1,
     "SAME_UPPER"},
    {"3x3 SAME_LOWER", 2, 0, 1, 3, 7, 6, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, "SAME_LOWER"},
    {"1-D k3 s1 pad", 1, 0, 2, 3, 1, 9, 1, 3, 1, 1, 1, 1, 0, 1, 0, 2, 0, 0, NULL},
    {"1-D k4 s2 ceil count_include_pad", 1, 0, 1, 3, 1, 10, 1, 4, 1, 2, 1, 1, 0, 1, 0, 1, 1, 1,
     NULL},
};

static void maxpool_int8_one(th_ctx *t, tern_dtype dt, int lin, int lout);

static void test_pool(th_ctx *t) {
    for (size_t i = 0; i < sizeof POOL_CASES / sizeof POOL_CASES[0]; i++)
        for (int l = 0; l < 4; l++) pool_one(t, &POOL_CASES[i], l & 1, (l >> 1) & 1);
    for (int l = 0; l < 4; l++) {
        maxpool_int8_one(t, TERN_UINT8, l & 1, l >> 1);
        maxpool_int8_one(t, TERN_INT8, l & 1, l >> 1);
    }
}

/* MaxPool on uint8/int8: 3x3 stride 2 pad 1 (ceil) against a naive max. */
static void maxpool_int8_one(th_ctx *t, tern_dtype dt, int lin, int lout) {
    char name[160];
    snprintf(name, sizeof name, "MaxPool %s 3x3 s2 pad1 ceil (%s -> %s)", tern_dtype_name(dt),
             layout_name(lin), layout_name(lout));
    int64_t dims[4] = {2, 3, 7, 6}, ne = 2 * 3 * 7 * 6;
    int64_t vals[252];
    uint8_t x[252], y[252];
    for (int64_t i = 0; i < ne; i++)
        vals[i] = (int64_t)((frand() + 1) * 127.5) + (dt == TERN_INT8 ? -128 : 0);
    tcase c;
    tc_init(&c, 12);
    int ins[1] = {tc_tensor(&c, "x", 4, dims, NULL)};
    c.g.tensors[ins[0]].dtype = dt;
    tc_node(&c, "MaxPool", ins, 1, 1);
    int64_t k[2] = {3, 3}, s2[2] = {2, 2}, p4[4] = {1, 1, 1, 1};
    tc_ints(&c, "kernel_shape", k, 2);
    tc_ints(&c, "strides", s2, 2);
    tc_ints(&c, "pads", p4, 4);
    tc_int(&c, "ceil_mode", 1);
    tern_status st = tc_infer(&c);
    tern_tensor *xt = &c.g.tensors[ins[0]], *yt = tc_out(&c, 0);
    /* (7 + 2 - 3) / 2 ceil + 1 = 4 rows; (6 + 2 - 3) / 2 ceil + 1 = 4 columns */
    int ok = st == TERN_OK && yt->dtype == dt && yt->dims[2] == 4 && yt->dims[3] == 4;
    if (th_check(t, ok, name, "infer: %s", c.err.msg)) {
        xt->layout = lin;
        yt->layout = lout;
        for (int64_t i = 0; i < ne; i++) x[phys_offset(xt, i)] = (uint8_t)(vals[i] & 0xff);
        const void *in[1] = {x};
        void *out[1] = {y};
        tern_node *n = tc_n(&c);
        st = n->op->run(&c.g, n, in, out, &c.err);
        int64_t bad = -1, want = 0, got = 0;
        for (int64_t i = 0; i < 2 * 3 * 16 && bad < 0; i++) {
            int64_t nc = i / 16, oy = i / 4 % 4, ox = i % 4;
            want = -1000;
            for (int64_t ky = 0; ky < 3; ky++)
                for (int64_t kx = 0; kx < 3; kx++) {
                    int64_t iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
                    if (iy >= 0 && iy < 7 && ix >= 0 && ix < 6 && vals[(nc * 7 + iy) * 6 + ix] > want)
                        want = vals[(nc * 7 + iy) * 6 + ix];
                }
            uint8_t raw = y[phys_offset(yt, i)];
            got = dt == TERN_INT8 ? (int64_t)(int8_t)raw : (int64_t)raw;
            if (got != want) bad = i;
        }
        th_check(t, st == TERN_OK && bad < 0, name, "element %lld: got %lld, want %lld",
                 (long long)bad, (long long)got, (long long)want);
    }
    tc_free(&c);
}

/* ---- GlobalAveragePool / GlobalMaxPool ------------------------------------ */

static void global_pool_one(th_ctx *t, int is_max, int rank, const int64_t *dims, int lin,
                            int lout) {
    char name[160];
    snprintf(name, sizeof name, "%s rank %d (%s -> %s)",
             is_max ? "GlobalMaxPool" : "GlobalAveragePool", rank, layout_name(lin),
             layout_name(lout));
    int64_t ne = 1, sp = 1;
    for (int i = 0; i < rank; i++) ne *= dims[i];
    for (int i = 2; i < rank; i++) sp *= dims[i];
    float *x = rand_buf(ne);
    tcase c;
    tc_init(&c, 17);
    int ins[1] = {tc_tensor(&c, "x", rank, dims, NULL)};
    tc_node(&c, is_max ? "GlobalMaxPool" : "GlobalAveragePool", ins, 1, 1);
    tern_status st = tc_infer(&c);
    tern_tensor *y = tc_out(&c, 0);
    int ok = st == TERN_OK && y->rank == rank && y->dims[0] == dims[0] && y->dims[1] == dims[1];
    for (int i = 2; ok && i < rank; i++) ok = y->dims[i] == 1;
    if (th_check(t, ok, name, "infer: %s", c.err.msg)) {
        c.g.tensors[ins[0]].layout = lin;
        y->layout = lout;
        const float *in[1] = {x};
        float *got = NULL;
        st = tc_run(&c, in, &got);
        int64_t no = dims[0] * dims[1];
        double *want = malloc(sizeof(double) * (size_t)no);
        for (int64_t p = 0; p < no; p++) {
            double acc = is_max ? -INFINITY : 0;
            for (int64_t s = 0; s < sp; s++)
                acc = is_max ? fmax(acc, x[p * sp + s]) : acc + x[p * sp + s];
            want[p] = is_max ? acc : acc / (double)sp;
        }
        check_close(t, name, got, want, no);
        free(want);
        free(got);
    }
    tc_free(&c);
    free(x);
}

static void test_global_pool(th_ctx *t) {
    static const int64_t d3[] = {2, 5, 7}, d4[] = {2, 7, 5, 3}, d5[] = {1, 3, 2, 3, 4};
    for (int is_max = 0; is_max < 2; is_max++)
        for (int l = 0; l < 4; l++) {
            global_pool_one(t, is_max, 3, d3, l & 1, l >> 1);
            global_pool_one(t, is_max, 4, d4, l & 1, l >> 1);
            global_pool_one(t, is_max, 5, d5, l & 1, l >> 1);
        }
}

/* ---- BatchNormalization ---------------------------------------------------- */

static void bn_one(th_ctx *t, int rank, const int64_t *dims, int lin, int lout, int with_eps,
                   int const_params) {
    char name[160];
    snprintf(name, sizeof name, "BatchNormalization rank %d (%s -> %s)%s%s", rank,
             layout_name(lin), layout_name(lout), with_eps ? " eps" : "",
             const_params ? " const" : "");
    int64_t ne = 1, cc = dims[1], sp = 1;
    for (int i = 0; i < rank; i++) ne *= dims[i];
    for (int i = 2; i < rank; i++) sp *= dims[i];
    float *x = rand_buf(ne), *p[4];
    for (int k = 0; k < 4; k++) p[k] = rand_buf(cc);
    for (int64_t i = 0; i < cc; i++) p[3][i] = p[3][i] * p[3][i] + 0.1f; /* variance > 0 */
    float eps = with_eps ? 0.01f : 1e-5f;
    tcase c;
    tc_init(&c, 15);
    int ins[5];
    ins[0] = tc_tensor(&c, "x", rank, dims, NULL);
    static const char *pn[4] = {"scale", "b", "mean", "var"};
    for (int k = 0; k < 4; k++) ins[k + 1] = tc_tensor(&c, pn[k], 1, &cc, const_params ? p[k] : NULL);
    tc_node(&c, "BatchNormalization", ins, 5, 1);
    if (with_eps) tc_float(&c, "epsilon", eps);
    tern_status st = tc_infer(&c);
    if (th_check(t, st == TERN_OK, name, "infer: %s", c.err.msg)) {
        c.g.tensors[ins[0]].layout = lin;
        tc_out(&c, 0)->layout = lout;
        const float *in[5] = {x, p[0], p[1], p[2], p[3]};
        float *got = NULL;
        st = tc_run(&c, in, &got);
        double *want = malloc(sizeof(double) * (size_t)ne);
        for (int64_t i = 0; i < ne; i++) {
            int64_t ch = (i / sp) % cc;
            want[i] = (x[i] - p[2][ch]) / sqrt((double)p[3][ch] + eps) * p[0][ch] + p[1][ch];
        }
        check_close(t, name, got, want, ne);
        free(want);
        free(got);
    }
    tc_free(&c);
    free(x);
    for (int k = 0; k < 4; k++) free(p[k]);
}

static void test_batchnorm(th_ctx *t) {
    static const int64_t d2[] = {3, 5}, d3[] = {2, 3, 7}, d4[] = {2, 67, 3, 4},
                         d5[] = {1, 3, 2, 2, 3};
    for (int l = 0; l < 4; l++) {
        if (l == 0) bn_one(t, 2, d2, 0, 0, 1, 1);
        bn_one(t, 3, d3, l & 1, l >> 1, l & 1, 1);
        bn_one(t, 4, d4, l & 1, l >> 1, 0, l & 1);
        bn_one(t, 5, d5, l & 1, l >> 1, 1, 0);
    }
}

/* ---- Gemm ------------------------------------------------------------------ */

typedef struct gemm_case {
    const char *name;
    int64_t m, n, k;
    int trans_a, trans_b;
    float alpha, beta; /* 0 alpha: attribute absent (default 1) */
    int c_rank;        /* -1: no C */
    int64_t c_dims[2];
    tern_act act;
} gemm_case;

static void gemm_one(th_ctx *t, const gemm_case *k, int const_b) {
    char name[160];
    snprintf(name, sizeof name, "Gemm %s%s", k->name, const_b ? " (B const)" : "");
    int64_t ad[2] = {k->trans_a ? k->k : k->m, k->trans_a ? k->m : k->k};
    int64_t bd[2] = {k->trans_b ? k->n : k->k, k->trans_b ? k->k : k->n};
    int64_t cn = 1;
    for (int i = 0; i < k->c_rank; i++) cn *= k->c_dims[i];
    float *a = rand_buf(k->m * k->k), *b = rand_buf(k->k * k->n), *cv = rand_buf(cn);
    tcase c;
    tc_init(&c, 13);
    int ins[3] = {tc_tensor(&c, "a", 2, ad, NULL), tc_tensor(&c, "b", 2, bd, const_b ? b : NULL),
                  k->c_rank >= 0 ? tc_tensor(&c, "c", k->c_rank, k->c_dims, const_b ? cv : NULL)
                                 : -1};
    tc_node(&c, "Gemm", ins, k->c_rank >= 0 ? 3 : 2, 1);
    if (k->trans_a) tc_int(&c, "transA", 1);
    if (k->trans_b) tc_int(&c, "transB", 1);
    if (k->alpha != 0) tc_float(&c, "alpha", k->alpha);
    if (k->alpha != 0) tc_float(&c, "beta", k->beta);
    tern_status st = tc_infer(&c);
    tern_tensor *y = tc_out(&c, 0);
    int ok = st == TERN_OK && y->rank == 2 && y->dims[0] == k->m && y->dims[1] == k->n;
    if (th_check(t, ok, name, "infer: %s", c.err.msg)) {
        c.g.nodes[c.node].act = k->act;
        const float *in[3] = {a, b, cv};
        float *got = NULL;
        st = tc_run(&c, in, &got);
        double *want = malloc(sizeof(double) * (size_t)(k->m * k->n));
        double alpha = k->alpha != 0 ? k->alpha : 1, beta = k->alpha != 0 ? k->beta : 1;
        for (int64_t i = 0; i < k->m; i++)
            for (int64_t j = 0; j < k->n; j++) {
                double acc = 0;
                for (int64_t l = 0; l < k->k; l++) {
                    double av = k->trans_a ? a[l * k->m + i] : a[i * k->k + l];
                    double bv = k->trans_b ? b[j * k->k + l] : b[l * k->n + j];
                    acc += av * bv;
                }
                acc *= alpha;
                if (k->c_rank >= 0) {
                    /* right-aligned broadcast of C to [M, N] */
                    int64_t ci = 0;
                    if (k->c_rank == 1) ci = k->c_dims[0] == 1 ? 0 : j;
                    if (k->c_rank == 2)
                        ci = (k->c_dims[0] == 1 ? 0 : i) * k->c_dims[1] + (k->c_dims[1] == 1 ? 0 : j);
                    acc += beta * cv[ci];
                }
                want[i * k->n + j] = ref_act(&k->act, acc);
            }
        check_close(t, name, got, want, k->m * k->n);
        free(want);
        free(got);
    }
    tc_free(&c);
    free(a);
    free(b);
    free(cv);
}

static const gemm_case GEMM_CASES[] = {
    {"plain no C", 3, 5, 7, 0, 0, 0, 0, -1, {0, 0}, ACT0},
    {"transA", 4, 3, 6, 1, 0, 0, 0, 2, {4, 3}, ACT0},
    {"transB vector C", 2, 9, 17, 0, 1, 0, 0, 1, {9, 0}, ACT0},
    {"transA transB alpha beta", 5, 4, 3, 1, 1, 0.5f, -2.0f, 2, {5, 4}, ACT0},
    {"scalar C", 3, 4, 5, 0, 0, 1.5f, 0.25f, 0, {0, 0}, ACT0},
    {"C [1]", 3, 4, 5, 0, 0, 0, 0, 1, {1, 0}, ACT0},
    {"C [1,N]", 3, 4, 5, 0, 1, 0, 0, 2, {1, 4}, ACT0},
    {"C [M,1]", 3, 4, 5, 0, 0, 0, 0, 2, {3, 1}, ACT0},
    {"classifier relu", 1, 10, 64, 0, 1, 0, 0, 1, {10, 0}, {TERN_ACT_RELU, 0, 0}},
    {"hardswish", 2, 6, 8, 0, 1, 0, 0, 1, {6, 0}, {TERN_ACT_HARDSWISH, 1.0f / 6.0f, 0.5f}},
};

static void test_gemm(th_ctx *t) {
    for (size_t i = 0; i < sizeof GEMM_CASES / sizeof GEMM_CASES[0]; i++)
        for (int cb = 0; cb < 2; cb++) gemm_one(t, &GEMM_CASES[i], cb);
}

/* ---- MatMul ---------------------------------------------------------------- */

static void matmul_one(th_ctx *t, int ra, const int64_t *ad, int rb, const int64_t *bd, int ry,
                       const int64_t *yd) {
    char name[160];
    int len = snprintf(name, sizeof name, "MatMul [");
    for (int i = 0; i < ra; i++) len += snprintf(name + len, sizeof name - (size_t)len, "%s%lld", i ? "," : "", (long long)ad[i]);
    len += snprintf(name + len, sizeof name - (size_t)len, "] x [");
    for (int i = 0; i < rb; i++) len += snprintf(name + len, sizeof name - (size_t)len, "%s%lld", i ? "," : "", (long long)bd[i]);
    snprintf(name + len, sizeof name - (size_t)len, "]");
    int64_t na = 1, nb = 1, ny = 1;
    for (int i = 0; i < ra; i++) na *= ad[i];
    for (int i = 0; i < rb; i++) nb *= bd[i];
    for (int i = 0; i < ry; i++) ny *= yd[i];
    float *a = rand_buf(na), *b = rand_buf(nb);
    tcase c;
    tc_init(&c, 13);
    int ins[2] = {tc_tensor(&c, "a", ra, ad, NULL), tc_tensor(&c, "b", rb, bd, NULL)};
    tc_node(&c, "MatMul", ins, 2, 1);
    tern_status st = tc_infer(&c);
    tern_tensor *y = tc_out(&c, 0);
    int ok = st == TERN_OK && y->rank == ry;
    for (int i = 0; ok && i < ry; i++) ok = y->dims[i] == yd[i];
    if (!th_check(t, ok, name, "infer: %s (rank %d)", c.err.msg, y->rank)) goto out;
    const float *in[2] = {a, b};
    float *got = NULL;
    st = tc_run(&c, in, &got);
    /* the reference: promote 1-D operands, broadcast batch dims by index
     * arithmetic on the full output index */
    int64_t pa[8], pb[8];
    int pra = ra < 2 ? 2 : ra, prb = rb < 2 ? 2 : rb;
    if (ra == 1) pa[0] = 1, pa[1] = ad[0];
    else memcpy(pa, ad, sizeof(int64_t) * (size_t)ra);
    if (rb == 1) pb[0] = bd[0], pb[1] = 1;
    else memcpy(pb, bd, sizeof(int64_t) * (size_t)rb);
    int64_t m = pa[pra - 2], kk = pa[pra - 1], n = pb[prb - 1];
    int br = (pra > prb ? pra : prb) - 2;
    int64_t batch[8], nbatch = 1;
    for (int i = 0; i < br; i++) {
        int ia = i - (br - (pra - 2)), ib = i - (br - (prb - 2));
        int64_t da = ia >= 0 ? pa[ia] : 1, db = ib >= 0 ? pb[ib] : 1;
        batch[i] = da > db ? da : db;
        nbatch *= batch[i];
    }
    double *want = malloc(sizeof(double) * (size_t)(nbatch * m * n + 1));
    for (int64_t bi = 0; bi < nbatch; bi++) {
        int64_t idx[8], r = bi, offa = 0, offb = 0;
        for (int i = br - 1; i >= 0; i--) idx[i] = r % batch[i], r /= batch[i];
        for (int i = 0; i < pra - 2; i++) {
            int64_t d = pa[i], ii = idx[i + br - (pra - 2)];
            offa = offa * d + (d == 1 ? 0 : ii);
        }
        for (int i = 0; i < prb - 2; i++) {
            int64_t d = pb[i], ii = idx[i + br - (prb - 2)];
            offb = offb * d + (d == 1 ? 0 : ii);
        }
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                double acc = 0;
                for (int64_t l = 0; l < kk; l++)
                    acc += (double)a[offa * m * kk + i * kk + l] * b[offb * kk * n + l * n + j];
                want[(bi * m + i) * n + j] = acc;
            }
    }
    check_close(t, name, got, want, ny);
    free(want);
    free(got);
out:
    tc_free(&c);
    free(a);
    free(b);
}

static void test_matmul(th_ctx *t) {
    { int64_t a[] = {5}, b[] = {5}; matmul_one(t, 1, a, 1, b, 0, NULL); }
    { int64_t a[] = {4}, b[] = {4, 3}, y[] = {3}; matmul_one(t, 1, a, 2, b, 1, y); }
    { int64_t a[] = {3, 4}, b[] = {4}, y[] = {3}; matmul_one(t, 2, a, 1, b, 1, y); }
    { int64_t a[] = {3, 7}, b[] = {7, 5}, y[] = {3, 5}; matmul_one(t, 2, a, 2, b, 2, y); }
    { int64_t a[] = {2, 3, 4, 5}, b[] = {5, 6}, y[] = {2, 3, 4, 6}; matmul_one(t, 4, a, 2, b, 4, y); }
    { int64_t a[] = {3, 1, 2, 5}, b[] = {1, 4, 5, 3}, y[] = {3, 4, 2, 3}; matmul_one(t, 4, a, 4, b, 4, y); }
    { int64_t a[] = {2, 5}, b[] = {3, 5, 4}, y[] = {3, 2, 4}; matmul_one(t, 2, a, 3, b, 3, y); }
    { int64_t a[] = {2, 3, 5}, b[] = {5}, y[] = {2, 3}; matmul_one(t, 3, a, 1, b, 2, y); }
    { int64_t a[] = {6}, b[] = {2, 6, 3}, y[] = {2, 3}; matmul_one(t, 1, a, 3, b, 2, y); }
}

/* ---- unary activations ----------------------------------------------------- */

typedef struct act_case {
    const char *op;
    int64_t opset;
    tern_act ref;    /* the math the reference applies */
    float attr_a, attr_b; /* attributes to set (NAN: leave out) */
    const char *an, *bn;  /* their names */
    int clip_inputs;      /* Clip >= 11: 1 constant min/max, 2 max as a graph input, 3 none */
} act_case;

static void act_one(th_ctx *t, const act_case *k, int lin, int lout) {
    char name[160];
    snprintf(name, sizeof name, "%s opset %lld%s (%s -> %s)", k->op, (long long)k->opset,
             k->clip_inputs == 2 ? " max input" : k->clip_inputs == 3 ? " no bounds" : "",
             layout_name(lin), layout_name(lout));
    int64_t dims[4] = {2, 5, 3, 4}, sd[1] = {1};
    int64_t ne = 2 * 5 * 3 * 4;
    float *x = rand_buf(ne);
    for (int64_t i = 0; i < ne; i++) x[i] *= 4; /* reach the saturated parts */
    float lo = k->ref.a, hi = k->ref.b;
    tcase c;
    tc_init(&c, k->opset);
    int ins[3] = {tc_tensor(&c, "x", 4, dims, NULL), -1, -1};
    int nin = 1;
    if (k->clip_inputs == 1 || k->clip_inputs == 2) {
        ins[1] = tc_tensor(&c, "min", 0, sd, &lo);
        ins[2] = tc_tensor(&c, "max", 0, sd, k->clip_inputs == 2 ? NULL : &hi);
        nin = 3;
    }
    tc_node(&c, k->op, ins, nin, 1);
    if (!isnan(k->attr_a)) tc_float(&c, k->an, k->attr_a);
    if (!isnan(k->attr_b)) tc_float(&c, k->bn, k->attr_b);
    tern_status st = tc_infer(&c);
    if (th_check(t, st == TERN_OK, name, "infer: %s", c.err.msg)) {
        c.g.tensors[ins[0]].layout = lin;
        tc_out(&c, 0)->layout = lout;
        const float *in[3] = {x, NULL, &hi};
        float *got = NULL;
        st = tc_run(&c, in, &got);
        double *want = malloc(sizeof(double) * (size_t)ne);
        for (int64_t i = 0; i < ne; i++) want[i] = ref_act(&k->ref, x[i]);
        check_close(t, name, got, want, ne);
        free(want);
        free(got);
    }
    tc_free(&c);
    free(x);
}

static void test_activations(th_ctx *t) {
    const float N = NAN;
    const act_case cases[] = {
        {"Relu", 14, {TERN_ACT_RELU, 0, 0}, N, N, NULL, NULL, 0},
        {"Clip", 6, {TERN_ACT_CLIP, -0.5f, 1.5f}, -0.5f, 1.5f, "min", "max", 0},
        {"Clip", 6, {TERN_ACT_CLIP, -INFINITY, 1.0f}, N, 1.0f, NULL, "max", 0},
        {"Clip", 13, {TERN_ACT_CLIP, 0.0f, 6.0f}, N, N, NULL, NULL, 1},
        {"Clip", 13, {TERN_ACT_CLIP, -1.0f, 0.25f}, N, N, NULL, NULL, 2},
        {"Clip", 13, {TERN_ACT_CLIP, -INFINITY, INFINITY}, N, N, NULL, NULL, 3},
        {"HardSigmoid", 6, {TERN_ACT_HARDSIGMOID, 0.2f, 0.5f}, N, N, NULL, NULL, 0},
        {"HardSigmoid", 6, {TERN_ACT_HARDSIGMOID, 0.3f, 0.1f}, 0.3f, 0.1f, "alpha", "beta", 0},
        {"HardSwish", 14, {TERN_ACT_HARDSWISH, 1.0f / 6.0f, 0.5f}, N, N, NULL, NULL, 0},
        {"Sigmoid", 13, {TERN_ACT_SIGMOID, 0, 0}, N, N, NULL, NULL, 0},
        {"Tanh", 13, {TERN_ACT_TANH, 0, 0}, N, N, NULL, NULL, 0},
        {"LeakyRelu", 6, {TERN_ACT_LEAKYRELU, 0.01f, 0}, N, N, NULL, NULL, 0},
        {"LeakyRelu", 6, {TERN_ACT_LEAKYRELU, 0.3f, 0}, 0.3f, N, "alpha", NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int l = 0; l < 4; l++) act_one(t, &cases[i], l & 1, l >> 1);
}

/* A Conv with a fused activation must give exactly (bit for bit) what the
 * Conv followed by the standalone activation op gives: both use act.h. */
static void fused_matches_standalone(th_ctx *t, const char *op, tern_act act, float attr_a,
                                     const char *attr_name) {
    char name[160];
    snprintf(name, sizeof name, "Conv+%s fused equals standalone %s bit for bit", op, op);
    int64_t xd[4] = {1, 3, 6, 6}, wd[4] = {5, 3, 3, 3}, bd[1] = {5}, yd[4] = {1, 5, 4, 4};
    float *x = rand_buf(108), *w = rand_buf(135), *b = rand_buf(5);
    for (int i = 0; i < 135; i++) w[i] *= 2; /* outputs past the saturation points */
    float *plain = NULL, *fused = NULL, *after = NULL;
    tcase c;
    for (int pass = 0; pass < 2; pass++) {
        tc_init(&c, 13);
        int ins[3] = {tc_tensor(&c, "x", 4, xd, NULL), tc_tensor(&c, "w", 4, wd, w),
                      tc_tensor(&c, "b", 1, bd, b)};
        tc_node(&c, "Conv", ins, 3, 1);
        tern_status st = tc_infer(&c);
        if (pass) c.g.nodes[c.node].act = act;
        const float *in[3] = {x, w, b};
        if (st == TERN_OK) tc_run(&c, in, pass ? &fused : &plain);
        tc_free(&c);
    }
    tc_init(&c, 13);
    int ai[1] = {tc_tensor(&c, "x", 4, yd, NULL)};
    tc_node(&c, op, ai, 1, 1);
    if (attr_name) tc_float(&c, attr_name, attr_a);
    if (plain && tc_infer(&c) == TERN_OK) {
        const float *in[1] = {plain};
        tc_run(&c, in, &after);
    }
    tc_free(&c);
    int same = plain && fused && after && memcmp(fused, after, sizeof(float) * 80) == 0;
    th_check(t, same, name, "results differ");
    free(x);
    free(w);
    free(b);
    free(plain);
    free(fused);
    free(after);
}

static void test_fused_vs_standalone(th_ctx *t) {
    fused_matches_standalone(t, "Relu", (tern_act){TERN_ACT_RELU, 0, 0}, 0, NULL);
    fused_matches_standalone(t, "Sigmoid", (tern_act){TERN_ACT_SIGMOID, 0, 0}, 0, NULL);
    fused_matches_standalone(t, "Tanh", (tern_act){TERN_ACT_TANH, 0, 0}, 0, NULL);
    fused_matches_standalone(t, "HardSwish", (tern_act){TERN_ACT_HARDSWISH, 1.0f / 6.0f, 0.5f}, 0,
                             NULL);
    fused_matches_standalone(t, "HardSigmoid", (tern_act){TERN_ACT_HARDSIGMOID, 0.2f, 0.5f}, 0,
                             NULL);
    fused_matches_standalone(t, "LeakyRelu", (tern_act){TERN_ACT_LEAKYRELU, 0.15f, 0}, 0.15f,
                             "alpha");
}

/* ---- integer Relu / Clip --------------------------------------------------- */

/* Values are kept as int64 in the test and stored in the tensor's type. */
static void int_store(tern_dtype dt, void *p, int64_t i, int64_t v) {
    switch (dt) {
    case TERN_INT8: ((int8_t *)p)[i] = (int8_t)v; break;
    case TERN_UINT8: ((uint8_t *)p)[i] = (uint8_t)v; break;
    case TERN_INT32: ((int32_t *)p)[i] = (int32_t)v; break;
    default: ((int64_t *)p)[i] = v; break;
    }
}

static int64_t int_load(tern_dtype dt, const void *p, int64_t i) {
    switch (dt) {
    case TERN_INT8: return ((const int8_t *)p)[i];
    case TERN_UINT8: return ((const uint8_t *)p)[i];
    case TERN_INT32: return ((const int32_t *)p)[i];
    default: return ((const int64_t *)p)[i];
    }
}

/* op on a [2,3,4,5] tensor of type dt; Clip bounds lo/hi as constants
 * (has_lo/has_hi), hi optionally fed as a graph input instead. */
static void int_act_one(th_ctx *t, const char *op, tern_dtype dt, int has_lo, int64_t lo,
                        int has_hi, int64_t hi, int hi_input, int layout) {
    char name[160];
    snprintf(name, sizeof name, "%s %s lo %s hi %s%s (%s)", op, tern_dtype_name(dt),
             has_lo ? "set" : "-", has_hi ? "set" : "-", hi_input ? " (input)" : "",
             layout_name(layout));
    int64_t dims[4] = {2, 3, 4, 5}, ne = 120, one[1] = {1};
    int64_t tlo = dt == TERN_UINT8 ? 0 : dt == TERN_INT8 ? -128 : -100000;
    int64_t thi = dt == TERN_UINT8 ? 255 : dt == TERN_INT8 ? 127 : 100000;
    int64_t lo_v[1], hi_v[1], vals[120];
    int64_t x[120], y[120], lob[1], hib[1]; /* int64 storage: room for any type */
    for (int64_t i = 0; i < ne; i++) vals[i] = tlo + (int64_t)((frand() + 1) / 2 * (double)(thi - tlo));
    lo_v[0] = lo;
    hi_v[0] = hi;
    int_store(dt, lob, 0, lo);
    int_store(dt, hib, 0, hi);
    tcase c;
    tc_init(&c, 13);
    int ins[3] = {tc_tensor(&c, "x", 4, dims, NULL), -1, -1};
    int nin = 1;
    if (strcmp(op, "Clip") == 0) {
        ins[1] = has_lo ? tc_tensor(&c, "lo", 0, one, lob) : -1;
        ins[2] = has_hi ? tc_tensor(&c, "hi", 0, one, hi_input ? NULL : hib) : -1;
        nin = 3;
    }
    for (int i = 0; i < 3; i++)
        if (ins[i] >= 0) c.g.tensors[ins[i]].dtype = dt;
    tc_node(&c, op, ins, nin, 1);
    tern_status st = tc_infer(&c);
    if (th_check(t, st == TERN_OK && tc_out(&c, 0)->dtype == dt, name, "infer: %s", c.err.msg)) {
        tern_tensor *xt = &c.g.tensors[ins[0]], *yt = tc_out(&c, 0);
        xt->layout = yt->layout = layout;
        for (int64_t i = 0; i < ne; i++) int_store(dt, x, phys_offset(xt, i), vals[i]);
        const void *in[3] = {x, NULL, hib};
        void *out[1] = {y};
        tern_node *n = tc_n(&c);
        st = n->op->run(&c.g, n, in, out, &c.err);
        int64_t bad = -1, want = 0;
        for (int64_t i = 0; i < ne && bad < 0; i++) {
            int64_t l = strcmp(op, "Relu") == 0 ? 0 : has_lo ? lo_v[0] : INT64_MIN;
            int64_t h = has_hi ? hi_v[0] : INT64_MAX;
            want = vals[i] < l ? l : vals[i]; /* Min(h, Max(x, l)), as ONNX says */
            if (want > h) want = h;
            if (int_load(dt, y, phys_offset(yt, i)) != want) bad = i;
        }
        th_check(t, st == TERN_OK && bad < 0, name, "element %lld: got %lld, want %lld",
                 (long long)bad, (long long)(bad >= 0 ? int_load(dt, y, phys_offset(yt, bad)) : 0),
                 (long long)want);
    }
    tc_free(&c);
}

static void test_int_activations(th_ctx *t) {
    for (int l = 0; l < 2; l++) {
        int_act_one(t, "Relu", TERN_INT8, 0, 0, 0, 0, 0, l);
        int_act_one(t, "Relu", TERN_INT64, 0, 0, 0, 0, 0, l);
        int_act_one(t, "Clip", TERN_INT8, 1, -20, 1, 50, 0, l);
        int_act_one(t, "Clip", TERN_UINT8, 1, 30, 0, 0, 0, l);
        int_act_one(t, "Clip", TERN_INT32, 0, 0, 1, 777, 1, l);
        int_act_one(t, "Clip", TERN_INT64, 1, -5000, 1, 5000, 1, l);
    }
}

/* ---- PRelu ------------------------------------------------------------------ */

/* Before opset 7 a 1-D slope of size C is per channel (axis 1). */
static void prelu_one(th_ctx *t, int64_t opset, int sr, const int64_t *sdims, int lin, int lout) {
    char name[160];
    snprintf(name, sizeof name, "PRelu opset %lld slope rank %d [%lld..] (%s -> %s)",
             (long long)opset, sr, (long long)(sr ? sdims[0] : 0), layout_name(lin),
             layout_name(lout));
    int legacy = opset < 7 && sr == 1 && sdims[0] == 3;
    int64_t dims[4] = {2, 3, 4, 5}, ne = 120, sn = 1;
    for (int i = 0; i < sr; i++) sn *= sdims[i];
    float *x = rand_buf(ne), *s = rand_buf(sn);
    tcase c;
    tc_init(&c, opset);
    int ins[2] = {tc_tensor(&c, "x", 4, dims, NULL), tc_tensor(&c, "slope", sr, sdims, s)};
    tc_node(&c, "PRelu", ins, 2, 1);
    tern_status st = tc_infer(&c);
    if (th_check(t, st == TERN_OK, name, "infer: %s", c.err.msg)) {
        c.g.tensors[ins[0]].layout = lin;
        tc_out(&c, 0)->layout = lout;
        const float *in[2] = {x, s};
        float *got = NULL;
        st = tc_run(&c, in, &got);
        double *want = malloc(sizeof(double) * (size_t)ne);
        for (int64_t i = 0; i < ne; i++) {
            /* logical index of x, then the slope element it broadcasts from */
            int64_t idx[4], r = i, si = 0;
            for (int d = 3; d >= 0; d--) idx[d] = r % dims[d], r /= dims[d];
            for (int d = 0; d < sr; d++) {
                int64_t sd = sdims[d];
                si = si * sd + (sd == 1 ? 0 : idx[4 - sr + d]);
            }
            if (legacy) si = idx[1];
            want[i] = x[i] >= 0 ? x[i] : (double)s[si] * x[i];
        }
        check_close(t, name, got, want, ne);
        free(want);
        free(got);
    }
    tc_free(&c);
    free(x);
    free(s);
}

static void test_prelu(th_ctx *t) {
    static const int64_t s_c11[] = {3, 1, 1}, s_one[] = {1}, s_w[] = {5}, s_full[] = {3, 4, 5},
                         s_c[] = {3};
    for (int l = 0; l < 4; l++) {
        prelu_one(t, 16, 3, s_c11, l & 1, l >> 1);
        prelu_one(t, 16, 1, s_one, l & 1, l >> 1);
        prelu_one(t, 16, 1, s_w, l & 1, l >> 1);
        prelu_one(t, 16, 3, s_full, l & 1, l >> 1);
        prelu_one(t, 6, 1, s_c, l & 1, l >> 1);
        prelu_one(t, 6, 1, s_w, l & 1, l >> 1);
    }
}

/* ---- Softmax / LogSoftmax --------------------------------------------------- */

static void softmax_one(th_ctx *t, const char *op, int64_t opset, int has_axis, int64_t axis,
                        int lin, int lout) {
    char name[160];
    snprintf(name, sizeof name, "%s opset %lld axis %s%lld (%s -> %s)", op, (long long)opset,
             has_axis ? "" : "default ", (long long)axis, layout_name(lin), layout_name(lout));
    int64_t dims[4] = {2, 3, 4, 5}, ne = 120;
    float *x = rand_buf(ne);
    for (int64_t i = 0; i < ne; i++) x[i] *= 5;
    tcase c;
    tc_init(&c, opset);
    int ins[1] = {tc_tensor(&c, "x", 4, dims, NULL)};
    tc_node(&c, op, ins, 1, 1);
    if (has_axis) tc_int(&c, "axis", axis);
    tern_status st = tc_infer(&c);
    if (th_check(t, st == TERN_OK, name, "infer: %s", c.err.msg)) {
        c.g.tensors[ins[0]].layout = lin;
        tc_out(&c, 0)->layout = lout;
        const float *in[1] = {x};
        float *got = NULL;
        st = tc_run(&c, in, &got);
        /* which axes are normalized together: one (>= 13) or axis.. (older) */
        int64_t ax = has_axis ? axis : (opset < 13 ? 1 : -1);
        if (ax < 0) ax += 4;
        int last = opset < 13 ? 4 : (int)ax + 1;
        double *want = malloc(sizeof(double) * (size_t)ne);
        for (int64_t i = 0; i < ne; i++) {
            /* the row of i: every j equal to i outside axes [ax, last) */
            int64_t ii[4], r = i;
            for (int d = 3; d >= 0; d--) ii[d] = r % dims[d], r /= dims[d];
            double mx = -INFINITY, sum = 0;
            for (int pass = 0; pass < 2; pass++)
                for (int64_t j = 0; j < ne; j++) {
                    int64_t jj[4], q = j, same = 1;
                    for (int d = 3; d >= 0; d--) jj[d] = q % dims[d], q /= dims[d];
                    for (int d = 0; d < 4; d++)
                        if ((d < ax || d >= last) && jj[d] != ii[d]) same = 0;
                    if (!same) continue;
                    if (pass == 0) mx = fmax(mx, x[j]);
                    else sum += exp((double)x[j] - mx);
                }
            want[i] = strcmp(op, "LogSoftmax") == 0 ? (x[i] - mx) - log(sum) : exp(x[i] - mx) / sum;
        }
        check_close(t, name, got, want, ne);
        free(want);
        free(got);
    }
    tc_free(&c);
    free(x);
}

static void test_softmax(th_ctx *t) {
    for (int l = 0; l < 4; l++)
        for (int lg = 0; lg < 2; lg++) {
            const char *op = lg ? "LogSoftmax" : "Softmax";
            softmax_one(t, op, 11, 0, 1, l & 1, l >> 1);
            softmax_one(t, op, 11, 1, 2, l & 1, l >> 1);
            softmax_one(t, op, 13, 0, -1, l & 1, l >> 1);
            softmax_one(t, op, 13, 1, 1, l & 1, l >> 1);
            softmax_one(t, op, 13, 1, -4, l & 1, l >> 1);
        }
}

/* ---- 3-D Conv and pools -------------------------------------------------- */

typedef struct win3_case {
    const char *name;
    int64_t n, c, m, group; /* m: conv output channels (0 for pools) */
    int64_t in[3], k[3], s[3], d[3], pb[3], pe[3];
    int pool; /* 0 conv, 1 max, 2 avg, 3 avg count_include_pad */
} win3_case;

/* Naive 3-D window op: conv (with bias) or pool, in NCDHW with double sums. */
static void win3_ref(const win3_case *k, const float *x, const float *w, const float *b,
                     const int64_t *o, double *y) {
    int64_t m = k->pool ? k->c : k->m, cig = k->c / k->group, mpg = m / k->group;
    const int64_t *in = k->in;
    for (int64_t n = 0; n < k->n; n++)
        for (int64_t co = 0; co < m; co++)
            for (int64_t p = 0; p < o[0] * o[1] * o[2]; p++) {
                int64_t op[3] = {p / (o[1] * o[2]), p / o[2] % o[1], p % o[2]};
                double acc = k->pool == 1 ? -INFINITY : 0;
                int64_t valid = 0, padded = 0;
                for (int64_t ci = 0; ci < (k->pool ? 1 : cig); ci++)
                    for (int64_t t = 0; t < k->k[0] * k->k[1] * k->k[2]; t++) {
                        int64_t kt[3] = {t / (k->k[1] * k->k[2]), t / k->k[2] % k->k[1], t % k->k[2]};
                        int64_t ip[3], inside = 1, inpad = 1;
                        for (int a = 0; a < 3; a++) {
                            ip[a] = op[a] * k->s[a] - k->pb[a] + kt[a] * k->d[a];
                            inside &= ip[a] >= 0 && ip[a] < in[a];
                            inpad &= ip[a] >= -k->pb[a] && ip[a] < in[a] + k->pe[a];
                        }
                        padded += inpad;
                        if (!inside) continue;
                        valid++;
                        int64_t c = k->pool ? co : co / mpg * cig + ci;
                        double v = x[(((n * k->c + c) * in[0] + ip[0]) * in[1] + ip[1]) * in[2] + ip[2]];
                        if (k->pool == 1) acc = fmax(acc, v);
                        else if (k->pool) acc += v;
                        else acc += v * w[(((co * cig + ci) * k->k[0] + kt[0]) * k->k[1] + kt[1]) * k->k[2] + kt[2]];
                    }
                if (k->pool == 2) acc /= (double)valid;
                if (k->pool == 3) acc /= (double)padded;
                if (!k->pool) acc += b[co];
                y[(n * m + co) * o[0] * o[1] * o[2] + p] = acc;
            }
}

static void win3_one(th_ctx *t, const win3_case *k, int lin, int lout) {
    static const char *kinds[] = {"Conv", "MaxPool", "AveragePool", "AveragePool"};
    char name[160];
    snprintf(name, sizeof name, "%s 3-D %s (%s -> %s)", kinds[k->pool], k->name, layout_name(lin),
             layout_name(lout));
    int64_t cig = k->c / k->group, m = k->pool ? k->c : k->m;
    int64_t xd[5] = {k->n, k->c, k->in[0], k->in[1], k->in[2]};
    int64_t wd[5] = {k->m, cig, k->k[0], k->k[1], k->k[2]}, bd[1] = {k->m};
    int64_t nx = k->n * k->c * k->in[0] * k->in[1] * k->in[2];
    float *x = rand_buf(nx), *w = rand_buf(k->m * cig * k->k[0] * k->k[1] * k->k[2] + 1);
    float *b = rand_buf(k->m + 1);
    tcase c;
    tc_init(&c, 13);
    int ins[3] = {tc_tensor(&c, "x", 5, xd, NULL), -1, -1};
    if (!k->pool) {
        ins[1] = tc_tensor(&c, "w", 5, wd, w);
        ins[2] = tc_tensor(&c, "b", 1, bd, b);
    }
    tc_node(&c, kinds[k->pool], ins, k->pool ? 1 : 3, 1);
    int64_t pads[6] = {k->pb[0], k->pb[1], k->pb[2], k->pe[0], k->pe[1], k->pe[2]};
    tc_ints(&c, "pads", pads, 6);
    tc_ints(&c, "strides", k->s, 3);
    if (k->pool != 2 && k->pool != 3) tc_ints(&c, "dilations", k->d, 3);
    if (k->pool) tc_ints(&c, "kernel_shape", k->k, 3);
    if (k->pool == 3) tc_int(&c, "count_include_pad", 1);
    if (!k->pool) tc_int(&c, "group", k->group);
    tern_status st = tc_infer(&c);
    int64_t o[3];
    for (int a = 0; a < 3; a++)
        o[a] = (k->in[a] + k->pb[a] + k->pe[a] - ((k->k[a] - 1) * k->d[a] + 1)) / k->s[a] + 1;
    tern_tensor *y = tc_out(&c, 0);
    int ok = st == TERN_OK && y->rank == 5 && y->dims[1] == m && y->dims[2] == o[0] &&
             y->dims[3] == o[1] && y->dims[4] == o[2];
    if (th_check(t, ok, name, "infer: %s", c.err.msg)) {
        c.g.tensors[ins[0]].layout = lin;
        y->layout = lout;
        const float *in[3] = {x, w, b};
        float *got = NULL;
        st = tc_run(&c, in, &got);
        int64_t ne = k->n * m * o[0] * o[1] * o[2];
        double *want = malloc(sizeof(double) * (size_t)ne);
        win3_ref(k, x, w, b, o, want);
        check_close(t, name, got, want, ne);
        free(want);
        free(got);
    }
    tc_free(&c);
    free(x);
    free(w);
    free(b);
}

static void test_3d(th_ctx *t) {
    static const win3_case cases[] = {
        {"3x3x3 pad", 1, 3, 5, 1, {4, 5, 6}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, 0},
        {"2x3x1 s2 d2 asym", 2, 4, 6, 2, {5, 6, 4}, {2, 3, 1}, {2, 1, 2}, {2, 1, 1}, {0, 1, 0}, {1, 2, 0}, 0},
        {"depthwise", 1, 5, 5, 5, {3, 4, 5}, {3, 2, 3}, {1, 2, 1}, {1, 1, 2}, {1, 0, 2}, {1, 1, 2}, 0},
        {"2x2x2 s2", 1, 3, 0, 1, {4, 6, 5}, {2, 2, 2}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0}, {0, 0, 1}, 1},
        {"3x3x3 d2 pad", 1, 2, 0, 1, {6, 6, 5}, {3, 2, 3}, {1, 2, 1}, {2, 1, 1}, {1, 1, 1}, {1, 0, 2}, 1},
        {"3x3x3 pad", 2, 3, 0, 1, {4, 5, 6}, {3, 3, 3}, {2, 1, 2}, {1, 1, 1}, {1, 1, 1}, {1, 0, 1}, 2},
        {"3x3x3 pad count_include_pad", 2, 3, 0, 1, {4, 5, 6}, {3, 3, 3}, {2, 1, 2}, {1, 1, 1},
         {1, 1, 1}, {1, 0, 1}, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int l = 0; l < 4; l++) win3_one(t, &cases[i], l & 1, l >> 1);
}

/* ---- infer rejects bad nodes with a message ------------------------------- */

static void expect_error(th_ctx *t, tcase *c, const char *name, tern_status want,
                         const char *needle) {
    tern_status st = tc_infer(c);
    th_check(t, st == want && strstr(c->err.msg, needle) != NULL, name,
             "got status %d '%s', want status %d mentioning '%s'", (int)st, c->err.msg, (int)want,
             needle);
    tc_free(c);
}

/* A Conv X[1,4,5,5] * W[wd] node ready for attributes. */
static void conv_node(tcase *c, int xr, const int64_t *xd, int wr, const int64_t *wd) {
    tc_init(c, 17);
    int ins[2] = {tc_tensor(c, "x", xr, xd, NULL), tc_tensor(c, "w", wr, wd, NULL)};
    tc_node(c, "Conv", ins, 2, 1);
}

static void test_conv_errors(th_ctx *t) {
    static const int64_t x4[] = {1, 4, 5, 5}, w4[] = {6, 4, 3, 3}, w3[] = {6, 4, 3},
                         wbig[] = {6, 4, 7, 7}, wg[] = {6, 2, 3, 3}, x6[] = {1, 4, 3, 3, 3, 3},
                         w6[] = {2, 4, 1, 1, 1, 1};
    tcase c;
    int64_t negp[4] = {1, -1, 1, 1}, s0[2] = {0, 1}, p3[3] = {1, 1, 1}, ks[2] = {3, 5};
    conv_node(&c, 4, x4, 4, w4);
    tc_ints(&c, "pads", negp, 4);
    expect_error(t, &c, "Conv rejects negative pads", TERN_ERR_SHAPE, "pads");
    conv_node(&c, 4, x4, 4, w4);
    tc_ints(&c, "pads", p3, 3);
    expect_error(t, &c, "Conv rejects 3 pads for 2-D", TERN_ERR_SHAPE, "pads");
    conv_node(&c, 4, x4, 4, w4);
    tc_ints(&c, "strides", s0, 2);
    expect_error(t, &c, "Conv rejects stride 0", TERN_ERR_SHAPE, "strides");
    conv_node(&c, 4, x4, 4, wbig);
    expect_error(t, &c, "Conv rejects a kernel larger than the input", TERN_ERR_SHAPE, "larger");
    conv_node(&c, 4, x4, 4, wg);
    tc_int(&c, "group", 3);
    expect_error(t, &c, "Conv rejects group not dividing channels", TERN_ERR_SHAPE, "group");
    conv_node(&c, 4, x4, 4, wg);
    expect_error(t, &c, "Conv rejects W channels != C/group", TERN_ERR_SHAPE, "channels");
    conv_node(&c, 4, x4, 3, w3);
    expect_error(t, &c, "Conv rejects wrong W rank", TERN_ERR_SHAPE, "rank");
    conv_node(&c, 4, x4, 4, w4);
    tc_str(&c, "auto_pad", "SAME");
    expect_error(t, &c, "Conv rejects unknown auto_pad", TERN_ERR_SHAPE, "auto_pad");
    conv_node(&c, 4, x4, 4, w4);
    tc_ints(&c, "kernel_shape", ks, 2);
    expect_error(t, &c, "Conv rejects kernel_shape != W", TERN_ERR_SHAPE, "kernel_shape");
    conv_node(&c, 6, x6, 6, w6);
    expect_error(t, &c, "Conv rejects 4-D as unsupported", TERN_ERR_UNSUPPORTED, "rank 6");
    conv_node(&c, 4, x4, 4, w4);
    c.g.tensors[0].dtype = TERN_INT8;
    expect_error(t, &c, "Conv rejects int8 naming the dtype", TERN_ERR_UNSUPPORTED, "int8");
    {
        static const int64_t bd[] = {5};
        tc_init(&c, 17);
        int ins[3] = {tc_tensor(&c, "x", 4, x4, NULL), tc_tensor(&c, "w", 4, w4, NULL),
                      tc_tensor(&c, "b", 1, bd, NULL)};
        tc_node(&c, "Conv", ins, 3, 1);
        expect_error(t, &c, "Conv rejects a bias of the wrong size", TERN_ERR_SHAPE, "bias");
    }
}

static void test_other_errors(th_ctx *t) {
    static const int64_t x4[] = {1, 4, 5, 5}, c4[] = {4}, c3[] = {3}, a23[] = {2, 3},
                         b43[] = {4, 3}, b35[] = {3, 5}, c24[] = {2, 4};
    tcase c;
    int64_t k2[2] = {2, 2}, d2[2] = {2, 2};
    {
        tc_init(&c, 12);
        int ins[1] = {tc_tensor(&c, "x", 4, x4, NULL)};
        tc_node(&c, "MaxPool", ins, 1, 2);
        tc_ints(&c, "kernel_shape", k2, 2);
        expect_error(t, &c, "MaxPool rejects the Indices output", TERN_ERR_UNSUPPORTED, "Indices");
    }
    {
        tc_init(&c, 12);
        int ins[1] = {tc_tensor(&c, "x", 4, x4, NULL)};
        tc_node(&c, "MaxPool", ins, 1, 1);
        expect_error(t, &c, "MaxPool needs kernel_shape", TERN_ERR_SHAPE, "kernel_shape");
    }
    {
        tc_init(&c, 12);
        int ins[1] = {tc_tensor(&c, "x", 4, x4, NULL)};
        tc_node(&c, "AveragePool", ins, 1, 1);
        tc_ints(&c, "kernel_shape", k2, 2);
        tc_ints(&c, "dilations", d2, 2);
        expect_error(t, &c, "AveragePool rejects dilations", TERN_ERR_UNSUPPORTED, "dilations");
    }
    for (int v = 0; v < 3; v++) {
        tc_init(&c, 15);
        int ins[5] = {tc_tensor(&c, "x", 4, x4, NULL)};
        for (int k = 1; k < 5; k++) ins[k] = tc_tensor(&c, "p", 1, v == 2 && k == 3 ? c3 : c4, NULL);
        tc_node(&c, "BatchNormalization", ins, 5, v == 1 ? 3 : 1);
        if (v == 0) tc_int(&c, "training_mode", 1);
        expect_error(t, &c,
                     v == 0   ? "BatchNormalization rejects training_mode"
                     : v == 1 ? "BatchNormalization rejects extra outputs"
                              : "BatchNormalization rejects a mean of the wrong size",
                     v == 2 ? TERN_ERR_SHAPE : TERN_ERR_UNSUPPORTED,
                     v == 0 ? "training_mode" : v == 1 ? "output 1" : "input_mean");
    }
    {
        tc_init(&c, 13);
        int ins[2] = {tc_tensor(&c, "a", 2, a23, NULL), tc_tensor(&c, "b", 2, b43, NULL)};
        tc_node(&c, "Gemm", ins, 2, 1);
        expect_error(t, &c, "Gemm rejects mismatched inner dims", TERN_ERR_SHAPE, "inner");
    }
    {
        tc_init(&c, 13);
        int ins[3] = {tc_tensor(&c, "a", 2, a23, NULL), tc_tensor(&c, "b", 2, b35, NULL),
                      tc_tensor(&c, "c", 2, c24, NULL)};
        tc_node(&c, "Gemm", ins, 3, 1);
        expect_error(t, &c, "Gemm rejects C that does not broadcast", TERN_ERR_SHAPE, "C dim");
    }
    {
        tc_init(&c, 13);
        int ins[2] = {tc_tensor(&c, "a", 2, a23, NULL), tc_tensor(&c, "b", 2, b43, NULL)};
        tc_node(&c, "MatMul", ins, 2, 1);
        expect_error(t, &c, "MatMul rejects mismatched inner dims", TERN_ERR_SHAPE, "inner");
    }
    {
        tc_init(&c, 13);
        int ins[1] = {tc_tensor(&c, "x", 4, x4, NULL)};
        tc_node(&c, "Softmax", ins, 1, 1);
        tc_int(&c, "axis", 4);
        expect_error(t, &c, "Softmax rejects axis out of range", TERN_ERR_SHAPE, "axis");
    }
    {
        tc_init(&c, 13);
        int ins[2] = {tc_tensor(&c, "x", 4, x4, NULL), tc_tensor(&c, "s", 1, c3, NULL)};
        tc_node(&c, "PRelu", ins, 2, 1);
        expect_error(t, &c, "PRelu rejects a slope that does not broadcast", TERN_ERR_SHAPE,
                     "slope");
    }
    {
        tc_init(&c, 13);
        int ins[1] = {tc_tensor(&c, "x", 4, x4, NULL)};
        c.g.tensors[0].dtype = TERN_INT64;
        tc_node(&c, "Sigmoid", ins, 1, 1);
        expect_error(t, &c, "Sigmoid rejects int64 naming the dtype", TERN_ERR_UNSUPPORTED,
                     "int64");
    }
    {
        tc_init(&c, 13);
        static const float two[2] = {0, 1};
        static const int64_t d1[1] = {2};
        int ins[2] = {tc_tensor(&c, "x", 4, x4, NULL), tc_tensor(&c, "min", 1, d1, two)};
        tc_node(&c, "Clip", ins, 2, 1);
        expect_error(t, &c, "Clip rejects a non-scalar min", TERN_ERR_SHAPE, "scalar");
    }
}

/* ---- review r2: spec corners and hostile shapes ---------------------------- */

/* Clip with min > max: ONNX defines it as Min(max, Max(x, min)), so every
 * output is max (float bounds as constants and as run-time inputs, plain
 * and fused into a Conv through the same tern_act, and integer Clip). */
static void test_clip_min_above_max(th_ctx *t) {
    static const int64_t d4[] = {1, 2, 2, 2}, one[1] = {1};
    static const float lo = 2.0f, hi = -1.0f;
    for (int hi_input = 0; hi_input < 2; hi_input++) {
        tcase c;
        tc_init(&c, 13);
        int ins[3] = {tc_tensor(&c, "x", 4, d4, NULL), tc_tensor(&c, "lo", 0, one, &lo),
                      tc_tensor(&c, "hi", 0, one, hi_input ? NULL : &hi)};
        tc_node(&c, "Clip", ins, 3, 1);
        const char *name = hi_input ? "Clip min > max (max an input) gives max"
                                    : "Clip min > max (constants) gives max";
        if (th_check(t, tc_infer(&c) == TERN_OK, name, "infer: %s", c.err.msg)) {
            float x[8] = {-5, -1, 0, 0.5f, 1.5f, 2, 3, NAN};
            const float *in[3] = {x, &lo, &hi};
            float *got = NULL;
            tern_status st = tc_run(&c, in, &got);
            int bad = -1;
            for (int i = 0; i < 7 && bad < 0; i++)
                if (got[i] != hi) bad = i;
            th_check(t, st == TERN_OK && bad < 0, name, "element %d of x %g: got %g, want %g",
                     bad, bad >= 0 ? (double)x[bad] : 0.0, bad >= 0 ? (double)got[bad] : 0.0,
                     (double)hi);
            free(got);
        }
        tc_free(&c);
    }
    tern_act a = {TERN_ACT_CLIP, 6.0f, 1.0f};
    float ys[3] = {tern_act_apply(&a, -3.0f), tern_act_apply(&a, 3.0f), tern_act_apply(&a, 9.0f)};
    th_check(t, ys[0] == 1.0f && ys[1] == 1.0f && ys[2] == 1.0f, "fused Clip min > max gives max",
             "got %g %g %g, want 1 1 1", (double)ys[0], (double)ys[1], (double)ys[2]);
    int_act_one(t, "Clip", TERN_INT32, 1, 500, 1, -500, 0, 0);
    int_act_one(t, "Clip", TERN_INT8, 1, 10, 1, -10, 1, 1);
    /* before opset 11 the bounds are attributes: a min input would be
     * silently ignored, so it is refused */
    tcase c;
    tc_init(&c, 6);
    int ins[2] = {tc_tensor(&c, "x", 4, d4, NULL), tc_tensor(&c, "lo", 0, one, &lo)};
    tc_node(&c, "Clip", ins, 2, 1);
    expect_error(t, &c, "Clip opset 6 refuses a min input", TERN_ERR_SHAPE, "inputs");
}

/* MatMul's output (and its batch strides) must not overflow int64 in
 * infer: operands that exist can still multiply to more than 2^63. */
static void test_matmul_huge(th_ctx *t) {
    static const int64_t big = (int64_t)1 << 40;
    struct { int ra; int64_t a[4]; int rb; int64_t b[4]; } cases[] = {
        {2, {big, 1}, 2, {1, big}},
        {4, {big, 1, 1, 1}, 4, {1, big, 1, 1}},
        {3, {(int64_t)1 << 32, 1, 1}, 2, {1, (int64_t)1 << 32}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tcase c;
        tc_init(&c, 13);
        int ins[2] = {tc_tensor(&c, "a", cases[i].ra, cases[i].a, NULL),
                      tc_tensor(&c, "b", cases[i].rb, cases[i].b, NULL)};
        tc_node(&c, "MatMul", ins, 2, 1);
        char name[64];
        snprintf(name, sizeof name, "MatMul with an output over 2^63 elements (%zu)", i);
        expect_error(t, &c, name, TERN_ERR_SHAPE, "too large");
    }
}

/* An empty input (a zero dim) passes every element-count check, yet its
 * other dims can multiply past int64 in strides and loop counts: every op
 * here must refuse it in infer. */
static void test_empty_but_huge(th_ctx *t) {
    static const int64_t big = (int64_t)1 << 40, mid = (int64_t)1 << 20;
    static const int64_t flat[4] = {big, big, 0, 1}, nchw[4] = {0, big, mid, mid},
                         c1[1] = {big}, w11[4] = {1, big, 1, 1}, k1[2] = {1, 1};
    static const char *const ops[] = {"Relu", "Sigmoid", "Softmax", "PRelu", "BatchNormalization",
                                      "GlobalAveragePool", "MaxPool", "AveragePool", "Conv"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        int image = i >= 4; /* NCHW ops need the channels >= 1 */
        tcase c;
        tc_init(&c, 13);
        int ins[5] = {tc_tensor(&c, "x", 4, image ? nchw : flat, NULL)};
        int nin = 1;
        if (strcmp(ops[i], "PRelu") == 0) ins[nin++] = tc_tensor(&c, "s", 1, k1, NULL);
        if (strcmp(ops[i], "Conv") == 0) ins[nin++] = tc_tensor(&c, "w", 4, w11, NULL);
        if (strcmp(ops[i], "BatchNormalization") == 0)
            for (int k = 0; k < 4; k++) ins[nin++] = tc_tensor(&c, "p", 1, c1, NULL);
        tc_node(&c, ops[i], ins, nin, 1);
        if (strstr(ops[i], "Pool") && !strstr(ops[i], "Global")) tc_ints(&c, "kernel_shape", k1, 2);
        char name[96];
        snprintf(name, sizeof name, "%s refuses an empty input whose dims overflow", ops[i]);
        expect_error(t, &c, name, TERN_ERR_SHAPE, "too large");
    }
}

/* Window attributes from a hostile model: each beyond TERN_WINDOW_MAX is
 * refused before any arithmetic with it (kernel 2^40 from W or from
 * kernel_shape, stride/pad/dilation 2^40). */
static void test_window_huge(th_ctx *t) {
    static const int64_t x3[3] = {1, 1, 8}, wk[3] = {1, 1, (int64_t)1 << 40}, w3[3] = {1, 1, 3};
    const int64_t big = (int64_t)1 << 40, bigs[2] = {big, big};
    static const char *const attrs[] = {"strides", "pads", "dilations", "kernel_shape"};
    tcase c;
    conv_node(&c, 3, x3, 3, wk);
    expect_error(t, &c, "Conv rejects a W kernel of 2^40", TERN_ERR_SHAPE, "kernel size");
    for (int op = 0; op < 2; op++)
        for (int a = 0; a < 4; a++) {
            if (op == 0) {
                conv_node(&c, 3, x3, 3, w3);
            } else {
                tc_init(&c, 17);
                int in0 = tc_tensor(&c, "x", 3, x3, NULL);
                tc_node(&c, "MaxPool", &in0, 1, 1);
                if (a != 3) tc_ints(&c, "kernel_shape", w3 + 2, 1);
            }
            tc_ints(&c, attrs[a], bigs, a == 1 ? 2 : 1);
            char name[80];
            snprintf(name, sizeof name, "%s rejects %s of 2^40", op ? "MaxPool" : "Conv", attrs[a]);
            expect_error(t, &c, name, TERN_ERR_SHAPE, a == 3 && op == 0 ? "kernel_shape" : attrs[a]);
        }
}

/* ---- random attributes: infer never crashes, and what it accepts runs -------- */

static int64_t rnd(int64_t lo, int64_t hi) {
    return lo + (int64_t)((frand() + 1) / 2 * (double)(hi - lo + 1)) % (hi - lo + 1);
}

/* A random window op (Conv, MaxPool, AveragePool) with random, often bad,
 * attributes. Infer must either fail with a message or give a shape that
 * runs cleanly (the sanitizer build checks every access). */
static int random_window_node(th_ctx *t, int iter) {
    static const char *ops[] = {"Conv", "MaxPool", "AveragePool"};
    static const char *pads_modes[] = {"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID", "BAD"};
    const char *op = ops[rnd(0, 2)];
    int nsp = (int)rnd(1, 3), rank = nsp + 2;
    int64_t xd[5], wd[5], c = rnd(1, 6), group = rnd(0, 3);
    xd[0] = rnd(1, 2);
    xd[1] = c;
    wd[0] = rnd(1, 6);
    wd[1] = rnd(1, 6);
    for (int i = 2; i < rank; i++) xd[i] = rnd(1, 7), wd[i] = rnd(1, 4);
    int64_t v[6];
    tcase cs;
    tc_init(&cs, 17);
    int conv = strcmp(op, "Conv") == 0;
    int ins[2] = {tc_tensor(&cs, "x", rank, xd, NULL), conv ? tc_tensor(&cs, "w", rnd(0, 5) ? rank : rank - 1, wd, NULL) : -1};
    tc_node(&cs, op, ins, conv ? 2 : 1, 1);
    if (rnd(0, 3)) {
        for (int i = 0; i < 2 * nsp; i++) v[i] = rnd(-1, 3);
        tc_ints(&cs, "pads", v, rnd(0, 5) ? 2 * nsp : nsp);
    }
    if (rnd(0, 1)) {
        for (int i = 0; i < nsp; i++) v[i] = rnd(0, 3);
        tc_ints(&cs, "strides", v, nsp);
    }
    if (rnd(0, 1)) {
        for (int i = 0; i < nsp; i++) v[i] = rnd(0, 3);
        tc_ints(&cs, "dilations", v, nsp);
    }
    if (!conv || rnd(0, 1)) {
        for (int i = 0; i < nsp; i++) v[i] = conv && rnd(0, 1) ? wd[2 + i] : rnd(0, 4);
        tc_ints(&cs, "kernel_shape", v, nsp);
    }
    if (rnd(0, 1)) tc_str(&cs, "auto_pad", pads_modes[rnd(0, 4)]);
    if (rnd(0, 1)) tc_int(&cs, conv ? "group" : "ceil_mode", conv ? group : rnd(0, 1));
    if (!conv && rnd(0, 1)) tc_int(&cs, "count_include_pad", rnd(0, 1));
    tern_status st = tc_infer(&cs);
    int ok = 1;
    if (st != TERN_OK) {
        ok = cs.err.msg[0] != 0;
    } else {
        tern_tensor *y = tc_out(&cs, 0);
        int64_t ne = tern_tensor_numel(y);
        ok = ne >= 0 && ne < 100000;
        if (ok) {
            cs.g.tensors[ins[0]].layout = (int)rnd(0, 1);
            y->layout = (int)rnd(0, 1);
            int64_t nx = tern_tensor_numel(&cs.g.tensors[ins[0]]);
            int64_t nw = conv ? tern_tensor_numel(&cs.g.tensors[ins[1]]) : 1;
            float *x = rand_buf(nx), *w = rand_buf(nw), *got = NULL;
            const float *in[2] = {x, w};
            ok = tc_run(&cs, in, &got) == TERN_OK;
            free(x);
            free(w);
            free(got);
        }
    }
    if (!ok) th_fail(t, "random window nodes", "iteration %d (%s): status %d '%s'", iter, op,
                     (int)st, cs.err.msg);
    tc_free(&cs);
    return st == TERN_OK;
}

static void test_random_nodes(th_ctx *t) {
    int accepted = 0, failed_before = t->failed;
    for (int i = 0; i < 600; i++) accepted += random_window_node(t, i);
    if (t->failed == failed_before)
        th_check(t, accepted > 50 && accepted < 550, "random window nodes",
                 "only %d of 600 accepted: the generator is off", accepted);
}

TH_SUITE(suite_kernels_nn) {
    tc_seed(12345);
    test_conv(t);
    test_pool(t);
    test_global_pool(t);
    test_batchnorm(t);
    test_gemm(t);
    test_matmul(t);
    test_activations(t);
    test_fused_vs_standalone(t);
    test_int_activations(t);
    test_prelu(t);
    test_softmax(t);
    test_3d(t);
    test_conv_errors(t);
    test_other_errors(t);
    test_random_nodes(t);
    test_clip_min_above_max(t);
    test_matmul_huge(t);
    test_empty_but_huge(t);
    test_window_huge(t);
}
