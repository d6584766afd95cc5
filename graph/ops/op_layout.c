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

static tern_status relayout_infer(tern_graph *g, tern_node *n, tern_err *err) {
    (void)g;
    (void)n;
    (void)err;
    return TERN_OK; /* made by the layout pass with the output already set */
}

/* Walk the output in memory order; find each element in the input through
 * the input's logical strides. */
static tern_status relayout_run(const tern_graph *g, const tern_node *n, const void *const *in,
                                void *const *out, tern_err *err) {
    (void)err;
    const tern_tensor *x = tern_in(g, n, 0), *y = tern_out(g, n, 0);
    size_t es = tern_dtype_size(y->dtype);
    int64_t xs[TERN_MAX_RANK], ys[TERN_MAX_RANK];
    int r = tern_tensor_strides(x, xs);
    tern_tensor_strides(y, ys);
    int64_t total = tern_tensor_numel(y);
    if (in[0] == out[0]) return TERN_OK;
    if (x->layout == y->layout) {
        memcpy(out[0], in[0], (size_t)total * es);
        return TERN_OK;
    }
    /* order output axes by decreasing output stride = memory order */
    int ax[TERN_MAX_RANK];
    for (int i = 0; i < r; i++) ax[i] = i;
    for (int i = 0; i < r; i++)
        for (int j = i + 1; j < r; j++)
            if (ys[ax[j]] > ys[ax[i]]) {
                int tmp = ax[i];
                ax[i] = ax[j];
                ax[j] = tmp;
            }
    int64_t idx[TERN_MAX_RANK] = {0};
    const unsigned char *src = in[0];
    unsigned char *dst = out[0];
    for (int64_t e = 0; e < total; e++) {
        int64_t off = 0;
        for (int i = 0; i < r; i++) off += idx[i] * xs[i];
        memcpy(dst + (size_t)e * es, src + (size_t)off * es, es);
        for (int k = r - 1; k >= 0; k--) { /* odometer over memory order */
            int a = ax[k];
            if (++idx[a] < x->dims[a]) break;
            idx[a] = 0;
        }
    }
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
