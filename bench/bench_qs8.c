/* `make bench-qs8`: the INT8 micro-kernels against the measured peak of
 * this CPU (never part of `make test`; speed lives in benchmarks).
 *
 *   1. peak: independent chains of one instruction per vector register
 *      (vfmadd231ps for FP32, vpmaddwd and vpdpbusd for INT8), in
 *      multiply-adds per second on one core (vpmaddwd's peak leaves out
 *      the vpaddd the non-VNNI kernels need after it: an upper bound);
 *   2. every qs8 entry of the dispatch list this CPU runs, on pointwise
 *      shapes of MobileNetV2 at 224x224 (GEMM) and its depthwise layers,
 *      in GMAC/s and as a fraction of the peak of its instruction.
 *
 * Usage: bench_qs8 [--iters N]. One thread; the machine is shared, so
 * each figure is the best of many short timings (50 for the peaks, 30 of
 * N calls for the kernels). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch/kernels.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#if defined(__x86_64__)
#include <immintrin.h>

/* 12 independent accumulators hide each instruction's latency; every
 * instruction depends on the previous one of its chain, so nothing is
 * hoisted out of the loop. */
#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

__attribute__((target("avx2,fma"))) static double peak_fma256(long n) {
#define D(i) __m256 a##i = _mm256_set1_ps(1.0f + (float)(i) * 1e-3f);
    CHAINS(D)
#undef D
    const __m256 b = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(1e-4f);
    for (long i = 0; i < n; i++) {
#define F(i) a##i = _mm256_fmadd_ps(a##i, b, c);
        CHAINS(F)
#undef F
    }
    float s = 0;
#define S(i) s += _mm256_cvtss_f32(a##i);
    CHAINS(S)
#undef S
    return (double)s;
}

__attribute__((target("avx512f"))) static double peak_fma512(long n) {
#define D(i) __m512 a##i = _mm512_set1_ps(1.0f + (float)(i) * 1e-3f);
    CHAINS(D)
#undef D
    const __m512 b = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(1e-4f);
    for (long i = 0; i < n; i++) {
#define F(i) a##i = _mm512_fmadd_ps(a##i, b, c);
        CHAINS(F)
#undef F
    }
    float s = 0;
#define S(i) s += _mm512_cvtss_f32(a##i);
    CHAINS(S)
#undef S
    return (double)s;
}

__attribute__((target("avx2"))) static double peak_maddwd256(long n) {
#define D(i) __m256i a##i = _mm256_set1_epi32(i);
    CHAINS(D)
#undef D
    const __m256i c = _mm256_set1_epi16(5);
    for (long i = 0; i < n; i++) {
#define F(i) a##i = _mm256_madd_epi16(a##i, c);
        CHAINS(F)
#undef F
    }
    int s = 0;
#define S(i) s += _mm256_cvtsi256_si32(a##i);
    CHAINS(S)
#undef S
    return (double)s;
}

__attribute__((target("avx512f,avx512bw"))) static double peak_maddwd512(long n) {
#define D(i) __m512i a##i = _mm512_set1_epi32(i);
    CHAINS(D)
#undef D
    const __m512i c = _mm512_set1_epi16(5);
    for (long i = 0; i < n; i++) {
#define F(i) a##i = _mm512_madd_epi16(a##i, c);
        CHAINS(F)
#undef F
    }
    int s = 0;
#define S(i) s += _mm_cvtsi128_si32(_mm512_castsi512_si128(a##i));
    CHAINS(S)
#undef S
    return (double)s;
}

__attribute__((target("avx512f,avx512vnni"))) static double peak_dpbusd512(long n) {
#define D(i) __m512i a##i = _mm512_set1_epi32(i);
    CHAINS(D)
#undef D
    const __m512i b = _mm512_set1_epi8(3), c = _mm512_set1_epi8(5);
    for (long i = 0; i < n; i++) {
#define F(i) a##i = _mm512_dpbusd_epi32(a##i, b, c);
        CHAINS(F)
#undef F
    }
    int s = 0;
#define S(i) s += _mm_cvtsi128_si32(_mm512_castsi512_si128(a##i));
    CHAINS(S)
#undef S
    return (double)s;
}

__attribute__((target("avx2,avxvnni"))) static double peak_dpbusd256(long n) {
#define D(i) __m256i a##i = _mm256_set1_epi32(i);
    CHAINS(D)
#undef D
    const __m256i b = _mm256_set1_epi8(3), c = _mm256_set1_epi8(5);
    for (long i = 0; i < n; i++) {
#define F(i) a##i = _mm256_dpbusd_avx_epi32(a##i, b, c);
        CHAINS(F)
#undef F
    }
    int s = 0;
#define S(i) s += _mm256_cvtsi256_si32(a##i);
    CHAINS(S)
#undef S
    return (double)s;
}

typedef struct peak {
    const char *name;
    tern_isa isa;
    double (*fn)(long);
    double macs_per_op; /* multiply-adds of one instruction */
    double gmacs;       /* measured */
} peak;

