/* Image preprocessing for `tern run MODEL IMAGE...`: the presets the model
 * zoo was evaluated with (../shared/models/MODELS.md, ARCH_MODELS.md), with
 * the resize done exactly as Pillow's Image.resize(..., BILINEAR) does it so
 * that the float tensors match the reference inputs bit for bit. */
#ifndef TERN_CLI_PREPROCESS_H
#define TERN_CLI_PREPROCESS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    PREP_NONE,       /* resize the whole image to H x W (if needed), x = p / 255 */
    PREP_TF128,      /* central crop 87.5%, resize, x = (p - 128) / 128 */
    PREP_TF127,      /* central crop 87.5%, resize, x = (p - 128) / 127 */
    PREP_UNIT,       /* central crop 87.5%, resize, x = p / 255 */
    PREP_TORCHVISION /* shorter side to 256/224 of the crop, center crop, ImageNet mean/std */
} prep_preset;

/* Preset by name ("none", "tf128", ...); 0 if unknown. */
int prep_preset_find(const char *name, prep_preset *out);
const char *prep_preset_name(prep_preset p);
/* "none, tf128, ..." for messages and usage. */
const char *prep_preset_list(void);

/* An 8-bit image, rows of w pixels of c (1 or 3) interleaved channels. */
typedef struct {
    int w, h, c;
    uint8_t *px; /* malloc'ed */
} prep_image;

/* Pillow's ImagingResample with the bilinear filter (separable, support
 * widened when downscaling, 22-bit fixed-point coefficients, rounding and
 * clipping to 0..255). Returns 0, or -1 if out of memory. */
int prep_resize_bilinear(const prep_image *in, int ow, int oh, prep_image *out);
/* Copy of the rectangle [left, left+w) x [top, top+h); -1 if outside or OOM. */
int prep_crop(const prep_image *in, int left, int top, int w, int h, prep_image *out);
/* Gray <-> RGB as Pillow's convert('RGB') / convert('L') do. -1 on OOM. */
int prep_to_channels(const prep_image *in, int c, prep_image *out);

/* The uint8 H x W x C image the preset produces from img (crop and resize
 * only). 0, PREP_ERR_NOMEM, PREP_ERR_CROP (the crop does not fit, e.g.
 * torchvision's crop of a very non-square size) or PREP_ERR_SIZE (an
 * intermediate image would exceed PREP_MAX_BYTES: torchvision's resize of
 * a very thin image). */
#define PREP_ERR_NOMEM (-1)
#define PREP_ERR_CROP (-2)
#define PREP_ERR_SIZE (-3)
/* As large as the largest image the PNM reader accepts. */
#define PREP_MAX_BYTES ((size_t)1 << 30)
int prep_pixels(const prep_image *img, prep_preset p, int out_h, int out_w, int out_c,
                prep_image *out);
/* What a nonzero prep_pixels result means, for messages. */
const char *prep_error_text(int rc);
/* The preset's float value of pixel p in channel ch. */
float prep_value(prep_preset p, uint8_t px, int ch);
/* The preset's values of img laid out as HWC (nchw 0) or CHW (nchw 1). */
void prep_to_float(const prep_image *img, prep_preset p, int nchw, float *out);
/* The pixels themselves, as HWC or CHW. */
void prep_to_u8(const prep_image *img, int nchw, uint8_t *out);

#endif
