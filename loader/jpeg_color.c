/* The output image: upsampled component rows, then libjpeg's colour
 * conversion (jdcolor.c) with its 16-bit fixed-point tables:
 *   R = Y + ((FIX(1.40200) * (Cr-128) + ONE_HALF) >> 16)
 *   G = Y + ((-FIX(0.34414) * (Cb-128) + ONE_HALF - FIX(0.71414) * (Cr-128)) >> 16)
 *   B = Y + ((FIX(1.77200) * (Cb-128) + ONE_HALF) >> 16)
 * clamped to 0..255. RGB files (Adobe transform 0, or component ids 'R',
 * 'G', 'B' without JFIF/Adobe markers) are copied; gray stays 1 channel. */
#include <stdlib.h>
#include <string.h>

#include "loader/jpeg_priv.h"

#define SCALEBITS 16
#define ONE_HALF ((int32_t)1 << (SCALEBITS - 1))
#define FIX(x) ((int32_t)((x) * (1L << SCALEBITS) + 0.5))

/* jdcolor.c's build_ycc_rgb_table, as constant tables indexed by the
 * sample value (x = i - 128). */
#define CR_R(i) ((FIX(1.40200) * ((i)-128) + ONE_HALF) >> SCALEBITS)
#define CB_B(i) ((FIX(1.77200) * ((i)-128) + ONE_HALF) >> SCALEBITS)
#define CR_G(i) (-FIX(0.71414) * ((i)-128))
#define CB_G(i) (-FIX(0.34414) * ((i)-128) + ONE_HALF)
#define T8(F, b) F(b), F((b) + 1), F((b) + 2), F((b) + 3), F((b) + 4), F((b) + 5), F((b) + 6), F((b) + 7)
#define T32(F, b) T8(F, b), T8(F, (b) + 8), T8(F, (b) + 16), T8(F, (b) + 24)
#define T128(F, b) T32(F, b), T32(F, (b) + 32), T32(F, (b) + 64), T32(F, (b) + 96)
static const int16_t CR_R_TAB[256] = {T128(CR_R, 0), T128(CR_R, 128)};
static const int16_t CB_B_TAB[256] = {T128(CB_B, 0), T128(CB_B, 128)};
static const int32_t CR_G_TAB[256] = {T128(CR_G, 0), T128(CR_G, 128)};
static const int32_t CB_G_TAB[256] = {T128(CB_G, 0), T128(CB_G, 128)};

/* Clamp to 0..255 for -256 .. 511 (libjpeg's sample_range_limit); the
 * sums above stay within -227 .. 482. */
#define ID(i) (i)
#define Z(i) 0
#define MAX(i) 255
static const uint8_t CLAMP[768] = {T128(Z, 0),   T128(Z, 0),     T128(ID, 0),
                                   T128(ID, 128), T128(MAX, 0), T128(MAX, 0)};

static void ycc_to_rgb(const uint8_t *restrict y, const uint8_t *restrict cb,
                       const uint8_t *restrict cr, int w, uint8_t *restrict out) {
    const uint8_t *clamp = CLAMP + 256;
    for (int x = 0; x < w; x++) {
        int Y = y[x], b = cb[x], r = cr[x];
        out[3 * x] = clamp[Y + CR_R_TAB[r]];
        out[3 * x + 1] = clamp[Y + ((CB_G_TAB[b] + CR_G_TAB[r]) >> SCALEBITS)];
        out[3 * x + 2] = clamp[Y + CB_B_TAB[b]];
    }
}

static void interleave(const uint8_t *r, const uint8_t *g, const uint8_t *b, int w, uint8_t *out) {
    for (int x = 0; x < w; x++) {
        out[3 * x] = r[x];
        out[3 * x + 1] = g[x];
        out[3 * x + 2] = b[x];
    }
}

tern_status jdec_emit(jdec *d, tern_pnm *out) {
    int ch = d->ncomp == 1 ? 1 : 3;
    size_t row = (size_t)d->width * (size_t)ch; /* fits: checked against max_bytes at SOF */
    uint8_t *data = malloc(row * (size_t)d->height);
    /* one upsampling buffer per component: 2 * downsampled width + slack */
    size_t tmp_len = 2 * (size_t)d->width + 32;
    uint8_t *tmp = malloc(tmp_len * 3);
    if (!data || !tmp) {
        free(data);
        free(tmp);
        return tern_errf(d->err, TERN_ERR_NOMEM, "jpeg: out of memory for a %dx%d image", d->width,
                         d->height);
    }
    jdec_upsampler up[3];
    for (int i = 0; i < d->ncomp; i++) jdec_upsampler_init(d, &d->comp[i], &up[i]);
    for (int y = 0; y < d->height; y++) {
        uint8_t *o = data + (size_t)y * row;
        if (ch == 1) {
            memcpy(o, jdec_upsample_row(d, &d->comp[0], &up[0], y, tmp), (size_t)d->width);
            continue;
        }
        const uint8_t *c[3];
        for (int i = 0; i < 3; i++) c[i] = jdec_upsample_row(d, &d->comp[i], &up[i], y, tmp + i * tmp_len);
        if (d->rgb)
            interleave(c[0], c[1], c[2], d->width, o);
        else
            ycc_to_rgb(c[0], c[1], c[2], d->width, o);
    }
    free(tmp);
    out->width = d->width;
    out->height = d->height;
    out->channels = ch;
    out->data = data;
    return TERN_OK;
}
