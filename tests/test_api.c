/* The public API (include/tern.h) on the demo model, which ships in the repo:
 * buffers, caller-owned arenas, bad arguments, names, bindings, reports, and
 * two sessions running at once on two threads. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/npy.h"
#include "tests/harness.h"
#include "tern.h"

#define DEMO_MODEL "tools/demo/digits.onnx"
#define DEMO_IMAGES "tools/demo/digits_test.npy"
#define N_IMG 64

/* The first N_IMG demo digits as float [N,1,8,8], pixel/16 (the demo's mapping). */
static float *demo_inputs(void) {
    tern_npy x = {0};
    tern_err err = {{0}};
    if (tern_npy_read_file(DEMO_IMAGES, &x, &err) != TERN_OK) return NULL;
    float *in = NULL;
    if (x.dtype == TERN_UINT8 && x.rank == 3 && x.dims[0] >= N_IMG && x.dims[1] == 8 &&
        x.dims[2] == 8) {
        in = malloc(sizeof(float) * N_IMG * 64);
        for (int i = 0; in && i < N_IMG * 64; i++) in[i] = ((const uint8_t *)x.data)[i] / 16.0f;
    }
    tern_npy_free(&x);
    return in;
}

/* Logits of every image, one run per image. 0 on success. */
static int run_all(tern_session *s, const float *in, float *out) {
    for (int i = 0; i < N_IMG; i++)
        if (tern_session_set_input(s, 0, in + 64 * i, 64 * sizeof(float)) ||
            tern_session_run(s) || tern_session_get_output(s, 0, out + 10 * i, 10 * sizeof(float)))
            return 1;
    return 0;
}

static void test_buffer_and_arena(th_ctx *t, const float *in, const float *ref) {
    size_t len;
    unsigned char *bytes = th_read_file(DEMO_MODEL, &len);
    tern_model *m = NULL;
    th_check(t, bytes && tern_model_load_buffer(bytes, len, NULL, &m) == TERN_OK,
             "api load from buffer", "%s", m ? tern_model_error(m) : "no file");
    free(bytes); /* the model must not keep pointers into the caller's buffer */
    tern_session_options o = {0};
    o.flags = TERN_SESSION_DEFER_ARENA;
    tern_session *s = NULL;
    if (!th_check(t, m && tern_session_create(m, &o, &s) == TERN_OK, "api deferred arena session",
                  "%s", s ? tern_session_error(s) : "no model")) {
        tern_session_free(s);
        tern_model_free(m);
        return;
    }
    size_t need = tern_session_arena_size(s);
    th_check(t, tern_session_run(s) == TERN_ERR_ARENA, "api run without arena fails",
             "expected TERN_ERR_ARENA");
    unsigned char *mem = aligned_alloc(TERN_ARENA_ALIGN, need + 2 * TERN_ARENA_ALIGN);
    th_check(t, tern_session_set_arena(s, mem, need - 1) == TERN_ERR_ARENA &&
                    strstr(tern_session_error(s), "too small"),
             "api arena too small", "%s", tern_session_error(s));
    th_check(t, tern_session_set_arena(s, mem + 1, need + 8) == TERN_ERR_ARENA,
             "api arena misaligned", "accepted");
    th_check(t, tern_session_set_arena(s, mem, need) == TERN_OK, "api arena accepted", "%s",
             tern_session_error(s));
    float out[N_IMG * 10];
    int bad = run_all(s, in, out);
    th_check(t, !bad && memcmp(out, ref, sizeof out) == 0, "api caller arena gives same logits",
             "%s", bad ? tern_session_error(s) : "logits differ");
    tern_session_free(s);
    free(mem);
    tern_model_free(m);
}

