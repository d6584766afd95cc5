/* Shared state of the ONNX loader's files (onnx_load.c: model, graph, nodes;
 * onnx_tensor.c: TensorProto and external data; onnx_attr.c: attributes;
 * onnx_value.c: ValueInfoProto types and shapes; onnx_ctx.c: field paths,
 * errors, strings and the name table). Not part of any public interface. */
#ifndef TERN_ONNX_PRIV_H
#define TERN_ONNX_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "graph/ir.h"
#include "loader/pb.h"

#define ONNX_PATH_LEN 256

/* Per-tensor flags kept by the loader while it builds the graph. */
enum { ONNX_DEFINED = 1, ONNX_LISTED_INPUT = 2, ONNX_LISTED_OUTPUT = 4, ONNX_INITIALIZER = 8 };

typedef struct onnx_ctx {
    tern_graph *g;        /* NULL when parsing a standalone tensor */
    tern_pool *pool;      /* where strings and constant data go */
    const char *base_dir; /* folder of external data, or NULL */
    tern_err *err;

    /* field path of what is being read, e.g. "graph.node[3].attribute[1]" */
    char path[ONNX_PATH_LEN];
    size_t path_len;

    /* name -> tensor index: open addressing, -1 = empty slot */
    int *slots;
    uint32_t *slot_hash;
    size_t n_slots, n_names;

    unsigned char *flags; /* ONNX_* per tensor index */
    int cap_flags;
} onnx_ctx;

/* Iterate the fields of message reader r: for each, `f` and `w` get the
 * field number and wire type and `at` its first byte; a bad key returns the
 * error (with the path) from the enclosing function, which must declare
 * `tern_status st`. The body reads or skips the field's value. */
#define ONNX_FOR_FIELDS(c, r, at, f, w)                                                            \
    for (size_t at = (r)->pos; !tern_pb_done(r); at = (r)->pos)                                    \
        if ((st = onnx_wrap((c), tern_pb_tag((r), &(f), &(w), (c)->err))) != TERN_OK)              \
            return st;                                                                             \
        else

/* ---- onnx_ctx.c ---- */
void onnx_ctx_init(onnx_ctx *c, tern_graph *g, tern_pool *pool, const char *base_dir,
                   tern_err *err);
void onnx_ctx_free(onnx_ctx *c);

/* Append ".name" / "[i]" style text to the path; returns the old length to
 * hand back to onnx_path_pop. */
size_t onnx_path_push(onnx_ctx *c, const char *fmt, ...) TERN_PRINTF(2, 3);
void onnx_path_pop(onnx_ctx *c, size_t old_len);

/* Error "<path>: <message> (at byte at)". */
tern_status onnx_fail(onnx_ctx *c, size_t at, tern_status code, const char *fmt, ...)
    TERN_PRINTF(4, 5);
/* Put the path in front of an error that pb.c (or a callee) already wrote. */
tern_status onnx_wrap(onnx_ctx *c, tern_status st);

/* Check that a known field came with the wire type it must have. */
tern_status onnx_want_wire(onnx_ctx *c, int wire, int want, const char *field, size_t at);
/* Read a length-delimited string field as a NUL-terminated copy in the pool;
 * strings with NUL bytes are rejected. */
tern_status onnx_read_string(onnx_ctx *c, tern_pb *r, int wire, const char *field, size_t at,
                             const char **out);
/* Read a varint field (wire type checked). */
tern_status onnx_read_varint(onnx_ctx *c, tern_pb *r, int wire, const char *field, size_t at,
                             uint64_t *out);
/* Read a nested message field (wire type checked). */
tern_status onnx_read_sub(onnx_ctx *c, tern_pb *r, int wire, const char *field, size_t at,
                          tern_pb *sub);

/* Name table. find returns -1 if absent; add creates the graph tensor. */
int onnx_find(onnx_ctx *c, const char *name);
tern_status onnx_add_tensor(onnx_ctx *c, const char *name, size_t at, int *index);
/* Flags of tensor t (0 if out of range). */
unsigned onnx_flags(const onnx_ctx *c, int t);
void onnx_set_flag(onnx_ctx *c, int t, unsigned flag);

/* Printable name of an ONNX TensorProto.DataType number. */
const char *onnx_dtype_name(uint64_t dt);
/* 1 if tern supports the ONNX data type number. */
int onnx_dtype_supported(uint64_t dt);

/* ---- onnx_tensor.c ---- */
/* Parse a TensorProto message into t (dtype, rank, dims, data); *name gets
 * its name ("" if none). Data is copied into c->pool. */
tern_status onnx_parse_tensor_msg(onnx_ctx *c, const tern_pb *msg, tern_tensor *t,
                                  const char **name);

/* ---- onnx_value.c ---- */
/* Parse a ValueInfoProto: its name, and its tensor type into shape (dtype,
 * rank, dims, dim_param; rank -1 when the shape is absent). *has_type is 0
 * when the message has no type at all. */
tern_status onnx_parse_value_info(onnx_ctx *c, const tern_pb *msg, const char **name,
                                  tern_tensor *shape, int *has_type);

/* ---- onnx_attr.c ---- */
/* Parse an AttributeProto into a; node_label names the node for messages. */
tern_status onnx_parse_attr(onnx_ctx *c, const tern_pb *msg, tern_attr *a, const char *node_label);

#endif
