/* The one kernel dispatch table: which SIMD micro-kernel runs each kind of
 * work on this CPU. Nothing else in tern knows which ISA is in use.
 *
 * Design (docs/kernels.md has the long version):
 *
 *  - An ISA level (tern_isa) names a set of instructions. Levels form
 *    chains, each level adding kernels on top of its parent:
 *        REF
 *        REF -> AVX2 -> AVXVNNI
 *        REF -> AVX2 -> AVX512 -> AVX512VNNI -> AMX
 *        REF -> NEON -> NEONDOT -> NEONI8MM
 *    AVX2 means AVX2 + FMA; AVX512 means AVX-512 F/BW/VL/DQ.
 *  - Every slot of the table (tern_kernels) is a pointer to a const
 *    descriptor of one micro-kernel (its function, its tile sizes, its name).
 *    NULL means "no fast kernel": the op runs its kernels/ref reference. The
 *    REF table is all NULL, so TERN_ISA=ref runs the specification itself.
 *  - TERN_KERNEL_ENTRIES (below) lists every (slot, ISA, descriptor) triple,
 *    parents before children. tern_kernels_fill(isa) walks that list and
 *    sets every slot whose entry ISA lies on the chain of isa, so a later
 *    (more specialised) entry overrides an earlier one. It is a pure
 *    function: the table lives in the compiled session (tern_graph.kern),
 *    never in a global.
 *  - The kernel tests (tests/test_kernels_simd.c) expand the same list: each
 *    entry is run against its reference over a sweep of shapes, or reported
 *    as skipped when the CPU lacks its ISA. A kernel that is not listed is
 *    never called; one that is listed is always tested.
 *
 * Adding a kernel: write arch/<x86|arm>/<name>__<isa>.c defining the
 * descriptor (the Makefile picks compiler flags from the __<isa> suffix),
 * declare it in arch/x86/kernels_x86.h or arch/arm/kernels_arm.h, add one
 * X(slot, ISA, descriptor) line to the list there. Adding a kind: a
 * descriptor type and a slot here, a ktest_<slot> function in tests/ktest.h
 * and the op code that calls it (falling back to the reference when NULL).
 *
 * Kernels depend on nothing above arch/ and kernels/ref: plain pointers,
 * sizes and the parameter structs below. */
#ifndef TERN_ARCH_KERNELS_H
#define TERN_ARCH_KERNELS_H

#include <stddef.h>
#include <stdint.h>

typedef enum tern_isa {
    TERN_ISA_REF = 0,
    TERN_ISA_AVX2,       /* AVX2 + FMA */
    TERN_ISA_AVX512,     /* AVX-512 F, BW, VL, DQ (+ AVX2, FMA) */
    TERN_ISA_AVX512VNNI, /* + AVX512-VNNI */
    TERN_ISA_AVXVNNI,    /* AVX2 + AVX-VNNI (VEX-encoded vpdpbusd, no AVX-512) */
    TERN_ISA_AMX,        /* AMX-INT8 tiles (+ AVX512-VNNI) */
    TERN_ISA_NEON,       /* aarch64 Advanced SIMD */
    TERN_ISA_NEONDOT,    /* + sdot/udot */
    TERN_ISA_NEONI8MM,   /* + smmla (i8mm) */
    TERN_ISA_COUNT
} tern_isa;

/* Bit (1u << isa) for every level this CPU runs (REF always). */
typedef struct tern_cpu {
    unsigned isas;
} tern_cpu;

/* ---- parameters shared by kernels ---------------------------------------- */

/* FP32 output clamp applied after the bias: y = min(max(acc, lo), hi). An
 * activation that is not a clamp (hardswish...) runs as a vector pass over
 * the tile the kernel just wrote, while it is in L1. */
typedef struct tern_f32_minmax {
    float lo, hi;
} tern_f32_minmax;

/* ---- FP32 kernel kinds ---------------------------------------------------- */

/* GEMM micro-kernel over packed weights: for the mr (<= desc.mr) rows of a
 * (row i at a + i * a_stride floats) and the nc columns (any count; the
 * kernel loops over nr-column blocks of packed weights):
 *   c[i][j] = clamp(bias[j] + sum_k a[i][k] * w[k][j])
 * c row i at c + i * c_stride floats. packed from tern_f32_gemm_pack with
 * the descriptor's nr: per block of nr columns, nr biases then kc rows of
 * nr weights (zero-padded past nc). Sum order: k ascending, with FMA. */
typedef void (*tern_f32_gemm_fn)(size_t mr, size_t nc, size_t kc, const float *a, size_t a_stride,
                                 const float *packed, float *c, size_t c_stride,
                                 const tern_f32_minmax *p);
