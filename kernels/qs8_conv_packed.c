/* Packed int8 convolution through im2col tiles; see qs8_conv_packed.h. */
#include "kernels/qs8_conv_packed.h"

#include <string.h>

int64_t tern_qs8_conv_packed_k(const tern_conv_geom *g) {
    return g->kernel[1] * g->kernel[2] * g->c_in;
}

size_t tern_qs8_conv_packed_size(const tern_conv_geom *g, const tern_qs8_gemm_ukernel *uk) {
    return tern_qs8_gemm_packed_size(g->c_out, tern_qs8_conv_packed_k(g), uk->nr, uk->kr);
}

void tern_qs8_conv_pack(const tern_conv_geom *g, const tern_qs8_gemm_ukernel *uk, const int8_t *w,
                        const int64_t ws[5], const tern_qs8_dot_params *p, void *out) {
    tern_qs8_wview v = {.w = w, .ns = ws[0], .cin = g->c_in, .cs = ws[1], .kw = g->kernel[2],
                        .ys = ws[3], .xs = ws[4]};
    tern_qs8_gemm_pack_view(g->c_out, tern_qs8_conv_packed_k(g), uk->nr, uk->kr, &v, p, out);
}

int tern_qs8_conv_packed_supports(const tern_conv_geom *g, const int64_t xs[5],
                                  const int64_t ys[5]) {
    return g->group == 1 && g->in[0] == 1 && g->kernel[0] == 1 && g->out[0] == 1 &&
           g->pad_begin[0] == 0 && xs[1] == 1 && ys[1] == 1 && ys[3] == g->out[2] * ys[4] &&
           ys[0] == g->out[1] * ys[3];
}

size_t tern_qs8_conv_scratch_size(const tern_conv_geom *g, const tern_qs8_gemm_ukernel *uk) {
    return (size_t)uk->mr * (size_t)tern_qs8_conv_packed_k(g);
}

/* A 1x1 stride-1 unpadded convolution whose input pixels are dense is a
 * GEMM over the pixels as they are. */
static int is_pointwise(const tern_conv_geom *g, const int64_t xs[5]) {
    return g->kernel[1] == 1 && g->kernel[2] == 1 && g->stride[1] == 1 && g->stride[2] == 1 &&
           g->pad_begin[1] == 0 && g->pad_begin[2] == 0 && g->out[1] == g->in[1] &&
           g->out[2] == g->in[2] && xs[3] == g->in[2] * xs[4] && xs[0] == g->in[1] * xs[3];
}

/* The window of output pixel p (flat over n, oy, ox) as one im2col row. */
static void gather_row(const tern_conv_geom *g, const int8_t *x, const int64_t xs[5], int64_t p,
                       int8_t zx, int8_t *row) {
    int64_t ox = p % g->out[2], oy = (p / g->out[2]) % g->out[1], n = p / (g->out[2] * g->out[1]);
    int64_t iy0 = oy * g->stride[1] - g->pad_begin[1], ix0 = ox * g->stride[2] - g->pad_begin[2];
    size_t cin = (size_t)g->c_in;
    for (int64_t ky = 0; ky < g->kernel[1]; ky++)
        for (int64_t kx = 0; kx < g->kernel[2]; kx++, row += cin) {
            int64_t iy = iy0 + ky * g->dil[1], ix = ix0 + kx * g->dil[2];
            if (iy >= 0 && iy < g->in[1] && ix >= 0 && ix < g->in[2])
                memcpy(row, x + n * xs[0] + iy * xs[3] + ix * xs[4], cin);
            else
                memset(row, zx, cin);
        }
}

void tern_qs8_conv_packed_run(const tern_qs8_gemm_ukernel *uk, const tern_conv_geom *g,
                              const int8_t *x, const int64_t xs[5], const void *packed,
                              int32_t x_zero_point, int needs_rowsum, int8_t *y,
                              const int64_t ys[5], void *scratch) {
    int64_t pixels = g->n * g->out[1] * g->out[2], k = tern_qs8_conv_packed_k(g);
    if (is_pointwise(g, xs)) {
        tern_qs8_gemm_packed_run(uk, pixels, g->c_out, k, x, (size_t)xs[4], packed, needs_rowsum,
                                 y, (size_t)ys[4]);
        return;
    }
    int8_t *tile = scratch;
    for (int64_t p0 = 0; p0 < pixels; p0 += uk->mr) {
        int64_t mr = pixels - p0 < uk->mr ? pixels - p0 : uk->mr;
        for (int64_t r = 0; r < mr; r++)
            gather_row(g, x, xs, p0 + r, (int8_t)x_zero_point, tile + r * k);
        tern_qs8_gemm_packed_run(uk, mr, g->c_out, k, tile, (size_t)k, packed, needs_rowsum,
                                 y + p0 * ys[4], (size_t)ys[4]);
    }
}
