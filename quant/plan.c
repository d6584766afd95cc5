/* Which node of the FP32 graph becomes what in INT8, and which tensors
 * share one int8 grid. Runs on the graph after shape inference and
 * constant folding (no rewrites, no layouts), the graph that is exported. */
#include <stdlib.h>
#include <string.h>

#include "quant/ptq_priv.h"

int pq_is_act_tensor(const tern_graph *g, int t) {
    if (t < 0) return 0;
    const tern_tensor *x = &g->tensors[t];
    return !x->data && x->dtype == TERN_FLOAT && x->rank >= 0;
}

static int is_const(const tern_graph *g, int t) {
    return t >= 0 && g->tensors[t].data != NULL;
}

static int is_op(const tern_node *n, const char *const *list) {
    for (; *list; list++)
        if (!strcmp(n->op_type, *list)) return 1;
    return 0;
}

static const char *const MOVE_OPS[] = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose",
                                       "Identity", "Dropout", NULL};
static const char *const LUT_OPS[] = {"HardSigmoid", "HardSwish", "Sigmoid", "Tanh",
                                      "LeakyRelu",   "Relu",      "Clip",    NULL};
static const char *const ARITH_OPS[] = {"Add", "Mul", "GlobalAveragePool", "AveragePool",
                                        "Concat", NULL};

/* Is name in the comma-separated list? */
static int listed(const char *list, const char *name) {
    if (!list || !name || !name[0]) return 0;
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == len && !strncmp(p, name, len)) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

static int weighted(const tern_graph *g, const tern_node *n, pq_node *pn) {
    if (n->n_inputs < 2 || !is_const(g, n->inputs[1])) return 0;
    const tern_tensor *w = &g->tensors[n->inputs[1]];
    if (w->dtype != TERN_FLOAT) return 0;
    if (n->n_inputs > 2 && n->inputs[2] >= 0 && !is_const(g, n->inputs[2])) return 0;
    if (!strcmp(n->op_type, "Conv")) {
        pn->waxis = 0;
        pn->in_axis = 1;
        return w->rank >= 3;
    }
    if (!strcmp(n->op_type, "Gemm")) {
        if (w->rank != 2 || tern_attr_int(n, "transA", 0) || tern_attr_float(n, "alpha", 1) != 1 ||
            tern_attr_float(n, "beta", 1) != 1)
            return 0;
        pn->waxis = tern_attr_int(n, "transB", 0) ? 0 : 1;
        pn->in_axis = 1;
        return 1;
    }
    if (!strcmp(n->op_type, "MatMul")) {
        const tern_tensor *x = &g->tensors[n->inputs[0]];
        pn->waxis = 1;
        pn->in_axis = x->rank - 1;
        return w->rank == 2 && x->rank >= 2;
    }
    return 0;
}

/* A Clip whose lower bound is 0 (and upper, if any, constant). */
static int clip_from_zero(const tern_graph *g, const tern_node *n) {
    if (n->n_inputs < 2 || n->inputs[1] < 0) return 0; /* min absent: -inf */
    const tern_tensor *lo = &g->tensors[n->inputs[1]];
    if (!lo->data || lo->dtype != TERN_FLOAT || tern_tensor_numel(lo) != 1) return 0;
    if (*(const float *)lo->data != 0.0f) return 0;
    return n->n_inputs < 3 || n->inputs[2] < 0 || is_const(g, n->inputs[2]);
}

