/* INT8 elementwise micro-kernels: Add and Mul (below) and QuantizeLinear
 * (at the end); table lookups and global average pooling are declared in
 * arch/kernels.h.
 *
 * Add and Mul micro-kernels with requantization over rows of
 * channels: y[r][c] = a[r][c] op b[r][c] for r < rows, c < channels, where
 * a row of a or b is `a_stride` / `b_stride` elements after the previous
 * one (0: the same row for every r, the squeeze-excite broadcast of a
 * [N, 1, 1, C] gate over [N, H, W, C]); y rows are dense. Bit-exact with
 * tern_ref_qs8_vadd_fp32 / tern_ref_qs8_vmul_fp32 (docs/quantization.md
 * section 4): Add is two float products and one float sum (no FMA), Mul an
 * exact int32 product and the requantization of section 3. */
#ifndef TERN_ARCH_QS8_VBINARY_H
#define TERN_ARCH_QS8_VBINARY_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/ref/qs8_vadd_fp32.h"
#include "kernels/ref/qs8_vmul_fp32.h"

typedef void (*tern_qs8_vadd_fn)(size_t rows, size_t channels, const int8_t *a, size_t a_stride,
                                 const int8_t *b, size_t b_stride, int8_t *y,
                                 const tern_qs8_vadd_params *p);
typedef void (*tern_qs8_vmul_fn)(size_t rows, size_t channels, const int8_t *a, size_t a_stride,
                                 const int8_t *b, size_t b_stride, int8_t *y,
                                 const tern_qs8_vmul_params *p);

typedef struct tern_qs8_vadd_ukernel {
    const char *name;
    tern_qs8_vadd_fn fn;
} tern_qs8_vadd_ukernel;

typedef struct tern_qs8_vmul_ukernel {
    const char *name;
    tern_qs8_vmul_fn fn;
} tern_qs8_vmul_ukernel;

/* QuantizeLinear float32 -> int8 with one scale and zero point over n
 * contiguous elements, exactly tern_ref_quantize_f32 (docs/quantization.md
 * section 8: float division, clamp with NaN -> the low bound, nearest even). */
typedef void (*tern_qs8_quantize_fn)(size_t n, const float *x, int8_t *y, float scale,
                                     int32_t zero_point);
typedef struct tern_qs8_quantize_ukernel {
    const char *name;
    tern_qs8_quantize_fn fn;
} tern_qs8_quantize_ukernel;

#endif
