/* Packed int8 GEMM micro-kernels (kernels/qs8_gemm_packed.h) against the
 * reference tern_ref_qs8_gemm_fp32, byte for byte, over a sweep of shapes
 * (every row and channel tail of the tile, k tails of the 4-byte groups,
 * long k), zero points at the extremes, weight zero points (the uint8
 * path: row sums), bias extremes, clamps and saturating scales. Every
 * kernel of the list runs; one whose ISA this CPU lacks reports skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/qs8_conv_packed.h"
#include "kernels/qs8_gemm_packed.h"
#include "kernels/qs8_gemm_scalar.h"
#include "kernels/ref/qs8_conv_fp32.h"
#include "kernels/ref/qs8_gemm_fp32.h"
#include "tests/harness.h"
#include "tests/int8_naive.h"
#include "tests/simd_cpu.h"

#if defined(__aarch64__)
#include "arch/arm/qs8_kernels_arm.h"
#endif

typedef struct gemm_case {
    const char *name;
    tern_qs8_gemm_ukernel uk;
    int isa; /* TEST_ISA_* the kernel needs */
} gemm_case;

static const gemm_case gemm_kernels[] = {
    {"qs8_qc8w_gemm_minmax_fp32_4x8c4__scalar",
     {tern_qs8_qc8w_gemm_minmax_fp32_ukernel_4x8c4__scalar, 4, 8, 4}, TEST_ISA_NONE},
#if defined(__aarch64__)
    {"qs8_qc8w_gemm_minmax_fp32_4x8c4__neon",
     {tern_qs8_qc8w_gemm_minmax_fp32_ukernel_4x8c4__neon, 4, 8, 4}, TEST_ISA_NEON},
    {"qs8_qc8w_gemm_minmax_fp32_4x8c4__neondot",
     {tern_qs8_qc8w_gemm_minmax_fp32_ukernel_4x8c4__neondot, 4, 8, 4}, TEST_ISA_NEONDOT},
#endif
};

typedef struct gemm_shape {
    int64_t m, n, k;
    int zw_mode;   /* 0: all zero, 1: random per channel, 2: extremes */
    int extremes;  /* 1: operands at -128/127, zero points at the far end; 2: exact ties */
    int clamp;     /* 0: full range, 1: relu-like, 2: narrow */
} gemm_shape;

/* One case: random operands in padded buffers (row strides > k, > n),
 * the kernel through the driver vs the reference. Returns 1 if equal. */
static int run_case(const tern_qs8_gemm_ukernel *uk, const gemm_shape *s, nrng *r, char *msg,
                    size_t cap) {
    int64_t m = s->m, n = s->n, k = s->k, xst = k + 3, yst = n + 5;
    int8_t *x = malloc((size_t)(m * xst)), *w = malloc((size_t)(n * k));
    int8_t *y = malloc((size_t)(m * yst)), *yr = malloc((size_t)(m * yst));
    int32_t *zw = malloc(sizeof(int32_t) * (size_t)n), *bias = malloc(sizeof(int32_t) * (size_t)n);
    tern_requant_fp32 *rq = malloc(sizeof(tern_requant_fp32) * (size_t)n);
    void *packed = malloc(tern_qs8_gemm_packed_size(n, k, uk->nr, uk->kr));
    nrng_fill_s8(r, x, m * xst, -128, 127);
    nrng_fill_s8(r, w, n * k, -128, s->extremes ? -128 : 127);
    if (s->extremes == 1) /* |x - z_x| = 255 or 254 and w = -128 with z_w = 127: the largest products */
        for (int64_t i = 0; i < m * xst; i++) x[i] = (int8_t)(x[i] >= 0 ? -128 : -127);
    int ties = s->extremes == 2; /* small sums at scale 1/2: every odd one is a tie */
    if (ties) {
        nrng_fill_s8(r, x, m * xst, -3, 3);
        nrng_fill_s8(r, w, n * k, -3, 3);
    }
    int32_t zx = s->extremes == 1 ? 127 : ties ? nrng_int(r, -2, 2) : nrng_int(r, -128, 127);
    int32_t zy = nrng_int(r, -128, 127);
    for (int64_t c = 0; c < n; c++) {
        zw[c] = s->zw_mode == 0 ? 0 : s->zw_mode == 2 ? 127 : nrng_int(r, -128, 127);
        if (ties) zw[c] = s->zw_mode ? nrng_int(r, -2, 2) : 0;
        bias[c] = ties ? nrng_int(r, -9, 9) : s->extremes ? (c & 1 ? 1 << 30 : -(1 << 30)) : nrng_int(r, -100000, 100000);
        float scale = (float)(0.9 / (255.0 * 255.0 * (double)k)) * (float)(1 + 4 * nrng_unit(r));
        if (c % 7 == 3) scale *= 1e6f; /* saturates */
        if (c % 7 == 5) scale = 0x1p-8f; /* exact ties */
        int32_t qmin = s->clamp ? zy : -128, qmax = s->clamp == 2 ? (zy + 30 < 127 ? zy + 30 : 127) : 127;
        if (ties) scale = c & 1 ? 0.5f : 0.25f;
        rq[c] = (tern_requant_fp32){.scale = s->extremes == 1 ? 1e-9f * (float)(c + 1) : scale,
                                    .zero_point = zy, .qmin = qmin, .qmax = qmax};
    }
    tern_qs8_dot_params p = {.x_zero_point = zx, .w_zero_point = zw, .bias = bias, .requant = rq};
    int64_t xs[2] = {xst, 1}, ws[2] = {k, 1}, ys[2] = {yst, 1};
    memset(y, 0x55, (size_t)(m * yst));
    memset(yr, 0x55, (size_t)(m * yst));
    tern_ref_qs8_gemm_fp32(m, n, k, x, xs, w, ws, &p, yr, ys);
    tern_qs8_gemm_pack(n, k, uk->nr, uk->kr, w, ws, &p, packed);
    tern_qs8_gemm_packed_run(uk, m, n, k, x, (size_t)xst, packed, tern_qs8_gemm_needs_rowsum(n, &p),
                             y, (size_t)yst);
    int ok = memcmp(y, yr, (size_t)(m * yst)) == 0;
    if (!ok)
        for (int64_t i = 0; i < m * yst; i++)
            if (y[i] != yr[i]) {
                snprintf(msg, cap, "m %lld n %lld k %lld zw %d: y[%lld][%lld] %d, want %d",
                         (long long)m, (long long)n, (long long)k, s->zw_mode,
                         (long long)(i / yst), (long long)(i % yst), y[i], yr[i]);
                break;
            }
    free(x), free(w), free(y), free(yr), free(zw), free(bias), free(rq), free(packed);
    return ok;
}

