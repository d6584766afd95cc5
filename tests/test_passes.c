/* Tests of the graph rewrite passes (graph/passes/pass_*.c except infer and
 * layout). Two kinds:
 *  - unit: small hand-built graphs whose nodes carry a stand-in op (infer
 *    does nothing), run through one pass; checks the rewritten structure and
 *    the folded constants against values computed here;
 *  - end to end: the same kind of graphs with real ops, compiled with and
 *    without the rewrite passes (TERN_COMPILE_NO_FUSE) and executed on the
 *    same random inputs; outputs must agree and the rewritten graph must
 *    have the expected shape (no BatchNormalization, Conv act HARDSWISH...).
 *    Skipped while an op they need is not in the registry. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/compile.h"
#include "graph/op.h"
#include "graph/passes/passes.h"
#include "tests/harness.h"

/* ---- graph builder --------------------------------------------------- */

typedef struct gb {
    tern_graph g;
    uint32_t seed;
} gb;

static void gb_init(gb *b, int64_t opset) {
    tern_graph_init(&b->g);
    b->g.opset = opset;
    b->g.ir_version = 7;
    b->seed = 12345u;
}

static float gb_rand(uint32_t *s, float lo, float hi) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return lo + (hi - lo) * (float)(*s >> 8) / (float)(1u << 24);
}

/* An index list grown by copying (graph arrays live in the pool). */
static void push_index(tern_graph *g, int **arr, int *n, int v) {
    int *a = tern_pool_alloc_array(&g->pool, (size_t)*n + 2, sizeof(int));
    if (!a) return;
    if (*n) memcpy(a, *arr, sizeof(int) * (size_t)*n);
    a[(*n)++] = v;
    *arr = a;
}

/* A float tensor; rank -1 leaves the shape to inference. */
static int gb_t(gb *b, const char *name, int rank, const int64_t *dims) {
    int i = tern_graph_add_tensor(&b->g, name);
    tern_tensor *x = &b->g.tensors[i];
    x->dtype = TERN_FLOAT;
    x->rank = rank;
    for (int d = 0; d < rank; d++) x->dims[d] = dims[d];
    return i;
}

static int gb_in(gb *b, const char *name, int rank, const int64_t *dims) {
    int i = gb_t(b, name, rank, dims);
    b->g.tensors[i].is_input = 1;
    push_index(&b->g, &b->g.inputs, &b->g.n_inputs, i);
    return i;
}

static void gb_out(gb *b, int i) {
    b->g.tensors[i].is_output = 1;
    push_index(&b->g, &b->g.outputs, &b->g.n_outputs, i);
}

/* Constant names get the tensor index appended so that they are unique. */
static int gb_const(gb *b, const char *name, int rank, const int64_t *dims, const float *vals) {
    char full[64];
    snprintf(full, sizeof full, "%s_%d", name, b->g.n_tensors);
    return tern_add_const(&b->g, full, TERN_FLOAT, rank, dims, vals);
}

/* A constant of uniform random values in [lo, hi). */
static int gb_rconst(gb *b, const char *name, int rank, const int64_t *dims, float lo, float hi) {
    int64_t n = 1;
    for (int d = 0; d < rank; d++) n *= dims[d];
    float *v = malloc(sizeof(float) * (size_t)(n + 1));
    for (int64_t i = 0; i < n; i++) v[i] = gb_rand(&b->seed, lo, hi);
    int c = gb_const(b, name, rank, dims, v);
    free(v);
    return c;
}

static int gb_scalar(gb *b, const char *name, float v) {
    return gb_const(b, name, 0, NULL, &v);
}

static int gb_node(gb *b, const char *op, const int *ins, int nin, const int *outs, int nout) {
    char name[64];
    snprintf(name, sizeof name, "%s_%d", op, b->g.n_nodes);
    int i = tern_graph_add_node(&b->g, op, "", name, nin, nout);
    for (int k = 0; k < nin; k++) b->g.nodes[i].inputs[k] = ins[k];
    for (int k = 0; k < nout; k++) b->g.nodes[i].outputs[k] = outs[k];
    return i;
}

/* One-input one-output node. */
static int gb_unary(gb *b, const char *op, int x, int y) {
    return gb_node(b, op, &x, 1, &y, 1);
}

static tern_attr *gb_attr(gb *b, int node, const char *name, int type) {
    tern_node *n = &b->g.nodes[node];
    tern_attr *a = tern_pool_alloc_array(&b->g.pool, (size_t)n->n_attrs + 1, sizeof(tern_attr));
    if (n->n_attrs) memcpy(a, n->attrs, sizeof(tern_attr) * (size_t)n->n_attrs);
    tern_attr *x = &a[n->n_attrs];
    x->name = tern_pool_strdup(&b->g.pool, name);
    x->type = type;
    n->attrs = a;
    n->n_attrs++;
    return x;
}

static void gb_attr_f(gb *b, int node, const char *name, float v) {
    gb_attr(b, node, name, TERN_ATTR_FLOAT)->f = v;
}

static void gb_attr_i(gb *b, int node, const char *name, int64_t v) {
    gb_attr(b, node, name, TERN_ATTR_INT)->i = v;
}

static void gb_attr_ints(gb *b, int node, const char *name, const int64_t *v, int n) {
    int64_t *copy = tern_pool_alloc_array(&b->g.pool, (size_t)n + 1, sizeof(int64_t));
    memcpy(copy, v, sizeof(int64_t) * (size_t)n);
    tern_attr *a = gb_attr(b, node, name, TERN_ATTR_INTS);
    a->ints = copy;
    a->count = (size_t)n;
}

/* Conv x[N,C,H,W] -> y with a random [M,C/group,k,k] weight, "same" pads,
 * optional random bias. */
static int gb_conv(gb *b, int x, int y, int64_t c, int64_t m, int64_t k, int group, int bias) {
    int64_t wd[4] = {m, c / group, k, k}, bd[1] = {m};
    int w = gb_rconst(b, "W", 4, wd, -0.5f, 0.5f);
    int ins[3] = {x, w, bias ? gb_rconst(b, "B", 1, bd, -0.5f, 0.5f) : -1};
    int n = gb_node(b, "Conv", ins, bias ? 3 : 2, &y, 1);
    int64_t p = k / 2, pads[4] = {p, p, p, p}, ks[2] = {k, k};
    gb_attr_ints(b, n, "pads", pads, 4);
    gb_attr_ints(b, n, "kernel_shape", ks, 2);
    if (group != 1) gb_attr_i(b, n, "group", group);
    return n;
}

