/* Helpers shared by the tensor ops (op_binary.c, op_unary.c, op_reduce.c,
 * op_shape.c, op_data.c): static-shape checks, broadcast strides, reading
 * axes from an attribute or a constant input. */
#ifndef TERN_OP_TENSOR_UTIL_H
#define TERN_OP_TENSOR_UTIL_H

#include "graph/op.h"

/* Error unless every dim of input i is known (>= 0) and the product of its
 * nonzero dims fits int64 (so does any product of a subset of its dims). */
tern_status tern_need_static(const tern_graph *g, const tern_node *n, int i, tern_err *err);

/* Error unless output i has a computable element count and byte size, and
 * the product of its nonzero dims fits int64 (see tern_need_static). */
tern_status tern_check_out(const tern_graph *g, const tern_node *n, int i, tern_err *err);

/* Element strides of t seen through a broadcast to rank dims (aligned on
 * the right): axes t does not have or has as 1 get stride 0. t's layout is honoured. */
void tern_bcast_strides(const tern_tensor *t, int rank, int64_t *st);

/* Axes of a node from attribute `attr` (opset < from_opset) or from
 * constant input `input` (opset >= from_opset). *present is 0 when neither
 * is given. Values are not normalized. */
tern_status tern_read_axes(const tern_graph *g, const tern_node *n, const char *attr, int input,
                           int64_t from_opset, int64_t *axes, int cap, int *count, int *present,
                           tern_err *err);

/* Normalize count axes against rank into mask (1 per listed axis); error
 * on out-of-range or repeated axes. */
tern_status tern_axes_mask(const int64_t *axes, int count, int rank, int *mask, tern_err *err);

/* Dtype checks: "is one of the types the arithmetic kernels handle". */
int tern_is_numeric(tern_dtype dt); /* float32, int32, int64 */
/* numeric or one of the slow-path types of tern_ref_binary_other (int8,
 * uint8, float16, float64) */
int tern_is_binary_dtype(tern_dtype dt);

/* Product of dims[from..to): the outer/inner counts of an axis view.
 * Never overflows for a tensor that passed tern_need_static. */
int64_t tern_dims_prod(const int64_t *dims, int from, int to);

/* *out = a * b for dims a, b >= 0; 0 (and *out untouched) if that
 * overflows int64. Shape products must use it wherever a zero dim or a
 * product of two operands' dims can exceed what either tensor holds. */
int tern_mul_dims(int64_t a, int64_t b, int64_t *out);

/* A float32 Pad node after infer that pads with the constant 0 (either
 * sign): 1, with begin/end filled per axis (negative values crop); else 0.
 * For the pass that folds such Pads into the next Conv's pads. */
int tern_pad_is_zero(const tern_graph *g, const tern_node *n, int64_t *begin, int64_t *end);

/* Copy nbytes unless src and dst are the same buffer (views). */
void tern_copy_view(void *dst, const void *src, size_t nbytes);

#endif
