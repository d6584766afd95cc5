/* ModelProto -> tern_graph: the model header, then the graph in the order
 * that lets every name be resolved on the spot: initializers, graph inputs,
 * nodes, graph outputs (each a pass over the GraphProto, since a file may
 * interleave its fields). See loader/onnx.h. */
#include <limits.h>
#include <string.h>

#include "loader/onnx.h"
#include "loader/onnx_priv.h"

enum { M_IR_VERSION = 1, M_PRODUCER_NAME = 2, M_GRAPH = 7, M_OPSET_IMPORT = 8 };
enum { G_NODE = 1, G_NAME = 2, G_INITIALIZER = 5, G_INPUT = 11, G_OUTPUT = 12, G_SPARSE_INIT = 15 };
#define ONNX_MAX_NODE_ATTRS 1024

enum { N_INPUT = 1, N_OUTPUT = 2, N_NAME = 3, N_OP_TYPE = 4, N_ATTRIBUTE = 5, N_DOMAIN = 7 };

/* Called for each occurrence of one field; r is just past the key. */
typedef tern_status (*field_fn)(onnx_ctx *c, tern_pb *r, int wire, size_t at, int index);

/* Visit every occurrence of `field` in msg, in file order. */
static tern_status each_field(onnx_ctx *c, const tern_pb *msg, uint32_t field, field_fn fn) {
    tern_status st;
    uint32_t f;
    int w;
    tern_pb r = *msg;
    r.pos = r.start;
    int index = 0;
    ONNX_FOR_FIELDS(c, &r, at, f, w) {
        if (f == field)
            st = fn(c, &r, w, at, index++);
        else
            st = onnx_wrap(c, tern_pb_skip(&r, w, c->err));
        if (st) return st;
        if (index == INT_MAX / 2) return onnx_fail(c, at, TERN_ERR_PARSE, "too many fields");
    }
    return TERN_OK;
}

/* Occurrences of `field` in msg (any wire type; each visitor checks it). */
static tern_status count_field(onnx_ctx *c, const tern_pb *msg, uint32_t field, int *n) {
    tern_status st;
    uint32_t f;
    int w;
    tern_pb r = *msg;
    r.pos = r.start;
    *n = 0;
    ONNX_FOR_FIELDS(c, &r, at, f, w) {
        if (f == field && ++*n == INT_MAX / 2)
            return onnx_fail(c, at, TERN_ERR_PARSE, "too many fields");
        st = onnx_wrap(c, tern_pb_skip(&r, w, c->err));
        if (st) return st;
    }
    return TERN_OK;
}

/* ---- initializers ---- */

static tern_status visit_initializer(onnx_ctx *c, tern_pb *r, int w, size_t at, int i) {
    size_t old = onnx_path_push(c, ".initializer[%d]", i);
    tern_pb m;
    tern_tensor tmp;
    const char *name;
    tern_status st = onnx_read_sub(c, r, w, "initializer", at, &m);
    if (!st) st = onnx_parse_tensor_msg(c, &m, &tmp, &name);
    if (st) return st;
    if (!name[0]) return onnx_fail(c, at, TERN_ERR_PARSE, "initializer has no name");
    if (onnx_find(c, name) >= 0)
        return onnx_fail(c, at, TERN_ERR_PARSE, "initializer '%s' is defined twice", name);
    int t;
    st = onnx_add_tensor(c, name, at, &t);
    if (st) return st;
    tmp.name = c->g->tensors[t].name;
    c->g->tensors[t] = tmp;
    onnx_set_flag(c, t, ONNX_DEFINED | ONNX_INITIALIZER);
    onnx_path_pop(c, old);
    return TERN_OK;
}

static tern_status visit_sparse(onnx_ctx *c, tern_pb *r, int w, size_t at, int i) {
    (void)r;
    (void)w;
    onnx_path_push(c, ".sparse_initializer[%d]", i);
    return onnx_fail(c, at, TERN_ERR_UNSUPPORTED, "sparse initializers are not supported");
}

/* ---- graph inputs and outputs ---- */

static void copy_type(tern_tensor *dst, const tern_tensor *src) {
    dst->dtype = src->dtype;
    dst->rank = src->rank;
    memcpy(dst->dims, src->dims, sizeof dst->dims);
    memcpy(dst->dim_param, src->dim_param, sizeof dst->dim_param);
}