/* BatchNormalization with random gamma/beta, mean in [-1,1), var in
 * [0.2,2) (far from the trivial 0/1). eps < 0 leaves the attr out. */
static int gb_bn(gb *b, int x, int y, int64_t c, float eps) {
    int64_t d[1] = {c};
    int ins[5] = {x, gb_rconst(b, "gamma", 1, d, 0.5f, 1.5f), gb_rconst(b, "beta", 1, d, -1, 1),
                  gb_rconst(b, "mean", 1, d, -1, 1), gb_rconst(b, "var", 1, d, 0.2f, 2)};
    int n = gb_node(b, "BatchNormalization", ins, 5, &y, 1);
    if (eps >= 0) gb_attr_f(b, n, "epsilon", eps);
    return n;
}

/* ---- queries on a graph ---------------------------------------------- */

static int count_op(const tern_graph *g, const char *op) {
    int c = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i].dead && strcmp(g->nodes[i].op_type, op) == 0) c++;
    return c;
}

static const tern_node *first_op(const tern_graph *g, const char *op) {
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i].dead && strcmp(g->nodes[i].op_type, op) == 0) return &g->nodes[i];
    return NULL;
}

static int act_of(const tern_graph *g, const char *op) {
    const tern_node *n = first_op(g, op);
    return n ? (int)n->act.kind : -1;
}

/* ---- unit tests: one pass on a graph with stand-in ops ---------------- */

static tern_status stub_infer(tern_graph *g, tern_node *n, tern_err *err) {
    (void)g;
    (void)n;
    (void)err;
    return TERN_OK;
}

static const tern_op STUB = {"stub", "", 0, stub_infer, NULL};

/* What the compile pipeline guarantees before a pass: sorted, ops set. */
static int prepare(th_ctx *t, gb *b, const char *name) {
    tern_err err = {{0}};
    if (tern_graph_toposort(&b->g, &err) != TERN_OK) {
        th_fail(t, name, "toposort: %s", err.msg);
        return 0;
    }
    for (int i = 0; i < b->g.n_nodes; i++) b->g.nodes[i].op = &STUB;
    return 1;
}

typedef tern_status (*pass_fn)(tern_graph *, tern_pass_report *, tern_err *);

static int run_pass(th_ctx *t, gb *b, pass_fn fn, tern_pass_report *r, const char *name) {
    tern_err err = {{0}};
    if (!prepare(t, b, name)) return 0;
    if (fn(&b->g, r, &err) != TERN_OK) {
        th_fail(t, name, "pass failed: %s", err.msg);
        return 0;
    }
    tern_graph_compact(&b->g);
    return 1;
}

static const int64_t D4[4] = {1, 4, 3, 3}; /* default activation shape */

/* y = Conv(x); h = HardSigmoid(y); z = Mul(y, h) or Mul(h, y), z a graph
 * output: one Conv with HARDSWISH(alpha, beta) that writes z. */
static void unit_hardswish(th_ctx *t, int swap) {
    const char *name = swap ? "unit fuse x*HardSigmoid(x) (Mul(h,y))" : "unit fuse x*HardSigmoid(x)";
    gb b;
    gb_init(&b, 13);
    int x = gb_in(&b, "x", 4, D4), y = gb_t(&b, "y", 4, D4), h = gb_t(&b, "h", 4, D4);
    int z = gb_t(&b, "z", 4, D4);
    gb_conv(&b, x, y, 4, 4, 3, 1, 1);
    int hs = gb_unary(&b, "HardSigmoid", y, h);
    gb_attr_f(&b, hs, "alpha", 0.25f);
    gb_attr_f(&b, hs, "beta", 0.375f);
    int mi[2] = {swap ? h : y, swap ? y : h};
    gb_node(&b, "Mul", mi, 2, &z, 1);
    gb_out(&b, z);
    tern_pass_report r;
    if (run_pass(t, &b, tern_pass_fuse_activation, &r, name)) {
        const tern_node *c = first_op(&b.g, "Conv");
        th_check(t, b.g.n_nodes == 1 && c && c->act.kind == TERN_ACT_HARDSWISH &&
                        c->act.a == 0.25f && c->act.b == 0.375f && c->outputs[0] == z &&
                        b.g.outputs[0] == z && r.changes == 1,
                 name, "nodes %d, act %d (%g, %g), changes %d", b.g.n_nodes, c ? (int)c->act.kind : -1,
                 c ? c->act.a : 0, c ? c->act.b : 0, r.changes);
    }
    tern_graph_free(&b.g);
}

/* Patterns that must stay: the Conv output has a second reader, is a graph
 * output itself, or the activation follows an Add. */
static void unit_no_fuse(th_ctx *t) {
    const char *name = "unit no fusion when the conv output has another use";
    gb b;
    gb_init(&b, 13);
    int x = gb_in(&b, "x", 4, D4), y = gb_t(&b, "y", 4, D4), h = gb_t(&b, "h", 4, D4);
    int z = gb_t(&b, "z", 4, D4), s = gb_t(&b, "s", 4, D4), y2 = gb_t(&b, "y2", 4, D4);
    int r2 = gb_t(&b, "r2", 4, D4), a = gb_t(&b, "a", 4, D4), ar = gb_t(&b, "ar", 4, D4);
    gb_conv(&b, x, y, 4, 4, 3, 1, 1);
    gb_unary(&b, "Relu", y, h);
    int ai[2] = {y, h};
    gb_node(&b, "Add", ai, 2, &s, 1); /* y read by Relu and Add */
    gb_conv(&b, s, y2, 4, 4, 1, 1, 0);
    gb_unary(&b, "Sigmoid", y2, r2); /* y2 is a graph output too */
    int ai2[2] = {r2, y2};
    gb_node(&b, "Add", ai2, 2, &a, 1);
    gb_unary(&b, "Relu", a, ar); /* Relu after Add */
    int mi[2] = {ar, ar};
    gb_node(&b, "Mul", mi, 2, &z, 1);
    gb_out(&b, y2);
    gb_out(&b, z);
    tern_pass_report r;
    if (run_pass(t, &b, tern_pass_fuse_activation, &r, name))
        th_check(t, r.changes == 0 && b.g.n_nodes == 8 && count_op(&b.g, "Relu") == 2 &&
                        act_of(&b.g, "Conv") == TERN_ACT_NONE,
                 name, "changes %d, nodes %d", r.changes, b.g.n_nodes);
    tern_graph_free(&b.g);
}

