/* The FP32 peak microbenchmark for AVX2 + FMA (tern bench --profile, make
 * bench-peak): 12 independent FMA chains, enough to cover the FMA latency
 * on both ports, no loads. Returns the multiply-accumulates done. */
#include <immintrin.h>

#include "arch/x86/kernels_x86.h"

#define CHAINS 12

static uint64_t peak(uint64_t iters, float *sink) {
    __m256 acc[CHAINS];
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
#pragma GCC unroll 12
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_ps((float)i);
    for (uint64_t it = 0; it < iters; it++) {
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    }
    __m256 s = acc[0];
#pragma GCC unroll 12
    for (int i = 1; i < CHAINS; i++) s = _mm256_add_ps(s, acc[i]);
    *sink = _mm256_cvtss_f32(s);
    return iters * CHAINS * 8;
}

const tern_f32_peak_ukernel tern_f32_peak_fma__avx2 = {"f32_peak_fma__avx2", peak};
