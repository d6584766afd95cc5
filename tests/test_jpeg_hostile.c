/* Hostile input for the JPEG decoder: every prefix and 10,000 random byte
 * changes of several fixtures (strict and ALLOW_DAMAGED), and hand-made
 * headers (edited copies of tests/data/jpeg/f420.jpg) that must give a
 * clean error naming the problem, or decode as libjpeg does. Also decodes
 * from several threads at once. Needs no ../shared. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/jpeg.h"
#include "tests/harness.h"

#define FIXTURES "tests/data/jpeg/"

static uint32_t lcg(uint32_t *s) {
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* A growable byte string for building edited files. */
typedef struct bytes {
    uint8_t *b;
    size_t n;
} bytes;

static void put(bytes *o, const void *p, size_t n) {
    uint8_t *nb = realloc(o->b, o->n + n + 1);
    if (!nb) abort();
    o->b = nb;
    if (n) memcpy(o->b + o->n, p, n);
    o->n += n;
}

static unsigned be16(const uint8_t *p) {
    return (unsigned)p[0] << 8 | p[1];
}

/* Offset of the first segment with this marker before the entropy-coded
 * data (walking segments from SOI), or 0. */
static size_t find_seg(const bytes *f, int marker) {
    size_t p = 2;
    while (p + 4 <= f->n && f->b[p] == 0xFF) {
        if (f->b[p + 1] == marker) return p;
        if (f->b[p + 1] == 0xDA) return 0;
        p += 2 + be16(f->b + p + 2);
    }
    return 0;
}

/* f with the `len` bytes at `at` replaced by `ins` (n bytes). */
static bytes splice(const bytes *f, size_t at, size_t len, const void *ins, size_t n) {
    bytes o = {0};
    put(&o, f->b, at);
    put(&o, ins, n);
    put(&o, f->b + at + len, f->n - at - len);
    return o;
}

static bytes load(const char *name) {
    char path[128];
    snprintf(path, sizeof path, FIXTURES "%s", name);
    bytes f = {0};
    f.b = th_read_file(path, &f.n);
    return f;
}

/* A decode that must not crash; returns the status, out freed. */
static tern_status try_decode(const uint8_t *b, size_t n, unsigned flags, tern_pnm *shape,
                              tern_err *err, tern_jpeg_info *info) {
    tern_pnm img;
    tern_jpeg_options o = {flags, 0};
    tern_status st = tern_jpeg_decode_ex(b, n, &o, &img, info, err);
    if (shape) *shape = img;
    if (!st && !shape) tern_pnm_free(&img);
    return st;
}

/* ---- every prefix ---- */

static size_t first_scan_data(const bytes *f) {
    size_t sos = 2;
    while (sos + 4 <= f->n && f->b[sos + 1] != 0xDA) sos += 2 + be16(f->b + sos + 2);
    return sos + 2 + be16(f->b + sos + 2);
}

static void prefixes(th_ctx *t, const char *name) {
    bytes f = load(name);
    char label[128];
    snprintf(label, sizeof label, "jpeg %s: every prefix is an error or a flagged image", name);
    if (!th_check(t, f.b != NULL, label, "cannot read the fixture")) return;
    size_t data = first_scan_data(&f);
    int bad = 0;
    char why[600] = "";
    for (size_t n = 0; n < f.n && !bad; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees any overread */
        memcpy(copy, f.b, n);
        tern_err err = {{0}};
        tern_pnm img;
        tern_jpeg_info info;
        /* strict: an error, except where only EOI is missing */
        tern_status st = try_decode(copy, n, 0, &img, &err, &info);
        if (!st) tern_pnm_free(&img);
        if (n + 2 < f.n && (st == TERN_OK || strncmp(err.msg, "jpeg: ", 6) != 0)) {
            bad = 1;
            snprintf(why, sizeof why, "strict, %zu of %zu bytes: status %d '%s'", n, f.n, st, err.msg);
        }
        /* damaged allowed: from the first scan's data on, always an image */
        st = try_decode(copy, n, TERN_JPEG_ALLOW_DAMAGED, &img, &err, &info);
        if (!st) {
            if (img.width != 37 || img.height != 29 || (n + 2 < f.n && !info.damaged)) {
                bad = 1;
                snprintf(why, sizeof why, "damaged, %zu bytes: %dx%d damaged=%d", n, img.width,
                         img.height, info.damaged);
            }
            tern_pnm_free(&img);
        } else if (n >= data || strncmp(err.msg, "jpeg: ", 6) != 0) {
            bad = 1;
            snprintf(why, sizeof why, "damaged, %zu bytes (data at %zu): status %d '%s'", n, data,
                     st, err.msg);
        }
        free(copy);
    }
    th_check(t, !bad, label, "%s", why);
    free(f.b);
}

