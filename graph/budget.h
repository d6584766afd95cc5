/* The per-session memory budget (graph/budget.c): what a session allocates
 * beyond the model it shares, counted against tern_session_options
 * .max_memory while the session is compiled, so that a small hostile model
 * cannot make it take gigabytes:
 *   - the arena (whether the session allocates it or the caller lends it);
 *   - constant data the compile makes: folded constants, constants the
 *     rewrites add (tern_add_const), bound inputs (g->const_bytes);
 *   - weights repacked for kernels and tables ops precompute
 *     (g->packed_bytes: Resize's taps so far; a kernel that packs weights
 *     at session creation charges its bytes with
 *     tern_budget_charge(g, &g->packed_bytes, bytes, err) before taking them).
 * The model's own weights are not counted: every session shares them. */
#ifndef TERN_BUDGET_H
#define TERN_BUDGET_H

#include "graph/ir.h"

/* Add bytes to *counter (&g->const_bytes or &g->packed_bytes) before
 * allocating them; an error naming the budget when they no longer fit. */
tern_status tern_budget_charge(tern_graph *g, size_t *counter, size_t bytes, tern_err *err);

/* Error unless arena + g->const_bytes + g->packed_bytes fits g->max_memory
 * (0: no budget); planned 0 while the arena is not planned yet (arena 0). */
tern_status tern_budget_check(const tern_graph *g, size_t arena, int planned, tern_err *err);

/* arena + g->const_bytes + g->packed_bytes, SIZE_MAX if that overflows. */
size_t tern_budget_used(const tern_graph *g, size_t arena);

#endif