/* Clip bounds from attributes (opset 6) and from inputs (opset 13, max
 * absent = +inf); Sigmoid + Mul -> SILU; LeakyRelu alpha. */
static void unit_clip(th_ctx *t, int opset) {
    char name[80];
    snprintf(name, sizeof name, "unit fuse Clip (opset %d)", opset);
    gb b;
    gb_init(&b, opset);
    int x = gb_in(&b, "x", 4, D4), y = gb_t(&b, "y", 4, D4), z = gb_t(&b, "z", 4, D4);
    gb_conv(&b, x, y, 4, 4, 3, 1, 0);
    int c;
    if (opset < 11) {
        c = gb_unary(&b, "Clip", y, z);
        gb_attr_f(&b, c, "min", -1.5f);
        gb_attr_f(&b, c, "max", 2.5f);
    } else {
        int ci[3] = {y, gb_scalar(&b, "lo", -1.5f), -1};
        c = gb_node(&b, "Clip", ci, 3, &z, 1);
    }
    gb_out(&b, z);
    tern_pass_report r;
    float want_hi = opset < 11 ? 2.5f : INFINITY;
    if (run_pass(t, &b, tern_pass_fuse_activation, &r, name)) {
        const tern_node *n = first_op(&b.g, "Conv");
        th_check(t, b.g.n_nodes == 1 && n->act.kind == TERN_ACT_CLIP && n->act.a == -1.5f &&
                        n->act.b == want_hi && n->outputs[0] == z,
                 name, "nodes %d act %d [%g, %g]", b.g.n_nodes, (int)n->act.kind, n->act.a,
                 n->act.b);
    }
    tern_graph_free(&b.g);
}

/* A Clip with a non-constant bound is not an activation the kernel knows. */
static void unit_clip_dynamic(th_ctx *t) {
    const char *name = "unit Clip with a non-constant bound stays";
    gb b;
    gb_init(&b, 13);
    int64_t sd[1] = {0};
    int x = gb_in(&b, "x", 4, D4), y = gb_t(&b, "y", 4, D4), z = gb_t(&b, "z", 4, D4);
    int lo = gb_in(&b, "lo", 0, sd);
    gb_conv(&b, x, y, 4, 4, 3, 1, 0);
    int ci[2] = {y, lo};
    gb_node(&b, "Clip", ci, 2, &z, 1);
    gb_out(&b, z);
    tern_pass_report r;
    if (run_pass(t, &b, tern_pass_fuse_activation, &r, name))
        th_check(t, b.g.n_nodes == 2 && act_of(&b.g, "Conv") == TERN_ACT_NONE, name,
                 "nodes %d", b.g.n_nodes);
    tern_graph_free(&b.g);
}

/* The folded constants equal W*s and (B-mean)*s+beta computed here in
 * double, eps read from the node, and the model's constants are untouched. */
static void unit_bn_values(th_ctx *t, int with_bias) {
    const char *name = with_bias ? "unit fold BN values (bias, eps 1e-3)"
                                 : "unit fold BN values (no bias, eps 1e-3)";
    gb b;
    gb_init(&b, 13);
    int x = gb_in(&b, "x", 4, D4), y = gb_t(&b, "y", 4, D4), z = gb_t(&b, "z", 4, D4);
    int cv = gb_conv(&b, x, y, 4, 4, 3, 1, with_bias);
    int bn = gb_bn(&b, y, z, 4, 1e-3f);
    gb_out(&b, z);
    int w0 = b.g.nodes[cv].inputs[1], b0 = with_bias ? b.g.nodes[cv].inputs[2] : -1;
    const tern_node *bnn = &b.g.nodes[bn];
    const void *gam = b.g.tensors[bnn->inputs[1]].data, *bet = b.g.tensors[bnn->inputs[2]].data;
    const void *mea = b.g.tensors[bnn->inputs[3]].data, *var = b.g.tensors[bnn->inputs[4]].data;
    const void *wdata = b.g.tensors[w0].data;
    float w_first = tern_f32_at(wdata, 0);
    tern_pass_report r;
    if (!run_pass(t, &b, tern_pass_fold_batchnorm, &r, name)) {
        tern_graph_free(&b.g);
        return;
    }
    const tern_node *c = first_op(&b.g, "Conv");
    if (!th_check(t, b.g.n_nodes == 1 && c && c->n_inputs == 3 && c->outputs[0] == z &&
                         strstr(r.detail, "folded 1 BatchNormalization into Conv"),
                  "unit fold BN structure", "nodes %d, detail '%s'", b.g.n_nodes, r.detail)) {
        tern_graph_free(&b.g);
        return;
    }
    const void *nw = b.g.tensors[c->inputs[1]].data, *nb = b.g.tensors[c->inputs[2]].data;
    double worst = 0;
    for (int m = 0; m < 4; m++) {
        double s = tern_f32_at(gam, m) / sqrt((double)tern_f32_at(var, m) + (double)1e-3f);
        double bias = b0 >= 0 ? tern_f32_at(b.g.tensors[b0].data, m) : 0.0;
        double want_b = (bias - tern_f32_at(mea, m)) * s + tern_f32_at(bet, m);
        worst = fmax(worst, fabs(tern_f32_at(nb, m) - want_b) / fmax(1.0, fabs(want_b)));
        for (int k = 0; k < 36; k++) {
            double want_w = tern_f32_at(wdata, m * 36 + k) * s;
            worst = fmax(worst, fabs(tern_f32_at(nw, m * 36 + k) - want_w) / fmax(1.0, fabs(want_w)));
        }
    }
    th_check(t, worst < 1e-6 && nw != wdata && tern_f32_at(wdata, 0) == w_first,
             name, "worst relative error %g (or shared weights modified)", worst);
    tern_graph_free(&b.g);
}

/* BN stays when the Conv output has a second reader or the weights are
 * not constant. */
