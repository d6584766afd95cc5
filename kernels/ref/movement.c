#include "kernels/ref/movement.h"

#include <string.h>

#include "kernels/ref/index.h"
#include "kernels/ref/walk.h"

int64_t tern_ref_gather(size_t esz, int64_t outer, int64_t axis_dim, int64_t inner,
                        const void *data, const void *indices, int idx_i64, int64_t n_idx,
                        void *out) {
    int64_t bad = tern_index_first_bad(indices, idx_i64, n_idx, axis_dim);
    if (bad >= 0) return bad;
    size_t row = (size_t)inner * esz; /* bytes of one [inner] slab */
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t j = 0; j < n_idx; j++) {
            int64_t v = tern_index_at(indices, idx_i64, j);
            if (v < 0) v += axis_dim;
            memcpy((char *)out + (size_t)(o * n_idx + j) * row,
                   (const char *)data + (size_t)(o * axis_dim + v) * row, row);
        }
    }
    return -1;
}

/* Where output position o of an axis reads from, or -1 for "fill". */
typedef struct axis_map {
    tern_pad_mode mode;
    int tile; /* 1: o mod d (Tile), else Pad with `begin` */
    int64_t begin;
    int64_t d;
} axis_map;

static int64_t reflect(int64_t i, int64_t d) {
    if (d == 1) return 0;
    int64_t period = 2 * (d - 1);
    i %= period;
    if (i < 0) i += period;
    return i < d ? i : period - i;
}

static int64_t map_pos(const axis_map *m, int64_t o) {
    if (m->tile) return o % m->d;
    int64_t i = o - m->begin;
    if (i >= 0 && i < m->d) return i;
    if (m->d == 0 || m->mode == TERN_PAD_CONSTANT) return -1;
    if (m->mode == TERN_PAD_EDGE) return i < 0 ? 0 : m->d - 1;
    return reflect(i, m->d);
}

/* Walk the output in memory order; every position reads the input position
 * the per-axis maps give, or writes *value. */
static void map_copy(size_t esz, int rank, const axis_map *maps, const void *in,
                     const int64_t *si, const int64_t *odims, void *out, const int64_t *so,
                     const void *value) {
    const int64_t *st[1] = {so};
    tern_walk w;
    if (!tern_walk_init(&w, rank, odims, 1, st)) return;
    int64_t e = (int64_t)esz;
    int inner = rank > 0 ? w.perm[w.rank - 1] : -1;
    do {
        /* source offset of the row start from the outer axes */
        int64_t base = 0, fill = 0;
        for (int k = 0; k < w.rank - 1; k++) {
            int ax = w.perm[k];
            int64_t p = map_pos(&maps[ax], w.idx[k]);
            if (p < 0) fill = 1;
            else base += p * si[ax];
        }
        char *dst = (char *)out + w.off[0] * e;
        for (int64_t i = 0; i < w.n; i++) {
            int64_t p = inner < 0 ? 0 : map_pos(&maps[inner], i);
            char *d = dst + i * w.inc[0] * e;
            if (fill || p < 0)
                memcpy(d, value, esz);
            else
                memcpy(d, (const char *)in + (base + (inner < 0 ? 0 : p * si[inner])) * e, esz);
        }
    } while (tern_walk_next(&w));
}

void tern_ref_pad(size_t esz, tern_pad_mode mode, int rank, const int64_t *idims,
                  const void *in, const int64_t *si, const int64_t *odims, void *out,
                  const int64_t *so, const int64_t *begin, const void *value) {
    axis_map maps[TERN_MAX_RANK];
    for (int k = 0; k < rank; k++) {
        maps[k].mode = mode;
        maps[k].tile = 0;
        maps[k].begin = begin[k];
        maps[k].d = idims[k];
    }
    /* a non-constant mode never fills unless an axis is empty, which infer rejects;
       zero bytes keep that impossible case defined */
    static const unsigned char zero[16];
    map_copy(esz, rank, maps, in, si, odims, out, so, value && esz <= 16 ? value : zero);
}

void tern_ref_tile(size_t esz, int rank, const int64_t *idims, const void *in, const int64_t *si,
                   const int64_t *odims, void *out, const int64_t *so) {
    axis_map maps[TERN_MAX_RANK];
    for (int k = 0; k < rank; k++) {
        maps[k].mode = TERN_PAD_CONSTANT;
        maps[k].tile = 1;
        maps[k].begin = 0;
        maps[k].d = idims[k];
    }
    static const unsigned char zero[16];
    map_copy(esz, rank, maps, in, si, odims, out, so, zero);
}
