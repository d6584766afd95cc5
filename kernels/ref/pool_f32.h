/* Reference pooling (float32): windowed max/average pooling in 3-D (2-D is
 * depth 1, 1-D depth and height 1) and global pooling over any number of
 * spatial axes. Tensors are addressed through per-logical-axis element
 * strides, so any layout works:
 *   x: [N, C, D, H, W] strides xs[5];  y: [N, C, OD, OH, OW] strides ys[5].
 * The window geometry is a tern_conv_geom (c_in == c_out == C, group unused).
 *
 * Order (fixed): a window is visited in (kd, ky, kx) order, taps in the
 * padding skipped. Max starts at -inf (NaN wins); average sums in float and
 * divides once by the count. */
#ifndef TERN_KERNELS_REF_POOL_F32_H
#define TERN_KERNELS_REF_POOL_F32_H

#include <stdint.h>

#include "kernels/ref/conv_f32.h"

void tern_maxpool_f32(const tern_conv_geom *g, const float *x, const int64_t xs[5], float *y,
                      const int64_t ys[5]);

/* count_include_pad: divide by the window size clipped to the padded input
 * (the padding counts, the part of a ceil_mode window past the end padding
 * does not); otherwise by the number of taps inside the input. A window with
 * no tap inside the input gives 0. */
void tern_avgpool_f32(const tern_conv_geom *g, int count_include_pad, const float *x,
                      const int64_t xs[5], float *y, const int64_t ys[5]);

/* Global pooling: x is [N, C, S...] with nsp spatial axes of sizes sp[],
 * strides xs[2 + nsp]; y is [N, C, 1...] (strides ys, only N and C used).
 * Average sums in float in row-major spatial order, divides by the count. */
void tern_global_avgpool_f32(int64_t n, int64_t c, int nsp, const int64_t *sp, const float *x,
                             const int64_t *xs, float *y, const int64_t *ys);
void tern_global_maxpool_f32(int64_t n, int64_t c, int nsp, const int64_t *sp, const float *x,
                             const int64_t *xs, float *y, const int64_t *ys);

#endif