/* ---- random byte changes ---- */

static void flips(th_ctx *t, const char *name, uint32_t seed, int count) {
    bytes f = load(name);
    char label[128];
    snprintf(label, sizeof label, "jpeg %s: %d random byte changes never crash", name, count);
    if (!th_check(t, f.b != NULL, label, "cannot read the fixture")) return;
    uint8_t *copy = malloc(f.n);
    int bad = 0, decoded = 0;
    char why[400] = "";
    for (int i = 0; i < count && !bad; i++) {
        memcpy(copy, f.b, f.n);
        int changes = 1 + (int)(lcg(&seed) % 3);
        for (int k = 0; k < changes; k++) {
            /* a quarter of the changes hit the headers */
            size_t at = lcg(&seed) % 4 == 0 ? lcg(&seed) % 330 % f.n : lcg(&seed) % f.n;
            copy[at] = (uint8_t)lcg(&seed);
        }
        for (unsigned flags = 0; flags <= TERN_JPEG_ALLOW_DAMAGED; flags++) {
            tern_err err = {{0}};
            tern_pnm img;
            tern_status st = try_decode(copy, f.n, flags, &img, &err, NULL);
            if (st == TERN_OK) {
                decoded++;
                if (!img.data || img.width < 1 || img.height < 1 ||
                    (img.channels != 1 && img.channels != 3)) {
                    bad = 1;
                    snprintf(why, sizeof why, "change %d: bad image %dx%dx%d", i, img.width,
                             img.height, img.channels);
                }
                tern_pnm_free(&img);
            } else if (strncmp(err.msg, "jpeg: ", 6) != 0 || img.data) {
                bad = 1;
                snprintf(why, sizeof why, "change %d: status %d with message '%s'", i, st, err.msg);
            }
        }
    }
    th_check(t, !bad && decoded > 0, label, "%s (%d decoded)", why, decoded);
    free(copy);
    free(f.b);
}

/* ---- hand-made headers ---- */

/* Decode b (strict); the status must be `want` and the message contain
 * `needle` (TERN_OK: any image). */
static void expect(th_ctx *t, const char *label, bytes b, tern_status want, const char *needle) {
    tern_err err = {{0}};
    tern_pnm img;
    tern_status st = try_decode(b.b, b.n, 0, &img, &err, NULL);
    if (!st) tern_pnm_free(&img);
    th_check(t, st == want && (want == TERN_OK || strstr(err.msg, needle)), label,
             "status %d (want %d): %s", st, want, err.msg);
    free(b.b);
}

/* f with one byte at offset `at` set. */
static bytes with_byte(const bytes *f, size_t at, uint8_t v) {
    bytes o = splice(f, 0, 0, NULL, 0);
    o.b[at] = v;
    return o;
}

