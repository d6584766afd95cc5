/* Portable depthwise micro-kernels on the packed layout (cr = 16). */
#ifndef TERN_KERNELS_QS8_DWCONV_SCALAR_H
#define TERN_KERNELS_QS8_DWCONV_SCALAR_H

#include <stddef.h>
#include <stdint.h>

void tern_qs8_qc8w_dwconv_minmax_fp32_ukernel_9p16c__scalar(size_t channels,
                                                          const int8_t *const *taps,
                                                          const void *packed, int8_t *out,
                                                          int32_t x_zero_point);
void tern_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p16c__scalar(size_t channels,
                                                           const int8_t *const *taps,
                                                           const void *packed, int8_t *out,
                                                           int32_t x_zero_point);

#endif
