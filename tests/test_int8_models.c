/* The INT8 graph end to end.
 *
 * suite_int8_models:
 *  - every tests/models/int8/NAME.onnx (tools/make_int8_models.py: ONNX
 *    Runtime's quantize_static in QDQ and QOperator form, per-channel, uint8
 *    and int8 activations, and quantize_dynamic) against ONNX Runtime's
 *    output: equal (ORT's integer kernels and tern's compute the same bits
 *    on these small models);
 *  - the shared quantized models (skipped without ../shared) on the first
 *    reference image against ORT's optimized (integer) path,
 *    output_ortopt.npy: the same top-1, and for mobilenet_v2 (QOperator and
 *    QDQ) the same bits;
 *  - the cross-architecture check: an FNV-1a hash of the int8 logits (what
 *    the last DequantizeLinear of an integer op's output reads) of every
 *    shared quantized model on that image equals a constant, natively and
 *    under qemu-aarch64 (docs/quantization.md section 10);
 *  - tern info --quant's report;
 *  - refusals: bad scales, a bias beyond 2^30 (QLinearConv: an error; the
 *    same QDQ Conv: stays float). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/session.h"
#include "loader/npy.h"
#include "tern.h"
#include "tests/harness.h"
#include "tests/int8_naive.h"
#include "tests/onnx_writer.h"

#define INT8_DIR "tests/models/int8"

/* The hash of the six shared models' int8 logits on their first image. */
#define SHARED_INT8_HASH UINT64_C(0xa2c6e7136e71314f)

/* Run a batch-1 session on in (one batch item) into out (bytes). */
static int run_one(const char *path, const void *in, size_t in_bytes, void *out, size_t out_bytes,
                   int threads, tern_session **keep, char *msg, size_t cap) {
    tern_model *m = NULL;
    tern_session *s = NULL;
    int ok = 0;
    tern_tensor_info ii, oi;
    tern_session_options o = {0};
    o.batch = 1;
    o.threads = threads;
    if (tern_model_load_file(path, &m) != TERN_OK) {
        snprintf(msg, cap, "load: %s", m ? tern_model_error(m) : "oom");
        goto out;
    }
    if (tern_session_create(m, &o, &s) != TERN_OK) {
        snprintf(msg, cap, "session: %s", s ? tern_session_error(s) : "oom");
        goto out;
    }
    tern_session_input_info(s, 0, &ii);
    tern_session_output_info(s, 0, &oi);
    if (ii.bytes != in_bytes || oi.bytes != out_bytes) {
        snprintf(msg, cap, "input %zu/%zu or output %zu/%zu bytes differ", ii.bytes, in_bytes,
                 oi.bytes, out_bytes);
        goto out;
    }
    if (tern_session_set_input(s, 0, in, in_bytes) || tern_session_run(s) ||
        tern_session_get_output(s, 0, out, out_bytes)) {
        snprintf(msg, cap, "%s", tern_session_error(s));
        goto out;
    }
    ok = 1;
out:
    if (ok && keep) {
        *keep = s; /* the model must outlive it: free_kept() frees both */
        return ok;
    }
    tern_session_free(s);
    tern_model_free(m);
    return ok;
}

/* Free a session kept by run_one() and then its model (the API requires
 * the model to outlive its sessions). */
static void free_kept(tern_session *s) {
    if (!s) return;
    struct tern_model *m = (struct tern_model *)s->model;
    tern_session_free(s);
    tern_model_free(m);
}

static void own_model(th_ctx *t, const char *name) {
    char path[512], inp[512], outp[512], msg[300] = "", label[300];
    snprintf(path, sizeof path, INT8_DIR "/%s.onnx", name);
    snprintf(inp, sizeof inp, INT8_DIR "/%s.input.npy", name);
    snprintf(outp, sizeof outp, INT8_DIR "/%s.output.npy", name);
    snprintf(label, sizeof label, "int8 model %s = onnxruntime (1 and 3 threads)", name);
    tern_npy x = {0}, ref = {0};
    tern_err err = {{0}};
    if (tern_npy_read_file(inp, &x, &err) || tern_npy_read_file(outp, &ref, &err)) {
        th_fail(t, label, "%s", err.msg);
        goto out;
    }
    float *got = malloc(ref.bytes), *got3 = malloc(ref.bytes);
    if (!got || !got3 || !run_one(path, x.data, x.bytes, got, ref.bytes, 1, NULL, msg, sizeof msg) ||
        !run_one(path, x.data, x.bytes, got3, ref.bytes, 3, NULL, msg, sizeof msg)) {
        th_fail(t, label, "%s", msg);
        free(got), free(got3);
        goto out;
    }
    const float *want = ref.data;
    size_t n = ref.bytes / 4, bad = 0, first = 0;
    for (size_t i = 0; i < n; i++)
        if ((got[i] != want[i] || got3[i] != want[i]) && bad++ == 0) first = i;
    th_check(t, bad == 0, label, "%zu of %zu differ; first [%zu] %g vs %g", bad, n, first,
             bad ? (double)got[first] : 0.0, bad ? (double)want[first] : 0.0);
    free(got), free(got3);
out:
    tern_npy_free(&x);
    tern_npy_free(&ref);
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void own_models(th_ctx *t) {
    DIR *d = opendir(INT8_DIR);
    if (!d) {
        th_fail(t, "int8 models", "cannot open " INT8_DIR);
        return;
    }
    char *names[64];
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) && count < 64) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".onnx") == 0) {
            names[count] = malloc(len - 4);
            memcpy(names[count], e->d_name, len - 5);
            names[count][len - 5] = 0;
            count++;
        }
    }
    closedir(d);
    qsort(names, (size_t)count, sizeof names[0], cmp_names);
    th_check(t, count >= 5, "int8 models present", "%d models in " INT8_DIR, count);
    for (int i = 0; i < count; i++) {
        own_model(t, names[i]);
        free(names[i]);
    }
}

