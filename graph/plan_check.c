/* tern_plan_verify: an independent check of a memory plan. It recomputes
 * lifetimes from the graph (not from the planner's buffers) and sweeps them
 * in time order, comparing each tensor group with the groups still live, so
 * its cost is the number of intersecting pairs: small for networks, capped
 * by work_max for graphs with thousands of live tensors. A planner bug then
 * becomes an error at session creation instead of two kernels writing the
 * same bytes. */
#include <stdlib.h>
#include <string.h>

#include "graph/planner.h"

typedef struct {
    int root;        /* tensor owning the bytes */
    int first, last; /* steps, inclusive */
    size_t lo, hi;   /* bytes [lo, hi) in the arena */
} group;

typedef struct {
    int *root, *gid;
    int *first, *last; /* per tensor; first -1: not in the arena */
    group *groups;
    int ng;
    int *order, *active;
} check_work;

static void cw_free(check_work *w) {
    free(w->root);
    free(w->gid);
    free(w->first);
    free(w->last);
    free(w->groups);
    free(w->order);
    free(w->active);
}

/* End of t's alias_of chain; 0 on a cycle (the plan is then wrong). */
static int chain_root(const tern_graph *g, int t, int *root) {
    int u = t, guard = 0;
    while (root[u] < 0 && g->tensors[u].alias_of >= 0) {
        if (guard++ > g->n_tensors) return 0;
        u = g->tensors[u].alias_of;
    }
    int r = root[u] >= 0 ? root[u] : u;
    for (int v = t; root[v] < 0; v = g->tensors[v].alias_of) {
        root[v] = r;
        if (g->tensors[v].alias_of < 0) break;
    }
    return 1;
}

/* Lifetimes per tensor: written at its node's step (inputs at 0), last read
 * by a node (outputs: the end). */
static void lifetimes(const tern_graph *g, check_work *w) {
    int steps = g->n_nodes;
    for (int t = 0; t < g->n_tensors; t++) w->first[t] = w->last[t] = -1;
    for (int k = 0; k < g->n_inputs; k++) w->first[g->inputs[k]] = w->last[g->inputs[k]] = 0;
    for (int i = 0; i < steps; i++) {
        const tern_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_outputs; k++) {
            int t = n->outputs[k];
            if (t >= 0 && w->first[t] < 0) w->first[t] = w->last[t] = i;
        }
        for (int k = 0; k < n->n_inputs; k++) {
            int t = n->inputs[k];
            if (t >= 0 && w->first[t] >= 0 && w->last[t] < i) w->last[t] = i;
        }
    }
    for (int k = 0; k < g->n_outputs; k++)
        if (w->first[g->outputs[k]] >= 0) w->last[g->outputs[k]] = steps;
    for (int t = 0; t < g->n_tensors; t++)
        if (g->tensors[t].data) w->first[t] = w->last[t] = -1; /* not in the arena */
}

static tern_status clash(tern_err *err, const tern_graph *g, const char *what, int a, int b) {
    return tern_errf(err, TERN_ERR_ARENA, "memory plan is wrong: %s ('%s' and '%s')", what,
                     g->tensors[a].name, b >= 0 ? g->tensors[b].name : "-");
}

/* One group per alias root; every member must lie inside its root's bytes. */
static tern_status make_groups(const tern_graph *g, check_work *w, size_t arena, tern_err *err) {
    for (int t = 0; t < g->n_tensors; t++) w->root[t] = w->gid[t] = -1;
    for (int t = 0; t < g->n_tensors; t++) {
        if (w->first[t] < 0) continue;
        if (!chain_root(g, t, w->root)) return clash(err, g, "alias cycle", t, -1);
        int r = w->root[t];
        const tern_tensor *rt = &g->tensors[r], *tt = &g->tensors[t];
        size_t rhi, thi;
        if (!tern_add_size(rt->offset, tern_tensor_bytes(rt), &rhi) ||
            !tern_add_size(tt->offset, tern_tensor_bytes(tt), &thi) || rhi > arena || thi > arena)
            return clash(err, g, "a tensor ends past the arena", t, r);
        if (tt->offset < rt->offset || thi > rhi)
            return clash(err, g, "a view lies outside the tensor it aliases", t, r);
        if (w->gid[r] < 0) {
            w->gid[r] = w->ng;
            w->groups[w->ng++] = (group){r, w->first[t], w->last[t], rt->offset, rhi};
        }
        group *gr = &w->groups[w->gid[r]];
        if (w->first[t] < gr->first) gr->first = w->first[t];
        if (w->last[t] > gr->last) gr->last = w->last[t];
    }
    return TERN_OK;
}

/* Groups in order of first step (counting sort: steps are small ints). */
static int sort_by_first(const tern_graph *g, check_work *w) {
    int steps = g->n_nodes;
    int *cnt = calloc((size_t)steps + 2, sizeof(int));
    if (!cnt) return 0;
    for (int i = 0; i < w->ng; i++) cnt[w->groups[i].first + 1]++;
    for (int s = 0; s <= steps; s++) cnt[s + 1] += cnt[s];
    for (int i = 0; i < w->ng; i++) w->order[cnt[w->groups[i].first]++] = i;
    free(cnt);
    return 1;
}

static tern_status sweep(const tern_graph *g, check_work *w, size_t work_max, int *verified,
                         tern_err *err) {
    size_t work = 0;
    int na = 0;
    for (int o = 0; o < w->ng; o++) {
        const group *x = &w->groups[w->order[o]];
        int keep = 0;
        work += (size_t)na;
        if (work > work_max) return TERN_OK; /* *verified stays 0 */
        for (int a = 0; a < na; a++) {
            const group *y = &w->groups[w->active[a]];
            if (y->last < x->first) continue; /* dead before x is written */
            if (x->lo < x->hi && y->lo < y->hi && x->lo < y->hi && y->lo < x->hi)
                return clash(err, g, "live tensors overlap", x->root, y->root);
            w->active[keep++] = w->active[a];
        }
        na = keep;
        w->active[na++] = w->order[o];
    }
    *verified = 1;
    return TERN_OK;
}

tern_status tern_plan_verify(const tern_graph *g, size_t arena_size, size_t work_max,
                             int *verified, tern_err *err) {
    *verified = 0;
    size_t nt = (size_t)g->n_tensors + 1;
    check_work w = {0};
    w.root = malloc(sizeof(int) * nt);
    w.gid = malloc(sizeof(int) * nt);
    w.first = malloc(sizeof(int) * nt);
    w.last = malloc(sizeof(int) * nt);
    w.groups = malloc(sizeof(group) * nt);
    w.order = malloc(sizeof(int) * nt);
    w.active = malloc(sizeof(int) * nt);
    tern_status st = TERN_OK;
    if (!w.root || !w.gid || !w.first || !w.last || !w.groups || !w.order || !w.active)
        st = tern_errf(err, TERN_ERR_NOMEM, "out of memory checking the memory plan");
    if (st == TERN_OK) {
        lifetimes(g, &w);
        st = make_groups(g, &w, arena_size, err);
    }
    if (st == TERN_OK && !sort_by_first(g, &w))
        st = tern_errf(err, TERN_ERR_NOMEM, "out of memory checking the memory plan");
    if (st == TERN_OK) st = sweep(g, &w, work_max, verified, err);
    cw_free(&w);
    return st;
}
