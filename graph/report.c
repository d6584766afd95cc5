/* tern_session_report: what `tern info` prints, as text or JSON. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "graph/budget.h"
#include "graph/model.h"
#include "graph/op.h"
#include "graph/report_counts.h"
#include "graph/session.h"

typedef struct {
    char *buf;
    size_t cap, len;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) TERN_PRINTF(2, 3);
static void put(sbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *dst = b->len < b->cap ? b->buf + b->len : NULL;
    size_t room = b->len < b->cap ? b->cap - b->len : 0;
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0) b->len += (size_t)n;
}

/* A name from the file, printable: control characters (a newline would
 * break the layout, an escape sequence the terminal) become '?'. */
static const char *printable(const char *s, char *buf, size_t cap) {
    size_t n = 0;
    for (; s && *s && n + 1 < cap; s++) buf[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    buf[n] = 0;
    return buf;
}

/* JSON string: escape quotes, backslashes and control characters. */
static void put_json_str(sbuf *b, const char *s) {
    put(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') put(b, "\\%c", c);
        else if (c < 0x20) put(b, "\\u%04x", c);
        else put(b, "%c", c);
    }
    put(b, "\"");
}

static void put_dims(sbuf *b, const tern_tensor *t, const tern_tensor *model_t, int json) {
    put(b, "[");
    for (int i = 0; i < t->rank; i++) {
        const char *sym = model_t && model_t->dims[i] < 0 ? model_t->dim_param[i] : NULL;
        if (sym && !json) put(b, "%s%s=%lld", i ? "," : "", sym, (long long)t->dims[i]);
        else put(b, "%s%lld", i ? "," : "", (long long)t->dims[i]);
    }
    put(b, "]");
}

typedef struct {
    const char *name;
    int count;
} op_count;

/* Histogram of "domain:op" (+ fused activation) over live nodes. */
static int histogram(const tern_graph *g, op_count *h, int cap, char names[][48]) {
    int n = 0;
    static const char *const acts[] = {"", "Relu", "Clip", "HardSigmoid", "HardSwish",
                                       "Sigmoid", "SiLU", "LeakyRelu", "Tanh"};
    for (int i = 0; i < g->n_nodes && n < cap; i++) {
        const tern_node *nd = &g->nodes[i];
        char key[48];
        int ak = (int)nd->act.kind;
        /* internal ops (layout copies, free transposes) go by their own name */
        int internal = nd->op && strcmp(nd->op->domain, "tern.internal") == 0;
        const char *dom = internal ? "" : nd->domain, *type = internal ? nd->op->type : nd->op_type;
        snprintf(key, sizeof key, "%s%s%s%s%s", dom[0] ? dom : "", dom[0] ? ":" : "", type,
                 ak ? "+" : "",
                 ak > 0 && ak < 9 ? acts[ak] : "");
        int j = 0;
        while (j < n && strcmp(h[j].name, key) != 0) j++;
        if (j == n) {
            snprintf(names[n], 48, "%s", key);
            h[n].name = names[n];
            h[n].count = 0;
            n++;
        }
        h[j].count++;
    }
    return n;
}

/* A count from graph/report_counts.c as text: the number, or "overflow". */
static const char *count_text(int64_t v, char *buf, size_t cap) {
    if (v == TERN_COUNT_OVERFLOW)
        snprintf(buf, cap, "overflow (more than %lld)", (long long)INT64_MAX);
    else
        snprintf(buf, cap, "%lld", (long long)v);
    return buf;
}

static void io_list(sbuf *b, const tern_session *s, const int *list, int n, int json) {
    const tern_graph *g = &s->c.g, *mg = &s->model->graph;
    for (int k = 0; k < n; k++) {
        const tern_tensor *t = &g->tensors[list[k]];
        /* a session's graph is a clone: its tensors keep the model's
         * numbers (passes only append), so look there before searching */
        int mi = list[k] < mg->n_tensors && strcmp(mg->tensors[list[k]].name, t->name) == 0
                     ? list[k]
                     : tern_graph_find_tensor(mg, t->name);
        const tern_tensor *mt = mi >= 0 ? &mg->tensors[mi] : NULL;
        if (json) {
            put(b, "%s{\"name\":", k ? "," : "");
            put_json_str(b, t->name);
            put(b, ",\"dtype\":\"%s\",\"shape\":", tern_dtype_name(t->dtype));
            put_dims(b, t, mt, 1);
            put(b, "}");
        } else {
            char nb[256];
            put(b, "  %-24s %-8s ", printable(t->name, nb, sizeof nb), tern_dtype_name(t->dtype));
            put_dims(b, t, mt, 0);
            put(b, "\n");
        }
    }
}

static void quant_report(sbuf *b, const tern_session *s, int json);

static void text_report(sbuf *b, const tern_session *s, unsigned what) {
    const tern_graph *g = &s->c.g, *mg = &s->model->graph;
    op_count h[256];
    char names[256][48];
    char nb[256], pb[256];
    put(b, "model:     %s (producer %s, ir_version %lld)\n", printable(mg->name, nb, sizeof nb),
        mg->producer && mg->producer[0] ? printable(mg->producer, pb, sizeof pb) : "unknown",
        (long long)mg->ir_version);
    put(b, "opset:     ai.onnx %lld", (long long)mg->opset);
    if (mg->opset_ms) put(b, ", com.microsoft %lld", (long long)mg->opset_ms);
    put(b, "\ninputs:\n");
    io_list(b, s, g->inputs, g->n_inputs, 0);
    put(b, "outputs:\n");
    io_list(b, s, g->outputs, g->n_outputs, 0);
    int nh = histogram(mg, h, 256, names);
    put(b, "ops in the file (%d nodes):\n", mg->n_nodes);
    for (int i = 0; i < nh; i++)
        put(b, "  %-28s %d\n", printable(h[i].name, nb, sizeof nb), h[i].count);
    nh = histogram(g, h, 256, names);
    put(b, "ops after passes (%d nodes):\n", g->n_nodes);
    for (int i = 0; i < nh; i++)
        put(b, "  %-28s %d\n", printable(h[i].name, nb, sizeof nb), h[i].count);
    char cb[64];
    put(b, "parameters: %s (elements of float initializers, scalars excluded)\n",
        count_text(tern_count_params(mg), cb, sizeof cb));
    put(b, "MACs:       %s (Conv, Gemm, MatMul; batch %lld)\n",
        count_text(tern_count_macs(g), cb, sizeof cb),
        g->n_inputs && g->tensors[g->inputs[0]].rank > 0 ? (long long)g->tensors[g->inputs[0]].dims[0] : 1LL);
    put(b, "arena:      %zu bytes (peak of live tensors %zu, %.1f%% over; %zu without reuse)\n",
        s->c.arena_size, s->c.peak_bytes,
        s->c.peak_bytes ? 100.0 * ((double)s->c.arena_size / (double)s->c.peak_bytes - 1.0) : 0.0,
        s->c.sum_bytes);
    if (s->c.plan_first_fit)
        put(b, "            (planned by first fit: too many tensors live at once for the "
               "greedy search)\n");
    const tern_graph *cg = &s->c.g;
    put(b, "memory:     %zu bytes (arena %zu + folded constants %zu + packed weights/tables %zu)",
        tern_budget_used(cg, s->c.arena_size), s->c.arena_size, cg->const_bytes, cg->packed_bytes);
    put(b, " of a budget of ");
    if (cg->max_memory) put(b, "%zu bytes\n", cg->max_memory);
    else put(b, "no limit\n");
    if (what & TERN_REPORT_PASSES) {
        put(b, "passes:\n");
        for (int i = 0; i < s->c.n_reports; i++) {
            const tern_pass_report *r = &s->c.reports[i];
            put(b, "  %-26s %4d -> %4d nodes  %s\n", r->name ? r->name : "?", r->nodes_before,
                r->nodes_after, r->detail);
        }
    }
    if (what & TERN_REPORT_QUANT) quant_report(b, s, 0);
}

/* ---- tern info --quant: which nodes run INT8, which float ---- */

typedef enum { QK_FLOAT, QK_INT8, QK_CONVERT } quant_kind;

static quant_kind quant_kind_of(const tern_graph *g, const tern_node *n) {
    static const char *const conv[] = {"QuantizeLinear", "DequantizeLinear",
                                       "DynamicQuantizeLinear", NULL};
    for (int i = 0; conv[i]; i++)
        if (!strcmp(n->op_type, conv[i])) return QK_CONVERT;
    /* integer ops make int8/int32 outputs from 8-bit inputs; byte ops on
     * int8 data (Reshape, MaxPool, Pad, Relayout...) stay integer too */
    for (int k = 0; k < n->n_inputs; k++) {
        int t = n->inputs[k];
        if (t >= 0 && !g->tensors[t].data &&
            (g->tensors[t].dtype == TERN_INT8 || g->tensors[t].dtype == TERN_UINT8))
            return QK_INT8;
    }
    return QK_FLOAT;
}

static void put_qparams(sbuf *b, const tern_qparams *q, int json) {
    if (json) {
        put(b, ",\"scale\":%.9g,\"zero_point\":%d,\"channels\":%d,\"from_uint8\":%s",
            (double)q->scale[0], (int)q->zero_point[0], q->count, q->from_u8 ? "true" : "false");
        return;
    }
    if (q->count > 1) put(b, "  %d scales on axis %d", q->count, q->axis);
    else put(b, "  s=%.6g z=%d", (double)q->scale[0], (int)q->zero_point[0]);
    if (q->from_u8) put(b, " (uint8 in the file)");
}

static void quant_report(sbuf *b, const tern_session *s, int json) {
    const tern_graph *g = &s->c.g;
    int count[3] = {0, 0, 0};
    static const char *const kind_name[3] = {"float", "int8", "convert"};
    char nb[256];
    if (json) put(b, ",\"quant\":[");
    else put(b, "quantization (node, where it runs, output parameters):\n");
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        quant_kind k = quant_kind_of(g, n);
        count[k]++;
        const tern_tensor *out = n->n_outputs && n->outputs[0] >= 0 ? &g->tensors[n->outputs[0]] : NULL;
        if (json) {
            put(b, "%s{\"node\":", i ? "," : "");
            put_json_str(b, n->name ? n->name : "");
            put(b, ",\"op\":");
            put_json_str(b, n->op_type);
            put(b, ",\"runs\":\"%s\"", kind_name[k]);
            if (out && out->qp) put_qparams(b, out->qp, 1);
            put(b, "}");
            continue;
        }
        put(b, "  %-8s %-26s %s", kind_name[k], n->op_type, printable(n->name ? n->name : "", nb, sizeof nb));
        if (out && out->qp && k != QK_FLOAT) put_qparams(b, out->qp, 0);
        put(b, "\n");
    }
    if (json)
        put(b, "],\"nodes_int8\":%d,\"nodes_float\":%d,\"nodes_convert\":%d", count[QK_INT8],
            count[QK_FLOAT], count[QK_CONVERT]);
    else
        put(b, "  %d nodes run INT8, %d float, %d convert between them\n", count[QK_INT8],
            count[QK_FLOAT], count[QK_CONVERT]);
}

