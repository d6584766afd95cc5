/* ktest_qs8_gavgpool: the qs8 global average pooling micro-kernel against
 * tern_ref_qs8_gavgpool_fp32, byte for byte: channel counts around the
 * 8/32-channel blocks (tails), 1 to 3136 rows, zero points and input
 * values at the extremes (sums near +-255 * rows), several output scales,
 * a fused Relu clamp, and guard bytes around the output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/qs8_vbinary.h"
#include "tests/ktest.h"
#include "tests/ktest_qs8.h"

static int gap_case(const tern_qs8_gavgpool_ukernel *k, size_t rows, size_t ch, int v,
                    uint64_t seed, char *msg, size_t cap) {
    nrng r = {seed};
    int8_t *x = malloc(rows * ch), *want = malloc(ch), *got = malloc(ch + 2 * KTEST_QS8_GUARD);
    if (v == 1)
        memset(x, 127, rows * ch);
    else if (v == 2)
        memset(x, -128, rows * ch);
    else
        nrng_fill_s8(&r, x, (int64_t)(rows * ch), -128, 127);
    int32_t zx = v == 1 ? -128 : v == 2 ? 127 : nrng_int(&r, -128, 127), zy = nrng_int(&r, -128, 127);
    float sx = v == 3 ? 0.5f : 0.0235f, sy = v == 3 ? 0.001f : 0.0117f;
    tern_qs8_rescale p;
    tern_qs8_gavgpool_init(&p, sx, zx, sy, zy, (int64_t)rows, v == 4 ? zy : -128, 127);
    int64_t sp[1] = {(int64_t)rows}, xs[3] = {(int64_t)(rows * ch), 1, (int64_t)ch},
            ys[3] = {(int64_t)ch, 1, 1};
    tern_ref_qs8_gavgpool_fp32(1, (int64_t)ch, 1, sp, x, xs, &p, want, ys);
    memset(got, 0x5a, ch + 2 * KTEST_QS8_GUARD);
    k->fn(rows, ch, x, &p, got + KTEST_QS8_GUARD);
    int ok = memcmp(want, got + KTEST_QS8_GUARD, ch) == 0;
    for (int i = 0; i < KTEST_QS8_GUARD && ok; i++)
        ok = got[i] == 0x5a && got[KTEST_QS8_GUARD + (int64_t)ch + i] == 0x5a;
    if (!ok) snprintf(msg, cap, "rows %zu channels %zu variant %d", rows, ch, v);
    free(x), free(want), free(got);
    return ok;
}

void ktest_qs8_gavgpool(th_ctx *t, const tern_qs8_gavgpool_ukernel *k) {
    static const size_t chs[] = {1, 7, 8, 9, 31, 32, 33, 72, 1280};
    static const size_t rows[] = {1, 3, 49, 3136};
    char name[160], msg[200] = "";
    long cases = 0, bad = 0;
    uint64_t seed = 55;
    for (size_t a = 0; a < sizeof chs / sizeof chs[0]; a++)
        for (size_t b = 0; b < sizeof rows / sizeof rows[0]; b++) {
            if (chs[a] * rows[b] > 400000) continue;
            cases++;
            if (!gap_case(k, rows[b], chs[a], (int)((a + b) % 5), seed++, bad ? name : msg,
                          bad ? 0 : sizeof msg))
                bad++;
        }
    snprintf(name, sizeof name, "%s (%ld cases)", k->name, cases);
    th_check(t, bad == 0, name, "%ld of %ld wrong; first %s", bad, cases, msg);
}
