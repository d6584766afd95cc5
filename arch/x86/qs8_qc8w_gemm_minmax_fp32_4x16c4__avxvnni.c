/* qs8 GEMM, per-channel int8 weights, fp32 requantization with min/max
 * clamp, 4 rows x 16 channels, K in groups of 4, AVX-VNNI (the VEX-encoded
 * vpdpbusd of Alder Lake and later, on 256-bit vectors).
 *
 * As the AVX512-VNNI kernel: each 4-byte group of a row is broadcast with
 * its sign bits flipped (x ^ 0x80 = x + 128 as uint8, folded into the bias
 * at packing, xb = 128), vpdpbusd adds 4 u8 x s8 products per lane,
 * wrapping. Two weight vectors (8 channels x 4 k each) serve 4 rows: 8
 * accumulators, 2 weights, the sign mask and the rows fit 16 registers. */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx2.h"

#define MR 4
#define NR 16
#define ROWS(X) X(0) X(1) X(2) X(3)

static void ukernel(size_t mr, size_t nc, size_t kc,
                    const int8_t *a, size_t a_stride,
                    const void *w, int8_t *c, size_t c_stride,
                    const int32_t *rowsum) {
#define SETUP(r)                                           \
    size_t s##r = (r) < mr ? (r) : mr - 1;                 \
    const int8_t *a##r = a + s##r * a_stride;              \
    int8_t *c##r = c + s##r * c_stride;                    \
    const int32_t rs##r = rowsum ? rowsum[s##r] : 0;
    ROWS(SETUP)
    const __m256i sign = _mm256_set1_epi32((int32_t)0x80808080u);
    const unsigned char *wp = w;
    for (size_t n0 = 0; n0 < nc; n0 += NR) {
        const __m256i bias0 = _mm256_loadu_si256((const __m256i *)wp),
                      bias1 = _mm256_loadu_si256((const __m256i *)wp + 1);
        wp += 4 * NR;
#define INIT(r) __m256i acc##r##0 = bias0, acc##r##1 = bias1;
        ROWS(INIT)
        size_t k = 0;
#define DOT(r, len)                                                                        \
    {                                                                                      \
        const __m256i va =                                                                 \
            _mm256_xor_si256(_mm256_set1_epi32(tern_qs8_load4(a##r + k, len)), sign);      \
        acc##r##0 = _mm256_dpbusd_avx_epi32(acc##r##0, va, w0);                            \
        acc##r##1 = _mm256_dpbusd_avx_epi32(acc##r##1, va, w1);                            \
    }
#define DOT4(r) DOT(r, 4)
#define DOTT(r) DOT(r, kc - k)
        for (; k + 4 <= kc; k += 4, wp += 4 * NR) {
            const __m256i w0 = _mm256_loadu_si256((const __m256i *)wp),
                          w1 = _mm256_loadu_si256((const __m256i *)wp + 1);
            ROWS(DOT4)
        }
        if (k < kc) { /* missing bytes read as 0 ^ 0x80; their weights are 0 */
            const __m256i w0 = _mm256_loadu_si256((const __m256i *)wp),
                          w1 = _mm256_loadu_si256((const __m256i *)wp + 1);
            wp += 4 * NR;
            ROWS(DOTT)
        }
        const float *pf = (const float *)wp;
        const int32_t *pi = (const int32_t *)wp;
        wp += 5 * 4 * NR;
#define OUT(r)                                                                               \
    {                                                                                        \
        __m256i o[2];                                                                        \
        for (int h = 0; h < 2; h++) {                                                        \
            __m256i acc = h ? acc##r##1 : acc##r##0;                                         \
            const __m256i zw = _mm256_loadu_si256((const __m256i *)(pi + 4 * NR + 8 * h));   \
            if (rowsum) acc = _mm256_sub_epi32(acc, _mm256_mullo_epi32(zw, _mm256_set1_epi32(rs##r))); \
            o[h] = tern_qs8_requant8(acc, _mm256_loadu_ps(pf + 8 * h),                       \
                                     _mm256_loadu_ps(pf + NR + 8 * h),                       \
                                     _mm256_loadu_ps(pf + 2 * NR + 8 * h),                   \
                                     _mm256_loadu_si256((const __m256i *)(pi + 3 * NR + 8 * h))); \
        }                                                                                    \
        tern_qs8_store16x2(c##r + n0, o[0], o[1], nc - n0);                                  \
    }
        ROWS(OUT)
    }
}

const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_4x16c4__avxvnni = {"qs8_qc8w_gemm_minmax_fp32_4x16c4__avxvnni", ukernel, MR, NR, 4, 1, 128};
