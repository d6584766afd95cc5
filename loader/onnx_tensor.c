/* TensorProto -> tern_tensor with its data copied into the pool: raw_data,
 * the typed repeated fields, or an external file next to the model. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/file_io.h"
#include "loader/onnx_priv.h"

/* TensorProto field numbers */
enum {
    F_DIMS = 1,
    F_DATA_TYPE = 2,
    F_SEGMENT = 3,
    F_FLOAT_DATA = 4,
    F_INT32_DATA = 5,
    F_STRING_DATA = 6,
    F_INT64_DATA = 7,
    F_NAME = 8,
    F_RAW_DATA = 9,
    F_DOUBLE_DATA = 10,
    F_UINT64_DATA = 11,
    F_EXTERNAL_DATA = 13,
    F_DATA_LOCATION = 14
};

/* What a first pass over the message finds (last value wins, as protobuf
 * says for repeated occurrences of a singular field). */
typedef struct tensor_scan {
    uint64_t dtype;
    const char *name;
    const uint8_t *raw;
    size_t raw_len, raw_at;
    int has_raw;
    int has_strings;
    uint64_t location; /* 0 DEFAULT, 1 EXTERNAL */
    int n_external;
} tensor_scan;

static tern_status scan_field(onnx_ctx *c, tern_pb *r, uint32_t f, int w, size_t at,
                              tensor_scan *s) {
    switch (f) {
    case F_DATA_TYPE: return onnx_read_varint(c, r, w, "data_type", at, &s->dtype);
    case F_NAME: return onnx_read_string(c, r, w, "name", at, &s->name);
    case F_DATA_LOCATION: return onnx_read_varint(c, r, w, "data_location", at, &s->location);
    case F_RAW_DATA: {
        tern_status st = onnx_want_wire(c, w, TERN_PB_LEN, "raw_data", at);
        if (st) return st;
        s->has_raw = 1;
        s->raw_at = r->pos;
        return onnx_wrap(c, tern_pb_bytes(r, &s->raw, &s->raw_len, c->err));
    }
    case F_SEGMENT:
        return onnx_fail(c, at, TERN_ERR_UNSUPPORTED, "segmented tensors are not supported");
    case F_STRING_DATA: s->has_strings = 1; break;
    case F_EXTERNAL_DATA: s->n_external++; break;
    default: break;
    }
    return onnx_wrap(c, tern_pb_skip(r, w, c->err));
}

static tern_status scan_tensor(onnx_ctx *c, const tern_pb *msg, tensor_scan *s) {
    tern_status st;
    uint32_t f;
    int w;
    memset(s, 0, sizeof *s);
    s->name = "";
    tern_pb r = *msg;
    r.pos = r.start;
    ONNX_FOR_FIELDS(c, &r, at, f, w) {
        st = scan_field(c, &r, f, w, at, s);
        if (st) return st;
    }
    return TERN_OK;
}

/* ---- shape ---- */

static tern_status read_dims(onnx_ctx *c, const tern_pb *msg, tern_tensor *t, size_t *bytes) {
    size_t n;
    tern_status st = tern_pb_count_repeated(msg, F_DIMS, TERN_PB_KIND_VARINT, &n, c->err);
    if (st) return onnx_wrap(c, st);
    if (n > TERN_MAX_RANK)
        return onnx_fail(c, msg->start, TERN_ERR_UNSUPPORTED, "rank %zu exceeds the maximum %d", n,
                         TERN_MAX_RANK);
    st = tern_pb_read_repeated(msg, F_DIMS, TERN_PB_KIND_VARINT, t->dims, 8, n, c->err);
    if (st) return onnx_wrap(c, st);
    t->rank = (int)n;
    size_t numel = 1;
    for (size_t i = 0; i < n; i++) {
        if (t->dims[i] < 0)
            return onnx_fail(c, msg->start, TERN_ERR_PARSE, "dims[%zu] is negative (%lld)", i,
                             (long long)t->dims[i]);
        if ((uint64_t)t->dims[i] > SIZE_MAX || !tern_mul_size(numel, (size_t)t->dims[i], &numel))
            return onnx_fail(c, msg->start, TERN_ERR_PARSE, "element count overflows");
    }
    if (!tern_mul_size(numel, tern_dtype_size(t->dtype), bytes))
        return onnx_fail(c, msg->start, TERN_ERR_PARSE, "byte size overflows");
    return TERN_OK;
}

