/* Elementwise arithmetic, reductions, shape and data-movement ops:
 * OP(Name) for each `tern_op_Name` (graph/ops/registry.c). */
/* op_binary.c */
OP(Add) OP(Sub) OP(Mul) OP(Div) OP(Pow) OP(Mod) OP(Max) OP(Min) OP(Sum) OP(Mean)
OP(Equal) OP(Less) OP(LessOrEqual) OP(Greater) OP(GreaterOrEqual)
OP(And) OP(Or) OP(Xor) OP(Where)
/* op_unary.c */
OP(Neg) OP(Abs) OP(Sqrt) OP(Exp) OP(Log) OP(Reciprocal) OP(Floor) OP(Ceil) OP(Round)
OP(Erf) OP(Sign) OP(Sin) OP(Cos) OP(Not) OP(Tan) OP(Asin) OP(Acos) OP(Atan) OP(Sinh)
OP(Cosh) OP(Asinh) OP(Acosh) OP(Atanh) OP(IsNaN) OP(IsInf)
/* op_reduce.c */
OP(ReduceSum) OP(ReduceMean) OP(ReduceMax) OP(ReduceMin) OP(ReduceProd) OP(ReduceL1)
OP(ReduceL2) OP(ReduceSumSquare) OP(ReduceLogSum) OP(ReduceLogSumExp) OP(ArgMax) OP(ArgMin)
OP(Hardmax)
/* op_shape.c */
OP(Reshape) OP(Flatten) OP(Squeeze) OP(Unsqueeze) OP(Identity) OP(Dropout)
OP(Shape) OP(Size) OP(Constant) OP(ConstantOfShape) OP(Range) OP(Expand)
/* op_data.c */
OP(Transpose) OP(Concat) OP(Gather) OP(Slice) OP(Split) OP(Pad) OP(Tile) OP(Cast) OP(CastLike)
OP(DepthToSpace) OP(SpaceToDepth)
/* op_resize.c */
OP(Resize) OP(Upsample)
/* op_index.c */
OP(GatherElements) OP(ScatterElements) OP(Scatter) OP(GatherND) OP(ScatterND) OP(Trilu)
OP(CumSum) OP(OneHot) OP(TopK) OP(ReverseSequence) OP(EyeLike)
/* op_grid_sample.c */
OP(GridSample)
