/* cancel-transposes: Transpose(p1) followed by Transpose(p2) with p2 undoing
 * p1 moves no data in the end; when nothing else reads the middle tensor
 * both go and the second one's readers read the first one's input.
 * (Converters emit such pairs around NHWC/NCHW boundaries.) */
#include <string.h>

#include "graph/op.h"
#include "graph/passes/passes.h"

/* The node's permutation into perm (rank entries); absent perm reverses the
 * axes as ONNX says. 0 if the attribute is not a valid permutation. */
static int read_perm(const tern_node *n, int rank, int *perm) {
    if (rank < 0 || rank > TERN_MAX_RANK) return 0;
    const tern_attr *a = tern_node_attr(n, "perm");
    if (!a) {
        for (int i = 0; i < rank; i++) perm[i] = rank - 1 - i;
        return 1;
    }
    if (a->type != TERN_ATTR_INTS || (int64_t)a->count != rank) return 0;
    int seen[TERN_MAX_RANK] = {0};
    for (int i = 0; i < rank; i++) {
        int64_t p = a->ints[i];
        if (p < 0) p += rank; /* tolerated by some runtimes; harmless here */
        if (p < 0 || p >= rank || seen[p]) return 0;
        seen[p] = 1;
        perm[i] = (int)p;
    }
    return 1;
}

/* out1[i] = in[p1[i]] and out2[j] = out1[p2[j]] = in[p1[p2[j]]]: the pair
 * is the identity exactly when p1[p2[j]] == j for every j. */
static int perms_cancel(const int *p1, const int *p2, int rank) {
    for (int j = 0; j < rank; j++)
        if (p1[p2[j]] != j) return 0;
    return 1;
}

/* The first Transpose of a cancelling pair ending at node i, or -1. */
static int match(const tern_graph *g, int i) {
    const tern_node *t2 = &g->nodes[i];
    if (!tern_node_is(t2, "Transpose") || t2->n_inputs != 1 || t2->n_outputs != 1) return -1;
    int mid = t2->inputs[0];
    if (mid < 0 || t2->outputs[0] < 0 || tern_single_consumer(g, mid, NULL) != i) return -1;
    int j = tern_producer(g, mid);
    if (j < 0) return -1;
    const tern_node *t1 = &g->nodes[j];
    if (!tern_node_is(t1, "Transpose") || t1->n_inputs != 1 || t1->n_outputs != 1) return -1;
    if (t1->inputs[0] < 0) return -1;
    int rank = g->tensors[mid].rank;
    int p1[TERN_MAX_RANK], p2[TERN_MAX_RANK];
    if (!read_perm(t1, rank, p1) || !read_perm(t2, rank, p2)) return -1;
    return perms_cancel(p1, p2, rank) ? j : -1;
}

tern_status tern_pass_cancel_transposes(tern_graph *g, tern_pass_report *r, tern_err *err) {
    (void)err;
    tern_report_begin(r, "cancel-transposes", g);
    int kept = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        int j = match(g, i);
        if (j < 0) continue;
        int src = g->nodes[j].inputs[0], out = g->nodes[i].outputs[0];
        g->nodes[i].dead = g->nodes[j].dead = 1;
        if (!tern_redirect_tensor(g, out, src)) {
            /* graph input straight to graph output: the copy must stay */
            tern_node_revive(g, i);
            tern_node_revive(g, j);
            kept++;
            continue;
        }
        r->changes++;
    }
    if (r->changes) tern_report_note(r, "removed %d Transpose pairs", r->changes);
    if (kept) tern_report_note(r, "%skept %d pairs between graph input and output",
                               r->changes ? "; " : "", kept);
    tern_report_end(r, g);
    return TERN_OK;
}
