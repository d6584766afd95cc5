/* The x86 qs8 GEMM micro-kernels (arch/x86/qs8_qc8w_gemm_*.c); the
 * interface and the packed layout are arch/qs8_gemm.h's. */
#ifndef TERN_ARCH_X86_QS8_GEMM_X86_H
#define TERN_ARCH_X86_QS8_GEMM_X86_H

#include "arch/qs8_gemm.h"
#include "arch/x86/qs8_x86_common.h"

#define TERN_QS8_GEMM_X86_DECL(name)                                                        \
    void name(size_t mr, size_t nc, size_t kc, const int8_t *a, size_t a_stride, const void *w, \
              int8_t *c, size_t c_stride, const int32_t *rowsum);

TERN_QS8_GEMM_X86_DECL(tern_qs8_qc8w_gemm_minmax_fp32_3x8c8__avx2)
TERN_QS8_GEMM_X86_DECL(tern_qs8_qc8w_gemm_minmax_fp32_4x16c8__avx512skx)
TERN_QS8_GEMM_X86_DECL(tern_qs8_qc8w_gemm_minmax_fp32_8x16c4__avx512vnni)
TERN_QS8_GEMM_X86_DECL(tern_qs8_qc8w_gemm_minmax_fp32_4x16c4__avxvnni)

#endif
