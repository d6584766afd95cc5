/* Image preprocessing; see loader/image_prep.h. The resize follows Pillow
 * 9.4's libImaging/Resample.c line by line (precompute_coeffs,
 * normalize_coeffs_8bpc, ImagingResampleHorizontal/Vertical_8bpc): every
 * rounding step matters for bit-exact tensors, so the arithmetic (double
 * for the coefficients, int32 fixed point for the sums) is kept as is. */
#include "loader/image_prep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PRECISION_BITS (32 - 8 - 2)

/* ---- presets ------------------------------------------------------------ */

static const struct {
    const char *name;
    tern_preprocess p;
} PRESETS[] = {
    {"none", {.geometry = TERN_PREP_FIT, .values = TERN_PREP_UNIT}},
    {"tf128", {.geometry = TERN_PREP_CENTRAL_CROP, .fraction = 0.875, .values = TERN_PREP_TF128}},
    {"tf127", {.geometry = TERN_PREP_CENTRAL_CROP, .fraction = 0.875, .values = TERN_PREP_TF127}},
    {"unit", {.geometry = TERN_PREP_CENTRAL_CROP, .fraction = 0.875, .values = TERN_PREP_UNIT}},
    {"torchvision", {.geometry = TERN_PREP_RESIZE_CROP, .values = TERN_PREP_TORCHVISION}},
    /* EfficientNet-Lite (TF efficientnet_lite_builder): MEAN_RGB 127, STDDEV_RGB 128 */
    {"effnet-lite", {.geometry = TERN_PREP_RESIZE_CROP, .values = TERN_PREP_MEAN_STD,
                     .mean = {127, 127, 127}, .std = {128, 128, 128}}},
};
#define N_PRESETS (sizeof PRESETS / sizeof PRESETS[0])

tern_status tern_preprocess_preset(const char *name, tern_preprocess *out) {
    for (size_t k = 0; name && out && k < N_PRESETS; k++) {
        if (strcmp(name, PRESETS[k].name) == 0) {
            *out = PRESETS[k].p;
            return TERN_OK;
        }
    }
    return TERN_ERR_INVALID_ARG;
}

const char *tern_preprocess_presets(void) {
    return "none, tf128, tf127, unit, torchvision, effnet-lite";
}

const char *tern_prep_check(const tern_preprocess *p) {
    if (p->geometry < TERN_PREP_FIT || p->geometry > TERN_PREP_RESIZE_CROP)
        return "unknown geometry";
    if (p->geometry == TERN_PREP_CENTRAL_CROP && !(p->fraction > 0.0 && p->fraction <= 1.0))
        return "the central fraction must be in (0, 1]";
    if (p->geometry == TERN_PREP_RESIZE_CROP && (p->resize < 0 || p->resize > 65535))
        return "the resize must be 0 (automatic) or 1..65535";
    if (p->values < TERN_PREP_UNIT || p->values > TERN_PREP_MEAN_STD) return "unknown value mapping";
    for (int c = 0; p->values == TERN_PREP_MEAN_STD && c < 3; c++)
        if (!(p->std[c] != 0.0f) || p->std[c] != p->std[c] || p->mean[c] != p->mean[c])
            return "mean and std must be numbers, std not 0";
    return NULL;
}

/* ---- Pillow bilinear resample ----------------------------------------- */

static double bilinear_filter(double x) {
    if (x < 0.0) x = -x;
    if (x < 1.0) return 1.0 - x;
    return 0.0;
}

typedef struct {
    int ksize;
    int *bounds; /* per output pixel: first input index, count */
    int32_t *k;  /* per output pixel: ksize fixed-point weights */
} resample_coeffs;

/* precompute_coeffs + normalize_coeffs_8bpc for in_size -> out_size over
 * the whole input (box 0..in_size). */
