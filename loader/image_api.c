/* The public image API (include/tern.h) over loader/image.h: decode PPM/PGM
 * or JPEG, told apart by content, into a tern_image that carries its own
 * error message. */
#include <stdio.h>
#include <string.h>

#include "loader/image.h"

static tern_status finish(tern_image *img, tern_status st, const tern_err *err, tern_pnm *pnm) {
    if (st != TERN_OK) {
        snprintf(img->error, sizeof img->error, "%s", err->msg[0] ? err->msg : tern_status_name(st));
        return st;
    }
    img->width = pnm->width;
    img->height = pnm->height;
    img->channels = pnm->channels;
    img->pixels = pnm->data;
    return TERN_OK;
}

tern_status tern_image_load_buffer(const void *data, size_t size, tern_image *img) {
    if (!img) return TERN_ERR_INVALID_ARG;
    memset(img, 0, sizeof *img);
    tern_err err = {{0}};
    tern_pnm pnm = {0};
    tern_status st = data || !size ? tern_image_decode(data, size, &pnm, &err)
                                   : tern_errf(&err, TERN_ERR_INVALID_ARG, "image data is NULL");
    return finish(img, st, &err, &pnm);
}

tern_status tern_image_load_file(const char *path, tern_image *img) {
    if (!img) return TERN_ERR_INVALID_ARG;
    memset(img, 0, sizeof *img);
    tern_err err = {{0}};
    tern_pnm pnm = {0};
    tern_status st = tern_image_read_file(path, &pnm, &err);
    return finish(img, st, &err, &pnm);
}

void tern_image_free(tern_image *img) {
    if (!img) return;
    tern_pnm pnm = {.data = img->pixels};
    tern_pnm_free(&pnm);
    img->pixels = NULL;
    img->width = img->height = img->channels = 0;
}
