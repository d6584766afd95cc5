/* Image preprocessing presets; see preprocess.h. The resize follows Pillow
 * 9.4's libImaging/Resample.c line by line (precompute_coeffs,
 * normalize_coeffs_8bpc, ImagingResampleHorizontal/Vertical_8bpc): every
 * rounding step matters for bit-exact tensors, so the arithmetic (double
 * for the coefficients, int32 fixed point for the sums) is kept as is. */
#include "preprocess.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PRECISION_BITS (32 - 8 - 2)

static const char *const PRESET_NAMES[] = {"none", "tf128", "tf127", "unit", "torchvision"};

int prep_preset_find(const char *name, prep_preset *out) {
    for (int k = 0; k < (int)(sizeof PRESET_NAMES / sizeof PRESET_NAMES[0]); k++) {
        if (strcmp(name, PRESET_NAMES[k]) == 0) {
            *out = (prep_preset)k;
            return 1;
        }
    }
    return 0;
}

const char *prep_preset_name(prep_preset p) { return PRESET_NAMES[p]; }

const char *prep_preset_list(void) { return "none, tf128, tf127, unit, torchvision"; }

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

static int resample_horizontal(const prep_image *in, int ow, prep_image *out) {
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

static int resample_vertical(const prep_image *in, int oh, prep_image *out) {
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

static int image_copy(const prep_image *in, prep_image *out) {
    size_t n = (size_t)in->w * (size_t)in->h * (size_t)in->c;
    *out = *in;
    out->px = malloc(n ? n : 1);
    if (!out->px) return -1;
    memcpy(out->px, in->px, n);
    return 0;
}

/* Pillow resamples horizontally first, then vertically, and skips a pass
 * whose size does not change (such a pass would be the identity anyway). */
int prep_resize_bilinear(const prep_image *in, int ow, int oh, prep_image *out) {
    prep_image tmp;
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

int prep_crop(const prep_image *in, int left, int top, int w, int h, prep_image *out) {
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

int prep_to_channels(const prep_image *in, int c, prep_image *out) {
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

/* ---- presets ---------------------------------------------------------- */

/* TF central_crop of 87.5%: top = int((H - H*0.875) / 2), crop [top, H-top). */
static int central_crop(const prep_image *in, prep_image *out) {
    int top = (int)((in->h - in->h * 0.875) / 2), left = (int)((in->w - in->w * 0.875) / 2);
    return prep_crop(in, left, top, in->w - 2 * left, in->h - 2 * top, out);
}

/* Python's round() of d/2 for an integer d: halves go to the even neighbour. */
static int round_half_even_div2(int d) {
    int q = d >= 0 ? d / 2 : -((-d + 1) / 2); /* floor(d / 2) */
    if (d % 2 == 0) return q;
    return (q % 2 == 0) ? q : q + 1; /* d/2 = q + 0.5 */
}

/* torchvision Resize(short) + CenterCrop(out_h, out_w), where short is 256
 * for a 224 crop (scaled for other sizes): long side int(short*long/shorter). */
static int torchvision_pixels(const prep_image *img, int out_h, int out_w, prep_image *out) {
    int crop = out_h < out_w ? out_h : out_w;
    int short_side = crop == 224 ? 256 : crop * 256 / 224;
    int w = img->w, h = img->h, nw, nh;
    /* the long side in double first: a thin image scales it past int, and
     * the resized image (made in full before the crop) must stay bounded */
    double long_side = (double)short_side * (w <= h ? h : w) / (w <= h ? w : h);
    if (long_side * short_side * img->c > (double)PREP_MAX_BYTES) return PREP_ERR_SIZE;
    if (w <= h) {
        nw = short_side;
        nh = (int)long_side;
    } else {
        nh = short_side;
        nw = (int)long_side;
    }
    if (nw < out_w || nh < out_h) return PREP_ERR_CROP;
    prep_image r;
    if (prep_resize_bilinear(img, nw, nh, &r) != 0) return PREP_ERR_NOMEM;
    int rc = prep_crop(&r, round_half_even_div2(nw - out_w), round_half_even_div2(nh - out_h),
                       out_w, out_h, out);
    free(r.px);
    return rc;
}

const char *prep_error_text(int rc) {
    switch (rc) {
    case PREP_ERR_CROP: return "the preset's crop does not fit the output size";
    case PREP_ERR_SIZE: return "the image would be too large after the preset's resize";
    default: return "out of memory preprocessing the image";
    }
}

int prep_pixels(const prep_image *img, prep_preset p, int out_h, int out_w, int out_c,
                prep_image *out) {
    prep_image chan, cropped;
    if ((double)out_h * out_w * out_c > (double)PREP_MAX_BYTES) return PREP_ERR_SIZE;
    if (prep_to_channels(img, out_c, &chan) != 0) return -1;
    int rc;
    if (p == PREP_TORCHVISION) {
        rc = torchvision_pixels(&chan, out_h, out_w, out);
    } else if (p == PREP_NONE) {
        rc = prep_resize_bilinear(&chan, out_w, out_h, out);
    } else {
        rc = central_crop(&chan, &cropped);
        if (rc == 0) {
            rc = prep_resize_bilinear(&cropped, out_w, out_h, out);
            free(cropped.px);
        }
    }
    free(chan.px);
    return rc;
}

/* tf presets as the reference tool computed them: (p - zp) * scale in double,
 * then rounded to float; torchvision in float32 as numpy does. */
float prep_value(prep_preset p, uint8_t px, int ch) {
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
    switch (p) {
    case PREP_TF128: return (float)((double)(px - 128) * (1.0 / 128));
    case PREP_TF127: return (float)((double)(px - 128) * (1.0 / 127));
    case PREP_TORCHVISION: {
        int c = ch < 3 ? ch : 2;
        float x = (float)px / 255.0f;
        return (x - mean[c]) / std[c];
    }
    case PREP_UNIT:
    case PREP_NONE:
    default: return (float)((double)px * (1.0 / 255));
    }
}

/* Index of pixel (y, x), channel ch in an HWC or CHW tensor. */
static size_t layout_index(const prep_image *img, int nchw, int y, int x, int ch) {
    size_t hw = (size_t)img->h * (size_t)img->w, pos = (size_t)y * (size_t)img->w + (size_t)x;
    return nchw ? (size_t)ch * hw + pos : pos * (size_t)img->c + (size_t)ch;
}

void prep_to_float(const prep_image *img, prep_preset p, int nchw, float *out) {
    const uint8_t *px = img->px;
    for (int y = 0; y < img->h; y++)
        for (int x = 0; x < img->w; x++)
            for (int ch = 0; ch < img->c; ch++)
                out[layout_index(img, nchw, y, x, ch)] = prep_value(p, *px++, ch);
}

void prep_to_u8(const prep_image *img, int nchw, uint8_t *out) {
    const uint8_t *px = img->px;
    for (int y = 0; y < img->h; y++)
        for (int x = 0; x < img->w; x++)
            for (int ch = 0; ch < img->c; ch++) out[layout_index(img, nchw, y, x, ch)] = *px++;
}
