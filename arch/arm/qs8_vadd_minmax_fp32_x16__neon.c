/* int8 Add with requantization over rows of channels, NEON, 16 at a
 * time (tern_ref_qs8_vadd_fp32's rule, docs/quantization.md section 4):
 * (a - z_a) and (b - z_b) widened exactly to int32, converted to float,
 * each multiplied by its scale, one float add (no FMA: fmul then fadd),
 * then clamp, fcvtns, + z_y. The tail runs the reference's scalar rule.
 * Rows and broadcasting as arch/qs8_vbinary.h. */
#include "arch/arm/kernels_arm.h"
#include "arch/arm/qs8_elementwise_neon_common.h"

/* 8 elements: (x - z) as int16, then float * scale, low and high halves. */
static inline void scaled8(int8x8_t x, int8x8_t z, float32x4_t s, float32x4_t *lo,
                           float32x4_t *hi) {
    int16x8_t d = vsubl_s8(x, z);
    *lo = vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(d))), s);
    *hi = vmulq_f32(vcvtq_f32_s32(vmovl_high_s16(d)), s);
}

/* One row of n elements. */
static void row(size_t n, const int8_t *a, const int8_t *b, int8_t *y,
                const tern_qs8_vadd_params *p) {
    int8x8_t za = vdup_n_s8((int8_t)p->a_zero_point), zb = vdup_n_s8((int8_t)p->b_zero_point);
    float32x4_t sa = vdupq_n_f32(p->a_scale), sb = vdupq_n_f32(p->b_scale);
    tern_neon_finish fin = tern_neon_finish_init(&p->out);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        int8x16_t va = vld1q_s8(a + i), vb = vld1q_s8(b + i);
        float32x4_t fa[4], fb[4];
        scaled8(vget_low_s8(va), za, sa, &fa[0], &fa[1]);
        scaled8(vget_high_s8(va), za, sa, &fa[2], &fa[3]);
        scaled8(vget_low_s8(vb), zb, sb, &fb[0], &fb[1]);
        scaled8(vget_high_s8(vb), zb, sb, &fb[2], &fb[3]);
        int32x4_t r[4];
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) r[j] = tern_neon_finish4(vaddq_f32(fa[j], fb[j]), &fin);
        vst1q_s8(y + i, tern_neon_narrow16(r[0], r[1], r[2], r[3]));
    }
    for (; i < n; i++) {
        float fa = (float)((int32_t)a[i] - p->a_zero_point) * p->a_scale;
        float fb = (float)((int32_t)b[i] - p->b_zero_point) * p->b_scale;
        y[i] = tern_requant_fp32_finish(fa + fb, &p->out);
    }
}

/* rows of channels; a and b rows a_stride / b_stride apart (0: repeated) */
static void ukernel(size_t rows, size_t channels, const int8_t *a, size_t a_stride, const int8_t *b,
                    size_t b_stride, int8_t *y, const tern_qs8_vadd_params *p) {
    for (size_t r = 0; r < rows; r++, a += a_stride, b += b_stride, y += channels)
        row(channels, a, b, y, p);
}

const tern_qs8_vadd_ukernel tern_qs8_vadd_minmax_fp32_x16__neon = {"qs8_vadd_minmax_fp32_x16__neon",
                                                                   ukernel};
