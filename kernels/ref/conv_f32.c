/* Reference convolution; see conv_f32.h for the layout and the accumulation
 * order. The loops run output position outermost and input channel
 * innermost, so with channels-last input the inner loop reads contiguous
 * memory and the receptive field stays in cache while every output channel
 * is computed. Four output channels share each pass over the window, each in
 * its own accumulator: that changes nothing in any single output's order of
 * operations but hides the latency of the dependent float adds. */
#include "kernels/ref/conv_f32.h"

#include "kernels/ref/act.h"

/* Sum over the window of one output channel: taps in (kd, ky, kx) order,
 * input channels ci innermost. xg points at channel 0 of the group (batch
 * item n); wc at w[co, 0, 0, 0, 0]. */
static float conv_one(const tern_window *win, const tern_conv_geom *g, int64_t cig,
                      const float *xg, const int64_t xs[5], const float *wc,
                      const int64_t ws[5]) {
    float acc = 0.0f;
    for (int64_t kd = win->k0[0]; kd < win->k1[0]; kd++)
        for (int64_t ky = win->k0[1]; ky < win->k1[1]; ky++)
            for (int64_t kx = win->k0[2]; kx < win->k1[2]; kx++) {
                const float *xp = xg + tern_window_offset(g, win, xs, kd, ky, kx);
                const float *wp = wc + kd * ws[2] + ky * ws[3] + kx * ws[4];
                for (int64_t ci = 0; ci < cig; ci++) acc += xp[ci * xs[1]] * wp[ci * ws[1]];
            }
    return acc;
}

/* The same for four consecutive output channels of one group at once. */
static void conv_four(const tern_window *win, const tern_conv_geom *g, int64_t cig,
                      const float *xg, const int64_t xs[5], const float *wc,
                      const int64_t ws[5], float out[4]) {
    float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
    for (int64_t kd = win->k0[0]; kd < win->k1[0]; kd++)
        for (int64_t ky = win->k0[1]; ky < win->k1[1]; ky++)
            for (int64_t kx = win->k0[2]; kx < win->k1[2]; kx++) {
                const float *xp = xg + tern_window_offset(g, win, xs, kd, ky, kx);
                const float *w0 = wc + kd * ws[2] + ky * ws[3] + kx * ws[4];
                const float *w1 = w0 + ws[0], *w2 = w1 + ws[0], *w3 = w2 + ws[0];
                for (int64_t ci = 0; ci < cig; ci++) {
                    float xv = xp[ci * xs[1]];
                    int64_t wo = ci * ws[1];
                    a0 += xv * w0[wo];
                    a1 += xv * w1[wo];
                    a2 += xv * w2[wo];
                    a3 += xv * w3[wo];
                }
            }
    out[0] = a0;
    out[1] = a1;
    out[2] = a2;
    out[3] = a3;
}

/* All output channels at one output position. */
static void conv_point(const tern_conv_geom *g, const tern_window *win, const float *xn,
                       const int64_t xs[5], const float *w, const int64_t ws[5],
                       const float *bias, float *yp, const int64_t ys[5], const tern_act *act) {
    int64_t cig = g->c_in / g->group, cog = g->c_out / g->group;
    for (int64_t grp = 0; grp < g->group; grp++) {
        const float *xg = xn + grp * cig * xs[1];
        int64_t co = grp * cog, end = co + cog;
        float acc[4];
        for (; co + 4 <= end; co += 4) {
            conv_four(win, g, cig, xg, xs, w + co * ws[0], ws, acc);
            for (int k = 0; k < 4; k++) {
                float b = bias ? bias[co + k] : 0.0f;
                yp[(co + k) * ys[1]] = tern_act_apply(act, acc[k] + b);
            }
        }
        for (; co < end; co++) {
            float a = conv_one(win, g, cig, xg, xs, w + co * ws[0], ws);
            yp[co * ys[1]] = tern_act_apply(act, a + (bias ? bias[co] : 0.0f));
        }
    }
}

void tern_conv_f32(const tern_conv_geom *g, const float *x, const int64_t xs[5], const float *w,
                   const int64_t ws[5], const float *bias, float *y, const int64_t ys[5],
                   const tern_act *act) {
    int64_t o[TERN_CONV_SP];
    for (int64_t n = 0; n < g->n; n++)
        for (o[0] = 0; o[0] < g->out[0]; o[0]++)
            for (o[1] = 0; o[1] < g->out[1]; o[1]++)
                for (o[2] = 0; o[2] < g->out[2]; o[2]++) {
                    tern_window win = tern_window_at(g, o);
                    float *yp = y + n * ys[0] + o[0] * ys[2] + o[1] * ys[3] + o[2] * ys[4];
                    conv_point(g, &win, x + n * xs[0], xs, w, ws, bias, yp, ys, act);
                }
}
