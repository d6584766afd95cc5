/* Packed int8 depthwise convolution (depth multiplier 1, 2-D, NHWC): the
 * weight layout the SIMD depthwise micro-kernels read, their signature and
 * the ISA-independent driver. Arithmetic is tern_ref_qs8_dwconv_fp32's to
 * the bit (docs/quantization.md, sections 2-3).
 *
 * The kernels vectorize across channels. Each output pixel is computed
 * from ks tap pointers, each at the C contiguous channels of one input
 * pixel; a tap in the padding points at a row of x_zero_point bytes, whose
 * x - z_x is 0, exactly the reference's "padded taps add nothing". The
 * weights are packed as w - z_w in int16 (9 bits), so no zero-point folding
 * is needed and uint8 weights cost nothing extra:
 *   acc = bias + sum_taps (x - z_x) * (w - z_w)       (int16 x int16 -> int32)
 *
 * Layout, per group of cr channels (the last one zero-padded):
 *   int32 bias[cr], float scale[cr], float lo[cr] = qmin - z_y,
 *   float hi[cr] = qmax - z_y, int32 z_y[cr], int16 w[ks][cr]. */
#ifndef TERN_KERNELS_QS8_DWCONV_PACKED_H
#define TERN_KERNELS_QS8_DWCONV_PACKED_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/ref/geom.h"
#include "kernels/ref/requant.h"

/* One output pixel: channels outputs from taps[0..ks) (each at channels
 * contiguous bytes), into out. */
typedef void (*tern_qs8_dwconv_ukernel_fn)(size_t channels, const int8_t *const *taps,
                                           const void *packed, int8_t *out, int32_t x_zero_point);

typedef struct tern_qs8_dwconv_ukernel {
    tern_qs8_dwconv_ukernel_fn fn;
    int ks, cr; /* taps (kernel height x width), channels per packed group */
} tern_qs8_dwconv_ukernel;

#define TERN_QS8_DWCONV_MAX_KS 25

size_t tern_qs8_dwconv_packed_size(int64_t c, int ks, int cr);

/* Pack w ([C, 1, 1, KH, KW] through strides ws[5], KH * KW == ks) with p. */
void tern_qs8_dwconv_pack(int64_t c, int64_t kh, int64_t kw, int cr, const int8_t *w,
                          const int64_t ws[5], const tern_qs8_dot_params *p, void *out);

/* Whether the driver handles g (2-D, multiplier 1, kernel of the ukernel's
 * size) with channels contiguous in x and y. */
int tern_qs8_dwconv_packed_supports(const tern_qs8_dwconv_ukernel *uk, const tern_conv_geom *g,
                                    const int64_t xs[5], const int64_t ys[5]);

/* The whole convolution; zero_row is caller scratch of g->c_in bytes. */
void tern_qs8_dwconv_packed_run(const tern_qs8_dwconv_ukernel *uk, const tern_conv_geom *g,
                                const int8_t *x, const int64_t xs[5], const void *packed,
                                int32_t x_zero_point, int8_t *y, const int64_t ys[5],
                                int8_t *zero_row);

#endif
