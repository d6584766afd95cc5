/* int8 Mul with requantization over rows of channels, NEON, 16 at a time
 * (tern_ref_qs8_vmul_fp32's rule, docs/quantization.md section 4): acc =
 * (a - z_a)(b - z_b) exact in int32 (smull of the int16 differences), then
 * MLAS's finish as the reference has it (z_y added in float, in the data's
 * original type). Rows and broadcasting as
 * arch/qs8_vbinary.h. */
#include "arch/arm/kernels_arm.h"
#include "arch/arm/qs8_elementwise_neon_common.h"

/* The reference's finish: f = (float)acc * scale + (float)(z_y + offset)
 * (fmul then fadd, two roundings, no FMA), clamp to the file type's range,
 * fcvtns (nearest even), - offset, clamp to [qmin, qmax]. */
typedef struct mul_finish {
    float32x4_t scale, zy, lo, hi;
    int32x4_t off, qmin, qmax;
} mul_finish;

static inline int32x4_t rq4(int32x4_t acc, const mul_finish *m) {
    float32x4_t f = vaddq_f32(vmulq_f32(vcvtq_f32_s32(acc), m->scale), m->zy);
    f = vminq_f32(vmaxq_f32(f, m->lo), m->hi);
    int32x4_t v = vsubq_s32(vcvtnq_s32_f32(f), m->off);
    return vminq_s32(vmaxq_s32(v, m->qmin), m->qmax);
}

static inline int8_t finish1(int32_t acc, const tern_qs8_vmul_params *p) {
    float f = (float)acc * p->out.scale + (float)(p->out.zero_point + p->offset);
    int32_t v = tern_rne_f32(tern_clamp_f32(f, (float)(p->offset - 128), (float)(p->offset + 127)));
    v -= p->offset;
    v = v < p->out.qmin ? p->out.qmin : v;
    return (int8_t)(v > p->out.qmax ? p->out.qmax : v);
}

/* One row of n elements. */
static void row(size_t n, const int8_t *a, const int8_t *b, int8_t *y,
                const tern_qs8_vmul_params *p) {
    int8x16_t za = vdupq_n_s8((int8_t)p->a_zero_point), zb = vdupq_n_s8((int8_t)p->b_zero_point);
    const mul_finish m = {vdupq_n_f32(p->out.scale),
                          vdupq_n_f32((float)(p->out.zero_point + p->offset)),
                          vdupq_n_f32((float)(p->offset - 128)),
                          vdupq_n_f32((float)(p->offset + 127)),
                          vdupq_n_s32(p->offset),
                          vdupq_n_s32(p->out.qmin),
                          vdupq_n_s32(p->out.qmax)};
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        int8x16_t va = vld1q_s8(a + i), vb = vld1q_s8(b + i);
        int16x8_t dal = vsubl_s8(vget_low_s8(va), vget_low_s8(za)), dah = vsubl_high_s8(va, za);
        int16x8_t dbl = vsubl_s8(vget_low_s8(vb), vget_low_s8(zb)), dbh = vsubl_high_s8(vb, zb);
        int32x4_t r0 = rq4(vmull_s16(vget_low_s16(dal), vget_low_s16(dbl)), &m);
        int32x4_t r1 = rq4(vmull_high_s16(dal, dbl), &m);
        int32x4_t r2 = rq4(vmull_s16(vget_low_s16(dah), vget_low_s16(dbh)), &m);
        int32x4_t r3 = rq4(vmull_high_s16(dah, dbh), &m);
        vst1q_s8(y + i, tern_neon_narrow16(r0, r1, r2, r3));
    }
    for (; i < n; i++) {
        int32_t acc = ((int32_t)a[i] - p->a_zero_point) * ((int32_t)b[i] - p->b_zero_point);
        y[i] = finish1(acc, p);
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