static void frame_headers(th_ctx *t, const bytes *f) {
    size_t sof = find_seg(f, 0xC0); /* FF C0 len(2) P H(2) W(2) Nf, then 3 bytes a component */
    bytes b = with_byte(f, sof + 5, 0);
    b.b[sof + 6] = 0;
    expect(t, "jpeg: height 0 is refused", b, TERN_ERR_PARSE, "empty");
    b = with_byte(f, sof + 7, 0);
    b.b[sof + 8] = 0;
    expect(t, "jpeg: width 0 is refused", b, TERN_ERR_PARSE, "empty");
    b = with_byte(f, sof + 5, 0xFF);
    b.b[sof + 6] = b.b[sof + 7] = b.b[sof + 8] = 0xFF;
    expect(t, "jpeg: 65535x65535 is refused before allocating", b, TERN_ERR_UNSUPPORTED,
           "larger than");
    b = with_byte(f, sof + 5, 0x27); /* 10000x10000 with ~1 KB of data */
    b.b[sof + 6] = 0x10;
    b.b[sof + 7] = 0x27;
    b.b[sof + 8] = 0x10;
    expect(t, "jpeg: 10000x10000 in a 1.5 KB file is refused before allocating", b,
           TERN_ERR_PARSE, "needs at least");
    b = with_byte(f, sof + 4, 12);
    expect(t, "jpeg: 12-bit precision is refused", b, TERN_ERR_UNSUPPORTED, "12-bit precision");
    b = with_byte(f, sof + 9, 2);
    expect(t, "jpeg: 2 components are refused", b, TERN_ERR_UNSUPPORTED, "2-component");
    b = with_byte(f, sof + 9, 4);
    expect(t, "jpeg: 4 components (CMYK) are refused", b, TERN_ERR_UNSUPPORTED, "CMYK");
    b = with_byte(f, sof + 11, 0x02);
    expect(t, "jpeg: sampling factor 0 is refused", b, TERN_ERR_PARSE, "sampling factors 0x2");
    b = with_byte(f, sof + 11, 0x52);
    expect(t, "jpeg: sampling factor 5 is refused", b, TERN_ERR_PARSE, "sampling factors 5x2");
    b = with_byte(f, sof + 14, 0x31); /* Y 2x2, Cb 3x1: 3 is not a multiple of 2 */
    expect(t, "jpeg: fractional sampling is refused", b, TERN_ERR_UNSUPPORTED, "fractional");
    b = with_byte(f, sof + 11, 0x44); /* 16 + 1 + 1 blocks in an MCU */
    expect(t, "jpeg: more than 10 blocks per MCU is refused", b, TERN_ERR_PARSE,
           "too large for an interleaved scan");
    b = with_byte(f, sof + 12, 0x02);
    expect(t, "jpeg: an undefined quantization table is refused", b, TERN_ERR_PARSE,
           "quantization table 2");
    b = with_byte(f, sof + 12, 0x07);
    expect(t, "jpeg: a quantization table id above 3 is refused", b, TERN_ERR_PARSE, "id larger");
    b = with_byte(f, sof + 13, f->b[sof + 10]); /* component 2 gets component 1's id */
    expect(t, "jpeg: two components with one id are refused", b, TERN_ERR_PARSE, "same id");
    static const uint8_t KINDS[] = {0xC2, 0xC3, 0xC9, 0xCA, 0xC5, 0xC8};
    static const char *WORDS[] = {"progressive JPEG (SOF2)", "lossless JPEG (SOF3)",
                                  "arithmetic-coded JPEG (SOF9)", "(SOF10)", "hierarchical",
                                  "JPG marker"};
    for (int i = 0; i < 6; i++) {
        char label[96];
        snprintf(label, sizeof label, "jpeg: frame type 0xFF%02X is refused by name", KINDS[i]);
        expect(t, label, with_byte(f, sof + 1, KINDS[i]), TERN_ERR_UNSUPPORTED, WORDS[i]);
    }
    b = splice(f, sof, 0, f->b + sof, 2 + be16(f->b + sof + 2));
    expect(t, "jpeg: a second frame header is refused", b, TERN_ERR_PARSE, "second frame header");
    b = splice(f, sof, 2 + be16(f->b + sof + 2), NULL, 0);
    expect(t, "jpeg: SOS before SOF is refused", b, TERN_ERR_PARSE, "SOS before the frame header");
}

