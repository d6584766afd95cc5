/* The producer/consumer index (see graph_index.h for the contract).
 *
 * Every (node, slot) of every node's inputs and outputs is an edge record,
 * linked into a doubly linked list per tensor: its readers or its writers.
 * A node's edges of one kind sit in one block (base, count), so replacing a
 * node's array relinks only that node; replacing all reads of a tensor
 * moves only that tensor's edges. Stale edges (a direct write the index did
 * not see) are caught when a query meets them: the index is then rebuilt. */
#include <stdlib.h>
#include <string.h>

#include "graph/graph_index.h"

#if defined(__SANITIZE_ADDRESS__)
#define INDEX_CHECK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define INDEX_CHECK 1
#endif
#endif
#ifdef INDEX_CHECK
#include <assert.h>
#define INDEX_CHECK_MAX_NODES 4096 /* the check scans the graph per query */
#endif

typedef struct {
    int node, slot, tensor; /* tensor -1: not linked (absent input) */
    int prev, next;
} ix_edge;

struct tern_graph_index {
    int cap_tensors;
    int *head[2]; /* per tensor: first reader (0) / writer (1) edge, or -1 */
    int n_nodes, cap_nodes; /* nodes 0..n_nodes-1 are linked */
    int *base[2], *count[2];
    ix_edge *edges;
    size_t n_edges, cap_edges;
};

static void ix_free(struct tern_graph_index *ix) {
    if (!ix) return;
    for (int k = 0; k < 2; k++) {
        free(ix->head[k]);
        free(ix->base[k]);
        free(ix->count[k]);
    }
    free(ix->edges);
    free(ix);
}

void tern_graph_index_drop(tern_graph *g) {
    ix_free(g->index);
    g->index = NULL;
}

/* Grow an int array to cap n, filling new slots with fill. */
static int grow_ints(int **a, int old, int n, int fill) {
    int *p = realloc(*a, sizeof(int) * (size_t)n);
    if (!p) return 0;
    for (int i = old; i < n; i++) p[i] = fill;
    *a = p;
    return 1;
}

static int next_cap(int have, int need) {
    int c = have ? have : 64;
    while (c < need) c = c > (1 << 29) ? need : 2 * c;
    return c;
}

static int ensure_tensors(struct tern_graph_index *ix, int n) {
    if (n <= ix->cap_tensors) return 1;
    int c = next_cap(ix->cap_tensors, n);
    for (int k = 0; k < 2; k++)
        if (!grow_ints(&ix->head[k], ix->cap_tensors, c, -1)) return 0;
    ix->cap_tensors = c;
    return 1;
}

static int ensure_nodes(struct tern_graph_index *ix, int n) {
    if (n <= ix->cap_nodes) return 1;
    int c = next_cap(ix->cap_nodes, n);
    for (int k = 0; k < 2; k++)
        if (!grow_ints(&ix->base[k], ix->cap_nodes, c, 0) ||
            !grow_ints(&ix->count[k], ix->cap_nodes, c, 0))
            return 0;
    ix->cap_nodes = c;
    return 1;
}

static int ensure_edges(struct tern_graph_index *ix, size_t extra) {
    if (extra <= ix->cap_edges - ix->n_edges) return 1;
    size_t c = ix->cap_edges ? ix->cap_edges : 256;
    while (c - ix->n_edges < extra) {
        if (c > ((size_t)1 << 40)) return 0;
        c *= 2;
    }
    ix_edge *e = realloc(ix->edges, sizeof(ix_edge) * c);
    if (!e) return 0;
    ix->edges = e;
    ix->cap_edges = c;
    return 1;
}

static void link(struct tern_graph_index *ix, int kind, int e, int t) {
    ix_edge *x = &ix->edges[e];
    x->tensor = t;
    x->prev = -1;
    x->next = ix->head[kind][t];
    if (x->next >= 0) ix->edges[x->next].prev = e;
    ix->head[kind][t] = e;
}

static void unlink(struct tern_graph_index *ix, int kind, int e) {
    ix_edge *x = &ix->edges[e];
    if (x->tensor < 0) return;
    if (x->prev >= 0) ix->edges[x->prev].next = x->next;
    else ix->head[kind][x->tensor] = x->next;
    if (x->next >= 0) ix->edges[x->next].prev = x->prev;
    x->tensor = -1;
}

