/* Naive INT8 arithmetic for the tests; see int8_naive.h. */
#include "tests/int8_naive.h"

#include <math.h>

uint64_t nrng_next(nrng *r) {
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * UINT64_C(2685821657736338717);
}

int32_t nrng_int(nrng *r, int32_t lo, int32_t hi) {
    uint64_t span = (uint64_t)((int64_t)hi - lo) + 1;
    return (int32_t)(lo + (int64_t)(nrng_next(r) % span));
}

double nrng_unit(nrng *r) { return (double)(nrng_next(r) >> 11) / 9007199254740992.0; }

void nrng_fill_s8(nrng *r, int8_t *p, int64_t n, int32_t lo, int32_t hi) {
    for (int64_t i = 0; i < n; i++) p[i] = (int8_t)nrng_int(r, lo, hi);
}

double naive_rne(double v) {
    double f = floor(v), d = v - f;
    if (d > 0.5) return f + 1;
    if (d < 0.5) return f;
    return fmod(f, 2.0) == 0 ? f : f + 1;
}

float naive_i2f(int64_t v) {
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int shift = 0;
    while ((m >> shift) >= (UINT64_C(1) << 24)) shift++;
    if (shift > 0) {
        uint64_t q = m >> shift, r = m & ((UINT64_C(1) << shift) - 1);
        uint64_t half = UINT64_C(1) << (shift - 1);
        if (r > half || (r == half && (q & 1))) q++;
        m = q << shift;
    }
    double d = (double)m; /* exact: at most 25 significant bits */
    return (float)(v < 0 ? -d : d);
}

float naive_fmul(float a, float b) { return (float)((double)a * (double)b); }
float naive_fdiv(float a, float b) { return (float)((double)a / (double)b); }
float naive_fadd(float a, float b) { return (float)((double)a + (double)b); }

float naive_fma(float a, float b, float c) {
    return (float)((double)a * (double)b + (double)c);
}

int32_t naive_finish(double f, int32_t zy, int32_t qmin, int32_t qmax) {
    if (f != f) return qmin;
    double r = f >= 1e9 ? 1e9 : f <= -1e9 ? -1e9 : naive_rne(f);
    double y = r + zy;
    if (y < qmin) y = qmin;
    if (y > qmax) y = qmax;
    return (int32_t)y;
}

int32_t naive_requant(int64_t acc, float scale, int32_t zy, int32_t qmin, int32_t qmax) {
    return naive_finish(naive_fmul(naive_i2f(acc), scale), zy, qmin, qmax);
}

uint64_t fnv1a(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}
