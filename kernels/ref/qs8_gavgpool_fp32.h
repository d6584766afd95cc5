/* Reference int8 global average pooling (QLinearGlobalAveragePool, QDQ
 * GlobalAveragePool), docs/quantization.md section 6:
 *
 *   sum = sum over the S spatial elements of (x - x_zero_point)     int32, exact
 *   y   = tern_requant_fp32_apply(sum, &out)       out.scale = s_x / (s_y * S)
 *
 * x is [N, C, S...] with nsp spatial axes of sizes sp[] and strides
 * xs[2 + nsp]; y is [N, C, 1...] (strides ys; only N and C used).
 * Precondition: S <= 2^23. */
#ifndef TERN_KERNELS_REF_QS8_GAVGPOOL_FP32_H
#define TERN_KERNELS_REF_QS8_GAVGPOOL_FP32_H

#include <stdint.h>

#include "kernels/ref/requant.h"

#define TERN_QS8_MAX_POOL (INT64_C(1) << 23)

/* Fill p for an average over count elements (ORT's scale formula). */
void tern_qs8_gavgpool_init(tern_qs8_rescale *p, float s_x, int32_t z_x, float s_y, int32_t z_y,
                            int64_t count, int32_t qmin, int32_t qmax);

void tern_ref_qs8_gavgpool_fp32(int64_t n, int64_t c, int nsp, const int64_t *sp, const int8_t *x,
                                const int64_t *xs, const tern_qs8_rescale *p, int8_t *y,
                                const int64_t *ys);

#endif
