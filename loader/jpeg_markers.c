/* Marker segments (T.81 B.2-B.3), read as libjpeg's jdmarker.c reads them:
 * every length is checked against the segment and the buffer; APPn and COM
 * are skipped by their length (never by scanning for FF D8 / FF D9, which
 * an embedded EXIF thumbnail contains), except that APP0 and APP14 are
 * looked at for the JFIF and Adobe signatures that decide the colour space.
 * Non-marker bytes between segments are skipped (libjpeg warns
 * "extraneous bytes" and goes on). Unsupported frame types are refused by
 * name. */
#include <stdio.h>
#include <string.h>

#include "loader/jpeg_priv.h"

/* Zigzag index -> natural index (DQT stores its values in zigzag order). */
static const uint8_t NATURAL[64] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

const char *jdec_marker_name(int m, char *buf, size_t cap) {
    if (m == JDEC_EOF) return "the end of the file";
    if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC)
        snprintf(buf, cap, "SOF%d", m - 0xC0);
    else if (m >= 0xD0 && m <= 0xD7)
        snprintf(buf, cap, "RST%d", m - 0xD0);
    else if (m >= 0xE0 && m <= 0xEF)
        snprintf(buf, cap, "APP%d", m - 0xE0);
    else {
        const char *n = m == 0xC4 ? "DHT" : m == 0xCC ? "DAC" : m == 0xD8 ? "SOI" : m == 0xD9 ? "EOI"
                      : m == 0xDA ? "SOS" : m == 0xDB ? "DQT" : m == 0xDC ? "DNL" : m == 0xDD ? "DRI"
                      : m == 0xFE ? "COM" : NULL;
        if (n)
            snprintf(buf, cap, "%s", n);
        else
            snprintf(buf, cap, "marker 0xFF%02X", (unsigned)m & 0xFF);
    }
    return buf;
}

int jdec_next_marker(const uint8_t *buf, size_t len, size_t at, size_t *start, size_t *after) {
    size_t i = at;
    for (;;) {
        while (i < len && buf[i] != 0xFF) i++;
        size_t ff = i;
        while (i < len && buf[i] == 0xFF) i++;
        if (i >= len) {
            *start = ff < len ? ff : len;
            *after = len;
            return JDEC_EOF;
        }
        if (buf[i] != 0) { /* FF 00 is not a marker: keep looking */
            *start = ff;
            *after = i + 1;
            return buf[i];
        }
        i++;
    }
}

tern_status jdec_read_soi(jdec *d) {
    if (d->len < 2 || d->buf[0] != 0xFF || d->buf[1] != 0xD8)
        return tern_errf(d->err, TERN_ERR_PARSE, "jpeg: not a JPEG file (no SOI marker FF D8 at byte 0)");
    d->pos = 2;
    return TERN_OK;
}

/* A segment: the marker at `start`, its payload [p, p + n). */
typedef struct segment {
    int marker;
    size_t start, p, n;
} segment;

static unsigned be16(const uint8_t *p) {
    return (unsigned)p[0] << 8 | p[1];
}

static tern_status seg_error(jdec *d, const segment *g, const char *what) {
    char name[24];
    return tern_errf(d->err, TERN_ERR_PARSE, "jpeg: bad %s segment: %s (at byte %zu)",
                     jdec_marker_name(g->marker, name, sizeof name), what, g->start);
}

/* The length field after the marker; the payload must lie in the buffer. */
static tern_status read_length(jdec *d, segment *g, size_t after) {
    char name[24];
    size_t left = d->len - after;
    unsigned l = left < 2 ? 0 : be16(d->buf + after);
    d->seg_truncated = left < 2 || left < l;
    if (left < 2)
        return tern_errf(d->err, TERN_ERR_PARSE,
                         "jpeg: truncated: the file ends in the %s segment (at byte %zu)",
                         jdec_marker_name(g->marker, name, sizeof name), g->start);
    if (l < 2) return seg_error(d, g, "length field is less than 2");
    if (left < l)
        return tern_errf(d->err, TERN_ERR_PARSE,
                         "jpeg: truncated: the %s segment needs %u bytes, the file has %zu "
                         "(at byte %zu)",
                         jdec_marker_name(g->marker, name, sizeof name), l, left, g->start);
    g->p = after + 2;
    g->n = l - 2;
    return TERN_OK;
}

