/* The JPEG decoder's entry points (see loader/jpeg.h): SOI, marker
 * segments up to the first scan, the colour space, the component planes,
 * every scan, then the output image. */
#include <stdlib.h>
#include <string.h>

#include "loader/file_io.h"
#include "loader/jpeg_priv.h"

int tern_jpeg_sniff(const uint8_t *buf, size_t len) {
    return buf && len >= 2 && buf[0] == 0xFF && buf[1] == 0xD8;
}

/* libjpeg's default_decompress_parms for 3 components: JFIF means YCbCr;
 * else an Adobe marker's transform (0: RGB, anything else: YCbCr); else
 * component ids 'R','G','B' mean RGB; else YCbCr. */
static void colour_space(jdec *d) {
    d->rgb = 0;
    if (d->ncomp != 3 || d->jfif) return;
    if (d->adobe)
        d->rgb = d->adobe_transform == 0;
    else
        d->rgb = d->comp[0].id == 'R' && d->comp[1].id == 'G' && d->comp[2].id == 'B';
}

/* A complete file has at least 2 bits per block (a DC and an AC code of at
 * least 1 bit each): refusing files far too small for the size they
 * declare keeps a few hostile bytes from costing a large allocation. */
static tern_status plausible_size(jdec *d, size_t data) {
    if (d->flags & TERN_JPEG_ALLOW_DAMAGED) return TERN_OK;
    uint64_t blocks = 0;
    for (int i = 0; i < d->ncomp; i++) blocks += (uint64_t)d->comp[i].bw * (uint64_t)d->comp[i].bh;
    if ((uint64_t)(d->len - data) * 4 < blocks)
        return tern_errf(d->err, TERN_ERR_PARSE,
                         "jpeg: truncated: %dx%d needs at least %llu bytes of image data, the "
                         "file has %zu after byte %zu",
                         d->width, d->height, (unsigned long long)(blocks / 4), d->len - data,
                         data);
    return TERN_OK;
}

/* Planes of bw*8 x bh*8 samples, gray (128) where no block is ever
 * decoded, which is what libjpeg's zeroed coefficients give. */
static tern_status alloc_planes(jdec *d) {
    for (int i = 0; i < d->ncomp; i++) {
        jdec_comp *c = &d->comp[i];
        size_t bytes;
        c->stride = (size_t)c->bw * 8;
        if (!tern_mul_size(c->stride, (size_t)c->bh * 8, &bytes))
            return tern_errf(d->err, TERN_ERR_NOMEM, "jpeg: component plane size overflows");
        c->plane = malloc(bytes);
        if (!c->plane)
            return tern_errf(d->err, TERN_ERR_NOMEM, "jpeg: out of memory for a %dx%d image",
                             d->width, d->height);
        memset(c->plane, 128, bytes);
    }
    return TERN_OK;
}

/* Tables a scan needs must exist when it starts; a component's quant
 * table is latched at its first scan (libjpeg's latch_quant_tables). */
static tern_status start_scan(jdec *d, const jdec_scan *s) {
    int blocks = 0;
    for (int i = 0; i < s->n; i++) {
        jdec_comp *c = &d->comp[s->ci[i]];
        if (s->td[i] > 3 || !d->dc[s->td[i]].defined || s->ta[i] > 3 || !d->ac[s->ta[i]].defined)
            return tern_errf(d->err, TERN_ERR_PARSE,
                             "jpeg: scan %d uses Huffman tables DC %d / AC %d for component %d, "
                             "which were never defined (at byte %zu)",
                             d->scans + 1, s->td[i], s->ta[i], c->id, s->data);
        if (!c->latched) {
            if (!d->qt_defined[c->tq])
                return tern_errf(d->err, TERN_ERR_PARSE,
                                 "jpeg: component %d uses quantization table %d, which was never "
                                 "defined (at byte %zu)",
                                 c->id, c->tq, s->data);
            for (int k = 0; k < 64; k++) c->q[k] = (int16_t)d->qt[c->tq][k];
            c->latched = 1;
        }
        blocks += c->h * c->v;
    }
    if (s->n > 1 && blocks > JDEC_MAX_BLOCKS_IN_MCU)
        return tern_errf(d->err, TERN_ERR_PARSE,
                         "jpeg: sampling factors too large for an interleaved scan (%d blocks per "
                         "MCU, at most %d; at byte %zu)",
                         blocks, JDEC_MAX_BLOCKS_IN_MCU, s->data);
    return TERN_OK;
}

static tern_status run_scan(jdec *d, const jdec_scan *s) {
    tern_status st = start_scan(d, s);
    if (st) return st;
    if (d->scans == 0) d->first_restart_interval = d->restart_interval;
    d->scans++;
    for (int i = 0; i < s->n; i++) d->comp[s->ci[i]].decoded = 1;
    return jdec_decode_scan(d, s);
}

