/* Tests of the ONNX loader (loader/onnx_*.c) and the model API
 * (loader/model_api.c). Most models are written here with a small protobuf
 * writer, so the suite runs without ../shared; the shared models are loaded
 * too when present and checked against their documentation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph/model.h"
#include "loader/file_io.h"
#include "loader/onnx.h"
#include "tests/harness.h"

/* ---- a protobuf writer ---- */

typedef struct pbw {
    unsigned char *b;
    size_t n, cap;
} pbw;

static void pw_raw(pbw *w, const void *p, size_t n) {
    if (w->n + n > w->cap) {
        size_t cap = w->cap ? w->cap : 64;
        while (cap < w->n + n) cap *= 2;
        unsigned char *nb = realloc(w->b, cap);
        if (!nb) abort(); /* tests only: no way to go on */
        w->b = nb;
        w->cap = cap;
    }
    if (n) memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void pw_free(pbw *w) {
    free(w->b);
    memset(w, 0, sizeof *w);
}

static void pw_varint(pbw *w, uint64_t v) {
    do {
        unsigned char c = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v) c |= 0x80;
        pw_raw(w, &c, 1);
    } while (v);
}

static void pw_key(pbw *w, uint32_t field, int wire) {
    pw_varint(w, (uint64_t)field << 3 | (unsigned)wire);
}

static void pw_int(pbw *w, uint32_t field, int64_t v) {
    pw_key(w, field, 0);
    pw_varint(w, (uint64_t)v);
}

static void pw_le(pbw *w, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) {
        unsigned char c = (unsigned char)(v >> (8 * i));
        pw_raw(w, &c, 1);
    }
}

static void pw_float(pbw *w, uint32_t field, float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    pw_key(w, field, 5);
    pw_le(w, u, 4);
}

static void pw_bytes(pbw *w, uint32_t field, const void *p, size_t n) {
    pw_key(w, field, 2);
    pw_varint(w, n);
    pw_raw(w, p, n);
}

static void pw_str(pbw *w, uint32_t field, const char *s) {
    pw_bytes(w, field, s, strlen(s));
}

/* Append sub as a nested message and release it. */
static void pw_msg(pbw *w, uint32_t field, pbw *sub) {
    pw_bytes(w, field, sub->b, sub->n);
    pw_free(sub);
}

/* ---- ONNX message builders ---- */

enum {
    T_FLOAT = 1,
    T_UINT8 = 2,
    T_INT8 = 3,
    T_INT32 = 6,
    T_INT64 = 7,
    T_STRING = 8,
    T_BOOL = 9,
    T_FLOAT16 = 10,
    T_DOUBLE = 11,
    T_BFLOAT16 = 16
};

/* TensorProto name, data type and dims (packed or one key per dim). */
static pbw tensor_head(const char *name, int dtype, int rank, const int64_t *dims, int packed) {
    pbw t = {0};
    if (packed) {
        pbw d = {0};
        for (int i = 0; i < rank; i++) pw_varint(&d, (uint64_t)dims[i]);
        pw_msg(&t, 1, &d);
    } else {
        for (int i = 0; i < rank; i++) pw_int(&t, 1, dims[i]);
    }
    pw_int(&t, 2, dtype);
    if (name) pw_str(&t, 8, name);
    return t;
}

static pbw tensor_raw(const char *name, int dtype, int rank, const int64_t *dims, const void *data,
                      size_t bytes) {
    pbw t = tensor_head(name, dtype, rank, dims, 0);
    pw_bytes(&t, 9, data, bytes);
    return t;
}

static pbw tensor_floats(const char *name, int rank, const int64_t *dims, const float *v, size_t n,
                         int packed) {
    pbw t = tensor_head(name, T_FLOAT, rank, dims, packed);
    if (packed) {
        pbw p = {0};
        for (size_t i = 0; i < n; i++) {
            uint32_t u;
            memcpy(&u, &v[i], 4);
            pw_le(&p, u, 4);
        }
        pw_msg(&t, 4, &p);
    } else {
        for (size_t i = 0; i < n; i++) pw_float(&t, 4, v[i]);
    }
    return t;
}

/* ValueInfoProto with a tensor type; dims < 0 use params[i] as dim_param
 * (or nothing when params is NULL); rank < 0: no shape at all. */
static pbw value_info(const char *name, int elem, int rank, const int64_t *dims,
                      const char *const *params) {
    pbw shape = {0}, tt = {0}, ty = {0}, vi = {0};
    for (int i = 0; i < rank; i++) {
        pbw d = {0};
        if (dims[i] >= 0)
            pw_int(&d, 1, dims[i]);
        else if (params && params[i])
            pw_str(&d, 2, params[i]);
        pw_msg(&shape, 1, &d);
    }
    pw_int(&tt, 1, elem);
    if (rank >= 0)
        pw_msg(&tt, 2, &shape);
    else
        pw_free(&shape);
    pw_msg(&ty, 1, &tt);
    pw_str(&vi, 1, name);
    pw_msg(&vi, 2, &ty);
    return vi;
}

static pbw node(const char *op, const char *name, const char *const *ins, int nin,
                const char *const *outs, int nout) {
    pbw n = {0};
    for (int i = 0; i < nin; i++) pw_str(&n, 1, ins[i]);
    for (int i = 0; i < nout; i++) pw_str(&n, 2, outs[i]);
    if (name) pw_str(&n, 3, name);
    pw_str(&n, 4, op);
    return n;
}

static pbw attr_head(const char *name, int type) {
    pbw a = {0};
    pw_str(&a, 1, name);
    if (type) pw_int(&a, 20, type);
    return a;
}

static void add_attr_int(pbw *n, const char *name, int64_t v) {
    pbw a = attr_head(name, 2);
    pw_int(&a, 3, v);
    pw_msg(n, 5, &a);
}

static void add_attr_float(pbw *n, const char *name, float v) {
    pbw a = attr_head(name, 1);
    pw_float(&a, 2, v);
    pw_msg(n, 5, &a);
}

static void add_attr_str(pbw *n, const char *name, const char *s) {
    pbw a = attr_head(name, 3);
    pw_str(&a, 4, s);
    pw_msg(n, 5, &a);
}

static void add_attr_ints(pbw *n, const char *name, const int64_t *v, int count, int packed) {
    pbw a = attr_head(name, 7);
    if (packed) {
        pbw p = {0};
        for (int i = 0; i < count; i++) pw_varint(&p, (uint64_t)v[i]);
        pw_msg(&a, 8, &p);
    } else {
        for (int i = 0; i < count; i++) pw_int(&a, 8, v[i]);
    }
    pw_msg(n, 5, &a);
}

static void add_attr_floats(pbw *n, const char *name, const float *v, int count) {
    pbw a = attr_head(name, 6);
    for (int i = 0; i < count; i++) pw_float(&a, 7, v[i]);
    pw_msg(n, 5, &a);
}

static void add_attr_strings(pbw *n, const char *name, const char *const *v, int count) {
    pbw a = attr_head(name, 8);
    for (int i = 0; i < count; i++) pw_str(&a, 9, v[i]);
    pw_msg(n, 5, &a);
}

static void add_attr_tensor(pbw *n, const char *name, pbw *tensor) {
    pbw a = attr_head(name, 4);
    pw_msg(&a, 5, tensor);
    pw_msg(n, 5, &a);
}

/* An attribute of a kind tern does not support: `type` with an empty
 * message in `field` (GRAPH: 5/6, SPARSE_TENSOR: 11/22, TYPE_PROTO: 13/14). */
static void add_attr_kind(pbw *n, const char *name, int type, uint32_t field) {
    pbw a = attr_head(name, type);
    pw_bytes(&a, field, "", 0);
    pw_msg(n, 5, &a);
}

/* ModelProto around a graph: ir_version 8, ai.onnx opset 13 (+ ms). */
static pbw model_of(pbw *graph, int ms) {
    pbw m = {0}, op = {0};
    pw_int(&m, 1, 8);
    pw_str(&m, 2, "tern-test");
    pw_str(&op, 1, "");
    pw_int(&op, 2, 13);
    pw_msg(&m, 8, &op);
    if (ms) {
        pw_str(&op, 1, "com.microsoft");
        pw_int(&op, 2, 1);
        pw_msg(&m, 8, &op);
    }
    pw_msg(&m, 7, graph);
    return m;
}

static tern_status load(const pbw *m, const char *base, tern_graph *g, tern_err *err) {
    err->msg[0] = 0;
    return tern_onnx_load(m->b, m->n, base, g, err);
}

/* ---- the in-test model ---- */

static const float W_VALS[6] = {0.5f, -1, 1.5f, 2, -2.5f, 3};
static const float B_VALS[2] = {0.25f, -0.75f};
static const float C_VALS[2] = {1.5f, -2};

/* A small graph with every attribute kind, dim_param, an initializer listed
 * as an input, an absent optional input, a TENSOR attribute, and nodes out
 * of order:
 *   Conv(X, W, B) -> Y; LeakyRelu(Y) -> Z; Clip(Z, "", M) -> Z2;
 *   Reshape(Z2, S) -> R; Constant -> C; Add(R, C) -> out
 * written in the order Reshape, Conv, LeakyRelu, Clip, Constant, Add. */
