/* Reference matrix product (float32), used by Gemm and MatMul:
 *   y[m, n] = act(alpha * sum_k a[m, k] * b[k, n] + beta * c[m, n])
 * Every operand is addressed through (row, column) element strides, which
 * expresses transposes (swap the strides) and broadcast bias (stride 0).
 * c may be NULL (no bias term).
 *
 * Order (fixed): acc = 0; for k = 0..K-1: acc += a[m,k] * b[k,n] in float;
 * then v = alpha * acc, v += beta * c (if any), y = act(v). */
#ifndef TERN_KERNELS_REF_GEMM_F32_H
#define TERN_KERNELS_REF_GEMM_F32_H

#include <stdint.h>

#include "graph/ir.h"

typedef struct tern_mat {
    const float *p;
    int64_t rs, cs; /* element strides of a row step and a column step */
} tern_mat;

void tern_gemm_f32(int64_t M, int64_t N, int64_t K, float alpha, tern_mat a, tern_mat b,
                   float beta, const tern_mat *c, float *y, int64_t ys_m, int64_t ys_n,
                   const tern_act *act);

#endif
