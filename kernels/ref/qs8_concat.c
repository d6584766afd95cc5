/* Reference int8 Concat; see qs8_concat.h. */
#include "kernels/ref/qs8_concat.h"

#include "kernels/ref/qs8_rescale.h"
#include "kernels/ref/walk.h"

void tern_ref_qs8_concat(int rank, int axis, int n_in, const tern_qs8_concat_input *in, int8_t *y,
                         const int64_t *ys) {
    int64_t at = 0;
    for (int i = 0; i < n_in; i++) {
        int8_t *dst = y + at * ys[axis];
        const tern_qs8_rescale *r = in[i].rescale;
        if (!r || tern_qs8_rescale_is_identity(r))
            tern_ref_copy_strided(1, rank, in[i].dims, dst, ys, in[i].x, in[i].strides);
        else
            tern_ref_qs8_rescale(rank, in[i].dims, in[i].x, in[i].strides, r, dst, ys);
        at += in[i].dims[axis];
    }
}
