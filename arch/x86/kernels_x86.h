/* The x86-64 kernel list: X(slot, ISA, descriptor), parents before children
 * (AVX2, then AVXVNNI / AVX512, then AVX512VNNI, then AMX). Each descriptor
 * is defined in arch/x86/<descriptor name minus tern_>.c, compiled with the
 * flags of its __<isa> suffix (Makefile). See arch/kernels.h. */
#ifndef TERN_ARCH_X86_KERNELS_X86_H
#define TERN_ARCH_X86_KERNELS_X86_H

#include "arch/kernels.h"

extern const tern_f32_gemm_ukernel tern_f32_gemm_minmax_6x16__avx2;
extern const tern_f32_gemm_ukernel tern_f32_gemm_minmax_8x32__avx512;
extern const tern_f32_gemm_ukernel tern_f32_gemm_minmax_12x16__avx512;
extern const tern_f32_vbinary_ukernel tern_f32_vadd__avx2;
extern const tern_f32_vbinary_ukernel tern_f32_vmul__avx2;
extern const tern_f32_vmulc_ukernel tern_f32_vmulc__avx2;
extern const tern_f32_vunary_ukernel tern_f32_vhswish__avx2;
extern const tern_f32_vunary_ukernel tern_f32_vhsigmoid__avx2;
extern const tern_f32_gavgpool_ukernel tern_f32_gavgpool__avx2;
extern const tern_f32_vbinary_ukernel tern_f32_vadd__avx512;
extern const tern_f32_vbinary_ukernel tern_f32_vmul__avx512;
extern const tern_f32_vmulc_ukernel tern_f32_vmulc__avx512;
extern const tern_f32_vunary_ukernel tern_f32_vhswish__avx512;
extern const tern_f32_vunary_ukernel tern_f32_vhsigmoid__avx512;
extern const tern_f32_gavgpool_ukernel tern_f32_gavgpool__avx512;
extern const tern_f32_peak_ukernel tern_f32_peak_fma__avx2;
extern const tern_f32_dwconv_ukernel tern_f32_dwconv_minmax_3x3__avx2;
extern const tern_f32_dwconv_ukernel tern_f32_dwconv_minmax_5x5__avx2;
extern const tern_f32_dwconv_ukernel tern_f32_dwconv_minmax_3x3__avx512;
extern const tern_f32_dwconv_ukernel tern_f32_dwconv_minmax_5x5__avx512;
extern const tern_f32_peak_ukernel tern_f32_peak_fma__avx512;

extern const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_4x16c2__avx2;
extern const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_4x16c4__avxvnni;
extern const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_4x16c8__avx512;
extern const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_8x32c4__avx512vnni;
extern const tern_qs8_dwconv_ukernel tern_qs8_qc8w_dwconv_minmax_fp32_16c__avx2;
extern const tern_qs8_dwconv_ukernel tern_qs8_qc8w_dwconv_minmax_fp32_32c__avx512;
extern const tern_qs8_dwconv_ukernel tern_qs8_qc8w_dwconv_minmax_fp32_32c__avx512vnni;
extern const tern_qs8_vadd_ukernel tern_qs8_vadd_minmax_fp32__avx2;
extern const tern_qs8_vmul_ukernel tern_qs8_vmul_minmax_fp32__avx2;
extern const tern_qs8_quantize_ukernel tern_qs8_f32_quantize__avx2;
extern const tern_qs8_gavgpool_ukernel tern_qs8_gavgpool_minmax_fp32__avx2;
extern const tern_qs8_lut_ukernel tern_qs8_lut__avx2;

#define TERN_KERNEL_ENTRIES_X86(X)                              \
    X(f32_gemm, AVX2, tern_f32_gemm_minmax_6x16__avx2)          \
    X(f32_peak, AVX2, tern_f32_peak_fma__avx2)                  \
    X(f32_dwconv_3x3, AVX2, tern_f32_dwconv_minmax_3x3__avx2)   \
    X(f32_dwconv_5x5, AVX2, tern_f32_dwconv_minmax_5x5__avx2)   \
    X(f32_vadd, AVX2, tern_f32_vadd__avx2) \
    X(f32_vmul, AVX2, tern_f32_vmul__avx2) \
    X(f32_vmulc, AVX2, tern_f32_vmulc__avx2) \
    X(f32_vhswish, AVX2, tern_f32_vhswish__avx2) \
    X(f32_vhsigmoid, AVX2, tern_f32_vhsigmoid__avx2) \
    X(f32_gavgpool, AVX2, tern_f32_gavgpool__avx2) \
    X(f32_gemm, AVX512, tern_f32_gemm_minmax_8x32__avx512)      \
    X(f32_gemm_n16, AVX512, tern_f32_gemm_minmax_12x16__avx512) \
    X(f32_peak, AVX512, tern_f32_peak_fma__avx512)              \
    X(f32_dwconv_3x3, AVX512, tern_f32_dwconv_minmax_3x3__avx512) \
    X(f32_dwconv_5x5, AVX512, tern_f32_dwconv_minmax_5x5__avx512) \
    X(f32_vadd, AVX512, tern_f32_vadd__avx512) \
    X(f32_vmul, AVX512, tern_f32_vmul__avx512) \
    X(f32_vmulc, AVX512, tern_f32_vmulc__avx512) \
    X(f32_vhswish, AVX512, tern_f32_vhswish__avx512) \
    X(f32_vhsigmoid, AVX512, tern_f32_vhsigmoid__avx512) \
    X(f32_gavgpool, AVX512, tern_f32_gavgpool__avx512) \
    X(qs8_gemm, AVX2, tern_qs8_qc8w_gemm_minmax_fp32_4x16c2__avx2)         \
    X(qs8_gemm, AVXVNNI, tern_qs8_qc8w_gemm_minmax_fp32_4x16c4__avxvnni)   \
    X(qs8_gemm, AVX512, tern_qs8_qc8w_gemm_minmax_fp32_4x16c8__avx512)     \
    X(qs8_gemm, AVX512VNNI, tern_qs8_qc8w_gemm_minmax_fp32_8x32c4__avx512vnni) \
    X(qs8_dwconv, AVX2, tern_qs8_qc8w_dwconv_minmax_fp32_16c__avx2)        \
    X(qs8_dwconv, AVX512, tern_qs8_qc8w_dwconv_minmax_fp32_32c__avx512)    \
    X(qs8_dwconv, AVX512VNNI, tern_qs8_qc8w_dwconv_minmax_fp32_32c__avx512vnni) \
    X(qs8_vadd, AVX2, tern_qs8_vadd_minmax_fp32__avx2)                     \
    X(qs8_vmul, AVX2, tern_qs8_vmul_minmax_fp32__avx2)                     \
    X(qs8_quantize, AVX2, tern_qs8_f32_quantize__avx2)                     \
    X(qs8_gavgpool, AVX2, tern_qs8_gavgpool_minmax_fp32__avx2)             \
    X(qs8_lut, AVX2, tern_qs8_lut__avx2)

#endif