static tern_status unsupported_sof(jdec *d, const segment *g) {
    int m = g->marker;
    const char *what = m == 0xC2 ? "progressive JPEG"
                     : m == 0xC3 ? "lossless JPEG"
                     : m == 0xC9 ? "arithmetic-coded JPEG"
                     : m == 0xCA ? "progressive arithmetic-coded JPEG"
                     : m == 0xCB ? "lossless arithmetic-coded JPEG"
                     : m == 0xC8 ? "JPEG extension (JPG marker)"
                                 : "hierarchical (differential) JPEG";
    char name[24];
    return tern_errf(d->err, TERN_ERR_UNSUPPORTED, "jpeg: %s (%s) is not supported (at byte %zu)",
                     what, jdec_marker_name(m, name, sizeof name), g->start);
}

/* Per-component geometry as libjpeg's jdinput.c initial_setup computes it. */
static tern_status frame_geometry(jdec *d, const segment *g) {
    d->max_h = d->max_v = 1;
    for (int i = 0; i < d->ncomp; i++) {
        if (d->comp[i].h > d->max_h) d->max_h = d->comp[i].h;
        if (d->comp[i].v > d->max_v) d->max_v = d->comp[i].v;
    }
    for (int i = 0; i < d->ncomp; i++) {
        jdec_comp *c = &d->comp[i];
        if (d->max_h % c->h || d->max_v % c->v)
            return tern_errf(d->err, TERN_ERR_UNSUPPORTED,
                             "jpeg: fractional sampling is not supported: component %d is %dx%d, "
                             "the largest factors %dx%d (at byte %zu)",
                             c->id, c->h, c->v, d->max_h, d->max_v, g->start);
        int64_t w = d->width, h = d->height;
        c->dw = (int)((w * c->h + d->max_h - 1) / d->max_h);
        c->dh = (int)((h * c->v + d->max_v - 1) / d->max_v);
        c->bw = (int)((w * c->h + 8 * d->max_h - 1) / (8 * d->max_h));
        c->bh = (int)((h * c->v + 8 * d->max_v - 1) / (8 * d->max_v));
    }
    return TERN_OK;
}

static tern_status size_limit(jdec *d, const segment *g) {
    size_t bytes;
    int ch = d->ncomp == 1 ? 1 : 3;
    if (!tern_mul_size((size_t)d->width, (size_t)d->height, &bytes) ||
        !tern_mul_size(bytes, (size_t)ch, &bytes) || bytes > d->max_bytes)
        return tern_errf(d->err, TERN_ERR_UNSUPPORTED,
                         "jpeg: image %dx%d with %d channels is larger than the %zu-byte limit "
                         "(at byte %zu)",
                         d->width, d->height, ch, d->max_bytes, g->start);
    return TERN_OK;
}

static tern_status components(jdec *d, const segment *g, const uint8_t *p) {
    for (int i = 0; i < d->ncomp; i++, p += 3) {
        jdec_comp *c = &d->comp[i];
        c->id = p[0];
        c->h = p[1] >> 4;
        c->v = p[1] & 15;
        c->tq = p[2];
        for (int j = 0; j < i; j++)
            if (d->comp[j].id == c->id) return seg_error(d, g, "two components with the same id");
        if (c->h < 1 || c->h > 4 || c->v < 1 || c->v > 4) {
            char why[96];
            snprintf(why, sizeof why, "component %d has sampling factors %dx%d (1..4 allowed)",
                     c->id, c->h, c->v);
            return seg_error(d, g, why);
        }
        if (c->tq > 3) return seg_error(d, g, "quantization table id larger than 3");
    }
    return frame_geometry(d, g);
}

