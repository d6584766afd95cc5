/* The memory planner: every non-constant tensor gets an offset in one arena.
 *
 * 1. Views (TERN_OP_VIEW: Reshape, Flatten, TransposeView, ...) share their
 *    input's buffer, so a buffer is a group of tensors.
 * 2. Each buffer lives from the step that writes it to the last step that
 *    reads it (graph inputs from before step 0, outputs to the end).
 * 3. Buffers are placed largest first, each at the lowest 64-byte-aligned
 *    offset that does not overlap a placed buffer whose lifetime intersects
 *    (greedy by size, as TFLite's arena planner does). Placing big buffers
 *    first keeps the arena close to the peak of live bytes.
 *
 * Cost. A placement only looks at the buffers whose lifetimes intersect its
 * own, found through an index over time (a segment tree holding each
 * lifetime in O(log steps) nodes, plus the buffers sorted by first step),
 * and finds the lowest gap among them by sorting them by offset. That is
 * O((n + P) log n) for P intersecting pairs: near O(n log n) for networks,
 * where few buffers are live at once. A graph with thousands of buffers live
 * at once has P ~ n^2, so the search has a budget (TERN_PLAN_SEARCH_MAX
 * candidates in all); past it the whole plan is redone by a time-ordered
 * first-fit allocator (plan_firstfit.c), O(n log n) for any graph. Every
 * byte count and offset sum is overflow-checked. */
#include <stdlib.h>
#include <string.h>

#include "graph/op.h"
#include "graph/planner.h"

/* ---- placement ---- */

typedef struct {
    size_t off, end;
} span;

typedef struct {
    size_t size;
    int first, idx;
} order_key;

