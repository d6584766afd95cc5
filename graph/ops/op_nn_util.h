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

/* The FP32 GEMM driver (graph/ops/gemm_fast.c) on g->kern.f32_gemm, for
 * Conv and Gemm: weights packed once, y = act(a x W + bias) split over the
 * session's threads (bit-identical at any count). */
/* The least work (multiply-accumulates) worth one task on the thread pool:
 * handing a task over costs about a microsecond, tens of thousands of MACs,
 * so tiny layers (MobileNetV3's squeeze-excite convs) stay on one thread. */
#define TERN_MIN_TASK_MACS ((int64_t)1 << 16)

typedef struct tern_gemm_plan {
    const tern_f32_gemm_ukernel *uk;
    const float *packed;
    tern_f32_minmax mm; /* the clamp part of the activation */
    tern_act post;      /* the rest (hardswish...), run on each finished row */
    int64_t k, n;
} tern_gemm_plan;
/* An activation as a clamp plus what remains for a vector pass; the pass. */
void tern_act_split(const tern_act *a, tern_f32_minmax *mm, tern_act *post);
void tern_act_post(const tern_kernels *k, const tern_act *post, float *y, size_t n);
/* Charge and allocate the packed weights of a k x n GEMM (filled by the
 * caller in tern_f32_gemm_pack's layout), set up plan. */
tern_status tern_gemm_plan_alloc(tern_graph *g, const tern_act *act, int64_t k, int64_t n,
                                 tern_gemm_plan *plan, float **packed, tern_err *err);
/* The same, packing w (element (kk, j) at w[kk * wk + j * wn]) and bias. */
tern_status tern_gemm_plan_make(tern_graph *g, const tern_act *act, int64_t k, int64_t n,
                                const float *w, ptrdiff_t wk, ptrdiff_t wn, const float *bias,
                                tern_gemm_plan *plan, tern_err *err);
/* y[m, n] (row stride y_stride) from a[m, k] (row stride a_stride). */
void tern_gemm_plan_run(const tern_graph *g, const tern_gemm_plan *p, int64_t m, const float *a,
                        size_t a_stride, float *y, size_t y_stride);

/* Which SIMD path a Conv node takes with g->kern (graph/ops/conv_fast.c):
 * 0 (the reference) or one of these. Needs the layouts. */
enum { TERN_CONV_PATH_GEMM_1X1 = 1, TERN_CONV_PATH_DW, TERN_CONV_PATH_IM2COL };
int tern_conv_fast_path(const tern_graph *g, const tern_node *n);

/* Gemm's prepare step (graph/ops/op_gemm.c). */
tern_status tern_gemm_prepare(tern_graph *g, tern_node *n, tern_err *err);

/* Conv on the SIMD kernels (graph/ops/conv_fast.c): prepare packs the
 * weights when a path fits (else n->prepared stays NULL), run computes. */
tern_status tern_conv_prepare(tern_graph *g, tern_node *n, tern_err *err);
void tern_conv_fast_run(const tern_graph *g, const tern_node *n, const void *const *in, float *y);

/* Float Add/Mul (mul = 1) and GlobalAveragePool on the SIMD kernels
 * (graph/ops/elementwise_fast.c) when the shapes fit; 0: not handled, run
 * the reference. Bit-identical to it either way. */
int tern_binary_fast(const tern_graph *g, const tern_node *n, int mul, const void *const *in,
                     void *const *out);
int tern_gap_fast(const tern_graph *g, const tern_node *n, const void *const *in,
                  void *const *out);

#endif
