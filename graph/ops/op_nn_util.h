/* Helpers shared by the conv/pool/normalization/gemm/activation op files.
 * Mainly the sliding-window attributes of Conv, MaxPool and AveragePool
 * (kernel_shape, strides, dilations, pads, auto_pad, ceil_mode) resolved
 * against a known input shape into a tern_conv_geom. */
#ifndef TERN_OP_NN_UTIL_H
#define TERN_OP_NN_UTIL_H

#include "graph/op.h"
#include "kernels/ref/conv_f32.h"

/* Largest size/stride/pad/dilation accepted, so that index arithmetic can
 * never overflow int64. */
#define TERN_WINDOW_MAX ((int64_t)1 << 30)

/* Resolve the window of a node whose input has nsp (1..3) spatial dims
 * in_sp and whose kernel is kernel (from W or kernel_shape). Fills
 * g->in/out/kernel/stride/dil/pad_begin/pad_end (the geometry is 3-D: a 2-D
 * window gets depth 1, a 1-D one depth and height 1). allow_dil: 0 rejects
 * dilations other than 1. */
tern_status tern_window_resolve(const tern_node *n, int nsp, const int64_t *in_sp,
                                const int64_t *kernel, int ceil_mode, int allow_dil,
                                tern_conv_geom *geom, tern_err *err);

/* Read an optional INTS attribute of exactly count values, each >= min and
 * <= TERN_WINDOW_MAX, into v; when absent, v is filled with dflt. */
tern_status tern_window_ints(const tern_node *n, const char *name, int count, int64_t min,
                             int64_t dflt, int64_t *v, tern_err *err);

/* The ai.onnx opset of g, with 0 (not imported) read as "latest". */
int64_t tern_graph_opset(const tern_graph *g);

/* "float32 only" check for an op's input i, naming the dtype it got. */
tern_status tern_require_f32(const tern_graph *g, const tern_node *n, int i, const char *what,
                             tern_err *err);

/* Fill s[5] with the (N, C, D, H, W) strides of a rank-3..5 tensor; the
 * missing leading spatial axes (size 1) get stride 0. */
void tern_strides_ncdhw(const tern_tensor *t, int64_t s[5]);

/* Output dims [N, C, out...] of a window op on a rank-r input. */
void tern_window_out_dims(const tern_conv_geom *g, int rank, int64_t c, int64_t *dims);

/* Conv and ConvTranspose inputs X, W, optional B: float32, X of rank 3..5
 * with W of the same rank, no unknown or empty dim (but a batch of 0), and
 * no dims whose product overflows. The channel checks differ per op. */
tern_status tern_check_conv_xwb(const tern_graph *g, const tern_node *n, tern_err *err);

/* Conv on the SIMD kernels (graph/ops/conv_fast.c): prepare packs the
 * weights when a path fits (else n->prepared stays NULL), run computes. */
tern_status tern_conv_prepare(tern_graph *g, tern_node *n, tern_err *err);
void tern_conv_fast_run(const tern_graph *g, const tern_node *n, const float *x, float *y);

#endif
