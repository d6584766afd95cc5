/* The Arm (aarch64) int8 and fp32 kernels, one file each in arch/arm/,
 * named XNNPACK-style: types, op, requantization, tile, ISA. Files named
 * *__neondot.c are compiled with -march=armv8.2-a+dotprod and must only
 * run where the dispatch found HWCAP_ASIMDDP; the rest are baseline
 * Armv8-a NEON (every aarch64 CPU). */
#ifndef TERN_ARCH_ARM_QS8_KERNELS_ARM_H
#define TERN_ARCH_ARM_QS8_KERNELS_ARM_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/qs8_gemm_packed.h"

/* GEMM micro-kernels: tern_qs8_gemm_ukernel_fn, packed with nr = 8, kr = 4. */
void tern_qs8_qc8w_gemm_minmax_fp32_ukernel_4x8c4__neon(size_t mr, size_t nc, size_t kc,
                                                      const int8_t *a, size_t a_stride,
                                                      const void *w, int8_t *c, size_t c_stride,
                                                      const int32_t *rowsum);
void tern_qs8_qc8w_gemm_minmax_fp32_ukernel_4x8c4__neondot(size_t mr, size_t nc, size_t kc,
                                                         const int8_t *a, size_t a_stride,
                                                         const void *w, int8_t *c, size_t c_stride,
                                                         const int32_t *rowsum);

#endif
