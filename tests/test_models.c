/* The FP32 models of ../shared/models against ONNX Runtime's outputs in
 * ../shared/refs/<model>/: max |tern - ort| <= 1e-4 * max|ort| + 1e-5 and the
 * same top-1 for every row.
 *  - fused:   `tern run MODEL --input input.npy --output out.npy` (the CLI,
 *             passes on), the way a user runs it;
 *  - unfused: the C API with TERN_SESSION_NO_FUSE, item by item;
 *  - env:     the CLI with TERN_NO_FUSE=1 on the smallest model.
 * So fusion is checked against the unfused graph and both against ORT. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/compile.h"
#include "graph/model.h"
#include "loader/npy.h"
#include "tests/harness.h"
#include "tern.h"

static const char *const MODELS[] = {"mobilenet_v2_fp32",        "mobilenet_v3_small_fp32",
                                     "mobilenet_v3_large_min_fp32", "efficientnet_lite0_arch",
                                     "mobilenet_v3_large_arch",  "efficientnet_lite0_fp32",
                                     NULL};

/* refs/<model>/input.npy, or the file input_ref.txt names (relative to it). */
static int input_path(const th_ctx *t, const char *model, char *out, size_t cap) {
    char p[1024];
    snprintf(p, sizeof p, "%s/refs/%s/input_ref.txt", t->shared, model);
    size_t len;
    unsigned char *ref = th_read_file(p, &len);
    if (!ref) {
        snprintf(out, cap, "%s/refs/%s/input.npy", t->shared, model);
        return 1;
    }
    while (len && (ref[len - 1] == '\n' || ref[len - 1] == '\r' || ref[len - 1] == ' ')) len--;
    ref[len] = 0;
    snprintf(out, cap, "%s/refs/%s/%s", t->shared, model, (char *)ref);
    free(ref);
    return 1;
}

/* Compare got with ref ([rows, classes] float32). */
static int check_logits(th_ctx *t, const char *name, const float *got, const tern_npy *ref) {
    int64_t rows = ref->dims[0], cls = ref->rank == 2 ? ref->dims[1] : 0;
    const float *r = ref->data;
    double max_ref = 0, max_diff = 0;
    for (int64_t i = 0; i < rows * cls; i++) {
        if (fabs(r[i]) > max_ref) max_ref = fabs(r[i]);
        double d = fabs((double)got[i] - r[i]);
        if (!(d <= max_diff)) max_diff = d; /* NaN propagates as a failure */
    }
    int top_ok = 1;
    for (int64_t b = 0; b < rows; b++) {
        int64_t ag = 0, ar = 0;
        for (int64_t c = 1; c < cls; c++) {
            if (got[b * cls + c] > got[b * cls + ag]) ag = c;
            if (r[b * cls + c] > r[b * cls + ar]) ar = c;
        }
        top_ok &= ag == ar;
    }
    double tol = 1e-4 * max_ref + 1e-5;
    return th_check(t, max_diff <= tol && top_ok, name,
                    "max abs diff %.3g (tolerance %.3g), top-1 %s", max_diff, tol,
                    top_ok ? "same" : "DIFFERS");
}

static void run_cli(th_ctx *t, const char *model, const char *in, const tern_npy *ref,
                    const char *env, const char *name) {
    char out[512], cmd[4096];
    snprintf(out, sizeof out, "build/test_%s_%s.npy", model, env[0] ? "env" : "cli");
    snprintf(cmd, sizeof cmd, "%s %s run %s/models/%s.onnx --input %s --output %s", env, t->cli,
             t->shared, model, in, out);
    int rc = system(cmd);
    if (rc != 0) {
        th_fail(t, name, "`%s` exited with %d", cmd, rc);
        return;
    }
    tern_npy got = {0};
    tern_err err = {{0}};
    if (tern_npy_read_file(out, &got, &err) != TERN_OK) {
        th_fail(t, name, "%s", err.msg);
        return;
    }
    if (got.dtype != TERN_FLOAT || got.bytes != ref->bytes)
        th_fail(t, name, "output has %zu bytes, reference %zu", got.bytes, ref->bytes);
    else
        check_logits(t, name, got.data, ref);
    tern_npy_free(&got);
    remove(out);
}

/* Run every row of x through a batch-1 (or full-batch) session made with flags. */
static void run_api(th_ctx *t, const char *model, const tern_npy *x, const tern_npy *ref,
                    unsigned flags, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/models/%s.onnx", t->shared, model);
    tern_model *m = NULL;
    tern_session *s = NULL;
    float *got = NULL;
    if (tern_model_load_file(path, &m) != TERN_OK) {
        th_fail(t, name, "load: %s", m ? tern_model_error(m) : "oom");
        goto out;
    }
    tern_session_options o = {0};
    o.batch = 1;
    o.flags = flags;
    if (tern_session_create(m, &o, &s) != TERN_OK) {
        th_fail(t, name, "session: %s", s ? tern_session_error(s) : "oom");
        goto out;
    }
    tern_tensor_info ii, oi;
    tern_session_input_info(s, 0, &ii);
    tern_session_output_info(s, 0, &oi);
    int64_t rows = x->dims[0];
    if (ii.bytes * (size_t)rows != x->bytes || oi.bytes * (size_t)rows != ref->bytes) {
        th_fail(t, name, "input/output sizes do not match the reference files");
        goto out;
    }
    got = malloc(ref->bytes);
    for (int64_t b = 0; got && b < rows; b++) {
        if (tern_session_set_input(s, 0, (const char *)x->data + ii.bytes * (size_t)b, ii.bytes) ||
            tern_session_run(s) ||
            tern_session_get_output(s, 0, (char *)got + oi.bytes * (size_t)b, oi.bytes)) {
            th_fail(t, name, "%s", tern_session_error(s));
            goto out;
        }
    }
    if (got) check_logits(t, name, got, ref);
out:
    free(got);
    tern_session_free(s);
    tern_model_free(m);
}

