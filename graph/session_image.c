/* tern_session_set_input_image: an image through a tern_preprocess into one
 * batch item of a session input (include/tern.h). The input's shape says
 * everything: [N,C,H,W] or [N,H,W,C] with C 1 or 3, float32 (mapped values)
 * or uint8 (pixels). */
#include <stdlib.h>
#include <string.h>

#include "graph/session.h"
#include "loader/image_prep.h"

static tern_status fail(tern_session *s, const tern_err *err, tern_status st) {
    memcpy(s->error, err->msg, sizeof s->error);
    return st;
}

typedef struct {
    int nchw, c, h, w;
} image_layout;

/* NCHW or NHWC from the input shape: the axis that is 1 or 3 is channels. */
static tern_status input_layout(const tern_tensor *t, image_layout *l, tern_err *err) {
    if (t->rank != 4)
        return tern_errf(err, TERN_ERR_SHAPE,
                         "input '%s' takes no image: it has %d dims, not [N,C,H,W] or [N,H,W,C]",
                         t->name, t->rank);
    if (t->dtype != TERN_FLOAT && t->dtype != TERN_UINT8)
        return tern_errf(err, TERN_ERR_SHAPE, "input '%s' takes no image: it is %s, not float32 "
                         "or uint8", t->name, tern_dtype_name(t->dtype));
    int c1 = t->dims[1] == 1 || t->dims[1] == 3, c3 = t->dims[3] == 1 || t->dims[3] == 3;
    if (c1 == c3)
        return tern_errf(err, TERN_ERR_SHAPE,
                         "input '%s' [%lld,%lld,%lld,%lld]: cannot tell its channel axis (want 1 "
                         "or 3 channels in dim 1 or dim 3, not both)", t->name,
                         (long long)t->dims[0], (long long)t->dims[1], (long long)t->dims[2],
                         (long long)t->dims[3]);
    int64_t h = c1 ? t->dims[2] : t->dims[1], w = c1 ? t->dims[3] : t->dims[2];
    if (h < 1 || w < 1 || h > 65535 || w > 65535)
        return tern_errf(err, TERN_ERR_SHAPE, "input '%s' has no image size in 1..65535 (%lldx%lld)",
                         t->name, (long long)w, (long long)h);
    l->nchw = c1;
    l->c = (int)(c1 ? t->dims[1] : t->dims[3]);
    l->h = (int)h;
    l->w = (int)w;
    return TERN_OK;
}

static tern_status check_args(tern_session *s, int index, int item, const tern_image *img,
                              const tern_preprocess *p, tern_err *err) {
    if (!s->compiled) return tern_errf(err, TERN_ERR_INVALID_ARG, "session was not created");
    if (!s->arena)
        return tern_errf(err, TERN_ERR_ARENA, "no arena: call tern_session_set_arena first");
    if (index < 0 || index >= s->c.g.n_inputs)
        return tern_errf(err, TERN_ERR_INVALID_ARG, "input index %d out of range (0..%d)", index,
                         s->c.g.n_inputs - 1);
    const tern_tensor *t = &s->c.g.tensors[s->c.g.inputs[index]];
    if (item < 0 || (t->rank > 0 && item >= t->dims[0]))
        return tern_errf(err, TERN_ERR_INVALID_ARG, "batch item %d out of range for input '%s'",
                         item, t->name);
    if (!img || !img->pixels || img->width < 1 || img->height < 1 ||
        (img->channels != 1 && img->channels != 3))
        return tern_errf(err, TERN_ERR_INVALID_ARG, "no image, or not an 8-bit gray/RGB one");
    const char *bad = p ? tern_prep_check(p) : "no preprocessing given";
    if (bad) return tern_errf(err, TERN_ERR_INVALID_ARG, "preprocessing: %s", bad);
    return TERN_OK;
}

tern_status tern_session_set_input_image(tern_session *s, int index, int item,
                                         const tern_image *img, const tern_preprocess *p) {
    if (!s) return TERN_ERR_INVALID_ARG;
    tern_err err = {{0}};
    image_layout l = {0, 0, 0, 0};
    tern_status st = check_args(s, index, item, img, p, &err);
    const tern_tensor *t = st == TERN_OK ? &s->c.g.tensors[s->c.g.inputs[index]] : NULL;
    if (st == TERN_OK) st = input_layout(t, &l, &err);
    if (st != TERN_OK) return fail(s, &err, st);
    tern_prep_image in = {img->width, img->height, img->channels, img->pixels}, px;
    int rc = tern_prep_pixels(&in, p, l.h, l.w, l.c, &px);
    if (rc != 0)
        return fail(s, &err, tern_errf(&err, rc == TERN_PREP_ERR_NOMEM ? TERN_ERR_NOMEM : TERN_ERR_SHAPE,
                                       "%s (image %dx%d into '%s')", tern_prep_error_text(rc),
                                       img->width, img->height, t->name));
    size_t item_bytes = tern_tensor_bytes(t) / (size_t)t->dims[0];
    unsigned char *dst = s->arena + t->offset + (size_t)item * item_bytes;
    if (t->dtype == TERN_FLOAT)
        tern_prep_to_float(&px, p, l.nchw, (float *)(void *)dst);
    else
        tern_prep_to_u8(&px, l.nchw, p->bgr, dst);
    free(px.px);
    return TERN_OK;
}
