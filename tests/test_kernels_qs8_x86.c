/* The x86 qs8 SIMD kernels against the reference kernels, byte for byte
 * (suite_kernels_qs8_x86): every entry of arch/x86/qs8_kernels_list.h over a
 * sweep of shapes (M, N and K tails around each tile, odd channel counts,
 * padded row strides), zero points at the extremes, per-tensor and
 * per-channel scales, weight zero points (the uint8 path), biases at
 * +-2^30, saturation at both ends and K at its maximum. Kernels whose ISA
 * the CPU lacks are reported as skipped; on other architectures the whole
 * suite is one skip. Outputs are written into guarded buffers so a store
 * past a tile's edge fails the case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
#include "tests/int8_naive.h"

#if defined(__x86_64__)
#include <dirent.h>

#include "arch/qs8_dwconv.h"
#include "arch/qs8_gemm.h"
#include "arch/x86/qs8_dwconv_x86.h"
#include "arch/x86/qs8_gemm_x86.h"
#include "arch/x86/qs8_kernels_list.h"
#include "kernels/ref/qs8_dwconv_fp32.h"
#include "kernels/ref/qs8_gemm_fp32.h"
#include "tests/qs8_x86_cpu.h"

/* ---- quantization parameters -------------------------------------------- */

typedef struct qparams {
    int32_t *zw, *bias;
    tern_requant_fp32 *rq;
    tern_qs8_dot_params p;
} qparams;

/* variant 0: extremes (z_x -128, z_w at -128/127/random, bias +-2^30,
 * per-channel scales incl. 1e-10); 1: symmetric (z_x 127, z_w 0, no bias,
 * one scale and zero point); 2: saturating (scales 50 and 1e-9, a Relu
 * clamp, random z_x); 3: uint8-derived weights (one z_w != 0 for all). */
static void qparams_make(qparams *q, int64_t n, int64_t k, int variant, nrng *r) {
    q->zw = malloc(sizeof(int32_t) * (size_t)n);
    q->bias = malloc(sizeof(int32_t) * (size_t)n);
    q->rq = malloc(sizeof(tern_requant_fp32) * (size_t)n);
    int32_t zx = variant == 0 ? -128 : variant == 1 ? 127 : nrng_int(r, -128, 127);
    int32_t zw_all = nrng_int(r, -127, 127), zy_all = nrng_int(r, -128, 127);
    float base = 1.0f / (float)(k * 2000 + 1);
    for (int64_t c = 0; c < n; c++) {
        q->zw[c] = variant == 1   ? 0
                   : variant == 3 ? zw_all
                   : c % 3 == 0   ? -128
                   : c % 3 == 1   ? 127
                                  : nrng_int(r, -128, 127);
        q->bias[c] = variant != 0 ? nrng_int(r, -5000, 5000)
                     : c % 4 == 0 ? -(1 << 30)
                     : c % 4 == 1 ? (1 << 30)
                                  : nrng_int(r, -100000, 100000);
        float s = base * (float)(1 + nrng_unit(r) * 30);
        if (variant == 0 && c % 4 < 2) s = 1e-10f;
        if (variant == 2) s = c % 2 ? 50.0f : 1e-9f;
        int32_t zy = variant == 1 ? zy_all : nrng_int(r, -128, 127);
        q->rq[c] = (tern_requant_fp32){.scale = variant == 1 ? base * 20 : s,
                                       .zero_point = zy,
                                       .qmin = variant == 2 ? zy : -128,
                                       .qmax = variant == 2 && c % 3 == 0 ? 127 - c % 7 : 127};
    }
    q->p = (tern_qs8_dot_params){.x_zero_point = zx,
                                 .w_zero_point = q->zw,
                                 .bias = variant == 1 ? NULL : q->bias,
                                 .requant = q->rq};
}

static void qparams_free(qparams *q) {
    free(q->zw);
    free(q->bias);
    free(q->rq);
}

/* ---- GEMM ------------------------------------------------------------------ */

static const tern_qs8_gemm_kernel GEMMS[] = {
#define X(fn, isa, mr, nr, kr, wb, xb) {#fn, fn, mr, nr, kr, wb, xb},
    TERN_QS8_GEMM_X86_LIST(X)
#undef X
};
static const int GEMM_ISA[] = {
#define X(fn, isa, mr, nr, kr, wb, xb) QS8_CPU_##isa,
    TERN_QS8_GEMM_X86_LIST(X)
#undef X
};

#define GUARD 64

/* One GEMM m x n x k with kernel kern; the x rows and the y rows are padded
 * (strides k + 5, n + 3) and y is surrounded by guard bytes. */