static pbw build_test_model(void) {
    pbw g = {0}, t, n;
    const int64_t xdims[4] = {-1, 3, 4, 4}, wdims[4] = {2, 3, 1, 1}, two[1] = {2};
    const char *const xparams[4] = {"N", NULL, NULL, NULL};
    pw_str(&g, 2, "test_graph");
    /* initializers: raw floats, packed floats, unpacked int64, scalar */
    t = tensor_raw("W", T_FLOAT, 4, wdims, W_VALS, sizeof W_VALS);
    pw_msg(&g, 5, &t);
    t = tensor_floats("B", 1, two, B_VALS, 2, 1);
    pw_msg(&g, 5, &t);
    t = tensor_head("S", T_INT64, 1, two, 1);
    pw_int(&t, 7, -1);
    pw_int(&t, 7, 32);
    pw_msg(&g, 5, &t);
    const float six = 6;
    t = tensor_floats("M", 0, NULL, &six, 1, 0);
    pw_msg(&g, 5, &t);
    /* inputs: X, and W as old exporters do */
    t = value_info("X", T_FLOAT, 4, xdims, xparams);
    pw_msg(&g, 11, &t);
    t = value_info("W", T_FLOAT, 4, wdims, NULL);
    pw_msg(&g, 11, &t);

    n = node("Reshape", "reshape0", (const char *const[]){"Z2", "S"}, 2, (const char *const[]){"R"},
             1);
    pw_msg(&g, 1, &n);
    n = node("Conv", "conv0", (const char *const[]){"X", "W", "B"}, 3, (const char *const[]){"Y"},
             1);
    add_attr_ints(&n, "kernel_shape", (const int64_t[]){1, 1}, 2, 1);
    add_attr_ints(&n, "pads", (const int64_t[]){0, 0, 0, 0}, 4, 0);
    add_attr_ints(&n, "strides", (const int64_t[]){1, -1}, 2, 0);
    add_attr_str(&n, "auto_pad", "NOTSET");
    add_attr_int(&n, "group", 1);
    pw_msg(&g, 1, &n);
    n = node("LeakyRelu", "lrelu0", (const char *const[]){"Y"}, 1, (const char *const[]){"Z"}, 1);
    add_attr_float(&n, "alpha", 0.125f);
    pw_msg(&g, 1, &n);
    n = node("Clip", "clip0", (const char *const[]){"Z", "", "M"}, 3, (const char *const[]){"Z2"},
             1);
    pw_msg(&g, 1, &n);
    n = node("Constant", "const0", NULL, 0, (const char *const[]){"C"}, 1);
    t = tensor_floats(NULL, 1, two, C_VALS, 2, 0);
    add_attr_tensor(&n, "value", &t);
    pw_msg(&g, 1, &n);
    n = node("Add", "add0", (const char *const[]){"R", "C"}, 2, (const char *const[]){"out"}, 1);
    add_attr_floats(&n, "fl", (const float[]){0.25f, 4}, 2);
    add_attr_strings(&n, "names", (const char *const[]){"a", "bc", ""}, 3);
    pw_msg(&g, 1, &n);

    t = value_info("out", T_FLOAT, 2, (const int64_t[]){-1, 32}, (const char *const[]){"N", NULL});
    pw_msg(&g, 12, &t);
    return model_of(&g, 1);
}

static int tensor_is(const tern_graph *g, int t, const char *name) {
    return t >= 0 && t < g->n_tensors && strcmp(g->tensors[t].name, name) == 0;
}

static int find_node(const tern_graph *g, const char *name) {
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0) return i;
    return -1;
}

static void check_test_model_graph(th_ctx *t, const tern_graph *g) {
    th_check(t,
             g->ir_version == 8 && g->opset == 13 && g->opset_ms == 1 &&
                 strcmp(g->producer, "tern-test") == 0 && strcmp(g->name, "test_graph") == 0,
             "onnx header fields", "ir %lld opset %lld ms %lld", (long long)g->ir_version,
             (long long)g->opset, (long long)g->opset_ms);
    static const char *const order[] = {"conv0", "lrelu0", "clip0", "reshape0", "const0", "add0"};
    int sorted = g->n_nodes == 6;
    for (int i = 0; sorted && i < 6; i++) sorted = strcmp(g->nodes[i].name, order[i]) == 0;
    th_check(t, sorted, "onnx nodes sorted", "n_nodes %d", g->n_nodes);
    th_check(t, g->n_inputs == 1 && tensor_is(g, g->inputs[0], "X"),
             "onnx initializer listed as input is a constant", "n_inputs %d", g->n_inputs);
    const tern_tensor *x = &g->tensors[g->inputs[0]];
    th_check(t,
             x->is_input && x->dtype == TERN_FLOAT && x->rank == 4 && x->dims[0] == -1 &&
                 x->dim_param[0] && strcmp(x->dim_param[0], "N") == 0 && x->dims[1] == 3 &&
                 x->dims[3] == 4 && !x->dim_param[1],
             "onnx input shape with dim_param", "rank %d dims0 %lld", x->rank,
             (long long)x->dims[0]);
    th_check(t,
             g->n_outputs == 1 && tensor_is(g, g->outputs[0], "out") &&
                 g->tensors[g->outputs[0]].is_output,
             "onnx graph output", "n_outputs %d", g->n_outputs);

    int conv = find_node(g, "conv0");
    const tern_node *c = conv >= 0 ? &g->nodes[conv] : NULL;
    int w = c ? c->inputs[1] : -1;
    th_check(t,
             c && c->n_inputs == 3 && tensor_is(g, c->inputs[0], "X") && tensor_is(g, w, "W") &&
                 tensor_is(g, c->inputs[2], "B") && c->n_outputs == 1 &&
                 tensor_is(g, c->outputs[0], "Y") && strcmp(c->op_type, "Conv") == 0 &&
                 strcmp(c->domain, "") == 0,
             "onnx node inputs and outputs", "conv %d", conv);
    const tern_tensor *wt = w >= 0 ? &g->tensors[w] : NULL;
    th_check(t,
             wt && wt->data && !wt->is_input && wt->rank == 4 && wt->dims[0] == 2 &&
                 ((uintptr_t)wt->data % 64) == 0 && memcmp(wt->data, W_VALS, sizeof W_VALS) == 0,
             "onnx raw float initializer", "bad W");
    int b = c ? c->inputs[2] : -1;
    th_check(t, b >= 0 && g->tensors[b].data && memcmp(g->tensors[b].data, B_VALS, 8) == 0,
             "onnx packed float_data initializer", "bad B");

    const tern_attr *ks = c ? tern_node_attr(c, "kernel_shape") : NULL;
    const tern_attr *pads = c ? tern_node_attr(c, "pads") : NULL;
    const tern_attr *st = c ? tern_node_attr(c, "strides") : NULL;
    th_check(t,
             ks && ks->type == TERN_ATTR_INTS && ks->count == 2 && ks->ints[0] == 1 && pads &&
                 pads->count == 4 && pads->ints[3] == 0 && st && st->ints[1] == -1,
             "onnx INTS attributes packed and unpacked", "bad ints");
    th_check(t,
             c && strcmp(tern_attr_string(c, "auto_pad", "?"), "NOTSET") == 0 &&
                 tern_attr_int(c, "group", 0) == 1,
             "onnx STRING and INT attributes", "bad");
    int lr = find_node(g, "lrelu0");
    th_check(t, lr >= 0 && tern_attr_float(&g->nodes[lr], "alpha", 0) == 0.125f,
             "onnx FLOAT attribute", "bad alpha");
    int cl = find_node(g, "clip0");
    th_check(t,
             cl >= 0 && g->nodes[cl].n_inputs == 3 && g->nodes[cl].inputs[1] == -1 &&
                 tensor_is(g, g->nodes[cl].inputs[2], "M") &&
                 g->tensors[g->nodes[cl].inputs[2]].rank == 0 &&
                 *(const float *)g->tensors[g->nodes[cl].inputs[2]].data == 6,
             "onnx empty input name is an absent input", "bad clip");
    int k = find_node(g, "const0");
    const tern_attr *val = k >= 0 ? tern_node_attr(&g->nodes[k], "value") : NULL;
    th_check(t,
             val && val->type == TERN_ATTR_TENSOR && val->t && val->t->dtype == TERN_FLOAT &&
                 val->t->rank == 1 && val->t->dims[0] == 2 && val->t->data &&
                 memcmp(val->t->data, C_VALS, 8) == 0,
             "onnx TENSOR attribute", "bad value");
    int a = find_node(g, "add0");
    const tern_attr *fl = a >= 0 ? tern_node_attr(&g->nodes[a], "fl") : NULL;
    const tern_attr *nm = a >= 0 ? tern_node_attr(&g->nodes[a], "names") : NULL;
    th_check(t,
             fl && fl->type == TERN_ATTR_FLOATS && fl->count == 2 && fl->floats[1] == 4 && nm &&
                 nm->type == TERN_ATTR_STRINGS && nm->count == 3 &&
                 strcmp(nm->strings[1], "bc") == 0 && strcmp(nm->strings[2], "") == 0,
             "onnx FLOATS and STRINGS attributes", "bad");
    int r = find_node(g, "reshape0");
    int s = r >= 0 ? g->nodes[r].inputs[1] : -1;
    th_check(t,
             s >= 0 && g->tensors[s].dtype == TERN_INT64 && g->tensors[s].data &&
                 ((const int64_t *)g->tensors[s].data)[0] == -1 &&
                 ((const int64_t *)g->tensors[s].data)[1] == 32,
             "onnx unpacked int64_data initializer", "bad S");
    const tern_tensor *o = &g->tensors[g->outputs[0]];
    th_check(t,
             o->rank == 2 && o->dims[0] == -1 && o->dim_param[0] &&
                 strcmp(o->dim_param[0], "N") == 0 && o->dims[1] == 32,
             "onnx output shape from the file", "rank %d", o->rank);
}