static void test_gemm_kernel(th_ctx *t, const gemm_case *gc) {
    char name[160], msg[200] = "", tmp[200];
    snprintf(name, sizeof name, "%s: bit-exact with the reference over a shape sweep", gc->name);
    if (!test_cpu_has(gc->isa)) {
        th_skip(t, name, "this CPU lacks the ISA");
        return;
    }
    static const int64_t ks[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 33, 64, 100, 257};
    nrng r = {0xa5a5u};
    int cases = 0, bad = 0;
    const tern_qs8_gemm_ukernel *uk = &gc->uk;
    for (int64_t m = 1; m <= 2 * uk->mr + 1; m++)
        for (int64_t n = 1; n <= 2 * uk->nr + 1; n += (n < uk->nr + 1 ? 1 : 3))
            for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
                gemm_shape s = {m, n, ks[ki], (int)((m + n + ki) % 3), (int)((m + ki) % 4 == 1) * 2,
                                (int)((m * n + ki) % 3)};
                cases++;
                if (!run_case(uk, &s, &r, tmp, sizeof tmp) && bad++ == 0) strcpy(msg, tmp);
            }
    /* the accumulator bound: k = TERN_QS8_MAX_K with the largest products and biases */
    gemm_shape big[] = {{5, 9, TERN_QS8_MAX_K, 2, 1, 0}, {3, 24, 1280, 0, 0, 1},
                        {37, 40, 144, 1, 0, 0}, {2, 3, TERN_QS8_MAX_K - 3, 2, 1, 2}};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        cases++;
        if (!run_case(uk, &big[i], &r, tmp, sizeof tmp) && bad++ == 0) strcpy(msg, tmp);
    }
    th_check(t, bad == 0, name, "%d of %d shapes differ; first: %s", bad, cases, msg);
}

/* ---- convolution through im2col tiles ------------------------------------ */

typedef struct conv_shape {
    int64_t cin, cout, h, w, kh, kw, stride, pt, pl, pb, pr;
} conv_shape;

static tern_conv_geom conv_geom(const conv_shape *s) {
    tern_conv_geom g = {.n = 2, .c_in = s->cin, .c_out = s->cout, .group = 1};
    g.in[0] = g.out[0] = g.kernel[0] = g.stride[0] = g.dil[0] = g.dil[1] = g.dil[2] = 1;
    g.in[1] = s->h, g.in[2] = s->w, g.kernel[1] = s->kh, g.kernel[2] = s->kw;
    g.stride[1] = g.stride[2] = s->stride;
    g.pad_begin[1] = s->pt, g.pad_begin[2] = s->pl, g.pad_end[1] = s->pb, g.pad_end[2] = s->pr;
    g.out[1] = (s->h + s->pt + s->pb - s->kh) / s->stride + 1;
    g.out[2] = (s->w + s->pl + s->pr - s->kw) / s->stride + 1;
    return g;
}

/* NHWC input with padded pixels (or dense, for the pointwise path), dense
 * NHWC output, ONNX [C_out, C_in, KH, KW] weights. */
