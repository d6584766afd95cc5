/* Resize (opset 10..19) and Upsample (7..9): nearest, linear and cubic
 * interpolation of float32 tensors, in any layout.
 *
 * infer turns the ONNX rules (scales or sizes, coordinate transformation,
 * nearest rounding, cubic coefficient, exclude_outside, crop-and-resize ROI)
 * into per-axis taps (kernels/ref/resize.h); run only applies them. The
 * scales/sizes/roi inputs must be constants: tern needs static shapes.
 * Before Resize-11 (and for Upsample) coordinates are "asymmetric" and
 * nearest rounds down. antialias (opset 18) is not supported. */
#include <math.h>
#include <string.h>

#include "graph/budget.h"
#include "graph/op.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/resize.h"

typedef enum { M_NEAREST, M_LINEAR, M_CUBIC } resize_mode;
typedef enum {
    CT_HALF_PIXEL,
    CT_PYTORCH_HALF_PIXEL,
    CT_ALIGN_CORNERS,
    CT_ASYMMETRIC,
    CT_TF_HALF_PIXEL_FOR_NN,
    CT_TF_CROP_AND_RESIZE,
    CT_HALF_PIXEL_SYMMETRIC
} coord_mode;
typedef enum { NM_ROUND_PREFER_FLOOR, NM_ROUND_PREFER_CEIL, NM_FLOOR, NM_CEIL } nearest_mode;

typedef struct resize_args {
    resize_mode mode;
    coord_mode coord;
    nearest_mode nearest;
    double cubic_a;
    int exclude_outside;
    float extrapolation;
    double scale[TERN_MAX_RANK];
    double roi_start[TERN_MAX_RANK], roi_end[TERN_MAX_RANK];
    int64_t out[TERN_MAX_RANK];
} resize_args;

typedef struct resize_params {
    tern_resize_axis axes[TERN_MAX_RANK];
    float extrapolation;
} resize_params;

/* index of s in names (n entries), or -1 */
static int pick(const char *s, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

static tern_status parse_modes(const tern_graph *g, const tern_node *n, int legacy,
                               resize_args *a, tern_err *err) {
    static const char *const MODES[] = {"nearest", "linear", "cubic"};
    static const char *const COORDS[] = {"half_pixel",   "pytorch_half_pixel",
                                         "align_corners", "asymmetric",
                                         "tf_half_pixel_for_nn", "tf_crop_and_resize",
                                         "half_pixel_symmetric"};
    static const char *const NEAREST[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                          "ceil"};
    const char *m = tern_attr_string(n, "mode", "nearest");
    int i = pick(m, MODES, 3);
    if (i < 0 || (legacy && i == M_CUBIC))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "mode '%s' is not supported", m);
    a->mode = (resize_mode)i;
    if (legacy) { /* Upsample and Resize-10 */
        a->coord = CT_ASYMMETRIC;
        a->nearest = NM_FLOOR;
    } else {
        const char *c = tern_attr_string(n, "coordinate_transformation_mode", "half_pixel");
        const char *r = tern_attr_string(n, "nearest_mode", "round_prefer_floor");
        int ci = pick(c, COORDS, 7), ri = pick(r, NEAREST, 4);
        if (ci < 0)
            return tern_errf(err, TERN_ERR_UNSUPPORTED, "coordinate_transformation_mode '%s'", c);
        if (ri < 0) return tern_errf(err, TERN_ERR_UNSUPPORTED, "nearest_mode '%s'", r);
        a->coord = (coord_mode)ci;
        a->nearest = (nearest_mode)ri;
    }
    a->cubic_a = tern_attr_float(n, "cubic_coeff_a", -0.75f);
    a->exclude_outside = tern_attr_int(n, "exclude_outside", 0) != 0;
    a->extrapolation = tern_attr_float(n, "extrapolation_value", 0.0f);
    if (tern_attr_int(n, "antialias", 0) && a->mode != M_NEAREST)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "antialias is not supported");
    (void)g;
    return TERN_OK;
}

/* A constant float (or, for sizes, int64) input of at most cap values;
 * *count 0 when absent or empty. */
