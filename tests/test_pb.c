/* Unit tests of the protobuf wire-format reader (loader/pb.c): each wire
 * type, varint limits, length checks, bad keys, packed and unpacked repeated
 * fields, nesting depth, and truncation at every byte. */
#include <stdio.h>
#include <string.h>

#include "loader/pb.h"
#include "tests/harness.h"

/* Decode one varint from the given bytes; returns the status. */
static tern_status varint_of(const uint8_t *b, size_t n, uint64_t *v, size_t *used) {
    tern_pb r;
    tern_err err = {{0}};
    tern_pb_init(&r, b, n);
    tern_status st = tern_pb_varint(&r, v, &err);
    *used = r.pos;
    return st;
}

static void test_varint(th_ctx *t) {
    static const struct {
        uint8_t b[12];
        size_t n;
        uint64_t want;
    } ok[] = {
        {{0x00}, 1, 0},
        {{0x01}, 1, 1},
        {{0x7f}, 1, 127},
        {{0x80, 0x01}, 2, 128},
        {{0xac, 0x02}, 2, 300},
        {{0x80, 0x00}, 2, 0}, /* not minimal, still valid */
        {{0xff, 0xff, 0xff, 0xff, 0x0f}, 5, 0xffffffffu},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10, UINT64_MAX},
        {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 10, 1ull << 63},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t v = 12345;
        size_t used;
        tern_status st = varint_of(ok[i].b, ok[i].n, &v, &used);
        char name[64];
        snprintf(name, sizeof name, "pb varint ok #%zu", i);
        th_check(t, st == TERN_OK && v == ok[i].want && used == ok[i].n, name,
                 "st %d v %llu used %zu", st, (unsigned long long)v, used);
    }
    static const struct {
        uint8_t b[12];
        size_t n;
        const char *why;
    } bad[] = {
        {{0x80}, 1, "truncated"},
        {{0xff, 0xff}, 2, "truncated"},
        {{0}, 0, "truncated"},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, 10, "64 bits"},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, 10, "64 bits"},
        {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00}, 11, "64 bits"},
        {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 11, "64 bits"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tern_pb r;
        tern_err err = {{0}};
        uint64_t v;
        tern_pb_init(&r, bad[i].b, bad[i].n);
        tern_status st = tern_pb_varint(&r, &v, &err);
        char name[64];
        snprintf(name, sizeof name, "pb varint rejects #%zu", i);
        th_check(
            t, st == TERN_ERR_PARSE && strstr(err.msg, bad[i].why) && strstr(err.msg, "at byte 0"),
            name, "st %d msg '%s'", st, err.msg);
    }
}

static void test_fixed(th_ctx *t) {
    const uint8_t b[] = {0x78, 0x56, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x90, 0x01, 0x02, 0x03, 0x04};
    tern_pb r;
    tern_err err = {{0}};
    uint32_t v32 = 0;
    uint64_t v64 = 0;
    tern_pb_init(&r, b, sizeof b);
    tern_status st = tern_pb_fixed32(&r, &v32, &err);
    th_check(t, st == TERN_OK && v32 == 0x12345678u && r.pos == 4, "pb fixed32", "got %x", v32);
    st = tern_pb_fixed64(&r, &v64, &err);
    th_check(t, st == TERN_OK && v64 == 0x0403020190abcdefull && r.pos == 12, "pb fixed64",
             "got %llx", (unsigned long long)v64);
    th_check(t, tern_pb_done(&r), "pb done at end", "pos %zu", r.pos);
    for (size_t n = 0; n < 8; n++) {
        tern_pb_init(&r, b, n);
        int bad32 = n < 4 ? tern_pb_fixed32(&r, &v32, &err) == TERN_ERR_PARSE : 1;
        tern_pb_init(&r, b, n);
        int bad64 = tern_pb_fixed64(&r, &v64, &err) == TERN_ERR_PARSE && r.pos == 0;
        char name[64];
        snprintf(name, sizeof name, "pb fixed truncated at %zu", n);
        th_check(t, bad32 && bad64, name, "not rejected");
    }
}

