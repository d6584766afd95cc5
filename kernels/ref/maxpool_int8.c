/* Reference 8-bit MaxPool; see maxpool_int8.h. A macro stamps out the
 * uint8 and int8 versions of one loop. */
#include "kernels/ref/maxpool_int8.h"

#define MAXPOOL_INT(NAME, T, TMIN)                                                                 \
    void NAME(const tern_conv_geom *g, const T *x, const int64_t xs[5], T *y,                      \
              const int64_t ys[5]) {                                                               \
        int64_t o[TERN_CONV_SP];                                                                   \
        for (int64_t n = 0; n < g->n; n++)                                                         \
            for (o[0] = 0; o[0] < g->out[0]; o[0]++)                                               \
                for (o[1] = 0; o[1] < g->out[1]; o[1]++)                                           \
                    for (o[2] = 0; o[2] < g->out[2]; o[2]++) {                                     \
                        tern_window w = tern_window_at(g, o);                                      \
                        T *yp = y + n * ys[0] + o[0] * ys[2] + o[1] * ys[3] + o[2] * ys[4];        \
                        for (int64_t c = 0; c < g->c_in; c++) {                                    \
                            const T *xc = x + n * xs[0] + c * xs[1];                               \
                            T m = TMIN;                                                            \
                            for (int64_t kd = w.k0[0]; kd < w.k1[0]; kd++)                         \
                                for (int64_t ky = w.k0[1]; ky < w.k1[1]; ky++)                     \
                                    for (int64_t kx = w.k0[2]; kx < w.k1[2]; kx++) {               \
                                        T v = xc[tern_window_offset(g, &w, xs, kd, ky, kx)];       \
                                        if (v > m) m = v;                                          \
                                    }                                                              \
                            yp[c * ys[1]] = m;                                                     \
                        }                                                                          \
                    }                                                                              \
    }

MAXPOOL_INT(tern_maxpool_u8, uint8_t, 0)
MAXPOOL_INT(tern_maxpool_s8, int8_t, INT8_MIN)
