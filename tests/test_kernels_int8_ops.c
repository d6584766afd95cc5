/* Tests of the element-wise, pooling, table and conversion INT8 reference
 * kernels (suite_kernels_int8_ops): Add and Mul with broadcasting, global
 * and windowed average pooling, MaxPool with and without rescaling, Concat
 * with rescaling, lookup tables (and the deterministic exp/tanh/sigmoid
 * they are built from, against libm), QuantizeLinear and DequantizeLinear.
 * Each is compared with a naive computation written here (int64 sums,
 * float operations emulated in double, rounding by floor). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/ref/detmath.h"
#include "kernels/ref/qs8_avgpool_fp32.h"
#include "kernels/ref/qs8_concat.h"
#include "kernels/ref/qs8_gavgpool_fp32.h"
#include "kernels/ref/qs8_lut.h"
#include "kernels/ref/qs8_maxpool.h"
#include "kernels/ref/qs8_quantize.h"
#include "kernels/ref/qs8_rescale.h"
#include "kernels/ref/qs8_vadd_fp32.h"
#include "kernels/ref/qs8_vmul_fp32.h"
#include "tests/harness.h"
#include "tests/int8_naive.h"

#define MAXR 6

/* ---- broadcasting helpers ------------------------------------------------ */

static int64_t count_of(int rank, const int64_t *d) {
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= d[i];
    return n;
}

/* Plain strides of an operand of rank ri right-aligned in a space of rank r,
 * 0 on axes it lacks or broadcasts (dim 1). */
static void bcast_strides(int r, const int64_t *od, int ri, const int64_t *id, int64_t *st) {
    int64_t s = 1;
    for (int i = r - 1; i >= 0; i--) {
        int j = i - (r - ri);
        int64_t d = j >= 0 ? id[j] : 1;
        st[i] = d == 1 && od[i] != 1 ? 0 : s;
        if (j < 0) st[i] = 0;
        s *= d;
    }
}

/* Flat index into a plain operand of element idx of the output (numpy rule:
 * coordinate mod the operand's dim). */
static int64_t bcast_index(int r, const int64_t *idx, int ri, const int64_t *id) {
    int64_t f = 0;
    for (int j = 0; j < ri; j++) f = f * id[j] + idx[j + r - ri] % id[j];
    return f;
}

static void unflatten(int r, const int64_t *d, int64_t e, int64_t *idx) {
    for (int i = r - 1; i >= 0; i--) {
        idx[i] = e % d[i];
        e /= d[i];
    }
}

typedef struct bin_case {
    const char *name;
    int r, ra, rb;
    int64_t od[MAXR], ad[MAXR], bd[MAXR];
} bin_case;

static const bin_case BIN_CASES[] = {
    {"same shape", 3, 3, 3, {2, 3, 4}, {2, 3, 4}, {2, 3, 4}},
    {"[2,3,4] + [3,1]", 3, 3, 2, {2, 3, 4}, {2, 3, 4}, {3, 1}},
    {"[5,7] + scalar", 2, 2, 1, {5, 7}, {5, 7}, {1}},
    {"rank 0", 0, 0, 0, {0}, {0}, {0}},
    {"SE gate [1,16,1,1] x [1,16,7,7]", 4, 4, 4, {1, 16, 7, 7}, {1, 16, 1, 1}, {1, 16, 7, 7}},
    {"[3,1,5] + [1,4,1]", 3, 3, 3, {3, 4, 5}, {3, 1, 5}, {1, 4, 1}},
    {"1 element", 1, 1, 1, {1}, {1}, {1}},
    {"odd [1,33] + [17,1]", 2, 2, 2, {17, 33}, {1, 33}, {17, 1}},
};

/* Parameters of one binary test: variant 0 random, 1 zero points at the
 * extremes with saturating ratios, 2 Relu clamp with tiny output scale. */
typedef struct bin_q {
    float sa, sb, sy;
    int32_t za, zb, zy, qmin, qmax;
} bin_q;

static bin_q bin_params(int variant, nrng *r) {
    bin_q q = {(float)(0.01 + 0.2 * nrng_unit(r)),
               (float)(0.01 + 0.2 * nrng_unit(r)),
               (float)(0.02 + 0.3 * nrng_unit(r)),
               nrng_int(r, -128, 127),
               nrng_int(r, -128, 127),
               nrng_int(r, -128, 127),
               -128,
               127};
    if (variant == 1) q.za = -128, q.zb = 127, q.zy = nrng_int(r, -128, 127), q.sy = q.sa / 40;
    if (variant == 2) q.qmin = q.zy, q.sy = 0.001f;
    return q;
}

/* One value along the innermost axis, or one value altogether (strides). */
static int bin_scalar_last(int r, const int64_t *dims, const int64_t *st) {
    int all = 1;
    for (int i = 0; i < r; i++) all &= st[i] == 0 || dims[i] == 1;
    return all || (r > 0 && dims[r - 1] > 1 && st[r - 1] == 0);
}

/* mul: 0 Add, 1 Mul. Runs the kernel with a channels-last-like permuted
 * output when rank >= 3 (perm), compares with the naive formula. */
