/* Post-training quantization (quant/, include/tern_quant.h): histograms and
 * calibrators on synthetic data with known answers, the int8 grid, the ONNX
 * writer's round trip through tern's own loader, and the quantizer end to
 * end on the demo model: its QDQ file, loaded back, simulates bit for bit
 * what the quantizer held in memory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/model.h"
#include "loader/npy.h"
#include "loader/onnx_write.h"
#include "quant/hist.h"
#include "quant/ptq_priv.h"
#include "tern_quant.h"
#include "tests/harness.h"
#include "tests/onnx_writer.h"

/* A deterministic uniform in [0, 1) (no libc rand: same on every host). */
static double unif(unsigned *s) {
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) / 16777216.0;
}

static tern_hist *new_hist(void) {
    tern_hist *h = malloc(sizeof *h);
    if (h) tern_hist_init(h);
    return h;
}

static void hist_growth(th_ctx *t) {
    tern_hist *h = new_hist(), *h2 = new_hist();
    if (!h || !h2) abort();
    float a[] = {0.5f, 0, 0}, b[] = {3.0f, -2.0f, 0.25f}, c[] = {NAN, 100.0f};
    tern_hist_add(h, a, 3);
    tern_hist_add(h, b, 3);
    tern_hist_add(h, c, 2);
    double sum = 0;
    for (int i = 0; i < TERN_HIST_BINS; i++) sum += h->pos.c[i];
    th_check(t, h->count == 7 && h->zeros == 2 && h->pos.n == 4 && h->neg.n == 1 && sum == 4 &&
                    h->pos.max == 100 && h->neg.max == 2 && h->pos.w > 100,
             "hist: values land on their side, the range grows, NaN is skipped",
             "count %g zeros %g pos %g sum %g max %g w %g", h->count, h->zeros, h->pos.n, sum,
             h->pos.max, h->pos.w);
    /* merging equals adding everything to one histogram (same counts, max) */
    float d[] = {7.0f, -0.1f, 1000.0f};
    tern_hist_add(h2, d, 3);
    tern_hist_merge(h, h2);
    double lo, hi;
    tern_calib_range(h, TERN_CALIB_MINMAX, 0, &lo, &hi);
    th_check(t, h->count == 10 && h->pos.n == 6 && lo == -2 && hi == 1000, "hist: merge",
             "count %g pos %g range [%g, %g]", h->count, h->pos.n, lo, hi);
    free(h);
    free(h2);
}

/* Known answers: the 99th percentile of a uniform; MSE clips a lone
 * outlier that minmax keeps; KL is not fooled by a ReLU's zero spike. */
static void calibrators(th_ctx *t) {
    tern_hist *h = new_hist();
    if (!h) abort();
    enum { N = 100000 };
    float *x = malloc(N * sizeof *x);
    unsigned s = 1;
    for (int i = 0; i < N; i++) x[i] = (float)unif(&s);
    tern_hist_add(h, x, N);
    double lo, hi;
    tern_calib_range(h, TERN_CALIB_PERCENTILE, 99, &lo, &hi);
    th_check(t, fabs(hi - 0.99) < 0.002 && lo == 0, "calib: percentile 99 of U(0,1) is 0.99",
             "[%g, %g]", lo, hi);
    tern_calib_range(h, TERN_CALIB_MSE, 0, &lo, &hi);
    th_check(t, hi > 0.98 && hi <= 1 && lo == 0, "calib: MSE keeps a uniform's whole range",
             "[%g, %g]", lo, hi);
    /* Laplace(0, 1): the long tails are worth clipping (for 8 bits the
     * optimum is near 10 b, Banner et al. 2019), and a lone outlier at 100
     * is not, its squared error outweighing the rounding noise saved */
    tern_hist_init(h);
    for (int i = 0; i < N; i++) {
        double u = unif(&s) * 0.999999 + 1e-7;
        x[i] = (float)(i & 1 ? -log(u) : log(u));
    }
    tern_hist_add(h, x, N);
    tern_calib_range(h, TERN_CALIB_MINMAX, 0, &lo, &hi);
    double mlo, mhi;
    tern_calib_range(h, TERN_CALIB_MSE, 0, &mlo, &mhi);
    th_check(t, mhi < hi && mhi > 7 && mhi < 13 && mlo > lo && mlo < -7 && mlo > -13 &&
                    tern_calib_mse(h, mlo, mhi) < tern_calib_mse(h, lo, hi),
             "calib: MSE clips a Laplace's tails near 10 b", "minmax [%g, %g], mse [%g, %g]", lo,
             hi, mlo, mhi);
    /* ReLU6 output: 80% exact zeros, the rest uniform on (0, 6] */
    tern_hist_init(h);
    for (int i = 0; i < N; i++) x[i] = i % 5 ? 0.0f : (float)(6 * (1 - unif(&s)));
    tern_hist_add(h, x, N);
    tern_calib_range(h, TERN_CALIB_ENTROPY, 0, &lo, &hi);
    th_check(t, hi > 5 && lo == 0, "calib: entropy ignores the zero spike of a ReLU",
             "[%g, %g]", lo, hi);
    /* a sparse side (few values per level) keeps its full range */
    tern_hist_init(h);
    float sp[40];
    for (int i = 0; i < 40; i++) sp[i] = (float)(i * i) / 100;
    tern_hist_add(h, sp, 40);
    tern_calib_range(h, TERN_CALIB_ENTROPY, 0, &lo, &hi);
    th_check(t, hi == sp[39], "calib: entropy on a sparse histogram keeps the range", "hi %g", hi);
    free(x);
    free(h);
}

