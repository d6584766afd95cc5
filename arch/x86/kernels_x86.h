/* The x86-64 kernel list: X(slot, ISA, descriptor), parents before children
 * (AVX2, then AVXVNNI / AVX512, then AVX512VNNI, then AMX). Each descriptor
 * is defined in arch/x86/<descriptor name minus tern_>.c, compiled with the
 * flags of its __<isa> suffix (Makefile). See arch/kernels.h. */
#ifndef TERN_ARCH_X86_KERNELS_X86_H
#define TERN_ARCH_X86_KERNELS_X86_H

#include "arch/kernels.h"

extern const tern_f32_gemm_ukernel tern_f32_gemm_minmax_6x16__avx2;
extern const tern_f32_gemm_ukernel tern_f32_gemm_minmax_8x32__avx512;

#define TERN_KERNEL_ENTRIES_X86(X)                              \
    X(f32_gemm, AVX2, tern_f32_gemm_minmax_6x16__avx2)          \
    X(f32_gemm, AVX512, tern_f32_gemm_minmax_8x32__avx512)

#endif
