/* tern_graph -> ONNX protobuf. Field numbers are onnx.proto's (ModelProto,
 * GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto). */
#include "loader/onnx_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void write_tensor(tern_pbw *w, const tern_tensor *t) {
    for (int i = 0; i < t->rank; i++) tern_pbw_int(w, 1, t->dims[i]);
    tern_pbw_int(w, 2, t->dtype);
    tern_pbw_str(w, 8, t->name ? t->name : "");
    size_t bytes = tern_tensor_bytes(t);
    tern_pbw_bytes(w, 9, t->data, t->data ? bytes : 0);
}

static void write_attr(tern_pbw *w, const tern_attr *a) {
    tern_pbw_str(w, 1, a->name);
    tern_pbw_int(w, 20, a->type);
    switch (a->type) {
    case TERN_ATTR_FLOAT: tern_pbw_float(w, 2, a->f); break;
    case TERN_ATTR_INT: tern_pbw_int(w, 3, a->i); break;
    case TERN_ATTR_STRING: tern_pbw_str(w, 4, a->s ? a->s : ""); break;
    case TERN_ATTR_TENSOR:
        if (a->t) {
            tern_pbw sub = {0};
            write_tensor(&sub, a->t);
            tern_pbw_msg(w, 5, &sub);
        }
        break;
    case TERN_ATTR_FLOATS:
        for (size_t i = 0; i < a->count; i++) tern_pbw_float(w, 7, a->floats[i]);
        break;
    case TERN_ATTR_INTS:
        for (size_t i = 0; i < a->count; i++) tern_pbw_int(w, 8, a->ints[i]);
        break;
    case TERN_ATTR_STRINGS:
        for (size_t i = 0; i < a->count; i++) tern_pbw_str(w, 9, a->strings[i]);
        break;
    default: break;
    }
}

static const char *tname(const tern_graph *g, int t) {
    return t < 0 ? "" : g->tensors[t].name;
}

static void write_node(tern_pbw *w, const tern_graph *g, const tern_node *n) {
    for (int i = 0; i < n->n_inputs; i++) tern_pbw_str(w, 1, tname(g, n->inputs[i]));
    for (int i = 0; i < n->n_outputs; i++) tern_pbw_str(w, 2, tname(g, n->outputs[i]));
    if (n->name && n->name[0]) tern_pbw_str(w, 3, n->name);
    tern_pbw_str(w, 4, n->op_type);
    for (int i = 0; i < n->n_attrs; i++) {
        tern_pbw a = {0};
        write_attr(&a, &n->attrs[i]);
        tern_pbw_msg(w, 5, &a);
    }
    if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx")) tern_pbw_str(w, 7, n->domain);
}

/* ValueInfoProto: name, type { tensor_type { elem_type, shape { dim* } } } */
static void write_value_info(tern_pbw *w, const tern_tensor *t) {
    tern_pbw_str(w, 1, t->name);
    if (t->dtype == TERN_UNDEFINED) return;
    tern_pbw tt = {0}, ty = {0};
    tern_pbw_int(&tt, 1, t->dtype);
    if (t->rank >= 0) {
        tern_pbw shape = {0};
        for (int i = 0; i < t->rank; i++) {
            tern_pbw d = {0};
            if (t->dims[i] >= 0) tern_pbw_int(&d, 1, t->dims[i]);
            else if (t->dim_param[i]) tern_pbw_str(&d, 2, t->dim_param[i]);
            tern_pbw_msg(&shape, 1, &d);
        }
        tern_pbw_msg(&tt, 2, &shape);
    }
    tern_pbw_msg(&ty, 1, &tt);
    tern_pbw_msg(w, 2, &ty);
}

/* Initializers: constants read by a live node or named as graph outputs. */
static tern_status write_initializers(tern_pbw *gw, const tern_graph *g, tern_err *err) {
    unsigned char *used = calloc((size_t)g->n_tensors + 1, 1);
    if (!used) return tern_errf(err, TERN_ERR_NOMEM, "out of memory writing ONNX");
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        if (n->dead) continue;
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] >= 0) used[n->inputs[k]] = 1;
    }
    for (int k = 0; k < g->n_outputs; k++) used[g->outputs[k]] = 1;
    for (int t = 0; t < g->n_tensors; t++) {
        const tern_tensor *x = &g->tensors[t];
        if (!used[t] || !x->data || x->is_input) continue;
        tern_pbw sub = {0};
        write_tensor(&sub, x);
        tern_pbw_msg(gw, 5, &sub);
    }
    free(used);
    return TERN_OK;
}

static tern_status write_graph(tern_pbw *gw, const tern_graph *g, tern_err *err) {
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].dead) continue;
        tern_pbw n = {0};
        write_node(&n, g, &g->nodes[i]);
        tern_pbw_msg(gw, 1, &n);
    }
    tern_pbw_str(gw, 2, g->name && g->name[0] ? g->name : "tern");
    tern_status st = write_initializers(gw, g, err);
    if (st != TERN_OK) return st;
    for (int k = 0; k < g->n_inputs; k++) {
        tern_pbw vi = {0};
        write_value_info(&vi, &g->tensors[g->inputs[k]]);
        tern_pbw_msg(gw, 11, &vi);
    }
    for (int k = 0; k < g->n_outputs; k++) {
        tern_pbw vi = {0};
        write_value_info(&vi, &g->tensors[g->outputs[k]]);
        tern_pbw_msg(gw, 12, &vi);
    }
    return TERN_OK;
}

static void opset(tern_pbw *m, const char *domain, int64_t version) {
    tern_pbw op = {0};
    tern_pbw_str(&op, 1, domain);
    tern_pbw_int(&op, 2, version);
    tern_pbw_msg(m, 8, &op);
}

tern_status tern_onnx_write(const tern_graph *g, tern_pbw *out, tern_err *err) {
    memset(out, 0, sizeof *out);
    tern_pbw gw = {0};
    tern_status st = write_graph(&gw, g, err);
    if (st != TERN_OK) {
        tern_pbw_free(&gw);
        return st;
    }
    /* IR version 7 is the first that ONNX Runtime accepts with opset 13 */
    tern_pbw_int(out, 1, g->ir_version >= 7 ? g->ir_version : 7);
    tern_pbw_str(out, 2, "tern");
    opset(out, "", g->opset > 0 ? g->opset : 13);
    if (g->opset_ms > 0) opset(out, "com.microsoft", g->opset_ms);
    tern_pbw_msg(out, 7, &gw);
    if (out->oom) {
        tern_pbw_free(out);
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory writing ONNX");
    }
    return TERN_OK;
}

tern_status tern_onnx_write_file(const tern_graph *g, const char *path, tern_err *err) {
    tern_pbw w;
    tern_status st = tern_onnx_write(g, &w, err);
    if (st != TERN_OK) return st;
    FILE *f = fopen(path, "wb");
    if (!f) {
        tern_pbw_free(&w);
        return tern_errf(err, TERN_ERR_IO, "cannot write %s", path);
    }
    size_t put = fwrite(w.b, 1, w.n, f);
    int bad = put != w.n || ferror(f);
    bad |= fclose(f) != 0;
    tern_pbw_free(&w);
    return bad ? tern_errf(err, TERN_ERR_IO, "cannot write %s", path) : TERN_OK;
}