static tern_status const_floats(const tern_graph *g, const tern_node *n, int i, double *vals,
                                int cap, int *count, tern_err *err) {
    const tern_tensor *t = tern_in(g, n, i);
    *count = 0;
    if (!t || tern_tensor_numel(t) == 0) return TERN_OK;
    if (!t->data)
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "input %d ('%s') must be a constant (tern needs static shapes)", i,
                         t->name);
    int64_t ne = tern_tensor_numel(t);
    if (ne < 0 || ne > cap)
        return tern_errf(err, TERN_ERR_SHAPE, "input %d ('%s') has %lld values, at most %d", i,
                         t->name, (long long)ne, cap);
    for (int64_t k = 0; k < ne; k++) {
        if (t->dtype == TERN_FLOAT) {
            float f;
            memcpy(&f, (const char *)t->data + 4 * k, 4);
            vals[k] = f;
        } else if (t->dtype == TERN_INT64) {
            int64_t v;
            memcpy(&v, (const char *)t->data + 8 * k, 8);
            vals[k] = (double)v;
        } else {
            return tern_errf(err, TERN_ERR_SHAPE, "input %d ('%s') must be float32 or int64", i,
                             t->name);
        }
    }
    *count = (int)ne;
    return TERN_OK;
}

/* The axes scales/sizes/roi talk about: the `axes` attribute (opset 18) or all. */
static tern_status resize_axes(const tern_node *n, int rank, int *axes, int *na, tern_err *err) {
    const tern_attr *at = tern_node_attr(n, "axes");
    if (!at || at->type != TERN_ATTR_INTS) {
        for (int k = 0; k < rank; k++) axes[k] = k;
        *na = rank;
        return TERN_OK;
    }
    int mask[TERN_MAX_RANK];
    if (at->count > (size_t)rank) return tern_errf(err, TERN_ERR_SHAPE, "too many axes");
    tern_status st = tern_axes_mask(at->ints, (int)at->count, rank, mask, err);
    if (st != TERN_OK) return st;
    for (size_t k = 0; k < at->count; k++)
        axes[k] = (int)(at->ints[k] < 0 ? at->ints[k] + rank : at->ints[k]);
    *na = (int)at->count;
    return TERN_OK;
}

/* Sizes -> out dims and scales, with keep_aspect_ratio_policy (opset 18). */
static tern_status from_sizes(const tern_node *n, const tern_tensor *x, const int *axes, int na,
                              const double *sizes, resize_args *a, tern_err *err) {
    const char *pol = tern_attr_string(n, "keep_aspect_ratio_policy", "stretch");
    int stretch = strcmp(pol, "stretch") == 0, larger = strcmp(pol, "not_smaller") == 0;
    if (!stretch && !larger && strcmp(pol, "not_larger") != 0)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "keep_aspect_ratio_policy '%s'", pol);
    double common = larger ? 0 : INFINITY;
    for (int k = 0; k < na; k++) {
        int64_t d = x->dims[axes[k]];
        if (!(sizes[k] >= 0 && sizes[k] < (double)(1 << 28)) || d == 0)
            return tern_errf(err, TERN_ERR_SHAPE, "sizes[%d] = %g is invalid for dim %lld", k,
                             sizes[k], (long long)d);
        double s = sizes[k] / (double)d;
        common = larger ? fmax(common, s) : fmin(common, s);
    }
    for (int k = 0; k < na; k++) {
        int ax = axes[k];
        if (stretch) {
            a->out[ax] = (int64_t)sizes[k];
            a->scale[ax] = sizes[k] / (double)x->dims[ax];
        } else { /* round half up, as the spec says */
            double o = floor(common * (double)x->dims[ax] + 0.5);
            if (!(o < (double)(1 << 28))) /* before the cast: out of range is UB */
                return tern_errf(err, TERN_ERR_SHAPE, "output size %g on axis %d is invalid", o,
                                 ax);
            a->scale[ax] = common;
            a->out[ax] = (int64_t)o;
        }
    }
    return TERN_OK;
}

