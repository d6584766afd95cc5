/* Who reads and who writes each tensor, for the passes (graph/graph_index.c).
 *
 * The pass helpers (tern_producer, tern_single_consumer, tern_graph_use_count,
 * tern_consumers...) answer from this index instead of scanning every node,
 * so a pass that asks once per node is O(n), not O(n^2). It is a cache kept
 * in the graph: built by the first query, kept current by the editing
 * helpers (tern_set_inputs/outputs, tern_replace_uses, tern_redirect_tensor),
 * extended lazily to nodes appended since (tern_graph_add_node, whose
 * arrays the caller fills), and dropped by tern_graph_compact and
 * tern_graph_toposort, which renumber nodes. Marking a node dead needs
 * nothing: queries skip dead nodes and unlink them where they meet them;
 * so a node brought back to life goes through tern_node_revive (or the
 * pass drops the index). Writing an existing node's inputs/outputs arrays
 * directly is the other thing it cannot see: a pass that does so calls
 * tern_graph_index_drop afterwards. Builds with
 * AddressSanitizer compare every answer with a full scan (graphs up to a
 * few thousand nodes) and abort on a difference.
 *
 * Queries take a const graph because the index is a cache; a graph being
 * compiled belongs to one thread. When memory for the index runs out the
 * queries scan instead, so they never fail. */
#ifndef TERN_GRAPH_INDEX_H
#define TERN_GRAPH_INDEX_H

#include "graph/ir.h"

/* Forget the index (it is rebuilt on the next query). */
void tern_graph_index_drop(tern_graph *g);

/* Reads of tensor t by live nodes (a node reading it twice counts twice).
 * The first cap of them in (node, slot) order go to nodes[] and slots[]
 * (either may be NULL). */
int tern_index_readers(const tern_graph *g, int t, int *nodes, int *slots, int cap);
/* The live node writing t with the lowest index, or -1. */
int tern_index_writer(const tern_graph *g, int t);

/* Node's inputs (outputs = 0) or outputs (outputs = 1) array was replaced. */
void tern_index_relink(tern_graph *g, int node, int outputs);
/* Live nodes reading `from` read `to` instead (node arrays and index). */
void tern_index_replace_reads(tern_graph *g, int from, int to);

#endif
