/* int8 GEMM micro-kernel, 4 rows x 8 channels, k in groups of 4, with the
 * Armv8.2 dot product (sdot, s8 x s8 -> int32, wrapping; the Pi 5's
 * Cortex-A76): each sdot adds four 4-byte dot products of one activation
 * group against four channels, 16 multiply-adds per instruction. Packed
 * layout kr = 4, x read as int8 (arch/qs8_gemm.h); fp32 requantization.
 * Built with -march=armv8.2-a+dotprod; the dispatch runs it only where
 * HWCAP_ASIMDDP is set. */
#include "arch/arm/kernels_arm.h"
#include "arch/arm/qs8_gemm_neon_common.h"

#define MR 4
#define NR TERN_NEON_GEMM_NR

/* One 4-byte k group of every row (lane `lane` of va) against 8 channels. */
#define DOT_GROUP(w0, w1, lane)                                                                    \
    do {                                                                                           \
        _Pragma("GCC unroll 4") for (int r = 0; r < MR; r++) {                                     \
            acc[r][0] = vdotq_lane_s32(acc[r][0], w0, va[r], lane);                                \
            acc[r][1] = vdotq_lane_s32(acc[r][1], w1, va[r], lane);                                \
        }                                                                                          \
    } while (0)

/* Rows a (MR row pointers) times one block; returns the trailer. */
static inline __attribute__((always_inline)) const int8_t *
block(const int8_t *const a[MR], size_t kc, const int8_t *wp, int32x4_t acc[MR][2]) {
    const int8_t *rows[MR];
    int32x4_t b0 = vld1q_s32((const int32_t *)(const void *)wp);
    int32x4_t b1 = vld1q_s32((const int32_t *)(const void *)wp + 4);
    wp += 4 * NR;
#pragma GCC unroll 4
    for (int r = 0; r < MR; r++) {
        rows[r] = a[r];
        acc[r][0] = b0;
        acc[r][1] = b1;
    }
    int8x8_t va[MR];
    size_t k = kc;
    for (; k >= 8; k -= 8) {
#pragma GCC unroll 4
        for (int r = 0; r < MR; r++) {
            va[r] = vld1_s8(rows[r]);
            rows[r] += 8;
        }
        int8x16_t w0 = vld1q_s8(wp), w1 = vld1q_s8(wp + 16);
        int8x16_t w2 = vld1q_s8(wp + 32), w3 = vld1q_s8(wp + 48);
        wp += 64;
        DOT_GROUP(w0, w1, 0);
        DOT_GROUP(w2, w3, 1);
    }
    while (k != 0) { /* 1..7 bytes: one or two groups, the last zero-padded */
        size_t n = k < 4 ? k : 4;
#pragma GCC unroll 4
        for (int r = 0; r < MR; r++) {
            va[r] = vreinterpret_s8_s32(vdup_n_s32(tern_neon_load_tail4(rows[r], n)));
            rows[r] += n;
        }
        int8x16_t w0 = vld1q_s8(wp), w1 = vld1q_s8(wp + 16);
        wp += 32;
        DOT_GROUP(w0, w1, 0);
        k -= n;
    }
    return wp;
}

static void ukernel(size_t mr, size_t nc, size_t kc, const int8_t *a, size_t a_stride,
                    const void *w, int8_t *c, size_t c_stride, const int32_t *rowsum) {
    const int8_t *rows[MR];
    tern_neon_tile_rows(rows, MR, mr, a, a_stride);
    const int8_t *wp = (const int8_t *)w;
    for (size_t n0 = 0; n0 < nc; n0 += NR) {
        int32x4_t acc[MR][2];
        wp = block(rows, kc, wp, acc);
        tern_neon_qs8_trailer8 t = tern_neon_qs8_trailer8_load(wp);
        wp += 5 * 4 * NR;
#pragma GCC unroll 4
        for (size_t r = 0; r < mr; r++) {
            int8x8_t y =
                tern_neon_qs8_finish8(acc[r][0], acc[r][1], &t, rowsum ? rowsum + r : NULL);
            tern_neon_store_s8x8(c + r * c_stride + n0, y, nc - n0);
        }
    }
}

const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_4x8c4__neondot = {
    "qs8_qc8w_gemm_minmax_fp32_4x8c4__neondot", ukernel, MR, NR, 4, 1, 0};