static int coeffs_make(int in_size, int out_size, resample_coeffs *rc) {
    const double support_1 = 1.0; /* bilinear filter support */
    double scale = (double)((float)in_size - 0.0f) / out_size;
    double filterscale = scale < 1.0 ? 1.0 : scale;
    double support = support_1 * filterscale;
    int ksize = (int)ceil(support) * 2 + 1;
    double *kk = malloc(sizeof(double) * (size_t)out_size * (size_t)ksize);
    rc->bounds = malloc(sizeof(int) * 2 * (size_t)out_size);
    rc->k = malloc(sizeof(int32_t) * (size_t)out_size * (size_t)ksize);
    rc->ksize = ksize;
    if (!kk || !rc->bounds || !rc->k) {
        free(kk);
        free(rc->bounds);
        free(rc->k);
        return -1;
    }
    for (int xx = 0; xx < out_size; xx++) {
        double center = 0.0 + (xx + 0.5) * scale, ww = 0.0, ss = 1.0 / filterscale;
        int xmin = (int)(center - support + 0.5), xmax = (int)(center + support + 0.5);
        if (xmin < 0) xmin = 0;
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        double *k = &kk[(size_t)xx * (size_t)ksize];
        int x;
        for (x = 0; x < xmax; x++) {
            double w = bilinear_filter((x + xmin - center + 0.5) * ss);
            k[x] = w;
            ww += w;
        }
        for (x = 0; x < xmax; x++)
            if (ww != 0.0) k[x] /= ww;
        for (; x < ksize; x++) k[x] = 0;
        rc->bounds[xx * 2] = xmin;
        rc->bounds[xx * 2 + 1] = xmax;
    }
    for (size_t i = 0; i < (size_t)out_size * (size_t)ksize; i++)
        rc->k[i] = kk[i] < 0 ? (int32_t)(-0.5 + kk[i] * (1 << PRECISION_BITS))
                             : (int32_t)(0.5 + kk[i] * (1 << PRECISION_BITS));
    free(kk);
    return 0;
}

static void coeffs_free(resample_coeffs *rc) {
    free(rc->bounds);
    free(rc->k);
}

static uint8_t clip8(int32_t v) {
    if (v < 0) return 0;
    v >>= PRECISION_BITS;
    return v > 255 ? 255 : (uint8_t)v;
}

/* One pass along x (step = channels) or y (step = row length): out pixel i
 * of a line is sum_k in[bounds_i + k] * w_ik, rounded and clipped. */
static void resample_line(const uint8_t *in, size_t step, const resample_coeffs *rc, int n_out,
                          uint8_t *out, size_t out_step) {
    for (int i = 0; i < n_out; i++) {
        const int32_t *k = &rc->k[(size_t)i * (size_t)rc->ksize];
        int lo = rc->bounds[i * 2], cnt = rc->bounds[i * 2 + 1];
        int32_t ss = 1 << (PRECISION_BITS - 1);
        for (int j = 0; j < cnt; j++) ss += (int32_t)in[(size_t)(lo + j) * step] * k[j];
        out[(size_t)i * out_step] = clip8(ss);
    }
}

static int resample_horizontal(const tern_prep_image *in, int ow, tern_prep_image *out) {
    resample_coeffs rc;
    out->w = ow, out->h = in->h, out->c = in->c;
    out->px = malloc((size_t)ow * (size_t)in->h * (size_t)in->c);
    if (!out->px || coeffs_make(in->w, ow, &rc) != 0) {
        free(out->px);
        return -1;
    }
    for (int y = 0; y < in->h; y++)
        for (int ch = 0; ch < in->c; ch++)
            resample_line(in->px + ((size_t)y * (size_t)in->w) * (size_t)in->c + (size_t)ch,
                          (size_t)in->c, &rc, ow,
                          out->px + ((size_t)y * (size_t)ow) * (size_t)in->c + (size_t)ch,
                          (size_t)in->c);
    coeffs_free(&rc);
    return 0;
}

static int resample_vertical(const tern_prep_image *in, int oh, tern_prep_image *out) {
    resample_coeffs rc;
    size_t row = (size_t)in->w * (size_t)in->c;
    out->w = in->w, out->h = oh, out->c = in->c;
    out->px = malloc(row * (size_t)oh);
    if (!out->px || coeffs_make(in->h, oh, &rc) != 0) {
        free(out->px);
        return -1;
    }
    for (size_t x = 0; x < row; x++) resample_line(in->px + x, row, &rc, oh, out->px + x, row);
    coeffs_free(&rc);
    return 0;
}

