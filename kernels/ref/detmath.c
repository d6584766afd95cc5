/* Deterministic exp and friends; see detmath.h.
 *
 * exp(x): Cody-Waite reduction x = k ln2 + r with k = rne(x / ln2) and
 * |r| <= ln2/2, ln2 split into a high part with 32 significant bits (so
 * k * LN2_HI is exact for |k| < 2^21) and the rest; e^r by its Taylor
 * polynomial of degree 13 (the first omitted term is below 4.2e-18 relative
 * for |r| <= 0.3466); 2^k assembled from exponent bits in two halves so a
 * subnormal result is rounded once. expm1 uses its own Taylor series where
 * exp(x) - 1 would cancel. */
#include "kernels/ref/detmath.h"

#include <math.h> /* INFINITY only: no libm function is called */
#include <stdint.h>
#include <string.h>

#define LN2_HI 6.93147180369123816490e-01 /* 0x3fe62e42fee00000 */
#define LN2_LO 1.90821492927058770002e-10 /* ln2 - LN2_HI */
#define INV_LN2 1.44269504088896338700e+00
#define EXP_MAX 709.782712893383973096 /* above: overflow */
#define EXP_MIN -745.13321910194110842 /* below: underflows to 0 */
#define HALF_LN2 0.34657359027997264311

/* 2^k for -1022 <= k <= 1023, from its bits. */
static double pow2i(int64_t k) {
    uint64_t bits = (uint64_t)(k + 1023) << 52;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* sum_{i=first}^{13 or 14} r^i / i! by Horner; the coefficients are exact
 * compile-time quotients (correctly rounded by the compiler). */
static double taylor_exp(double r) {
    double p = 1.0 / 6227020800.0; /* 1/13! */
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    return p * r + 1.0;
}

static double taylor_expm1(double x) {
    double p = 1.0 / 87178291200.0; /* 1/14! */
    p = p * x + 1.0 / 6227020800.0;
    p = p * x + 1.0 / 479001600.0;
    p = p * x + 1.0 / 39916800.0;
    p = p * x + 1.0 / 3628800.0;
    p = p * x + 1.0 / 362880.0;
    p = p * x + 1.0 / 40320.0;
    p = p * x + 1.0 / 5040.0;
    p = p * x + 1.0 / 720.0;
    p = p * x + 1.0 / 120.0;
    p = p * x + 1.0 / 24.0;
    p = p * x + 1.0 / 6.0;
    p = p * x + 0.5;
    p = p * x + 1.0;
    return p * x;
}

double tern_det_exp(double x) {
    if (x != x) return x;
    if (x > EXP_MAX) return INFINITY;
    if (x < EXP_MIN) return 0.0;
    double kd = (x * INV_LN2 + 0x1.8p52) - 0x1.8p52; /* rne, |x / ln2| < 1100 */
    double r = (x - kd * LN2_HI) - kd * LN2_LO;
    int64_t k = (int64_t)kd, k1 = k / 2;
    return taylor_exp(r) * pow2i(k1) * pow2i(k - k1);
}

double tern_det_expm1(double x) {
    if (x > -HALF_LN2 && x < HALF_LN2) return taylor_expm1(x);
    return tern_det_exp(x) - 1.0;
}

double tern_det_tanh(double x) {
    if (x != x) return x;
    double a = x < 0 ? -x : x;
    /* tanh(a) = e / (e + 2) with e = expm1(2a); above 20 it rounds to 1 */
    double t = 1.0;
    if (a <= 20.0) {
        double e = tern_det_expm1(2.0 * a);
        t = e / (e + 2.0);
    }
    return x < 0 ? -t : t;
}

double tern_det_sigmoid(double x) { return 1.0 / (1.0 + tern_det_exp(-x)); }
