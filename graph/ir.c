#include "graph/ir.h"
#include "graph/graph_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tern_graph_init(tern_graph *g) {
    memset(g, 0, sizeof *g);
}

void tern_graph_free(tern_graph *g) {
    tern_graph_index_drop(g);
    free(g->tensors);
    free(g->nodes);
    tern_pool_free(&g->pool);
    memset(g, 0, sizeof *g);
}

/* Grow a malloc'ed array to hold at least need elements. */
static int grow(void **arr, int *cap, int need, size_t elem) {
    if (need <= *cap) return 1;
    if (need > (1 << 28)) return 0;
    int nc = *cap ? *cap : 16;
    while (nc < need) nc *= 2;
    void *p = realloc(*arr, (size_t)nc * elem);
    if (!p) return 0;
    memset((char *)p + (size_t)*cap * elem, 0, (size_t)(nc - *cap) * elem);
    *arr = p;
    *cap = nc;
    return 1;
}

int tern_graph_add_tensor(tern_graph *g, const char *name) {
    if (!grow((void **)&g->tensors, &g->cap_tensors, g->n_tensors + 1, sizeof(tern_tensor)))
        return -1;
    tern_tensor *t = &g->tensors[g->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = tern_pool_strdup(&g->pool, name ? name : "");
    if (!t->name) return -1;
    t->rank = -1;
    t->producer = -1;
    t->alias_of = -1;
    return g->n_tensors++;
}

int tern_graph_find_tensor(const tern_graph *g, const char *name) {
    for (int i = 0; i < g->n_tensors; i++)
        if (strcmp(g->tensors[i].name, name) == 0) return i;
    return -1;
}

int tern_graph_add_node(tern_graph *g, const char *op_type, const char *domain, const char *name,
                        int n_inputs, int n_outputs) {
    if (n_inputs < 0 || n_outputs < 0) return -1;
    if (!grow((void **)&g->nodes, &g->cap_nodes, g->n_nodes + 1, sizeof(tern_node))) return -1;
    tern_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->op_type = tern_pool_strdup(&g->pool, op_type ? op_type : "");
    n->domain = tern_pool_strdup(&g->pool, domain ? domain : "");
    n->name = tern_pool_strdup(&g->pool, name ? name : "");
    n->inputs = tern_pool_alloc_array(&g->pool, (size_t)n_inputs + 1, sizeof(int));
    n->outputs = tern_pool_alloc_array(&g->pool, (size_t)n_outputs + 1, sizeof(int));
    if (!n->op_type || !n->domain || !n->name || !n->inputs || !n->outputs) return -1;
    for (int i = 0; i < n_inputs; i++) n->inputs[i] = -1;
    for (int i = 0; i < n_outputs; i++) n->outputs[i] = -1;
    n->n_inputs = n_inputs;
    n->n_outputs = n_outputs;
    return g->n_nodes++;
}

void tern_node_label(const tern_graph *g, int node, char *buf, size_t cap) {
    const tern_node *n = &g->nodes[node];
    snprintf(buf, cap, "node '%s' (%s%s%s)", n->name, n->domain[0] ? n->domain : "",
             n->domain[0] ? ":" : "", n->op_type);
}

/* A binary min-heap of node indices: Kahn's algorithm always takes the
 * lowest-index ready node, so a file that is already sorted keeps its order. */
typedef struct {
    int *v;
    int n;
} min_heap;

static void heap_push(min_heap *h, int x) {
    int i = h->n++;
    h->v[i] = x;
    while (i > 0 && h->v[(i - 1) / 2] > h->v[i]) {
        int p = (i - 1) / 2, t = h->v[p];
        h->v[p] = h->v[i];
        h->v[i] = t;
        i = p;
    }
}

static int heap_pop(min_heap *h) {
    int top = h->v[0];
    h->v[0] = h->v[--h->n];
    for (int i = 0;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->v[l] < h->v[m]) m = l;
        if (r < h->n && h->v[r] < h->v[m]) m = r;
        if (m == i) break;
        int t = h->v[m];
        h->v[m] = h->v[i];
        h->v[i] = t;
        i = m;
    }
    return top;
}

