/* ktest_qs8_vadd, ktest_qs8_vmul: the qs8 Add/Mul micro-kernels
 * (arch/qs8_vbinary.h) against tern_ref_qs8_vadd_fp32 / _vmul_fp32, byte
 * for byte: channel counts around the vector width (tails), several rows,
 * row strides padded or 0 (broadcast of either operand), zero points at
 * the extremes, scales that saturate at both ends or round at ties, a
 * fused Relu clamp, Add's int8 and uint8-file forms (offset 0 and 128), every int8 value against every other (Add and Mul with
 * all 65536 pairs), and guard bytes around the output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/qs8_vbinary.h"
#include "tests/ktest.h"
#include "tests/ktest_qs8.h"

/* Parameters of variant v: scales and zero points of a, b, y. */
static void vb_params(int v, nrng *r, float s[3], int32_t z[3], int32_t *qmin, int32_t *qmax) {
    static const float scales[][3] = {{0.02f, 0.03f, 0.05f},  {0.5f, 0.25f, 1.0f / 3},
                                      {1e-3f, 2.0f, 1e-4f},    {0.1f, 0.1f, 10.0f},
                                      {0.0117f, 0.02f, 0.019f}};
    for (int i = 0; i < 3; i++) {
        s[i] = scales[v % 5][i];
        z[i] = v % 3 == 0 ? (i % 2 ? 127 : -128) : nrng_int(r, -128, 127);
    }
    *qmin = v % 4 == 1 ? z[2] : -128; /* a fused Relu */
    *qmax = v % 4 == 3 ? (z[2] + 50 < 127 ? z[2] + 50 : 127) : 127;
}

/* One case of Add (mul = 0) or Mul; 0 on a difference (msg says which). */
static int vb_case(const void *kern, int mul, size_t rows, size_t ch, size_t as, size_t bs, int v,
                   uint64_t seed, char *msg, size_t cap) {
    nrng r = {seed};
    size_t an = as ? rows * as : ch, bn = bs ? rows * bs : ch, yn = rows * ch;
    int8_t *a = malloc(an), *b = malloc(bn), *want = malloc(yn),
           *got = malloc(yn + 2 * KTEST_QS8_GUARD);
    nrng_fill_s8(&r, a, (int64_t)an, -128, 127);
    nrng_fill_s8(&r, b, (int64_t)bn, -128, 127);
    float s[3];
    int32_t z[3], qmin, qmax;
    vb_params(v, &r, s, z, &qmin, &qmax);
    int64_t dims[2] = {(int64_t)rows, (int64_t)ch}, ast[2] = {(int64_t)as, 1},
            bst[2] = {(int64_t)bs, 1}, yst[2] = {(int64_t)ch, 1};
    memset(got, 0x5a, yn + 2 * KTEST_QS8_GUARD);
    int8_t *y = got + KTEST_QS8_GUARD;
    if (mul) {
        tern_qs8_vmul_params p;
        tern_qs8_vmul_init_ex(&p, s[0], z[0], s[1], z[1], s[2], z[2], qmin, qmax, v % 2);
        tern_ref_qs8_vmul_fp32(2, dims, a, ast, b, bst, &p, want, yst);
        ((const tern_qs8_vmul_ukernel *)kern)->fn(rows, ch, a, as, b, bs, y, &p);
    } else {
        tern_qs8_vadd_params p;
        tern_qs8_vadd_init_ex(&p, s[0], z[0], s[1], z[1], s[2], z[2], qmin, qmax, v % 2);
        tern_ref_qs8_vadd_fp32(2, dims, a, ast, b, bst, &p, want, yst);
        ((const tern_qs8_vadd_ukernel *)kern)->fn(rows, ch, a, as, b, bs, y, &p);
    }
    int ok = memcmp(want, y, yn) == 0;
    for (int i = 0; i < KTEST_QS8_GUARD && ok; i++)
        ok = got[i] == 0x5a && y[yn + (size_t)i] == 0x5a;
    if (!ok) {
        size_t e = 0;
        while (e < yn && want[e] == y[e]) e++;
        snprintf(msg, cap, "%zux%zu strides %zu/%zu variant %d: element %zu: %d, want %d", rows, ch,
                 as, bs, v, e, e < yn ? y[e] : 0, e < yn ? want[e] : 0);
    }
    free(a), free(b), free(want), free(got);
    return ok;
}

