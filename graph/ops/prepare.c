/* Which ops pack weights for the SIMD kernels when a session is created
 * (graph/op.h, tern_prepare_fn): one row per op. */
#include "graph/ops/op_nn_util.h"

extern const tern_op tern_op_Conv;
extern const tern_op tern_op_Gemm;
extern const tern_op tern_op_QLinearConv;
tern_status tern_qconv_prepare(tern_graph *g, tern_node *n, tern_err *err);

static const struct {
    const tern_op *op;
    tern_prepare_fn fn;
} PREPARE[] = {
    {&tern_op_Conv, tern_conv_prepare},
    {&tern_op_Gemm, tern_gemm_prepare},
    {&tern_op_QLinearConv, tern_qconv_prepare},
};

tern_prepare_fn tern_op_prepare(const tern_op *op) {
    for (size_t i = 0; i < sizeof PREPARE / sizeof PREPARE[0]; i++)
        if (PREPARE[i].op == op) return PREPARE[i].fn;
    return NULL;
}