static const char *const SHARED_QUANT[] = {
    "mobilenet_v2_int8_qop",           "mobilenet_v2_uint8_qdq",
    "mobilenet_v3_small_int8_qop",     "mobilenet_v3_small_uint8_qdq",
    "mobilenet_v3_large_min_uint8_qdq", "mobilenet_v2_keras_int8pc_qdq", NULL};

/* The int8 tensor the graph's last DequantizeLinear of integer-op output
 * reads, in the arena (not one after a QuantizeLinear: a float Softmax
 * before it would bring libm's expf into the hash). */
static const int8_t *int8_logits(const tern_session *s, size_t *n) {
    const tern_graph *g = &s->c.g;
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        const tern_node *nd = &g->nodes[i];
        if (strcmp(nd->op_type, "DequantizeLinear") != 0) continue;
        int p = g->tensors[nd->inputs[0]].producer;
        if (p >= 0 && strcmp(g->nodes[p].op_type, "QuantizeLinear") == 0) continue;
        int t = nd->inputs[0];
        while (g->tensors[t].alias_of >= 0) t = g->tensors[t].alias_of;
        const tern_tensor *tt = &g->tensors[t];
        if (tt->dtype != TERN_INT8 || tt->data) return NULL;
        *n = tern_tensor_bytes(tt);
        return (const int8_t *)(s->arena + tt->offset);
    }
    return NULL;
}

static int argmax(const float *v, size_t n) {
    size_t b = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[b]) b = i;
    return (int)b;
}

/* One shared model on its first reference image; folds its logits into *h. */
static void shared_model(th_ctx *t, const char *model, uint64_t *h) {
    char path[1024], inp[1024], refp[1024], msg[300] = "", label[300], rel[600];
    snprintf(label, sizeof label, "int8 %s image 0 = ORT optimized", model);
    snprintf(rel, sizeof rel, "refs/%s/input_ref.txt", model);
    if (!th_shared_path(t, rel, path, sizeof path, label)) return;
    FILE *f = fopen(path, "r");
    char ref_rel[512] = "";
    if (f) {
        if (!fgets(ref_rel, sizeof ref_rel, f)) ref_rel[0] = 0;
        fclose(f);
        ref_rel[strcspn(ref_rel, "\r\n")] = 0;
        snprintf(inp, sizeof inp, "%s/refs/%s/%s", t->shared, model, ref_rel);
    } else {
        snprintf(inp, sizeof inp, "%s/refs/%s/input.npy", t->shared, model);
    }
    snprintf(refp, sizeof refp, "%s/refs/%s/output_ortopt.npy", t->shared, model);
    snprintf(path, sizeof path, "%s/models/%s.onnx", t->shared, model);
    tern_npy x = {0}, ref = {0};
    tern_err err = {{0}};
    tern_session *s = NULL;
    float *got = NULL;
    if (tern_npy_read_file(inp, &x, &err) || tern_npy_read_file(refp, &ref, &err)) {
        th_fail(t, label, "%s", err.msg);
        goto out;
    }
    size_t in1 = x.bytes / (size_t)x.dims[0], out1 = ref.bytes / (size_t)ref.dims[0];
    got = malloc(out1);
    if (!got || !run_one(path, x.data, in1, got, out1, 1, &s, msg, sizeof msg)) {
        th_fail(t, label, "%s", msg);
        goto out;
    }
    const float *want = ref.data;
    size_t n = out1 / 4, diff = 0;
    for (size_t i = 0; i < n; i++) diff += got[i] != want[i];
    int exact = strncmp(model, "mobilenet_v2_int8", 17) == 0 || strncmp(model, "mobilenet_v2_uint8", 18) == 0;
    th_check(t, argmax(got, n) == argmax(want, n) && (!exact || diff == 0), label,
             "top-1 %d vs %d, %zu of %zu values differ", argmax(got, n), argmax(want, n), diff, n);
    size_t nl = 0;
    const int8_t *logits = int8_logits(s, &nl);
    th_check(t, logits != NULL, "int8 logits found", "%s has no int8 tensor before its last "
                                                     "DequantizeLinear", model);
    if (logits) *h = fnv1a(*h, logits, nl);
out:
    free(got);
    free_kept(s);
    tern_npy_free(&x);
    tern_npy_free(&ref);
}

