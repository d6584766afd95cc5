/* qs8 Add with fp32 requantization and min/max clamp, 16 elements per
 * step, AVX2: per lane f = (float)(a - z_a) * r_a + (float)(b - z_b) * r_b
 * as two vmulps and one vaddps (never an FMA: the reference rounds the
 * products; the file is compiled with -ffp-contract=off and the intrinsics
 * say mul and add), then clamp, cvtps2dq (nearest even), + z_y: exactly
 * tern_ref_qs8_vadd_fp32 (arch/qs8_vbinary.h). */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx2.h"

/* 8 int8 at p (as an int64) -> 8 floats (x - z). */
static inline __m256 to_f32(int64_t v, __m256i z) {
    __m256i x = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(v));
    return _mm256_cvtepi32_ps(_mm256_sub_epi32(x, z));
}

/* 8 outputs of the 8 inputs at a and b (n of them valid, n <= 8). */
static inline __m128i add8(const int8_t *a, const int8_t *b, size_t n,
                           const tern_qs8_vadd_params *p) {
    const __m256i za = _mm256_set1_epi32(p->a_zero_point), zb = _mm256_set1_epi32(p->b_zero_point);
    __m256 fa = _mm256_mul_ps(to_f32(tern_qs8_load8(a, n), za), _mm256_set1_ps(p->a_scale));
    __m256 fb = _mm256_mul_ps(to_f32(tern_qs8_load8(b, n), zb), _mm256_set1_ps(p->b_scale));
    __m256 f = _mm256_add_ps(fa, fb);
    const tern_requant_fp32 *o = &p->out;
    f = _mm256_min_ps(_mm256_max_ps(f, _mm256_set1_ps((float)(o->qmin - o->zero_point))),
                      _mm256_set1_ps((float)(o->qmax - o->zero_point)));
    __m256i r = _mm256_add_epi32(_mm256_cvtps_epi32(f), _mm256_set1_epi32(o->zero_point));
    return tern_qs8_narrow8(r);
}

static void ukernel(size_t rows, size_t channels, const int8_t *a, size_t a_stride,
                    const int8_t *b, size_t b_stride, int8_t *y, const tern_qs8_vadd_params *p) {
    for (size_t r = 0; r < rows; r++, a += a_stride, b += b_stride, y += channels) {
        size_t c = 0;
        for (; c + 8 <= channels; c += 8) tern_qs8_store8(y + c, add8(a + c, b + c, 8, p), 8);
        if (c < channels)
            tern_qs8_store8(y + c, add8(a + c, b + c, channels - c, p), channels - c);
    }
}

const tern_qs8_vadd_ukernel tern_qs8_vadd_minmax_fp32__avx2 = {"qs8_vadd_minmax_fp32__avx2",
                                                                ukernel};
