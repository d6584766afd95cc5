/* tern quantize MODEL --calib DIR [--count N] [--method M] [--preset P ...]
 * [--keep-fp32 NAMES] [--auto-fp32 K] [--no-bias-correction] [--weight-mse]
 * [--threads T] -o OUT.onnx: post-training quantization to a QDQ model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ptq_cli.h"

typedef struct {
    const char *model, *out;
    ptq_args pa;
    cli_prep prep;
    int threads;
} quant_args;

static int parse(int argc, char **argv, quant_args *a) {
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r = cli_prep_option(argc, argv, &i, &a->prep);
        if (r != 1) {
            if (r) return r;
            continue;
        }
        r = ptq_option(argc, argv, &i, &a->pa, 1);
        if (r != 1) {
            if (r) return r;
            continue;
        }
        if ((r = cli_option(argc, argv, &i, "-o", &v)) != 0) a->out = v;
        else if ((r = cli_option(argc, argv, &i, "--threads", &v)) != 0) {
            if (r > 0 && cli_int(v, 1, 1024, "--threads", &a->threads)) return CLI_EXIT_ERROR;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_fail("unknown option '%s' (tern quantize; see tern --help)", argv[i]);
        } else if (!a->model) {
            a->model = argv[i];
        } else {
            return cli_fail("unexpected argument '%s' (tern quantize takes one model)", argv[i]);
        }
        if (r < 0) return CLI_EXIT_ERROR;
    }
    if (!a->model || !a->pa.calib || !a->out)
        return cli_fail("usage: tern quantize MODEL --calib DIR [--count N] [--method "
                        "minmax|percentile|entropy|mse] [--percentile P] [--preset P] "
                        "[--keep-fp32 NAMES] [--auto-fp32 K] [--no-bias-correction] "
                        "[--weight-mse] [--int8-output] [--threads T] -o OUT.onnx");
    return cli_prep_finish(&a->prep);
}

static void summary(const quant_args *a, tern_ptq *q, double total, double calib, int images) {
    tern_ptq_summary s;
    tern_ptq_summary_get(q, &s);
    char model[512];
    snprintf(model, sizeof model, "%s", a->model);
    cli_printable(model, 0);
    printf("tern quantize %s: %d calibration images, method %s", model, images,
           ptq_method_name(a->pa.o.method));
    if (a->pa.o.method == TERN_PTQ_PERCENTILE)
        printf(" %.4g", a->pa.o.percentile > 0 ? a->pa.o.percentile : 99.99);
    printf(", bias correction %s%s\n", a->pa.o.no_bias_correction ? "off" : "on",
           a->pa.o.weight_mse ? ", MSE weight scales" : "");
    printf("time %.1f s (calibration %.1f s, %d thread%s)\n", total, calib, a->threads,
           a->threads == 1 ? "" : "s");
    printf("nodes: %d in INT8, %d activations folded into INT8 ranges, %d moving INT8 data, "
           "%d left in float\n", s.int8, s.absorbed, s.movement, s.kept_float);
    for (int i = 0; i < s.kept_float; i++) {
        const char *name, *op, *why;
        if (tern_ptq_float_node(q, i, &name, &op, &why) != TERN_OK) break;
        char nm[256];
        snprintf(nm, sizeof nm, "%s", name);
        cli_printable(nm, 0);
        printf("  float: %s (%s): %s\n", nm, op, why);
    }
}

static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int cmd_quantize(int argc, char **argv) {
    quant_args a;
    memset(&a, 0, sizeof a);
    a.threads = 2;
    tern_model *m = NULL;
    tern_ptq *q = NULL;
    double t0 = wall(), calib = 0;
    int images = 0;
    int rc = parse(argc, argv, &a);
    if (!rc) rc = cli_load(a.model, &m);
    if (!rc && tern_ptq_create(m, &a.pa.o, &q) != TERN_OK)
        rc = cli_fail("cannot quantize %s: %s", a.model, tern_ptq_error(q));
    if (!rc) rc = ptq_quantize(q, &a.pa, &a.prep.p, a.threads, &calib, &images);
    if (!rc && tern_ptq_save(q, a.out) != TERN_OK) rc = cli_fail("%s", tern_ptq_error(q));
    if (!rc) {
        summary(&a, q, wall() - t0, calib, images);
        printf("wrote %s\n", a.out);
    }
    tern_ptq_free(q);
    tern_model_free(m);
    return rc;
}
