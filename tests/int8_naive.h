/* Naive arithmetic the INT8 kernel tests compare against, written without
 * the kernels' helpers: rounding by floor and comparison instead of the
 * magic-number trick, int -> float rounding by integer bit manipulation,
 * float operations emulated in double (exact for one product of two floats,
 * and correctly rounded for one + - * / of floats since double has more
 * than 2 * 24 + 2 bits). Also a seeded RNG and FNV-1a. */
#ifndef TERN_TESTS_INT8_NAIVE_H
#define TERN_TESTS_INT8_NAIVE_H

#include <stddef.h>
#include <stdint.h>

/* xorshift64* */
typedef struct nrng {
    uint64_t s;
} nrng;
uint64_t nrng_next(nrng *r);
int32_t nrng_int(nrng *r, int32_t lo, int32_t hi); /* uniform in [lo, hi] */
double nrng_unit(nrng *r);                         /* [0, 1) */
void nrng_fill_s8(nrng *r, int8_t *p, int64_t n, int32_t lo, int32_t hi);

/* Round half to even of a finite double, by floor. */
double naive_rne(double v);
/* (float)v for an int64, rounding to 24 significant bits by hand (ties even). */
float naive_i2f(int64_t v);
/* float ops emulated in double, each rounded once to float */
float naive_fmul(float a, float b);
float naive_fdiv(float a, float b);
float naive_fadd(float a, float b);
/* a * b + c rounded once (double holds a * b exactly for the operands used) */
float naive_fma(float a, float b, float c);
/* The requantization of docs section 3 from an exact accumulator. */
int32_t naive_requant(int64_t acc, float scale, int32_t zy, int32_t qmin, int32_t qmax);
/* Clamp, round half even, add zy (for a float value computed elsewhere). */
int32_t naive_finish(double f, int32_t zy, int32_t qmin, int32_t qmax);

uint64_t fnv1a(uint64_t h, const void *p, size_t n);
#define FNV1A_INIT UINT64_C(0xcbf29ce484222325)

#endif
