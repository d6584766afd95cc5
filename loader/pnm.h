/* Binary PPM (P6, RGB) and PGM (P5, gray) images with maxval <= 255.
 * Header comments ('#' to the end of the line) are allowed between tokens.
 * Everything is checked: magic, sizes (each at most TERN_PNM_MAX_SIDE, the
 * whole image at most TERN_PNM_MAX_BYTES), maxval, pixel values <= maxval,
 * and that the file holds the whole raster. Bytes after the raster (a
 * second image, as PNM allows) are ignored. */
#ifndef TERN_PNM_H
#define TERN_PNM_H

#include <stddef.h>
#include <stdint.h>

#include "graph/common.h"

#define TERN_PNM_MAX_SIDE 65535
#define TERN_PNM_MAX_BYTES ((size_t)1 << 30)

typedef struct tern_pnm {
    int width, height;
    int channels;  /* 1 (P5) or 3 (P6) */
    uint8_t *data; /* height x width x channels, row-major; values scaled to 0..255 */
} tern_pnm;

tern_status tern_pnm_parse(const uint8_t *buf, size_t len, tern_pnm *out, tern_err *err);
tern_status tern_pnm_read_file(const char *path, tern_pnm *out, tern_err *err);
/* Writes P5 (channels 1) or P6 (channels 3) with maxval 255. */
tern_status tern_pnm_write_file(const char *path, const tern_pnm *img, tern_err *err);
void tern_pnm_free(tern_pnm *img);

#endif
