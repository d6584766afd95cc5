/* Packed int8 GEMM: the weight layout every SIMD int8 GEMM micro-kernel
 * reads, the micro-kernel signature, and the ISA-independent driver that
 * tiles a matrix product over a micro-kernel. Arithmetic is
 * tern_ref_qs8_gemm_fp32's to the bit (docs/quantization.md, sections 2-3).
 *
 * Packing folds the zero points into the bias once, at session creation:
 *   acc = bias + sum_k (x - z_x)(w - z_w)
 *       = [bias + K z_x z_w - z_x sum_k w]  +  sum_k x w  -  z_w sum_k x
 * The bracket is packed as bias'; z_w sum_k x (the row sum of x) is only
 * needed when some z_w != 0 (uint8 weights), and is then computed by the
 * driver and passed to the micro-kernel. Every step is wrapping int32
 * arithmetic whose final value is the reference's exact accumulator.
 *
 * Layout, per block of nr output channels (the last block padded with
 * zero channels, never stored):
 *   int32 bias'[nr], int32 w_zero_point[nr], float scale[nr],
 *   float lo[nr] = qmin - z_y, float hi[nr] = qmax - z_y, int32 z_y[nr],
 *   int8  w[ceil(K / kr)][nr][kr]       (k-block, channel, kr bytes of k; zero past K)
 * so a block is 24 * nr + ceil(K / kr) * nr * kr bytes (a multiple of 4
 * when nr is a multiple of 4). With kr = 4 one k-block of 4 channels is one
 * 16-byte vector whose 32-bit lanes are the 4-byte dot products Arm sdot
 * and x86 vpdpbusd take. */
#ifndef TERN_KERNELS_QS8_GEMM_PACKED_H
#define TERN_KERNELS_QS8_GEMM_PACKED_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/ref/requant.h"

/* One micro-kernel call: rows [0, mr) of a (mr <= the kernel's MR, row r
 * at a + r * a_stride, kc bytes each) times one packed block of nr
 * channels, of which the first nc (1..nr) are written to c + r * c_stride.
 * rowsum[r] = sum_k a[r][k] when the block has a nonzero w_zero_point,
 * else NULL. The kernel reads exactly kc bytes of each row. */
typedef void (*tern_qs8_gemm_ukernel_fn)(size_t mr, size_t nc, size_t kc, const int8_t *a,
                                         size_t a_stride, const void *w, int8_t *c,
                                         size_t c_stride, const int32_t *rowsum);

typedef struct tern_qs8_gemm_ukernel {
    tern_qs8_gemm_ukernel_fn fn;
    int mr, nr, kr; /* tile rows, channels per packed block, k per lane */
} tern_qs8_gemm_ukernel;

#define TERN_QS8_GEMM_MAX_MR 8

/* Bytes of one packed block and of the whole packed matrix. */
size_t tern_qs8_gemm_block_size(int64_t k, int nr, int kr);
size_t tern_qs8_gemm_packed_size(int64_t n, int64_t k, int nr, int kr);

/* Pack w ([N, K], element (n, k) at w[n * ws[0] + k * ws[1]]) with p's
 * zero points, bias and requantization into out (packed_size bytes, any
 * alignment of 4). Precondition as the reference: tern_qs8_dot_fits. */
void tern_qs8_gemm_pack(int64_t n, int64_t k, int nr, int kr, const int8_t *w, const int64_t ws[2],
                        const tern_qs8_dot_params *p, void *out);

/* A weight matrix [N, K] whose k runs over taps, input channels innermost
 * (k = (ky * kw + kx) * cin + ci), as a convolution's im2col rows read it:
 * element (n, k) at w[n * ns + ci * cs + ky * ys + kx * xs]. A plain
 * matrix is cin = K, kw = 1. */
typedef struct tern_qs8_wview {
    const int8_t *w;
    int64_t ns, cin, cs, kw, ys, xs;
} tern_qs8_wview;

/* Pack any tern_qs8_wview (tern_qs8_gemm_pack is this with a plain matrix). */
void tern_qs8_gemm_pack_view(int64_t n, int64_t k, int nr, int kr, const tern_qs8_wview *v,
                             const tern_qs8_dot_params *p, void *out);

/* Whether any channel of p has a nonzero weight zero point (the driver then
 * computes row sums). */
int tern_qs8_gemm_needs_rowsum(int64_t n, const tern_qs8_dot_params *p);

/* y[m][n] = the reference's result, x rows x_stride bytes apart (k
 * contiguous bytes each), y rows y_stride apart (n contiguous). */
void tern_qs8_gemm_packed_run(const tern_qs8_gemm_ukernel *uk, int64_t m, int64_t n, int64_t k,
                              const int8_t *x, size_t x_stride, const void *packed,
                              int needs_rowsum, int8_t *y, size_t y_stride);

#endif
