/* INT8 GEMM micro-kernels over packed weights: the interface every SIMD
 * qs8 GEMM (arch/x86/qs8_qc8w_gemm_*.c) implements, the one packing routine
 * they all read, and the portable driver that tiles M and computes the row
 * sums a weight zero point needs. Bit-exact with tern_ref_qs8_gemm_fp32
 * (docs/quantization.md sections 2 and 3; docs/kernels.md, "INT8").
 *
 *   y[m][n] = requant[n](bias[n] + sum_k (x[m][k] - z_x) * (w[n][k] - z_w[n]))
 *
 * x is [M, K] row-major with a row stride (NHWC pixels for a pointwise
 * convolution, im2col rows for k x k), y is [M, N] with a row stride.
 *
 * Packed weights, one block per NR output channels (the last zero-padded):
 *   int32 bias'[NR]      bias - (z_x + xb) * sum_k w + K * z_x * z_w (wrapping)
 *   w[KC / KR][NR][KR]   int8 (wbytes 1) or int16 (wbytes 2), KC = K rounded up
 *                        to KR, zero past K
 *   float scale[NR], lo[NR], hi[NR]   requant scale, qmin - z_y, qmax - z_y
 *   int32 zy[NR], zw[NR]              z_y, z_w
 * xb is 128 for kernels that read x as uint8 (x ^ 0x80 = x + 128: VNNI's
 * vpdpbusd is u8 x s8), else 0. The kernel computes, wrapping in int32,
 *   acc = bias' + sum_k (x + xb) * w - z_w * rowsum,   rowsum = sum_k x
 * which is the exact accumulator (integer arithmetic modulo 2^32 is
 * associative and the final value fits; docs section 2). rowsum is only
 * needed (non-NULL) when some z_w != 0. */
#ifndef TERN_ARCH_QS8_GEMM_H
#define TERN_ARCH_QS8_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/ref/requant.h"

/* c = requantized rows [0, mr) of a (each kc bytes, a_stride apart) times
 * the packed weights w, for nc output channels (all blocks, NR at a time),
 * rows of c c_stride apart. rowsum: mr sums of the rows of a, or NULL when
 * every z_w is 0. mr <= MR, kc >= 1. */
typedef void (*tern_qs8_gemm_fn)(size_t mr, size_t nc, size_t kc, const int8_t *a,
                                 size_t a_stride, const void *w, int8_t *c, size_t c_stride,
                                 const int32_t *rowsum);

#define TERN_QS8_GEMM_MAX_MR 16

/* A micro-kernel and the packing it reads. */
typedef struct tern_qs8_gemm_ukernel {
    const char *name;
    tern_qs8_gemm_fn fn;
    int mr, nr, kr;
    int wbytes; /* 1: int8 weights; 2: int16 (sign-extended once at packing) */
    int xb;     /* 128: x is read as uint8 (x ^ 0x80); 0: as int8 */
} tern_qs8_gemm_ukernel;

/* Bytes of the packed weights of an n x k GEMM for kernel kern. */
size_t tern_qs8_gemm_packed_size(const tern_qs8_gemm_ukernel *kern, int64_t n, int64_t k);

/* Pack w ([N, K], element (n, k) at w[n * ws[0] + k * ws[1]]) with p's zero
 * points, bias and requantization into out (tern_qs8_gemm_packed_size
 * bytes). Returns 1 if some z_w != 0 (the driver then needs row sums).
 * Precondition: tern_qs8_dot_fits(k, p->bias, n). */
int tern_qs8_gemm_pack(const tern_qs8_gemm_ukernel *kern, int64_t n, int64_t k, const int8_t *w,
                       const int64_t ws[2], const tern_qs8_dot_params *p, void *out);

/* Rows [m0, m1) of the GEMM: calls kern->fn on MR rows at a time, with row
 * sums when has_zw. Rows are independent, so any split of M (threads) gives
 * the same bytes. */
void tern_qs8_gemm_rows(const tern_qs8_gemm_ukernel *kern, int64_t m0, int64_t m1, int64_t n,
                        int64_t k, const int8_t *x, size_t x_stride, const void *packed,
                        int has_zw, int8_t *y, size_t y_stride);

#endif
