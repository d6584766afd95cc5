/* The aarch64 kernel list: X(slot, ISA, descriptor), parents before
 * children (NEON, then NEONDOT, then NEONI8MM). See arch/kernels.h. Files
 * named *__neondot.c are compiled with -march=armv8.2-a+dotprod and run
 * only where the dispatch found HWCAP_ASIMDDP; the others are baseline
 * Armv8-a NEON (every aarch64 CPU). The depthwise and elementwise kernels
 * have no dot-product form (nothing to dot), so NEONDOT inherits them. */
#ifndef TERN_ARCH_ARM_KERNELS_ARM_H
#define TERN_ARCH_ARM_KERNELS_ARM_H

#include "arch/kernels.h"

extern const tern_f32_gemm_ukernel tern_f32_gemm_minmax_8x8__neon;
extern const tern_f32_dwconv_ukernel tern_f32_dwconv_minmax_3x3__neon;
extern const tern_f32_dwconv_ukernel tern_f32_dwconv_minmax_5x5__neon;
extern const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_4x8c4__neon;
extern const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_4x8c4__neondot;
extern const tern_qs8_dwconv_ukernel tern_qs8_qc8w_dwconv_minmax_fp32_16c__neon;
extern const tern_qs8_vadd_ukernel tern_qs8_vadd_minmax_fp32_x16__neon;
extern const tern_qs8_vmul_ukernel tern_qs8_vmul_minmax_fp32_x16__neon;
extern const tern_qs8_lut_ukernel tern_qs8_lut_x16__neon;
extern const tern_qs8_gavgpool_ukernel tern_qs8_gavgpool_minmax_fp32_c16__neon;

#define TERN_KERNEL_ENTRIES_ARM(X)                                                                 \
    X(f32_gemm, NEON, tern_f32_gemm_minmax_8x8__neon)                                              \
    X(f32_dwconv_3x3, NEON, tern_f32_dwconv_minmax_3x3__neon)                                      \
    X(f32_dwconv_5x5, NEON, tern_f32_dwconv_minmax_5x5__neon)                                      \
    X(qs8_gemm, NEON, tern_qs8_qc8w_gemm_minmax_fp32_4x8c4__neon)                                  \
    X(qs8_dwconv, NEON, tern_qs8_qc8w_dwconv_minmax_fp32_16c__neon)                                \
    X(qs8_vadd, NEON, tern_qs8_vadd_minmax_fp32_x16__neon)                                         \
    X(qs8_vmul, NEON, tern_qs8_vmul_minmax_fp32_x16__neon)                                         \
    X(qs8_lut, NEON, tern_qs8_lut_x16__neon)                                                       \
    X(qs8_gavgpool, NEON, tern_qs8_gavgpool_minmax_fp32_c16__neon)                                 \
    X(qs8_gemm, NEONDOT, tern_qs8_qc8w_gemm_minmax_fp32_4x8c4__neondot)

#endif
