/* FP32 depthwise 5x5 micro-kernel, AVX-512F, 16 channels per vector,
 * any stride (body: f32_dwconv_tmpl.h). */
#include <immintrin.h>
#include <stddef.h>

#include "arch/x86/kernels_x86.h"

#define KH 5
#define KW 5
#define DW_LANES 16
#define DW_V __m512
#define DW_MASK_T __mmask16
#define DW_MASK_ALL ((__mmask16)0xffff)
#define DW_MASK(n) ((__mmask16)((1u << (n)) - 1))
#define DW_LOAD(p) _mm512_loadu_ps(p)
#define DW_LOADM(p, m) _mm512_maskz_loadu_ps(m, p)
#define DW_STORE(p, v) _mm512_storeu_ps(p, v)
#define DW_STOREM(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define DW_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define DW_SET1(x) _mm512_set1_ps(x)
#define DW_MIN(a, b) _mm512_min_ps(a, b)
#define DW_MAX(a, b) _mm512_max_ps(a, b)
#define DW_FN dwconv

#include "arch/x86/f32_dwconv_tmpl.h"

const tern_f32_dwconv_ukernel tern_f32_dwconv_minmax_5x5__avx512 = {
    "f32_dwconv_minmax_5x5__avx512", dwconv, 5, 5, 16};
