/* Whole-file reads and errno messages shared by the loaders (model files,
 * external tensor data, .npy and .pnm files), so that every reader checks
 * the same things (a regular file, a size limit before allocating) and no
 * reader uses strerror's shared buffer. */
#ifndef TERN_FILE_IO_H
#define TERN_FILE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "graph/common.h"

/* Read the whole regular file at path into a malloc'ed buffer (*buf, which
 * the caller frees; one byte even for an empty file). A file larger than
 * max bytes is refused before anything is allocated. Errors name the path:
 * "cannot <open/read> '<path>': <why>". */
tern_status tern_file_read(const char *path, size_t max, uint8_t **buf, size_t *len,
                           tern_err *err);

/* The text of errno value e in buf (strerror_r: thread-safe). */
const char *tern_errno_text(int e, char *buf, size_t cap);

/* TERN_ERR_IO "cannot <what> '<path>': <text of errno>". */
tern_status tern_file_errno(tern_err *err, const char *what, const char *path);

#endif