/* Names come from the file: a newline in one must not reach the report. */
static void test_report_names(th_ctx *t) {
    size_t len;
    unsigned char *bytes = th_read_file(DEMO_MODEL, &len);
    int patched = 0;
    for (size_t i = 0; bytes && i + 5 <= len; i++)
        if (memcmp(bytes + i, "input", 5) == 0) {
            memcpy(bytes + i, "in\nut", 5);
            patched++;
        }
    tern_model *m = NULL;
    tern_session *s = NULL;
    char rep[8192];
    int ok = patched > 0 && tern_model_load_buffer(bytes, len, NULL, &m) == TERN_OK &&
             tern_session_create(m, NULL, &s) == TERN_OK &&
             tern_session_report(s, 0, rep, sizeof rep, NULL) == TERN_OK;
    th_check(t, ok && strstr(rep, "in?ut") && !strstr(rep, "in\nut"),
             "api report shows control characters in names as '?'", "%s",
             ok ? rep : "model did not load");
    tern_session_free(s);
    tern_model_free(m);
    free(bytes);
}

static void test_bad_args(th_ctx *t, const tern_model *m) {
    tern_session *s = NULL;
    tern_session_create(m, NULL, &s);
    float x[64] = {0};
    th_check(t, tern_session_set_input(s, 0, x, 63 * sizeof(float)) == TERN_ERR_INVALID_ARG &&
                    strstr(tern_session_error(s), "input"),
             "api wrong input size", "%s", tern_session_error(s));
    th_check(t, tern_session_set_input(s, 3, x, sizeof x) == TERN_ERR_INVALID_ARG,
             "api input index out of range", "accepted");
    th_check(t, tern_session_find_input(s, "input") == 0 && tern_session_find_input(s, "nope") < 0,
             "api find input by name", "wrong index");
    th_check(t, tern_session_find_output(s, "logits") == 0, "api find output by name",
             "not found");
    tern_tensor_info info;
    th_check(t, tern_session_input_info(s, 0, &info) == TERN_OK && info.rank == 4 &&
                    info.dims[0] == 1 && info.dims[1] == 1 && info.bytes == 256,
             "api input info (batch 1)", "rank %d", info.rank);
    char buf[8];
    size_t len = 0;
    th_check(t, tern_session_report(s, TERN_REPORT_PASSES, buf, sizeof buf, &len) == TERN_OK &&
                    len > sizeof buf && strlen(buf) == sizeof buf - 1,
             "api report truncates and tells the full length", "len %zu", len);
    tern_session_free(s);

    tern_session_options o = {0};
    o.batch = -1;
    th_check(t, tern_session_create(m, &o, &s) == TERN_ERR_INVALID_ARG &&
                    tern_session_error(s)[0],
             "api negative batch rejected", "accepted");
    tern_session_free(s);
    tern_model *bad = NULL;
    th_check(t, tern_model_load_file("tools/demo/no-such-model.onnx", &bad) == TERN_ERR_IO &&
                    strstr(tern_model_error(bad), "no-such-model"),
             "api missing file", "%s", bad ? tern_model_error(bad) : "");
    tern_model_free(bad);
}

static void test_batch(th_ctx *t, const tern_model *m, const float *in, const float *ref) {
    tern_session_options o = {0};
    o.batch = N_IMG;
    tern_session *s = NULL;
    float out[N_IMG * 10];
    int ok = tern_session_create(m, &o, &s) == TERN_OK &&
             tern_session_set_input(s, 0, in, sizeof(float) * 64 * N_IMG) == TERN_OK &&
             tern_session_run(s) == TERN_OK &&
             tern_session_get_output(s, 0, out, sizeof out) == TERN_OK;
    double md = 0;
    for (int i = 0; ok && i < N_IMG * 10; i++) md = fmax(md, fabs(out[i] - ref[i]));
    th_check(t, ok && md <= 1e-5, "api batch 64 equals 64 runs of batch 1", "%s max diff %g",
             ok ? "" : tern_session_error(s), md);
    tern_session_free(s);
}