/* A fresh block of edges for node i's current array of one kind. */
static int link_node(struct tern_graph_index *ix, const tern_graph *g, int i, int kind) {
    const tern_node *n = &g->nodes[i];
    int cnt = kind ? n->n_outputs : n->n_inputs;
    const int *arr = kind ? n->outputs : n->inputs;
    if (cnt < 0 || !ensure_edges(ix, (size_t)cnt) || ix->n_edges > (size_t)INT32_MAX - (size_t)cnt)
        return 0;
    int base = (int)ix->n_edges;
    ix->n_edges += (size_t)cnt;
    ix->base[kind][i] = base;
    ix->count[kind][i] = cnt;
    for (int k = 0; k < cnt; k++) {
        ix->edges[base + k] = (ix_edge){i, k, -1, -1, -1};
        if (arr[k] >= 0 && arr[k] < g->n_tensors) link(ix, kind, base + k, arr[k]);
    }
    return 1;
}

static void unlink_node(struct tern_graph_index *ix, int i, int kind) {
    for (int k = 0; k < ix->count[kind][i]; k++) unlink(ix, kind, ix->base[kind][i] + k);
    ix->count[kind][i] = 0;
}

/* Make the index cover every node and tensor of g; NULL when out of memory
 * (the index is then dropped and queries scan). */
static struct tern_graph_index *sync(const tern_graph *gc) {
    tern_graph *g = (tern_graph *)gc; /* the index is a cache; see graph_index.h */
    struct tern_graph_index *ix = g->index;
    if (ix && ix->n_nodes > g->n_nodes) { /* nodes went away without compact */
        tern_graph_index_drop(g);
        ix = NULL;
    }
    if (!ix) {
        ix = calloc(1, sizeof *ix);
        if (!ix) return NULL;
        g->index = ix;
    }
    if (!ensure_tensors(ix, g->n_tensors) || !ensure_nodes(ix, g->n_nodes)) goto oom;
    for (; ix->n_nodes < g->n_nodes; ix->n_nodes++)
        if (!link_node(ix, g, ix->n_nodes, 0) || !link_node(ix, g, ix->n_nodes, 1)) goto oom;
    return ix;
oom:
    tern_graph_index_drop(g);
    return NULL;
}

/* Edge e of tensor t still says what the node's array says. */
static int edge_valid(const tern_graph *g, const ix_edge *e, int kind, int t) {
    const tern_node *n = &g->nodes[e->node];
    int cnt = kind ? n->n_outputs : n->n_inputs;
    const int *arr = kind ? n->outputs : n->inputs;
    return e->slot < cnt && arr[e->slot] == t;
}

/* ---- queries, by scanning (no index, and the debug cross-check) ---- */

/* Insert (node, slot) into nodes/slots, which hold in order the smallest
 * min(have, cap) of the `have` pairs seen so far. */
static void keep_first(int node, int slot, int *nodes, int *slots, int cap, int have) {
    int n = have < cap ? have : cap, pos = n;
    while (pos > 0 && (nodes[pos - 1] > node || (nodes[pos - 1] == node && slots[pos - 1] > slot)))
        pos--;
    if (pos >= cap) return;
    for (int k = n < cap ? n : cap - 1; k > pos; k--) {
        nodes[k] = nodes[k - 1];
        slots[k] = slots[k - 1];
    }
    nodes[pos] = node;
    slots[pos] = slot;
}

static int scan_readers(const tern_graph *g, int t, int *nodes, int *slots, int cap) {
    int uses = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        if (n->dead) continue;
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] == t) {
                if (uses < cap) {
                    nodes[uses] = i;
                    slots[uses] = k;
                }
                uses++;
            }
    }
    return uses;
}

static int scan_writer(const tern_graph *g, int t) {
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        if (n->dead) continue;
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o] == t) return i;
    }
    return -1;
}

/* ---- queries through the index ---- */

#define MAX_CAP 64 /* readers reported in order; callers want 1 or 2 */

/* -1: the index met a stale edge (the caller rebuilds and retries). */
/* Edges of dead nodes are unlinked where a walk meets them, so lists do
 * not fill up with nodes a pass removed (a chain of removals would make
 * every walk O(n)); tern_node_revive links a node back. */
static int ix_readers(const tern_graph *g, struct tern_graph_index *ix, int t, int *nodes,
                      int *slots, int cap) {
    int uses = 0;
    for (int e = ix->head[0][t], next; e >= 0; e = next) {
        const ix_edge *x = &ix->edges[e];
        next = x->next;
        if (g->nodes[x->node].dead) {
            unlink(ix, 0, e);
            continue;
        }
        if (!edge_valid(g, x, 0, t)) return -1;
        keep_first(x->node, x->slot, nodes, slots, cap, uses);
        uses++;
    }
    return uses;
}

