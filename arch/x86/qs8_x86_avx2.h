/* Inline helpers shared by the AVX2 (and AVX-VNNI) qs8 kernels, included
 * only by files compiled for AVX2: the requantization epilogue of
 * docs/quantization.md section 3 on 8 int32 lanes and the int8 stores. */
#ifndef TERN_ARCH_X86_QS8_X86_AVX2_H
#define TERN_ARCH_X86_QS8_X86_AVX2_H

#include <immintrin.h>

#include "arch/x86/qs8_x86_common.h"

/* f = (float)acc * scale (cvtdq2ps: nearest even above 2^24, as C's
 * conversion); clamp in float (maxps(f, lo) gives lo for NaN, as
 * tern_clamp_f32); round to nearest even (cvtps2dq, default MXCSR); + z_y in
 * integer. Exactly tern_requant_fp32_apply per lane. */
static inline __m256i tern_qs8_requant8(__m256i acc, __m256 scale, __m256 lo, __m256 hi,
                                        __m256i zy) {
    __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), scale);
    f = _mm256_min_ps(_mm256_max_ps(f, lo), hi);
    return _mm256_add_epi32(_mm256_cvtps_epi32(f), zy);
}

/* The 8 lanes of v (each in [-128, 127]) as 8 bytes, in order. */
static inline __m128i tern_qs8_narrow8(__m256i v) {
    __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return _mm_packs_epi16(w, w);
}

/* Store the low n <= 8 bytes of b at p. */
static inline void tern_qs8_store8(int8_t *p, __m128i b, size_t n) {
    int64_t v = _mm_cvtsi128_si64(b);
    memcpy(p, &v, n < 8 ? n : 8);
}

/* 16 lanes (two vectors, in order) as 16 bytes; store n <= 16 of them. */
static inline void tern_qs8_store16x2(int8_t *p, __m256i v0, __m256i v1, size_t n) {
    __m128i b = _mm_unpacklo_epi64(tern_qs8_narrow8(v0), tern_qs8_narrow8(v1));
    if (n >= 16) {
        _mm_storeu_si128((__m128i *)p, b);
        return;
    }
    int8_t tmp[16];
    _mm_storeu_si128((__m128i *)tmp, b);
    memcpy(p, tmp, n);
}

#endif
