/* Packed int8 depthwise micro-kernels (kernels/qs8_dwconv_packed.h)
 * against tern_ref_qs8_dwconv_fp32, byte for byte: 3x3 and 5x5, stride 1
 * and 2, dilation 1 and 2, symmetric and lopsided padding (every border
 * tap), channel counts around the 16/8-channel steps, NHWC with padded
 * pixel strides, zero points at the extremes and per-channel weight zero
 * points. A kernel whose ISA this CPU lacks reports skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/qs8_dwconv_packed.h"
#include "kernels/qs8_dwconv_scalar.h"
#include "kernels/ref/qs8_dwconv_fp32.h"
#include "tests/harness.h"
#include "tests/int8_naive.h"
#include "tests/simd_cpu.h"

#if defined(__aarch64__)
#include "arch/arm/qs8_kernels_arm.h"
#endif

typedef struct dw_case {
    const char *name;
    tern_qs8_dwconv_ukernel uk;
    int isa;
} dw_case;

static const dw_case dw_kernels[] = {
    {"qs8_qc8w_dwconv_minmax_fp32_9p16c__scalar",
     {tern_qs8_qc8w_dwconv_minmax_fp32_ukernel_9p16c__scalar, 9, 16}, TEST_ISA_NONE},
    {"qs8_qc8w_dwconv_minmax_fp32_25p16c__scalar",
     {tern_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p16c__scalar, 25, 16}, TEST_ISA_NONE},
#if defined(__aarch64__)
    {"qs8_qc8w_dwconv_minmax_fp32_9p16c__neon",
     {tern_qs8_qc8w_dwconv_minmax_fp32_ukernel_9p16c__neon, 9, 16}, TEST_ISA_NEON},
    {"qs8_qc8w_dwconv_minmax_fp32_25p16c__neon",
     {tern_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p16c__neon, 25, 16}, TEST_ISA_NEON},
#endif
};

typedef struct dw_shape {
    int64_t c, h, w, k, stride, dil, pt, pl, pb, pr;
    int extremes;
} dw_shape;

static tern_conv_geom dw_geom(const dw_shape *s) {
    tern_conv_geom g = {.n = 2, .c_in = s->c, .c_out = s->c, .group = s->c};
    g.in[0] = g.out[0] = g.kernel[0] = g.stride[0] = g.dil[0] = 1;
    g.in[1] = s->h, g.in[2] = s->w, g.kernel[1] = g.kernel[2] = s->k;
    g.stride[1] = g.stride[2] = s->stride, g.dil[1] = g.dil[2] = s->dil;
    g.pad_begin[1] = s->pt, g.pad_begin[2] = s->pl, g.pad_end[1] = s->pb, g.pad_end[2] = s->pr;
    g.out[1] = (s->h + s->pt + s->pb - s->dil * (s->k - 1) - 1) / s->stride + 1;
    g.out[2] = (s->w + s->pl + s->pr - s->dil * (s->k - 1) - 1) / s->stride + 1;
    return g;
}

static int run_case(const tern_qs8_dwconv_ukernel *uk, const dw_shape *s, nrng *r, char *msg,
                    size_t cap) {
    tern_conv_geom g = dw_geom(s);
    if (g.out[1] < 1 || g.out[2] < 1) return 1;
    int64_t c = s->c, pix = c + 3; /* NHWC, each pixel padded by 3 bytes */
    int64_t xs[5] = {s->h * s->w * pix, 1, 0, s->w * pix, pix};
    int64_t ys[5] = {g.out[1] * g.out[2] * pix, 1, 0, g.out[2] * pix, pix};
    int64_t ws[5] = {s->k * s->k, 0, 0, s->k, 1};
    size_t nx = (size_t)(2 * xs[0]), ny = (size_t)(2 * ys[0]), nw = (size_t)(c * s->k * s->k);
    int8_t *x = malloc(nx), *w = malloc(nw), *y = malloc(ny), *yr = malloc(ny), *zero = malloc((size_t)c);
    int32_t *zw = malloc(sizeof(int32_t) * (size_t)c), *bias = malloc(sizeof(int32_t) * (size_t)c);
    tern_requant_fp32 *rq = malloc(sizeof(tern_requant_fp32) * (size_t)c);
    void *packed = malloc(tern_qs8_dwconv_packed_size(c, uk->ks, uk->cr));
    nrng_fill_s8(r, x, (int64_t)nx, -128, 127);
    nrng_fill_s8(r, w, (int64_t)nw, -128, 127);
    int32_t zx = s->extremes ? -128 : nrng_int(r, -128, 127), zy = nrng_int(r, -128, 127);
    for (int64_t i = 0; i < c; i++) {
        zw[i] = s->extremes ? 127 : (i % 3 ? 0 : nrng_int(r, -128, 127));
        bias[i] = s->extremes ? (i & 1 ? 1 << 30 : -(1 << 30)) : nrng_int(r, -50000, 50000);
        float scale = (float)(2.0 / (255.0 * 255.0 * (double)uk->ks) * (0.2 + nrng_unit(r)));
        if (s->extremes) scale = 1e-9f;
        rq[i] = (tern_requant_fp32){.scale = scale, .zero_point = zy,
                                    .qmin = i % 4 == 1 ? zy : -128, .qmax = 127};
    }
    if (s->extremes)
        for (size_t i = 0; i < nw; i++) w[i] = -128;
    tern_qs8_dot_params p = {.x_zero_point = zx, .w_zero_point = zw, .bias = bias, .requant = rq};
    memset(y, 0x55, ny);
    memset(yr, 0x55, ny);
    tern_ref_qs8_dwconv_fp32(&g, x, xs, w, ws, &p, yr, ys);
    tern_qs8_dwconv_pack(c, s->k, s->k, uk->cr, w, ws, &p, packed);
    int ok = tern_qs8_dwconv_packed_supports(uk, &g, xs, ys);
    if (ok) {
        tern_qs8_dwconv_packed_run(uk, &g, x, xs, packed, zx, y, ys, zero);
        ok = memcmp(y, yr, ny) == 0;
    }
    if (!ok)
        snprintf(msg, cap, "c %lld %lldx%lld k %lld s %lld d %lld pads %lld,%lld,%lld,%lld",
                 (long long)c, (long long)s->h, (long long)s->w, (long long)s->k,
                 (long long)s->stride, (long long)s->dil, (long long)s->pt, (long long)s->pl,
                 (long long)s->pb, (long long)s->pr);
    free(x), free(w), free(y), free(yr), free(zero), free(zw), free(bias), free(rq), free(packed);
    return ok;
}

