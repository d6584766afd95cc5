/* The SIMD Conv paths through a whole session (suite_conv_fast): small
 * two-conv models written in memory run under every ISA level this CPU has
 * and must match TERN_ISA=ref within the FP32 tolerance, and give the same
 * bits at 1, 2 and 3 threads. The first conv reads the plain NCHW graph
 * input (the im2col path), the second the channels-last output of the first
 * (pointwise or depthwise path); activations exercise the clamp epilogue
 * and the hardswish pass. Also: opts.isa / TERN_ISA errors, and packed
 * weights counting against the memory budget. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/kernels.h"
#include "tern.h"
#include "tests/harness.h"
#include "tests/ktest.h"
#include "tests/onnx_writer.h"

typedef struct conv_spec {
    int64_t c_out, k, stride, group, pad_b, pad_e; /* square kernel, same pads on H and W */
    const char *act; /* NULL, "Relu", "Clip6", "HardSwish", "Sigmoid" */
} conv_spec;

typedef struct fast_case {
    const char *name;
    int64_t c, h, w;
    conv_spec a, b;
} fast_case;

static void add_conv(ow_buf *g, const char *x, const char *y, int64_t c_in, const conv_spec *s,
                     uint32_t *seed, const char *tag) {
    char wn[32], bn[32], cn[32];
    snprintf(wn, sizeof wn, "%s_w", tag);
    snprintf(bn, sizeof bn, "%s_b", tag);
    snprintf(cn, sizeof cn, "%s_conv", tag);
    int64_t wd[4] = {s->c_out, c_in / s->group, s->k, s->k}, n = wd[0] * wd[1] * wd[2] * wd[3];
    float *w = malloc(sizeof(float) * (size_t)n), *b = malloc(sizeof(float) * (size_t)s->c_out);
    for (int64_t i = 0; i < n; i++) w[i] = ktest_rand(seed);
    for (int64_t i = 0; i < s->c_out; i++) b[i] = ktest_rand(seed);
    ow_buf t = ow_tensor(wn, OW_FLOAT, 4, wd, w, sizeof(float) * (size_t)n);
    ow_msg(g, OW_G_INIT, &t);
    t = ow_tensor(bn, OW_FLOAT, 1, &s->c_out, b, sizeof(float) * (size_t)s->c_out);
    ow_msg(g, OW_G_INIT, &t);
    free(w), free(b);
    const char *ins[3] = {x, wn, bn}, *outs[1] = {s->act ? cn : y};
    ow_buf node = ow_node("Conv", cn, ins, 3, outs, 1);
    int64_t ks[2] = {s->k, s->k}, st[2] = {s->stride, s->stride};
    int64_t pads[4] = {s->pad_b, s->pad_b, s->pad_e, s->pad_e};
    ow_attr_ints(&node, "kernel_shape", ks, 2);
    ow_attr_ints(&node, "strides", st, 2);
    ow_attr_ints(&node, "pads", pads, 4);
    ow_attr_int(&node, "group", s->group);
    ow_msg(g, OW_G_NODE, &node);
    if (!s->act) return;
    int clip = strcmp(s->act, "Clip6") == 0;
    const char *ains[3] = {cn, "zero", "six"}, *aouts[1] = {y};
    ow_buf a = ow_node(clip ? "Clip" : s->act, y, ains, clip ? 3 : 1, aouts, 1);
    ow_msg(g, OW_G_NODE, &a);
}

static ow_buf case_model(const fast_case *fc) {
    ow_buf g = {0};
    uint32_t seed = 7;
    float zero = 0.0f, six = 6.0f;
    ow_buf t = ow_tensor("zero", OW_FLOAT, 0, NULL, &zero, 4);
    ow_msg(&g, OW_G_INIT, &t);
    t = ow_tensor("six", OW_FLOAT, 0, NULL, &six, 4);
    ow_msg(&g, OW_G_INIT, &t);
    int64_t xd[4] = {1, fc->c, fc->h, fc->w};
    ow_buf in = ow_value_info("x", OW_FLOAT, 4, xd);
    ow_msg(&g, OW_G_INPUT, &in);
    add_conv(&g, "x", "mid", fc->c, &fc->a, &seed, "a");
    add_conv(&g, "mid", "y", fc->a.c_out, &fc->b, &seed, "b");
    ow_buf o = ow_value_name("y");
    ow_msg(&g, OW_G_OUTPUT, &o);
    return ow_model(&g, 13);
}

/* Run the model with isa and threads; the output in *y (malloc'd). */
static tern_status run_case(const tern_model *m, const char *isa, int threads, const float *x,
                            size_t xn, float **y, size_t *yn, char *err, size_t cap) {
    tern_session_options o = {0};
    o.isa = isa;
    o.threads = threads;
    tern_session *s = NULL;
    tern_status st = tern_session_create(m, &o, &s);
    tern_tensor_info info;
    if (st == TERN_OK) st = tern_session_output_info(s, 0, &info);
    if (st == TERN_OK) {
        *yn = info.bytes / sizeof(float);
        *y = malloc(info.bytes);
        st = tern_session_set_input(s, 0, x, xn * sizeof(float));
    }
    if (st == TERN_OK) st = tern_session_run(s);
    if (st == TERN_OK) st = tern_session_get_output(s, 0, *y, *yn * sizeof(float));
    if (st != TERN_OK) snprintf(err, cap, "%s", s ? tern_session_error(s) : "no session");
    tern_session_free(s);
    return st;
}

