/* Helpers shared by the nn op files; see op_nn_util.h. */
#include "graph/ops/op_nn_util.h"
#include "graph/ops/op_tensor_util.h"

#include <string.h>

int64_t tern_graph_opset(const tern_graph *g) {
    return g->opset > 0 ? g->opset : INT64_MAX;
}

tern_status tern_require_f32(const tern_graph *g, const tern_node *n, int i, const char *what,
                             tern_err *err) {
    const tern_tensor *t = tern_in(g, n, i);
    if (t && t->dtype != TERN_FLOAT)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "%s ('%s') is %s; only float32 is supported",
                         what, t->name, tern_dtype_name(t->dtype));
    return TERN_OK;
}

void tern_strides_ncdhw(const tern_tensor *t, int64_t s[5]) {
    int64_t st[TERN_MAX_RANK];
    int r = tern_tensor_strides(t, st);
    int pad = 5 - r; /* missing leading spatial axes */
    s[0] = st[0];
    s[1] = st[1];
    for (int i = 2; i < 5; i++) s[i] = i - pad >= 2 ? st[i - pad] : 0;
}

void tern_window_out_dims(const tern_conv_geom *g, int rank, int64_t c, int64_t *dims) {
    dims[0] = g->n;
    dims[1] = c;
    for (int i = 2; i < rank; i++) dims[i] = g->out[TERN_CONV_SP - rank + i];
}

tern_status tern_window_ints(const tern_node *n, const char *name, int count, int64_t min,
                             int64_t dflt, int64_t *v, tern_err *err) {
    const tern_attr *a = tern_node_attr(n, name);
    if (!a) {
        for (int i = 0; i < count; i++) v[i] = dflt;
        return TERN_OK;
    }
    if (a->type != TERN_ATTR_INTS)
        return tern_errf(err, TERN_ERR_SHAPE, "attribute %s must be a list of ints", name);
    if (a->count != (size_t)count)
        return tern_errf(err, TERN_ERR_SHAPE, "attribute %s has %zu values, expected %d", name,
                         a->count, count);
    for (int i = 0; i < count; i++) {
        if (a->ints[i] < min || a->ints[i] > TERN_WINDOW_MAX)
            return tern_errf(err, TERN_ERR_SHAPE, "attribute %s[%d] = %lld is out of range [%lld, %lld]",
                             name, i, (long long)a->ints[i], (long long)min,
                             (long long)TERN_WINDOW_MAX);
        v[i] = a->ints[i];
    }
    return TERN_OK;
}

enum { PAD_NOTSET, PAD_SAME_UPPER, PAD_SAME_LOWER, PAD_VALID };

static tern_status read_auto_pad(const tern_node *n, int *mode, tern_err *err) {
    const char *s = tern_attr_string(n, "auto_pad", "NOTSET");
    if (strcmp(s, "NOTSET") == 0) *mode = PAD_NOTSET;
    else if (strcmp(s, "SAME_UPPER") == 0) *mode = PAD_SAME_UPPER;
    else if (strcmp(s, "SAME_LOWER") == 0) *mode = PAD_SAME_LOWER;
    else if (strcmp(s, "VALID") == 0) *mode = PAD_VALID;
    else return tern_errf(err, TERN_ERR_SHAPE, "auto_pad '%s' is not one of NOTSET, SAME_UPPER, "
                          "SAME_LOWER, VALID", s);
    return TERN_OK;
}

static int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

/* One spatial axis: output size and padding from the input size, the
 * effective (dilated) kernel ek, the stride and the explicit pads. */
static tern_status resolve_axis(int mode, int ceil_mode, int axis, int64_t in, int64_t ek,
                                int64_t s, int64_t *pb, int64_t *pe, int64_t *out,
                                tern_err *err) {
    if (mode == PAD_SAME_UPPER || mode == PAD_SAME_LOWER) {
        *out = ceil_div(in, s);
        int64_t total = (*out - 1) * s + ek - in;
        if (total < 0) total = 0;
        *pb = mode == PAD_SAME_UPPER ? total / 2 : total - total / 2;
        *pe = total - *pb;
        return TERN_OK;
    }
    if (mode == PAD_VALID) *pb = *pe = 0;
    int64_t span = in + *pb + *pe;
    if (span < ek)
        return tern_errf(err, TERN_ERR_SHAPE,
                         "spatial axis %d: the kernel (%lld with dilation) is larger than the "
                         "padded input (%lld)",
                         axis, (long long)ek, (long long)span);
    *out = (ceil_mode ? ceil_div(span - ek, s) : (span - ek) / s) + 1;
    /* a ceil_mode window must start inside the input or the begin padding */
    if (ceil_mode && (*out - 1) * s >= in + *pb) (*out)--;
    return TERN_OK;
}

