/* Reference int8 MaxPool with optional requantization; see qs8_maxpool.h. */
#include "kernels/ref/qs8_maxpool.h"

#include "kernels/ref/maxpool_int8.h"
#include "kernels/ref/qs8_rescale.h"

void tern_ref_qs8_maxpool(const tern_conv_geom *g, const int8_t *x, const int64_t xs[5],
                          const tern_qs8_rescale *r, int8_t *y, const int64_t ys[5]) {
    tern_maxpool_s8(g, x, xs, y, ys);
    if (!r || tern_qs8_rescale_is_identity(r)) return;
    int64_t dims[5] = {g->n, g->c_in, g->out[0], g->out[1], g->out[2]};
    tern_ref_qs8_rescale(5, dims, y, ys, r, y, ys);
}
