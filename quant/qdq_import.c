/* A QDQ model back into what the simulation runs: a float graph (every
 * DequantizeLinear of an initializer evaluated into a float constant,
 * every QuantizeLinear -> DequantizeLinear pair on an activation removed)
 * plus the list of tensors to round onto their int8 grid after they are
 * computed. Running that list through pq_fake_quant is what the QDQ model
 * computes in float (ONNX Runtime with optimizations off). Tensor names
 * are the QDQ file's, which tern's writer keeps equal to the FP32 model's,
 * so the same tensors can be compared. */
#include <stdlib.h>
#include <string.h>

#include "quant/ptq_priv.h"

static const tern_tensor *cin(const tern_graph *g, const tern_node *n, int k) {
    if (k >= n->n_inputs || n->inputs[k] < 0) return NULL;
    const tern_tensor *t = &g->tensors[n->inputs[k]];
    return t->data ? t : NULL;
}

/* Zero point element i as an int (0 when absent). uint8 data is read as
 * its int8 twin (x ^ 0x80) by the caller; here the raw value. */
static long zp_at(const tern_tensor *z, int64_t i) {
    if (!z) return 0;
    switch (z->dtype) {
    case TERN_INT8: return ((const int8_t *)z->data)[i];
    case TERN_UINT8: return ((const uint8_t *)z->data)[i];
    case TERN_INT32: return ((const int32_t *)z->data)[i];
    default: return 0;
    }
}

static long val_at(const tern_tensor *x, int64_t i) {
    return zp_at(x, i);
}

/* DequantizeLinear of an initializer -> a float constant. */
static tern_status fold_dq(tern_graph *g, tern_node *n, tern_err *err) {
    const tern_tensor *x = cin(g, n, 0), *s = cin(g, n, 1), *z = cin(g, n, 2);
    if (n->n_outputs < 1 || n->outputs[0] < 0)
        return tern_errf(err, TERN_ERR_PARSE, "DequantizeLinear '%s' has no output", n->name);
    if (!x || !s || s->dtype != TERN_FLOAT)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "DequantizeLinear '%s' without a constant scale",
                         n->name);
    int64_t cnt = tern_tensor_numel(x), ns = tern_tensor_numel(s);
    int axis = (int)tern_attr_int(n, "axis", 1);
    if (axis < 0) axis += x->rank;
    if (ns < 1 || cnt < 0)
        return tern_errf(err, TERN_ERR_SHAPE, "DequantizeLinear '%s' has no scale", n->name);
    if (ns > 1 && (axis < 0 || axis >= x->rank || x->dims[axis] != ns))
        return tern_errf(err, TERN_ERR_SHAPE, "DequantizeLinear '%s': %lld scales for axis %d",
                         n->name, (long long)ns, axis);
    if (z && tern_tensor_numel(z) != ns)
        return tern_errf(err, TERN_ERR_SHAPE, "DequantizeLinear '%s': zero point count", n->name);
    int64_t inner = 1;
    for (int d = axis + 1; ns > 1 && d < x->rank; d++) inner *= x->dims[d];
    float *y = tern_pool_alloc_array(&g->pool, (size_t)(cnt > 0 ? cnt : 1), sizeof(float));
    if (!y) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    const float *sc = s->data;
    for (int64_t i = 0; i < cnt; i++) {
        int64_t c = ns > 1 ? (i / inner) % ns : 0;
        y[i] = (float)(val_at(x, i) - zp_at(z, c)) * sc[c];
    }
    tern_tensor *o = &g->tensors[n->outputs[0]];
    o->data = y;
    o->dtype = TERN_FLOAT;
    o->rank = x->rank;
    memcpy(o->dims, x->dims, sizeof o->dims);
    n->dead = 1;
    return TERN_OK;
}

/* The only live reader of t, or -1. */
static int only_reader(const tern_graph *g, int t) {
    int who = -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        if (n->dead) continue;
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] == t) {
                if (who >= 0 && who != i) return -1;
                who = i;
            }
    }
    return who;
}

static int producer_of(const tern_graph *g, int t) {
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        if (n->dead) continue;
        for (int k = 0; k < n->n_outputs; k++)
            if (n->outputs[k] == t) return i;
    }
    return -1;
}

static void replace_uses(tern_graph *g, int from, int to) {
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] == from) g->nodes[i].inputs[k] = to;
    for (int k = 0; k < g->n_outputs; k++)
        if (g->outputs[k] == from) g->outputs[k] = to;
}

