/* int8 depthwise micro-kernel over NHWC, 16 channels at a time, NEON, on
 * the layout of arch/qs8_dwconv.h (cb = 16, lanes in channel order): per
 * tap pair two ld2 split the interleaved int16 (w'_t, w'_t+1) of 16
 * channels into vectors of w'_t and w'_t+1; x is sign-extended to int16 (sxtl) and
 * smlal accumulates x * w' exactly in int32 (|x w'| <= 128 * 255), on top
 * of the folded bias' (bias - z_x sum w'). A tap in the padding points at
 * the zero row (bytes z_x), adding z_x w' as the folding expects. Then the
 * fp32 requantization of docs/quantization.md section 3 (scvtf, fmul,
 * fmax/fmin, fcvtns, + z_y). 8 channels, then single channels, finish the
 * tail with the same arithmetic and without reading past `channels`.
 * sdot does not help here (one tap per channel per output), so the
 * dot-product levels run this kernel too. */
#include <arm_neon.h>

#include "arch/arm/kernels_arm.h"
#include "kernels/ref/requant.h"

#define CB 16

/* Byte offsets inside one packed block of `taps` taps. */
static inline size_t pairs_of(size_t taps) { return (taps + 1) / 2; }
static inline size_t trailer_at(size_t taps) { return 4 * CB + pairs_of(taps) * CB * 4; }
static inline size_t block_size(size_t taps) { return trailer_at(taps) + 4 * 4 * CB; }

/* Requantize 4 accumulators of block channels j..j+3. */
static inline int32x4_t rq4(int32x4_t acc, const unsigned char *blk, size_t taps, size_t j) {
    const float *f = (const float *)(const void *)(blk + trailer_at(taps));
    const int32_t *zy = (const int32_t *)(const void *)(blk + trailer_at(taps)) + 3 * CB;
    float32x4_t v = vmulq_f32(vcvtq_f32_s32(acc), vld1q_f32(f + j));
    v = vminq_f32(vmaxq_f32(v, vld1q_f32(f + CB + j)), vld1q_f32(f + 2 * CB + j));
    return vaddq_s32(vcvtnq_s32_f32(v), vld1q_s32(zy + j));
}

/* Channels [c, c + 8) = block channels [j, j + 8) of one pixel. */
static inline int8x8_t dw8(const int8_t *const *in, size_t taps, size_t c, const unsigned char *blk,
                           size_t j) {
    const int32_t *bias = (const int32_t *)(const void *)blk;
    const int16_t *wp = (const int16_t *)(const void *)(blk + 4 * CB) + 2 * j;
    int32x4_t a0 = vld1q_s32(bias + j), a1 = vld1q_s32(bias + j + 4);
    size_t t = 0;
    for (; t + 2 <= taps; t += 2, wp += 2 * CB) {
        int16x8x2_t w = vld2q_s16(wp); /* w'_t and w'_t+1 of 8 channels */
        int16x8_t x0 = vmovl_s8(vld1_s8(in[t] + c)), x1 = vmovl_s8(vld1_s8(in[t + 1] + c));
        a0 = vmlal_s16(a0, vget_low_s16(x0), vget_low_s16(w.val[0]));
        a1 = vmlal_high_s16(a1, x0, w.val[0]);
        a0 = vmlal_s16(a0, vget_low_s16(x1), vget_low_s16(w.val[1]));
        a1 = vmlal_high_s16(a1, x1, w.val[1]);
    }
    if (t < taps) { /* odd tap count: the last pair's second weight is 0 */
        int16x8x2_t w = vld2q_s16(wp);
        int16x8_t x0 = vmovl_s8(vld1_s8(in[t] + c));
        a0 = vmlal_s16(a0, vget_low_s16(x0), vget_low_s16(w.val[0]));
        a1 = vmlal_high_s16(a1, x0, w.val[0]);
    }
    int32x4_t r0 = rq4(a0, blk, taps, j), r1 = rq4(a1, blk, taps, j + 4);
    return vmovn_s16(vcombine_s16(vmovn_s32(r0), vmovn_s32(r1)));
}

/* Channels [c, c + 16) = one whole block of one pixel: dw8's arithmetic
 * on both halves in one pass over the taps (one pointer load per tap). */
