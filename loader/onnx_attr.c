/* AttributeProto -> tern_attr. Kinds tern runs with: FLOAT, INT, STRING,
 * TENSOR, FLOATS, INTS, STRINGS; the rest (graphs, sparse tensors, type
 * protos, tensor lists) are reported as unsupported, naming the attribute. */
#include <string.h>

#include "loader/onnx_priv.h"

/* AttributeProto field numbers */
enum {
    A_NAME = 1,
    A_F = 2,
    A_I = 3,
    A_S = 4,
    A_T = 5,
    A_G = 6,
    A_FLOATS = 7,
    A_INTS = 8,
    A_STRINGS = 9,
    A_TENSORS = 10,
    A_GRAPHS = 11,
    A_TP = 14,
    A_TYPE_PROTOS = 15,
    A_TYPE = 20,
    A_REF_ATTR_NAME = 21,
    A_SPARSE_TENSOR = 22,
    A_SPARSE_TENSORS = 23
};

static const char *attr_type_name(uint64_t t) {
    static const char *const names[] = {
        "UNDEFINED",      "FLOAT",      "INT",        "STRING",  "TENSOR", "GRAPH",
        "FLOATS",         "INTS",       "STRINGS",    "TENSORS", "GRAPHS", "SPARSE_TENSOR",
        "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS"};
    return t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

/* Old files leave `type` out; the field that holds the value says it. */
static const uint8_t TYPE_OF_FIELD[24] = {[A_F] = TERN_ATTR_FLOAT,
                                          [A_I] = TERN_ATTR_INT,
                                          [A_S] = TERN_ATTR_STRING,
                                          [A_T] = TERN_ATTR_TENSOR,
                                          [A_G] = 5,
                                          [A_FLOATS] = TERN_ATTR_FLOATS,
                                          [A_INTS] = TERN_ATTR_INTS,
                                          [A_STRINGS] = TERN_ATTR_STRINGS,
                                          [A_TENSORS] = 9,
                                          [A_GRAPHS] = 10,
                                          [A_SPARSE_TENSOR] = 11,
                                          [A_SPARSE_TENSORS] = 12,
                                          [A_TP] = 13,
                                          [A_TYPE_PROTOS] = 14};

/* Names of the value fields, for messages. */
static const char *const FIELD_NAME[24] = {
    [A_F] = "f",           [A_I] = "i",          [A_S] = "s",
    [A_T] = "t",           [A_G] = "g",          [A_FLOATS] = "floats",
    [A_INTS] = "ints",     [A_STRINGS] = "strings", [A_TENSORS] = "tensors",
    [A_GRAPHS] = "graphs", [A_SPARSE_TENSOR] = "sparse_tensor",
    [A_SPARSE_TENSORS] = "sparse_tensors", [A_TP] = "tp", [A_TYPE_PROTOS] = "type_protos"};

typedef struct attr_scan {
    const char *name;
    uint64_t type;
    int has_type, has_ref;
    uint32_t value_field; /* first field seen that holds a value (0: none) */
    uint32_t clash_field; /* a later one that implies another type (0: none) */
    uint32_t f_bits;
    uint64_t i;
    const char *s;
    tern_pb t;
    int has_t;
    size_t n_strings;
} attr_scan;

static tern_status scan_value(onnx_ctx *c, tern_pb *r, uint32_t f, int w, size_t at, attr_scan *a) {
    tern_status st;
    switch (f) {
    case A_F:
        st = onnx_want_wire(c, w, TERN_PB_FIXED32, "f", at);
        return st ? st : onnx_wrap(c, tern_pb_fixed32(r, &a->f_bits, c->err));
    case A_I: return onnx_read_varint(c, r, w, "i", at, &a->i);
    case A_S: return onnx_read_string(c, r, w, "s", at, &a->s);
    case A_T: a->has_t = 1; return onnx_read_sub(c, r, w, "t", at, &a->t);
    case A_STRINGS:
        a->n_strings++;
        st = onnx_want_wire(c, w, TERN_PB_LEN, "strings", at);
        return st ? st : onnx_wrap(c, tern_pb_skip(r, w, c->err));
    default: return onnx_wrap(c, tern_pb_skip(r, w, c->err));
    }
}

/* Remember which field holds the value; a second field of another kind
 * (an INT with floats, say) makes the attribute ambiguous. */
static void note_value_field(attr_scan *a, uint32_t f) {
    if (f >= sizeof TYPE_OF_FIELD || !TYPE_OF_FIELD[f]) return;
    if (!a->value_field)
        a->value_field = f;
    else if (TYPE_OF_FIELD[f] != TYPE_OF_FIELD[a->value_field] && !a->clash_field)
        a->clash_field = f;
}

static tern_status scan_attr(onnx_ctx *c, const tern_pb *msg, attr_scan *a) {
    tern_status st;
    uint32_t f;
    int w;
    tern_pb r = *msg;
    r.pos = r.start;
    memset(a, 0, sizeof *a);
    a->name = "";
    ONNX_FOR_FIELDS(c, &r, at, f, w) {
        if (f == A_NAME) {
            st = onnx_read_string(c, &r, w, "name", at, &a->name);
        } else if (f == A_TYPE) {
            a->has_type = 1;
            st = onnx_read_varint(c, &r, w, "type", at, &a->type);
        } else {
            if (f == A_REF_ATTR_NAME) a->has_ref = 1;
            note_value_field(a, f);
            st = scan_value(c, &r, f, w, at, a);
        }
        if (st) return st;
    }
    return TERN_OK;
}

/* The attribute's type: the declared one, which must agree with the field
 * its value is in (else the value would be read from an empty field as 0),
 * or for old files that leave `type` out, the one the value field implies. */
static tern_status settle_type(onnx_ctx *c, const tern_pb *msg, attr_scan *a, const char *label) {
    if (a->clash_field)
        return onnx_fail(c, msg->start, TERN_ERR_PARSE,
                         "attribute '%s' of %s has values in field %s and field %s", a->name,
                         label, FIELD_NAME[a->value_field], FIELD_NAME[a->clash_field]);
    uint64_t implied = a->value_field ? TYPE_OF_FIELD[a->value_field] : 0;
    if (!a->has_type || a->type == 0) {
        a->type = implied;
        return TERN_OK;
    }
    if (implied && implied != a->type)
        return onnx_fail(c, msg->start, TERN_ERR_PARSE,
                         "attribute '%s' of %s has type %s but its value is in field %s", a->name,
                         label, attr_type_name(a->type), FIELD_NAME[a->value_field]);
    return TERN_OK;
}

static tern_status read_tensor(onnx_ctx *c, const attr_scan *s, tern_attr *a) {
    if (!s->has_t) return onnx_fail(c, s->t.start, TERN_ERR_PARSE, "TENSOR attribute has no t");
    tern_tensor *t = tern_pool_alloc(c->pool, sizeof *t);
    if (!t) return onnx_fail(c, s->t.start, TERN_ERR_NOMEM, "out of memory");
    size_t old = onnx_path_push(c, ".t");
    const char *name;
    tern_status st = onnx_parse_tensor_msg(c, &s->t, t, &name);
    if (st) return st;
    onnx_path_pop(c, old);
    t->name = name;
    a->t = t;
    return TERN_OK;
}

static tern_status read_numbers(onnx_ctx *c, const tern_pb *msg, tern_attr *a) {
    int floats = a->type == TERN_ATTR_FLOATS;
    uint32_t field = floats ? A_FLOATS : A_INTS;
    tern_pb_kind kind = floats ? TERN_PB_KIND_FIXED32 : TERN_PB_KIND_VARINT;
    size_t elem = floats ? sizeof(float) : sizeof(int64_t), n;
    tern_status st = tern_pb_count_repeated(msg, field, kind, &n, c->err);
    if (st) return onnx_wrap(c, st);
    void *out = tern_pool_alloc_array(c->pool, n, elem);
    if (!out) return onnx_fail(c, msg->start, TERN_ERR_NOMEM, "out of memory");
    st = tern_pb_read_repeated(msg, field, kind, out, elem, n, c->err);
    if (st) return onnx_wrap(c, st);
    if (floats)
        a->floats = out;
    else
        a->ints = out;
    a->count = n;
    return TERN_OK;
}

static tern_status read_strings(onnx_ctx *c, const tern_pb *msg, size_t n, tern_attr *a) {
    const char **list = tern_pool_alloc_array(c->pool, n + 1, sizeof *list);
    if (!list) return onnx_fail(c, msg->start, TERN_ERR_NOMEM, "out of memory");
    tern_status st;
    uint32_t f;
    int w;
    tern_pb r = *msg;
    r.pos = r.start;
    size_t k = 0;
    ONNX_FOR_FIELDS(c, &r, at, f, w) {
        if (f == A_STRINGS && k < n)
            st = onnx_read_string(c, &r, w, "strings", at, &list[k++]);
        else
            st = onnx_wrap(c, tern_pb_skip(&r, w, c->err));
        if (st) return st;
    }
    a->strings = list;
    a->count = k;
    return TERN_OK;
}

tern_status onnx_parse_attr(onnx_ctx *c, const tern_pb *msg, tern_attr *a, const char *node_label) {
    attr_scan s;
    tern_status st = scan_attr(c, msg, &s);
    if (st) return st;
    memset(a, 0, sizeof *a);
    a->name = s.name;
    if (!s.name[0]) return onnx_fail(c, msg->start, TERN_ERR_PARSE, "attribute has no name");
    if (s.has_ref)
        return onnx_fail(c, msg->start, TERN_ERR_UNSUPPORTED,
                         "attribute '%s' of %s refers to a function attribute (ref_attr_name)",
                         s.name, node_label);
    st = settle_type(c, msg, &s, node_label);
    if (st) return st;
    a->type = (int)s.type;
    switch (s.type) {
    case TERN_ATTR_FLOAT: memcpy(&a->f, &s.f_bits, sizeof a->f); return TERN_OK;
    case TERN_ATTR_INT: a->i = (int64_t)s.i; return TERN_OK;
    case TERN_ATTR_STRING: a->s = s.s ? s.s : ""; return TERN_OK;
    case TERN_ATTR_TENSOR: return read_tensor(c, &s, a);
    case TERN_ATTR_FLOATS:
    case TERN_ATTR_INTS: return read_numbers(c, msg, a);
    case TERN_ATTR_STRINGS: return read_strings(c, msg, s.n_strings, a);
    case 0:
        return onnx_fail(c, msg->start, TERN_ERR_PARSE,
                         "attribute '%s' of %s has no type and no value", s.name, node_label);
    default:
        return onnx_fail(c, msg->start, TERN_ERR_UNSUPPORTED,
                         "attribute '%s' of %s has type %s (%llu), which is not supported", s.name,
                         node_label, attr_type_name(s.type), (unsigned long long)s.type);
    }
}
