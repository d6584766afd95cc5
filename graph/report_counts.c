/* Parameter and MAC counts in checked arithmetic; see graph/report_counts.h. */
#include "graph/report_counts.h"

#include <string.h>

#include "graph/op.h"

/* *acc += v for v >= 0; 0 if the sum would pass INT64_MAX. */
static int add_checked(int64_t *acc, int64_t v) {
    if (v < 0 || *acc > INT64_MAX - v) return 0;
    *acc += v;
    return 1;
}

/* *acc *= v for v >= 0; 0 if the product would pass INT64_MAX. */
static int mul_checked(int64_t *acc, int64_t v) {
    if (v < 0 || (v && *acc > INT64_MAX / v)) return 0;
    *acc *= v;
    return 1;
}

int64_t tern_count_params(const tern_graph *g) {
    int64_t p = 0;
    for (int t = 0; t < g->n_tensors; t++) {
        const tern_tensor *x = &g->tensors[t];
        if (!x->data || (x->dtype != TERN_FLOAT && x->dtype != TERN_FLOAT16 &&
                         x->dtype != TERN_DOUBLE))
            continue;
        int64_t ne = tern_tensor_numel(x); /* < 0: the dims' product overflows */
        if (ne < 0 || (ne > 1 && !add_checked(&p, ne))) return TERN_COUNT_OVERFLOW;
    }
    return p;
}

/* MACs per output element of node n: the reduced length (0: not counted).
 * Conv and QLinearConv, Gemm, MatMul. */
static int64_t macs_per_output(const tern_graph *g, const tern_node *n, int *ok) {
    const tern_tensor *a = tern_in(g, n, 0), *w = tern_in(g, n, 1);
    int64_t per = 0;
    *ok = 1;
    if (strcmp(n->op_type, "Conv") == 0 && w->rank >= 2) {
        per = 1;
        for (int d = 1; d < w->rank && *ok; d++) *ok = mul_checked(&per, w->dims[d]);
    } else if (strcmp(n->op_type, "QLinearConv") == 0 && n->n_inputs > 3 && n->inputs[3] >= 0 &&
               tern_in(g, n, 3)->rank >= 2) {
        /* the integer convolution: W is input 3 */
        const tern_tensor *qw = tern_in(g, n, 3);
        per = 1;
        for (int d = 1; d < qw->rank && *ok; d++) *ok = mul_checked(&per, qw->dims[d]);
    } else if (strcmp(n->op_type, "Gemm") == 0 && a->rank == 2) {
        per = tern_attr_int(n, "transA", 0) ? a->dims[0] : a->dims[1];
    } else if (strcmp(n->op_type, "MatMul") == 0 && a->rank >= 1) {
        per = a->dims[a->rank - 1];
    }
    return per;
}

int64_t tern_node_macs(const tern_graph *g, const tern_node *n) {
    const tern_tensor *y = tern_out(g, n, 0);
    if (!y || !tern_in(g, n, 0) || !tern_in(g, n, 1) || n->domain[0]) return 0;
    int ok;
    int64_t m = macs_per_output(g, n, &ok);
    if (ok && m) ok = mul_checked(&m, tern_tensor_numel(y));
    return ok ? m : TERN_COUNT_OVERFLOW;
}

int64_t tern_count_macs(const tern_graph *g) {
    int64_t macs = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        int64_t m = tern_node_macs(g, &g->nodes[i]);
        if (m < 0 || !add_checked(&macs, m)) return TERN_COUNT_OVERFLOW;
    }
    return macs;
}
