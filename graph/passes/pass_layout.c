/* Layout assignment: run activations channels-last (NHWC for 2-D images).
 *
 * Rules, in node order:
 *  - LAYOUT_NATIVE ops (Conv, pools, BN) produce channels-last output 0;
 *  - ANY_LAYOUT ops (elementwise, Pad, Concat, ...) produce channels-last
 *    outputs when an input of the same rank is channels-last;
 *  - every other op gets plain inputs: a channels-last input is copied to a
 *    plain twin by a Relayout node (one per tensor, shared by consumers);
 *  - a Transpose whose output bytes can equal its input bytes (the NHWC->NCHW
 *    Transpose in front of TFLite-derived models) becomes a TransposeView
 *    that the planner aliases, so the layout change costs nothing;
 *  - graph outputs are always plain.
 * A tensor whose channels-last bytes equal its plain bytes (C == 1 or all
 * spatial dims 1, e.g. [N,C,1,1] after a global pool) stays plain, so no copy
 * is ever made for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_index.h"
#include "graph/op.h"
#include "graph/ops/op_layout.h"
#include "graph/passes/passes.h"

static int cl_differs(const tern_tensor *t) {
    if (t->rank < 3 || t->dims[1] == 1) return 0;
    for (int i = 2; i < t->rank; i++)
        if (t->dims[i] != 1) return 1;
    return 0;
}

/* Logical axes of t in memory order (outer first), size-1 axes left out. */
static int memory_order(const tern_tensor *t, int layout, int *axes) {
    int n = 0, r = t->rank;
    if (layout == TERN_LAYOUT_CHANNELS_LAST && r >= 3) {
        if (t->dims[0] != 1) axes[n++] = 0;
        for (int i = 2; i < r; i++)
            if (t->dims[i] != 1) axes[n++] = i;
        if (t->dims[1] != 1) axes[n++] = 1;
    } else {
        for (int i = 0; i < r; i++)
            if (t->dims[i] != 1) axes[n++] = i;
    }
    return n;
}

/* Would Transpose(perm) from x (its layout) to y (layout ly) move no bytes? */
static int transpose_is_view(const tern_tensor *x, const tern_tensor *y, const int64_t *perm,
                             int ly) {
    int ax[TERN_MAX_RANK], ay[TERN_MAX_RANK];
    int nx = memory_order(x, x->layout, ax);
    int ny = memory_order(y, ly, ay);
    if (nx != ny) return 0;
    for (int i = 0; i < ny; i++)
        if (perm[ay[i]] != ax[i]) return 0;
    return 1;
}

static int try_transpose_view(tern_graph *g, tern_node *n) {
    tern_tensor *x = tern_in(g, n, 0), *y = tern_out(g, n, 0);
    if (!x || !y || x->data || x->rank != y->rank) return 0;
    int64_t perm[TERN_MAX_RANK];
    const tern_attr *a = tern_node_attr(n, "perm");
    for (int i = 0; i < x->rank; i++) perm[i] = x->rank - 1 - i;
    if (a && a->type == TERN_ATTR_INTS && (int)a->count == x->rank)
        for (int i = 0; i < x->rank; i++) perm[i] = a->ints[i];
    int choices[2] = {TERN_LAYOUT_CHANNELS_LAST, TERN_LAYOUT_PLAIN};
    for (int c = 0; c < 2; c++) {
        int ly = choices[c];
        /* graph outputs are plain: a channels-last one would need a copy */
        if (ly == TERN_LAYOUT_CHANNELS_LAST && (!cl_differs(y) || y->is_output)) continue;
        if (transpose_is_view(x, y, perm, ly)) {
            y->layout = ly;
            n->op = &tern_op_TransposeView;
            return 1;
        }
    }
    return 0;
}

/* New tensor like t (same dtype/shape) in the given layout. */
static int twin_tensor(tern_graph *g, int t, const char *suffix, int layout) {
    char name[256];
    snprintf(name, sizeof name, "%s#%s", g->tensors[t].name, suffix);
    int u = tern_graph_add_tensor(g, name);
    if (u < 0) return -1;
    const char *keep = g->tensors[u].name;
    g->tensors[u] = g->tensors[t];
    g->tensors[u].name = keep;
    g->tensors[u].layout = layout;
    g->tensors[u].is_input = g->tensors[u].is_output = 0;
    g->tensors[u].data = NULL;
    g->tensors[u].producer = -1;
    return u;
}

static int add_relayout(tern_graph *g, int from, int to) {
    int k = tern_graph_add_node(g, "Relayout", "tern.internal", g->tensors[to].name, 1, 1);
    if (k < 0) return -1;
    g->nodes[k].inputs[0] = from;
    g->nodes[k].outputs[0] = to;
    g->nodes[k].op = &tern_op_Relayout;
    return k;
}

/* Give node i plain inputs, reusing one plain twin per tensor. */
static tern_status plain_inputs(tern_graph *g, int i, int *twin, int *copies, tern_err *err) {
    for (int k = 0; k < g->nodes[i].n_inputs; k++) {
        int t = g->nodes[i].inputs[k];
        if (t < 0 || g->tensors[t].layout == TERN_LAYOUT_PLAIN) continue;
        if (twin[t] < 0) {
            int u = twin_tensor(g, t, "plain", TERN_LAYOUT_PLAIN);
            if (u < 0 || add_relayout(g, t, u) < 0)
                return tern_errf(err, TERN_ERR_NOMEM, "out of memory in the layout pass");
            twin[t] = u;
            (*copies)++;
        }
        g->nodes[i].inputs[k] = twin[t];
    }
    return TERN_OK;
}

