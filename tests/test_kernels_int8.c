/* Tests of the INT8 requantization and the dot-product reference kernels
 * (suite_kernels_int8): requant.h's rounding at every edge, then int8 GEMM,
 * convolution and depthwise convolution against naive int64 loops written
 * here, over many shapes, zero points at the extremes, per-channel and
 * per-tensor weights, weights with a zero point (the uint8 conversion
 * path), bias extremes, saturating scales, plain and channels-last layouts,
 * and K at the documented maximum (under `make test SAN=1`, UBSan turns any
 * int32 overflow into a failure). docs/quantization.md is the spec. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/ref/qs8_conv_fp32.h"
#include "kernels/ref/qs8_dwconv_fp32.h"
#include "kernels/ref/qs8_gemm_fp32.h"
#include "kernels/ref/requant.h"
#include "tests/harness.h"
#include "tests/int8_naive.h"

/* ---- requantization ------------------------------------------------------ */

static tern_requant_fp32 rq_make(float scale, int32_t zy, int32_t qmin, int32_t qmax) {
    return (tern_requant_fp32){.scale = scale, .zero_point = zy, .qmin = qmin, .qmax = qmax};
}

/* Hand-computed cases: ties to even, the int -> float rounding above 2^24. */
static void test_requant_fixed(th_ctx *t) {
    static const struct {
        int32_t acc;
        float scale;
        int32_t zy, want;
    } c[] = {
        {1, 0.5f, 0, 0},
        {3, 0.5f, 0, 2},
        {5, 0.5f, 0, 2},
        {7, 0.5f, 0, 4},
        {-1, 0.5f, 0, 0},
        {-3, 0.5f, 0, -2},
        {-5, 0.5f, 0, -2},
        {1, 0.5f, 5, 5},
        {3, 0.5f, -7, -5},
        {255, 0.5f, 0, 127},
        {-255, 0.5f, 0, -128},
        {16777215, 0x1p-24f, 0, 1}, /* 2^24 - 1 is exact: 0.99999994 -> 1 */
        /* 65 * 2^18 + 1: the exact product is 32.5000019 (-> 33), but (float)acc
         * is 65 * 2^18 (tie of the int -> float step, to even), so f = 32.5 -> 32 */
        {17039361, 0x1p-19f, 0, 32},
        {17039363, 0x1p-19f, 0, 33}, /* (float)acc = 17039364: 32.5000076 -> 33 */
        {-17039361, 0x1p-19f, 0, -32},
    };
    int bad = -1;
    for (size_t i = 0; i < sizeof c / sizeof c[0] && bad < 0; i++) {
        tern_requant_fp32 p = rq_make(c[i].scale, c[i].zy, -128, 127);
        if (tern_requant_fp32_apply(c[i].acc, &p) != c[i].want) bad = (int)i;
    }
    th_check(t, bad < 0, "requant: ties to even, int->float above 2^24", "case %d", bad);
}

/* Every acc in [-2000, 2000] and the neighbourhoods of 2^24, 2^25, 2^30
 * against the naive rule, for many scales, zero points and clamps. */
static void test_requant_sweep(th_ctx *t) {
    static const float scales[] = {1.0f,  0.5f, 0.25f,  0x1p-8f,  1.0f / 3, 0.0123f,
                                   1e-5f, 3.7f, 127.5f, 0x1p-19f, 0x1p-23f, 7.3e-9f};
    static const int32_t zys[] = {-128, -1, 0, 77, 127};
    static const int32_t anchors[] = {0, 1 << 24, 1 << 25, 3 << 23, 1 << 30, 2139111424};
    long n = 0, bad = 0;
    char msg[160] = "";
    for (size_t s = 0; s < sizeof scales / sizeof scales[0]; s++)
        for (size_t z = 0; z < sizeof zys / sizeof zys[0]; z++)
            for (int clamp = 0; clamp < 3; clamp++) {
                int32_t zy = zys[z];
                int32_t qmin = clamp == 0 ? -128 : zy,
                        qmax = clamp == 2 ? (zy + 40 < 127 ? zy + 40 : 127) : 127;
                tern_requant_fp32 p = rq_make(scales[s], zy, qmin, qmax);
                for (size_t a = 0; a < sizeof anchors / sizeof anchors[0]; a++)
                    for (int sign = -1; sign <= 1; sign += 2)
                        for (int64_t d = -2000; d <= 2000; d++) {
                            int64_t acc = sign * (int64_t)anchors[a] + d;
                            if (acc > INT32_MAX || acc < INT32_MIN) continue;
                            int32_t got = tern_requant_fp32_apply((int32_t)acc, &p);
                            int32_t want = naive_requant(acc, scales[s], zy, qmin, qmax);
                            n++;
                            if (got != want && bad++ == 0)
                                snprintf(
                                    msg, sizeof msg, "acc %lld scale %a zy %d [%d,%d]: %d, want %d",
                                    (long long)acc, (double)scales[s], zy, qmin, qmax, got, want);
                        }
            }
    th_check(t, bad == 0, "requant: sweep of accumulators x scales x zero points x clamps",
             "%ld of %ld differ; first %s", bad, n, msg);
}

