/* Reference MaxPool on 8-bit integer tensors (uint8 and int8, as quantized
 * models use them): the maximum is exact, so the same window walk as
 * tern_maxpool_f32 (pool_f32.h) on the raw values. A window with no tap
 * inside the input gives the type's minimum. */
#ifndef TERN_KERNELS_REF_MAXPOOL_INT8_H
#define TERN_KERNELS_REF_MAXPOOL_INT8_H

#include <stdint.h>

#include "kernels/ref/geom.h"

void tern_maxpool_u8(const tern_conv_geom *g, const uint8_t *x, const int64_t xs[5], uint8_t *y,
                     const int64_t ys[5]);
void tern_maxpool_s8(const tern_conv_geom *g, const int8_t *x, const int64_t xs[5], int8_t *y,
                     const int64_t ys[5]);

#endif
