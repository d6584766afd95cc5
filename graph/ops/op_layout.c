/* Internal ops that the layout pass inserts; they never come from a file.
 *  tern.Relayout:      copy input 0 into output 0, which has the same logical
 *                      shape but another layout (a strided gather).
 *  tern.TransposeView: a Transpose whose output bytes equal its input bytes
 *                      in the layouts chosen (the NHWC->NCHW Transpose at the
 *                      input of TFLite-derived models when the engine runs
 *                      channels-last): the planner aliases it, so it costs
 *                      nothing; run copies only if it was not aliased. */
#include <string.h>

#include "graph/op.h"
#include "graph/ops/op_layout.h"
#include "kernels/ref/walk.h"

static tern_status relayout_infer(tern_graph *g, tern_node *n, tern_err *err) {
    (void)g;
    (void)n;
    (void)err;
    return TERN_OK; /* made by the layout pass with the output already set */
}

/* A strided copy: the walk follows the output's memory order. */
static tern_status relayout_run(const tern_graph *g, const tern_node *n, const void *const *in,
                                void *const *out, tern_err *err) {
    (void)err;
    const tern_tensor *x = tern_in(g, n, 0), *y = tern_out(g, n, 0);
    if (in[0] == out[0]) return TERN_OK;
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    tern_tensor_strides(x, xs);
    tern_tensor_strides(y, ys);
    tern_ref_copy_strided(tern_dtype_size(y->dtype), y->rank, y->dims, out[0], ys, in[0], xs);
    return TERN_OK;
}

const tern_op tern_op_Relayout = {"Relayout", "tern.internal", TERN_OP_ANY_LAYOUT | TERN_OP_NO_FOLD,
                                  relayout_infer, relayout_run};

/* Same copy as Relayout but through the Transpose's permutation. */
static tern_status tview_run(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    (void)err;
    if (in[0] == out[0]) return TERN_OK;
    const tern_tensor *y = tern_out(g, n, 0);
    memcpy(out[0], in[0], tern_tensor_bytes(y)); /* bytes are identical by construction */
    return TERN_OK;
}

const tern_op tern_op_TransposeView = {"TransposeView", "tern.internal",
                                       TERN_OP_VIEW | TERN_OP_ANY_LAYOUT | TERN_OP_NO_FOLD,
                                       relayout_infer, tview_run};