static const fast_case CASES[] = {
    {"first conv 3x3/2 + dw 3x3/1 relu6", 3, 17, 15,
     {16, 3, 2, 1, 1, 1, "HardSwish"}, {16, 3, 1, 16, 1, 1, "Clip6"}},
    {"1x1 + dw 5x5/2", 5, 13, 14, {24, 1, 1, 1, 0, 0, "Relu"}, {24, 5, 2, 24, 2, 2, NULL}},
    {"3x3/1 + pointwise, odd channels", 7, 9, 11, {33, 3, 1, 1, 1, 1, NULL},
     {17, 1, 1, 1, 0, 0, "HardSwish"}},
    {"1x1 + dw 3x3/2 odd size", 4, 15, 15, {40, 1, 1, 1, 0, 0, "Clip6"},
     {40, 3, 2, 40, 0, 1, "Sigmoid"}},
    {"1x1 + dw 5x5/1", 3, 10, 9, {19, 1, 1, 1, 0, 0, NULL}, {19, 5, 1, 19, 2, 2, "Relu"}},
    {"wide pointwise", 8, 6, 7, {70, 1, 1, 1, 0, 0, "Relu"}, {130, 1, 1, 1, 0, 0, NULL}},
};

static int compare(const float *got, const float *want, size_t n, double *worst) {
    double scale = 1.0;
    for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs(want[i]));
    *worst = 0;
    for (size_t i = 0; i < n; i++) *worst = fmax(*worst, fabs((double)got[i] - want[i]));
    /* op level: a sanity bound (the kernel suite enforces the exact one) */
    return *worst <= 1e-4 * scale;
}

static void run_one(th_ctx *t, const tern_cpu *cpu, const fast_case *fc) {
    ow_buf mb = case_model(fc);
    tern_model *m = NULL;
    tern_status st = tern_model_load_buffer(mb.b, mb.n, NULL, &m);
    ow_free(&mb);
    char err[256] = "", name[160];
    size_t xn = (size_t)(fc->c * fc->h * fc->w), yn = 0, yn2 = 0;
    float *x = malloc(sizeof(float) * xn), *want = NULL;
    uint32_t seed = 99;
    for (size_t i = 0; i < xn; i++) x[i] = ktest_rand(&seed) * 3.0f;
    if (st == TERN_OK) st = run_case(m, "ref", 1, x, xn, &want, &yn, err, sizeof err);
    if (!th_check(t, st == TERN_OK, fc->name, "ref: %s", err)) goto done;
    for (int i = 1; i < TERN_ISA_COUNT; i++) {
        if (!tern_cpu_has(cpu, (tern_isa)i)) continue;
        float *y1 = NULL;
        double worst = 0;
        snprintf(name, sizeof name, "%s [%s]", fc->name, tern_isa_name((tern_isa)i));
        st = run_case(m, tern_isa_name((tern_isa)i), 1, x, xn, &y1, &yn2, err, sizeof err);
        int ok = st == TERN_OK && yn2 == yn && compare(y1, want, yn, &worst);
        if (!th_check(t, ok, name, "%s (largest difference %g)", err, st ? 0.0 : worst)) {
            free(y1);
            continue;
        }
        for (int th = 2; th <= 3; th++) {
            float *yt = NULL;
            snprintf(name, sizeof name, "%s [%s] %d threads bit-identical", fc->name,
                     tern_isa_name((tern_isa)i), th);
            st = run_case(m, tern_isa_name((tern_isa)i), th, x, xn, &yt, &yn2, err, sizeof err);
            th_check(t, st == TERN_OK && memcmp(yt, y1, yn * sizeof(float)) == 0, name, "%s",
                     st ? err : "outputs differ from 1 thread");
            free(yt);
        }
        free(y1);
    }
done:
    free(x), free(want);
    tern_model_free(m);
}

/* opts.isa: unknown names and levels the CPU lacks fail with a message. */
static void test_isa_option(th_ctx *t, const tern_cpu *cpu) {
    ow_buf mb = case_model(&CASES[0]);
    tern_model *m = NULL;
    tern_model_load_buffer(mb.b, mb.n, NULL, &m);
    ow_free(&mb);
    tern_session_options o = {0};
    tern_session *s = NULL;
    o.isa = "avx3";
    tern_status st = tern_session_create(m, &o, &s);
    th_check(t, st == TERN_ERR_INVALID_ARG && strstr(tern_session_error(s), "unknown ISA"),
             "isa option: unknown name", "status %d: %s", st, tern_session_error(s));
    tern_session_free(s);
    tern_isa lacking = TERN_ISA_COUNT;
    for (int i = TERN_ISA_COUNT - 1; i > 0; i--)
        if (!tern_cpu_has(cpu, (tern_isa)i)) lacking = (tern_isa)i;
    if (lacking != TERN_ISA_COUNT) {
        o.isa = tern_isa_name(lacking);
        st = tern_session_create(m, &o, &s);
        th_check(t, st == TERN_ERR_UNSUPPORTED && strstr(tern_session_error(s), "cannot run"),
                 "isa option: a level the CPU lacks", "status %d: %s", st,
                 tern_session_error(s));
        tern_session_free(s);
    }
    o.isa = NULL;
    st = tern_session_create(m, &o, &s);
    tern_cpu c = *cpu;
    const char *want = getenv("TERN_ISA");
    th_check(t, st == TERN_OK && strcmp(tern_session_isa(s), want && want[0] ? want
                                        : tern_isa_name(tern_isa_best(&c))) == 0,
             "isa option: default is TERN_ISA or the best", "got %s", tern_session_isa(s));
    tern_session_free(s);
    tern_model_free(m);
}

TH_SUITE(suite_conv_fast) {
    tern_cpu cpu;
    tern_cpu_detect(&cpu);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) run_one(t, &cpu, &CASES[i]);
    test_isa_option(t, &cpu);
}
