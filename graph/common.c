#include "graph/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tern_status tern_errf(tern_err *err, tern_status code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void tern_err_prefix(tern_err *err, const char *fmt, ...) {
    if (!err) return;
    char head[TERN_ERR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    char old[TERN_ERR_LEN];
    memcpy(old, err->msg, sizeof old);
    /* build "head: old" by hand, truncating at the buffer's end */
    size_t n = strlen(head), cap = sizeof err->msg - 1;
    if (n > cap) n = cap;
    memcpy(err->msg, head, n);
    const char *parts[2] = {": ", old};
    for (int k = 0; k < 2; k++) {
        size_t m = strlen(parts[k]);
        if (m > cap - n) m = cap - n;
        memcpy(err->msg + n, parts[k], m);
        n += m;
    }
    err->msg[n] = 0;
}

int tern_mul_size(size_t a, size_t b, size_t *out) {
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

int tern_add_size(size_t a, size_t b, size_t *out) {
    if (b > SIZE_MAX - a) return 0;
    *out = a + b;
    return 1;
}

/* Chunks are at least CHUNK_MIN bytes; larger requests get a chunk of their
 * own so that big weight tensors do not waste space. */
#define CHUNK_MIN (64u * 1024u)
#define POOL_ALIGN 64u

struct tern_pool_chunk {
    tern_pool_chunk *next;
    size_t used, cap;
    /* data follows, aligned */
};

static size_t chunk_header(void) {
    return (sizeof(tern_pool_chunk) + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
}

static unsigned char *chunk_data(tern_pool_chunk *c) {
    return (unsigned char *)c + chunk_header();
}

static tern_pool_chunk *chunk_new(size_t cap) {
    size_t total;
    if (!tern_add_size(chunk_header(), cap, &total)) return NULL;
    tern_pool_chunk *c = aligned_alloc(POOL_ALIGN, (total + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1));
    if (!c) return NULL;
    c->next = NULL;
    c->used = 0;
    c->cap = cap;
    return c;
}

void *tern_pool_alloc(tern_pool *p, size_t bytes) {
    if (bytes == 0) bytes = 1;
    if (bytes > SIZE_MAX - 2 * POOL_ALIGN) return NULL;
    size_t need = (bytes + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
    tern_pool_chunk *c = p->head;
    if (!c || c->cap - c->used < need) {
        if (need >= CHUNK_MIN / 2) {
            /* big block: own chunk, linked behind the current head */
            tern_pool_chunk *big = chunk_new(need);
            if (!big) return NULL;
            big->used = need;
            if (c) {
                big->next = c->next;
                c->next = big;
            } else {
                p->head = big;
            }
            memset(chunk_data(big), 0, need);
            return chunk_data(big);
        }
        c = chunk_new(CHUNK_MIN);
        if (!c) return NULL;
        c->next = p->head;
        p->head = c;
    }
    void *r = chunk_data(c) + c->used;
    c->used += need;
    memset(r, 0, need);
    return r;
}

void *tern_pool_alloc_array(tern_pool *p, size_t count, size_t size) {
    size_t bytes;
    if (!tern_mul_size(count, size, &bytes)) return NULL;
    return tern_pool_alloc(p, bytes);
}

char *tern_pool_strndup(tern_pool *p, const char *s, size_t n) {
    char *r = tern_pool_alloc(p, n + 1);
    if (!r) return NULL;
    memcpy(r, s, n);
    r[n] = 0;
    return r;
}

char *tern_pool_strdup(tern_pool *p, const char *s) {
    return tern_pool_strndup(p, s, strlen(s));
}

void tern_pool_free(tern_pool *p) {
    tern_pool_chunk *c = p->head;
    while (c) {
        tern_pool_chunk *n = c->next;
        free(c);
        c = n;
    }
    p->head = NULL;
}
