/* The vector macros of the FP32 depthwise template (arch/x86/f32_dwconv_tmpl.h,
 * plain C over DW_* macros, not x86-specific) for NEON: 4 float lanes, FMA,
 * and the tail of a channel count that is not a multiple of 4 through a
 * small copy (NEON has no masked loads; the copy never reads past the row). */
#ifndef TERN_ARCH_ARM_F32_DWCONV_NEON_H
#define TERN_ARCH_ARM_F32_DWCONV_NEON_H

#include <arm_neon.h>
#include <stddef.h>

static inline float32x4_t tern_neon_load_n(const float *p, size_t n) {
    float t[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) t[i] = p[i];
    return vld1q_f32(t);
}

static inline void tern_neon_store_n(float *p, size_t n, float32x4_t v) {
    float t[4];
    vst1q_f32(t, v);
    for (size_t i = 0; i < n; i++) p[i] = t[i];
}

#define DW_LANES 4
#define DW_V float32x4_t
#define DW_MASK_T size_t
#define DW_MASK_ALL ((size_t)4)
#define DW_MASK(n) ((size_t)(n))
#define DW_LOAD(p) vld1q_f32(p)
#define DW_LOADM(p, m) tern_neon_load_n(p, m)
#define DW_STORE(p, v) vst1q_f32(p, v)
#define DW_STOREM(p, m, v) tern_neon_store_n(p, m, v)
#define DW_FMA(a, b, c) vfmaq_f32(c, a, b)
#define DW_SET1(x) vdupq_n_f32(x)
#define DW_MIN(a, b) vminq_f32(a, b)
#define DW_MAX(a, b) vmaxq_f32(a, b)

#endif