/* ---- typed fields ---- */

typedef struct typed_field {
    uint32_t field;
    tern_pb_kind kind;
    const char *name;
} typed_field;

static const typed_field TYPED[] = {
    {F_FLOAT_DATA, TERN_PB_KIND_FIXED32, "float_data"},
    {F_INT32_DATA, TERN_PB_KIND_VARINT, "int32_data"},
    {F_INT64_DATA, TERN_PB_KIND_VARINT, "int64_data"},
    {F_DOUBLE_DATA, TERN_PB_KIND_FIXED64, "double_data"},
    {F_UINT64_DATA, TERN_PB_KIND_VARINT, "uint64_data"},
};

/* The typed field ONNX keeps a data type's values in. FLOAT16 (as raw
 * bits), BOOL, INT8 and UINT8 go in int32_data, one value per element. */
static const typed_field *field_for(tern_dtype dt) {
    switch (dt) {
    case TERN_FLOAT: return &TYPED[0];
    case TERN_INT64: return &TYPED[2];
    case TERN_DOUBLE: return &TYPED[3];
    default: return &TYPED[1];
    }
}

/* Count the values in the typed fields; only the dtype's own may be used. */
static tern_status count_typed(onnx_ctx *c, const tern_pb *msg, tern_dtype dt, size_t *count) {
    const typed_field *own = field_for(dt);
    *count = 0;
    for (size_t i = 0; i < sizeof TYPED / sizeof TYPED[0]; i++) {
        size_t n;
        tern_status st = tern_pb_count_repeated(msg, TYPED[i].field, TYPED[i].kind, &n, c->err);
        if (st) return onnx_wrap(c, st);
        if (&TYPED[i] == own) {
            *count = n;
        } else if (n) {
            return onnx_fail(c, msg->start, TERN_ERR_PARSE, "%s given for a %s tensor",
                             TYPED[i].name, onnx_dtype_name((uint64_t)dt));
        }
    }
    return TERN_OK;
}

/* The values int32_data may hold for dt: FLOAT16 keeps its 16 bits as an
 * unsigned number; BOOL takes any int32 (nonzero is true). */
static void int32_data_range(tern_dtype dt, int64_t *lo, int64_t *hi) {
    switch (dt) {
    case TERN_UINT8: *lo = 0, *hi = UINT8_MAX; break;
    case TERN_INT8: *lo = INT8_MIN, *hi = INT8_MAX; break;
    case TERN_FLOAT16: *lo = 0, *hi = UINT16_MAX; break;
    default: *lo = INT32_MIN, *hi = INT32_MAX; break;
    }
}

/* int32_data read in full width first, so that a value the type cannot
 * hold is an error instead of being cut to its low bits. */
static tern_status read_int32_data(onnx_ctx *c, const tern_pb *msg, tern_dtype dt,
                                   unsigned char *out, size_t numel) {
    size_t bytes, es = tern_dtype_size(dt);
    int64_t *v = tern_mul_size(numel, sizeof *v, &bytes) ? malloc(bytes ? bytes : 1) : NULL;
    if (!v) return onnx_fail(c, msg->start, TERN_ERR_NOMEM, "out of memory (int32_data)");
    tern_status st =
        onnx_wrap(c, tern_pb_read_repeated(msg, F_INT32_DATA, TERN_PB_KIND_VARINT, v, 8, numel,
                                           c->err));
    int64_t lo, hi;
    int32_data_range(dt, &lo, &hi);
    for (size_t i = 0; !st && i < numel; i++) {
        if (v[i] < lo || v[i] > hi) {
            st = onnx_fail(c, msg->start, TERN_ERR_PARSE,
                           "int32_data[%zu] = %lld is out of range for a %s tensor", i,
                           (long long)v[i], onnx_dtype_name((uint64_t)dt));
            break;
        }
        uint8_t u8 = (uint8_t)v[i];
        uint16_t u16 = (uint16_t)v[i];
        uint32_t u32 = (uint32_t)v[i];
        memcpy(out + i * es, es == 1 ? (void *)&u8 : es == 2 ? (void *)&u16 : (void *)&u32, es);
    }
    free(v);
    return st;
}

