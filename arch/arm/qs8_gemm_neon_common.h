/* What the Arm int8 GEMM micro-kernels share: the packed block of 8
 * channels (arch/qs8_gemm.h: int32 bias'[8], int8 w[KC/4][8][4], then
 * float scale[8], lo[8], hi[8], int32 zy[8], zw[8]) and the fp32
 * requantization of 8 accumulators, instruction for instruction the
 * reference's rule (docs/quantization.md, section 3): scvtf (int32 ->
 * float, nearest even), fmul, fmax/fmin (the clamp, before rounding),
 * fcvtns (nearest even), add z_y in integer, narrow (the value is already
 * in [-128, 127], so the plain narrowing xtn is exact). */
#ifndef TERN_ARCH_ARM_QS8_GEMM_NEON_COMMON_H
#define TERN_ARCH_ARM_QS8_GEMM_NEON_COMMON_H

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TERN_NEON_GEMM_NR 8

/* The per-channel trailer of a block of 8 channels, as vectors. */
typedef struct tern_neon_qs8_trailer8 {
    float32x4_t scale[2], lo[2], hi[2];
    int32x4_t zy[2], zw[2];
} tern_neon_qs8_trailer8;

static inline tern_neon_qs8_trailer8 tern_neon_qs8_trailer8_load(const void *p) {
    const int32_t *i = (const int32_t *)p;
    const float *f = (const float *)p;
    tern_neon_qs8_trailer8 t;
#pragma GCC unroll 4
    for (int j = 0; j < 2; j++) {
        t.scale[j] = vld1q_f32(f + 0 + 4 * j);
        t.lo[j] = vld1q_f32(f + 8 + 4 * j);
        t.hi[j] = vld1q_f32(f + 16 + 4 * j);
        t.zy[j] = vld1q_s32(i + 24 + 4 * j);
        t.zw[j] = vld1q_s32(i + 32 + 4 * j);
    }
    return t;
}

/* One row's 8 accumulators (bias' included) -> int8 x 8: minus z_w *
 * rowsum when the weights have zero points, then the requantization. */
static inline int8x8_t tern_neon_qs8_finish8(int32x4_t a0, int32x4_t a1,
                                             const tern_neon_qs8_trailer8 *t,
                                             const int32_t *rowsum) {
    if (rowsum) {
        a0 = vmlsq_n_s32(a0, t->zw[0], *rowsum);
        a1 = vmlsq_n_s32(a1, t->zw[1], *rowsum);
    }
    float32x4_t f0 = vmulq_f32(vcvtq_f32_s32(a0), t->scale[0]);
    float32x4_t f1 = vmulq_f32(vcvtq_f32_s32(a1), t->scale[1]);
    f0 = vminq_f32(vmaxq_f32(f0, t->lo[0]), t->hi[0]);
    f1 = vminq_f32(vmaxq_f32(f1, t->lo[1]), t->hi[1]);
    int32x4_t r0 = vaddq_s32(vcvtnq_s32_f32(f0), t->zy[0]);
    int32x4_t r1 = vaddq_s32(vcvtnq_s32_f32(f1), t->zy[1]);
    return vmovn_s16(vcombine_s16(vmovn_s32(r0), vmovn_s32(r1)));
}

/* Store the first n (1..8) bytes of v. */
static inline void tern_neon_store_s8x8(int8_t *p, int8x8_t v, size_t n) {
    if (n >= 8) {
        vst1_s8(p, v);
        return;
    }
    if (n & 4) {
        vst1_lane_s32((void *)p, vreinterpret_s32_s8(v), 0);
        p += 4;
        v = vext_s8(v, v, 4);
    }
    if (n & 2) {
        vst1_lane_s16((void *)p, vreinterpret_s16_s8(v), 0);
        p += 2;
        v = vext_s8(v, v, 2);
    }
    if (n & 1) vst1_lane_s8(p, v, 0);
}

/* The last 1..3 bytes of a row as a zero-extended 4-byte group: reads only
 * the row's own bytes (the packed weights are zero past K, so the padding
 * adds nothing). */
static inline int32_t tern_neon_load_tail4(const int8_t *a, size_t n) {
    int32_t v = 0;
    memcpy(&v, a, n);
    return v;
}

/* Row pointers of a tile: rows past mr repeat the last row (computed, never
 * stored), so the kernel body has no row conditions. */
static inline void tern_neon_tile_rows(const int8_t **rows, int nrows, size_t mr, const int8_t *a,
                                       size_t a_stride) {
    rows[0] = a;
#pragma GCC unroll 4
    for (int r = 1; r < nrows; r++) rows[r] = (size_t)r < mr ? rows[r - 1] + a_stride : rows[r - 1];
}

#endif
