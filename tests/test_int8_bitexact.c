/* The INT8 path gives the same bits on every machine (suite_int8_bitexact):
 * a fixed set of calls of every INT8 reference kernel (and of the
 * deterministic exp/tanh/sigmoid tables are built from) on fixed
 * pseudo-random inputs, hashed with FNV-1a and compared with a constant.
 * The inputs and parameters are made with integer and exact float
 * arithmetic only (no libm), so the constant is the same wherever the
 * kernels follow docs/quantization.md; CI runs this on x86-64 and under
 * qemu-aarch64 (`make test ARCH=aarch64`), so a difference between the two
 * fails there. If a deliberate change of the arithmetic moves the hash, the
 * message prints the new value; update INT8_HASH (and say why in the
 * commit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/ref/detmath.h"
#include "kernels/ref/qs8_avgpool_fp32.h"
#include "kernels/ref/qs8_concat.h"
#include "kernels/ref/qs8_conv_fp32.h"
#include "kernels/ref/qs8_dwconv_fp32.h"
#include "kernels/ref/qs8_gavgpool_fp32.h"
#include "kernels/ref/qs8_gemm_fp32.h"
#include "kernels/ref/qs8_lut.h"
#include "kernels/ref/qs8_maxpool.h"
#include "kernels/ref/qs8_quantize.h"
#include "kernels/ref/qs8_vadd_fp32.h"
#include "kernels/ref/qs8_vmul_fp32.h"
#include "tests/harness.h"
#include "tests/int8_naive.h"

#define INT8_HASH UINT64_C(0x496514eabe1b3147)

/* A scale in [lo * 2^-20, (lo + span) * 2^-20]: exact float arithmetic. */
static float scale_of(nrng *r, int32_t lo, int32_t span) {
    return (float)nrng_int(r, lo, lo + span) * 0x1p-20f;
}

/* Per-channel dot-product parameters (zero points, biases, requant). */
typedef struct chq {
    int32_t zw[64], bias[64];
    tern_requant_fp32 rq[64];
    tern_qs8_dot_params p;
} chq;

/* (Every random draw is its own statement: the order in which C evaluates
 * function arguments and initializers is unspecified, and the hash must not
 * depend on the compiler's choice.) */
static void chq_make(chq *q, int64_t c_out, nrng *r) {
    float s_x = scale_of(r, 1000, 30000);
    float s_y = scale_of(r, 20000, 40000);
    int32_t zy = nrng_int(r, -128, 127);
    for (int64_t c = 0; c < c_out; c++) {
        q->zw[c] = c % 5 == 0 ? nrng_int(r, -128, 127) : 0;
        q->bias[c] = c % 7 == 3 ? (c % 2 ? 1 << 30 : -(1 << 30)) : nrng_int(r, -40000, 40000);
        float s_w = scale_of(r, 50, 2000);
        q->rq[c] = (tern_requant_fp32){tern_requant_fp32_scale(s_x, s_w, s_y), zy,
                                       c % 3 == 0 ? zy : -128, 127};
    }
    int32_t zx = nrng_int(r, -128, 127);
    q->p = (tern_qs8_dot_params){zx, q->zw, q->bias, q->rq};
}

/* The parameters of an element-wise op, drawn in a fixed order. */
typedef struct ewq {
    float sa, sb, sy;
    int32_t za, zb, zy;
} ewq;

static ewq ewq_make(nrng *r, int32_t lo, int32_t span) {
    ewq q;
    q.sa = scale_of(r, lo, span);
    q.sb = scale_of(r, lo, span);
    q.sy = scale_of(r, lo, span);
    q.za = nrng_int(r, -128, 127);
    q.zb = nrng_int(r, -128, 127);
    q.zy = nrng_int(r, -128, 127);
    return q;
}

static void nhwc5(const int64_t d[5], int64_t s[5]) {
    s[1] = 1, s[4] = d[1], s[3] = d[4] * d[1], s[2] = d[3] * d[4] * d[1];
    s[0] = d[2] * s[2];
}