static peak PEAKS[] = {
    {"fp32 vfmadd231ps ymm", TERN_ISA_AVX2, peak_fma256, 8, 0},
    {"fp32 vfmadd231ps zmm", TERN_ISA_AVX512, peak_fma512, 16, 0},
    {"int8 vpmaddwd ymm", TERN_ISA_AVX2, peak_maddwd256, 16, 0},
    {"int8 vpmaddwd zmm", TERN_ISA_AVX512, peak_maddwd512, 32, 0},
    {"int8 vpdpbusd ymm (AVX-VNNI)", TERN_ISA_AVXVNNI, peak_dpbusd256, 32, 0},
    {"int8 vpdpbusd zmm (AVX512-VNNI)", TERN_ISA_AVX512VNNI, peak_dpbusd512, 64, 0},
};

static void measure_peaks(const tern_cpu *cpu) {
    printf("peak (one core, best of 50 short runs):\n");
    for (size_t i = 0; i < sizeof PEAKS / sizeof PEAKS[0]; i++) {
        peak *p = &PEAKS[i];
        if (!tern_cpu_has(cpu, p->isa)) {
            printf("  %-34s skipped (the CPU lacks %s)\n", p->name, tern_isa_name(p->isa));
            continue;
        }
        /* short runs, best of many: on a shared machine one of them runs
         * without being preempted */
        long n = 200000;
        double best = 1e30, sink = 0;
        for (int r = 0; r < 50; r++) {
            double t0 = now_s();
            sink += p->fn(n);
            double dt = now_s() - t0;
            if (dt < best) best = dt;
        }
        p->gmacs = (double)n * 12 * p->macs_per_op / best * 1e-9;
        printf("  %-34s %8.1f GMAC/s%s\n", p->name, p->gmacs, sink == 12345.678 ? " " : "");
    }
}

/* The peak a kernel of this ISA is measured against: its multiply-add
 * instruction's. */
static double peak_for(const char *name) {
    int vnni512 = strstr(name, "__avx512vnni") != NULL, vnni256 = strstr(name, "__avxvnni") != NULL;
    int z = strstr(name, "__avx512") != NULL;
    const char *want = vnni512   ? "int8 vpdpbusd zmm (AVX512-VNNI)"
                       : vnni256 ? "int8 vpdpbusd ymm (AVX-VNNI)"
                       : z       ? "int8 vpmaddwd zmm"
                                 : "int8 vpmaddwd ymm";
    for (size_t i = 0; i < sizeof PEAKS / sizeof PEAKS[0]; i++)
        if (strcmp(PEAKS[i].name, want) == 0) return PEAKS[i].gmacs;
    return 0;
}
#else
static void measure_peaks(const tern_cpu *cpu) {
    (void)cpu;
    printf("peak: not measured on this architecture\n");
}
static double peak_for(const char *name) {
    (void)name;
    return 0;
}
#endif

/* ---- kernels ---- */

typedef struct shape {
    int64_t m, n, k;
} shape;

/* MobileNetV2 224x224 pointwise layers: [H*W, C_in] x [C_in, C_out] */
static const shape GEMM_SHAPES[] = {
    {112 * 112, 16, 32}, {112 * 112, 96, 16}, {56 * 56, 24, 96}, {56 * 56, 144, 24},
    {28 * 28, 32, 144},  {14 * 14, 384, 64},  {7 * 7, 960, 160}, {7 * 7, 1280, 320},
};

static void fill(int8_t *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (int8_t)(seed >> 16);
    }
}

/* Parameters for n channels: z_w 0 (the fast case), one scale. */
static tern_qs8_dot_params params(int64_t n, int32_t **zw, tern_requant_fp32 **rq) {
    *zw = calloc((size_t)n, sizeof **zw);
    *rq = malloc((size_t)n * sizeof **rq);
    for (int64_t c = 0; c < n; c++) (*rq)[c] = (tern_requant_fp32){1e-4f, 3, -128, 127};
    return (tern_qs8_dot_params){.x_zero_point = -5, .w_zero_point = *zw, .requant = *rq};
}

