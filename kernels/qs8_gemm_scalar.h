/* Portable micro-kernels on the packed int8 GEMM layout. */
#ifndef TERN_KERNELS_QS8_GEMM_SCALAR_H
#define TERN_KERNELS_QS8_GEMM_SCALAR_H

#include <stddef.h>
#include <stdint.h>

void tern_qs8_qc8w_gemm_minmax_fp32_ukernel_4x8c4__scalar(size_t mr, size_t nc, size_t kc,
                                                        const int8_t *a, size_t a_stride,
                                                        const void *w, int8_t *c, size_t c_stride,
                                                        const int32_t *rowsum);

#endif