static void grid(th_ctx *t) {
    float s;
    int z;
    pq_grid(0, 6, &s, &z);
    int ok = z == -128 && s == (float)(6.0 / 255);
    pq_grid(-1, 127.0 / 128, &s, &z);
    ok &= z == 0 && s == 1.0f / 128;
    pq_grid(0, 0, &s, &z);
    ok &= s > 0 && z >= -128 && z <= 127;
    th_check(t, ok, "grid: [0,6] has z -128; tf128's range is exact", "s %g z %d", s, z);
    float v[] = {0.5f, 0.5078125f, -3.0f, 2.0f, NAN, 0.00390625f};
    pq_fake_quant(v, 6, 1.0f / 128, 0);
    th_check(t, v[0] == 0.5f && v[1] == 0.5078125f && v[2] == -1.0f && v[3] == 127.0f / 128 &&
                    v[4] == -1.0f && v[5] == 0.0f,
             "grid: fake quantization rounds half to even, clamps, NaN to the minimum",
             "%g %g %g %g %g %g", v[0], v[1], v[2], v[3], v[4], v[5]);
}

/* Output 0 of model m on the .npy input; malloc'ed, *n floats. */
static float *run_model(const tern_model *m, const char *input, size_t *n) {
    tern_session *s = NULL;
    tern_npy x;
    tern_err err;
    if (tern_npy_read_file(input, &x, &err) != TERN_OK) return NULL;
    float *out = NULL;
    tern_tensor_info info;
    if (tern_session_create(m, NULL, &s) == TERN_OK &&
        tern_session_set_input(s, 0, x.data, x.bytes) == TERN_OK &&
        tern_session_run(s) == TERN_OK && tern_session_output_info(s, 0, &info) == TERN_OK &&
        (out = malloc(info.bytes)) && tern_session_get_output(s, 0, out, info.bytes) == TERN_OK)
        *n = info.bytes;
    tern_session_free(s);
    tern_npy_free(&x);
    return out;
}

/* Written and read back, a model computes the same bits, and writing it
 * again gives the same bytes. */