/* Q -> DQ on an activation: drop both, remember the grid. */
static tern_status fold_pair(tern_ptq *q, tern_graph *g, tern_node *qn, tern_err *err) {
    const tern_tensor *s = cin(g, qn, 1), *z = cin(g, qn, 2);
    if (qn->n_outputs < 1 || qn->outputs[0] < 0 || qn->n_inputs < 1 || qn->inputs[0] < 0)
        return tern_errf(err, TERN_ERR_PARSE, "QuantizeLinear '%s' lacks an input or output",
                         qn->name);
    if (!s || s->dtype != TERN_FLOAT || tern_tensor_numel(s) != 1 ||
        (z && tern_tensor_numel(z) != 1))
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "QuantizeLinear '%s': only per-tensor constant scales are simulated",
                         qn->name);
    int d = only_reader(g, qn->outputs[0]);
    tern_node *dn = d >= 0 ? &g->nodes[d] : NULL;
    if (!dn || strcmp(dn->op_type, "DequantizeLinear") || dn->n_outputs < 1 || dn->outputs[0] < 0)
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "QuantizeLinear '%s' is not read by one DequantizeLinear", qn->name);
    int tin = qn->inputs[0], tout = dn->outputs[0], p = producer_of(g, tin);
    int keep = tout;
    if (p >= 0 && only_reader(g, tin) == (int)(qn - g->nodes) && !g->tensors[tin].is_output) {
        for (int k = 0; k < g->nodes[p].n_outputs; k++)
            if (g->nodes[p].outputs[k] == tin) g->nodes[p].outputs[k] = tout;
    } else {
        replace_uses(g, tout, tin);
        keep = tin;
    }
    qn->dead = dn->dead = 1;
    pq_fq *f = &q->fq[q->n_fq++];
    f->name = g->tensors[keep].name;
    f->scale = *(const float *)s->data;
    long zp = zp_at(z, 0);
    f->zp = (int)(z && z->dtype == TERN_UINT8 ? zp - 128 : zp);
    f->layer = -1;
    (void)err;
    return TERN_OK;
}

static int is_move(const char *op) {
    static const char *const ops[] = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose",
                                      "Identity", "Dropout", "Pad", "MaxPool", NULL};
    for (int i = 0; ops[i]; i++)
        if (!strcmp(op, ops[i])) return 1;
    return 0;
}

/* Layers: each rounded tensor made by a computing node (movement ops
 * repeat their input's grid and are not listed). */
static tern_status make_layers(tern_ptq *q, const tern_graph *g, tern_err *err) {
    q->layers = calloc((size_t)q->n_fq + 1, sizeof *q->layers);
    int *src = calloc((size_t)g->n_tensors + 1, sizeof *src);
    if (!q->layers || !src) {
        free(src);
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    }
    for (int t = 0; t < g->n_tensors; t++) src[t] = -1;
    q->n_layers = 0;
    for (int f = 0; f < q->n_fq; f++) {
        int t = tern_graph_find_tensor(g, q->fq[f].name);
        if (t < 0) continue;
        int p = g->tensors[t].producer;
        const tern_node *n = p >= 0 ? &g->nodes[p] : NULL;
        if (n && is_move(n->op_type)) {
            src[t] = n->inputs[0] >= 0 ? src[n->inputs[0]] : -1;
            continue;
        }
        pq_layer *l = &q->layers[q->n_layers];
        l->tensor = q->fq[f].name;
        l->name = n ? (n->name && n->name[0] ? n->name : q->fq[f].name) : q->fq[f].name;
        l->op = n ? n->op_type : "Input";
        l->in_layer = n && n->n_inputs > 0 && n->inputs[0] >= 0 ? src[n->inputs[0]] : -1;
        q->fq[f].layer = q->n_layers;
        src[t] = q->n_layers++;
    }
    free(src);
    return TERN_OK;
}

tern_status pq_import_qdq(tern_ptq *q, const tern_model *qm, tern_err *err) {
    tern_model *sim = calloc(1, sizeof *sim);
    if (!sim) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    tern_graph *g = &sim->graph;
    tern_status st = tern_graph_clone(g, &qm->graph, err);
    if (st != TERN_OK) {
        free(sim);
        return st;
    }
    sim->ok = 1;
    q->sim = sim;
    q->fq = calloc((size_t)g->n_nodes + 1, sizeof *q->fq);
    if (!q->fq) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    for (int i = 0; st == TERN_OK && i < g->n_nodes; i++) {
        tern_node *n = &g->nodes[i];
        if (!strcmp(n->op_type, "DequantizeLinear") && cin(g, n, 0)) st = fold_dq(g, n, err);
    }
    for (int i = 0; st == TERN_OK && i < g->n_nodes; i++) {
        tern_node *n = &g->nodes[i];
        if (!n->dead && !strcmp(n->op_type, "QuantizeLinear")) st = fold_pair(q, g, n, err);
    }
    if (st != TERN_OK) return st;
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i].dead && (!strcmp(g->nodes[i].op_type, "QuantizeLinear") ||
                                  !strcmp(g->nodes[i].op_type, "DequantizeLinear")))
            return tern_errf(err, TERN_ERR_UNSUPPORTED,
                             "%s '%s' outside a quantize/dequantize pair is not simulated",
                             g->nodes[i].op_type, g->nodes[i].name);
    tern_graph_compact(g);
    return make_layers(q, g, err);
}
