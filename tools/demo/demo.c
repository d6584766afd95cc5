/* tern demo: classify the 360 test digits with the tiny CNN in tools/demo and
 * print accuracy and latency, FP32 and INT8 side by side. The INT8 model is
 * made here by tern's own post-training quantization (include/tern_quant.h)
 * from 200 *training* digits, saved as a QDQ ONNX file, loaded back and run
 * on tern's integer kernels. It is also the example of the public API: load
 * a model, create a session, set the input, run, read the output; quantize.
 *
 *   build/tern_demo [model.onnx [images.npy labels.npy [calib.npy int8.onnx]]]
 *
 * images.npy, calib.npy: uint8 [N,8,8], pixels 0..16 (scikit-learn's
 * digits); the model takes float32 [N,1,8,8] = pixel / 16. labels.npy:
 * int64 [N]. int8.onnx: where the quantized model is written (default
 * build/digits_int8.onnx). Exit status: 0 on success, 2 on any error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loader/npy.h"
#include "tern.h"
#include "tern_quant.h"

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

/* Read uint8 [N,8,8] digits with pixels 0..16. */
static tern_npy read_digits(const char *path) {
    tern_npy img;
    tern_err err = {{0}};
    if (tern_npy_read_file(path, &img, &err) != TERN_OK) die(path, err.msg);
    if (img.dtype != TERN_UINT8 || img.rank != 3 || img.dims[1] != SIDE || img.dims[2] != SIDE)
        die(path, "expected uint8 [N,8,8]");
    if (img.dims[0] < 1 || img.dims[0] > 100000) die(path, "N out of range 1..100000");
    const uint8_t *px = img.data;
    for (size_t i = 0; i < (size_t)img.dims[0] * PIXELS; i++)
        if (px[i] > 16) die(path, "pixel values must be 0..16");
    return img;
}

/* Read the test set and turn the pixels into the model's input. */
static float *load_test_set(const char *img_path, const char *lab_path, int *n_out,
                            int64_t **labels_out) {
    tern_npy img = read_digits(img_path), lab;
    tern_err err = {{0}};
    if (tern_npy_read_file(lab_path, &lab, &err) != TERN_OK) die(lab_path, err.msg);
    if (lab.dtype != TERN_INT64 || lab.rank != 1 || lab.dims[0] != img.dims[0])
        die(lab_path, "expected int64 [N] with N matching the images");
    int n = (int)img.dims[0];
    float *x = malloc((size_t)n * PIXELS * sizeof *x);
    int64_t *labels = malloc((size_t)n * sizeof *labels);
    if (!x || !labels) die("load", "out of memory");
    const uint8_t *px = img.data;
    for (size_t i = 0; i < (size_t)n * PIXELS; i++) x[i] = (float)px[i] / 16.0f;
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

/* Quantize m with tern's PTQ (default settings) on the calibration digits
 * and save the QDQ model to out_path. A digit is fed as an 8x8 gray image
 * whose pixels are the raw 0..16 values, mapped by (p - 0) / 16: exactly the
 * model's input. Returns the seconds it took. */
static double quantize(const tern_model *m, const char *calib_path, const char *out_path) {
    tern_npy calib = read_digits(calib_path);
    double t0 = now_us();
    tern_preprocess prep = {.geometry = TERN_PREP_FIT, .values = TERN_PREP_MEAN_STD,
                            .mean = {0, 0, 0}, .std = {16, 16, 16}};
    tern_ptq *q = NULL;
    tern_ptq_worker *w = NULL;
    if (tern_ptq_create(m, NULL, &q) != TERN_OK)
        die("quantize", q ? tern_ptq_error(q) : "out of memory");
    if (tern_ptq_worker_create(q, &w) != TERN_OK)
        die("quantize", w ? tern_ptq_worker_error(w) : tern_ptq_error(q));
    for (int64_t i = 0; i < calib.dims[0]; i++) {
        tern_image img = {.width = SIDE, .height = SIDE, .channels = 1,
                          .pixels = (unsigned char *)calib.data + i * PIXELS};
        if (tern_ptq_worker_calibrate(w, &img, &prep) != TERN_OK)
            die("calibrate", tern_ptq_worker_error(w));
    }
    if (tern_ptq_worker_merge(w) != TERN_OK || tern_ptq_finish(q) != TERN_OK ||
        tern_ptq_save(q, out_path) != TERN_OK)
        die("quantize", tern_ptq_error(q));
    tern_ptq_worker_free(w);
    tern_ptq_free(q);
    tern_npy_free(&calib);
    return (now_us() - t0) / 1e6;
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
    if (argc == 3 || argc == 5 || argc > 6)
        die("usage", "tern_demo [model.onnx [images.npy labels.npy [calib.npy int8.onnx]]]");
    const char *model_path = argc > 1 ? argv[1] : "tools/demo/digits.onnx";
    const char *img_path = argc > 3 ? argv[2] : "tools/demo/digits_test.npy";
    const char *lab_path = argc > 3 ? argv[3] : "tools/demo/digits_test_labels.npy";
    const char *calib_path = argc > 5 ? argv[4] : "tools/demo/digits_calib.npy";
    const char *int8_path = argc > 5 ? argv[5] : "build/digits_int8.onnx";

    int n;
    int64_t *labels;
    float *x = load_test_set(img_path, lab_path, &n, &labels);

    tern_model *model = NULL;
    if (tern_model_load_file(model_path, &model) != TERN_OK)
        die(model_path, model ? tern_model_error(model) : "out of memory");

    demo_row fp32 = evaluate("FP32", model, x, labels, n);
    double q_seconds = quantize(model, calib_path, int8_path);
    tern_model *qmodel = NULL;
    if (tern_model_load_file(int8_path, &qmodel) != TERN_OK)
        die(int8_path, qmodel ? tern_model_error(qmodel) : "out of memory");
    demo_row int8 = evaluate("INT8", qmodel, x, labels, n);
    int agree = 0;
    for (int i = 0; i < n; i++) agree += fp32.pred[i] == int8.pred[i];

    printf("tern demo: %s on %d test digits (8x8, scikit-learn)\n", model_path, n);
    printf("INT8: quantized by tern (%s, %.2f s) into %s\n\n", calib_path, q_seconds, int8_path);
    print_header(n);
    print_row(&fp32, n);
    print_row(&int8, n);
    printf("INT8 - FP32: %+.1f points; INT8 and FP32 agree on %d/%d images\n",
           100.0 * (int8.correct - fp32.correct) / n, agree, n);
    printf("\nexamples (label->prediction):\n");
    print_examples(x, labels, fp32.pred, n);

    free(fp32.pred);
    free(int8.pred);
    tern_model_free(qmodel);
    tern_model_free(model);
    free(labels);
    free(x);
    return 0;
}