static void writer_round_trip(th_ctx *t) {
    static const char *const models[] = {"conv_bn_relu", "tflite_se", "conv_bn_hsig_mul",
                                         "pad_conv", "matmul_add", "softmax_head", "clip11_const"};
    for (size_t k = 0; k < sizeof models / sizeof *models; k++) {
        char path[256], in[256], name[256];
        snprintf(path, sizeof path, "tests/models/%s.onnx", models[k]);
        snprintf(in, sizeof in, "tests/models/%s.input.npy", models[k]);
        snprintf(name, sizeof name, "onnx writer: %s round trip", models[k]);
        tern_model *a = NULL, *b = NULL;
        tern_pbw w1 = {0}, w2 = {0};
        tern_err err = {{0}};
        size_t na = 0, nb = 0;
        float *oa = NULL, *ob = NULL;
        int ok = tern_model_load_file(path, &a) == TERN_OK &&
                 tern_onnx_write(&a->graph, &w1, &err) == TERN_OK &&
                 tern_model_load_buffer(w1.b, w1.n, NULL, &b) == TERN_OK &&
                 tern_onnx_write(&b->graph, &w2, &err) == TERN_OK;
        if (ok) {
            oa = run_model(a, in, &na);
            ob = run_model(b, in, &nb);
        }
        ok = ok && oa && ob && na == nb && !memcmp(oa, ob, na) && w1.n == w2.n &&
             !memcmp(w1.b, w2.b, w1.n);
        th_check(t, ok, name, "%s", err.msg[0] ? err.msg : b ? tern_model_error(b) : "load failed");
        free(oa);
        free(ob);
        tern_pbw_free(&w1);
        tern_pbw_free(&w2);
        tern_model_free(a);
        tern_model_free(b);
    }
}

static const char *const DIGITS[] = {"tools/demo/digit_0_2.pgm", "tools/demo/digit_1_3.pgm",
                                     "tools/demo/digit_2_4.pgm", "tools/demo/digit_3_5.pgm"};

static int calibrate(tern_ptq *q, const tern_preprocess *p) {
    tern_ptq_worker *w = NULL;
    int ok = tern_ptq_worker_create(q, &w) == TERN_OK;
    for (int i = 0; ok && i < 4; i++) {
        tern_image img;
        ok = tern_image_load_file(DIGITS[i], &img) == TERN_OK;
        ok = ok && tern_ptq_worker_calibrate(w, &img, p) == TERN_OK;
        tern_image_free(&img);
    }
    ok = ok && tern_ptq_worker_merge(w) == TERN_OK;
    tern_ptq_worker_free(w);
    return ok;
}

/* The INT8 outputs of q on the four digits, concatenated (10 each). */
static int int8_outputs(tern_ptq *q, const tern_preprocess *p, float *out) {
    tern_ptq_worker *w = NULL;
    int ok = tern_ptq_worker_create(q, &w) == TERN_OK;
    for (int i = 0; ok && i < 4; i++) {
        tern_image img;
        const float *a, *b;
        size_t n = 0;
        ok = tern_image_load_file(DIGITS[i], &img) == TERN_OK &&
             tern_ptq_worker_compare(w, &img, p, &a, &b, &n) == TERN_OK && n == 10;
        if (ok) memcpy(out + 10 * i, b, 10 * sizeof(float));
        tern_image_free(&img);
    }
    ok = ok && tern_ptq_worker_merge(w) == TERN_OK;
    tern_ptq_worker_free(w);
    return ok;
}

