/* GridSample (opset 16: 4-D input, grid [N, H_out, W_out, 2]) on plain
 * float32 tensors; the math is kernels/ref/grid_sample.h. Opset 20's
 * "linear"/"cubic" mode names are accepted; its N-D form is not. */
#include <string.h>

#include "graph/op.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/grid_sample.h"

typedef struct gs_params {
    tern_gs_mode mode;
    tern_gs_padding pad;
    int align;
} gs_params;

static tern_status gs_modes(const tern_node *n, gs_params *p, tern_err *err) {
    const char *m = tern_attr_string(n, "mode", "bilinear");
    const char *pm = tern_attr_string(n, "padding_mode", "zeros");
    if (!strcmp(m, "bilinear") || !strcmp(m, "linear")) p->mode = TERN_GS_BILINEAR;
    else if (!strcmp(m, "nearest")) p->mode = TERN_GS_NEAREST;
    else if (!strcmp(m, "bicubic") || !strcmp(m, "cubic")) p->mode = TERN_GS_BICUBIC;
    else return tern_errf(err, TERN_ERR_UNSUPPORTED, "mode '%s' is not supported", m);
    if (!strcmp(pm, "zeros")) p->pad = TERN_GS_ZEROS;
    else if (!strcmp(pm, "border")) p->pad = TERN_GS_BORDER;
    else if (!strcmp(pm, "reflection")) p->pad = TERN_GS_REFLECTION;
    else return tern_errf(err, TERN_ERR_UNSUPPORTED, "padding_mode '%s' is not supported", pm);
    p->align = tern_attr_int(n, "align_corners", 0) != 0;
    return TERN_OK;
}

static tern_status infer_grid_sample(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 2, 1, 1, err);
    if (st != TERN_OK) return st;
    for (int i = 0; i < 2; i++)
        if ((st = tern_need_static(g, n, i, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0), *grid = tern_in(g, n, 1);
    if (x->dtype != TERN_FLOAT || grid->dtype != TERN_FLOAT)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "X and grid must be float32");
    if (x->rank != 4 || grid->rank != 4 || grid->dims[0] != x->dims[0] || grid->dims[3] != 2)
        return tern_errf(err, TERN_ERR_SHAPE, "expects X [N,C,H,W] and grid [N,Ho,Wo,2]");
    gs_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    if ((st = gs_modes(n, p, err)) != TERN_OK) return st;
    int64_t dims[4] = {x->dims[0], x->dims[1], grid->dims[1], grid->dims[2]};
    tern_set_out(g, n, 0, TERN_FLOAT, 4, dims);
    n->params = p;
    return tern_check_out(g, n, 0, err);
}

static tern_status run_grid_sample(const tern_graph *g, const tern_node *n, const void *const *in,
                                   void *const *out, tern_err *err) {
    (void)err;
    const gs_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *grid = tern_in(g, n, 1);
    tern_ref_grid_sample_f32(p->mode, p->pad, p->align, x->dims[0], x->dims[1], x->dims[2],
                             x->dims[3], in[0], grid->dims[1], grid->dims[2], in[1], out[0]);
    return TERN_OK;
}

const tern_op tern_op_GridSample = {"GridSample", "", 0, infer_grid_sample, run_grid_sample};
