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

/* x -> 3x3 conv -> 1x1 expand (ReLU6) -> depthwise 3x3/2 (HardSwish) -> y; with
 * keep_mid the expanded tensor is a graph output too, which rules out the
 * expand+depthwise fusion (graph/ops/conv_fuse.c). 96x96 with >= 32
 * channels: an expanded tensor over the fusion's 1 MiB threshold. */
#define FUSE_H 96
#define FUSE_W 93
static ow_buf fuse_model(int keep_mid, int64_t c_exp, int64_t k_dw, int64_t s_dw) {
    ow_buf g = {0};
    uint32_t seed = 5;
    float zero = 0.0f, six = 6.0f;
    ow_buf t = ow_tensor("zero", OW_FLOAT, 0, NULL, &zero, 4);
    ow_msg(&g, OW_G_INIT, &t);
    t = ow_tensor("six", OW_FLOAT, 0, NULL, &six, 4);
    ow_msg(&g, OW_G_INIT, &t);
    int64_t xd[4] = {1, 4, FUSE_H, FUSE_W};
    ow_buf in = ow_value_info("x", OW_FLOAT, 4, xd);
    ow_msg(&g, OW_G_INPUT, &in);
    conv_spec a = {16, 3, 1, 1, 1, 1, NULL}, b = {c_exp, 1, 1, 1, 0, 0, "Clip6"};
    conv_spec c = {c_exp, k_dw, s_dw, c_exp, k_dw / 2, k_dw / 2, "HardSwish"};
    add_conv(&g, "x", "m1", 4, &a, &seed, "a");
    add_conv(&g, "m1", "m2", 16, &b, &seed, "b");
    add_conv(&g, "m2", "y", c_exp, &c, &seed, "c");
    ow_buf o = ow_value_name("y");
    ow_msg(&g, OW_G_OUTPUT, &o);
    if (keep_mid) {
        o = ow_value_name("m2");
        ow_msg(&g, OW_G_OUTPUT, &o);
    }
    return ow_model(&g, 13);
}

static int fused_nodes(const tern_model *m, const char *isa) {
    tern_session_options o = {0};
    o.isa = isa;
    tern_session *s = NULL;
    int fused = 0;
    if (tern_session_create(m, &o, &s) == TERN_OK)
        for (int i = 0; i < tern_session_node_count(s); i++) {
            tern_node_profile p;
            if (tern_session_node_profile(s, i, &p) == TERN_OK) fused += p.fused;
        }
    tern_session_free(s);
    return fused;
}

/* The fused pair gives the bits of the unfused pair, at 1 to 3 threads. */
static void test_fusion(th_ctx *t, const tern_cpu *cpu) {
    const int64_t shapes[][3] = {{40, 3, 2}, {32, 3, 1}, {36, 5, 2}, {72, 5, 1}};
    for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
        tern_model *mf = NULL, *mu = NULL;
        ow_buf b1 = fuse_model(0, shapes[sh][0], shapes[sh][1], shapes[sh][2]);
        ow_buf b2 = fuse_model(1, shapes[sh][0], shapes[sh][1], shapes[sh][2]);
        tern_model_load_buffer(b1.b, b1.n, NULL, &mf);
        tern_model_load_buffer(b2.b, b2.n, NULL, &mu);
        ow_free(&b1);
        ow_free(&b2);
        size_t xn = 4 * FUSE_H * FUSE_W, yn = 0, yn2 = 0;
        float *x = malloc(sizeof(float) * xn);
        uint32_t seed = 77;
        for (size_t i = 0; i < xn; i++) x[i] = ktest_rand(&seed) * 2.0f;
        for (int i = 1; i < TERN_ISA_COUNT; i++) {
            if (!tern_cpu_has(cpu, (tern_isa)i)) continue;
            const char *isa = tern_isa_name((tern_isa)i);
            char name[160], err[256] = "";
            snprintf(name, sizeof name, "expand+depthwise %lldx%lld/%lld fused [%s]",
                     (long long)shapes[sh][1], (long long)shapes[sh][1], (long long)shapes[sh][2],
                     isa);
            int nf = fused_nodes(mf, isa), nu = fused_nodes(mu, isa);
            int ok = nf == 1 && nu == 0;
            for (int th = 1; ok && th <= 3; th++) {
                float *yf = NULL, *yu = NULL;
                ok = run_case(mf, isa, th, x, xn, &yf, &yn, err, sizeof err) == TERN_OK &&
                     run_case(mu, isa, th, x, xn, &yu, &yn2, err, sizeof err) == TERN_OK &&
                     yn == yn2 && memcmp(yf, yu, yn * sizeof(float)) == 0;
                if (!ok && !err[0]) snprintf(err, sizeof err, "%d threads: outputs differ", th);
                free(yf), free(yu);
            }
            th_check(t, ok, name, "fused nodes %d (want 1) and %d (want 0); %s", nf, nu, err);
        }
        free(x);
        tern_model_free(mf);
        tern_model_free(mu);
    }
}

/* Packed weights count against the session's memory budget: a budget that
 * fits the arena and the reference path fails once the SIMD path packs. */
static void test_packed_budget(th_ctx *t, const tern_cpu *cpu) {
    if (tern_isa_best(cpu) == TERN_ISA_REF) {
        th_skip(t, "packed weights count against the budget", "no SIMD kernels on this CPU");
        return;
    }
    ow_buf mb = case_model(&CASES[5]); /* 8 -> 70 -> 130 channels: ~40 KB of packed weights */
    tern_model *m = NULL;
    tern_model_load_buffer(mb.b, mb.n, NULL, &m);
    ow_free(&mb);
    tern_session_options o = {0};
    tern_session *s = NULL;
    o.isa = "ref";
    tern_status st = tern_session_create(m, &o, &s);
    size_t arena = st == TERN_OK ? tern_session_arena_size(s) : 0;
    tern_session_free(s);
    o.max_memory = arena + 4096; /* the arena and a little: not the packed weights */
    st = tern_session_create(m, &o, &s);
    int ref_ok = st == TERN_OK;
    tern_session_free(s);
    tern_cpu c = *cpu;
    o.isa = tern_isa_name(tern_isa_best(&c)); /* whatever TERN_ISA says */
    st = tern_session_create(m, &o, &s);
    th_check(t, ref_ok && st == TERN_ERR_NOMEM && strstr(tern_session_error(s), "packed weights"),
             "packed weights count against the budget", "ref %d, simd status %d: %s", ref_ok, st,
             tern_session_error(s));
    tern_session_free(s);
    tern_model_free(m);
}

TH_SUITE(suite_conv_fast) {
    tern_cpu cpu;
    tern_cpu_detect(&cpu);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) run_one(t, &cpu, &CASES[i]);
    test_isa_option(t, &cpu);
    test_packed_budget(t, &cpu);
    test_fusion(t, &cpu);
}
