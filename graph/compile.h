/* From a loaded graph to something that runs: bind the batch size, infer
 * shapes and fold constants, run the passes, assign layouts, plan memory
 * (graph/compile.c); then execute node by node (graph/execute.c). Used by the
 * public session API and directly by tests. */
#ifndef TERN_COMPILE_H
#define TERN_COMPILE_H

#include "graph/ir.h"
#include "graph/passes/passes.h"

#define TERN_COMPILE_NO_FUSE 1u /* skip the rewrite passes (identity, BN, fusion...) */
#define TERN_MAX_REPORTS 16

typedef struct tern_compiled {
    tern_graph g;       /* g.const_bytes, g.packed_bytes, g.max_memory: the budget */
    tern_pass_report reports[TERN_MAX_REPORTS];
    int n_reports;
    size_t arena_size;  /* bytes the arena needs */
    size_t peak_bytes;  /* largest sum of simultaneously live tensors */
    size_t sum_bytes;   /* sum of all planned tensors (no reuse) */
    int plan_first_fit; /* the planner fell back to first fit (graph/planner.h) */
    int plan_verified;  /* tern_plan_verify checked the plan (0: too big to check) */
} tern_compiled;

/* Everything a compile takes; zeros mean batch 1, passes on, no bound
 * constants, the default budget (TERN_DEFAULT_MAX_MEMORY). */
typedef struct tern_compile_opts {
    int batch;
    unsigned flags; /* TERN_COMPILE_* */
    const tern_binding *constants;
    int n_constants;
    size_t max_memory; /* arena + constants made + packed weights; SIZE_MAX: no limit */
} tern_compile_opts;

tern_status tern_compile_with(const tern_graph *model, const tern_compile_opts *opts,
                              tern_compiled *out, tern_err *err);
/* Shorthands with the default budget. */
tern_status tern_compile(const tern_graph *model, int batch, unsigned flags, tern_compiled *out,
                         tern_err *err);
/* Same, with some graph inputs fixed to constant values first. */
tern_status tern_compile_bound(const tern_graph *model, int batch, unsigned flags,
                               const tern_binding *constants, int n_constants, tern_compiled *out,
                               tern_err *err);
/* Run every node; tensors live at arena + tensor.offset (graph inputs must be
 * filled there first). */
tern_status tern_execute(const tern_compiled *c, unsigned char *arena, tern_err *err);
void tern_compiled_free(tern_compiled *c);

#endif
