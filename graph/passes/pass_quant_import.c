/* quant-import: uint8 becomes int8, once, when the session is created
 * (docs/quantization.md section 1). Always on: the integer kernels take
 * int8 only.
 *
 * For every op that carries quantized data (QuantizeLinear,
 * DequantizeLinear, the QLinear* ops, ConvInteger, MatMulInteger, QGemm,
 * and Pad, whose constant is a value of the data), each uint8 constant it
 * reads as data or zero point is replaced by its int8 twin (x ^ 0x80:
 * x - 128, the zero point moves by the same 128, so x - z and every real
 * value are unchanged), and a missing zero point of uint8 data (meaning 0)
 * becomes the int8 constant -128. Then every node downstream is inferred
 * again, so the uint8 activations those ops produce come out int8, and so
 * do the byte-moving ops after them (Reshape, Transpose, MaxPool: x ^ 0x80
 * keeps the order of values, so a max is still a max).
 *
 * Other ops cannot take the converted bytes (a Cast of them would read
 * x - 128); a uint8 activation reaching one, a uint8 graph input feeding a
 * quantized op, or a uint8 graph output made from converted data is a
 * clear error. */
#include <stdio.h>
#include <string.h>

#include "graph/op.h"
#include "graph/passes/passes.h"

/* (data input, zero point input) pairs and the output's zero point input. */
typedef struct qop_slots {
    const char *type;
    int pairs[2][2];
    int n_pairs;
    int out_zp;    /* -1: none */
    int triples;   /* QLinearConcat: (x, s, z) triples from input 2, out zp at 1 */
} qop_slots;

static const qop_slots SLOTS[] = {
    {"QuantizeLinear", {{0}}, 0, 2, 0},
    {"DequantizeLinear", {{0, 2}}, 1, -1, 0},
    {"QLinearConv", {{0, 2}, {3, 5}}, 2, 7, 0},
    {"QLinearMatMul", {{0, 2}, {3, 5}}, 2, 7, 0},
    {"ConvInteger", {{0, 2}, {1, 3}}, 2, -1, 0},
    {"MatMulInteger", {{0, 2}, {1, 3}}, 2, -1, 0},
    {"QLinearAdd", {{0, 2}, {3, 5}}, 2, 7, 0},
    {"QLinearMul", {{0, 2}, {3, 5}}, 2, 7, 0},
    {"QGemm", {{0, 2}, {3, 5}}, 2, 8, 0},
    {"QLinearGlobalAveragePool", {{0, 2}}, 1, 4, 0},
    {"QLinearAveragePool", {{0, 2}}, 1, 4, 0},
    {"QLinearSigmoid", {{0, 2}}, 1, 4, 0},
    {"QLinearLeakyRelu", {{0, 2}}, 1, 4, 0},
    {"QLinearConcat", {{0}}, 0, 1, 1},
    {"Pad", {{0, 2}}, 1, -1, 0},
};

/* Ops that move or select bytes (or take a max) and so run unchanged on
 * the converted data; they follow their input's type when re-inferred. */
static const char *const BYTE_OPS[] = {"DynamicQuantizeLinear", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose",
                                       "Identity", "MaxPool", "Slice", "Split", "Gather",
                                       "Concat", "Pad", "Relayout", "TransposeView", "Shape",
                                       "Size", NULL};

static const qop_slots *slots_of(const tern_node *n) {
    for (size_t i = 0; i < sizeof SLOTS / sizeof SLOTS[0]; i++)
        if (strcmp(n->op_type, SLOTS[i].type) == 0 && n->op && n->op == tern_op_find(SLOTS[i].type, n->op->domain))
            return &SLOTS[i];
    return NULL;
}

static int is_byte_op(const tern_node *n) {
    for (int i = 0; BYTE_OPS[i]; i++)
        if (strcmp(n->op_type, BYTE_OPS[i]) == 0) return 1;
    return 0;
}

typedef struct import_ctx {
    tern_graph *g;
    int *twin;    /* [n_tensors at start]: the int8 twin of a uint8 constant, or -1 */
    int n_twin;
    int minus128; /* the int8 constant -128, or -1 */
    int flipped;  /* constants converted */
    int added;    /* zero points added */
} import_ctx;

