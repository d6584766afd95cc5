/* ktest_qs8_dwconv: a qs8 depthwise micro-kernel (arch/qs8_dwconv.h,
 * through its indirection driver) against tern_ref_qs8_dwconv_fp32, byte
 * for byte: channel counts around its block (odd, tails), kernels 1x1 to
 * 7x7, strides 1 and 2, dilation 2, no / "same" / asymmetric padding
 * (borders), batch 2, padded NHWC strides, the parameter variants of
 * ktest_qs8.h, and guard bytes around the output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/qs8_dwconv.h"
#include "kernels/ref/qs8_dwconv_fp32.h"
#include "tests/ktest.h"
#include "tests/ktest_qs8.h"

typedef struct dw_case {
    int64_t n, c, h, w, k, s, d, pad; /* pad: 0 none, 1 "same" (k/2 * d), 2 asymmetric 0/k-1 */
} dw_case;

/* One depthwise convolution, NHWC with padded pixel and row strides, y
 * surrounded by guard bytes. */
static int dw_case_run(const tern_qs8_dwconv_ukernel *kern, const dw_case *k, int variant,
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
    int8_t *want = malloc(yn), *got = malloc(yn + 2 * KTEST_QS8_GUARD);
    nrng_fill_s8(&r, x, (int64_t)xn, -128, 127);
    nrng_fill_s8(&r, w, k->c * taps, -128, 127);
    if (variant == 2)
        for (size_t i = 0; i < xn; i++) x[i] = (int8_t)(i % 7 < 3 ? 127 : -128);
    qparams q;
    qparams_make(&q, k->c, taps, variant, &r);
    memset(want, 0x5a, yn);
    memset(got, 0x5a, yn + 2 * KTEST_QS8_GUARD);
    tern_ref_qs8_dwconv_fp32(&g, x, xs, w, ws, &q.p, want, ys);
    void *packed = malloc(tern_qs8_dwconv_packed_size(kern, k->c, taps));
    tern_qs8_dwconv_pack(kern, k->c, k->k, k->k, w, ws, &q.p, packed);
    int ok = tern_qs8_dwconv_supported(&g, xs, ys);
    if (ok) tern_qs8_dwconv_rows(kern, &g, x, xs, packed, got + KTEST_QS8_GUARD, ys, 0, k->n * oh);
    ok = ok && memcmp(want, got + KTEST_QS8_GUARD, yn) == 0;
    for (int i = 0; i < KTEST_QS8_GUARD && ok; i++) ok = got[i] == 0x5a && got[KTEST_QS8_GUARD + (int64_t)yn + i] == 0x5a;
    if (!ok) {
        size_t e = 0;
        while (e < yn && want[e] == got[KTEST_QS8_GUARD + e]) e++;
        snprintf(msg, cap,
                 "n%lld c%lld %lldx%lld k%lld s%lld d%lld pad%lld variant %d: byte %zu: %d, want %d",
                 (long long)k->n, (long long)k->c, (long long)k->h, (long long)k->w, (long long)k->k,
                 (long long)k->s, (long long)k->d, (long long)k->pad, variant, e,
                 e < yn ? got[KTEST_QS8_GUARD + e] : 0, e < yn ? want[e] : 0);
    }
    qparams_free(&q);
    free(packed), free(x), free(w), free(want), free(got);
    return ok;
}

void ktest_qs8_dwconv(th_ctx *t, const tern_qs8_dwconv_ukernel *kern) {
    char name[160], msg[256] = "";
    static const int64_t cs[] = {1, 7, 15, 16, 17, 31, 32, 33, 72};
    static const int64_t ks[] = {3, 5, 1, 2, 7};
    long cases = 0, bad = 0;
    uint64_t seed = 5000 + (uint64_t)kern->cb;
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
    snprintf(name, sizeof name, "%s (%ld shapes)", kern->name, cases);
    th_check(t, bad == 0, name, "%ld of %ld wrong; first %s", bad, cases, msg);
}
