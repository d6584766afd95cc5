/* Reference integer Clip / Relu over tensors of any layout:
 *   y = min(max(x, lo), hi)          (Relu is lo = 0, hi = the type's max)
 * for INT8, UINT8, INT32 and INT64 data; lo/hi are given in int64 and must
 * lie within the type's range. */
#ifndef TERN_KERNELS_REF_CLIP_INT_H
#define TERN_KERNELS_REF_CLIP_INT_H

#include <stdint.h>

#include "tern.h"

/* Whether tern_clip_int handles dt. */
int tern_clip_int_supports(tern_dtype dt);

/* The smallest and largest value of integer type dt. */
void tern_int_range(tern_dtype dt, int64_t *lo, int64_t *hi);

void tern_clip_int(tern_dtype dt, int rank, const int64_t *dims, const void *x, const int64_t *xs,
                   void *y, const int64_t *ys, int64_t lo, int64_t hi);

#endif
