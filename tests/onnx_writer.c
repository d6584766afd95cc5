#include "tests/onnx_writer.h"

#include <stdlib.h>
#include <string.h>

void ow_free(ow_buf *w) {
    free(w->b);
    memset(w, 0, sizeof *w);
}

void ow_raw(ow_buf *w, const void *p, size_t n) {
    if (n > w->cap - w->n) {
        size_t cap = w->cap ? w->cap : 64;
        while (cap - w->n < n) cap *= 2;
        unsigned char *nb = realloc(w->b, cap);
        if (!nb) abort(); /* tests and benchmarks only: no way to go on */
        w->b = nb;
        w->cap = cap;
    }
    if (n) memcpy(w->b + w->n, p, n);
    w->n += n;
}

void ow_varint(ow_buf *w, uint64_t v) {
    do {
        unsigned char c = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v) c |= 0x80;
        ow_raw(w, &c, 1);
    } while (v);
}

static void ow_key(ow_buf *w, uint32_t field, int wire) {
    ow_varint(w, (uint64_t)field << 3 | (unsigned)wire);
}

void ow_int(ow_buf *w, uint32_t field, int64_t v) {
    ow_key(w, field, 0);
    ow_varint(w, (uint64_t)v);
}

void ow_bytes(ow_buf *w, uint32_t field, const void *p, size_t n) {
    ow_key(w, field, 2);
    ow_varint(w, n);
    ow_raw(w, p, n);
}

void ow_str(ow_buf *w, uint32_t field, const char *s) {
    ow_bytes(w, field, s, strlen(s));
}

void ow_msg(ow_buf *w, uint32_t field, ow_buf *sub) {
    ow_bytes(w, field, sub->b, sub->n);
    ow_free(sub);
}

ow_buf ow_tensor(const char *name, int dtype, int rank, const int64_t *dims, const void *raw,
                 size_t bytes) {
    ow_buf t = {0};
    for (int i = 0; i < rank; i++) ow_int(&t, 1, dims[i]);
    ow_int(&t, 2, dtype);
    ow_str(&t, 8, name);
    ow_bytes(&t, 9, raw, bytes);
    return t;
}

ow_buf ow_value_info(const char *name, int dtype, int rank, const int64_t *dims) {
    ow_buf shape = {0}, tt = {0}, ty = {0}, vi = {0};
    for (int i = 0; i < rank; i++) {
        ow_buf d = {0};
        ow_int(&d, 1, dims[i]);
        ow_msg(&shape, 1, &d);
    }
    ow_int(&tt, 1, dtype);
    ow_msg(&tt, 2, &shape);
    ow_msg(&ty, 1, &tt);
    ow_str(&vi, 1, name);
    ow_msg(&vi, 2, &ty);
    return vi;
}

ow_buf ow_value_name(const char *name) {
    ow_buf vi = {0};
    ow_str(&vi, 1, name);
    return vi;
}

ow_buf ow_node(const char *op, const char *name, const char *const *ins, int nin,
               const char *const *outs, int nout) {
    ow_buf n = {0};
    for (int i = 0; i < nin; i++) ow_str(&n, 1, ins[i]);
    for (int i = 0; i < nout; i++) ow_str(&n, 2, outs[i]);
    ow_str(&n, 3, name);
    ow_str(&n, 4, op);
    return n;
}

static ow_buf attr_head(const char *name, int type) {
    ow_buf a = {0};
    ow_str(&a, 1, name);
    ow_int(&a, 20, type);
    return a;
}

void ow_attr_int(ow_buf *node, const char *name, int64_t v) {
    ow_buf a = attr_head(name, 2);
    ow_int(&a, 3, v);
    ow_msg(node, 5, &a);
}

void ow_attr_ints(ow_buf *node, const char *name, const int64_t *v, int count) {
    ow_buf a = attr_head(name, 7);
    for (int i = 0; i < count; i++) ow_int(&a, 8, v[i]);
    ow_msg(node, 5, &a);
}

void ow_attr_str(ow_buf *node, const char *name, const char *v) {
    ow_buf a = attr_head(name, 3);
    ow_str(&a, 4, v);
    ow_msg(node, 5, &a);
}

void ow_attr_tensor(ow_buf *node, const char *name, ow_buf *tensor) {
    ow_buf a = attr_head(name, 4);
    ow_msg(&a, 5, tensor);
    ow_msg(node, 5, &a);
}

ow_buf ow_model(ow_buf *graph, int64_t opset) {
    ow_buf m = {0}, op = {0};
    ow_int(&m, 1, 8);
    ow_str(&m, 2, "tern-test");
    ow_str(&op, 1, "");
    ow_int(&op, 2, opset);
    ow_msg(&m, 8, &op);
    ow_msg(&m, 7, graph);
    return m;
}
