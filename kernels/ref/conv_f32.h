/* Reference 2-D convolution (float32), the specification the optimized
 * kernels are tested against. 1-D convolution is the 2-D case with height 1.
 *
 * Every tensor is addressed through element strides per *logical* axis, so
 * the same code serves plain (NCHW) and channels-last (NHWC) data:
 *   x: [N, C_in, H, W]        strides xs[4]
 *   w: [C_out, C_in/G, KH, KW] strides ws[4] (plain weights: KH*KW*C_in/G, KH*KW, KW, 1)
 *   y: [N, C_out, OH, OW]     strides ys[4]
 *
 * Accumulation order (fixed; faster kernels must match it within rounding):
 *   acc = 0
 *   for ky in 0..KH-1, for kx in 0..KW-1 (taps inside the padding skipped),
 *     for ci in 0..C_in/G-1:  acc += x[n, g*C_in/G + ci, iy, ix] * w[co, ci, ky, kx]
 *   y = act(acc + bias[co])        (bias 0 when absent)
 * in float, one output element at a time.
 */
#ifndef TERN_KERNELS_REF_CONV_F32_H
#define TERN_KERNELS_REF_CONV_F32_H

#include <stdint.h>

#include "graph/ir.h"

/* The geometry of one convolution or pooling window, resolved from the
 * attributes (auto_pad applied). Index 0 is height, 1 is width. */
typedef struct tern_conv_geom {
    int64_t n, c_in, c_out, group;
    int64_t in[2], out[2];
    int64_t kernel[2], stride[2], dil[2];
    int64_t pad_begin[2], pad_end[2];
} tern_conv_geom;

void tern_conv_f32(const tern_conv_geom *g, const float *x, const int64_t xs[4], const float *w,
                   const int64_t ws[4], const float *bias, float *y, const int64_t ys[4],
                   const tern_act *act);

#endif
