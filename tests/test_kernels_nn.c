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
#include "tests/harness.h"

/* ---- a one-node graph ------------------------------------------------- */

typedef struct tcase {
    tern_graph g;
    int node;
    tern_attr attrs[16];
    tern_err err;
} tcase;

static void tc_init(tcase *c, int64_t opset) {
    memset(c, 0, sizeof *c);
    tern_graph_init(&c->g);
    c->g.opset = opset;
    c->node = -1;
}

static void tc_free(tcase *c) {
    tern_graph_free(&c->g);
}

/* A float tensor; data (plain, logical order) makes it a constant. */
static int tc_tensor(tcase *c, const char *name, int rank, const int64_t *dims, const float *data) {
    int i = tern_graph_add_tensor(&c->g, name);
    tern_tensor *t = &c->g.tensors[i];
    t->dtype = TERN_FLOAT;
    t->rank = rank;
    for (int k = 0; k < rank; k++) t->dims[k] = dims[k];
    t->data = data;
    t->is_input = data == NULL;
    return i;
}

/* The node, with inputs ins (-1: absent) and nout fresh outputs. */
static tern_node *tc_node(tcase *c, const char *op, const int *ins, int nin, int nout) {
    c->node = tern_graph_add_node(&c->g, op, "", "n", nin, nout);
    for (int i = 0; i < nout; i++) {
        char name[16];
        snprintf(name, sizeof name, "y%d", i);
        int t = tern_graph_add_tensor(&c->g, name);
        c->g.nodes[c->node].outputs[i] = t;
    }
    tern_node *n = &c->g.nodes[c->node];
    for (int i = 0; i < nin; i++) n->inputs[i] = ins[i];
    n->attrs = c->attrs;
    return n;
}

static tern_node *tc_n(tcase *c) {
    return &c->g.nodes[c->node];
}

static tern_attr *tc_attr(tcase *c, const char *name, int type) {
    tern_node *n = tc_n(c);
    tern_attr *a = &c->attrs[n->n_attrs++];
    memset(a, 0, sizeof *a);
    a->name = name;
    a->type = type;
    return a;
}

static void tc_ints(tcase *c, const char *name, const int64_t *v, int count) {
    int64_t *copy = tern_pool_alloc_array(&c->g.pool, (size_t)count + 1, sizeof(int64_t));
    memcpy(copy, v, sizeof(int64_t) * (size_t)count);
    tern_attr *a = tc_attr(c, name, TERN_ATTR_INTS);
    a->ints = copy;
    a->count = (size_t)count;
}

static void tc_int(tcase *c, const char *name, int64_t v) {
    tc_attr(c, name, TERN_ATTR_INT)->i = v;
}

__attribute__((unused)) static void tc_float(tcase *c, const char *name, float v) {
    tc_attr(c, name, TERN_ATTR_FLOAT)->f = v;
}

static void tc_str(tcase *c, const char *name, const char *v) {
    tc_attr(c, name, TERN_ATTR_STRING)->s = v;
}

static tern_status tc_infer(tcase *c) {
    tern_node *n = tc_n(c);
    const tern_op *op = tern_op_find(n->op_type, "");
    if (!op) return tern_errf(&c->err, TERN_ERR_UNSUPPORTED, "no op %s", n->op_type);
    n->op = op;
    return op->infer(&c->g, n, &c->err);
}

static tern_tensor *tc_out(tcase *c, int i) {
    return &c->g.tensors[tc_n(c)->outputs[i]];
}

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
 * out as each tensor's layout says; output 0 is read back in logical order
 * into a malloc'ed buffer (*out). Returns the run status. */
static tern_status tc_run(tcase *c, const float *const *in, float **out) {
    tern_node *n = tc_n(c);
    const void *ins[8] = {0};
    float *bufs[8] = {0};
    for (int i = 0; i < n->n_inputs && i < 8; i++) {
        const tern_tensor *t = tern_in(&c->g, n, i);
        if (!t) continue;
        if (t->data) {
            ins[i] = t->data;
            continue;
        }
        int64_t ne = tern_tensor_numel(t);
        bufs[i] = malloc(sizeof(float) * (size_t)(ne + 1));
        for (int64_t e = 0; e < ne; e++) bufs[i][phys_offset(t, e)] = in[i][e];
        ins[i] = bufs[i];
    }
    const tern_tensor *y = tc_out(c, 0);
    int64_t ne = tern_tensor_numel(y);
    float *ybuf = malloc(sizeof(float) * (size_t)(ne + 1));
    for (int64_t e = 0; e < ne; e++) ybuf[e] = NAN; /* unwritten outputs show */
    void *outs[2] = {ybuf, NULL};
    tern_status st = n->op->run(&c->g, n, ins, outs, &c->err);
    *out = malloc(sizeof(float) * (size_t)(ne + 1));
    for (int64_t e = 0; e < ne; e++) (*out)[e] = ybuf[phys_offset(y, e)];
    free(ybuf);
    for (int i = 0; i < 8; i++) free(bufs[i]);
    return st;
}

/* ---- data and comparison ------------------------------------------------ */

static uint32_t rng_state = 12345;

static float frand(void) {
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static float *rand_buf(int64_t n) {
    float *p = malloc(sizeof(float) * (size_t)(n + 1));
    for (int64_t i = 0; i < n; i++) p[i] = frand();
    return p;
}

/* Largest error relative to 1 + |expected|; sets *where. */
static double max_err(const float *got, const double *want, int64_t n, int64_t *where) {
    double worst = 0;
    *where = 0;
    for (int64_t i = 0; i < n; i++) {
        double e = fabs((double)got[i] - want[i]) / (1.0 + fabs(want[i]));
        if (!(e <= worst)) { /* NaN counts as the worst */
            worst = isnan(e) ? INFINITY : e;
            *where = i;
        }
    }
    return worst;
}

#define TOL 1e-5

static int check_close(th_ctx *t, const char *name, const float *got, const double *want,
                       int64_t n) {
    int64_t at;
    double e = max_err(got, want, n, &at);
    return th_check(t, e <= TOL, name, "element %lld: got %.8g, want %.8g (err %.3g)",
                    (long long)at, n ? (double)got[at] : 0.0, n ? want[at] : 0.0, e);
}

static const char *layout_name(int l) {
    return l == TERN_LAYOUT_CHANNELS_LAST ? "cl" : "plain";
}

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

TH_SUITE(suite_kernels_nn) {
    test_conv(t);
}
