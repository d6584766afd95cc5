/* tern demo: classify the 360 test digits with the tiny CNN in tools/demo and
 * print accuracy and latency. It is also the example of the public API:
 * load a model, create a session, set the input, run, read the output.
 *
 *   build/tern_demo [model.onnx [images.npy labels.npy]]
 *
 * images.npy: uint8 [N,8,8], pixels 0..16 (scikit-learn's digits); the model
 * takes float32 [N,1,8,8] = pixel / 16. labels.npy: int64 [N].
 * Exit status: 0 on success, 2 on any error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loader/npy.h"
#include "tern.h"

#define SIDE 8
#define PIXELS (SIDE * SIDE)
#define CLASSES 10

/* One row of the results table: one model (FP32 now, INT8 later) measured
 * the same way, so rows can be compared side by side. */
typedef struct {
    const char *label;
    int correct;
    double mean_us, median_us; /* one image per run (batch 1) */
    double images_per_s;       /* whole test set in one run */
    int *pred;                 /* predicted class per image (batch 1) */
} demo_row;

static void die(const char *what, const char *msg) {
    fprintf(stderr, "tern_demo: %s: %s\n", what, msg);
    exit(2);
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int argmax(const float *v, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Read the test set and turn the pixels into the model's input. */
static float *load_test_set(const char *img_path, const char *lab_path, int *n_out,
                            int64_t **labels_out) {
    tern_npy img, lab;
    tern_err err = {{0}};
    if (tern_npy_read_file(img_path, &img, &err) != TERN_OK) die(img_path, err.msg);
    if (tern_npy_read_file(lab_path, &lab, &err) != TERN_OK) die(lab_path, err.msg);
    if (img.dtype != TERN_UINT8 || img.rank != 3 || img.dims[1] != SIDE || img.dims[2] != SIDE)
        die(img_path, "expected uint8 [N,8,8]");
    if (lab.dtype != TERN_INT64 || lab.rank != 1 || lab.dims[0] != img.dims[0])
        die(lab_path, "expected int64 [N] with N matching the images");
    if (img.dims[0] < 1 || img.dims[0] > 100000) die(img_path, "N out of range 1..100000");
    int n = (int)img.dims[0];
    float *x = malloc((size_t)n * PIXELS * sizeof *x);
    int64_t *labels = malloc((size_t)n * sizeof *labels);
    if (!x || !labels) die("load", "out of memory");
    const uint8_t *px = img.data;
    for (size_t i = 0; i < (size_t)n * PIXELS; i++) {
        if (px[i] > 16) die(img_path, "pixel values must be 0..16");
        x[i] = (float)px[i] / 16.0f;
    }
    memcpy(labels, lab.data, (size_t)n * sizeof *labels);
    tern_npy_free(&img);
    tern_npy_free(&lab);
    *n_out = n;
    *labels_out = labels;
    return x;
}

/* A session for `batch` images whose input is float [batch,1,8,8] and whose
 * output is float [batch,10]. */
static tern_session *open_session(const tern_model *m, int batch) {
    tern_session_options opts = {0};
    opts.batch = batch;
    tern_session *s = NULL;
    if (tern_session_create(m, &opts, &s) != TERN_OK)
        die("session", s ? tern_session_error(s) : "out of memory");
    tern_tensor_info in, out;
    if (tern_session_input_info(s, 0, &in) != TERN_OK ||
        tern_session_output_info(s, 0, &out) != TERN_OK)
        die("session", tern_session_error(s));
    if (in.dtype != TERN_FLOAT || in.bytes != (size_t)batch * PIXELS * sizeof(float))
        die("session", "model input is not float [N,1,8,8]");
    if (out.dtype != TERN_FLOAT || out.bytes != (size_t)batch * CLASSES * sizeof(float))
        die("session", "model output is not float [N,10]");
    return s;
}

static const float *run_once(tern_session *s, const float *x, size_t bytes) {
    const void *y = NULL;
    if (tern_session_set_input(s, 0, x, bytes) != TERN_OK || tern_session_run(s) != TERN_OK ||
        tern_session_output_data(s, 0, &y) != TERN_OK)
        die("run", tern_session_error(s));
    return y;
}

/* Batch 1: every image on its own, timed one by one. */
static void measure_single(const tern_model *m, const float *x, const int64_t *labels, int n,
                           demo_row *row) {
    tern_session *s = open_session(m, 1);
    double *us = malloc((size_t)n * sizeof *us);
    if (!us) die("measure", "out of memory");
    run_once(s, x, PIXELS * sizeof(float)); /* warm-up: first-touch of the arena */
    double total = 0;
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        const float *y = run_once(s, x + (size_t)i * PIXELS, PIXELS * sizeof(float));
        us[i] = now_us() - t0;
        total += us[i];
        row->pred[i] = argmax(y, CLASSES);
        row->correct += row->pred[i] == labels[i];
    }
    qsort(us, (size_t)n, sizeof *us, cmp_double);
    row->mean_us = total / n;
    row->median_us = n % 2 ? us[n / 2] : (us[n / 2 - 1] + us[n / 2]) / 2;
    free(us);
    tern_session_free(s);
}

/* Batch n: the whole test set in one run, repeated for at least 0.2 s.
 * Returns how many batched predictions differ from the batch-1 ones. */
static int measure_batched(const tern_model *m, const float *x, int n, demo_row *row) {
    tern_session *s = open_session(m, n);
    size_t bytes = (size_t)n * PIXELS * sizeof(float);
    const float *y = run_once(s, x, bytes);
    int differ = 0;
    for (int i = 0; i < n; i++) differ += argmax(y + (size_t)i * CLASSES, CLASSES) != row->pred[i];
    int runs = 0;
    double t0 = now_us(), elapsed;
    do {
        run_once(s, x, bytes);
        runs++;
        elapsed = now_us() - t0;
    } while (elapsed < 2e5 || runs < 3);
    row->images_per_s = (double)n * runs / (elapsed / 1e6);
    tern_session_free(s);
    return differ;
}

/* The header and the rows share one set of column widths. */
static void print_header(int n) {
    char batched[32];
    snprintf(batched, sizeof batched, "batch %d img/s", n);
    printf("%-6s  %-17s  %12s  %10s  %16s\n", "model", "accuracy", "mean us/img", "median us",
           batched);
}

/* Measure one model both ways. A later INT8 row is one more call. */
static demo_row evaluate(const char *label, const tern_model *m, const float *x,
                         const int64_t *labels, int n) {
    demo_row row = {.label = label, .pred = calloc((size_t)n, sizeof(int))};
    if (!row.pred) die(label, "out of memory");
    measure_single(m, x, labels, n, &row);
    int differ = measure_batched(m, x, n, &row);
    if (differ) /* only float summation order differs between batch sizes */
        fprintf(stderr, "tern_demo: %s: batch %d disagrees with batch 1 on %d images\n", label,
                n, differ);
    return row;
}

static void print_row(const demo_row *r, int n) {
    char acc[32];
    snprintf(acc, sizeof acc, "%.1f%% (%d/%d)", 100.0 * r->correct / n, r->correct, n);
    printf("%-6s  %-17s  %12.1f  %10.1f  %16.0f\n", r->label, acc, r->mean_us, r->median_us,
           r->images_per_s);
}

/* A few test images as ASCII art, with label and prediction. */
static void print_examples(const float *x, const int64_t *labels, const int *pred, int n) {
    static const char shade[] = " .:-=+*#%@";
    int pick[4] = {0, 1, 2, -1};
    for (int i = 0; i < n && pick[3] < 0; i++)
        if (pred[i] != labels[i]) pick[3] = i; /* the first mistake, if any */
    int count = pick[3] < 0 ? 3 : 4;
    for (int k = 0; k < count && pick[k] < n; k++) {
        char head[32];
        snprintf(head, sizeof head, "#%d: %d->%d%s", pick[k], (int)labels[pick[k]], pred[pick[k]],
                 pred[pick[k]] == labels[pick[k]] ? "" : " x");
        printf("  %-14s", head);
    }
    printf("\n");
    for (int r = 0; r < SIDE; r++) {
        for (int k = 0; k < count && pick[k] < n; k++) {
            printf("  ");
            for (int c = 0; c < SIDE; c++) {
                float v = x[(size_t)pick[k] * PIXELS + (size_t)r * SIDE + (size_t)c];
                printf("%c", shade[(int)(v * 9.0f + 0.5f)]);
            }
            printf("      ");
        }
        printf("\n");
    }
}

int main(int argc, char **argv) {
    if (argc == 3 || argc > 4) die("usage", "tern_demo [model.onnx [images.npy labels.npy]]");
    const char *model_path = argc > 1 ? argv[1] : "tools/demo/digits.onnx";
    const char *img_path = argc > 3 ? argv[2] : "tools/demo/digits_test.npy";
    const char *lab_path = argc > 3 ? argv[3] : "tools/demo/digits_test_labels.npy";

    int n;
    int64_t *labels;
    float *x = load_test_set(img_path, lab_path, &n, &labels);

    tern_model *model = NULL;
    if (tern_model_load_file(model_path, &model) != TERN_OK)
        die(model_path, model ? tern_model_error(model) : "out of memory");

    demo_row fp32 = evaluate("FP32", model, x, labels, n);

    printf("tern demo: %s on %d test digits (8x8, scikit-learn)\n\n", model_path, n);
    print_header(n);
    print_row(&fp32, n);
    printf("\nexamples (label->prediction):\n");
    print_examples(x, labels, fp32.pred, n);

    free(fp32.pred);
    tern_model_free(model);
    free(labels);
    free(x);
    return 0;
}