static void test_model(th_ctx *t) {
    pbw m = build_test_model();
    tern_graph g;
    tern_err err;
    tern_status st = load(&m, NULL, &g, &err);
    if (th_check(t, st == TERN_OK, "onnx load in-test model", "%s", err.msg))
        check_test_model_graph(t, &g);
    tern_graph_free(&g);

    /* the same through the public API */
    tern_model *mod = NULL;
    st = tern_model_load_buffer(m.b, m.n, NULL, &mod);
    th_check(t,
             st == TERN_OK && mod && mod->ok && strcmp(tern_model_error(mod), "") == 0 &&
                 mod->graph.n_nodes == 6,
             "model_load_buffer", "st %d '%s'", st, mod ? tern_model_error(mod) : "");
    tern_model_free(mod);
    pw_free(&m);
}

/* ---- data types ---- */

/* A graph whose only content is initializer "c", also the graph output. */
static pbw const_model(pbw *tensor) {
    pbw g = {0};
    pw_msg(&g, 5, tensor);
    pbw o = {0};
    pw_str(&o, 1, "c");
    pw_msg(&g, 12, &o);
    return model_of(&g, 0);
}

typedef struct dtype_case {
    int dtype;
    const char *name;
    size_t esize;
    unsigned char raw[32]; /* 4 elements, little-endian */
    int64_t typed[4];      /* the same values as the typed field holds them */
} dtype_case;

static const dtype_case DTYPES[] = {
    {T_FLOAT, "float", 4, {0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x50, 0x40}, {0}},
    {T_DOUBLE,
     "double",
     8,
     {0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0,    0xc0,
      0, 0, 0, 0, 0, 0, 0,    0,    0, 0, 0, 0, 0, 0, 0x0a, 0x40},
     {0}},
    {T_INT64,
     "int64",
     8,
     {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1, 0, 0,
      0,    0,    0,    0,    0,    0,    0,    0,    7, 0, 0, 0, 0, 0, 0, 0},
     {-1, 1ll << 40, 0, 7}},
    {T_INT32,
     "int32",
     4,
     {0xfb, 0xff, 0xff, 0xff, 0xa0, 0x86, 0x01, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f},
     {-5, 100000, 0, 2147483647}},
    {T_INT8, "int8", 1, {0x80, 0x7f, 0, 0xff}, {-128, 127, 0, -1}},
    {T_UINT8, "uint8", 1, {0, 0xff, 1, 0x80}, {0, 255, 1, 128}},
    {T_BOOL, "bool", 1, {1, 0, 1, 1}, {1, 0, 1, 1}},
    {T_FLOAT16,
     "float16",
     2,
     {0x00, 0x3c, 0x00, 0xc0, 0, 0, 0xff, 0x7b},
     {0x3c00, 0xc000, 0, 0x7bff}},
};

/* float and double test values, for the typed float_data/double_data */
static const float F_VALS[4] = {1.5f, -2, 0, 3.25f};
static const double D_VALS[4] = {1.5, -2, 0, 3.25};

static pbw typed_tensor(const dtype_case *dc, const int64_t *dims, int packed) {
    if (dc->dtype == T_FLOAT) return tensor_floats("c", 2, dims, F_VALS, 4, packed);
    pbw t = tensor_head("c", dc->dtype, 2, dims, 0);
    if (dc->dtype == T_DOUBLE) {
        pbw p = {0};
        for (int i = 0; i < 4; i++) {
            uint64_t u;
            memcpy(&u, &D_VALS[i], 8);
            if (packed)
                pw_le(&p, u, 8);
            else {
                pw_key(&t, 10, 1);
                pw_le(&t, u, 8);
            }
        }
        if (packed)
            pw_msg(&t, 10, &p);
        else
            pw_free(&p);
        return t;
    }
    uint32_t field = dc->dtype == T_INT64 ? 7 : 5;
    pbw p = {0};
    for (int i = 0; i < 4; i++) {
        if (packed)
            pw_varint(&p, (uint64_t)dc->typed[i]);
        else
            pw_int(&t, field, dc->typed[i]);
    }
    if (packed)
        pw_msg(&t, field, &p);
    else
        pw_free(&p);
    return t;
}

static void check_dtype_load(th_ctx *t, const dtype_case *dc, pbw *tensor, const char *how) {
    pbw m = const_model(tensor);
    tern_graph g;
    tern_err err;
    tern_status st = load(&m, NULL, &g, &err);
    char name[96];
    snprintf(name, sizeof name, "onnx %s initializer via %s", dc->name, how);
    const tern_tensor *c = st == TERN_OK && g.n_tensors == 1 ? &g.tensors[0] : NULL;
    th_check(t,
             c && (int)c->dtype == dc->dtype && c->rank == 2 && c->dims[0] == 2 &&
                 c->dims[1] == 2 && c->data && ((uintptr_t)c->data % 64) == 0 &&
                 memcmp(c->data, dc->raw, 4 * dc->esize) == 0 && g.n_inputs == 0 && c->is_output,
             name, "st %d '%s'", st, err.msg);
    tern_graph_free(&g);
    pw_free(&m);
}

static void test_dtypes(th_ctx *t) {
    const int64_t dims[2] = {2, 2};
    for (size_t i = 0; i < sizeof DTYPES / sizeof DTYPES[0]; i++) {
        const dtype_case *dc = &DTYPES[i];
        pbw r = tensor_raw("c", dc->dtype, 2, dims, dc->raw, 4 * dc->esize);
        check_dtype_load(t, dc, &r, "raw_data");
        pbw p = typed_tensor(dc, dims, 1);
        check_dtype_load(t, dc, &p, "packed typed field");
        pbw u = typed_tensor(dc, dims, 0);
        check_dtype_load(t, dc, &u, "unpacked typed field");
    }
    /* one float tensor split over a packed run and unpacked entries */
    pbw mix = tensor_floats("c", 2, dims, F_VALS, 2, 1);
    pw_float(&mix, 4, F_VALS[2]);
    pw_float(&mix, 4, F_VALS[3]);
    check_dtype_load(t, &DTYPES[0], &mix, "mixed packed and unpacked float_data");
    /* any nonzero bool byte is true */
    const unsigned char bools[4] = {2, 0, 0xff, 1};
    pbw b = tensor_raw("c", T_BOOL, 2, dims, bools, 4);
    check_dtype_load(t, &DTYPES[6], &b, "raw_data with bytes > 1");
}

/* ---- errors ---- */

/* Load m and check the status and that the message holds every string in
 * `want` (NULL-terminated) and a byte offset. Frees m. */
static void expect_error(th_ctx *t, pbw *m, const char *base, tern_status code, const char *name,
                         const char *const *want) {
    tern_graph g;
    tern_err err;
    tern_status st = load(m, base, &g, &err);
    int ok = st == code;
    for (int i = 0; ok && want[i]; i++) ok = strstr(err.msg, want[i]) != NULL;
    th_check(t, ok && g.n_nodes == 0 && g.n_tensors == 0, name, "st %d, message '%s'", st, err.msg);
    tern_graph_free(&g);
    pw_free(m);
}

#define WANT(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Input X [1] float, node Relu X -> Y, and whatever extra adds; output Y. */
static pbw relu_graph(void) {
    pbw g = {0};
    pbw x = value_info("X", T_FLOAT, 1, (const int64_t[]){1}, NULL);
    pw_msg(&g, 11, &x);
    pbw n = node("Relu", "relu0", (const char *const[]){"X"}, 1, (const char *const[]){"Y"}, 1);
    pw_msg(&g, 1, &n);
    return g;
}

static void add_output(pbw *g, const char *name) {
    pbw o = value_info(name, T_FLOAT, -1, NULL, NULL);
    pw_msg(g, 12, &o);
}

/* A node Foo Y -> Z with attribute a (released) in the relu graph. */
static pbw model_with_attr(pbw *a) {
    pbw g = relu_graph();
    pbw n = node("Foo", "foo0", (const char *const[]){"Y"}, 1, (const char *const[]){"Z"}, 1);
    pw_msg(&n, 5, a);
    pw_msg(&g, 1, &n);
    add_output(&g, "Z");
    return model_of(&g, 0);
}

/* The declared type must agree with the field the value is in: a reader
 * that trusted `type` would take the value from an empty field (0). */
static void test_attr_value_field(th_ctx *t) {
    pbw a = attr_head("k", 2); /* INT */
    pw_float(&a, 2, 1.5f);
    pbw m = model_with_attr(&a);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx attribute type disagrees with its field",
                 WANT("graph.node[1].attribute[0]", "'k'", "foo0", "type INT", "field f"));
    a = attr_head("k", 7); /* INTS */
    pw_str(&a, 4, "text");
    m = model_with_attr(&a);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx INTS attribute with a string value",
                 WANT("'k'", "type INTS", "field s"));
    a = attr_head("k", 0); /* no type: two value fields of different kinds */
    pw_int(&a, 3, 1);
    pw_float(&a, 2, 2.0f);
    m = model_with_attr(&a);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx attribute with two kinds of value",
                 WANT("'k'", "field i", "field f"));
    /* INTS declared, values packed and unpacked: one kind, accepted */
    a = attr_head("k", 7);
    pw_int(&a, 8, 4);
    pw_bytes(&a, 8, "\x05", 1);
    m = model_with_attr(&a);
    tern_graph g;
    tern_err err;
    tern_status st = load(&m, NULL, &g, &err);
    int foo = st == TERN_OK ? find_node(&g, "foo0") : -1;
    const tern_attr *k = foo >= 0 ? tern_node_attr(&g.nodes[foo], "k") : NULL;
    th_check(t, k && k->count == 2 && k->ints[0] == 4 && k->ints[1] == 5,
             "onnx INTS attribute, packed and unpacked", "st %d '%s'", st, err.msg);
    tern_graph_free(&g);
    pw_free(&m);
}

