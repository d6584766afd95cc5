/* qs8 GEMM, per-channel int8 weights, fp32 requantization with min/max
 * clamp, 8 rows x 32 channels, K in groups of 4, AVX512-VNNI.
 *
 * vpdpbusd multiplies 4 uint8 by 4 int8 and adds the 4 products to an int32
 * lane, wrapping (never vpdpbusds, which saturates). Activations are int8,
 * so each 4-byte group of a row is broadcast with its sign bits flipped
 * (x ^ 0x80 = x + 128 as uint8: one vpxord with the broadcast folded in);
 * the packing folded -128 * sum_k w into the bias (xb = 128,
 * arch/qs8_gemm.h). Two weight vectors (32 channels x 4 k) per flipped
 * broadcast: 2 vpdpbusd per vpxord, where the 16-channel tile has 1, which
 * is what limits it (the two share ports 0 and 5). A last block of at most
 * 16 channels uses only the first weight vector of each k group. 16
 * accumulators, 2 weights, the mask and a row: 20 of 32 registers. */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx512.h"

#define MR 8
#define NR 32
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

static void ukernel(size_t mr, size_t nc, size_t kc, const int8_t *a, size_t a_stride,
                    const void *w, int8_t *c, size_t c_stride, const int32_t *rowsum) {
    /* rows past mr repeat the last one: same values, same address */
#define SETUP(r)                                       \
    size_t s##r = (r) < mr ? (r) : mr - 1;             \
    const int8_t *a##r = a + s##r * a_stride;          \
    int8_t *c##r = c + s##r * c_stride;                \
    const __m512i rs##r = _mm512_set1_epi32(rowsum ? rowsum[s##r] : 0);
    ROWS(SETUP)
    const __m512i sign = _mm512_set1_epi32((int32_t)0x80808080u);
    const unsigned char *wp = w;
    for (size_t n0 = 0; n0 < nc; n0 += NR) {
        const int two = nc - n0 > 16; /* else only channels 0-15 of the block exist */
        const __m512i b0 = _mm512_loadu_si512(wp), b1 = _mm512_loadu_si512(wp + 64);
        wp += 4 * NR;
#define INIT(r) __m512i acc##r##0 = b0, acc##r##1 = b1;
        ROWS(INIT)
        const unsigned char *wk = wp;
        size_t k = 0;
#define BCAST(r, len) _mm512_xor_si512(_mm512_set1_epi32(tern_qs8_load4(a##r + k, len)), sign)
#define DOT2(r, len)                                              \
    {                                                             \
        const __m512i va = BCAST(r, len);                         \
        acc##r##0 = _mm512_dpbusd_epi32(acc##r##0, va, w0);       \
        acc##r##1 = _mm512_dpbusd_epi32(acc##r##1, va, w1);       \
    }
#define DOT1(r, len) acc##r##0 = _mm512_dpbusd_epi32(acc##r##0, BCAST(r, len), w0);
#define DOT2F(r) DOT2(r, 4)
#define DOT2T(r) DOT2(r, kc - k)
#define DOT1F(r) DOT1(r, 4)
#define DOT1T(r) DOT1(r, kc - k)
        /* the missing bytes of a last partial group read as 0 ^ 0x80; their weights are 0 */
        if (two) {
            for (; k + 4 <= kc; k += 4, wk += 4 * NR) {
                const __m512i w0 = _mm512_loadu_si512(wk), w1 = _mm512_loadu_si512(wk + 64);
                ROWS(DOT2F)
            }
            if (k < kc) {
                const __m512i w0 = _mm512_loadu_si512(wk), w1 = _mm512_loadu_si512(wk + 64);
                ROWS(DOT2T)
            }
        } else {
            for (; k + 4 <= kc; k += 4, wk += 4 * NR) {
                const __m512i w0 = _mm512_loadu_si512(wk);
                ROWS(DOT1F)
            }
            if (k < kc) {
                const __m512i w0 = _mm512_loadu_si512(wk);
                ROWS(DOT1T)
            }
        }
        wp += (kc + 3) / 4 * 4 * NR;
        const float *pf = (const float *)wp;
        const int32_t *pi = (const int32_t *)wp;
        wp += 5 * 4 * NR;
#define HALF(r, h)                                                                             \
    {                                                                                          \
        __m512i acc = acc##r##h;                                                               \
        if (rowsum)                                                                            \
            acc = _mm512_sub_epi32(                                                            \
                acc, _mm512_mullo_epi32(_mm512_loadu_si512(pi + 4 * NR + 16 * (h)), rs##r));   \
        tern_qs8_store16(c##r + n0 + 16 * (h),                                                 \
                         tern_qs8_requant16(acc, _mm512_loadu_ps(pf + 16 * (h)),               \
                                            _mm512_loadu_ps(pf + NR + 16 * (h)),               \
                                            _mm512_loadu_ps(pf + 2 * NR + 16 * (h)),           \
                                            _mm512_loadu_si512(pi + 3 * NR + 16 * (h))),       \
                         nc - n0 - 16 * (h));                                                  \
    }
#define OUT(r)         \
    HALF(r, 0)         \
    if (two) HALF(r, 1)
        ROWS(OUT)
    }
}

const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_8x32c4__avx512vnni = {
    "qs8_qc8w_gemm_minmax_fp32_8x32c4__avx512vnni", ukernel, MR, NR, 4, 1, 128};
