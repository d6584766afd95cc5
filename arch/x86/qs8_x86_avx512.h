/* Inline helpers shared by the AVX-512 qs8 kernels (included only by files
 * compiled for AVX-512 F/BW/VL): the requantization epilogue of
 * docs/quantization.md section 3 on 16 int32 lanes, and partial loads that
 * never read past the end of a buffer. */
#ifndef TERN_ARCH_X86_QS8_X86_AVX512_H
#define TERN_ARCH_X86_QS8_X86_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#include "arch/x86/qs8_x86_common.h"

/* f = (float)acc * scale (cvtdq2ps rounds to nearest even above 2^24, like
 * C's conversion); clamp in float (maxps(f, lo) gives lo for NaN, as
 * tern_clamp_f32); round to nearest even (cvtps2dq under the default MXCSR);
 * + z_y in integer. Exactly tern_requant_fp32_apply per lane. */
static inline __m512i tern_qs8_requant16(__m512i acc, __m512 scale, __m512 lo, __m512 hi,
                                         __m512i zy) {
    __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale);
    f = _mm512_min_ps(_mm512_max_ps(f, lo), hi);
    return _mm512_add_epi32(_mm512_cvtps_epi32(f), zy);
}

/* Store the low byte of each of the 16 lanes (in [-128, 127]) to n <= 16
 * bytes at p. */
static inline void tern_qs8_store16(int8_t *p, __m512i v, size_t n) {
    __m128i b = _mm512_cvtepi32_epi8(v);
    if (n >= 16)
        _mm_storeu_si128((__m128i *)p, b);
    else
        _mm_mask_storeu_epi8(p, (__mmask16)((1u << n) - 1), b);
}

#endif