/* x [1, 4] -> QuantizeLinear(scale s[ns], zero point int8) -> DequantizeLinear -> y:
 * whether a session is made, and its message. */
static int qdq_session(const float *s, int ns, char *msg, size_t cap) {
    ow_buf g = {0};
    int64_t xd[2] = {1, 4}, sd[1] = {ns};
    int8_t z[4] = {0, 0, 0, 0};
    ow_buf vi = ow_value_info("x", OW_FLOAT, 2, xd);
    ow_msg(&g, OW_G_INPUT, &vi);
    ow_buf ts = ow_tensor("s", OW_FLOAT, ns > 1 ? 1 : 0, sd, s, sizeof(float) * (size_t)ns);
    ow_msg(&g, OW_G_INIT, &ts);
    ow_buf tz = ow_tensor("z", 3 /* int8 */, ns > 1 ? 1 : 0, sd, z, (size_t)ns);
    ow_msg(&g, OW_G_INIT, &tz);
    const char *qi[3] = {"x", "s", "z"}, *qo[1] = {"q"}, *di[3] = {"q", "s", "z"}, *dout[1] = {"y"};
    ow_buf q = ow_node("QuantizeLinear", "q", qi, 3, qo, 1);
    ow_buf d = ow_node("DequantizeLinear", "d", di, 3, dout, 1);
    ow_msg(&g, OW_G_NODE, &q);
    ow_msg(&g, OW_G_NODE, &d);
    ow_buf o = ow_value_name("y");
    ow_msg(&g, OW_G_OUTPUT, &o);
    ow_buf m = ow_model(&g, 13);
    tern_model *model = NULL;
    tern_session *ses = NULL;
    tern_session_options opt = {0};
    int ok = tern_model_load_buffer(m.b, m.n, NULL, &model) == TERN_OK &&
             tern_session_create(model, &opt, &ses) == TERN_OK;
    snprintf(msg, cap, "%s", ok ? "" : ses ? tern_session_error(ses) : tern_model_error(model));
    tern_session_free(ses);
    tern_model_free(model);
    ow_free(&m);
    return ok;
}

static void init_tensor(ow_buf *g, const char *name, int dtype, int rank, const int64_t *dims,
                        const void *data, size_t bytes) {
    ow_buf t = ow_tensor(name, dtype, rank, dims, data, bytes);
    ow_msg(g, OW_G_INIT, &t);
}

static void node(ow_buf *g, const char *op, const char *const *ins, int nin, const char *out) {
    const char *outs[1] = {out};
    ow_buf n = ow_node(op, out, ins, nin, outs, 1);
    ow_msg(g, OW_G_NODE, &n);
}

/* A 1x1 convolution with bias 2^30 + 1 (beyond the exact int32 bound of
 * docs section 2), as QLinearConv (qop) or as DQ -> Conv -> Q (QDQ): the
 * first is refused, the second runs in float. Returns whether a session
 * was made; *integer_ops gets the number of QLinearConv nodes after the
 * passes. */
