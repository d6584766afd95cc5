/* ktest_f32_dwconv_3x3 / _5x5: FP32 depthwise row kernels against
 * tern_conv_f32 (the reference) on one output row: channel counts around
 * the vector width, narrow and odd rows, strides 1 and 2, left/right
 * padding, rows in the padding (NULL), a clamp, canaries past the row. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/ref/conv_f32.h"
#include "tests/ktest.h"

#define CANARY 12345.0f

typedef struct {
    size_t c, in_w, stride, pad_l, pad_r;
    unsigned null_rows; /* bit ky: row ky is in the padding */
    tern_f32_minmax mm;
} dw_shape;

static int check(const tern_f32_dwconv_ukernel *uk, const dw_shape *s, uint32_t seed, char *msg,
                 size_t cap) {
    int kh = uk->kh, kw = uk->kw, taps = kh * kw;
    size_t out_w = (s->in_w + s->pad_l + s->pad_r - (size_t)kw) / s->stride + 1;
    size_t row = s->in_w * s->c;
    float *x = calloc((size_t)kh * row + 1, sizeof(float));
    float *w = malloc(sizeof(float) * s->c * (size_t)taps), *b = malloc(sizeof(float) * s->c);
    float *packed = malloc(tern_f32_dwconv_packed_size(s->c, taps, uk->ct));
    float *y = malloc(sizeof(float) * (out_w * s->c + 8)), *ref = malloc(sizeof(float) * out_w * s->c);
    int ok = x && w && b && packed && y && ref;
    if (!ok) {
        snprintf(msg, cap, "out of memory");
        goto done;
    }
    const float *rows[5] = {0};
    for (int ky = 0; ky < kh; ky++) {
        int null = (s->null_rows >> ky) & 1u;
        for (size_t i = 0; i < row; i++) x[(size_t)ky * row + i] = null ? 0.0f : ktest_rand(&seed);
        rows[ky] = null ? NULL : x + (size_t)ky * row;
    }
    for (size_t i = 0; i < s->c * (size_t)taps; i++) w[i] = ktest_rand(&seed);
    for (size_t i = 0; i < s->c; i++) b[i] = ktest_rand(&seed);
    for (size_t i = 0; i < out_w * s->c + 8; i++) y[i] = CANARY;
    tern_f32_dwconv_pack(s->c, taps, uk->ct, w, taps, 1, b, packed);
    uk->fn(s->c, out_w, rows, s->in_w, s->stride, s->pad_l, packed, y, &s->mm);
    int64_t c = (int64_t)s->c;
    tern_conv_geom g = {.n = 1, .c_in = c, .c_out = c, .group = c,
                        .in = {1, kh, (int64_t)s->in_w}, .out = {1, 1, (int64_t)out_w},
                        .kernel = {1, kh, kw}, .stride = {1, 1, (int64_t)s->stride},
                        .dil = {1, 1, 1}, .pad_begin = {0, 0, (int64_t)s->pad_l},
                        .pad_end = {0, 0, (int64_t)s->pad_r}};
    int64_t xs[5] = {0, 1, 0, (int64_t)row, c}, ws[5] = {taps, 0, 0, kw, 1};
    int64_t ys[5] = {0, 1, 0, (int64_t)out_w * c, c};
    tern_act act = {TERN_ACT_CLIP, s->mm.lo, s->mm.hi};
    tern_conv_f32(&g, x, xs, w, ws, b, ref, ys, &act);
    for (size_t ox = 0; ok && ox < out_w; ox++)
        for (size_t ch = 0; ok && ch < s->c; ch++) {
            double sum = fabs(b[ch]);
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++) {
                    ptrdiff_t ix = (ptrdiff_t)(ox * s->stride) - (ptrdiff_t)s->pad_l + kx;
                    if (ix >= 0 && ix < (ptrdiff_t)s->in_w)
                        sum += fabs((double)x[(size_t)ky * row + (size_t)ix * s->c + ch] *
                                    w[ch * (size_t)taps + (size_t)(ky * kw + kx)]);
                }
            float got = y[ox * s->c + ch], want = ref[ox * s->c + ch];
            ok = ktest_f32_close(got, want, taps, sum);
            if (!ok) snprintf(msg, cap, "y[%zu][%zu] = %.9g, reference %.9g", ox, ch, got, want);
        }
    for (size_t i = out_w * s->c; ok && i < out_w * s->c + 8; i++)
        if (y[i] != CANARY) {
            ok = 0;
            snprintf(msg, cap, "wrote past the row");
        }
done:
    free(x), free(w), free(b), free(packed), free(y), free(ref);
    return ok;
}

static void ktest_dw(th_ctx *t, const tern_f32_dwconv_ukernel *uk) {
    size_t ct = (size_t)uk->ct, k = (size_t)uk->kw;
    const size_t cs[] = {1, 3, ct - 1, ct, ct + 1, 2 * ct + 3};
    const size_t ws[] = {1, 2, k, 7, 13, 30};
    const size_t pads[] = {0, 1, k / 2, k - 1};
    const unsigned nulls[] = {0, 1, 3u << (uk->kh - 2)};
    const tern_f32_minmax mms[] = {{-INFINITY, INFINITY}, {0.0f, 6.0f}, {-0.3f, 0.2f}};
    char msg[160] = "";
    uint32_t seed = 3;
    int ok = 1, n = 0;
    for (size_t ci = 0; ok && ci < sizeof cs / sizeof cs[0]; ci++)
        for (size_t wi = 0; ok && wi < sizeof ws / sizeof ws[0]; wi++)
            for (size_t st = 1; ok && st <= 2; st++)
                for (size_t pl = 0; ok && pl < sizeof pads / sizeof pads[0]; pl++)
                    for (size_t pr = 0; ok && pr < 2; pr++) {
                        dw_shape s = {cs[ci], ws[wi], st, pads[pl], pr ? k / 2 : 0,
                                      nulls[n % 3], mms[n % 5 % 3]};
                        n++;
                        if (s.in_w + s.pad_l + s.pad_r < k) continue;
                        ok = check(uk, &s, seed++, msg, sizeof msg);
                        if (!ok)
                            th_fail(t, uk->name,
                                    "c=%zu in_w=%zu stride=%zu pad %zu/%zu null rows %#x: %s", s.c,
                                    s.in_w, s.stride, s.pad_l, s.pad_r, s.null_rows, msg);
                    }
    if (ok) th_pass(t, uk->name);
}

void ktest_f32_dwconv_3x3(th_ctx *t, const tern_f32_dwconv_ukernel *k) {
    ktest_dw(t, k);
}

void ktest_f32_dwconv_5x5(th_ctx *t, const tern_f32_dwconv_ukernel *k) {
    ktest_dw(t, k);
}