/* Random accumulators (full int32 range), log-uniform scales, random zero
 * points and clamps. */
static void test_requant_random(th_ctx *t) {
    nrng r = {0x1234567u};
    long bad = 0;
    char msg[160] = "";
    for (int i = 0; i < 1000000; i++) {
        int32_t acc = (int32_t)(uint32_t)nrng_next(&r);
        if (i & 1) acc >>= nrng_int(&r, 0, 30);
        float scale = (float)pow(10.0, -12.0 + 15.0 * nrng_unit(&r));
        int32_t zy = nrng_int(&r, -128, 127), qmin = nrng_int(&r, -128, 127);
        int32_t qmax = nrng_int(&r, qmin, 127);
        tern_requant_fp32 p = rq_make(scale, zy, qmin, qmax);
        int32_t got = tern_requant_fp32_apply(acc, &p),
                want = naive_requant(acc, scale, zy, qmin, qmax);
        if (got != want && bad++ == 0)
            snprintf(msg, sizeof msg, "acc %d scale %a zy %d: %d, want %d", acc, (double)scale, zy,
                     got, want);
    }
    th_check(t, bad == 0, "requant: 10^6 random cases", "%ld differ; first %s", bad, msg);
}

/* Above 2^24 the accumulator is rounded to float before the multiply; the
 * exact product rounded once would sometimes give another output. Find such
 * cases and check the kernel takes the specified path in each. */
static void test_requant_i2f_first(th_ctx *t) {
    nrng r = {31337};
    int found = 0, ok = 1;
    for (int i = 0; i < 3000000 && found < 50; i++) {
        int64_t acc = (int64_t)nrng_int(&r, 1 << 24, INT32_MAX) * (i % 2 ? 1 : -1);
        float scale = (float)(127.0 * nrng_unit(&r) / (double)(acc < 0 ? -acc : acc));
        int32_t spec = naive_requant(acc, scale, 0, -128, 127);
        int32_t exact = naive_finish((float)((double)acc * (double)scale), 0, -128, 127);
        if (spec == exact) continue;
        found++;
        tern_requant_fp32 p = rq_make(scale, 0, -128, 127);
        ok &= tern_requant_fp32_apply((int32_t)acc, &p) == spec;
    }
    th_check(t, found > 0 && ok, "requant: (float)acc is rounded before the multiply",
             "%d distinguishing cases, ok %d", found, ok);
}

/* Saturation at both ends, infinite and subnormal products, NaN. */
static void test_requant_limits(th_ctx *t) {
    tern_requant_fp32 huge = rq_make(1e30f, 3, -128, 127), max = rq_make(FLT_MAX, -5, -100, 90);
    tern_requant_fp32 tiny = rq_make(1e-45f, -7, -128, 127);
    int ok = tern_requant_fp32_apply(1, &huge) == 127 &&
             tern_requant_fp32_apply(-1, &huge) == -128 && tern_requant_fp32_apply(0, &huge) == 3 &&
             tern_requant_fp32_apply(1 << 30, &max) == 90 && /* (float)acc * FLT_MAX = inf */
             tern_requant_fp32_apply(-(1 << 30), &max) == -100 &&
             tern_requant_fp32_apply(INT32_MAX, &tiny) == -7 &&
             tern_requant_fp32_apply(INT32_MIN, &tiny) == -7;
    th_check(t, ok, "requant: saturation, inf and subnormal products", "mismatch");
    tern_requant_fp32 p = rq_make(1.0f, 10, -20, 30);
    th_check(t, tern_requant_fp32_finish(NAN, &p) == -20, "requant: NaN gives qmin", "%d",
             tern_requant_fp32_finish(NAN, &p));
}

