/* Reductions (ReduceSum/Mean/Max/Min) in any layout.
 *
 * The input is walked in its memory order; each input position adds into
 * the output element whose strides so[] give (0 on reduced axes). The
 * output buffer holds out_numel elements in whatever layout so describes.
 * Empty reductions: Sum 0, Mean NaN (0/0), Max -inf, Min +inf. Max/Min
 * propagate NaN. */
#ifndef TERN_REF_REDUCE_H
#define TERN_REF_REDUCE_H

#include <stdint.h>

typedef enum tern_reduce_op {
    TERN_REDUCE_SUM,
    TERN_REDUCE_MEAN,
    TERN_REDUCE_MAX,
    TERN_REDUCE_MIN
} tern_reduce_op;

/* dims/si: the input's logical dims and element strides; so: the element
 * stride in out of each *input* axis (0 where the axis is reduced);
 * count: how many inputs fold into one output (for Mean). */
void tern_ref_reduce_f32(tern_reduce_op op, int rank, const int64_t *dims, const float *in,
                         const int64_t *si, float *out, const int64_t *so, int64_t out_numel,
                         int64_t count);
/* Sum, Max, Min on int64 (Sum wraps; Mean is the truncated quotient, 0 if empty). */
void tern_ref_reduce_i64(tern_reduce_op op, int rank, const int64_t *dims, const int64_t *in,
                         const int64_t *si, int64_t *out, const int64_t *so, int64_t out_numel,
                         int64_t count);

#endif
