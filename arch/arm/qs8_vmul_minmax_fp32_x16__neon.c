/* int8 Mul with requantization over rows of channels, NEON, 16 at a time
 * (tern_ref_qs8_vmul_fp32's rule, docs/quantization.md section 4): acc =
 * (a - z_a)(b - z_b) exact in int32 (smull of the int16 differences), then
 * the requantization of section 3. Rows and broadcasting as
 * arch/qs8_vbinary.h. */
#include "arch/arm/kernels_arm.h"
#include "arch/arm/qs8_elementwise_neon_common.h"

static inline int32x4_t rq4(int32x4_t acc, float32x4_t s, const tern_neon_finish *f) {
    return tern_neon_finish4(vmulq_f32(vcvtq_f32_s32(acc), s), f);
}

/* One row of n elements. */
static void row(size_t n, const int8_t *a, const int8_t *b, int8_t *y,
                const tern_qs8_vmul_params *p) {
    int8x16_t za = vdupq_n_s8((int8_t)p->a_zero_point), zb = vdupq_n_s8((int8_t)p->b_zero_point);
    float32x4_t s = vdupq_n_f32(p->out.scale);
    tern_neon_finish fin = tern_neon_finish_init(&p->out);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        int8x16_t va = vld1q_s8(a + i), vb = vld1q_s8(b + i);
        int16x8_t dal = vsubl_s8(vget_low_s8(va), vget_low_s8(za)), dah = vsubl_high_s8(va, za);
        int16x8_t dbl = vsubl_s8(vget_low_s8(vb), vget_low_s8(zb)), dbh = vsubl_high_s8(vb, zb);
        int32x4_t r0 = rq4(vmull_s16(vget_low_s16(dal), vget_low_s16(dbl)), s, &fin);
        int32x4_t r1 = rq4(vmull_high_s16(dal, dbl), s, &fin);
        int32x4_t r2 = rq4(vmull_s16(vget_low_s16(dah), vget_low_s16(dbh)), s, &fin);
        int32x4_t r3 = rq4(vmull_high_s16(dah, dbh), s, &fin);
        vst1q_s8(y + i, tern_neon_narrow16(r0, r1, r2, r3));
    }
    for (; i < n; i++) {
        int32_t acc = ((int32_t)a[i] - p->a_zero_point) * ((int32_t)b[i] - p->b_zero_point);
        y[i] = tern_requant_fp32_apply(acc, &p->out);
    }
}

/* rows of channels; a and b rows a_stride / b_stride apart (0: repeated,
 * the squeeze-excite gate) */
static void ukernel(size_t rows, size_t channels, const int8_t *a, size_t a_stride, const int8_t *b,
                    size_t b_stride, int8_t *y, const tern_qs8_vmul_params *p) {
    for (size_t r = 0; r < rows; r++, a += a_stride, b += b_stride, y += channels)
        row(channels, a, b, y, p);
}

const tern_qs8_vmul_ukernel tern_qs8_vmul_minmax_fp32_x16__neon = {"qs8_vmul_minmax_fp32_x16__neon",
                                                                   ukernel};
