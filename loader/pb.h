/* A protobuf wire-format reader, written by hand so that tern needs no
 * generated code and checks every byte itself.
 *
 * A reader walks one message: the bytes [pos, end) of a buffer. Offsets are
 * absolute (from the start of the whole buffer), so every error can say where
 * in the file it happened. A nested message gets its own reader over its
 * bytes (tern_pb_sub), one level deeper; depth is limited so that hostile
 * input cannot make a caller recurse without bound.
 *
 * Errors are TERN_ERR_PARSE with a message that ends "(at byte N)"; callers
 * prefix the field path (tern_err_prefix).
 */
#ifndef TERN_PB_H
#define TERN_PB_H

#include <stddef.h>
#include <stdint.h>

#include "graph/common.h"

#define TERN_PB_MAX_DEPTH 32

enum {
    TERN_PB_VARINT = 0,
    TERN_PB_FIXED64 = 1,
    TERN_PB_LEN = 2,
    TERN_PB_GROUP_START = 3, /* deprecated groups: rejected */
    TERN_PB_GROUP_END = 4,
    TERN_PB_FIXED32 = 5
};

typedef struct tern_pb {
    const uint8_t *buf; /* the whole buffer; offsets below are into it */
    size_t start;       /* first byte of this message */
    size_t pos;         /* next byte to read */
    size_t end;         /* end of this message */
    int depth;          /* 0 for the top-level message */
} tern_pb;

void tern_pb_init(tern_pb *r, const uint8_t *buf, size_t len);
/* 1 when every byte of the message has been read. */
int tern_pb_done(const tern_pb *r);

tern_status tern_pb_varint(tern_pb *r, uint64_t *v, tern_err *err);
tern_status tern_pb_fixed32(tern_pb *r, uint32_t *v, tern_err *err);
tern_status tern_pb_fixed64(tern_pb *r, uint64_t *v, tern_err *err);
/* A length-delimited field's bytes; *p points into the buffer. */
tern_status tern_pb_bytes(tern_pb *r, const uint8_t **p, size_t *n, tern_err *err);
/* A length-delimited field read as a nested message. */
tern_status tern_pb_sub(tern_pb *r, tern_pb *sub, tern_err *err);
/* A field's key: field number (>= 1) and wire type (0, 1, 2 or 5). */
tern_status tern_pb_tag(tern_pb *r, uint32_t *field, int *wire, tern_err *err);
/* Skip the value of a field whose key was just read. */
tern_status tern_pb_skip(tern_pb *r, int wire, tern_err *err);

/* Repeated scalar fields. A repeated field may come as many unpacked entries
 * (one key per element, wire type of the element), as packed runs (wire type
 * 2 holding the elements back to back), or any mix of the two: protobuf
 * parsers must accept both. The caller counts first, allocates, then reads. */
typedef enum tern_pb_kind {
    TERN_PB_KIND_VARINT,  /* int32/int64/uint64/bool/enum: a varint each */
    TERN_PB_KIND_FIXED32, /* float/fixed32: 4 bytes each */
    TERN_PB_KIND_FIXED64  /* double/fixed64: 8 bytes each */
} tern_pb_kind;

/* Count the elements of field `field` in the whole message msg (from its
 * start; msg itself is not advanced). A key of the field with a wire type
 * that fits neither encoding is an error. */
tern_status tern_pb_count_repeated(const tern_pb *msg, uint32_t field, tern_pb_kind kind,
                                   size_t *count, tern_err *err);
/* Read exactly `count` elements of the field (as counted) into out, each
 * stored as an unsigned integer of elem_size bytes (1, 2, 4 or 8; varints
 * are truncated to that width, fixed32 bits need 4, fixed64 bits need 8). */
tern_status tern_pb_read_repeated(const tern_pb *msg, uint32_t field, tern_pb_kind kind, void *out,
                                  size_t elem_size, size_t count, tern_err *err);

#endif