static void test_bytes(th_ctx *t) {
    const uint8_t ok[] = {0x03, 'a', 'b', 'c', 0x00};
    tern_pb r;
    tern_err err = {{0}};
    const uint8_t *p;
    size_t n;
    tern_pb_init(&r, ok, sizeof ok);
    tern_status st = tern_pb_bytes(&r, &p, &n, &err);
    th_check(t, st == TERN_OK && n == 3 && p == ok + 1 && memcmp(p, "abc", 3) == 0 && r.pos == 4,
             "pb bytes", "st %d n %zu", st, n);
    st = tern_pb_bytes(&r, &p, &n, &err);
    th_check(t, st == TERN_OK && n == 0 && tern_pb_done(&r), "pb empty bytes", "st %d", st);

    const uint8_t over[] = {0x04, 'a', 'b', 'c'};
    tern_pb_init(&r, over, sizeof over);
    st = tern_pb_bytes(&r, &p, &n, &err);
    th_check(t, st == TERN_ERR_PARSE && strstr(err.msg, "past the end"), "pb bytes length too long",
             "st %d '%s'", st, err.msg);
    /* a length near 2^64 must not wrap around when added to the position */
    const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'x'};
    tern_pb_init(&r, huge, sizeof huge);
    st = tern_pb_bytes(&r, &p, &n, &err);
    th_check(t, st == TERN_ERR_PARSE, "pb bytes huge length", "st %d", st);
    const uint8_t huge2[] = {0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'x'};
    tern_pb_init(&r, huge2, sizeof huge2);
    st = tern_pb_bytes(&r, &p, &n, &err);
    th_check(t, st == TERN_ERR_PARSE, "pb bytes length 2^64-8", "st %d", st);
}

static void test_tags(th_ctx *t) {
    static const struct {
        uint8_t b[6];
        size_t n;
        int ok;
        uint32_t field;
        int wire;
    } cases[] = {
        {{0x08}, 1, 1, 1, 0},
        {{0x11}, 1, 1, 2, 1},
        {{0x1a}, 1, 1, 3, 2},
        {{0x25}, 1, 1, 4, 5},
        {{0xf8, 0xff, 0xff, 0xff, 0x0f}, 5, 1, 0x1fffffff, 0}, /* largest field number */
        {{0x80, 0x80, 0x80, 0x80, 0x10}, 5, 0, 0, 0},          /* 2^29: too large */
        {{0x00}, 1, 0, 0, 0},                                  /* field 0 */
        {{0x02}, 1, 0, 0, 0},                                  /* field 0, wire 2 */
        {{0x0b}, 1, 0, 0, 0},                                  /* group start */
        {{0x0c}, 1, 0, 0, 0},                                  /* group end */
        {{0x0e}, 1, 0, 0, 0},                                  /* wire type 6 */
        {{0x0f}, 1, 0, 0, 0},                                  /* wire type 7 */
        {{0x88}, 1, 0, 0, 0},                                  /* truncated key */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tern_pb r;
        tern_err err = {{0}};
        uint32_t f = 0;
        int w = -1;
        tern_pb_init(&r, cases[i].b, cases[i].n);
        tern_status st = tern_pb_tag(&r, &f, &w, &err);
        char name[64];
        snprintf(name, sizeof name, "pb tag #%zu", i);
        if (cases[i].ok)
            th_check(t, st == TERN_OK && f == cases[i].field && w == cases[i].wire, name,
                     "st %d f %u w %d", st, f, w);
        else
            th_check(t, st == TERN_ERR_PARSE && err.msg[0], name, "accepted (st %d)", st);
    }
}

/* One field of every wire type; `marks` gets the offset after each field. */
static const uint8_t MIXED[] = {
    0x08, 0x96, 0x01,                                  /* 1: varint 150 */
    0x11, 1,    2,    3,    4,    5,    6,    7,    8, /* 2: fixed64 */
    0x1a, 0x03, 'a',  'b',  'c',                       /* 3: bytes */
    0x25, 0x00, 0x00, 0x80, 0x3f,                      /* 4: fixed32 (1.0f) */
    0xa2, 0x06, 0x02, 0x08, 0x01,                      /* 100: nested message {1: 1} */
    0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, /* 1: varint max */
};
static const size_t MIXED_MARKS[] = {0, 3, 12, 17, 22, 27, 38};

