/* INT8 depthwise convolution micro-kernels (NHWC, vectorised over
 * channels), the packing they read and the driver that builds their
 * indirection pointers. Bit-exact with tern_ref_qs8_dwconv_fp32
 * (docs/quantization.md sections 2 and 3) for depth multiplier 1, 2-D.
 *
 * Per output pixel and channel c, over the T = KH * KW taps:
 *   acc = bias'[c] + sum_t x_t[c] * w'_t[c],   w' = w - z_w[c] (int16, 9 bits)
 *   bias' = bias[c] - z_x * sum_t w'_t[c]
 * A tap outside the input reads a row of z_x ("zero row", kept at the end
 * of the packed weights), which contributes (z_x - z_x) * w' = 0 as the
 * reference's skipped tap does, so one kernel serves borders, any stride,
 * dilation and padding. x * w' fits int16 x int16 -> int32 (vpmaddwd pairs
 * of taps: at most 2 * 128 * 255). Everything wraps in int32 and the final
 * value fits (section 2), so the folding is exact.
 *
 * Packed block of CB channels (the last zero-padded), in the kernel's lane
 * order (lane l of vector v = l / (CB/2), i = l % (CB/2) holds channel
 * (i / 8) * 16 + v * 8 + i % 8: natural for CB = 16 on 8-lane vectors; for
 * CB = 32 on 16-lane vectors it is what unpacking 32 bytes within 128-bit
 * lanes produces):
 *   int32 bias'[CB]
 *   per tap pair (t, t + 1): int16 (w'_t, w'_t+1) per lane  (w'_T = 0 if T is odd)
 *   float scale[CB], lo[CB], hi[CB]; int32 zy[CB]
 * then the zero row: C bytes of z_x, rounded up to CB. */
#ifndef TERN_ARCH_QS8_DWCONV_H
#define TERN_ARCH_QS8_DWCONV_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/ref/geom.h"
#include "kernels/ref/requant.h"

/* npix output pixels: in holds taps pointers per pixel (each at channel 0
 * of an input pixel, or at the zero row), out steps out_step bytes per
 * pixel; channels contiguous in both. */
typedef void (*tern_qs8_dwconv_fn)(size_t channels, size_t npix, const int8_t *const *in,
                                   size_t taps, const void *w, int8_t *out, size_t out_step);

typedef struct tern_qs8_dwconv_ukernel {
    const char *name;
    tern_qs8_dwconv_fn fn;
    int cb; /* channels per block: 16 or 32 */
} tern_qs8_dwconv_ukernel;

/* Bytes of the packed weights of c channels and taps taps. */
size_t tern_qs8_dwconv_packed_size(const tern_qs8_dwconv_ukernel *kern, int64_t c, int64_t taps);

/* Pack w ([C, 1, 1, KH, KW] with element strides ws[5], as the reference
 * reads it) and p into out. Precondition: tern_qs8_dot_fits(kh * kw, ...). */
void tern_qs8_dwconv_pack(const tern_qs8_dwconv_ukernel *kern, int64_t c, int64_t kh, int64_t kw,
                          const int8_t *w, const int64_t ws[5], const tern_qs8_dot_params *p,
                          void *out);

/* Whether the SIMD path covers this geometry: 2-D (depth 1, kernel depth
 * 1), group == c_in == c_out, at most TERN_QS8_DWCONV_MAX_TAPS taps (7x7),
 * channels contiguous (xs[1] == ys[1] == 1). */
#define TERN_QS8_DWCONV_MAX_TAPS 49
int tern_qs8_dwconv_supported(const tern_conv_geom *g, const int64_t xs[5], const int64_t ys[5]);

/* Output rows [r0, r1) of the convolution, a row being (n, oh) numbered
 * n * OH + oh; x and y with element strides as the reference's (NHWC). Rows
 * are independent: any split (threads) gives the same bytes. */
void tern_qs8_dwconv_rows(const tern_qs8_dwconv_ukernel *kern, const tern_conv_geom *g,
                          const int8_t *x, const int64_t xs[5], const void *packed, int8_t *y,
                          const int64_t ys[5], int64_t r0, int64_t r1);

#endif
