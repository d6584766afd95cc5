/* Reference int8 Mul with requantization and numpy broadcasting (QLinearMul,
 * QDQ Mul, the squeeze-excite scaling), docs/quantization.md section 4, in
 * the form of ONNX Runtime's x86 QLinearMul (MLAS, SSE2), the output zero
 * point added in float in the data's original type (offset 128 for data
 * that was uint8, 0 for int8):
 *
 *   acc = (a - a_zero_point) * (b - b_zero_point)        int32, exact (|acc| <= 65025)
 *   f   = (float)acc * out.scale + (float)(z_y + offset) out.scale = (s_a * s_b) / s_y
 *   y   = clamp(rne(clamp(f, lo, hi)) - offset, qmin, qmax)   lo, hi: the original type's range
 *
 * Operands as in kernels/ref/walk.h (dims = output index space, element
 * strides per operand, 0 on broadcast axes). */
#ifndef TERN_KERNELS_REF_QS8_VMUL_FP32_H
#define TERN_KERNELS_REF_QS8_VMUL_FP32_H

#include <stdint.h>

#include "kernels/ref/requant.h"

typedef struct tern_qs8_vmul_params {
    int32_t a_zero_point, b_zero_point;
    tern_requant_fp32 out; /* scale (s_a * s_b) / s_y, z_y, qmin, qmax */
    int32_t offset;        /* 128: the data was uint8 in the file; 0: int8 */
} tern_qs8_vmul_params;

/* Fill p from the tensors' parameters (the scale in ORT's order, float). */
void tern_qs8_vmul_init(tern_qs8_vmul_params *p, float s_a, int32_t z_a, float s_b, int32_t z_b,
                        float s_y, int32_t z_y, int32_t qmin, int32_t qmax);
/* The same for data that was uint8 in the file (u8 = 1: offset 128). */
void tern_qs8_vmul_init_ex(tern_qs8_vmul_params *p, float s_a, int32_t z_a, float s_b,
                           int32_t z_b, float s_y, int32_t z_y, int32_t qmin, int32_t qmax,
                           int u8);

void tern_ref_qs8_vmul_fp32(int rank, const int64_t *dims, const int8_t *a, const int64_t *as,
                            const int8_t *b, const int64_t *bs, const tern_qs8_vmul_params *p,
                            int8_t *y, const int64_t *ys);

#endif
