/* Internal layout ops (graph/ops/op_layout.c), used by the layout pass. */
#ifndef TERN_OP_LAYOUT_H
#define TERN_OP_LAYOUT_H
#include "graph/op.h"
extern const tern_op tern_op_Relayout;
extern const tern_op tern_op_TransposeView;
#endif