/* The scale formulas against their float emulation. */
static void test_requant_scales(th_ctx *t) {
    nrng r = {99};
    long bad = 0;
    for (int i = 0; i < 200000; i++) {
        float sx = (float)pow(10.0, -6 + 6 * nrng_unit(&r)),
              sw = (float)pow(10.0, -10 + 9 * nrng_unit(&r));
        float sy = (float)pow(10.0, -6 + 6 * nrng_unit(&r));
        int64_t count = nrng_int(&r, 1, 1 << 20);
        if (tern_requant_fp32_scale(sx, sw, sy) != naive_fdiv(naive_fmul(sx, sw), sy)) bad++;
        if (tern_requant_fp32_avg_scale(sx, sy, count) !=
            naive_fdiv(sx, naive_fmul(sy, (float)count)))
            bad++;
        tern_qs8_rescale rs;
        tern_qs8_rescale_init(&rs, sx, 0, sy, 0, -128, 127);
        if (rs.out.scale != naive_fdiv(sx, sy)) bad++;
    }
    th_check(t, bad == 0, "requant: scale formulas are ORT's float ones", "%ld differ", bad);
}

/* Quantizing a Relu6'd (or Relu'd) value equals clamping the quantized
 * value to [max(qmin, z), min(qmax, Q(6))]: the fused clamp is exact. */
static void test_requant_fused_clamp(th_ctx *t) {
    nrng r = {7};
    long bad = 0;
    for (int i = 0; i < 2000; i++) {
        float s = (float)pow(10.0, -3 + 2.5 * nrng_unit(&r));
        int32_t z = nrng_int(&r, -128, 127);
        int32_t lo = z > -128 ? z : -128, hi6 = tern_qs8_quantize_bound(6.0f, s, z);
        for (int j = 0; j < 400; j++) {
            float v = (float)(-10 + 20 * nrng_unit(&r));
            if (j < 8) v = (float)(j - 2) * s * 0.5f; /* exact ties around 0 */
            float relu6 = v < 0 ? 0 : v > 6 ? 6 : v, relu = v < 0 ? 0 : v;
            int32_t q = naive_finish(naive_fdiv(v, s), z, -128, 127);
            int32_t want6 = naive_finish(naive_fdiv(relu6, s), z, -128, 127);
            int32_t want = naive_finish(naive_fdiv(relu, s), z, -128, 127);
            int32_t got6 = q < lo ? lo : q > hi6 ? hi6 : q, got = q < lo ? lo : q;
            if (got6 != want6 || got != want) bad++;
        }
    }
    th_check(t, bad == 0, "requant: Relu/Relu6 as the output clamp equal quantizing after them",
             "%ld differ", bad);
}

static void test_dot_fits(th_ctx *t) {
    int32_t ok_bias[2] = {-(1 << 30), 1 << 30}, bad_bias[1] = {(1 << 30) + 1};
    int ok = tern_qs8_dot_fits(TERN_QS8_MAX_K, ok_bias, 2) &&
             !tern_qs8_dot_fits(TERN_QS8_MAX_K + 1, NULL, 0) &&
             !tern_qs8_dot_fits(5, bad_bias, 1) && tern_qs8_dot_fits(0, NULL, 0) &&
             (int64_t)TERN_QS8_MAX_BIAS + (int64_t)TERN_QS8_MAX_K * 65025 <= INT32_MAX;
    th_check(t, ok, "requant: the accumulator bound and its check", "wrong");
}

/* ---- shared parameter generation ----------------------------------------- */

/* Quantization of one dot-product test: zero points, bias, requant. */
typedef struct dotq {
    int32_t zx;
    int32_t *zw, *bias;
    tern_requant_fp32 *rq;
    tern_qs8_dot_params p;
} dotq;

/* variant: 0 extremes (zx -128, per-channel zw at the extremes and random,
 * bias up to +-2^30, per-channel scales); 1 symmetric weights (zx 127, zw 0,
 * no bias, one scale); 2 saturating (huge and tiny scales, Relu clamp). */
