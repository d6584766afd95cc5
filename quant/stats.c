/* Workers: calibration statistics and FP32-vs-INT8 comparisons gathered
 * through execution hooks (graph/compile.h) on unfused sessions, so that
 * every tensor of the exported graph exists and keeps its name. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/ptq_priv.h"

void pq_stat_free(pq_stat *s, int n) {
    if (!s) return;
    for (int t = 0; t < n; t++) {
        free(s[t].hist);
        free(s[t].chsum);
    }
    free(s);
}

tern_status pq_stat_merge(pq_stat *dst, pq_stat *src, int n) {
    for (int t = 0; t < n; t++) {
        pq_stat *d = &dst[t], *s = &src[t];
        if (s->hist) {
            if (!d->hist) {
                d->hist = s->hist;
                s->hist = NULL;
            } else {
                tern_hist_merge(d->hist, s->hist);
                tern_hist_init(s->hist);
            }
        }
        if (s->chsum && s->channels == d->channels) {
            if (!d->chsum) d->chsum = calloc((size_t)d->channels, sizeof(double));
            if (!d->chsum) return TERN_ERR_NOMEM;
            for (int c = 0; c < d->channels; c++) d->chsum[c] += s->chsum[c], s->chsum[c] = 0;
            d->chn += s->chn;
            s->chn = 0;
        }
    }
    return TERN_OK;
}

/* Per-channel sums of a float tensor in any layout: the channel of the
 * element at memory offset o is (o / stride[axis]) % C for both plain and
 * channels-last layouts (the axis' stride times C is the next stride out). */
static void channel_sums(const tern_tensor *t, const float *x, int axis, double *sum,
                         double *per) {
    int64_t st[TERN_MAX_RANK];
    tern_tensor_strides(t, st);
    int64_t n = tern_tensor_numel(t), c = t->dims[axis], s = st[axis];
    if (c <= 0 || n <= 0) return;
    for (int64_t o = 0; o < n; o++) sum[(o / s) % c] += x[o];
    *per += (double)(n / c);
}

static tern_status observe(tern_ptq_worker *w, const tern_graph *cg, int ct,
                           unsigned char *arena, tern_err *err) {
    int t = w->fmap[ct];
    if (t < 0) return TERN_OK;
    pq_stat *s = &w->stats[t];
    const tern_tensor *x = &cg->tensors[ct];
    const float *data = (const float *)(x->data ? x->data : arena + x->offset);
    size_t n = (size_t)tern_tensor_numel(x);
    if (!s->hist) {
        if (!(s->hist = malloc(sizeof *s->hist)))
            return tern_errf(err, TERN_ERR_NOMEM, "out of memory (histograms)");
        tern_hist_init(s->hist);
    }
    tern_hist_add(s->hist, data, n);
    if (s->channels > 0) {
        if (!s->chsum && !(s->chsum = calloc((size_t)s->channels, sizeof(double))))
            return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
        channel_sums(x, data, s->ch_axis, s->chsum, &s->chn);
    }
    return TERN_OK;
}

static tern_status calib_hook(void *ctx, const tern_graph *g, int node, unsigned char *arena,
                              tern_err *err) {
    const tern_node *n = &g->nodes[node];
    for (int k = 0; k < n->n_outputs; k++) {
        if (n->outputs[k] < 0) continue;
        tern_status st = observe(ctx, g, n->outputs[k], arena, err);
        if (st != TERN_OK) return st;
    }
    return TERN_OK;
}

static tern_status fail(tern_ptq_worker *w, tern_status st, const char *msg) {
    snprintf(w->error, sizeof w->error, "%s", msg);
    return st;
}

tern_status tern_ptq_worker_calibrate(tern_ptq_worker *w, const tern_image *img,
                                      const tern_preprocess *p) {
    if (!w || !img || !p) return TERN_ERR_INVALID_ARG;
    tern_session *s = w->fs;
    tern_status st = tern_session_set_input_image(s, 0, 0, img, p);
    if (st != TERN_OK) return fail(w, st, tern_session_error(s));
    tern_err err = {{0}};
    const tern_graph *cg = &s->c.g;
    for (int k = 0; k < cg->n_inputs && st == TERN_OK; k++)
        st = observe(w, cg, cg->inputs[k], s->arena, &err);
    if (st == TERN_OK) st = tern_execute_hooked(&s->c, s->arena, calib_hook, w, &err);
    if (st != TERN_OK) return fail(w, st, err.msg);
    w->calibrated++;
    return TERN_OK;
}

/* ---- comparisons ---- */

/* What a run does with each tensor. */
enum {
    RUN_FP32 = 0,     /* stash the layers' FP32 values */
    RUN_SIM = 1,      /* simulation: round the int8 tensors, compare the layers */
    RUN_SIM_ONLY = 2, /* simulation: round only */
    RUN_INT8 = 3,     /* integer graph: dequantize the layers' int8 outputs, compare */
    RUN_INT8_ONLY = 4 /* integer graph: nothing to do */
};

typedef struct {
    tern_ptq_worker *w;
    int mode;
} cmp_ctx;

static void accumulate(pq_layer_acc *a, const float *x, const float *y, size_t n) {
    double ss = 0, ee = 0, xy = 0, yy = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)y[i] - x[i];
        ss += (double)x[i] * x[i], ee += d * d, xy += (double)x[i] * y[i], yy += (double)y[i] * y[i];
    }
    a->ss += ss, a->ee += ee, a->xy += xy, a->yy += yy;
}

/* t's values in logical (plain row-major) order into dst, whatever its
 * layout; int8 data is dequantized with (scale, zp). The FP32 and the
 * integer graph may lay a tensor out differently. */
