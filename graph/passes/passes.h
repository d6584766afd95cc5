/* Graph passes. Each pass is one file, takes a graph whose shapes are
 * inferred (every node has n->op and n->params set, constants folded) and
 * rewrites it in place: a removed node is marked dead (tern_graph_compact
 * drops it afterwards), a removed tensor is simply no longer referenced.
 * Each pass fills a tern_pass_report that `tern info --passes` prints. */
#ifndef TERN_PASSES_H
#define TERN_PASSES_H

#include "graph/ir.h"

typedef struct tern_pass_report {
    const char *name;          /* pass name, e.g. "fold-batchnorm" */
    int nodes_before, nodes_after;
    int changes;               /* how many rewrites the pass made */
    char detail[512];          /* what was folded/fused, short, human-readable */
} tern_pass_report;

/* Append to r->detail, truncating quietly. */
void tern_report_note(tern_pass_report *r, const char *fmt, ...) TERN_PRINTF(2, 3);

/* Shape inference with constant folding (graph/passes/pass_infer.c): infers
 * every node in order and evaluates nodes whose inputs are all constant,
 * including the Shape->Gather->Unsqueeze->Concat->Reshape chains. */
tern_status tern_pass_infer_fold(tern_graph *g, tern_pass_report *r, tern_err *err);
/* Evaluate node i (all inputs constant) now: its outputs become constants
 * (charged to the memory budget), the node dead. */
tern_status tern_fold_node(tern_graph *g, int i, tern_err *err);
/* After the qdq pass: a DequantizeLinear of a constant that no integer node
 * took (the weights of an op left in float) becomes a float constant, so
 * it is not dequantized again on every run. */
tern_status tern_pass_fold_const_dq(tern_graph *g, tern_pass_report *r, tern_err *err);
/* uint8 constants and zero points of the quantized ops -> int8 (x ^ 0x80),
 * then re-inference: every 8-bit activation is int8 (pass_quant_import.c).
 * Always on. */
tern_status tern_pass_quant_import(tern_graph *g, tern_pass_report *r, tern_err *err);
/* DequantizeLinear -> float op -> QuantizeLinear groups -> integer ops
 * (pass_qdq.c). */
tern_status tern_pass_qdq(tern_graph *g, tern_pass_report *r, tern_err *err);
/* Identity and Dropout (inference) removal. */
tern_status tern_pass_remove_identity(tern_graph *g, tern_pass_report *r, tern_err *err);
/* MatMul (2-D constant B) followed by Add of a bias -> Gemm. */
tern_status tern_pass_matmul_add(tern_graph *g, tern_pass_report *r, tern_err *err);
/* Conv followed by BatchNormalization -> Conv with folded weights/bias. */
tern_status tern_pass_fold_batchnorm(tern_graph *g, tern_pass_report *r, tern_err *err);
/* A constant Add after a Conv/Gemm (per channel or scalar), the Conv/Gemm
 * output read by nothing else -> the Conv/Gemm's bias. */
tern_status tern_pass_fold_add_bias(tern_graph *g, tern_pass_report *r, tern_err *err);
/* A constant zero Pad (spatial axes only) in front of a Conv or an
 * AveragePool -> that node's pads. */
tern_status tern_pass_fold_pad(tern_graph *g, tern_pass_report *r, tern_err *err);
/* TFLite's hard sigmoid, [Add(c) ->] Clip(0, H) -> Mul(m) or Div(1/m) with
 * H*m = 1 -> HardSigmoid(alpha m, beta c*m) (then fused like one). */
tern_status tern_pass_hard_sigmoid(tern_graph *g, tern_pass_report *r, tern_err *err);
/* Transpose followed by a Transpose that undoes it -> nothing. */
tern_status tern_pass_cancel_transposes(tern_graph *g, tern_pass_report *r, tern_err *err);
/* Relu, Clip, HardSigmoid, HardSwish, x*HardSigmoid(x), Sigmoid, x*Sigmoid(x),
 * LeakyRelu, Tanh after a Conv/Gemm -> the Conv/Gemm's fused act. */
