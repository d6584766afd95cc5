/* Reference int8 average pooling; see qs8_avgpool_fp32.h. */
#include "kernels/ref/qs8_avgpool_fp32.h"

/* Sum of (x - zx) over the taps of window w inside the input; xc points at
 * (n, c). */
static int32_t window_sum(const tern_conv_geom *g, const tern_window *w, const int8_t *xc,
                          const int64_t xs[5], int32_t zx) {
    int32_t sum = 0;
    for (int64_t kd = w->k0[0]; kd < w->k1[0]; kd++)
        for (int64_t ky = w->k0[1]; ky < w->k1[1]; ky++)
            for (int64_t kx = w->k0[2]; kx < w->k1[2]; kx++)
                sum += (int32_t)xc[tern_window_offset(g, w, xs, kd, ky, kx)] - zx;
    return sum;
}

void tern_ref_qs8_avgpool_fp32(const tern_conv_geom *g, int count_include_pad, const int8_t *x,
                               const int64_t xs[5], const tern_qs8_avgpool_params *p, int8_t *y,
                               const int64_t ys[5]) {
    int64_t o[TERN_CONV_SP];
    tern_requant_fp32 rq = {.zero_point = p->y_zero_point, .qmin = p->qmin, .qmax = p->qmax};
    for (int64_t n = 0; n < g->n; n++)
        for (o[0] = 0; o[0] < g->out[0]; o[0]++)
            for (o[1] = 0; o[1] < g->out[1]; o[1]++)
                for (o[2] = 0; o[2] < g->out[2]; o[2]++) {
                    tern_window w = tern_window_at(g, o);
                    int64_t count = tern_window_avg_count(g, &w, count_include_pad);
                    /* an empty window sums to 0; any finite scale gives z_y */
                    rq.scale =
                        tern_requant_fp32_avg_scale(p->x_scale, p->y_scale, count > 0 ? count : 1);
                    int8_t *yp = y + n * ys[0] + o[0] * ys[2] + o[1] * ys[3] + o[2] * ys[4];
                    for (int64_t c = 0; c < g->c_in; c++) {
                        int32_t sum =
                            window_sum(g, &w, x + n * xs[0] + c * xs[1], xs, p->x_zero_point);
                        yp[c * ys[1]] = tern_requant_fp32_apply(sum, &rq);
                    }
                }
}