static inline __attribute__((always_inline)) int8x16_t dw16(const int8_t *const *in, size_t taps,
                                                            size_t c, const unsigned char *blk) {
    const int32_t *bias = (const int32_t *)(const void *)blk;
    const int16_t *wp = (const int16_t *)(const void *)(blk + 4 * CB);
    int32x4_t a0 = vld1q_s32(bias), a1 = vld1q_s32(bias + 4);
    int32x4_t a2 = vld1q_s32(bias + 8), a3 = vld1q_s32(bias + 12);
    size_t t = 0;
    for (; t < taps; t += 2, wp += 2 * CB) {
        int16x8x2_t wl = vld2q_s16(wp), wh = vld2q_s16(wp + 16); /* w'_t, w'_t+1 */
        int8x16_t x0 = vld1q_s8(in[t] + c);
        int16x8_t x0l = vmovl_s8(vget_low_s8(x0)), x0h = vmovl_high_s8(x0);
        a0 = vmlal_s16(a0, vget_low_s16(x0l), vget_low_s16(wl.val[0]));
        a1 = vmlal_high_s16(a1, x0l, wl.val[0]);
        a2 = vmlal_s16(a2, vget_low_s16(x0h), vget_low_s16(wh.val[0]));
        a3 = vmlal_high_s16(a3, x0h, wh.val[0]);
        if (t + 1 == taps) break; /* odd tap count: the pair's second weight is 0 */
        int8x16_t x1 = vld1q_s8(in[t + 1] + c);
        int16x8_t x1l = vmovl_s8(vget_low_s8(x1)), x1h = vmovl_high_s8(x1);
        a0 = vmlal_s16(a0, vget_low_s16(x1l), vget_low_s16(wl.val[1]));
        a1 = vmlal_high_s16(a1, x1l, wl.val[1]);
        a2 = vmlal_s16(a2, vget_low_s16(x1h), vget_low_s16(wh.val[1]));
        a3 = vmlal_high_s16(a3, x1h, wh.val[1]);
    }
    int16x8_t lo = vcombine_s16(vmovn_s32(rq4(a0, blk, taps, 0)), vmovn_s32(rq4(a1, blk, taps, 4)));
    int16x8_t hi =
        vcombine_s16(vmovn_s32(rq4(a2, blk, taps, 8)), vmovn_s32(rq4(a3, blk, taps, 12)));
    return vcombine_s8(vmovn_s16(lo), vmovn_s16(hi));
}

/* One channel (the tail): the same sum and rule in scalar form. */
static inline int8_t dw1(const int8_t *const *in, size_t taps, size_t c, const unsigned char *blk,
                         size_t j) {
    const int16_t *wp = (const int16_t *)(const void *)(blk + 4 * CB);
    const float *f = (const float *)(const void *)(blk + trailer_at(taps));
    const int32_t *zy = (const int32_t *)(const void *)(blk + trailer_at(taps)) + 3 * CB;
    uint32_t acc = (uint32_t)((const int32_t *)(const void *)blk)[j];
    for (size_t t = 0; t < taps; t++)
        acc += (uint32_t)((int32_t)in[t][c] * wp[(t / 2) * 2 * CB + 2 * j + t % 2]);
    float v = tern_clamp_f32((float)(int32_t)acc * f[j], f[CB + j], f[2 * CB + j]);
    return (int8_t)(tern_rne_f32(v) + zy[j]);
}

static void ukernel(size_t channels, size_t npix, const int8_t *const *in, size_t taps,
                    const void *w, int8_t *out, size_t out_step) {
    for (size_t p = 0; p < npix; p++, in += taps, out += out_step) {
        const unsigned char *blk = (const unsigned char *)w;
        size_t c = 0;
        for (; c + CB <= channels; c += CB, blk += block_size(taps))
            vst1q_s8(out + c, dw16(in, taps, c, blk));
        size_t j = 0;
        if (c + 8 <= channels) {
            vst1_s8(out + c, dw8(in, taps, c, blk, 0));
            c += 8;
            j = 8;
        }
        for (; c < channels; c++, j++) out[c] = dw1(in, taps, c, blk, j);
    }
}

const tern_qs8_dwconv_ukernel tern_qs8_qc8w_dwconv_minmax_fp32_16c__neon = {
    "qs8_qc8w_dwconv_minmax_fp32_16c__neon", ukernel, CB};