tern_status tern_pass_fuse_activation(tern_graph *g, tern_pass_report *r, tern_err *err);
/* Assign channels-last layout and insert layout conversions (pass_layout.c). */
tern_status tern_pass_layout(tern_graph *g, tern_pass_report *r, tern_err *err);
/* After the layout, with g->kern filled: a 1x1 Conv whose only reader is
 * the depthwise Conv right after it is computed by that Conv row by row
 * (graph/ops/conv_fuse.c); the depthwise node gets the 1x1 conv's input as
 * a fourth input (so the plan keeps it alive) and the 1x1 node is marked
 * fused_into_next. */
tern_status tern_pass_fuse_expand_dw(tern_graph *g, tern_pass_report *r, tern_err *err);

/* Helpers for passes (graph/passes/pass_util.c). The queries answer from
 * an index of readers and writers (graph/graph_index.h), so asking once per
 * node keeps a pass O(n). Change existing nodes' inputs/outputs through
 * these helpers (or mark nodes dead; undo that with tern_node_revive); a
 * pass that writes those arrays directly calls tern_graph_index_drop(g)
 * afterwards. */
/* Replace every use of tensor `from` (node inputs, graph outputs) by `to`. */
void tern_replace_uses(tern_graph *g, int from, int to);
/* The single live consumer node of tensor t, or -1 if none or several, or t
 * is a graph output. *slot gets the input position. */
int tern_single_consumer(const tern_graph *g, int t, int *slot);
/* Live nodes reading tensor t: the number of reads (a node reading t twice
 * counts twice); the first cap reading nodes, in node order, into nodes. */
int tern_consumers(const tern_graph *g, int t, int *nodes, int cap);
/* Add a new constant tensor with the given data copied into g->pool. */
int tern_add_const(tern_graph *g, const char *name, tern_dtype dt, int rank, const int64_t *dims,
                   const void *data);

/* 1 if n is a live ai.onnx node of the given op type. */
int tern_node_is(const tern_node *n, const char *op_type);
/* The live node that writes tensor t, or -1 (input, constant, nothing). */
int tern_producer(const tern_graph *g, int t);
/* Number of live nodes. */
int tern_live_nodes(const tern_graph *g);
/* Tensor `removed` is about to lose its producer and carries the same values
 * as `kept`: make readers of `removed` read `kept`. Graph outputs keep their
 * tensor, so when `removed` is a graph output, `kept`'s producer writes
 * `removed` instead and `kept`'s readers move to it. Returns 0 and changes
 * nothing when that is impossible (kept is a graph input, a constant or a
 * graph output itself). */
int tern_redirect_tensor(tern_graph *g, int removed, int kept);
/* Clear node i's dead mark (a rewrite that turned out impossible). */
void tern_node_revive(tern_graph *g, int node);
/* Give node i new input/output arrays (from g->pool; never grown in place,
 * the arrays may be shared with the model). Return 0 on OOM. */
int tern_set_inputs(tern_graph *g, int node, const int *inputs, int count);
int tern_set_outputs(tern_graph *g, int node, const int *outputs, int count);
/* Re-run the node's infer after a rewrite changed its inputs or outputs. */
tern_status tern_reinfer(tern_graph *g, int node, tern_err *err);
/* Element i of float32 data (memcpy: constant data may be unaligned). */
float tern_f32_at(const void *data, int64_t i);
/* A constant float32 tensor with exactly n elements, or NULL. */
const tern_tensor *tern_const_f32(const tern_graph *g, int t, int64_t n);
/* Give node i a new attribute array (from g->pool) where attribute a
 * replaces the one of the same name, or is added. 0 on OOM. */
int tern_set_attr(tern_graph *g, int node, const tern_attr *a);
/* Clip's bounds: attributes before opset 11, constant inputs from 11 on; an
 * absent bound is -inf/+inf. 0 if a bound is not a constant. */
int tern_clip_bounds(const tern_graph *g, const tern_node *n, float *lo, float *hi);
/* The value of a one-element constant float32 tensor t: 1, or 0 if t is not. */
int tern_const_scalar(const tern_graph *g, int t, float *v);
/* Start/finish a pass report: name, live node counts. */
void tern_report_begin(tern_pass_report *r, const char *name, const tern_graph *g);
void tern_report_end(tern_pass_report *r, const tern_graph *g);

#endif