static void bin_run(th_ctx *t, const bin_case *c, int mul, int variant, uint64_t seed) {
    nrng r = {seed};
    int64_t na = count_of(c->ra, c->ad), nb = count_of(c->rb, c->bd), ny = count_of(c->r, c->od);
    int8_t *a = malloc((size_t)na), *b = malloc((size_t)nb), *y = malloc((size_t)ny);
    int8_t *y2 = malloc((size_t)ny);
    nrng_fill_s8(&r, a, na, -128, 127);
    nrng_fill_s8(&r, b, nb, -128, 127);
    bin_q q = bin_params(variant, &r);
    int64_t as[MAXR], bs[MAXR], ys[MAXR];
    bcast_strides(c->r, c->od, c->ra, c->ad, as);
    bcast_strides(c->r, c->od, c->rb, c->bd, bs);
    /* output strides: channels-last-like when rank 4 (axis 1 innermost) */
    int64_t s = 1;
    for (int i = c->r - 1; i >= 0; i--) ys[i] = s, s *= c->od[i];
    if (c->r == 4) ys[1] = 1, ys[3] = c->od[1], ys[2] = c->od[1] * c->od[3], ys[0] = ny / c->od[0];
    if (mul) {
        tern_qs8_vmul_params p;
        tern_qs8_vmul_init_ex(&p, q.sa, q.za, q.sb, q.zb, q.sy, q.zy, q.qmin, q.qmax,
                              variant == 1);
        tern_ref_qs8_vmul_fp32(c->r, c->od, a, as, b, bs, &p, y, ys);
    } else {
        /* variant 1 runs as data that was uint8 in the file (offset 128) */
        tern_qs8_vadd_params p;
        tern_qs8_vadd_init_ex(&p, q.sa, q.za, q.sb, q.zb, q.sy, q.zy, q.qmin, q.qmax,
                              variant == 1);
        tern_ref_qs8_vadd_fp32(c->r, c->od, a, as, b, bs, &p, y, ys);
    }
    int32_t u8off = variant == 1 ? 128 : 0;
    float fixed = naive_fadd((float)(q.zy + u8off),
                             -naive_fma(naive_fdiv(q.sa, q.sy), (float)(q.za + u8off),
                                        naive_fmul(naive_fdiv(q.sb, q.sy), (float)(q.zb + u8off))));
    /* ORT's scalar-operand kernels: an operand with one value along the
     * innermost axis (or one value) has its product rounded into fixed */
    int mode = bin_scalar_last(c->r, c->od, as) ? 1 : bin_scalar_last(c->r, c->od, bs) ? 2 : 0;
    float ra = naive_fdiv(q.sa, q.sy), rb = naive_fdiv(q.sb, q.sy);
    float rm = naive_fdiv(naive_fmul(q.sa, q.sb), q.sy);
    long bad = 0;
    char msg[128] = "";
    for (int64_t e = 0; e < ny; e++) {
        int64_t idx[MAXR] = {0}, off = 0;
        unflatten(c->r, c->od, e, idx);
        for (int i = 0; i < c->r; i++) off += idx[i] * ys[i];
        int32_t ai = a[bcast_index(c->r, idx, c->ra, c->ad)];
        int32_t bi = b[bcast_index(c->r, idx, c->rb, c->bd)];
        float f;
        if (mul) { /* MLAS's form: the zero point added in float in the file's type */
            f = naive_fadd(naive_fmul((float)((ai - q.za) * (bi - q.zb)), rm), (float)(q.zy + u8off));
        } else { /* MLAS's form: fused multiply-adds in the file's type */
            float fa = (float)(ai + u8off), fb = (float)(bi + u8off);
            if (mode == 1) f = naive_fma(fb, rb, naive_fadd(fixed, naive_fmul(fa, ra)));
            else if (mode == 2) f = naive_fma(fa, ra, naive_fadd(fixed, naive_fmul(fb, rb)));
            else f = naive_fma(fa, ra, naive_fma(fb, rb, fixed));
        }
        int32_t v = naive_finish(f, 0, u8off - 128, u8off + 127) - u8off; /* saturate, back */
        int32_t want = v < q.qmin ? q.qmin : v > q.qmax ? q.qmax : v;
        if (y[off] != want && bad++ == 0)
            snprintf(msg, sizeof msg, "element %lld: %d, want %d", (long long)e, y[off], want);
    }
    char name[96];
    snprintf(name, sizeof name, "qs8 %s %s variant %d", mul ? "vmul" : "vadd", c->name, variant);
    th_check(t, bad == 0, name, "%ld wrong; first %s", bad, msg);
    free(a), free(b), free(y), free(y2);
}

/* Add follows MLAS's fused multiply-adds: find inputs where unfused
 * products (one rounding more) would give another output and check the
 * kernel follows the spec there; and the parameter formulas. */