static int cmp_order(const void *a, const void *b) {
    const order_key *x = a, *y = b;
    if (x->size != y->size) return x->size < y->size ? 1 : -1;
    if (x->first != y->first) return x->first < y->first ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_span(const void *a, const void *b) {
    const span *x = a, *y = b;
    if (x->off != y->off) return x->off < y->off ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

/* Time index over the steps 0..steps (leaves of a segment tree). */
typedef struct {
    int leaves;      /* power of two > steps */
    int *node_first; /* CSR: buffers stored at tree node v are node_buf[node_first[v]..[v+1]) */
    int *node_buf;
    int *start_first; /* CSR: buffers whose first step is s */
    int *start_buf;
    int *order;
    unsigned char *placed;
    span *cand;
} plan_work;

static void work_free(plan_work *w) {
    free(w->node_first);
    free(w->node_buf);
    free(w->start_first);
    free(w->start_buf);
    free(w->order);
    free(w->placed);
    free(w->cand);
}

/* The canonical tree nodes covering leaves [lo, hi): at most 2 per level. */
static int cover(int leaves, int lo, int hi, int out[64]) {
    int n = 0;
    for (lo += leaves, hi += leaves; lo < hi; lo >>= 1, hi >>= 1) {
        if (lo & 1) out[n++] = lo++;
        if (hi & 1) out[n++] = --hi;
    }
    return n;
}

/* Fills a CSR of n_keys lists: first[k + 1] holds counts on entry. */
static void csr_prefix(int *first, int n_keys) {
    for (int k = 0; k < n_keys; k++) first[k + 1] += first[k];
}

static tern_status build_index(const tern_plan_buf *b, int n, int steps, plan_work *w,
                               tern_err *err) {
    int leaves = 1;
    while (leaves <= steps) leaves *= 2;
    w->leaves = leaves;
    int nodes = 2 * leaves, nodes_v[64];
    w->node_first = calloc((size_t)nodes + 1, sizeof(int));
    w->start_first = calloc((size_t)steps + 2, sizeof(int));
    w->start_buf = malloc(sizeof(int) * (size_t)n);
    w->order = malloc(sizeof(int) * (size_t)n);
    w->placed = calloc((size_t)n, 1);
    w->cand = malloc(sizeof(span) * (size_t)n);
    if (!w->node_first || !w->start_first || !w->start_buf || !w->order ||
        !w->placed || !w->cand)
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory planning memory");
    size_t entries = 0;
    for (int i = 0; i < n; i++) {
        int c = cover(leaves, b[i].first, b[i].last + 1, nodes_v);
        for (int k = 0; k < c; k++) w->node_first[nodes_v[k] + 1]++;
        entries += (size_t)c;
        w->start_first[b[i].first + 1]++;
    }
    csr_prefix(w->node_first, nodes);
    csr_prefix(w->start_first, steps + 1);
    w->node_buf = malloc(sizeof(int) * (entries + 1));
    int *fill = malloc(sizeof(int) * ((size_t)(nodes > steps + 1 ? nodes : steps + 1)));
    if (!w->node_buf || !fill) {
        free(fill);
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory planning memory");
    }
    memcpy(fill, w->node_first, sizeof(int) * (size_t)nodes);
    for (int i = 0; i < n; i++) {
        int c = cover(leaves, b[i].first, b[i].last + 1, nodes_v);
        for (int k = 0; k < c; k++) w->node_buf[fill[nodes_v[k]]++] = i;
    }
    memcpy(fill, w->start_first, sizeof(int) * (size_t)(steps + 1));
    for (int i = 0; i < n; i++) w->start_buf[fill[b[i].first]++] = i;
    free(fill);
    return TERN_OK;
}

/* Placed buffers whose lifetime intersects [lo, hi] into w->cand: those
 * alive at step lo (the tree nodes above leaf lo) and those starting in
 * (lo, hi]. Each candidate visited, placed or not, costs one unit of
 * *visited; returns -1 once it passes max. */
static int gather(const tern_plan_buf *b, plan_work *w, int lo, int hi, size_t *visited,
                  size_t max) {
    int m = 0;
    for (int v = lo + w->leaves; v >= 1; v >>= 1) {
        int from = w->node_first[v], to = w->node_first[v + 1];
        *visited += (size_t)(to - from);
        if (*visited > max) return -1;
        for (int e = from; e < to; e++) {
            int j = w->node_buf[e];
            if (w->placed[j]) w->cand[m++] = (span){b[j].offset, b[j].offset + b[j].size};
        }
    }
    int from = w->start_first[lo + 1], to = w->start_first[hi + 1];
    *visited += (size_t)(to - from);
    if (*visited > max) return -1;
    for (int e = from; e < to; e++) {
        int j = w->start_buf[e];
        if (w->placed[j]) w->cand[m++] = (span){b[j].offset, b[j].offset + b[j].size};
    }
    return m;
}

/* The lowest offset where size bytes fit between the m candidate spans. */
static int lowest_gap(span *c, int m, size_t size, size_t *off) {
    qsort(c, (size_t)m, sizeof *c, cmp_span);
    size_t p = 0, need;
    for (int i = 0; i < m; i++) {
        if (!tern_add_size(p, size, &need)) return 0;
        if (c[i].off >= need) break;
        if (c[i].end > p) p = c[i].end;
    }
    *off = p;
    return 1;
}

static tern_status check_bufs(const tern_plan_buf *b, int n, int steps, tern_err *err) {
    for (int i = 0; i < n; i++)
        if (b[i].first < 0 || b[i].first > b[i].last || b[i].last > steps ||
            b[i].size % TERN_PLAN_ALIGN != 0)
            return tern_errf(err, TERN_ERR_INVALID_ARG,
                             "memory plan: buffer %d has lifetime %d..%d of %d steps, size %zu", i,
                             b[i].first, b[i].last, steps, b[i].size);
    return TERN_OK;
}

/* Greedy placement; *spent is set (and nothing more placed) once the
 * search visits more than search_max candidates. */
static tern_status place_all(tern_plan_buf *b, int n, plan_work *w, size_t search_max,
                             size_t *arena, int *spent, tern_err *err) {
    size_t visited = 0;
    for (int o = 0; o < n; o++) {
        int k = w->order[o];
        size_t off, end;
        int m = gather(b, w, b[k].first, b[k].last, &visited, search_max);
        if (m < 0) {
            *spent = 1;
            return TERN_OK;
        }
        if (!lowest_gap(w->cand, m, b[k].size, &off) || !tern_add_size(off, b[k].size, &end))
            return tern_errf(err, TERN_ERR_NOMEM, "memory plan: the arena overflows size_t");
        b[k].offset = off;
        w->placed[k] = 1;
        if (end > *arena) *arena = end;
    }
    return TERN_OK;
}

tern_status tern_plan_place(tern_plan_buf *b, int n, int steps, size_t search_max,
                            size_t *arena, int *first_fit, tern_err *err) {
    *arena = 0;
    *first_fit = 0;
    if (n <= 0) return TERN_OK;
    if (steps < 0 || steps > (1 << 28))
        return tern_errf(err, TERN_ERR_INVALID_ARG, "memory plan: %d steps", steps);
    tern_status st = check_bufs(b, n, steps, err);
    if (st != TERN_OK) return st;
    plan_work w = {0};
    order_key *keys = malloc(sizeof(order_key) * (size_t)n);
    st = keys ? build_index(b, n, steps, &w, err)
              : tern_errf(err, TERN_ERR_NOMEM, "out of memory planning memory");
    if (st == TERN_OK) {
        for (int i = 0; i < n; i++) keys[i] = (order_key){b[i].size, b[i].first, i};
        qsort(keys, (size_t)n, sizeof *keys, cmp_order);
        for (int i = 0; i < n; i++) w.order[i] = keys[i].idx;
        st = place_all(b, n, &w, search_max, arena, first_fit, err);
    }
    free(keys);
    work_free(&w);
    if (st == TERN_OK && *first_fit) st = tern_plan_first_fit(b, n, steps, arena, err);
    return st;
}

/* ---- from the graph to buffers ---- */

static int needs_buffer(const tern_tensor *t) {
    return t->data == NULL;
}

/* Views alias their input when both sit in the arena and the input is not
 * an output that the caller reads back (it would change under them only if
 * written later, which views never do, so aliasing outputs is safe too). */
static void mark_aliases(tern_graph *g) {
    for (int t = 0; t < g->n_tensors; t++) g->tensors[t].alias_of = -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        if (!(n->op->flags & TERN_OP_VIEW) || n->n_inputs < 1 || n->n_outputs < 1) continue;
        int x = n->inputs[0], y = n->outputs[0];
        if (x < 0 || y < 0 || x == y || !needs_buffer(&g->tensors[x])) continue;
        if (tern_tensor_bytes(&g->tensors[x]) != tern_tensor_bytes(&g->tensors[y])) continue;
        if (g->tensors[y].is_input) continue;
        g->tensors[y].alias_of = x;
    }
}

/* root[t]: the tensor at the end of t's alias_of chain, each chain walked
 * once (a chain of views can be as long as the graph). */
static void resolve_roots(const tern_graph *g, int *root) {
    int nt = g->n_tensors;
    for (int t = 0; t < nt; t++) root[t] = -1;
    for (int t = 0; t < nt; t++) {
        int u = t, guard = 0;
        while (root[u] < 0 && g->tensors[u].alias_of >= 0 && guard++ < nt)
            u = g->tensors[u].alias_of;
        int r = root[u] >= 0 ? root[u] : u;
        for (int v = t; root[v] < 0;) {
            root[v] = r;
            if (g->tensors[v].alias_of < 0) break;
            v = g->tensors[v].alias_of;
        }
    }
}

typedef struct {
    int *root, *bid; /* per tensor: root of its alias chain, buffer index */
    tern_plan_buf *bufs;
    int nb;
} graph_bufs;

static void bufs_free(graph_bufs *gb) {
    free(gb->root);
    free(gb->bid);
    free(gb->bufs);
}

/* A new buffer for root tensor r first written at step s. */
static tern_status new_buffer(const tern_graph *g, graph_bufs *gb, int r, int s, tern_err *err) {
    const tern_tensor *t = &g->tensors[r];
    size_t bytes = tern_tensor_bytes(t);
    int64_t ne = tern_tensor_numel(t);
    if (ne < 0 || (bytes == 0 && ne != 0))
        return tern_errf(err, TERN_ERR_SHAPE,
                         "memory plan: tensor '%s' has no static shape or is larger than %zu "
                         "bytes", t->name, (size_t)TERN_MAX_TENSOR_BYTES);
    /* bytes <= TERN_MAX_TENSOR_BYTES, far from SIZE_MAX: rounding up cannot wrap */
    gb->bufs[gb->nb] = (tern_plan_buf){s, s, (bytes + TERN_PLAN_ALIGN - 1) &
                                                 ~(size_t)(TERN_PLAN_ALIGN - 1), 0};
    gb->bid[r] = gb->nb++;
    return TERN_OK;
}

/* A buffer per root tensor that anything writes, with its lifetime. */
static tern_status collect(const tern_graph *g, graph_bufs *gb, tern_err *err) {
    int steps = g->n_nodes;
    for (int t = 0; t < g->n_tensors; t++) gb->bid[t] = -1;
    for (int i = -1; i < steps; i++) {
        int cnt = i < 0 ? g->n_inputs : g->nodes[i].n_outputs;
        for (int k = 0; k < cnt; k++) {
            int t = i < 0 ? g->inputs[k] : g->nodes[i].outputs[k];
            if (t < 0 || !needs_buffer(&g->tensors[t])) continue;
            int r = gb->root[t];
            if (gb->bid[r] < 0) {
                tern_status st = new_buffer(g, gb, r, i < 0 ? 0 : i, err);
                if (st != TERN_OK) return st;
            }
            gb->bid[t] = gb->bid[r];
        }
    }
    for (int i = 0; i < steps; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            int t = g->nodes[i].inputs[k];
            if (t >= 0 && gb->bid[t] >= 0 && gb->bufs[gb->bid[t]].last < i)
                gb->bufs[gb->bid[t]].last = i;
        }
    for (int k = 0; k < g->n_outputs; k++) {
        int t = g->outputs[k];
        if (gb->bid[t] >= 0) gb->bufs[gb->bid[t]].last = steps;
    }
    for (int k = 0; k < g->n_inputs; k++) { /* inputs are written before step 0 */
        int t = g->inputs[k];
        if (gb->bid[t] >= 0) gb->bufs[gb->bid[t]].first = 0;
    }
    return TERN_OK;
}

/* Peak of live bytes (an event sweep over the steps) and the plain sum. */
static tern_status live_bytes(const tern_plan_buf *b, int n, int steps, size_t *peak,
                              size_t *sum, tern_err *err) {
    size_t *born = calloc((size_t)steps + 2, sizeof(size_t));
    size_t *dies = calloc((size_t)steps + 2, sizeof(size_t));
    tern_status st = TERN_OK;
    *peak = *sum = 0;
    if (!born || !dies) st = tern_errf(err, TERN_ERR_NOMEM, "out of memory planning memory");
    for (int i = 0; st == TERN_OK && i < n; i++)
        if (!tern_add_size(*sum, b[i].size, sum) ||
            !tern_add_size(born[b[i].first], b[i].size, &born[b[i].first]))
            st = tern_errf(err, TERN_ERR_NOMEM, "memory plan: tensor bytes overflow size_t");
        else
            dies[b[i].last] += b[i].size; /* <= born total, checked above */
    size_t live = 0;
    for (int s = 0; st == TERN_OK && s <= steps; s++) {
        live += born[s]; /* <= *sum, which did not overflow */
        if (live > *peak) *peak = live;
        live -= dies[s];
    }
    free(born);
    free(dies);
    return st;
}

tern_status tern_plan_memory(tern_graph *g, tern_plan_stats *stats, tern_err *err) {
    int nt = g->n_tensors;
    memset(stats, 0, sizeof *stats);
    mark_aliases(g);
    graph_bufs gb = {0};
    gb.root = malloc(sizeof(int) * (size_t)(nt + 1));
    gb.bid = malloc(sizeof(int) * (size_t)(nt + 1));
    gb.bufs = calloc((size_t)nt + 1, sizeof(tern_plan_buf));
    if (!gb.root || !gb.bid || !gb.bufs) {
        bufs_free(&gb);
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory planning memory");
    }
    resolve_roots(g, gb.root);
    tern_status st = collect(g, &gb, err);
    if (st == TERN_OK)
        st = live_bytes(gb.bufs, gb.nb, g->n_nodes, &stats->peak_bytes, &stats->sum_bytes, err);
    if (st == TERN_OK)
        st = tern_plan_place(gb.bufs, gb.nb, g->n_nodes, TERN_PLAN_SEARCH_MAX, &stats->arena_size,
                             &stats->first_fit, err);
    if (st == TERN_OK) {
        for (int t = 0; t < nt; t++)
            if (gb.bid[t] >= 0) g->tensors[t].offset = gb.bufs[gb.bid[t]].offset;
        stats->n_buffers = gb.nb;
    }
    bufs_free(&gb);
    return st;
}
