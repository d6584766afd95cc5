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

#define TERN_CONV_SP 3 /* spatial axes of the geometry: depth, height, width */

/* The geometry of one convolution or pooling window, resolved from the
 * attributes (auto_pad applied). Spatial index 0 is depth, 1 height, 2
 * width; unused leading axes have size, kernel, stride and dilation 1 and
 * no padding. */
typedef struct tern_conv_geom {
    int64_t n, c_in, c_out, group;
    int64_t in[TERN_CONV_SP], out[TERN_CONV_SP];
    int64_t kernel[TERN_CONV_SP], stride[TERN_CONV_SP], dil[TERN_CONV_SP];
    int64_t pad_begin[TERN_CONV_SP], pad_end[TERN_CONV_SP];
} tern_conv_geom;

/* Valid taps of one window axis: the window starts at input coordinate o
 * (may be negative), has k taps d apart over an input of size size; taps
 * [*k0, *k1) land inside the input. */
static inline void tern_window_taps(int64_t o, int64_t d, int64_t k, int64_t size, int64_t *k0,
                                    int64_t *k1) {
    int64_t a = 0, b = k;
    while (a < b && o + a * d < 0) a++;
    while (b > a && o + (b - 1) * d >= size) b--;
    *k0 = a;
    *k1 = b;
}

/* Where the window of one output position reads: per spatial axis the
 * valid taps [k0, k1) and the input coordinate i0 of tap 0 (may be
 * negative). o is the output position (depth, height, width). */
typedef struct tern_window {
    int64_t k0[TERN_CONV_SP], k1[TERN_CONV_SP], i0[TERN_CONV_SP];
} tern_window;

static inline tern_window tern_window_at(const tern_conv_geom *g, const int64_t o[TERN_CONV_SP]) {
    tern_window w;
    for (int a = 0; a < TERN_CONV_SP; a++) {
        w.i0[a] = o[a] * g->stride[a] - g->pad_begin[a];
        tern_window_taps(w.i0[a], g->dil[a], g->kernel[a], g->in[a], &w.k0[a], &w.k1[a]);
    }
    return w;
}

/* Element offset in x (strides xs) of tap (kd, ky, kx) of window w. */
static inline int64_t tern_window_offset(const tern_conv_geom *g, const tern_window *w,
                                         const int64_t xs[5], int64_t kd, int64_t ky,
                                         int64_t kx) {
    return (w->i0[0] + kd * g->dil[0]) * xs[2] + (w->i0[1] + ky * g->dil[1]) * xs[3] +
           (w->i0[2] + kx * g->dil[2]) * xs[4];
}

void tern_conv_f32(const tern_conv_geom *g, const float *x, const int64_t xs[5], const float *w,
                   const int64_t ws[5], const float *bias, float *y, const int64_t ys[5],
                   const tern_act *act);

#endif