static void test_dw_kernel(th_ctx *t, const dw_case *dc) {
    char name[160], msg[200] = "", tmp[200];
    snprintf(name, sizeof name, "%s: bit-exact with the reference over a shape sweep", dc->name);
    if (!test_cpu_has(dc->isa)) {
        th_skip(t, name, "this CPU lacks the ISA");
        return;
    }
    static const int64_t cs[] = {1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 33, 40};
    int64_t k = dc->uk.ks == 9 ? 3 : 5;
    nrng r = {0x5eedu};
    int cases = 0, bad = 0;
    for (size_t ci = 0; ci < sizeof cs / sizeof cs[0]; ci++)
        for (int64_t hw = 1; hw <= 9; hw += 2)
            for (int64_t st = 1; st <= 2; st++)
                for (int v = 0; v < 4; v++) {
                    int64_t pad = k / 2, dil = v == 3 ? 2 : 1;
                    dw_shape s = {cs[ci], hw, hw + v % 2, k, st, dil,
                                  v == 1 ? 0 : pad, pad, v == 2 ? pad + 1 : pad, v == 1 ? 0 : pad,
                                  (int)((ci + (size_t)hw) % 5 == 0)};
                    cases++;
                    if (!run_case(&dc->uk, &s, &r, tmp, sizeof tmp) && bad++ == 0) strcpy(msg, tmp);
                }
    dw_shape big = {144, 14, 14, k, 1, 1, k / 2, k / 2, k / 2, k / 2, 0};
    cases++;
    if (!run_case(&dc->uk, &big, &r, tmp, sizeof tmp) && bad++ == 0) strcpy(msg, tmp);
    th_check(t, bad == 0, name, "%d of %d shapes differ; first: %s", bad, cases, msg);
}

TH_SUITE(suite_kernels_qs8_dwconv_packed) {
    for (size_t i = 0; i < sizeof dw_kernels / sizeof dw_kernels[0]; i++)
        test_dw_kernel(t, &dw_kernels[i]);
}