static void unit_bn_no_fold(th_ctx *t) {
    const char *name = "unit BN not folded (second reader, non-constant W)";
    gb b;
    gb_init(&b, 13);
    int64_t wd[4] = {4, 4, 1, 1};
    int x = gb_in(&b, "x", 4, D4), y = gb_t(&b, "y", 4, D4), z = gb_t(&b, "z", 4, D4);
    int r = gb_t(&b, "r", 4, D4), y2 = gb_t(&b, "y2", 4, D4), z2 = gb_t(&b, "z2", 4, D4);
    int w = gb_in(&b, "w", 4, wd);
    gb_conv(&b, x, y, 4, 4, 3, 1, 1);
    gb_bn(&b, y, z, 4, 1e-3f);
    gb_unary(&b, "Relu", y, r);
    int ci[2] = {z, w};
    gb_node(&b, "Conv", ci, 2, &y2, 1);
    gb_bn(&b, y2, z2, 4, 1e-3f);
    gb_out(&b, z2);
    gb_out(&b, r);
    tern_pass_report rep;
    if (run_pass(t, &b, tern_pass_fold_batchnorm, &rep, name))
        th_check(t, rep.changes == 0 && count_op(&b.g, "BatchNormalization") == 2, name,
                 "changes %d", rep.changes);
    tern_graph_free(&b.g);
}

/* Identity and Dropout removed, the graph output keeps its name; an
 * input -> Identity -> output copy stays; Dropout whose mask is read stays. */
static void unit_identity(th_ctx *t) {
    const char *name = "unit remove Identity/Dropout";
    gb b;
    gb_init(&b, 13);
    int x = gb_in(&b, "x", 4, D4), a = gb_t(&b, "a", 4, D4), i1 = gb_t(&b, "i1", 4, D4);
    int out = gb_t(&b, "out", 4, D4), x2 = gb_in(&b, "x2", 4, D4), out2 = gb_t(&b, "out2", 4, D4);
    int d2 = gb_t(&b, "d2", 4, D4), mask = gb_t(&b, "mask", 4, D4), out3 = gb_t(&b, "out3", 4, D4);
    gb_unary(&b, "Relu", x, a);
    gb_unary(&b, "Identity", a, i1);
    gb_unary(&b, "Dropout", i1, out);
    gb_unary(&b, "Identity", x2, out2);
    int dm[2] = {d2, mask};
    gb_node(&b, "Dropout", &x2, 1, dm, 2);
    int mi[2] = {d2, mask};
    gb_node(&b, "Add", mi, 2, &out3, 1);
    gb_out(&b, out);
    gb_out(&b, out2);
    gb_out(&b, out3);
    tern_pass_report r;
    if (run_pass(t, &b, tern_pass_remove_identity, &r, name)) {
        const tern_node *relu = first_op(&b.g, "Relu");
        th_check(t, r.changes == 2 && b.g.n_nodes == 4 && relu && relu->outputs[0] == out &&
                        count_op(&b.g, "Identity") == 1 && count_op(&b.g, "Dropout") == 1 &&
                        b.g.outputs[0] == out,
                 name, "changes %d nodes %d detail '%s'", r.changes, b.g.n_nodes, r.detail);
    }
    tern_graph_free(&b.g);
}

/* Transpose pairs: cancelling (removed, the conv writes the graph output),
 * not cancelling (kept), middle tensor read twice (kept). */
static void unit_transposes(th_ctx *t) {
    const char *name = "unit cancel Transpose pairs";
    gb b;
    gb_init(&b, 13);
    int64_t nhwc[4] = {1, 3, 3, 4}, p1[4] = {0, 2, 3, 1}, p2[4] = {0, 3, 1, 2};
    int x = gb_in(&b, "x", 4, D4), y = gb_t(&b, "y", 4, D4), m = gb_t(&b, "m", 4, nhwc);
    int out = gb_t(&b, "out", 4, D4);
    gb_conv(&b, x, y, 4, 4, 1, 1, 0);
    gb_attr_ints(&b, gb_unary(&b, "Transpose", y, m), "perm", p1, 4);
    gb_attr_ints(&b, gb_unary(&b, "Transpose", m, out), "perm", p2, 4);
    /* same perm twice: not an identity */
    int m2 = gb_t(&b, "m2", 4, nhwc), o2 = gb_t(&b, "o2", 4, (int64_t[]){1, 3, 4, 3});
    gb_attr_ints(&b, gb_unary(&b, "Transpose", x, m2), "perm", p1, 4);
    gb_attr_ints(&b, gb_unary(&b, "Transpose", m2, o2), "perm", p1, 4);
    /* cancelling but the middle is read by a Relu too */
    int m3 = gb_t(&b, "m3", 4, nhwc), o3 = gb_t(&b, "o3", 4, D4), r3 = gb_t(&b, "r3", 4, nhwc);
    gb_attr_ints(&b, gb_unary(&b, "Transpose", x, m3), "perm", p1, 4);
    gb_attr_ints(&b, gb_unary(&b, "Transpose", m3, o3), "perm", p2, 4);
    gb_unary(&b, "Relu", m3, r3);
    /* default perm (reverse) twice cancels too, reading a graph input: the
     * second's reader moves to the input */
    int m4 = gb_t(&b, "m4", 4, (int64_t[]){3, 3, 4, 1}), o4 = gb_t(&b, "o4", 4, D4);
    int r4 = gb_t(&b, "r4", 4, D4);
    gb_unary(&b, "Transpose", x, m4);
    gb_unary(&b, "Transpose", m4, o4);
    gb_unary(&b, "Relu", o4, r4);
    gb_out(&b, out);
    gb_out(&b, o2);
    gb_out(&b, o3);
    gb_out(&b, r3);
    gb_out(&b, r4);
    tern_pass_report r;
    if (run_pass(t, &b, tern_pass_cancel_transposes, &r, name)) {
        const tern_node *c = first_op(&b.g, "Conv");
        const tern_node *last = &b.g.nodes[b.g.n_nodes - 1];
        th_check(t, r.changes == 2 && count_op(&b.g, "Transpose") == 4 && c->outputs[0] == out &&
                        strcmp(last->op_type, "Relu") == 0 && last->inputs[0] == x,
                 name, "changes %d, %d Transposes left", r.changes, count_op(&b.g, "Transpose"));
    }
    tern_graph_free(&b.g);
}

/* MatMul [M,K] x const [K,N] + const [N] -> Gemm writing the Add's output;
 * a batched MatMul ([B,M,K]) stays, and so does an Add with broadcast
 * attributes (before opset 7 it may broadcast along any axis). */
