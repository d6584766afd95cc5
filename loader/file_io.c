/* Whole-file reads and errno messages; see loader/file_io.h. */
#include "loader/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static const char *file_kind(mode_t m) {
    if (S_ISDIR(m)) return "a folder";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

tern_status tern_fd_regular(int fd, const char *path, uint64_t *size, tern_err *err) {
    struct stat sb;
    errno = 0;
    if (fstat(fd, &sb) != 0) return tern_file_errno(err, "stat", path);
    /* only a regular file has a size to trust, and only it cannot block a
     * read forever (a FIFO) or stream without end (/dev/zero) */
    if (!S_ISREG(sb.st_mode) || sb.st_size < 0)
        return tern_errf(err, TERN_ERR_IO, "cannot read '%s': it is %s, not a regular file", path,
                         file_kind(sb.st_mode));
    *size = (uint64_t)sb.st_size;
    return TERN_OK;
}

tern_status tern_fd_read_at(int fd, const char *path, uint64_t off, void *dst, size_t n,
                            tern_err *err) {
    uint8_t *p = dst;
    size_t got = 0;
    while (got < n) {
        uint64_t at = off + got;
        off_t pos = (off_t)at;
        if (at < off || pos < 0 || (uint64_t)pos != at)
            return tern_errf(err, TERN_ERR_IO, "cannot read '%s' at byte %llu: offset too large",
                             path, (unsigned long long)at);
        errno = 0;
        ssize_t r = pread(fd, p + got, n - got, pos);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return tern_file_errno(err, "read", path);
        if (r == 0)
            return tern_errf(err, TERN_ERR_IO, "cannot read '%s': %zu of %zu bytes (file shrank?)",
                             path, got, n);
        got += (size_t)r;
    }
    return TERN_OK;
}

/* The whole of the regular file fd into a new buffer, at most max bytes. */
static tern_status read_fd(int fd, const char *path, size_t max, uint8_t **buf, size_t *len,
                           tern_err *err) {
    uint64_t size;
    tern_status st = tern_fd_regular(fd, path, &size, err);
    if (st) return st;
    if (size > (uint64_t)max)
        return tern_errf(err, TERN_ERR_IO,
                         "cannot read '%s': it is %llu bytes, more than the %zu allowed", path,
                         (unsigned long long)size, max);
    size_t n = (size_t)size;
    *buf = malloc(n ? n : 1);
    if (!*buf)
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory reading '%s' (%zu bytes)", path, n);
    st = tern_fd_read_at(fd, path, 0, *buf, n, err);
    if (st) {
        free(*buf);
        *buf = NULL;
        return st;
    }
    *len = n;
    return TERN_OK;
}

tern_status tern_file_read(const char *path, size_t max, uint8_t **buf, size_t *len,
                           tern_err *err) {
    *buf = NULL;
    *len = 0;
    if (!path) return tern_errf(err, TERN_ERR_INVALID_ARG, "no file name");
    errno = 0;
    /* O_NONBLOCK: a FIFO without a writer would block open() itself; this
     * way open returns and read_fd refuses the FIFO by its type */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return tern_file_errno(err, "open", path);
    tern_status st = read_fd(fd, path, max, buf, len, err);
    close(fd);
    return st;
}

/* Why component part (rel up to and including it: prefix) of rel could not
 * be opened in the folder descriptor at. */
static tern_status below_fail(int at, const char *part, const char *prefix, const char *dir,
                              tern_err *err) {
    int e = errno;
    struct stat sb;
    if (fstatat(at, part, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode))
        return tern_errf(err, TERN_ERR_IO,
                         "'%s' is a symbolic link (links are not followed below '%s')", prefix,
                         dir);
    char why[128];
    return tern_errf(err, TERN_ERR_IO, "cannot open '%s' in '%s': %s", prefix, dir,
                     tern_errno_text(e, why, sizeof why));
}

/* next (the text after a component's '/', or NULL) holds no further component. */
static int is_last_part(const char *next) {
    return !next || next[strspn(next, "/")] == 0;
}

tern_status tern_file_open_below(const char *dir, const char *rel, int *fd, tern_err *err) {
    *fd = -1;
    if (!dir || !rel || rel[0] == '/')
        return tern_errf(err, TERN_ERR_INVALID_ARG, "'%s' is not a path relative to a folder",
                         rel ? rel : "(null)");
    char *buf = strdup(rel);
    if (!buf) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    errno = 0;
    int at = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    tern_status st = at < 0 ? tern_file_errno(err, "open folder", dir) : TERN_OK;
    for (char *part = buf; !st && part;) {
        char *slash = strchr(part, '/'), *next = slash ? slash + 1 : NULL;
        if (slash) *slash = 0; /* buf is now rel up to this component */
        if (strcmp(part, "..") == 0) {
            st = tern_errf(err, TERN_ERR_INVALID_ARG, "'%s' leaves the folder ('..')", buf);
        } else if (part[0]) {
            int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
                        (is_last_part(next) ? O_NONBLOCK : O_DIRECTORY);
            errno = 0;
            int sub = openat(at, part, flags);
            if (sub < 0) st = below_fail(at, part, buf, dir, err);
            close(at);
            at = sub;
        }
        if (slash) *slash = '/';
        part = next;
    }
    free(buf);
    if (st) {
        if (at >= 0) close(at);
        return st;
    }
    *fd = at;
    return TERN_OK;
}
