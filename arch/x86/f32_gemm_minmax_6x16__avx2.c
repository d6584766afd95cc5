/* FP32 GEMM micro-kernel, 6 rows x 16 columns, AVX2 + FMA: 12 accumulators
 * (6 rows x 2 ymm), 2 weight vectors and one broadcast fill 15 of the 16
 * ymm registers. Per k: 2 weight loads, 6 broadcasts, 12 FMAs. A tile of
 * fewer rows is a separate instantiation (the row count is a compile-time
 * constant), so the 49-pixel 7x7 layers waste no FMAs on duplicate rows. */
#include <immintrin.h>

#include "arch/x86/kernels_x86.h"

#define MR 6

/* lanes of a 16-column tail: the first n of 16 */
static const int32_t TAIL_MASK[32] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                      0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0};

static inline __attribute__((always_inline)) void tile(const int rows, size_t nc, size_t kc,
                                                       const float *a, size_t a_stride,
                                                       const float *w, float *c, size_t c_stride,
                                                       const tern_f32_minmax *p) {
    const __m256 lo = _mm256_set1_ps(p->lo), hi = _mm256_set1_ps(p->hi);
    for (; nc > 0; nc = nc > 16 ? nc - 16 : 0, c += 16) {
        __m256 acc[MR][2];
        const __m256 b0 = _mm256_loadu_ps(w), b1 = _mm256_loadu_ps(w + 8);
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            acc[i][0] = b0;
            acc[i][1] = b1;
        }
        w += 16;
        for (size_t k = 0; k < kc; k++, w += 16) {
            /* the weights are one sequential stream: ask for them 1 KiB ahead */
            _mm_prefetch((const char *)(w + 256), _MM_HINT_T0);
            const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8);
#pragma GCC unroll 6
            for (int i = 0; i < rows; i++) {
                const __m256 va = _mm256_broadcast_ss(a + i * a_stride + k);
                acc[i][0] = _mm256_fmadd_ps(va, w0, acc[i][0]);
                acc[i][1] = _mm256_fmadd_ps(va, w1, acc[i][1]);
            }
        }
        if (nc >= 16) {
#pragma GCC unroll 6
            for (int i = 0; i < rows; i++) {
                _mm256_storeu_ps(c + i * c_stride, _mm256_min_ps(_mm256_max_ps(acc[i][0], lo), hi));
                _mm256_storeu_ps(c + i * c_stride + 8,
                                 _mm256_min_ps(_mm256_max_ps(acc[i][1], lo), hi));
            }
        } else {
            const __m256i m0 = _mm256_loadu_si256((const __m256i *)(TAIL_MASK + 16 - nc));
            const __m256i m1 = _mm256_loadu_si256(
                (const __m256i *)(TAIL_MASK + (nc > 8 ? 24 - nc : 16)));
#pragma GCC unroll 6
            for (int i = 0; i < rows; i++) {
                _mm256_maskstore_ps(c + i * c_stride, m0,
                                    _mm256_min_ps(_mm256_max_ps(acc[i][0], lo), hi));
                _mm256_maskstore_ps(c + i * c_stride + 8, m1,
                                    _mm256_min_ps(_mm256_max_ps(acc[i][1], lo), hi));
            }
        }
    }
}

static void gemm(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                 const float *packed, float *c, size_t c_stride, const tern_f32_minmax *p) {
    switch (mr) {
    case 1: tile(1, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 2: tile(2, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 3: tile(3, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 4: tile(4, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 5: tile(5, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    default: tile(MR, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    }
}

const tern_f32_gemm_ukernel tern_f32_gemm_minmax_6x16__avx2 = {
    "f32_gemm_minmax_6x16__avx2", gemm, MR, 16};
