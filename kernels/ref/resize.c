#include "kernels/ref/resize.h"

#include "kernels/ref/walk.h"

/* One output element at logical position pos: the weighted sum over every
 * combination of taps (an odometer over the axes). */
static float resize_one(int rank, const float *in, const int64_t *si, const int64_t *pos,
                        const tern_resize_axis *axes, float extrapolation) {
    int t[TERN_MAX_RANK] = {0};
    double sum = 0;
    for (;;) {
        double w = 1;
        int64_t off = 0;
        for (int a = 0; a < rank; a++) {
            int64_t k = pos[a] * axes[a].taps + t[a];
            if (axes[a].idx[k] < 0) return extrapolation;
            w *= axes[a].w[k];
            off += axes[a].idx[k] * si[a];
        }
        if (w != 0) sum += w * in[off];
        int a = rank - 1;
        while (a >= 0 && ++t[a] == axes[a].taps) t[a--] = 0;
        if (a < 0) break;
    }
    return (float)sum;
}

void tern_ref_resize_f32(int rank, const float *in, const int64_t *si, const int64_t *odims,
                         float *out, const int64_t *so, const tern_resize_axis *axes,
                         float extrapolation) {
    const int64_t *st[1] = {so};
    tern_walk w;
    if (!tern_walk_init(&w, rank, odims, 1, st)) return;
    int64_t pos[TERN_MAX_RANK] = {0};
    int inner = rank > 0 ? w.perm[w.rank - 1] : 0;
    do {
        for (int k = 0; k < w.rank - 1; k++) pos[w.perm[k]] = w.idx[k];
        for (int64_t i = 0; i < w.n; i++) {
            if (rank > 0) pos[inner] = i;
            out[w.off[0] + i * w.inc[0]] = resize_one(rank, in, si, pos, axes, extrapolation);
        }
    } while (tern_walk_next(&w));
}
