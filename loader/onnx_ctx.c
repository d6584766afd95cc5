/* The ONNX loader's plumbing: field paths and error messages, string and
 * scalar field reads, the tensor-name hash table, data type names. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/onnx_priv.h"

void onnx_ctx_init(onnx_ctx *c, tern_graph *g, tern_pool *pool, const char *base_dir,
                   tern_err *err) {
    memset(c, 0, sizeof *c);
    c->g = g;
    c->pool = pool;
    c->base_dir = base_dir;
    c->err = err;
}

void onnx_ctx_free(onnx_ctx *c) {
    free(c->slots);
    free(c->slot_hash);
    free(c->flags);
    c->slots = NULL;
    c->slot_hash = NULL;
    c->flags = NULL;
}

/* ---- paths and errors ---- */

size_t onnx_path_push(onnx_ctx *c, const char *fmt, ...) {
    size_t old = c->path_len;
    if (old < sizeof c->path - 1) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(c->path + old, sizeof c->path - old, fmt, ap);
        va_end(ap);
        if (n > 0) c->path_len = old + (size_t)n;
        if (c->path_len > sizeof c->path - 1) c->path_len = sizeof c->path - 1;
    }
    return old;
}

void onnx_path_pop(onnx_ctx *c, size_t old_len) {
    c->path_len = old_len;
    c->path[old_len] = 0;
}

tern_status onnx_fail(onnx_ctx *c, size_t at, tern_status code, const char *fmt, ...) {
    if (!c->err) return code;
    char msg[TERN_ERR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->path_len) return tern_errf(c->err, code, "%s: %s (at byte %zu)", c->path, msg, at);
    return tern_errf(c->err, code, "%s (at byte %zu)", msg, at);
}

tern_status onnx_wrap(onnx_ctx *c, tern_status st) {
    if (st && c->path_len) tern_err_prefix(c->err, "%s", c->path);
    return st;
}

/* ---- field reads ---- */

static const char *wire_name(int w) {
    switch (w) {
    case TERN_PB_VARINT: return "varint";
    case TERN_PB_FIXED64: return "fixed64";
    case TERN_PB_LEN: return "length-delimited";
    case TERN_PB_FIXED32: return "fixed32";
    default: return "invalid";
    }
}

tern_status onnx_want_wire(onnx_ctx *c, int wire, int want, const char *field, size_t at) {
    if (wire == want) return TERN_OK;
    return onnx_fail(c, at, TERN_ERR_PARSE, "field %s has wire type %s, expected %s", field,
                     wire_name(wire), wire_name(want));
}

tern_status onnx_read_string(onnx_ctx *c, tern_pb *r, int wire, const char *field, size_t at,
                             const char **out) {
    tern_status st = onnx_want_wire(c, wire, TERN_PB_LEN, field, at);
    if (st) return st;
    const uint8_t *p;
    size_t n;
    st = tern_pb_bytes(r, &p, &n, c->err);
    if (st) return onnx_wrap(c, st);
    if (memchr(p, 0, n)) return onnx_fail(c, at, TERN_ERR_PARSE, "%s contains a NUL byte", field);
    char *s = tern_pool_strndup(c->pool, (const char *)p, n);
    if (!s) return onnx_fail(c, at, TERN_ERR_NOMEM, "out of memory copying %s", field);
    *out = s;
    return TERN_OK;
}

tern_status onnx_read_varint(onnx_ctx *c, tern_pb *r, int wire, const char *field, size_t at,
                             uint64_t *out) {
    tern_status st = onnx_want_wire(c, wire, TERN_PB_VARINT, field, at);
    if (st) return st;
    return onnx_wrap(c, tern_pb_varint(r, out, c->err));
}

tern_status onnx_read_sub(onnx_ctx *c, tern_pb *r, int wire, const char *field, size_t at,
                          tern_pb *sub) {
    tern_status st = onnx_want_wire(c, wire, TERN_PB_LEN, field, at);
    if (st) return st;
    return onnx_wrap(c, tern_pb_sub(r, sub, c->err));
}

/* ---- name table ---- */

