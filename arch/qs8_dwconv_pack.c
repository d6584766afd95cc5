/* Packing and the indirection driver of the qs8 depthwise kernels; the
 * layout is described in qs8_dwconv.h. */
#include "arch/qs8_dwconv.h"

#include <string.h>

static int64_t blocks(const tern_qs8_dwconv_ukernel *kern, int64_t c) {
    return (c + kern->cb - 1) / kern->cb;
}

static size_t block_bytes(const tern_qs8_dwconv_ukernel *kern, int64_t taps) {
    return (size_t)kern->cb * (4 + 4 * 4) + (size_t)((taps + 1) / 2) * (size_t)kern->cb * 4;
}

size_t tern_qs8_dwconv_packed_size(const tern_qs8_dwconv_ukernel *kern, int64_t c, int64_t taps) {
    return (size_t)blocks(kern, c) * block_bytes(kern, taps) + (size_t)(blocks(kern, c) * kern->cb);
}

/* The channel (within its block) of lane l; see qs8_dwconv.h. */
static int64_t lane_channel(const tern_qs8_dwconv_ukernel *kern, int64_t l) {
    int64_t half = kern->cb / 2, v = l / half, i = l % half;
    return (i / 8) * 16 + v * 8 + i % 8;
}

/* w' of channel c, tap t (0 past the taps). */
static int32_t wprime(int64_t c, int64_t t, int64_t kh, int64_t kw, const int8_t *w,
                      const int64_t ws[5], const tern_qs8_dot_params *p) {
    if (t >= kh * kw) return 0;
    return (int32_t)w[c * ws[0] + (t / kw) * ws[3] + (t % kw) * ws[4]] - p->w_zero_point[c];
}

static void put32(unsigned char *dst, int64_t i, const void *v) { memcpy(dst + 4 * i, v, 4); }

static unsigned char *pack_block(const tern_qs8_dwconv_ukernel *kern, int64_t c0, int64_t c,
                                 int64_t kh, int64_t kw, const int8_t *w, const int64_t ws[5],
                                 const tern_qs8_dot_params *p, unsigned char *dst) {
    int64_t cb = kern->cb, taps = kh * kw;
    for (int64_t l = 0; l < cb; l++) {
        int64_t ch = c0 + lane_channel(kern, l), sum = 0;
        for (int64_t t = 0; ch < c && t < taps; t++) sum += wprime(ch, t, kh, kw, w, ws, p);
        int64_t b = ch < c ? (p->bias ? p->bias[ch] : 0) - (int64_t)p->x_zero_point * sum : 0;
        int32_t b32 = (int32_t)(uint32_t)((uint64_t)b & 0xffffffffu);
        put32(dst, l, &b32);
    }
    dst += 4 * cb;
    for (int64_t t = 0; t < taps; t += 2)
        for (int64_t l = 0; l < cb; l++, dst += 4) {
            int64_t ch = c0 + lane_channel(kern, l);
            int16_t pair[2] = {0, 0};
            if (ch < c) {
                pair[0] = (int16_t)wprime(ch, t, kh, kw, w, ws, p);
                pair[1] = (int16_t)wprime(ch, t + 1, kh, kw, w, ws, p);
            }
            memcpy(dst, pair, 4);
        }
    for (int64_t l = 0; l < cb; l++) {
        int64_t ch = c0 + lane_channel(kern, l);
        const tern_requant_fp32 *rq = ch < c ? &p->requant[ch] : NULL;
        float scale = rq ? rq->scale : 0.0f, lo = rq ? (float)(rq->qmin - rq->zero_point) : 0.0f,
              hi = rq ? (float)(rq->qmax - rq->zero_point) : 0.0f;
        int32_t zy = rq ? rq->zero_point : 0;
        put32(dst, l, &scale);
        put32(dst, cb + l, &lo);
        put32(dst, 2 * cb + l, &hi);
        put32(dst, 3 * cb + l, &zy);
    }
    return dst + 4 * 4 * cb;
}