static void quantize_demo(th_ctx *t) {
    tern_model *m = NULL;
    tern_ptq *q = NULL, *q2 = NULL;
    tern_preprocess p;
    tern_preprocess_preset("unit", &p);
    char path[64]; /* in build/, per process: runs may overlap */
    snprintf(path, sizeof path, "build/ptq_test.%ld.onnx", (long)getpid());
    float a[40], b[40];
    int ok = tern_model_load_file("tools/demo/digits.onnx", &m) == TERN_OK &&
             tern_ptq_create(m, NULL, &q) == TERN_OK && calibrate(q, &p) &&
             tern_ptq_finish(q) == TERN_OK && tern_ptq_save(q, path) == TERN_OK;
    tern_ptq_summary s = {0};
    if (ok) tern_ptq_summary_get(q, &s);
    th_check(t, ok && s.calibrated == 4 && s.int8 > 10 && s.kept_float == 0,
             "ptq: the demo model quantizes, every node INT8", "%s; int8 %d float %d",
             q ? tern_ptq_error(q) : "no model", s.int8, s.kept_float);
    ok = ok && int8_outputs(q, &p, a) && tern_ptq_load(m, path, NULL, &q2) == TERN_OK &&
         int8_outputs(q2, &p, b);
    int finite = 1;
    for (int i = 0; i < 40; i++) finite &= isfinite(a[i]);
    th_check(t, ok && finite && !memcmp(a, b, sizeof a),
             "ptq: the saved QDQ file, loaded back into tern's integer graph, gives the "
             "quantizer's INT8 outputs bit for bit",
             "%s", q2 ? tern_ptq_error(q2) : "not loaded");
    /* the file really runs as integer ops, and the float simulation of the
     * same file predicts it: same top-1, scores within a few output steps */
    tern_session *is = NULL;
    char rep[8192];
    size_t len = 0;
    int integer = tern_session_create(q2->qdq_model, NULL, &is) == TERN_OK &&
                  tern_session_report(is, 0, rep, sizeof rep, &len) == TERN_OK;
    const char *after = integer ? strstr(rep, "ops after passes") : NULL;
    integer = after && strstr(after, "QLinearConv") && !strstr(after, "\n  Conv ");
    tern_session_free(is);
    th_check(t, integer, "ptq: tern compiles its QDQ file into integer ops", "%s",
             len ? rep : "no report");
    tern_ptq *qs = NULL;
    tern_ptq_options so = {.simulate = 1};
    float c[40], d[40];
    ok = tern_ptq_load(m, path, &so, &qs) == TERN_OK && int8_outputs(qs, &p, c);
    tern_ptq_free(qs);
    qs = NULL;
    ok = ok && tern_ptq_load(m, path, &so, &qs) == TERN_OK && int8_outputs(qs, &p, d) &&
         !memcmp(c, d, sizeof c);
    int same_top = 0;
    double worst = 0;
    for (int i = 0; ok && i < 4; i++) {
        int ia = 0, ic = 0;
        for (int k = 1; k < 10; k++) {
            if (a[10 * i + k] > a[10 * i + ia]) ia = k;
            if (c[10 * i + k] > c[10 * i + ic]) ic = k;
            double diff = fabs((double)a[10 * i + k] - c[10 * i + k]);
            if (diff > worst) worst = diff;
        }
        same_top += ia == ic;
    }
    th_check(t, ok && same_top == 4 && worst < 0.5,
             "ptq: the float simulation predicts the integer graph (same top-1, scores close)",
             "top-1 same on %d/4, largest score difference %g", same_top, worst);
    tern_ptq_free(qs);
    int nl = ok ? tern_ptq_layer_count(q2) : 0, good = nl > 10;
    for (int i = 0; i < nl; i++) {
        tern_ptq_layer l;
        good &= tern_ptq_layer_get(q2, i, &l) == TERN_OK && l.sqnr_db > 5 && l.cosine > 0.8;
    }
    th_check(t, good, "ptq: per-layer SQNR and cosine of the demo are sane", "%d layers", nl);
    /* keeping a node in float is honoured and the result still loads */
    tern_ptq_free(q2);
    q2 = NULL;
    tern_ptq_options o = {.keep_fp32 = "/0/Conv_output_0,nonexistent"};
    tern_ptq_create(m, &o, &q2);
    ok = q2 && calibrate(q2, &p) && tern_ptq_finish(q2) == TERN_OK;
    if (ok) tern_ptq_summary_get(q2, &s);
    th_check(t, ok, "ptq: --keep-fp32 names that match nothing are harmless", "%s",
             q2 ? tern_ptq_error(q2) : "");
    if (ok && q->n_layers > 0) {
        tern_ptq_free(q2);
        q2 = NULL;
        o.keep_fp32 = q->layers[1].name;
        tern_ptq_create(m, &o, &q2);
        ok = q2 && calibrate(q2, &p) && tern_ptq_finish(q2) == TERN_OK &&
             tern_ptq_summary_get(q2, &s) == TERN_OK && s.kept_float == 1;
        th_check(t, ok, "ptq: --keep-fp32 keeps the named node in float", "%s kept %d",
                 q2 ? tern_ptq_error(q2) : "", s.kept_float);
    }
    unlink(path);
    tern_ptq_free(q);
    tern_ptq_free(q2);
    tern_model_free(m);
}

/* x [2] -> QuantizeLinear(s, z) -> DequantizeLinear(s2, z) -> y, plus a
 * DequantizeLinear of an int8 initializer w [2] with scale ws (axis 0) added
 * to y: malformed variants must be refused with a message, never crash. */