static uint32_t hash_name(const char *s) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int onnx_find(onnx_ctx *c, const char *name) {
    if (!c->n_slots) return -1;
    uint32_t h = hash_name(name);
    size_t mask = c->n_slots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        int t = c->slots[i];
        if (t < 0) return -1;
        if (c->slot_hash[i] == h && strcmp(c->g->tensors[t].name, name) == 0) return t;
    }
}

static void table_put(onnx_ctx *c, uint32_t h, int t) {
    size_t mask = c->n_slots - 1;
    size_t i = h & mask;
    while (c->slots[i] >= 0) i = (i + 1) & mask;
    c->slots[i] = t;
    c->slot_hash[i] = h;
}

/* Keep the table at most half full so probe runs stay short. */
static int table_grow(onnx_ctx *c) {
    if (2 * (c->n_names + 1) <= c->n_slots) return 1;
    size_t n = c->n_slots ? 2 * c->n_slots : 256;
    int *old_slots = c->slots;
    uint32_t *old_hash = c->slot_hash;
    size_t old_n = c->n_slots;
    c->slots = malloc(n * sizeof *c->slots);
    c->slot_hash = malloc(n * sizeof *c->slot_hash);
    if (!c->slots || !c->slot_hash) {
        free(c->slots);
        free(c->slot_hash);
        c->slots = old_slots;
        c->slot_hash = old_hash;
        return 0;
    }
    for (size_t i = 0; i < n; i++) c->slots[i] = -1;
    c->n_slots = n;
    for (size_t i = 0; i < old_n; i++)
        if (old_slots[i] >= 0) table_put(c, old_hash[i], old_slots[i]);
    free(old_slots);
    free(old_hash);
    return 1;
}

static int flags_grow(onnx_ctx *c, int need) {
    if (need <= c->cap_flags) return 1;
    int n = c->cap_flags ? c->cap_flags : 256;
    while (n < need) {
        if (n > (1 << 28)) return 0;
        n *= 2;
    }
    unsigned char *f = realloc(c->flags, (size_t)n);
    if (!f) return 0;
    memset(f + c->cap_flags, 0, (size_t)(n - c->cap_flags));
    c->flags = f;
    c->cap_flags = n;
    return 1;
}

tern_status onnx_add_tensor(onnx_ctx *c, const char *name, size_t at, int *index) {
    if (!table_grow(c)) return onnx_fail(c, at, TERN_ERR_NOMEM, "out of memory (name table)");
    int t = tern_graph_add_tensor(c->g, name);
    if (t < 0 || !flags_grow(c, t + 1))
        return onnx_fail(c, at, TERN_ERR_NOMEM, "out of memory adding tensor '%s'", name);
    table_put(c, hash_name(name), t);
    c->n_names++;
    *index = t;
    return TERN_OK;
}

unsigned onnx_flags(const onnx_ctx *c, int t) {
    return t >= 0 && t < c->cap_flags ? c->flags[t] : 0;
}

void onnx_set_flag(onnx_ctx *c, int t, unsigned flag) {
    if (t >= 0 && t < c->cap_flags) c->flags[t] |= (unsigned char)flag;
}

/* ---- data types ---- */

const char *onnx_dtype_name(uint64_t dt) {
    static const char *const names[] = {
        "UNDEFINED",      "FLOAT",      "UINT8",          "INT8",       "UINT16",   "INT16",
        "INT32",          "INT64",      "STRING",         "BOOL",       "FLOAT16",  "DOUBLE",
        "UINT32",         "UINT64",     "COMPLEX64",      "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN",
        "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4",      "INT4",     "FLOAT4E2M1"};
    return dt < sizeof names / sizeof names[0] ? names[dt] : "unknown";
}

int onnx_dtype_supported(uint64_t dt) {
    switch (dt) {
    case TERN_FLOAT:
    case TERN_UINT8:
    case TERN_INT8:
    case TERN_INT32:
    case TERN_INT64:
    case TERN_BOOL:
    case TERN_FLOAT16:
    case TERN_DOUBLE: return 1;
    default: return 0;
    }
}
