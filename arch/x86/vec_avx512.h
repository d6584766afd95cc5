/* Vector macros for the AVX-512 elementwise kernel templates
 * (f32_*_tmpl.h): 16 floats per vector; tails through k-masks. */
#include <immintrin.h>

#define VL 16
#define V __m512
#define VMASK_T __mmask16
#define VMASK(n) ((__mmask16)((1u << (n)) - 1))
#define VLOAD(p) _mm512_loadu_ps(p)
#define VLOADM(p, m) _mm512_maskz_loadu_ps(m, p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VSTOREM(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define VADD(a, b) _mm512_add_ps(a, b)
#define VMUL(a, b) _mm512_mul_ps(a, b)
#define VDIV(a, b) _mm512_div_ps(a, b)
#define VMIN(a, b) _mm512_min_ps(a, b)
#define VMAX(a, b) _mm512_max_ps(a, b)
#define VSET1(x) _mm512_set1_ps(x)
#define VZERO() _mm512_setzero_ps()