static void test_vadd_no_fma(th_ctx *t) {
    nrng r = {7777};
    int found = 0, ok = 1;
    for (int i = 0; i < 2000000 && found < 50; i++) {
        bin_q q = bin_params(0, &r);
        int8_t a = (int8_t)nrng_int(&r, -128, 127), b = (int8_t)nrng_int(&r, -128, 127), y[2];
        float ra = naive_fdiv(q.sa, q.sy), rb = naive_fdiv(q.sb, q.sy);
        float fixed = naive_fadd((float)q.zy, -naive_fma(ra, (float)q.za, naive_fmul(rb, (float)q.zb)));
        float spec = naive_fma((float)a, ra, naive_fma((float)b, rb, fixed));
        float unfused = naive_fadd(naive_fmul((float)a, ra),
                                   naive_fadd(naive_fmul((float)b, rb), fixed));
        int32_t want = naive_finish(spec, 0, -128, 127);
        if (want == naive_finish(unfused, 0, -128, 127)) continue;
        found++;
        tern_qs8_vadd_params p;
        tern_qs8_vadd_init(&p, q.sa, q.za, q.sb, q.zb, q.sy, q.zy, -128, 127);
        /* two elements, both operands varying: the vector-vector form */
        const int8_t av[2] = {a, a}, bv[2] = {b, b};
        const int64_t d2[1] = {2}, s1[1] = {1};
        tern_ref_qs8_vadd_fp32(1, d2, av, s1, bv, s1, &p, y, s1);
        ok &= y[0] == want;
    }
    th_check(t, found > 0 && ok, "qs8 vadd: fused multiply-adds as MLAS (fmaf)",
             "%d distinguishing cases, ok %d", found, ok);
    long bad = 0;
    for (int i = 0; i < 100000; i++) {
        bin_q q = bin_params(0, &r);
        tern_qs8_vadd_params pa;
        tern_qs8_vmul_params pm;
        tern_qs8_vadd_init(&pa, q.sa, q.za, q.sb, q.zb, q.sy, q.zy, q.qmin, q.qmax);
        tern_qs8_vmul_init(&pm, q.sa, q.za, q.sb, q.zb, q.sy, q.zy, q.qmin, q.qmax);
        bad += pa.a_scale != naive_fdiv(q.sa, q.sy) || pa.b_scale != naive_fdiv(q.sb, q.sy) ||
               pm.out.scale != naive_fdiv(naive_fmul(q.sa, q.sb), q.sy);
    }
    th_check(t, bad == 0, "qs8 vadd/vmul: scale ratios in float, ORT's order", "%ld wrong", bad);
}

static void test_binary(th_ctx *t) {
    uint64_t seed = 7000;
    for (size_t i = 0; i < sizeof BIN_CASES / sizeof BIN_CASES[0]; i++)
        for (int mul = 0; mul < 2; mul++)
            for (int v = 0; v < 3; v++) bin_run(t, &BIN_CASES[i], mul, v, seed++);
}

/* ---- pooling ------------------------------------------------------------- */

static void strides4(const int64_t d[4], int cl, int64_t st[4]) {
    if (!cl)
        st[3] = 1, st[2] = d[3], st[1] = d[2] * d[3], st[0] = d[1] * d[2] * d[3];
    else
        st[1] = 1, st[3] = d[1], st[2] = d[3] * d[1], st[0] = d[2] * d[3] * d[1];
}

static void test_gavgpool(th_ctx *t) {
    static const int64_t shapes[][4] = {
        {1, 3, 7, 7}, {2, 5, 1, 1}, {1, 17, 13, 11}, {1, 1, 1, 1}, {1, 4, 1, 9}};
    uint64_t seed = 9000;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int cl = 0; cl < 2; cl++)
            for (int v = 0; v < 3; v++) {
                nrng r = {seed++};
                const int64_t *d = shapes[s];
                int64_t nx = count_of(4, d), xs[4], ys[4], yd[4] = {d[0], d[1], 1, 1},
                        S = d[2] * d[3];
                int8_t *x = malloc((size_t)nx), y[64];
                nrng_fill_s8(&r, x, nx, -128, 127);
                strides4(d, cl, xs);
                strides4(yd, cl, ys);
                float sx = 0.05f, sy = v == 1 ? 0.0001f : 0.03f;
                int32_t zx = v == 1   ? 127
                             : v == 2 ? -128
                                      : nrng_int(&r, -128, 127),
                        zy = nrng_int(&r, -128, 127);
                tern_qs8_rescale p;
                tern_qs8_gavgpool_init(&p, sx, zx, sy, zy, S, v == 2 ? zy : -128, 127);
                tern_ref_qs8_gavgpool_fp32(d[0], d[1], 2, d + 2, x, xs, &p, y, ys);
                float scale = naive_fdiv(sx, naive_fmul(sy, (float)S));
                long bad = 0;
                for (int64_t n = 0; n < d[0]; n++)
                    for (int64_t c = 0; c < d[1]; c++) {
                        int64_t sum = 0;
                        for (int64_t h = 0; h < d[2]; h++)
                            for (int64_t w = 0; w < d[3]; w++)
                                sum += x[n * xs[0] + c * xs[1] + h * xs[2] + w * xs[3]] - zx;
                        if (y[n * ys[0] + c * ys[1]] !=
                            naive_requant(sum, scale, zy, v == 2 ? zy : -128, 127))
                            bad++;
                    }
                char name[96];
                snprintf(name, sizeof name, "qs8 gavgpool [%lld,%lld,%lld,%lld] %s variant %d",
                         (long long)d[0], (long long)d[1], (long long)d[2], (long long)d[3],
                         cl ? "NHWC" : "NCHW", v);
                th_check(t, bad == 0, name, "%ld wrong", bad);
                free(x);
            }
}

typedef struct pool_case {
    const char *name;
    int64_t c, h, w, kh, kw, sh, sw, pt, pl, pb, pr, oh, ow; /* oh/ow 0: floor formula */
} pool_case;