static void test_attr_errors(th_ctx *t) {
    static const struct {
        int type;
        uint32_t field;
        const char *kind;
    } kinds[] = {{5, 6, "GRAPH"},
                 {11, 22, "SPARSE_TENSOR"},
                 {13, 14, "TYPE_PROTO"},
                 {10, 11, "GRAPHS"},
                 {9, 10, "TENSORS"}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        pbw g = relu_graph();
        pbw n = node("If", "if0", (const char *const[]){"Y"}, 1, (const char *const[]){"Z"}, 1);
        add_attr_int(&n, "a", 1);
        add_attr_float(&n, "b", 2);
        add_attr_kind(&n, "then_branch", kinds[i].type, kinds[i].field);
        pw_msg(&g, 1, &n);
        add_output(&g, "Z");
        pbw m = model_of(&g, 0);
        char name[64];
        snprintf(name, sizeof name, "onnx %s attribute unsupported", kinds[i].kind);
        expect_error(t, &m, NULL, TERN_ERR_UNSUPPORTED, name,
                     WANT("graph.node[1].attribute[2]", "then_branch", "if0", kinds[i].kind,
                          "not supported", "(at byte "));
    }
    /* the byte offset is where the attribute message starts: its first
     * field, name = "then_branch", is 0x0a 0x0b "then_branch" */
    {
        pbw g = relu_graph();
        pbw n = node("If", "if0", (const char *const[]){"Y"}, 1, (const char *const[]){"Z"}, 1);
        add_attr_kind(&n, "then_branch", 5, 6);
        pw_msg(&g, 1, &n);
        add_output(&g, "Z");
        pbw m = model_of(&g, 0);
        size_t want = 0;
        for (size_t i = 0; i + 13 <= m.n && !want; i++)
            if (memcmp(m.b + i, "\x0a\x0bthen_branch", 13) == 0) want = i;
        char at[48];
        snprintf(at, sizeof at, "(at byte %zu)", want);
        expect_error(t, &m, NULL, TERN_ERR_UNSUPPORTED, "onnx error byte offset is exact",
                     WANT("graph.node[1].attribute[0]", at));
    }
    /* an attribute without `type` (old files): the value field says it */
    pbw g = relu_graph();
    pbw n = node("Foo", "foo0", (const char *const[]){"Y"}, 1, (const char *const[]){"Z"}, 1);
    pbw a = attr_head("k", 0);
    pw_int(&a, 3, 42);
    pw_msg(&n, 5, &a);
    pw_msg(&g, 1, &n);
    add_output(&g, "Z");
    pbw m = model_of(&g, 0);
    tern_graph gr;
    tern_err err;
    tern_status st = load(&m, NULL, &gr, &err);
    int foo = st == TERN_OK ? find_node(&gr, "foo0") : -1;
    th_check(t, foo >= 0 && tern_attr_int(&gr.nodes[foo], "k", 0) == 42,
             "onnx attribute type inferred from its value", "st %d '%s'", st, err.msg);
    tern_graph_free(&gr);
    pw_free(&m);

    g = relu_graph();
    n = node("Foo", "foo0", (const char *const[]){"Y"}, 1, (const char *const[]){"Z"}, 1);
    for (int i = 0; i < 1025; i++) {
        char an[16];
        snprintf(an, sizeof an, "a%d", i);
        add_attr_int(&n, an, i);
    }
    pw_msg(&g, 1, &n);
    add_output(&g, "Z");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_UNSUPPORTED, "onnx too many attributes",
                 WANT("graph.node[1]", "1025 attributes"));

    g = relu_graph();
    n = node("Foo", "foo0", (const char *const[]){"Y"}, 1, (const char *const[]){"Z"}, 1);
    add_attr_int(&n, "k", 1);
    add_attr_int(&n, "k", 2);
    pw_msg(&g, 1, &n);
    add_output(&g, "Z");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx duplicate attribute",
                 WANT("graph.node[1].attribute[1]", "given twice"));
    test_attr_value_field(t);
}

static void test_tensor_errors(th_ctx *t) {
    const int64_t dims9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, d3[1] = {3};
    float z[3] = {0};
    pbw tt = tensor_raw("c", T_FLOAT, 9, dims9, z, 4);
    pbw m = const_model(&tt);
    expect_error(t, &m, NULL, TERN_ERR_UNSUPPORTED, "onnx rank 9 initializer",
                 WANT("graph.initializer[0]", "rank 9"));
    tt = tensor_raw("c", T_FLOAT, 1, d3, z, 8);
    m = const_model(&tt);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx raw_data size mismatch",
                 WANT("graph.initializer[0] 'c'", "raw_data has 8 bytes", "needs 12"));
    tt = tensor_floats("c", 1, d3, z, 2, 1);
    m = const_model(&tt);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx float_data count mismatch",
                 WANT("float_data has 2 values", "needs 3"));
    tt = tensor_raw("c", T_BFLOAT16, 1, d3, z, 6);
    m = const_model(&tt);
    expect_error(t, &m, NULL, TERN_ERR_UNSUPPORTED, "onnx unsupported dtype BFLOAT16",
                 WANT("graph.initializer[0]", "BFLOAT16", "not supported"));
    tt = tensor_head("c", T_STRING, 1, d3, 0);
    m = const_model(&tt);
    expect_error(t, &m, NULL, TERN_ERR_UNSUPPORTED, "onnx unsupported dtype STRING",
                 WANT("STRING (8)"));
    tt = tensor_head("c", T_FLOAT, 1, (const int64_t[]){-3}, 0);
    m = const_model(&tt);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx negative dim", WANT("negative"));
    tt = tensor_head("c", T_FLOAT, 2, (const int64_t[]){1ll << 62, 1ll << 62}, 0);
    m = const_model(&tt);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx element count overflow", WANT("overflow"));
    tt = tensor_head("c", T_FLOAT, 1, d3, 0);
    m = const_model(&tt);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx tensor without data", WANT("no data"));
    tt = tensor_raw("c", T_FLOAT, 1, d3, z, 12);
    pw_float(&tt, 4, 1);
    m = const_model(&tt);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx tensor with two data sources",
                 WANT("more than one"));
    tt = tensor_head("c", T_FLOAT, 1, d3, 0);
    pw_int(&tt, 7, 1);
    m = const_model(&tt);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx typed field of the wrong type",
                 WANT("int64_data given for a FLOAT tensor"));
    /* int32_data holds the small types one value each: a value the type
     * cannot hold must not be cut to its low bits */
    static const struct {
        int dtype;
        int64_t value;
        const char *want;
    } range[] = {{T_UINT8, 300, "int32_data[1] = 300"},
                 {T_UINT8, -1, "int32_data[1] = -1"},
                 {T_INT8, 128, "int32_data[1] = 128"},
                 {T_INT8, -129, "int32_data[1] = -129"},
                 {T_INT32, 1ll << 31, "int32_data[1] = 2147483648"},
                 {T_FLOAT16, 65536, "int32_data[1] = 65536"}};
    for (size_t i = 0; i < sizeof range / sizeof range[0]; i++) {
        tt = tensor_head("c", range[i].dtype, 1, (const int64_t[]){2}, 0);
        pw_int(&tt, 5, 1);
        pw_int(&tt, 5, range[i].value);
        m = const_model(&tt);
        char name[96];
        snprintf(name, sizeof name, "onnx int32_data out of range (%s)", range[i].want);
        expect_error(t, &m, NULL, TERN_ERR_PARSE, name,
                     WANT("graph.initializer[0] 'c'", range[i].want, "out of range"));
    }
    /* the ends of each range load */
    {
        tt = tensor_head("c", T_INT8, 1, (const int64_t[]){2}, 0);
        pw_int(&tt, 5, -128);
        pw_int(&tt, 5, 127);
        m = const_model(&tt);
        tern_graph g;
        tern_err err;
        tern_status st = load(&m, NULL, &g, &err);
        const int8_t *v = st == TERN_OK ? g.tensors[0].data : NULL;
        th_check(t, v && v[0] == -128 && v[1] == 127, "onnx int32_data INT8 range ends",
                 "st %d '%s'", st, err.msg);
        tern_graph_free(&g);
        pw_free(&m);
    }
    /* an empty tensor needs no data and still counts as a constant */
    tt = tensor_head("c", T_FLOAT, 2, (const int64_t[]){0, 5}, 0);
    m = const_model(&tt);
    tern_graph g;
    tern_err err;
    tern_status st = load(&m, NULL, &g, &err);
    th_check(t, st == TERN_OK && g.n_tensors == 1 && g.tensors[0].data, "onnx empty initializer",
             "st %d '%s'", st, err.msg);
    tern_graph_free(&g);
    pw_free(&m);
}