TH_SUITE(suite_models) {
    for (int i = 0; MODELS[i]; i++) {
        const char *model = MODELS[i];
        char name[256], in[1024], refp[1024];
        snprintf(name, sizeof name, "model %s", model);
        if (!t->shared) {
            th_skip(t, name, "../shared is absent");
            continue;
        }
        input_path(t, model, in, sizeof in);
        snprintf(refp, sizeof refp, "%s/refs/%s/output.npy", t->shared, model);
        tern_npy x = {0}, ref = {0};
        tern_err err = {{0}};
        if (tern_npy_read_file(in, &x, &err) != TERN_OK ||
            tern_npy_read_file(refp, &ref, &err) != TERN_OK) {
            th_fail(t, name, "%s", err.msg);
            tern_npy_free(&x);
            continue;
        }
        snprintf(name, sizeof name, "model %s fused (tern run)", model);
        run_cli(t, model, in, &ref, "", name);
        snprintf(name, sizeof name, "model %s unfused (API flag)", model);
        run_api(t, model, &x, &ref, TERN_SESSION_NO_FUSE, name);
        if (strcmp(model, "mobilenet_v3_small_fp32") == 0) {
            snprintf(name, sizeof name, "model %s unfused (TERN_NO_FUSE=1 tern run)", model);
            run_cli(t, model, in, &ref, "TERN_NO_FUSE=1", name);
        }
        tern_npy_free(&x);
        tern_npy_free(&ref);
    }
}

/* After the passes no BatchNormalization, Relu, Clip, HardSwish, HardSigmoid
 * or Sigmoid may stand alone on a Conv/Gemm output (unless the Conv/Gemm
 * carries a fused activation already: v3-small's SE gate is Relu then
 * hard sigmoid, and one node fuses one activation), and the arena must stay
 * within 10% of the peak of live tensors. */
static const char *standalone_act(const tern_graph *g) {
    static const char *const acts[] = {"BatchNormalization", "Relu", "Clip", "HardSwish",
                                       "HardSigmoid", "Sigmoid", "LeakyRelu", NULL};
    for (int i = 0; i < g->n_nodes; i++) {
        const tern_node *n = &g->nodes[i];
        for (int a = 0; acts[a]; a++) {
            if (strcmp(n->op_type, acts[a]) != 0 || n->n_inputs < 1 || n->inputs[0] < 0) continue;
            int p = g->tensors[n->inputs[0]].producer;
            if (p >= 0 && g->nodes[p].act.kind == TERN_ACT_NONE &&
                (strcmp(g->nodes[p].op_type, "Conv") == 0 ||
                 strcmp(g->nodes[p].op_type, "Gemm") == 0))
                return n->name;
        }
    }
    return NULL;
}

/* The name of a node of op type `op`, or NULL. */
static const char *op_left(const tern_graph *g, const char *op) {
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].op_type, op) == 0) return g->nodes[i].name;
    return NULL;
}

TH_SUITE(suite_model_passes) {
    for (int i = 0; MODELS[i]; i++) {
        char name[256], path[1024];
        snprintf(name, sizeof name, "passes %s", MODELS[i]);
        if (!t->shared) {
            th_skip(t, name, "../shared is absent");
            continue;
        }
        snprintf(path, sizeof path, "%s/models/%s.onnx", t->shared, MODELS[i]);
        tern_model *m = NULL;
        if (tern_model_load_file(path, &m) != TERN_OK) {
            th_fail(t, name, "load: %s", m ? tern_model_error(m) : "oom");
            tern_model_free(m);
            continue;
        }
        tern_compiled c;
        tern_err err = {{0}};
        if (tern_compile(&m->graph, 1, 0, &c, &err) != TERN_OK) {
            th_fail(t, name, "compile: %s", err.msg);
        } else {
            const char *left = standalone_act(&c.g);
            th_check(t, !left, name, "node '%s' was not folded/fused", left ? left : "");
            /* TFLite's hard sigmoid (Add/Clip/Mul) and TF's explicit zero
             * Pads: none of these models needs a Clip or a Pad node */
            snprintf(name, sizeof name, "no Clip or Pad left in %s", MODELS[i]);
            const char *kept = op_left(&c.g, "Clip") ? op_left(&c.g, "Clip") : op_left(&c.g, "Pad");
            th_check(t, !kept, name, "node '%s' is still there", kept ? kept : "");
            snprintf(name, sizeof name, "arena %s within 10%% of peak", MODELS[i]);
            th_check(t, c.arena_size * 10 <= c.peak_bytes * 11, name,
                     "arena %zu bytes, peak of live tensors %zu", c.arena_size, c.peak_bytes);
            tern_compiled_free(&c);
        }
        tern_model_free(m);
    }
}