static void unit_matmul_add(th_ctx *t) {
    const char *name = "unit MatMul+Add -> Gemm";
    gb b;
    gb_init(&b, 13);
    int64_t ad[2] = {2, 8}, wd[2] = {8, 5}, od[2] = {2, 5}, nd[1] = {5};
    int64_t a3[3] = {3, 2, 8}, o3d[3] = {3, 2, 5};
    int a = gb_in(&b, "a", 2, ad), m = gb_t(&b, "m", 2, od), out = gb_t(&b, "out", 2, od);
    int w = gb_rconst(&b, "w", 2, wd, -1, 1), bias = gb_rconst(&b, "bias", 1, nd, -1, 1);
    int mi[2] = {a, w}, ai[2] = {bias, m};
    gb_node(&b, "MatMul", mi, 2, &m, 1);
    gb_node(&b, "Add", ai, 2, &out, 1);
    int a3t = gb_in(&b, "a3", 3, a3), m3 = gb_t(&b, "m3", 3, o3d), out3 = gb_t(&b, "out3", 3, o3d);
    int mi3[2] = {a3t, w}, ai3[2] = {m3, bias};
    gb_node(&b, "MatMul", mi3, 2, &m3, 1);
    gb_node(&b, "Add", ai3, 2, &out3, 1);
    /* an Add with the pre-opset-7 broadcast attributes stays too */
    int a6 = gb_in(&b, "a6", 2, ad), m6 = gb_t(&b, "m6", 2, od), out6 = gb_t(&b, "out6", 2, od);
    int mi6[2] = {a6, w}, ai6[2] = {m6, bias};
    gb_node(&b, "MatMul", mi6, 2, &m6, 1);
    gb_attr_i(&b, gb_node(&b, "Add", ai6, 2, &out6, 1), "broadcast", 1);
    gb_out(&b, out);
    gb_out(&b, out3);
    gb_out(&b, out6);
    tern_pass_report r;
    int have_gemm = tern_op_find("Gemm", "") != NULL;
    if (!have_gemm) {
        th_skip(t, name, "no Gemm op yet");
    } else if (run_pass(t, &b, tern_pass_matmul_add, &r, name)) {
        const tern_node *gm = first_op(&b.g, "Gemm");
        th_check(t, r.changes == 1 && gm && gm->n_inputs == 3 && gm->outputs[0] == out &&
                        count_op(&b.g, "MatMul") == 2 && count_op(&b.g, "Add") == 2,
                 name, "changes %d detail '%s'", r.changes, r.detail);
    }
    tern_graph_free(&b.g);
}

/* ---- end to end: compile with and without the passes, run, compare ---- */

/* The op types a graph uses that the registry does not have yet. */
static const char *missing_op(const tern_graph *g) {
    for (int i = 0; i < g->n_nodes; i++)
        if (!tern_op_find(g->nodes[i].op_type, g->nodes[i].domain)) return g->nodes[i].op_type;
    return NULL;
}

/* Logical element i of a tensor in any layout, as an offset in elements. */
static int64_t phys_index(const tern_tensor *x, int64_t i) {
    int64_t st[TERN_MAX_RANK], off = 0;
    int r = tern_tensor_strides(x, st);
    for (int d = r - 1; d >= 0; d--) {
        off += (i % x->dims[d]) * st[d];
        i /= x->dims[d];
    }
    return off;
}

typedef struct outputs {
    int n;
    float *v[8];
    int64_t len[8];
} outputs;

static void outputs_free(outputs *o) {
    for (int k = 0; k < o->n; k++) free(o->v[k]);
    o->n = 0;
}

/* Compile g with flags, fill each float input with the same random values,
 * execute, copy the outputs out in logical order. */
static int compile_run(th_ctx *t, const char *name, const tern_graph *g, unsigned flags,
                       tern_compiled *c, outputs *o) {
    tern_err err = {{0}};
    memset(o, 0, sizeof *o);
    if (tern_compile(g, 1, flags, c, &err) != TERN_OK) {
        th_fail(t, name, "compile%s: %s", flags ? " (no fuse)" : "", err.msg);
        return 0;
    }
    size_t sz = (c->arena_size + 63) & ~(size_t)63;
    unsigned char *arena = aligned_alloc(64, sz ? sz : 64);
    uint32_t seed = 777u;
    for (int k = 0; k < c->g.n_inputs; k++) {
        const tern_tensor *x = &c->g.tensors[c->g.inputs[k]];
        float *dst = (float *)(void *)(arena + x->offset);
        int64_t n = tern_tensor_numel(x);
        for (int64_t i = 0; i < n; i++) dst[phys_index(x, i)] = gb_rand(&seed, -2, 2);
    }
    int ok = tern_execute(c, arena, &err) == TERN_OK;
    if (!ok) th_fail(t, name, "execute%s: %s", flags ? " (no fuse)" : "", err.msg);
    for (int k = 0; ok && k < c->g.n_outputs && k < 8; k++) {
        const tern_tensor *x = &c->g.tensors[c->g.outputs[k]];
        const float *src = (const float *)(const void *)(arena + x->offset);
        int64_t n = tern_tensor_numel(x);
        o->v[k] = malloc(sizeof(float) * (size_t)(n + 1));
        o->len[k] = n;
        o->n = k + 1;
        for (int64_t i = 0; i < n; i++) o->v[k][i] = src[phys_index(x, i)];
    }
    free(arena);
    if (!ok) {
        outputs_free(o);
        tern_compiled_free(c);
    }
    return ok;
}

/* Outputs agree within 1e-5 relative to each output's largest magnitude. */
static int outputs_match(th_ctx *t, const char *name, const outputs *a, const outputs *b) {
    if (a->n != b->n) {
        th_fail(t, name, "%d outputs vs %d", a->n, b->n);
        return 0;
    }
    for (int k = 0; k < a->n; k++) {
        if (a->len[k] != b->len[k]) {
            th_fail(t, name, "output %d: %lld vs %lld elements", k, (long long)a->len[k],
                    (long long)b->len[k]);
            return 0;
        }
        double scale = 1e-3, worst = 0;
        for (int64_t i = 0; i < a->len[k]; i++) scale = fmax(scale, fabs(b->v[k][i]));
        for (int64_t i = 0; i < a->len[k]; i++)
            worst = fmax(worst, fabs((double)a->v[k][i] - b->v[k][i]) / scale);
        if (!(worst <= 1e-5)) {
            th_fail(t, name, "output %d differs: max error %g relative to max |y| %g", k, worst,
                    scale);
            return 0;
        }
    }
    return 1;
}

