/* Images by content, not by file name: PGM/PPM ("P5"/"P6") or JPEG
 * (FF D8), decoded into the same tern_pnm (height x width x channels,
 * 1 or 3 channels, 8 bits). */
#ifndef TERN_IMAGE_H
#define TERN_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "graph/common.h"
#include "loader/pnm.h"

typedef enum tern_image_format {
    TERN_IMAGE_UNKNOWN = 0,
    TERN_IMAGE_PNM = 1,
    TERN_IMAGE_JPEG = 2
} tern_image_format;

/* The format the first bytes announce. */
tern_image_format tern_image_detect(const uint8_t *buf, size_t len);
const char *tern_image_format_name(tern_image_format f);

/* Decode buf as whatever it is; anything else is TERN_ERR_UNSUPPORTED
 * naming what the bytes look like (PNG, GIF, ...) when that is known. */
tern_status tern_image_decode(const uint8_t *buf, size_t len, tern_pnm *out, tern_err *err);

/* Read a file (at most TERN_IMAGE_MAX_FILE bytes) and decode it. Errors
 * name the path. */
#define TERN_IMAGE_MAX_FILE (TERN_PNM_MAX_BYTES + 65536u)
tern_status tern_image_read_file(const char *path, tern_pnm *out, tern_err *err);

#endif
