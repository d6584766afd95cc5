/* Table activations and global average pooling on the qs8 SIMD kernels.
 * A table lookup is elementwise, so any layout works as long as x and y
 * are the same dense block of memory (same strides, no gaps): the kernel
 * then sees one flat run of bytes. Global pooling needs channels innermost
 * (channels-last, or C alone) with the pixels of each image evenly spaced,
 * which the layout pass gives every pooled activation. Anything else runs
 * the reference; both are exact (suite_kernels_simd), so the choice never
 * changes a result. */
#include "graph/ops/qunary_fast.h"

#include "arch/kernels.h"

/* Whether strides st over dims cover [0, numel) exactly once. */
static int dense(int rank, const int64_t *dims, const int64_t *st) {
    int used[TERN_MAX_RANK] = {0};
    int64_t expect = 1;
    for (int done = 0; done < rank; done++) {
        int best = -1;
        for (int i = 0; i < rank; i++)
            if (!used[i] && dims[i] > 1 && (best < 0 || st[i] < st[best])) best = i;
        if (best < 0) break;
        if (st[best] != expect) return 0;
        used[best] = 1;
        expect *= dims[best];
    }
    return 1;
}

int tern_qlut_fast(const tern_graph *g, int rank, const int64_t *dims, const int8_t *x,
                   const int64_t *xs, const int8_t table[256], int8_t *y, const int64_t *ys) {
    const tern_qs8_lut_ukernel *k = g->kern.qs8_lut;
    if (!k || !dense(rank, dims, xs)) return 0;
    for (int i = 0; i < rank; i++)
        if (dims[i] > 1 && xs[i] != ys[i]) return 0;
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    k->fn((size_t)n, x, table, y);
    return 1;
}

int tern_qgavgpool_fast(const tern_graph *g, int rank, const int64_t *dims, const int8_t *x,
                        const int64_t *xs, const tern_qs8_rescale *p, int8_t *y,
                        const int64_t *ys) {
    const tern_qs8_gavgpool_ukernel *k = g->kern.qs8_gavgpool;
    if (!k || rank < 3 || (dims[1] > 1 && (xs[1] != 1 || ys[1] != 1))) return 0;
    /* pixels evenly spaced: spatial axes nest like one flat axis of stride px */
    int64_t px = xs[rank - 1], s = 1;
    for (int a = rank - 1; a >= 2; a--) {
        if (dims[a] > 1 && xs[a] != px * s) return 0;
        s *= dims[a];
    }
    if (s > 1 && px < dims[1]) return 0; /* pixels would overlap */
    for (int64_t n = 0; n < dims[0]; n++)
        k->fn((size_t)s, (size_t)dims[1], x + n * xs[0], (size_t)(s > 1 ? px : 0), p,
              y + n * ys[0]);
    return 1;
}
