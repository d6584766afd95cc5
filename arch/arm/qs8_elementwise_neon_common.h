/* The finishing step every Arm int8 elementwise kernel shares: 4 float
 * values -> clamp -> fcvtns (nearest even) -> + z_y, as
 * tern_requant_fp32_finish does one value (docs/quantization.md, section 3). */
#ifndef TERN_ARCH_ARM_QS8_ELEMENTWISE_NEON_COMMON_H
#define TERN_ARCH_ARM_QS8_ELEMENTWISE_NEON_COMMON_H

#include <arm_neon.h>

#include "kernels/ref/requant.h"

typedef struct tern_neon_finish {
    float32x4_t lo, hi;
    int32x4_t zy;
} tern_neon_finish;

static inline tern_neon_finish tern_neon_finish_init(const tern_requant_fp32 *p) {
    tern_neon_finish f = {vdupq_n_f32((float)(p->qmin - p->zero_point)),
                          vdupq_n_f32((float)(p->qmax - p->zero_point)),
                          vdupq_n_s32(p->zero_point)};
    return f;
}

static inline int32x4_t tern_neon_finish4(float32x4_t v, const tern_neon_finish *f) {
    v = vminq_f32(vmaxq_f32(v, f->lo), f->hi);
    return vaddq_s32(vcvtnq_s32_f32(v), f->zy);
}

/* 16 results (each already in [-128, 127]) -> 16 bytes. */
static inline int8x16_t tern_neon_narrow16(int32x4_t r0, int32x4_t r1, int32x4_t r2, int32x4_t r3) {
    int16x8_t lo = vcombine_s16(vmovn_s32(r0), vmovn_s32(r1));
    int16x8_t hi = vcombine_s16(vmovn_s32(r2), vmovn_s32(r3));
    return vcombine_s8(vmovn_s16(lo), vmovn_s16(hi));
}

#endif