static void test_graph_errors(th_ctx *t) {
    pbw g = relu_graph(), m;
    add_output(&g, "nothing");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx output not produced",
                 WANT("graph.output[0]", "'nothing'", "not produced"));

    g = relu_graph();
    float one = 1;
    pbw c1 = tensor_floats("k", 0, NULL, &one, 1, 0), c2 = tensor_floats("k", 0, NULL, &one, 1, 0);
    pw_msg(&g, 5, &c1);
    pw_msg(&g, 5, &c2);
    add_output(&g, "Y");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx duplicate initializer",
                 WANT("graph.initializer[1]", "'k'", "twice"));

    g = relu_graph();
    pbw x2 = value_info("X", T_FLOAT, 1, (const int64_t[]){1}, NULL);
    pw_msg(&g, 11, &x2);
    add_output(&g, "Y");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx duplicate graph input",
                 WANT("graph.input[1]", "'X'", "listed twice"));

    g = relu_graph();
    pbw n = node("Relu", "relu1", (const char *const[]){"X"}, 1, (const char *const[]){"Y"}, 1);
    pw_msg(&g, 1, &n);
    add_output(&g, "Y");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx output defined by two nodes",
                 WANT("graph.node[1]", "'Y'", "already defined"));

    g = relu_graph();
    n = node("Relu", "relu1", (const char *const[]){"Y"}, 1, (const char *const[]){"X"}, 1);
    pw_msg(&g, 1, &n);
    add_output(&g, "Y");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx node output redefines a graph input",
                 WANT("graph.node[1]", "'X'", "already defined"));

    g = relu_graph();
    n = node("Add", "add0", (const char *const[]){"Y", "W"}, 2, (const char *const[]){"A"}, 1);
    pw_msg(&g, 1, &n);
    n = node("Relu", "relu1", (const char *const[]){"A"}, 1, (const char *const[]){"W"}, 1);
    pw_msg(&g, 1, &n);
    add_output(&g, "A");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx cycle", WANT("cycle"));

    g = relu_graph();
    n = node("Add", "add0", (const char *const[]){"Y", "ghost"}, 2, (const char *const[]){"A"}, 1);
    pw_msg(&g, 1, &n);
    add_output(&g, "A");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx dangling input",
                 WANT("'ghost'", "not produced"));

    g = relu_graph();
    pbw deep = value_info("D", T_FLOAT, 9, (const int64_t[]){1, 1, 1, 1, 1, 1, 1, 1, 1}, NULL);
    pw_msg(&g, 11, &deep);
    add_output(&g, "Y");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_UNSUPPORTED, "onnx rank 9 graph input",
                 WANT("graph.input[1] 'D'.type.shape", "rank exceeds"));

    g = relu_graph();
    pbw u16 = value_info("U", 4, 1, (const int64_t[]){1}, NULL);
    pw_msg(&g, 11, &u16);
    add_output(&g, "Y");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_UNSUPPORTED, "onnx unsupported input type",
                 WANT("graph.input[1] 'U'.type", "UINT16"));

    g = relu_graph();
    pw_str(&g, 1, "junk"); /* a node that is not a message */
    add_output(&g, "Y");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx malformed node", WANT("graph.node[1]"));

    g = relu_graph();
    n = node("Relu", "relu9", (const char *const[]){"Y"}, 1, (const char *const[]){"Z"}, 1);
    pw_bytes(&n, 3, "a\0b", 3);
    pw_msg(&g, 1, &n);
    add_output(&g, "Z");
    m = model_of(&g, 0);
    expect_error(t, &m, NULL, TERN_ERR_PARSE, "onnx NUL byte in a name",
                 WANT("graph.node[1]", "NUL"));

    g = relu_graph();
    add_output(&g, "Y");
    pbw bare = {0};
    pw_msg(&bare, 7, &g); /* no opset_import */
    expect_error(t, &bare, NULL, TERN_ERR_PARSE, "onnx missing opset", WANT("opset"));
    pbw empty = {0};
    pw_int(&empty, 1, 8);
    expect_error(t, &empty, NULL, TERN_ERR_PARSE, "onnx model without graph", WANT("no graph"));
    pbw groupy = {0};
    pw_key(&groupy, 3, 3);
    expect_error(t, &groupy, NULL, TERN_ERR_PARSE, "onnx group wire type", WANT("group"));
}

/* ---- external data ---- */

