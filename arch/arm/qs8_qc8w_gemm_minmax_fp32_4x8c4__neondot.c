/* int8 GEMM micro-kernel, 4 rows x 8 channels, k in groups of 4, with the
 * Armv8.2 dot product (sdot, s8 x s8 -> int32, wrapping): each sdot adds
 * four 4-byte dot products of one activation group against four channels.
 * Packed layout kr = 4 (kernels/qs8_gemm_packed.h); fp32 requantization.
 * Built with -march=armv8.2-a+dotprod; dispatch runs it only where
 * HWCAP_ASIMDDP is set. */
#include "arch/arm/qs8_gemm_neon_common.h"
#include "arch/arm/qs8_kernels_arm.h"

/* One 4-byte k group of every row (lane 0 of each a) against 8 channels. */
#define DOT_GROUP(w0, w1, lane)                                                                   \
    do {                                                                                          \
        for (int r = 0; r < 4; r++) {                                                             \
            acc[r][0] = vdotq_lane_s32(acc[r][0], w0, va[r], lane);                               \
            acc[r][1] = vdotq_lane_s32(acc[r][1], w1, va[r], lane);                               \
        }                                                                                         \
    } while (0)

void tern_qs8_qc8w_gemm_minmax_fp32_ukernel_4x8c4__neondot(size_t mr, size_t nc, size_t kc,
                                                         const int8_t *a, size_t a_stride,
                                                         const void *w, int8_t *c, size_t c_stride,
                                                         const int32_t *rowsum) {
    const int8_t *rows[4];
    tern_neon_tile_rows(rows, 4, mr, a, a_stride);
    const int8_t *wp = (const int8_t *)w + 24 * 8;
    int32x4_t acc[4][2];
    for (int r = 0; r < 4; r++) acc[r][0] = acc[r][1] = vdupq_n_s32(0);
    int8x8_t va[4];
    size_t k = kc;
    for (; k >= 8; k -= 8) {
        for (int r = 0; r < 4; r++) {
            va[r] = vld1_s8(rows[r]);
            rows[r] += 8;
        }
        int8x16_t w0 = vld1q_s8(wp), w1 = vld1q_s8(wp + 16);
        int8x16_t w2 = vld1q_s8(wp + 32), w3 = vld1q_s8(wp + 48);
        wp += 64;
        DOT_GROUP(w0, w1, 0);
        DOT_GROUP(w2, w3, 1);
    }
    if (k != 0) { /* 1..7 bytes: one or two groups, the last zero-padded */
        for (; k != 0; k -= k < 4 ? k : 4) {
            size_t n = k < 4 ? k : 4;
            for (int r = 0; r < 4; r++) {
                va[r] = vreinterpret_s8_s32(vdup_n_s32(tern_neon_load_tail4(rows[r], n)));
                rows[r] += n;
            }
            int8x16_t w0 = vld1q_s8(wp), w1 = vld1q_s8(wp + 16);
            wp += 32;
            DOT_GROUP(w0, w1, 0);
        }
    }
    tern_neon_qs8_hdr8 h = tern_neon_qs8_hdr8_load(w);
    for (size_t r = 0; r < mr; r++) {
        int8x8_t y = tern_neon_qs8_finish8(acc[r][0], acc[r][1], &h, rowsum ? rowsum + r : NULL);
        tern_neon_store_s8x8(c + r * c_stride, y, nc);
    }
}
