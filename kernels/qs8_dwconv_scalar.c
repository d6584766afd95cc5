/* Portable C depthwise micro-kernels on the packed layout of
 * kernels/qs8_dwconv_packed.h (cr = 16; 9 and 25 taps): the fallback where
 * no SIMD kernel exists and the host check of packing and driver. The
 * SIMD kernels do the same integer sum with the same requantization. */
#include <string.h>

#include "kernels/qs8_dwconv_packed.h"
#include "kernels/qs8_dwconv_scalar.h"

static inline void dw_scalar(size_t channels, const int8_t *const *taps, const void *packed,
                             int8_t *out, int32_t zx, int ks) {
    const int cr = 16;
    const unsigned char *grp = (const unsigned char *)packed;
    for (size_t c = 0; c < channels; c++) {
        size_t j = c % (size_t)cr;
        if (c > 0 && j == 0) grp += (size_t)cr * (20 + 2 * (size_t)ks);
        int32_t acc, zy;
        float scale, lo, hi;
        memcpy(&acc, grp + 4 * j, 4);
        memcpy(&scale, grp + 4 * (cr + j), 4);
        memcpy(&lo, grp + 4 * (2 * cr + j), 4);
        memcpy(&hi, grp + 4 * (3 * cr + j), 4);
        memcpy(&zy, grp + 4 * (4 * cr + j), 4);
        for (int t = 0; t < ks; t++) {
            int16_t w;
            memcpy(&w, grp + 20 * cr + 2 * ((size_t)t * cr + j), 2);
            acc += ((int32_t)taps[t][c] - zx) * w;
        }
        float f = tern_clamp_f32((float)acc * scale, lo, hi);
        out[c] = (int8_t)(tern_rne_f32(f) + zy);
    }
}

void tern_qs8_qc8w_dwconv_minmax_fp32_ukernel_9p16c__scalar(size_t channels,
                                                          const int8_t *const *taps,
                                                          const void *packed, int8_t *out,
                                                          int32_t x_zero_point) {
    dw_scalar(channels, taps, packed, out, x_zero_point, 9);
}

void tern_qs8_qc8w_dwconv_minmax_fp32_ukernel_25p16c__scalar(size_t channels,
                                                           const int8_t *const *taps,
                                                           const void *packed, int8_t *out,
                                                           int32_t x_zero_point) {
    dw_scalar(channels, taps, packed, out, x_zero_point, 25);
}
