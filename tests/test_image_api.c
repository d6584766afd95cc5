/* The public image API (include/tern.h): decoding by content, presets, and
 * tern_session_set_input_image's glue (layout, batch item, type, errors).
 * The pixel math itself is checked bit for bit against Pillow by suite_cli's
 * preprocessing references (tests/data/prep). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/session.h"
#include "loader/image_prep.h"
#include "tests/harness.h"
#include "tern.h"

#define RGB_PPM "tests/data/prep/rgb.ppm" /* 60x45 RGB */
#define DYN_HW "tests/models/dyn_hw_conv.onnx" /* x [N,3,H,W] float */

static void presets(th_ctx *t) {
    tern_preprocess p;
    static const char *const names[] = {"none", "tf128", "tf127", "unit", "torchvision",
                                        "effnet-lite"};
    int ok = 1;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        ok &= tern_preprocess_preset(names[k], &p) == TERN_OK && !tern_prep_check(&p) &&
              strstr(tern_preprocess_presets(), names[k]) != NULL;
    th_check(t, ok, "image: every preset is known, valid and listed", "no");
    th_check(t, tern_preprocess_preset("tf129", &p) == TERN_ERR_INVALID_ARG &&
                    tern_preprocess_preset(NULL, &p) == TERN_ERR_INVALID_ARG,
             "image: unknown preset refused", "accepted");
    tern_preprocess_preset("effnet-lite", &p);
    th_check(t, p.geometry == TERN_PREP_RESIZE_CROP && p.values == TERN_PREP_MEAN_STD &&
                    p.mean[1] == 127.0f && p.std[2] == 128.0f,
             "image: effnet-lite is resize-crop, (p - 127) / 128", "geometry %d", p.geometry);
}

static void decode(th_ctx *t) {
    tern_image img;
    int ok = tern_image_load_file(RGB_PPM, &img) == TERN_OK && img.width == 60 &&
             img.height == 45 && img.channels == 3 && img.pixels;
    th_check(t, ok, "image: PPM loads", "%s", img.error);
    tern_image_free(&img);
    tern_image_free(&img); /* twice is harmless */
    th_check(t, tern_image_load_buffer("hello", 5, &img) == TERN_ERR_UNSUPPORTED &&
                    strstr(img.error, "not a JPEG") && !img.pixels,
             "image: unknown bytes refused by content", "%s", img.error);
    th_check(t, tern_image_load_buffer(NULL, 4, &img) == TERN_ERR_INVALID_ARG && img.error[0],
             "image: NULL data refused", "%s", img.error);
    th_check(t, tern_image_load_file("no/such.ppm", &img) == TERN_ERR_IO &&
                    strstr(img.error, "no/such.ppm"),
             "image: missing file named", "%s", img.error);
    th_check(t, tern_image_load_buffer("P6\n2 2\n255\nab", 14, &img) != TERN_OK && img.error[0],
             "image: truncated PPM refused", "%s", img.error);
    /* a JPEG by content, whatever its name: the same pixels as djpeg's PPM */
    tern_image ref;
    size_t len = 0;
    unsigned char *jpg = th_read_file("tests/data/jpeg/f420.jpg", &len);
    ok = jpg && tern_image_load_buffer(jpg, len, &img) == TERN_OK &&
         tern_image_load_file("tests/data/jpeg/f420.ppm", &ref) == TERN_OK &&
         img.width == ref.width && img.height == ref.height && img.channels == 3 &&
         memcmp(img.pixels, ref.pixels, (size_t)img.width * img.height * 3) == 0;
    th_check(t, ok, "image: JPEG decodes to djpeg's pixels", "%s / %s", img.error, ref.error);
    free(jpg);
    tern_image_free(&img);
    tern_image_free(&ref);
}

/* The tensor the preprocessing itself makes, NCHW float, for comparison. */
static float *expected_nchw(const tern_image *img, const tern_preprocess *p, int h, int w) {
    tern_prep_image in = {img->width, img->height, img->channels, img->pixels}, px;
    if (tern_prep_pixels(&in, p, h, w, 3, &px) != 0) return NULL;
    float *x = malloc(sizeof(float) * 3 * (size_t)h * (size_t)w);
    if (x) tern_prep_to_float(&px, p, 1, x);
    free(px.px);
    return x;
}

static void into_session(th_ctx *t, const tern_model *m) {
    tern_input_shape shape = {"x", 4, (const int64_t[]){2, 3, 15, 11}};
    tern_session_options o = {.shapes = &shape, .n_shapes = 1};
    tern_session *s = NULL;
    tern_image img;
    tern_preprocess p;
    tern_preprocess_preset("tf128", &p);
    if (tern_session_create(m, &o, &s) != TERN_OK || tern_image_load_file(RGB_PPM, &img)) {
        th_fail(t, "image: session for set_input_image", "%s", s ? tern_session_error(s) : "oom");
        tern_session_free(s);
        return;
    }
    const tern_tensor *x = &s->c.g.tensors[s->c.g.inputs[0]];
    float *want = expected_nchw(&img, &p, 15, 11);
    size_t item = 3 * 15 * 11;
    int ok = want && tern_session_set_input_image(s, 0, 1, &img, &p) == TERN_OK &&
             memcmp(s->arena + x->offset + item * sizeof(float), want, item * sizeof(float)) == 0;
    th_check(t, ok, "image: set_input_image fills batch item 1 in the input's layout", "%s",
             tern_session_error(s));
    free(want);
    th_check(t, tern_session_set_input_image(s, 0, 2, &img, &p) == TERN_ERR_INVALID_ARG &&
                    strstr(tern_session_error(s), "batch item 2"),
             "image: batch item out of range", "%s", tern_session_error(s));
    th_check(t, tern_session_set_input_image(s, 1, 0, &img, &p) == TERN_ERR_INVALID_ARG,
             "image: input index out of range", "accepted");
    tern_preprocess bad = p;
    bad.geometry = TERN_PREP_CENTRAL_CROP;
    bad.fraction = 1.5;
    th_check(t, tern_session_set_input_image(s, 0, 0, &img, &bad) == TERN_ERR_INVALID_ARG &&
                    strstr(tern_session_error(s), "fraction"),
             "image: bad preprocessing refused", "%s", tern_session_error(s));
    th_check(t, tern_session_set_input_image(s, 0, 0, NULL, &p) == TERN_ERR_INVALID_ARG,
             "image: no image refused", "accepted");
    tern_image tiny = {.width = 1, .height = 1, .channels = 3, .pixels = img.pixels};
    th_check(t, tern_session_set_input_image(s, 0, 0, &tiny, &p) == TERN_OK,
             "image: a 1x1 image upscales", "%s", tern_session_error(s));
    /* torchvision's crop of 11x15 from a 12x12 resize does not fit: an error,
     * not a read outside the image */
    tern_preprocess tv;
    tern_preprocess_preset("torchvision", &tv);
    th_check(t, tern_session_set_input_image(s, 0, 0, &tiny, &tv) == TERN_ERR_SHAPE &&
                    strstr(tern_session_error(s), "crop does not fit"),
             "image: a crop that does not fit is an error", "%s", tern_session_error(s));
    tern_image_free(&img);
    tern_session_free(s);
}

TH_SUITE(suite_image_api) {
    presets(t);
    decode(t);
    tern_model *m = NULL;
    if (tern_model_load_file(DYN_HW, &m) == TERN_OK)
        into_session(t, m);
    else
        th_fail(t, "image: load " DYN_HW, "%s", m ? tern_model_error(m) : "oom");
    tern_model_free(m);
}