void tern_qs8_dwconv_pack(const tern_qs8_dwconv_ukernel *kern, int64_t c, int64_t kh, int64_t kw,
                          const int8_t *w, const int64_t ws[5], const tern_qs8_dot_params *p,
                          void *out) {
    unsigned char *dst = out;
    for (int64_t c0 = 0; c0 < c; c0 += kern->cb) dst = pack_block(kern, c0, c, kh, kw, w, ws, p, dst);
    memset(dst, (int8_t)p->x_zero_point, (size_t)(blocks(kern, c) * kern->cb));
}

int tern_qs8_dwconv_supported(const tern_conv_geom *g, const int64_t xs[5], const int64_t ys[5]) {
    return g->group == g->c_in && g->c_out == g->c_in && g->in[0] == 1 && g->kernel[0] == 1 &&
           g->out[0] == 1 && g->kernel[1] * g->kernel[2] <= TERN_QS8_DWCONV_MAX_TAPS && xs[1] == 1 &&
           ys[1] == 1;
}

#define PIX_CHUNK 16 /* output pixels per kernel call: their pointers live on the stack */

/* Fill the tap pointers of output pixels [ow0, ow0 + n) of row (b, oh):
 * rows[ky] is input row iy's first pixel, or NULL in the padding. Interior
 * pixels (every tap column inside) take the plain offsets; the others
 * check each column. */
static void indirection(const tern_conv_geom *g, const int8_t *const *rows, const int64_t xs[5],
                        const int8_t *zero, int64_t ow0, int64_t n, const int8_t **ptr) {
    int64_t kh = g->kernel[1], kw = g->kernel[2], dil = g->dil[2], w = g->in[2];
    for (int64_t i = 0; i < n; i++) {
        int64_t ix0 = (ow0 + i) * g->stride[2] - g->pad_begin[2];
        int inside = ix0 >= 0 && ix0 + (kw - 1) * dil < w;
        for (int64_t ky = 0; ky < kh; ky++) {
            const int8_t *r = rows[ky];
            for (int64_t kx = 0, ix = ix0; kx < kw; kx++, ix += dil)
                *ptr++ = r && (inside || (ix >= 0 && ix < w)) ? r + ix * xs[4] : zero;
        }
    }
}

void tern_qs8_dwconv_rows(const tern_qs8_dwconv_ukernel *kern, const tern_conv_geom *g,
                          const int8_t *x, const int64_t xs[5], const void *packed, int8_t *y,
                          const int64_t ys[5], int64_t r0, int64_t r1) {
    int64_t taps = g->kernel[1] * g->kernel[2], c = g->c_in;
    const int8_t *zero = (const int8_t *)packed + blocks(kern, c) * block_bytes(kern, taps);
    const int8_t *ptr[PIX_CHUNK * TERN_QS8_DWCONV_MAX_TAPS];
    const int64_t chunk = PIX_CHUNK;
    const int8_t *rows[TERN_QS8_DWCONV_MAX_TAPS];
    for (int64_t r = r0; r < r1; r++) {
        int64_t b = r / g->out[1], oh = r % g->out[1];
        for (int64_t ky = 0; ky < g->kernel[1]; ky++) {
            int64_t iy = oh * g->stride[1] - g->pad_begin[1] + ky * g->dil[1];
            rows[ky] = iy >= 0 && iy < g->in[1] ? x + b * xs[0] + iy * xs[3] : NULL;
        }
        for (int64_t ow = 0; ow < g->out[2]; ow += chunk) {
            int64_t n = g->out[2] - ow < chunk ? g->out[2] - ow : chunk;
            indirection(g, rows, xs, zero, ow, n, ptr);
            kern->fn((size_t)c, (size_t)n, ptr, (size_t)taps, packed,
                     y + b * ys[0] + oh * ys[3] + ow * ys[4], (size_t)ys[4]);
        }
    }
}
