/* Binding dynamic input dims (tern_session_options.shapes, shared dim_param
 * names, the batch, dim_value -1) and the model-level input info, on the
 * own test models tests/models/dyn_*.onnx (made by tools/make_test_models.py;
 * their outputs against onnxruntime are checked by suite_own_models). */
#include <stdio.h>
#include <string.h>

#include "tests/harness.h"
#include "tern.h"

#define DYN_HW "tests/models/dyn_hw_conv.onnx"         /* x [N,3,H,W] -> y [N,5] */
#define DYN_M1 "tests/models/dyn_minus1.onnx"          /* x [1,3,-1,-1] (dim_value -1) */
#define DYN_SHARED "tests/models/dyn_shared.onnx"      /* a [B,L], b [L] -> y [B,L] */

static tern_model *load(th_ctx *t, const char *path) {
    tern_model *m = NULL;
    if (tern_model_load_file(path, &m) != TERN_OK) {
        th_fail(t, path, "load: %s", m ? tern_model_error(m) : "out of memory");
        tern_model_free(m);
        return NULL;
    }
    return m;
}

/* Create a session with the given shapes and batch; 1 if it was created.
 * On failure the message is copied to msg. info gets input `in`'s info. */
static int try_shapes(const tern_model *m, const tern_input_shape *shapes, int n, int batch,
                      int in, tern_tensor_info *info, char *msg, size_t cap) {
    tern_session_options o = {0};
    o.shapes = shapes;
    o.n_shapes = n;
    o.batch = batch;
    tern_session *s = NULL;
    int ok = tern_session_create(m, &o, &s) == TERN_OK;
    snprintf(msg, cap, "%s", s ? tern_session_error(s) : "out of memory");
    if (ok && info) ok = tern_session_input_info(s, in, info) == TERN_OK;
    tern_session_free(s);
    return ok;
}

static int dims_are(const tern_tensor_info *info, int rank, const int64_t *want) {
    if (info->rank != rank) return 0;
    for (int d = 0; d < rank; d++)
        if (info->dims[d] != want[d]) return 0;
    return 1;
}

static void model_info(th_ctx *t, const tern_model *hw, const tern_model *m1) {
    tern_tensor_info info;
    int ok = tern_model_input_count(hw) == 1 && tern_model_input_info(hw, 0, &info) == TERN_OK &&
             dims_are(&info, 4, (const int64_t[]){-1, 3, -1, -1}) && info.bytes == 0 &&
             info.dim_names[0] && !strcmp(info.dim_names[0], "N") && !info.dim_names[1] &&
             info.dim_names[2] && !strcmp(info.dim_names[2], "H");
    th_check(t, ok, "shapes: model input info has the file's dynamic dims and names",
             "rank %d", info.rank);
    ok = tern_model_input_info(m1, 0, &info) == TERN_OK &&
         dims_are(&info, 4, (const int64_t[]){1, 3, -1, -1}) && !info.dim_names[2];
    th_check(t, ok, "shapes: dim_value -1 loads as a dynamic dim", "dims %lld %lld",
             (long long)info.dims[2], (long long)info.dims[3]);
    th_check(t, tern_model_input_info(hw, 1, &info) == TERN_ERR_INVALID_ARG &&
                    tern_model_input_count(NULL) == 0,
             "shapes: model input info index checked", "accepted");
}

static void unbound(th_ctx *t, const tern_model *hw, const tern_model *m1) {
    char msg[600];
    int ok = try_shapes(hw, NULL, 0, 0, 0, NULL, msg, sizeof msg);
    th_check(t, !ok && strstr(msg, "'x' [1,3,H,W]") && strstr(msg, "--shape x=1,3,H,W"),
             "shapes: unbound dims are listed with the flag that binds them", "%s", msg);
    ok = try_shapes(m1, NULL, 0, 0, 0, NULL, msg, sizeof msg);
    th_check(t, !ok && strstr(msg, "[1,3,?,?]") && strstr(msg, "x=1,3,D2,D3"),
             "shapes: unnamed dynamic dims are listed too", "%s", msg);
}