/* Every pair of int8 values: a = row, b = column (256 x 256). */
static int vb_all_pairs(const void *kern, int mul, int v, char *msg, size_t cap) {
    int8_t *a = malloc(256 * 256), *b = malloc(256 * 256);
    for (int i = 0; i < 256 * 256; i++) a[i] = (int8_t)(i / 256 - 128), b[i] = (int8_t)(i % 256 - 128);
    /* vb_case makes its own data; here the operands are fixed, so inline */
    nrng r = {77};
    float s[3];
    int32_t z[3], qmin, qmax;
    vb_params(v, &r, s, z, &qmin, &qmax);
    int8_t *want = malloc(256 * 256), *got = malloc(256 * 256);
    int64_t dims[2] = {256, 256}, st[2] = {256, 1};
    if (mul) {
        tern_qs8_vmul_params p;
        tern_qs8_vmul_init_ex(&p, s[0], z[0], s[1], z[1], s[2], z[2], qmin, qmax, v % 2);
        tern_ref_qs8_vmul_fp32(2, dims, a, st, b, st, &p, want, st);
        ((const tern_qs8_vmul_ukernel *)kern)->fn(256, 256, a, 256, b, 256, got, &p);
    } else {
        tern_qs8_vadd_params p;
        tern_qs8_vadd_init_ex(&p, s[0], z[0], s[1], z[1], s[2], z[2], qmin, qmax, v % 2);
        tern_ref_qs8_vadd_fp32(2, dims, a, st, b, st, &p, want, st);
        ((const tern_qs8_vadd_ukernel *)kern)->fn(256, 256, a, 256, b, 256, got, &p);
    }
    int ok = memcmp(want, got, 256 * 256) == 0;
    if (!ok) snprintf(msg, cap, "all pairs, variant %d", v);
    free(a), free(b), free(want), free(got);
    return ok;
}

static void vb_sweep(th_ctx *t, const char *kname, const void *kern, int mul) {
    static const size_t chs[] = {1, 7, 8, 9, 15, 16, 17, 31, 33, 72};
    char name[160], msg[200] = "";
    long cases = 0, bad = 0;
    uint64_t seed = mul ? 900 : 700;
    for (size_t c = 0; c < sizeof chs / sizeof chs[0]; c++)
        for (int mode = 0; mode < 4; mode++) {
            size_t ch = chs[c], rows = 1 + c % 4;
            size_t as = mode == 2 ? 0 : ch + (mode == 1 ? 3 : 0), bs = mode == 3 ? 0 : ch + (size_t)mode;
            int v = (int)((c + (size_t)mode) % 5);
            cases++;
            if (!vb_case(kern, mul, rows, ch, as, bs, v, seed++, bad ? name : msg, bad ? 0 : sizeof msg))
                bad++;
        }
    for (int v = 0; v < 5; v++, cases++)
        if (!vb_all_pairs(kern, mul, v, bad ? name : msg, bad ? 0 : sizeof msg)) bad++;
    snprintf(name, sizeof name, "%s (%ld cases)", kname, cases);
    th_check(t, bad == 0, name, "%ld of %ld wrong; first %s", bad, cases, msg);
}

void ktest_qs8_vadd(th_ctx *t, const tern_qs8_vadd_ukernel *k) { vb_sweep(t, k->name, k, 0); }

void ktest_qs8_vmul(th_ctx *t, const tern_qs8_vmul_ukernel *k) { vb_sweep(t, k->name, k, 1); }
