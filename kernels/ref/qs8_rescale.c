/* Reference int8 requantization; see qs8_rescale.h. */
#include "kernels/ref/qs8_rescale.h"

#include "kernels/ref/walk.h"

void tern_ref_qs8_rescale(int rank, const int64_t *dims, const int8_t *x, const int64_t *xs,
                          const tern_qs8_rescale *r, int8_t *y, const int64_t *ys) {
    const int64_t *st[2] = {ys, xs};
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 2, st)) return;
    do {
        const int8_t *px = x + w.off[1];
        int8_t *py = y + w.off[0];
        for (int64_t i = 0; i < w.n; i++) {
            int32_t v = (int32_t)px[i * w.inc[1]] - r->x_zero_point;
            py[i * w.inc[0]] = tern_requant_fp32_apply(v, &r->out);
        }
    } while (tern_walk_next(&w));
}
