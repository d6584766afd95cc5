/* The one list of x86 qs8 kernels. Every kernel file in arch/x86/ named
 * qs8_* appears here exactly once (tests/test_kernels_qs8_x86.c checks the
 * directory against it), and the tests sweep every entry against the
 * reference kernels; entries for ISAs the CPU lacks are reported skipped.
 *
 * GEMM: X(function, isa, mr, nr, kr, wbytes, xb); see arch/qs8_gemm.h.
 * Depthwise: X(function, isa, cb); see arch/qs8_dwconv.h. */
#ifndef TERN_ARCH_X86_QS8_KERNELS_LIST_H
#define TERN_ARCH_X86_QS8_KERNELS_LIST_H

#define TERN_QS8_GEMM_X86_LIST(X)                                                 \
    X(tern_qs8_qc8w_gemm_minmax_fp32_3x8c8__avx2, AVX2, 3, 8, 8, 2, 0)            \
    X(tern_qs8_qc8w_gemm_minmax_fp32_4x16c8__avx512skx, AVX512, 4, 16, 8, 2, 0)   \
    X(tern_qs8_qc8w_gemm_minmax_fp32_4x16c4__avxvnni, AVXVNNI, 4, 16, 4, 1, 128)  \
    X(tern_qs8_qc8w_gemm_minmax_fp32_8x16c4__avx512vnni, AVX512VNNI, 8, 16, 4, 1, 128)

#define TERN_QS8_DWCONV_X86_LIST(X)                                   \
    X(tern_qs8_qc8w_dwconv_minmax_fp32_16c__avx2, AVX2, 16)           \
    X(tern_qs8_qc8w_dwconv_minmax_fp32_32c__avx512skx, AVX512, 32)    \
    X(tern_qs8_qc8w_dwconv_minmax_fp32_32c__avx512vnni, AVX512VNNI, 32)

#endif
