/* The attribute names the standard-domain ops define (graph/ops/
 * op_attr_names.c, generated from the ONNX schemas by
 * tools/gen_op_attr_names.py), and the check that a node uses no other:
 * a misspelled attribute ("dilatoins") must be an error, not silently
 * ignored in favour of the default. */
#ifndef TERN_OP_ATTR_NAMES_H
#define TERN_OP_ATTR_NAMES_H

#include "graph/ir.h"

typedef struct tern_attr_name {
    const char *op;   /* ONNX op_type */
    const char *name; /* NULL: the op defines no attribute at all */
    int first, last;  /* the opsets that define it; last 0: up to the newest */
} tern_attr_name;

/* Sorted by op, then name (strcmp order); tests check the order. */
extern const tern_attr_name TERN_ATTR_NAMES[];
extern const int TERN_N_ATTR_NAMES;

/* The rows of op type (*count of them), or NULL if the table does not know
 * the op. */
const tern_attr_name *tern_attr_names_of(const char *type, int *count);

/* Every attribute of node n (of the standard domain) is defined by its op
 * at the graph's opset (g->opset 0, not recorded: at any opset). Ops the
 * table does not know are not checked. Error: "unknown attribute 'x'", or
 * "attribute 'x' is not defined at opset N" when other opsets define it. */
tern_status tern_check_attr_names(const tern_graph *g, const tern_node *n, tern_err *err);

#endif
