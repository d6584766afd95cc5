/* The QDQ graph: the FP32 graph with every int8 tensor T written as
 * producer -> T_preq -> QuantizeLinear -> T_q (int8) -> DequantizeLinear -> T,
 * so that readers and graph outputs keep their names; weights as int8
 * initializers behind DequantizeLinear(axis = output channel), biases as
 * int32 at s_x * s_w[c] behind DequantizeLinear(axis 0); absorbed Relu/Clip
 * dropped (the zero point -128 of the output clamps at 0 exactly as they
 * did). The standard layout ONNX Runtime's quantizer writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/op.h"
#include "quant/ptq_priv.h"

typedef struct {
    tern_ptq *q;
    tern_graph *g;
    int *remap; /* gi tensor -> qg tensor readers use */
    tern_err *err;
} qb;

static int add_tensor(qb *b, const char *base, const char *suffix, tern_dtype dt, int rank,
                      const int64_t *dims, const void *data, size_t bytes) {
    char name[1024];
    snprintf(name, sizeof name, "%s%s", base, suffix);
    int t = tern_graph_add_tensor(b->g, name);
    if (t < 0) return -1;
    tern_tensor *x = &b->g->tensors[t];
    x->dtype = dt;
    x->rank = rank;
    x->producer = -1;
    x->alias_of = -1;
    for (int i = 0; i < rank; i++) x->dims[i] = dims[i];
    if (data) {
        void *copy = tern_pool_alloc(&b->g->pool, bytes ? bytes : 1);
        if (!copy) return -1;
        memcpy(copy, data, bytes);
        b->g->tensors[t].data = copy;
        b->g->const_bytes += bytes;
    }
    return t;
}

static int add_node(qb *b, const char *op, const char *name, const int *in, int nin,
                    const int *out, int nout, int axis) {
    int k = tern_graph_add_node(b->g, op, "", name, nin, nout);
    if (k < 0) return -1;
    tern_node *n = &b->g->nodes[k];
    for (int i = 0; i < nin; i++) n->inputs[i] = in[i];
    for (int i = 0; i < nout; i++) n->outputs[i] = out[i];
    if (axis >= 0) {
        tern_attr *a = tern_pool_alloc(&b->g->pool, sizeof *a);
        if (!a) return -1;
        a->name = "axis";
        a->type = TERN_ATTR_INT;
        a->i = axis;
        n->attrs = a;
        n->n_attrs = 1;
    }
    return k;
}

#define OOM() tern_errf(b->err, TERN_ERR_NOMEM, "out of memory (QDQ graph)")

/* pre -> Q -> T_q -> DQ -> t, with t's grid. */
static tern_status emit_qdq(qb *b, int pre, int t, const char *tname) {
    int r = b->q->root[t];
    float s = b->q->scale[r];
    int8_t z = (int8_t)b->q->zp[r];
    const tern_tensor *x = &b->g->tensors[t];
    int64_t dims[TERN_MAX_RANK];
    int rank = x->rank;
    memcpy(dims, x->dims, sizeof dims);
    int ts = add_tensor(b, tname, "_scale", TERN_FLOAT, 0, NULL, &s, sizeof s);
    int tz = add_tensor(b, tname, "_zero_point", TERN_INT8, 0, NULL, &z, 1);
    int tq = add_tensor(b, tname, "_quantized", TERN_INT8, rank, dims, NULL, 0);
    if (ts < 0 || tz < 0 || tq < 0) return OOM();
    char nm[1024];
    snprintf(nm, sizeof nm, "%s_QuantizeLinear", tname);
    int in_q[3] = {pre, ts, tz}, in_d[3] = {tq, ts, tz};
    if (add_node(b, "QuantizeLinear", nm, in_q, 3, &tq, 1, -1) < 0) return OOM();
    snprintf(nm, sizeof nm, "%s_DequantizeLinear", tname);
    if (add_node(b, "DequantizeLinear", nm, in_d, 3, &t, 1, -1) < 0) return OOM();
    return TERN_OK;
}

/* DequantizeLinear(axis) of a per-channel initializer; returns the float
 * tensor or -1. */
