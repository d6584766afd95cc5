/* Reference int8 convolution; see qs8_conv_fp32.h. */
#include "kernels/ref/qs8_conv_fp32.h"

/* acc of output channel co at window win: bias, then taps (kd, ky, kx) with
 * input channels innermost. xg points at channel 0 of the group (batch item
 * n), wc at w[co, 0, 0, 0, 0]. */
static int32_t conv_acc(const tern_conv_geom *g, const tern_window *win, const int8_t *xg,
                        const int64_t xs[5], const int8_t *wc, const int64_t ws[5],
                        const tern_qs8_dot_params *p, int64_t co) {
    int64_t cig = g->c_in / g->group;
    int32_t acc = p->bias ? p->bias[co] : 0;
    int32_t zx = p->x_zero_point, zw = p->w_zero_point[co];
    for (int64_t kd = win->k0[0]; kd < win->k1[0]; kd++)
        for (int64_t ky = win->k0[1]; ky < win->k1[1]; ky++)
            for (int64_t kx = win->k0[2]; kx < win->k1[2]; kx++) {
                const int8_t *xp = xg + tern_window_offset(g, win, xs, kd, ky, kx);
                const int8_t *wp = wc + kd * ws[2] + ky * ws[3] + kx * ws[4];
                if (xs[1] == 1 && ws[1] == 1) { /* channels-last x, packed w: contiguous */
                    for (int64_t ci = 0; ci < cig; ci++)
                        acc += ((int32_t)xp[ci] - zx) * ((int32_t)wp[ci] - zw);
                    continue;
                }
                for (int64_t ci = 0; ci < cig; ci++)
                    acc += ((int32_t)xp[ci * xs[1]] - zx) * ((int32_t)wp[ci * ws[1]] - zw);
            }
    return acc;
}

/* Visit every output element; store() writes its accumulator at offset off of y. */
typedef void (*store_fn)(void *y, int64_t off, int32_t acc, const tern_qs8_dot_params *p,
                         int64_t co);

static void conv_walk(const tern_conv_geom *g, const int8_t *x, const int64_t xs[5],
                      const int8_t *w, const int64_t ws[5], const tern_qs8_dot_params *p, void *y,
                      const int64_t ys[5], store_fn store) {
    int64_t cig = g->c_in / g->group, cog = g->c_out / g->group, o[TERN_CONV_SP];
    for (int64_t n = 0; n < g->n; n++)
        for (o[0] = 0; o[0] < g->out[0]; o[0]++)
            for (o[1] = 0; o[1] < g->out[1]; o[1]++)
                for (o[2] = 0; o[2] < g->out[2]; o[2]++) {
                    tern_window win = tern_window_at(g, o);
                    int64_t yo = n * ys[0] + o[0] * ys[2] + o[1] * ys[3] + o[2] * ys[4];
                    for (int64_t co = 0; co < g->c_out; co++) {
                        const int8_t *xg = x + n * xs[0] + (co / cog) * cig * xs[1];
                        int32_t acc = conv_acc(g, &win, xg, xs, w + co * ws[0], ws, p, co);
                        store(y, yo + co * ys[1], acc, p, co);
                    }
                }
}

static void store_fp32(void *y, int64_t off, int32_t acc, const tern_qs8_dot_params *p,
                       int64_t co) {
    ((int8_t *)y)[off] = tern_requant_fp32_apply(acc, &p->requant[co]);
}

static void store_s32(void *y, int64_t off, int32_t acc, const tern_qs8_dot_params *p, int64_t co) {
    (void)p;
    (void)co;
    ((int32_t *)y)[off] = acc;
}

void tern_ref_qs8_conv_fp32(const tern_conv_geom *g, const int8_t *x, const int64_t xs[5],
                            const int8_t *w, const int64_t ws[5], const tern_qs8_dot_params *p,
                            int8_t *y, const int64_t ys[5]) {
    conv_walk(g, x, xs, w, ws, p, y, ys, store_fp32);
}

void tern_ref_qs8_conv_s32(const tern_conv_geom *g, const int8_t *x, const int64_t xs[5],
                           const int8_t *w, const int64_t ws[5], const tern_qs8_dot_params *p,
                           int32_t *y, const int64_t ys[5]) {
    conv_walk(g, x, xs, w, ws, p, y, ys, store_s32);
}
