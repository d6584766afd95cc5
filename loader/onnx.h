/* ONNX model loading: ModelProto bytes -> tern_graph.
 *
 * What is read: ir_version, opset_import (ai.onnx -> g->opset, com.microsoft
 * -> g->opset_ms), producer_name, and the main graph: nodes (inputs, outputs,
 * name, op_type, domain, attributes), initializers, graph inputs and outputs
 * with their types and shapes (dim_param names kept, unknown dims -1).
 * value_info, doc strings, metadata and training info are skipped.
 *
 * Constants (initializers, TENSOR attributes) are copied into g->pool in
 * plain row-major little-endian layout, 64-byte aligned, whether the file
 * keeps them in raw_data, in the typed fields or in an external file; a
 * typed value the data type cannot hold (300 for UINT8) is an error, and
 * BOOL bytes are stored as 0 or 1. An attribute's declared type must agree
 * with the field its value is in.
 * Graph inputs that also have an initializer are constants, not inputs.
 * The nodes come out topologically sorted (tern_graph_toposort).
 *
 * Nothing in the bytes is trusted: every error is returned with a message
 * naming the field path and byte offset, e.g.
 *   graph.node[41].attribute[2]: ... (at byte 123456)
 */
#ifndef TERN_ONNX_H
#define TERN_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "graph/ir.h"

/* Fill g (initialized here) from a serialized ModelProto. base_dir is the
 * folder external tensor data is read from (NULL: external data is an
 * error). On failure g is left empty (freed). */
tern_status tern_onnx_load(const uint8_t *buf, size_t len, const char *base_dir, tern_graph *g,
                           tern_err *err);

/* Parse a standalone serialized TensorProto (the backend tests' input_N.pb /
 * output_N.pb) into out; its name and data are allocated from pool.
 * External data is not allowed here. */
tern_status tern_onnx_parse_tensor(const uint8_t *buf, size_t len, tern_pool *pool,
                                   tern_tensor *out, tern_err *err);

#endif
