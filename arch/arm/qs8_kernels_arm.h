/* The Arm (aarch64) int8 and fp32 kernels, one file each in arch/arm/,
 * named XNNPACK-style: types, op, requantization, tile, ISA. Files named
 * *__neondot.c are compiled with -march=armv8.2-a+dotprod and must only
 * run where the dispatch found HWCAP_ASIMDDP; the rest are baseline
 * Armv8-a NEON (every aarch64 CPU). */
#ifndef TERN_ARCH_ARM_QS8_KERNELS_ARM_H
#define TERN_ARCH_ARM_QS8_KERNELS_ARM_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/qs8_dwconv_packed.h"
#include "kernels/qs8_gemm_packed.h"
#include "kernels/ref/qs8_vadd_fp32.h"
#include "kernels/ref/qs8_vmul_fp32.h"

/* GEMM micro-kernels: tern_qs8_gemm_ukernel_fn, packed with nr = 8, kr = 4. */
void tern_qs8_qc8w_gemm_minmax_fp32_ukernel_4x8c4__neon(size_t mr, size_t nc, size_t kc,
                                                      const int8_t *a, size_t a_stride,
                                                      const void *w, int8_t *c, size_t c_stride,
                                                      const int32_t *rowsum);
void tern_qs8_qc8w_gemm_minmax_fp32_ukernel_4x8c4__neondot(size_t mr, size_t nc, size_t kc,
                                                         const int8_t *a, size_t a_stride,
                                                         const void *w, int8_t *c, size_t c_stride,
                                                         const int32_t *rowsum);

/* Depthwise micro-kernels: tern_qs8_dwconv_ukernel_fn, packed with cr = 16. */
void tern_qs8_qc8w_dwconv_minmax_fp32_ukernel_9p16c__neon(size_t channels,
                                                        const int8_t *const *taps,
                                                        const void *packed, int8_t *out,
                                                        int32_t x_zero_point);
void tern_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p16c__neon(size_t channels,
                                                         const int8_t *const *taps,
                                                         const void *packed, int8_t *out,
                                                         int32_t x_zero_point);

/* Elementwise kernels over n contiguous int8 elements. vmul: b_stride 0
 * broadcasts b[0] (a scalar), 1 reads b[0..n). */
void tern_qs8_vadd_minmax_fp32_ukernel_x16__neon(size_t n, const int8_t *a, const int8_t *b,
                                                int8_t *y, const tern_qs8_vadd_params *p);
void tern_qs8_vmul_minmax_fp32_ukernel_x16__neon(size_t n, const int8_t *a, const int8_t *b,
                                                size_t b_stride, int8_t *y,
                                                const tern_qs8_vmul_params *p);
/* y[i] = table[x[i] + 128] */
void tern_qs8_lut_ukernel_x16__neon(size_t n, const int8_t *x, const int8_t table[256],
                                    int8_t *y);
/* Global average pooling of s pixels (pixel_stride bytes apart) of c
 * contiguous channels into y[0..c); p as tern_qs8_gavgpool_init fills it. */
void tern_qs8_gavgpool_minmax_fp32_ukernel_c16__neon(size_t s, size_t c, const int8_t *x,
                                                    size_t pixel_stride,
                                                    const tern_qs8_rescale *p, int8_t *y);

#endif
