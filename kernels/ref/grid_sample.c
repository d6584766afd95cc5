#include "kernels/ref/grid_sample.h"

#include <math.h>

static double unnormalize(double g, int64_t size, int align) {
    return align ? (g + 1) / 2 * (double)(size - 1) : ((g + 1) * (double)size - 1) / 2;
}

/* mirror x into [lo, hi] (PyTorch's reflect_coordinates with twice_* / 2) */
static double reflect(double x, double lo, double hi) {
    if (lo == hi) return 0;
    double span = hi - lo, d = fabs(x - lo);
    double extra = fmod(d, span), flips = floor(d / span);
    return fmod(flips, 2) == 0 ? lo + extra : hi - extra;
}

static double clip(double x, int64_t size) {
    if (x != x) return 0; /* NaN */
    return x < 0 ? 0 : x > (double)(size - 1) ? (double)(size - 1) : x;
}

/* the padding rule applied to a coordinate (zeros leaves it alone) */
static double pad_coord(double x, int64_t size, tern_gs_padding pad, int align) {
    if (pad == TERN_GS_BORDER) return clip(x, size);
    if (pad == TERN_GS_REFLECTION) {
        x = align ? reflect(x, 0, (double)(size - 1)) : reflect(x, -0.5, (double)size - 0.5);
        return clip(x, size);
    }
    return x;
}

/* in[y][x] of one plane, 0 outside */
static double at(const float *plane, int64_t h, int64_t w, double y, double x) {
    if (!(y >= 0 && y <= (double)(h - 1) && x >= 0 && x <= (double)(w - 1))) return 0;
    return plane[(int64_t)y * w + (int64_t)x];
}

static void cubic_weights(double t, double *c) {
    const double A = -0.75;
    double u = t + 1, v = 1 - t, q = 2 - t;
    c[0] = ((A * u - 5 * A) * u + 8 * A) * u - 4 * A;
    c[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
    c[2] = ((A + 2) * v - (A + 3)) * v * v + 1;
    c[3] = ((A * q - 5 * A) * q + 8 * A) * q - 4 * A;
}

static double sample(tern_gs_mode mode, tern_gs_padding pad, int align, const float *plane,
                     int64_t h, int64_t w, double gx, double gy) {
    double x = unnormalize(gx, w, align), y = unnormalize(gy, h, align);
    if (mode == TERN_GS_BICUBIC) {
        double x0 = floor(x), y0 = floor(y), cx[4], cy[4], sum = 0;
        cubic_weights(x - x0, cx);
        cubic_weights(y - y0, cy);
        for (int j = 0; j < 4; j++)
            for (int i = 0; i < 4; i++) {
                double yy = pad_coord(y0 - 1 + j, h, pad, align);
                double xx = pad_coord(x0 - 1 + i, w, pad, align);
                sum += cy[j] * cx[i] * at(plane, h, w, yy, xx);
            }
        return sum;
    }
    x = pad_coord(x, w, pad, align);
    y = pad_coord(y, h, pad, align);
    if (mode == TERN_GS_NEAREST) return at(plane, h, w, nearbyint(y), nearbyint(x));
    double x0 = floor(x), y0 = floor(y), fx = x - x0, fy = y - y0;
    return (1 - fy) * ((1 - fx) * at(plane, h, w, y0, x0) + fx * at(plane, h, w, y0, x0 + 1)) +
           fy * ((1 - fx) * at(plane, h, w, y0 + 1, x0) + fx * at(plane, h, w, y0 + 1, x0 + 1));
}

void tern_ref_grid_sample_f32(tern_gs_mode mode, tern_gs_padding pad, int align_corners,
                              int64_t n, int64_t c, int64_t h, int64_t w, const float *in,
                              int64_t ho, int64_t wo, const float *grid, float *out) {
    for (int64_t b = 0; b < n; b++)
        for (int64_t i = 0; i < ho; i++)
            for (int64_t j = 0; j < wo; j++) {
                const float *g = grid + ((b * ho + i) * wo + j) * 2;
                for (int64_t ch = 0; ch < c; ch++) {
                    const float *plane = in + (b * c + ch) * h * w;
                    out[((b * c + ch) * ho + i) * wo + j] =
                        (float)sample(mode, pad, align_corners, plane, h, w, g[0], g[1]);
                }
            }
}
