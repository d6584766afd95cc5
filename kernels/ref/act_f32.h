/* Reference elementwise activations (float32) over tensors of any layout:
 * the standalone Relu, Clip, HardSigmoid... ops and PRelu. The per-element
 * math is tern_act_apply (act.h). */
#ifndef TERN_KERNELS_REF_ACT_F32_H
#define TERN_KERNELS_REF_ACT_F32_H

#include <stdint.h>

#include "graph/ir.h"

/* y = act(x) elementwise; x and y have logical shape dims and strides xs, ys. */
void tern_act_f32(const tern_act *act, int rank, const int64_t *dims, const float *x,
                  const int64_t *xs, float *y, const int64_t *ys);

/* y = x < 0 ? slope * x : x, slope broadcast to x's shape through its
 * strides ss (0 on broadcast axes). */
void tern_prelu_f32(int rank, const int64_t *dims, const float *x, const int64_t *xs,
                    const float *slope, const int64_t *ss, float *y, const int64_t *ys);

#endif
