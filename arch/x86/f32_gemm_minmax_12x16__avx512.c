/* FP32 GEMM micro-kernel, 12 rows x 16 columns, AVX-512F: for layers with
 * at most 16 output channels (MobileNetV3's stem and first block, the
 * squeeze-excite reductions), where the 32-column kernel would spend half
 * its FMAs on the zero padding. 12 accumulators cover the FMA latency on
 * two ports. Per k: 1 weight load, 12 broadcasts, 12 FMAs. */
#include <immintrin.h>

#include "arch/x86/kernels_x86.h"

#define MR 12

static inline __attribute__((always_inline)) void tile(const int rows, size_t nc, size_t kc,
                                                       const float *a, size_t a_stride,
                                                       const float *w, float *c, size_t c_stride,
                                                       const tern_f32_minmax *p) {
    const __m512 lo = _mm512_set1_ps(p->lo), hi = _mm512_set1_ps(p->hi);
    for (; nc > 0; nc = nc > 16 ? nc - 16 : 0, c += 16) {
        __m512 acc[MR];
        const __m512 b0 = _mm512_loadu_ps(w);
#pragma GCC unroll 12
        for (int i = 0; i < rows; i++) acc[i] = b0;
        w += 16;
        for (size_t k = 0; k < kc; k++, w += 16) {
            const __m512 w0 = _mm512_loadu_ps(w);
#pragma GCC unroll 12
            for (int i = 0; i < rows; i++)
                acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i * a_stride + k]), w0, acc[i]);
        }
        const __mmask16 m0 = nc >= 16 ? 0xffff : (__mmask16)((1u << nc) - 1);
#pragma GCC unroll 12
        for (int i = 0; i < rows; i++)
            _mm512_mask_storeu_ps(c + i * c_stride, m0, _mm512_min_ps(_mm512_max_ps(acc[i], lo), hi));
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
    case 8: tile(8, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 9: tile(9, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 10: tile(10, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    case 11: tile(11, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    default: tile(MR, nc, kc, a, a_stride, packed, c, c_stride, p); break;
    }
}

const tern_f32_gemm_ukernel tern_f32_gemm_minmax_12x16__avx512 = {
    "f32_gemm_minmax_12x16__avx512", gemm, MR, 16};