static void table_headers(th_ctx *t, const bytes *f) {
    size_t sos = find_seg(f, 0xDA);
    /* over-subscribed: three 1-bit codes; more than 256 codes; DC symbol 16 */
    static const uint8_t over[] = {0xFF, 0xC4, 0, 22, 0x00, 3, 0, 0, 0, 0, 0, 0, 0,
                                   0,    0,    0, 0,  0,    0, 0, 0, 0, 1, 2};
    expect(t, "jpeg: an over-subscribed Huffman table is refused", splice(f, sos, 0, over, sizeof over),
           TERN_ERR_PARSE, "over-subscribed");
    uint8_t many[4 + 17 + 256] = {0xFF, 0xC4, 0x01, 0x13, 0x10};
    for (int l = 0; l < 16; l++) many[5 + l] = 17; /* 272 codes */
    expect(t, "jpeg: a Huffman table with more than 256 codes is refused",
           splice(f, sos, 0, many, sizeof many), TERN_ERR_PARSE, "more than 256 codes");
    static const uint8_t dc16[] = {0xFF, 0xC4, 0, 20, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                   0,    0,    0, 0,  0,    0, 0, 0, 16};
    expect(t, "jpeg: a DC symbol above 15 is refused", splice(f, sos, 0, dc16, sizeof dc16),
           TERN_ERR_PARSE, "DC symbol larger than 15");
    static const uint8_t cls2[] = {0xFF, 0xC4, 0, 20, 0x20, 0, 1, 0, 0, 0, 0, 0, 0,
                                   0,    0,    0, 0,  0,    0, 0, 0, 1};
    expect(t, "jpeg: Huffman table class 2 is refused", splice(f, sos, 0, cls2, sizeof cls2),
           TERN_ERR_PARSE, "class or id");
    bytes b = with_byte(f, sos + 8, 0x22); /* SOS: Ns, then Cs Td/Ta for each component */
    expect(t, "jpeg: a scan using undefined Huffman tables is refused", b, TERN_ERR_PARSE,
           "never defined");
    /* f420 has the standard tables: without its DHT segments libjpeg-turbo
     * (and this decoder) use the Annex K tables, as for Motion-JPEG */
    b = splice(f, 0, 0, NULL, 0);
    for (size_t d; (d = find_seg(&b, 0xC4)) != 0;) {
        bytes c = splice(&b, d, 2 + be16(b.b + d + 2), NULL, 0);
        free(b.b);
        b = c;
    }
    tern_err err = {{0}};
    tern_pnm img, want;
    int ok = find_seg(&b, 0xC4) == 0 && try_decode(b.b, b.n, 0, &img, &err, NULL) == TERN_OK;
    ok = ok && tern_pnm_read_file(FIXTURES "f420.ppm", &want, &err) == TERN_OK;
    ok = ok && memcmp(img.data, want.data, 37 * 29 * 3) == 0;
    if (ok) tern_pnm_free(&img);
    if (ok) tern_pnm_free(&want);
    free(b.b);
    th_check(t, ok, "jpeg: without DHT, the standard tables are used (as libjpeg-turbo)", "%s",
             err.msg);
    size_t dqt = find_seg(f, 0xDB);
    expect(t, "jpeg: quantization table id 5 is refused", with_byte(f, dqt + 4, 0x05),
           TERN_ERR_PARSE, "table id larger than 3");
    expect(t, "jpeg: quantization precision 2 is refused", with_byte(f, dqt + 4, 0x20),
           TERN_ERR_PARSE, "precision");
    expect(t, "jpeg: a 16-bit quantization table too long for its segment is refused",
           with_byte(f, dqt + 4, 0x10), TERN_ERR_PARSE, "runs past");
    b = with_byte(f, dqt + 2, 0);
    b.b[dqt + 3] = 1;
    expect(t, "jpeg: a segment length below 2 is refused", b, TERN_ERR_PARSE, "less than 2");
}