static tern_status visit_input(onnx_ctx *c, tern_pb *r, int w, size_t at, int i) {
    size_t old = onnx_path_push(c, ".input[%d]", i);
    tern_pb m;
    tern_tensor shape;
    const char *name;
    int has_type;
    tern_status st = onnx_read_sub(c, r, w, "input", at, &m);
    if (!st) st = onnx_parse_value_info(c, &m, &name, &shape, &has_type);
    if (st) return st;
    if (!name[0]) return onnx_fail(c, at, TERN_ERR_PARSE, "graph input has no name");
    int t = onnx_find(c, name);
    if (t >= 0 && (onnx_flags(c, t) & ONNX_LISTED_INPUT))
        return onnx_fail(c, at, TERN_ERR_PARSE, "graph input '%s' is listed twice", name);
    if (t >= 0) {
        /* old exporters list initializers as inputs too: those are constants */
        onnx_set_flag(c, t, ONNX_LISTED_INPUT);
        onnx_path_pop(c, old);
        return TERN_OK;
    }
    if (!has_type)
        return onnx_fail(c, at, TERN_ERR_UNSUPPORTED, "graph input '%s' has no tensor type", name);
    st = onnx_add_tensor(c, name, at, &t);
    if (st) return st;
    tern_tensor *tt = &c->g->tensors[t];
    copy_type(tt, &shape);
    tt->is_input = 1;
    onnx_set_flag(c, t, ONNX_DEFINED | ONNX_LISTED_INPUT);
    c->g->inputs[c->g->n_inputs++] = t;
    onnx_path_pop(c, old);
    return TERN_OK;
}

static tern_status visit_output(onnx_ctx *c, tern_pb *r, int w, size_t at, int i) {
    size_t old = onnx_path_push(c, ".output[%d]", i);
    tern_pb m;
    tern_tensor shape;
    const char *name;
    int has_type;
    tern_status st = onnx_read_sub(c, r, w, "output", at, &m);
    if (!st) st = onnx_parse_value_info(c, &m, &name, &shape, &has_type);
    if (st) return st;
    if (!name[0]) return onnx_fail(c, at, TERN_ERR_PARSE, "graph output has no name");
    int t = onnx_find(c, name);
    unsigned fl = onnx_flags(c, t);
    if (t < 0 || !(fl & ONNX_DEFINED))
        return onnx_fail(c, at, TERN_ERR_PARSE,
                         "graph output '%s' is not produced by any node and is not a graph input "
                         "or initializer",
                         name);
    if (fl & ONNX_LISTED_OUTPUT)
        return onnx_fail(c, at, TERN_ERR_PARSE, "graph output '%s' is listed twice", name);
    tern_tensor *tt = &c->g->tensors[t];
    /* the file's type and shape of a computed output, as a hint for checks;
     * inputs and constants keep their own */
    if (has_type && !tt->is_input && !tt->data) copy_type(tt, &shape);
    tt->is_output = 1;
    onnx_set_flag(c, t, ONNX_LISTED_OUTPUT);
    c->g->outputs[c->g->n_outputs++] = t;
    onnx_path_pop(c, old);
    return TERN_OK;
}

/* ---- nodes ---- */

typedef struct node_scan {
    const char *name, *op_type, *domain;
    int n_in, n_out, n_attr;
} node_scan;

static tern_status count_list(onnx_ctx *c, tern_pb *r, int w, size_t at, const char *field,
                              int *n) {
    tern_status st = onnx_want_wire(c, w, TERN_PB_LEN, field, at);
    if (!st) st = onnx_wrap(c, tern_pb_skip(r, w, c->err));
    if (!st && ++*n == INT_MAX / 2) st = onnx_fail(c, at, TERN_ERR_PARSE, "too many %s", field);
    return st;
}

