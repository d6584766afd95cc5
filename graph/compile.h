/* From a loaded graph to something that runs: bind input shapes, infer
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

/* What a session fixes when it compiles a model. */
typedef struct tern_compile_opts {
    int batch;      /* value of a still-dynamic first input dim; <= 0 means 1 */
    unsigned flags; /* TERN_COMPILE_* */
    const tern_input_shape *shapes; /* dims for dynamic input dims (graph/bind.h) */
    int n_shapes;
    const tern_binding *constants;  /* inputs fixed to constant values */
    int n_constants;
    size_t max_memory; /* arena + constants made + packed weights; 0: TERN_DEFAULT_MAX_MEMORY,
                          SIZE_MAX: no limit */
    const char *isa;   /* kernels to run ("ref", "avx2", ...; arch/kernels.h); NULL or "":
                          the TERN_ISA environment variable, else the best this CPU runs */
} tern_compile_opts;

tern_status tern_compile_ex(const tern_graph *model, const tern_compile_opts *opts,
                            tern_compiled *out, tern_err *err);
/* The common case: a batch and flags, nothing else bound, the default budget. */
tern_status tern_compile(const tern_graph *model, int batch, unsigned flags, tern_compiled *out,
                         tern_err *err);
/* Run every node; tensors live at arena + tensor.offset (graph inputs must be
 * filled there first). */
tern_status tern_execute(const tern_compiled *c, unsigned char *arena, tern_err *err);
/* The same, adding each node's wall time to seconds[i] (g.n_nodes entries). */
tern_status tern_execute_timed(const tern_compiled *c, unsigned char *arena, double *seconds,
                               tern_err *err);
/* The same, calling hook(ctx, g, i, arena) after node i ran: the
 * quantizer (quant/) reads and rewrites intermediate tensors through it
 * (statistics, simulated quantization). A hook failure stops the run. */
typedef tern_status (*tern_node_hook)(void *ctx, const tern_graph *g, int node,
                                      unsigned char *arena, tern_err *err);
tern_status tern_execute_hooked(const tern_compiled *c, unsigned char *arena,
                                tern_node_hook hook, void *ctx, tern_err *err);
/* Both: seconds and hook may each be NULL. */
tern_status tern_execute_ex(const tern_compiled *c, unsigned char *arena, double *seconds,
                            tern_node_hook hook, void *ctx, tern_err *err);
void tern_compiled_free(tern_compiled *c);

/* The ISA a compile with request `name` (NULL/"": TERN_ISA, else the best)
 * runs; an error naming what the CPU has if it cannot run that one. */
tern_status tern_isa_select(const char *name, tern_isa *isa, tern_err *err);

#endif
