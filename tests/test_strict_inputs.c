/* Inputs tern used to accept leniently and now refuses or reports honestly:
 *  - attribute names a standard op does not define at the model's opset
 *    (graph/ops/op_attr_check.c, table graph/ops/op_attr_names.c): a
 *    misspelled `dilatoins` must not run a Conv with dilation 1;
 *  - the parameter and MAC counts of `tern info` (graph/report_counts.c)
 *    when a model's dims make them pass INT64_MAX.
 * Graphs are built in memory and compiled (tern_compile), as the session
 * API would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/compile.h"
#include "graph/model.h"
#include "graph/op.h"
#include "graph/ops/op_attr_names.h"
#include "graph/passes/passes.h"
#include "graph/report_counts.h"
#include "graph/session.h"
#include "tests/harness.h"

/* ---- the attribute table ---------------------------------------------- */

static const char *const TABLE_OPS[] = {
#define OP(name) #name,
#include "graph/ops/list_nn.h"
#include "graph/ops/list_tensor.h"
#undef OP
};
#define N_TABLE_OPS ((int)(sizeof TABLE_OPS / sizeof TABLE_OPS[0]))

/* The check relies on the order (binary search) and on every standard op
 * of the registry having rows: an op without rows is not checked at all. */
static void test_table(th_ctx *t) {
    int unsorted = -1, bad_range = -1, stray = -1;
    for (int i = 0; i < TERN_N_ATTR_NAMES; i++) {
        const tern_attr_name *r = &TERN_ATTR_NAMES[i];
        if (i > 0) {
            const tern_attr_name *p = &TERN_ATTR_NAMES[i - 1];
            int c = strcmp(p->op, r->op);
            if (c > 0 || (c == 0 && (!p->name || !r->name || strcmp(p->name, r->name) > 0)))
                unsorted = i;
        }
        if (r->name && (r->first < 1 || (r->last && r->last < r->first))) bad_range = i;
        if (!tern_op_find(r->op, "")) stray = i;
    }
    th_check(t, unsorted < 0, "attr table sorted by op and name", "row %d", unsorted);
    th_check(t, bad_range < 0, "attr table opset ranges", "row %d", bad_range);
    th_check(t, stray < 0, "attr table names only registered ops", "row %d (%s)", stray,
             stray >= 0 ? TERN_ATTR_NAMES[stray].op : "");
    const char *missing = NULL;
    for (int i = 0; i < N_TABLE_OPS; i++) {
        const tern_op *op = tern_op_find(TABLE_OPS[i], "");
        int count;
        if (op && !op->domain[0] && !tern_attr_names_of(TABLE_OPS[i], &count))
            missing = TABLE_OPS[i];
    }
    th_check(t, !missing, "attr table has every standard op",
             "%s has no rows: rerun tools/gen_op_attr_names.py", missing ? missing : "");
    int count;
    const tern_attr_name *conv = tern_attr_names_of("Conv", &count);
    th_check(t, conv && count == 6 && !strcmp(conv[0].name, "auto_pad"),
             "attr table rows of Conv", "%d rows", count);
}

/* ---- unknown attributes ------------------------------------------------ */

/* X [1,2,5,5] -> op -> Y, with a constant weight [3,2,3,3] for Conv. */
typedef struct one_node {
    tern_graph g;
    int node;
} one_node;

static void one_init(one_node *o, int64_t opset, const char *op, const char *name) {
    tern_graph_init(&o->g);
    o->g.opset = opset;
    int x = tern_graph_add_tensor(&o->g, "X"), y = tern_graph_add_tensor(&o->g, "Y");
    tern_tensor *xt = &o->g.tensors[x];
    xt->dtype = TERN_FLOAT;
    xt->rank = 4;
    const int64_t xd[4] = {1, 2, 5, 5};
    memcpy(xt->dims, xd, sizeof xd);
    xt->is_input = 1;
    o->g.tensors[y].rank = -1;
    o->g.tensors[y].is_output = 1;
    o->g.inputs = tern_pool_alloc_array(&o->g.pool, 1, sizeof(int));
    o->g.outputs = tern_pool_alloc_array(&o->g.pool, 1, sizeof(int));
    o->g.inputs[0] = x;
    o->g.outputs[0] = y;
    o->g.n_inputs = o->g.n_outputs = 1;
    int conv = strcmp(op, "Conv") == 0, w = -1;
    if (conv) {
        static const float wv[54] = {0};
        w = tern_add_const(&o->g, "W", TERN_FLOAT, 4, (const int64_t[]){3, 2, 3, 3}, wv);
    }
    o->node = tern_graph_add_node(&o->g, op, "", name, conv ? 2 : 1, 1);
    tern_node *n = &o->g.nodes[o->node];
    n->inputs[0] = x;
    if (conv) n->inputs[1] = w;
    n->outputs[0] = y;
}

