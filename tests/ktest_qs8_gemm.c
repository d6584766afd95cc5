/* ktest_qs8_gemm: a qs8 GEMM micro-kernel (arch/qs8_gemm.h) against
 * tern_ref_qs8_gemm_fp32, byte for byte, over M, N and K around its tile
 * (tails), padded row strides, the parameter variants of ktest_qs8.h
 * (extreme and per-channel zero points and scales, weight zero points,
 * biases at +-2^30, saturation), K at its maximum, and guard bytes around
 * the output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/qs8_gemm.h"
#include "kernels/ref/qs8_gemm_fp32.h"
#include "tests/ktest.h"
#include "tests/ktest_qs8.h"

/* One GEMM m x n x k with kernel kern; the x rows and the y rows are padded
 * (strides k + 5, n + 3) and y is surrounded by guard bytes. */
static int gemm_case(const tern_qs8_gemm_ukernel *kern, int64_t m, int64_t n, int64_t k,
                     int variant, uint64_t seed, char *msg, size_t cap) {
    nrng r = {seed};
    int64_t xst = k + 5, yst = n + 3;
    int8_t *x = malloc((size_t)(m * xst)), *w = malloc((size_t)(n * k));
    int8_t *want = malloc((size_t)(m * yst)), *got = malloc((size_t)(m * yst + 2 * KTEST_QS8_GUARD));
    nrng_fill_s8(&r, x, m * xst, -128, 127);
    nrng_fill_s8(&r, w, n * k, -128, 127);
    if (variant == 2) /* saturate: rows of +-128/127 */
        for (int64_t i = 0; i < m * xst; i++) x[i] = (int8_t)(i / xst % 2 ? 127 : -128);
    qparams q;
    qparams_make(&q, n, k, variant, &r);
    int64_t xs[2] = {xst, 1}, ws[2] = {k, 1}, ys[2] = {yst, 1};
    memset(want, 0x5a, (size_t)(m * yst));
    memset(got, 0x5a, (size_t)(m * yst + 2 * KTEST_QS8_GUARD));
    tern_ref_qs8_gemm_fp32(m, n, k, x, xs, w, ws, &q.p, want, ys);
    void *packed = malloc(tern_qs8_gemm_packed_size(kern, n, k));
    int has_zw = tern_qs8_gemm_pack(kern, n, k, w, ws, &q.p, packed);
    tern_qs8_gemm_rows(kern, 0, m, n, k, x, (size_t)xst, packed, has_zw, got + KTEST_QS8_GUARD,
                       (size_t)yst);
    int ok = memcmp(want, got + KTEST_QS8_GUARD, (size_t)(m * yst)) == 0;
    for (int i = 0; i < KTEST_QS8_GUARD && ok; i++)
        ok = got[i] == 0x5a && got[KTEST_QS8_GUARD + m * yst + i] == 0x5a;
    if (!ok) {
        int64_t e = 0;
        while (e < m * yst && want[e] == got[KTEST_QS8_GUARD + e]) e++;
        snprintf(msg, cap, "%lldx%lldx%lld variant %d: first difference at row %lld col %lld: %d, want %d",
                 (long long)m, (long long)n, (long long)k, variant, (long long)(e / yst),
                 (long long)(e % yst), e < m * yst ? got[KTEST_QS8_GUARD + e] : 0,
                 e < m * yst ? want[e] : 0);
    }
    qparams_free(&q);
    free(packed), free(x), free(w), free(want), free(got);
    return ok;
}

/* K = TERN_QS8_MAX_K with every product at +-65025 and the bias at +-2^30. */
static int gemm_kmax(const tern_qs8_gemm_ukernel *kern) {
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

void ktest_qs8_gemm(th_ctx *t, const tern_qs8_gemm_ukernel *kern) {
    char name[160], msg[256] = "";
    int64_t mr = kern->mr, nr = kern->nr, kr = kern->kr;
    const int64_t ms[] = {1, mr - 1 > 0 ? mr - 1 : 1, mr, mr + 1, 2 * mr + 1};
    const int64_t ns[] = {1, nr - 1, nr, nr + 1, 2 * nr + 3, 40};
    const int64_t ks[] = {1, kr - 1, kr, kr + 1, 2 * kr + 3, 27, 64, 301};
    long cases = 0, bad = 0;
    uint64_t seed = 1000 + (uint64_t)kern->mr * 31 + (uint64_t)kern->nr;
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
    snprintf(name, sizeof name, "%s (%ld shapes)", kern->name, cases + 1);
    th_check(t, bad == 0, name, "%ld of %ld wrong; first %s", bad, cases + 1, msg);
}