static tern_status from_scales(const tern_tensor *x, const int *axes, int na,
                               const double *scales, resize_args *a, tern_err *err) {
    for (int k = 0; k < na; k++) {
        int ax = axes[k];
        double span = a->coord == CT_TF_CROP_AND_RESIZE ? a->roi_end[ax] - a->roi_start[ax] : 1;
        double o = floor((double)x->dims[ax] * span * scales[k]);
        if (!(scales[k] > 0) || !(o >= 0 && o < (double)(1 << 28)))
            return tern_errf(err, TERN_ERR_SHAPE, "scale %g on axis %d is invalid", scales[k], ax);
        a->scale[ax] = scales[k];
        a->out[ax] = (int64_t)o;
    }
    return TERN_OK;
}

/* roi (tf_crop_and_resize): starts then ends, one per listed axis */
static tern_status read_roi(const tern_graph *g, const tern_node *n, const int *axes, int na,
                            resize_args *a, tern_err *err) {
    double roi[2 * TERN_MAX_RANK];
    int count;
    tern_status st = const_floats(g, n, 1, roi, 2 * TERN_MAX_RANK, &count, err);
    if (st != TERN_OK) return st;
    if (a->coord != CT_TF_CROP_AND_RESIZE) return TERN_OK;
    if (count != 2 * na)
        return tern_errf(err, TERN_ERR_SHAPE, "roi has %d values, expected %d", count, 2 * na);
    for (int k = 0; k < na; k++) {
        a->roi_start[axes[k]] = roi[k];
        a->roi_end[axes[k]] = roi[na + k];
    }
    return TERN_OK;
}

/* Scales or sizes from inputs (Resize-11+), input 1 (Resize-10, Upsample-9)
 * or the attribute (Upsample-7/8). */
static tern_status resize_shape(const tern_graph *g, const tern_node *n, int legacy,
                                resize_args *a, tern_err *err) {
    const tern_tensor *x = tern_in(g, n, 0);
    int axes[TERN_MAX_RANK], na = 0, ns = 0, nz = 0;
    double scales[TERN_MAX_RANK], sizes[TERN_MAX_RANK];
    for (int k = 0; k < x->rank; k++) {
        a->scale[k] = 1, a->out[k] = x->dims[k];
        a->roi_start[k] = 0, a->roi_end[k] = 1;
    }
    tern_status st = resize_axes(n, x->rank, axes, &na, err);
    if (st != TERN_OK) return st;
    const tern_attr *sa = tern_node_attr(n, "scales");
    if (legacy && sa && sa->type == TERN_ATTR_FLOATS) {
        if (sa->count > TERN_MAX_RANK) return tern_errf(err, TERN_ERR_SHAPE, "too many scales");
        for (size_t k = 0; k < sa->count; k++) scales[k] = sa->floats[k];
        ns = (int)sa->count;
    } else if (legacy) {
        st = const_floats(g, n, 1, scales, TERN_MAX_RANK, &ns, err);
    } else {
        if ((st = read_roi(g, n, axes, na, a, err)) != TERN_OK) return st;
        if ((st = const_floats(g, n, 2, scales, TERN_MAX_RANK, &ns, err)) != TERN_OK) return st;
        st = const_floats(g, n, 3, sizes, TERN_MAX_RANK, &nz, err);
    }
    if (st != TERN_OK) return st;
    if ((ns > 0) == (nz > 0))
        return tern_errf(err, TERN_ERR_SHAPE, "exactly one of scales and sizes must be given");
    if ((ns ? ns : nz) != na)
        return tern_errf(err, TERN_ERR_SHAPE, "%s has %d values for %d axes",
                         ns ? "scales" : "sizes", ns ? ns : nz, na);
    return ns ? from_scales(x, axes, na, scales, a, err)
              : from_sizes(n, x, axes, na, sizes, a, err);
}

/* Where output position o of an axis falls in the input (ONNX coordinate
 * transformation), as a real coordinate. */
