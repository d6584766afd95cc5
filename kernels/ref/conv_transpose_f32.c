/* Reference transposed convolution; see conv_transpose_f32.h. */
#include "kernels/ref/conv_transpose_f32.h"

/* The input coordinate that tap k of output position o reads on one axis,
 * or -1 when that tap falls between input samples or outside the input. */
static int64_t tap_source(const tern_conv_geom *g, int a, int64_t o, int64_t k) {
    int64_t p = o + g->pad_begin[a] - k * g->dil[a];
    if (p < 0 || p % g->stride[a] != 0) return -1;
    p /= g->stride[a];
    return p < g->in[a] ? p : -1;
}

/* The sum of one output element (item n, channel co, position o) before
 * the bias. x and w point at the first input channel of co's group and at
 * w[that channel, co within its group]. */
static float output_sum(const tern_conv_geom *g, const float *x, const int64_t xs[5],
                        const float *w, const int64_t ws[5], int64_t cig,
                        const int64_t o[TERN_CONV_SP]) {
    float acc = 0.0f;
    for (int64_t kd = 0; kd < g->kernel[0]; kd++) {
        int64_t id = tap_source(g, 0, o[0], kd);
        if (id < 0) continue;
        for (int64_t ky = 0; ky < g->kernel[1]; ky++) {
            int64_t iy = tap_source(g, 1, o[1], ky);
            if (iy < 0) continue;
            for (int64_t kx = 0; kx < g->kernel[2]; kx++) {
                int64_t ix = tap_source(g, 2, o[2], kx);
                if (ix < 0) continue;
                const float *xp = x + id * xs[2] + iy * xs[3] + ix * xs[4];
                const float *wp = w + kd * ws[2] + ky * ws[3] + kx * ws[4];
                for (int64_t ci = 0; ci < cig; ci++) acc += xp[ci * xs[1]] * wp[ci * ws[0]];
            }
        }
    }
    return acc;
}

void tern_conv_transpose_f32(const tern_conv_geom *g, const float *x, const int64_t xs[5],
                             const float *w, const int64_t ws[5], const float *bias, float *y,
                             const int64_t ys[5]) {
    int64_t cig = g->c_in / g->group, cog = g->c_out / g->group;
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t co = 0; co < g->c_out; co++) {
            int64_t grp = co / cog;
            const float *xg = x + n * xs[0] + grp * cig * xs[1];
            const float *wg = w + grp * cig * ws[0] + (co - grp * cog) * ws[1];
            float b = bias ? bias[co] : 0.0f;
            int64_t o[TERN_CONV_SP];
            for (o[0] = 0; o[0] < g->out[0]; o[0]++)
                for (o[1] = 0; o[1] < g->out[1]; o[1]++)
                    for (o[2] = 0; o[2] < g->out[2]; o[2]++)
                        y[n * ys[0] + co * ys[1] + o[0] * ys[2] + o[1] * ys[3] + o[2] * ys[4]] =
                            output_sum(g, xg, xs, wg, ws, cig, o) + b;
        }
}
