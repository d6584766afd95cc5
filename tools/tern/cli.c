/* Error reporting, option parsing and model opening for the tern CLI. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *cli_printable(char *s, int keep_newlines) {
    for (char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if ((ch < 0x20 && ch != '\t' && !(ch == '\n' && keep_newlines)) || ch == 0x7f) *p = '?';
    }
    return s;
}

int cli_fail(const char *fmt, ...) {
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "tern: %s\n", cli_printable(msg, 0));
    return CLI_EXIT_ERROR;
}

int cli_option(int argc, char **argv, int *i, const char *name, const char **val) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != 0) return 0;
    if (*i + 1 >= argc) {
        cli_fail("option %s needs a value (argument %d)", name, *i);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int cli_int(const char *s, int lo, int hi, const char *option, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return cli_fail("bad value '%s' for %s (want an integer in %d..%d)", s, option, lo, hi);
    *out = (int)v;
    return 0;
}

int cli_bytes(const char *s, const char *option, size_t *out) {
    size_t v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        size_t d = (size_t)(*p - '0');
        if (v > (SIZE_MAX - d) / 10) goto bad;
        v = v * 10 + d;
    }
    if (p == s) goto bad;
    unsigned shift = 0;
    if (*p == 'K' || *p == 'k') shift = 10;
    else if (*p == 'M' || *p == 'm') shift = 20;
    else if (*p == 'G' || *p == 'g') shift = 30;
    if (shift) p++;
    if (*p || v == 0 || v > (SIZE_MAX >> shift)) goto bad;
    *out = v << shift;
    return 0;
bad:
    return cli_fail("bad value '%s' for %s (want a byte count of at least 1, e.g. 512M, 8G or "
                    "1048576)", s, option);
}

int cli_load(const char *path, tern_model **m) {
    *m = NULL;
    if (tern_model_load_file(path, m) == TERN_OK) return 0;
    /* the library's message names the file already */
    if (*m)
        cli_fail("cannot load model: %s", tern_model_error(*m));
    else
        cli_fail("cannot load model: out of memory (%s)", path);
    tern_model_free(*m);
    *m = NULL;
    return CLI_EXIT_ERROR;
}

int cli_compile(const tern_model *m, const tern_session_options *opts, const char *path,
                tern_session **s) {
    *s = NULL;
    if (tern_session_create(m, opts, s) == TERN_OK) return 0;
    cli_fail("cannot compile model: %s (%s)", *s ? tern_session_error(*s) : "out of memory", path);
    tern_session_free(*s);
    *s = NULL;
    return CLI_EXIT_ERROR;
}

int cli_open(const char *path, const tern_session_options *opts, tern_model **m, tern_session **s) {
    *s = NULL;
    if (cli_load(path, m)) return CLI_EXIT_ERROR;
    if (cli_compile(*m, opts, path, s) == 0) return 0;
    tern_model_free(*m);
    *m = NULL;
    return CLI_EXIT_ERROR;
}

void cli_close(tern_model *m, tern_session *s) {
    if (s) tern_session_free(s);
    if (m) tern_model_free(m);
}

const char *cli_dims(const int64_t *dims, int rank, char *buf, unsigned cap) {
    size_t n = 0;
    buf[0] = 0;
    n += (size_t)snprintf(buf, cap, "[");
    for (int k = 0; k < rank && n < cap; k++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", k ? "," : "", (long long)dims[k]);
    if (n < cap) snprintf(buf + n, cap - n, "]");
    return buf;
}
