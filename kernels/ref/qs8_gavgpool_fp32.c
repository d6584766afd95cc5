/* Reference int8 global average pooling; see qs8_gavgpool_fp32.h. */
#include "kernels/ref/qs8_gavgpool_fp32.h"

#include "kernels/ref/strided.h"

void tern_qs8_gavgpool_init(tern_qs8_rescale *p, float s_x, int32_t z_x, float s_y, int32_t z_y,
                            int64_t count, int32_t qmin, int32_t qmax) {
    p->x_zero_point = z_x;
    p->out =
        (tern_requant_fp32){.scale = tern_requant_fp32_avg_scale(s_x, s_y, count > 0 ? count : 1),
                            .zero_point = z_y,
                            .qmin = qmin,
                            .qmax = qmax};
}

/* Sum of (x - zx) over one (n, c) plane, row-major spatial order. */
static int32_t plane_sum(int nsp, const int64_t *sp, const int8_t *xp, const int64_t *xs_sp,
                         int32_t zx) {
    tern_iter it;
    tern_iter_init(&it, nsp, sp, xs_sp, NULL, NULL);
    int64_t total = tern_iter_count(nsp, sp);
    int32_t sum = 0;
    for (int64_t e = 0; e < total; e++, tern_iter_next(&it)) sum += (int32_t)xp[it.off[0]] - zx;
    return sum;
}

void tern_ref_qs8_gavgpool_fp32(int64_t n, int64_t c, int nsp, const int64_t *sp, const int8_t *x,
                                const int64_t *xs, const tern_qs8_rescale *p, int8_t *y,
                                const int64_t *ys) {
    for (int64_t b = 0; b < n; b++)
        for (int64_t ch = 0; ch < c; ch++) {
            int32_t sum = plane_sum(nsp, sp, x + b * xs[0] + ch * xs[1], xs + 2, p->x_zero_point);
            y[b * ys[0] + ch * ys[1]] = tern_requant_fp32_apply(sum, &p->out);
        }
}