static int emit_dq_const(qb *b, const char *base, tern_dtype dt, const tern_tensor *shape,
                         const void *data, size_t esize, const float *scale, int channels,
                         int axis) {
    size_t n = (size_t)tern_tensor_numel(shape);
    int tq = add_tensor(b, base, "_quantized", dt, shape->rank, shape->dims, data, n * esize);
    int64_t c = channels;
    int ts = add_tensor(b, base, "_scale", TERN_FLOAT, 1, &c, scale, (size_t)c * sizeof(float));
    void *zeros = calloc((size_t)c, esize);
    int tz = zeros ? add_tensor(b, base, "_zero_point", dt, 1, &c, zeros, (size_t)c * esize) : -1;
    free(zeros);
    int tf = add_tensor(b, base, "_dequantized", TERN_FLOAT, shape->rank, shape->dims, NULL, 0);
    if (tq < 0 || ts < 0 || tz < 0 || tf < 0) return -1;
    char nm[1024];
    snprintf(nm, sizeof nm, "%s_DequantizeLinear", base);
    int in[3] = {tq, ts, tz};
    return add_node(b, "DequantizeLinear", nm, in, 3, &tf, 1, axis) < 0 ? -1 : tf;
}

static tern_status weighted_inputs(qb *b, int i, int *in, int *nin) {
    tern_ptq *q = b->q;
    const tern_node *n = &q->gi.nodes[i];
    const pq_node *pn = &q->nodes[i];
    pq_weights w;
    tern_status st = pq_quantize_weights(q, i, &w, b->err);
    if (st != TERN_OK) return st;
    const tern_tensor *wt = &q->gi.tensors[n->inputs[1]];
    in[1] = emit_dq_const(b, wt->name, TERN_INT8, wt, w.w, 1, w.wscale, w.channels, pn->waxis);
    int has_bias = n->n_inputs > 2 && n->inputs[2] >= 0;
    if (in[1] >= 0 && strcmp(n->op_type, "MatMul")) {
        /* Conv and Gemm always get one: bias correction may have made it */
        char base[1024];
        snprintf(base, sizeof base, "%s",
                 has_bias ? q->gi.tensors[n->inputs[2]].name : q->gi.tensors[pn->out].name);
        if (!has_bias) strncat(base, "_bias", sizeof base - strlen(base) - 1);
        tern_tensor shape = {.rank = 1, .dims = {w.channels}};
        in[2] = emit_dq_const(b, base, TERN_INT32, &shape, w.bias, 4, w.bscale, w.channels, 0);
        if (in[2] < 0) in[1] = -1;
        *nin = 3;
    }
    pq_weights_free(&w);
    return in[1] < 0 ? OOM() : TERN_OK;
}

static tern_status emit_node(qb *b, int i) {
    tern_ptq *q = b->q;
    const tern_node *n = &q->gi.nodes[i];
    const pq_node *pn = &q->nodes[i];
    if (pn->cls == PQ_ABSORBED) return TERN_OK;
    int nin = n->n_inputs, in[TERN_MAX_NODE_IO + 1], out[TERN_MAX_NODE_IO];
    for (int k = 0; k < nin; k++) in[k] = n->inputs[k] < 0 ? -1 : b->remap[n->inputs[k]];
    if (pn->cls == PQ_WEIGHTED) {
        tern_status st = weighted_inputs(b, i, in, &nin);
        if (st != TERN_OK) return st;
    }
    for (int k = 0; k < n->n_outputs; k++) {
        int t = k == 0 ? pn->out : n->outputs[k];
        out[k] = t;
        if (t >= 0 && q->root[t] >= 0) {
            const tern_tensor *x = &b->g->tensors[t];
            out[k] = add_tensor(b, x->name, "_preq", TERN_FLOAT, x->rank, x->dims, NULL, 0);
            if (out[k] < 0) return OOM();
        }
    }
    int k = tern_graph_add_node(b->g, n->op_type, n->domain, n->name, nin, n->n_outputs);
    if (k < 0) return OOM();
    tern_node *d = &b->g->nodes[k];
    memcpy(d->inputs, in, (size_t)nin * sizeof(int));
    memcpy(d->outputs, out, (size_t)n->n_outputs * sizeof(int));
    d->attrs = n->attrs;
    d->n_attrs = n->n_attrs;
    for (int o = 0; o < n->n_outputs; o++) {
        int t = o == 0 ? pn->out : n->outputs[o];
        if (t < 0 || q->root[t] < 0) continue;
        tern_status st = emit_qdq(b, out[o], t, q->gi.tensors[t].name);
        if (st != TERN_OK) return st;
    }
    return TERN_OK;
}

