/* remove-identity: Identity, and Dropout in its inference form, copy their
 * input unchanged, so their readers can read the input directly. */
#include <string.h>

#include "graph/op.h"
#include "graph/passes/passes.h"

/* A Dropout is an identity when nobody reads its mask and it is not in
 * training mode (opset >= 12: constant training_mode input that is false;
 * a non-constant one could switch training on, so it stays). */
static int dropout_is_identity(const tern_graph *g, const tern_node *n) {
    for (int o = 1; o < n->n_outputs; o++)
        if (n->outputs[o] >= 0 && tern_graph_use_count(g, n->outputs[o]) > 0) return 0;
    const tern_tensor *tm = tern_in(g, n, 2);
    if (!tm) return 1;
    if (!tm->data || tern_tensor_numel(tm) != 1) return 0;
    if (tm->dtype == TERN_BOOL) return ((const unsigned char *)tm->data)[0] == 0;
    return 0;
}

static int is_removable(const tern_graph *g, const tern_node *n) {
    if (n->n_inputs < 1 || n->inputs[0] < 0 || n->n_outputs < 1 || n->outputs[0] < 0) return 0;
    /* constant folding already evaluated it; leave that to pass_infer */
    if (g->tensors[n->outputs[0]].data) return 0;
    if (tern_node_is(n, "Identity")) return n->n_outputs == 1;
    if (tern_node_is(n, "Dropout")) return dropout_is_identity(g, n);
    return 0;
}

tern_status tern_pass_remove_identity(tern_graph *g, tern_pass_report *r, tern_err *err) {
    (void)err;
    tern_report_begin(r, "remove-identity", g);
    int n_identity = 0, n_dropout = 0, kept_for_output = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        tern_node *n = &g->nodes[i];
        if (!is_removable(g, n)) continue;
        int in = n->inputs[0], out = n->outputs[0];
        int is_dropout = strcmp(n->op_type, "Dropout") == 0;
        n->dead = 1; /* first, so the redirect does not see it as a reader */
        if (!tern_redirect_tensor(g, out, in)) {
            tern_node_revive(g, i); /* e.g. input -> Identity -> output: it must copy */
            kept_for_output++;
            continue;
        }
        r->changes++;
        if (is_dropout)
            n_dropout++;
        else
            n_identity++;
    }
    if (n_identity) tern_report_note(r, "removed %d Identity", n_identity);
    if (n_dropout) tern_report_note(r, "%sremoved %d Dropout", n_identity ? ", " : "", n_dropout);
    if (kept_for_output)
        tern_report_note(r, "%skept %d that copy a graph input/output", r->changes ? "; " : "",
                         kept_for_output);
    tern_report_end(r, g);
    return TERN_OK;
}
