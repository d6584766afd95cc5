/* The public image API (include/tern.h): decode PPM/PGM or JPEG, told apart
 * by content rather than by file name, into a tern_image that carries its
 * own error message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/file_io.h"
#include "loader/pnm.h"

/* A PNM raster is at most TERN_PNM_MAX_BYTES; its header adds little. */
#define TERN_IMAGE_MAX_FILE (TERN_PNM_MAX_BYTES + ((size_t)1 << 16))

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

static tern_status decode(const uint8_t *p, size_t n, tern_pnm *pnm, tern_err *err) {
    if (n >= 2 && p[0] == 'P' && (p[1] == '5' || p[1] == '6')) return tern_pnm_parse(p, n, pnm, err);
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "JPEG images are not supported yet");
    return tern_errf(err, TERN_ERR_UNSUPPORTED,
                     "not an image tern reads (binary PPM/PGM or baseline JPEG): it starts with "
                     "%02x %02x", n > 0 ? p[0] : 0, n > 1 ? p[1] : 0);
}

tern_status tern_image_load_buffer(const void *data, size_t size, tern_image *img) {
    if (!img) return TERN_ERR_INVALID_ARG;
    memset(img, 0, sizeof *img);
    tern_err err = {{0}};
    tern_pnm pnm = {0};
    tern_status st = data || !size ? decode(data, size, &pnm, &err)
                                   : tern_errf(&err, TERN_ERR_INVALID_ARG, "image data is NULL");
    return finish(img, st, &err, &pnm);
}

tern_status tern_image_load_file(const char *path, tern_image *img) {
    if (!img) return TERN_ERR_INVALID_ARG;
    memset(img, 0, sizeof *img);
    tern_err err = {{0}};
    tern_pnm pnm = {0};
    uint8_t *buf = NULL;
    size_t len = 0;
    tern_status st = tern_file_read(path, TERN_IMAGE_MAX_FILE, &buf, &len, &err);
    if (st == TERN_OK) {
        st = decode(buf, len, &pnm, &err);
        if (st != TERN_OK) tern_err_prefix(&err, "%s", path);
    }
    free(buf);
    return finish(img, st, &err, &pnm);
}

void tern_image_free(tern_image *img) {
    if (!img) return;
    free(img->pixels);
    img->pixels = NULL;
    img->width = img->height = img->channels = 0;
}
