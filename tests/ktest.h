/* Kernel tests, one function per slot of the dispatch table (arch/kernels.h),
 * named ktest_<slot>: test_kernels_simd.c expands TERN_KERNEL_ENTRIES and
 * calls the function of each entry's slot on that entry's descriptor, so
 * every listed kernel is tested (or reported skipped when the CPU lacks its
 * ISA). A new slot needs its ktest_<slot> here and in a ktest_*.c file.
 *
 * Each compares a micro-kernel with its kernels/ref reference over a sweep
 * of shapes: every row count up to the tile, column/channel counts around
 * the tile (tails), odd depths, padding, strides, and canaries around the
 * output to catch stray writes. */
#ifndef TERN_TESTS_KTEST_H
#define TERN_TESTS_KTEST_H

#include "arch/kernels.h"
#include "tests/harness.h"

void ktest_f32_gemm(th_ctx *t, const tern_f32_gemm_ukernel *k);
void ktest_f32_gemm_n16(th_ctx *t, const tern_f32_gemm_ukernel *k);
void ktest_f32_dwconv_3x3(th_ctx *t, const tern_f32_dwconv_ukernel *k);
void ktest_f32_dwconv_5x5(th_ctx *t, const tern_f32_dwconv_ukernel *k);
void ktest_f32_vadd(th_ctx *t, const tern_f32_vbinary_ukernel *k);
void ktest_f32_vmul(th_ctx *t, const tern_f32_vbinary_ukernel *k);
void ktest_f32_vmulc(th_ctx *t, const tern_f32_vmulc_ukernel *k);
void ktest_f32_vhswish(th_ctx *t, const tern_f32_vunary_ukernel *k);
void ktest_f32_vhsigmoid(th_ctx *t, const tern_f32_vunary_ukernel *k);
void ktest_f32_gavgpool(th_ctx *t, const tern_f32_gavgpool_ukernel *k);
void ktest_f32_peak(th_ctx *t, const tern_f32_peak_ukernel *k);
void ktest_qs8_gemm(th_ctx *t, const tern_qs8_gemm_ukernel *k);
void ktest_qs8_dwconv(th_ctx *t, const tern_qs8_dwconv_ukernel *k);
void ktest_qs8_vadd(th_ctx *t, const tern_qs8_vadd_ukernel *k);
void ktest_qs8_vmul(th_ctx *t, const tern_qs8_vmul_ukernel *k);
void ktest_qs8_lut(th_ctx *t, const tern_qs8_lut_ukernel *k);
void ktest_qs8_gavgpool(th_ctx *t, const tern_qs8_gavgpool_ukernel *k);
void ktest_qs8_quantize(th_ctx *t, const tern_qs8_quantize_ukernel *k);

/* Deterministic pseudo-random floats in [-1, 1). */
float ktest_rand(uint32_t *state);

/* The FP32 tolerance (docs/kernels.md): a kernel and the reference sum the
 * same terms in different orders (bias first, FMA), each within
 * (n + 1) * eps * S of the exact sum, where S = |bias| + sum |a * w| over
 * the n products; so they may differ by 2 (n + 1) eps S. */
int ktest_f32_close(float got, float want, int n_terms, double abs_sum);

#endif