static const pool_case POOL_CASES[] = {
    {"3x3 s1 pad 1", 3, 6, 7, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0},
    {"2x2 s2", 5, 8, 8, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0},
    {"3x3 s2 ceil_mode", 2, 8, 9, 3, 3, 2, 2, 0, 0, 0, 0, 4, 4},
    {"3x3 s2 asym pad", 4, 9, 8, 3, 3, 2, 2, 0, 1, 1, 0, 0, 0},
    {"1-D k5 s3 pad 2", 3, 1, 17, 1, 5, 1, 3, 0, 2, 0, 2, 0, 0},
    {"1x1 input k1", 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0},
    {"7x7 global-like", 17, 7, 7, 7, 7, 1, 1, 0, 0, 0, 0, 0, 0},
};

static tern_conv_geom pool_geom(const pool_case *k) {
    tern_conv_geom g = {.n = 1, .c_in = k->c, .c_out = k->c, .group = 1};
    int64_t in[3] = {1, k->h, k->w}, ker[3] = {1, k->kh, k->kw}, st[3] = {1, k->sh, k->sw};
    int64_t pb[3] = {0, k->pt, k->pl}, pe[3] = {0, k->pb, k->pr};
    for (int a = 0; a < 3; a++) {
        g.in[a] = in[a], g.kernel[a] = ker[a], g.stride[a] = st[a], g.dil[a] = 1;
        g.pad_begin[a] = pb[a], g.pad_end[a] = pe[a];
        g.out[a] = (in[a] + pb[a] + pe[a] - ker[a]) / st[a] + 1;
    }
    if (k->oh) g.out[1] = k->oh, g.out[2] = k->ow;
    return g;
}

/* Naive average of one window: sum and count from the ONNX definitions. */
static void avg_naive(const pool_case *k, const int8_t *xc, const int64_t xs[4], int32_t zx,
                      int64_t oy, int64_t ox, int cip, int64_t *sum, int64_t *count) {
    int64_t y0 = oy * k->sh - k->pt, x0 = ox * k->sw - k->pl, inside = 0;
    *sum = 0;
    for (int64_t ky = 0; ky < k->kh; ky++)
        for (int64_t kx = 0; kx < k->kw; kx++) {
            int64_t iy = y0 + ky, ix = x0 + kx;
            if (iy < 0 || iy >= k->h || ix < 0 || ix >= k->w) continue;
            *sum += xc[iy * xs[2] + ix * xs[3]] - zx;
            inside++;
        }
    if (!cip) {
        *count = inside;
        return;
    }
    int64_t ye = y0 + k->kh < k->h + k->pb ? y0 + k->kh : k->h + k->pb;
    int64_t xe = x0 + k->kw < k->w + k->pr ? x0 + k->kw : k->w + k->pr;
    *count = (ye - y0) * (xe - x0);
}

static void test_avgpool(th_ctx *t) {
    uint64_t seed = 11000;
    for (size_t i = 0; i < sizeof POOL_CASES / sizeof POOL_CASES[0]; i++)
        for (int cl = 0; cl < 2; cl++)
            for (int cip = 0; cip < 2; cip++) {
                const pool_case *k = &POOL_CASES[i];
                nrng r = {seed++};
                tern_conv_geom g = pool_geom(k);
                int64_t xd[4] = {1, k->c, k->h, k->w}, yd[4] = {1, k->c, g.out[1], g.out[2]};
                int64_t xs4[4], ys4[4];
                strides4(xd, cl, xs4);
                strides4(yd, cl, ys4);
                int64_t xs[5] = {xs4[0], xs4[1], 0, xs4[2], xs4[3]},
                        ys[5] = {ys4[0], ys4[1], 0, ys4[2], ys4[3]};
                int8_t *x = malloc((size_t)count_of(4, xd)), *y = malloc((size_t)count_of(4, yd));
                nrng_fill_s8(&r, x, count_of(4, xd), -128, 127);
                tern_qs8_avgpool_params p = {.x_scale = 0.02f + (float)nrng_unit(&r) * 0.1f,
                                             .y_scale = 0.01f + (float)nrng_unit(&r) * 0.1f,
                                             .x_zero_point = cip ? -128 : nrng_int(&r, -128, 127),
                                             .y_zero_point = nrng_int(&r, -128, 127),
                                             .qmin = -128,
                                             .qmax = 127};
                if (i % 3 == 0) p.y_scale = 0.0005f; /* saturate */
                tern_ref_qs8_avgpool_fp32(&g, cip, x, xs, &p, y, ys);
                long bad = 0;
                for (int64_t c = 0; c < k->c; c++)
                    for (int64_t oy = 0; oy < g.out[1]; oy++)
                        for (int64_t ox = 0; ox < g.out[2]; ox++) {
                            int64_t sum, count;
                            avg_naive(k, x + c * xs4[1], xs4, p.x_zero_point, oy, ox, cip, &sum,
                                      &count);
                            float sc = naive_fdiv(
                                p.x_scale, naive_fmul(p.y_scale, (float)(count ? count : 1)));
                            int32_t want = naive_requant(sum, sc, p.y_zero_point, -128, 127);
                            if (y[c * ys4[1] + oy * ys4[2] + ox * ys4[3]] != want) bad++;
                        }
                char name[96];
                snprintf(name, sizeof name, "qs8 avgpool %s %s%s", k->name, cl ? "NHWC" : "NCHW",
                         cip ? " count_include_pad" : "");
                th_check(t, bad == 0, name, "%ld wrong", bad);
                free(x), free(y);
            }
}