static void classify(tern_ptq *q, int i) {
    const tern_graph *g = &q->gi;
    const tern_node *n = &g->nodes[i];
    pq_node *pn = &q->nodes[i];
    pn->cls = PQ_FLOAT;
    pn->out = n->n_outputs > 0 ? n->outputs[0] : -1;
    if (listed(q->keep, n->name) || (pn->out >= 0 && listed(q->keep, g->tensors[pn->out].name))) {
        pn->why = "kept in float (--keep-fp32)";
        return;
    }
    if (n->n_outputs != 1 || !pq_is_act_tensor(g, n->outputs[0]) ||
        !pq_is_act_tensor(g, n->inputs[0])) {
        pn->why = "not a float activation op";
        return;
    }
    if (weighted(g, n, pn)) pn->cls = PQ_WEIGHTED;
    else if (is_op(n, MOVE_OPS)) pn->cls = PQ_MOVE;
    else if (!strcmp(n->op_type, "Pad")) {
        const char *mode = tern_attr_string(n, "mode", "constant");
        int zero = n->n_inputs < 3 || n->inputs[2] < 0 ||
                   (is_const(g, n->inputs[2]) && *(const float *)g->tensors[n->inputs[2]].data == 0);
        if (!strcmp(mode, "constant") && zero) pn->cls = PQ_MOVE;
        else pn->why = "Pad with a non-zero value or mode";
    } else if (!strcmp(n->op_type, "MaxPool")) pn->cls = PQ_SAME;
    else if (is_op(n, LUT_OPS)) {
        if (!strcmp(n->op_type, "Clip"))
            for (int k = 1; k < n->n_inputs; k++)
                if (n->inputs[k] >= 0 && !is_const(g, n->inputs[k])) pn->why = "Clip bounds not constant";
        if (!pn->why) pn->cls = PQ_LUT;
    } else if (is_op(n, ARITH_OPS)) {
        for (int k = 0; k < n->n_inputs; k++)
            if (!pq_is_act_tensor(g, n->inputs[k])) pn->why = "a constant operand";
        if (!pn->why) pn->cls = PQ_ARITH;
    } else {
        pn->why = "no integer kernel for this op";
    }
}

/* An activation right after an int8 node, the node's only reader: its
 * clamp becomes the int8 range of the node's output (zero point -128 for
 * Relu and Clip(0, x), whose outputs are never negative). */
static void absorb(tern_ptq *q, int i, const int *nread) {
    const tern_graph *g = &q->gi;
    const tern_node *n = &g->nodes[i];
    pq_node *pn = &q->nodes[i];
    if (pn->cls != PQ_LUT) return;
    int relu = !strcmp(n->op_type, "Relu");
    if (!relu && !(!strcmp(n->op_type, "Clip") && clip_from_zero(g, n))) return;
    int t = n->inputs[0], p = g->tensors[t].producer;
    if (p < 0 || nread[t] != 1 || g->tensors[t].is_output) return;
    pq_node *pp = &q->nodes[p];
    if (pp->cls != PQ_WEIGHTED && pp->cls != PQ_ARITH) return;
    if (pp->out != t) return;
    pn->cls = PQ_ABSORBED;
    pp->out = n->outputs[0];
}

/* x * g(x) with g HardSigmoid or Sigmoid (HardSwish, SiLU as exported):
 * quantizing g(x) on its own grid would cost a rounding and split the pair
 * into a table and an int8 Mul; left float between them, tern's qdq pass
 * fuses DQ(x) -> g -> Mul -> Q into one table of x, and ORT runs the same
 * file in float between the DQ and the Q. */
static void gate(tern_ptq *q, int i, const int *nread) {
    const tern_graph *g = &q->gi;
    const tern_node *n = &g->nodes[i];
    if (q->nodes[i].cls != PQ_ARITH || strcmp(n->op_type, "Mul") || n->n_inputs != 2) return;
    for (int k = 0; k < 2; k++) {
        int h = n->inputs[1 - k], p = h >= 0 ? g->tensors[h].producer : -1;
        if (p < 0 || q->nodes[p].cls != PQ_LUT || nread[h] != 1 || g->tensors[h].is_output) continue;
        const tern_node *gn = &g->nodes[p];
        if (strcmp(gn->op_type, "HardSigmoid") && strcmp(gn->op_type, "Sigmoid")) continue;
        if (gn->inputs[0] != n->inputs[k]) continue;
        q->nodes[p].cls = PQ_GATE;
        return;
    }
}

static int gate_output(const tern_ptq *q, int t) {
    int p = t >= 0 ? q->gi.tensors[t].producer : -1;
    return p >= 0 && q->nodes[p].cls == PQ_GATE;
}

static int find(int *root, int t) {
    while (root[t] != t) t = root[t] = root[root[t]];
    return t;
}

static void unite(int *root, int a, int b) {
    a = find(root, a), b = find(root, b);
    if (a != b) root[a > b ? a : b] = a < b ? a : b;
}

/* Mark t as an int8 tensor (its own group if new). */
static int mark(int *root, int t) {
    if (t < 0 || root[t] >= 0) return 0;
    root[t] = t;
    return 1;
}

