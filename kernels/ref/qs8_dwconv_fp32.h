/* Reference int8 depthwise convolution: a convolution with group == C_in
 * and any depth multiplier M = C_out / C_in (output channel co reads input
 * channel co / M), any kernel, stride, dilation and padding. The arithmetic
 * is tern_ref_qs8_conv_fp32's with one input channel per group:
 *
 *   acc = bias[co] + sum over taps inside the input (kd, ky, kx) of
 *         (x[n, co / M, id, iy, ix] - x_zero_point) * (w[co, 0, kd, ky, kx] - w_zero_point[co])
 *   y   = tern_requant_fp32_apply(acc, &requant[co])
 *
 * It exists as its own kernel because depthwise SIMD kernels vectorize
 * across channels (not along K) and are tested against this one.
 * Layout: x [N, C, D, H, W] strides xs[5]; w [C*M, 1, KD, KH, KW] strides
 * ws[5] (ws[1] unused); y [N, C*M, OD, OH, OW] strides ys[5]. The geometry
 * has group == c_in and c_out a multiple of c_in. Precondition:
 * KD * KH * KW <= TERN_QS8_MAX_K, |bias| <= TERN_QS8_MAX_BIAS. */
#ifndef TERN_KERNELS_REF_QS8_DWCONV_FP32_H
#define TERN_KERNELS_REF_QS8_DWCONV_FP32_H

#include <stdint.h>

#include "kernels/ref/geom.h"
#include "kernels/ref/requant.h"

void tern_ref_qs8_dwconv_fp32(const tern_conv_geom *g, const int8_t *x, const int64_t xs[5],
                              const int8_t *w, const int64_t ws[5], const tern_qs8_dot_params *p,
                              int8_t *y, const int64_t ys[5]);

#endif