typedef struct tern_f32_gemm_ukernel {
    const char *name;
    tern_f32_gemm_fn fn;
    int mr, nr;
} tern_f32_gemm_ukernel;

/* Depthwise convolution over channels-last data, one output row at a time:
 *   y[ox][c] = clamp(bias[c] + sum_{ky,kx} x_row[ky][(ox*s - pad_l + kx)][c] * w[ky][kx][c])
 * for ox in [0, out_w), c in [0, channels). rows[ky] points at input row
 * (oy*s - pad_t + ky), pixel 0, or is NULL when that row is in the padding;
 * in_w pixels per row, pixel stride = channels floats (dense NHWC). Taps
 * with the column outside [0, in_w) add nothing. packed from
 * tern_f32_dwconv_pack with the descriptor's ct (channel tile): per block
 * of ct channels, ct biases then kh*kw rows of ct weights. */
typedef void (*tern_f32_dwconv_fn)(size_t channels, size_t out_w, const float *const *rows,
                                   size_t in_w, size_t stride, size_t pad_l, const float *packed,
                                   float *y, const tern_f32_minmax *p);
typedef struct tern_f32_dwconv_ukernel {
    const char *name;
    tern_f32_dwconv_fn fn;
    int kh, kw, ct;
} tern_f32_dwconv_ukernel;

/* Elementwise y[i] = a[i] op b[i] for i < n; y may alias a or b. */
typedef void (*tern_f32_vbinary_fn)(size_t n, const float *a, const float *b, float *y);
/* y[i][c] = x[i][c] * s[c] for rows i < rows of channels c (SE gate). */
typedef void (*tern_f32_vmulc_fn)(size_t rows, size_t channels, const float *x, const float *s,
                                  float *y);
typedef struct tern_f32_vbinary_ukernel {
    const char *name;
    tern_f32_vbinary_fn fn;
} tern_f32_vbinary_ukernel;
typedef struct tern_f32_vmulc_ukernel {
    const char *name;
    tern_f32_vmulc_fn fn;
} tern_f32_vmulc_ukernel;

/* Unary y[i] = f(x[i]) (hardswish, hardsigmoid with their a, b; y may
 * alias x). */
typedef void (*tern_f32_vunary_fn)(size_t n, const float *x, float *y, float a, float b);
typedef struct tern_f32_vunary_ukernel {
    const char *name;
    tern_f32_vunary_fn fn;
} tern_f32_vunary_ukernel;

/* Global average pool over channels-last rows: y[c] = (sum_i x[i][c]) / divisor
 * for i < rows (rows of `channels` floats, dense), summed in float from 0 in
 * row order, then divided: the reference's operations, so bit-identical. */
typedef void (*tern_f32_gavgpool_fn)(size_t rows, size_t channels, const float *x, float divisor,
                                     float *y);
typedef struct tern_f32_gavgpool_ukernel {
    const char *name;
    tern_f32_gavgpool_fn fn;
} tern_f32_gavgpool_ukernel;

/* Peak microbenchmark: iters rounds of independent FMA chains with no
 * memory traffic; returns the multiply-accumulates done, *sink a value
 * that depends on all of them. The measured peak of `tern bench --profile`. */
typedef uint64_t (*tern_f32_peak_fn)(uint64_t iters, float *sink);
typedef struct tern_f32_peak_ukernel {
    const char *name;
    tern_f32_peak_fn fn;
} tern_f32_peak_ukernel;

/* ---- INT8 kernel kinds: arch/qs8_gemm.h (GEMM over packed weights with
 * folded zero points and the requantization epilogue) and arch/qs8_dwconv.h
 * (depthwise over channels with an indirection buffer), each with its
 * packing routine and driver. ---- */
#include "arch/qs8_dwconv.h"
#include "arch/qs8_gemm.h"
#include "arch/qs8_vbinary.h"
#include "kernels/ref/requant.h"

/* INT8 table lookup and global average pooling (arch/arm), each the rule
 * of its kernels/ref reference to the bit (docs/quantization.md sections 5
 * and 6). */
/* y[i] = table[x[i] + 128] (a LUT activation; y may alias x). */
typedef void (*tern_qs8_lut_fn)(size_t n, const int8_t *x, const int8_t table[256], int8_t *y);
typedef struct tern_qs8_lut_ukernel {
    const char *name;
    tern_qs8_lut_fn fn;
} tern_qs8_lut_ukernel;
/* Global average pool of s pixels (pixel_stride bytes apart) of c
 * contiguous channels into y[0..c); p as tern_qs8_gavgpool_init fills it. */
