/* The compile pipeline: clone the model's graph, bind input shapes, infer
 * shapes and fold constants, rewrite, assign layouts, plan memory. */
#include <stdlib.h>
#include <string.h>

#include "graph/bind.h"
#include "graph/budget.h"
#include "graph/compile.h"
#include "graph/op.h"
#include "graph/planner.h"

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

tern_status tern_isa_select(const char *name, tern_isa *isa, tern_err *err) {
    tern_cpu cpu;
    tern_cpu_detect(&cpu);
    const char *from = "the isa option";
    if (!name || !name[0]) {
        name = getenv("TERN_ISA");
        from = "TERN_ISA";
    }
    if (!name || !name[0]) {
        *isa = tern_isa_best(&cpu);
        return TERN_OK;
    }
    char have[128] = "";
    for (int i = 0; i < TERN_ISA_COUNT; i++)
        if (tern_cpu_has(&cpu, (tern_isa)i) && strlen(have) + 16 < sizeof have) {
            strcat(have, have[0] ? " " : "");
            strcat(have, tern_isa_name((tern_isa)i));
        }
    if (tern_isa_parse(name, isa) != 0)
        return tern_errf(err, TERN_ERR_INVALID_ARG,
                         "%s=%.32s: unknown ISA (known: ref avx2 avx512 avx512vnni avxvnni amx "
                         "neon neondot neoni8mm; this CPU runs: %s)",
                         from, name, have);
    if (!tern_cpu_has(&cpu, *isa))
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "%s=%s: this CPU cannot run it (it runs: %s)",
                         from, name, have);
    return TERN_OK;
}

/* Let each op pack its weights for the chosen kernels. */
static tern_status prepare(tern_compiled *c, tern_err *err) {
    tern_status st = TERN_OK;
    for (int i = 0; i < c->g.n_nodes; i++) {
        tern_node *n = &c->g.nodes[i];
        tern_prepare_fn fn = tern_op_prepare(n->op);
        if (!fn) continue;
        st = fn(&c->g, n, err);
        if (st != TERN_OK) {
            tern_err_prefix(err, "node '%s' (%s)", n->name, n->op_type);
            return st;
        }
    }
    return tern_budget_check(&c->g, c->arena_size, 1, err);
}

tern_status tern_compile(const tern_graph *model, int batch, unsigned flags, tern_compiled *c,
                         tern_err *err) {
    tern_compile_opts o = {.batch = batch, .flags = flags};
    return tern_compile_ex(model, &o, c, err);
}

tern_status tern_compile_ex(const tern_graph *model, const tern_compile_opts *o, tern_compiled *c,
                            tern_err *err) {
    memset(c, 0, sizeof *c);
    unsigned flags = o->flags;
    tern_status st = tern_graph_clone(&c->g, model, err);
    if (st != TERN_OK) return st;
    c->g.max_memory = o->max_memory == SIZE_MAX ? 0
                      : o->max_memory            ? o->max_memory
                                                 : TERN_DEFAULT_MAX_MEMORY;
    st = tern_bind_shapes(&c->g, o->shapes, o->n_shapes, o->batch > 0 ? o->batch : 1, err);
    if (st == TERN_OK) st = tern_bind_constants(&c->g, o->constants, o->n_constants, err);
    if (st == TERN_OK) st = run_pass(c, tern_pass_infer_fold, err);
    if (st == TERN_OK) st = run_pass(c, tern_pass_quant_import, err);
    if (!(flags & TERN_COMPILE_NO_FUSE)) {
        /* BN folding before the bias Add (Conv->BN->Add folds completely);
         * hard-sigmoid before fuse-activation, which then fuses it */
        static const pass_fn rewrites[] = {
            tern_pass_qdq, tern_pass_fold_const_dq, tern_pass_remove_identity, tern_pass_matmul_add,   tern_pass_fold_batchnorm,
            tern_pass_fold_add_bias,   tern_pass_fold_pad,     tern_pass_hard_sigmoid,
            tern_pass_cancel_transposes, tern_pass_fuse_activation};
        for (size_t i = 0; st == TERN_OK && i < sizeof rewrites / sizeof rewrites[0]; i++)
            st = run_pass(c, rewrites[i], err);
    }
    if (st == TERN_OK) st = run_pass(c, tern_pass_layout, err);
    /* the kernels, chosen before the kernel-level fusion (it asks which
     * paths the table supports) and the plan (fused pairs keep their input
     * alive one step longer) */
    tern_isa isa = TERN_ISA_REF;
    if (st == TERN_OK) st = tern_isa_select(o->isa, &isa, err);
    if (st == TERN_OK) tern_kernels_fill(isa, &c->g.kern);
    if (st == TERN_OK && !(flags & TERN_COMPILE_NO_FUSE))
        st = run_pass(c, tern_pass_fuse_expand_dw, err);
    if (st == TERN_OK) st = check_outputs(&c->g, err);
    if (st == TERN_OK) st = plan(c, err);
    if (st == TERN_OK) st = prepare(c, err);
    if (st != TERN_OK) tern_compiled_free(c);
    return st;
}

void tern_compiled_free(tern_compiled *c) {
    tern_graph_free(&c->g);
    memset(c, 0, sizeof *c);
}
