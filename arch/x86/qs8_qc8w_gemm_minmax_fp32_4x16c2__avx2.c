/* qs8 GEMM, per-channel int8 weights, fp32 requantization with min/max
 * clamp, 4 rows x 16 channels, K in pairs, AVX2 without VNNI.
 *
 * vpmaddwd multiplies int16 pairs and adds each pair into an int32 lane
 * (at most 2 * 128 * 128: exact). Never vpmaddubsw: it saturates its int16
 * pair sums (docs/quantization.md section 1). The weights were
 * sign-extended to int16 once at packing, in pairs (k, k + 1) per channel
 * (kr 2, wbytes 2), so a weight vector holds one k pair of 8 channels and
 * every lane of an accumulator is one output channel: no horizontal sums.
 * The rows of x are sign-extended to int16 once per call into a stack
 * buffer (KCH k at a time), and each k pair is broadcast from it with a
 * plain load (vpbroadcastd m32: no shuffle port). Per k pair: 4 broadcasts,
 * 2 weight loads, 8 vpmaddwd, 8 vpaddd for 128 multiply-adds; 8
 * accumulators + 2 weights + 2 temporaries fit the 16 ymm registers. */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx2.h"

#define MR 4
#define NR 16
#define KCH 1024 /* k converted per pass: 4 rows x 2 KiB on the stack */
#define ROWS(X) X(0) X(1) X(2) X(3)

/* x[0..n) as int16 into d, zero-padded to an even count. */
static void widen(const int8_t *x, size_t n, int16_t *d) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i *)(d + i),
                            _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(x + i))));
    for (; i < n; i++) d[i] = x[i];
    if (n % 2) d[n] = 0;
}

static inline __m256i bcast_pair(const int16_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

static void ukernel(size_t mr, size_t nc, size_t kc, const int8_t *a, size_t a_stride,
                    const void *w, int8_t *c, size_t c_stride, const int32_t *rowsum) {
    int16_t xw[MR][KCH];
#define SETUP(r)                                           \
    size_t s##r = (r) < mr ? (r) : mr - 1;                 \
    const int8_t *a##r = a + s##r * a_stride;              \
    int8_t *c##r = c + s##r * c_stride;                    \
    const int32_t rs##r = rowsum ? rowsum[s##r] : 0;
    ROWS(SETUP)
    const int once = kc <= KCH; /* convert the rows once for every block */
#define WIDEN(r) widen(a##r + k0, len, xw[r]);
    if (once) {
        size_t k0 = 0, len = kc;
        ROWS(WIDEN)
    }
    const unsigned char *wp = w;
    for (size_t n0 = 0; n0 < nc; n0 += NR) {
        __m256i acc00 = _mm256_loadu_si256((const __m256i *)wp),
                acc01 = _mm256_loadu_si256((const __m256i *)wp + 1);
        wp += 4 * NR;
        __m256i acc10 = acc00, acc11 = acc01, acc20 = acc00, acc21 = acc01, acc30 = acc00,
                acc31 = acc01;
        for (size_t k0 = 0; k0 < kc; k0 += KCH) {
            size_t len = kc - k0 < KCH ? kc - k0 : KCH;
            if (!once) {
                ROWS(WIDEN)
            }
            for (size_t k = 0; k < len; k += 2, wp += 2 * 2 * NR) {
                const __m256i w0 = _mm256_loadu_si256((const __m256i *)wp),
                              w1 = _mm256_loadu_si256((const __m256i *)wp + 1);
#define MAC(r)                                                               \
    {                                                                        \
        const __m256i x = bcast_pair(xw[r] + k);                             \
        acc##r##0 = _mm256_add_epi32(acc##r##0, _mm256_madd_epi16(x, w0));   \
        acc##r##1 = _mm256_add_epi32(acc##r##1, _mm256_madd_epi16(x, w1));   \
    }
                ROWS(MAC)
            }
        }
        const float *pf = (const float *)wp;
        const int32_t *pi = (const int32_t *)wp;
        wp += 5 * 4 * NR;
#define OUT(r)                                                                                  \
    {                                                                                           \
        __m256i o[2];                                                                           \
        for (int h = 0; h < 2; h++) {                                                           \
            __m256i acc = h ? acc##r##1 : acc##r##0;                                            \
            if (rowsum)                                                                         \
                acc = _mm256_sub_epi32(                                                         \
                    acc, _mm256_mullo_epi32(                                                    \
                             _mm256_loadu_si256((const __m256i *)(pi + 4 * NR + 8 * h)),         \
                             _mm256_set1_epi32(rs##r)));                                        \
            o[h] = tern_qs8_requant8(acc, _mm256_loadu_ps(pf + 8 * h),                          \
                                     _mm256_loadu_ps(pf + NR + 8 * h),                          \
                                     _mm256_loadu_ps(pf + 2 * NR + 8 * h),                      \
                                     _mm256_loadu_si256((const __m256i *)(pi + 3 * NR + 8 * h))); \
        }                                                                                       \
        tern_qs8_store16x2(c##r + n0, o[0], o[1], nc - n0);                                     \
    }
        ROWS(OUT)
    }
}

const tern_qs8_gemm_ukernel tern_qs8_qc8w_gemm_minmax_fp32_4x16c2__avx2 = {
    "qs8_qc8w_gemm_minmax_fp32_4x16c2__avx2", ukernel, MR, NR, 2, 2, 0};
