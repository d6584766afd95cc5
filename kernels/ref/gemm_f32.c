/* Reference matrix product; see gemm_f32.h. */
#include "kernels/ref/gemm_f32.h"

#include "kernels/ref/act.h"

static float dot(const float *a, int64_t sa, const float *b, int64_t sb, int64_t k) {
    float acc = 0.0f;
    for (int64_t i = 0; i < k; i++) acc += a[i * sa] * b[i * sb];
    return acc;
}

void tern_gemm_f32(int64_t M, int64_t N, int64_t K, float alpha, tern_mat a, tern_mat b,
                   float beta, const tern_mat *c, float *y, int64_t ys_m, int64_t ys_n,
                   const tern_act *act) {
    for (int64_t m = 0; m < M; m++)
        for (int64_t n = 0; n < N; n++) {
            float v = alpha * dot(a.p + m * a.rs, a.cs, b.p + n * b.cs, b.rs, K);
            if (c) v += beta * c->p[m * c->rs + n * c->cs];
            y[m * ys_m + n * ys_n] = tern_act_apply(act, v);
        }
}
