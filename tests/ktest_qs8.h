/* Quantization parameters for the qs8 kernel tests (ktest_qs8_*.c): the
 * variants that reach every corner of docs/quantization.md's arithmetic. */
#ifndef TERN_TESTS_KTEST_QS8_H
#define TERN_TESTS_KTEST_QS8_H

#include <stdint.h>

#include "kernels/ref/requant.h"
#include "tests/int8_naive.h"

typedef struct qparams {
    int32_t *zw, *bias;
    tern_requant_fp32 *rq;
    tern_qs8_dot_params p;
} qparams;

#define QPARAMS_VARIANTS 4

/* variant 0: extremes (z_x -128, z_w at -128/127/random, bias +-2^30,
 * per-channel scales incl. 1e-10); 1: symmetric (z_x 127, z_w 0, no bias,
 * one scale and zero point); 2: saturating (scales 50 and 1e-9, a Relu
 * clamp, random z_x); 3: uint8-derived weights (one z_w != 0 for all). */
void qparams_make(qparams *q, int64_t n, int64_t k, int variant, nrng *r);
void qparams_free(qparams *q);

/* Bytes around a kernel's output that must stay untouched. */
#define KTEST_QS8_GUARD 64

#endif