static uint64_t hash_dot(uint64_t h, nrng *r) {
    static int8_t x[4096], w[8192], y[4096];
    static int32_t acc[4096];
    chq q;
    /* GEMM 7 x 19 x 131, weights transposed */
    nrng_fill_s8(r, x, 7 * 131, -128, 127);
    nrng_fill_s8(r, w, 19 * 131, -128, 127);
    chq_make(&q, 19, r);
    int64_t xs[2] = {131, 1}, ws[2] = {1, 19}, ys[2] = {19, 1};
    tern_ref_qs8_gemm_fp32(7, 19, 131, x, xs, w, ws, &q.p, y, ys);
    tern_ref_qs8_gemm_s32(7, 19, 131, x, xs, w, ws, &q.p, acc, ys);
    h = fnv1a(h, y, 7 * 19);
    h = fnv1a(h, acc, sizeof(int32_t) * 7 * 19);
    /* conv NHWC: 13 -> 11 channels, 3x3 s2 pad 1 on 15x15; then groups 2,
     * 5x5 dilation 2 pad 4 */
    for (int k = 0; k < 2; k++) {
        tern_conv_geom g = {.n = 1, .c_in = k ? 12 : 13, .c_out = k ? 10 : 11, .group = k ? 2 : 1};
        for (int a = 0; a < 3; a++) {
            int64_t sp = a == 0 ? 1 : 15, ke = a == 0 ? 1 : k ? 5 : 3, st = a == 0 ? 1 : k ? 1 : 2;
            int64_t di = a == 0 ? 1 : k ? 2 : 1, pd = a == 0 ? 0 : k ? 4 : 1;
            g.in[a] = sp, g.kernel[a] = ke, g.stride[a] = st, g.dil[a] = di;
            g.pad_begin[a] = g.pad_end[a] = pd;
            g.out[a] = (sp + 2 * pd - (ke - 1) * di - 1) / st + 1;
        }
        int64_t xd[5] = {1, g.c_in, 1, 15, 15}, yd[5] = {1, g.c_out, 1, g.out[1], g.out[2]};
        int64_t cig = g.c_in / g.group, kk = g.kernel[1] * g.kernel[2];
        int64_t x5[5], y5[5], w5[5] = {cig * kk, kk, kk, g.kernel[2], 1};
        nhwc5(xd, x5), nhwc5(yd, y5);
        nrng_fill_s8(r, x, 13 * 225, -128, 127);
        nrng_fill_s8(r, w, g.c_out * cig * kk, -128, 127);
        chq_make(&q, g.c_out, r);
        tern_ref_qs8_conv_fp32(&g, x, x5, w, w5, &q.p, y, y5);
        h = fnv1a(h, y, (size_t)(g.c_out * g.out[1] * g.out[2]));
    }
    /* depthwise: 24 channels x 2, 3x3 s1 pad 1 on 12x12 */
    tern_conv_geom g = {.n = 1, .c_in = 24, .c_out = 48, .group = 24};
    for (int a = 0; a < 3; a++) {
        g.in[a] = g.out[a] = a ? 12 : 1, g.kernel[a] = a ? 3 : 1, g.stride[a] = g.dil[a] = 1;
        g.pad_begin[a] = g.pad_end[a] = a ? 1 : 0;
    }
    int64_t xd[5] = {1, 24, 1, 12, 12}, yd[5] = {1, 48, 1, 12, 12}, x5[5], y5[5];
    int64_t w5[5] = {9, 9, 9, 3, 1};
    nhwc5(xd, x5), nhwc5(yd, y5);
    nrng_fill_s8(r, x, 24 * 144, -128, 127);
    nrng_fill_s8(r, w, 48 * 9, -128, 127);
    chq_make(&q, 48, r);
    static int8_t yd_out[48 * 144];
    tern_ref_qs8_dwconv_fp32(&g, x, x5, w, w5, &q.p, yd_out, y5);
    return fnv1a(h, yd_out, sizeof yd_out);
}