static int write_qdq(const char *path, int n_scale, int n_wscale, int with_dq) {
    float sc[3] = {0.5f, 0.25f, 0.125f}; /* up to 3 scales: the "too many" case */
    int8_t z = 0, w[2] = {3, -4};
    int64_t d2 = 2, ds = n_scale, dw = n_wscale;
    ow_buf g = {0};
    const char *q_in[] = {"x", "s", "z"}, *q_out[] = {"xq"};
    const char *d_in[] = {"xq", "s", "z"}, *d_out[] = {"y"};
    const char *w_in[] = {"w", "ws"}, *w_out[] = {"wf"};
    const char *a_in[] = {"y", "wf"}, *a_out[] = {"o"};
    ow_buf n1 = ow_node("QuantizeLinear", "q", q_in, 3, q_out, 1);
    ow_msg(&g, OW_G_NODE, &n1);
    if (with_dq) {
        ow_buf n2 = ow_node("DequantizeLinear", "dq", d_in, 3, d_out, 1);
        ow_msg(&g, OW_G_NODE, &n2);
    }
    ow_buf n3 = ow_node("DequantizeLinear", "dw", w_in, 2, w_out, 1);
    ow_attr_int(&n3, "axis", 0);
    ow_msg(&g, OW_G_NODE, &n3);
    ow_buf n4 = ow_node("Add", "add", a_in, 2, a_out, 1);
    ow_msg(&g, OW_G_NODE, &n4);
    ow_buf t1 = ow_tensor("s", OW_FLOAT, n_scale == 1 ? 0 : 1, &ds, sc, (size_t)n_scale * 4);
    ow_buf t2 = ow_tensor("z", 3, 0, NULL, &z, 1);
    ow_buf t3 = ow_tensor("w", 3, 1, &d2, w, 2);
    ow_buf t4 = ow_tensor("ws", OW_FLOAT, 1, &dw, sc, (size_t)n_wscale * 4);
    ow_msg(&g, OW_G_INIT, &t1);
    ow_msg(&g, OW_G_INIT, &t2);
    ow_msg(&g, OW_G_INIT, &t3);
    ow_msg(&g, OW_G_INIT, &t4);
    ow_buf vi = ow_value_info("x", OW_FLOAT, 1, &d2), vo = ow_value_info("o", OW_FLOAT, 1, &d2);
    ow_msg(&g, OW_G_INPUT, &vi);
    ow_msg(&g, OW_G_OUTPUT, &vo);
    ow_buf m = ow_model(&g, 13);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(m.b, 1, m.n, f) == m.n;
    if (f) ok &= fclose(f) == 0;
    ow_free(&m);
    return ok;
}

static void hostile_qdq(th_ctx *t) {
    static const struct {
        int scale, wscale, dq;
        const char *want; /* NULL: loads */
    } cases[] = {{1, 2, 1, NULL},
                 {0, 2, 1, "per-tensor"},
                 {1, 0, 1, "no scale"},
                 {1, 3, 1, "scales for axis"},
                 {1, 2, 0, "is not produced"}};
    tern_model *m = NULL;
    if (tern_model_load_file("tests/models/conv_bn_relu.onnx", &m) != TERN_OK) {
        th_fail(t, "ptq: hostile QDQ files", "conv_bn_relu.onnx does not load");
        tern_model_free(m);
        return;
    }
    char path[64]; /* in build/, per process: runs may overlap */
    snprintf(path, sizeof path, "build/ptq_hostile.%ld.onnx", (long)getpid());
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char name[128];
        snprintf(name, sizeof name, "ptq: QDQ file case %zu %s", k,
                 cases[k].want ? "is refused with a message" : "loads");
        tern_ptq *q = NULL;
        int ok = write_qdq(path, cases[k].scale, cases[k].wscale, cases[k].dq);
        tern_status st = tern_ptq_load(m, path, NULL, &q);
        const char *msg = tern_ptq_error(q);
        ok = ok && (cases[k].want ? st != TERN_OK && strstr(msg, cases[k].want) != NULL
                                  : st == TERN_OK && q->n_fq == 1);
        th_check(t, ok, name, "status %d: %s", (int)st, msg);
        tern_ptq_free(q);
    }
    unlink(path);
    tern_model_free(m);
}

TH_SUITE(suite_ptq) {
    hostile_qdq(t);
    hist_growth(t);
    calibrators(t);
    grid(t);
    writer_round_trip(t);
    quantize_demo(t);
}
