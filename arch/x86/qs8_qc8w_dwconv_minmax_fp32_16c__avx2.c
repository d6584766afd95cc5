/* qs8 depthwise convolution, per-channel int8 weights, fp32 requantization
 * with min/max clamp, 16 channels per step, any number of taps, AVX2.
 *
 * Two taps at a time: their 16 input bytes are interleaved (punpcklbw /
 * punpckhbw), sign-extended to int16 pairs (x_t[c], x_t+1[c]) and
 * multiplied by the packed pairs (w'_t[c], w'_t+1[c]) with vpmaddwd, which
 * adds each pair exactly into an int32 (at most 2 * 128 * 255). Border taps
 * point at the zero row (z_x), so there are no special cases
 * (arch/qs8_dwconv.h). */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx2.h"

#define CB 16

/* 16 bytes at p, only n of them when n < 16 (a row's last channels). */
static inline __m128i load16(const int8_t *p, size_t n) {
    if (n >= 16) return _mm_loadu_si128((const __m128i *)p);
    int8_t tmp[16] = {0};
    memcpy(tmp, p, n);
    return _mm_loadu_si128((const __m128i *)tmp);
}

/* acc += the products of taps xa, xb with the weight pairs at w. */
static inline void mac2(__m128i xa, __m128i xb, const unsigned char *w, __m256i *acc0,
                        __m256i *acc1) {
    __m256i lo = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(xa, xb));
    __m256i hi = _mm256_cvtepi8_epi16(_mm_unpackhi_epi8(xa, xb));
    *acc0 = _mm256_add_epi32(*acc0, _mm256_madd_epi16(lo, _mm256_loadu_si256((const __m256i *)w)));
    *acc1 = _mm256_add_epi32(*acc1,
                             _mm256_madd_epi16(hi, _mm256_loadu_si256((const __m256i *)w + 1)));
}

/* One block of up to 16 channels of one pixel; returns the next block's weights. */
static const unsigned char *block(size_t c0, size_t cn, const int8_t *const *in, size_t taps,
                                  const unsigned char *w, int8_t *out) {
    __m256i acc0 = _mm256_loadu_si256((const __m256i *)w),
            acc1 = _mm256_loadu_si256((const __m256i *)w + 1);
    w += 4 * CB;
    size_t t = 0;
    for (; t + 2 <= taps; t += 2, w += 4 * CB)
        mac2(load16(in[t] + c0, cn), load16(in[t + 1] + c0, cn), w, &acc0, &acc1);
    if (t < taps) { /* the pair's second weight is 0 */
        mac2(load16(in[t] + c0, cn), _mm_setzero_si128(), w, &acc0, &acc1);
        w += 4 * CB;
    }
    const float *pf = (const float *)w;
    const __m256i *pz = (const __m256i *)(pf + 3 * CB);
    __m256i r0 = tern_qs8_requant8(acc0, _mm256_loadu_ps(pf), _mm256_loadu_ps(pf + CB),
                                   _mm256_loadu_ps(pf + 2 * CB), _mm256_loadu_si256(pz));
    __m256i r1 = tern_qs8_requant8(acc1, _mm256_loadu_ps(pf + 8), _mm256_loadu_ps(pf + CB + 8),
                                   _mm256_loadu_ps(pf + 2 * CB + 8), _mm256_loadu_si256(pz + 1));
    tern_qs8_store16x2(out + c0, r0, r1, cn);
    return w + 4 * 4 * CB;
}

static void ukernel(size_t channels, size_t npix,
                    const int8_t *const *in, size_t taps,
                    const void *w, int8_t *out, size_t out_step) {
    for (size_t p = 0; p < npix; p++, in += taps, out += out_step) {
        const unsigned char *wp = w;
        for (size_t c0 = 0; c0 < channels; c0 += CB)
            wp = block(c0, channels - c0 < CB ? channels - c0 : CB, in, taps, wp, out);
    }
}

const tern_qs8_dwconv_ukernel tern_qs8_qc8w_dwconv_minmax_fp32_16c__avx2 = {"qs8_qc8w_dwconv_minmax_fp32_16c__avx2", ukernel, CB};
