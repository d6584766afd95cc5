/* Memory planner (graph/planner.c): lifetimes from the schedule, offsets in
 * one arena; and an independent check of any plan (graph/plan_check.c). */
#ifndef TERN_PLANNER_H
#define TERN_PLANNER_H
#include "graph/ir.h"

#define TERN_PLAN_ALIGN 64u /* every buffer's offset and size are multiples of this */

/* Candidate buffers the greedy gap search may visit in all, summed over
 * every placement, before the planner gives up on it (see tern_plan_place).
 * Real networks visit a few per buffer; only thousands of buffers live at
 * once come near it. */
#define TERN_PLAN_SEARCH_MAX ((size_t)1 << 24)

typedef struct tern_plan_stats {
    size_t arena_size; /* bytes the arena needs */
    size_t peak_bytes; /* largest sum of simultaneously live buffers */
    size_t sum_bytes;  /* all buffers, no reuse */
    int n_buffers;
    int first_fit;     /* 1: the search budget ran out; first fit placed all */
} tern_plan_stats;

/* Sets tensor.offset (and alias_of for views) for every non-constant tensor. */
tern_status tern_plan_memory(tern_graph *g, tern_plan_stats *stats, tern_err *err);

/* One buffer to place: alive at steps first..last (inclusive, within
 * 0..steps), size a multiple of TERN_PLAN_ALIGN. */
typedef struct tern_plan_buf {
    int first, last;
    size_t size;
    size_t offset; /* set by tern_plan_place */
} tern_plan_buf;

/* Greedy by size: buffers largest first (ties: earlier first step, then
 * lower index), each at the lowest offset where it overlaps no placed buffer
 * whose lifetime intersects its own. If the gap search visits more than
 * search_max candidates in all, every buffer is placed again by
 * tern_plan_first_fit instead and *first_fit is 1. *arena gets the end of
 * the highest buffer. */
tern_status tern_plan_place(tern_plan_buf *bufs, int n, int steps, size_t search_max,
                            size_t *arena, int *first_fit, tern_err *err);

/* Time-ordered first fit (graph/plan_firstfit.c): at each step the buffers
 * last read before it are freed, then the ones written at it are placed,
 * largest first, at the lowest free offset that holds them. O(n log n). */
tern_status tern_plan_first_fit(tern_plan_buf *bufs, int n, int steps, size_t *arena,
                                tern_err *err);

/* Checks a planned graph independently of the planner: every tensor in the
 * arena lies within arena_size, and two tensors whose lifetimes intersect
 * (steps from the writer to the last reader; graph inputs from step 0,
 * outputs to the end) never share a byte unless one is a view of the other
 * (alias_of). Comparisons stop after work_max pairs; *verified is then 0
 * (and the plan unchecked). Error naming the two tensors on a clash. */
tern_status tern_plan_verify(const tern_graph *g, size_t arena_size, size_t work_max,
                             int *verified, tern_err *err);

#endif