static int write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    int ok = fwrite(data, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* Initializer "c" FLOAT [4] stored in an external file. */
static pbw external_model(const char *location, const char *offset, const char *length) {
    pbw t = tensor_head("c", T_FLOAT, 1, (const int64_t[]){4}, 0);
    const char *keys[3] = {"location", "offset", "length"};
    const char *vals[3] = {location, offset, length};
    for (int i = 0; i < 3; i++) {
        if (!vals[i]) continue;
        pbw e = {0};
        pw_str(&e, 1, keys[i]);
        pw_str(&e, 2, vals[i]);
        pw_msg(&t, 13, &e);
    }
    pw_int(&t, 14, 1);
    return const_model(&t);
}

static void check_external_ok(th_ctx *t, pbw *m, const char *dir, const char *name) {
    tern_graph g;
    tern_err err;
    tern_status st = load(m, dir, &g, &err);
    th_check(t,
             st == TERN_OK && g.n_tensors == 1 && g.tensors[0].data &&
                 memcmp(g.tensors[0].data, F_VALS, 16) == 0,
             name, "st %d '%s'", st, err.msg);
    tern_graph_free(&g);
    pw_free(m);
}

static void test_external(th_ctx *t) {
    char dir[] = "/tmp/tern_h1_XXXXXX";
    if (!mkdtemp(dir)) {
        th_fail(t, "onnx external data", "mkdtemp failed");
        return;
    }
    char path[128], sub[128], bin2[128], model_path[128];
    snprintf(path, sizeof path, "%s/w.bin", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    snprintf(bin2, sizeof bin2, "%s/sub/w2.bin", dir);
    snprintf(model_path, sizeof model_path, "%s/model.onnx", dir);
    unsigned char file[24] = "junkjunk";
    memcpy(file + 8, F_VALS, 16);
    int ready = write_file(path, file, sizeof file) && mkdir(sub, 0700) == 0 &&
                write_file(bin2, F_VALS, 16);
    if (!th_check(t, ready, "onnx external data setup", "cannot write in %s", dir)) return;

    pbw m = external_model("w.bin", "8", "16");
    check_external_ok(t, &m, dir, "onnx external data with offset and length");
    m = external_model("w.bin", "8", NULL);
    check_external_ok(t, &m, dir, "onnx external data to the end of the file");
    m = external_model("sub/w2.bin", NULL, NULL);
    check_external_ok(t, &m, dir, "onnx external data in a subfolder");

    m = external_model("w.bin", "8", "16");
    expect_error(t, &m, NULL, TERN_ERR_INVALID_ARG, "onnx external data without base dir",
                 WANT("graph.initializer[0] 'c'", "external"));
    m = external_model("../w.bin", NULL, NULL);
    expect_error(t, &m, sub, TERN_ERR_PARSE, "onnx external data '..'", WANT("'../w.bin'", ".."));
    m = external_model("sub/../w.bin", NULL, NULL);
    expect_error(t, &m, dir, TERN_ERR_PARSE, "onnx external data inner '..'", WANT("relative"));
    m = external_model(path, "8", "16");
    expect_error(t, &m, dir, TERN_ERR_PARSE, "onnx external data absolute path", WANT("relative"));
    m = external_model("w.bin", "9", "16");
    expect_error(t, &m, dir, TERN_ERR_PARSE, "onnx external data past the end",
                 WANT("past the end"));
    m = external_model("w.bin", "4", "20");
    expect_error(t, &m, dir, TERN_ERR_PARSE, "onnx external data length mismatch",
                 WANT("20 bytes", "needs 16"));
    m = external_model("w.bin", "-1", NULL);
    expect_error(t, &m, dir, TERN_ERR_PARSE, "onnx external data bad offset", WANT("not a number"));
    m = external_model("missing.bin", NULL, NULL);
    expect_error(t, &m, dir, TERN_ERR_IO, "onnx external data missing file", WANT("missing.bin"));
    m = external_model("sub", "0", "16");
    expect_error(t, &m, dir, TERN_ERR_IO, "onnx external data in a folder", WANT("regular file"));
    m = external_model(NULL, NULL, NULL);
    expect_error(t, &m, dir, TERN_ERR_PARSE, "onnx external data without location",
                 WANT("no location"));

    /* through tern_model_load_file: the model's folder is the base */
    m = external_model("w.bin", "8", "16");
    tern_model *mod = NULL;
    tern_status st =
        write_file(model_path, m.b, m.n) ? tern_model_load_file(model_path, &mod) : TERN_ERR_IO;
    th_check(t,
             st == TERN_OK && mod && mod->graph.n_tensors == 1 &&
                 memcmp(mod->graph.tensors[0].data, F_VALS, 16) == 0,
             "model_load_file reads external data next to the model", "st %d '%s'", st,
             mod ? tern_model_error(mod) : "");
    tern_model_free(mod);
    pw_free(&m);
    unlink(model_path);
    unlink(bin2);
    rmdir(sub);
    unlink(path);
    rmdir(dir);
}

/* ---- external data stays in the model's folder; files are regular ---- */

/* Load external-data model m (NULL: load the model file at path) in a child
 * process, so that a FIFO that blocks the open cannot hang the suite: 0 if
 * the load fails with TERN_ERR_IO naming a FIFO. */
typedef struct fifo_case {
    const pbw *m;
    const char *dir, *path;
} fifo_case;

static int load_fifo_in_child(void *arg) {
    const fifo_case *fc = arg;
    tern_status st;
    char msg[TERN_ERR_LEN];
    if (fc->m) {
        tern_graph g;
        tern_err err;
        st = load(fc->m, fc->dir, &g, &err);
        snprintf(msg, sizeof msg, "%s", err.msg);
        tern_graph_free(&g);
    } else {
        tern_model *mod = NULL;
        st = tern_model_load_file(fc->path, &mod);
        snprintf(msg, sizeof msg, "%s", mod ? tern_model_error(mod) : "");
        tern_model_free(mod);
    }
    if (st == TERN_ERR_IO && strstr(msg, "FIFO")) return 0;
    printf("  (child: st %d '%s')\n", st, msg);
    return 1;
}

static void expect_fifo_refused(th_ctx *t, const fifo_case *fc, const char *name) {
    int r = th_in_child(load_fifo_in_child, (void *)fc, 10);
    th_check(t, r == 0, name, r < 0 ? "hung (killed after 10 s) or crashed" : "not refused");
}

/* Links below the model's folder are refused, whether they point out of it
 * (a file, a folder, a folder further down) or back into it. */
static void test_external_confined(th_ctx *t) {
    char root[] = "/tmp/tern_h2_XXXXXX";
    if (!mkdtemp(root)) {
        th_fail(t, "onnx external data links setup", "mkdtemp failed");
        return;
    }
    enum { E_DIR, E_OUT, E_SECRET, E_SUB, E_W, E_LFILE, E_LDIR, E_LSUB, E_ALIAS, E_FIFO, N };
    static const char *const rel[N] = {"model", "outside", "outside/secret.bin",
                                       "model/sub", "model/w.bin", "model/link.bin",
                                       "model/linked", "model/sub/up", "model/alias.bin",
                                       "model/pipe.bin"};
    char p[N][96];
    for (int i = 0; i < N; i++) snprintf(p[i], sizeof p[i], "%s/%s", root, rel[i]);
    int ready = mkdir(p[E_DIR], 0700) == 0 && mkdir(p[E_OUT], 0700) == 0 &&
                mkdir(p[E_SUB], 0700) == 0 && write_file(p[E_SECRET], F_VALS, 16) &&
                write_file(p[E_W], F_VALS, 16) && symlink(p[E_SECRET], p[E_LFILE]) == 0 &&
                symlink(p[E_OUT], p[E_LDIR]) == 0 && symlink("../../outside", p[E_LSUB]) == 0 &&
                symlink("w.bin", p[E_ALIAS]) == 0 && mkfifo(p[E_FIFO], 0600) == 0;
    if (th_check(t, ready, "onnx external data links setup", "cannot write in %s", root)) {
        pbw m = external_model("w.bin", NULL, NULL);
        check_external_ok(t, &m, p[E_DIR], "onnx external data through the confined walk");
        m = external_model("./sub/../w.bin", NULL, NULL);
        expect_error(t, &m, p[E_DIR], TERN_ERR_PARSE, "onnx external data '..' after '.'",
                     WANT("relative"));
        m = external_model("link.bin", NULL, NULL);
        expect_error(t, &m, p[E_DIR], TERN_ERR_IO, "onnx external data link to a file outside",
                     WANT("location 'link.bin'", "'link.bin' is a symbolic link"));
        m = external_model("linked/secret.bin", NULL, NULL);
        expect_error(t, &m, p[E_DIR], TERN_ERR_IO, "onnx external data through a linked folder",
                     WANT("'linked' is a symbolic link"));
        m = external_model("sub/up/secret.bin", NULL, NULL);
        expect_error(t, &m, p[E_DIR], TERN_ERR_IO, "onnx external data through a link further down",
                     WANT("'sub/up' is a symbolic link"));
        m = external_model("alias.bin", NULL, NULL);
        expect_error(t, &m, p[E_DIR], TERN_ERR_IO, "onnx external data link inside the folder",
                     WANT("'alias.bin' is a symbolic link"));
        m = external_model("pipe.bin", NULL, NULL);
        expect_fifo_refused(t, &(fifo_case){&m, p[E_DIR], NULL}, "onnx external data FIFO");
        pw_free(&m);
    }
    for (int i = N - 1; i >= 0; i--)
        (i == E_DIR || i == E_OUT || i == E_SUB ? rmdir : unlink)(p[i]);
    rmdir(root);
}

/* A model file must be a regular file no larger than TERN_MODEL_MAX_BYTES. */
static void test_model_file_kinds(th_ctx *t) {
    char root[] = "/tmp/tern_h3_XXXXXX";
    if (!mkdtemp(root)) {
        th_fail(t, "model file kinds setup", "mkdtemp failed");
        return;
    }
    char fifo[64], big[64];
    snprintf(fifo, sizeof fifo, "%s/pipe.onnx", root);
    snprintf(big, sizeof big, "%s/big.onnx", root);
    if (th_check(t, mkfifo(fifo, 0600) == 0, "model file FIFO setup", "mkfifo failed"))
        expect_fifo_refused(t, &(fifo_case){NULL, NULL, fifo}, "model_load_file on a FIFO");
    /* sparse: refused from its size, nothing read */
    FILE *f = fopen(big, "wb");
    int made = f && fclose(f) == 0 && truncate(big, (off_t)TERN_MODEL_MAX_BYTES + 1) == 0;
    tern_model *mod = NULL;
    tern_status st = made ? tern_model_load_file(big, &mod) : TERN_OK;
    char want[96];
    snprintf(want, sizeof want, "is %llu bytes, more than the %zu allowed",
             (unsigned long long)TERN_MODEL_MAX_BYTES + 1, TERN_MODEL_MAX_BYTES);
    th_check(t, st == TERN_ERR_IO && strstr(tern_model_error(mod), want),
             "model_load_file over the size limit", "st %d '%s'", st, tern_model_error(mod));
    tern_model_free(mod);
    unlink(big);
    unlink(fifo);
    rmdir(root);
}

/* ---- opsets newer than tern knows ---- */

static pbw relu_model_at(int64_t onnx, int64_t ms) {
    pbw g = relu_graph(), m = {0}, op = {0};
    add_output(&g, "Y");
    pw_int(&m, 1, 8);
    pw_str(&op, 1, "");
    pw_int(&op, 2, onnx);
    pw_msg(&m, 8, &op);
    if (ms) {
        pw_str(&op, 1, "com.microsoft");
        pw_int(&op, 2, ms);
        pw_msg(&m, 8, &op);
    }
    pw_msg(&m, 7, &g);
    return m;
}

static void test_opset_max(th_ctx *t) {
    pbw m = relu_model_at(TERN_ONNX_OPSET_MAX, TERN_MS_OPSET_MAX);
    tern_graph g;
    tern_err err;
    tern_status st = load(&m, NULL, &g, &err);
    th_check(t, st == TERN_OK && g.opset == TERN_ONNX_OPSET_MAX, "onnx newest known opsets load",
             "st %d '%s'", st, err.msg);
    tern_graph_free(&g);
    pw_free(&m);
    char newer[64];
    snprintf(newer, sizeof newer, "(%d)", TERN_ONNX_OPSET_MAX);
    m = relu_model_at(100, 0);
    expect_error(t, &m, NULL, TERN_ERR_UNSUPPORTED, "onnx opset 100 is refused",
                 WANT("opset_import[0]", "opset 100 of domain 'ai.onnx' is newer", newer));
    m = relu_model_at(TERN_ONNX_OPSET_MAX + 1, 0);
    expect_error(t, &m, NULL, TERN_ERR_UNSUPPORTED, "onnx opset one past the newest is refused",
                 WANT("newer than the newest tern knows"));
    m = relu_model_at(13, 2);
    expect_error(t, &m, NULL, TERN_ERR_UNSUPPORTED, "onnx com.microsoft opset 2 is refused",
                 WANT("opset 2 of domain 'com.microsoft'", "(1)"));
}

/* ---- the model API ---- */

static void test_model_api(th_ctx *t) {
    tern_model *m = NULL;
    tern_status st = tern_model_load_file("no/such/file.onnx", &m);
    th_check(t,
             st == TERN_ERR_IO && m && !m->ok && strstr(tern_model_error(m), "no/such/file.onnx"),
             "model_load_file missing file", "st %d '%s'", st, m ? tern_model_error(m) : "(null)");
    tern_model_free(m);
    st = tern_model_load_file("tests", &m);
    th_check(t, st == TERN_ERR_IO && m && strstr(tern_model_error(m), "tests"),
             "model_load_file on a folder", "st %d", st);
    tern_model_free(m);
    st = tern_model_load_buffer(NULL, 10, NULL, &m);
    th_check(t, st == TERN_ERR_INVALID_ARG && m && tern_model_error(m)[0], "model_load_buffer NULL",
             "st %d", st);
    tern_model_free(m);
    const unsigned char junk[] = {0x3a, 0xff, 0x01};
    st = tern_model_load_buffer(junk, sizeof junk, NULL, &m);
    th_check(t, st == TERN_ERR_PARSE && m && !m->ok && strstr(tern_model_error(m), "at byte"),
             "model_load_buffer junk", "st %d '%s'", st, m ? tern_model_error(m) : "");
    tern_model_free(m);
    tern_model_free(NULL);
    th_check(t, tern_model_load_buffer(junk, 1, NULL, NULL) == TERN_ERR_INVALID_ARG,
             "model_load_buffer without out", "accepted");
}

/* ---- robustness: every prefix, random byte flips ---- */

/* Read every byte a loaded graph points to, so that ASan sees any constant
 * whose size disagrees with its allocation. */
static unsigned touch_graph(const tern_graph *g) {
    unsigned sum = 0;
    for (int i = 0; i < g->n_tensors; i++) {
        const unsigned char *d = g->tensors[i].data;
        size_t n = tern_tensor_bytes(&g->tensors[i]);
        for (size_t k = 0; d && k < n; k++) sum += d[k];
    }
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_attrs; k++) {
            const tern_attr *a = &g->nodes[i].attrs[k];
            sum += (unsigned)strlen(a->name);
            if (a->t) sum += (unsigned)tern_tensor_bytes(a->t);
        }
    return sum;
}

/* Load a private copy of the bytes (so ASan catches a read past len);
 * returns 1 if the load either worked or failed with a message. */
static int load_copy(const unsigned char *buf, size_t len, int *loaded) {
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy) return 0;
    if (len) memcpy(copy, buf, len);
    tern_graph g;
    tern_err err = {{0}};
    tern_status st = tern_onnx_load(copy, len, NULL, &g, &err);
    free(copy);
    *loaded = st == TERN_OK;
    if (st == TERN_OK) {
        volatile unsigned sink = touch_graph(&g);
        (void)sink;
    }
    int ok = st == TERN_OK ? g.n_outputs > 0 : err.msg[0] != 0 && g.n_tensors == 0;
    tern_graph_free(&g);
    return ok;
}

