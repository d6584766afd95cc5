/* Reference transposed convolution (float32), 1-D to 3-D through the same
 * 3-D tern_conv_geom as Conv (kernels/ref/conv_f32.h): a missing leading
 * spatial axis has size, kernel, stride and dilation 1 and no padding.
 *
 * Geometry: g->in is X's spatial size, g->out Y's; pad_begin may be
 * negative (an output_shape larger than the natural size), pad_end is not
 * used by the kernel (Y's size already says where the output stops).
 * Operands, addressed through element strides per logical axis (any layout):
 *   x: [N, C_in, D, H, W]              strides xs[5]
 *   w: [C_in, C_out/G, KD, KH, KW]     strides ws[5]
 *   y: [N, C_out, OD, OH, OW]          strides ys[5]
 * Input position i and tap k scatter to output position o = i*stride +
 * k*dil - pad_begin. This kernel gathers instead, one output element at a
 * time, so every output is written exactly once:
 *
 * Order (fixed; faster kernels must match it within rounding):
 *   acc = 0                                   (float)
 *   for kd, for ky, for kx, keeping only taps with p = o + pad_begin - k*dil
 *     on every axis >= 0, divisible by stride and p/stride < in,
 *     for ci in 0..C_in/G-1:
 *       acc += x[n, g*C_in/G + ci, pd/sd, py/sy, px/sx]
 *            * w[g*C_in/G + ci, co - g*C_out/G, kd, ky, kx]
 *   y = acc + bias[co]                        (bias 0 when absent)
 * where g = co / (C_out/G).
 */
#ifndef TERN_KERNELS_REF_CONV_TRANSPOSE_F32_H
#define TERN_KERNELS_REF_CONV_TRANSPOSE_F32_H

#include <stdint.h>

#include "kernels/ref/conv_f32.h"

void tern_conv_transpose_f32(const tern_conv_geom *g, const float *x, const int64_t xs[5],
                             const float *w, const int64_t ws[5], const float *bias, float *y,
                             const int64_t ys[5]);

#endif
