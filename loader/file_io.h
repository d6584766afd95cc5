/* Whole-file reads and errno messages shared by the loaders (model files,
 * external tensor data, .npy and .pnm files), so that every reader checks
 * the same things and no reader uses strerror's shared buffer.
 *
 * Every file is opened O_NONBLOCK (opening a FIFO with no writer would
 * otherwise wait forever) and checked through the open descriptor (fstat,
 * not stat on the name, so nothing can be swapped in between): anything but
 * a regular file (FIFO, device, folder, socket) is refused before a byte is
 * read, and so is a file over the caller's size limit, before anything is
 * allocated. */
#ifndef TERN_FILE_IO_H
#define TERN_FILE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "graph/common.h"

/* The size limits of the whole-file readers. A model is one protobuf
 * message, which protobuf itself caps at 2 GiB (larger weights go in
 * external data files); an .npy holds one input or output tensor. */
#define TERN_MODEL_MAX_BYTES ((size_t)2 << 30)
#define TERN_NPY_MAX_BYTES ((size_t)4 << 30)

/* Read the whole regular file at path into a malloc'ed buffer (*buf, which
 * the caller frees; one byte even for an empty file). A file larger than
 * max bytes is refused before anything is allocated ("'<path>' is N bytes,
 * more than the M allowed"). Errors name the path: "cannot <open/read>
 * '<path>': <why>". */
tern_status tern_file_read(const char *path, size_t max, uint8_t **buf, size_t *len,
                           tern_err *err);

/* The open descriptor fd (named path in messages) is a regular file;
 * *size gets its size. Otherwise TERN_ERR_IO "cannot read '<path>': it is a
 * FIFO" (or a folder, a device, a socket...). */
tern_status tern_fd_regular(int fd, const char *path, uint64_t *size, tern_err *err);

/* Read exactly n bytes at offset off of fd into dst (pread, so the file
 * position does not matter); a file that ends early is an error. */
tern_status tern_fd_read_at(int fd, const char *path, uint64_t off, void *dst, size_t n,
                            tern_err *err);

/* Open the file rel, a path relative to the folder dir ('/' between
 * components, no ".."), without following any symbolic link below dir:
 * dir is opened once, then each component of rel with openat(O_NOFOLLOW)
 * relative to the one before (O_DIRECTORY for folders, O_NONBLOCK for the
 * file). Checking the descriptors rather than a resolved name leaves no
 * window in which a component could be swapped for a link. A link anywhere
 * in rel is an error naming it. *fd gets a descriptor (which the caller
 * closes) of whatever rel names: check it with tern_fd_regular. */
tern_status tern_file_open_below(const char *dir, const char *rel, int *fd, tern_err *err);

/* The text of errno value e in buf (strerror_r: thread-safe). */
const char *tern_errno_text(int e, char *buf, size_t cap);

/* TERN_ERR_IO "cannot <what> '<path>': <text of errno>". */
tern_status tern_file_errno(tern_err *err, const char *what, const char *path);

#endif
