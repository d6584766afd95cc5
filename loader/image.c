/* Format dispatch for images; see loader/image.h. */
#include "loader/image.h"

#include <stdlib.h>
#include <string.h>

#include "loader/file_io.h"
#include "loader/jpeg.h"

tern_image_format tern_image_detect(const uint8_t *buf, size_t len) {
    if (!buf) return TERN_IMAGE_UNKNOWN;
    if (tern_jpeg_sniff(buf, len)) return TERN_IMAGE_JPEG;
    if (len >= 2 && buf[0] == 'P' && (buf[1] == '5' || buf[1] == '6')) return TERN_IMAGE_PNM;
    return TERN_IMAGE_UNKNOWN;
}

const char *tern_image_format_name(tern_image_format f) {
    return f == TERN_IMAGE_JPEG ? "JPEG" : f == TERN_IMAGE_PNM ? "PNM" : "unknown";
}

/* Formats we do not decode but can name, so the message says what it is. */
static const char *other_format(const uint8_t *b, size_t n) {
    if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0) return "PNG";
    if (n >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0)) return "GIF";
    if (n >= 2 && b[0] == 'B' && b[1] == 'M') return "BMP";
    if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0) return "WebP";
    if (n >= 4 && (memcmp(b, "II*\0", 4) == 0 || memcmp(b, "MM\0*", 4) == 0)) return "TIFF";
    if (n >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '4') return "ASCII or 1-bit PNM (P1-P4)";
    return NULL;
}

tern_status tern_image_decode(const uint8_t *buf, size_t len, tern_pnm *out, tern_err *err) {
    if (out) memset(out, 0, sizeof *out);
    switch (tern_image_detect(buf, len)) {
    case TERN_IMAGE_JPEG: return tern_jpeg_decode(buf, len, out, err);
    case TERN_IMAGE_PNM: return tern_pnm_parse(buf, len, out, err);
    default: break;
    }
    const char *what = buf ? other_format(buf, len) : NULL;
    if (what)
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "image: %s files are not supported (JPEG, PGM P5 and PPM P6 are)", what);
    return tern_errf(err, TERN_ERR_UNSUPPORTED,
                     "image: not a JPEG, PGM (P5) or PPM (P6) file (unknown first bytes)");
}

tern_status tern_image_read_file(const char *path, tern_pnm *out, tern_err *err) {
    if (out) memset(out, 0, sizeof *out);
    uint8_t *buf;
    size_t len;
    tern_status st = tern_file_read(path, TERN_IMAGE_MAX_FILE, &buf, &len, err);
    if (st) return st;
    st = tern_image_decode(buf, len, out, err);
    free(buf);
    if (st) tern_err_prefix(err, "%s", path);
    return st;
}