/* Movement nodes join their input's grid when either side is int8. */
static void move_groups(tern_ptq *q) {
    tern_graph *g = &q->gi;
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < g->n_nodes; i++) {
            const tern_node *n = &g->nodes[i];
            int cls = q->nodes[i].cls;
            if (cls != PQ_MOVE && cls != PQ_SAME) continue;
            int a = n->inputs[0], b = n->outputs[0];
            if (q->root[a] < 0 && q->root[b] < 0) continue;
            changed |= mark(q->root, a) | mark(q->root, b);
            if (find(q->root, a) != find(q->root, b)) {
                unite(q->root, a, b);
                changed = 1;
            }
        }
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        pq_node *pn = &q->nodes[i];
        if ((pn->cls == PQ_MOVE || pn->cls == PQ_SAME) && q->root[n->inputs[0]] < 0) {
            pn->cls = PQ_FLOAT;
            pn->why = "movement of float data";
        }
    }
}

/* The output head: tensors from which a graph output is reached through
 * float or movement nodes only (the logits, before Softmax or a Reshape).
 * Rounding them to 256 levels ties close scores, and a tie changes the
 * top-1 for nothing: those stay float, the layer that makes them computes
 * from int8 inputs and weights and writes float. */
static void float_head(tern_ptq *q) {
    tern_graph *g = &q->gi;
    int nt = g->n_tensors;
    char *head = calloc((size_t)nt + 1, 1);
    if (!head) return;
    for (int k = 0; k < g->n_outputs; k++) head[g->outputs[k]] = 1;
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        const tern_node *n = &g->nodes[i];
        int cls = q->nodes[i].cls, out = q->nodes[i].out;
        if (out < 0 || !head[out]) continue;
        /* int8 readers of the head tensor would need it quantized */
        if (cls == PQ_FLOAT || cls == PQ_MOVE || cls == PQ_ABSORBED)
            for (int k = 0; k < n->n_inputs; k++)
                if (n->inputs[k] >= 0) head[n->inputs[k]] = 1;
        if (cls == PQ_ABSORBED) head[n->inputs[0]] = 1;
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_inputs; k++) {
            int t = n->inputs[k];
            int cls = q->nodes[i].cls;
            if (t >= 0 && head[t] && cls != PQ_FLOAT && cls != PQ_MOVE && cls != PQ_ABSORBED)
                head[t] = 0; /* read by an int8 node: it stays int8 */
        }
    }
    for (int t = 0; t < nt; t++)
        if (head[t] && pq_is_act_tensor(g, t)) q->root[t] = -1;
    /* movement nodes of the head now move float data */
    for (int i = 0; i < g->n_nodes; i++) {
        pq_node *pn = &q->nodes[i];
        if (pn->cls == PQ_MOVE && q->root[g->nodes[i].inputs[0]] < 0) {
            pn->cls = PQ_FLOAT;
            pn->why = "output head (float scores)";
        }
    }
    free(head);
}

tern_status pq_plan(tern_ptq *q, tern_err *err) {
    tern_graph *g = &q->gi;
    int nt = g->n_tensors;
    int *nread = calloc((size_t)nt + 1, sizeof *nread);
    if (!nread) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] >= 0) nread[g->nodes[i].inputs[k]]++;
    for (int i = 0; i < g->n_nodes; i++) classify(q, i);
    for (int i = 0; i < g->n_nodes; i++) absorb(q, i, nread);
    for (int i = 0; i < g->n_nodes; i++) gate(q, i, nread);
    free(nread);
    for (int t = 0; t < nt; t++) q->root[t] = -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        const pq_node *pn = &q->nodes[i];
        if (pn->cls != PQ_WEIGHTED && pn->cls != PQ_ARITH && pn->cls != PQ_LUT && pn->cls != PQ_SAME)
            continue;
        int nin = pn->cls == PQ_WEIGHTED ? 1 : n->n_inputs;
        for (int k = 0; k < nin; k++)
            if (pq_is_act_tensor(g, n->inputs[k]) && !gate_output(q, n->inputs[k]))
                mark(q->root, n->inputs[k]);
        mark(q->root, pn->out);
    }
    move_groups(q);
    for (int t = 0; t < nt; t++)
        if (q->root[t] >= 0) q->root[t] = find(q->root, t);
    if (!q->o.int8_output) float_head(q);
    return TERN_OK;
}
