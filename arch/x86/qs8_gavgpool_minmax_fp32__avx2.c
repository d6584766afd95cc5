/* qs8 global average pooling over channels-last rows, 32 channels per
 * step, AVX2: per channel sum = sum_i x[i][c] in int32 (vpmovsxbd, vpaddd;
 * exact for rows <= 2^23), then sum - rows * z_x (exact) and the
 * requantization of docs/quantization.md section 3 with the average's
 * scale: exactly tern_ref_qs8_gavgpool_fp32 (arch/kernels.h). */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx2.h"

/* Channels [c, c + n) (n <= 32) of all rows (pixels px bytes apart). */
static void block(size_t rows, size_t px, const int8_t *x, size_t c, size_t n,
                  const tern_qs8_rescale *p, int8_t *y) {
    __m256i acc[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                      _mm256_setzero_si256()};
    for (size_t r = 0; r < rows; r++) {
        const int8_t *pr = x + r * px + c;
        for (size_t q = 0; q < 4; q++) {
            size_t len = n > 8 * q ? n - 8 * q : 0;
            if (len == 0) break;
            __m256i v = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(tern_qs8_load8(pr + 8 * q, len)));
            acc[q] = _mm256_add_epi32(acc[q], v);
        }
    }
    const tern_requant_fp32 *o = &p->out;
    const __m256i off = _mm256_set1_epi32((int32_t)rows * p->x_zero_point);
    for (size_t q = 0; q < 4 && n > 8 * q; q++) {
        __m256i r = tern_qs8_requant8(_mm256_sub_epi32(acc[q], off), _mm256_set1_ps(o->scale),
                                      _mm256_set1_ps((float)(o->qmin - o->zero_point)),
                                      _mm256_set1_ps((float)(o->qmax - o->zero_point)),
                                      _mm256_set1_epi32(o->zero_point));
        size_t len = n - 8 * q < 8 ? n - 8 * q : 8;
        tern_qs8_store8(y + c + 8 * q, tern_qs8_narrow8(r), len);
    }
}

static void ukernel(size_t rows, size_t channels, const int8_t *x, size_t pixel_stride,
                    const tern_qs8_rescale *p, int8_t *y) {
    for (size_t c = 0; c < channels; c += 32)
        block(rows, pixel_stride, x, c, channels - c < 32 ? channels - c : 32, p, y);
}

const tern_qs8_gavgpool_ukernel tern_qs8_gavgpool_minmax_fp32__avx2 = {
    "qs8_gavgpool_minmax_fp32__avx2", ukernel};
