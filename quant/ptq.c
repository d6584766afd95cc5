/* tern_ptq: the public face of the quantizer (include/tern_quant.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/bind.h"
#include "loader/file_io.h"
#include "loader/onnx_write.h"
#include "quant/ptq_priv.h"

static tern_status failq(tern_ptq *q, tern_status st, const tern_err *err) {
    snprintf(q->error, sizeof q->error, "%s", err->msg);
    q->ok = 0;
    return st;
}

const char *tern_ptq_error(const tern_ptq *q) {
    return q ? q->error : "no quantizer";
}

/* The FP32 graph as exported: inputs bound (batch 1), shapes inferred,
 * constants folded, then the rewrites that stay plain ONNX and matter for
 * quantization: BatchNormalization into the Conv before it (its weights
 * are then quantized once, folded), MatMul + Add into Gemm, a constant Add
 * into the bias, zero Pads into the Conv's pads. Tensor names survive
 * these (a folded node's output name moves to the node that absorbed it),
 * so the unfused FP32 sessions of calibration still have every tensor
 * this graph quantizes. Activation fusion and layouts are tern-internal
 * and stay out. */
static tern_status infer_graph(tern_ptq *q, tern_err *err) {
    tern_status st = tern_graph_clone(&q->gi, &q->fp32->graph, err);
    if (st != TERN_OK) return st;
    q->gi_ready = 1;
    st = tern_bind_shapes(&q->gi, NULL, 0, 1, err);
    tern_pass_report r;
    memset(&r, 0, sizeof r);
    if (st == TERN_OK) st = tern_pass_infer_fold(&q->gi, &r, err);
    if (st == TERN_OK) tern_graph_compact(&q->gi);
    static tern_status (*const rewrites[])(tern_graph *, tern_pass_report *, tern_err *) = {
        tern_pass_remove_identity, tern_pass_matmul_add, tern_pass_fold_batchnorm,
        tern_pass_fold_add_bias, tern_pass_fold_pad, tern_pass_hard_sigmoid};
    for (size_t i = 0; st == TERN_OK && i < sizeof rewrites / sizeof rewrites[0]; i++) {
        memset(&r, 0, sizeof r);
        st = rewrites[i](&q->gi, &r, err);
        if (st == TERN_OK) tern_graph_compact(&q->gi);
    }
    return st;
}

static tern_status setup(tern_ptq *q, tern_err *err) {
    tern_status st = infer_graph(q, err);
    if (st != TERN_OK) return st;
    int nt = q->gi.n_tensors, nn = q->gi.n_nodes;
    q->nodes = calloc((size_t)nn + 1, sizeof *q->nodes);
    q->root = calloc((size_t)nt * 2 + 16, sizeof *q->root);
    q->stats = calloc((size_t)nt + 1, sizeof *q->stats);
    q->scale = calloc((size_t)nt + 1, sizeof *q->scale);
    q->zp = calloc((size_t)nt + 1, sizeof *q->zp);
    if (!q->nodes || !q->root || !q->stats || !q->scale || !q->zp)
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    st = pq_plan(q, err);
    if (st != TERN_OK) return st;
    /* per-channel means of every weighted node's input, for bias correction */
    for (int i = 0; i < nn; i++) {
        const tern_node *n = &q->gi.nodes[i];
        if (q->nodes[i].cls != PQ_WEIGHTED) continue;
        pq_stat *s = &q->stats[n->inputs[0]];
        const tern_tensor *x = &q->gi.tensors[n->inputs[0]];
        s->ch_axis = q->nodes[i].in_axis;
        s->channels = (int)x->dims[s->ch_axis];
    }
    return TERN_OK;
}

static tern_ptq *alloc_q(const tern_model *fp32, const tern_ptq_options *o) {
    tern_ptq *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    if (pthread_mutex_init(&q->lock, NULL) != 0) {
        free(q);
        return NULL;
    }
    q->fp32 = fp32;
    if (o) q->o = *o;
    if (q->o.percentile <= 0 || q->o.percentile > 100) q->o.percentile = 99.99;
    q->keep = strdup(q->o.keep_fp32 ? q->o.keep_fp32 : "");
    q->o.keep_fp32 = NULL;
    q->ok = 1;
    return q;
}

