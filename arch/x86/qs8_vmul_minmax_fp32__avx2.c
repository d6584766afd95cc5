/* qs8 Mul with fp32 requantization and min/max clamp, 8 elements per
 * step, AVX2: acc = (a - z_a) * (b - z_b) in int32 (vpmulld; at most 65025
 * in magnitude, exact), then MLAS's finish as the reference has it:
 * f = (float)acc * scale + (float)(z_y + offset) (vmulps then vaddps, two
 * roundings, no FMA), clamp to the file type's range, cvtps2dq (nearest
 * even), - offset, clamp to [qmin, qmax]: exactly tern_ref_qs8_vmul_fp32
 * (arch/qs8_vbinary.h). */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx2.h"

static inline __m128i mul8(const int8_t *a, const int8_t *b, size_t n,
                           const tern_qs8_vmul_params *p) {
    __m256i xa = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(tern_qs8_load8(a, n)));
    __m256i xb = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(tern_qs8_load8(b, n)));
    __m256i acc = _mm256_mullo_epi32(_mm256_sub_epi32(xa, _mm256_set1_epi32(p->a_zero_point)),
                                     _mm256_sub_epi32(xb, _mm256_set1_epi32(p->b_zero_point)));
    const tern_requant_fp32 *o = &p->out;
    __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_set1_ps(o->scale));
    f = _mm256_add_ps(f, _mm256_set1_ps((float)(o->zero_point + p->offset)));
    f = _mm256_min_ps(_mm256_max_ps(f, _mm256_set1_ps((float)(p->offset - 128))),
                      _mm256_set1_ps((float)(p->offset + 127)));
    __m256i v = _mm256_sub_epi32(_mm256_cvtps_epi32(f), _mm256_set1_epi32(p->offset));
    v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_set1_epi32(o->qmin)), _mm256_set1_epi32(o->qmax));
    return tern_qs8_narrow8(v);
}

static void ukernel(size_t rows, size_t channels, const int8_t *a, size_t a_stride,
                    const int8_t *b, size_t b_stride, int8_t *y, const tern_qs8_vmul_params *p) {
    for (size_t r = 0; r < rows; r++, a += a_stride, b += b_stride, y += channels) {
        size_t c = 0;
        for (; c + 8 <= channels; c += 8) tern_qs8_store8(y + c, mul8(a + c, b + c, 8, p), 8);
        if (c < channels)
            tern_qs8_store8(y + c, mul8(a + c, b + c, channels - c, p), channels - c);
    }
}

const tern_qs8_vmul_ukernel tern_qs8_vmul_minmax_fp32__avx2 = {"qs8_vmul_minmax_fp32__avx2",
                                                                ukernel};
