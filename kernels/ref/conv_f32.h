/* Reference convolution (float32), the specification the optimized kernels
 * are tested against. The kernel is 3-D; 2-D convolution is depth 1 and
 * 1-D convolution is depth and height 1.
 *
 * Every tensor is addressed through element strides per *logical* axis, so
 * the same code serves plain (NCDHW) and channels-last (NDHWC) data:
 *   x: [N, C_in, D, H, W]          strides xs[5]
 *   w: [C_out, C_in/G, KD, KH, KW] strides ws[5] (plain weights)
 *   y: [N, C_out, OD, OH, OW]      strides ys[5]
 * (a missing spatial axis has size 1 and any stride, e.g. 0).
 *
 * Accumulation order (fixed; faster kernels must match it within rounding):
 *   acc = 0
 *   for kd, for ky, for kx (taps inside the padding skipped),
 *     for ci in 0..C_in/G-1:  acc += x[n, g*C_in/G + ci, id, iy, ix] * w[co, ci, kd, ky, kx]
 *   y = act(acc + bias[co])        (bias 0 when absent)
 * in float, one output element at a time.
 */
#ifndef TERN_KERNELS_REF_CONV_F32_H
#define TERN_KERNELS_REF_CONV_F32_H

#include <stdint.h>

#include "graph/ir.h"
#include "kernels/ref/geom.h"

void tern_conv_f32(const tern_conv_geom *g, const float *x, const int64_t xs[5], const float *w,
                   const int64_t ws[5], const float *bias, float *y, const int64_t ys[5],
                   const tern_act *act);

#endif