static void test_skip_all(th_ctx *t) {
    tern_pb r;
    tern_err err = {{0}};
    tern_pb_init(&r, MIXED, sizeof MIXED);
    int fields = 0, ok = 1;
    while (!tern_pb_done(&r) && ok) {
        uint32_t f;
        int w;
        ok = tern_pb_tag(&r, &f, &w, &err) == TERN_OK && tern_pb_skip(&r, w, &err) == TERN_OK;
        fields++;
        ok = ok && r.pos == MIXED_MARKS[fields];
    }
    th_check(t, ok && fields == 6, "pb skip every wire type", "fields %d ok %d '%s'", fields, ok,
             err.msg);

    /* every strict prefix is either a field boundary (reads cleanly) or an error */
    int bad = 0;
    for (size_t len = 0; len <= sizeof MIXED; len++) {
        int boundary = 0;
        for (size_t k = 0; k < sizeof MIXED_MARKS / sizeof MIXED_MARKS[0]; k++)
            boundary |= MIXED_MARKS[k] == len;
        tern_pb_init(&r, MIXED, len);
        tern_status st = TERN_OK;
        while (!st && !tern_pb_done(&r)) {
            uint32_t f;
            int w;
            st = tern_pb_tag(&r, &f, &w, &err);
            if (!st) st = tern_pb_skip(&r, w, &err);
        }
        if ((st == TERN_OK) != boundary || r.pos > len) bad++;
    }
    th_check(t, bad == 0, "pb truncation at every byte", "%d prefixes misjudged", bad);
}

static void test_sub(th_ctx *t) {
    tern_pb r, sub;
    tern_err err = {{0}};
    tern_pb_init(&r, MIXED, sizeof MIXED);
    r.pos = 22;
    uint32_t f;
    int w;
    uint64_t v = 0;
    tern_status st = tern_pb_tag(&r, &f, &w, &err);
    if (!st) st = tern_pb_sub(&r, &sub, &err);
    if (!st) st = tern_pb_tag(&sub, &f, &w, &err);
    if (!st) st = tern_pb_varint(&sub, &v, &err);
    th_check(t,
             st == TERN_OK && sub.start == 25 && sub.end == 27 && sub.depth == 1 && v == 1 &&
                 tern_pb_done(&sub) && r.pos == 27,
             "pb sub message offsets", "st %d start %zu end %zu '%s'", st, sub.start, sub.end,
             err.msg);

    /* 40 nested messages, each {1: <next>}: descending must stop at the limit */
    enum { LEVELS = 40 };
    uint8_t deep[2 * LEVELS];
    for (int i = 0; i < LEVELS; i++) {
        deep[2 * i] = 0x0a;
        deep[2 * i + 1] = (uint8_t)(2 * (LEVELS - 1 - i));
    }
    tern_pb_init(&r, deep, sizeof deep);
    int depth = 0;
    st = TERN_OK;
    while (!st && !tern_pb_done(&r)) {
        st = tern_pb_tag(&r, &f, &w, &err);
        if (!st) st = tern_pb_sub(&r, &sub, &err);
        if (!st) {
            r = sub;
            depth++;
        }
    }
    th_check(t, st == TERN_ERR_PARSE && depth == TERN_PB_MAX_DEPTH && strstr(err.msg, "nested"),
             "pb nesting depth limit", "st %d depth %d '%s'", st, depth, err.msg);
}