static int gemm_case(const tern_qs8_gemm_kernel *kern, int64_t m, int64_t n, int64_t k,
                     int variant, uint64_t seed, char *msg, size_t cap) {
    nrng r = {seed};
    int64_t xst = k + 5, yst = n + 3;
    int8_t *x = malloc((size_t)(m * xst)), *w = malloc((size_t)(n * k));
    int8_t *want = malloc((size_t)(m * yst)), *got = malloc((size_t)(m * yst + 2 * GUARD));
    nrng_fill_s8(&r, x, m * xst, -128, 127);
    nrng_fill_s8(&r, w, n * k, -128, 127);
    if (variant == 2) /* saturate: rows of +-128/127 */
        for (int64_t i = 0; i < m * xst; i++) x[i] = (int8_t)(i / xst % 2 ? 127 : -128);
    qparams q;
    qparams_make(&q, n, k, variant, &r);
    int64_t xs[2] = {xst, 1}, ws[2] = {k, 1}, ys[2] = {yst, 1};
    memset(want, 0x5a, (size_t)(m * yst));
    memset(got, 0x5a, (size_t)(m * yst + 2 * GUARD));
    tern_ref_qs8_gemm_fp32(m, n, k, x, xs, w, ws, &q.p, want, ys);
    void *packed = malloc(tern_qs8_gemm_packed_size(kern, n, k));
    int has_zw = tern_qs8_gemm_pack(kern, n, k, w, ws, &q.p, packed);
    tern_qs8_gemm_rows(kern, 0, m, n, k, x, (size_t)xst, packed, has_zw, got + GUARD,
                       (size_t)yst);
    int ok = memcmp(want, got + GUARD, (size_t)(m * yst)) == 0;
    for (int i = 0; i < GUARD && ok; i++)
        ok = got[i] == 0x5a && got[GUARD + m * yst + i] == 0x5a;
    if (!ok) {
        int64_t e = 0;
        while (e < m * yst && want[e] == got[GUARD + e]) e++;
        snprintf(msg, cap, "%lldx%lldx%lld variant %d: first difference at row %lld col %lld: %d, want %d",
                 (long long)m, (long long)n, (long long)k, variant, (long long)(e / yst),
                 (long long)(e % yst), e < m * yst ? got[GUARD + e] : 0,
                 e < m * yst ? want[e] : 0);
    }
    qparams_free(&q);
    free(packed), free(x), free(w), free(want), free(got);
    return ok;
}

/* K = TERN_QS8_MAX_K with every product at +-65025 and the bias at +-2^30. */
static int gemm_kmax(const tern_qs8_gemm_kernel *kern) {
    int64_t k = TERN_QS8_MAX_K, n = 2;
    int8_t *x = malloc((size_t)k), *w = malloc((size_t)(2 * k)), y[2], want[2];
    memset(x, -128, (size_t)k);
    memset(w, 127, (size_t)k);
    memset(w + k, -128, (size_t)k);
    int32_t zw[2] = {-128, 127}, bias[2] = {-(1 << 30), 1 << 30};
    tern_requant_fp32 rq[2] = {{1e-9f, 0, -128, 127}, {1e-9f, 0, -128, 127}};
    tern_qs8_dot_params p = {.x_zero_point = 127, .w_zero_point = zw, .bias = bias, .requant = rq};
    int64_t xs[2] = {k, 1}, ws[2] = {k, 1}, ys[2] = {2, 1};
    tern_ref_qs8_gemm_fp32(1, n, k, x, xs, w, ws, &p, want, ys);
    void *packed = malloc(tern_qs8_gemm_packed_size(kern, n, k));
    int has_zw = tern_qs8_gemm_pack(kern, n, k, w, ws, &p, packed);
    tern_qs8_gemm_rows(kern, 0, 1, n, k, x, (size_t)k, packed, has_zw, y, 2);
    free(packed), free(x), free(w);
    return y[0] == want[0] && y[1] == want[1];
}

