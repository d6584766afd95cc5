/* int8 global average pooling over NHWC, NEON, 16 channels at a time
 * (tern_ref_qs8_gavgpool_fp32's rule, docs/quantization.md section 6):
 * per channel the exact int32 sum of x over the s pixels (int8 -> int16
 * partial sums of at most 256 pixels, |sum| <= 32768 ... 32512, widened to
 * int32), minus s * z_x (the reference's sum of x - z_x; exact, |s z_x| <=
 * 2^30), then the requantization of section 3. */
#include "arch/arm/kernels_arm.h"
#include "arch/arm/qs8_elementwise_neon_common.h"

/* Sums of 16 channels over s pixels pixel_stride bytes apart. */
static inline void sum16(const int8_t *x, size_t s, size_t pixel_stride, int32x4_t acc[4]) {
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) acc[j] = vdupq_n_s32(0);
    for (size_t p0 = 0; p0 < s; p0 += 256) {
        size_t end = s - p0 < 256 ? s : p0 + 256;
        int16x8_t lo = vdupq_n_s16(0), hi = vdupq_n_s16(0);
        for (size_t q = p0; q < end; q++) {
            int8x16_t v = vld1q_s8(x + q * pixel_stride);
            lo = vaddw_s8(lo, vget_low_s8(v));
            hi = vaddw_high_s8(hi, v);
        }
        acc[0] = vaddw_s16(acc[0], vget_low_s16(lo));
        acc[1] = vaddw_high_s16(acc[1], lo);
        acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
        acc[3] = vaddw_high_s16(acc[3], hi);
    }
}

static void ukernel(size_t s, size_t c, const int8_t *x, size_t pixel_stride,
                    const tern_qs8_rescale *p, int8_t *y) {
    int32x4_t corr = vdupq_n_s32((int32_t)s * p->x_zero_point);
    float32x4_t scale = vdupq_n_f32(p->out.scale);
    tern_neon_finish fin = tern_neon_finish_init(&p->out);
    size_t ch = 0;
    for (; ch + 16 <= c; ch += 16) {
        int32x4_t acc[4], r[4];
        sum16(x + ch, s, pixel_stride, acc);
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++)
            r[j] =
                tern_neon_finish4(vmulq_f32(vcvtq_f32_s32(vsubq_s32(acc[j], corr)), scale), &fin);
        vst1q_s8(y + ch, tern_neon_narrow16(r[0], r[1], r[2], r[3]));
    }
    for (; ch < c; ch++) {
        int32_t sum = 0;
        for (size_t q = 0; q < s; q++) sum += (int32_t)x[q * pixel_stride + ch] - p->x_zero_point;
        y[ch] = tern_requant_fp32_apply(sum, &p->out);
    }
}

const tern_qs8_gavgpool_ukernel tern_qs8_gavgpool_minmax_fp32_c16__neon = {
    "qs8_gavgpool_minmax_fp32_c16__neon", ukernel};
