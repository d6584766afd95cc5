/* Reference element-wise requantization of an int8 tensor from (s_x, z_x)
 * to (s_y, z_y), docs/quantization.md section 7: y = apply(x - z_x) with
 * scale s_x / s_y (tern_qs8_rescale_init). Concat's inputs and MaxPool with
 * different input and output parameters use it. dims is the index space,
 * xs/ys element strides per axis; x and y may be the same memory with the
 * same strides (in place). */
#ifndef TERN_KERNELS_REF_QS8_RESCALE_H
#define TERN_KERNELS_REF_QS8_RESCALE_H

#include <stdint.h>

#include "kernels/ref/requant.h"

void tern_ref_qs8_rescale(int rank, const int64_t *dims, const int8_t *x, const int64_t *xs,
                          const tern_qs8_rescale *r, int8_t *y, const int64_t *ys);

#endif