/* Runs the graph fused and plain and compares; on success *fused is the
 * rewritten graph for structure checks (the caller frees it, then the
 * builder: the compiled graph shares its names and constants). Reports a
 * skip or failure itself and returns 0 otherwise. */
static int fused_matches_plain(th_ctx *t, const char *name, gb *b, tern_compiled *fused) {
    tern_err err = {{0}};
    const char *miss = missing_op(&b->g);
    if (miss) {
        char why[96];
        snprintf(why, sizeof why, "op %s not in the registry yet", miss);
        th_skip(t, name, why);
        return 0;
    }
    if (tern_graph_toposort(&b->g, &err) != TERN_OK) {
        th_fail(t, name, "toposort: %s", err.msg);
        return 0;
    }
    tern_compiled plain;
    outputs op, of;
    int ok = compile_run(t, name, &b->g, TERN_COMPILE_NO_FUSE, &plain, &op);
    if (ok) {
        tern_compiled_free(&plain);
        ok = compile_run(t, name, &b->g, 0, fused, &of);
        if (ok) {
            ok = outputs_match(t, name, &of, &op);
            outputs_free(&of);
            if (!ok) tern_compiled_free(fused);
        }
        outputs_free(&op);
    }
    return ok;
}

/* Name of graph output k of a compiled graph. */
static const char *out_name(const tern_compiled *c, int k) {
    return c->g.tensors[c->g.outputs[k]].name;
}

/* Conv -> BN(eps) [-> Relu] -> output, optionally depthwise and without
 * bias; the BN output (or the Relu's) is the graph output. */
static void e2e_conv_bn(th_ctx *t, const char *name, int bias, int group, float eps, int relu) {
    gb b;
    gb_init(&b, 13);
    int64_t xd[4] = {1, 4, 6, 5}, od[4] = {1, group == 1 ? 6 : 4, 6, 5};
    int x = gb_in(&b, "x", 4, xd), y = gb_t(&b, "y", -1, NULL), z = gb_t(&b, "z", -1, NULL);
    gb_conv(&b, x, y, 4, od[1], 3, group, bias);
    gb_bn(&b, y, z, od[1], eps);
    int out = z;
    if (relu) {
        out = gb_t(&b, "r", -1, NULL);
        gb_unary(&b, "Relu", z, out);
    }
    gb_out(&b, out);
    tern_compiled c;
    if (!fused_matches_plain(t, name, &b, &c)) {
        tern_graph_free(&b.g);
        return;
    }
    th_check(t, count_op(&c.g, "BatchNormalization") == 0 && count_op(&c.g, "Conv") == 1 &&
                    count_op(&c.g, "Relu") == 0 &&
                    act_of(&c.g, "Conv") == (relu ? TERN_ACT_RELU : TERN_ACT_NONE) &&
                    strcmp(out_name(&c, 0), relu ? "r" : "z") == 0,
             name, "BN %d, Conv %d, act %d, output '%s'", count_op(&c.g, "BatchNormalization"),
             count_op(&c.g, "Conv"), act_of(&c.g, "Conv"), out_name(&c, 0));
    tern_compiled_free(&c);
    tern_graph_free(&b.g);
}

/* Conv1d [N,C,L] -> BN (rank-3 input). */
static void e2e_conv1d_bn(th_ctx *t) {
    const char *name = "e2e fold BN into Conv1d (rank 3)";
    gb b;
    gb_init(&b, 13);
    int64_t xd[3] = {1, 3, 9}, wd[3] = {5, 3, 3}, pads[2] = {1, 1};
    int x = gb_in(&b, "x", 3, xd), y = gb_t(&b, "y", -1, NULL), z = gb_t(&b, "z", -1, NULL);
    int ci[2] = {x, gb_rconst(&b, "w", 3, wd, -1, 1)};
    gb_attr_ints(&b, gb_node(&b, "Conv", ci, 2, &y, 1), "pads", pads, 2);
    gb_bn(&b, y, z, 5, 1e-3f);
    gb_out(&b, z);
    tern_compiled c;
    if (!fused_matches_plain(t, name, &b, &c)) {
        tern_graph_free(&b.g);
        return;
    }
    th_check(t, count_op(&c.g, "BatchNormalization") == 0, name, "BN left");
    tern_compiled_free(&c);
    tern_graph_free(&b.g);
}

/* Gemm -> BN over [M,N]. c_rows: 0 no C, 1 C [N], 3 C [M,N]; transB with
 * alpha 1.25 and beta 0.5, or the defaults. */
static void e2e_gemm_bn(th_ctx *t, int c_rows, int transb) {
    char name[120];
    snprintf(name, sizeof name, "e2e fold BN into Gemm (C rows %d, transB %d)", c_rows, transb);
    gb b;
    gb_init(&b, 13);
    int64_t ad[2] = {3, 7}, wd[2] = {transb ? 5 : 7, transb ? 7 : 5};
    int64_t cd[2] = {c_rows, 5};
    int a = gb_in(&b, "a", 2, ad), y = gb_t(&b, "y", -1, NULL), z = gb_t(&b, "z", -1, NULL);
    int gi[3] = {a, gb_rconst(&b, "w", 2, wd, -1, 1), -1};
    if (c_rows == 1) gi[2] = gb_rconst(&b, "c", 1, &cd[1], -1, 1);
    if (c_rows > 1) gi[2] = gb_rconst(&b, "c", 2, cd, -1, 1);
    int gn = gb_node(&b, "Gemm", gi, c_rows ? 3 : 2, &y, 1);
    if (transb) {
        gb_attr_i(&b, gn, "transB", 1);
        gb_attr_f(&b, gn, "beta", 0.5f);
        gb_attr_f(&b, gn, "alpha", 1.25f);
    }
    gb_bn(&b, y, z, 5, 1e-3f);
    gb_out(&b, z);
    tern_compiled c;
    if (!fused_matches_plain(t, name, &b, &c)) {
        tern_graph_free(&b.g);
        return;
    }
    th_check(t, count_op(&c.g, "BatchNormalization") == 0 && count_op(&c.g, "Gemm") == 1, name,
             "BN %d", count_op(&c.g, "BatchNormalization"));
    tern_compiled_free(&c);
    tern_graph_free(&b.g);
}

