/* suite_kernels_qs8_ties: every int8 GEMM and depthwise kernel of the
 * dispatch list (TERN_KERNEL_ENTRIES) on sums that land exactly on .5 after
 * the requantization scale (small operands, scales 1/2 and 1/4), against
 * the reference. Random data almost never hits a tie, so without this a
 * kernel rounding ties away from zero (fcvtas instead of fcvtns,
 * _MM_FROUND_TO_NEAREST_INT replaced by a +0.5 truncation) passes the
 * shape sweeps of ktest_qs8_*; docs/quantization.md section 3 requires
 * ties to even. Kernels of other kinds are not this suite's concern. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/kernels.h"
#include "kernels/ref/qs8_dwconv_fp32.h"
#include "kernels/ref/qs8_gemm_fp32.h"
#include "tests/harness.h"
#include "tests/int8_naive.h"
#include "tests/suites.h"

/* Parameters where (float)acc * scale is often exactly n + 0.5. */
typedef struct ties_params {
    int32_t zw[40], bias[40];
    tern_requant_fp32 rq[40];
    tern_qs8_dot_params p;
} ties_params;

static void ties_params_make(ties_params *q, int64_t n, int with_zw, nrng *r) {
    int32_t zy = nrng_int(r, -20, 20);
    for (int64_t c = 0; c < n; c++) {
        q->zw[c] = with_zw ? nrng_int(r, -2, 2) : 0;
        q->bias[c] = nrng_int(r, -9, 9);
        q->rq[c] = (tern_requant_fp32){
            .scale = c & 1 ? 0.5f : 0.25f, .zero_point = zy, .qmin = -128, .qmax = 127};
    }
    q->p = (tern_qs8_dot_params){.x_zero_point = nrng_int(r, -2, 2),
                                 .w_zero_point = q->zw,
                                 .bias = q->bias,
                                 .requant = q->rq};
}

static int gemm_case(const tern_qs8_gemm_ukernel *k, int64_t m, int64_t n, int64_t kk, nrng *r) {
    int8_t x[9 * 40], w[40 * 40], y[9 * 40], want[9 * 40];
    ties_params q;
    nrng_fill_s8(r, x, m * kk, -3, 3);
    nrng_fill_s8(r, w, n * kk, -3, 3);
    ties_params_make(&q, n, (int)((m + n) & 1), r);
    int64_t xs[2] = {kk, 1}, ws[2] = {kk, 1}, ys[2] = {n, 1};
    tern_ref_qs8_gemm_fp32(m, n, kk, x, xs, w, ws, &q.p, want, ys);
    void *packed = malloc(tern_qs8_gemm_packed_size(k, n, kk));
    int has_zw = tern_qs8_gemm_pack(k, n, kk, w, ws, &q.p, packed);
    tern_qs8_gemm_rows(k, 0, m, n, kk, x, (size_t)kk, packed, has_zw, y, (size_t)n);
    free(packed);
    return memcmp(y, want, (size_t)(m * n)) == 0;
}

static int ties_gemm(const tern_qs8_gemm_ukernel *k) {
    static const int64_t ks[] = {1, 3, 4, 5, 8, 16, 17, 40};
    nrng r = {0x71e5u};
    int bad = 0;
    for (int64_t m = 1; m <= 9 && m <= k->mr + 1; m++)
        for (int64_t n = 1; n <= 40; n += 3)
            for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
                bad += !gemm_case(k, m, n, ks[i], &r);
    return bad;
}

static int ties_dwconv(const tern_qs8_dwconv_ukernel *k) {
    nrng r = {0xd1e5u};
    int bad = 0;
    for (int64_t c = 1; c <= 40; c += 3) {
        tern_conv_geom g = {.n = 1, .c_in = c, .c_out = c, .group = c};
        g.in[0] = g.out[0] = g.kernel[0] = g.stride[0] = g.dil[0] = g.dil[1] = g.dil[2] = 1;
        g.in[1] = g.in[2] = g.out[1] = g.out[2] = 5;
        g.kernel[1] = g.kernel[2] = 3, g.stride[1] = g.stride[2] = 1;
        g.pad_begin[1] = g.pad_begin[2] = g.pad_end[1] = g.pad_end[2] = 1;
        int8_t x[25 * 40], w[40 * 9], y[25 * 40], want[25 * 40];
        ties_params q;
        nrng_fill_s8(&r, x, 25 * c, -3, 3);
        nrng_fill_s8(&r, w, 9 * c, -3, 3);
        ties_params_make(&q, c, (int)(c & 1), &r);
        int64_t xs[5] = {25 * c, 1, 0, 5 * c, c}, ws[5] = {9, 0, 0, 3, 1};
        tern_ref_qs8_dwconv_fp32(&g, x, xs, w, ws, &q.p, want, xs);
        void *packed = malloc(tern_qs8_dwconv_packed_size(k, c, 9));
        tern_qs8_dwconv_pack(k, c, 3, 3, w, ws, &q.p, packed);
        tern_qs8_dwconv_rows(k, &g, x, xs, packed, y, xs, 0, 5);
        free(packed);
        bad += memcmp(y, want, (size_t)(25 * c)) != 0;
    }
    return bad;
}

static int ties_none(const void *k) {
    (void)k;
    return -1;
}

/* Whether this suite tests descriptor d's kind. */
#define TIES_KIND(d)                                                                               \
    _Generic((d), const tern_qs8_gemm_ukernel * : 1, const tern_qs8_dwconv_ukernel * : 1,          \
             default : 0)

/* bad cases of descriptor d */
#define TIES(d)                                                                                    \
    _Generic((d), const tern_qs8_gemm_ukernel *: ties_gemm,                                        \
             const tern_qs8_dwconv_ukernel *: ties_dwconv, default: ties_none)(d)

TH_SUITE(suite_kernels_qs8_ties) {
    tern_cpu cpu;
    tern_cpu_detect(&cpu);
    char name[128];
#define TIES_ENTRY(slot, level, desc)                                                              \
    if (TIES_KIND(&desc)) {                                                                        \
        snprintf(name, sizeof name, "%s: exact ties round to even", desc.name);                    \
        if (!tern_cpu_has(&cpu, TERN_ISA_##level))                                                 \
            th_skip(t, name, "this CPU lacks the ISA");                                            \
        else {                                                                                     \
            int bad = TIES(&desc);                                                                 \
            th_check(t, bad == 0, name, "%d cases differ from the reference", bad);                \
        }                                                                                          \
    }
    TERN_KERNEL_ENTRIES(TIES_ENTRY)
#undef TIES_ENTRY
    (void)name;
    (void)cpu;
}
