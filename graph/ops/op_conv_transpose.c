/* ConvTranspose: 1-D to 3-D transposed convolution, any group count,
 * optional bias, float32, any input/output layout. This file checks the
 * node and resolves its geometry (pads, auto_pad, output_padding,
 * output_shape) once into a tern_conv_geom; the math is
 * kernels/ref/conv_transpose_f32.c. */
#include <string.h>

#include "graph/ops/op_nn_util.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/conv_transpose_f32.h"

/* Check X, W and B against each other; fills n, c_in, c_out, group. */
static tern_status check_inputs(const tern_graph *g, const tern_node *n, tern_conv_geom *geom,
                                tern_err *err) {
    const tern_tensor *x = tern_in(g, n, 0), *w = tern_in(g, n, 1), *b = tern_in(g, n, 2);
    tern_status st = tern_check_conv_xwb(g, n, err);
    if (st) return st;
    int64_t group = tern_attr_int(n, "group", 1), cin = x->dims[1], m;
    if (group < 1 || group > cin || cin % group != 0)
        return tern_errf(err, TERN_ERR_SHAPE, "group %lld must divide the input channels (%lld)",
                         (long long)group, (long long)cin);
    if (w->dims[0] != cin)
        return tern_errf(err, TERN_ERR_SHAPE, "W has %lld input channels, X has %lld",
                         (long long)w->dims[0], (long long)cin);
    if (!tern_mul_dims(w->dims[1], group, &m))
        return tern_errf(err, TERN_ERR_SHAPE, "output channels W.dims[1] * group overflow");
    if (b && (b->rank != 1 || b->dims[0] != m))
        return tern_errf(err, TERN_ERR_SHAPE, "bias B must have shape [%lld]", (long long)m);
    geom->n = x->dims[0];
    geom->c_in = cin;
    geom->c_out = m;
    geom->group = group;
    return TERN_OK;
}

/* Python's a // 2 (floor) for a possibly negative total padding, as the
 * ONNX reference splits it. */
static int64_t floor_half(int64_t a) {
    return a >= 0 ? a / 2 : -((-a + 1) / 2);
}

/* The per-axis attributes of a ConvTranspose node. */
typedef struct ct_attrs {
    int64_t strides[TERN_CONV_SP], dil[TERN_CONV_SP], pads[2 * TERN_CONV_SP];
    int64_t out_pad[TERN_CONV_SP], out_shape[TERN_CONV_SP];
    int has_out_shape;
    const char *auto_pad;
} ct_attrs;

static tern_status read_attrs(const tern_node *n, int nsp, int rank, ct_attrs *a,
                              tern_err *err) {
    tern_status st;
    if ((st = tern_window_ints(n, "strides", nsp, 1, 1, a->strides, err)) ||
        (st = tern_window_ints(n, "dilations", nsp, 1, 1, a->dil, err)) ||
        (st = tern_window_ints(n, "pads", 2 * nsp, 0, 0, a->pads, err)) ||
        (st = tern_window_ints(n, "output_padding", nsp, 0, 0, a->out_pad, err)))
        return st;
    for (int i = 0; i < nsp; i++)
        if (a->out_pad[i] >= a->strides[i] && a->out_pad[i] >= a->dil[i])
            return tern_errf(err, TERN_ERR_SHAPE,
                             "output_padding[%d] = %lld must be less than the stride or the "
                             "dilation", i, (long long)a->out_pad[i]);
    const tern_attr *os = tern_node_attr(n, "output_shape");
    a->has_out_shape = os != NULL;
    if (os) { /* the spatial sizes, or (older models) the full [N, C, ...] shape */
        int full = os->type == TERN_ATTR_INTS && os->count == (size_t)rank;
        int64_t all[2 + TERN_CONV_SP];
        st = tern_window_ints(n, "output_shape", full ? rank : nsp, full ? 0 : 1, 0, all, err);
        if (st) return st;
        for (int i = 0; i < nsp; i++) {
            a->out_shape[i] = all[i + (full ? 2 : 0)];
            if (a->out_shape[i] < 1)
                return tern_errf(err, TERN_ERR_SHAPE, "output_shape has a spatial size < 1");
        }
    }
    a->auto_pad = tern_attr_string(n, "auto_pad", "NOTSET");
    if (strcmp(a->auto_pad, "NOTSET") && strcmp(a->auto_pad, "SAME_UPPER") &&
        strcmp(a->auto_pad, "SAME_LOWER") && strcmp(a->auto_pad, "VALID"))
        return tern_errf(err, TERN_ERR_SHAPE,
                         "auto_pad '%s' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID",
                         a->auto_pad);
    return TERN_OK;
}

/* One spatial axis k of the geometry from attribute axis i. The natural
 * output size is full = stride*(in-1) + output_padding + (kernel-1)*dil + 1;
 * the padding crops it (or, negative, extends it). Every term is at most
 * 2^30, so none of this overflows. */
