/* Reference int8 Add with requantization and numpy broadcasting (QLinearAdd,
 * QDQ Add, the residual adds), docs/quantization.md section 4, in the form
 * of ONNX Runtime's x86 QLinearAdd (MLAS, AVX2), in the data's original
 * type (offset 128 for data that was uint8, 0 for int8):
 *
 *   A = a + offset, B = b + offset, Z_* = z_* + offset     (the file's values)
 *   fixed = (float)Z_y - fmaf(a_scale, (float)Z_a, b_scale * (float)Z_b)   once
 *   f = fmaf((float)A, a_scale, fmaf((float)B, b_scale, fixed))     both vary
 *   f = fmaf((float)B, b_scale, fixed + (float)A * a_scale)      A one value along the
 *                                                                innermost axis (or scalar)
 *   f = fmaf((float)A, a_scale, fixed + (float)B * b_scale)      B so (and A not)
 *   y = clamp(rne(clamp(f, lo, hi)) - offset, qmin, qmax)   lo, hi the original type's range
 *
 * with a_scale = s_a / s_y and b_scale = s_b / s_y computed once in float
 * (tern_qs8_vadd_init). fmaf is one correctly rounded operation (C99), the
 * same on every ISA. The form is not symmetric in a and b.
 * Operands as in kernels/ref/walk.h: dims is the output's index space,
 * every operand has element strides per axis (0 on broadcast axes). */
#ifndef TERN_KERNELS_REF_QS8_VADD_FP32_H
#define TERN_KERNELS_REF_QS8_VADD_FP32_H

#include <stdint.h>

#include "kernels/ref/requant.h"

typedef struct tern_qs8_vadd_params {
    int32_t a_zero_point, b_zero_point;
    float a_scale, b_scale; /* s_a / s_y, s_b / s_y */
    int32_t offset;         /* 128: the data was uint8 in the file; 0: int8 */
    float fixed;            /* (float)Z_y - fmaf(a_scale, Z_a, b_scale * Z_b), Z = z + offset */
    tern_requant_fp32 out;  /* scale unused; zero_point z_y, qmin, qmax */
} tern_qs8_vadd_params;

/* Fill p from the tensors' parameters; qmin/qmax carry a fused Relu. */
void tern_qs8_vadd_init(tern_qs8_vadd_params *p, float s_a, int32_t z_a, float s_b, int32_t z_b,
                        float s_y, int32_t z_y, int32_t qmin, int32_t qmax);
/* The same for data that was uint8 in the file (u8 = 1: offset 128). */
void tern_qs8_vadd_init_ex(tern_qs8_vadd_params *p, float s_a, int32_t z_a, float s_b,
                           int32_t z_b, float s_y, int32_t z_y, int32_t qmin, int32_t qmax,
                           int u8);

void tern_ref_qs8_vadd_fp32(int rank, const int64_t *dims, const int8_t *a, const int64_t *as,
                            const int8_t *b, const int64_t *bs, const tern_qs8_vadd_params *p,
                            int8_t *y, const int64_t *ys);

#endif
