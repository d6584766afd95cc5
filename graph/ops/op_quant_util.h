/* Helpers shared by the integer ops (graph/ops/op_q*.c): reading and
 * checking quantization parameters from a node's constant inputs, and
 * building the kernels' requantization structs from them
 * (docs/quantization.md). Every scale, zero point and axis of a model is
 * untrusted: checked here once, when the session is created. */
#ifndef TERN_OP_QUANT_UTIL_H
#define TERN_OP_QUANT_UTIL_H

#include "graph/op.h"
#include "kernels/ref/requant.h"

/* Read the scale (input i_scale, float32 constant) and zero point (input
 * i_zp, optional: absent means 0 of the data's type `elem`) of a node into
 * q, arrays from g->pool. count_max: 1 for per-tensor parameters, else the
 * length the parameters may have along an axis (a per-axis pair has
 * exactly that many values; a one-element pair means per tensor). Checks:
 * scale finite and > 0, zero point of type elem and in its range, both
 * constant and of the same length. */
tern_status tern_q_read(tern_graph *g, const tern_node *n, int i_scale, int i_zp,
                        tern_dtype elem, int64_t count_max, tern_qparams *q, tern_err *err);

/* The dtype an 8-bit data input carries its zero point in: the zp input's
 * dtype when present, else def. */
tern_dtype tern_q_zp_type(const tern_graph *g, const tern_node *n, int i_zp, tern_dtype def);

/* Is dt one of the 8-bit activation types. */
static inline int tern_q_is8(tern_dtype dt) { return dt == TERN_INT8 || dt == TERN_UINT8; }

/* Error unless input i is int8 or uint8 (what = its name for the message). */
tern_status tern_q_need8(const tern_graph *g, const tern_node *n, int i, const char *what,
                         tern_err *err);

/* Attach a copy of q (arrays shared) to output i's tensor. 0 on OOM. */
int tern_q_set_out(tern_graph *g, const tern_node *n, int i, const tern_qparams *q);

/* The output clamp [qmin, qmax] of an int8 output at (s_y, z_y) with the
 * node's fused activation (n->act: none, Relu or Clip; docs section 3). */
void tern_q_act_range(const tern_act *act, float s_y, int32_t z_y, int32_t *qmin, int32_t *qmax);

/* Per-output-channel dot-product parameters: requant[c] from
 * (s_x, s_w[c or 0], s_y), w_zero_point[c], with the clamp of the node's
 * act. Arrays from g->pool; NULL on OOM. */
tern_requant_fp32 *tern_q_dot_requant(tern_graph *g, const tern_node *n, const tern_qparams *x,
                                      const tern_qparams *w, const tern_qparams *y, int64_t c_out);
int32_t *tern_q_w_zero_points(tern_graph *g, const tern_qparams *w, int64_t c_out);

/* Charge bytes of tables or packed weights an op keeps to the session's
 * budget and allocate them from the pool; NULL with err set when over. */
void *tern_q_alloc(tern_graph *g, size_t bytes, tern_err *err);

#endif
