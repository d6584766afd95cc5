/* qs8 GEMM, per-channel int8 weights, fp32 requantization with min/max
 * clamp, 4 rows x 16 channels, K in groups of 8, AVX-512 F/BW/VL/DQ
 * without VNNI ("skx": Skylake-X).
 *
 * As the AVX2 kernel, on 512 bits: weights sign-extended to int16 once at
 * packing (wbytes 2), 8 bytes of a row broadcast to the four 128-bit lanes
 * and sign-extended, vpmaddwd (exact int16 pair sums; never vpmaddubsw,
 * which saturates). A weight vector holds 8 k of 4 channels, one per
 * 128-bit lane; an accumulator 4 partial sums per channel. The epilogue
 * transposes and adds the partial sums of 4 accumulators and restores the
 * channel order with one vpermd. */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx512.h"

#define MR 4
#define NR 16
#define ROWS(X) X(0) X(1) X(2) X(3)

/* Four accumulators (lane L of vq: channel 4q + L, 4 partial sums) -> the
 * 16 channel sums in order. */
static inline __m512i reduce(__m512i v0, __m512i v1, __m512i v2, __m512i v3) {
    __m512i s01 = _mm512_add_epi32(_mm512_unpacklo_epi32(v0, v1), _mm512_unpackhi_epi32(v0, v1));
    __m512i s23 = _mm512_add_epi32(_mm512_unpacklo_epi32(v2, v3), _mm512_unpackhi_epi32(v2, v3));
    __m512i s = _mm512_add_epi32(_mm512_unpacklo_epi64(s01, s23), _mm512_unpackhi_epi64(s01, s23));
    /* lane L of s: channels L, 4 + L, 8 + L, 12 + L; channel c sits at 4 (c % 4) + c / 4 */
    const __m512i idx =
        _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    return _mm512_permutexvar_epi32(idx, s);
}

static void ukernel(size_t mr, size_t nc, size_t kc,
                    const int8_t *a, size_t a_stride,
                    const void *w, int8_t *c, size_t c_stride,
                    const int32_t *rowsum) {
#define SETUP(r)                                              \
    size_t s##r = (r) < mr ? (r) : mr - 1;                    \
    const int8_t *a##r = a + s##r * a_stride;                 \
    int8_t *c##r = c + s##r * c_stride;                       \
    const __m512i rs##r = _mm512_set1_epi32(rowsum ? rowsum[s##r] : 0);
    ROWS(SETUP)
    const unsigned char *wp = w;
    for (size_t n0 = 0; n0 < nc; n0 += NR) {
        const __m512i bias = _mm512_loadu_si512(wp);
        wp += 4 * NR;
        const __m512i z = _mm512_setzero_si512();
#define INIT(r) __m512i v##r##0 = z, v##r##1 = z, v##r##2 = z, v##r##3 = z;
        ROWS(INIT)
#define LOADA(r, len)                     \
    const __m512i x##r = _mm512_cvtepi8_epi16(_mm256_set1_epi64x(tern_qs8_load8(a##r + k, len)));
#define LOADA8(r) LOADA(r, 8)
#define LOADAT(r) LOADA(r, kc - k)
#define MAC(r, j, q) v##r##j = _mm512_add_epi32(v##r##j, _mm512_madd_epi16(x##r, q));
#define MACW(j)                                                  \
    {                                                            \
        const __m512i q = _mm512_loadu_si512(wp + 64 * (j));     \
        MAC(0, j, q) MAC(1, j, q) MAC(2, j, q) MAC(3, j, q)      \
    }
#define STEP MACW(0) MACW(1) MACW(2) MACW(3)
        size_t k = 0;
        for (; k + 8 <= kc; k += 8, wp += 2 * 8 * NR) {
            ROWS(LOADA8)
            STEP
        }
        if (k < kc) { /* the missing bytes read as 0; their weights are 0 */
            ROWS(LOADAT)
            STEP
            wp += 2 * 8 * NR;
        }
        const __m512 scale = _mm512_loadu_ps(wp), lo = _mm512_loadu_ps(wp + 64),
                     hi = _mm512_loadu_ps(wp + 128);
        const __m512i zy = _mm512_loadu_si512(wp + 192), zw = _mm512_loadu_si512(wp + 256);
        wp += 5 * 4 * NR;
#define OUT(r)                                                                               \
    {                                                                                        \
        __m512i acc = _mm512_add_epi32(reduce(v##r##0, v##r##1, v##r##2, v##r##3), bias);    \
        if (rowsum) acc = _mm512_sub_epi32(acc, _mm512_mullo_epi32(zw, rs##r));              \
        tern_qs8_store16(c##r + n0, tern_qs8_requant16(acc, scale, lo, hi, zy), nc - n0);    \
    }
        ROWS(OUT)
    }
}

const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_4x16c8__avx512 = {"qs8_qc8w_gemm_minmax_fp32_4x16c8__avx512", ukernel, MR, NR, 8, 2, 0};
