/* The planner's fallback: allocate and free in time order, as a run-time
 * allocator would, each buffer at the lowest free offset that fits (first
 * fit; free neighbours merge). Free blocks sit in a treap keyed by offset
 * and augmented with the largest block of each subtree, so finding, taking
 * and returning a block are O(log n) and the whole plan O(n log n), whatever
 * the graph. Greedy by size (planner.c) usually packs tighter, but costs as
 * much as the pairs of intersecting lifetimes; this is used when that cost
 * is out of bounds (thousands of buffers live at once). */
#include <stdint.h>
#include <stdlib.h>

#include "graph/planner.h"

typedef struct {
    size_t off, len, maxlen;
    uint32_t pri;
    int l, r;
} fnode;

typedef struct {
    fnode *v;
    int *spare; /* free node slots */
    int n_spare, root;
    uint32_t seed;
} treap;

static size_t maxlen(const treap *t, int x) {
    return x < 0 ? 0 : t->v[x].maxlen;
}

static void update(treap *t, int x) {
    size_t m = t->v[x].len, a = maxlen(t, t->v[x].l), b = maxlen(t, t->v[x].r);
    t->v[x].maxlen = m > a ? (m > b ? m : b) : (a > b ? a : b);
}

static int merge(treap *t, int a, int b) {
    if (a < 0) return b;
    if (b < 0) return a;
    if (t->v[a].pri > t->v[b].pri) {
        t->v[a].r = merge(t, t->v[a].r, b);
        update(t, a);
        return a;
    }
    t->v[b].l = merge(t, a, t->v[b].l);
    update(t, b);
    return b;
}

/* *lo gets the blocks with offset < key, *hi the rest. */
static void split(treap *t, int x, size_t key, int *lo, int *hi) {
    if (x < 0) {
        *lo = *hi = -1;
        return;
    }
    if (t->v[x].off < key) {
        split(t, t->v[x].r, key, &t->v[x].r, hi);
        *lo = x;
    } else {
        split(t, t->v[x].l, key, lo, &t->v[x].l);
        *hi = x;
    }
    update(t, x);
}

static int edge_node(const treap *t, int x, int right) {
    while (x >= 0 && (right ? t->v[x].r : t->v[x].l) >= 0) x = right ? t->v[x].r : t->v[x].l;
    return x;
}

static int new_node(treap *t, size_t off, size_t len) {
    int x = t->spare[--t->n_spare];
    t->seed ^= t->seed << 13;
    t->seed ^= t->seed >> 17;
    t->seed ^= t->seed << 5;
    t->v[x] = (fnode){off, len, len, t->seed, -1, -1};
    return x;
}

/* Remove the block at offset off (present) from subtree *root. */
static void take(treap *t, int *root, size_t off) {
    int a, b, m, c;
    split(t, *root, off, &a, &b);
    split(t, b, off + 1, &m, &c);
    t->spare[t->n_spare++] = m;
    *root = merge(t, a, c);
}

/* Return [off, off+len) to the free space, merging with free neighbours;
 * space that reaches the top lowers the top instead. */
static void give_back(treap *t, size_t off, size_t len, size_t *top) {
    int a, b;
    split(t, t->root, off, &a, &b);
    int p = edge_node(t, a, 1), s = edge_node(t, b, 0);
    if (p >= 0 && t->v[p].off + t->v[p].len == off) {
        off = t->v[p].off;
        len += t->v[p].len;
        take(t, &a, off);
    }
    if (s >= 0 && off + len == t->v[s].off) {
        len += t->v[s].len;
        take(t, &b, t->v[s].off);
    }
    if (off + len == *top) {
        *top = off;
        t->root = merge(t, a, b);
    } else {
        t->root = merge(t, merge(t, a, new_node(t, off, len)), b);
    }
}

/* The lowest free offset holding size bytes (taken out of the free space),
 * or the top (raised). 0 on size_t overflow. */
