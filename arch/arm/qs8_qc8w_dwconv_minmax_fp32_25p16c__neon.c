/* int8 depthwise micro-kernel, 25 taps, 16 channels per step, NEON
 * (body in qs8_dwconv_neon_common.h; layout kernels/qs8_dwconv_packed.h). */
#include "arch/arm/qs8_dwconv_neon_common.h"
#include "arch/arm/qs8_kernels_arm.h"

void tern_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p16c__neon(size_t channels,
                                                          const int8_t *const *taps,
                                                          const void *packed, int8_t *out,
                                                          int32_t x_zero_point) {
    tern_dw_neon(channels, taps, packed, out, x_zero_point, 25);
}
