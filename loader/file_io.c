/* Whole-file reads and errno messages; see loader/file_io.h. */
#include "loader/file_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *tern_errno_text(int e, char *buf, size_t cap) {
    if (!e)
        snprintf(buf, cap, "unknown error");
    else if (strerror_r(e, buf, cap) != 0)
        snprintf(buf, cap, "errno %d", e);
    return buf;
}

tern_status tern_file_errno(tern_err *err, const char *what, const char *path) {
    char why[128];
    return tern_errf(err, TERN_ERR_IO, "cannot %s '%s': %s", what, path,
                     tern_errno_text(errno, why, sizeof why));
}

/* n bytes of f into a new buffer; a file that shrank since fstat is an
 * error, not a short buffer. */
static tern_status read_exactly(FILE *f, const char *path, size_t n, uint8_t **buf,
                                tern_err *err) {
    *buf = malloc(n ? n : 1);
    if (!*buf)
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory reading '%s' (%zu bytes)", path, n);
    errno = 0;
    size_t got = fread(*buf, 1, n, f);
    if (got == n) return TERN_OK;
    free(*buf);
    *buf = NULL;
    if (ferror(f)) return tern_file_errno(err, "read", path);
    return tern_errf(err, TERN_ERR_IO, "cannot read '%s': %zu of %zu bytes (file shrank?)", path,
                     got, n);
}

tern_status tern_file_read(const char *path, size_t max, uint8_t **buf, size_t *len,
                           tern_err *err) {
    *buf = NULL;
    *len = 0;
    if (!path) return tern_errf(err, TERN_ERR_INVALID_ARG, "no file name");
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return tern_file_errno(err, "open", path);
    struct stat sb;
    tern_status st;
    if (fstat(fileno(f), &sb) != 0)
        st = tern_file_errno(err, "stat", path);
    else if (!S_ISREG(sb.st_mode))
        st = tern_errf(err, TERN_ERR_IO, "cannot read '%s': not a regular file", path);
    else if (sb.st_size < 0 || (uint64_t)sb.st_size > (uint64_t)max)
        st = tern_errf(err, TERN_ERR_IO, "cannot read '%s': %lld bytes, more than the %zu allowed",
                       path, (long long)sb.st_size, max);
    else
        st = read_exactly(f, path, (size_t)sb.st_size, buf, err);
    fclose(f);
    if (!st) *len = (size_t)sb.st_size;
    return st;
}
