/* Reference pooling; see pool_f32.h for layouts and order. */
#include "kernels/ref/pool_f32.h"

#include <math.h>

/* Max (is_max) or sum of one channel's window; xc points at (n, c). */
static float reduce_window(const tern_conv_geom *g, const tern_window *w, const float *xc,
                           const int64_t xs[5], int is_max) {
    float acc = is_max ? -INFINITY : 0.0f;
    for (int64_t kd = w->k0[0]; kd < w->k1[0]; kd++)
        for (int64_t ky = w->k0[1]; ky < w->k1[1]; ky++)
            for (int64_t kx = w->k0[2]; kx < w->k1[2]; kx++) {
                float v = xc[tern_window_offset(g, w, xs, kd, ky, kx)];
                if (!is_max) acc += v;
                else if (v > acc || isnan(v)) acc = v;
            }
    return acc;
}

static void window_pool(const tern_conv_geom *g, int is_max, int count_include_pad,
                        const float *x, const int64_t xs[5], float *y, const int64_t ys[5]) {
    int64_t o[TERN_CONV_SP];
    for (int64_t n = 0; n < g->n; n++)
        for (o[0] = 0; o[0] < g->out[0]; o[0]++)
            for (o[1] = 0; o[1] < g->out[1]; o[1]++)
                for (o[2] = 0; o[2] < g->out[2]; o[2]++) {
                    tern_window w = tern_window_at(g, o);
                    int64_t count = is_max ? 1 : tern_window_avg_count(g, &w, count_include_pad);
                    float *yp = y + n * ys[0] + o[0] * ys[2] + o[1] * ys[3] + o[2] * ys[4];
                    for (int64_t c = 0; c < g->c_in; c++) {
                        float r = reduce_window(g, &w, x + n * xs[0] + c * xs[1], xs, is_max);
                        if (!is_max) r = count > 0 ? r / (float)count : 0.0f;
                        yp[c * ys[1]] = r;
                    }
                }
}

void tern_maxpool_f32(const tern_conv_geom *g, const float *x, const int64_t xs[5], float *y,
                      const int64_t ys[5]) {
    window_pool(g, 1, 0, x, xs, y, ys);
}

void tern_avgpool_f32(const tern_conv_geom *g, int count_include_pad, const float *x,
                      const int64_t xs[5], float *y, const int64_t ys[5]) {
    window_pool(g, 0, count_include_pad, x, xs, y, ys);
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
