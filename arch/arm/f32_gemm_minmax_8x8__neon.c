/* FP32 GEMM micro-kernel, 8 rows x 8 columns, NEON FMA (packed layout of
 * arch/pack.c: per block of 8 columns, 8 biases then kc rows of 8
 * weights). 16 accumulators (8 rows x 2 q registers); per 4 k, one 4-float
 * load of each row and 8 weight vectors feed 64 by-element fmla, so loads
 * are a fifth of the instructions. Rows past mr are a compile-time count
 * (a separate instantiation per tile height), as the x86 kernels do.
 * Rounding: FMA and bias first, within docs/kernels.md's FP32 tolerance. */
#include <arm_neon.h>

#include "arch/arm/kernels_arm.h"

#define MR 8
#define NR 8

static inline __attribute__((always_inline)) void
store8(float *c, float32x4_t v0, float32x4_t v1, size_t nc, float32x4_t lo, float32x4_t hi) {
    v0 = vminq_f32(vmaxq_f32(v0, lo), hi);
    v1 = vminq_f32(vmaxq_f32(v1, lo), hi);
    if (nc >= NR) {
        vst1q_f32(c, v0);
        vst1q_f32(c + 4, v1);
        return;
    }
    float tmp[NR];
    vst1q_f32(tmp, v0);
    vst1q_f32(tmp + 4, v1);
    for (size_t j = 0; j < nc; j++) c[j] = tmp[j];
}

static inline __attribute__((always_inline)) void tile(const int rows, size_t nc, size_t kc,
                                                       const float *a, size_t a_stride,
                                                       const float *w, float *c, size_t c_stride,
                                                       const tern_f32_minmax *p) {
    const float32x4_t lo = vdupq_n_f32(p->lo), hi = vdupq_n_f32(p->hi);
    for (; nc > 0; nc = nc > NR ? nc - NR : 0, c += NR) {
        float32x4_t acc[MR][2];
        const float32x4_t b0 = vld1q_f32(w), b1 = vld1q_f32(w + 4);
#pragma GCC unroll 8
        for (int i = 0; i < rows; i++) acc[i][0] = b0, acc[i][1] = b1;
        w += NR;
        size_t k = 0;
        for (; k + 4 <= kc; k += 4, w += 4 * NR) {
            float32x4_t va[MR];
#pragma GCC unroll 8
            for (int i = 0; i < rows; i++) va[i] = vld1q_f32(a + i * a_stride + k);
#define STEP(l)                                                                                    \
    {                                                                                              \
        const float32x4_t w0 = vld1q_f32(w + l * NR), w1 = vld1q_f32(w + l * NR + 4);              \
        _Pragma("GCC unroll 8") for (int i = 0; i < rows; i++) {                                   \
            acc[i][0] = vfmaq_laneq_f32(acc[i][0], w0, va[i], l);                                  \
            acc[i][1] = vfmaq_laneq_f32(acc[i][1], w1, va[i], l);                                  \
        }                                                                                          \
    }
            STEP(0) STEP(1) STEP(2) STEP(3)
#undef STEP
        }
        for (; k < kc; k++, w += NR) {
            const float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4);
#pragma GCC unroll 8
            for (int i = 0; i < rows; i++) {
                const float32x4_t va = vld1q_dup_f32(a + i * a_stride + k);
                acc[i][0] = vfmaq_f32(acc[i][0], va, w0);
                acc[i][1] = vfmaq_f32(acc[i][1], va, w1);
            }
        }
#pragma GCC unroll 8
        for (int i = 0; i < rows; i++) store8(c + i * c_stride, acc[i][0], acc[i][1], nc, lo, hi);
    }
}

static void gemm(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                 const float *packed, float *c, size_t c_stride, const tern_f32_minmax *p) {
    switch (mr) {
    case 1: tile(1, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 2: tile(2, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 3: tile(3, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 4: tile(4, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 5: tile(5, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 6: tile(6, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 7: tile(7, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    default: tile(MR, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    }
}

const tern_f32_gemm_ukernel tern_f32_gemm_minmax_8x8__neon = {"f32_gemm_minmax_8x8__neon", gemm, MR,
                                                              NR};
