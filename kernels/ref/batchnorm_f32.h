/* Reference inference batch normalization (float32):
 *   a = scale[c] / sqrt(var[c] + eps),  b = bias[c] - mean[c] * a
 *   y = x * a + b
 * x and y are [N, C, S] where S is the spatial axes flattened: both plain and
 * channels-last tensors keep the spatial axes in row-major order among
 * themselves, so spatial element p sits at p * (stride of the last axis).
 * xs/ys give the strides of N, C and that flattened spatial axis. */
#ifndef TERN_KERNELS_REF_BATCHNORM_F32_H
#define TERN_KERNELS_REF_BATCHNORM_F32_H

#include <stdint.h>

void tern_batchnorm_f32(int64_t n, int64_t c, int64_t s, const float *x, const int64_t xs[3],
                        const float *scale, const float *bias, const float *mean,
                        const float *var, float eps, float *y, const int64_t ys[3]);

#endif