/* The analysis graph has every dim bound (batch 1); the file keeps the
 * FP32 model's dynamic dims on its inputs and outputs (a `N` batch stays
 * `N`), so the QDQ model binds like the model it came from. */
static void keep_dynamic_dims(tern_graph *g, const tern_graph *fp32) {
    for (int io = 0; io < 2; io++) {
        const int *list = io ? g->outputs : g->inputs;
        for (int k = 0; k < (io ? g->n_outputs : g->n_inputs); k++) {
            tern_tensor *t = &g->tensors[list[k]];
            int f = tern_graph_find_tensor(fp32, t->name);
            if (f < 0 || fp32->tensors[f].rank != t->rank) continue;
            for (int d = 0; d < t->rank; d++) {
                if (fp32->tensors[f].dims[d] >= 0) continue;
                t->dims[d] = -1;
                t->dim_param[d] = fp32->tensors[f].dim_param[d];
            }
        }
    }
}

static tern_status copy_tensors(qb *b) {
    const tern_graph *s = &b->q->gi;
    tern_graph *g = b->g;
    for (int t = 0; t < s->n_tensors; t++) {
        const tern_tensor *x = &s->tensors[t];
        if (tern_graph_add_tensor(g, x->name) != t) return OOM();
        tern_tensor *y = &g->tensors[t];
        const char *name = y->name;
        *y = *x;
        y->name = name;
        y->producer = -1;
        b->remap[t] = t;
    }
    g->inputs = tern_pool_alloc_array(&g->pool, (size_t)s->n_inputs + 1, sizeof(int));
    g->outputs = tern_pool_alloc_array(&g->pool, (size_t)s->n_outputs + 1, sizeof(int));
    if (!g->inputs || !g->outputs) return OOM();
    memcpy(g->inputs, s->inputs, (size_t)s->n_inputs * sizeof(int));
    memcpy(g->outputs, s->outputs, (size_t)s->n_outputs * sizeof(int));
    g->n_inputs = s->n_inputs;
    g->n_outputs = s->n_outputs;
    keep_dynamic_dims(g, &b->q->fp32->graph);
    g->ir_version = s->ir_version;
    g->opset = s->opset > 13 ? s->opset : 13; /* per-axis DequantizeLinear */
    g->opset_ms = s->opset_ms;
    g->name = tern_pool_strdup(&g->pool, s->name ? s->name : "tern");
    return TERN_OK;
}

/* A quantized graph input: input -> Q -> DQ -> input_dequantized for readers. */
static tern_status quantize_input(qb *b, int t) {
    const tern_tensor *x = &b->g->tensors[t];
    char base[1024];
    snprintf(base, sizeof base, "%s", x->name);
    int td = add_tensor(b, base, "_dequantized", TERN_FLOAT, x->rank, x->dims, NULL, 0);
    if (td < 0) return OOM();
    b->q->root[td] = b->q->root[t];
    b->remap[t] = td;
    return emit_qdq(b, t, td, base);
}

tern_status pq_build_qdq(tern_ptq *q, tern_err *err) {
    if (q->qg_ready) tern_graph_free(&q->qg);
    q->qg_ready = 0;
    tern_graph_init(&q->qg);
    int nt = q->gi.n_tensors;
    /* root grows as quantize_input adds tensors: size it for the worst case */
    qb b = {q, &q->qg, calloc((size_t)nt + 1, sizeof(int)), err};
    int *root = realloc(q->root, ((size_t)nt * 2 + 16) * sizeof(int));
    if (!b.remap || !root) {
        free(b.remap);
        if (root) q->root = root;
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory (QDQ graph)");
    }
    q->root = root;
    q->qg_ready = 1;
    tern_status st = copy_tensors(&b);
    for (int k = 0; st == TERN_OK && k < q->gi.n_inputs; k++)
        if (q->root[q->gi.inputs[k]] >= 0) st = quantize_input(&b, q->gi.inputs[k]);
    for (int i = 0; st == TERN_OK && i < q->gi.n_nodes; i++) st = emit_node(&b, i);
    free(b.remap);
    if (st == TERN_OK) tern_graph_compact(&q->qg);
    return st;
}
