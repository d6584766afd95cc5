/* QLinearAdd / QLinearMul through the qs8 SIMD kernels of the session's
 * table when the operands are a plain elementwise pair or a per-channel
 * broadcast (the squeeze-excite gate); see qbinary_fast.c. */
#ifndef TERN_OPS_QBINARY_FAST_H
#define TERN_OPS_QBINARY_FAST_H

#include "graph/op.h"
#include "kernels/ref/qs8_vadd_fp32.h"
#include "kernels/ref/qs8_vmul_fp32.h"

/* y = a op b over y's shape (rank, dims, element strides ys; a and b with
 * broadcast strides as, bs). Returns 1 if a kernel did it, 0 if the caller
 * must run the reference (no kernel, or a pattern the kernels do not
 * take). add or mul is NULL. */
int tern_qbinary_fast(const tern_graph *g, int rank, const int64_t *dims, const int8_t *a,
                      const int64_t *as, const int8_t *b, const int64_t *bs, int8_t *y,
                      const int64_t *ys, const tern_qs8_vadd_params *add,
                      const tern_qs8_vmul_params *mul);

/* Whether a tensor with strides ys is dense and another with strides xs
 * (same shape) lies element for element as it does: one flat loop over
 * numel elements then covers both. */
int tern_q_same_dense(int rank, const int64_t *dims, const int64_t *xs, const int64_t *ys);

#endif
