/* NumPy .npy files (format 1.0, 2.0 and 3.0 headers), little-endian, C order.
 * Reading checks everything: magic, header length, dict syntax, dtype,
 * shape, and that the data is exactly as long as the shape says. */
#ifndef TERN_NPY_H
#define TERN_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "graph/common.h"

typedef struct tern_npy {
    tern_dtype dtype; /* FLOAT, DOUBLE, UINT8, INT8, INT32, INT64, BOOL */
    int rank;
    int64_t dims[TERN_MAX_RANK];
    void *data; /* malloc'ed, 64-byte aligned; tern_npy_free releases it */
    size_t bytes;
} tern_npy;

tern_status tern_npy_parse(const uint8_t *buf, size_t len, tern_npy *out, tern_err *err);
tern_status tern_npy_read_file(const char *path, tern_npy *out, tern_err *err);
tern_status tern_npy_write_file(const char *path, tern_dtype dt, int rank, const int64_t *dims,
                                const void *data, tern_err *err);
void tern_npy_free(tern_npy *n);

/* Serialize to a malloc'ed buffer (*out, *len; the caller frees it) with a
 * format 1.0 or 2.0 header (version 1 or 2; 0 means 1.0, which always fits:
 * a header of at most 8 dims is far below 1.0's 65535-byte limit).
 * tern_npy_write_file uses version 0. */
tern_status tern_npy_serialize(tern_dtype dt, int rank, const int64_t *dims, const void *data,
                               int version, uint8_t **out, size_t *len, tern_err *err);
/* The numpy descr ("<f4", "|u1", ...) of a dtype, or NULL if .npy cannot hold it. */
const char *tern_npy_descr(tern_dtype dt);

#endif