static int image_copy(const tern_prep_image *in, tern_prep_image *out) {
    size_t n = (size_t)in->w * (size_t)in->h * (size_t)in->c;
    *out = *in;
    out->px = malloc(n ? n : 1);
    if (!out->px) return -1;
    memcpy(out->px, in->px, n);
    return 0;
}

/* Pillow resamples horizontally first, then vertically, and skips a pass
 * whose size does not change (such a pass would be the identity anyway). */
int tern_prep_resize_bilinear(const tern_prep_image *in, int ow, int oh, tern_prep_image *out) {
    tern_prep_image tmp;
    if (ow == in->w) {
        if (image_copy(in, &tmp) != 0) return -1;
    } else if (resample_horizontal(in, ow, &tmp) != 0) {
        return -1;
    }
    if (oh == in->h) {
        *out = tmp;
        return 0;
    }
    int r = resample_vertical(&tmp, oh, out);
    free(tmp.px);
    return r;
}

int tern_prep_crop(const tern_prep_image *in, int left, int top, int w, int h, tern_prep_image *out) {
    if (left < 0 || top < 0 || w < 1 || h < 1 || left > in->w - w || top > in->h - h) return -1;
    size_t row = (size_t)w * (size_t)in->c;
    out->w = w, out->h = h, out->c = in->c;
    out->px = malloc(row * (size_t)h);
    if (!out->px) return -1;
    for (int y = 0; y < h; y++)
        memcpy(out->px + (size_t)y * row,
               in->px + (((size_t)(top + y) * (size_t)in->w) + (size_t)left) * (size_t)in->c, row);
    return 0;
}

int tern_prep_to_channels(const tern_prep_image *in, int c, tern_prep_image *out) {
    if (in->c == c) return image_copy(in, out);
    size_t n = (size_t)in->w * (size_t)in->h;
    out->w = in->w, out->h = in->h, out->c = c;
    out->px = malloc(n * (size_t)c);
    if (!out->px) return -1;
    for (size_t i = 0; i < n; i++) {
        if (c == 3) {
            memset(out->px + i * 3, in->px[i], 3);
        } else {
            /* Pillow's L = R*299/1000 + G*587/1000 + B*114/1000 in 16-bit fixed point */
            const uint8_t *p = in->px + i * 3;
            out->px[i] = (uint8_t)((p[0] * 19595u + p[1] * 38470u + p[2] * 7471u + 0x8000u) >> 16);
        }
    }
    return 0;
}

/* ---- geometry -------------------------------------------------------- */

/* TF's central_crop: top = int((H - H*f) / 2), crop [top, H-top). */
static int central_crop(const tern_prep_image *in, double f, tern_prep_image *out) {
    int top = (int)((in->h - in->h * f) / 2), left = (int)((in->w - in->w * f) / 2);
    return tern_prep_crop(in, left, top, in->w - 2 * left, in->h - 2 * top, out);
}

/* Python's round() of d/2 for an integer d: halves go to the even neighbour. */
static int round_half_even_div2(int d) {
    int q = d >= 0 ? d / 2 : -((-d + 1) / 2); /* floor(d / 2) */
    if (d % 2 == 0) return q;
    return (q % 2 == 0) ? q : q + 1; /* d/2 = q + 0.5 */
}

/* torchvision Resize(short) + CenterCrop(out_h, out_w): long side
 * int(short*long/shorter); short 0 means 256 for a 224 crop (scaled for
 * other sizes). */
static int resize_crop(const tern_prep_image *img, int short_side, int out_h, int out_w,
                       tern_prep_image *out) {
    int crop = out_h < out_w ? out_h : out_w;
    if (short_side == 0) short_side = crop == 224 ? 256 : crop * 256 / 224;
    int w = img->w, h = img->h, nw, nh;
    /* the long side in double first: a thin image scales it past int, and
     * the resized image (made in full before the crop) must stay bounded */
    double long_side = (double)short_side * (w <= h ? h : w) / (w <= h ? w : h);
    if (long_side * short_side * img->c > (double)TERN_PREP_MAX_BYTES) return TERN_PREP_ERR_SIZE;
    if (w <= h) {
        nw = short_side;
        nh = (int)long_side;
    } else {
        nh = short_side;
        nw = (int)long_side;
    }
    if (nw < out_w || nh < out_h) return TERN_PREP_ERR_CROP;
    tern_prep_image r;
    if (tern_prep_resize_bilinear(img, nw, nh, &r) != 0) return TERN_PREP_ERR_NOMEM;
    int rc = tern_prep_crop(&r, round_half_even_div2(nw - out_w), round_half_even_div2(nh - out_h),
                       out_w, out_h, out);
    free(r.px);
    return rc;
}