static void test_gemm_kernel(th_ctx *t, int i) {
    const tern_qs8_gemm_kernel *kern = &GEMMS[i];
    char name[160], msg[256] = "";
    snprintf(name, sizeof name, "qs8 x86: %s", kern->name);
    if (!qs8_cpu_has(GEMM_ISA[i])) {
        th_skip(t, name, "the CPU lacks its ISA");
        return;
    }
    int64_t mr = kern->mr, nr = kern->nr, kr = kern->kr;
    const int64_t ms[] = {1, mr - 1 > 0 ? mr - 1 : 1, mr, mr + 1, 2 * mr + 1};
    const int64_t ns[] = {1, nr - 1, nr, nr + 1, 2 * nr + 3, 40};
    const int64_t ks[] = {1, kr - 1, kr, kr + 1, 2 * kr + 3, 27, 64, 301};
    long cases = 0, bad = 0;
    uint64_t seed = 1000 + (uint64_t)i;
    for (size_t a = 0; a < sizeof ms / sizeof ms[0]; a++)
        for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++)
            for (size_t c = 0; c < sizeof ks / sizeof ks[0]; c++) {
                int v = (int)((a + b + c) % 4);
                cases++;
                if (!gemm_case(kern, ms[a], ns[b], ks[c], v, seed++, bad ? name : msg,
                               bad ? 0 : sizeof msg))
                    bad++;
            }
    for (int v = 0; v < 4; v++, cases++) /* a pointwise layer's shape */
        if (!gemm_case(kern, 3 * mr + 2, 72, 24, v, seed++, bad ? name : msg, bad ? 0 : sizeof msg))
            bad++;
    if (!gemm_kmax(kern)) {
        if (!bad) snprintf(msg, sizeof msg, "K at the maximum");
        bad++;
    }
    snprintf(name, sizeof name, "qs8 x86: %s (%ld shapes)", kern->name, cases + 1);
    th_check(t, bad == 0, name, "%ld of %ld wrong; first %s", bad, cases + 1, msg);
}

/* ---- depthwise ------------------------------------------------------------ */

static const tern_qs8_dwconv_kernel DWCONVS[] = {
#define X(fn, isa, cb) {#fn, fn, cb},
    TERN_QS8_DWCONV_X86_LIST(X)
#undef X
};
static const int DWCONV_ISA[] = {
#define X(fn, isa, cb) QS8_CPU_##isa,
    TERN_QS8_DWCONV_X86_LIST(X)
#undef X
};

typedef struct dw_case {
    int64_t n, c, h, w, k, s, d, pad; /* pad: 0 none, 1 "same" (k/2 * d), 2 asymmetric 0/k-1 */
} dw_case;

/* One depthwise convolution, NHWC with padded pixel and row strides, y
 * surrounded by guard bytes. */
static int dw_case_run(const tern_qs8_dwconv_kernel *kern, const dw_case *k, int variant,
                       uint64_t seed, char *msg, size_t cap) {
    nrng r = {seed};
    tern_conv_geom g = {.n = k->n, .c_in = k->c, .c_out = k->c, .group = k->c};
    int64_t ext = (k->k - 1) * k->d + 1;
    int64_t pb = k->pad == 1 ? ext / 2 : 0, pe = k->pad == 1 ? ext / 2 : k->pad == 2 ? ext - 1 : 0;
    for (int a = 0; a < 3; a++) {
        int sp = a > 0;
        g.in[a] = a == 0 ? 1 : a == 1 ? k->h : k->w;
        g.kernel[a] = sp ? k->k : 1, g.stride[a] = sp ? k->s : 1, g.dil[a] = sp ? k->d : 1;
        g.pad_begin[a] = sp ? pb : 0, g.pad_end[a] = sp ? pe : 0;
        g.out[a] = (g.in[a] + g.pad_begin[a] + g.pad_end[a] - ((g.kernel[a] - 1) * g.dil[a] + 1)) /
                       g.stride[a] +
                   1;
    }
    if (g.out[1] < 1 || g.out[2] < 1) return 1;
    int64_t pix = k->c + 3, oh = g.out[1], ow = g.out[2];
    int64_t xs[5] = {k->h * k->w * pix, 1, 0, k->w * pix, pix};
    int64_t ys[5] = {oh * ow * pix, 1, 0, ow * pix, pix};
    int64_t taps = k->k * k->k, ws[5] = {taps, taps, taps, k->k, 1};
    size_t xn = (size_t)(k->n * xs[0]), yn = (size_t)(k->n * ys[0]);
    int8_t *x = malloc(xn), *w = malloc((size_t)(k->c * taps));
    int8_t *want = malloc(yn), *got = malloc(yn + 2 * GUARD);
    nrng_fill_s8(&r, x, (int64_t)xn, -128, 127);
    nrng_fill_s8(&r, w, k->c * taps, -128, 127);
    if (variant == 2)
        for (size_t i = 0; i < xn; i++) x[i] = (int8_t)(i % 7 < 3 ? 127 : -128);
    qparams q;
    qparams_make(&q, k->c, taps, variant, &r);
    memset(want, 0x5a, yn);
    memset(got, 0x5a, yn + 2 * GUARD);
    tern_ref_qs8_dwconv_fp32(&g, x, xs, w, ws, &q.p, want, ys);
    void *packed = malloc(tern_qs8_dwconv_packed_size(kern, k->c, taps));
    tern_qs8_dwconv_pack(kern, k->c, k->k, k->k, w, ws, &q.p, packed);
    int ok = tern_qs8_dwconv_supported(&g, xs, ys);
    if (ok) tern_qs8_dwconv_rows(kern, &g, x, xs, packed, got + GUARD, ys, 0, k->n * oh);
    ok = ok && memcmp(want, got + GUARD, yn) == 0;
    for (int i = 0; i < GUARD && ok; i++) ok = got[i] == 0x5a && got[GUARD + (int64_t)yn + i] == 0x5a;
    if (!ok) {
        size_t e = 0;
        while (e < yn && want[e] == got[GUARD + e]) e++;
        snprintf(msg, cap,
                 "n%lld c%lld %lldx%lld k%lld s%lld d%lld pad%lld variant %d: byte %zu: %d, want %d",
                 (long long)k->n, (long long)k->c, (long long)k->h, (long long)k->w, (long long)k->k,
                 (long long)k->s, (long long)k->d, (long long)k->pad, variant, e,
                 e < yn ? got[GUARD + e] : 0, e < yn ? want[e] : 0);
    }
    qparams_free(&q);
    free(packed), free(x), free(w), free(want), free(got);
    return ok;
}

