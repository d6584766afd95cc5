/* ktest_qs8_lut: the table-lookup micro-kernel against tern_ref_qs8_lut,
 * byte for byte: every one of the 256 inputs under random tables and under
 * a hard-swish table built by tern_qs8_lut_build, lengths around the
 * vector width (tails), in place, and guard bytes around the output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/qs8_vbinary.h"
#include "kernels/ref/qs8_lut.h"
#include "tests/ktest.h"
#include "tests/ktest_qs8.h"

static int lut_case(const tern_qs8_lut_ukernel *k, size_t n, const int8_t table[256], int inplace,
                    uint64_t seed, char *msg, size_t cap) {
    nrng r = {seed};
    int8_t *x = malloc(n), *want = malloc(n), *got = malloc(n + 2 * KTEST_QS8_GUARD);
    for (size_t i = 0; i < n; i++)
        x[i] = (int8_t)(i < 256 ? (int)i - 128 : nrng_int(&r, -128, 127));
    int64_t dims[1] = {(int64_t)n}, st[1] = {1};
    tern_ref_qs8_lut(1, dims, x, st, table, want, st);
    memset(got, 0x5a, n + 2 * KTEST_QS8_GUARD);
    int8_t *y = got + KTEST_QS8_GUARD;
    if (inplace) {
        memcpy(y, x, n);
        k->fn(n, y, table, y);
    } else {
        k->fn(n, x, table, y);
    }
    int ok = memcmp(want, y, n) == 0;
    for (int i = 0; i < KTEST_QS8_GUARD && ok; i++)
        ok = got[i] == 0x5a && y[n + (size_t)i] == 0x5a;
    if (!ok) {
        size_t e = 0;
        while (e < n && want[e] == y[e]) e++;
        snprintf(msg, cap, "n %zu%s: element %zu (x %d): %d, want %d", n, inplace ? " in place" : "",
                 e, e < n ? x[e] : 0, e < n ? y[e] : 0, e < n ? want[e] : 0);
    }
    free(x), free(want), free(got);
    return ok;
}

void ktest_qs8_lut(th_ctx *t, const tern_qs8_lut_ukernel *k) {
    static const size_t ns[] = {1, 31, 32, 33, 255, 256, 257, 1000};
    char name[160], msg[200] = "";
    long cases = 0, bad = 0;
    int8_t table[256];
    nrng r = {4711};
    for (int tab = 0; tab < 6; tab++) {
        if (tab < 5) {
            nrng_fill_s8(&r, table, 256, -128, 127);
        } else {
            tern_lut_func f = {TERN_LUT_HARDSWISH, 0, 0};
            tern_qs8_lut_build(table, 0.0235f, -3, 0.0117f, -101, -128, 127, tern_lut_func_eval, &f);
        }
        for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++, cases++)
            if (!lut_case(k, ns[a], table, (int)(a % 2), (uint64_t)(tab * 100) + a, bad ? name : msg,
                          bad ? 0 : sizeof msg))
                bad++;
    }
    snprintf(name, sizeof name, "%s (%ld cases, all 256 inputs)", k->name, cases);
    th_check(t, bad == 0, name, "%ld of %ld wrong; first %s", bad, cases, msg);
}
