#include "loader/pb.h"

#include <string.h>

void tern_pb_init(tern_pb *r, const uint8_t *buf, size_t len) {
    r->buf = buf;
    r->start = 0;
    r->pos = 0;
    r->end = buf ? len : 0;
    r->depth = 0;
}

int tern_pb_done(const tern_pb *r) {
    return r->pos >= r->end;
}

static size_t left(const tern_pb *r) {
    return r->end - r->pos;
}

/* At most 10 bytes; the 10th may only carry the top bit of a uint64 (0 or 1),
 * anything more would not fit in 64 bits. */
tern_status tern_pb_varint(tern_pb *r, uint64_t *v, tern_err *err) {
    size_t at = r->pos;
    uint64_t x = 0;
    for (int i = 0; i < 10; i++) {
        if (r->pos >= r->end)
            return tern_errf(err, TERN_ERR_PARSE, "truncated varint (at byte %zu)", at);
        uint8_t b = r->buf[r->pos++];
        if (i == 9 && b > 1)
            return tern_errf(err, TERN_ERR_PARSE, "varint does not fit in 64 bits (at byte %zu)",
                             at);
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *v = x;
            return TERN_OK;
        }
    }
    return tern_errf(err, TERN_ERR_PARSE, "varint longer than 10 bytes (at byte %zu)", at);
}

tern_status tern_pb_fixed32(tern_pb *r, uint32_t *v, tern_err *err) {
    if (left(r) < 4)
        return tern_errf(err, TERN_ERR_PARSE, "truncated fixed32 (at byte %zu)", r->pos);
    const uint8_t *p = r->buf + r->pos;
    *v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    r->pos += 4;
    return TERN_OK;
}

tern_status tern_pb_fixed64(tern_pb *r, uint64_t *v, tern_err *err) {
    if (left(r) < 8)
        return tern_errf(err, TERN_ERR_PARSE, "truncated fixed64 (at byte %zu)", r->pos);
    const uint8_t *p = r->buf + r->pos;
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--) x = x << 8 | p[i];
    *v = x;
    r->pos += 8;
    return TERN_OK;
}

tern_status tern_pb_bytes(tern_pb *r, const uint8_t **p, size_t *n, tern_err *err) {
    size_t at = r->pos;
    uint64_t len;
    tern_status st = tern_pb_varint(r, &len, err);
    if (st) return st;
    /* compare in uint64_t: the length must not exceed what is left */
    if (len > (uint64_t)left(r))
        return tern_errf(err, TERN_ERR_PARSE,
                         "length %llu runs past the end of the %s (%zu bytes left, at byte %zu)",
                         (unsigned long long)len,
                         r->depth ? "enclosing message" : "data: truncated file?", left(r), at);
    *p = r->buf + r->pos;
    *n = (size_t)len;
    r->pos += (size_t)len;
    return TERN_OK;
}

tern_status tern_pb_sub(tern_pb *r, tern_pb *sub, tern_err *err) {
    if (r->depth + 1 > TERN_PB_MAX_DEPTH)
        return tern_errf(err, TERN_ERR_PARSE, "messages nested deeper than %d (at byte %zu)",
                         TERN_PB_MAX_DEPTH, r->pos);
    const uint8_t *p;
    size_t n;
    tern_status st = tern_pb_bytes(r, &p, &n, err);
    if (st) return st;
    sub->buf = r->buf;
    sub->start = (size_t)(p - r->buf);
    sub->pos = sub->start;
    sub->end = sub->start + n;
    sub->depth = r->depth + 1;
    return TERN_OK;
}

tern_status tern_pb_tag(tern_pb *r, uint32_t *field, int *wire, tern_err *err) {
    size_t at = r->pos;
    uint64_t key;
    tern_status st = tern_pb_varint(r, &key, err);
    if (st) return st;
    uint64_t num = key >> 3;
    int w = (int)(key & 7);
    if (num == 0)
        return tern_errf(err, TERN_ERR_PARSE, "field number 0 is invalid (at byte %zu)", at);
    if (num > 0x1fffffff)
        return tern_errf(err, TERN_ERR_PARSE, "field number %llu too large (at byte %zu)",
                         (unsigned long long)num, at);
    if (w == TERN_PB_GROUP_START || w == TERN_PB_GROUP_END)
        return tern_errf(err, TERN_ERR_PARSE,
                         "field %llu uses wire type %d (groups are not supported, at byte %zu)",
                         (unsigned long long)num, w, at);
    if (w > TERN_PB_FIXED32)
        return tern_errf(err, TERN_ERR_PARSE, "field %llu has invalid wire type %d (at byte %zu)",
                         (unsigned long long)num, w, at);
    *field = (uint32_t)num;
    *wire = w;
    return TERN_OK;
}

tern_status tern_pb_skip(tern_pb *r, int wire, tern_err *err) {
    uint64_t v;
    uint32_t v32;
    const uint8_t *p;
    size_t n;
    switch (wire) {
    case TERN_PB_VARINT: return tern_pb_varint(r, &v, err);
    case TERN_PB_FIXED64: return tern_pb_fixed64(r, &v, err);
    case TERN_PB_LEN: return tern_pb_bytes(r, &p, &n, err);
    case TERN_PB_FIXED32: return tern_pb_fixed32(r, &v32, err);
    default:
        return tern_errf(err, TERN_ERR_PARSE, "cannot skip wire type %d (at byte %zu)", wire,
                         r->pos);
    }
}

