/* Memory planner (graph/planner.c): lifetimes from the schedule, offsets in
 * one arena. */
#ifndef TERN_PLANNER_H
#define TERN_PLANNER_H
#include "graph/ir.h"

typedef struct tern_plan_stats {
    size_t arena_size; /* bytes the arena needs */
    size_t peak_bytes; /* largest sum of simultaneously live buffers */
    size_t sum_bytes;  /* all buffers, no reuse */
    int n_buffers;
} tern_plan_stats;

/* Sets tensor.offset (and alias_of for views) for every non-constant tensor. */
tern_status tern_plan_memory(tern_graph *g, tern_plan_stats *stats, tern_err *err);
#endif