/* Kinds of activation tail for e2e_act. */
enum tail {
    T_RELU, T_CLIP_ATTR, T_CLIP_IN, T_CLIP_MIN_ONLY, T_HARDSIGMOID, T_HARDSWISH_OP,
    T_HS_MUL_YH, T_HS_MUL_HY, T_SILU_YS, T_SILU_SY, T_SIGMOID, T_TANH, T_LEAKY, T_N
};

static const struct {
    const char *name;
    int opset;
    int act;
} TAIL[T_N] = {
    [T_RELU] = {"Relu", 13, TERN_ACT_RELU},
    [T_CLIP_ATTR] = {"Clip attrs (opset 6)", 6, TERN_ACT_CLIP},
    [T_CLIP_IN] = {"Clip inputs (opset 13)", 13, TERN_ACT_CLIP},
    [T_CLIP_MIN_ONLY] = {"Clip min only", 13, TERN_ACT_CLIP},
    [T_HARDSIGMOID] = {"HardSigmoid", 13, TERN_ACT_HARDSIGMOID},
    [T_HARDSWISH_OP] = {"HardSwish op", 14, TERN_ACT_HARDSWISH},
    [T_HS_MUL_YH] = {"Mul(y, HardSigmoid(y))", 13, TERN_ACT_HARDSWISH},
    [T_HS_MUL_HY] = {"Mul(HardSigmoid(y), y)", 13, TERN_ACT_HARDSWISH},
    [T_SILU_YS] = {"Mul(y, Sigmoid(y))", 13, TERN_ACT_SILU},
    [T_SILU_SY] = {"Mul(Sigmoid(y), y)", 13, TERN_ACT_SILU},
    [T_SIGMOID] = {"Sigmoid", 13, TERN_ACT_SIGMOID},
    [T_TANH] = {"Tanh", 13, TERN_ACT_TANH},
    [T_LEAKY] = {"LeakyRelu", 13, TERN_ACT_LEAKYRELU},
};

/* Appends activation `tail` reading y and writing z. */
static void add_tail(gb *b, int tail, int y, int z) {
    int h, n, mi[2];
    switch (tail) {
    case T_RELU: gb_unary(b, "Relu", y, z); break;
    case T_CLIP_ATTR:
        n = gb_unary(b, "Clip", y, z);
        gb_attr_f(b, n, "min", -0.25f);
        gb_attr_f(b, n, "max", 0.5f);
        break;
    case T_CLIP_IN:
    case T_CLIP_MIN_ONLY: {
        int ci[3] = {y, gb_scalar(b, "lo", -0.25f), gb_scalar(b, "hi", 0.5f)};
        gb_node(b, "Clip", ci, tail == T_CLIP_IN ? 3 : 2, &z, 1);
        break;
    }
    case T_HARDSIGMOID:
        n = gb_unary(b, "HardSigmoid", y, z);
        gb_attr_f(b, n, "alpha", 0.3f);
        gb_attr_f(b, n, "beta", 0.4f);
        break;
    case T_HARDSWISH_OP: gb_unary(b, "HardSwish", y, z); break;
    case T_HS_MUL_YH:
    case T_HS_MUL_HY:
    case T_SILU_YS:
    case T_SILU_SY: {
        int hs = tail == T_HS_MUL_YH || tail == T_HS_MUL_HY;
        h = gb_t(b, "h", -1, NULL);
        n = gb_unary(b, hs ? "HardSigmoid" : "Sigmoid", y, h);
        if (hs) {
            gb_attr_f(b, n, "alpha", 1.0f / 6.0f);
        }
        int yfirst = tail == T_HS_MUL_YH || tail == T_SILU_YS;
        mi[0] = yfirst ? y : h;
        mi[1] = yfirst ? h : y;
        gb_node(b, "Mul", mi, 2, &z, 1);
        break;
    }
    case T_SIGMOID: gb_unary(b, "Sigmoid", y, z); break;
    case T_TANH: gb_unary(b, "Tanh", y, z); break;
    case T_LEAKY:
        n = gb_unary(b, "LeakyRelu", y, z);
        gb_attr_f(b, n, "alpha", 0.2f);
        break;
    }
}

/* x -> Conv (or Gemm) -> tail -> z (graph output): one node left with the
 * expected act, still writing z, and the same numbers. */
static void e2e_act(th_ctx *t, int tail, int gemm) {
    char name[120];
    snprintf(name, sizeof name, "e2e fuse %s into %s", TAIL[tail].name, gemm ? "Gemm" : "Conv");
    gb b;
    gb_init(&b, TAIL[tail].opset);
    int64_t xd[4] = {1, 3, 5, 6}, ad[2] = {4, 6}, wd[2] = {6, 5};
    int x = gemm ? gb_in(&b, "x", 2, ad) : gb_in(&b, "x", 4, xd);
    int y = gb_t(&b, "y", -1, NULL), z = gb_t(&b, "z", -1, NULL);
    if (gemm) {
        int gi[2] = {x, gb_rconst(&b, "w", 2, wd, -1, 1)};
        gb_node(&b, "Gemm", gi, 2, &y, 1);
    } else {
        gb_conv(&b, x, y, 3, 4, 3, 1, 1);
    }
    add_tail(&b, tail, y, z);
    gb_out(&b, z);
    const char *op = gemm ? "Gemm" : "Conv";
    tern_compiled c;
    if (!fused_matches_plain(t, name, &b, &c)) {
        tern_graph_free(&b.g);
        return;
    }
    static const char *const tail_ops[] = {"Relu", "Clip", "HardSigmoid", "HardSwish", "Mul",
                                           "Sigmoid", "Tanh", "LeakyRelu"};
    int left = 0;
    for (size_t k = 0; k < sizeof tail_ops / sizeof tail_ops[0]; k++)
        left += count_op(&c.g, tail_ops[k]);
    th_check(t, act_of(&c.g, op) == TAIL[tail].act && left == 0 && count_op(&c.g, op) == 1 &&
                    strcmp(out_name(&c, 0), "z") == 0,
             name, "act %d (want %d), %d activation nodes left, output '%s'", act_of(&c.g, op),
             TAIL[tail].act, left, out_name(&c, 0));
    tern_compiled_free(&c);
    tern_graph_free(&b.g);
}

