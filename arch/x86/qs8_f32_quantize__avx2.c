/* QuantizeLinear float32 -> int8, one scale and zero point, 8 elements per
 * step, AVX2: f = x / s with vdivps (the IEEE division of the reference,
 * never a multiplication by 1/s), clamp to [-128 - z, 127 - z] with
 * maxps(f, lo) first (a NaN gives lo, as tern_clamp_f32), cvtps2dq
 * (nearest even, default MXCSR), + z: exactly tern_ref_quantize_f32
 * (docs/quantization.md section 8). */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx2.h"

static inline __m128i quant8(__m256 x, __m256 s, __m256 lo, __m256 hi, __m256i z) {
    __m256 f = _mm256_min_ps(_mm256_max_ps(_mm256_div_ps(x, s), lo), hi);
    return tern_qs8_narrow8(_mm256_add_epi32(_mm256_cvtps_epi32(f), z));
}

static void ukernel(size_t n, const float *x, int8_t *y, float scale, int32_t zero_point) {
    const __m256 s = _mm256_set1_ps(scale), lo = _mm256_set1_ps((float)(-128 - zero_point)),
                 hi = _mm256_set1_ps((float)(127 - zero_point));
    const __m256i z = _mm256_set1_epi32(zero_point);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) tern_qs8_store8(y + i, quant8(_mm256_loadu_ps(x + i), s, lo, hi, z), 8);
    if (i < n) {
        float tail[8] = {0};
        memcpy(tail, x + i, (n - i) * sizeof(float));
        tern_qs8_store8(y + i, quant8(_mm256_loadu_ps(tail), s, lo, hi, z), n - i);
    }
}

const tern_qs8_quantize_ukernel tern_qs8_f32_quantize__avx2 = {"qs8_f32_quantize__avx2", ukernel};