static tern_status read_typed(onnx_ctx *c, const tern_pb *msg, tern_dtype dt, void *out,
                              size_t numel) {
    const typed_field *tf = field_for(dt);
    if (tf->field == F_INT32_DATA) return read_int32_data(c, msg, dt, out, numel);
    tern_status st =
        tern_pb_read_repeated(msg, tf->field, tf->kind, out, tern_dtype_size(dt), numel, c->err);
    return onnx_wrap(c, st);
}

/* ---- external data ---- */

typedef struct external_ref {
    const char *location;
    const char *offset, *length; /* decimal strings, or NULL */
} external_ref;

static tern_status read_entry(onnx_ctx *c, tern_pb *e, external_ref *x) {
    tern_status st;
    uint32_t f;
    int w;
    const char *key = NULL, *value = "";
    ONNX_FOR_FIELDS(c, e, at, f, w) {
        if (f == 1)
            st = onnx_read_string(c, e, w, "key", at, &key);
        else if (f == 2)
            st = onnx_read_string(c, e, w, "value", at, &value);
        else
            st = onnx_wrap(c, tern_pb_skip(e, w, c->err));
        if (st) return st;
    }
    if (!key) return onnx_fail(c, e->start, TERN_ERR_PARSE, "entry has no key");
    if (strcmp(key, "location") == 0)
        x->location = value;
    else if (strcmp(key, "offset") == 0)
        x->offset = value;
    else if (strcmp(key, "length") == 0)
        x->length = value;
    return TERN_OK; /* checksum and unknown keys are ignored */
}

static tern_status read_external_refs(onnx_ctx *c, const tern_pb *msg, external_ref *x) {
    tern_status st;
    uint32_t f;
    int w;
    memset(x, 0, sizeof *x);
    tern_pb r = *msg;
    r.pos = r.start;
    int i = 0;
    ONNX_FOR_FIELDS(c, &r, at, f, w) {
        if (f != F_EXTERNAL_DATA) {
            st = onnx_wrap(c, tern_pb_skip(&r, w, c->err));
            if (st) return st;
            continue;
        }
        size_t old = onnx_path_push(c, ".external_data[%d]", i++);
        tern_pb e;
        st = onnx_read_sub(c, &r, w, "external_data", at, &e);
        if (!st) st = read_entry(c, &e, x);
        if (st) return st;
        onnx_path_pop(c, old);
    }
    return TERN_OK;
}

/* Decimal digits only, no sign, no overflow. */
static int parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s) return 0;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* A relative path that stays inside base_dir: not absolute, no ".." part
 * (both separators checked, so a file written on Windows is judged too). */
static int safe_location(const char *p) {
    if (!*p || p[0] == '/' || p[0] == '\\' || (p[0] && p[1] == ':')) return 0;
    const char *part = p;
    for (const char *q = p;; q++) {
        if (*q == '/' || *q == '\\' || *q == 0) {
            if (q - part == 2 && part[0] == '.' && part[1] == '.') return 0;
            if (*q == 0) break;
            part = q + 1;
        }
    }
    return 1;
}

/* An error that a file_io function wrote, as an external-data error at
 * the tensor's place in the file. */
static tern_status ext_fail(onnx_ctx *c, size_t at, tern_status st, const char *location) {
    char msg[TERN_ERR_LEN];
    snprintf(msg, sizeof msg, "%s", c->err ? c->err->msg : "");
    return onnx_fail(c, at, st, "external data location '%s': %s", location, msg);
}

/* Read bytes [offset, offset+bytes) of the open file fd into new pool
 * memory (*dst), allocated only once the file is known to hold them: a
 * hostile model must not make us allocate what its shape claims. */
