/* Reference pooling (float32): windowed max/average pooling in 2-D (1-D is
 * height 1) and global pooling over any number of spatial axes. Tensors are
 * addressed through per-logical-axis element strides, so any layout works:
 *   x: [N, C, H, W] strides xs[4];  y: [N, C, OH, OW] strides ys[4].
 * The window geometry is a tern_conv_geom (c_in == c_out == C, group unused).
 *
 * Order (fixed): a window is visited row by row (ky outer, kx inner), taps in
 * the padding skipped. Max starts at -inf; average sums in float and divides
 * once by the count. */
#ifndef TERN_KERNELS_REF_POOL_F32_H
#define TERN_KERNELS_REF_POOL_F32_H

#include <stdint.h>

#include "kernels/ref/conv_f32.h"

void tern_maxpool_f32(const tern_conv_geom *g, const float *x, const int64_t xs[4], float *y,
                      const int64_t ys[4]);

/* count_include_pad: divide by the window size clipped to the padded input
 * (the padding counts, the part of a ceil_mode window past the end padding
 * does not); otherwise by the number of taps inside the input. A window with
 * no tap inside the input gives 0. */
void tern_avgpool_f32(const tern_conv_geom *g, int count_include_pad, const float *x,
                      const int64_t xs[4], float *y, const int64_t ys[4]);

/* Global pooling: x is [N, C, S...] with nsp spatial axes of sizes sp[],
 * strides xs[2 + nsp]; y is [N, C, 1...] (strides ys, only N and C used).
 * Average sums in float in row-major spatial order, divides by the count. */
void tern_global_avgpool_f32(int64_t n, int64_t c, int nsp, const int64_t *sp, const float *x,
                             const int64_t *xs, float *y, const int64_t *ys);
void tern_global_maxpool_f32(int64_t n, int64_t c, int nsp, const int64_t *sp, const float *x,
                             const int64_t *xs, float *y, const int64_t *ys);

#endif