static void dotq_make(dotq *q, int64_t c_out, int variant, int64_t k, nrng *r) {
    q->zw = malloc(sizeof(int32_t) * (size_t)c_out);
    q->bias = malloc(sizeof(int32_t) * (size_t)c_out);
    q->rq = malloc(sizeof(tern_requant_fp32) * (size_t)c_out);
    q->zx = variant == 0 ? -128 : variant == 1 ? 127 : nrng_int(r, -128, 127);
    float base = 1.0f / (float)(k * 2000 + 1);
    int32_t zy_all = nrng_int(r, -128, 127); /* variant 1: one scale, one zero point */
    for (int64_t c = 0; c < c_out; c++) {
        q->zw[c] = variant == 1 ? 0 : c % 3 == 0 ? -128 : c % 3 == 1 ? 127 : nrng_int(r, -128, 127);
        q->bias[c] = variant != 0 ? nrng_int(r, -5000, 5000)
                     : c % 4 == 0 ? -(1 << 30)
                     : c % 4 == 1 ? (1 << 30)
                                  : nrng_int(r, -100000, 100000);
        float s = base * (float)(1 + nrng_unit(r) * 30);
        if (variant == 0 && c % 4 < 2) s = 1e-10f; /* the dead channels of keras_int8pc */
        if (variant == 2) s = c % 2 ? 50.0f : 1e-9f;
        int32_t zy = nrng_int(r, -128, 127);
        if (variant == 1)
            q->rq[c] = rq_make(base * 20, zy_all, -128, 127);
        else
            q->rq[c] = rq_make(s, zy, variant == 2 ? zy : -128, 127); /* 2: a fused Relu */
    }
    q->p = (tern_qs8_dot_params){.x_zero_point = q->zx,
                                 .w_zero_point = q->zw,
                                 .bias = variant == 1 ? NULL : q->bias,
                                 .requant = q->rq};
}

static void dotq_free(dotq *q) {
    free(q->zw);
    free(q->bias);
    free(q->rq);
}

static int64_t dotq_bias(const dotq *q, int64_t c) { return q->p.bias ? q->p.bias[c] : 0; }

/* ---- GEMM -------------------------------------------------------------- */

/* One GEMM: x [m, k] row-major with a padded row stride; w [n, k] either
 * row-major or stored transposed ([k, n]); y [m, n] row-major or column-major. */
static int gemm_case(th_ctx *t, int64_t m, int64_t n, int64_t k, int variant, int wt, int yt,
                     uint64_t seed) {
    nrng r = {seed};
    int64_t ld = k + 3;
    int8_t *x = malloc((size_t)(m * ld)), *w = malloc((size_t)(n * k)),
           *y = malloc((size_t)(m * n));
    int32_t *acc = malloc(sizeof(int32_t) * (size_t)(m * n));
    nrng_fill_s8(&r, x, m * ld, -128, 127);
    nrng_fill_s8(&r, w, n * k, -128, 127);
    dotq q;
    dotq_make(&q, n, variant, k, &r);
    int64_t xs[2] = {ld, 1}, ws[2] = {wt ? 1 : k, wt ? n : 1}, ys[2] = {yt ? 1 : n, yt ? m : 1};
    tern_ref_qs8_gemm_fp32(m, n, k, x, xs, w, ws, &q.p, y, ys);
    tern_ref_qs8_gemm_s32(m, n, k, x, xs, w, ws, &q.p, acc, ys);
    long bad = 0;
    char msg[128] = "";
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            int64_t a = dotq_bias(&q, j);
            for (int64_t l = 0; l < k; l++)
                a += (int64_t)(x[i * ld + l] - q.zx) * (w[j * ws[0] + l * ws[1]] - q.zw[j]);
            int32_t want =
                naive_requant(a, q.rq[j].scale, q.rq[j].zero_point, q.rq[j].qmin, q.rq[j].qmax);
            int64_t o = i * ys[0] + j * ys[1];
            if ((y[o] != want || acc[o] != a) && bad++ == 0)
                snprintf(msg, sizeof msg, "(%lld,%lld): %d/%d, want %d/%lld", (long long)i,
                         (long long)j, y[o], acc[o], want, (long long)a);
        }
    char name[96];
    snprintf(name, sizeof name, "qs8 gemm %lldx%lldx%lld variant %d%s%s", (long long)m,
             (long long)n, (long long)k, variant, wt ? " w^T" : "", yt ? " y^T" : "");
    th_check(t, bad == 0, name, "%ld wrong; first %s", bad, msg);
    dotq_free(&q);
    free(x), free(w), free(y), free(acc);
    return bad == 0;
}