tern_status tern_window_resolve(const tern_node *n, int nsp, const int64_t *in_sp,
                                const int64_t *kernel, int ceil_mode, int allow_dil,
                                tern_conv_geom *geom, tern_err *err) {
    int64_t strides[TERN_CONV_SP], dil[TERN_CONV_SP], pads[2 * TERN_CONV_SP];
    int mode = PAD_NOTSET;
    tern_status st;
    if (nsp < 1 || nsp > TERN_CONV_SP)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "%d spatial axes; 1..%d are supported", nsp,
                         TERN_CONV_SP);
    if ((st = tern_window_ints(n, "strides", nsp, 1, 1, strides, err)) ||
        (st = tern_window_ints(n, "dilations", nsp, 1, 1, dil, err)) ||
        (st = tern_window_ints(n, "pads", 2 * nsp, 0, 0, pads, err)) ||
        (st = read_auto_pad(n, &mode, err)))
        return st;
    int off = TERN_CONV_SP - nsp; /* the missing leading axes have size 1 */
    for (int i = 0; i < off; i++) {
        geom->in[i] = geom->out[i] = geom->kernel[i] = geom->stride[i] = geom->dil[i] = 1;
        geom->pad_begin[i] = geom->pad_end[i] = 0;
    }
    for (int i = 0; i < nsp; i++) {
        int k = i + off;
        if (!allow_dil && dil[i] != 1)
            return tern_errf(err, TERN_ERR_UNSUPPORTED, "dilations other than 1 are not supported");
        if (kernel[i] < 1 || kernel[i] > TERN_WINDOW_MAX)
            return tern_errf(err, TERN_ERR_SHAPE, "kernel size %lld on spatial axis %d is out of range",
                             (long long)kernel[i], i);
        if (in_sp[i] < 1 || in_sp[i] > TERN_WINDOW_MAX)
            return tern_errf(err, TERN_ERR_SHAPE, "input size %lld on spatial axis %d is out of range",
                             (long long)in_sp[i], i);
        geom->in[k] = in_sp[i];
        geom->kernel[k] = kernel[i];
        geom->stride[k] = strides[i];
        geom->dil[k] = dil[i];
        geom->pad_begin[k] = pads[i];
        geom->pad_end[k] = pads[i + nsp];
        int64_t ek = (kernel[i] - 1) * dil[i] + 1;
        if ((st = resolve_axis(mode, ceil_mode, i, in_sp[i], ek, strides[i], &geom->pad_begin[k],
                               &geom->pad_end[k], &geom->out[k], err)))
            return st;
    }
    return TERN_OK;
}

tern_status tern_check_conv_xwb(const tern_graph *g, const tern_node *n, tern_err *err) {
    const tern_tensor *x = tern_in(g, n, 0), *w = tern_in(g, n, 1);
    tern_status st;
    if ((st = tern_require_f32(g, n, 0, "input X", err)) ||
        (st = tern_require_f32(g, n, 1, "weight W", err)) ||
        (st = tern_require_f32(g, n, 2, "bias B", err)))
        return st;
    if (x->rank < 3 || x->rank > 2 + TERN_CONV_SP)
        return tern_errf(err, x->rank > 2 ? TERN_ERR_UNSUPPORTED : TERN_ERR_SHAPE,
                         "input X has rank %d; rank 3..%d (1-D to 3-D) is supported", x->rank,
                         2 + TERN_CONV_SP);
    if (w->rank != x->rank)
        return tern_errf(err, TERN_ERR_SHAPE, "weight W must have rank %d like X, has %d",
                         x->rank, w->rank);
    for (int i = 0; i < x->rank; i++)
        if (x->dims[i] < (i == 0 ? 0 : 1) || w->dims[i] < 1)
            return tern_errf(err, TERN_ERR_SHAPE, "X or W has an unknown or empty dim %d", i);
    /* a batch of 0 may come with huge other dims */
    if ((st = tern_need_static(g, n, 0, err)) || (st = tern_need_static(g, n, 1, err))) return st;
    return TERN_OK;
}
