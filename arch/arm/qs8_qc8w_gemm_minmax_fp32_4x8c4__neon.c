/* int8 GEMM micro-kernel, 4 rows x 8 channels, k in groups of 4, for Armv8
 * NEON without the dot product (the Pi 4's Cortex-A72). Each 4-byte group
 * of a row is broadcast (ld1r) against the packed 16-byte vectors of 4
 * channels x 4 k; smull gives 8 exact int16 products (|x w| <= 16384) and
 * sadalp adds them pairwise into int32 lanes, so nothing saturates or
 * overflows. (An int16 pair sum, smlal before sadalp as XNNPACK's "mlal"
 * kernels do, overflows when x = w = -128 twice.) Each int32 accumulator
 * holds two channels x two half-sums; a final addp joins the halves.
 * Packed layout kr = 4, x as int8 (arch/qs8_gemm.h), as the dot-product
 * kernel. */
#include "arch/arm/kernels_arm.h"
#include "arch/arm/qs8_gemm_neon_common.h"

#define MR 4
#define NR TERN_NEON_GEMM_NR

/* One 4-byte k group (broadcast in xa[r]) against 8 channels.
 * acc[r][j]: channels 2j and 2j+1 of row r, two partial sums each. */
static inline __attribute__((always_inline)) void group(int32x4_t acc[MR][4],
                                                        const int8x16_t xa[MR], const int8_t *wp) {
    int8x16_t w0 = vld1q_s8(wp), w1 = vld1q_s8(wp + 16);
#pragma GCC unroll 4
    for (int r = 0; r < MR; r++) {
        acc[r][0] = vpadalq_s16(acc[r][0], vmull_s8(vget_low_s8(xa[r]), vget_low_s8(w0)));
        acc[r][1] = vpadalq_s16(acc[r][1], vmull_high_s8(xa[r], w0));
        acc[r][2] = vpadalq_s16(acc[r][2], vmull_s8(vget_low_s8(xa[r]), vget_low_s8(w1)));
        acc[r][3] = vpadalq_s16(acc[r][3], vmull_high_s8(xa[r], w1));
    }
}

/* Rows a times one block: 8 sums per row in out[r][0..1] (bias' added). */
static inline __attribute__((always_inline)) const int8_t *
block(const int8_t *const a[MR], size_t kc, const int8_t *wp, int32x4_t out[MR][2]) {
    const int8_t *rows[MR];
    int32x4_t b0 = vld1q_s32((const int32_t *)(const void *)wp);
    int32x4_t b1 = vld1q_s32((const int32_t *)(const void *)wp + 4);
    wp += 4 * NR;
    int32x4_t acc[MR][4];
#pragma GCC unroll 4
    for (int r = 0; r < MR; r++) {
        rows[r] = a[r];
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) acc[r][j] = vdupq_n_s32(0);
    }
    int8x16_t xa[MR];
    size_t k = kc;
    for (; k >= 4; k -= 4, wp += 32) {
#pragma GCC unroll 4
        for (int r = 0; r < MR; r++) {
            xa[r] = vreinterpretq_s8_s32(vld1q_dup_s32((const int32_t *)(const void *)rows[r]));
            rows[r] += 4;
        }
        group(acc, xa, wp);
    }
    if (k != 0) { /* 1..3 bytes, zero-padded like the weights */
#pragma GCC unroll 4
        for (int r = 0; r < MR; r++)
            xa[r] = vreinterpretq_s8_s32(vdupq_n_s32(tern_neon_load_tail4(rows[r], k)));
        group(acc, xa, wp);
        wp += 32;
    }
#pragma GCC unroll 4
    for (int r = 0; r < MR; r++) {
        out[r][0] = vaddq_s32(vpaddq_s32(acc[r][0], acc[r][1]), b0);
        out[r][1] = vaddq_s32(vpaddq_s32(acc[r][2], acc[r][3]), b1);
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

const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_4x8c4__neon = {
    "qs8_qc8w_gemm_minmax_fp32_4x8c4__neon", ukernel, MR, NR, 4, 1, 0};
