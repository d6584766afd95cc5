/* Conv-family, pooling, normalization, Gemm/MatMul and activations:
 * OP(Name) for each `tern_op_Name` (graph/ops/registry.c). */
OP(Conv)
