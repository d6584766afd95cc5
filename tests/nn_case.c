/* The one-node graph harness of the kernel tests; see tests/nn_case.h. */
#include "tests/nn_case.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tc_init(tcase *c, int64_t opset) {
    memset(c, 0, sizeof *c);
    tern_graph_init(&c->g);
    c->g.opset = opset;
    c->node = -1;
}

void tc_free(tcase *c) {
    tern_graph_free(&c->g);
}

/* A float tensor; data (plain, logical order) makes it a constant. */
int tc_tensor(tcase *c, const char *name, int rank, const int64_t *dims, const void *data) {
    int i = tern_graph_add_tensor(&c->g, name);
    tern_tensor *t = &c->g.tensors[i];
    t->dtype = TERN_FLOAT;
    t->rank = rank;
    for (int k = 0; k < rank; k++) t->dims[k] = dims[k];
    t->data = data;
    t->is_input = data == NULL;
    return i;
}

/* The node, with inputs ins (-1: absent) and nout fresh outputs. */
tern_node *tc_node(tcase *c, const char *op, const int *ins, int nin, int nout) {
    c->node = tern_graph_add_node(&c->g, op, "", "n", nin, nout);
    for (int i = 0; i < nout; i++) {
        char name[16];
        snprintf(name, sizeof name, "y%d", i);
        int t = tern_graph_add_tensor(&c->g, name);
        c->g.nodes[c->node].outputs[i] = t;
    }
    tern_node *n = &c->g.nodes[c->node];
    for (int i = 0; i < nin; i++) n->inputs[i] = ins[i];
    n->attrs = c->attrs;
    return n;
}

tern_node *tc_n(tcase *c) {
    return &c->g.nodes[c->node];
}

tern_attr *tc_attr(tcase *c, const char *name, int type) {
    tern_node *n = tc_n(c);
    tern_attr *a = &c->attrs[n->n_attrs++];
    memset(a, 0, sizeof *a);
    a->name = name;
    a->type = type;
    return a;
}

void tc_ints(tcase *c, const char *name, const int64_t *v, int count) {
    int64_t *copy = tern_pool_alloc_array(&c->g.pool, (size_t)count + 1, sizeof(int64_t));
    memcpy(copy, v, sizeof(int64_t) * (size_t)count);
    tern_attr *a = tc_attr(c, name, TERN_ATTR_INTS);
    a->ints = copy;
    a->count = (size_t)count;
}

void tc_int(tcase *c, const char *name, int64_t v) {
    tc_attr(c, name, TERN_ATTR_INT)->i = v;
}

void tc_float(tcase *c, const char *name, float v) {
    tc_attr(c, name, TERN_ATTR_FLOAT)->f = v;
}

void tc_str(tcase *c, const char *name, const char *v) {
    tc_attr(c, name, TERN_ATTR_STRING)->s = v;
}

tern_status tc_infer(tcase *c) {
    tern_node *n = tc_n(c);
    const tern_op *op = tern_op_find(n->op_type, "");
    if (!op) return tern_errf(&c->err, TERN_ERR_UNSUPPORTED, "no op %s", n->op_type);
    n->op = op;
    return op->infer(&c->g, n, &c->err);
}

tern_tensor *tc_out(tcase *c, int i) {
    return &c->g.tensors[tc_n(c)->outputs[i]];
}

/* Element offset of logical index e (row-major) of t in its layout. */
int64_t phys_offset(const tern_tensor *t, int64_t e) {
    int64_t st[TERN_MAX_RANK], off = 0;
    tern_tensor_strides(t, st);
    for (int i = t->rank - 1; i >= 0; i--) {
        off += (e % t->dims[i]) * st[i];
        e /= t->dims[i];
    }
    return off;
}

/* Run the node: logical input data in[i] (ignored for constants) is laid
 * out as each tensor's layout says; output 0 is read back in logical order
 * into a malloc'ed buffer (*out). Returns the run status. */
tern_status tc_run(tcase *c, const float *const *in, float **out) {
    tern_node *n = tc_n(c);
    const void *ins[8] = {0};
    float *bufs[8] = {0};
    for (int i = 0; i < n->n_inputs && i < 8; i++) {
        const tern_tensor *t = tern_in(&c->g, n, i);
        if (!t) continue;
        if (t->data) {
            ins[i] = t->data;
            continue;
        }
        int64_t ne = tern_tensor_numel(t);
        bufs[i] = malloc(sizeof(float) * (size_t)(ne + 1));
        for (int64_t e = 0; e < ne; e++) bufs[i][phys_offset(t, e)] = in[i][e];
        ins[i] = bufs[i];
    }
    const tern_tensor *y = tc_out(c, 0);
    int64_t ne = tern_tensor_numel(y);
    float *ybuf = malloc(sizeof(float) * (size_t)(ne + 1));
    for (int64_t e = 0; e < ne; e++) ybuf[e] = NAN; /* unwritten outputs show */
    void *outs[2] = {ybuf, NULL};
    tern_status st = n->op->run(&c->g, n, ins, outs, &c->err);
    *out = malloc(sizeof(float) * (size_t)(ne + 1));
    for (int64_t e = 0; e < ne; e++) (*out)[e] = ybuf[phys_offset(y, e)];
    free(ybuf);
    for (int i = 0; i < 8; i++) free(bufs[i]);
    return st;
}

/* ---- data and comparison ------------------------------------------------ */

static uint32_t rng_state = 12345; /* reset per suite: tc_seed */

void tc_seed(uint32_t s) {
    rng_state = s;
}

float frand(void) {
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xffff) / 32768.0f - 1.0f;
}

float *rand_buf(int64_t n) {
    float *p = malloc(sizeof(float) * (size_t)(n + 1));
    for (int64_t i = 0; i < n; i++) p[i] = frand();
    return p;
}

/* Largest error relative to 1 + |expected|; sets *where. */
double max_err(const float *got, const double *want, int64_t n, int64_t *where) {
    double worst = 0;
    *where = 0;
    for (int64_t i = 0; i < n; i++) {
        double e = fabs((double)got[i] - want[i]) / (1.0 + fabs(want[i]));
        if (!(e <= worst)) { /* NaN counts as the worst */
            worst = isnan(e) ? INFINITY : e;
            *where = i;
        }
    }
    return worst;
}


int check_close(th_ctx *t, const char *name, const float *got, const double *want,
                       int64_t n) {
    int64_t at;
    double e = max_err(got, want, n, &at);
    return th_check(t, e <= TOL, name, "element %lld: got %.8g, want %.8g (err %.3g)",
                    (long long)at, n ? (double)got[at] : 0.0, n ? want[at] : 0.0, e);
}

const char *layout_name(int l) {
    return l == TERN_LAYOUT_CHANNELS_LAST ? "cl" : "plain";
}
