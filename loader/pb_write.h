/* A protobuf wire-format writer: the counterpart of loader/pb.h, used to
 * write ONNX files (loader/onnx_write.c). Messages are built bottom-up in
 * growable buffers; a nested message is built on its own and then appended
 * with its length. Out of memory is sticky: after a failed allocation every
 * call does nothing and `oom` stays set, so a caller checks once, at the end. */
#ifndef TERN_PB_WRITE_H
#define TERN_PB_WRITE_H

#include <stddef.h>
#include <stdint.h>

typedef struct tern_pbw {
    unsigned char *b;
    size_t n, cap;
    int oom;
} tern_pbw;

void tern_pbw_free(tern_pbw *w);
void tern_pbw_raw(tern_pbw *w, const void *p, size_t n);
void tern_pbw_varint(tern_pbw *w, uint64_t v);
/* Fields by wire type: varint (int64 as two's complement), fixed32 (a
 * float), length-delimited bytes or string. */
void tern_pbw_int(tern_pbw *w, uint32_t field, int64_t v);
void tern_pbw_float(tern_pbw *w, uint32_t field, float v);
void tern_pbw_bytes(tern_pbw *w, uint32_t field, const void *p, size_t n);
void tern_pbw_str(tern_pbw *w, uint32_t field, const char *s);
/* Append sub as a nested message in field, then free sub (its oom carries
 * over). */
void tern_pbw_msg(tern_pbw *w, uint32_t field, tern_pbw *sub);

#endif
