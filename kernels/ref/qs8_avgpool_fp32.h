/* Reference int8 average pooling (QLinearAveragePool, QDQ AveragePool),
 * docs/quantization.md section 6. Per output element:
 *
 *   sum   = sum over the taps inside the input of (x - x_zero_point)     int32, exact
 *   count = window size clipped to the padded input (count_include_pad),
 *           else the number of taps inside the input
 *   y     = tern_requant_fp32_apply(sum, {s_x / (s_y * count), z_y, qmin, qmax})
 *
 * Padded taps are real zeros (x = x_zero_point): skipping them is exact. A
 * window with no tap gives apply(0) (z_y, clamped). Layout and window as
 * pool_f32.h: x [N, C, D, H, W] strides xs[5], y [N, C, OD, OH, OW] strides
 * ys[5], geometry with c_in == c_out == C. Precondition: window size <= 2^23
 * (so |sum| <= 255 * 2^23 fits). */
#ifndef TERN_KERNELS_REF_QS8_AVGPOOL_FP32_H
#define TERN_KERNELS_REF_QS8_AVGPOOL_FP32_H

#include <stdint.h>

#include "kernels/ref/geom.h"
#include "kernels/ref/requant.h"

/* The parameters of an average: the per-window scale depends on the count. */
typedef struct tern_qs8_avgpool_params {
    float x_scale, y_scale;
    int32_t x_zero_point;
    int32_t y_zero_point, qmin, qmax;
} tern_qs8_avgpool_params;

void tern_ref_qs8_avgpool_fp32(const tern_conv_geom *g, int count_include_pad, const int8_t *x,
                               const int64_t xs[5], const tern_qs8_avgpool_params *p, int8_t *y,
                               const int64_t ys[5]);

#endif