static void check_prefixes(th_ctx *t, const unsigned char *buf, size_t len, const char *what) {
    int bad = 0;
    for (size_t n = 0; n < len; n++) {
        int loaded;
        if (!load_copy(buf, n, &loaded)) bad++;
    }
    int full;
    int ok_full = load_copy(buf, len, &full);
    char name[128];
    snprintf(name, sizeof name, "onnx every prefix of %s (%zu) fails cleanly", what, len);
    th_check(t, bad == 0 && ok_full && full, name, "%d bad prefixes, full load %d", bad, full);
}

static uint64_t xorshift64(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void check_flips(th_ctx *t, const unsigned char *buf, size_t len, const char *what,
                        uint64_t seed) {
    unsigned char *copy = malloc(len);
    if (!copy) return;
    int bad = 0, loaded = 0;
    for (int i = 0; i < 10000; i++) {
        memcpy(copy, buf, len);
        int flips = 1 + (int)(xorshift64(&seed) % 3);
        for (int k = 0; k < flips; k++) {
            size_t at = (size_t)(xorshift64(&seed) % len);
            copy[at] ^= (unsigned char)(1 + xorshift64(&seed) % 255);
        }
        int l;
        if (!load_copy(copy, len, &l)) bad++;
        loaded += l;
    }
    free(copy);
    char name[128];
    snprintf(name, sizeof name, "onnx 10000 random byte flips of %s", what);
    th_check(t, bad == 0, name, "%d loads neither worked nor failed with a message", bad);
    if (t->verbose) printf("  %s: %d of 10000 flipped models still loaded\n", what, loaded);
}

static void test_robustness(th_ctx *t) {
    pbw m = build_test_model();
    check_prefixes(t, m.b, m.n, "the in-test model");
    check_flips(t, m.b, m.n, "the in-test model", 0x9e3779b97f4a7c15ull);
    pw_free(&m);
    char path[512];
    const char *p =
        th_shared_path(t, "onnx-tests/pytorch-converted/test_Conv2d_depthwise_padded/model.onnx",
                       path, sizeof path, "onnx prefixes and flips of a real model");
    if (!p) return;
    size_t len;
    unsigned char *buf = th_read_file(p, &len);
    if (!th_check(t, buf != NULL, "onnx read real model", "cannot read %s", p)) return;
    check_prefixes(t, buf, len, "test_Conv2d_depthwise_padded");
    check_flips(t, buf, len, "test_Conv2d_depthwise_padded", 12345);
    free(buf);
}

/* ---- the shared model zoo ---- */

#define MAX_OPS 32

typedef struct op_count {
    char op[64];
    int n;
} op_count;

typedef struct model_doc {
    char file[64];
    op_count ops[MAX_OPS];
    int n_ops;
    int total; /* -1 if the doc gives no total */
    int opset, opset_ms;
} model_doc;

static void doc_add_op(model_doc *d, const char *op, size_t len, int n) {
    if (d->n_ops >= MAX_OPS || len >= sizeof d->ops[0].op) return;
    memcpy(d->ops[d->n_ops].op, op, len);
    d->ops[d->n_ops].op[len] = 0;
    d->ops[d->n_ops++].n = n;
}

/* MODELS.md: "## name.onnx" sections with "- ops: Add 10, Clip 35, ..." and
 * "- opset: ai.onnx 13, com.microsoft 1". */
static int parse_models_md(const char *text, model_doc *docs, int cap) {
    int n = 0, cur = -1;
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        const char *e = strstr(line, ".onnx");
        if (strncmp(line, "## ", 3) == 0) {
            cur = -1;
            if (e && e < line + len && n < cap) {
                cur = n++;
                memset(&docs[cur], 0, sizeof docs[cur]);
                snprintf(docs[cur].file, sizeof docs[cur].file, "%.*s", (int)(e + 5 - (line + 3)),
                         line + 3);
                docs[cur].total = -1;
            }
        } else if (cur >= 0 && strncmp(line, "- ops: ", 7) == 0) {
            /* "Op count, Op count, ..." */
            for (const char *p = line + 7; p < line + len;) {
                const char *sp = p;
                while (sp < line + len && *sp != ' ') sp++;
                doc_add_op(&docs[cur], p, (size_t)(sp - p), atoi(sp));
                p = sp;
                while (p < line + len && *p != ',') p++;
                p += 2;
            }
        } else if (cur >= 0 && strncmp(line, "- opset: ", 9) == 0) {
            const char *a = strstr(line, "ai.onnx ");
            const char *ms = strstr(line, "com.microsoft ");
            if (a && a < line + len) docs[cur].opset = atoi(a + 8);
            if (ms && ms < line + len) docs[cur].opset_ms = atoi(ms + 14);
        }
        line += len;
        if (*line) line++;
    }
    return n;
}

/* One cell of a markdown table row: trimmed, "**" removed. */
static void table_cell(const char *line, int col, char *out, size_t cap) {
    out[0] = 0;
    const char *p = line;
    for (int c = 0; c <= col; c++) {
        p = strchr(p, '|');
        if (!p) return;
        p++;
    }
    const char *e = strchr(p, '|');
    if (!e) return;
    size_t k = 0;
    for (; p < e && k + 1 < cap; p++)
        if (*p != '*') out[k++] = *p;
    out[k] = 0;
    char *s = out;
    while (*s == ' ') s++;
    memmove(out, s, strlen(s) + 1);
    for (size_t m = strlen(out); m && out[m - 1] == ' ';) out[--m] = 0;
}

/* ARCH_MODELS.md: the "### Op histograms" table, one column per model. */
static int parse_arch_md(const char *text, model_doc *docs) {
    static const char *const cols[2][2] = {{"EfficientNet-Lite0", "efficientnet_lite0_arch.onnx"},
                                           {"MobileNetV3-Large", "mobilenet_v3_large_arch.onnx"}};
    const char *h = strstr(text, "### Op histograms");
    if (!h) return 0;
    const char *line = strchr(h, '\n');
    int col_of[2] = {0, 0}, rows = 0;
    for (int k = 0; k < 2; k++) {
        memset(&docs[k], 0, sizeof docs[k]);
        snprintf(docs[k].file, sizeof docs[k].file, "%s", cols[k][1]);
        docs[k].total = -1;
        docs[k].opset = 13; /* "ONNX opset 13 (default domain only)" */
    }
    for (; line && line[1]; line = strchr(line + 1, '\n')) {
        const char *l = line + 1;
        if (*l == '\n' && rows) break;
        if (*l != '|') continue;
        char c0[64], c[64];
        table_cell(l, 0, c0, sizeof c0);
        if (rows++ == 0) {
            for (int col = 1; col <= 2; col++) {
                table_cell(l, col, c, sizeof c);
                for (int k = 0; k < 2; k++)
                    if (strcmp(c, cols[k][0]) == 0) col_of[k] = col;
            }
            continue;
        }
        if (c0[0] == '-') continue; /* the |---| line */
        for (int k = 0; k < 2; k++) {
            table_cell(l, col_of[k], c, sizeof c);
            int v = c[0] == '-' ? 0 : atoi(c);
            if (strcmp(c0, "total nodes") == 0)
                docs[k].total = v;
            else if (v)
                doc_add_op(&docs[k], c0, strcspn(c0, " "), v);
        }
    }
    return col_of[0] && col_of[1] ? 2 : 0;
}

static char *read_text(const char *path) {
    size_t len;
    unsigned char *b = th_read_file(path, &len);
    if (!b) return NULL;
    b[len] = 0; /* th_read_file leaves one spare byte */
    return (char *)b;
}

/* Initializer counts and float parameter totals, counted with the onnx
 * Python package (ARCH_MODELS.md gives params + BN running stats for the two
 * arch models: 4,652,008 + 42,016 and 5,483,032 + 24,400). */
static const struct {
    const char *file;
    int inits;
    long long float_elems; /* -1: not checked */
} ZOO[] = {
    {"efficientnet_lite0_arch.onnx", 247, 4652008 + 42016},
    {"mobilenet_v2_fp32.onnx", 177, -1},
    {"mobilenet_v2_int8_qop.onnx", 343, -1},
    {"mobilenet_v2_keras_int8pc_qdq.onnx", 537, -1},
    {"mobilenet_v2_uint8_qdq.onnx", 451, -1},
    {"mobilenet_v3_large_arch.onnx", 266, 5483032 + 24400},
    {"mobilenet_v3_large_min_fp32.onnx", 97, -1},
    {"mobilenet_v3_large_min_uint8_qdq.onnx", 413, -1},
    {"mobilenet_v3_small_fp32.onnx", 145, -1},
    {"mobilenet_v3_small_int8_qop.onnx", 507, -1},
    {"mobilenet_v3_small_uint8_qdq.onnx", 617, -1},
};

static int count_op(const tern_graph *g, const char *op) {
    const char *colon = strchr(op, ':');
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *nd = &g->nodes[i];
        int match = colon ? strncmp(nd->domain, op, (size_t)(colon - op)) == 0 &&
                                nd->domain[colon - op] == 0 && strcmp(nd->op_type, colon + 1) == 0
                          : !nd->domain[0] && strcmp(nd->op_type, op) == 0;
        n += match;
    }
    return n;
}

