/* The memory planner: every non-constant tensor gets an offset in one arena.
 *
 * 1. Views (TERN_OP_VIEW: Reshape, Flatten, TransposeView, ...) share their
 *    input's buffer, so a buffer is a group of tensors.
 * 2. Each buffer lives from the step that writes it to the last step that
 *    reads it (graph inputs from before step 0, outputs to the end).
 * 3. Buffers are placed largest first, each at the lowest 64-byte-aligned
 *    offset that does not overlap a placed buffer whose lifetime intersects
 *    (greedy by size, as TFLite's arena planner does). Placing big buffers
 *    first keeps the arena close to the peak of live bytes. */
#include <stdlib.h>
#include <string.h>

#include "graph/op.h"
#include "graph/planner.h"

#define ALIGN 64u

typedef struct {
    int root;          /* tensor index owning the buffer */
    int first, last;   /* lifetime in steps, inclusive */
    size_t size;       /* aligned bytes */
    size_t offset;
    int placed;
} buffer;

static int root_of(const tern_graph *g, int t) {
    while (g->tensors[t].alias_of >= 0) t = g->tensors[t].alias_of;
    return t;
}

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
        if (x < 0 || y < 0 || !needs_buffer(&g->tensors[x])) continue;
        if (tern_tensor_bytes(&g->tensors[x]) != tern_tensor_bytes(&g->tensors[y])) continue;
        if (g->tensors[y].is_input) continue;
        g->tensors[y].alias_of = x;
    }
}

static int cmp_size_desc(const void *a, const void *b) {
    const buffer *x = a, *y = b;
    if (x->size != y->size) return x->size < y->size ? 1 : -1;
    return x->first - y->first;
}

static size_t align_up(size_t v) {
    return (v + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

static void place(buffer *bufs, int nb, int k) {
    size_t off = 0;
    int moved = 1;
    while (moved) { /* slide past every conflicting placed buffer */
        moved = 0;
        for (int j = 0; j < nb; j++) {
            if (!bufs[j].placed || bufs[j].last < bufs[k].first || bufs[j].first > bufs[k].last)
                continue;
            if (off < bufs[j].offset + bufs[j].size && bufs[j].offset < off + bufs[k].size) {
                off = bufs[j].offset + bufs[j].size;
                moved = 1;
            }
        }
    }
    bufs[k].offset = off;
    bufs[k].placed = 1;
}

tern_status tern_plan_memory(tern_graph *g, tern_plan_stats *stats, tern_err *err) {
    int nt = g->n_tensors, steps = g->n_nodes;
    mark_aliases(g);
    int *bid = malloc(sizeof(int) * (size_t)(nt + 1));
    buffer *bufs = calloc((size_t)nt + 1, sizeof(buffer));
    if (!bid || !bufs) {
        free(bid);
        free(bufs);
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory planning memory");
    }
    int nb = 0;
    for (int t = 0; t < nt; t++) bid[t] = -1;
    /* a buffer per root tensor that anything touches */
    for (int i = -1; i < steps; i++) {
        int cnt = i < 0 ? g->n_inputs : g->nodes[i].n_outputs;
        for (int k = 0; k < cnt; k++) {
            int t = i < 0 ? g->inputs[k] : g->nodes[i].outputs[k];
            if (t < 0 || !needs_buffer(&g->tensors[t])) continue;
            int r = root_of(g, t);
            if (bid[r] < 0) {
                bid[r] = nb;
                bufs[nb].root = r;
                bufs[nb].first = i < 0 ? 0 : i;
                bufs[nb].last = i < 0 ? 0 : i;
                bufs[nb].size = align_up(tern_tensor_bytes(&g->tensors[r]));
                nb++;
            }
            bid[t] = bid[r];
        }
    }
    for (int i = 0; i < steps; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            int t = g->nodes[i].inputs[k];
            if (t >= 0 && bid[t] >= 0 && bufs[bid[t]].last < i) bufs[bid[t]].last = i;
        }
    for (int k = 0; k < g->n_outputs; k++) {
        int t = g->outputs[k];
        if (bid[t] >= 0) bufs[bid[t]].last = steps;
    }
    for (int k = 0; k < g->n_inputs; k++) { /* inputs are written before step 0 */
        int t = g->inputs[k];
        if (bid[t] >= 0) bufs[bid[t]].first = 0;
    }

    size_t sum = 0, peak = 0, arena = 0;
    for (int b = 0; b < nb; b++) sum += bufs[b].size;
    for (int s = 0; s <= steps; s++) {
        size_t live = 0;
        for (int b = 0; b < nb; b++)
            if (bufs[b].first <= s && s <= bufs[b].last) live += bufs[b].size;
        if (live > peak) peak = live;
    }
    /* sort a copy of indices by size, then place */
    buffer *order = malloc(sizeof(buffer) * (size_t)(nb + 1));
    if (!order) {
        free(bid);
        free(bufs);
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory planning memory");
    }
    memcpy(order, bufs, sizeof(buffer) * (size_t)nb);
    qsort(order, (size_t)nb, sizeof(buffer), cmp_size_desc);
    for (int b = 0; b < nb; b++) {
        place(order, nb, b);
        if (order[b].offset + order[b].size > arena) arena = order[b].offset + order[b].size;
    }
    for (int b = 0; b < nb; b++) g->tensors[order[b].root].offset = order[b].offset;
    for (int t = 0; t < nt; t++)
        if (bid[t] >= 0) g->tensors[t].offset = g->tensors[root_of(g, t)].offset;
    free(order);
    free(bid);
    free(bufs);
    stats->arena_size = arena;
    stats->peak_bytes = peak;
    stats->sum_bytes = sum;
    stats->n_buffers = nb;
    return TERN_OK;
}
