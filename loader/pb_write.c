#include "loader/pb_write.h"

#include <stdlib.h>
#include <string.h>

void tern_pbw_free(tern_pbw *w) {
    free(w->b);
    w->b = NULL;
    w->n = w->cap = 0;
}

void tern_pbw_raw(tern_pbw *w, const void *p, size_t n) {
    if (w->oom) return;
    if (n > w->cap - w->n) {
        size_t cap = w->cap ? w->cap : 64;
        while (cap - w->n < n) {
            if (cap > SIZE_MAX / 2) {
                w->oom = 1;
                return;
            }
            cap *= 2;
        }
        unsigned char *nb = realloc(w->b, cap);
        if (!nb) {
            w->oom = 1;
            return;
        }
        w->b = nb;
        w->cap = cap;
    }
    if (n) memcpy(w->b + w->n, p, n);
    w->n += n;
}

void tern_pbw_varint(tern_pbw *w, uint64_t v) {
    unsigned char tmp[10];
    int k = 0;
    do {
        unsigned char c = (unsigned char)(v & 0x7f);
        v >>= 7;
        tmp[k++] = v ? (unsigned char)(c | 0x80) : c;
    } while (v);
    tern_pbw_raw(w, tmp, (size_t)k);
}

static void key(tern_pbw *w, uint32_t field, unsigned wire) {
    tern_pbw_varint(w, (uint64_t)field << 3 | wire);
}

void tern_pbw_int(tern_pbw *w, uint32_t field, int64_t v) {
    key(w, field, 0);
    tern_pbw_varint(w, (uint64_t)v);
}

void tern_pbw_float(tern_pbw *w, uint32_t field, float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    unsigned char le[4] = {(unsigned char)u, (unsigned char)(u >> 8), (unsigned char)(u >> 16),
                           (unsigned char)(u >> 24)};
    key(w, field, 5);
    tern_pbw_raw(w, le, 4);
}

void tern_pbw_bytes(tern_pbw *w, uint32_t field, const void *p, size_t n) {
    key(w, field, 2);
    tern_pbw_varint(w, n);
    tern_pbw_raw(w, p, n);
}

void tern_pbw_str(tern_pbw *w, uint32_t field, const char *s) {
    tern_pbw_bytes(w, field, s, strlen(s));
}

void tern_pbw_msg(tern_pbw *w, uint32_t field, tern_pbw *sub) {
    if (sub->oom) w->oom = 1;
    tern_pbw_bytes(w, field, sub->b, sub->n);
    tern_pbw_free(sub);
}