static void test_gemm(th_ctx *t) {
    static const int64_t shapes[][3] = {{1, 1, 1},    {1, 7, 3},     {3, 5, 17},   {8, 13, 64},
                                        {17, 3, 300}, {2, 31, 1000}, {5, 1, 1280}, {4, 9, 2}};
    uint64_t seed = 1;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int v = 0; v < 3; v++)
            gemm_case(t, shapes[s][0], shapes[s][1], shapes[s][2], v, (int)(s + v) % 2,
                      (int)s % 3 == 0, seed++);
}

/* K = TERN_QS8_MAX_K with every product at +-65025 and the bias at +-2^30:
 * the accumulators are +-2139111424, exactly. */
static void test_gemm_kmax(th_ctx *t) {
    int64_t k = TERN_QS8_MAX_K;
    int8_t *x = malloc((size_t)k), *w = malloc((size_t)(2 * k)), y[2];
    memset(x, -128, (size_t)k);     /* x - zx = -128 - 127 = -255 */
    memset(w, 127, (size_t)k);      /* channel 0: 127 - (-128) = 255 */
    memset(w + k, -128, (size_t)k); /* channel 1: -128 - 127 = -255 */
    int32_t zw[2] = {-128, 127}, bias[2] = {-(1 << 30), 1 << 30}, acc[2];
    tern_requant_fp32 rq[2] = {rq_make(1e-9f, 0, -128, 127), rq_make(1e-9f, 0, -128, 127)};
    tern_qs8_dot_params p = {.x_zero_point = 127, .w_zero_point = zw, .bias = bias, .requant = rq};
    int64_t xs[2] = {k, 1}, ws[2] = {k, 1}, ys[2] = {2, 1};
    tern_ref_qs8_gemm_s32(1, 2, k, x, xs, w, ws, &p, acc, ys);
    tern_ref_qs8_gemm_fp32(1, 2, k, x, xs, w, ws, &p, y, ys);
    th_check(t, acc[0] == -2139111424 && acc[1] == 2139111424 && y[0] == -2 && y[1] == 2,
             "qs8 gemm: K at the maximum, all products and the bias at the extremes",
             "acc %d %d y %d %d", acc[0], acc[1], y[0], y[1]);
    free(x), free(w);
}

/* uint8 activations and asymmetric uint8 weights (as the TFLite-derived QDQ
 * files have them) flipped to int8 with zero points - 128 give the same
 * outputs as the naive computation on the uint8 values. */
static void test_gemm_uint8_path(th_ctx *t) {
    nrng r = {4242};
    int64_t m = 6, n = 9, k = 75;
    uint8_t xu[6 * 75], wu[9 * 75];
    int8_t x[6 * 75], w[9 * 75], y[6 * 9];
    static const int32_t zwu[9] = {1, 52, 122, 165, 255, 0, 128, 200, 17};
    int32_t zxu = 122, zw[9], bias[9];
    tern_requant_fp32 rq[9];
    for (int64_t i = 0; i < m * k; i++)
        xu[i] = (uint8_t)nrng_int(&r, 0, 255), x[i] = (int8_t)(xu[i] ^ 0x80);
    for (int64_t i = 0; i < n * k; i++)
        wu[i] = (uint8_t)nrng_int(&r, 1, 255), w[i] = (int8_t)(wu[i] ^ 0x80);
    for (int j = 0; j < 9; j++) {
        zw[j] = zwu[j] - 128;
        bias[j] = nrng_int(&r, -30000, 30000);
        rq[j] = rq_make(0.00021f * (float)(j + 1), nrng_int(&r, -128, 127), -128, 127);
    }
    tern_qs8_dot_params p = {
        .x_zero_point = zxu - 128, .w_zero_point = zw, .bias = bias, .requant = rq};
    int64_t xs[2] = {k, 1}, ws[2] = {k, 1}, ys[2] = {n, 1};
    tern_ref_qs8_gemm_fp32(m, n, k, x, xs, w, ws, &p, y, ys);
    long bad = 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            int64_t a = bias[j];
            for (int64_t l = 0; l < k; l++)
                a += (int64_t)(xu[i * k + l] - zxu) * (wu[j * k + l] - zwu[j]);
            if (y[i * n + j] != naive_requant(a, rq[j].scale, rq[j].zero_point, -128, 127)) bad++;
        }
    th_check(t, bad == 0, "qs8 gemm: uint8 data and weights via x ^ 0x80 are exact", "%ld wrong",
             bad);
}