static int take_fit(treap *t, size_t size, size_t *top, size_t *off) {
    int x = t->root;
    if (maxlen(t, x) < size) x = -1;
    while (x >= 0) {
        if (maxlen(t, t->v[x].l) >= size) x = t->v[x].l;
        else if (t->v[x].len >= size) break;
        else x = t->v[x].r;
    }
    if (x < 0) {
        *off = *top;
        return tern_add_size(*top, size, top);
    }
    size_t bo = t->v[x].off, bl = t->v[x].len;
    take(t, &t->root, bo);
    if (bl > size) give_back(t, bo + size, bl - size, top); /* never reaches the top */
    *off = bo;
    return 1;
}

typedef struct {
    int first, idx;
    size_t size;
} ev_key;

/* Births in time order, the largest first within a step. */
static int cmp_birth(const void *a, const void *b) {
    const ev_key *x = a, *y = b;
    if (x->first != y->first) return x->first < y->first ? -1 : 1;
    if (x->size != y->size) return x->size < y->size ? 1 : -1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static tern_status run(tern_plan_buf *b, int n, int steps, treap *t, ev_key *born,
                       int *dies_first, int *dies, size_t *arena, tern_err *err) {
    size_t top = 0;
    int o = 0;
    for (int s = 0; s <= steps; s++) {
        for (int e = s > 0 ? dies_first[s - 1] : 0; s > 0 && e < dies_first[s]; e++) {
            const tern_plan_buf *d = &b[dies[e]]; /* last read at step s - 1 */
            if (d->size) give_back(t, d->offset, d->size, &top);
        }
        for (; o < n && born[o].first == s; o++) {
            tern_plan_buf *x = &b[born[o].idx];
            x->offset = 0;
            if (x->size && !take_fit(t, x->size, &top, &x->offset))
                return tern_errf(err, TERN_ERR_NOMEM, "memory plan: the arena overflows size_t");
            if (top > *arena) *arena = top;
        }
    }
    return TERN_OK;
}

/* dies[first[k]..first[k+1]): the buffers last read at step k. */
static int by_last(const tern_plan_buf *b, int n, int steps, int *first, int *dies) {
    int *pos = malloc(sizeof(int) * ((size_t)steps + 2));
    if (!pos) return 0;
    for (int i = 0; i < n; i++) first[b[i].last + 1]++;
    for (int s = 0; s <= steps; s++) first[s + 1] += first[s];
    for (int s = 0; s <= steps; s++) pos[s] = first[s];
    for (int i = 0; i < n; i++) dies[pos[b[i].last]++] = i;
    free(pos);
    return 1;
}

tern_status tern_plan_first_fit(tern_plan_buf *b, int n, int steps, size_t *arena,
                                tern_err *err) {
    *arena = 0;
    treap t = {0};
    t.v = malloc(sizeof(fnode) * ((size_t)n + 2));
    t.spare = malloc(sizeof(int) * ((size_t)n + 2));
    ev_key *born = malloc(sizeof(ev_key) * ((size_t)n + 1));
    int *dies_first = calloc((size_t)steps + 2, sizeof(int));
    int *dies = malloc(sizeof(int) * ((size_t)n + 1));
    tern_status st = TERN_OK;
    if (!t.v || !t.spare || !born || !dies_first || !dies ||
        !by_last(b, n, steps, dies_first, dies)) {
        st = tern_errf(err, TERN_ERR_NOMEM, "out of memory planning memory");
    } else {
        /* free blocks never outnumber the live buffers plus one */
        for (int i = 0; i < n + 2; i++) t.spare[i] = i;
        t.n_spare = n + 2;
        t.root = -1;
        t.seed = 0x9e3779b9u;
        for (int i = 0; i < n; i++) born[i] = (ev_key){b[i].first, i, b[i].size};
        qsort(born, (size_t)n, sizeof *born, cmp_birth);
        st = run(b, n, steps, &t, born, dies_first, dies, arena, err);
    }
    free(t.v);
    free(t.spare);
    free(born);
    free(dies_first);
    free(dies);
    return st;
}
