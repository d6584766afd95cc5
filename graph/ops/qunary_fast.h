/* QLinear table activations (HardSwish, Sigmoid, ... as a 256-byte table)
 * and QLinearGlobalAveragePool through the qs8 SIMD kernels of the
 * session's table (slots qs8_lut, qs8_gavgpool), when the layout lets them
 * run over contiguous memory; see qunary_fast.c. */
#ifndef TERN_OPS_QUNARY_FAST_H
#define TERN_OPS_QUNARY_FAST_H

#include "graph/op.h"
#include "kernels/ref/requant.h"

/* y = table[x + 128] over x's shape; x and y with element strides xs, ys.
 * Returns 1 if a kernel did it, 0 if the caller must run the reference. */
int tern_qlut_fast(const tern_graph *g, int rank, const int64_t *dims, const int8_t *x,
                   const int64_t *xs, const int8_t table[256], int8_t *y, const int64_t *ys);

/* Global average pool of x [N, C, spatial...] (strides xs) into y [N, C, 1...]
 * (strides ys). Returns 1 if a kernel did it, 0 otherwise. */
int tern_qgavgpool_fast(const tern_graph *g, int rank, const int64_t *dims, const int8_t *x,
                        const int64_t *xs, const tern_qs8_rescale *p, int8_t *y,
                        const int64_t *ys);

#endif
