/* Reference int8 GEMM (Gemm, MatMul, QLinearMatMul, MatMulInteger, and
 * 1x1 convolution viewed as a matrix product), the specification of every
 * SIMD int8 GEMM (docs/quantization.md, sections 2 and 3):
 *
 *   acc[m][n] = bias[n] + sum_k (x[m][k] - x_zero_point) * (w[n][k] - w_zero_point[n])
 *   y[m][n]   = tern_requant_fp32_apply(acc[m][n], &requant[n])     (_fp32)
 *   y[m][n]   = acc[m][n]                                           (_s32)
 *
 * exactly in int32 (order irrelevant: integer sums are exact). Operands are
 * addressed through element strides per logical axis, so transposed weights
 * (Gemm transB, MatMul's [K, N]) need no copy:
 *   x: [M, K] element (m, k) at x[m * xs[0] + k * xs[1]]
 *   w: [N, K] element (n, k) at w[n * ws[0] + k * ws[1]]
 *   y: [M, N] element (m, n) at y[m * ys[0] + n * ys[1]]
 * Precondition (checked by the caller, see tern_qs8_dot_fits):
 * k <= TERN_QS8_MAX_K and |bias| <= TERN_QS8_MAX_BIAS. */
#ifndef TERN_KERNELS_REF_QS8_GEMM_FP32_H
#define TERN_KERNELS_REF_QS8_GEMM_FP32_H

#include <stdint.h>

#include "kernels/ref/requant.h"

void tern_ref_qs8_gemm_fp32(int64_t m, int64_t n, int64_t k, const int8_t *x, const int64_t xs[2],
                            const int8_t *w, const int64_t ws[2], const tern_qs8_dot_params *p,
                            int8_t *y, const int64_t ys[2]);

/* The accumulators themselves (MatMulInteger; p->requant unused). */
void tern_ref_qs8_gemm_s32(int64_t m, int64_t n, int64_t k, const int8_t *x, const int64_t xs[2],
                           const int8_t *w, const int64_t ws[2], const tern_qs8_dot_params *p,
                           int32_t *y, const int64_t ys[2]);

#endif