typedef struct {
    const tern_model *m;
    const float *in;
    float out[N_IMG * 10];
    int rounds, bad;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    tern_session *s = NULL;
    w->bad = tern_session_create(w->m, NULL, &s) != TERN_OK;
    for (int r = 0; !w->bad && r < w->rounds; r++) w->bad = run_all(s, w->in, w->out);
    tern_session_free(s);
    return NULL;
}

static void test_threads(th_ctx *t, const tern_model *m, const float *in, const float *ref) {
    worker w[2];
    pthread_t th[2];
    for (int k = 0; k < 2; k++) {
        w[k].m = m;
        w[k].in = in;
        w[k].rounds = 5;
        w[k].bad = 0;
        pthread_create(&th[k], NULL, work, &w[k]);
    }
    for (int k = 0; k < 2; k++) pthread_join(th[k], NULL);
    int same = !w[0].bad && !w[1].bad && memcmp(w[0].out, ref, sizeof w[0].out) == 0 &&
               memcmp(w[1].out, ref, sizeof w[1].out) == 0;
    th_check(t, same, "api two sessions on two threads", "results differ from one thread");
}

/* A session with worker threads splits the convs by rows; every output is
 * computed as with one thread, so the logits are bit-identical. */
static void test_session_threads(th_ctx *t, const tern_model *m, const float *in,
                                 const float *ref) {
    tern_session_options o = {0};
    o.threads = 3;
    tern_session *s = NULL;
    static float out[N_IMG * 10];
    int ok = tern_session_create(m, &o, &s) == TERN_OK && run_all(s, in, out) == 0;
    th_check(t, ok && memcmp(out, ref, sizeof out) == 0, "api threads=3 equals threads=1",
             "%s", ok ? "logits differ" : tern_session_error(s));
    tern_session_free(s);
}

static void test_bindings(th_ctx *t, const tern_model *m, const float *in, const float *ref) {
    tern_binding b = {"input", in, 64 * sizeof(float)};
    tern_session_options o = {0};
    o.constants = &b;
    o.n_constants = 1;
    tern_session *s = NULL;
    float out[10];
    int ok = tern_session_create(m, &o, &s) == TERN_OK && tern_session_input_count(s) == 0 &&
             tern_session_run(s) == TERN_OK &&
             tern_session_get_output(s, 0, out, sizeof out) == TERN_OK;
    /* everything folds before fusion here, so BN runs unfolded: not bit-equal */
    double md = 0;
    for (int i = 0; ok && i < 10; i++) md = fmax(md, fabs(out[i] - ref[i]));
    th_check(t, ok && md <= 1e-4, "api input bound as constant", "%s max diff %g",
             s ? tern_session_error(s) : "", md);
    tern_session_free(s);
    b.bytes = 3;
    th_check(t, tern_session_create(m, &o, &s) == TERN_ERR_INVALID_ARG, "api bad binding size",
             "accepted");
    tern_session_free(s);
}

TH_SUITE(suite_api) {
    float *in = demo_inputs();
    tern_model *m = NULL;
    if (!th_check(t, in && tern_model_load_file(DEMO_MODEL, &m) == TERN_OK, "api load demo model",
                  "%s", m ? tern_model_error(m) : "demo files missing")) {
        free(in);
        tern_model_free(m);
        return;
    }
    static float ref[N_IMG * 10];
    tern_session *s = NULL;
    int ok = tern_session_create(m, NULL, &s) == TERN_OK && run_all(s, in, ref) == 0;
    th_check(t, ok, "api run demo model", "%s", s ? tern_session_error(s) : "");
    tern_session_free(s);
    if (ok) {
        test_buffer_and_arena(t, in, ref);
        test_bad_args(t, m);
        test_report_names(t);
        test_batch(t, m, in, ref);
        test_threads(t, m, in, ref);
        test_session_threads(t, m, in, ref);
        test_bindings(t, m, in, ref);
    }
    tern_model_free(m);
    free(in);
}
