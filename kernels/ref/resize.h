/* Resize (nearest, n-linear, cubic) as separable taps.
 *
 * Every output position o on axis a reads `taps` input positions
 * idx[o*taps + t] with weights w[o*taps + t] (1 tap for nearest, 2 for
 * linear, 4 for cubic). An output element is the sum, over every
 * combination of one tap per axis, of the product of the weights times the
 * input element there. An index of -1 means "outside the input": the output
 * element is the extrapolation value (tf_crop_and_resize). The graph op
 * (graph/ops/op_resize.c) builds the taps from the ONNX coordinate rules;
 * this kernel only applies them, in any layout. */
#ifndef TERN_REF_RESIZE_H
#define TERN_REF_RESIZE_H

#include <stdint.h>

typedef struct tern_resize_axis {
    int taps;           /* 1, 2 or 4 */
    const int64_t *idx; /* [out_dim * taps] */
    const float *w;     /* [out_dim * taps] */
} tern_resize_axis;

void tern_ref_resize_f32(int rank, const float *in, const int64_t *si, const int64_t *odims,
                         float *out, const int64_t *so, const tern_resize_axis *axes,
                         float extrapolation);

#endif
