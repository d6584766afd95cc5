/* suite_own_models: every tests/models/NAME.onnx (made by
 * tools/make_test_models.py) runs through the public API with its inputs
 * NAME.input*.npy and must match onnxruntime's NAME.output*.npy, once with
 * default options and once with TERN_SESSION_NO_FUSE. Naming: see
 * tests/models/README.md. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "graph/session.h"
#include "loader/npy.h"
#include "tern.h"
#include "tests/harness.h"

#define OWN_DIR "tests/models"
#define OWN_MAX_IO 8
#define OWN_MAX_MODELS 256

typedef struct {
    int count;
    tern_npy arr[OWN_MAX_IO];
} own_arrays;

static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void free_arrays(own_arrays *a) {
    for (int i = 0; i < a->count; i++) tern_npy_free(&a->arr[i]);
    a->count = 0;
}

/* NAME.KIND.npy, or NAME.KIND0.npy, NAME.KIND1.npy, ... Returns 0 and fills
 * msg on failure. */
static int load_arrays(const char *name, const char *kind, own_arrays *a, char *msg, size_t cap) {
    char path[512];
    tern_err err = {{0}};
    a->count = 0;
    snprintf(path, sizeof path, OWN_DIR "/%s.%s.npy", name, kind);
    int single = file_exists(path);
    for (int i = 0; i < OWN_MAX_IO; i++) {
        if (!single) snprintf(path, sizeof path, OWN_DIR "/%s.%s%d.npy", name, kind, i);
        if (!single && !file_exists(path)) break;
        if (tern_npy_read_file(path, &a->arr[i], &err) != TERN_OK) {
            snprintf(msg, cap, "%s", err.msg);
            return 0;
        }
        a->count++;
        if (single) break;
    }
    if (a->count == 0) snprintf(msg, cap, "no %s file for %s", kind, name);
    return a->count > 0;
}

static int same_dims(const tern_tensor_info *info, const tern_npy *ref) {
    if (info->rank != ref->rank) return 0;
    for (int d = 0; d < ref->rank; d++)
        if (info->dims[d] != ref->dims[d]) return 0;
    return 1;
}

/* Max abs diff within 1e-4 * max|ref| + 1e-5; for 2-D, argmax per row equal. */
static int compare_output(const float *got, const tern_npy *ref, char *msg, size_t cap) {
    const float *want = ref->data;
    size_t n = ref->bytes / sizeof(float);
    double max_ref = 0, max_diff = 0;
    size_t worst = 0;
    for (size_t i = 0; i < n; i++) {
        double diff = fabs((double)got[i] - (double)want[i]);
        if (fabs((double)want[i]) > max_ref) max_ref = fabs((double)want[i]);
        if (!(diff <= max_diff)) { /* also catches NaN */
            max_diff = isnan(diff) ? INFINITY : diff;
            worst = i;
        }
    }
    double tol = 1e-4 * max_ref + 1e-5;
    if (!(max_diff <= tol)) {
        snprintf(msg, cap, "max abs diff %.3g > %.3g at [%zu]: got %g want %g", max_diff, tol,
                 worst, (double)got[worst], (double)want[worst]);
        return 0;
    }
    if (ref->rank != 2 || ref->dims[1] < 1) return 1;
    size_t rows = (size_t)ref->dims[0], cols = (size_t)ref->dims[1];
    for (size_t r = 0; r < rows; r++) {
        size_t ag = 0, aw = 0;
        for (size_t c = 1; c < cols; c++) {
            if (got[r * cols + c] > got[r * cols + ag]) ag = c;
            if (want[r * cols + c] > want[r * cols + aw]) aw = c;
        }
        if (ag != aw) {
            snprintf(msg, cap, "row %zu: argmax %zu, reference %zu", r, ag, aw);
            return 0;
        }
    }
    return 1;
}

static int feed_inputs(tern_session *s, const own_arrays *in, char *msg, size_t cap) {
    if (tern_session_input_count(s) != in->count) {
        snprintf(msg, cap, "session has %d inputs, %d input files", tern_session_input_count(s),
                 in->count);
        return 0;
    }
    for (int i = 0; i < in->count; i++) {
        tern_tensor_info info;
        if (tern_session_input_info(s, i, &info) != TERN_OK ||
            tern_session_set_input(s, i, in->arr[i].data, in->arr[i].bytes) != TERN_OK) {
            snprintf(msg, cap, "input %d: %s", i, tern_session_error(s));
            return 0;
        }
    }
    return 1;
}

static int check_outputs(tern_session *s, const own_arrays *ref, char *msg, size_t cap) {
    if (tern_session_output_count(s) != ref->count) {
        snprintf(msg, cap, "session has %d outputs, %d reference files",
                 tern_session_output_count(s), ref->count);
        return 0;
    }
    for (int i = 0; i < ref->count; i++) {
        tern_tensor_info info;
        const void *data = NULL;
        if (tern_session_output_info(s, i, &info) != TERN_OK ||
            tern_session_output_data(s, i, &data) != TERN_OK) {
            snprintf(msg, cap, "output %d: %s", i, tern_session_error(s));
            return 0;
        }
        if (info.dtype != TERN_FLOAT || ref->arr[i].dtype != TERN_FLOAT ||
            !same_dims(&info, &ref->arr[i]) || info.bytes != ref->arr[i].bytes) {
            snprintf(msg, cap, "output %d (%s): dtype/shape differ from the reference", i,
                     info.name ? info.name : "?");
            return 0;
        }
        char detail[256];
        if (!compare_output(data, &ref->arr[i], detail, sizeof detail)) {
            snprintf(msg, cap, "output %d (%s): %s", i, info.name ? info.name : "?", detail);
            return 0;
        }
    }
    return 1;
}

