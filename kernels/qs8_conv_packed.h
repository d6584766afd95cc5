/* Packed int8 convolution (group 1, 2-D, NHWC) as im2col tiles fed to a
 * packed GEMM micro-kernel (kernels/qs8_gemm_packed.h): the general
 * convolution and the first layer of an image model (3 input channels,
 * K = 27). For each tile of MR output pixels the driver gathers their
 * windows into MR rows of K = KH * KW * C_in bytes (taps in (ky, kx)
 * order, channels innermost; a padded tap is C_in bytes of x_zero_point,
 * whose x - z_x is 0: the reference's "padded taps add nothing"), then
 * runs the micro-kernel on it. A 1x1 stride-1 unpadded convolution skips
 * the gather (its rows are the input pixels). Arithmetic is
 * tern_ref_qs8_conv_fp32's to the bit. */
#ifndef TERN_KERNELS_QS8_CONV_PACKED_H
#define TERN_KERNELS_QS8_CONV_PACKED_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/qs8_gemm_packed.h"
#include "kernels/ref/geom.h"

/* K of the im2col rows, and the packed weight size for micro-kernel uk. */
int64_t tern_qs8_conv_packed_k(const tern_conv_geom *g);
size_t tern_qs8_conv_packed_size(const tern_conv_geom *g, const tern_qs8_gemm_ukernel *uk);

/* Pack w ([C_out, C_in, 1, KH, KW] through strides ws[5]) with p. */
void tern_qs8_conv_pack(const tern_conv_geom *g, const tern_qs8_gemm_ukernel *uk, const int8_t *w,
                        const int64_t ws[5], const tern_qs8_dot_params *p, void *out);

/* Whether the driver handles g: 2-D, group 1, channels contiguous in x and
 * y, the output pixels dense (y pixel p at y + p * ys[4]). */
int tern_qs8_conv_packed_supports(const tern_conv_geom *g, const int64_t xs[5],
                                  const int64_t ys[5]);

/* Scratch bytes the driver needs (the im2col tile). */
size_t tern_qs8_conv_scratch_size(const tern_conv_geom *g, const tern_qs8_gemm_ukernel *uk);

void tern_qs8_conv_packed_run(const tern_qs8_gemm_ukernel *uk, const tern_conv_geom *g,
                              const int8_t *x, const int64_t xs[5], const void *packed,
                              int32_t x_zero_point, int needs_rowsum, int8_t *y,
                              const int64_t ys[5], void *scratch);

#endif
