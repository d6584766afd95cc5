/* Reference int8 convolution (QLinearConv, ConvInteger, QDQ Conv): any
 * kernel size, stride, dilation, padding and group count, 1-D/2-D/3-D (a
 * missing spatial axis has size 1), the specification of every SIMD int8
 * convolution (docs/quantization.md, sections 2 and 3). Per output element:
 *
 *   acc = bias[co] + sum over taps inside the input (kd, ky, kx), ci in 0..C_in/G-1 of
 *         (x[n, g*C_in/G + ci, id, iy, ix] - x_zero_point) * (w[co, ci, kd, ky, kx] -
 * w_zero_point[co]) y   = tern_requant_fp32_apply(acc, &requant[co])     (_fp32), or acc (_s32)
 *
 * Taps in the padding are real zeros (x = x_zero_point) and add nothing.
 * The sum is exact, so its order is free. Layout as conv_f32.h, through
 * element strides per logical axis (plain or channels-last):
 *   x: [N, C_in, D, H, W] strides xs[5]; w: [C_out, C_in/G, KD, KH, KW]
 *   strides ws[5]; y: [N, C_out, OD, OH, OW] strides ys[5].
 * Precondition: C_in/G * KD * KH * KW <= TERN_QS8_MAX_K, |bias| <=
 * TERN_QS8_MAX_BIAS (tern_qs8_dot_fits). */
#ifndef TERN_KERNELS_REF_QS8_CONV_FP32_H
#define TERN_KERNELS_REF_QS8_CONV_FP32_H

#include <stdint.h>

#include "kernels/ref/geom.h"
#include "kernels/ref/requant.h"

void tern_ref_qs8_conv_fp32(const tern_conv_geom *g, const int8_t *x, const int64_t xs[5],
                            const int8_t *w, const int64_t ws[5], const tern_qs8_dot_params *p,
                            int8_t *y, const int64_t ys[5]);

/* The accumulators themselves (ConvInteger; p->requant unused). */
void tern_ref_qs8_conv_s32(const tern_conv_geom *g, const int8_t *x, const int64_t xs[5],
                           const int8_t *w, const int64_t ws[5], const tern_qs8_dot_params *p,
                           int32_t *y, const int64_t ys[5]);

#endif