/* MaxPool: plain max with equal parameters; with different ones the
 * naive rescales every tap and then takes the max (the monotonicity claim). */
static void test_maxpool(th_ctx *t) {
    uint64_t seed = 12000;
    for (size_t i = 0; i < sizeof POOL_CASES / sizeof POOL_CASES[0]; i++)
        for (int rs = 0; rs < 3; rs++) {
            const pool_case *k = &POOL_CASES[i];
            nrng r = {seed++};
            tern_conv_geom g = pool_geom(k);
            int64_t xd[4] = {1, k->c, k->h, k->w}, yd[4] = {1, k->c, g.out[1], g.out[2]};
            int64_t xs4[4], ys4[4];
            strides4(xd, 1, xs4);
            strides4(yd, 1, ys4);
            int64_t xs[5] = {xs4[0], xs4[1], 0, xs4[2], xs4[3]},
                    ys[5] = {ys4[0], ys4[1], 0, ys4[2], ys4[3]};
            int8_t *x = malloc((size_t)count_of(4, xd)), *y = malloc((size_t)count_of(4, yd));
            nrng_fill_s8(&r, x, count_of(4, xd), -128, 127);
            tern_qs8_rescale q;
            /* 0: identity; 1: different scale and zero point; 2: saturating, Relu */
            if (rs == 0)
                tern_qs8_rescale_init(&q, 0.1f, 3, 0.1f, 3, -128, 127);
            else if (rs == 1)
                tern_qs8_rescale_init(&q, 0.1f, nrng_int(&r, -128, 127), 0.137f,
                                      nrng_int(&r, -128, 127), -128, 127);
            else
                tern_qs8_rescale_init(&q, 0.1f, -128, 0.03f, 5, 5, 127);
            tern_ref_qs8_maxpool(&g, x, xs, rs == 0 && i % 2 ? NULL : &q, y, ys);
            long bad = 0;
            for (int64_t c = 0; c < k->c; c++)
                for (int64_t oy = 0; oy < g.out[1]; oy++)
                    for (int64_t ox = 0; ox < g.out[2]; ox++) {
                        int32_t m = INT32_MIN;
                        for (int64_t ky = 0; ky < k->kh; ky++)
                            for (int64_t kx = 0; kx < k->kw; kx++) {
                                int64_t iy = oy * k->sh - k->pt + ky, ix = ox * k->sw - k->pl + kx;
                                if (iy < 0 || iy >= k->h || ix < 0 || ix >= k->w) continue;
                                int32_t v = x[c * xs4[1] + iy * xs4[2] + ix * xs4[3]];
                                if (rs)
                                    v = naive_requant(v - q.x_zero_point, q.out.scale,
                                                      q.out.zero_point, q.out.qmin, q.out.qmax);
                                if (v > m) m = v;
                            }
                        if (y[c * ys4[1] + oy * ys4[2] + ox * ys4[3]] != m) bad++;
                    }
            char name[96];
            snprintf(name, sizeof name, "qs8 maxpool %s %s", k->name,
                     rs == 0   ? "same parameters"
                     : rs == 1 ? "rescaled"
                               : "rescaled, saturating");
            th_check(t, bad == 0, name, "%ld wrong", bad);
            free(x), free(y);
        }
}

/* ---- Concat and rescale -------------------------------------------------- */

static void test_rescale_identity(th_ctx *t) {
    int8_t x[256], y[256];
    for (int i = 0; i < 256; i++) x[i] = (int8_t)(i - 128);
    static const float scales[] = {1e-6f, 0.0123f, 0.5f, 3.0f, 1e6f};
    static const int32_t zps[] = {-128, -3, 0, 127};
    int bad = 0;
    for (size_t s = 0; s < 5; s++)
        for (size_t z = 0; z < 4; z++) {
            tern_qs8_rescale q;
            tern_qs8_rescale_init(&q, scales[s], zps[z], scales[s], zps[z], -128, 127);
            int64_t d = 256, st = 1;
            tern_ref_qs8_rescale(1, &d, x, &st, &q, y, &st);
            if (!tern_qs8_rescale_is_identity(&q) || memcmp(x, y, 256) != 0) bad++;
        }
    th_check(t, bad == 0, "qs8 rescale: equal parameters are the identity (the copy is exact)",
             "%d parameter sets", bad);
}