typedef void (*tern_qs8_gavgpool_fn)(size_t s, size_t c, const int8_t *x, size_t pixel_stride,
                                     const tern_qs8_rescale *p, int8_t *y);
typedef struct tern_qs8_gavgpool_ukernel {
    const char *name;
    tern_qs8_gavgpool_fn fn;
} tern_qs8_gavgpool_ukernel;

/* ---- the table ------------------------------------------------------------- */

typedef struct tern_kernels {
    tern_isa isa;
    const tern_f32_gemm_ukernel *f32_gemm;
    const tern_f32_gemm_ukernel *f32_gemm_n16; /* for N <= 16 (NULL: f32_gemm) */
    const tern_f32_dwconv_ukernel *f32_dwconv_3x3;
    const tern_f32_dwconv_ukernel *f32_dwconv_5x5;
    const tern_f32_vbinary_ukernel *f32_vadd;
    const tern_f32_vbinary_ukernel *f32_vmul;
    const tern_f32_vmulc_ukernel *f32_vmulc;
    const tern_f32_vunary_ukernel *f32_vhswish;
    const tern_f32_vunary_ukernel *f32_vhsigmoid;
    const tern_f32_gavgpool_ukernel *f32_gavgpool;
    const tern_f32_peak_ukernel *f32_peak;
    const tern_qs8_gemm_ukernel *qs8_gemm;
    const tern_qs8_dwconv_ukernel *qs8_dwconv;
    const tern_qs8_vadd_ukernel *qs8_vadd;
    const tern_qs8_vmul_ukernel *qs8_vmul;
    const tern_qs8_quantize_ukernel *qs8_quantize;
    const tern_qs8_lut_ukernel *qs8_lut;
    const tern_qs8_gavgpool_ukernel *qs8_gavgpool;
} tern_kernels;

/* The per-architecture entry lists: X(slot, ISA suffix, descriptor). */
#if defined(__x86_64__) || defined(_M_X64)
#include "arch/x86/kernels_x86.h"
#define TERN_KERNEL_ENTRIES(X) TERN_KERNEL_ENTRIES_X86(X)
#elif defined(__aarch64__)
#include "arch/arm/kernels_arm.h"
#define TERN_KERNEL_ENTRIES(X) TERN_KERNEL_ENTRIES_ARM(X)
#else
#define TERN_KERNEL_ENTRIES(X)
#endif

/* ---- dispatch (arch/dispatch.c, arch/x86/cpuid.c, arch/arm/hwcap.c) ---- */

/* What this CPU and OS run (asks the CPU each call; cheap). On Linux x86
 * with AMX it also asks the kernel for the AMX tile state
 * (arch_prctl(ARCH_REQ_XCOMP_PERM)); AMX counts only if that is granted. */
void tern_cpu_detect(tern_cpu *cpu);
int tern_cpu_has(const tern_cpu *cpu, tern_isa isa);
/* The best level cpu runs: the deepest level of the longest chain. */
tern_isa tern_isa_best(const tern_cpu *cpu);
/* Is `level` on the chain that leads to `isa` (including isa itself)? */
int tern_isa_includes(tern_isa isa, tern_isa level);
const char *tern_isa_name(tern_isa isa);
/* Name ("ref", "avx2", "avx512", "avx512vnni", "avxvnni", "amx", "neon",
 * "neondot", "neoni8mm") to level; 0 on success, -1 if unknown. */
int tern_isa_parse(const char *name, tern_isa *isa);
/* Fill k with every kernel listed for the chain of isa (pure). */
void tern_kernels_fill(tern_isa isa, tern_kernels *k);

/* ---- weight packing (arch/pack.c; plain C, any ISA) ---- */

/* Bytes tern_f32_gemm_pack writes for k x n weights in blocks of nr. */
size_t tern_f32_gemm_packed_size(size_t k, size_t n, int nr);
/* w[kk][j] at w + kk * wk + j * wn; bias may be NULL (zeros). */
void tern_f32_gemm_pack(size_t k, size_t n, int nr, const float *w, ptrdiff_t wk, ptrdiff_t wn,
                        const float *bias, float *packed);
/* Bytes tern_f32_dwconv_pack writes for `channels` channels of taps taps. */
size_t tern_f32_dwconv_packed_size(size_t channels, int taps, int ct);
/* Weight of channel c, tap t (ky * kw + kx) at w + c * wc + t * wt. */
void tern_f32_dwconv_pack(size_t channels, int taps, int ct, const float *w, ptrdiff_t wc,
                          ptrdiff_t wt, const float *bias, float *packed);

#endif
