/* The geometry of a convolution or pooling window (tern_conv_geom) and the
 * helpers that walk it. Kept apart from any kernel and from graph types so
 * that every windowed kernel (float and integer) shares one definition and
 * a kernels-only build needs nothing above kernels/. */
#ifndef TERN_KERNELS_REF_GEOM_H
#define TERN_KERNELS_REF_GEOM_H

#include <stdint.h>

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
                                         const int64_t xs[5], int64_t kd, int64_t ky, int64_t kx) {
    return (w->i0[0] + kd * g->dil[0]) * xs[2] + (w->i0[1] + ky * g->dil[1]) * xs[3] +
           (w->i0[2] + kx * g->dil[2]) * xs[4];
}

/* Window length along one axis counting the padding but not what a ceil_mode
 * window sticks out past the end padding. */
static inline int64_t tern_window_padded_len(int64_t o, int64_t k, int64_t size, int64_t pad_end) {
    int64_t end = o + k, lim = size + pad_end;
    return (end < lim ? end : lim) - o;
}

/* The divisor of an average window: with count_include_pad the window size
 * clipped to the padded input, otherwise the number of taps inside the
 * input (0 for a window with none). */
static inline int64_t tern_window_avg_count(const tern_conv_geom *g, const tern_window *w,
                                            int count_include_pad) {
    int64_t count = 1;
    for (int a = 0; a < TERN_CONV_SP; a++)
        count *= count_include_pad
                     ? tern_window_padded_len(w->i0[a], g->kernel[a], g->in[a], g->pad_end[a])
                     : w->k1[a] - w->k0[a];
    return count;
}

#endif