typedef struct {
    int *producer; /* per tensor */
    int *pending;  /* per node: inputs not yet produced */
    int *first;    /* CSR: consumers of tensor t are cons[first[t]..first[t+1]) */
    int *cons;
    int *order;
    int *heap;
} topo_work;

static void topo_free(topo_work *w) {
    free(w->producer);
    free(w->pending);
    free(w->first);
    free(w->cons);
    free(w->order);
    free(w->heap);
}

static tern_status topo_producers(tern_graph *g, topo_work *w, tern_err *err) {
    for (int t = 0; t < g->n_tensors; t++) w->producer[t] = -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        for (int o = 0; o < n->n_outputs; o++) {
            int t = n->outputs[o];
            if (t < 0) continue;
            if (w->producer[t] >= 0 || g->tensors[t].data || g->tensors[t].is_input)
                return tern_errf(err, TERN_ERR_PARSE,
                                 "graph.node[%d] (%s '%s'): output '%s' is already defined%s", i,
                                 n->op_type, n->name, g->tensors[t].name,
                                 w->producer[t] >= 0 ? " by another node"
                                                     : " as an input or initializer");
            w->producer[t] = i;
        }
    }
    return TERN_OK;
}

/* Count unproduced inputs per node and build the consumer lists. */
static tern_status topo_edges(tern_graph *g, topo_work *w, tern_err *err) {
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        w->pending[i] = 0;
        for (int k = 0; k < n->n_inputs; k++) {
            int t = n->inputs[k];
            if (t < 0) continue;
            if (w->producer[t] >= 0) {
                w->pending[i]++;
                w->first[t + 1]++;
            } else if (!g->tensors[t].data && !g->tensors[t].is_input) {
                return tern_errf(err, TERN_ERR_PARSE,
                                 "graph.node[%d] (%s '%s'): input '%s' is not produced by any "
                                 "node, initializer or graph input",
                                 i, n->op_type, n->name, g->tensors[t].name);
            }
        }
    }
    for (int t = 0; t < g->n_tensors; t++) w->first[t + 1] += w->first[t];
    int *fill = w->order; /* scratch: next free slot per tensor */
    for (int t = 0; t < g->n_tensors; t++) fill[t] = w->first[t];
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            int t = g->nodes[i].inputs[k];
            if (t >= 0 && w->producer[t] >= 0) w->cons[fill[t]++] = i;
        }
    return TERN_OK;
}

tern_status tern_graph_toposort(tern_graph *g, tern_err *err) {
    int nn = g->n_nodes, nt = g->n_tensors;
    size_t edges = 0;
    for (int i = 0; i < nn; i++) edges += (size_t)g->nodes[i].n_inputs;
    topo_work w = {0};
    w.producer = malloc(sizeof(int) * (size_t)(nt + 1));
    w.pending = malloc(sizeof(int) * (size_t)(nn + 1));
    w.first = calloc((size_t)nt + 2, sizeof(int));
    w.cons = malloc(sizeof(int) * (edges + 1));
    w.order = malloc(sizeof(int) * ((size_t)(nn > nt ? nn : nt) + 1));
    w.heap = malloc(sizeof(int) * (size_t)(nn + 1));
    tern_status st = TERN_OK;
    if (!w.producer || !w.pending || !w.first || !w.cons || !w.order || !w.heap) {
        topo_free(&w);
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory sorting the graph");
    }
    st = topo_producers(g, &w, err);
    if (st == TERN_OK) st = topo_edges(g, &w, err);
    int count = 0;
    min_heap h = {w.heap, 0};
    for (int i = 0; st == TERN_OK && i < nn; i++)
        if (w.pending[i] == 0) heap_push(&h, i);
    while (st == TERN_OK && h.n > 0) {
        int pick = heap_pop(&h);
        w.order[count++] = pick;
        const tern_node *p = &g->nodes[pick];
        for (int o = 0; o < p->n_outputs; o++) {
            int t = p->outputs[o];
            if (t < 0) continue;
            for (int c = w.first[t]; c < w.first[t + 1]; c++)
                if (--w.pending[w.cons[c]] == 0) heap_push(&h, w.cons[c]);
        }
    }
    if (st == TERN_OK && count < nn) {
        for (int i = 0; i < nn; i++)
            if (w.pending[i] > 0) {
                st = tern_errf(err, TERN_ERR_PARSE, "graph.node[%d] (%s '%s') is part of a cycle",
                               i, g->nodes[i].op_type, g->nodes[i].name);
                break;
            }
    }
    if (st == TERN_OK && nn > 0) {
        tern_node *sorted = malloc(sizeof(tern_node) * (size_t)nn);
        if (!sorted) {
            st = tern_errf(err, TERN_ERR_NOMEM, "out of memory sorting the graph");
        } else {
            for (int i = 0; i < nn; i++) sorted[i] = g->nodes[w.order[i]];
            memcpy(g->nodes, sorted, sizeof(tern_node) * (size_t)nn);
            free(sorted);
        }
    }
    if (st == TERN_OK) tern_graph_compact(g);
    topo_free(&w);
    return st;
}