static double source_coord(const resize_args *a, int ax, int64_t o, int64_t in_len,
                           int64_t out_len) {
    double s = a->scale[ax], x = (double)o;
    switch (a->coord) {
    case CT_HALF_PIXEL: return (x + 0.5) / s - 0.5;
    case CT_PYTORCH_HALF_PIXEL: return out_len > 1 ? (x + 0.5) / s - 0.5 : 0.0;
    case CT_ALIGN_CORNERS: {
        /* the resized length is in_len * scale, not floored (the ONNX reference
         * and its tests; with sizes the two agree) */
        double len = (double)in_len * s;
        return out_len == 1 || len <= 1 ? 0.0 : x * (double)(in_len - 1) / (len - 1);
    }
    case CT_ASYMMETRIC: return x / s;
    case CT_TF_HALF_PIXEL_FOR_NN: return (x + 0.5) / s;
    case CT_TF_CROP_AND_RESIZE: {
        double st = a->roi_start[ax], en = a->roi_end[ax], span = (double)(in_len - 1);
        return out_len > 1 ? st * span + x * (en - st) * span / (double)(out_len - 1)
                           : 0.5 * (st + en) * span;
    }
    case CT_HALF_PIXEL_SYMMETRIC: {
        double adj = (double)out_len / (s * (double)in_len), center = (double)in_len / 2;
        return center * (1 - adj) + (x + 0.5) / s - 0.5;
    }
    }
    return x;
}

static int64_t clamp_index(double v, int64_t len) {
    return v < 0 ? 0 : v > (double)(len - 1) ? len - 1 : (int64_t)v;
}

static int64_t nearest_index(nearest_mode m, double x, int64_t len) {
    double f = floor(x), r;
    switch (m) {
    case NM_ROUND_PREFER_FLOOR: r = x - f == 0.5 ? f : floor(x + 0.5); break;
    case NM_ROUND_PREFER_CEIL: r = x - f == 0.5 ? f + 1 : floor(x + 0.5); break;
    case NM_FLOOR: r = f; break;
    default: r = ceil(x); break;
    }
    return clamp_index(r, len);
}