static void test_concat(th_ctx *t) {
    /* three NHWC inputs [1, c_i, 3, 5] concatenated on C with parameters
     * equal to the output's, a different scale, and a different zero point */
    int64_t cs[3] = {3, 5, 2}, ctot = 10, h = 3, w = 5;
    float sxs[3] = {0.05f, 0.11f, 0.05f}, sy = 0.05f;
    int32_t zxs[3] = {-4, 20, 127}, zy = -4;
    nrng r = {13000};
    int8_t *x[3], y[10 * 15];
    int64_t dims[3][4], st[3][4], yd[4] = {1, ctot, h, w}, ys[4];
    tern_qs8_rescale q[3];
    tern_qs8_concat_input in[3];
    strides4(yd, 1, ys);
    for (int i = 0; i < 3; i++) {
        int64_t d[4] = {1, cs[i], h, w};
        memcpy(dims[i], d, sizeof d);
        strides4(d, 1, st[i]);
        x[i] = malloc((size_t)count_of(4, d));
        nrng_fill_s8(&r, x[i], count_of(4, d), -128, 127);
        tern_qs8_rescale_init(&q[i], sxs[i], zxs[i], sy, zy, -128, 127);
        in[i] = (tern_qs8_concat_input){x[i], dims[i], st[i], i == 0 ? NULL : &q[i]};
    }
    tern_ref_qs8_concat(4, 1, 3, in, y, ys);
    long bad = 0;
    for (int64_t c = 0, base = 0, i = 0; c < ctot; c++) {
        if (c - base >= cs[i]) base += cs[i], i++;
        for (int64_t yy = 0; yy < h; yy++)
            for (int64_t xx = 0; xx < w; xx++) {
                int32_t v = x[i][(c - base) * st[i][1] + yy * st[i][2] + xx * st[i][3]];
                int32_t want = naive_requant(v - zxs[i], naive_fdiv(sxs[i], sy), zy, -128, 127);
                if (y[c * ys[1] + yy * ys[2] + xx * ys[3]] != want) bad++;
            }
    }
    th_check(t, bad == 0, "qs8 concat: copy, rescaled scale, rescaled zero point (NHWC, axis C)",
             "%ld wrong", bad);
    for (int i = 0; i < 3; i++) free(x[i]);
}

/* ---- deterministic math and lookup tables ------------------------------- */

static double rel_err(double got, double want) {
    if (got == want) return 0;
    double d = fabs(got - want), m = fabs(want);
    return m < 1e-300 ? d : d / m;
}

static void test_detmath(th_ctx *t) {
    double e_exp = 0, e_expm1 = 0, e_tanh = 0, e_sig = 0;
    for (double x = -708; x <= 709.7; x += 0.0137)
        e_exp = fmax(e_exp, rel_err(tern_det_exp(x), exp(x)));
    for (double x = -40; x <= 40; x += 0.000731) {
        e_exp = fmax(e_exp, rel_err(tern_det_exp(x), exp(x)));
        e_expm1 = fmax(e_expm1, rel_err(tern_det_expm1(x), expm1(x)));
        e_tanh = fmax(e_tanh, rel_err(tern_det_tanh(x), tanh(x)));
        e_sig = fmax(e_sig, rel_err(tern_det_sigmoid(x), 1 / (1 + exp(-x))));
    }
    for (double x = 1e-300; x < 1; x *= 1.37) /* tiny arguments: no cancellation */
        for (int sg = -1; sg <= 1; sg += 2) {
            e_expm1 = fmax(e_expm1, rel_err(tern_det_expm1(sg * x), expm1(sg * x)));
            e_tanh = fmax(e_tanh, rel_err(tern_det_tanh(sg * x), tanh(sg * x)));
        }
    int edges = tern_det_exp(710) == INFINITY && tern_det_exp(-746) == 0 &&
                isnan(tern_det_exp(NAN)) && tern_det_tanh(30) == 1 && tern_det_tanh(-30) == -1 &&
                tern_det_sigmoid(-800) == 0 && tern_det_sigmoid(800) == 1 && tern_det_exp(0) == 1;
    if (t->verbose)
        printf("  detmath max relative error vs libm: exp %.3g expm1 %.3g tanh %.3g sigmoid %.3g\n",
               e_exp, e_expm1, e_tanh, e_sig);
    th_check(t, e_exp < 2e-15 && e_expm1 < 2e-15 && e_tanh < 2e-15 && e_sig < 2e-15 && edges,
             "detmath: exp, expm1, tanh, sigmoid within 2e-15 of libm",
             "max rel err %.3g %.3g %.3g %.3g edges %d", e_exp, e_expm1, e_tanh, e_sig, edges);
}

/* The same function through libm, written independently. */
static double libm_fn(const tern_lut_func *f, double x) {
    switch (f->kind) {
    case TERN_LUT_SIGMOID:
        return 1 / (1 + exp(-x));
    case TERN_LUT_TANH:
        return tanh(x);
    case TERN_LUT_SILU:
        return x / (1 + exp(-x));
    case TERN_LUT_HARDSIGMOID:
        return fmax(0, fmin(1, f->a * x + f->b));
    case TERN_LUT_HARDSWISH:
        return x * fmax(0, fmin(6, x + 3)) / 6;
    case TERN_LUT_LEAKYRELU:
        return x < 0 ? f->a * x : x;
    }
    return x;
}

/* Tables from tern's builder against tables from libm: they may differ
 * only where the unrounded value is within 1e-9 of a tie; count those. */