void tern_graph_compact(tern_graph *g) {
    tern_graph_index_drop(g); /* node numbers change */
    int w = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i].dead) g->nodes[w++] = g->nodes[i];
    g->n_nodes = w;
    for (int t = 0; t < g->n_tensors; t++) g->tensors[t].producer = -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int o = 0; o < g->nodes[i].n_outputs; o++)
            if (g->nodes[i].outputs[o] >= 0) g->tensors[g->nodes[i].outputs[o]].producer = i;
}

tern_status tern_graph_clone(tern_graph *dst, const tern_graph *src, tern_err *err) {
    tern_graph_init(dst);
    dst->ir_version = src->ir_version;
    dst->opset = src->opset;
    dst->opset_ms = src->opset_ms;
    dst->producer = src->producer;
    dst->name = src->name;
    dst->cap_tensors = src->n_tensors + 16;
    dst->cap_nodes = src->n_nodes + 16;
    dst->tensors = calloc((size_t)dst->cap_tensors, sizeof(tern_tensor));
    dst->nodes = calloc((size_t)dst->cap_nodes, sizeof(tern_node));
    dst->inputs = tern_pool_alloc_array(&dst->pool, (size_t)src->n_inputs + 1, sizeof(int));
    dst->outputs = tern_pool_alloc_array(&dst->pool, (size_t)src->n_outputs + 1, sizeof(int));
    if (!dst->tensors || !dst->nodes || !dst->inputs || !dst->outputs) goto oom;
    memcpy(dst->tensors, src->tensors, sizeof(tern_tensor) * (size_t)src->n_tensors);
    dst->n_tensors = src->n_tensors;
    for (int i = 0; i < src->n_nodes; i++) {
        const tern_node *s = &src->nodes[i];
        tern_node *d = &dst->nodes[i];
        *d = *s;
        d->inputs = tern_pool_alloc_array(&dst->pool, (size_t)s->n_inputs + 1, sizeof(int));
        d->outputs = tern_pool_alloc_array(&dst->pool, (size_t)s->n_outputs + 1, sizeof(int));
        if (!d->inputs || !d->outputs) goto oom;
        memcpy(d->inputs, s->inputs, sizeof(int) * (size_t)s->n_inputs);
        memcpy(d->outputs, s->outputs, sizeof(int) * (size_t)s->n_outputs);
    }
    dst->n_nodes = src->n_nodes;
    memcpy(dst->inputs, src->inputs, sizeof(int) * (size_t)src->n_inputs);
    memcpy(dst->outputs, src->outputs, sizeof(int) * (size_t)src->n_outputs);
    dst->n_inputs = src->n_inputs;
    dst->n_outputs = src->n_outputs;
    return TERN_OK;
oom:
    tern_graph_free(dst);
    return tern_errf(err, TERN_ERR_NOMEM, "out of memory copying the graph");
}

const tern_attr *tern_node_attr(const tern_node *n, const char *name) {
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0) return &n->attrs[i];
    return NULL;
}

int64_t tern_attr_int(const tern_node *n, const char *name, int64_t dflt) {
    const tern_attr *a = tern_node_attr(n, name);
    return a && a->type == TERN_ATTR_INT ? a->i : dflt;
}

float tern_attr_float(const tern_node *n, const char *name, float dflt) {
    const tern_attr *a = tern_node_attr(n, name);
    return a && a->type == TERN_ATTR_FLOAT ? a->f : dflt;
}

