#include "graph/budget.h"

#include <stdio.h>

size_t tern_budget_used(const tern_graph *g, size_t arena) {
    size_t a, b;
    if (!tern_add_size(arena, g->const_bytes, &a) || !tern_add_size(a, g->packed_bytes, &b))
        return SIZE_MAX;
    return b;
}

/* "needs N bytes (...)": with the arena once it is planned, else "at least
 * N bytes before its arena". */
static tern_status over(const tern_graph *g, size_t arena, int planned, tern_err *err) {
    size_t used = tern_budget_used(g, arena);
    char need[256];
    if (planned)
        snprintf(need, sizeof need,
                 "%s%zu bytes (arena %zu + folded constants %zu + packed weights/tables %zu)",
                 used == SIZE_MAX ? "more than " : "", used, arena, g->const_bytes,
                 g->packed_bytes);
    else
        snprintf(need, sizeof need,
                 "%s%zu bytes before its arena (folded constants %zu + packed weights/tables %zu)",
                 used == SIZE_MAX ? "more than " : "at least ", used, g->const_bytes,
                 g->packed_bytes);
    return tern_errf(err, TERN_ERR_NOMEM,
                     "memory budget exceeded: the session needs %s, the budget is %zu bytes; "
                     "raise it with tern_session_options.max_memory or `tern --max-memory`",
                     need, g->max_memory);
}

tern_status tern_budget_charge(tern_graph *g, size_t *counter, size_t bytes, tern_err *err) {
    if (!tern_add_size(*counter, bytes, counter)) *counter = SIZE_MAX;
    if (g->max_memory && tern_budget_used(g, 0) > g->max_memory) return over(g, 0, 0, err);
    return TERN_OK;
}

tern_status tern_budget_check(const tern_graph *g, size_t arena, int planned, tern_err *err) {
    if (g->max_memory && tern_budget_used(g, arena) > g->max_memory)
        return over(g, arena, planned, err);
    return TERN_OK;
}