static void test_dwconv_kernel(th_ctx *t, int i) {
    const tern_qs8_dwconv_kernel *kern = &DWCONVS[i];
    char name[160], msg[256] = "";
    snprintf(name, sizeof name, "qs8 x86: %s", kern->name);
    if (!qs8_cpu_has(DWCONV_ISA[i])) {
        th_skip(t, name, "the CPU lacks its ISA");
        return;
    }
    static const int64_t cs[] = {1, 7, 15, 16, 17, 31, 32, 33, 72};
    static const int64_t ks[] = {3, 5, 1, 2, 7};
    long cases = 0, bad = 0;
    uint64_t seed = 5000 + (uint64_t)i;
    for (size_t a = 0; a < sizeof cs / sizeof cs[0]; a++)
        for (size_t b = 0; b < sizeof ks / sizeof ks[0]; b++)
            for (int s = 1; s <= 2; s++)
                for (int pad = 0; pad < 3; pad++) {
                    int64_t kk = ks[b];
                    if (kk > 5 && (a % 3 || pad != 1)) continue; /* 7x7: a few cases */
                    dw_case c = {.n = 1 + (int64_t)(a % 2), .c = cs[a], .h = 3 + (int64_t)((a + b) % 6),
                                 .w = 2 + (int64_t)((a * 3 + b + (size_t)pad) % 9) + kk, .k = kk,
                                 .s = s, .d = (a + b + (size_t)pad) % 5 == 0 ? 2 : 1, .pad = pad};
                    int v = (int)((a + b + (size_t)s + (size_t)pad) % 4);
                    cases++;
                    if (!dw_case_run(kern, &c, v, seed++, bad ? name : msg, bad ? 0 : sizeof msg))
                        bad++;
                }
    snprintf(name, sizeof name, "qs8 x86: %s (%ld shapes)", kern->name, cases);
    th_check(t, bad == 0, name, "%ld of %ld wrong; first %s", bad, cases, msg);
}

/* ---- the list ---------------------------------------------------------------- */

static const char *const ALL_NAMES[] = {
#define X(fn, ...) #fn,
    TERN_QS8_GEMM_X86_LIST(X) TERN_QS8_DWCONV_X86_LIST(X)
#undef X
};

/* Every qs8 kernel file in arch/x86/ is in the list (so it is tested). */
static void test_list_complete(th_ctx *t) {
    DIR *d = opendir("arch/x86");
    if (!d) {
        th_skip(t, "qs8 x86: every kernel file is listed", "arch/x86 not found (run from the repo)");
        return;
    }
    struct dirent *e;
    char missing[200] = "";
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "qs8_", 4) != 0 || len < 3 || strcmp(e->d_name + len - 2, ".c"))
            continue;
        int found = 0;
        files++;
        for (size_t i = 0; i < sizeof ALL_NAMES / sizeof ALL_NAMES[0]; i++)
            if (strlen(ALL_NAMES[i]) == len - 2 + 5 && strncmp(ALL_NAMES[i] + 5, e->d_name, len - 2) == 0)
                found = 1;
        if (!found) snprintf(missing, sizeof missing, "%s", e->d_name);
    }
    closedir(d);
    th_check(t, missing[0] == 0 && files == (int)(sizeof ALL_NAMES / sizeof ALL_NAMES[0]),
             "qs8 x86: every kernel file is listed", "%s is not (%d files)", missing, files);
}

TH_SUITE(suite_kernels_qs8_x86) {
    test_list_complete(t);
    for (int i = 0; i < (int)(sizeof GEMMS / sizeof GEMMS[0]); i++) test_gemm_kernel(t, i);
    for (int i = 0; i < (int)(sizeof DWCONVS / sizeof DWCONVS[0]); i++) test_dwconv_kernel(t, i);
}

#else

TH_SUITE(suite_kernels_qs8_x86) { th_skip(t, "qs8 x86 kernels", "not an x86-64 build"); }

#endif
