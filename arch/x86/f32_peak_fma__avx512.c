/* The FP32 peak microbenchmark for AVX-512F (tern bench --profile, make
 * bench-peak): 16 independent zmm FMA chains, enough to cover the FMA
 * latency on two 512-bit ports, no loads. Returns the multiply-accumulates
 * done. */
#include <immintrin.h>

#include "arch/x86/kernels_x86.h"

#define CHAINS 16

static uint64_t peak(uint64_t iters, float *sink) {
    __m512 acc[CHAINS];
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
#pragma GCC unroll 16
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    for (uint64_t it = 0; it < iters; it++) {
#pragma GCC unroll 16
        for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
    __m512 s = acc[0];
#pragma GCC unroll 16
    for (int i = 1; i < CHAINS; i++) s = _mm512_add_ps(s, acc[i]);
    *sink = _mm512_reduce_add_ps(s);
    return iters * CHAINS * 16;
}

const tern_f32_peak_ukernel tern_f32_peak_fma__avx512 = {"f32_peak_fma__avx512", peak};