/* The int8 twin of uint8 constant t (made once per constant). */
static int twin_of(import_ctx *c, int t, tern_err *err) {
    if (t < c->n_twin && c->twin[t] >= 0) return c->twin[t];
    tern_graph *g = c->g;
    const tern_tensor *src = &g->tensors[t];
    int64_t ne = tern_tensor_numel(src);
    uint8_t *tmp = tern_pool_alloc(&g->pool, ne > 0 ? (size_t)ne : 1);
    if (!tmp) return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < ne; i++) tmp[i] = ((const uint8_t *)src->data)[i] ^ 0x80u;
    char name[256];
    snprintf(name, sizeof name, "%s.s8", src->name);
    int64_t dims[TERN_MAX_RANK];
    memcpy(dims, src->dims, sizeof dims);
    int nt = tern_add_const(g, name, TERN_INT8, src->rank, dims, tmp);
    if (nt < 0) return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    g->tensors[nt].from_u8 = 1;
    if (t < c->n_twin) c->twin[t] = nt;
    c->flipped++;
    return nt;
}

static int minus128(import_ctx *c, tern_err *err) {
    if (c->minus128 >= 0) return c->minus128;
    int8_t v = -128;
    c->minus128 = tern_add_const(c->g, "tern.zero_point_u8", TERN_INT8, 0, NULL, &v);
    if (c->minus128 < 0) return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    c->g->tensors[c->minus128].from_u8 = 1;
    return c->minus128;
}

/* Convert one (data, zero point) pair of ins[]: returns 1 if changed, 0
 * if not, negative status on error. data < 0 with zp given: an output's
 * zero point whose type is uint8 (default_u8: a missing one means uint8). */
static int convert_pair(import_ctx *c, const tern_node *n, int *ins, int d, int z,
                        int default_u8, tern_err *err) {
    tern_graph *g = c->g;
    int changed = 0;
    int is_u8;
    if (d >= 0) {
        if (ins[d] < 0) return 0;
        const tern_tensor *t = &g->tensors[ins[d]];
        is_u8 = t->dtype == TERN_UINT8;
        if (is_u8 && t->is_input && !t->data)
            return -(int)tern_errf(err, TERN_ERR_UNSUPPORTED,
                                   "uint8 graph input '%s' feeds %s '%s': tern runs 8-bit data "
                                   "as int8 inside; give the model a float or int8 input",
                                   t->name, n->op_type, n->name);
        if (is_u8 && t->data) {
            int tw = twin_of(c, ins[d], err);
            if (tw < 0) return tw;
            ins[d] = tw;
            changed = 1;
        }
    } else {
        is_u8 = ins[z] >= 0 ? g->tensors[ins[z]].dtype == TERN_UINT8 : default_u8;
    }
    if (!is_u8) return changed;
    if (ins[z] >= 0) {
        const tern_tensor *zt = &g->tensors[ins[z]];
        if (zt->dtype != TERN_UINT8 || !zt->data) return changed; /* infer reports it */
        int tw = twin_of(c, ins[z], err);
        if (tw < 0) return tw;
        ins[z] = tw;
    } else {
        int m = minus128(c, err);
        if (m < 0) return m;
        ins[z] = m;
        c->added++;
    }
    return 1;
}

/* DynamicQuantizeLinear makes uint8 at run time: it is told to make int8
 * instead (its y and y_zero_point, unless one is a graph output). */
static int convert_dynamic(import_ctx *c, int i, tern_err *err) {
    tern_graph *g = c->g;
    const tern_node *n = &g->nodes[i];
    for (int k = 0; k < n->n_outputs; k++)
        if (n->outputs[k] >= 0 && g->tensors[n->outputs[k]].is_output) return 0;
    tern_attr a = {.name = "tern_int8", .type = TERN_ATTR_INT, .i = 1};
    if (!tern_set_attr(g, i, &a)) return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    return 1;
}