static tern_status resolve_axis(const ct_attrs *a, int nsp, int i, tern_conv_geom *geom, int k,
                                tern_err *err) {
    int same = !strcmp(a->auto_pad, "SAME_UPPER") || !strcmp(a->auto_pad, "SAME_LOWER");
    int64_t full = a->strides[i] * (geom->in[k] - 1) + a->out_pad[i] +
                   (geom->kernel[k] - 1) * a->dil[i] + 1;
    int64_t pb = a->pads[i], pe = a->pads[i + nsp], out;
    if (!strcmp(a->auto_pad, "VALID")) pb = pe = 0;
    if (a->has_out_shape || same) {
        out = a->has_out_shape ? a->out_shape[i] : geom->in[k] * a->strides[i];
        int64_t total = full - out;
        int upper = strcmp(a->auto_pad, "SAME_UPPER") == 0;
        pb = upper ? floor_half(total) : total - floor_half(total);
        pe = total - pb;
    } else {
        out = full - pb - pe;
    }
    if (out < 1 || out > TERN_WINDOW_MAX)
        return tern_errf(err, TERN_ERR_SHAPE, "spatial axis %d: output size %lld is out of range "
                         "[1, %lld]", i, (long long)out, (long long)TERN_WINDOW_MAX);
    geom->out[k] = out;
    geom->stride[k] = a->strides[i];
    geom->dil[k] = a->dil[i];
    geom->pad_begin[k] = pb;
    geom->pad_end[k] = pe;
    return TERN_OK;
}

static tern_status resolve_geom(const tern_node *n, const tern_tensor *x, const tern_tensor *w,
                                tern_conv_geom *geom, tern_err *err) {
    int nsp = x->rank - 2, off = TERN_CONV_SP - nsp;
    ct_attrs a;
    int64_t kernel[TERN_CONV_SP];
    tern_status st;
    if ((st = read_attrs(n, nsp, x->rank, &a, err)) ||
        (st = tern_window_ints(n, "kernel_shape", nsp, 1, 0, kernel, err)))
        return st;
    for (int i = 0; i < off; i++) {
        geom->in[i] = geom->out[i] = geom->kernel[i] = geom->stride[i] = geom->dil[i] = 1;
        geom->pad_begin[i] = geom->pad_end[i] = 0;
    }
    for (int i = 0; i < nsp; i++) {
        int64_t wk = w->dims[2 + i], xi = x->dims[2 + i];
        if (tern_node_attr(n, "kernel_shape") && kernel[i] != wk)
            return tern_errf(err, TERN_ERR_SHAPE, "kernel_shape[%d] = %lld but W has %lld", i,
                             (long long)kernel[i], (long long)wk);
        if (wk > TERN_WINDOW_MAX || xi > TERN_WINDOW_MAX)
            return tern_errf(err, TERN_ERR_SHAPE, "spatial axis %d: X (%lld) or W (%lld) is "
                             "larger than %lld", i, (long long)xi, (long long)wk,
                             (long long)TERN_WINDOW_MAX);
        geom->in[i + off] = xi;
        geom->kernel[i + off] = wk;
        if ((st = resolve_axis(&a, nsp, i, geom, i + off, err))) return st;
    }
    return TERN_OK;
}

static tern_status convt_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 3, 1, 1, err);
    if (st) return st;
    tern_conv_geom *geom = tern_pool_alloc(&g->pool, sizeof *geom);
    if (!geom) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    if ((st = check_inputs(g, n, geom, err))) return st;
    const tern_tensor *x = tern_in(g, n, 0), *w = tern_in(g, n, 1);
    if ((st = resolve_geom(n, x, w, geom, err))) return st;
    int64_t dims[2 + TERN_CONV_SP];
    tern_window_out_dims(geom, x->rank, geom->c_out, dims);
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, dims);
    if ((st = tern_check_out(g, n, 0, err))) return st;
    n->params = geom;
    return TERN_OK;
}

static tern_status convt_run(const tern_graph *g, const tern_node *n, const void *const *in,
                             void *const *out, tern_err *err) {
    (void)err;
    int64_t xs[5], ws[5], ys[5];
    tern_strides_ncdhw(tern_in(g, n, 0), xs);
    tern_strides_ncdhw(tern_in(g, n, 1), ws);
    tern_strides_ncdhw(tern_out(g, n, 0), ys);
    tern_conv_transpose_f32(n->params, in[0], xs, in[1], ws, tern_in(g, n, 2) ? in[2] : NULL,
                            out[0], ys);
    return TERN_OK;
}

const tern_op tern_op_ConvTranspose = {"ConvTranspose", "", TERN_OP_LAYOUT_NATIVE, convt_infer,
                                       convt_run};
