/* Internals of the JPEG decoder, shared by loader/jpeg*.c:
 *   jpeg.c          the API: headers, allocation, scans, output, in order
 *   jpeg_markers.c  marker segments (SOF, DHT, DQT, DRI, SOS, APPn, COM)
 *   jpeg_huffman.c  Huffman tables: validation and lookup tables
 *   jpeg_entropy.c  entropy-coded segments: bits, blocks, MCUs, restarts
 *   jpeg_idct.c     libjpeg's accurate integer IDCT (jidctint.c islow)
 *   jpeg_upsample.c libjpeg's chroma upsampling (jdsample.c, fancy)
 *   jpeg_color.c    YCbCr->RGB (jdcolor.c) and the output image
 * Everything a decode needs lives in one jdec; nothing is global.
 * Internal names start with jdec_/JDEC_, never jpeg_: libjpeg's exported
 * symbols use jpeg_ (jpeg_idct_islow, ...), and a program linking both
 * libraries must not get one in place of the other. */
#ifndef TERN_JPEG_PRIV_H
#define TERN_JPEG_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "loader/jpeg.h"

#define JDEC_FAST_BITS 11
#define JDEC_EOF 0x100 /* pseudo-marker: the end of the buffer (libjpeg inserts a fake EOI) */
#define JDEC_MAX_SCAN_COMPS 4
#define JDEC_MAX_BLOCKS_IN_MCU 10 /* T.81 B.2.3, libjpeg's D_MAX_BLOCKS_IN_MCU */

/* One Huffman table, ready for decoding. Codes up to JDEC_FAST_BITS long
 * are found with one lookup; longer ones by comparing 16 peeked bits with
 * maxcode[l] for l = 1..16 (canonical codes make the first l with
 * peek < maxcode[l] the code's length). */
typedef struct jdec_huff {
    int defined;
    uint16_t fast[1 << JDEC_FAST_BITS];   /* (length << 8) | symbol; 0 when longer */
    int32_t fast_ac[1 << JDEC_FAST_BITS]; /* AC only: code and value bits together fit:
                                             value * 65536 + run * 256 + total bits; 0: no */
    uint32_t maxcode[18];                 /* left-aligned to 16 bits; [17] is a sentinel */
    int32_t delta[17];                    /* symbol index = code + delta[length] */
    uint8_t vals[256];
} jdec_huff;

typedef struct jdec_comp {
    int id, h, v, tq; /* identifier, sampling factors, quant table id (SOF) */
    int bw, bh;       /* size in 8x8 blocks (libjpeg's width_in_blocks) */
    int dw, dh;       /* size in samples (libjpeg's downsampled_width) */
    uint8_t *plane;   /* bh*8 rows of `stride` samples, IDCT output */
    size_t stride;
    int16_t q[64];    /* quant table latched at the component's first scan, natural order;
                         int16 as libjpeg's ISLOW_MULT_TYPE */
    int latched;
    int decoded;      /* seen in a scan */
} jdec_comp;

typedef struct jdec_scan {
    int n;                             /* components in the scan */
    int ci[JDEC_MAX_SCAN_COMPS];       /* index into jdec.comp */
    int td[JDEC_MAX_SCAN_COMPS], ta[JDEC_MAX_SCAN_COMPS];
    size_t data;                       /* offset of the entropy-coded data */
} jdec_scan;

typedef struct jdec {
    const uint8_t *buf;
    size_t len, pos; /* pos: where marker parsing continues */
    tern_err *err;
    unsigned flags;
    size_t max_bytes;

    int sof;         /* 0 until a frame header was read */
    int width, height, ncomp, max_h, max_v;
    jdec_comp comp[3];
    uint16_t qt[4][64]; /* natural order */
    int qt_defined[4];
    jdec_huff dc[4], ac[4];
    int restart_interval;
    int jfif, adobe, adobe_transform;
    int rgb;          /* colour space decided as libjpeg's default_decompress_parms */
    int scans, first_restart_interval;
    int damaged;
    char damage[160];
    int seg_truncated; /* the last error: a segment runs past the end of the file */
} jdec;

/* jpeg_markers.c */
/* Check SOI; set d->pos after it. */
tern_status jdec_read_soi(jdec *d);
/* Read marker segments from d->pos until SOS (*got_sos = 1, scan filled,
 * d->pos at the entropy-coded data) or EOI / the end of the buffer
 * (*got_sos = 0). Frame and tables are stored in d. */
tern_status jdec_read_markers(jdec *d, jdec_scan *scan, int *got_sos);
/* The marker at or after `at`, skipping non-marker bytes and fill bytes
 * as libjpeg's next_marker does: returns the marker code (or JDEC_EOF),
 * *start = offset of its first FF, *after = offset just past it. */
int jdec_next_marker(const uint8_t *buf, size_t len, size_t at, size_t *start, size_t *after);
/* "SOF2", "RST3", "APP1", "0xFF02": a marker's name for messages. */
const char *jdec_marker_name(int m, char *buf, size_t cap);

/* jpeg_huffman.c */
/* Build h from the 16 counts and the symbols; NULL, or why the table is bad. */
const char *jdec_huff_build(jdec_huff *h, const uint8_t counts[16], const uint8_t *vals, int is_dc);
/* Fill DC/AC slots 0 and 1 that are still undefined with the standard
 * tables of T.81 Annex K.3, as libjpeg-turbo does when decoding starts. */
void jdec_huff_defaults(jdec_huff dc[4], jdec_huff ac[4]);

/* jpeg_entropy.c */
/* Decode one scan into the component planes; leaves d->pos after its data. */
tern_status jdec_decode_scan(jdec *d, const jdec_scan *s);
/* Record damage (TERN_JPEG_ALLOW_DAMAGED) or fail with the same text. */
tern_status jdec_damage(jdec *d, tern_status code, const char *fmt, ...) TERN_PRINTF(3, 4);

/* jpeg_idct.c: dequantized coefficients (natural order) to 8x8 samples */
void jdec_idct_islow(const int32_t in[64], uint8_t *out, size_t stride);
/* The same when only in[0] may be nonzero. */
void jdec_idct_dc(int32_t dc, uint8_t *out, size_t stride);

/* jpeg_upsample.c: one output row of component c, width d->width, either
 * a pointer into the plane or upsampled into tmp (>= 2*dw + 16 bytes). */
typedef struct jdec_upsampler {
    int kind; /* JPEG_UP_* */
    int hx, vx; /* integral expansion factors */
} jdec_upsampler;
enum { JDEC_UP_FULL, JDEC_UP_H2V1_FANCY, JDEC_UP_H1V2_FANCY, JDEC_UP_H2V2_FANCY, JDEC_UP_REPLICATE };
/* Pick libjpeg's method for c (jinit_upsampler with do_fancy_upsampling). */
void jdec_upsampler_init(const jdec *d, const jdec_comp *c, jdec_upsampler *u);
const uint8_t *jdec_upsample_row(const jdec *d, const jdec_comp *c, const jdec_upsampler *u,
                                 int y, uint8_t *tmp);

/* jpeg_color.c: the output image from the component planes. */
tern_status jdec_emit(jdec *d, tern_pnm *out);

#endif
