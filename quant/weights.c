/* Weights of a Conv/Gemm/MatMul: int8 symmetric per output channel, and
 * the int32 bias at s_x * s_w[c], corrected for this layer's own weight
 * rounding: the mean output shift sum_k (w_q - w)[c,k] * E[x_k], with E[x]
 * the per-channel mean of the layer's FP32 input over the calibration set.
 * Only the layer's own error: correcting for the shift its (quantized)
 * input already carries too counts the upstream layers' errors twice,
 * since each of them corrects its own (docs/ptq.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quant/ptq_priv.h"

#define QS8_MAX_BIAS (1 << 30) /* docs/quantization.md, section 2 */

void pq_weights_free(pq_weights *w) {
    free(w->w);
    free(w->wscale);
    free(w->bias);
    free(w->bscale);
    memset(w, 0, sizeof *w);
}

/* Layout of a weight: element e is in output channel (e / inner) % C. */
typedef struct {
    int64_t n, c, inner;
} wshape;

static float q8(float v, float s) {
    float f = v / s;
    f = f > -127 ? f : -127;
    f = f < 127 ? f : 127;
    return (f + 0x1.8p23f) - 0x1.8p23f;
}

/* Squared error of channel c's weights on the grid of step s. */
static double chan_err(const float *w, const wshape *ws, int64_t c, float s) {
    double e = 0;
    int64_t outer = ws->n / (ws->c * ws->inner);
    for (int64_t o = 0; o < outer; o++) {
        const float *p = w + (o * ws->c + c) * ws->inner;
        for (int64_t j = 0; j < ws->inner; j++) {
            double d = (double)q8(p[j], s) * s - p[j];
            e += d * d;
        }
    }
    return e;
}

static void scales(const float *w, const wshape *ws, int mse, float *sc) {
    for (int64_t c = 0; c < ws->c; c++) sc[c] = 0;
    for (int64_t i = 0; i < ws->n; i++) {
        int64_t c = (i / ws->inner) % ws->c;
        float a = fabsf(w[i]);
        if (a > sc[c]) sc[c] = a;
    }
    for (int64_t c = 0; c < ws->c; c++) {
        float amax = sc[c];
        sc[c] = amax > 0 ? amax / 127 : 1.0f;
        if (!mse || amax <= 0) continue;
        /* a smaller step clips the largest weights but rounds the rest finer */
        float best = sc[c];
        double best_e = chan_err(w, ws, c, best);
        for (int k = 1; k <= 20; k++) {
            float s = amax * (1.0f - 0.02f * k) / 127;
            double e = chan_err(w, ws, c, s);
            if (e < best_e) best_e = e, best = s;
        }
        sc[c] = best;
    }
}

/* Input channel of weight element i (for the mean of the input). */
static int64_t in_channel(const tern_graph *g, const tern_node *n, const pq_node *pn,
                          const tern_tensor *wt, int64_t i) {
    if (!strcmp(n->op_type, "Conv")) {
        int64_t sp = 1;
        for (int d = 2; d < wt->rank; d++) sp *= wt->dims[d];
        int64_t o = i / (wt->dims[1] * sp), ci = (i / sp) % wt->dims[1];
        int64_t groups = tern_attr_int(n, "group", 1);
        int64_t per = groups > 0 ? wt->dims[0] / groups : wt->dims[0];
        (void)g;
        return (per > 0 ? o / per : 0) * wt->dims[1] + ci;
    }
    /* Gemm/MatMul, 2-D: the axis that is not the output channel */
    return pn->waxis == 0 ? i % wt->dims[1] : i / wt->dims[1];
}

static void correct_bias(tern_ptq *q, int node, const float *w, const pq_weights *out,
                         double *b) {
    const tern_graph *g = &q->gi;
    const tern_node *n = &g->nodes[node];
    const pq_node *pn = &q->nodes[node];
    const pq_stat *st = &q->stats[n->inputs[0]];
    const tern_tensor *wt = &g->tensors[n->inputs[1]];
    if (!st->chsum || st->chn <= 0) return;
    wshape ws = {tern_tensor_numel(wt), out->channels, 1};
    for (int d = pn->waxis + 1; d < wt->rank; d++) ws.inner *= wt->dims[d];
    for (int64_t i = 0; i < ws.n; i++) {
        int64_t c = (i / ws.inner) % ws.c, ci = in_channel(g, n, pn, wt, i);
        if (ci < 0 || ci >= st->channels) continue;
        float s = out->wscale[c];
        double err = (double)(out->w[i] * s) - w[i];
        b[c] -= err * (st->chsum[ci] / st->chn);
    }
}

tern_status pq_quantize_weights(tern_ptq *q, int node, pq_weights *out, tern_err *err) {
    const tern_graph *g = &q->gi;
    const tern_node *n = &g->nodes[node];
    const pq_node *pn = &q->nodes[node];
    const tern_tensor *wt = &g->tensors[n->inputs[1]];
    const float *w = wt->data;
    memset(out, 0, sizeof *out);
    wshape ws = {tern_tensor_numel(wt), wt->dims[pn->waxis], 1};
    for (int d = pn->waxis + 1; d < wt->rank; d++) ws.inner *= wt->dims[d];
    out->channels = (int)ws.c;
    out->w = malloc((size_t)ws.n);
    out->wscale = malloc((size_t)ws.c * sizeof(float));
    out->bias = malloc((size_t)ws.c * sizeof(int32_t));
    out->bscale = malloc((size_t)ws.c * sizeof(float));
    double *b = calloc((size_t)ws.c, sizeof(double));
    if (!out->w || !out->wscale || !out->bias || !out->bscale || !b) {
        free(b);
        pq_weights_free(out);
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory (weights)");
    }
    scales(w, &ws, q->o.weight_mse, out->wscale);
    for (int64_t i = 0; i < ws.n; i++)
        out->w[i] = (int8_t)q8(w[i], out->wscale[(i / ws.inner) % ws.c]);
    int bt = n->n_inputs > 2 ? n->inputs[2] : -1;
    if (bt >= 0) {
        const tern_tensor *bias = &g->tensors[bt];
        const float *bd = bias->data;
        int64_t nb = tern_tensor_numel(bias);
        for (int64_t c = 0; c < ws.c; c++) b[c] = nb == ws.c ? bd[c] : nb == 1 ? bd[0] : 0;
    }
    if (!q->o.no_bias_correction) correct_bias(q, node, w, out, b);
    float sx = q->scale[n->inputs[0]];
    for (int64_t c = 0; c < ws.c; c++) {
        out->bscale[c] = sx * out->wscale[c];
        double v = nearbyint(b[c] / out->bscale[c]);
        v = v > QS8_MAX_BIAS ? QS8_MAX_BIAS : v < -QS8_MAX_BIAS ? -QS8_MAX_BIAS : v;
        out->bias[c] = (int32_t)v;
    }
    free(b);
    return TERN_OK;
}
