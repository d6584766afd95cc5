/* ktest_f32_gemm: FP32 GEMM micro-kernels against tern_gemm_f32 (the
 * reference) with the bias as its broadcast C term and the clamp as a Clip
 * activation. Sweeps every row count up to mr, column counts around nr,
 * odd depths, row strides wider than the data, and checks canaries. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernels/ref/gemm_f32.h"
#include "tests/ktest.h"

#define CANARY 12345.0f

float ktest_rand(uint32_t *s) {
    *s = *s * 1664525u + 1013904223u;
    return (float)(*s >> 8) / (float)(1u << 23) - 1.0f;
}

int ktest_f32_close(float got, float want, int n_terms, double abs_sum) {
    double tol = 2.0 * (n_terms + 1) * FLT_EPSILON * abs_sum + 1e-30;
    return fabs((double)got - (double)want) <= tol;
}

typedef struct {
    size_t m, n, k, a_stride, c_stride;
    tern_f32_minmax mm;
} gemm_shape;

/* One shape: returns 0 and describes the first mismatch in msg. */
static int check_shape(const tern_f32_gemm_ukernel *uk, const gemm_shape *s, uint32_t seed,
                       char *msg, size_t cap) {
    size_t nr = (size_t)uk->nr;
    float *a = malloc(sizeof(float) * s->m * s->a_stride);
    float *w = malloc(sizeof(float) * s->k * s->n), *bias = malloc(sizeof(float) * s->n);
    float *packed = malloc(tern_f32_gemm_packed_size(s->k, s->n, uk->nr));
    size_t csize = (s->m + 1) * s->c_stride;
    float *c = malloc(sizeof(float) * csize), *ref = malloc(sizeof(float) * s->m * s->n);
    int ok = a && w && bias && packed && c && ref;
    for (size_t i = 0; ok && i < s->m * s->a_stride; i++) a[i] = ktest_rand(&seed);
    for (size_t i = 0; ok && i < s->k * s->n; i++) w[i] = ktest_rand(&seed);
    for (size_t i = 0; ok && i < s->n; i++) bias[i] = ktest_rand(&seed);
    for (size_t i = 0; ok && i < csize; i++) c[i] = CANARY;
    if (ok) {
        tern_f32_gemm_pack(s->k, s->n, uk->nr, w, (ptrdiff_t)s->n, 1, bias, packed);
        uk->fn(s->m, s->n, s->k, a, s->a_stride, packed, c, s->c_stride, &s->mm);
        tern_act act = {TERN_ACT_CLIP, s->mm.lo, s->mm.hi};
        tern_mat am = {a, (int64_t)s->a_stride, 1}, bm = {w, (int64_t)s->n, 1}, cm = {bias, 0, 1};
        tern_gemm_f32((int64_t)s->m, (int64_t)s->n, (int64_t)s->k, 1.0f, am, bm, 1.0f, &cm, ref,
                      (int64_t)s->n, 1, &act);
    }
    for (size_t i = 0; ok && i < s->m; i++)
        for (size_t j = 0; ok && j < s->c_stride; j++) {
            float got = c[i * s->c_stride + j];
            if (j >= s->n) {
                ok = got == CANARY;
                if (!ok) snprintf(msg, cap, "wrote past column %zu (row %zu, col %zu)", s->n, i, j);
                continue;
            }
            double sum = fabs(bias[j]);
            for (size_t kk = 0; kk < s->k; kk++)
                sum += fabs((double)a[i * s->a_stride + kk] * w[kk * s->n + j]);
            ok = ktest_f32_close(got, ref[i * s->n + j], (int)s->k, sum);
            if (!ok) snprintf(msg, cap, "y[%zu][%zu] = %.9g, reference %.9g", i, j, got,
                              ref[i * s->n + j]);
        }
    for (size_t j = 0; ok && j < s->c_stride; j++)
        if (c[s->m * s->c_stride + j] != CANARY) {
            ok = 0;
            snprintf(msg, cap, "wrote past row %zu", s->m);
        }
    if (!(a && w && bias && packed && c && ref)) snprintf(msg, cap, "out of memory");
    (void)nr;
    free(a), free(w), free(bias), free(packed), free(c), free(ref);
    return ok;
}

void ktest_f32_gemm(th_ctx *t, const tern_f32_gemm_ukernel *uk) {
    size_t nr = (size_t)uk->nr;
    const size_t ns[] = {1, 3, nr - 1, nr, nr + 1, 2 * nr + 5, 3 * nr};
    const size_t ks[] = {1, 2, 3, 7, 16, 33, 96};
    const tern_f32_minmax mms[] = {{-INFINITY, INFINITY}, {0.0f, 6.0f}, {-0.25f, 0.3f}};
    char msg[160] = "";
    int cases = 0, ok = 1;
    uint32_t seed = 1;
    for (size_t m = 1; ok && m <= (size_t)uk->mr; m++)
        for (size_t ni = 0; ok && ni < sizeof ns / sizeof ns[0]; ni++)
            for (size_t ki = 0; ok && ki < sizeof ks / sizeof ks[0]; ki++) {
                gemm_shape s = {m, ns[ni], ks[ki], ks[ki] + (m & 1) * 3, ns[ni] + (ki & 1) * 5,
                                mms[(m + ni + ki) % 3]};
                ok = check_shape(uk, &s, seed++, msg, sizeof msg);
                cases++;
                if (!ok)
                    th_fail(t, uk->name, "m=%zu n=%zu k=%zu clamp [%g, %g]: %s", m, s.n, s.k,
                            s.mm.lo, s.mm.hi, msg);
            }
    if (ok) th_pass(t, uk->name);
    (void)cases;
}

void ktest_f32_gemm_n16(th_ctx *t, const tern_f32_gemm_ukernel *uk) {
    ktest_f32_gemm(t, uk);
}

/* The peak microbenchmark computes something: x <- x * a + b per chain. */
void ktest_f32_peak(th_ctx *t, const tern_f32_peak_ukernel *k) {
    float sink = 0;
    uint64_t macs = k->fn(3, &sink);
    th_check(t, macs > 0 && macs % 3 == 0 && isfinite(sink) && sink > 0, k->name,
             "%llu MACs, sink %g", (unsigned long long)macs, sink);
}
