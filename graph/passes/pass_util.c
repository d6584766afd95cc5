/* Small graph-editing helpers shared by the rewrite passes. They only touch
 * live nodes and never write through arrays the graph may share with the
 * model it was cloned from (names, attributes, constant data). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "graph/graph_index.h"
#include "graph/op.h"
#include "graph/passes/passes.h"

void tern_report_note(tern_pass_report *r, const char *fmt, ...) {
    size_t used = strnlen(r->detail, sizeof r->detail);
    if (used + 1 >= sizeof r->detail) return;
    va_list ap;
    va_start(ap, fmt);
    /* vsnprintf truncates at the end of the buffer, which is what we want */
    vsnprintf(r->detail + used, sizeof r->detail - used, fmt, ap);
    va_end(ap);
}

int tern_live_nodes(const tern_graph *g) {
    int c = 0;
    for (int i = 0; i < g->n_nodes; i++) c += !g->nodes[i].dead;
    return c;
}

void tern_report_begin(tern_pass_report *r, const char *name, const tern_graph *g) {
    memset(r, 0, sizeof *r);
    r->name = name;
    r->nodes_before = tern_live_nodes(g);
    r->nodes_after = r->nodes_before;
}

void tern_report_end(tern_pass_report *r, const tern_graph *g) {
    r->nodes_after = tern_live_nodes(g);
    if (r->changes == 0 && r->detail[0] == 0) tern_report_note(r, "nothing to do");
}

int tern_node_is(const tern_node *n, const char *op_type) {
    if (n->dead) return 0;
    if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx") != 0) return 0;
    return strcmp(n->op_type, op_type) == 0;
}

int tern_producer(const tern_graph *g, int t) {
    return tern_index_writer(g, t);
}

void tern_replace_uses(tern_graph *g, int from, int to) {
    if (from < 0 || from >= g->n_tensors) return; /* nothing reads it */
    tern_index_replace_reads(g, from, to);
    int moved = 0;
    for (int i = 0; g->tensors[from].is_output && i < g->n_outputs; i++)
        if (g->outputs[i] == from) {
            g->outputs[i] = to;
            moved = 1;
        }
    if (moved) {
        g->tensors[from].is_output = 0;
        g->tensors[to].is_output = 1;
    }
}

int tern_single_consumer(const tern_graph *g, int t, int *slot) {
    if (t < 0 || t >= g->n_tensors || g->tensors[t].is_output) return -1;
    int node, k;
    /* a node that reads t twice (Mul(y, y)) is not a single use either */
    if (tern_index_readers(g, t, &node, &k, 1) != 1) return -1;
    if (slot) *slot = k;
    return node;
}

int tern_consumers(const tern_graph *g, int t, int *nodes, int cap) {
    return tern_index_readers(g, t, nodes, NULL, cap);
}

int tern_add_const(tern_graph *g, const char *name, tern_dtype dt, int rank, const int64_t *dims,
                   const void *data) {
    if (rank < 0 || rank > TERN_MAX_RANK) return -1;
    /* copy dims first: the caller may point into g->tensors, which adding a
     * tensor can move */
    int64_t d[TERN_MAX_RANK] = {0};
    for (int i = 0; i < rank; i++) d[i] = dims[i];
    tern_tensor probe = {0};
    probe.dtype = dt;
    probe.rank = rank;
    memcpy(probe.dims, d, sizeof d);
    size_t bytes = tern_tensor_bytes(&probe);
    if (bytes == 0 && tern_tensor_numel(&probe) != 0) return -1;
    void *copy = tern_pool_alloc(&g->pool, bytes ? bytes : 1);
    if (!copy) return -1;
    if (bytes) memcpy(copy, data, bytes);
    /* counted against the session's budget, which compile checks after
     * each pass (a failure here would read as "out of memory") */
    if (!tern_add_size(g->const_bytes, bytes, &g->const_bytes)) g->const_bytes = SIZE_MAX;
    int t = tern_graph_add_tensor(g, name);
    if (t < 0) return -1;
    tern_tensor *tt = &g->tensors[t];
    tt->dtype = dt;
    tt->rank = rank;
    memcpy(tt->dims, d, sizeof d);
    tt->layout = TERN_LAYOUT_PLAIN;
    tt->data = copy;
    return t;
}

