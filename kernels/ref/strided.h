/* Walking a logical index space through per-axis element strides: the one
 * loop every any-layout kernel needs. An iterator visits every index of a
 * shape in row-major logical order and keeps the element offset of that
 * index in up to three arrays (input, second input, output), each with its
 * own strides (0 for a broadcast axis). */
#ifndef TERN_KERNELS_REF_STRIDED_H
#define TERN_KERNELS_REF_STRIDED_H

#include <stdint.h>

#include "tern.h"

#define TERN_ITER_ARRAYS 3

typedef struct tern_iter {
    int rank;
    int64_t dims[TERN_MAX_RANK];
    int64_t idx[TERN_MAX_RANK];
    int64_t st[TERN_ITER_ARRAYS][TERN_MAX_RANK];
    int64_t off[TERN_ITER_ARRAYS];
} tern_iter;

/* Start at index 0. strides[a] may be NULL (that array's offsets stay 0). */
static inline void tern_iter_init(tern_iter *it, int rank, const int64_t *dims,
                                  const int64_t *s0, const int64_t *s1, const int64_t *s2) {
    const int64_t *s[TERN_ITER_ARRAYS] = {s0, s1, s2};
    it->rank = rank;
    for (int i = 0; i < rank; i++) {
        it->dims[i] = dims[i];
        it->idx[i] = 0;
        for (int a = 0; a < TERN_ITER_ARRAYS; a++) it->st[a][i] = s[a] ? s[a][i] : 0;
    }
    for (int a = 0; a < TERN_ITER_ARRAYS; a++) it->off[a] = 0;
}

/* Advance to the next index, last axis fastest (wraps to 0 after the end). */
static inline void tern_iter_next(tern_iter *it) {
    for (int i = it->rank - 1; i >= 0; i--) {
        if (++it->idx[i] < it->dims[i]) {
            for (int a = 0; a < TERN_ITER_ARRAYS; a++) it->off[a] += it->st[a][i];
            return;
        }
        for (int a = 0; a < TERN_ITER_ARRAYS; a++) it->off[a] -= (it->dims[i] - 1) * it->st[a][i];
        it->idx[i] = 0;
    }
}

/* Product of dims (the number of indices visited). */
static inline int64_t tern_iter_count(int rank, const int64_t *dims) {
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    return n;
}

/* Whether two tensors of the same shape have the same strides on every
 * axis, i.e. element i of one sits where element i of the other does. */
static inline int tern_same_strides(int rank, const int64_t *a, const int64_t *b) {
    for (int i = 0; i < rank; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

#endif
