/* Binary PNM reader/writer (P5 gray, P6 RGB, 8 bits). The header is
 * "P6" ws width ws height ws maxval, then exactly one whitespace character,
 * then the raster; '#' comments may appear wherever whitespace may. */
#include "loader/pnm.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/file_io.h"

typedef struct {
    const uint8_t *b;
    size_t n, i;
    tern_err *err;
} pnm_cursor;

static int is_ws(uint8_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Whitespace and comments before a header number. */
static void skip_ws_comments(pnm_cursor *c) {
    while (c->i < c->n) {
        if (is_ws(c->b[c->i])) {
            c->i++;
        } else if (c->b[c->i] == '#') {
            while (c->i < c->n && c->b[c->i] != '\n' && c->b[c->i] != '\r') c->i++;
        } else {
            break;
        }
    }
}

/* A decimal header field in 1..max. */
static tern_status header_number(pnm_cursor *c, const char *what, long max, long *out) {
    skip_ws_comments(c);
    if (c->i >= c->n)
        return tern_errf(c->err, TERN_ERR_PARSE, "pnm: file ends before the %s", what);
    long v = 0;
    size_t start = c->i;
    while (c->i < c->n && c->b[c->i] >= '0' && c->b[c->i] <= '9') {
        v = v * 10 + (c->b[c->i] - '0');
        if (v > max)
            return tern_errf(c->err, TERN_ERR_PARSE, "pnm: %s is larger than %ld (at byte %zu)",
                             what, max, start);
        c->i++;
    }
    if (c->i == start)
        return tern_errf(c->err, TERN_ERR_PARSE, "pnm: expected the %s (at byte %zu)", what, start);
    if (v < 1) return tern_errf(c->err, TERN_ERR_PARSE, "pnm: %s is 0 (at byte %zu)", what, start);
    if (c->i < c->n && !is_ws(c->b[c->i]) && c->b[c->i] != '#')
        return tern_errf(c->err, TERN_ERR_PARSE, "pnm: bad character after the %s (at byte %zu)",
                         what, c->i);
    *out = v;
    return TERN_OK;
}

static tern_status parse_header(pnm_cursor *c, tern_pnm *img, long *maxval) {
    if (c->n < 2 || c->b[0] != 'P' || (c->b[1] != '5' && c->b[1] != '6'))
        return tern_errf(c->err, TERN_ERR_PARSE,
                         "pnm: not a binary PGM/PPM file (expected P5 or P6)");
    img->channels = c->b[1] == '6' ? 3 : 1;
    c->i = 2;
    if (c->i < c->n && !is_ws(c->b[c->i]) && c->b[c->i] != '#')
        return tern_errf(c->err, TERN_ERR_PARSE, "pnm: bad character after the magic number");
    long w, h;
    tern_status st = header_number(c, "width", TERN_PNM_MAX_SIDE, &w);
    if (!st) st = header_number(c, "height", TERN_PNM_MAX_SIDE, &h);
    if (!st) st = header_number(c, "maxval", 65535, maxval);
    if (st) return st;
    if (*maxval > 255)
        return tern_errf(c->err, TERN_ERR_UNSUPPORTED,
                         "pnm: maxval %ld is not supported (16-bit image; at most 255)", *maxval);
    /* exactly one whitespace character ends the header */
    if (c->i >= c->n)
        return tern_errf(c->err, TERN_ERR_PARSE, "pnm: file ends after the header (no pixels)");
    if (!is_ws(c->b[c->i]))
        return tern_errf(c->err, TERN_ERR_PARSE, "pnm: expected whitespace after maxval");
    c->i++;
    img->width = (int)w;
    img->height = (int)h;
    return TERN_OK;
}

/* Copy the raster, checking values against maxval and scaling to 0..255
 * as Pillow does: round(p / maxval * 255) in double, halves to even (the
 * default rounding mode of nearbyint). */
static tern_status copy_raster(const uint8_t *src, size_t bytes, long maxval, uint8_t *dst,
                               tern_err *err) {
    for (size_t k = 0; k < bytes; k++) {
        if (src[k] > maxval)
            return tern_errf(err, TERN_ERR_PARSE,
                             "pnm: sample %u at pixel byte %zu exceeds maxval %ld", src[k], k,
                             maxval);
        dst[k] = maxval == 255 ? src[k] : (uint8_t)nearbyint((double)src[k] / maxval * 255.0);
    }
    return TERN_OK;
}

tern_status tern_pnm_parse(const uint8_t *buf, size_t len, tern_pnm *out, tern_err *err) {
    memset(out, 0, sizeof *out);
    if (!buf) return tern_errf(err, TERN_ERR_INVALID_ARG, "pnm: no buffer");
    pnm_cursor c = {buf, len, 0, err};
    tern_pnm img = {0};
    long maxval;
    tern_status st = parse_header(&c, &img, &maxval);
    if (st) return st;
    size_t bytes = (size_t)img.width * (size_t)img.height * (size_t)img.channels;
    if (bytes > TERN_PNM_MAX_BYTES)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "pnm: image %dx%d is too large", img.width,
                         img.height);
    if (len - c.i < bytes)
        return tern_errf(err, TERN_ERR_PARSE,
                         "pnm: truncated: %dx%dx%d needs %zu pixel bytes, file has %zu", img.width,
                         img.height, img.channels, bytes, len - c.i);
    img.data = malloc(bytes);
    if (!img.data) return tern_errf(err, TERN_ERR_NOMEM, "pnm: out of memory");
    st = copy_raster(buf + c.i, bytes, maxval, img.data, err);
    if (st) {
        free(img.data);
        return st;
    }
    *out = img;
    return TERN_OK;
}

/* Only files of a plausible size (a header of at most 64 KiB beyond the
 * largest raster) are read. */
tern_status tern_pnm_read_file(const char *path, tern_pnm *out, tern_err *err) {
    memset(out, 0, sizeof *out);
    uint8_t *buf;
    size_t len;
    tern_status st = tern_file_read(path, TERN_PNM_MAX_BYTES + 65536u, &buf, &len, err);
    if (st) return st;
    st = tern_pnm_parse(buf, len, out, err);
    free(buf);
    if (st) tern_err_prefix(err, "%s", path);
    return st;
}

tern_status tern_pnm_write_file(const char *path, const tern_pnm *img, tern_err *err) {
    if (!img || !img->data || (img->channels != 1 && img->channels != 3) || img->width < 1 ||
        img->height < 1 || img->width > TERN_PNM_MAX_SIDE || img->height > TERN_PNM_MAX_SIDE)
        return tern_errf(err, TERN_ERR_INVALID_ARG, "pnm: bad image to write");
    errno = 0;
    FILE *f = fopen(path, "wb");
    if (!f) return tern_file_errno(err, "create", path);
    size_t bytes = (size_t)img->width * (size_t)img->height * (size_t)img->channels;
    int ok = fprintf(f, "P%c\n%d %d\n255\n", img->channels == 3 ? '6' : '5', img->width,
                     img->height) > 0;
    ok = ok && fwrite(img->data, 1, bytes, f) == bytes;
    ok = (fclose(f) == 0) && ok;
    return ok ? TERN_OK : tern_file_errno(err, "write", path);
}

void tern_pnm_free(tern_pnm *img) {
    if (!img) return;
    free(img->data);
    img->data = NULL;
}