static void scan_headers(th_ctx *t, const bytes *f) {
    size_t sos = find_seg(f, 0xDA);
    expect(t, "jpeg: a scan naming an unknown component is refused", with_byte(f, sos + 7, 9),
           TERN_ERR_PARSE, "component id 9 is not in the frame");
    bytes b = with_byte(f, sos + 7, f->b[sos + 5]);
    expect(t, "jpeg: a component twice in one scan is refused", b, TERN_ERR_PARSE, "appears twice");
    expect(t, "jpeg: a scan header of the wrong length is refused", with_byte(f, sos + 3, 11),
           TERN_ERR_PARSE, "does not match the length");
    /* DRI 1 without restart markers in the data */
    static const uint8_t dri[] = {0xFF, 0xDD, 0, 4, 0, 1};
    b = splice(f, sos, 0, dri, sizeof dri);
    tern_err err = {{0}};
    tern_jpeg_info info;
    tern_status st = try_decode(b.b, b.n, TERN_JPEG_ALLOW_DAMAGED, NULL, &err, &info);
    th_check(t, st == TERN_OK && info.damaged && strstr(info.damage, "RST0"),
             "jpeg: DRI without restart markers decodes as damaged when allowed", "%d %s %s", st,
             err.msg, info.damage);
    expect(t, "jpeg: DRI without restart markers is an error by default", b, TERN_ERR_PARSE,
           "expected restart marker RST0");
    static const uint8_t dri5[] = {0xFF, 0xDD, 0, 5, 0, 1, 0};
    expect(t, "jpeg: a DRI segment of the wrong length is refused", splice(f, sos, 0, dri5, sizeof dri5),
           TERN_ERR_PARSE, "length is not 4");
    /* 16 one-bits at the start of the data: no valid DC code */
    size_t data = sos + 2 + be16(f->b + sos + 2);
    static const uint8_t ones[] = {0xFF, 0x00, 0xFF, 0x00};
    b = splice(f, data, 0, ones, sizeof ones);
    st = try_decode(b.b, b.n, TERN_JPEG_ALLOW_DAMAGED, NULL, &err, &info);
    th_check(t, st == TERN_OK && info.damaged && strstr(info.damage, "invalid Huffman code"),
             "jpeg: an invalid Huffman code decodes as damaged when allowed", "%d %s", st, err.msg);
    expect(t, "jpeg: an invalid Huffman code is an error by default", b, TERN_ERR_PARSE,
           "invalid Huffman code");
}

static void file_structure(th_ctx *t, const bytes *f) {
    expect(t, "jpeg: an empty buffer is refused", splice(f, 0, f->n, NULL, 0), TERN_ERR_PARSE, "no SOI");
    expect(t, "jpeg: a file not starting with SOI is refused", with_byte(f, 1, 0xD9), TERN_ERR_PARSE,
           "no SOI");
    static const uint8_t soi[] = {0xFF, 0xD8};
    expect(t, "jpeg: a second SOI is refused", splice(f, 2, 0, soi, 2), TERN_ERR_PARSE, "second SOI");
    static const uint8_t eoi[] = {0xFF, 0xD9};
    size_t sos = find_seg(f, 0xDA);
    expect(t, "jpeg: EOI before any scan is refused", splice(f, sos, f->n - sos, eoi, 2),
           TERN_ERR_PARSE, "no image data");
    expect(t, "jpeg: SOI alone is refused", splice(f, 2, f->n - 2, NULL, 0), TERN_ERR_PARSE,
           "no image data");
    static const uint8_t unknown[] = {0xFF, 0x02, 0, 2};
    expect(t, "jpeg: an unknown marker is refused", splice(f, 2, 0, unknown, 4), TERN_ERR_PARSE,
           "unknown marker 0xFF02");
    size_t dqt = find_seg(f, 0xDB);
    bytes b = with_byte(f, dqt + 2, 0xFF);
    expect(t, "jpeg: a segment running past the end of the file is refused", b, TERN_ERR_PARSE,
           "truncated");
    /* skipped by length: an APP1 holding SOI/EOI bytes (like an EXIF
     * thumbnail), a COM, fill bytes and garbage between segments */
    static const uint8_t extra[] = {0xFF, 0xE1, 0, 12, 'E', 'x', 'i', 'f', 0, 0, 0xFF, 0xD8,
                                    0xFF, 0xD9, 0xFF, 0xFE, 0, 4, 'h', 'i', 0x12, 0x34, 0xFF, 0xFF};
    b = splice(f, 2, 0, extra, sizeof extra);
    tern_err err = {{0}};
    tern_pnm img, want;
    int ok = try_decode(b.b, b.n, 0, &img, &err, NULL) == TERN_OK &&
             tern_pnm_read_file(FIXTURES "f420.ppm", &want, &err) == TERN_OK;
    ok = ok && memcmp(img.data, want.data, 37 * 29 * 3) == 0;
    if (ok) tern_pnm_free(&img);
    if (ok) tern_pnm_free(&want);
    free(b.b);
    th_check(t, ok, "jpeg: APPn/COM with SOI/EOI inside, fill bytes and garbage are skipped", "%s",
             err.msg);
    tern_jpeg_options o = {0, 1000}; /* 37x29x3 = 3219 bytes */
    tern_status st = tern_jpeg_decode_ex(f->b, f->n, &o, &img, NULL, &err);
    th_check(t, st == TERN_ERR_UNSUPPORTED && strstr(err.msg, "1000-byte limit"),
             "jpeg: the caller's size limit is applied", "%d %s", st, err.msg);
    st = tern_jpeg_decode_ex(NULL, 4, NULL, &img, NULL, &err);
    th_check(t, st == TERN_ERR_INVALID_ARG, "jpeg: a NULL buffer is an argument error", "%d", st);
}

