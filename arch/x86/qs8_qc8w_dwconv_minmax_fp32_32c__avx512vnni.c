/* qs8 depthwise convolution, per-channel int8 weights, fp32 requantization
 * with min/max clamp, 32 channels per step, any number of taps, AVX512-VNNI.
 *
 * As the AVX-512 kernel, with vpdpwssd: the int16 pair products and their
 * sum are added to the int32 accumulator in one instruction, wrapping
 * (never vpdpwssds, which saturates); each pair sum is at most
 * 2 * 128 * 255, exact.
 *
 * Unpacking within 128-bit lanes puts channels 0-7 and 16-23 in the first
 * accumulator and 8-15, 24-31 in the second; the packing stored weights and
 * requantization parameters in that lane order (arch/qs8_dwconv.h) and the
 * store puts the bytes back in channel order. Border taps point at the zero
 * row (z_x). */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx512.h"

#define CB 32

/* 32 bytes at p, only n of them when n < 32 (a row's last channels). */
static inline __m256i load32(const int8_t *p, size_t n) {
    if (n >= 32) return _mm256_loadu_si256((const __m256i *)p);
    return _mm256_maskz_loadu_epi8((__mmask32)((1u << n) - 1), p);
}

/* acc += the products of taps xa, xb with the weight pairs at w. */
static inline void mac2(__m256i xa, __m256i xb, const unsigned char *w, __m512i *acc0,
                        __m512i *acc1) {
    __m512i lo = _mm512_cvtepi8_epi16(_mm256_unpacklo_epi8(xa, xb));
    __m512i hi = _mm512_cvtepi8_epi16(_mm256_unpackhi_epi8(xa, xb));
    *acc0 = _mm512_dpwssd_epi32(*acc0, lo, _mm512_loadu_si512(w));
    *acc1 = _mm512_dpwssd_epi32(*acc1, hi, _mm512_loadu_si512(w + 64));
}

/* The two accumulators' 32 lanes (in lane order) as bytes in channel order;
 * store n <= 32 of them. */
static inline void store32(int8_t *p, __m512i r0, __m512i r1, size_t n) {
    __m128i b0 = _mm512_cvtepi32_epi8(r0), b1 = _mm512_cvtepi32_epi8(r1);
    __m256i v = _mm256_set_m128i(_mm_unpackhi_epi64(b0, b1), _mm_unpacklo_epi64(b0, b1));
    if (n >= 32)
        _mm256_storeu_si256((__m256i *)p, v);
    else
        _mm256_mask_storeu_epi8(p, (__mmask32)((1u << n) - 1), v);
}

/* One block of up to 32 channels of one pixel; returns the next block's weights. */
static const unsigned char *block(size_t c0, size_t cn, const int8_t *const *in, size_t taps,
                                  const unsigned char *w, int8_t *out) {
    __m512i acc0 = _mm512_loadu_si512(w), acc1 = _mm512_loadu_si512(w + 64);
    w += 4 * CB;
    size_t t = 0;
    for (; t + 2 <= taps; t += 2, w += 4 * CB)
        mac2(load32(in[t] + c0, cn), load32(in[t + 1] + c0, cn), w, &acc0, &acc1);
    if (t < taps) { /* the pair's second weight is 0 */
        mac2(load32(in[t] + c0, cn), _mm256_setzero_si256(), w, &acc0, &acc1);
        w += 4 * CB;
    }
    const float *pf = (const float *)w;
    const int32_t *pz = (const int32_t *)(pf + 3 * CB);
    __m512i r0 = tern_qs8_requant16(acc0, _mm512_loadu_ps(pf), _mm512_loadu_ps(pf + CB),
                                    _mm512_loadu_ps(pf + 2 * CB), _mm512_loadu_si512(pz));
    __m512i r1 =
        tern_qs8_requant16(acc1, _mm512_loadu_ps(pf + 16), _mm512_loadu_ps(pf + CB + 16),
                           _mm512_loadu_ps(pf + 2 * CB + 16), _mm512_loadu_si512(pz + 16));
    store32(out + c0, r0, r1, cn);
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

const tern_qs8_dwconv_ukernel tern_qs8_qc8w_dwconv_minmax_fp32_32c__avx512vnni = {"qs8_qc8w_dwconv_minmax_fp32_32c__avx512vnni", ukernel, CB};
