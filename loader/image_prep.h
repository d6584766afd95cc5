/* Image preprocessing (tern_preprocess, include/tern.h): crops, Pillow's
 * bilinear resize and the value mappings of the presets the model zoo was
 * evaluated with (../shared/models/MODELS.md, ARCH_MODELS.md,
 * EFFICIENTNET_LITE0.md), done exactly as the Python references did, so the
 * float tensors match them bit for bit. Shared by the public image API
 * (graph/session_image.c), `tern run`, `tern eval` and `tern preprocess`. */
#ifndef TERN_IMAGE_PREP_H
#define TERN_IMAGE_PREP_H

#include <stddef.h>
#include <stdint.h>

#include "tern.h"

/* An 8-bit image, rows of w pixels of c (1 or 3) interleaved channels. */
typedef struct {
    int w, h, c;
    uint8_t *px; /* malloc'ed */
} tern_prep_image;

/* Pillow's ImagingResample with the bilinear filter (separable, support
 * widened when downscaling, 22-bit fixed-point coefficients, rounding and
 * clipping to 0..255). Returns 0, or -1 if out of memory. */
int tern_prep_resize_bilinear(const tern_prep_image *in, int ow, int oh, tern_prep_image *out);
/* Copy of the rectangle [left, left+w) x [top, top+h); -1 if outside or OOM. */
int tern_prep_crop(const tern_prep_image *in, int left, int top, int w, int h, tern_prep_image *out);
/* Gray <-> RGB as Pillow's convert('RGB') / convert('L') do. -1 on OOM. */
int tern_prep_to_channels(const tern_prep_image *in, int c, tern_prep_image *out);

/* The uint8 H x W x C image p's geometry produces from img (channels
 * converted, crop and resize). 0, TERN_PREP_ERR_NOMEM, TERN_PREP_ERR_CROP (the crop does not fit, e.g.
 * torchvision's crop of a very non-square size) or TERN_PREP_ERR_SIZE (an
 * intermediate image would exceed TERN_PREP_MAX_BYTES: torchvision's resize of
 * a very thin image). */
#define TERN_PREP_ERR_NOMEM (-1)
#define TERN_PREP_ERR_CROP (-2)
#define TERN_PREP_ERR_SIZE (-3)
/* As large as the largest image the PNM reader accepts. */
#define TERN_PREP_MAX_BYTES ((size_t)1 << 30)
int tern_prep_pixels(const tern_prep_image *img, const tern_preprocess *p, int out_h, int out_w,
                     int out_c, tern_prep_image *out);
/* What a nonzero tern_prep_pixels result means, for messages. */
const char *tern_prep_error_text(int rc);
/* The float value of pixel px of (RGB) channel ch under p's mapping. */
float tern_prep_value(const tern_preprocess *p, uint8_t px, int ch);
/* p's values of img laid out as HWC (nchw 0) or CHW (nchw 1), channels
 * reversed when p->bgr. */
void tern_prep_to_float(const tern_prep_image *img, const tern_preprocess *p, int nchw,
                        float *out);
/* The pixels themselves, as HWC or CHW (reversed channels when bgr). */
void tern_prep_to_u8(const tern_prep_image *img, int nchw, int bgr, uint8_t *out);
/* 0, or the text of what is wrong with p (a fraction outside (0, 1], ...). */
const char *tern_prep_check(const tern_preprocess *p);

#endif