static tern_attr *one_attr(one_node *o, const char *name, int type) {
    tern_node *n = &o->g.nodes[o->node];
    tern_attr *a = tern_pool_alloc_array(&o->g.pool, (size_t)n->n_attrs + 1, sizeof(tern_attr));
    if (n->n_attrs) memcpy(a, n->attrs, sizeof(tern_attr) * (size_t)n->n_attrs);
    a[n->n_attrs].name = tern_pool_strdup(&o->g.pool, name);
    a[n->n_attrs].type = type;
    n->attrs = a;
    return &a[n->n_attrs++];
}

static void one_ints(one_node *o, const char *name, int64_t v0, int64_t v1) {
    tern_attr *a = one_attr(o, name, TERN_ATTR_INTS);
    int64_t *v = tern_pool_alloc_array(&o->g.pool, 2, sizeof(int64_t));
    v[0] = v0;
    v[1] = v1;
    a->ints = v;
    a->count = 2;
}

static void one_float(one_node *o, const char *name, float v) {
    one_attr(o, name, TERN_ATTR_FLOAT)->f = v;
}

/* Compile o (then free it); want NULL: must compile, else the message. */
static void expect_compile(th_ctx *t, one_node *o, const char *want, const char *case_name) {
    tern_err err = {{0}};
    tern_compiled c;
    tern_status st = tern_graph_toposort(&o->g, &err);
    if (st == TERN_OK) st = tern_compile(&o->g, 1, 0, &c, &err);
    if (want)
        th_check(t, st == TERN_ERR_PARSE && strcmp(err.msg, want) == 0, case_name,
                 "status %d, '%s' (wanted '%s')", (int)st, err.msg, want);
    else
        th_check(t, st == TERN_OK, case_name, "status %d, '%s'", (int)st, err.msg);
    if (st == TERN_OK) tern_compiled_free(&c);
    tern_graph_free(&o->g);
}

static void test_unknown_attrs(th_ctx *t) {
    one_node o;
    one_init(&o, 13, "Conv", "conv1");
    one_ints(&o, "kernel_shape", 3, 3);
    one_ints(&o, "dilatoins", 2, 2);
    expect_compile(t, &o, "graph.node[0] 'conv1' (Conv): unknown attribute 'dilatoins'",
                   "attr misspelled Conv dilations is an error");
    one_init(&o, 13, "Conv", "conv1");
    one_ints(&o, "kernel_shape", 3, 3);
    one_ints(&o, "dilations", 2, 2);
    expect_compile(t, &o, NULL, "attr Conv dilations is accepted");
    one_init(&o, 13, "Relu", "relu1");
    one_float(&o, "alpha", 0.1f);
    expect_compile(t, &o, "graph.node[0] 'relu1' (Relu): unknown attribute 'alpha'",
                   "attr Relu has no alpha");
    /* an attribute of another opset's version of the op */
    one_init(&o, 6, "Clip", "clip1");
    one_float(&o, "min", 0);
    one_float(&o, "max", 6);
    expect_compile(t, &o, NULL, "attr Clip-6 min and max are accepted");
    one_init(&o, 13, "Clip", "clip1");
    one_float(&o, "min", 0);
    expect_compile(t, &o,
                   "graph.node[0] 'clip1' (Clip): attribute 'min' is not defined at opset 13 "
                   "(opsets 1 to 10 have it)",
                   "attr Clip-13 min is an error");
    one_init(&o, 13, "AveragePool", "pool1");
    one_ints(&o, "kernel_shape", 2, 2);
    one_ints(&o, "dilations", 1, 1);
    expect_compile(t, &o,
                   "graph.node[0] 'pool1' (AveragePool): attribute 'dilations' is not defined at "
                   "opset 13 (opset 19 on has it)",
                   "attr AveragePool-13 dilations is an error");
    one_init(&o, 19, "AveragePool", "pool1");
    one_ints(&o, "kernel_shape", 2, 2);
    one_ints(&o, "dilations", 1, 1);
    expect_compile(t, &o, NULL, "attr AveragePool-19 dilations is accepted");
    /* no recorded opset (graphs built in memory): any version's names */
    one_init(&o, 0, "Clip", "clip1");
    one_float(&o, "min", 0);
    expect_compile(t, &o, NULL, "attr Clip min without an opset is accepted");
}

/* ---- parameter and MAC counts ----------------------------------------- */

static int shaped(tern_graph *g, const char *name, int rank, const int64_t *dims) {
    int i = tern_graph_add_tensor(g, name);
    tern_tensor *x = &g->tensors[i];
    x->dtype = TERN_FLOAT;
    x->rank = rank;
    if (rank > 0) memcpy(x->dims, dims, sizeof(int64_t) * (size_t)rank);
    return i;
}

