/* The body of the Arm depthwise micro-kernels (one file per tap count
 * instantiates it): 16 channels at a time, x - z_x widened to int16 (ssubl,
 * exact), times the packed int16 w - z_w, accumulated in int32 (smlal,
 * exact: |product| <= 65025), then the fp32 requantization of
 * docs/quantization.md section 3 (scvtf, fmul, fmax/fmin, fcvtns, + z_y).
 * 8 channels, then single channels, finish the tail with the same
 * arithmetic. sdot does not help here (one tap per channel per output), so
 * dot-product CPUs run these too. */
#ifndef TERN_ARCH_ARM_QS8_DWCONV_NEON_COMMON_H
#define TERN_ARCH_ARM_QS8_DWCONV_NEON_COMMON_H

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/ref/requant.h"

#define TERN_DW_CR 16

/* Requantize 4 accumulators of channels j..j+3 of a group. */
static inline int32x4_t tern_dw_rq4(int32x4_t acc, const float *grpf, const int32_t *grpi,
                                    size_t j) {
    float32x4_t f = vmulq_f32(vcvtq_f32_s32(acc), vld1q_f32(grpf + TERN_DW_CR + j));
    f = vmaxq_f32(f, vld1q_f32(grpf + 2 * TERN_DW_CR + j));
    f = vminq_f32(f, vld1q_f32(grpf + 3 * TERN_DW_CR + j));
    return vaddq_s32(vcvtnq_s32_f32(f), vld1q_s32(grpi + 4 * TERN_DW_CR + j));
}

/* Channels [c, c + 8) of taps, group channel j (0 or 8). */
static inline int8x8_t tern_dw_8(const int8_t *const *taps, size_t c, const unsigned char *grp,
                                 size_t j, int8x8_t vzx, int ks) {
    const int32_t *grpi = (const int32_t *)(const void *)grp;
    const float *grpf = (const float *)(const void *)grp;
    const int16_t *wp = (const int16_t *)(const void *)(grp + 20 * TERN_DW_CR) + j;
    int32x4_t a0 = vld1q_s32(grpi + j), a1 = vld1q_s32(grpi + j + 4);
    for (int t = 0; t < ks; t++) {
        int16x8_t xv = vsubl_s8(vld1_s8(taps[t] + c), vzx);
        int16x8_t wv = vld1q_s16(wp + t * TERN_DW_CR);
        a0 = vmlal_s16(a0, vget_low_s16(xv), vget_low_s16(wv));
        a1 = vmlal_high_s16(a1, xv, wv);
    }
    int32x4_t r0 = tern_dw_rq4(a0, grpf, grpi, j), r1 = tern_dw_rq4(a1, grpf, grpi, j + 4);
    return vmovn_s16(vcombine_s16(vmovn_s32(r0), vmovn_s32(r1)));
}

/* One channel (the tail), the same arithmetic in scalar form. */
static inline int8_t tern_dw_1(const int8_t *const *taps, size_t c, const unsigned char *grp,
                               size_t j, int32_t zx, int ks) {
    const int32_t *grpi = (const int32_t *)(const void *)grp;
    const float *grpf = (const float *)(const void *)grp;
    const int16_t *wp = (const int16_t *)(const void *)(grp + 20 * TERN_DW_CR) + j;
    int32_t acc = grpi[j];
    for (int t = 0; t < ks; t++) acc += ((int32_t)taps[t][c] - zx) * wp[t * TERN_DW_CR];
    float f = tern_clamp_f32((float)acc * grpf[TERN_DW_CR + j], grpf[2 * TERN_DW_CR + j],
                             grpf[3 * TERN_DW_CR + j]);
    return (int8_t)(tern_rne_f32(f) + grpi[4 * TERN_DW_CR + j]);
}

static inline void tern_dw_neon(size_t channels, const int8_t *const *taps, const void *packed,
                                int8_t *out, int32_t zx, int ks) {
    const unsigned char *grp = (const unsigned char *)packed;
    const size_t gsize = TERN_DW_CR * (20 + 2 * (size_t)ks);
    int8x8_t vzx = vdup_n_s8((int8_t)zx);
    size_t c = 0;
    for (; c + 16 <= channels; c += 16, grp += gsize) {
        int8x8_t lo = tern_dw_8(taps, c, grp, 0, vzx, ks);
        int8x8_t hi = tern_dw_8(taps, c + 8, grp, 8, vzx, ks);
        vst1q_s8(out + c, vcombine_s8(lo, hi));
    }
    size_t j = 0;
    if (c + 8 <= channels) {
        vst1_s8(out + c, tern_dw_8(taps, c, grp, 0, vzx, ks));
        c += 8;
        j = 8;
    }
    for (; c < channels; c++, j++) out[c] = tern_dw_1(taps, c, grp, j, zx, ks);
}

#endif
