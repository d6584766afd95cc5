/* Reference int8 GEMM; see qs8_gemm_fp32.h. */
#include "kernels/ref/qs8_gemm_fp32.h"

/* acc of output (row of x at xr, row of w at wr, channel c): bias first,
 * then k in order. Every partial sum is bounded by |bias| + k * 65025. */
static int32_t dot(int64_t k, const int8_t *xr, int64_t xinc, const int8_t *wr, int64_t winc,
                   const tern_qs8_dot_params *p, int64_t c) {
    int32_t acc = p->bias ? p->bias[c] : 0;
    int32_t zx = p->x_zero_point, zw = p->w_zero_point[c];
    if (xinc == 1 && winc == 1) { /* the same sum, in a loop compilers vectorize */
        for (int64_t i = 0; i < k; i++) acc += ((int32_t)xr[i] - zx) * ((int32_t)wr[i] - zw);
        return acc;
    }
    for (int64_t i = 0; i < k; i++)
        acc += ((int32_t)xr[i * xinc] - zx) * ((int32_t)wr[i * winc] - zw);
    return acc;
}

void tern_ref_qs8_gemm_fp32(int64_t m, int64_t n, int64_t k, const int8_t *x, const int64_t xs[2],
                            const int8_t *w, const int64_t ws[2], const tern_qs8_dot_params *p,
                            int8_t *y, const int64_t ys[2]) {
    for (int64_t r = 0; r < m; r++)
        for (int64_t c = 0; c < n; c++) {
            int32_t acc = dot(k, x + r * xs[0], xs[1], w + c * ws[0], ws[1], p, c);
            y[r * ys[0] + c * ys[1]] = tern_requant_fp32_apply(acc, &p->requant[c]);
        }
}

void tern_ref_qs8_gemm_s32(int64_t m, int64_t n, int64_t k, const int8_t *x, const int64_t xs[2],
                           const int8_t *w, const int64_t ws[2], const tern_qs8_dot_params *p,
                           int32_t *y, const int64_t ys[2]) {
    for (int64_t r = 0; r < m; r++)
        for (int64_t c = 0; c < n; c++)
            y[r * ys[0] + c * ys[1]] = dot(k, x + r * xs[0], xs[1], w + c * ws[0], ws[1], p, c);
}
