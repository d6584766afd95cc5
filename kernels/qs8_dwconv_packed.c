/* Packed int8 depthwise convolution: packing and driver; see
 * qs8_dwconv_packed.h. */
#include "kernels/qs8_dwconv_packed.h"

#include <string.h>

static size_t group_size(int ks, int cr) { return (size_t)cr * (20 + 2 * (size_t)ks); }

size_t tern_qs8_dwconv_packed_size(int64_t c, int ks, int cr) {
    return (size_t)((c + cr - 1) / cr) * group_size(ks, cr);
}

static void pack_group(unsigned char *grp, int cr, int64_t c0, int64_t c, int64_t kh, int64_t kw,
                       const int8_t *w, const int64_t ws[5], const tern_qs8_dot_params *p) {
    int16_t *wd = (int16_t *)(void *)(grp + 20 * (size_t)cr);
    for (int j = 0; j < cr; j++) {
        int64_t ch = c0 + j;
        int32_t bias = 0, zy = 0;
        float scale = 1.0f, lo = 0.0f, hi = 0.0f;
        if (ch < c) {
            const tern_requant_fp32 *rq = &p->requant[ch];
            bias = p->bias ? p->bias[ch] : 0;
            scale = rq->scale;
            lo = (float)(rq->qmin - rq->zero_point);
            hi = (float)(rq->qmax - rq->zero_point);
            zy = rq->zero_point;
        }
        memcpy(grp + 4 * (0 * cr + j), &bias, 4);
        memcpy(grp + 4 * (1 * cr + j), &scale, 4);
        memcpy(grp + 4 * (2 * cr + j), &lo, 4);
        memcpy(grp + 4 * (3 * cr + j), &hi, 4);
        memcpy(grp + 4 * (4 * cr + j), &zy, 4);
        for (int64_t t = 0; t < kh * kw; t++) {
            int16_t v = 0;
            if (ch < c)
                v = (int16_t)(w[ch * ws[0] + (t / kw) * ws[3] + (t % kw) * ws[4]] -
                              p->w_zero_point[ch]);
            memcpy(wd + t * cr + j, &v, 2);
        }
    }
}

void tern_qs8_dwconv_pack(int64_t c, int64_t kh, int64_t kw, int cr, const int8_t *w,
                          const int64_t ws[5], const tern_qs8_dot_params *p, void *out) {
    size_t gsize = group_size((int)(kh * kw), cr);
    for (int64_t c0 = 0; c0 < c; c0 += cr)
        pack_group((unsigned char *)out + (size_t)(c0 / cr) * gsize, cr, c0, c, kh, kw, w, ws, p);
}

int tern_qs8_dwconv_packed_supports(const tern_qs8_dwconv_ukernel *uk, const tern_conv_geom *g,
                                    const int64_t xs[5], const int64_t ys[5]) {
    return g->group == g->c_in && g->c_out == g->c_in && g->in[0] == 1 && g->kernel[0] == 1 &&
           g->out[0] == 1 && g->pad_begin[0] == 0 && g->kernel[1] * g->kernel[2] == uk->ks &&
           xs[1] == 1 && ys[1] == 1;
}

void tern_qs8_dwconv_packed_run(const tern_qs8_dwconv_ukernel *uk, const tern_conv_geom *g,
                                const int8_t *x, const int64_t xs[5], const void *packed,
                                int32_t x_zero_point, int8_t *y, const int64_t ys[5],
                                int8_t *zero_row) {
    const int8_t *taps[TERN_QS8_DWCONV_MAX_KS];
    int64_t kh = g->kernel[1], kw = g->kernel[2];
    memset(zero_row, x_zero_point, (size_t)g->c_in);
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t oy = 0; oy < g->out[1]; oy++)
            for (int64_t ox = 0; ox < g->out[2]; ox++) {
                int64_t iy0 = oy * g->stride[1] - g->pad_begin[1];
                int64_t ix0 = ox * g->stride[2] - g->pad_begin[2];
                for (int64_t ky = 0; ky < kh; ky++)
                    for (int64_t kx = 0; kx < kw; kx++) {
                        int64_t iy = iy0 + ky * g->dil[1], ix = ix0 + kx * g->dil[2];
                        int inside = iy >= 0 && iy < g->in[1] && ix >= 0 && ix < g->in[2];
                        taps[ky * kw + kx] =
                            inside ? x + n * xs[0] + iy * xs[3] + ix * xs[4] : zero_row;
                    }
                uk->fn((size_t)g->c_in, taps, packed, y + n * ys[0] + oy * ys[3] + ox * ys[4],
                       x_zero_point);
            }
}