/* ---- convolution ------------------------------------------------------- */

typedef struct conv_case {
    const char *name;
    int64_t n, c, m, group;
    int64_t in[3], k[3], s[3], d[3], pb[3], pe[3]; /* depth, height, width */
} conv_case;

static int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
    return (in + pb + pe - ((k - 1) * d + 1)) / s + 1;
}

/* Element strides of [N, C, D, H, W] plain (cl = 0) or channels-last. */
static void strides5(const int64_t dims[5], int cl, int64_t st[5]) {
    int64_t c = dims[1], d = dims[2], h = dims[3], w = dims[4];
    if (!cl) {
        st[4] = 1, st[3] = w, st[2] = h * w, st[1] = d * h * w, st[0] = c * d * h * w;
    } else {
        st[1] = 1, st[4] = c, st[3] = w * c, st[2] = h * w * c, st[0] = d * h * w * c;
    }
}

static tern_conv_geom geom_of(const conv_case *k) {
    tern_conv_geom g = {.n = k->n, .c_in = k->c, .c_out = k->m, .group = k->group};
    for (int a = 0; a < 3; a++) {
        g.in[a] = k->in[a], g.kernel[a] = k->k[a], g.stride[a] = k->s[a], g.dil[a] = k->d[a];
        g.pad_begin[a] = k->pb[a], g.pad_end[a] = k->pe[a];
        g.out[a] = out_size(k->in[a], k->k[a], k->s[a], k->d[a], k->pb[a], k->pe[a]);
    }
    return g;
}

/* The naive convolution accumulator at (n, co, od, oh, ow) on plain data. */
static int64_t conv_naive(const conv_case *k, const tern_conv_geom *g, const int8_t *x,
                          const int8_t *w, const dotq *q, int64_t n, int64_t co,
                          const int64_t o[3]) {
    int64_t cig = k->c / k->group, cog = k->m / k->group, grp = co / cog, a = dotq_bias(q, co);
    for (int64_t ci = 0; ci < cig; ci++)
        for (int64_t kd = 0; kd < k->k[0]; kd++)
            for (int64_t ky = 0; ky < k->k[1]; ky++)
                for (int64_t kx = 0; kx < k->k[2]; kx++) {
                    int64_t id = o[0] * k->s[0] - k->pb[0] + kd * k->d[0];
                    int64_t iy = o[1] * k->s[1] - k->pb[1] + ky * k->d[1];
                    int64_t ix = o[2] * k->s[2] - k->pb[2] + kx * k->d[2];
                    if (id < 0 || id >= k->in[0] || iy < 0 || iy >= k->in[1] || ix < 0 ||
                        ix >= k->in[2])
                        continue;
                    int64_t c = grp * cig + ci;
                    int8_t xv =
                        x[(((n * k->c + c) * k->in[0] + id) * k->in[1] + iy) * k->in[2] + ix];
                    int8_t wv = w[(((co * cig + ci) * k->k[0] + kd) * k->k[1] + ky) * k->k[2] + kx];
                    a += (int64_t)(xv - q->zx) * (wv - q->zw[co]);
                }
    (void)g;
    return a;
}

/* Copy plain [N, C, D, H, W] data into the layout of strides st. */
static void to_layout(const int8_t *src, const int64_t dims[5], const int64_t st[5], int8_t *dst) {
    int64_t i = 0;
    for (int64_t a = 0; a < dims[0]; a++)
        for (int64_t b = 0; b < dims[1]; b++)
            for (int64_t c = 0; c < dims[2]; c++)
                for (int64_t d = 0; d < dims[3]; d++)
                    for (int64_t e = 0; e < dims[4]; e++)
                        dst[a * st[0] + b * st[1] + c * st[2] + d * st[3] + e * st[4]] = src[i++];
}

/* Run one case in one layout and variant: the kernel (conv or, when dw,
 * the depthwise kernel) against conv_naive. */
