/* What the Arm int8 GEMM micro-kernels share: reading the packed block's
 * header (kernels/qs8_gemm_packed.h) and the fp32 requantization of 8
 * accumulators, instruction for instruction the reference's rule
 * (docs/quantization.md, section 3): scvtf (int32 -> float, nearest even),
 * fmul, fmax/fmin (the clamp, before rounding), fcvtns (nearest even), add
 * z_y in integer, narrow (the value is already in [-128, 127]). */
#ifndef TERN_ARCH_ARM_QS8_GEMM_NEON_COMMON_H
#define TERN_ARCH_ARM_QS8_GEMM_NEON_COMMON_H

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The header of one packed block of 8 channels, as vectors. */
typedef struct tern_neon_qs8_hdr8 {
    int32x4_t bias[2], zw[2], zy[2];
    float32x4_t scale[2], lo[2], hi[2];
} tern_neon_qs8_hdr8;

static inline tern_neon_qs8_hdr8 tern_neon_qs8_hdr8_load(const void *w) {
    const int32_t *i = (const int32_t *)w;
    const float *f = (const float *)w;
    tern_neon_qs8_hdr8 h;
    for (int j = 0; j < 2; j++) {
        h.bias[j] = vld1q_s32(i + 0 + 4 * j);
        h.zw[j] = vld1q_s32(i + 8 + 4 * j);
        h.scale[j] = vld1q_f32(f + 16 + 4 * j);
        h.lo[j] = vld1q_f32(f + 24 + 4 * j);
        h.hi[j] = vld1q_f32(f + 32 + 4 * j);
        h.zy[j] = vld1q_s32(i + 40 + 4 * j);
    }
    return h;
}

/* acc (without bias) of one row -> int8 x 8: bias, minus z_w * rowsum when
 * the block has weight zero points, then the requantization. */
static inline int8x8_t tern_neon_qs8_finish8(int32x4_t a0, int32x4_t a1,
                                             const tern_neon_qs8_hdr8 *h, const int32_t *rowsum) {
    a0 = vaddq_s32(a0, h->bias[0]);
    a1 = vaddq_s32(a1, h->bias[1]);
    if (rowsum) {
        a0 = vmlsq_n_s32(a0, h->zw[0], *rowsum);
        a1 = vmlsq_n_s32(a1, h->zw[1], *rowsum);
    }
    float32x4_t f0 = vmulq_f32(vcvtq_f32_s32(a0), h->scale[0]);
    float32x4_t f1 = vmulq_f32(vcvtq_f32_s32(a1), h->scale[1]);
    f0 = vminq_f32(vmaxq_f32(f0, h->lo[0]), h->hi[0]);
    f1 = vminq_f32(vmaxq_f32(f1, h->lo[1]), h->hi[1]);
    int32x4_t r0 = vaddq_s32(vcvtnq_s32_f32(f0), h->zy[0]);
    int32x4_t r1 = vaddq_s32(vcvtnq_s32_f32(f1), h->zy[1]);
    return vmovn_s16(vcombine_s16(vmovn_s32(r0), vmovn_s32(r1)));
}

/* Store the first n (1..8) bytes of v. */
static inline void tern_neon_store_s8x8(int8_t *p, int8x8_t v, size_t n) {
    if (n == 8) {
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

/* The last kc % 4 (or fewer than 4) bytes of a row, zero-extended to a
 * 4-byte group: reads only the row's own bytes (the packed weights are zero
 * past K, so the padding adds nothing). */
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
    for (int r = 1; r < nrows; r++) rows[r] = (size_t)r < mr ? rows[r - 1] + a_stride : rows[r - 1];
}

#endif
