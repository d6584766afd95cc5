/* The compile pipeline: clone the model's graph, bind the batch size, infer
 * shapes and fold constants, rewrite, assign layouts, plan memory. */
#include <stdlib.h>
#include <string.h>

#include "graph/budget.h"
#include "graph/compile.h"
#include "graph/op.h"
#include "graph/planner.h"

/* Dynamic dims of graph inputs: the first (batch) takes the session's batch;
 * any other dynamic dim is an error, since every kernel needs static shapes. */
static tern_status bind_inputs(tern_graph *g, int batch, tern_err *err) {
    for (int k = 0; k < g->n_inputs; k++) {
        tern_tensor *t = &g->tensors[g->inputs[k]];
        if (t->rank < 0)
            return tern_errf(err, TERN_ERR_UNSUPPORTED, "graph input '%s' has no shape in the model",
                             t->name);
        if (tern_dtype_size(t->dtype) == 0)
            return tern_errf(err, TERN_ERR_UNSUPPORTED, "graph input '%s' has unsupported type %s",
                             t->name, tern_dtype_name(t->dtype));
        for (int d = 0; d < t->rank; d++) {
            if (t->dims[d] >= 0) continue;
            if (d != 0)
                return tern_errf(err, TERN_ERR_UNSUPPORTED,
                                 "graph input '%s': dim %d ('%s') is dynamic; only the batch "
                                 "(first) dim may be",
                                 t->name, d, t->dim_param[d] ? t->dim_param[d] : "?");
            t->dims[d] = batch;
        }
        if (tern_tensor_numel(t) < 0 || (tern_tensor_bytes(t) == 0 && tern_tensor_numel(t) > 0))
            return tern_errf(err, TERN_ERR_SHAPE,
                             "graph input '%s' is too large (over %zu bytes, the most one tensor "
                             "may hold)", t->name, (size_t)TERN_MAX_TENSOR_BYTES);
    }
    return TERN_OK;
}

/* Turn the named graph inputs into constants holding the caller's data. */
static tern_status bind_constants(tern_graph *g, const tern_binding *b, int nb, tern_err *err) {
    for (int i = 0; i < nb; i++) {
        int k = 0;
        while (k < g->n_inputs && (!b[i].name || strcmp(g->tensors[g->inputs[k]].name, b[i].name)))
            k++;
        if (k == g->n_inputs)
            return tern_errf(err, TERN_ERR_INVALID_ARG, "constant binding: no graph input '%s'",
                             b[i].name ? b[i].name : "(null)");
        tern_tensor *t = &g->tensors[g->inputs[k]];
        size_t need = tern_tensor_bytes(t);
        if (tern_tensor_numel(t) < 0 || !b[i].data || b[i].bytes != need)
            return tern_errf(err, TERN_ERR_INVALID_ARG,
                             "constant binding '%s': %zu bytes given, the input takes %zu",
                             t->name, b[i].bytes, need);
        tern_status st = tern_budget_charge(g, &g->const_bytes, need, err);
        if (st != TERN_OK) return st;
        void *copy = tern_pool_alloc(&g->pool, need ? need : 1);
        if (!copy) return tern_errf(err, TERN_ERR_NOMEM, "out of memory binding constants");
        memcpy(copy, b[i].data, need);
        t->data = copy;
        t->is_input = 0;
        memmove(&g->inputs[k], &g->inputs[k + 1], sizeof(int) * (size_t)(g->n_inputs - k - 1));
        g->n_inputs--;
    }
    return TERN_OK;
}

typedef tern_status (*pass_fn)(tern_graph *, tern_pass_report *, tern_err *);