static int run_conv(const tern_qs8_gemm_ukernel *uk, const conv_shape *s, int dense, nrng *r) {
    tern_conv_geom g = conv_geom(s);
    int64_t pix = s->cin + (dense ? 0 : 2), co = s->cout;
    int64_t xs[5] = {s->h * s->w * pix, 1, 0, s->w * pix, pix};
    int64_t ys[5] = {g.out[1] * g.out[2] * co, 1, 0, g.out[2] * co, co};
    int64_t ws[5] = {s->cin * s->kh * s->kw, s->kh * s->kw, 0, s->kw, 1};
    size_t nx = (size_t)(2 * xs[0]), ny = (size_t)(2 * ys[0]), nw = (size_t)(co * ws[0]);
    int8_t *x = malloc(nx), *w = malloc(nw), *y = malloc(ny), *yr = malloc(ny);
    int32_t *zw = malloc(sizeof(int32_t) * (size_t)co), *bias = malloc(sizeof(int32_t) * (size_t)co);
    tern_requant_fp32 *rq = malloc(sizeof(tern_requant_fp32) * (size_t)co);
    void *packed = malloc(tern_qs8_conv_packed_size(&g, uk));
    void *scratch = malloc(tern_qs8_conv_scratch_size(&g, uk));
    nrng_fill_s8(r, x, (int64_t)nx, -128, 127);
    nrng_fill_s8(r, w, (int64_t)nw, -128, 127);
    int32_t zx = nrng_int(r, -128, 127), zy = nrng_int(r, -128, 127);
    int64_t k = tern_qs8_conv_packed_k(&g);
    for (int64_t c = 0; c < co; c++) {
        zw[c] = c % 4 == 2 ? nrng_int(r, -128, 127) : 0;
        bias[c] = nrng_int(r, -100000, 100000);
        float scale = (float)(1.0 / (255.0 * 255.0 * (double)k)) * (float)(1 + 4 * nrng_unit(r));
        rq[c] = (tern_requant_fp32){.scale = scale, .zero_point = zy, .qmin = c & 1 ? zy : -128,
                                    .qmax = 127};
    }
    tern_qs8_dot_params p = {.x_zero_point = zx, .w_zero_point = zw, .bias = bias, .requant = rq};
    memset(y, 0x55, ny);
    memset(yr, 0x55, ny);
    tern_ref_qs8_conv_fp32(&g, x, xs, w, ws, &p, yr, ys);
    tern_qs8_conv_pack(&g, uk, w, ws, &p, packed);
    int ok = tern_qs8_conv_packed_supports(&g, xs, ys);
    if (ok) {
        tern_qs8_conv_packed_run(uk, &g, x, xs, packed, zx, tern_qs8_gemm_needs_rowsum(co, &p), y,
                                 ys, scratch);
        ok = memcmp(y, yr, ny) == 0;
    }
    free(x), free(w), free(y), free(yr), free(zw), free(bias), free(rq), free(packed), free(scratch);
    return ok;
}

static void test_conv_kernel(th_ctx *t, const gemm_case *gc) {
    char name[160];
    snprintf(name, sizeof name, "%s: convolution via im2col bit-exact with the reference",
             gc->name);
    if (!test_cpu_has(gc->isa)) {
        th_skip(t, name, "this CPU lacks the ISA");
        return;
    }
    static const conv_shape shapes[] = {
        {3, 16, 9, 9, 3, 3, 2, 1, 1, 1, 1},   /* first conv, symmetric padding */
        {3, 32, 10, 8, 3, 3, 2, 0, 0, 1, 1},  /* first conv, TensorFlow SAME */
        {3, 8, 7, 7, 3, 3, 1, 1, 1, 1, 1},
        {5, 9, 6, 7, 3, 3, 1, 1, 1, 1, 1},
        {16, 24, 5, 5, 1, 1, 1, 0, 0, 0, 0},  /* pointwise */
        {17, 13, 4, 6, 1, 1, 1, 0, 0, 0, 0},
        {16, 8, 6, 6, 1, 1, 2, 0, 0, 0, 0},   /* 1x1 stride 2 */
        {7, 11, 8, 8, 5, 5, 2, 2, 2, 2, 2},
        {4, 6, 5, 9, 3, 5, 1, 0, 2, 1, 0},    /* lopsided */
        {32, 40, 3, 3, 3, 3, 1, 1, 1, 1, 1},
        {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
    };
    nrng r = {0xc0c0u};
    int bad = 0, n = (int)(sizeof shapes / sizeof shapes[0]);
    for (int i = 0; i < n; i++)
        for (int dense = 0; dense < 2; dense++) bad += !run_conv(&gc->uk, &shapes[i], dense, &r);
    th_check(t, bad == 0, name, "%d of %d shapes differ", bad, 2 * n);
}

TH_SUITE(suite_kernels_qs8_gemm_packed) {
    for (size_t i = 0; i < sizeof gemm_kernels / sizeof gemm_kernels[0]; i++) {
        test_gemm_kernel(t, &gemm_kernels[i]);
        test_conv_kernel(t, &gemm_kernels[i]);
    }
}
