/* Internal helpers shared by every part of the library: error messages and a
 * pool allocator. No global state: the error buffer and the pool belong to
 * the caller. */
#ifndef TERN_COMMON_H
#define TERN_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "tern.h"

#define TERN_ERR_LEN 512

/* An error message buffer; functions that can fail take one and fill it. */
typedef struct tern_err {
    char msg[TERN_ERR_LEN];
} tern_err;

#if defined(__GNUC__)
#define TERN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TERN_PRINTF(a, b)
#endif

/* Write a formatted message into err (may be NULL) and return code. */
tern_status tern_errf(tern_err *err, tern_status code, const char *fmt, ...) TERN_PRINTF(3, 4);
/* Prefix an existing message: "prefix: old message". */
void tern_err_prefix(tern_err *err, const char *fmt, ...) TERN_PRINTF(2, 3);

/* Checked size arithmetic: return 0 on overflow. */
int tern_mul_size(size_t a, size_t b, size_t *out);
int tern_add_size(size_t a, size_t b, size_t *out);

/* A pool: many allocations, freed together. Every block is zeroed and
 * aligned to 64 bytes. Used for a graph and everything it points to. */
typedef struct tern_pool_chunk tern_pool_chunk;
typedef struct tern_pool {
    tern_pool_chunk *head;
} tern_pool;

void *tern_pool_alloc(tern_pool *p, size_t bytes);                      /* NULL on OOM */
void *tern_pool_alloc_array(tern_pool *p, size_t count, size_t size);   /* overflow-checked */
char *tern_pool_strdup(tern_pool *p, const char *s);
char *tern_pool_strndup(tern_pool *p, const char *s, size_t n);
void tern_pool_free(tern_pool *p);

#endif