static tern_status read_span(onnx_ctx *c, int fd, const char *path, const external_ref *x,
                             size_t bytes, void **dst, size_t at) {
    uint64_t off = 0, len = 0;
    if (x->offset && !parse_u64(x->offset, &off))
        return onnx_fail(c, at, TERN_ERR_PARSE, "external data offset '%s' is not a number",
                         x->offset);
    if (x->length && !parse_u64(x->length, &len))
        return onnx_fail(c, at, TERN_ERR_PARSE, "external data length '%s' is not a number",
                         x->length);
    uint64_t size;
    tern_status st = tern_fd_regular(fd, path, &size, c->err);
    if (st) return ext_fail(c, at, st, x->location);
    if (off > size)
        return onnx_fail(c, at, TERN_ERR_PARSE,
                         "external data offset %llu is past the end of '%s' (%llu bytes)",
                         (unsigned long long)off, path, (unsigned long long)size);
    if (!x->length) len = size - off;
    if (len > size - off)
        return onnx_fail(c, at, TERN_ERR_PARSE,
                         "external data [%llu, +%llu) runs past the end of '%s' (%llu bytes)",
                         (unsigned long long)off, (unsigned long long)len, path,
                         (unsigned long long)size);
    if (len != bytes)
        return onnx_fail(c, at, TERN_ERR_PARSE,
                         "external data has %llu bytes, the tensor needs %zu",
                         (unsigned long long)len, bytes);
    *dst = tern_pool_alloc(c->pool, bytes);
    if (!*dst) return onnx_fail(c, at, TERN_ERR_NOMEM, "out of memory (%zu bytes)", bytes);
    st = tern_fd_read_at(fd, path, off, *dst, bytes, c->err);
    return st ? ext_fail(c, at, st, x->location) : TERN_OK;
}

/* The file is opened below base_dir without following symbolic links
 * (tern_file_open_below): a link, even one that points back inside the
 * folder, is refused rather than resolved and checked, because a model's
 * folder is as untrusted as the model, and refusing needs no real-path
 * arithmetic that a rename or mount could outwit (see docs/design.md). */
static tern_status read_external(onnx_ctx *c, const tern_pb *msg, size_t bytes, void **dst) {
    external_ref x;
    tern_status st = read_external_refs(c, msg, &x);
    if (st) return st;
    if (!c->base_dir)
        return onnx_fail(c, msg->start, TERN_ERR_INVALID_ARG,
                         "tensor data is in an external file, but no base folder was given");
    if (!x.location)
        return onnx_fail(c, msg->start, TERN_ERR_PARSE, "external data has no location");
    if (!safe_location(x.location))
        return onnx_fail(c, msg->start, TERN_ERR_PARSE,
                         "external data location '%s' must be a relative path without '..'",
                         x.location);
    size_t n1 = strlen(c->base_dir), n2 = strlen(x.location);
    char *path = malloc(n1 + n2 + 2); /* for messages */
    if (!path) return onnx_fail(c, msg->start, TERN_ERR_NOMEM, "out of memory");
    memcpy(path, c->base_dir, n1);
    path[n1] = '/';
    memcpy(path + n1 + 1, x.location, n2 + 1);
    int fd;
    st = tern_file_open_below(c->base_dir, x.location, &fd, c->err);
    if (st) {
        st = ext_fail(c, msg->start, st, x.location);
    } else {
        st = read_span(c, fd, path, &x, bytes, dst, msg->start);
        close(fd);
    }
    free(path);
    return st;
}

/* ---- the tensor ---- */

static tern_status check_dtype(onnx_ctx *c, const tensor_scan *s, size_t at) {
    if (s->dtype == TERN_UNDEFINED)
        return onnx_fail(c, at, TERN_ERR_PARSE, "tensor has no data_type");
    if (!onnx_dtype_supported(s->dtype))
        return onnx_fail(c, at, TERN_ERR_UNSUPPORTED, "data type %s (%llu) is not supported",
                         onnx_dtype_name(s->dtype), (unsigned long long)s->dtype);
    if (s->has_strings)
        return onnx_fail(c, at, TERN_ERR_PARSE, "string_data given for a %s tensor",
                         onnx_dtype_name(s->dtype));
    if (s->location > 1)
        return onnx_fail(c, at, TERN_ERR_PARSE, "data_location %llu is invalid",
                         (unsigned long long)s->location);
    if (s->n_external && s->location != 1)
        return onnx_fail(c, at, TERN_ERR_PARSE,
                         "external_data given but data_location is not EXTERNAL");
    return TERN_OK;
}

