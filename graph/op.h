/* The operator table: what the engine knows about each ONNX op.
 *
 * An op has two halves:
 *  - infer: validates the node (input count, dtypes, attributes, which inputs
 *    must be constant), parses attributes into n->params (allocated from
 *    g->pool) and sets each output's dtype, rank and logical dims. It may read
 *    constant inputs (g->tensors[i].data). Runs once per session, before any
 *    pass, on plain-layout tensors.
 *  - run: computes outputs from inputs. in[i]/out[i] point at the data of
 *    n->inputs[i]/n->outputs[i] (NULL for an absent optional input). Shapes
 *    come from g->tensors; layout from tensor.layout (index through
 *    tern_tensor_strides, which works in any layout). run only fails on bad *data* (e.g. a Gather
 *    index out of range), never on something infer could have checked.
 *
 * The pure math lives in kernels/ref (the specification); the op files in
 * graph/ops glue the node to those kernels.
 */
#ifndef TERN_OP_H
#define TERN_OP_H

#include "graph/ir.h"

/* op flags */
#define TERN_OP_NO_FOLD 1u       /* never evaluated by constant folding */
#define TERN_OP_VIEW 2u          /* output 0 holds input 0's bytes unchanged (Reshape,
                                    Flatten, Identity...): the planner may alias them when
                                    both are plain */
#define TERN_OP_LAYOUT_NATIVE 4u /* Conv, pools, BN: output 0 is made channels-last by the
                                    layout pass; run must accept any input layout */
#define TERN_OP_ANY_LAYOUT 8u    /* run indexes every input and output through
                                    tern_tensor_strides, so any layout works; output 0
                                    follows the layout of the inputs (elementwise, Pad,
                                    Concat, Transpose, ReduceMean, Softmax...) */
#define TERN_OP_FOLD_ON_SHAPE 16u /* output depends only on input shapes (Shape, Size):
                                    folded even when the input is not constant */

/* Ops with neither LAYOUT_NATIVE nor ANY_LAYOUT only ever see plain tensors:
 * the layout pass converts channels-last inputs for them. */

/* Most inputs/outputs one node may have (Concat, Sum, Split...): the
 * executor keeps their pointers on its stack. Checked when a session is made. */
#define TERN_MAX_NODE_IO 256

typedef struct tern_op {
    const char *type;   /* ONNX op_type */
    const char *domain; /* "" for ai.onnx, "com.microsoft", ... */
    unsigned flags;
    tern_status (*infer)(tern_graph *g, tern_node *n, tern_err *err);
    tern_status (*run)(const tern_graph *g, const tern_node *n, const void *const *in,
                       void *const *out, tern_err *err);} tern_op;

/* An op's prepare step: once per session after layouts and the memory plan
 * are fixed, packs weights for g->kern's micro-kernels into n->prepared,
 * charging every byte to g->packed_bytes (tern_budget_charge) first.
 * Leaving n->prepared NULL means run uses the reference kernel. Ops that
 * have one are listed in graph/ops/prepare.c (a table beside tern_op, so
 * the op definitions keep their four fields). NULL if op has none. */
typedef tern_status (*tern_prepare_fn)(tern_graph *g, tern_node *n, tern_err *err);
tern_prepare_fn tern_op_prepare(const tern_op *op);

/* Find an op by type and domain ("" and "ai.onnx" are the same). NULL if none. */
const tern_op *tern_op_find(const char *type, const char *domain);

/* Every op file defines one or more `const tern_op tern_op_<Name>` and lists
 * them in graph/ops/registry.c. */

/* ---- helpers for infer functions (graph/ops/op_util.c) ---- */

/* Check input/output counts; absent optional inputs are -1. */
tern_status tern_check_arity(const tern_graph *g, const tern_node *n, int min_in, int max_in,
                             int min_out, int max_out, tern_err *err);
/* The tensor of input i, or NULL if absent (i >= n_inputs or -1). */
tern_tensor *tern_in(const tern_graph *g, const tern_node *n, int i);
tern_tensor *tern_out(const tern_graph *g, const tern_node *n, int i);
/* Set output i's dtype and dims. */
void tern_set_out(tern_graph *g, const tern_node *n, int i, tern_dtype dt, int rank,
                  const int64_t *dims);
/* Read a constant integer input (INT64 or INT32) of at most cap values into
 * vals; *count gets the number. Error if not constant. */
tern_status tern_const_ints(const tern_graph *g, const tern_node *n, int i, int64_t *vals,
                            int cap, int *count, tern_err *err);
/* Read a constant scalar float input (FLOAT, DOUBLE or FLOAT16). */
tern_status tern_const_float(const tern_graph *g, const tern_node *n, int i, float *val,
                             tern_err *err);
/* Numpy broadcast of two shapes; error if incompatible. */
tern_status tern_broadcast_shape(int ra, const int64_t *a, int rb, const int64_t *b, int *rout,
                                 int64_t *out, tern_err *err);
/* Normalize a possibly negative axis against rank; error if out of range. */
tern_status tern_norm_axis(int64_t axis, int rank, int *out, tern_err *err);

#endif