static void check_zoo_model(th_ctx *t, const model_doc *doc, const char *dir) {
    char path[600], name[128];
    snprintf(path, sizeof path, "%s/%s", dir, doc->file);
    tern_model *m = NULL;
    tern_status st = tern_model_load_file(path, &m);
    snprintf(name, sizeof name, "zoo %s loads", doc->file);
    if (!th_check(t, st == TERN_OK, name, "%s", m ? tern_model_error(m) : "no model")) {
        tern_model_free(m);
        return;
    }
    const tern_graph *g = &m->graph;
    int sum = 0, mismatch = 0;
    char first[96] = "";
    for (int i = 0; i < doc->n_ops; i++) {
        int n = count_op(g, doc->ops[i].op);
        sum += doc->ops[i].n;
        if (n != doc->ops[i].n && !mismatch++)
            snprintf(first, sizeof first, "%s: %d in file, %d in doc", doc->ops[i].op, n,
                     doc->ops[i].n);
    }
    snprintf(name, sizeof name, "zoo %s op histogram matches the doc", doc->file);
    th_check(t,
             doc->n_ops > 0 && !mismatch && g->n_nodes == sum &&
                 (doc->total < 0 || doc->total == g->n_nodes),
             name, "%d nodes, doc sum %d total %d; %s", g->n_nodes, sum, doc->total, first);
    snprintf(name, sizeof name, "zoo %s opsets", doc->file);
    th_check(t, g->opset == doc->opset && g->opset_ms == doc->opset_ms, name,
             "opset %lld ms %lld, doc %d %d", (long long)g->opset, (long long)g->opset_ms,
             doc->opset, doc->opset_ms);
    int inits = 0;
    long long fl = 0;
    for (int i = 0; i < g->n_tensors; i++) {
        const tern_tensor *tt = &g->tensors[i];
        if (!tt->data) continue;
        inits++;
        if (tt->dtype == TERN_FLOAT) fl += tern_tensor_numel(tt);
    }
    for (size_t k = 0; k < sizeof ZOO / sizeof ZOO[0]; k++) {
        if (strcmp(ZOO[k].file, doc->file) != 0) continue;
        snprintf(name, sizeof name, "zoo %s initializers", doc->file);
        th_check(t, inits == ZOO[k].inits && (ZOO[k].float_elems < 0 || fl == ZOO[k].float_elems),
                 name, "%d initializers (want %d), %lld float elements", inits, ZOO[k].inits, fl);
    }
    const tern_tensor *in = g->n_inputs == 1 ? &g->tensors[g->inputs[0]] : NULL;
    snprintf(name, sizeof name, "zoo %s input", doc->file);
    int arch = strstr(doc->file, "_arch") != NULL;
    th_check(t,
             in && strcmp(in->name, "input") == 0 && in->dtype == TERN_FLOAT && in->rank == 4 &&
                 (arch ? in->dims[0] == -1 && in->dim_param[0] &&
                             strcmp(in->dim_param[0], "N") == 0 && in->dims[1] == 3
                       : in->dims[0] == 1 && in->dims[1] == 224 && in->dims[3] == 3) &&
                 g->n_outputs == 1,
             name, "bad input");
    tern_model_free(m);
}

static void test_zoo(th_ctx *t) {
    char dir[512], md[600];
    if (!th_shared_path(t, "models", dir, sizeof dir, "zoo models")) return;
    model_doc docs[16];
    snprintf(md, sizeof md, "%s/MODELS.md", dir);
    char *text = read_text(md);
    int n = text ? parse_models_md(text, docs, 14) : 0;
    free(text);
    snprintf(md, sizeof md, "%s/ARCH_MODELS.md", dir);
    text = read_text(md);
    n += text ? parse_arch_md(text, docs + n) : 0;
    free(text);
    th_check(t, n == 11, "zoo docs list 11 models", "found %d", n);
    for (int i = 0; i < n; i++) check_zoo_model(t, &docs[i], dir);
}

/* ---- standalone tensors (the backend tests' .pb files) ---- */

static int read_pb(th_ctx *t, const char *rel, tern_pool *pool, tern_tensor *out) {
    char path[512];
    if (!th_shared_path(t, rel, path, sizeof path, rel)) return 0;
    size_t len;
    unsigned char *buf = th_read_file(path, &len);
    tern_err err = {{0}};
    tern_status st = buf ? tern_onnx_parse_tensor(buf, len, pool, out, &err) : TERN_ERR_IO;
    free(buf);
    return th_check(t, st == TERN_OK, rel, "st %d '%s'", st, err.msg);
}

static int same_shape(const tern_tensor *a, const tern_tensor *b) {
    if (a->rank != b->rank || a->dtype != b->dtype) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return 0;
    return 1;
}

/* Check output = f(input0, input1) element by element. */
static void check_binary(th_ctx *t, const char *test,
                         int (*f)(const tern_tensor *, const tern_tensor *, const tern_tensor *,
                                  int64_t)) {
    char rel[3][160];
    const char *files[3] = {"input_0", "input_1", "output_0"};
    tern_pool pool = {0};
    tern_tensor ts[3];
    int ok = 1;
    for (int k = 0; k < 3 && ok; k++) {
        snprintf(rel[k], sizeof rel[k], "onnx-tests/node/%s/test_data_set_0/%s.pb", test, files[k]);
        ok = read_pb(t, rel[k], &pool, &ts[k]);
    }
    if (ok) {
        int64_t n = tern_tensor_numel(&ts[2]), bad = 0;
        for (int64_t i = 0; i < n; i++) bad += !f(&ts[0], &ts[1], &ts[2], i);
        char name[128];
        snprintf(name, sizeof name, "pb tensors of %s agree", test);
        th_check(t, n > 0 && same_shape(&ts[0], &ts[2]) && bad == 0 && ts[0].name[0], name,
                 "%lld wrong of %lld", (long long)bad, (long long)n);
    }
    tern_pool_free(&pool);
}

static int f_add(const tern_tensor *a, const tern_tensor *b, const tern_tensor *o, int64_t i) {
    float x = ((const float *)a->data)[i] + ((const float *)b->data)[i];
    float y = ((const float *)o->data)[i];
    return x - y < 1e-6f && y - x < 1e-6f;
}

static int f_add_u8(const tern_tensor *a, const tern_tensor *b, const tern_tensor *o, int64_t i) {
    const uint8_t *x = a->data, *y = b->data, *z = o->data;
    return (uint8_t)(x[i] + y[i]) == z[i];
}

static int f_and(const tern_tensor *a, const tern_tensor *b, const tern_tensor *o, int64_t i) {
    const uint8_t *x = a->data, *y = b->data, *z = o->data;
    return (x[i] && y[i]) == z[i];
}

static void test_pb_files(th_ctx *t) {
    check_binary(t, "test_add", f_add);
    check_binary(t, "test_add_uint8", f_add_u8);
    check_binary(t, "test_and2d", f_and);
    tern_pool pool = {0};
    tern_tensor in, out;
    if (read_pb(t, "onnx-tests/node/test_argmax_default_axis_random/test_data_set_0/input_0.pb",
                &pool, &in) &&
        read_pb(t, "onnx-tests/node/test_argmax_default_axis_random/test_data_set_0/output_0.pb",
                &pool, &out)) {
        /* argmax over axis 0 of [2,3,4], keepdims: int64 [1,3,4] */
        const float *x = in.data;
        const int64_t *y = out.data;
        int bad = in.rank != 3 || in.dims[0] != 2 || out.dtype != TERN_INT64 || out.rank != 3;
        for (int i = 0; !bad && i < 12; i++) bad = y[i] != (x[12 + i] > x[i] ? 1 : 0);
        th_check(t, !bad, "pb int64 tensor (argmax)", "mismatch");
    }
    if (read_pb(
            t,
            "onnx-tests/pytorch-converted/test_Conv2d_depthwise_padded/test_data_set_0/input_0.pb",
            &pool, &in))
        th_check(t,
                 in.dtype == TERN_FLOAT && in.rank == 4 && in.dims[0] == 2 && in.dims[1] == 4 &&
                     in.dims[2] == 6 && in.dims[3] == 6 && ((uintptr_t)in.data % 64) == 0,
                 "pb conv input shape", "rank %d", in.rank);
    tern_pool_free(&pool);

    /* standalone tensor errors: external data is not allowed, junk is caught */
    pbw tt = tensor_head("x", T_FLOAT, 1, (const int64_t[]){1}, 0);
    pw_int(&tt, 14, 1);
    tern_err err = {{0}};
    tern_status st = tern_onnx_parse_tensor(tt.b, tt.n, &pool, &in, &err);
    th_check(t, st != TERN_OK && strstr(err.msg, "tensor 'x'"), "pb tensor external rejected",
             "st %d '%s'", st, err.msg);
    pw_free(&tt);
    tern_pool_free(&pool);
    int bad = 0;
    pbw good = tensor_floats("x", 1, (const int64_t[]){4}, F_VALS, 4, 1);
    for (size_t n = 0; n < good.n; n++) {
        unsigned char *copy = malloc(n + 1);
        memcpy(copy, good.b, n);
        err.msg[0] = 0;
        st = tern_onnx_parse_tensor(copy, n, &pool, &in, &err);
        bad += st == TERN_OK || !err.msg[0]; /* no prefix holds the data */
        free(copy);
        tern_pool_free(&pool);
    }
    th_check(t, bad == 0, "pb tensor prefixes fail cleanly", "%d bad", bad);
    pw_free(&good);
}

TH_SUITE(suite_onnx_load) {
    test_model(t);
    test_dtypes(t);
    test_attr_errors(t);
    test_tensor_errors(t);
    test_graph_errors(t);
    test_external(t);
    test_external_confined(t);
    test_model_file_kinds(t);
    test_opset_max(t);
    test_model_api(t);
    test_robustness(t);
    test_zoo(t);
    test_pb_files(t);
}
