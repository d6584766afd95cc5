/* Conv: 1-D, 2-D and 3-D convolution, any group count, optional bias, fused
 * activation (n->act, set by the fusion pass). The math is
 * kernels/ref/conv_f32.c; this file checks the node and resolves the window
 * (auto_pad, pads, strides, dilations) once into a tern_conv_geom. */
#include "graph/ops/op_nn_util.h"
#include "graph/ops/op_tensor_util.h"
#include "graph/threadpool.h"
#include "kernels/ref/conv_f32.h"

/* Check X, W and B against each other; fills c_in, c_out, group. */
static tern_status check_conv_inputs(const tern_graph *g, const tern_node *n,
                                     tern_conv_geom *geom, tern_err *err) {
    const tern_tensor *x = tern_in(g, n, 0), *w = tern_in(g, n, 1), *b = tern_in(g, n, 2);
    tern_status st = tern_check_conv_xwb(g, n, err);
    if (st) return st;
    int64_t group = tern_attr_int(n, "group", 1);
    int64_t cin = x->dims[1], m = w->dims[0];
    if (group < 1 || group > cin || cin % group != 0 || m % group != 0)
        return tern_errf(err, TERN_ERR_SHAPE,
                         "group %lld must divide the input channels (%lld) and the output "
                         "channels (%lld)",
                         (long long)group, (long long)cin, (long long)m);
    if (w->dims[1] != cin / group)
        return tern_errf(err, TERN_ERR_SHAPE,
                         "W has %lld input channels per group, X has %lld channels in %lld groups",
                         (long long)w->dims[1], (long long)cin, (long long)group);
    if (b && (b->rank != 1 || b->dims[0] != m))
        return tern_errf(err, TERN_ERR_SHAPE, "bias B must have shape [%lld]", (long long)m);
    geom->n = x->dims[0];
    geom->c_in = cin;
    geom->c_out = m;
    geom->group = group;
    return TERN_OK;
}

static tern_status conv_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 3, 1, 1, err);
    if (st) return st;
    tern_conv_geom *geom = tern_pool_alloc(&g->pool, sizeof *geom);
    if (!geom) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    if ((st = check_conv_inputs(g, n, geom, err))) return st;
    const tern_tensor *x = tern_in(g, n, 0), *w = tern_in(g, n, 1);
    int nsp = x->rank - 2;
    int64_t kernel[TERN_CONV_SP];
    if ((st = tern_window_ints(n, "kernel_shape", nsp, 1, 0, kernel, err))) return st;
    for (int i = 0; i < nsp; i++) {
        if (tern_node_attr(n, "kernel_shape") && kernel[i] != w->dims[2 + i])
            return tern_errf(err, TERN_ERR_SHAPE, "kernel_shape[%d] = %lld but W has %lld", i,
                             (long long)kernel[i], (long long)w->dims[2 + i]);
        kernel[i] = w->dims[2 + i];
    }
    if ((st = tern_window_resolve(n, nsp, x->dims + 2, kernel, 0, 1, geom, err))) return st;
    int64_t dims[2 + TERN_CONV_SP];
    tern_window_out_dims(geom, x->rank, geom->c_out, dims);
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, dims);
    n->params = geom;
    return TERN_OK;
}

/* One task of a threaded conv: batch item and output row (height). */
typedef struct {
    const tern_conv_geom *geom;
    const float *x, *w, *bias;
    float *y;
    int64_t xs[5], ws[5], ys[5];
    const tern_act *act;
} conv_job;

/* The row o of item b is the conv of a geometry with one item and one row
 * whose padding is shifted by o * stride, so the kernel itself is unchanged
 * and each output is computed exactly as in the single-threaded call. */
static void conv_task(void *ctx, int64_t task) {
    const conv_job *j = ctx;
    int64_t rows = j->geom->out[1], b = task / rows, o = task % rows;
    tern_conv_geom sub = *j->geom;
    sub.n = 1;
    sub.out[1] = 1;
    sub.pad_begin[1] -= o * sub.stride[1];
    tern_conv_f32(&sub, j->x + b * j->xs[0], j->xs, j->w, j->ws, j->bias,
                  j->y + b * j->ys[0] + o * j->ys[3], j->ys, j->act);
}

static tern_status conv_run(const tern_graph *g, const tern_node *n, const void *const *in,
                            void *const *out, tern_err *err) {
    (void)err;
    if (n->fused_into_next) return TERN_OK; /* the next node computes it (conv_fuse.c) */
    if (n->prepared) { /* packed for a SIMD kernel at session creation */
        tern_conv_fast_run(g, n, in, out[0]);
        return TERN_OK;
    }
    conv_job j;
    j.geom = n->params;
    tern_strides_ncdhw(tern_in(g, n, 0), j.xs);
    tern_strides_ncdhw(tern_in(g, n, 1), j.ws);
    tern_strides_ncdhw(tern_out(g, n, 0), j.ys);
    j.x = in[0];
    j.w = in[1];
    j.bias = n->n_inputs > 2 ? in[2] : NULL;
    j.y = out[0];
    j.act = &n->act;
    int64_t tasks = j.geom->n * j.geom->out[1];
    if (!g->threads || tasks < 2 || j.geom->out[0] != 1) {
        tern_conv_f32(j.geom, j.x, j.xs, j.w, j.ws, j.bias, j.y, j.ys, j.act);
        return TERN_OK;
    }
    tern_parallel_for(g->threads, tasks, conv_task, &j);
    return TERN_OK;
}

const tern_op tern_op_Conv = {"Conv", "", TERN_OP_LAYOUT_NATIVE, conv_infer, conv_run};