static void test_lut_tables(th_ctx *t) {
    static const tern_lut_func fns[] = {
        {TERN_LUT_SIGMOID, 0, 0},   {TERN_LUT_TANH, 0, 0},
        {TERN_LUT_SILU, 0, 0},      {TERN_LUT_HARDSIGMOID, 0.2f, 0.5},
        {TERN_LUT_HARDSWISH, 0, 0}, {TERN_LUT_LEAKYRELU, 0.1f, 0}};
    static const char *names[] = {"sigmoid",     "tanh",      "silu",
                                  "hardsigmoid", "hardswish", "leakyrelu"};
    for (int f = 0; f < 6; f++) {
        nrng r = {14000 + (uint64_t)f};
        long diff = 0, far = 0, entries = 0;
        for (int set = 0; set < 3000; set++) {
            float sx = (float)pow(10.0, -3 + 2 * nrng_unit(&r)),
                  sy = (float)pow(10.0, -3 + 1.5 * nrng_unit(&r));
            int32_t zx = nrng_int(&r, -128, 127), zy = nrng_int(&r, -128, 127);
            int32_t qmin = set % 5 == 0 ? zy : -128;
            int8_t table[256];
            tern_qs8_lut_build(table, sx, zx, sy, zy, qmin, 127, tern_lut_func_eval, &fns[f]);
            for (int q = -128; q <= 127; q++) {
                double v = libm_fn(&fns[f], (double)sx * (q - zx)) / sy;
                int32_t want = naive_finish(v, zy, qmin, 127);
                entries++;
                if (table[q + 128] == want) continue;
                diff++;
                if (fabs(v - floor(v) - 0.5) > 1e-9 * fmax(1, fabs(v))) far++;
            }
        }
        char name[96];
        snprintf(name, sizeof name, "qs8 lut %s: tables equal libm's except at near-ties",
                 names[f]);
        th_check(t, far == 0 && diff * 10000 < entries, name,
                 "%ld of %ld entries differ, %ld not near a tie", diff, entries, far);
        if (t->verbose)
            printf("  lut %s: %ld of %ld entries differ from libm (all near ties)\n", names[f],
                   diff, entries);
    }
}

/* Exact ties in a table round to even: identity with s_x = s_y / 2. */
static void test_lut_ties(th_ctx *t) {
    tern_lut_func id = {TERN_LUT_LEAKYRELU, 1.0, 0};
    int8_t table[256];
    tern_qs8_lut_build(table, 0.25f, 0, 0.5f, 3, -128, 127, tern_lut_func_eval, &id);
    /* q = 1, 3, 5, -1, -3 -> 0.5, 1.5, 2.5, -0.5, -1.5 -> 0, 2, 2, 0, -2 (+3) */
    int ok = table[129] == 3 && table[131] == 5 && table[133] == 5 && table[127] == 3 &&
             table[125] == 1 && table[0] == -61 && table[255] == 67;
    th_check(t, ok, "qs8 lut: ties round to even", "%d %d %d %d %d", table[129], table[131],
             table[133], table[127], table[125]);
}

static void test_lut_apply(th_ctx *t) {
    nrng r = {15000};
    int8_t table[256], x[2 * 7 * 5 * 3], y[2 * 7 * 5 * 3];
    for (int i = 0; i < 256; i++) table[i] = (int8_t)nrng_int(&r, -128, 127);
    nrng_fill_s8(&r, x, 210, -128, 127);
    int64_t d[4] = {2, 7, 5, 3}, xs[4], ys[4];
    strides4(d, 0, xs);
    strides4(d, 1, ys); /* plain in, channels-last out */
    tern_ref_qs8_lut(4, d, x, xs, table, y, ys);
    long bad = 0;
    for (int64_t e = 0; e < 210; e++) {
        int64_t idx[4];
        unflatten(4, d, e, idx);
        if (y[idx[0] * ys[0] + idx[1] * ys[1] + idx[2] * ys[2] + idx[3] * ys[3]] !=
            table[x[e] + 128])
            bad++;
    }
    int8_t x1 = -128, y1;
    tern_ref_qs8_lut(0, d, &x1, xs, table, &y1, ys);
    th_check(t, bad == 0 && y1 == table[0], "qs8 lut: y = table[x + 128], any layout, rank 0",
             "%ld wrong", bad);
}

/* ---- QuantizeLinear / DequantizeLinear ----------------------------------- */

static int32_t naive_quantize(float x, float s, int32_t z, int u8) {
    int32_t lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
    return naive_finish(naive_fdiv(x, s), z, lo, hi);
}