static tern_status read_sof(jdec *d, const segment *g) {
    if (d->sof) return seg_error(d, g, "a second frame header");
    if (g->n < 6) return seg_error(d, g, "shorter than 6 bytes");
    const uint8_t *p = d->buf + g->p;
    if (p[0] != 8)
        return tern_errf(d->err, TERN_ERR_UNSUPPORTED,
                         "jpeg: %d-bit precision is not supported (8-bit only; at byte %zu)", p[0],
                         g->start);
    d->height = (int)be16(p + 1);
    d->width = (int)be16(p + 3);
    int nc = p[5];
    if (d->width == 0 || d->height == 0)
        return tern_errf(d->err, TERN_ERR_PARSE,
                         "jpeg: image %dx%d is empty (a height of 0 needs a DNL marker, which is "
                         "not supported; at byte %zu)",
                         d->width, d->height, g->start);
    if (nc == 4)
        return tern_errf(d->err, TERN_ERR_UNSUPPORTED,
                         "jpeg: 4-component (CMYK/YCCK) JPEG is not supported (at byte %zu)",
                         g->start);
    if (nc != 1 && nc != 3)
        return tern_errf(d->err, TERN_ERR_UNSUPPORTED,
                         "jpeg: %d-component JPEG is not supported (1 or 3; at byte %zu)", nc,
                         g->start);
    if (g->n != 6 + 3 * (size_t)nc) return seg_error(d, g, "length does not match the components");
    d->ncomp = nc;
    d->sof = g->marker;
    tern_status st = components(d, g, p + 6);
    return st ? st : size_limit(d, g);
}

static tern_status read_dqt(jdec *d, const segment *g) {
    const uint8_t *p = d->buf + g->p, *end = p + g->n;
    while (p < end) {
        int pq = p[0] >> 4, tq = p[0] & 15;
        if (pq > 1) return seg_error(d, g, "precision is neither 8 nor 16 bits");
        if (tq > 3) return seg_error(d, g, "table id larger than 3");
        size_t need = 1 + 64 * (size_t)(pq + 1);
        if ((size_t)(end - p) < need) return seg_error(d, g, "table runs past the segment");
        for (int k = 0; k < 64; k++)
            d->qt[tq][NATURAL[k]] = pq ? (uint16_t)be16(p + 1 + 2 * k) : p[1 + k];
        d->qt_defined[tq] = 1;
        p += need;
    }
    return TERN_OK;
}

static tern_status read_dht(jdec *d, const segment *g) {
    const uint8_t *p = d->buf + g->p, *end = p + g->n;
    while (p < end) {
        if (end - p < 17) return seg_error(d, g, "table runs past the segment");
        int tc = p[0] >> 4, th = p[0] & 15;
        if (tc > 1 || th > 3) return seg_error(d, g, "table class or id out of range");
        size_t total = 0;
        for (int l = 0; l < 16; l++) total += p[1 + l];
        if (total > 256) return seg_error(d, g, "more than 256 codes");
        if ((size_t)(end - p) < 17 + total) return seg_error(d, g, "table runs past the segment");
        jdec_huff *h = tc ? &d->ac[th] : &d->dc[th];
        const char *why = jdec_huff_build(h, p + 1, p + 17, tc == 0);
        if (why) {
            char msg[96];
            snprintf(msg, sizeof msg, "%s table %d: %s", tc ? "AC" : "DC", th, why);
            return seg_error(d, g, msg);
        }
        p += 17 + total;
    }
    return TERN_OK;
}

static tern_status read_dri(jdec *d, const segment *g) {
    if (g->n != 2) return seg_error(d, g, "length is not 4");
    d->restart_interval = (int)be16(d->buf + g->p);
    return TERN_OK;
}

/* APP0 "JFIF\0" and APP14 "Adobe" (libjpeg's examine_app0/app14 need 14
 * and 12 bytes). Everything else in APPn is skipped. */
static void read_app(jdec *d, const segment *g) {
    const uint8_t *p = d->buf + g->p;
    if (g->marker == 0xE0 && g->n >= 14 && memcmp(p, "JFIF\0", 5) == 0) d->jfif = 1;
    if (g->marker == 0xEE && g->n >= 12 && memcmp(p, "Adobe", 5) == 0) {
        d->adobe = 1;
        d->adobe_transform = p[11];
    }
}

