/* Binding a session's inputs before shape inference (graph/bind.c): the
 * caller's dims for dynamic input dims (by input, and through shared
 * dim_param names), the batch for a still-dynamic leading dim, and inputs
 * fixed to constant values. After binding every input has a static shape,
 * so inference, folding and the memory plan see one static graph. */
#ifndef TERN_BIND_H
#define TERN_BIND_H

#include "graph/ir.h"

/* Fix the dynamic dims of g's inputs: first from shapes (by input name;
 * a static dim must equal the given value), then any dim whose dim_param
 * was bound elsewhere, then a dynamic first dim takes batch. Anything still
 * dynamic is an error listing every unbound dim. */
tern_status tern_bind_shapes(tern_graph *g, const tern_input_shape *shapes, int n_shapes,
                             int batch, tern_err *err);

/* Turn the named graph inputs into constants holding the caller's data. */
tern_status tern_bind_constants(tern_graph *g, const tern_binding *b, int nb, tern_err *err);

#endif
