/* FP32 GEMM micro-kernel, 8 rows x 32 columns, AVX-512F: 16 zmm
 * accumulators (8 rows x 2), 2 weight vectors and the broadcasts, well
 * inside the 32 registers. Per k: 2 weight loads, 8 broadcasts, 16 FMAs,
 * so the two FMA ports, not the two load ports, set the pace. Column tails
 * use store masks (the packed weights are zero past the last column). */
#include <immintrin.h>

#include "arch/x86/kernels_x86.h"

#define MR 8

static inline __attribute__((always_inline)) void tile(const int rows, size_t nc, size_t kc,
                                                       const float *a, size_t a_stride,
                                                       const float *w, float *c, size_t c_stride,
                                                       const tern_f32_minmax *p) {
    const __m512 lo = _mm512_set1_ps(p->lo), hi = _mm512_set1_ps(p->hi);
    for (; nc > 0; nc = nc > 32 ? nc - 32 : 0, c += 32) {
        __m512 acc[MR][2];
        const __m512 b0 = _mm512_loadu_ps(w), b1 = _mm512_loadu_ps(w + 16);
#pragma GCC unroll 8
        for (int i = 0; i < rows; i++) {
            acc[i][0] = b0;
            acc[i][1] = b1;
        }
        w += 32;
        for (size_t k = 0; k < kc; k++, w += 32) {
            /* the weights are one sequential stream: ask for them 4 KiB
             * ahead (the few-row layers, e.g. the classifier, stream MBs) */
            _mm_prefetch((const char *)(w + 1024), _MM_HINT_T0);
            _mm_prefetch((const char *)(w + 1024 + 16), _MM_HINT_T0);
            const __m512 w0 = _mm512_loadu_ps(w), w1 = _mm512_loadu_ps(w + 16);
#pragma GCC unroll 8
            for (int i = 0; i < rows; i++) {
                const __m512 va = _mm512_set1_ps(a[i * a_stride + k]);
                acc[i][0] = _mm512_fmadd_ps(va, w0, acc[i][0]);
                acc[i][1] = _mm512_fmadd_ps(va, w1, acc[i][1]);
            }
        }
        const __mmask16 m0 = nc >= 16 ? 0xffff : (__mmask16)((1u << nc) - 1);
        const __mmask16 m1 = nc >= 32 ? 0xffff : nc > 16 ? (__mmask16)((1u << (nc - 16)) - 1) : 0;
#pragma GCC unroll 8
        for (int i = 0; i < rows; i++) {
            _mm512_mask_storeu_ps(c + i * c_stride, m0,
                                  _mm512_min_ps(_mm512_max_ps(acc[i][0], lo), hi));
            _mm512_mask_storeu_ps(c + i * c_stride + 16, m1,
                                  _mm512_min_ps(_mm512_max_ps(acc[i][1], lo), hi));
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
    case 6: tile(6, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 7: tile(7, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    default: tile(MR, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    }
}

const tern_f32_gemm_ukernel tern_f32_gemm_minmax_8x32__avx512 = {
    "f32_gemm_minmax_8x32__avx512", gemm, MR, 32};