/* ---- threads ---- */

typedef struct work {
    const bytes *f;
    const uint8_t *want;
    int ok;
} work;

static void *decode_many(void *arg) {
    work *w = arg;
    w->ok = 1;
    for (int i = 0; i < 40 && w->ok; i++) {
        tern_pnm img;
        tern_err err;
        if (tern_jpeg_decode(w->f->b, w->f->n, &img, &err)) {
            w->ok = 0;
            break;
        }
        w->ok = memcmp(img.data, w->want, 37 * 29 * 3) == 0;
        tern_pnm_free(&img);
    }
    return NULL;
}

static void threads(th_ctx *t) {
    bytes f[2] = {load("f420.jpg"), load("f422_opt_rst.jpg")};
    tern_pnm want[2];
    tern_err err;
    int ok = f[0].b && f[1].b && !tern_pnm_read_file(FIXTURES "f420.ppm", &want[0], &err) &&
             !tern_pnm_read_file(FIXTURES "f422_opt_rst.ppm", &want[1], &err);
    if (ok) {
        pthread_t th[4];
        work w[4];
        for (int k = 0; k < 4; k++) {
            w[k] = (work){&f[k % 2], want[k % 2].data, 0};
            pthread_create(&th[k], NULL, decode_many, &w[k]);
        }
        for (int k = 0; k < 4; k++) {
            pthread_join(th[k], NULL);
            ok = ok && w[k].ok;
        }
        tern_pnm_free(&want[0]);
        tern_pnm_free(&want[1]);
    }
    th_check(t, ok, "jpeg: 4 threads decoding at once get djpeg's pixels", "mismatch or error");
    free(f[0].b);
    free(f[1].b);
}

TH_SUITE(suite_jpeg_hostile) {
    bytes f = load("f420.jpg");
    if (!th_check(t, f.b != NULL, "jpeg: fixture f420.jpg reads", "tests/data/jpeg missing")) return;
    frame_headers(t, &f);
    table_headers(t, &f);
    scan_headers(t, &f);
    file_structure(t, &f);
    free(f.b);
    static const char *PREFIXED[] = {"f420.jpg", "f422_opt_rst.jpg", "f420_scans.jpg", "fgray.jpg"};
    for (int i = 0; i < 4; i++) prefixes(t, PREFIXED[i]);
    flips(t, "f420.jpg", 1, 10000);
    flips(t, "f422_opt_rst.jpg", 2, 10000);
    flips(t, "f420_scans.jpg", 3, 10000);
    threads(t);
}
