/* The parameter and multiply-accumulate counts that `tern info` prints
 * (graph/report.c). Both are sums of products of dims from the file, which
 * a hostile model can make exceed int64, so both are computed in checked
 * arithmetic and say so when they overflow. */
#ifndef TERN_REPORT_COUNTS_H
#define TERN_REPORT_COUNTS_H

#include "graph/ir.h"

#define TERN_COUNT_OVERFLOW (-1) /* the true count is larger than INT64_MAX */

/* Elements of the float constants (FLOAT, FLOAT16, DOUBLE) of g, scalars
 * excluded, or TERN_COUNT_OVERFLOW. */
int64_t tern_count_params(const tern_graph *g);

/* Multiply-accumulates of g's Conv, Gemm and MatMul nodes (one per weight
 * use, from the inferred shapes), or TERN_COUNT_OVERFLOW. */
int64_t tern_count_macs(const tern_graph *g);
/* The same for one node (0 for ops that are not counted). */
int64_t tern_node_macs(const tern_graph *g, const tern_node *n);

#endif
