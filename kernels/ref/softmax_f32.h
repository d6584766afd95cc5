/* Reference Softmax / LogSoftmax (float32) over tensors of any layout.
 * The logical axes [first, last) are normalized jointly (one axis for opset
 * >= 13; axis..rank-1 for the older "coerce to 2-D" form); every index of
 * the other axes is one independent row.
 *
 * Per row (fixed order, float): m = max; s = sum of exp(x - m) in row-major
 * order of the reduced axes; softmax y = exp(x - m) / s, log-softmax
 * y = (x - m) - log(s). */
#ifndef TERN_KERNELS_REF_SOFTMAX_F32_H
#define TERN_KERNELS_REF_SOFTMAX_F32_H

#include <stdint.h>

void tern_softmax_f32(int rank, const int64_t *dims, int first, int last, const float *x,
                      const int64_t *xs, float *y, const int64_t *ys, int log_softmax);

#endif
