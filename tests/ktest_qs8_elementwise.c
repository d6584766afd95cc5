/* ktest_qs8_lut and ktest_qs8_gavgpool (tests/ktest.h): the int8 table
 * lookup and global average pooling kernels of the dispatch list against
 * their references, byte for byte: lengths around the vector steps, random
 * and extreme zero points and scales, pooling sums past the int16 partial
 * sums. (Add and Mul: tests/ktest_qs8_vbinary.c.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/ref/qs8_gavgpool_fp32.h"
#include "kernels/ref/qs8_lut.h"
#include "tests/harness.h"
#include "tests/int8_naive.h"
#include "tests/ktest.h"

static float rand_scale(nrng *r) { return (float)(0.001 + 0.2 * nrng_unit(r)); }

static int check_lut(tern_qs8_lut_fn fn, nrng *r, size_t n) {
    int8_t x[300], y[300], yr[300], table[256];
    nrng_fill_s8(r, x, (int64_t)n, -128, 127);
    nrng_fill_s8(r, table, 256, -128, 127);
    int64_t dims[1] = {(int64_t)n}, st[1] = {1};
    tern_ref_qs8_lut(1, dims, x, st, table, yr, st);
    fn(n, x, table, y);
    return memcmp(y, yr, n) == 0;
}

/* s pixels of c channels, NHWC with pixels c + 5 bytes apart. */
static int check_gavg(tern_qs8_gavgpool_fn fn, nrng *r, size_t s, size_t c, int extreme) {
    size_t pix = c + 5;
    int8_t *x = malloc(s * pix), y[80], yr[80];
    nrng_fill_s8(r, x, (int64_t)(s * pix), extreme ? -128 : -128, extreme ? -128 : 127);
    int32_t zx = extreme ? 127 : nrng_int(r, -128, 127), zy = nrng_int(r, -128, 127);
    tern_qs8_rescale p;
    tern_qs8_gavgpool_init(&p, rand_scale(r), zx, rand_scale(r), zy, (int64_t)s, -128, 127);
    int64_t sp[1] = {(int64_t)s}, xs[3] = {(int64_t)(s * pix), 1, (int64_t)pix},
            ys[3] = {(int64_t)c, 1, 1};
    tern_ref_qs8_gavgpool_fp32(1, (int64_t)c, 1, sp, x, xs, &p, yr, ys);
    fn(s, c, x, pix, &p, y);
    free(x);
    return memcmp(y, yr, c) == 0;
}

/* Lengths 1..40 (every tail of the 16-wide step) and longer ones. */
#define FOR_LENGTHS(n, rep)                                                                        \
    for (size_t n = 1; n <= 300; n += (n < 40 ? 1 : 37))                                           \
        for (int rep = 0; rep < 8; rep++)

static void report(th_ctx *t, const char *name, int bad, int cases) {
    char what[160];
    snprintf(what, sizeof what, "%s: bit-exact with the reference", name);
    th_check(t, bad == 0, what, "%d of %d cases differ", bad, cases);
}

void ktest_qs8_lut(th_ctx *t, const tern_qs8_lut_ukernel *k) {
    nrng r = {0x1a7u};
    int cases = 0, bad = 0;
    FOR_LENGTHS(n, rep) cases++, bad += !check_lut(k->fn, &r, n);
    report(t, k->name, bad, cases);
}

void ktest_qs8_gavgpool(th_ctx *t, const tern_qs8_gavgpool_ukernel *k) {
    static const size_t ss[] = {1, 2, 7, 49, 255, 256, 257, 600};
    nrng r = {0x6a7u};
    int cases = 0, bad = 0;
    for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++)
        for (size_t c = 1; c <= 80; c += (c < 20 ? 1 : 13)) {
            cases++;
            bad += !check_gavg(k->fn, &r, ss[i], c, (int)(c % 5 == 0));
        }
    report(t, k->name, bad, cases);
}
