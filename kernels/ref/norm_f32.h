/* Reference normalizations (float32) over tensors of any layout: every
 * operand is addressed through per-logical-axis element strides.
 *
 * tern_norm_f32 serves LayerNormalization and InstanceNormalization: the
 * axes [0, axis) are "outer", each outer index is one group, and the axes
 * [axis, rank) of that group are normalized together. Scale and bias are
 * addressed over the full logical index with strides ss/bs (0 on the axes
 * they broadcast along), so a per-channel scale (InstanceNormalization:
 * stride on axis 1 only) and a scale over the normalized axes
 * (LayerNormalization) are the same loop.
 *
 * Order (fixed; faster kernels must match it within rounding), per group,
 * inner elements visited in row-major logical order, all in double:
 *   mean = (sum x) / count
 *   var  = (sum (x - mean)^2) / count          (two passes: no cancellation)
 *   inv  = 1 / sqrt(var + eps)
 *   y    = (float)((x - mean) * inv * scale + bias)
 *
 * tern_lrn_f32 is LRN across channels (axis 1):
 *   sq = sum of x[n, c', ...]^2 for c' in [c - (size-1)/2, c + ceil((size-1)/2)]
 *        clipped to [0, C), in increasing c', in double;
 *   y  = (float)(x / pow(bias + alpha / size * sq, beta)).
 */
#ifndef TERN_KERNELS_REF_NORM_F32_H
#define TERN_KERNELS_REF_NORM_F32_H

#include <stdint.h>

/* Each group's statistics, optionally written out (LayerNormalization's
 * Mean and InvStdDev outputs): tensors of X's rank with dims [axis, rank)
 * equal to 1, addressed through their own strides; NULL when not wanted. */
typedef struct tern_norm_stats {
    float *mean, *inv_std;
    const int64_t *mean_strides, *inv_strides;
} tern_norm_stats;

/* Normalize groups as described above. rank >= 1, 0 <= axis < rank. bias
 * may be NULL (0), stats may be NULL. */
void tern_norm_f32(int rank, const int64_t *dims, int axis, const float *x, const int64_t *xs,
                   const float *scale, const int64_t *ss, const float *bias, const int64_t *bs,
                   float *y, const int64_t *ys, double eps, const tern_norm_stats *stats);

/* LRN over a rank >= 2 tensor [N, C, ...]; size >= 1. */
void tern_lrn_f32(int rank, const int64_t *dims, const float *x, const int64_t *xs, float *y,
                  const int64_t *ys, int64_t size, double alpha, double beta, double bias);

#endif
