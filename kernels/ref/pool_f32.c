/* Reference pooling; see pool_f32.h for layouts and order. */
#include "kernels/ref/pool_f32.h"

#include <math.h>

/* Valid taps [k0, k1) of a window starting at input coordinate o. */
static void taps(int64_t o, int64_t d, int64_t k, int64_t size, int64_t *k0, int64_t *k1) {
    int64_t a = 0, b = k;
    while (a < b && o + a * d < 0) a++;
    while (b > a && o + (b - 1) * d >= size) b--;
    *k0 = a;
    *k1 = b;
}

void tern_maxpool_f32(const tern_conv_geom *g, const float *x, const int64_t xs[4], float *y,
                      const int64_t ys[4]) {
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t oy = 0; oy < g->out[0]; oy++)
            for (int64_t ox = 0; ox < g->out[1]; ox++) {
                int64_t iy0 = oy * g->stride[0] - g->pad_begin[0];
                int64_t ix0 = ox * g->stride[1] - g->pad_begin[1];
                int64_t ky0, ky1, kx0, kx1;
                taps(iy0, g->dil[0], g->kernel[0], g->in[0], &ky0, &ky1);
                taps(ix0, g->dil[1], g->kernel[1], g->in[1], &kx0, &kx1);
                for (int64_t c = 0; c < g->c_in; c++) {
                    const float *xc = x + n * xs[0] + c * xs[1];
                    float m = -INFINITY;
                    for (int64_t ky = ky0; ky < ky1; ky++)
                        for (int64_t kx = kx0; kx < kx1; kx++) {
                            float v = xc[(iy0 + ky * g->dil[0]) * xs[2] +
                                         (ix0 + kx * g->dil[1]) * xs[3]];
                            if (v > m || isnan(v)) m = v;
                        }
                    y[n * ys[0] + c * ys[1] + oy * ys[2] + ox * ys[3]] = m;
                }
            }
}

/* Window length along one axis counting the padding but not what a ceil_mode
 * window sticks out past the end padding. */
static int64_t padded_len(int64_t o, int64_t k, int64_t size, int64_t pad_end) {
    int64_t end = o + k, lim = size + pad_end;
    return (end < lim ? end : lim) - o;
}

void tern_avgpool_f32(const tern_conv_geom *g, int count_include_pad, const float *x,
                      const int64_t xs[4], float *y, const int64_t ys[4]) {
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t oy = 0; oy < g->out[0]; oy++)
            for (int64_t ox = 0; ox < g->out[1]; ox++) {
                int64_t iy0 = oy * g->stride[0] - g->pad_begin[0];
                int64_t ix0 = ox * g->stride[1] - g->pad_begin[1];
                int64_t ky0, ky1, kx0, kx1;
                taps(iy0, g->dil[0], g->kernel[0], g->in[0], &ky0, &ky1);
                taps(ix0, g->dil[1], g->kernel[1], g->in[1], &kx0, &kx1);
                int64_t count = (ky1 - ky0) * (kx1 - kx0);
                if (count_include_pad)
                    count = padded_len(iy0, g->kernel[0], g->in[0], g->pad_end[0]) *
                            padded_len(ix0, g->kernel[1], g->in[1], g->pad_end[1]);
                for (int64_t c = 0; c < g->c_in; c++) {
                    const float *xc = x + n * xs[0] + c * xs[1];
                    float s = 0.0f;
                    for (int64_t ky = ky0; ky < ky1; ky++)
                        for (int64_t kx = kx0; kx < kx1; kx++)
                            s += xc[(iy0 + ky * g->dil[0]) * xs[2] + (ix0 + kx * g->dil[1]) * xs[3]];
                    y[n * ys[0] + c * ys[1] + oy * ys[2] + ox * ys[3]] =
                        count > 0 ? s / (float)count : 0.0f;
                }
            }
}

/* Visit the spatial elements of one (n, c) plane in row-major order;
 * max or sum them. */
static float reduce_plane(int nsp, const int64_t *sp, const float *xp, const int64_t *xs_sp,
                          int is_max, int64_t *count) {
    int64_t idx[TERN_MAX_RANK] = {0};
    int64_t total = 1;
    for (int i = 0; i < nsp; i++) total *= sp[i];
    *count = total;
    float acc = is_max ? -INFINITY : 0.0f;
    int64_t off = 0;
    for (int64_t e = 0; e < total; e++) {
        float v = xp[off];
        if (is_max) {
            if (v > acc || isnan(v)) acc = v;
        } else {
            acc += v;
        }
        /* advance the odometer, last axis fastest */
        for (int i = nsp - 1; i >= 0; i--) {
            if (++idx[i] < sp[i]) {
                off += xs_sp[i];
                break;
            }
            off -= (sp[i] - 1) * xs_sp[i];
            idx[i] = 0;
        }
    }
    return acc;
}

static void global_pool(int64_t n, int64_t c, int nsp, const int64_t *sp, const float *x,
                        const int64_t *xs, float *y, const int64_t *ys, int is_max) {
    for (int64_t in = 0; in < n; in++)
        for (int64_t ic = 0; ic < c; ic++) {
            int64_t count;
            float r = reduce_plane(nsp, sp, x + in * xs[0] + ic * xs[1], xs + 2, is_max, &count);
            if (!is_max) r = count > 0 ? r / (float)count : 0.0f;
            y[in * ys[0] + ic * ys[1]] = r;
        }
}

void tern_global_avgpool_f32(int64_t n, int64_t c, int nsp, const int64_t *sp, const float *x,
                             const int64_t *xs, float *y, const int64_t *ys) {
    global_pool(n, c, nsp, sp, x, xs, y, ys, 0);
}

void tern_global_maxpool_f32(int64_t n, int64_t c, int nsp, const int64_t *sp, const float *x,
                             const int64_t *xs, float *y, const int64_t *ys) {
    global_pool(n, c, nsp, sp, x, xs, y, ys, 1);
}
