/* A tiny ONNX (protobuf) writer for tests and benchmarks: models built in
 * memory, e.g. hostile ones (a ConstantOfShape of 2^62 elements) or very
 * long chains (bench/bench_plan.c). Only the fields tern reads are written.
 * Out of memory aborts: a test or benchmark cannot go on without its model. */
#ifndef TERN_TESTS_ONNX_WRITER_H
#define TERN_TESTS_ONNX_WRITER_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer holding one protobuf message. */
typedef struct ow_buf {
    unsigned char *b;
    size_t n, cap;
} ow_buf;

void ow_free(ow_buf *w);
void ow_raw(ow_buf *w, const void *p, size_t n);
void ow_varint(ow_buf *w, uint64_t v);
void ow_int(ow_buf *w, uint32_t field, int64_t v);
void ow_bytes(ow_buf *w, uint32_t field, const void *p, size_t n);
void ow_str(ow_buf *w, uint32_t field, const char *s);
/* Append sub as a nested message in field and free sub. */
void ow_msg(ow_buf *w, uint32_t field, ow_buf *sub);

/* ---- ONNX messages ---- */

enum { OW_FLOAT = 1, OW_INT64 = 7 };

/* TensorProto with raw little-endian data (bytes may be 0). */
ow_buf ow_tensor(const char *name, int dtype, int rank, const int64_t *dims, const void *raw,
                 size_t bytes);
/* ValueInfoProto of a tensor type with a static shape. */
ow_buf ow_value_info(const char *name, int dtype, int rank, const int64_t *dims);
/* ValueInfoProto with a name only (a graph output whose type tern infers). */
ow_buf ow_value_name(const char *name);
/* NodeProto; ins/outs are tensor names ("" for an absent optional input). */
ow_buf ow_node(const char *op, const char *name, const char *const *ins, int nin,
               const char *const *outs, int nout);
void ow_attr_int(ow_buf *node, const char *name, int64_t v);
void ow_attr_ints(ow_buf *node, const char *name, const int64_t *v, int count);
void ow_attr_str(ow_buf *node, const char *name, const char *v);
/* A TENSOR attribute; frees tensor. */
void ow_attr_tensor(ow_buf *node, const char *name, ow_buf *tensor);

/* GraphProto fields */
enum { OW_G_NODE = 1, OW_G_NAME = 2, OW_G_INIT = 5, OW_G_INPUT = 11, OW_G_OUTPUT = 12 };

/* ModelProto (ir_version 8, ai.onnx opset) around graph; frees graph. */
ow_buf ow_model(ow_buf *graph, int64_t opset);

#endif