static void json_hist(sbuf *b, const tern_graph *g) {
    op_count h[256];
    char names[256][48];
    int nh = histogram(g, h, 256, names);
    put(b, "{");
    for (int i = 0; i < nh; i++) {
        put(b, "%s", i ? "," : "");
        put_json_str(b, h[i].name);
        put(b, ":%d", h[i].count);
    }
    put(b, "}");
}

static void json_report(sbuf *b, const tern_session *s, unsigned what) {
    const tern_graph *g = &s->c.g, *mg = &s->model->graph;
    put(b, "{\"producer\":");
    put_json_str(b, mg->producer ? mg->producer : "");
    put(b, ",\"ir_version\":%lld,\"opset\":%lld,\"opset_com_microsoft\":%lld,\"inputs\":[",
        (long long)mg->ir_version, (long long)mg->opset, (long long)mg->opset_ms);
    io_list(b, s, g->inputs, g->n_inputs, 1);
    put(b, "],\"outputs\":[");
    io_list(b, s, g->outputs, g->n_outputs, 1);
    put(b, "],\"nodes\":%d,\"ops\":", mg->n_nodes);
    json_hist(b, mg);
    put(b, ",\"nodes_after_passes\":%d,\"ops_after_passes\":", g->n_nodes);
    json_hist(b, g);
    /* an overflowing count is JSON null: no number would be true */
    char pb[64], mb[64];
    int64_t params = tern_count_params(mg), macs = tern_count_macs(g);
    put(b, ",\"parameters\":%s,\"macs\":%s,\"arena_bytes\":%zu,\"peak_bytes\":%zu,"
           "\"unshared_bytes\":%zu",
        params == TERN_COUNT_OVERFLOW ? "null" : count_text(params, pb, sizeof pb),
        macs == TERN_COUNT_OVERFLOW ? "null" : count_text(macs, mb, sizeof mb), s->c.arena_size,
        s->c.peak_bytes, s->c.sum_bytes);
    put(b, ",\"memory_bytes\":%zu,\"constant_bytes\":%zu,\"packed_bytes\":%zu,\"max_memory\":%zu",
        tern_budget_used(g, s->c.arena_size), g->const_bytes, g->packed_bytes, g->max_memory);
    if (what & TERN_REPORT_PASSES) {
        put(b, ",\"passes\":[");
        for (int i = 0; i < s->c.n_reports; i++) {
            const tern_pass_report *r = &s->c.reports[i];
            put(b, "%s{\"name\":", i ? "," : "");
            put_json_str(b, r->name ? r->name : "");
            put(b, ",\"nodes_before\":%d,\"nodes_after\":%d,\"changes\":%d,\"detail\":",
                r->nodes_before, r->nodes_after, r->changes);
            put_json_str(b, r->detail);
            put(b, "}");
        }
        put(b, "]");
    }
    if (what & TERN_REPORT_QUANT) quant_report(b, s, 1);
    put(b, "}\n");
}

tern_status tern_session_report(const tern_session *s, unsigned what, char *buf, size_t cap,
                                size_t *len) {
    if (!s || !s->compiled || !s->model || (!buf && cap)) return TERN_ERR_INVALID_ARG;
    sbuf b = {buf, cap, 0};
    if (cap) buf[0] = 0;
    if (what & TERN_REPORT_JSON) json_report(&b, s, what);
    else text_report(&b, s, what);
    if (len) *len = b.len;
    if (cap && b.len >= cap) buf[cap - 1] = 0;
    return TERN_OK;
}
