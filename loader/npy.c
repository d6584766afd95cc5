/* NumPy .npy reader and writer. The header is a Python dict literal such as
 * {'descr': '<f4', 'fortran_order': False, 'shape': (8, 224, 224, 3), }
 * which is parsed by a small strict tokenizer: anything numpy would not write
 * (unknown keys, duplicate keys, big-endian or Fortran-order data, a data
 * section that is not exactly shape x element size bytes) is an error that
 * says what and where. */
#include "loader/npy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/file_io.h"

static const uint8_t NPY_MAGIC[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

typedef struct {
    const char *code; /* descr without the byte-order character */
    tern_dtype dtype;
    size_t size;
} npy_type;

static const npy_type NPY_TYPES[] = {
    {"f4", TERN_FLOAT, 4}, {"f8", TERN_DOUBLE, 8}, {"f2", TERN_FLOAT16, 2}, {"u1", TERN_UINT8, 1},
    {"i1", TERN_INT8, 1},  {"i4", TERN_INT32, 4},  {"i8", TERN_INT64, 8},   {"b1", TERN_BOOL, 1},
};
#define N_NPY_TYPES (sizeof NPY_TYPES / sizeof NPY_TYPES[0])

const char *tern_npy_descr(tern_dtype dt) {
    switch (dt) {
    case TERN_FLOAT: return "<f4";
    case TERN_DOUBLE: return "<f8";
    case TERN_FLOAT16: return "<f2";
    case TERN_UINT8: return "|u1";
    case TERN_INT8: return "|i1";
    case TERN_INT32: return "<i4";
    case TERN_INT64: return "<i8";
    case TERN_BOOL: return "|b1";
    default: return NULL;
    }
}

/* ---- header dict parsing ------------------------------------------------ */

typedef struct {
    const char *s;
    size_t n, i;
    tern_err *err;
} hdr_cursor;

static void hdr_skip_ws(hdr_cursor *c) {
    while (c->i < c->n &&
           (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' || c->s[c->i] == '\r'))
        c->i++;
}

static tern_status hdr_fail(hdr_cursor *c, const char *what) {
    return tern_errf(c->err, TERN_ERR_PARSE, "npy header: %s (at header byte %zu)", what, c->i);
}

static int hdr_accept(hdr_cursor *c, char ch) {
    hdr_skip_ws(c);
    if (c->i < c->n && c->s[c->i] == ch) {
        c->i++;
        return 1;
    }
    return 0;
}

/* A quoted string ('...' or "...") without escapes or NUL bytes, copied into out. */
static tern_status hdr_string(hdr_cursor *c, char *out, size_t cap) {
    hdr_skip_ws(c);
    if (c->i >= c->n || (c->s[c->i] != '\'' && c->s[c->i] != '"'))
        return hdr_fail(c, "expected a quoted string");
    char q = c->s[c->i++];
    size_t len = 0;
    while (c->i < c->n && c->s[c->i] != q) {
        if (c->s[c->i] == '\\') return hdr_fail(c, "escapes in strings are not supported");
        /* a NUL would end the copy early: '<f4\0junk' must not read as '<f4' */
        if (c->s[c->i] == 0) return hdr_fail(c, "NUL byte in a string");
        if (len + 1 >= cap) return hdr_fail(c, "string too long");
        out[len++] = c->s[c->i++];
    }
    if (c->i >= c->n) return hdr_fail(c, "unterminated string");
    c->i++;
    out[len] = 0;
    return TERN_OK;
}

static int hdr_word(hdr_cursor *c, const char *w) {
    size_t k = strlen(w);
    hdr_skip_ws(c);
    if (c->n - c->i >= k && memcmp(c->s + c->i, w, k) == 0) {
        c->i += k;
        return 1;
    }
    return 0;
}

/* A non-negative decimal integer below 2^62 (larger dims cannot be real). */
static tern_status hdr_dim(hdr_cursor *c, int64_t *out) {
    hdr_skip_ws(c);
    size_t start = c->i;
    int64_t v = 0;
    while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
        if (v > ((int64_t)1 << 62) / 10) return hdr_fail(c, "dimension too large");
        v = v * 10 + (c->s[c->i] - '0');
        c->i++;
    }
    if (c->i == start) return hdr_fail(c, "expected a non-negative integer in 'shape'");
    *out = v;
    return TERN_OK;
}

/* '(' [dim (',' dim)* [',']] ')' -- a 1-tuple needs its trailing comma, as
 * in Python. */
static tern_status hdr_shape(hdr_cursor *c, tern_npy *out) {
    if (!hdr_accept(c, '(')) return hdr_fail(c, "'shape' must be a tuple");
    out->rank = 0;
    if (hdr_accept(c, ')')) return TERN_OK;
    int trailing_comma = 0;
    for (;;) {
        if (out->rank >= TERN_MAX_RANK) return hdr_fail(c, "more than 8 dimensions");
        tern_status st = hdr_dim(c, &out->dims[out->rank++]);
        if (st) return st;
        trailing_comma = hdr_accept(c, ',');
        if (hdr_accept(c, ')')) break;
        if (!trailing_comma) return hdr_fail(c, "expected ',' or ')' in 'shape'");
    }
    if (out->rank == 1 && !trailing_comma) return hdr_fail(c, "'shape' (n) is not a tuple");
    return TERN_OK;
}

static tern_status hdr_descr(hdr_cursor *c, tern_npy *out, size_t *elsize) {
    char d[32];
    tern_status st = hdr_string(c, d, sizeof d);
    if (st) return st;
    for (size_t k = 0; k < N_NPY_TYPES; k++) {
        if (d[0] == 0 || strcmp(d + 1, NPY_TYPES[k].code) != 0) continue;
        int one_byte = NPY_TYPES[k].size == 1;
        if (d[0] == '<' || (one_byte && (d[0] == '|' || d[0] == '>'))) {
            out->dtype = NPY_TYPES[k].dtype;
            *elsize = NPY_TYPES[k].size;
            return TERN_OK;
        }
        if (d[0] == '>')
            return tern_errf(c->err, TERN_ERR_UNSUPPORTED,
                             "npy header: big-endian data ('%s') is not supported", d);
        break;
    }
    return tern_errf(c->err, TERN_ERR_UNSUPPORTED,
                     "npy header: dtype '%s' is not supported (float32/64/16, uint8, int8, "
                     "int32, int64, bool, little-endian)",
                     d);
}

static tern_status hdr_parse(hdr_cursor *c, tern_npy *out, size_t *elsize) {
    int seen_descr = 0, seen_fortran = 0, seen_shape = 0;
    if (!hdr_accept(c, '{')) return hdr_fail(c, "expected '{'");
    while (!hdr_accept(c, '}')) {
        char key[32];
        tern_status st = hdr_string(c, key, sizeof key);
        if (st) return st;
        if (!hdr_accept(c, ':')) return hdr_fail(c, "expected ':' after a key");
        if (strcmp(key, "descr") == 0 && !seen_descr++) {
            st = hdr_descr(c, out, elsize);
        } else if (strcmp(key, "fortran_order") == 0 && !seen_fortran++) {
            if (hdr_word(c, "True"))
                return tern_errf(c->err, TERN_ERR_UNSUPPORTED,
                                 "npy header: fortran_order True is not supported (C order only)");
            if (!hdr_word(c, "False")) return hdr_fail(c, "'fortran_order' must be True or False");
        } else if (strcmp(key, "shape") == 0 && !seen_shape++) {
            st = hdr_shape(c, out);
        } else {
            return hdr_fail(c, "unknown or repeated key");
        }
        if (st) return st;
        if (!hdr_accept(c, ',')) {
            if (!hdr_accept(c, '}')) return hdr_fail(c, "expected ',' or '}'");
            break;
        }
    }
    hdr_skip_ws(c);
    if (c->i != c->n) return hdr_fail(c, "unexpected text after the dict");
    if (!seen_descr || !seen_fortran || !seen_shape)
        return hdr_fail(c, "the dict needs 'descr', 'fortran_order' and 'shape'");
    return TERN_OK;
}

/* ---- reading --------------------------------------------------------- */

static uint32_t read_le(const uint8_t *p, int bytes) {
    uint32_t v = 0;
    for (int k = bytes - 1; k >= 0; k--) v = (v << 8) | p[k];
    return v;
}

/* 64-byte aligned block of at least one byte (so data is never NULL). */
static void *alloc_aligned(size_t bytes) {
    void *p = NULL;
    size_t n = bytes ? (bytes + 63) & ~(size_t)63 : 64;
    if (n < bytes || posix_memalign(&p, 64, n) != 0) return NULL;
    return p;
}

/* Locate the header: returns its offset and length and the data offset. */
static tern_status npy_prelude(const uint8_t *buf, size_t len, size_t *hoff, size_t *hlen,
                               tern_err *err) {
    if (len < 10) return tern_errf(err, TERN_ERR_PARSE, "npy: file too short (%zu bytes)", len);
    if (memcmp(buf, NPY_MAGIC, sizeof NPY_MAGIC) != 0)
        return tern_errf(err, TERN_ERR_PARSE, "npy: bad magic (not a .npy file)");
    int major = buf[6], minor = buf[7];
    if (major < 1 || major > 3 || minor != 0)
        return tern_errf(err, TERN_ERR_UNSUPPORTED, "npy: format version %d.%d is not supported",
                         major, minor);
    int lenbytes = major == 1 ? 2 : 4;
    if (len < 8 + (size_t)lenbytes)
        return tern_errf(err, TERN_ERR_PARSE, "npy: file too short (%zu bytes)", len);
    *hoff = 8 + (size_t)lenbytes;
    *hlen = read_le(buf + 8, lenbytes);
    if (*hlen > len - *hoff)
        return tern_errf(err, TERN_ERR_PARSE,
                         "npy: header length %zu runs past the end of the file (%zu bytes)", *hlen,
                         len);
    return TERN_OK;
}

tern_status tern_npy_parse(const uint8_t *buf, size_t len, tern_npy *out, tern_err *err) {
    memset(out, 0, sizeof *out);
    if (!buf) return tern_errf(err, TERN_ERR_INVALID_ARG, "npy: no buffer");
    size_t hoff = 0, hlen = 0, elsize = 0;
    tern_status st = npy_prelude(buf, len, &hoff, &hlen, err);
    if (st) return st;
    hdr_cursor c = {(const char *)buf + hoff, hlen, 0, err};
    tern_npy h = {0};
    st = hdr_parse(&c, &h, &elsize);
    if (st) return st;
    size_t count = 1, bytes;
    for (int k = 0; k < h.rank; k++)
        if (!tern_mul_size(count, (size_t)h.dims[k], &count))
            return tern_errf(err, TERN_ERR_PARSE, "npy: shape has too many elements");
    if (!tern_mul_size(count, elsize, &bytes))
        return tern_errf(err, TERN_ERR_PARSE, "npy: shape has too many elements");
    size_t have = len - hoff - hlen;
    if (have != bytes)
        return tern_errf(err, TERN_ERR_PARSE,
                         "npy: data is %zu bytes but shape and dtype need %zu (file %s)", have,
                         bytes, have < bytes ? "truncated" : "has trailing bytes");
    h.data = alloc_aligned(bytes);
    if (!h.data) return tern_errf(err, TERN_ERR_NOMEM, "npy: out of memory for %zu bytes", bytes);
    if (bytes) memcpy(h.data, buf + hoff + hlen, bytes);
    /* numpy reads any nonzero byte as True; kernels count on 0 and 1 */
    if (h.dtype == TERN_BOOL)
        for (size_t k = 0; k < bytes; k++) ((uint8_t *)h.data)[k] = ((uint8_t *)h.data)[k] != 0;
    h.bytes = bytes;
    *out = h;
    return TERN_OK;
}

tern_status tern_npy_read_file(const char *path, tern_npy *out, tern_err *err) {
    memset(out, 0, sizeof *out);
    uint8_t *buf;
    size_t len;
    tern_status st = tern_file_read(path, TERN_NPY_MAX_BYTES, &buf, &len, err);
    if (st) return st;
    st = tern_npy_parse(buf, len, out, err);
    free(buf);
    if (st) tern_err_prefix(err, "%s", path);
    return st;
}

void tern_npy_free(tern_npy *n) {
    if (!n) return;
    free(n->data);
    n->data = NULL;
    n->bytes = 0;
}

/* ---- writing --------------------------------------------------------- */

/* The dict text, padded with spaces and a final '\n' so that the data starts
 * at a multiple of 64 bytes (as numpy does). */
static tern_status build_header(tern_dtype dt, int rank, const int64_t *dims, int version, char *h,
                                size_t cap, size_t *hlen, size_t *count, tern_err *err) {
    const char *descr = tern_npy_descr(dt);
    if (!descr) return tern_errf(err, TERN_ERR_INVALID_ARG, "npy: cannot write dtype %d", (int)dt);
    if (rank < 0 || rank > TERN_MAX_RANK || (rank > 0 && !dims))
        return tern_errf(err, TERN_ERR_INVALID_ARG, "npy: bad rank %d", rank);
    size_t n =
        (size_t)snprintf(h, cap, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    *count = 1;
    for (int k = 0; k < rank; k++) {
        if (dims[k] < 0 || !tern_mul_size(*count, (size_t)dims[k], count))
            return tern_errf(err, TERN_ERR_INVALID_ARG, "npy: bad dimension %lld",
                             (long long)dims[k]);
        n += (size_t)snprintf(h + n, cap - n, "%s%lld", k ? ", " : "", (long long)dims[k]);
    }
    n += (size_t)snprintf(h + n, cap - n, "%s), }", rank == 1 ? "," : "");
    size_t pre = version == 1 ? 10 : 12;
    size_t total = (pre + n + 1 + 63) & ~(size_t)63;
    if (total - pre > cap) return tern_errf(err, TERN_ERR_INVALID_ARG, "npy: header too long");
    while (pre + n + 1 < total) h[n++] = ' ';
    h[n++] = '\n';
    *hlen = n;
    return TERN_OK;
}

tern_status tern_npy_serialize(tern_dtype dt, int rank, const int64_t *dims, const void *data,
                               int version, uint8_t **out, size_t *len, tern_err *err) {
    char h[512];
    size_t hlen = 0, count = 0, bytes = 0, total = 0;
    *out = NULL;
    *len = 0;
    if (version < 0 || version > 2)
        return tern_errf(err, TERN_ERR_INVALID_ARG, "npy: cannot write format version %d", version);
    tern_status st =
        build_header(dt, rank, dims, version == 2 ? 2 : 1, h, sizeof h, &hlen, &count, err);
    if (st) return st;
    size_t pre = version == 2 ? 12 : 10;
    if (!tern_mul_size(count, tern_dtype_size(dt), &bytes) ||
        !tern_add_size(pre + hlen, bytes, &total))
        return tern_errf(err, TERN_ERR_INVALID_ARG, "npy: array too large");
    if (bytes && !data) return tern_errf(err, TERN_ERR_INVALID_ARG, "npy: no data");
    uint8_t *b = malloc(total ? total : 1);
    if (!b) return tern_errf(err, TERN_ERR_NOMEM, "npy: out of memory");
    memcpy(b, NPY_MAGIC, sizeof NPY_MAGIC);
    b[6] = version == 2 ? 2 : 1;
    b[7] = 0;
    for (size_t k = 0; k < pre - 8; k++) b[8 + k] = (uint8_t)(hlen >> (8 * k));
    memcpy(b + pre, h, hlen);
    if (bytes) memcpy(b + pre + hlen, data, bytes);
    *out = b;
    *len = total;
    return TERN_OK;
}

tern_status tern_npy_write_file(const char *path, tern_dtype dt, int rank, const int64_t *dims,
                                const void *data, tern_err *err) {
    uint8_t *buf;
    size_t len;
    tern_status st = tern_npy_serialize(dt, rank, dims, data, 0, &buf, &len, err);
    if (st) {
        tern_err_prefix(err, "%s", path);
        return st;
    }
    errno = 0;
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(buf);
        return tern_file_errno(err, "create", path);
    }
    size_t put = fwrite(buf, 1, len, f);
    int bad = fclose(f) != 0 || put != len;
    free(buf);
    return bad ? tern_file_errno(err, "write", path) : TERN_OK;
}
