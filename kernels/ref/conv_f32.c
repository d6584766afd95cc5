/* Reference convolution; see conv_f32.h for the layout and the accumulation
 * order. The loops run output position outermost and input channel
 * innermost, so with channels-last input the inner loop reads contiguous
 * memory and the receptive field stays in cache while every output channel
 * is computed. Four output channels share each pass over the window, each in
 * its own accumulator: that changes nothing in any single output's order of
 * operations but hides the latency of the dependent float adds. */
#include "kernels/ref/conv_f32.h"

#include "kernels/ref/act.h"

/* Where one output position reads: the valid taps and the input offset of the
 * first channel of group 0 for each tap. */
typedef struct window {
    int64_t ky0, ky1, kx0, kx1; /* valid tap ranges [ky0, ky1) x [kx0, kx1) */
    int64_t iy0, ix0;           /* input coords of tap (0, 0), may be negative */
} window;

/* First tap k in [0, K) with o + k*d >= 0, and one past the last with o + k*d < size. */
static void tap_range(int64_t o, int64_t d, int64_t k, int64_t size, int64_t *k0, int64_t *k1) {
    int64_t a = 0, b = k;
    while (a < b && o + a * d < 0) a++;
    while (b > a && o + (b - 1) * d >= size) b--;
    *k0 = a;
    *k1 = b;
}

static window make_window(const tern_conv_geom *g, int64_t oy, int64_t ox) {
    window w;
    w.iy0 = oy * g->stride[0] - g->pad_begin[0];
    w.ix0 = ox * g->stride[1] - g->pad_begin[1];
    tap_range(w.iy0, g->dil[0], g->kernel[0], g->in[0], &w.ky0, &w.ky1);
    tap_range(w.ix0, g->dil[1], g->kernel[1], g->in[1], &w.kx0, &w.kx1);
    return w;
}

/* Sum over the window of one output channel: taps in (ky, kx) order, input
 * channels ci innermost. xg points at channel 0 of the group at (n, iy0, ix0)
 * before offsets; wc at w[co, 0, 0, 0]. */
static float conv_one(const window *win, const tern_conv_geom *g, int64_t cig, const float *xg,
                      const int64_t xs[4], const float *wc, const int64_t ws[4]) {
    float acc = 0.0f;
    for (int64_t ky = win->ky0; ky < win->ky1; ky++) {
        int64_t iy = win->iy0 + ky * g->dil[0];
        for (int64_t kx = win->kx0; kx < win->kx1; kx++) {
            int64_t ix = win->ix0 + kx * g->dil[1];
            const float *xp = xg + iy * xs[2] + ix * xs[3];
            const float *wp = wc + ky * ws[2] + kx * ws[3];
            for (int64_t ci = 0; ci < cig; ci++) acc += xp[ci * xs[1]] * wp[ci * ws[1]];
        }
    }
    return acc;
}

/* The same for four consecutive output channels of one group at once. */
static void conv_four(const window *win, const tern_conv_geom *g, int64_t cig, const float *xg,
                      const int64_t xs[4], const float *wc, const int64_t ws[4], float out[4]) {
    float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
    for (int64_t ky = win->ky0; ky < win->ky1; ky++) {
        int64_t iy = win->iy0 + ky * g->dil[0];
        for (int64_t kx = win->kx0; kx < win->kx1; kx++) {
            int64_t ix = win->ix0 + kx * g->dil[1];
            const float *xp = xg + iy * xs[2] + ix * xs[3];
            const float *w0 = wc + ky * ws[2] + kx * ws[3];
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
    }
    out[0] = a0;
    out[1] = a1;
    out[2] = a2;
    out[3] = a3;
}

/* All output channels at one output position (n, oy, ox). */
static void conv_point(const tern_conv_geom *g, const window *win, const float *xn,
                       const int64_t xs[4], const float *w, const int64_t ws[4],
                       const float *bias, float *yp, const int64_t ys[4], const tern_act *act) {
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

void tern_conv_f32(const tern_conv_geom *g, const float *x, const int64_t xs[4], const float *w,
                   const int64_t ws[4], const float *bias, float *y, const int64_t ys[4],
                   const tern_act *act) {
    for (int64_t n = 0; n < g->n; n++) {
        const float *xn = x + n * xs[0];
        for (int64_t oy = 0; oy < g->out[0]; oy++) {
            for (int64_t ox = 0; ox < g->out[1]; ox++) {
                window win = make_window(g, oy, ox);
                float *yp = y + n * ys[0] + oy * ys[2] + ox * ys[3];
                conv_point(g, &win, xn, xs, w, ws, bias, yp, ys, act);
            }
        }
    }
}
