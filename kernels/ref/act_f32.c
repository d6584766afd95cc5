/* Reference elementwise activations; see act_f32.h. */
#include "kernels/ref/act_f32.h"

#include "kernels/ref/act.h"
#include "kernels/ref/strided.h"

void tern_act_f32(const tern_act *act, int rank, const int64_t *dims, const float *x,
                  const int64_t *xs, float *y, const int64_t *ys) {
    int64_t total = tern_iter_count(rank, dims);
    if (tern_same_strides(rank, xs, ys)) { /* same layout: one flat pass */
        tern_act_apply_n(act, x, y, (size_t)total);
        return;
    }
    tern_iter it;
    tern_iter_init(&it, rank, dims, xs, ys, NULL);
    for (int64_t e = 0; e < total; e++, tern_iter_next(&it))
        y[it.off[1]] = tern_act_apply(act, x[it.off[0]]);
}

void tern_prelu_f32(int rank, const int64_t *dims, const float *x, const int64_t *xs,
                    const float *slope, const int64_t *ss, float *y, const int64_t *ys) {
    int64_t total = tern_iter_count(rank, dims);
    tern_iter it;
    tern_iter_init(&it, rank, dims, xs, ss, ys);
    for (int64_t e = 0; e < total; e++, tern_iter_next(&it)) {
        float v = x[it.off[0]];
        y[it.off[2]] = v < 0.0f ? slope[it.off[1]] * v : v;
    }
}