/* What the passes must leave of some models (op type and count of live
 * nodes, fused ones by their base type), checked on the default session. */
static const struct {
    const char *model, *op;
    int count;
} EXPECT_OPS[] = {
    {"pad_conv", "Pad", 0},          {"pad_value_conv", "Pad", 1},
    {"pad_fold_avgpool", "Pad", 0},  {"pad_attr_conv", "Pad", 0},
    {"trap_pad_kept", "Pad", 3},     {"tflite_se", "Clip", 0},
    {"tflite_se", "Add", 0},         {"tflite_se", "HardSigmoid", 0},
    {"tflite_se", "Mul", 1},         {"tflite_hswish", "Clip", 0},
    {"tflite_hswish", "Mul", 0},     {"tflite_hswish", "Div", 0},
    {"add_bias", "Add", 0},          {"trap_add_bias", "Add", 3},
    {"trap_add_bias", "Clip", 1},    {"dyn_hw_conv", "Clip", 0},
};

static void check_ops(th_ctx *t, const char *name, const tern_session *s) {
    for (size_t k = 0; k < sizeof EXPECT_OPS / sizeof EXPECT_OPS[0]; k++) {
        if (strcmp(EXPECT_OPS[k].model, name) != 0) continue;
        const tern_graph *g = &s->c.g;
        int n = 0;
        for (int i = 0; i < g->n_nodes; i++) n += strcmp(g->nodes[i].op_type, EXPECT_OPS[k].op) == 0;
        char case_name[320];
        snprintf(case_name, sizeof case_name, "own_models/%s: %d %s after the passes", name,
                 EXPECT_OPS[k].count, EXPECT_OPS[k].op);
        th_check(t, n == EXPECT_OPS[k].count, case_name, "%d left", n);
    }
}

/* One case: compile with the given flags, every input's shape bound to its
 * file's (dynamic dims take it; static ones must agree), run once, compare. */
static void run_case(th_ctx *t, const char *name, const tern_model *m, const own_arrays *in,
                     const own_arrays *ref, unsigned flags) {
    char case_name[320], msg[768] = "";
    snprintf(case_name, sizeof case_name, "own_models/%s [%s]", name,
             flags & TERN_SESSION_NO_FUSE ? "no-fuse" : "default");
    tern_session_options opts = {0};
    tern_input_shape shapes[OWN_MAX_IO];
    tern_tensor_info info;
    for (int i = 0; i < in->count && i < tern_model_input_count(m); i++) {
        tern_model_input_info(m, i, &info);
        shapes[i] = (tern_input_shape){info.name, in->arr[i].rank, in->arr[i].dims};
    }
    opts.shapes = shapes;
    opts.n_shapes = in->count < tern_model_input_count(m) ? in->count : tern_model_input_count(m);
    opts.flags = flags;
    tern_session *s = NULL;
    int ok = 0;
    if (tern_session_create(m, &opts, &s) != TERN_OK)
        snprintf(msg, sizeof msg, "session: %s", s ? tern_session_error(s) : "out of memory");
    else if (feed_inputs(s, in, msg, sizeof msg)) {
        if (tern_session_run(s) != TERN_OK)
            snprintf(msg, sizeof msg, "run: %s", tern_session_error(s));
        else
            ok = check_outputs(s, ref, msg, sizeof msg);
    }
    th_check(t, ok, case_name, "%s", msg);
    if (s && !(flags & TERN_SESSION_NO_FUSE) && s->compiled) check_ops(t, name, s);
    tern_session_free(s);
}

static void run_model(th_ctx *t, const char *name) {
    char path[512], msg[512] = "";
    own_arrays in = {0}, ref = {0};
    tern_model *m = NULL;
    snprintf(path, sizeof path, OWN_DIR "/%s.onnx", name);
    int ok = load_arrays(name, "input", &in, msg, sizeof msg) &&
             load_arrays(name, "output", &ref, msg, sizeof msg);
    if (ok && tern_model_load_file(path, &m) != TERN_OK) {
        snprintf(msg, sizeof msg, "load: %s", m ? tern_model_error(m) : "out of memory");
        ok = 0;
    }
    if (ok) {
        run_case(t, name, m, &in, &ref, 0);
        run_case(t, name, m, &in, &ref, TERN_SESSION_NO_FUSE);
    } else {
        char case_name[320];
        snprintf(case_name, sizeof case_name, "own_models/%s", name);
        th_fail(t, case_name, "%s", msg);
    }
    tern_model_free(m);
    free_arrays(&in);
    free_arrays(&ref);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the .onnx files in tests/models without the extension, sorted. */
static int list_models(char **names, int cap) {
    DIR *dir = opendir(OWN_DIR);
    if (!dir) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL && n < cap) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".onnx") != 0) continue;
        names[n] = malloc(len - 4);
        if (!names[n]) break;
        memcpy(names[n], e->d_name, len - 5);
        names[n++][len - 5] = '\0';
    }
    closedir(dir);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    return n;
}

TH_SUITE(suite_own_models) {
    char *names[OWN_MAX_MODELS];
    int n = list_models(names, OWN_MAX_MODELS);
    if (!th_check(t, n > 0, "own_models: " OWN_DIR " has models",
                  "no *.onnx in " OWN_DIR " (run the tests from the repo root)"))
        return;
    for (int i = 0; i < n; i++) {
        run_model(t, names[i]);
        free(names[i]);
    }
}