static uint64_t hash_elementwise(uint64_t h, nrng *r) {
    static int8_t a[2 * 8 * 25], b[16], y[2 * 8 * 25];
    int64_t d[4] = {2, 8, 5, 5}, as[4] = {200, 1, 40, 8}, bs[4] = {8, 1, 0, 0},
            ys[4] = {200, 1, 40, 8};
    nrng_fill_s8(r, a, 400, -128, 127);
    nrng_fill_s8(r, b, 16, -128, 127);
    tern_qs8_vadd_params pa;
    ewq e = ewq_make(r, 5000, 9000);
    tern_qs8_vadd_init(&pa, e.sa, e.za, e.sb, e.zb, e.sy, e.zy, -128, 127);
    tern_ref_qs8_vadd_fp32(4, d, a, as, b, bs, &pa, y, ys);
    h = fnv1a(h, y, sizeof y);
    tern_qs8_vmul_params pm;
    e = ewq_make(r, 3000, 9000);
    tern_qs8_vmul_init(&pm, e.sa, e.za, e.sb, -128, e.sy, e.zy, -128, 127);
    tern_ref_qs8_vmul_fp32(4, d, a, as, b, bs, &pm, y, ys);
    h = fnv1a(h, y, sizeof y);
    /* every table kind, applied to every int8 value */
    static const tern_lut_func fns[] = {
        {TERN_LUT_SIGMOID, 0, 0},   {TERN_LUT_TANH, 0, 0},
        {TERN_LUT_SILU, 0, 0},      {TERN_LUT_HARDSIGMOID, 0.2f, 0.5},
        {TERN_LUT_HARDSWISH, 0, 0}, {TERN_LUT_LEAKYRELU, 0.1f, 0}};
    int8_t all[256], table[256], out[256];
    for (int i = 0; i < 256; i++) all[i] = (int8_t)(i - 128);
    for (int f = 0; f < 6; f++)
        for (int set = 0; set < 20; set++) {
            e = ewq_make(r, 500, 100000);
            tern_qs8_lut_build(table, e.sa, e.za, e.sy, e.zy, -128, 127, tern_lut_func_eval,
                               &fns[f]);
            int64_t n = 256, st = 1;
            tern_ref_qs8_lut(1, &n, all, &st, table, out, &st);
            h = fnv1a(h, out, sizeof out);
        }
    return h;
}

static uint64_t hash_pools(uint64_t h, nrng *r) {
    static int8_t x[2 * 16 * 49], y[2 * 16 * 49];
    int64_t sp[2] = {7, 7}, xs[4] = {784, 1, 112, 16}, ys[4] = {16, 1, 0, 0};
    nrng_fill_s8(r, x, sizeof x, -128, 127);
    tern_qs8_rescale p;
    ewq e = ewq_make(r, 500, 9000);
    tern_qs8_gavgpool_init(&p, e.sa, e.za, e.sy, e.zy, 49, -128, 127);
    tern_ref_qs8_gavgpool_fp32(2, 16, 2, sp, x, xs, &p, y, ys);
    h = fnv1a(h, y, 32);
    tern_conv_geom g = {.n = 2, .c_in = 16, .c_out = 16, .group = 1};
    for (int a = 0; a < 3; a++) {
        g.in[a] = a ? 7 : 1, g.kernel[a] = a ? 3 : 1, g.stride[a] = a ? 2 : 1, g.dil[a] = 1;
        g.pad_begin[a] = g.pad_end[a] = a ? 1 : 0, g.out[a] = a ? 4 : 1;
    }
    int64_t x5[5] = {784, 1, 0, 112, 16}, y5[5] = {256, 1, 0, 64, 16};
    for (int cip = 0; cip < 2; cip++) {
        e = ewq_make(r, 2000, 9000);
        tern_qs8_avgpool_params ap = {e.sa, e.sy, e.za, e.zy, -128, 127};
        tern_ref_qs8_avgpool_fp32(&g, cip, x, x5, &ap, y, y5);
        h = fnv1a(h, y, 2 * 16 * 16);
    }
    e = ewq_make(r, 5000, 9000);
    tern_qs8_rescale_init(&p, e.sa, e.za, e.sy, e.zy, -128, 127);
    tern_ref_qs8_maxpool(&g, x, x5, &p, y, y5);
    h = fnv1a(h, y, 2 * 16 * 16);
    /* Concat on C of the input with itself rescaled */
    int64_t d[4] = {2, 16, 7, 7}, cs[4] = {1568, 1, 224, 32}, cs_in[4] = {784, 1, 112, 16};
    static int8_t cat[2 * 32 * 49];
    tern_qs8_concat_input in[2] = {{x, d, cs_in, NULL}, {x, d, cs_in, &p}};
    tern_ref_qs8_concat(4, 1, 2, in, cat, cs);
    return fnv1a(h, cat, sizeof cat);
}

