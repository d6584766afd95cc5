/* Checking a node's attribute names against the ONNX definitions; see
 * graph/ops/op_attr_names.h. */
#include <string.h>

#include "graph/ops/op_attr_names.h"

const tern_attr_name *tern_attr_names_of(const char *type, int *count) {
    /* binary search for the first row of type: nodes are checked once per
     * session, and a model may have 100k of them */
    int lo = 0, hi = TERN_N_ATTR_NAMES;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(TERN_ATTR_NAMES[mid].op, type) < 0) lo = mid + 1;
        else hi = mid;
    }
    int end = lo;
    while (end < TERN_N_ATTR_NAMES && strcmp(TERN_ATTR_NAMES[end].op, type) == 0) end++;
    *count = end - lo;
    return end > lo ? &TERN_ATTR_NAMES[lo] : NULL;
}

static int in_range(const tern_attr_name *r, int64_t opset) {
    return opset <= 0 || (opset >= r->first && (r->last == 0 || opset <= r->last));
}

tern_status tern_check_attr_names(const tern_graph *g, const tern_node *n, tern_err *err) {
    int count;
    const tern_attr_name *rows = tern_attr_names_of(n->op_type, &count);
    if (!rows) return TERN_OK;
    for (int a = 0; a < n->n_attrs; a++) {
        const char *name = n->attrs[a].name;
        const tern_attr_name *other = NULL;
        int ok = 0;
        for (int k = 0; k < count && !ok; k++) {
            if (!rows[k].name || strcmp(rows[k].name, name) != 0) continue;
            if (in_range(&rows[k], g->opset)) ok = 1;
            else other = &rows[k];
        }
        if (ok) continue;
        if (other && other->last)
            return tern_errf(err, TERN_ERR_PARSE,
                             "attribute '%s' is not defined at opset %lld "
                             "(opsets %d to %d have it)",
                             name, (long long)g->opset, other->first, other->last);
        if (other)
            return tern_errf(err, TERN_ERR_PARSE,
                             "attribute '%s' is not defined at opset %lld (opset %d on has it)",
                             name, (long long)g->opset, other->first);
        return tern_errf(err, TERN_ERR_PARSE, "unknown attribute '%s'", name);
    }
    return TERN_OK;
}