static tern_status scan_node(onnx_ctx *c, const tern_pb *msg, node_scan *s) {
    tern_status st;
    uint32_t f;
    int w;
    tern_pb r = *msg;
    r.pos = r.start;
    memset(s, 0, sizeof *s);
    s->name = s->op_type = s->domain = "";
    ONNX_FOR_FIELDS(c, &r, at, f, w) {
        switch (f) {
        case N_INPUT: st = count_list(c, &r, w, at, "input", &s->n_in); break;
        case N_OUTPUT: st = count_list(c, &r, w, at, "output", &s->n_out); break;
        case N_ATTRIBUTE: st = count_list(c, &r, w, at, "attribute", &s->n_attr); break;
        case N_NAME: st = onnx_read_string(c, &r, w, "name", at, &s->name); break;
        case N_OP_TYPE: st = onnx_read_string(c, &r, w, "op_type", at, &s->op_type); break;
        case N_DOMAIN: st = onnx_read_string(c, &r, w, "domain", at, &s->domain); break;
        default: st = onnx_wrap(c, tern_pb_skip(&r, w, c->err)); break;
        }
        if (st) return st;
    }
    if (strcmp(s->domain, "ai.onnx") == 0) s->domain = "";
    return TERN_OK;
}

/* A node input: "" is an absent optional input; a name not seen yet may be
 * produced by a later node (files need not be sorted) or dangle, which
 * tern_graph_toposort reports. */
static tern_status node_input(onnx_ctx *c, const char *name, size_t at, int *index) {
    *index = -1;
    if (!name[0]) return TERN_OK;
    *index = onnx_find(c, name);
    if (*index >= 0) return TERN_OK;
    return onnx_add_tensor(c, name, at, index);
}

static tern_status node_output(onnx_ctx *c, const char *name, size_t at, int *index) {
    *index = -1;
    if (!name[0]) return TERN_OK;
    int t = onnx_find(c, name);
    if (t >= 0 && (onnx_flags(c, t) & ONNX_DEFINED))
        return onnx_fail(c, at, TERN_ERR_PARSE,
                         "output '%s' is already defined (by another node, an initializer or a "
                         "graph input)",
                         name);
    if (t < 0) {
        tern_status st = onnx_add_tensor(c, name, at, &t);
        if (st) return st;
    }
    onnx_set_flag(c, t, ONNX_DEFINED);
    *index = t;
    return TERN_OK;
}

static tern_status node_attr(onnx_ctx *c, tern_pb *r, int w, size_t at, tern_attr *attrs, int k,
                             const char *label) {
    size_t old = onnx_path_push(c, ".attribute[%d]", k);
    tern_pb m;
    tern_status st = onnx_read_sub(c, r, w, "attribute", at, &m);
    if (!st) st = onnx_parse_attr(c, &m, &attrs[k], label);
    if (st) return st;
    for (int j = 0; j < k; j++)
        if (strcmp(attrs[j].name, attrs[k].name) == 0)
            return onnx_fail(c, at, TERN_ERR_PARSE, "attribute '%s' of %s is given twice",
                             attrs[k].name, label);
    onnx_path_pop(c, old);
    return TERN_OK;
}

/* Second pass over a node: resolve names, parse attributes. */
static tern_status fill_node(onnx_ctx *c, const tern_pb *msg, int ni, tern_attr *attrs, int n_attrs,
                             const char *label) {
    tern_status st;
    uint32_t f;
    int w;
    tern_pb r = *msg;
    r.pos = r.start;
    int ki = 0, ko = 0, ka = 0;
    ONNX_FOR_FIELDS(c, &r, at, f, w) {
        const char *name;
        tern_node *n = &c->g->nodes[ni];
        /* the first pass counted these same fields; the guards only make
         * that visible */
        if (f == N_INPUT && ki < n->n_inputs) {
            st = onnx_read_string(c, &r, w, "input", at, &name);
            if (!st) st = node_input(c, name, at, &n->inputs[ki++]);
        } else if (f == N_OUTPUT && ko < n->n_outputs) {
            st = onnx_read_string(c, &r, w, "output", at, &name);
            if (!st) st = node_output(c, name, at, &n->outputs[ko++]);
        } else if (f == N_ATTRIBUTE && ka < n_attrs) {
            st = node_attr(c, &r, w, at, attrs, ka++, label);
        } else {
            st = onnx_wrap(c, tern_pb_skip(&r, w, c->err));
        }
        if (st) return st;
    }
    return TERN_OK;
}