static void test_quantize(th_ctx *t) {
    nrng r = {16000};
    long bad = 0;
    for (int u8 = 0; u8 < 2; u8++)
        for (int set = 0; set < 200; set++) {
            float s =
                set < 20 ? (float)ldexp(1.0, set - 10) : (float)pow(10.0, -4 + 4 * nrng_unit(&r));
            int32_t z = u8 ? nrng_int(&r, 0, 255) : nrng_int(&r, -128, 127);
            float x[300];
            for (int i = 0; i < 300; i++) {
                x[i] = (float)((nrng_unit(&r) - 0.5) * 600 * s);
                if (i < 40) x[i] = ((float)(i - 20) + 0.5f) * s; /* ties (exact for powers of 2) */
            }
            x[40] = NAN, x[41] = INFINITY, x[42] = -INFINITY, x[43] = FLT_MAX, x[44] = -FLT_MIN,
            x[45] = 0;
            uint8_t y[300];
            int64_t n = 300, st = 1;
            tern_ref_quantize_f32(1, &n, x, &st, -1, &s, &z, u8 ? TERN_UINT8 : TERN_INT8, y, &st);
            for (int i = 0; i < 300; i++) {
                int32_t got = u8 ? y[i] : (int8_t)y[i];
                if (got != naive_quantize(x[i], s, z, u8)) bad++;
            }
        }
    th_check(t, bad == 0, "quantize: float -> int8/uint8, ties, NaN, inf, saturation", "%ld wrong",
             bad);

    /* x / s and x * (1 / s) round differently for some x: the kernel divides */
    int found = 0, ok = 1;
    for (int i = 0; i < 1000000 && found < 20; i++) {
        float s = (float)(0.001 + nrng_unit(&r)), x = (float)((nrng_unit(&r) - 0.5) * 200) * s;
        int32_t div = naive_finish(naive_fdiv(x, s), 0, -128, 127);
        int32_t rec = naive_finish(naive_fmul(x, naive_fdiv(1.0f, s)), 0, -128, 127);
        if (div == rec) continue;
        found++;
        int8_t y;
        int32_t z0 = 0;
        int64_t one = 1, st = 1;
        tern_ref_quantize_f32(1, &one, &x, &st, -1, &s, &z0, TERN_INT8, &y, &st);
        ok &= y == div;
    }
    th_check(t, found > 0 && ok, "quantize: divides by the scale (not times its reciprocal)",
             "%d cases found, ok %d", found, ok);

    /* per axis, channels-last output */
    int64_t d[3] = {2, 3, 4}, xs[3] = {12, 4, 1}, ys[3] = {12, 1, 3};
    float x[24], sc[3] = {0.1f, 0.25f, 0.013f};
    int32_t zp[3] = {-128, 0, 100};
    int8_t y[24];
    for (int i = 0; i < 24; i++) x[i] = (float)((nrng_unit(&r) - 0.5) * 20);
    tern_ref_quantize_f32(3, d, x, xs, 1, sc, zp, TERN_INT8, y, ys);
    bad = 0;
    for (int i = 0; i < 24; i++) {
        int a = i / 12, c = i / 4 % 3, w = i % 4;
        if (y[a * 12 + c + w * 3] != naive_quantize(x[i], sc[c], zp[c], 0)) bad++;
    }
    th_check(t, bad == 0, "quantize: per-axis scales and zero points, strided output", "%ld wrong",
             bad);
}

static void test_dequantize(th_ctx *t) {
    nrng r = {17000};
    long bad = 0;
    uint8_t u[256];
    int8_t s8[256];
    int32_t i32[256];
    float y[256];
    for (int i = 0; i < 256; i++) {
        u[i] = (uint8_t)i, s8[i] = (int8_t)(i - 128);
        i32[i] = i < 4 ? (i % 2 ? INT32_MAX : INT32_MIN) : (int32_t)(uint32_t)nrng_next(&r);
    }
    int64_t n = 256, st = 1;
    for (int set = 0; set < 50; set++) {
        float s = (float)pow(10.0, -9 + 9 * nrng_unit(&r));
        int32_t zu = nrng_int(&r, 0, 255), zs = nrng_int(&r, -128, 127),
                z0 = set % 2 ? 0 : nrng_int(&r, -1000, 1000);
        tern_ref_dequantize_f32(1, &n, TERN_UINT8, u, &st, -1, &s, &zu, y, &st);
        for (int i = 0; i < 256; i++) bad += y[i] != naive_fmul((float)(u[i] - zu), s);
        tern_ref_dequantize_f32(1, &n, TERN_INT8, s8, &st, -1, &s, &zs, y, &st);
        for (int i = 0; i < 256; i++) bad += y[i] != naive_fmul((float)(s8[i] - zs), s);
        tern_ref_dequantize_f32(1, &n, TERN_INT32, i32, &st, -1, &s, &z0, y, &st);
        for (int i = 0; i < 256; i++) bad += y[i] != naive_fmul(naive_i2f((int64_t)i32[i] - z0), s);
    }
    /* per axis */
    int64_t d[2] = {4, 64}, xs[2] = {64, 1};
    float sc[4] = {0.5f, 0.01f, 3.0f, 1e-6f};
    int32_t zp[4] = {-128, 0, 5, 127};
    tern_ref_dequantize_f32(2, d, TERN_INT8, s8, xs, 0, sc, zp, y, xs);
    for (int i = 0; i < 256; i++)
        bad += y[i] != naive_fmul((float)(s8[i] - zp[i / 64]), sc[i / 64]);
    th_check(t, bad == 0, "dequantize: int8, uint8, int32; per tensor and per axis", "%ld wrong",
             bad);

    uint8_t back[256];
    tern_ref_flip_sign8(256, u, back);
    int flip_ok = memcmp(back, s8, 256) == 0;
    tern_ref_flip_sign8(256, back, back); /* in place, and back */
    flip_ok &= memcmp(back, u, 256) == 0;
    th_check(t, flip_ok, "flip_sign8: uint8 x ^ 0x80 is int8 x - 128, and back", "wrong");
}

TH_SUITE(suite_kernels_int8_ops) {
    test_binary(t);
    test_vadd_no_fma(t);
    test_gavgpool(t);
    test_avgpool(t);
    test_maxpool(t);
    test_rescale_identity(t);
    test_concat(t);
    test_detmath(t);
    test_lut_tables(t);
    test_lut_ties(t);
    test_lut_apply(t);
    test_quantize(t);
    test_dequantize(t);
}
