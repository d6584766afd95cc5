/* What the Conv prepare step leaves in n->prepared for the SIMD paths
 * (graph/ops/conv_fast.c) and for the expand+depthwise fusion
 * (graph/ops/conv_fuse.c). Private to those two files. */
#ifndef TERN_CONV_FAST_H
#define TERN_CONV_FAST_H

#include "graph/ops/op_nn_util.h"

enum {
    PATH_GEMM_1X1 = TERN_CONV_PATH_GEMM_1X1,
    PATH_DW = TERN_CONV_PATH_DW,
    PATH_IM2COL = TERN_CONV_PATH_IM2COL
};

struct conv_fuse;

typedef struct conv_prep {
    int path;
    tern_gemm_plan gemm;                /* PATH_GEMM_1X1, PATH_IM2COL */
    const tern_f32_dwconv_ukernel *dw;  /* PATH_DW */
    const float *dw_packed;
    tern_f32_minmax mm;
    tern_act post;
    int skip;                      /* a 1x1 conv its depthwise consumer computes */
    const struct conv_fuse *fuse;  /* a depthwise conv that computes its producer */
} conv_prep;

/* For a depthwise node n (prepared p) that the fusion pass paired with the
 * 1x1 conv before it (a fourth input): the rings, p->fuse; marks the 1x1
 * conv's prep skip. */
tern_status tern_conv_fuse_prepare(tern_graph *g, tern_node *n, conv_prep *p, tern_err *err);
/* Run a fused depthwise node: in[3] is the 1x1 conv's input (in[0], the
 * expanded tensor, is never written: the fusion computes its rows in rings). */
void tern_conv_fuse_run(const tern_graph *g, const tern_node *n, const void *const *in, float *y);

#endif
