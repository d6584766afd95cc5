/* ktest_qs8_quantize: the QuantizeLinear float32 -> int8 micro-kernel
 * against tern_ref_quantize_f32, byte for byte: lengths around the vector
 * width (tails), zero points at the extremes, scales from 1e-6 to 1e3,
 * values at exact ties (k + 0.5) * s, beyond the range, +-inf, NaN,
 * subnormals and signed zeros. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/qs8_vbinary.h"
#include "kernels/ref/qs8_quantize.h"
#include "tests/ktest.h"
#include "tests/ktest_qs8.h"

static int q_case(const tern_qs8_quantize_ukernel *k, size_t n, float s, int32_t z, uint64_t seed,
                  char *msg, size_t cap) {
    nrng r = {seed};
    float *x = malloc(n * sizeof *x);
    int8_t *want = malloc(n), *got = malloc(n + 2 * KTEST_QS8_GUARD);
    static const float special[] = {INFINITY, -INFINITY, NAN, 0.0f, -0.0f, FLT_MIN / 4, FLT_MAX};
    for (size_t i = 0; i < n; i++) {
        int kind = (int)(i % 5);
        double q = (double)nrng_int(&r, -300, 300);
        x[i] = kind == 0   ? (float)((q + 0.5) * s) /* ties */
               : kind == 1 ? special[i % (sizeof special / sizeof special[0])]
                           : (float)((nrng_unit(&r) * 400 - 200) * s);
    }
    int64_t dims[1] = {(int64_t)n}, st[1] = {1};
    tern_ref_quantize_f32(1, dims, x, st, -1, &s, &z, TERN_INT8, want, st);
    memset(got, 0x5a, n + 2 * KTEST_QS8_GUARD);
    k->fn(n, x, got + KTEST_QS8_GUARD, s, z);
    int ok = memcmp(want, got + KTEST_QS8_GUARD, n) == 0;
    for (int i = 0; i < KTEST_QS8_GUARD && ok; i++)
        ok = got[i] == 0x5a && got[KTEST_QS8_GUARD + (int64_t)n + i] == 0x5a;
    if (!ok) {
        size_t e = 0;
        while (e < n && want[e] == got[KTEST_QS8_GUARD + e]) e++;
        snprintf(msg, cap, "n %zu s %g z %d: element %zu (x %a): %d, want %d", n, (double)s, z, e,
                 e < n ? (double)x[e] : 0.0, e < n ? got[KTEST_QS8_GUARD + e] : 0,
                 e < n ? want[e] : 0);
    }
    free(x), free(want), free(got);
    return ok;
}

void ktest_qs8_quantize(th_ctx *t, const tern_qs8_quantize_ukernel *k) {
    static const size_t ns[] = {1, 7, 8, 9, 15, 16, 17, 100, 1003};
    static const float ss[] = {1e-6f, 0.0078125f, 0.0117f, 1.0f / 3, 1.0f, 1000.0f};
    static const int32_t zs[] = {-128, -1, 0, 5, 127};
    char name[160], msg[200] = "";
    long cases = 0, bad = 0;
    uint64_t seed = 31;
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
        for (size_t b = 0; b < sizeof ss / sizeof ss[0]; b++) {
            cases++;
            if (!q_case(k, ns[a], ss[b], zs[(a + b) % 5], seed++, bad ? name : msg,
                        bad ? 0 : sizeof msg))
                bad++;
        }
    snprintf(name, sizeof name, "%s (%ld cases)", k->name, cases);
    th_check(t, bad == 0, name, "%ld of %ld wrong; first %s", bad, cases, msg);
}