static void conv_run(th_ctx *t, const conv_case *k, int cl, int variant, int dw, uint64_t seed) {
    nrng r = {seed};
    tern_conv_geom g = geom_of(k);
    int64_t xd[5] = {k->n, k->c, k->in[0], k->in[1], k->in[2]};
    int64_t yd[5] = {k->n, k->m, g.out[0], g.out[1], g.out[2]};
    int64_t cig = k->c / k->group, kk = cig * k->k[0] * k->k[1] * k->k[2];
    int64_t nx = xd[0] * xd[1] * xd[2] * xd[3] * xd[4], ny = yd[0] * yd[1] * yd[2] * yd[3] * yd[4];
    int64_t nw = k->m * kk, xs[5], ys[5],
            ws[5] = {kk, k->k[0] * k->k[1] * k->k[2], k->k[1] * k->k[2], k->k[2], 1};
    int8_t *x = malloc((size_t)nx), *xl = malloc((size_t)nx), *w = malloc((size_t)nw);
    int8_t *y = malloc((size_t)(ny ? ny : 1));
    int32_t *acc = malloc(sizeof(int32_t) * (size_t)(ny ? ny : 1));
    nrng_fill_s8(&r, x, nx, -128, 127);
    nrng_fill_s8(&r, w, nw, -128, 127);
    dotq q;
    dotq_make(&q, k->m, variant, kk, &r);
    strides5(xd, cl, xs);
    strides5(yd, cl, ys);
    to_layout(x, xd, xs, xl);
    if (dw) {
        tern_ref_qs8_dwconv_fp32(&g, xl, xs, w, ws, &q.p, y, ys);
    } else {
        tern_ref_qs8_conv_fp32(&g, xl, xs, w, ws, &q.p, y, ys);
        tern_ref_qs8_conv_s32(&g, xl, xs, w, ws, &q.p, acc, ys);
    }
    long bad = 0;
    char msg[128] = "";
    int64_t o[3];
    for (int64_t n = 0; n < k->n; n++)
        for (int64_t co = 0; co < k->m; co++)
            for (o[0] = 0; o[0] < g.out[0]; o[0]++)
                for (o[1] = 0; o[1] < g.out[1]; o[1]++)
                    for (o[2] = 0; o[2] < g.out[2]; o[2]++) {
                        int64_t a = conv_naive(k, &g, x, w, &q, n, co, o);
                        int32_t want = naive_requant(a, q.rq[co].scale, q.rq[co].zero_point,
                                                     q.rq[co].qmin, q.rq[co].qmax);
                        int64_t off =
                            n * ys[0] + co * ys[1] + o[0] * ys[2] + o[1] * ys[3] + o[2] * ys[4];
                        if ((y[off] != want || (!dw && acc[off] != a)) && bad++ == 0)
                            snprintf(msg, sizeof msg, "n%lld c%lld (%lld,%lld,%lld): %d, want %d",
                                     (long long)n, (long long)co, (long long)o[0], (long long)o[1],
                                     (long long)o[2], y[off], want);
                    }
    char name[128];
    snprintf(name, sizeof name, "qs8 %s %s %s variant %d", dw ? "dwconv" : "conv", k->name,
             cl ? "NHWC" : "NCHW", variant);
    th_check(t, bad == 0, name, "%ld wrong; first %s", bad, msg);
    dotq_free(&q);
    free(x), free(xl), free(w), free(y), free(acc);
}

