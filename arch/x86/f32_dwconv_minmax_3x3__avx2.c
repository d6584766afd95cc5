/* FP32 depthwise 3x3 micro-kernel, AVX2 + FMA, 8 channels per vector,
 * any stride (body: f32_dwconv_tmpl.h). Tail lanes through vmaskmov. */
#include <immintrin.h>
#include <stddef.h>

#include "arch/x86/kernels_x86.h"

#define KH 3
#define KW 3
#define DW_LANES 8
#define DW_V __m256
#define DW_MASK_T __m256i
#define DW_MASK_ALL _mm256_set1_epi32(-1)
#define DW_MASK(n) \
    _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define DW_LOAD(p) _mm256_loadu_ps(p)
#define DW_LOADM(p, m) _mm256_maskload_ps(p, m)
#define DW_STORE(p, v) _mm256_storeu_ps(p, v)
#define DW_STOREM(p, m, v) _mm256_maskstore_ps(p, m, v)
#define DW_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define DW_SET1(x) _mm256_set1_ps(x)
#define DW_MIN(a, b) _mm256_min_ps(a, b)
#define DW_MAX(a, b) _mm256_max_ps(a, b)
#define DW_FN dwconv

#include "arch/x86/f32_dwconv_tmpl.h"

const tern_f32_dwconv_ukernel tern_f32_dwconv_minmax_3x3__avx2 = {
    "f32_dwconv_minmax_3x3__avx2", dwconv, 3, 3, 8};