static tern_status visit_node(onnx_ctx *c, tern_pb *r, int w, size_t at, int i) {
    size_t old = onnx_path_push(c, ".node[%d]", i);
    tern_pb m;
    node_scan s;
    tern_status st = onnx_read_sub(c, r, w, "node", at, &m);
    if (!st) st = scan_node(c, &m, &s);
    if (st) return st;
    if (!s.op_type[0]) return onnx_fail(c, at, TERN_ERR_PARSE, "node has no op_type");
    /* real ops have a handful; the cap keeps the duplicate check cheap */
    if (s.n_attr > ONNX_MAX_NODE_ATTRS)
        return onnx_fail(c, at, TERN_ERR_UNSUPPORTED, "node has %d attributes (at most %d)",
                         s.n_attr, ONNX_MAX_NODE_ATTRS);
    int ni = tern_graph_add_node(c->g, s.op_type, s.domain, s.name, s.n_in, s.n_out);
    tern_attr *attrs = tern_pool_alloc_array(c->pool, (size_t)s.n_attr + 1, sizeof *attrs);
    if (ni < 0 || !attrs) return onnx_fail(c, at, TERN_ERR_NOMEM, "out of memory adding a node");
    char label[160];
    tern_node_label(c->g, ni, label, sizeof label);
    st = fill_node(c, &m, ni, attrs, s.n_attr, label);
    if (st) return st;
    c->g->nodes[ni].attrs = attrs;
    c->g->nodes[ni].n_attrs = s.n_attr;
    onnx_path_pop(c, old);
    return TERN_OK;
}

/* ---- graph ---- */

static tern_status read_graph_name(onnx_ctx *c, tern_pb *r, int w, size_t at, int i) {
    (void)i;
    return onnx_read_string(c, r, w, "name", at, &c->g->name);
}

static tern_status alloc_io(onnx_ctx *c, const tern_pb *graph) {
    int n_in, n_out;
    tern_status st = count_field(c, graph, G_INPUT, &n_in);
    if (!st) st = count_field(c, graph, G_OUTPUT, &n_out);
    if (st) return st;
    c->g->inputs = tern_pool_alloc_array(c->pool, (size_t)n_in + 1, sizeof(int));
    c->g->outputs = tern_pool_alloc_array(c->pool, (size_t)n_out + 1, sizeof(int));
    if (!c->g->inputs || !c->g->outputs)
        return onnx_fail(c, graph->start, TERN_ERR_NOMEM, "out of memory");
    return TERN_OK;
}

static tern_status parse_graph(onnx_ctx *c, const tern_pb *graph) {
    size_t old = onnx_path_push(c, "graph");
    tern_status st = alloc_io(c, graph);
    if (!st) st = each_field(c, graph, G_NAME, read_graph_name);
    if (!st) st = each_field(c, graph, G_SPARSE_INIT, visit_sparse);
    if (!st) st = each_field(c, graph, G_INITIALIZER, visit_initializer);
    if (!st) st = each_field(c, graph, G_INPUT, visit_input);
    if (!st) st = each_field(c, graph, G_NODE, visit_node);
    if (!st) st = each_field(c, graph, G_OUTPUT, visit_output);
    if (st) return st;
    if (c->g->n_outputs == 0)
        return onnx_fail(c, graph->start, TERN_ERR_PARSE, "graph has no outputs");
    onnx_path_pop(c, old);
    return TERN_OK;
}

/* ---- model ---- */

typedef struct model_scan {
    tern_pb graph;
    int n_graphs;
    int has_onnx_opset;
    int has_ms_opset;
} model_scan;