const char *tern_prep_error_text(int rc) {
    switch (rc) {
    case TERN_PREP_ERR_CROP: return "the preset's crop does not fit the output size";
    case TERN_PREP_ERR_SIZE: return "the image would be too large after the preset's resize";
    default: return "out of memory preprocessing the image";
    }
}

int tern_prep_pixels(const tern_prep_image *img, const tern_preprocess *p, int out_h, int out_w,
                     int out_c, tern_prep_image *out) {
    tern_prep_image chan, cropped;
    if ((double)out_h * out_w * out_c > (double)TERN_PREP_MAX_BYTES) return TERN_PREP_ERR_SIZE;
    if (tern_prep_to_channels(img, out_c, &chan) != 0) return -1;
    int rc;
    if (p->geometry == TERN_PREP_RESIZE_CROP) {
        rc = resize_crop(&chan, p->resize, out_h, out_w, out);
    } else if (p->geometry == TERN_PREP_CENTRAL_CROP) {
        rc = central_crop(&chan, p->fraction, &cropped);
        if (rc == 0) {
            rc = tern_prep_resize_bilinear(&cropped, out_w, out_h, out);
            free(cropped.px);
        }
    } else {
        rc = tern_prep_resize_bilinear(&chan, out_w, out_h, out);
    }
    free(chan.px);
    return rc;
}

/* tf presets as the reference tool computed them: (p - zp) * scale in double,
 * then rounded to float; torchvision in float32 as numpy does. */
float tern_prep_value(const tern_preprocess *p, uint8_t px, int ch) {
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
    int c = ch < 0 ? 0 : ch < 3 ? ch : 2;
    switch (p->values) {
    case TERN_PREP_TF128: return (float)((double)(px - 128) * (1.0 / 128));
    case TERN_PREP_TF127: return (float)((double)(px - 128) * (1.0 / 127));
    case TERN_PREP_TORCHVISION: {
        float x = (float)px / 255.0f;
        return (x - mean[c]) / std[c];
    }
    case TERN_PREP_MEAN_STD: return ((float)px - p->mean[c]) / p->std[c];
    case TERN_PREP_UNIT:
    default: return (float)((double)px * (1.0 / 255));
    }
}

/* Index of pixel (y, x), channel ch in an HWC or CHW tensor. */
static size_t layout_index(const tern_prep_image *img, int nchw, int y, int x, int ch) {
    size_t hw = (size_t)img->h * (size_t)img->w, pos = (size_t)y * (size_t)img->w + (size_t)x;
    return nchw ? (size_t)ch * hw + pos : pos * (size_t)img->c + (size_t)ch;
}

/* The pixel channel that feeds output channel ch: reversed for BGR. */
static int source_channel(const tern_prep_image *img, int bgr, int ch) {
    return bgr && img->c == 3 ? 2 - ch : ch;
}

void tern_prep_to_float(const tern_prep_image *img, const tern_preprocess *p, int nchw,
                        float *out) {
    const uint8_t *px = img->px;
    for (int y = 0; y < img->h; y++)
        for (int x = 0; x < img->w; x++, px += img->c)
            for (int ch = 0; ch < img->c; ch++) {
                int src = source_channel(img, p->bgr, ch);
                out[layout_index(img, nchw, y, x, ch)] = tern_prep_value(p, px[src], src);
            }
}

void tern_prep_to_u8(const tern_prep_image *img, int nchw, int bgr, uint8_t *out) {
    const uint8_t *px = img->px;
    for (int y = 0; y < img->h; y++)
        for (int x = 0; x < img->w; x++, px += img->c)
            for (int ch = 0; ch < img->c; ch++)
                out[layout_index(img, nchw, y, x, ch)] = px[source_channel(img, bgr, ch)];
}
