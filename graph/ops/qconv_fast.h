/* Integer convolutions through the SIMD micro-kernels of the session's
 * table (g->kern.qs8_gemm, g->kern.qs8_dwconv); see qconv_fast.c. */
#ifndef TERN_OPS_QCONV_FAST_H
#define TERN_OPS_QCONV_FAST_H

#include "graph/op.h"
#include "kernels/ref/geom.h"
#include "kernels/ref/requant.h"

/* What the kernels need of a QLinearConv: its geometry, dot-product
 * parameters and int8 weights (w: [c_out][kd][kh][kw][c_in/group] with
 * element strides ws as op_qconv.c keeps them, or the file's layout for
 * depthwise). */
typedef struct tern_qconv_desc {
    const tern_conv_geom *geom;
    const tern_qs8_dot_params *dot;
    const int8_t *w;
    const int64_t *ws;
    int depthwise;
} tern_qconv_desc;

/* Pick a path and pack the weights once into n->prepared; leaves it NULL
 * (the reference runs) when no kernel fits. */
tern_status tern_qconv_fast_prepare(tern_graph *g, tern_node *n, const tern_qconv_desc *d,
                                    tern_err *err);

/* Run a prepared node: x and y int8 in the node's tensors' layouts. */
void tern_qconv_fast_run(const tern_graph *g, const tern_node *n, const int8_t *x, int8_t *y);

#endif