static int big_bias_session(int qop, char *msg, size_t cap, int *integer_ops) {
    ow_buf g = {0};
    int64_t d4[4] = {1, 1, 1, 1}, d1[1] = {1};
    float one = 1.0f;
    int8_t w = 1, z = 0;
    int32_t b = (1 << 30) + 1;
    ow_buf vi = ow_value_info("x", OW_FLOAT, 4, d4);
    ow_msg(&g, OW_G_INPUT, &vi);
    init_tensor(&g, "s", OW_FLOAT, 0, d1, &one, 4);
    init_tensor(&g, "z", 3, 0, d1, &z, 1);
    init_tensor(&g, "w", 3, 4, d4, &w, 1);
    init_tensor(&g, "b", 6, 1, d1, &b, 4);
    const char *q[3] = {"x", "s", "z"};
    node(&g, "QuantizeLinear", q, 3, "xq");
    if (qop) {
        const char *c[9] = {"xq", "s", "z", "w", "s", "z", "s", "z", "b"};
        node(&g, "QLinearConv", c, 9, "yq");
    } else {
        const char *dx[3] = {"xq", "s", "z"}, *dw[3] = {"w", "s", "z"}, *db[2] = {"b", "s"};
        node(&g, "DequantizeLinear", dx, 3, "xd");
        node(&g, "DequantizeLinear", dw, 3, "wd");
        node(&g, "DequantizeLinear", db, 2, "bd");
        const char *c[3] = {"xd", "wd", "bd"}, *qy[3] = {"yf", "s", "z"};
        node(&g, "Conv", c, 3, "yf");
        node(&g, "QuantizeLinear", qy, 3, "yq");
    }
    const char *dy[3] = {"yq", "s", "z"};
    node(&g, "DequantizeLinear", dy, 3, "y");
    ow_buf o = ow_value_name("y");
    ow_msg(&g, OW_G_OUTPUT, &o);
    ow_buf m = ow_model(&g, 13);
    tern_model *model = NULL;
    tern_session *ses = NULL;
    tern_session_options opt = {0};
    int ok = tern_model_load_buffer(m.b, m.n, NULL, &model) == TERN_OK &&
             tern_session_create(model, &opt, &ses) == TERN_OK;
    snprintf(msg, cap, "%s", ok ? "" : ses ? tern_session_error(ses) : tern_model_error(model));
    *integer_ops = 0;
    for (int i = 0; ok && i < ses->c.g.n_nodes; i++)
        *integer_ops += strcmp(ses->c.g.nodes[i].op_type, "QLinearConv") == 0;
    tern_session_free(ses);
    tern_model_free(model);
    ow_free(&m);
    return ok;
}

/* Untrusted quantization parameters: refused with a message that says why. */
static void refusals(th_ctx *t) {
    char msg[TERN_ERR_LEN];
    const float good = 0.5f, zero = 0.0f, neg = -1.0f, inf = INFINITY, nan = NAN;
    const float three[3] = {1, 1, 1};
    th_check(t, qdq_session(&good, 1, msg, sizeof msg), "int8 Q/DQ with a valid scale", "%s", msg);
    const float *bad[4] = {&zero, &neg, &inf, &nan};
    for (int i = 0; i < 4; i++) {
        int ok = qdq_session(bad[i], 1, msg, sizeof msg);
        th_check(t, !ok && strstr(msg, "finite and > 0"), "int8 scale 0, < 0, inf, NaN refused",
                 "case %d: %s", i, ok ? "accepted" : msg);
    }
    int ok = qdq_session(three, 3, msg, sizeof msg);
    th_check(t, !ok && strstr(msg, "one per channel"), "int8 per-axis scale of the wrong length",
             "%s", ok ? "accepted" : msg);
    int nq = 0;
    ok = big_bias_session(1, msg, sizeof msg, &nq);
    th_check(t, !ok && strstr(msg, "exact int32 bound"), "QLinearConv bias beyond 2^30 refused",
             "%s", ok ? "accepted" : msg);
    ok = big_bias_session(0, msg, sizeof msg, &nq);
    th_check(t, ok && nq == 0, "QDQ Conv with a bias beyond 2^30 stays float",
             "%s, %d QLinearConv", ok ? "made" : msg, nq);
}

/* tern info --quant's report: the QDQ model's Conv runs as an int8
 * QLinearConv, and the count line is there. */
static void quant_report(th_ctx *t) {
    tern_model *m = NULL;
    tern_session *s = NULL;
    tern_session_options o = {0};
    char buf[16384];
    size_t len = 0;
    int ok = tern_model_load_file(INT8_DIR "/static_qdq_u8_perchannel.onnx", &m) == TERN_OK &&
             tern_session_create(m, &o, &s) == TERN_OK &&
             tern_session_report(s, TERN_REPORT_QUANT, buf, sizeof buf, &len) == TERN_OK;
    th_check(t, ok && strstr(buf, "int8     QLinearConv") && strstr(buf, "(uint8 in the file)") &&
                    strstr(buf, "nodes run INT8"),
             "tern info --quant lists the int8 nodes and their parameters", "%.300s",
             ok ? buf : "no session");
    tern_session_free(s);
    tern_model_free(m);
}

TH_SUITE(suite_int8_models) {
    own_models(t);
    quant_report(t);
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    int ran = 0;
    for (int i = 0; SHARED_QUANT[i]; i++) {
        if (!t->shared) {
            th_skip(t, SHARED_QUANT[i], "../shared is absent");
            continue;
        }
        shared_model(t, SHARED_QUANT[i], &h);
        ran++;
    }
    if (ran)
        th_check(t, h == SHARED_INT8_HASH, "int8 logits of the shared models: the same bits on "
                                           "every architecture",
                 "hash 0x%016llx, want 0x%016llx", (unsigned long long)h,
                 (unsigned long long)SHARED_INT8_HASH);
    refusals(t);
}
