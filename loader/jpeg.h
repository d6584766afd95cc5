/* Baseline JPEG decoder (untrusted bytes in, tern_pnm out).
 *
 * Decodes sequential Huffman JPEG with 8-bit samples (SOF0, and SOF1 with
 * 8-bit precision): 1 component (gray, 1 channel out) or 3 (YCbCr or RGB,
 * 3 channels out), any sampling factors 1..4 whose ratios are integral
 * (4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1, ...), interleaved or non-interleaved
 * scans, restart markers, optimized Huffman tables. APPn and COM segments
 * are skipped by their length; EXIF orientation is ignored (as libjpeg and
 * Pillow do).
 *
 * The pixels are those of libjpeg-turbo's `djpeg` with its defaults, bit
 * for bit: the accurate integer IDCT (jidctint.c "islow"), "fancy" chroma
 * upsampling (jdsample.c) and the fixed-point YCbCr->RGB of jdcolor.c.
 *
 * Refused with a message naming the feature: progressive (SOF2), lossless,
 * hierarchical and arithmetic-coded files, precisions other than 8 bits,
 * 2 or 4+ components (CMYK/YCCK), fractional sampling ratios.
 *
 * Damaged data (the file ends inside the image, an entropy-coded segment
 * stops early at a marker, a restart marker is missing, a Huffman code is
 * invalid) is an error by default. With TERN_JPEG_ALLOW_DAMAGED the image
 * is decoded as libjpeg does it (the rest of a truncated image is gray 128,
 * restart markers are resynchronized with libjpeg's rules) and
 * tern_jpeg_info.damaged says so. See docs/jpeg.md.
 *
 * No global state; safe to call from any number of threads at once. */
#ifndef TERN_JPEG_H
#define TERN_JPEG_H

#include <stddef.h>
#include <stdint.h>

#include "graph/common.h"
#include "loader/pnm.h"

/* Decode damaged data as libjpeg does instead of failing. */
#define TERN_JPEG_ALLOW_DAMAGED 1u

typedef struct tern_jpeg_options {
    unsigned flags;   /* TERN_JPEG_ALLOW_DAMAGED */
    size_t max_bytes; /* largest decoded image (width*height*channels); 0: TERN_PNM_MAX_BYTES */
} tern_jpeg_options;

typedef struct tern_jpeg_info {
    int width, height;
    int components;      /* 1 or 3 */
    int sof;             /* marker byte: 0xC0 or 0xC1 */
    int rgb;             /* 3 components stored as RGB (Adobe transform 0 or ids 'R','G','B') */
    int h_samp[3], v_samp[3];
    int restart_interval; /* of the first scan; 0: none */
    int scans;
    int damaged;          /* only with TERN_JPEG_ALLOW_DAMAGED: what was wrong is in `damage` */
    char damage[160];
} tern_jpeg_info;

/* Decode a whole JPEG file held in buf. On success out->data is malloc'ed
 * (free with tern_pnm_free). Errors start with "jpeg: " and say where
 * (byte offset, marker). */
tern_status tern_jpeg_decode(const uint8_t *buf, size_t len, tern_pnm *out, tern_err *err);

/* The same with options; opts and info may be NULL. */
tern_status tern_jpeg_decode_ex(const uint8_t *buf, size_t len, const tern_jpeg_options *opts,
                                tern_pnm *out, tern_jpeg_info *info, tern_err *err);

/* Read and decode a file (at most TERN_JPEG_MAX_FILE bytes). Errors name the path. */
#define TERN_JPEG_MAX_FILE ((size_t)1 << 28)
tern_status tern_jpeg_read_file(const char *path, tern_pnm *out, tern_err *err);

/* True when buf starts like a JPEG file (the SOI marker FF D8; libjpeg
 * then skips anything up to the next marker, and so does this decoder). */
int tern_jpeg_sniff(const uint8_t *buf, size_t len);

#endif
