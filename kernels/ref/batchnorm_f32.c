/* Reference batch normalization; see batchnorm_f32.h. Channels are done in
 * blocks whose coefficients sit on the stack, so channels-last data can be
 * walked in memory order (position outer, channel inner) without allocating. */
#include "kernels/ref/batchnorm_f32.h"

#include <math.h>

#define BLOCK 64

void tern_batchnorm_f32(int64_t n, int64_t c, int64_t s, const float *x, const int64_t xs[3],
                        const float *scale, const float *bias, const float *mean,
                        const float *var, float eps, float *y, const int64_t ys[3]) {
    float a[BLOCK], b[BLOCK];
    for (int64_t in = 0; in < n; in++)
        for (int64_t c0 = 0; c0 < c; c0 += BLOCK) {
            int64_t nc = c - c0 < BLOCK ? c - c0 : BLOCK;
            for (int64_t k = 0; k < nc; k++) {
                a[k] = scale[c0 + k] / sqrtf(var[c0 + k] + eps);
                b[k] = bias[c0 + k] - mean[c0 + k] * a[k];
            }
            const float *xb = x + in * xs[0] + c0 * xs[1];
            float *yb = y + in * ys[0] + c0 * ys[1];
            if (ys[1] == 1) { /* channels innermost in memory */
                for (int64_t p = 0; p < s; p++)
                    for (int64_t k = 0; k < nc; k++)
                        yb[p * ys[2] + k] = xb[p * xs[2] + k * xs[1]] * a[k] + b[k];
            } else {
                for (int64_t k = 0; k < nc; k++)
                    for (int64_t p = 0; p < s; p++)
                        yb[k * ys[1] + p * ys[2]] = xb[k * xs[1] + p * xs[2]] * a[k] + b[k];
            }
        }
}