static void bind_hw(th_ctx *t, const tern_model *hw) {
    char msg[600];
    tern_tensor_info info;
    tern_input_shape s = {"x", 4, (const int64_t[]){2, 3, 15, 11}};
    int ok = try_shapes(hw, &s, 1, 0, 0, &info, msg, sizeof msg);
    th_check(t, ok && dims_are(&info, 4, (const int64_t[]){2, 3, 15, 11}),
             "shapes: H, W and N bound by name", "%s", msg);
    s.dims = (const int64_t[]){-1, 3, 64, 48};
    ok = try_shapes(hw, &s, 1, 3, 0, &info, msg, sizeof msg);
    th_check(t, ok && dims_are(&info, 4, (const int64_t[]){3, 3, 64, 48}),
             "shapes: -1 leaves the batch dim to opts.batch", "%s", msg);
    const struct {
        const char *name;
        tern_input_shape s;
        const char *want;
    } bad[] = {
        {"shapes: static dim must match", {"x", 4, (const int64_t[]){1, 4, 8, 8}}, "dim 1 is 3"},
        {"shapes: rank must match", {"x", 3, (const int64_t[]){1, 3, 8}}, "has 3 dims"},
        {"shapes: unknown input", {"y", 4, (const int64_t[]){1, 3, 8, 8}}, "not a graph input"},
        {"shapes: negative dim", {"x", 4, (const int64_t[]){1, 3, -2, 8}}, "dim 2 is -2"},
        {"shapes: bad rank", {"x", 99, (const int64_t[]){1}}, "bad rank"},
        {"shapes: huge dims", {"x", 4, (const int64_t[]){1, 3, 1ll << 40, 1ll << 40}},
         "too large"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ok = try_shapes(hw, &bad[k].s, 1, 0, 0, NULL, msg, sizeof msg);
        th_check(t, !ok && strstr(msg, bad[k].want), bad[k].name, "%s", ok ? "accepted" : msg);
    }
    tern_input_shape twice[2] = {{"x", 4, (const int64_t[]){1, 3, 8, 8}},
                                 {"x", 4, (const int64_t[]){1, 3, 8, 8}}};
    ok = try_shapes(hw, twice, 2, 0, 0, NULL, msg, sizeof msg);
    th_check(t, !ok && strstr(msg, "given twice"), "shapes: one input bound twice", "%s", msg);
    ok = try_shapes(hw, NULL, 3, 0, 0, NULL, msg, sizeof msg);
    th_check(t, !ok && strstr(msg, "bad shape bindings"), "shapes: count without array", "%s",
             msg);
}

/* a [B,L] and b [L]: binding one input binds the other through L. */
static void shared_names(th_ctx *t, const tern_model *m) {
    char msg[600];
    tern_tensor_info info;
    tern_input_shape a = {"a", 2, (const int64_t[]){2, 7}};
    int ok = try_shapes(m, &a, 1, 0, 1, &info, msg, sizeof msg);
    th_check(t, ok && dims_are(&info, 1, (const int64_t[]){7}),
             "shapes: a dim_param bound on one input binds it on another", "%s", msg);
    tern_input_shape b = {"b", 1, (const int64_t[]){9}};
    ok = try_shapes(m, &b, 1, 4, 0, &info, msg, sizeof msg);
    th_check(t, ok && dims_are(&info, 2, (const int64_t[]){4, 9}),
             "shapes: the batch and a shared name bind the rest", "%s", msg);
    tern_input_shape clash[2] = {{"a", 2, (const int64_t[]){2, 7}}, {"b", 1, (const int64_t[]){5}}};
    ok = try_shapes(m, clash, 2, 0, 0, NULL, msg, sizeof msg);
    th_check(t, !ok && strstr(msg, "'L' is already 7"),
             "shapes: one dim_param given two values is an error", "%s", msg);
}

TH_SUITE(suite_shapes) {
    tern_model *hw = load(t, DYN_HW), *m1 = load(t, DYN_M1), *sh = load(t, DYN_SHARED);
    if (hw && m1 && sh) {
        model_info(t, hw, m1);
        unbound(t, hw, m1);
        bind_hw(t, hw);
        shared_names(t, sh);
    }
    tern_model_free(hw);
    tern_model_free(m1);
    tern_model_free(sh);
}