/* The scan header. Tables and the quant table are checked when the scan
 * starts, as libjpeg does, since DHT/DQT may legally come between scans. */
static tern_status read_sos(jdec *d, const segment *g, jdec_scan *s) {
    if (!d->sof) {
        char name[24];
        return tern_errf(d->err, TERN_ERR_PARSE, "jpeg: %s before the frame header (at byte %zu)",
                         jdec_marker_name(g->marker, name, sizeof name), g->start);
    }
    const uint8_t *p = d->buf + g->p;
    if (g->n < 1) return seg_error(d, g, "empty");
    int n = p[0];
    if (n < 1 || n > JDEC_MAX_SCAN_COMPS || g->n != 4 + 2 * (size_t)n)
        return seg_error(d, g, "component count does not match the length");
    s->n = n;
    for (int i = 0; i < n; i++) {
        int id = p[1 + 2 * i], ci = -1;
        for (int k = 0; k < d->ncomp; k++)
            if (d->comp[k].id == id) ci = k;
        if (ci < 0) {
            char why[64];
            snprintf(why, sizeof why, "component id %d is not in the frame", id);
            return seg_error(d, g, why);
        }
        for (int k = 0; k < i; k++)
            if (s->ci[k] == ci) return seg_error(d, g, "a component appears twice");
        s->ci[i] = ci;
        s->td[i] = p[2 + 2 * i] >> 4;
        s->ta[i] = p[2 + 2 * i] & 15;
    }
    /* Ss, Se, Ah/Al are not checked: libjpeg only warns, as some baseline
     * files have zeros there. */
    s->data = g->p + g->n;
    return TERN_OK;
}

static tern_status read_segment(jdec *d, segment *g, size_t after, jdec_scan *s, int *done) {
    int m = g->marker;
    char name[24];
    if (m == 0xD8)
        return tern_errf(d->err, TERN_ERR_PARSE, "jpeg: a second SOI marker (at byte %zu)", g->start);
    if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) { /* parameterless: libjpeg ignores them */
        d->pos = after;
        return TERN_OK;
    }
    if (!((m >= 0xC0 && m <= 0xFE) && m != 0xD9))
        return tern_errf(d->err, TERN_ERR_PARSE, "jpeg: unknown %s (at byte %zu)",
                         jdec_marker_name(m, name, sizeof name), g->start);
    tern_status st = read_length(d, g, after);
    if (st) return st;
    d->pos = g->p + g->n;
    if (m == 0xC0 || m == 0xC1) return read_sof(d, g);
    if (m >= 0xC2 && m <= 0xCF && m != 0xC4 && m != 0xCC) return unsupported_sof(d, g);
    if (m == 0xC4) return read_dht(d, g);
    if (m == 0xDB) return read_dqt(d, g);
    if (m == 0xDD) return read_dri(d, g);
    if (m >= 0xE0 && m <= 0xEF) read_app(d, g);
    if (m == 0xDA) {
        *done = 1;
        return read_sos(d, g, s);
    }
    if ((m >= 0xF0 && m <= 0xFD) || m == 0xDE || m == 0xDF)
        return tern_errf(d->err, TERN_ERR_UNSUPPORTED, "jpeg: %s is not supported (at byte %zu)",
                         jdec_marker_name(m, name, sizeof name), g->start);
    return TERN_OK; /* APPn, COM, DAC, DNL: skipped */
}

tern_status jdec_read_markers(jdec *d, jdec_scan *s, int *got_sos) {
    *got_sos = 0;
    for (;;) {
        segment g = {0, 0, 0, 0};
        size_t after;
        g.marker = jdec_next_marker(d->buf, d->len, d->pos, &g.start, &after);
        if (g.marker == JDEC_EOF || g.marker == 0xD9) {
            d->pos = after;
            return TERN_OK;
        }
        int done = 0;
        tern_status st = read_segment(d, &g, after, s, &done);
        if (st || done) {
            *got_sos = done && !st;
            return st;
        }
    }
}
