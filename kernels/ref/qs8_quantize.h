/* Reference QuantizeLinear (float32 -> int8/uint8) and DequantizeLinear
 * (int8/uint8/int32 -> float32), per tensor or per axis,
 * docs/quantization.md section 8:
 *
 *   quantize:   f = x / s (float division, as ONNX and ORT);
 *               f = min(max(f, qmin - z), qmax - z) (NaN -> qmin - z);
 *               y = rne(f) + z, qmin/qmax the type's range
 *   dequantize: y = (float)(x - z) * s
 *
 * axis < 0: one scale and zero point; else the element at index i along
 * axis uses scale[i], zero_point[i]. Tensors in any layout (dims the
 * logical shape, element strides per axis). Scales must be positive and
 * finite, zero points in the type's range (the caller checks). */
#ifndef TERN_KERNELS_REF_QS8_QUANTIZE_H
#define TERN_KERNELS_REF_QS8_QUANTIZE_H

#include <stdint.h>

#include "tern.h"

/* to: TERN_INT8 or TERN_UINT8. */
void tern_ref_quantize_f32(int rank, const int64_t *dims, const float *x, const int64_t *xs,
                           int axis, const float *scale, const int32_t *zero_point, tern_dtype to,
                           void *y, const int64_t *ys);

/* from: TERN_INT8, TERN_UINT8 or TERN_INT32. */
void tern_ref_dequantize_f32(int rank, const int64_t *dims, tern_dtype from, const void *x,
                             const int64_t *xs, int axis, const float *scale,
                             const int32_t *zero_point, float *y, const int64_t *ys);

/* n bytes of uint8 -> tern's int8 (x ^ 0x80, i.e. x - 128; the zero point
 * moves by -128, the scale stays); the same function converts back. x and y
 * may be the same memory. */
void tern_ref_flip_sign8(int64_t n, const void *x, void *y);

#endif
