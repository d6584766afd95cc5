/* Elementwise arithmetic, reductions, shape and data-movement ops:
 * OP(Name) for each `tern_op_Name` (graph/ops/registry.c). */
