/* Writing a tern_graph as an ONNX ModelProto (the quantizer's QDQ output,
 * and round-trip tests). What is written is what tern reads: live nodes
 * with their attributes, every constant a live node reads as an
 * initializer (raw little-endian data), graph inputs and outputs with
 * their element type and dims (a dim still unknown is left without a
 * value), the opsets. Names are written as they are; the graph must be
 * sorted. */
#ifndef TERN_ONNX_WRITE_H
#define TERN_ONNX_WRITE_H

#include "graph/ir.h"
#include "loader/pb_write.h"

/* The model's bytes into *out (freed by the caller with tern_pbw_free). */
tern_status tern_onnx_write(const tern_graph *g, tern_pbw *out, tern_err *err);
/* The same into a file (replaced). */
tern_status tern_onnx_write_file(const tern_graph *g, const char *path, tern_err *err);

#endif