/* Rewrite node i's inputs. 1 changed, 0 not, negative status. */
static int convert_node(import_ctx *c, int i, tern_err *err) {
    tern_graph *g = c->g;
    const tern_node *n = &g->nodes[i];
    if (tern_node_is(n, "DynamicQuantizeLinear")) return convert_dynamic(c, i, err);
    const qop_slots *s = slots_of(n);
    if (!s) return 0;
    int ins[TERN_MAX_NODE_IO + 1], count = n->n_inputs, need = count, rc, changed = 0;
    if (count > TERN_MAX_NODE_IO) return 0;
    for (int k = 0; k < s->n_pairs; k++) need = need > s->pairs[k][1] + 1 ? need : s->pairs[k][1] + 1;
    if (s->out_zp >= 0 && need < s->out_zp + 1) need = s->out_zp + 1;
    if (need > TERN_MAX_NODE_IO) return 0;
    for (int k = 0; k < need; k++) ins[k] = k < count ? n->inputs[k] : -1;
    for (int k = 0; k < s->n_pairs; k++) {
        if ((rc = convert_pair(c, n, ins, s->pairs[k][0], s->pairs[k][1], 0, err)) < 0) return rc;
        changed |= rc;
    }
    for (int k = 0; s->triples && 4 + 3 * k < count; k++) {
        if ((rc = convert_pair(c, n, ins, 2 + 3 * k, 4 + 3 * k, 0, err)) < 0) return rc;
        changed |= rc;
    }
    if (s->out_zp >= 0) {
        int default_u8 = 1;
        if (strcmp(s->type, "QuantizeLinear") == 0)
            default_u8 = tern_attr_int(n, "output_dtype", TERN_UINT8) == TERN_UINT8;
        if (strcmp(s->type, "QGemm") == 0 && (count < 8 || ins[7] < 0)) default_u8 = 0;
        if ((rc = convert_pair(c, n, ins, -1, s->out_zp, default_u8, err)) < 0) return rc;
        changed |= rc;
    }
    if (!changed) return 0;
    while (need > count && ins[need - 1] < 0) need--;
    if (!tern_set_inputs(g, i, ins, need))
        return -(int)tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    return 1;
}

/* Re-infer node i if it was rewritten or reads a converted tensor; mark
 * the outputs that changed type. */
static tern_status reinfer_node(tern_graph *g, int i, int touched, unsigned char *conv,
                                tern_err *err) {
    tern_node *n = &g->nodes[i];
    int reads = 0;
    for (int k = 0; k < n->n_inputs; k++)
        if (n->inputs[k] >= 0 && conv[n->inputs[k]]) reads = 1;
    if (!touched && !reads) return TERN_OK;
    if (reads && !slots_of(n) && !is_byte_op(n))
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "node '%s' (%s) reads 8-bit data that tern converts from uint8 to int8; "
                         "it can only run on integer ops and byte-moving ops",
                         n->name, n->op_type);
    tern_dtype before[TERN_MAX_NODE_IO];
    for (int k = 0; k < n->n_outputs && k < TERN_MAX_NODE_IO; k++)
        before[k] = n->outputs[k] >= 0 ? g->tensors[n->outputs[k]].dtype : TERN_UNDEFINED;
    tern_status st = tern_reinfer(g, i, err);
    if (st) return st;
    for (int k = 0; k < n->n_outputs && k < TERN_MAX_NODE_IO; k++) {
        int t = n->outputs[k];
        if (t < 0 || before[k] != TERN_UINT8 || g->tensors[t].dtype != TERN_INT8) continue;
        if (g->tensors[t].is_output)
            return tern_errf(err, TERN_ERR_UNSUPPORTED,
                             "graph output '%s' is uint8 data that tern runs as int8; end the "
                             "model with DequantizeLinear",
                             g->tensors[t].name);
        conv[t] = 1;
    }
    return TERN_OK;
}

tern_status tern_pass_quant_import(tern_graph *g, tern_pass_report *r, tern_err *err) {
    tern_report_begin(r, "quant-import", g);
    import_ctx c = {.g = g, .minus128 = -1, .n_twin = g->n_tensors};
    c.twin = tern_pool_alloc_array(&g->pool, (size_t)g->n_tensors + 1, sizeof(int));
    unsigned char *touched = tern_pool_alloc(&g->pool, (size_t)g->n_nodes + 1);
    if (!c.twin || !touched) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    for (int t = 0; t < g->n_tensors; t++) c.twin[t] = -1;
    int nodes = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        touched[i] = 0;
        if (g->nodes[i].dead) continue;
        int rc = convert_node(&c, i, err);
        if (rc < 0) return (tern_status)-rc;
        touched[i] = (unsigned char)rc;
        nodes += rc;
    }
    if (nodes) {
        /* tensors added above are constants; conv covers every tensor now */
        unsigned char *conv = tern_pool_alloc(&g->pool, (size_t)g->n_tensors + 1);
        if (!conv) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
        memset(conv, 0, (size_t)g->n_tensors + 1);
        for (int i = 0; i < g->n_nodes; i++) {
            if (g->nodes[i].dead) continue;
            tern_status st = reinfer_node(g, i, touched[i], conv, err);
            if (st) return st;
        }
    }
    r->changes = nodes;
    if (nodes)
        tern_report_note(r, "uint8 -> int8 (x ^ 0x80) on %d nodes: %d constants converted, %d zero "
                            "points added", nodes, c.flipped, c.added);
    else
        tern_report_note(r, "no uint8 data");
    tern_report_end(r, g);
    return TERN_OK;
}