/* Exactly one place holds the data (none for an empty tensor), and it
 * holds as much as the shape says. */
static tern_status check_sources(onnx_ctx *c, const tern_pb *msg, const tensor_scan *s,
                                 tern_dtype dt, size_t bytes, size_t typed) {
    size_t numel = bytes / tern_dtype_size(dt);
    int sources = (s->location == 1) + s->has_raw + (typed > 0);
    if (sources > 1)
        return onnx_fail(
            c, msg->start, TERN_ERR_PARSE,
            "tensor has data in more than one of raw_data, typed fields, external file");
    if (s->has_raw && s->raw_len != bytes)
        return onnx_fail(c, s->raw_at, TERN_ERR_PARSE,
                         "raw_data has %zu bytes, %s tensor of %zu elements needs %zu", s->raw_len,
                         onnx_dtype_name(dt), numel, bytes);
    if (sources == 0 && bytes)
        return onnx_fail(c, msg->start, TERN_ERR_PARSE, "tensor of %zu elements has no data",
                         numel);
    if (typed && typed != numel)
        return onnx_fail(c, msg->start, TERN_ERR_PARSE, "%s has %zu values, the shape needs %zu",
                         field_for(dt)->name, typed, numel);
    return TERN_OK;
}

/* Copy the data in, from wherever the file keeps it. */
static tern_status load_data(onnx_ctx *c, const tern_pb *msg, const tensor_scan *s, tern_tensor *t,
                             size_t bytes) {
    size_t numel = bytes / tern_dtype_size(t->dtype), typed = 0;
    tern_status st = count_typed(c, msg, t->dtype, &typed);
    if (!st) st = check_sources(c, msg, s, t->dtype, bytes, typed);
    if (st) return st;
    /* every size is now checked against bytes that exist (external: in
     * read_span), so the allocation is bounded by the input */
    void *data = NULL;
    if (s->location == 1) {
        st = read_external(c, msg, bytes, &data);
    } else {
        data = tern_pool_alloc(c->pool, bytes);
        if (!data)
            return onnx_fail(c, msg->start, TERN_ERR_NOMEM, "out of memory (%zu bytes)", bytes);
        /* ONNX data is little-endian, as are the hosts tern supports */
        if (s->has_raw && bytes)
            memcpy(data, s->raw, bytes);
        else if (typed)
            st = read_typed(c, msg, t->dtype, data, numel);
    }
    if (st) return st;
    if (t->dtype == TERN_BOOL) {
        unsigned char *b = data; /* any nonzero byte means true */
        for (size_t i = 0; i < bytes; i++) b[i] = b[i] != 0;
    }
    t->data = data;
    return TERN_OK;
}

tern_status onnx_parse_tensor_msg(onnx_ctx *c, const tern_pb *msg, tern_tensor *t,
                                  const char **name) {
    tensor_scan s;
    tern_status st = scan_tensor(c, msg, &s);
    if (st) return st;
    *name = s.name;
    size_t old = c->path_len;
    if (s.name[0]) onnx_path_push(c, " '%.80s'", s.name);
    st = check_dtype(c, &s, msg->start);
    memset(t, 0, sizeof *t);
    t->dtype = (tern_dtype)s.dtype;
    t->producer = -1;
    t->alias_of = -1;
    size_t bytes = 0;
    if (!st) st = read_dims(c, msg, t, &bytes);
    if (!st) st = load_data(c, msg, &s, t, bytes);
    if (!st) onnx_path_pop(c, old);
    return st;
}

tern_status tern_onnx_parse_tensor(const uint8_t *buf, size_t len, tern_pool *pool,
                                   tern_tensor *out, tern_err *err) {
    if (!pool || !out || (!buf && len))
        return tern_errf(err, TERN_ERR_INVALID_ARG, "tern_onnx_parse_tensor: bad arguments");
    onnx_ctx c;
    onnx_ctx_init(&c, NULL, pool, NULL, err);
    onnx_path_push(&c, "tensor");
    tern_pb r;
    tern_pb_init(&r, buf, len);
    const char *name;
    tern_status st = onnx_parse_tensor_msg(&c, &r, out, &name);
    if (!st) out->name = name;
    onnx_ctx_free(&c);
    return st;
}