/* ---- repeated scalars ---- */

static int kind_wire(tern_pb_kind k) {
    return k == TERN_PB_KIND_VARINT    ? TERN_PB_VARINT
           : k == TERN_PB_KIND_FIXED32 ? TERN_PB_FIXED32
                                       : TERN_PB_FIXED64;
}

static tern_status read_one(tern_pb *r, tern_pb_kind k, uint64_t *v, tern_err *err) {
    uint32_t v32;
    tern_status st;
    switch (k) {
    case TERN_PB_KIND_VARINT: return tern_pb_varint(r, v, err);
    case TERN_PB_KIND_FIXED32:
        st = tern_pb_fixed32(r, &v32, err);
        *v = v32;
        return st;
    default: return tern_pb_fixed64(r, v, err);
    }
}

static void store(void *out, size_t elem_size, size_t i, uint64_t v) {
    unsigned char *dst = (unsigned char *)out + i * elem_size;
    uint8_t u8 = (uint8_t)v;
    uint16_t u16 = (uint16_t)v;
    uint32_t u32 = (uint32_t)v;
    switch (elem_size) {
    case 1: memcpy(dst, &u8, 1); break;
    case 2: memcpy(dst, &u16, 2); break;
    case 4: memcpy(dst, &u32, 4); break;
    default: memcpy(dst, &v, 8); break;
    }
}

/* Where walk_repeated puts the elements it finds. */
typedef struct elem_sink {
    void *out; /* NULL: only count */
    size_t elem_size, cap, n;
    uint32_t field;
} elem_sink;

/* One element at r->pos: stored (unless only counting) and counted. */
static tern_status take_one(tern_pb *r, tern_pb_kind kind, elem_sink *sink, tern_err *err) {
    size_t at = r->pos;
    uint64_t v;
    tern_status st = read_one(r, kind, &v, err);
    if (st) return st;
    if (sink->out) {
        if (sink->n >= sink->cap)
            return tern_errf(err, TERN_ERR_PARSE,
                             "field %u has more elements than counted (at byte %zu)",
                             (unsigned)sink->field, at);
        store(sink->out, sink->elem_size, sink->n, v);
    }
    sink->n++;
    return TERN_OK;
}

/* A packed run (wire type 2 holding the elements back to back): a
 * sub-reader over its bytes, which hold no messages. */
static tern_status take_packed(tern_pb *r, tern_pb_kind kind, elem_sink *sink, tern_err *err) {
    const uint8_t *p;
    size_t len;
    tern_status st = tern_pb_bytes(r, &p, &len, err);
    if (st) return st;
    tern_pb run = *r;
    run.start = run.pos = (size_t)(p - r->buf);
    run.end = run.start + len;
    while (!st && !tern_pb_done(&run)) st = take_one(&run, kind, sink, err);
    return st;
}

/* Walk every element of the field, packed or not, into the sink. */
static tern_status walk_repeated(const tern_pb *msg, tern_pb_kind kind, elem_sink *sink,
                                 tern_err *err) {
    tern_pb r = *msg;
    r.pos = r.start;
    int elem_wire = kind_wire(kind);
    while (!tern_pb_done(&r)) {
        uint32_t f;
        int w;
        size_t key_at = r.pos;
        tern_status st = tern_pb_tag(&r, &f, &w, err);
        if (st) return st;
        if (f != sink->field)
            st = tern_pb_skip(&r, w, err);
        else if (w == TERN_PB_LEN)
            st = take_packed(&r, kind, sink, err);
        else if (w == elem_wire)
            st = take_one(&r, kind, sink, err);
        else
            st = tern_errf(err, TERN_ERR_PARSE,
                           "field %u has wire type %d, expected %d or packed (at byte %zu)",
                           (unsigned)f, w, elem_wire, key_at);
        if (st) return st;
    }
    return TERN_OK;
}

tern_status tern_pb_count_repeated(const tern_pb *msg, uint32_t field, tern_pb_kind kind,
                                   size_t *count, tern_err *err) {
    elem_sink sink = {NULL, 0, 0, 0, field};
    tern_status st = walk_repeated(msg, kind, &sink, err);
    if (!st) *count = sink.n;
    return st;
}

tern_status tern_pb_read_repeated(const tern_pb *msg, uint32_t field, tern_pb_kind kind, void *out,
                                  size_t elem_size, size_t count, tern_err *err) {
    if (elem_size != 1 && elem_size != 2 && elem_size != 4 && elem_size != 8)
        return tern_errf(err, TERN_ERR_INVALID_ARG, "bad element size %zu", elem_size);
    if (!out && count)
        return tern_errf(err, TERN_ERR_INVALID_ARG, "no array for %zu elements", count);
    elem_sink sink = {out, elem_size, count, 0, field};
    tern_status st = walk_repeated(msg, kind, &sink, err);
    if (st) return st;
    if (sink.n != count)
        return tern_errf(err, TERN_ERR_PARSE,
                         "field %u has %zu elements, expected %zu (at byte %zu)", (unsigned)field,
                         sink.n, count, msg->start);
    return TERN_OK;
}