tern_status tern_ptq_create(const tern_model *fp32, const tern_ptq_options *opts, tern_ptq **out) {
    if (!out) return TERN_ERR_INVALID_ARG;
    tern_ptq *q = *out = alloc_q(fp32, opts);
    if (!q) return TERN_ERR_NOMEM;
    tern_err err = {{0}};
    if (!fp32 || !q->keep) {
        tern_errf(&err, !q->keep ? TERN_ERR_NOMEM : TERN_ERR_INVALID_ARG, "no model");
        return failq(q, !q->keep ? TERN_ERR_NOMEM : TERN_ERR_INVALID_ARG, &err);
    }
    tern_status st = setup(q, &err);
    return st == TERN_OK ? TERN_OK : failq(q, st, &err);
}

static void drop_sim(tern_ptq *q) {
    tern_model_free(q->sim);
    tern_model_free(q->qdq_model);
    q->sim = q->qdq_model = NULL;
    free(q->fq);
    free(q->layers);
    q->fq = NULL;
    q->layers = NULL;
    q->n_fq = q->n_layers = 0;
    free(q->qdq);
    q->qdq = NULL;
    q->qdq_len = 0;
}

void tern_ptq_free(tern_ptq *q) {
    if (!q) return;
    drop_sim(q);
    if (q->qg_ready) tern_graph_free(&q->qg);
    if (q->gi_ready) {
        pq_stat_free(q->stats, q->gi.n_tensors);
        tern_graph_free(&q->gi);
    } else {
        free(q->stats);
    }
    free(q->nodes);
    free(q->root);
    free(q->scale);
    free(q->zp);
    free(q->keep);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

/* Load QDQ bytes (taking them) and build the simulation. */
static tern_status load_qdq(tern_ptq *q, unsigned char *bytes, size_t len, tern_err *err) {
    q->qdq = bytes;
    q->qdq_len = len;
    tern_model *qm = NULL;
    tern_status st = tern_model_load_buffer(bytes, len, NULL, &qm);
    if (st != TERN_OK) {
        tern_errf(err, st, "the QDQ model does not load: %s", qm ? tern_model_error(qm) : "no memory");
        tern_model_free(qm);
        return st;
    }
    q->qdq_model = qm;
    return pq_import_qdq(q, qm, err);
}

tern_status tern_ptq_load(const tern_model *fp32, const char *path, const tern_ptq_options *opts,
                          tern_ptq **out) {
    tern_status st = tern_ptq_create(fp32, opts, out);
    if (st != TERN_OK) return st;
    tern_ptq *q = *out;
    tern_err err = {{0}};
    uint8_t *buf = NULL;
    size_t len = 0;
    st = tern_file_read(path, (size_t)1 << 31, &buf, &len, &err);
    if (st == TERN_OK) st = load_qdq(q, buf, len, &err);
    else free(buf);
    return st == TERN_OK ? TERN_OK : failq(q, st, &err);
}

/* Grids of every int8 tensor from its group's histogram. */
static void grids(tern_ptq *q) {
    tern_calib_kind kind = q->o.method == TERN_PTQ_MINMAX       ? TERN_CALIB_MINMAX
                           : q->o.method == TERN_PTQ_PERCENTILE ? TERN_CALIB_PERCENTILE
                           : q->o.method == TERN_PTQ_ENTROPY    ? TERN_CALIB_ENTROPY
                                                                : TERN_CALIB_MSE;
    int nt = q->gi.n_tensors;
    for (int t = 0; t < nt; t++) {
        if (q->root[t] != t) continue;
        double lo = 0, hi = 0;
        const tern_hist *h = q->stats[t].hist;
        /* a graph input (the image) keeps its whole range: clipping pixels
         * gains nothing, and [-1, 127/128] (tf128) lands exactly on the
         * grid (s = 1/128, z = 0) */
        if (h) tern_calib_range(h, q->gi.tensors[t].is_input ? TERN_CALIB_MINMAX : kind,
                                q->o.percentile, &lo, &hi);
        pq_grid(lo, hi, &q->scale[t], &q->zp[t]);
    }
    for (int t = 0; t < nt; t++)
        if (q->root[t] >= 0) q->scale[t] = q->scale[q->root[t]], q->zp[t] = q->zp[q->root[t]];
}

tern_status tern_ptq_finish(tern_ptq *q) {
    if (!q || !q->gi_ready) return TERN_ERR_INVALID_ARG;
    tern_err err = {{0}};
    pthread_mutex_lock(&q->lock);
    drop_sim(q);
    tern_status st = pq_plan(q, &err);
    if (st == TERN_OK) {
        grids(q);
        st = pq_build_qdq(q, &err);
    }
    tern_pbw w = {0};
    if (st == TERN_OK) st = tern_onnx_write(&q->qg, &w, &err);
    if (st == TERN_OK) st = load_qdq(q, w.b, w.n, &err);
    q->compared = 0;
    pthread_mutex_unlock(&q->lock);
    return st == TERN_OK ? TERN_OK : failq(q, st, &err);
}

tern_status tern_ptq_save(tern_ptq *q, const char *path) {
    if (!q || !path) return TERN_ERR_INVALID_ARG;
    tern_err err = {{0}};
    if (!q->qdq) {
        tern_errf(&err, TERN_ERR_INVALID_ARG, "nothing to save: the quantizer is not finished");
        return failq(q, TERN_ERR_INVALID_ARG, &err);
    }
    FILE *f = fopen(path, "wb");
    int bad = !f || fwrite(q->qdq, 1, q->qdq_len, f) != q->qdq_len;
    if (f) bad |= fclose(f) != 0;
    if (!bad) return TERN_OK;
    tern_errf(&err, TERN_ERR_IO, "cannot write %s", path);
    return failq(q, TERN_ERR_IO, &err);
}

/* ---- summary ---- */

tern_status tern_ptq_summary_get(const tern_ptq *q, tern_ptq_summary *s) {
    if (!q || !s || !q->gi_ready) return TERN_ERR_INVALID_ARG;
    memset(s, 0, sizeof *s);
    s->nodes = q->gi.n_nodes;
    for (int i = 0; i < q->gi.n_nodes; i++) {
        int c = q->nodes[i].cls;
        if (c == PQ_FLOAT) s->kept_float++;
        else if (c == PQ_ABSORBED) s->absorbed++;
        else if (c == PQ_MOVE) s->movement++;
        else s->int8++;
    }
    s->calibrated = q->calibrated;
    s->compared = q->compared;
    return TERN_OK;
}

tern_status tern_ptq_float_node(const tern_ptq *q, int i, const char **name, const char **op,
                                const char **why) {
    if (!q || !q->gi_ready) return TERN_ERR_INVALID_ARG;
    for (int k = 0; k < q->gi.n_nodes; k++) {
        if (q->nodes[k].cls != PQ_FLOAT || i-- > 0) continue;
        *name = q->gi.nodes[k].name;
        *op = q->gi.nodes[k].op_type;
        *why = q->nodes[k].why ? q->nodes[k].why : "";
        return TERN_OK;
    }
    return TERN_ERR_INVALID_ARG;
}

/* ---- layers ---- */

static double sqnr(const pq_layer_acc *a) {
    if (a->ss <= 0) return 0;
    if (a->ee <= 0) return 200;
    double d = 10 * log10(a->ss / a->ee);
    return d < 200 ? d : 200;
}

int tern_ptq_layer_count(const tern_ptq *q) {
    return q ? q->n_layers : 0;
}

tern_status tern_ptq_layer_get(const tern_ptq *q, int i, tern_ptq_layer *out) {
    if (!q || !out || i < 0 || i >= q->n_layers) return TERN_ERR_INVALID_ARG;
    const pq_layer *l = &q->layers[i];
    out->name = l->name;
    out->op = l->op;
    out->tensor = l->tensor;
    out->sqnr_db = sqnr(&l->acc);
    double den = sqrt(l->acc.ss) * sqrt(l->acc.yy);
    out->cosine = den > 0 ? l->acc.xy / den : (l->acc.ss == l->acc.yy ? 1 : 0);
    double in = l->in_layer >= 0 ? sqnr(&q->layers[l->in_layer].acc) : 200;
    out->own_db = in - out->sqnr_db;
    return TERN_OK;
}

/* Relative noise a layer adds: its output's noise-to-signal ratio minus
 * its input's. Ranking by SQNR lost in dB would blame the first layers,
 * whose 40 dB input makes any step look large while adding almost no
 * noise; the ratio ranks layers by what they add to the end result. */
static double added_noise(const tern_ptq *q, int i) {
    const pq_layer *l = &q->layers[i];
    double out = l->acc.ss > 0 ? l->acc.ee / l->acc.ss : 0, in = 0;
    if (l->in_layer >= 0) {
        const pq_layer_acc *a = &q->layers[l->in_layer].acc;
        in = a->ss > 0 ? a->ee / a->ss : 0;
    }
    return out - in;
}

int tern_ptq_keep_worst(tern_ptq *q, int k) {
    if (!q || k <= 0 || !q->n_layers) return 0;
    int added = 0;
    char *used = calloc((size_t)q->n_layers, 1);
    if (!used) return 0;
    for (; added < k; added++) {
        int best = -1;
        double best_noise = -INFINITY;
        for (int i = 0; i < q->n_layers; i++) {
            if (used[i] || !strcmp(q->layers[i].op, "Input")) continue;
            double a = added_noise(q, i);
            if (a > best_noise) best_noise = a, best = i;
        }
        if (best < 0) break;
        used[best] = 1;
        size_t len = strlen(q->keep) + strlen(q->layers[best].name) + 2;
        char *nk = malloc(len);
        if (!nk) break;
        snprintf(nk, len, "%s%s%s", q->keep, q->keep[0] ? "," : "", q->layers[best].name);
        free(q->keep);
        q->keep = nk;
    }
    free(used);
    return added;
}

/* ---- workers ---- */

typedef const char *(*name_fn)(const void *ctx, int k, char *buf, size_t cap);

static int *name_map(const tern_graph *cg, name_fn name_of, const void *ctx, int count) {
    char buf[1100];
    int *map = malloc(((size_t)cg->n_tensors + 1) * sizeof *map);
    if (!map) return NULL;
    for (int t = 0; t < cg->n_tensors; t++) {
        map[t] = -1;
        for (int k = 0; k < count; k++) {
            const char *nm = name_of(ctx, k, buf, sizeof buf);
            if (nm && !strcmp(nm, cg->tensors[t].name)) {
                map[t] = k;
                break;
            }
        }
    }
    return map;
}

static const char *gi_name(const void *ctx, int k, char *buf, size_t cap) {
    (void)buf, (void)cap;
    const tern_ptq *q = ctx;
    return pq_is_act_tensor(&q->gi, k) ? q->gi.tensors[k].name : NULL;
}
static const char *layer_name(const void *ctx, int k, char *buf, size_t cap) {
    (void)buf, (void)cap;
    return ((const tern_ptq *)ctx)->layers[k].tensor;
}
static const char *fq_name(const void *ctx, int k, char *buf, size_t cap) {
    (void)buf, (void)cap;
    return ((const tern_ptq *)ctx)->fq[k].name;
}
/* In tern's integer graph a layer's output is the QuantizeLinear's int8
 * tensor, T_quantized in the files tern writes (qdq_build.c). */
static const char *int8_name(const void *ctx, int k, char *buf, size_t cap) {
    snprintf(buf, cap, "%s_quantized", ((const tern_ptq *)ctx)->layers[k].tensor);
    return buf;
}

static tern_status make_session(const tern_model *m, tern_session **s, char *why, size_t cap) {
    tern_session_options o = {.batch = 1, .threads = 1, .flags = TERN_SESSION_NO_FUSE};
    tern_status st = tern_session_create(m, &o, s);
    if (st != TERN_OK) snprintf(why, cap, "%s", *s ? tern_session_error(*s) : "out of memory");
    return st;
}

static tern_status worker_init(tern_ptq_worker *w) {
    tern_ptq *q = w->q;
    tern_status st = make_session(q->fp32, &w->fs, w->error, sizeof w->error);
    if (st != TERN_OK) return st;
    const tern_graph *fg = &w->fs->c.g;
    int nt = q->gi.n_tensors;
    w->fmap = name_map(fg, gi_name, q, nt);
    w->stats = calloc((size_t)nt + 1, sizeof *w->stats);
    if (!w->fmap || !w->stats) return TERN_ERR_NOMEM;
    for (int t = 0; t < nt; t++) {
        w->stats[t].channels = q->stats[t].channels;
        w->stats[t].ch_axis = q->stats[t].ch_axis;
    }
    if (!q->sim) return TERN_OK;
    if (q->o.simulate) {
        st = make_session(q->sim, &w->is, w->error, sizeof w->error);
    } else {
        tern_session_options o = {.batch = 1, .threads = 1};
        st = tern_session_create(q->qdq_model, &o, &w->is);
        if (st != TERN_OK)
            snprintf(w->error, sizeof w->error, "%s", w->is ? tern_session_error(w->is) : "no memory");
    }
    if (st != TERN_OK) return st;
    w->lmap = name_map(fg, layer_name, q, q->n_layers);
    w->imap = q->o.simulate ? name_map(&w->is->c.g, fq_name, q, q->n_fq)
                            : name_map(&w->is->c.g, int8_name, q, q->n_layers);
    w->acc = calloc((size_t)q->n_layers + 1, sizeof *w->acc);
    w->stash = calloc((size_t)q->n_layers + 1, sizeof *w->stash);
    w->stash_n = calloc((size_t)q->n_layers + 1, sizeof *w->stash_n);
    if (!w->lmap || !w->imap || !w->acc || !w->stash || !w->stash_n) return TERN_ERR_NOMEM;
    size_t most = 0;
    for (int t = 0; t < fg->n_tensors; t++) {
        int l = w->lmap[t];
        if (l < 0 || w->stash[l]) continue;
        size_t n = (size_t)tern_tensor_numel(&fg->tensors[t]);
        w->stash_n[l] = n;
        most = n > most ? n : most;
        if (!(w->stash[l] = malloc((n ? n : 1) * sizeof(float)))) return TERN_ERR_NOMEM;
    }
    w->scratch = malloc((most ? most : 1) * sizeof(float));
    return w->scratch ? TERN_OK : TERN_ERR_NOMEM;
}

tern_status tern_ptq_worker_create(tern_ptq *q, tern_ptq_worker **out) {
    if (!q || !out || !q->gi_ready) return TERN_ERR_INVALID_ARG;
    tern_ptq_worker *w = *out = calloc(1, sizeof *w);
    if (!w) return TERN_ERR_NOMEM;
    w->q = q;
    tern_status st = worker_init(w);
    if (st == TERN_ERR_NOMEM && !w->error[0]) snprintf(w->error, sizeof w->error, "out of memory");
    return st;
}

void tern_ptq_worker_free(tern_ptq_worker *w) {
    if (!w) return;
    tern_session_free(w->fs);
    tern_session_free(w->is);
    pq_stat_free(w->stats, w->q->gi.n_tensors);
    if (w->stash)
        for (int l = 0; l < w->q->n_layers; l++) free(w->stash[l]);
    free(w->stash);
    free(w->stash_n);
    free(w->scratch);
    free(w->acc);
    free(w->fmap);
    free(w->lmap);
    free(w->imap);
    free(w);
}

const char *tern_ptq_worker_error(const tern_ptq_worker *w) {
    return w ? w->error : "no worker";
}

tern_status tern_ptq_worker_merge(tern_ptq_worker *w) {
    if (!w) return TERN_ERR_INVALID_ARG;
    tern_ptq *q = w->q;
    pthread_mutex_lock(&q->lock);
    tern_status st = pq_stat_merge(q->stats, w->stats, q->gi.n_tensors);
    if (w->acc)
        for (int l = 0; l < q->n_layers; l++) {
            pq_layer_acc *a = &q->layers[l].acc, *b = &w->acc[l];
            a->ss += b->ss, a->ee += b->ee, a->xy += b->xy, a->yy += b->yy;
            memset(b, 0, sizeof *b);
        }
    q->calibrated += w->calibrated;
    q->compared += w->compared;
    w->calibrated = w->compared = 0;
    pthread_mutex_unlock(&q->lock);
    if (st != TERN_OK) snprintf(w->error, sizeof w->error, "out of memory");
    return st;
}