static void bench_gemm(const tern_qs8_gemm_ukernel *u, int iters) {
    double pk = peak_for(u->name), sum_g = 0;
    printf("  %s (peak %.1f)\n", u->name, pk);
    for (size_t s = 0; s < sizeof GEMM_SHAPES / sizeof GEMM_SHAPES[0]; s++) {
        shape sh = GEMM_SHAPES[s];
        int8_t *x = malloc((size_t)(sh.m * sh.k)), *w = malloc((size_t)(sh.n * sh.k)),
               *y = malloc((size_t)(sh.m * sh.n));
        fill(x, (size_t)(sh.m * sh.k), 1);
        fill(w, (size_t)(sh.n * sh.k), 2);
        int32_t *zw;
        tern_requant_fp32 *rq;
        tern_qs8_dot_params p = params(sh.n, &zw, &rq);
        void *packed = malloc(tern_qs8_gemm_packed_size(u, sh.n, sh.k));
        int64_t ws[2] = {sh.k, 1};
        int has_zw = tern_qs8_gemm_pack(u, sh.n, sh.k, w, ws, &p, packed);
        double best = 1e30;
        for (int r = 0; r < 30; r++) {
            double t0 = now_s();
            for (int i = 0; i < iters; i++)
                tern_qs8_gemm_rows(u, 0, sh.m, sh.n, sh.k, x, (size_t)sh.k, packed, has_zw, y,
                                   (size_t)sh.n);
            double dt = (now_s() - t0) / iters;
            if (dt < best) best = dt;
        }
        double g = (double)(sh.m * sh.n * sh.k) / best * 1e-9;
        sum_g += g;
        printf("    M %5lld N %4lld K %4lld   %7.1f GMAC/s  %5.1f%% of peak\n", (long long)sh.m,
               (long long)sh.n, (long long)sh.k, g, pk > 0 ? 100 * g / pk : 0.0);
        free(x), free(w), free(y), free(zw), free(rq), free(packed);
    }
    printf("    mean %.1f GMAC/s\n", sum_g / (double)(sizeof GEMM_SHAPES / sizeof GEMM_SHAPES[0]));
}

/* MobileNetV2's depthwise layers: (H, C, stride) of the input, 3x3 pad 1 */
static const int64_t DW_SHAPES[][3] = {{112, 32, 1}, {112, 96, 2}, {56, 144, 1},
                                       {28, 192, 1}, {14, 576, 1}, {7, 960, 1}};

static void bench_dwconv(const tern_qs8_dwconv_ukernel *u, int iters) {
    printf("  %s\n", u->name);
    for (size_t s = 0; s < sizeof DW_SHAPES / sizeof DW_SHAPES[0]; s++) {
        int64_t h = DW_SHAPES[s][0], c = DW_SHAPES[s][1], st = DW_SHAPES[s][2];
        tern_conv_geom g = {.n = 1, .c_in = c, .c_out = c, .group = c};
        for (int a = 0; a < 3; a++) {
            int sp = a > 0;
            g.in[a] = sp ? h : 1, g.kernel[a] = sp ? 3 : 1, g.stride[a] = sp ? st : 1;
            g.dil[a] = 1, g.pad_begin[a] = g.pad_end[a] = sp;
            g.out[a] = sp ? (h + 2 - 3) / st + 1 : 1;
        }
        int64_t oh = g.out[1];
        int64_t xs[5] = {h * h * c, 1, 0, h * c, c}, ys[5] = {oh * oh * c, 1, 0, oh * c, c};
        int64_t ws[5] = {9, 9, 9, 3, 1};
        int8_t *x = malloc((size_t)(h * h * c)), *w = malloc((size_t)(9 * c)),
               *y = malloc((size_t)(oh * oh * c));
        fill(x, (size_t)(h * h * c), 3);
        fill(w, (size_t)(9 * c), 4);
        int32_t *zw;
        tern_requant_fp32 *rq;
        tern_qs8_dot_params p = params(c, &zw, &rq);
        void *packed = malloc(tern_qs8_dwconv_packed_size(u, c, 9));
        tern_qs8_dwconv_pack(u, c, 3, 3, w, ws, &p, packed);
        double best = 1e30;
        for (int r = 0; r < 30; r++) {
            double t0 = now_s();
            for (int i = 0; i < iters; i++) tern_qs8_dwconv_rows(u, &g, x, xs, packed, y, ys, 0, oh);
            double dt = (now_s() - t0) / iters;
            if (dt < best) best = dt;
        }
        double macs = (double)(oh * oh * c * 9);
        printf("    %3lldx%-3lld C %4lld s%lld   %7.1f GMAC/s  %6.1f us\n", (long long)h,
               (long long)h, (long long)c, (long long)st, macs / best * 1e-9, best * 1e6);
        free(x), free(w), free(y), free(zw), free(rq), free(packed);
    }
}

int main(int argc, char **argv) {
    int iters = 2;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--iters") == 0) iters = atoi(argv[i + 1]);
    if (iters < 1) iters = 1;
    tern_cpu cpu;
    tern_cpu_detect(&cpu);
    measure_peaks(&cpu);
    printf("qs8 GEMM (MobileNetV2 pointwise shapes):\n");
#define GEMM_ENTRY(slot, level, desc)                                                  \
    if (strcmp(#slot, "qs8_gemm") == 0 && tern_cpu_has(&cpu, TERN_ISA_##level))         \
        bench_gemm((const tern_qs8_gemm_ukernel *)(const void *)&desc, iters);
    TERN_KERNEL_ENTRIES(GEMM_ENTRY)
#undef GEMM_ENTRY
    printf("qs8 depthwise 3x3 (MobileNetV2 shapes):\n");
#define DW_ENTRY(slot, level, desc)                                                    \
    if (strcmp(#slot, "qs8_dwconv") == 0 && tern_cpu_has(&cpu, TERN_ISA_##level))       \
        bench_dwconv((const tern_qs8_dwconv_ukernel *)(const void *)&desc, iters);
    TERN_KERNEL_ENTRIES(DW_ENTRY)
#undef DW_ENTRY
    return 0;
}