int tern_redirect_tensor(tern_graph *g, int removed, int kept) {
    if (removed == kept) return 1;
    if (!g->tensors[removed].is_output) {
        tern_replace_uses(g, removed, kept);
        return 1;
    }
    const tern_tensor *k = &g->tensors[kept];
    if (k->is_output || k->is_input || k->data) return 0;
    int p = tern_producer(g, kept);
    if (p < 0) return 0;
    const tern_node *pn = &g->nodes[p];
    int *outs = tern_pool_alloc_array(&g->pool, (size_t)pn->n_outputs + 1, sizeof(int));
    if (!outs) return 0;
    for (int o = 0; o < pn->n_outputs; o++) outs[o] = pn->outputs[o] == kept ? removed : pn->outputs[o];
    if (!tern_set_outputs(g, p, outs, pn->n_outputs)) return 0; /* sets removed's producer */
    /* readers of kept now read removed (same values); graph outputs are
     * untouched because kept is not one */
    tern_replace_uses(g, kept, removed);
    g->tensors[kept].producer = -1;
    return 1;
}

void tern_node_revive(tern_graph *g, int node) {
    g->nodes[node].dead = 0;
    /* queries unlink dead nodes they meet: link this one back */
    tern_index_relink(g, node, 0);
    tern_index_relink(g, node, 1);
}

int tern_set_inputs(tern_graph *g, int node, const int *inputs, int count) {
    int *a = tern_pool_alloc_array(&g->pool, (size_t)count + 1, sizeof(int));
    if (!a) return 0;
    memcpy(a, inputs, sizeof(int) * (size_t)count);
    g->nodes[node].inputs = a;
    g->nodes[node].n_inputs = count;
    tern_index_relink(g, node, 0);
    return 1;
}

int tern_set_outputs(tern_graph *g, int node, const int *outputs, int count) {
    int *a = tern_pool_alloc_array(&g->pool, (size_t)count + 1, sizeof(int));
    if (!a) return 0;
    memcpy(a, outputs, sizeof(int) * (size_t)count);
    g->nodes[node].outputs = a;
    g->nodes[node].n_outputs = count;
    tern_index_relink(g, node, 1);
    for (int o = 0; o < count; o++)
        if (outputs[o] >= 0) g->tensors[outputs[o]].producer = node;
    return 1;
}

tern_status tern_reinfer(tern_graph *g, int node, tern_err *err) {
    tern_node *n = &g->nodes[node];
    if (!n->op)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "rewritten node '%s' (%s) has no op", n->name,
                         n->op_type);
    tern_status st = n->op->infer(g, n, err);
    if (st != TERN_OK) {
        char label[160];
        tern_node_label(g, node, label, sizeof label);
        tern_err_prefix(err, "%s after a rewrite", label);
    }
    return st;
}

float tern_f32_at(const void *data, int64_t i) {
    float v;
    memcpy(&v, (const char *)data + (size_t)i * sizeof v, sizeof v);
    return v;
}

const tern_tensor *tern_const_f32(const tern_graph *g, int t, int64_t n) {
    if (t < 0 || t >= g->n_tensors) return NULL;
    const tern_tensor *tt = &g->tensors[t];
    if (!tt->data || tt->dtype != TERN_FLOAT) return NULL;
    int64_t ne = tern_tensor_numel(tt);
    if (ne < 0 || (n >= 0 && ne != n)) return NULL;
    return tt;
}

int tern_set_attr(tern_graph *g, int node, const tern_attr *a) {
    tern_node *n = &g->nodes[node];
    tern_attr *at = tern_pool_alloc_array(&g->pool, (size_t)n->n_attrs + 1, sizeof(tern_attr));
    if (!at) return 0;
    int k = 0;
    for (int j = 0; j < n->n_attrs; j++)
        if (strcmp(n->attrs[j].name, a->name) != 0) at[k++] = n->attrs[j];
    at[k++] = *a;
    n->attrs = at;
    n->n_attrs = k;
    return 1;
}

int tern_clip_bounds(const tern_graph *g, const tern_node *n, float *lo, float *hi) {
    *lo = -INFINITY;
    *hi = INFINITY;
    /* opset 0 (not recorded): a Clip with attributes is the old form */
    int old_form = g->opset > 0 ? g->opset < 11
                                : tern_node_attr(n, "min") || tern_node_attr(n, "max");
    if (old_form) {
        *lo = tern_attr_float(n, "min", -INFINITY);
        *hi = tern_attr_float(n, "max", INFINITY);
        return 1;
    }
    float *dst[2] = {lo, hi};
    for (int k = 1; k <= 2; k++) {
        if (!tern_in(g, n, k)) continue;
        if (tern_const_float(g, n, k, dst[k - 1], NULL) != TERN_OK) return 0;
    }
    return 1;
}

int tern_const_scalar(const tern_graph *g, int t, float *v) {
    const tern_tensor *tt = tern_const_f32(g, t, 1);
    if (!tt) return 0;
    *v = tern_f32_at(tt->data, 0);
    return 1;
}