static void test_repeated(th_ctx *t) {
    /* field 4 (fixed32): unpacked 1.0, packed run [2, 3, 4], unpacked 5; field 7 (varint)
     * interleaved: packed [1, 300], unpacked 2^40, empty packed run */
    const uint8_t msg[] = {
        0x25, 0x00, 0x00, 0x80, 0x3f, /* 4: 1.0f */
        0x3a, 0x03, 0x01, 0xac, 0x02, /* 7: packed [1, 300] */
        0x22, 0x0c, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40, 0x00,
        0x00, 0x80, 0x40, 0x38, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, /* 7: 2^40 */
        0x08, 0x05,                                                 /* 1: unrelated */
        0x25, 0x00, 0x00, 0xa0, 0x40,                               /* 4: 5.0f */
        0x3a, 0x00,                                                 /* 7: empty packed run */
    };
    tern_pb r;
    tern_err err = {{0}};
    tern_pb_init(&r, msg, sizeof msg);
    r.pos = 5; /* counting starts from the message start, whatever pos is */
    size_t n = 0;
    tern_status st = tern_pb_count_repeated(&r, 4, TERN_PB_KIND_FIXED32, &n, &err);
    float f[5] = {0};
    if (!st) st = tern_pb_read_repeated(&r, 4, TERN_PB_KIND_FIXED32, f, 4, n, &err);
    th_check(
        t, st == TERN_OK && n == 5 && f[0] == 1 && f[1] == 2 && f[2] == 3 && f[3] == 4 && f[4] == 5,
        "pb repeated float packed+unpacked", "st %d n %zu '%s'", st, n, err.msg);
    int64_t iv[3] = {0};
    st = tern_pb_count_repeated(&r, 7, TERN_PB_KIND_VARINT, &n, &err);
    if (!st) st = tern_pb_read_repeated(&r, 7, TERN_PB_KIND_VARINT, iv, 8, n, &err);
    th_check(t, st == TERN_OK && n == 3 && iv[0] == 1 && iv[1] == 300 && iv[2] == (1ll << 40),
             "pb repeated varint packed+unpacked", "st %d n %zu", st, n);
    uint16_t h[3];
    st = tern_pb_read_repeated(&r, 7, TERN_PB_KIND_VARINT, h, 2, 3, &err);
    th_check(t, st == TERN_OK && h[0] == 1 && h[1] == 300 && h[2] == 0, "pb repeated narrow store",
             "st %d", st);
    uint8_t b[3];
    st = tern_pb_read_repeated(&r, 7, TERN_PB_KIND_VARINT, b, 1, 3, &err);
    th_check(t, st == TERN_OK && b[0] == 1 && b[1] == (300 & 0xff) && b[2] == 0,
             "pb repeated byte store", "st %d", st);
    st = tern_pb_read_repeated(&r, 7, TERN_PB_KIND_VARINT, iv, 8, 2, &err);
    th_check(t, st == TERN_ERR_PARSE, "pb repeated more than counted", "st %d", st);
    st = tern_pb_read_repeated(&r, 9, TERN_PB_KIND_VARINT, iv, 8, 1, &err);
    th_check(t, st == TERN_ERR_PARSE, "pb repeated fewer than counted", "st %d", st);
    /* field 1 is a varint: asking for it as fixed32 must fail on the wire type */
    st = tern_pb_count_repeated(&r, 1, TERN_PB_KIND_FIXED32, &n, &err);
    th_check(t, st == TERN_ERR_PARSE && strstr(err.msg, "wire type"), "pb repeated wrong wire type",
             "st %d '%s'", st, err.msg);
    /* ... and say where its key starts (byte 31), as every other message does */
    th_check(t, st == TERN_ERR_PARSE && strstr(err.msg, "(at byte 31)"),
             "pb repeated wrong wire type: offset of the key", "'%s'", err.msg);

    /* packed fixed32 run whose length is not a multiple of 4 */
    const uint8_t ragged[] = {0x22, 0x05, 0, 0, 0x80, 0x3f, 0x00};
    tern_pb_init(&r, ragged, sizeof ragged);
    st = tern_pb_count_repeated(&r, 4, TERN_PB_KIND_FIXED32, &n, &err);
    th_check(t, st == TERN_ERR_PARSE, "pb packed fixed32 ragged run", "st %d", st);
    /* packed varint run ending inside a varint */
    const uint8_t cut[] = {0x3a, 0x02, 0x01, 0x80};
    tern_pb_init(&r, cut, sizeof cut);
    st = tern_pb_count_repeated(&r, 7, TERN_PB_KIND_VARINT, &n, &err);
    th_check(t, st == TERN_ERR_PARSE, "pb packed varint cut", "st %d", st);
    /* packed fixed64 */
    const uint8_t d[] = {0x52, 0x10, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40};
    double dv[2] = {0};
    tern_pb_init(&r, d, sizeof d);
    st = tern_pb_count_repeated(&r, 10, TERN_PB_KIND_FIXED64, &n, &err);
    if (!st) st = tern_pb_read_repeated(&r, 10, TERN_PB_KIND_FIXED64, dv, 8, n, &err);
    th_check(t, st == TERN_OK && n == 2 && dv[0] == 1.0 && dv[1] == 2.0, "pb packed fixed64",
             "st %d n %zu", st, n);

    /* every prefix of the repeated message: counting never reads past the prefix */
    int bad = 0;
    for (size_t len = 0; len < sizeof msg; len++) {
        tern_pb_init(&r, msg, len);
        st = tern_pb_count_repeated(&r, 4, TERN_PB_KIND_FIXED32, &n, &err);
        if (st == TERN_OK && n > 5) bad++;
        if (st != TERN_OK && !err.msg[0]) bad++;
    }
    th_check(t, bad == 0, "pb repeated prefixes", "%d bad", bad);
}

TH_SUITE(suite_pb) {
    test_varint(t);
    test_fixed(t);
    test_bytes(t);
    test_tags(t);
    test_skip_all(t);
    test_sub(t);
    test_repeated(t);
}