/* Conv output read by HardSigmoid, the Mul and also a graph output / an
 * Add: nothing may fuse, and the numbers still agree. */
static void e2e_no_fuse(th_ctx *t, int as_output) {
    const char *name = as_output ? "e2e no fusion: conv output is a graph output"
                                 : "e2e no fusion: conv output has a third reader";
    gb b;
    gb_init(&b, 13);
    int64_t xd[4] = {1, 3, 5, 6};
    int x = gb_in(&b, "x", 4, xd), y = gb_t(&b, "y", -1, NULL), z = gb_t(&b, "z", -1, NULL);
    gb_conv(&b, x, y, 3, 4, 3, 1, 1);
    add_tail(&b, T_HS_MUL_YH, y, z);
    gb_out(&b, z);
    if (as_output) {
        gb_out(&b, y);
    } else {
        int s = gb_t(&b, "s", -1, NULL), ai[2] = {y, z};
        gb_node(&b, "Add", ai, 2, &s, 1);
        gb_out(&b, s);
    }
    tern_compiled c;
    if (!fused_matches_plain(t, name, &b, &c)) {
        tern_graph_free(&b.g);
        return;
    }
    th_check(t, act_of(&c.g, "Conv") == TERN_ACT_NONE && count_op(&c.g, "HardSigmoid") == 1 &&
                    count_op(&c.g, "Mul") == 1,
             name, "act %d", act_of(&c.g, "Conv"));
    tern_compiled_free(&c);
    tern_graph_free(&b.g);
}

/* NCHW -> NHWC -> NCHW around a Relu; and a pair that does not cancel. */
static void e2e_transposes(th_ctx *t, int cancel) {
    const char *name = cancel ? "e2e Transpose pair cancels" : "e2e Transpose pair kept";
    gb b;
    gb_init(&b, 13);
    int64_t xd[4] = {1, 3, 4, 5}, p1[4] = {0, 2, 3, 1}, p2[4] = {0, 3, 1, 2};
    int x = gb_in(&b, "x", 4, xd), y = gb_t(&b, "y", -1, NULL), m = gb_t(&b, "m", -1, NULL);
    int z = gb_t(&b, "z", -1, NULL), r = gb_t(&b, "r", -1, NULL);
    gb_conv(&b, x, y, 3, 3, 1, 1, 1);
    gb_attr_ints(&b, gb_unary(&b, "Transpose", y, m), "perm", p1, 4);
    gb_attr_ints(&b, gb_unary(&b, "Transpose", m, z), "perm", cancel ? p2 : p1, 4);
    gb_unary(&b, "Relu", z, r);
    gb_out(&b, r);
    tern_compiled c;
    if (!fused_matches_plain(t, name, &b, &c)) {
        tern_graph_free(&b.g);
        return;
    }
    th_check(t, count_op(&c.g, "Transpose") == (cancel ? 0 : 2), name, "%d Transposes left",
             count_op(&c.g, "Transpose"));
    tern_compiled_free(&c);
    tern_graph_free(&b.g);
}

/* MatMul + Add -> Gemm, then Relu fused into it; Identity removed. */
static void e2e_matmul_add(th_ctx *t) {
    const char *name = "e2e MatMul+Add+Relu -> Gemm(relu), Identity removed";
    gb b;
    gb_init(&b, 13);
    int64_t ad[2] = {3, 8}, wd[2] = {8, 5}, bd[2] = {1, 5};
    int a = gb_in(&b, "a", 2, ad), m = gb_t(&b, "m", -1, NULL), s = gb_t(&b, "s", -1, NULL);
    int i = gb_t(&b, "i", -1, NULL), r = gb_t(&b, "r", -1, NULL);
    int mi[2] = {a, gb_rconst(&b, "w", 2, wd, -1, 1)};
    gb_node(&b, "MatMul", mi, 2, &m, 1);
    int ai[2] = {gb_rconst(&b, "bias", 2, bd, -1, 1), m};
    gb_node(&b, "Add", ai, 2, &s, 1);
    gb_unary(&b, "Identity", s, i);
    gb_unary(&b, "Relu", i, r);
    gb_out(&b, r);
    tern_compiled c;
    if (!fused_matches_plain(t, name, &b, &c)) {
        tern_graph_free(&b.g);
        return;
    }
    th_check(t, count_op(&c.g, "Gemm") == 1 && count_op(&c.g, "MatMul") == 0 &&
                    count_op(&c.g, "Add") == 0 && count_op(&c.g, "Identity") == 0 &&
                    act_of(&c.g, "Gemm") == TERN_ACT_RELU && strcmp(out_name(&c, 0), "r") == 0,
             name, "Gemm %d MatMul %d Add %d act %d", count_op(&c.g, "Gemm"),
             count_op(&c.g, "MatMul"), count_op(&c.g, "Add"), act_of(&c.g, "Gemm"));
    tern_compiled_free(&c);
    tern_graph_free(&b.g);
}

TH_SUITE(suite_passes) {
    unit_hardswish(t, 0);
    unit_hardswish(t, 1);
    unit_no_fuse(t);
    unit_clip(t, 6);
    unit_clip(t, 13);
    unit_clip_dynamic(t);
    unit_bn_values(t, 1);
    unit_bn_values(t, 0);
    unit_bn_no_fold(t);
    unit_identity(t);
    unit_transposes(t);
    unit_matmul_add(t);

    e2e_conv_bn(t, "e2e fold BN eps 1e-3 + Relu", 1, 1, 1e-3f, 1);
    e2e_conv_bn(t, "e2e fold BN into Conv without bias, BN output is the graph output", 0, 1,
                1e-3f, 0);
    e2e_conv_bn(t, "e2e fold BN (default eps) into depthwise Conv", 1, 4, -1, 0);
    e2e_conv1d_bn(t);
    e2e_gemm_bn(t, 1, 1);
    e2e_gemm_bn(t, 0, 0);
    e2e_gemm_bn(t, 3, 1);
    for (int k = 0; k < T_N; k++) e2e_act(t, k, 0);
    e2e_act(t, T_RELU, 1);
    e2e_act(t, T_CLIP_IN, 1);
    e2e_no_fuse(t, 0);
    e2e_no_fuse(t, 1);
    e2e_transposes(t, 1);
    e2e_transposes(t, 0);
    e2e_matmul_add(t);
}