static int ix_writer(const tern_graph *g, struct tern_graph_index *ix, int t, int *stale) {
    int best = -1;
    for (int e = ix->head[1][t], next; e >= 0; e = next) {
        const ix_edge *x = &ix->edges[e];
        next = x->next;
        if (g->nodes[x->node].dead) {
            unlink(ix, 1, e);
            continue;
        }
        if (!edge_valid(g, x, 1, t)) {
            *stale = 1;
            return -1;
        }
        if (best < 0 || x->node < best) best = x->node;
    }
    return best;
}

int tern_index_readers(const tern_graph *g, int t, int *nodes, int *slots, int cap) {
    int nb[MAX_CAP], sb[MAX_CAP];
    if (cap > MAX_CAP) cap = MAX_CAP;
    if (cap < 0) cap = 0;
    if (t < 0 || t >= g->n_tensors) return 0;
    int uses = -1;
    for (int attempt = 0; attempt < 2 && uses < 0; attempt++) {
        struct tern_graph_index *ix = sync(g);
        if (!ix) break;
        uses = ix_readers(g, ix, t, nb, sb, cap);
        if (uses < 0) tern_graph_index_drop((tern_graph *)g);
    }
    if (uses < 0) uses = scan_readers(g, t, nb, sb, cap);
#ifdef INDEX_CHECK
    if (g->n_nodes <= INDEX_CHECK_MAX_NODES) {
        int n2[MAX_CAP], s2[MAX_CAP];
        int u2 = scan_readers(g, t, n2, s2, cap);
        assert(u2 == uses && "graph index: reader count differs from a scan");
        for (int k = 0; k < cap && k < uses; k++)
            assert(n2[k] == nb[k] && s2[k] == sb[k] && "graph index: readers differ from a scan");
    }
#endif
    for (int k = 0; k < cap && k < uses; k++) {
        if (nodes) nodes[k] = nb[k];
        if (slots) slots[k] = sb[k];
    }
    return uses;
}

int tern_index_writer(const tern_graph *g, int t) {
    if (t < 0 || t >= g->n_tensors) return -1;
    int w = -1, stale = 1;
    for (int attempt = 0; attempt < 2 && stale; attempt++) {
        struct tern_graph_index *ix = sync(g);
        if (!ix) break;
        stale = 0;
        w = ix_writer(g, ix, t, &stale);
        if (stale) tern_graph_index_drop((tern_graph *)g);
    }
    if (stale) w = scan_writer(g, t);
#ifdef INDEX_CHECK
    if (g->n_nodes <= INDEX_CHECK_MAX_NODES)
        assert(scan_writer(g, t) == w && "graph index: writer differs from a scan");
#endif
    return w;
}

/* ---- edits ---- */

void tern_index_relink(tern_graph *g, int node, int outputs) {
    struct tern_graph_index *ix = g->index;
    if (!ix || node >= ix->n_nodes) return; /* not linked yet: sync will */
    if (!ensure_tensors(ix, g->n_tensors)) {
        tern_graph_index_drop(g);
        return;
    }
    unlink_node(ix, node, outputs ? 1 : 0);
    if (!link_node(ix, g, node, outputs ? 1 : 0)) tern_graph_index_drop(g);
}

static void scan_replace(tern_graph *g, int from, int to) {
    for (int i = 0; i < g->n_nodes; i++) {
        tern_node *n = &g->nodes[i];
        if (n->dead) continue;
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] == from) n->inputs[k] = to;
    }
}

void tern_index_replace_reads(tern_graph *g, int from, int to) {
    if (from == to || from < 0 || from >= g->n_tensors) return;
    struct tern_graph_index *ix = sync(g);
    /* a stale edge anywhere in the list: rebuild first, then move */
    for (int attempt = 0; ix && attempt < 2; attempt++) {
        int stale = 0;
        for (int e = ix->head[0][from]; e >= 0 && !stale; e = ix->edges[e].next)
            stale = !g->nodes[ix->edges[e].node].dead && !edge_valid(g, &ix->edges[e], 0, from);
        if (!stale) break;
        tern_graph_index_drop(g);
        ix = attempt == 0 ? sync(g) : NULL;
    }
    if (!ix || to >= g->n_tensors) {
        tern_graph_index_drop(g);
        scan_replace(g, from, to);
        return;
    }
    for (int e = ix->head[0][from], next; e >= 0; e = next) {
        ix_edge *x = &ix->edges[e];
        next = x->next;
        unlink(ix, 0, e);
        if (g->nodes[x->node].dead) continue; /* dead readers keep their input */
        g->nodes[x->node].inputs[x->slot] = to;
        if (to >= 0) link(ix, 0, e, to); /* -1: the input is now absent */
    }
}
