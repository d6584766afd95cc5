/* The x86 qs8 depthwise micro-kernels (arch/x86/qs8_qc8w_dwconv_*.c); the
 * interface and the packed layout are arch/qs8_dwconv.h's. */
#ifndef TERN_ARCH_X86_QS8_DWCONV_X86_H
#define TERN_ARCH_X86_QS8_DWCONV_X86_H

#include "arch/qs8_dwconv.h"
#include "arch/x86/qs8_x86_common.h"

#define TERN_QS8_DWCONV_X86_DECL(name)                                                   \
    void name(size_t channels, size_t npix, const int8_t *const *in, size_t taps,         \
              const void *w, int8_t *out, size_t out_step);

TERN_QS8_DWCONV_X86_DECL(tern_qs8_qc8w_dwconv_minmax_fp32_16c__avx2)
TERN_QS8_DWCONV_X86_DECL(tern_qs8_qc8w_dwconv_minmax_fp32_32c__avx512skx)
TERN_QS8_DWCONV_X86_DECL(tern_qs8_qc8w_dwconv_minmax_fp32_32c__avx512vnni)

#endif
