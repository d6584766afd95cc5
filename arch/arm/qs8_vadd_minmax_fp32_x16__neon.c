/* int8 Add with requantization over rows of channels, NEON, 16 at a time,
 * tern_ref_qs8_vadd_fp32's rule to the bit (docs/quantization.md section
 * 4, ONNX Runtime's MLAS form, in the data's original type):
 *   f = fma((float)(a + offset), a_scale, fma((float)(b + offset), b_scale, fixed))
 * with fmla (one rounding, as C's fmaf), b's product first; clamp to the
 * original type's range, fcvtns (nearest even), - offset, clamp to
 * [qmin, qmax]. The tail runs the reference's scalar rule. Rows and
 * broadcasting as arch/qs8_vbinary.h. */
#include <math.h>

#include "arch/arm/kernels_arm.h"
#include "arch/arm/qs8_elementwise_neon_common.h"

/* 4 int8 lanes (already widened to int16 in x, half h) + offset -> float. */
static inline float32x4_t to_f32(int16x8_t x, int h, int32x4_t off) {
    int32x4_t v = h ? vmovl_high_s16(x) : vmovl_s16(vget_low_s16(x));
    return vcvtq_f32_s32(vaddq_s32(v, off));
}

/* One row of n elements. */
static void row(size_t n, const int8_t *a, const int8_t *b, int8_t *y,
                const tern_qs8_vadd_params *p) {
    const int32x4_t off = vdupq_n_s32(p->offset);
    const float32x4_t sa = vdupq_n_f32(p->a_scale), sb = vdupq_n_f32(p->b_scale);
    const float32x4_t fixed = vdupq_n_f32(p->fixed);
    const float32x4_t lo = vdupq_n_f32((float)(p->offset - 128));
    const float32x4_t hi = vdupq_n_f32((float)(p->offset + 127));
    const int32x4_t qmin = vdupq_n_s32(p->out.qmin), qmax = vdupq_n_s32(p->out.qmax);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        int8x16_t va = vld1q_s8(a + i), vb = vld1q_s8(b + i);
        int16x8_t al = vmovl_s8(vget_low_s8(va)), ah = vmovl_high_s8(va);
        int16x8_t bl = vmovl_s8(vget_low_s8(vb)), bh = vmovl_high_s8(vb);
        int32x4_t r[4];
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) {
            int16x8_t xa = j < 2 ? al : ah, xb = j < 2 ? bl : bh;
            float32x4_t f = vfmaq_f32(fixed, to_f32(xb, j & 1, off), sb);
            f = vfmaq_f32(f, to_f32(xa, j & 1, off), sa);
            f = vminq_f32(vmaxq_f32(f, lo), hi);
            int32x4_t v = vsubq_s32(vcvtnq_s32_f32(f), off);
            r[j] = vminq_s32(vmaxq_s32(v, qmin), qmax);
        }
        vst1q_s8(y + i, tern_neon_narrow16(r[0], r[1], r[2], r[3]));
    }
    for (; i < n; i++) {
        float f = fmaf((float)((int32_t)b[i] + p->offset), p->b_scale, p->fixed);
        f = fmaf((float)((int32_t)a[i] + p->offset), p->a_scale, f);
        int32_t v =
            tern_rne_f32(tern_clamp_f32(f, (float)(p->offset - 128), (float)(p->offset + 127))) -
            p->offset;
        v = v < p->out.qmin ? p->out.qmin : v;
        y[i] = (int8_t)(v > p->out.qmax ? p->out.qmax : v);
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