static void assign_outputs(tern_graph *g, tern_node *n) {
    unsigned f = n->op->flags;
    int want = 0;
    if (f & TERN_OP_LAYOUT_NATIVE) {
        want = 1;
    } else if (f & TERN_OP_ANY_LAYOUT) {
        tern_tensor *y = tern_out(g, n, 0);
        for (int k = 0; y && k < n->n_inputs; k++) {
            tern_tensor *x = tern_in(g, n, k);
            if (x && x->layout == TERN_LAYOUT_CHANNELS_LAST && x->rank == y->rank) want = 1;
        }
    }
    for (int k = 0; k < n->n_outputs; k++) {
        tern_tensor *y = tern_out(g, n, k);
        if (!y) continue;
        int cl = want && (k == 0 || !(f & TERN_OP_LAYOUT_NATIVE)) && cl_differs(y);
        y->layout = cl ? TERN_LAYOUT_CHANNELS_LAST : TERN_LAYOUT_PLAIN;
    }
}

/* Channels-last graph outputs: the producer writes a channels-last twin,
 * which consumers read, and a Relayout fills the real (plain) output. One
 * sweep over the nodes renames every such output (twin[t] >= 0). */
static tern_status plain_graph_outputs(tern_graph *g, int *twin, int *copies, tern_err *err) {
    int n_before = g->n_nodes, any = 0;
    for (int t = 0; t < g->n_tensors; t++) twin[t] = -1;
    for (int k = 0; k < g->n_outputs; k++) {
        int t = g->outputs[k];
        if (g->tensors[t].layout == TERN_LAYOUT_PLAIN || twin[t] >= 0) continue;
        int u = twin_tensor(g, t, "cl", TERN_LAYOUT_CHANNELS_LAST);
        if (u < 0) return tern_errf(err, TERN_ERR_NOMEM, "out of memory in the layout pass");
        twin[t] = u;
        any = 1;
    }
    for (int i = 0; any && i < n_before; i++) {
        tern_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_outputs; k++)
            if (n->outputs[k] >= 0 && twin[n->outputs[k]] >= 0) n->outputs[k] = twin[n->outputs[k]];
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] >= 0 && twin[n->inputs[k]] >= 0) n->inputs[k] = twin[n->inputs[k]];
    }
    tern_graph_index_drop(g); /* arrays written directly */
    for (int k = 0; k < g->n_outputs; k++) {
        int t = g->outputs[k];
        if (twin[t] < 0 || g->tensors[t].layout == TERN_LAYOUT_PLAIN) continue;
        g->tensors[t].layout = TERN_LAYOUT_PLAIN;
        if (add_relayout(g, twin[t], t) < 0)
            return tern_errf(err, TERN_ERR_NOMEM, "out of memory in the layout pass");
        (*copies)++;
    }
    return TERN_OK;
}

tern_status tern_pass_layout(tern_graph *g, tern_pass_report *r, tern_err *err) {
    r->name = "layout";
    r->nodes_before = g->n_nodes;
    int n_orig = g->n_nodes, views = 0, copies = 0, n_cl = 0;
    int *twin = malloc(sizeof(int) * (size_t)(g->n_tensors + 1));
    if (!twin) return tern_errf(err, TERN_ERR_NOMEM, "out of memory in the layout pass");
    for (int t = 0; t < g->n_tensors; t++) twin[t] = -1;
    tern_status st = TERN_OK;
    for (int i = 0; i < n_orig && st == TERN_OK; i++) {
        tern_node *n = &g->nodes[i];
        if (strcmp(n->op_type, "Transpose") == 0 && n->domain[0] == 0 &&
            try_transpose_view(g, n)) {
            views++;
            continue;
        }
        if (!(n->op->flags & (TERN_OP_LAYOUT_NATIVE | TERN_OP_ANY_LAYOUT))) {
            st = plain_inputs(g, i, twin, &copies, err);
            n = &g->nodes[i]; /* the node array may have moved */
        }
        assign_outputs(g, n);
    }
    tern_graph_index_drop(g); /* plain_inputs wrote node arrays directly */
    if (st == TERN_OK) {
        /* the twins made so far are not needed any more: reuse the array,
         * sized for the tensors that exist now */
        int *more = realloc(twin, sizeof(int) * (size_t)(g->n_tensors + 1));
        if (!more) st = tern_errf(err, TERN_ERR_NOMEM, "out of memory in the layout pass");
        else twin = more;
    }
    if (st == TERN_OK) st = plain_graph_outputs(g, twin, &copies, err);
    free(twin);
    if (st == TERN_OK && g->n_nodes != n_orig) st = tern_graph_toposort(g, err);
    if (st != TERN_OK) return st;
    for (int t = 0; t < g->n_tensors; t++) n_cl += g->tensors[t].layout == TERN_LAYOUT_CHANNELS_LAST;
    r->nodes_after = g->n_nodes;
    r->changes = views + copies;
    tern_report_note(r, "%d tensors channels-last, %d layout copies inserted, %d Transpose made free views",
                     n_cl, copies, views);
    return TERN_OK;
}