const char *tern_attr_string(const tern_node *n, const char *name, const char *dflt) {
    const tern_attr *a = tern_node_attr(n, name);
    return a && a->type == TERN_ATTR_STRING ? a->s : dflt;
}

/* -1 also when the nonzero dims overflow, even if another dim is 0: strides
 * and partial products of such a tensor would overflow elsewhere. */
int64_t tern_tensor_numel(const tern_tensor *t) {
    if (t->rank < 0) return -1;
    int64_t nz = 1;
    int zero = 0;
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i] < 0) return -1;
        if (t->dims[i] == 0) {
            zero = 1;
            continue;
        }
        if (nz > INT64_MAX / t->dims[i]) return -1;
        nz *= t->dims[i];
    }
    return zero ? 0 : nz;
}

size_t tern_tensor_bytes(const tern_tensor *t) {
    int64_t n = tern_tensor_numel(t);
    size_t es = tern_dtype_size(t->dtype);
    if (n < 0 || es == 0) return 0;
    size_t b;
    if (!tern_mul_size((size_t)n, es, &b) || b > TERN_MAX_TENSOR_BYTES) return 0;
    return b;
}

int tern_tensor_phys_dims(const tern_tensor *t, int64_t out[TERN_MAX_RANK]) {
    int r = t->rank < 0 ? 0 : t->rank;
    if (t->layout == TERN_LAYOUT_CHANNELS_LAST && r >= 3) {
        out[0] = t->dims[0];
        for (int i = 2; i < r; i++) out[i - 1] = t->dims[i];
        out[r - 1] = t->dims[1];
    } else {
        for (int i = 0; i < r; i++) out[i] = t->dims[i];
    }
    return r;
}

int tern_tensor_strides(const tern_tensor *t, int64_t out[TERN_MAX_RANK]) {
    int64_t pd[TERN_MAX_RANK], ps[TERN_MAX_RANK];
    int r = tern_tensor_phys_dims(t, pd);
    int64_t s = 1;
    for (int i = r - 1; i >= 0; i--) {
        ps[i] = s;
        s *= pd[i];
    }
    if (t->layout == TERN_LAYOUT_CHANNELS_LAST && r >= 3) {
        out[0] = ps[0];
        out[1] = ps[r - 1];
        for (int i = 2; i < r; i++) out[i] = ps[i - 1];
    } else {
        for (int i = 0; i < r; i++) out[i] = ps[i];
    }
    return r;
}

int tern_graph_use_count(const tern_graph *g, int t) {
    return (g->tensors[t].is_output ? 1 : 0) + tern_index_readers(g, t, NULL, NULL, 0);
}

size_t tern_dtype_size(tern_dtype t) {
    switch (t) {
    case TERN_FLOAT: return 4;
    case TERN_UINT8: return 1;
    case TERN_INT8: return 1;
    case TERN_INT32: return 4;
    case TERN_INT64: return 8;
    case TERN_BOOL: return 1;
    case TERN_FLOAT16: return 2;
    case TERN_DOUBLE: return 8;
    default: return 0;
    }
}

const char *tern_dtype_name(tern_dtype t) {
    switch (t) {
    case TERN_FLOAT: return "float32";
    case TERN_UINT8: return "uint8";
    case TERN_INT8: return "int8";
    case TERN_INT32: return "int32";
    case TERN_INT64: return "int64";
    case TERN_BOOL: return "bool";
    case TERN_FLOAT16: return "float16";
    case TERN_DOUBLE: return "float64";
    default: return "undefined";
    }
}

const char *tern_status_name(tern_status s) {
    switch (s) {
    case TERN_OK: return "ok";
    case TERN_ERR_INVALID_ARG: return "invalid argument";
    case TERN_ERR_IO: return "i/o error";
    case TERN_ERR_PARSE: return "malformed model";
    case TERN_ERR_UNSUPPORTED: return "unsupported";
    case TERN_ERR_SHAPE: return "shape error";
    case TERN_ERR_NOMEM: return "out of memory";
    case TERN_ERR_ARENA: return "arena error";
    case TERN_ERR_RUNTIME: return "runtime error";
    }
    return "unknown status";
}