/* OperatorSetIdProto: domain = 1, version = 2 */
static tern_status parse_opset(onnx_ctx *c, tern_pb *r, model_scan *ms) {
    tern_status st;
    uint32_t f;
    int w;
    const char *domain = "";
    uint64_t version = 0;
    size_t start = r->start;
    ONNX_FOR_FIELDS(c, r, at, f, w) {
        if (f == 1)
            st = onnx_read_string(c, r, w, "domain", at, &domain);
        else if (f == 2)
            st = onnx_read_varint(c, r, w, "version", at, &version);
        else
            st = onnx_wrap(c, tern_pb_skip(r, w, c->err));
        if (st) return st;
    }
    int *seen = NULL;
    int64_t *slot = NULL;
    if (!domain[0] || strcmp(domain, "ai.onnx") == 0) {
        seen = &ms->has_onnx_opset;
        slot = &c->g->opset;
    } else if (strcmp(domain, "com.microsoft") == 0) {
        seen = &ms->has_ms_opset;
        slot = &c->g->opset_ms;
    } else {
        return TERN_OK; /* other domains: their nodes fail later, by op name */
    }
    if (*seen)
        return onnx_fail(c, start, TERN_ERR_PARSE, "opset of domain '%s' is imported twice",
                         domain);
    if (version == 0 || version > INT32_MAX)
        return onnx_fail(c, start, TERN_ERR_PARSE, "opset version %llu of domain '%s' is invalid",
                         (unsigned long long)version, domain);
    int64_t newest = slot == &c->g->opset ? TERN_ONNX_OPSET_MAX : TERN_MS_OPSET_MAX;
    if ((int64_t)version > newest)
        return onnx_fail(c, start, TERN_ERR_UNSUPPORTED,
                         "opset %llu of domain '%s' is newer than the newest tern knows (%lld)",
                         (unsigned long long)version, domain[0] ? domain : "ai.onnx",
                         (long long)newest);
    *seen = 1;
    *slot = (int64_t)version;
    return TERN_OK;
}

static tern_status model_field(onnx_ctx *c, tern_pb *r, uint32_t f, int w, size_t at,
                               model_scan *ms, int *n_opsets) {
    uint64_t v;
    tern_status st;
    switch (f) {
    case M_IR_VERSION:
        st = onnx_read_varint(c, r, w, "ir_version", at, &v);
        c->g->ir_version = (int64_t)v;
        return st;
    case M_PRODUCER_NAME: return onnx_read_string(c, r, w, "producer_name", at, &c->g->producer);
    case M_GRAPH: {
        size_t old = onnx_path_push(c, "graph");
        ms->n_graphs++;
        st = onnx_read_sub(c, r, w, "graph", at, &ms->graph);
        if (!st) onnx_path_pop(c, old);
        return st;
    }
    case M_OPSET_IMPORT: {
        tern_pb o;
        size_t old = onnx_path_push(c, "opset_import[%d]", (*n_opsets)++);
        st = onnx_read_sub(c, r, w, "opset_import", at, &o);
        if (!st) st = parse_opset(c, &o, ms);
        if (!st) onnx_path_pop(c, old);
        return st;
    }
    default: return onnx_wrap(c, tern_pb_skip(r, w, c->err));
    }
}

static tern_status parse_model(onnx_ctx *c, tern_pb *r) {
    tern_status st;
    uint32_t f;
    int w;
    model_scan ms;
    memset(&ms, 0, sizeof ms);
    int n_opsets = 0;
    ONNX_FOR_FIELDS(c, r, at, f, w) {
        st = model_field(c, r, f, w, at, &ms, &n_opsets);
        if (st) return st;
    }
    if (ms.n_graphs != 1)
        return onnx_fail(c, r->end, TERN_ERR_PARSE, "model has %s graph (field 7)",
                         ms.n_graphs ? "more than one" : "no");
    st = parse_graph(c, &ms.graph);
    if (st) return st;
    for (int i = 0; i < c->g->n_nodes && !ms.has_onnx_opset; i++)
        if (!c->g->nodes[i].domain[0])
            return onnx_fail(c, 0, TERN_ERR_PARSE,
                             "model has ai.onnx nodes but no opset_import for that domain");
    return TERN_OK;
}

tern_status tern_onnx_load(const uint8_t *buf, size_t len, const char *base_dir, tern_graph *g,
                           tern_err *err) {
    if (!g) return tern_errf(err, TERN_ERR_INVALID_ARG, "tern_onnx_load: no graph");
    tern_graph_init(g);
    if (!buf && len) return tern_errf(err, TERN_ERR_INVALID_ARG, "tern_onnx_load: no buffer");
    onnx_ctx c;
    onnx_ctx_init(&c, g, &g->pool, base_dir, err);
    tern_pb r;
    tern_pb_init(&r, buf, len);
    tern_status st = parse_model(&c, &r);
    onnx_ctx_free(&c);
    /* (a graph of constants only has nothing to sort; toposort would
     * memcpy from a NULL node array) */
    if (!st && g->n_nodes > 0) st = tern_graph_toposort(g, err);
    if (st) tern_graph_free(g);
    return st;
}
