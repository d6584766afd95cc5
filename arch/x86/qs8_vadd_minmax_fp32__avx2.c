/* qs8 Add with fp32 requantization and min/max clamp, 8 elements per
 * step, AVX2: exactly tern_ref_qs8_vadd_fp32 (MLAS's AVX2 QLinearAdd form,
 * kernels/ref/qs8_vadd_fp32.h), per lane
 *   f = fma((float)(a + offset), r_a, fma((float)(b + offset), r_b, fixed))
 * with vfmadd (one rounding each, as C's fmaf), clamp to the file type's
 * range, cvtps2dq (nearest even), - offset, clamp to [qmin, qmax]. */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx2.h"

/* 8 int8 at p (n of them valid, n <= 8) -> 8 floats (x + offset). */
static inline __m256 to_f32(const int8_t *p, size_t n, __m256i off) {
    __m256i x = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(tern_qs8_load8(p, n)));
    return _mm256_cvtepi32_ps(_mm256_add_epi32(x, off));
}

/* 8 outputs of the 8 inputs at a and b (n of them valid). */
static inline __m128i add8(const int8_t *a, const int8_t *b, size_t n,
                           const tern_qs8_vadd_params *p) {
    const __m256i off = _mm256_set1_epi32(p->offset);
    __m256 f = _mm256_fmadd_ps(to_f32(b, n, off), _mm256_set1_ps(p->b_scale),
                               _mm256_set1_ps(p->fixed));
    f = _mm256_fmadd_ps(to_f32(a, n, off), _mm256_set1_ps(p->a_scale), f);
    f = _mm256_min_ps(_mm256_max_ps(f, _mm256_set1_ps((float)(p->offset - 128))),
                      _mm256_set1_ps((float)(p->offset + 127)));
    __m256i v = _mm256_sub_epi32(_mm256_cvtps_epi32(f), off);
    v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_set1_epi32(p->out.qmin)),
                         _mm256_set1_epi32(p->out.qmax));
    return tern_qs8_narrow8(v);
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
