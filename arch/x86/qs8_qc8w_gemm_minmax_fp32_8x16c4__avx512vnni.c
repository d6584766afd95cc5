/* qs8 GEMM, per-channel int8 weights, fp32 requantization with min/max
 * clamp, 8 rows x 16 channels, K in groups of 4, AVX512-VNNI.
 *
 * vpdpbusd multiplies 4 uint8 by 4 int8 and adds the 4 products to an int32
 * lane, wrapping (never vpdpbusds, which saturates). Activations are int8,
 * so each 4-byte group of a row is broadcast and its sign bits flipped
 * (x ^ 0x80 = x + 128 as uint8); the packing folded -128 * sum_k w into the
 * bias (xb = 128, arch/qs8_gemm.h). One weight vector (16 channels x 4 k)
 * serves 8 rows. The rows are spelled out (ROWS) so that the accumulators
 * stay in registers. */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx512.h"

#define MR 8
#define NR 16
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

static void ukernel(size_t mr, size_t nc, size_t kc,
                    const int8_t *a, size_t a_stride,
                    const void *w, int8_t *c, size_t c_stride,
                    const int32_t *rowsum) {
    /* rows past mr repeat the last one: same values, same address */
#define SETUP(r)                                                 \
    size_t s##r = (r) < mr ? (r) : mr - 1;                       \
    const int8_t *a##r = a + s##r * a_stride;                    \
    int8_t *c##r = c + s##r * c_stride;                          \
    const __m512i rs##r = _mm512_set1_epi32(rowsum ? rowsum[s##r] : 0);
    ROWS(SETUP)
    const __m512i sign = _mm512_set1_epi32((int32_t)0x80808080u);
    const unsigned char *wp = w;
    for (size_t n0 = 0; n0 < nc; n0 += NR) {
        const __m512i bias = _mm512_loadu_si512(wp);
        wp += 4 * NR;
#define INIT(r) __m512i acc##r = bias;
        ROWS(INIT)
        size_t k = 0;
#define DOT(r, len)                                                                              \
    acc##r = _mm512_dpbusd_epi32(                                                                \
        acc##r, _mm512_xor_si512(_mm512_set1_epi32(tern_qs8_load4(a##r + k, len)), sign), vw);
#define DOT4(r) DOT(r, 4)
#define DOTT(r) DOT(r, kc - k)
        for (; k + 4 <= kc; k += 4, wp += 4 * NR) {
            const __m512i vw = _mm512_loadu_si512(wp);
            ROWS(DOT4)
        }
        if (k < kc) { /* missing bytes read as 0 ^ 0x80; their weights are 0 */
            const __m512i vw = _mm512_loadu_si512(wp);
            wp += 4 * NR;
            ROWS(DOTT)
        }
        const __m512 scale = _mm512_loadu_ps(wp), lo = _mm512_loadu_ps(wp + 64),
                     hi = _mm512_loadu_ps(wp + 128);
        const __m512i zy = _mm512_loadu_si512(wp + 192), zw = _mm512_loadu_si512(wp + 256);
        wp += 5 * 4 * NR;
#define OUT(r)                                                                                \
    if (rowsum) acc##r = _mm512_sub_epi32(acc##r, _mm512_mullo_epi32(zw, rs##r));             \
    tern_qs8_store16(c##r + n0, tern_qs8_requant16(acc##r, scale, lo, hi, zy), nc - n0);
        ROWS(OUT)
    }
}

const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_8x16c4__avx512vnni = {"qs8_qc8w_gemm_minmax_fp32_8x16c4__avx512vnni", ukernel, MR, NR, 4, 1, 128};
