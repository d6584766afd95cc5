/* Walking n-d index spaces with per-operand element strides, in the memory
 * order of one operand.
 *
 * Every tensor kernel that must work in any layout (elementwise, Transpose,
 * Concat, Slice, Pad, Expand, reductions) describes each operand by the
 * element stride of each axis of a shared index space: a broadcast axis has
 * stride 0, a reversed slice a negative stride, a channels-last tensor the
 * strides tern_tensor_strides() gives. The walk visits that space row by row
 * (a row is the innermost walked axis), ordering the axes by the strides of
 * operand 0 so that the common case reads and writes sequentially. (The
 * simpler logical-order iterator is kernels/ref/strided.h.) */
#ifndef TERN_REF_WALK_H
#define TERN_REF_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "tern.h"

#define TERN_WALK_MAX_OPS 4

typedef struct tern_walk {
    int rank;  /* >= 1 (a rank-0 space is walked as one row of length 1) */
    int nops;
    int perm[TERN_MAX_RANK];    /* walk axis k is axis perm[k] of the caller's space */
    int64_t dims[TERN_MAX_RANK]; /* dims in walk order */
    int64_t strides[TERN_WALK_MAX_OPS][TERN_MAX_RANK]; /* in walk order */
    int64_t idx[TERN_MAX_RANK]; /* current position (walk order); idx[rank-1] stays 0 */
    /* what a row loop uses: */
    int64_t n;                       /* row length (dims[rank-1]) */
    int64_t off[TERN_WALK_MAX_OPS];  /* element offset of each operand at the row start */
    int64_t inc[TERN_WALK_MAX_OPS];  /* element stride of each operand along the row */
} tern_walk;

/* Prepare a walk of dims[0..rank) (rank 0..TERN_MAX_RANK) for nops operands
 * (1..TERN_WALK_MAX_OPS) whose element strides are strides[op][axis]. Axes
 * are visited in decreasing |stride| of operand 0. Returns 0 when the space
 * is empty (a dim is 0): there is no row to visit. */
int tern_walk_init(tern_walk *w, int rank, const int64_t *dims, int nops,
                   const int64_t *const *strides);

/* Merge neighbouring walk axes that every operand steps through as one
 * (stride[k] == stride[k+1] * dims[k+1]), so that e.g. a same-shape
 * elementwise op is one long row. Call right after tern_walk_init, and only
 * when the row loop does not use perm/idx (they no longer name caller axes). */
void tern_walk_merge(tern_walk *w);

/* tern_walk_init then tern_walk_merge: what kernels that only use the row
 * offsets call. */
int tern_walk_start(tern_walk *w, int rank, const int64_t *dims, int nops,
                    const int64_t *const *strides);

/* Move to the next row; returns 0 after the last one. Usage:
 *   if (tern_walk_init(&w, ...)) do { for (i < w.n) ... } while (tern_walk_next(&w)); */
int tern_walk_next(tern_walk *w);

/* Copy elements of esz bytes: dst[pos] = src[pos] for every position of
 * dims, with element strides ds/ss (ss may hold 0 for broadcast axes or
 * negative values; src/dst point at position 0). Walks dst in memory order. */
void tern_ref_copy_strided(size_t esz, int rank, const int64_t *dims, void *dst,
                           const int64_t *ds, const void *src, const int64_t *ss);

/* Copy count elements of esz bytes with element strides (used by row loops). */
void tern_ref_copy_row(size_t esz, int64_t count, char *dst, int64_t dinc, const char *src,
                       int64_t sinc);

/* Fill count elements of esz bytes with the value at `value`. */
void tern_ref_fill(size_t esz, int64_t count, void *dst, const void *value);

#endif