/* Conv X -> Y with weight dims w and output dims y (shapes only). */
static void conv_shapes(tern_graph *g, const int64_t *w, const int64_t *y) {
    char name[32];
    snprintf(name, sizeof name, "conv%d", g->n_nodes);
    int x = shaped(g, "X", 4, (const int64_t[]){1, 1, 1, 1}), wt = shaped(g, "W", 4, w);
    int yt = shaped(g, "Y", 4, y), n = tern_graph_add_node(g, "Conv", "", name, 2, 1);
    g->nodes[n].inputs[0] = x;
    g->nodes[n].inputs[1] = wt;
    g->nodes[n].outputs[0] = yt;
}

/* One float constant of dims d (data never read). */
static void param(tern_graph *g, int rank, const int64_t *d) {
    static const float dummy = 0;
    int i = shaped(g, "P", rank, d);
    g->tensors[i].data = &dummy;
}

static void test_counts(th_ctx *t) {
    const int64_t big = (int64_t)1 << 31;
    tern_graph g;
    tern_graph_init(&g);
    conv_shapes(&g, (const int64_t[]){4, 2, 3, 3}, (const int64_t[]){1, 4, 5, 5});
    th_check(t, tern_count_macs(&g) == 1800, "count MACs of a small Conv", "%lld",
             (long long)tern_count_macs(&g));
    /* 2^31 * 2^31 * 2^2 per output element, times 1: the per-element product overflows */
    conv_shapes(&g, (const int64_t[]){1, big, big, 4}, (const int64_t[]){1, 1, 1, 1});
    th_check(t, tern_count_macs(&g) == TERN_COUNT_OVERFLOW, "count MACs per output overflow",
             "%lld", (long long)tern_count_macs(&g));
    tern_graph_free(&g);
    tern_graph_init(&g);
    /* 2^31 per element times 2^33 elements: the node's product overflows */
    conv_shapes(&g, (const int64_t[]){1, big, 1, 1}, (const int64_t[]){2, big, 2, 1});
    th_check(t, tern_count_macs(&g) == TERN_COUNT_OVERFLOW, "count MACs product overflow", "%lld",
             (long long)tern_count_macs(&g));
    tern_graph_free(&g);
    tern_graph_init(&g);
    /* two nodes of 2^62 each: the sum overflows */
    for (int k = 0; k < 2; k++)
        conv_shapes(&g, (const int64_t[]){1, big, 1, 1}, (const int64_t[]){1, big, 1, 1});
    th_check(t, tern_count_macs(&g) == TERN_COUNT_OVERFLOW, "count MACs sum overflow", "%lld",
             (long long)tern_count_macs(&g));
    tern_graph_free(&g);

    tern_graph_init(&g);
    param(&g, 2, (const int64_t[]){3, 4});
    param(&g, 0, NULL); /* scalars are not counted */
    th_check(t, tern_count_params(&g) == 12, "count params", "%lld",
             (long long)tern_count_params(&g));
    param(&g, 2, (const int64_t[]){(int64_t)1 << 62, 1});
    param(&g, 2, (const int64_t[]){(int64_t)1 << 62, 1});
    th_check(t, tern_count_params(&g) == TERN_COUNT_OVERFLOW, "count params sum overflow", "%lld",
             (long long)tern_count_params(&g));
    tern_graph_free(&g);
}

/* What `tern info` prints for such a model: the report of a session whose
 * compiled graph has the overflowing Conv (made by hand: a real session
 * would have to plan its tensors). */
static void test_report_overflow(th_ctx *t) {
    const int64_t big = (int64_t)1 << 31;
    struct tern_model model;
    memset(&model, 0, sizeof model);
    tern_graph_init(&model.graph);
    model.ok = 1;
    param(&model.graph, 2, (const int64_t[]){(int64_t)1 << 62, 1});
    param(&model.graph, 2, (const int64_t[]){(int64_t)1 << 62, 1});
    tern_session *s = calloc(1, sizeof *s);
    s->ok = s->compiled = 1;
    s->model = &model;
    tern_graph_init(&s->c.g);
    for (int k = 0; k < 2; k++)
        conv_shapes(&s->c.g, (const int64_t[]){1, big, 1, 1}, (const int64_t[]){1, big, 1, 1});
    char text[4096], json[4096];
    int ok = tern_session_report(s, 0, text, sizeof text, NULL) == TERN_OK &&
             tern_session_report(s, TERN_REPORT_JSON, json, sizeof json, NULL) == TERN_OK;
    th_check(t, ok && strstr(text, "MACs:       overflow (more than 9223372036854775807)") &&
                    strstr(text, "parameters: overflow"),
             "report text says the counts overflow", "%s", text);
    th_check(t, ok && strstr(json, "\"parameters\":null,\"macs\":null"),
             "report JSON has null counts on overflow", "%s", json);
    tern_graph_free(&s->c.g);
    free(s);
    tern_graph_free(&model.graph);
}

TH_SUITE(suite_strict_inputs) {
    test_table(t);
    test_unknown_attrs(t);
    test_counts(t);
    test_report_overflow(t);
}