static tern_status run_pass(tern_compiled *c, pass_fn fn, tern_err *err) {
    if (c->n_reports >= TERN_MAX_REPORTS)
        return tern_errf(err, TERN_ERR_INVALID_ARG, "too many passes");
    tern_pass_report *r = &c->reports[c->n_reports++];
    memset(r, 0, sizeof *r);
    r->nodes_before = c->g.n_nodes;
    tern_status st = fn(&c->g, r, err);
    if (st != TERN_OK) return st;
    tern_graph_compact(&c->g);
    r->nodes_after = c->g.n_nodes;
    /* constants a rewrite added (tern_add_const) count from here on */
    st = tern_budget_check(&c->g, 0, 0, err);
    if (st != TERN_OK) tern_err_prefix(err, "after pass %s", r->name ? r->name : "?");
    return st;
}

/* Graph outputs need shapes, and nodes after the passes must all be live. */
static tern_status check_outputs(const tern_graph *g, tern_err *err) {
    for (int k = 0; k < g->n_outputs; k++) {
        const tern_tensor *t = &g->tensors[g->outputs[k]];
        if (t->rank < 0 || tern_tensor_numel(t) < 0)
            return tern_errf(err, TERN_ERR_SHAPE, "graph output '%s' has no known shape", t->name);
    }
    return TERN_OK;
}

/* Pairs of live tensors the plan check compares at most (graph/planner.h):
 * networks need a few per tensor; beyond this the plan goes unchecked. */
#define PLAN_VERIFY_MAX ((size_t)1 << 22)

static tern_status plan(tern_compiled *c, tern_err *err) {
    tern_plan_stats ps;
    tern_status st = tern_plan_memory(&c->g, &ps, err);
    if (st != TERN_OK) return st;
    c->arena_size = ps.arena_size;
    c->peak_bytes = ps.peak_bytes;
    c->sum_bytes = ps.sum_bytes;
    c->plan_first_fit = ps.first_fit;
    st = tern_plan_verify(&c->g, c->arena_size, PLAN_VERIFY_MAX, &c->plan_verified, err);
    if (st != TERN_OK) return st;
    return tern_budget_check(&c->g, c->arena_size, 1, err);
}

tern_status tern_compile(const tern_graph *model, int batch, unsigned flags, tern_compiled *c,
                         tern_err *err) {
    return tern_compile_bound(model, batch, flags, NULL, 0, c, err);
}

tern_status tern_compile_bound(const tern_graph *model, int batch, unsigned flags,
                               const tern_binding *constants, int n_constants, tern_compiled *c,
                               tern_err *err) {
    tern_compile_opts o = {batch, flags, constants, n_constants, 0};
    return tern_compile_with(model, &o, c, err);
}

tern_status tern_compile_with(const tern_graph *model, const tern_compile_opts *o,
                              tern_compiled *c, tern_err *err) {
    memset(c, 0, sizeof *c);
    int batch = o->batch > 0 ? o->batch : 1;
    tern_status st = tern_graph_clone(&c->g, model, err);
    if (st != TERN_OK) return st;
    c->g.max_memory = o->max_memory == SIZE_MAX ? 0
                      : o->max_memory            ? o->max_memory
                                                 : TERN_DEFAULT_MAX_MEMORY;
    st = bind_inputs(&c->g, batch, err);
    if (st == TERN_OK) st = bind_constants(&c->g, o->constants, o->n_constants, err);
    if (st == TERN_OK) st = run_pass(c, tern_pass_infer_fold, err);
    if (!(o->flags & TERN_COMPILE_NO_FUSE)) {
        static const pass_fn rewrites[] = {tern_pass_remove_identity, tern_pass_matmul_add,
                                           tern_pass_fold_batchnorm, tern_pass_cancel_transposes,
                                           tern_pass_fuse_activation};
        for (size_t i = 0; st == TERN_OK && i < sizeof rewrites / sizeof rewrites[0]; i++)
            st = run_pass(c, rewrites[i], err);
    }
    if (st == TERN_OK) st = run_pass(c, tern_pass_layout, err);
    if (st == TERN_OK) st = check_outputs(&c->g, err);
    if (st == TERN_OK) st = plan(c, err);
    if (st != TERN_OK) tern_compiled_free(c);
    return st;
}

void tern_compiled_free(tern_compiled *c) {
    tern_graph_free(&c->g);
    memset(c, 0, sizeof *c);
}