/* the 4 cubic weights of positions floor(x)-1 .. floor(x)+2, t = x - floor(x) */
static void cubic_weights(double A, double t, double *c) {
    double u = t + 1, v = 1 - t, q = 2 - t;
    c[0] = ((A * u - 5 * A) * u + 8 * A) * u - 4 * A;
    c[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
    c[2] = ((A + 2) * v - (A + 3)) * v * v + 1;
    c[3] = ((A * q - 5 * A) * q + 8 * A) * q - 4 * A;
}

/* Taps of output position o on one axis. */
static void axis_taps(const resize_args *a, int ax, int64_t o, int64_t in_len, int64_t out_len,
                      int taps, int64_t *idx, float *w) {
    double x = source_coord(a, ax, o, in_len, out_len);
    for (int t = 0; t < taps; t++) idx[t] = 0, w[t] = 0;
    if (a->coord == CT_TF_CROP_AND_RESIZE && (x < 0 || x > (double)(in_len - 1))) {
        for (int t = 0; t < taps; t++) idx[t] = -1;
        return;
    }
    if (a->mode == M_NEAREST) {
        idx[0] = nearest_index(a->nearest, x, in_len), w[0] = 1;
    } else if (a->mode == M_LINEAR) {
        x = x < 0 ? 0 : x > (double)(in_len - 1) ? (double)(in_len - 1) : x;
        int64_t i0 = (int64_t)x;
        idx[0] = i0, idx[1] = i0 + 1 < in_len ? i0 + 1 : i0;
        w[1] = (float)(x - (double)i0), w[0] = 1.0f - w[1];
    } else {
        double f = floor(x), c[4], sum = 0;
        cubic_weights(a->cubic_a, x - f, c);
        for (int t = 0; t < 4; t++) {
            double p = f - 1 + t;
            int inside = p >= 0 && p <= (double)(in_len - 1);
            if (a->exclude_outside && !inside) c[t] = 0;
            sum += c[t];
            idx[t] = clamp_index(p, in_len);
        }
        for (int t = 0; t < 4; t++) w[t] = (float)(a->exclude_outside && sum != 0 ? c[t] / sum : c[t]);
    }
}

/* Build axis ax's taps into g's pool; an axis every output of which reads
 * exactly one input with weight 1 gets a single tap (the common "this axis
 * is not resized" case costs nothing). */
static tern_status build_axis(tern_graph *g, const resize_args *a, int ax, int64_t in_len,
                              tern_resize_axis *out, tern_err *err) {
    int64_t out_len = a->out[ax];
    int taps = a->mode == M_NEAREST ? 1 : a->mode == M_LINEAR ? 2 : 4;
    /* out_len fits a checked output (tern_check_out), so cnt cannot wrap;
     * the tables count against the session's memory budget */
    size_t cnt = (size_t)(out_len > 0 ? out_len : 1) * (size_t)taps, bytes;
    tern_status st = tern_mul_size(cnt, sizeof(int64_t) + sizeof(float), &bytes)
                         ? tern_budget_charge(g, &g->packed_bytes, bytes, err)
                         : tern_errf(err, TERN_ERR_NOMEM, "resize tables overflow size_t");
    if (st != TERN_OK) return st;
    int64_t *idx = tern_pool_alloc_array(&g->pool, cnt, sizeof(int64_t));
    float *w = tern_pool_alloc_array(&g->pool, cnt, sizeof(float));
    if (!idx || !w) return tern_errf(err, TERN_ERR_NOMEM, "out of memory for resize tables");
    int single = 1;
    for (int64_t o = 0; o < out_len; o++) {
        axis_taps(a, ax, o, in_len, out_len, taps, idx + o * taps, w + o * taps);
        int ones = 0, others = 0;
        for (int t = 0; t < taps; t++) {
            if (w[o * taps + t] == 1.0f && idx[o * taps + t] >= 0) ones++;
            else if (w[o * taps + t] != 0.0f || idx[o * taps + t] < 0) others++;
        }
        if (ones != 1 || others) single = 0;
    }
    if (single && taps > 1) { /* keep the weight-1 tap of each position */
        for (int64_t o = 0; o < out_len; o++) {
            int t = 0;
            while (w[o * taps + t] != 1.0f) t++;
            idx[o] = idx[o * taps + t], w[o] = 1.0f;
        }
        taps = 1;
    }
    out->taps = taps, out->idx = idx, out->w = w;
    return TERN_OK;
}

static tern_status infer_resize(tern_graph *g, tern_node *n, tern_err *err) {
    int upsample = strcmp(n->op_type, "Upsample") == 0;
    int legacy = upsample || g->opset < 11;
    tern_status st = tern_check_arity(g, n, 1, legacy ? 2 : 4, 1, 1, err);
    if (st != TERN_OK) return st;
    if ((st = tern_need_static(g, n, 0, err)) != TERN_OK) return st;
    const tern_tensor *x = tern_in(g, n, 0);
    if (x->dtype != TERN_FLOAT)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "dtype %s is not supported (float32)",
                         tern_dtype_name(x->dtype));
    resize_args a;
    memset(&a, 0, sizeof a);
    if ((st = parse_modes(g, n, legacy, &a, err)) != TERN_OK) return st;
    if ((st = resize_shape(g, n, legacy, &a, err)) != TERN_OK) return st;
    for (int k = 0; k < x->rank; k++)
        if (x->dims[k] == 0 && a.out[k] > 0)
            return tern_errf(err, TERN_ERR_SHAPE, "cannot resize the empty axis %d", k);
    tern_set_out(g, n, 0, TERN_FLOAT, x->rank, a.out);
    if ((st = tern_check_out(g, n, 0, err)) != TERN_OK) return st;
    resize_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    for (int k = 0; k < x->rank; k++)
        if ((st = build_axis(g, &a, k, x->dims[k], &p->axes[k], err)) != TERN_OK) return st;
    p->extrapolation = a.extrapolation;
    n->params = p;
    return TERN_OK;
}

static tern_status run_resize(const tern_graph *g, const tern_node *n, const void *const *in,
                              void *const *out, tern_err *err) {
    (void)err;
    const resize_params *p = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *o = tern_out(g, n, 0);
    int64_t sx[TERN_MAX_RANK], so[TERN_MAX_RANK];
    tern_tensor_strides(x, sx);
    tern_tensor_strides(o, so);
    tern_ref_resize_f32(o->rank, in[0], sx, o->dims, out[0], so, p->axes, p->extrapolation);
    return TERN_OK;
}

const tern_op tern_op_Resize = {"Resize", "", TERN_OP_ANY_LAYOUT, infer_resize, run_resize};
const tern_op tern_op_Upsample = {"Upsample", "", TERN_OP_ANY_LAYOUT, infer_resize, run_resize};