/* name, n, c, m, group, in (d,h,w), kernel, stride, dilation, pad begin, pad end */
static const conv_case CONV_CASES[] = {
    {"1x1", 1, 3, 7, 1, {1, 5, 4}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}},
    {"3x3 pad 1", 1, 5, 4, 1, {1, 7, 6}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
    {"3x3 s2 asym pad",
     1,
     4,
     6,
     1,
     {1, 9, 8},
     {1, 3, 3},
     {1, 2, 2},
     {1, 1, 1},
     {0, 0, 1},
     {0, 1, 0}},
    {"5x5 s3 dil2 pad3",
     1,
     2,
     3,
     1,
     {1, 13, 11},
     {1, 5, 5},
     {1, 3, 3},
     {1, 2, 2},
     {0, 3, 3},
     {0, 3, 3}},
    {"groups 2", 1, 6, 4, 2, {1, 5, 5}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
    {"groups 3 3x2 s(2,1) d(1,2)",
     1,
     9,
     6,
     3,
     {1, 8, 9},
     {1, 3, 2},
     {1, 2, 1},
     {1, 1, 2},
     {0, 1, 0},
     {0, 0, 1}},
    {"depthwise via groups",
     1,
     5,
     10,
     5,
     {1, 6, 7},
     {1, 3, 3},
     {1, 2, 2},
     {1, 1, 1},
     {0, 1, 1},
     {0, 1, 1}},
    {"batch 2 k2 s2", 2, 3, 2, 1, {1, 4, 4}, {1, 2, 2}, {1, 2, 2}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}},
    {"1-D k3 s2 d2", 1, 4, 5, 1, {1, 1, 17}, {1, 1, 3}, {1, 1, 2}, {1, 1, 2}, {0, 0, 2}, {0, 0, 1}},
    {"3-D", 1, 2, 3, 1, {4, 5, 5}, {2, 3, 3}, {1, 2, 2}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}},
    {"1 element", 1, 1, 1, 1, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}},
    {"kernel over input",
     1,
     3,
     2,
     1,
     {1, 2, 2},
     {1, 3, 3},
     {1, 1, 1},
     {1, 1, 1},
     {0, 1, 1},
     {0, 1, 1}},
    {"pads past kernel (empty windows)",
     1,
     2,
     3,
     1,
     {1, 3, 3},
     {1, 1, 1},
     {1, 1, 1},
     {1, 1, 1},
     {0, 2, 2},
     {0, 2, 2}},
    {"odd channels 3x3 s3",
     1,
     13,
     11,
     1,
     {1, 10, 10},
     {1, 3, 3},
     {1, 3, 3},
     {1, 1, 1},
     {0, 0, 0},
     {0, 2, 2}},
};

static void test_conv(th_ctx *t) {
    uint64_t seed = 100;
    for (size_t i = 0; i < sizeof CONV_CASES / sizeof CONV_CASES[0]; i++)
        for (int cl = 0; cl < 2; cl++)
            for (int v = 0; v < 3; v++) conv_run(t, &CONV_CASES[i], cl, v, 0, seed++);
}

/* Depthwise: c, multiplier, kernel, stride, dilation, pads. */
static void test_dwconv(th_ctx *t) {
    static const struct {
        int64_t c, mult, kh, kw, s, d, pad, h, w;
    } dw[] = {{1, 1, 3, 3, 1, 1, 1, 5, 5},  {3, 1, 3, 3, 2, 1, 1, 9, 8},
              {8, 2, 5, 5, 1, 1, 2, 7, 7},  {17, 1, 3, 3, 1, 2, 2, 6, 9},
              {4, 3, 3, 1, 3, 1, 0, 10, 4}, {5, 2, 1, 1, 2, 1, 0, 5, 6},
              {2, 1, 3, 3, 1, 1, 3, 2, 2}};
    uint64_t seed = 500;
    for (size_t i = 0; i < sizeof dw / sizeof dw[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "c%lld x%lld %lldx%lld s%lld d%lld p%lld", (long long)dw[i].c,
                 (long long)dw[i].mult, (long long)dw[i].kh, (long long)dw[i].kw,
                 (long long)dw[i].s, (long long)dw[i].d, (long long)dw[i].pad);
        conv_case k = {name,
                       1,
                       dw[i].c,
                       dw[i].c * dw[i].mult,
                       dw[i].c,
                       {1, dw[i].h, dw[i].w},
                       {1, dw[i].kh, dw[i].kw},
                       {1, dw[i].s, dw[i].s},
                       {1, dw[i].d, dw[i].d},
                       {0, dw[i].pad, dw[i].pad},
                       {0, dw[i].pad, dw[i].pad}};
        for (int cl = 0; cl < 2; cl++)
            for (int v = 0; v < 3; v++) conv_run(t, &k, cl, v, 1, seed++);
    }
}

TH_SUITE(suite_kernels_int8) {
    test_requant_fixed(t);
    test_requant_sweep(t);
    test_requant_random(t);
    test_requant_i2f_first(t);
    test_requant_limits(t);
    test_requant_scales(t);
    test_requant_fused_clamp(t);
    test_dot_fits(t);
    test_gemm(t);
    test_gemm_kmax(t);
    test_gemm_uint8_path(t);
    test_conv(t);
    test_dwconv(t);
}