static void to_plain(const tern_tensor *t, const void *src, int is_int8, float scale, int zp,
                     float *dst) {
    int64_t st[TERN_MAX_RANK], idx[TERN_MAX_RANK] = {0}, off = 0;
    int r = tern_tensor_strides(t, st);
    int64_t n = tern_tensor_numel(t);
    for (int64_t i = 0; i < n; i++) {
        dst[i] = is_int8 ? (float)(((const int8_t *)src)[off] - zp) * scale
                         : ((const float *)src)[off];
        for (int k = r - 1; k >= 0; k--) {
            off += st[k];
            if (++idx[k] < t->dims[k]) break;
            off -= st[k] * t->dims[k];
            idx[k] = 0;
        }
    }
}

static void cmp_tensor(cmp_ctx *c, const tern_graph *g, int ct, unsigned char *arena) {
    tern_ptq_worker *w = c->w;
    const tern_tensor *x = &g->tensors[ct];
    void *data = x->data ? (void *)x->data : arena + x->offset;
    size_t n = (size_t)tern_tensor_numel(x);
    if (c->mode == RUN_FP32) {
        int l = w->lmap[ct];
        if (l >= 0 && w->stash[l] && n == w->stash_n[l] && x->dtype == TERN_FLOAT)
            to_plain(x, data, 0, 0, 0, w->stash[l]);
        return;
    }
    if (c->mode == RUN_INT8_ONLY) return;
    int f = w->imap[ct];
    if (f < 0) return;
    int layer = f;
    if (c->mode == RUN_INT8) {
        const tern_qparams *qp = x->qp;
        if (!qp || qp->count != 1 || x->dtype != TERN_INT8 || !w->stash[layer] ||
            w->stash_n[layer] != n)
            return;
        to_plain(x, data, 1, qp->scale[0], qp->zero_point[0], w->scratch);
    } else {
        if (x->data || x->dtype != TERN_FLOAT) return;
        const pq_fq *fq = &w->q->fq[f];
        pq_fake_quant(data, n, fq->scale, fq->zp);
        layer = fq->layer;
        if (c->mode != RUN_SIM || layer < 0 || !w->stash[layer] || w->stash_n[layer] != n) return;
        to_plain(x, data, 0, 0, 0, w->scratch);
    }
    accumulate(&w->acc[layer], w->stash[layer], w->scratch, n);
}

static tern_status cmp_hook(void *ctx, const tern_graph *g, int node, unsigned char *arena,
                            tern_err *err) {
    (void)err;
    const tern_node *n = &g->nodes[node];
    for (int k = 0; k < n->n_outputs; k++)
        if (n->outputs[k] >= 0) cmp_tensor(ctx, g, n->outputs[k], arena);
    return TERN_OK;
}

static tern_status run_one(tern_ptq_worker *w, tern_session *s, int mode, const tern_image *img,
                           const tern_preprocess *p) {
    tern_status st = tern_session_set_input_image(s, 0, 0, img, p);
    if (st != TERN_OK) return fail(w, st, tern_session_error(s));
    cmp_ctx c = {w, mode};
    const tern_graph *cg = &s->c.g;
    for (int k = 0; k < cg->n_inputs; k++) cmp_tensor(&c, cg, cg->inputs[k], s->arena);
    tern_err err = {{0}};
    st = tern_execute_hooked(&s->c, s->arena, cmp_hook, &c, &err);
    return st == TERN_OK ? TERN_OK : fail(w, st, err.msg);
}

tern_status tern_ptq_worker_compare(tern_ptq_worker *w, const tern_image *img,
                                    const tern_preprocess *p, const float **fp32,
                                    const float **int8, size_t *n) {
    if (!w || !img || !p || !fp32 || !int8 || !n) return TERN_ERR_INVALID_ARG;
    if (!w->is) return fail(w, TERN_ERR_INVALID_ARG, "the quantizer is not finished");
    tern_status st = run_one(w, w->fs, RUN_FP32, img, p);
    if (st == TERN_OK) st = run_one(w, w->is, w->q->o.simulate ? RUN_SIM : RUN_INT8, img, p);
    if (st != TERN_OK) return st;
    const void *a, *b;
    tern_tensor_info ia, ib;
    if (tern_session_output_data(w->fs, 0, &a) != TERN_OK ||
        tern_session_output_data(w->is, 0, &b) != TERN_OK ||
        tern_session_output_info(w->fs, 0, &ia) != TERN_OK ||
        tern_session_output_info(w->is, 0, &ib) != TERN_OK || ia.bytes != ib.bytes ||
        ia.dtype != TERN_FLOAT)
        return fail(w, TERN_ERR_SHAPE, "the FP32 and INT8 models' outputs differ in shape or type");
    *fp32 = a;
    *int8 = b;
    *n = ia.bytes / sizeof(float);
    w->compared++;
    return TERN_OK;
}

tern_status tern_ptq_worker_run_int8(tern_ptq_worker *w, const tern_image *img,
                                     const tern_preprocess *p, const float **int8, size_t *n) {
    if (!w || !img || !p || !int8 || !n) return TERN_ERR_INVALID_ARG;
    if (!w->is) return fail(w, TERN_ERR_INVALID_ARG, "the quantizer is not finished");
    tern_status st = run_one(w, w->is, w->q->o.simulate ? RUN_SIM_ONLY : RUN_INT8_ONLY, img, p);
    if (st != TERN_OK) return st;
    const void *b;
    tern_tensor_info ib;
    if (tern_session_output_data(w->is, 0, &b) != TERN_OK ||
        tern_session_output_info(w->is, 0, &ib) != TERN_OK || ib.dtype != TERN_FLOAT)
        return fail(w, TERN_ERR_SHAPE, "the INT8 model's output is not float");
    *int8 = b;
    *n = ib.bytes / sizeof(float);
    return TERN_OK;
}
