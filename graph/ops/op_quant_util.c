/* Quantization parameters of the integer ops; see op_quant_util.h. */
#include <math.h>
#include <string.h>

#include "graph/budget.h"
#include "graph/ops/op_quant_util.h"

tern_dtype tern_q_zp_type(const tern_graph *g, const tern_node *n, int i_zp, tern_dtype def) {
    const tern_tensor *z = tern_in(g, n, i_zp);
    return z ? z->dtype : def;
}

tern_status tern_q_need8(const tern_graph *g, const tern_node *n, int i, const char *what,
                         tern_err *err) {
    const tern_tensor *t = tern_in(g, n, i);
    if (!t) return tern_errf(err, TERN_ERR_SHAPE, "%s is missing", what);
    if (!tern_q_is8(t->dtype))
        return tern_errf(err, TERN_ERR_SHAPE, "%s must be int8 or uint8, is %s", what,
                         tern_dtype_name(t->dtype));
    return TERN_OK;
}

static int32_t zp_at(const tern_tensor *z, int64_t i) {
    switch (z->dtype) {
    case TERN_INT8: return ((const int8_t *)z->data)[i];
    case TERN_UINT8: return ((const uint8_t *)z->data)[i];
    default: {
        int32_t v;
        memcpy(&v, (const char *)z->data + 4 * i, 4);
        return v;
    }
    }
}

/* Length of a parameter tensor: a scalar or a 1-D tensor. -1 otherwise. */
static int64_t param_len(const tern_tensor *t) {
    if (t->rank == 0) return 1;
    if (t->rank == 1) return t->dims[0];
    return -1;
}

tern_status tern_q_read(tern_graph *g, const tern_node *n, int i_scale, int i_zp,
                        tern_dtype elem, int64_t count_max, tern_qparams *q, tern_err *err) {
    const tern_tensor *s = tern_in(g, n, i_scale), *z = tern_in(g, n, i_zp);
    memset(q, 0, sizeof *q);
    q->axis = -1;
    q->elem = elem;
    if (!s) return tern_errf(err, TERN_ERR_SHAPE, "input %d (a scale) is missing", i_scale);
    if (!s->data || s->dtype != TERN_FLOAT)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "scale '%s' must be a float32 constant",
                         s->name);
    int64_t len = param_len(s);
    if (len < 1 || (len != 1 && len != count_max))
        return tern_errf(err, TERN_ERR_SHAPE,
                         "scale '%s' must have 1%s values (has shape of %lld elements)", s->name,
                         count_max > 1 ? " or one per channel" : "",
                         (long long)tern_tensor_numel(s));
    if (z) {
        if (!z->data)
            return tern_errf(err, TERN_ERR_UNSUPPORTED, "zero point '%s' must be a constant",
                             z->name);
        if (z->dtype != elem)
            return tern_errf(err, TERN_ERR_SHAPE, "zero point '%s' is %s, the data is %s",
                             z->name, tern_dtype_name(z->dtype), tern_dtype_name(elem));
        if (param_len(z) != len)
            return tern_errf(err, TERN_ERR_SHAPE, "zero point '%s' and scale '%s' differ in length",
                             z->name, s->name);
    }
    float *sc = tern_pool_alloc_array(&g->pool, (size_t)len, sizeof *sc);
    int32_t *zp = tern_pool_alloc_array(&g->pool, (size_t)len, sizeof *zp);
    if (!sc || !zp) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    int32_t lo = elem == TERN_UINT8 ? 0 : -128, hi = elem == TERN_UINT8 ? 255 : 127;
    for (int64_t i = 0; i < len; i++) {
        memcpy(&sc[i], (const char *)s->data + 4 * i, 4);
        if (!(sc[i] > 0.0f) || !isfinite(sc[i]))
            return tern_errf(err, TERN_ERR_UNSUPPORTED,
                             "scale '%s'[%lld] = %g: scales must be finite and > 0", s->name,
                             (long long)i, (double)sc[i]);
        zp[i] = z ? zp_at(z, i) : 0;
        if (elem != TERN_INT32 && (zp[i] < lo || zp[i] > hi))
            return tern_errf(err, TERN_ERR_SHAPE, "zero point %d out of range", (int)zp[i]);
        if (elem == TERN_INT32 && zp[i] != 0)
            return tern_errf(err, TERN_ERR_UNSUPPORTED, "an int32 zero point must be 0");
    }
    q->count = (int)len;
    q->scale = sc;
    q->zero_point = zp;
    q->from_u8 = z && z->from_u8;
    return TERN_OK;
}

int tern_q_set_out(tern_graph *g, const tern_node *n, int i, const tern_qparams *q) {
    tern_tensor *t = tern_out(g, n, i);
    if (!t) return 1;
    tern_qparams *c = tern_pool_alloc(&g->pool, sizeof *c);
    if (!c) return 0;
    *c = *q;
    t->qp = c;
    return 1;
}

void tern_q_act_range(const tern_act *act, float s_y, int32_t z_y, int32_t *qmin, int32_t *qmax) {
    *qmin = -128;
    *qmax = 127;
    if (act->kind == TERN_ACT_RELU) {
        *qmin = z_y;
    } else if (act->kind == TERN_ACT_CLIP) {
        int32_t lo = isfinite(act->a) ? tern_qs8_quantize_bound(act->a, s_y, z_y) : -128;
        int32_t hi = isfinite(act->b) ? tern_qs8_quantize_bound(act->b, s_y, z_y) : 127;
        if (act->a == -INFINITY) lo = -128;
        if (act->b == INFINITY) hi = 127;
        *qmin = lo > *qmin ? lo : *qmin;
        *qmax = hi < *qmax ? hi : *qmax;
        if (*qmin > *qmax) *qmin = *qmax; /* Clip(min > max) gives max, as ONNX says */
    }
}

tern_requant_fp32 *tern_q_dot_requant(tern_graph *g, const tern_node *n, const tern_qparams *x,
                                      const tern_qparams *w, const tern_qparams *y, int64_t c_out) {
    tern_requant_fp32 *r = tern_pool_alloc_array(&g->pool, (size_t)c_out, sizeof *r);
    if (!r) return NULL;
    int32_t qmin, qmax;
    tern_q_act_range(&n->act, y->scale[0], y->zero_point[0], &qmin, &qmax);
    for (int64_t c = 0; c < c_out; c++) {
        float sw = w->scale[w->count > 1 ? c : 0];
        r[c] = (tern_requant_fp32){.scale = tern_requant_fp32_scale(x->scale[0], sw, y->scale[0]),
                                   .zero_point = y->zero_point[0],
                                   .qmin = qmin,
                                   .qmax = qmax};
    }
    return r;
}

int32_t *tern_q_w_zero_points(tern_graph *g, const tern_qparams *w, int64_t c_out) {
    int32_t *z = tern_pool_alloc_array(&g->pool, (size_t)c_out, sizeof *z);
    for (int64_t c = 0; z && c < c_out; c++) z[c] = w->zero_point[w->count > 1 ? c : 0];
    return z;
}

void *tern_q_alloc(tern_graph *g, size_t bytes, tern_err *err) {
    if (tern_budget_charge(g, &g->packed_bytes, bytes, err) != TERN_OK) return NULL;
    void *p = tern_pool_alloc(&g->pool, bytes ? bytes : 1);
    if (!p) tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    return p;
}