/* After the first scan: a scan holding every component is the whole image
 * (libjpeg's single-scan mode: what follows is not read). Otherwise scans
 * are read until EOI or the end of the data; a file that ends inside a
 * segment there ends the image as libjpeg's fake EOI does. */
static tern_status remaining_scans(jdec *d, const jdec_scan *first) {
    if (first->n == d->ncomp) return TERN_OK;
    for (;;) {
        jdec_scan s;
        int got;
        tern_status st = jdec_read_markers(d, &s, &got);
        if (st && d->seg_truncated && (d->flags & TERN_JPEG_ALLOW_DAMAGED)) {
            const char *why = d->err ? d->err->msg : "jpeg: truncated segment";
            st = jdec_damage(d, st, "%s", strncmp(why, "jpeg: ", 6) ? why : why + 6);
            break;
        }
        if (st) return st;
        if (!got) break;
        st = run_scan(d, &s);
        if (st) return st;
    }
    for (int i = 0; i < d->ncomp; i++)
        if (!d->comp[i].decoded) {
            tern_status st = jdec_damage(d, TERN_ERR_PARSE,
                                         "truncated: component %d never appears in a scan "
                                         "(the file ends at byte %zu)",
                                         d->comp[i].id, d->len);
            if (st) return st;
        }
    return TERN_OK;
}

static tern_status decode(jdec *d, tern_pnm *out) {
    tern_status st = jdec_read_soi(d);
    jdec_scan s;
    int got = 0;
    if (!st) st = jdec_read_markers(d, &s, &got);
    if (st) return st;
    if (!got)
        return tern_errf(d->err, TERN_ERR_PARSE, "jpeg: no image data: %s before any scan (at byte %zu)",
                         d->sof ? "EOI or the end of the file" : "no frame header (SOF) and EOI or the end of the file",
                         d->pos);
    colour_space(d);
    jdec_huff_defaults(d->dc, d->ac);
    st = plausible_size(d, s.data);
    if (!st) st = alloc_planes(d);
    if (!st) st = run_scan(d, &s);
    if (!st) st = remaining_scans(d, &s);
    if (!st) st = jdec_emit(d, out);
    return st;
}

static void fill_info(const jdec *d, tern_jpeg_info *info) {
    memset(info, 0, sizeof *info);
    info->width = d->width;
    info->height = d->height;
    info->components = d->ncomp;
    info->sof = d->sof;
    info->rgb = d->rgb;
    for (int i = 0; i < d->ncomp; i++) {
        info->h_samp[i] = d->comp[i].h;
        info->v_samp[i] = d->comp[i].v;
    }
    info->restart_interval = d->first_restart_interval;
    info->scans = d->scans;
    info->damaged = d->damaged;
    memcpy(info->damage, d->damage, sizeof info->damage);
}

tern_status tern_jpeg_decode_ex(const uint8_t *buf, size_t len, const tern_jpeg_options *opts,
                                tern_pnm *out, tern_jpeg_info *info, tern_err *err) {
    if (out) memset(out, 0, sizeof *out);
    if (info) memset(info, 0, sizeof *info);
    if (!buf || !out) return tern_errf(err, TERN_ERR_INVALID_ARG, "jpeg: no buffer or no output");
    /* the decoder holds 8 Huffman tables with their lookup tables (~30 KB):
     * on the heap, not on a caller's thread stack */
    jdec *d = calloc(1, sizeof *d);
    if (!d) return tern_errf(err, TERN_ERR_NOMEM, "jpeg: out of memory");
    d->buf = buf;
    d->len = len;
    d->err = err;
    d->flags = opts ? opts->flags : 0;
    d->max_bytes = opts && opts->max_bytes ? opts->max_bytes : TERN_PNM_MAX_BYTES;
    tern_status st = decode(d, out);
    if (info) fill_info(d, info);
    for (int i = 0; i < 3; i++) free(d->comp[i].plane);
    free(d);
    return st;
}

tern_status tern_jpeg_decode(const uint8_t *buf, size_t len, tern_pnm *out, tern_err *err) {
    return tern_jpeg_decode_ex(buf, len, NULL, out, NULL, err);
}

tern_status tern_jpeg_read_file(const char *path, tern_pnm *out, tern_err *err) {
    if (out) memset(out, 0, sizeof *out);
    uint8_t *buf;
    size_t len;
    tern_status st = tern_file_read(path, TERN_JPEG_MAX_FILE, &buf, &len, err);
    if (st) return st;
    st = tern_jpeg_decode(buf, len, out, err);
    free(buf);
    if (st) tern_err_prefix(err, "%s", path);
    return st;
}