static uint64_t hash_conversions(uint64_t h, nrng *r) {
    float xf[512], yf[512], s = scale_of(r, 1000, 90000);
    int32_t z = nrng_int(r, -128, 127), zu = nrng_int(r, 0, 255);
    int8_t q8[512];
    for (int i = 0; i < 512; i++) xf[i] = (float)nrng_int(r, -300000, 300000) * 0x1p-10f * s;
    int64_t n = 512, st = 1;
    tern_ref_quantize_f32(1, &n, xf, &st, -1, &s, &z, TERN_INT8, q8, &st);
    h = fnv1a(h, q8, sizeof q8);
    tern_ref_quantize_f32(1, &n, xf, &st, -1, &s, &zu, TERN_UINT8, q8, &st);
    h = fnv1a(h, q8, sizeof q8);
    tern_ref_dequantize_f32(1, &n, TERN_INT8, q8, &st, -1, &s, &z, yf, &st);
    h = fnv1a(h, yf, sizeof yf);
    /* the deterministic functions themselves, as doubles */
    for (int i = 0; i < 2000; i++) {
        double x = (double)(i - 1000) * 0.0371,
               v[4] = {tern_det_exp(x), tern_det_expm1(x), tern_det_tanh(x), tern_det_sigmoid(x)};
        h = fnv1a(h, v, sizeof v);
    }
    return h;
}

/* The requantization on a spread of accumulators and scales. */
static uint64_t hash_requant(uint64_t h, nrng *r) {
    for (int i = 0; i < 20000; i++) {
        int32_t acc = (int32_t)(uint32_t)nrng_next(r);
        acc >>= nrng_int(r, 0, 31);
        float mant = (float)nrng_int(r, 1, 1 << 24) * 0x1p-40f;
        int32_t e = nrng_int(r, 0, 24);
        tern_requant_fp32 p = {mant * (float)(1 << e), 0, -128, 127};
        p.zero_point = nrng_int(r, -128, 127);
        int8_t y = tern_requant_fp32_apply(acc, &p);
        h = fnv1a(h, &y, 1);
    }
    return h;
}

TH_SUITE(suite_int8_bitexact) {
    nrng r = {20240611};
    uint64_t h = FNV1A_INIT;
    h = hash_requant(h, &r);
    h = hash_dot(h, &r);
    h = hash_elementwise(h, &r);
    h = hash_pools(h, &r);
    h = hash_conversions(h, &r);
    if (t->verbose) printf("  int8 outputs hash 0x%016llx\n", (unsigned long long)h);
    th_check(t, h == INT8_HASH,
             "int8 kernels: outputs hash to the committed constant (x86-64 = aarch64)",
             "hash 0x%016llx, expected 0x%016llx", (unsigned long long)h,
             (unsigned long long)INT8_HASH);
}
