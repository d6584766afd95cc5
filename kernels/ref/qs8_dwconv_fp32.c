/* Reference int8 depthwise convolution; see qs8_dwconv_fp32.h. */
#include "kernels/ref/qs8_dwconv_fp32.h"

/* acc of output channel co at window win; xc points at its input channel
 * (batch item n), wc at w[co, 0, 0, 0, 0]. */
static int32_t dw_acc(const tern_conv_geom *g, const tern_window *win, const int8_t *xc,
                      const int64_t xs[5], const int8_t *wc, const int64_t ws[5],
                      const tern_qs8_dot_params *p, int64_t co) {
    int32_t acc = p->bias ? p->bias[co] : 0;
    int32_t zx = p->x_zero_point, zw = p->w_zero_point[co];
    for (int64_t kd = win->k0[0]; kd < win->k1[0]; kd++)
        for (int64_t ky = win->k0[1]; ky < win->k1[1]; ky++)
            for (int64_t kx = win->k0[2]; kx < win->k1[2]; kx++) {
                int32_t xv = xc[tern_window_offset(g, win, xs, kd, ky, kx)];
                int32_t wv = wc[kd * ws[2] + ky * ws[3] + kx * ws[4]];
                acc += (xv - zx) * (wv - zw);
            }
    return acc;
}

void tern_ref_qs8_dwconv_fp32(const tern_conv_geom *g, const int8_t *x, const int64_t xs[5],
                              const int8_t *w, const int64_t ws[5], const tern_qs8_dot_params *p,
                              int8_t *y, const int64_t ys[5]) {
    int64_t mult = g->c_out / g->c_in, o[TERN_CONV_SP];
    for (int64_t n = 0; n < g->n; n++)
        for (o[0] = 0; o[0] < g->out[0]; o[0]++)
            for (o[1] = 0; o[1] < g->out[1]; o[1]++)
                for (o[2] = 0; o[2] < g->out[2]; o[2]++) {
                    tern_window win = tern_window_at(g, o);
                    int8_t *yp = y + n * ys[0] + o[0] * ys[2] + o[1] * ys[3] + o[2] * ys[4];
                    for (int64_t co = 0; co < g->c_out; co++) {
                        const int8_t *xc = x + n * xs[0] + (co / mult) * xs[1];
                        int32_t acc = dw_acc(g, &win, xc, xs, w + co * ws[0], ws, p, co);
                        yp[co * ys[1]] = tern_requant_fp32_apply(acc, &p->requant[co]);
                    }
                }
}
