/* qs8 GEMM, per-channel int8 weights, fp32 requantization with min/max
 * clamp, 3 rows x 8 channels, K in groups of 8, AVX2 without VNNI.
 *
 * Both operands are int16: the weights were sign-extended once when packed
 * (wbytes 2), 8 bytes of a row are broadcast to both 128-bit lanes and
 * sign-extended here. vpmaddwd multiplies int16 pairs and adds each pair
 * into an int32 (at most 2 * 128 * 128: exact). Never vpmaddubsw: it
 * saturates its int16 pair sums (docs/quantization.md section 1). An
 * accumulator holds 4 partial sums for each of 2 channels; the epilogue
 * reduces them with hadd and puts the 8 channels in order. 12 accumulators
 * + 3 rows + 1 weight vector = the 16 ymm registers. */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx2.h"

#define MR 3
#define NR 8
#define ROWS(X) X(0) X(1) X(2)

/* acc[2 channels] of 4 pair sums each (4 of them) -> 8 channel sums, in order. */
static inline __m256i reduce(__m256i v01, __m256i v23, __m256i v45, __m256i v67) {
    __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(v01, v23), _mm256_hadd_epi32(v45, v67));
    /* h = [c0 c2 c4 c6 | c1 c3 c5 c7] */
    return _mm256_permutevar8x32_epi32(h, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

static void ukernel(size_t mr, size_t nc, size_t kc, const int8_t *a,
                    size_t a_stride, const void *w, int8_t *c,
                    size_t c_stride, const int32_t *rowsum) {
#define SETUP(r)                                           \
    size_t s##r = (r) < mr ? (r) : mr - 1;                 \
    const int8_t *a##r = a + s##r * a_stride;              \
    int8_t *c##r = c + s##r * c_stride;                    \
    const int32_t rs##r = rowsum ? rowsum[s##r] : 0;
    ROWS(SETUP)
    const unsigned char *wp = w;
    for (size_t n0 = 0; n0 < nc; n0 += NR) {
        /* the bias goes into the first partial sum of each channel */
        const __m256i bias = _mm256_loadu_si256((const __m256i *)wp);
        wp += 4 * NR;
        const __m256i z = _mm256_setzero_si256();
#define INIT(r) __m256i v##r##01 = z, v##r##23 = z, v##r##45 = z, v##r##67 = z;
        ROWS(INIT)
#define LOADA(r, len) \
    const __m256i x##r = _mm256_cvtepi8_epi16(_mm_set1_epi64x(tern_qs8_load8(a##r + k, len)));
#define LOADA8(r) LOADA(r, 8)
#define LOADAT(r) LOADA(r, kc - k)
#define MAC(r, j, q) v##r##j = _mm256_add_epi32(v##r##j, _mm256_madd_epi16(x##r, q));
#define MACW(j, i)                                                    \
    {                                                                 \
        const __m256i q = _mm256_loadu_si256((const __m256i *)wp + (i)); \
        MAC(0, j, q) MAC(1, j, q) MAC(2, j, q)                        \
    }
#define STEP MACW(01, 0) MACW(23, 1) MACW(45, 2) MACW(67, 3)
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
        const __m256 scale = _mm256_loadu_ps((const float *)wp),
                     lo = _mm256_loadu_ps((const float *)(wp + 32)),
                     hi = _mm256_loadu_ps((const float *)(wp + 64));
        const __m256i zy = _mm256_loadu_si256((const __m256i *)(wp + 96)),
                      zw = _mm256_loadu_si256((const __m256i *)(wp + 128));
        wp += 5 * 4 * NR;
#define OUT(r)                                                                                 \
    {                                                                                          \
        __m256i acc = _mm256_add_epi32(reduce(v##r##01, v##r##23, v##r##45, v##r##67), bias);  \
        if (rowsum) acc = _mm256_sub_epi32(acc, _mm256_mullo_epi32(zw, _mm256_set1_epi32(rs##r))); \
        tern_qs8_store8(c##r + n0, tern_qs8_narrow8(tern_qs8_requant8(acc, scale, lo, hi, zy)), \
                        nc - n0);                                                              \
    }
        ROWS(OUT)
    }
}

const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_3x8c8__avx2 = {"qs8_qc8w_gemm_minmax_fp32_3x8c8__avx2", ukernel, MR, NR, 8, 2, 0};
