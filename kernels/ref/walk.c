#include "kernels/ref/walk.h"

#include <string.h>

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

int tern_walk_init(tern_walk *w, int rank, const int64_t *dims, int nops,
                   const int64_t *const *strides) {
    memset(w, 0, sizeof *w);
    w->nops = nops;
    if (rank == 0) { /* one element: a row of length 1 */
        w->rank = 1;
        w->dims[0] = 1;
        w->n = 1;
        return 1;
    }
    w->rank = rank;
    /* insertion sort of the axes by decreasing |stride| of operand 0; stable,
     * so ties (e.g. dims of 1) keep logical order */
    for (int k = 0; k < rank; k++) {
        int a = k;
        while (a > 0 && abs64(strides[0][w->perm[a - 1]]) < abs64(strides[0][k])) {
            w->perm[a] = w->perm[a - 1];
            a--;
        }
        w->perm[a] = k;
    }
    int empty = 0;
    for (int k = 0; k < rank; k++) {
        w->dims[k] = dims[w->perm[k]];
        if (w->dims[k] <= 0) empty = 1;
        for (int o = 0; o < nops; o++) w->strides[o][k] = strides[o][w->perm[k]];
    }
    w->n = w->dims[rank - 1];
    for (int o = 0; o < nops; o++) w->inc[o] = w->strides[o][rank - 1];
    return !empty;
}

/* 1 if walk axis a steps over exactly one full run of axis b for every operand */
static int mergeable(const tern_walk *w, int a, int b) {
    for (int o = 0; o < w->nops; o++)
        if (w->strides[o][a] != w->strides[o][b] * w->dims[b]) return 0;
    return 1;
}

void tern_walk_merge(tern_walk *w) {
    int r = 0; /* axes kept so far */
    for (int k = 0; k < w->rank; k++) {
        if (w->dims[k] == 1) continue; /* never moves: its strides do not matter */
        if (r > 0 && mergeable(w, r - 1, k)) {
            w->dims[r - 1] *= w->dims[k];
            for (int o = 0; o < w->nops; o++) w->strides[o][r - 1] = w->strides[o][k];
            continue;
        }
        w->dims[r] = w->dims[k];
        for (int o = 0; o < w->nops; o++) w->strides[o][r] = w->strides[o][k];
        r++;
    }
    if (r == 0) { /* every dim was 1: one element */
        w->dims[0] = 1;
        for (int o = 0; o < w->nops; o++) w->strides[o][0] = 0;
        r = 1;
    }
    w->rank = r;
    for (int k = 0; k < r; k++) w->idx[k] = 0, w->perm[k] = -1;
    w->n = w->dims[r - 1];
    for (int o = 0; o < w->nops; o++) {
        w->inc[o] = w->strides[o][r - 1];
        w->off[o] = 0;
    }
}

int tern_walk_start(tern_walk *w, int rank, const int64_t *dims, int nops,
                    const int64_t *const *strides) {
    if (!tern_walk_init(w, rank, dims, nops, strides)) return 0;
    tern_walk_merge(w);
    return 1;
}

int tern_walk_next(tern_walk *w) {
    /* odometer over every axis but the innermost */
    for (int k = w->rank - 2; k >= 0; k--) {
        if (++w->idx[k] < w->dims[k]) {
            for (int o = 0; o < w->nops; o++) w->off[o] += w->strides[o][k];
            return 1;
        }
        for (int o = 0; o < w->nops; o++) w->off[o] -= w->strides[o][k] * (w->dims[k] - 1);
        w->idx[k] = 0;
    }
    return 0;
}

/* memcpy with a constant size compiles to one load and one store */
#define COPY_ROW_N(N)                                                                              \
    for (int64_t i = 0; i < count; i++) memcpy(dst + i * dinc * N, src + i * sinc * N, N)

void tern_ref_copy_row(size_t esz, int64_t count, char *dst, int64_t dinc, const char *src,
                       int64_t sinc) {
    switch (esz) {
    case 1: COPY_ROW_N(1); break;
    case 2: COPY_ROW_N(2); break;
    case 4: COPY_ROW_N(4); break;
    case 8: COPY_ROW_N(8); break;
    default:
        for (int64_t i = 0; i < count; i++)
            memcpy(dst + i * dinc * (int64_t)esz, src + i * sinc * (int64_t)esz, esz);
    }
}

void tern_ref_copy_strided(size_t esz, int rank, const int64_t *dims, void *dst,
                           const int64_t *ds, const void *src, const int64_t *ss) {
    const int64_t *st[2] = {ds, ss};
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 2, st)) return;
    int64_t e = (int64_t)esz;
    do {
        tern_ref_copy_row(esz, w.n, (char *)dst + w.off[0] * e, w.inc[0],
                          (const char *)src + w.off[1] * e, w.inc[1]);
    } while (tern_walk_next(&w));
}

void tern_ref_fill(size_t esz, int64_t count, void *dst, const void *value) {
    for (int64_t i = 0; i < count; i++) memcpy((char *)dst + i * (int64_t)esz, value, esz);
}
