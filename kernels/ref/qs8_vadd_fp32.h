/* Reference int8 Add with requantization and numpy broadcasting (QLinearAdd,
 * QDQ Add, the residual adds), docs/quantization.md section 4:
 *
 *   f = (float)(a - a_zero_point) * a_scale + (float)(b - b_zero_point) * b_scale
 *   y = tern_requant_fp32_finish(f, &out)
 *
 * with a_scale = s_a / s_y and b_scale = s_b / s_y computed once in float
 * (tern_qs8_vadd_init), two float products and one float sum (no FMA).
 * Float addition commutes, so swapping a and b never changes a result.
 * Operands as in kernels/ref/walk.h: dims is the output's index space,
 * every operand has element strides per axis (0 on broadcast axes). */
#ifndef TERN_KERNELS_REF_QS8_VADD_FP32_H
#define TERN_KERNELS_REF_QS8_VADD_FP32_H

#include <stdint.h>

#include "kernels/ref/requant.h"

typedef struct tern_qs8_vadd_params {
    int32_t a_zero_point, b_zero_point;
    float a_scale, b_scale; /* s_a / s_y, s_b / s_y */
    tern_requant_fp32 out;  /* scale unused; zero_point z_y, qmin, qmax */
} tern_qs8_vadd_params;

/* Fill p from the tensors' parameters; qmin/qmax carry a fused Relu. */
void tern_qs8_vadd_init(tern_qs8_vadd_params *p, float s_a, int32_t z_a, float s_b, int32_t z_b,
                        float s_y, int32_t z_y, int32_t qmin, int32_t qmax);

void tern_ref_qs8_vadd_fp32(int rank, const int64_t *dims, const int8_t *a, const int64_t *as,
                            const int8_t *b, const int64_t *bs, const tern_qs8_vadd_params *p,
                            int8_t *y, const int64_t *ys);

#endif
