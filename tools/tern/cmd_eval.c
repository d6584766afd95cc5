/* tern eval MODEL --images DIR --labels LABELS.csv [--preset P ...]: top-1 and
 * top-5 accuracy and images per second over a labelled image set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_int8.h"

typedef struct {
    ptq_args pa;
    const char *int8, *save, *fp32;
    int layers;
} int8_args;

static int parse(int argc, char **argv, eval_args *a, int8_args *x) {
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r = cli_prep_option(argc, argv, &i, &a->prep);
        if (r != 1) {
            if (r) return r;
            continue;
        }
        r = ptq_option(argc, argv, &i, &x->pa, 0);
        if (r != 1) {
            if (r) return r;
            continue;
        }
        if (!strcmp(argv[i], "--json")) a->json = 1;
        else if ((r = cli_option(argc, argv, &i, "--int8", &v)) != 0) x->int8 = v;
        else if ((r = cli_option(argc, argv, &i, "--save-int8", &v)) != 0) x->save = v;
        else if ((r = cli_option(argc, argv, &i, "--fp32-predictions", &v)) != 0) x->fp32 = v;
        else if ((r = cli_option(argc, argv, &i, "--layers", &v)) != 0) {
            if (r > 0 && cli_int(v, 0, 1000000, "--layers", &x->layers)) return CLI_EXIT_ERROR;
        }
        else if (!strcmp(argv[i], "--strict")) a->strict = 1;
        else if (!strcmp(argv[i], "--no-fuse")) a->opts.flags |= TERN_SESSION_NO_FUSE;
        else if ((r = cli_option(argc, argv, &i, "--images", &v)) != 0) a->images = v;
        else if ((r = cli_option(argc, argv, &i, "--labels", &v)) != 0) a->labels = v;
        else if ((r = cli_option(argc, argv, &i, "--predictions", &v)) != 0) a->predictions = v;
        else if ((r = cli_option(argc, argv, &i, "--count", &v)) != 0) {
            if (r > 0 && cli_int(v, 1, 10000000, "--count", &a->count)) return CLI_EXIT_ERROR;
        } else if ((r = cli_option(argc, argv, &i, "--threads", &v)) != 0) {
            if (r > 0 && cli_int(v, 1, 1024, "--threads", &a->threads)) return CLI_EXIT_ERROR;
        } else if ((r = cli_option(argc, argv, &i, "--shape", &v)) != 0) {
            if (r > 0 && cli_shape(v, &a->shapes)) return CLI_EXIT_ERROR;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_fail("unknown option '%s' (tern eval; see tern --help)", argv[i]);
        } else if (!a->model) {
            a->model = argv[i];
        } else {
            return cli_fail("unexpected argument '%s' (tern eval takes one model)", argv[i]);
        }
        if (r < 0) return CLI_EXIT_ERROR;
    }
    if (!a->model || (!a->images && !a->labels))
        return cli_fail("usage: tern eval MODEL --images DIR [--labels LABELS.csv] [--preset P] "
                        "[--count N] [--threads T] [--predictions OUT.csv] [--json] "
                        "[--int8 QMODEL | --calib DIR [quantize flags]] [--layers N]");
    if (x->int8 && x->pa.calib) return cli_fail("--int8 and --calib exclude each other");
    return cli_prep_finish(&a->prep);
}

/* Labels must index the model's classes (1001-class models: label + 1). */
static int check_labels(const eval_set *set, eval_result *r, const char *model) {
    r->offset = r->classes == 1001;
    for (int k = 0; k < set->count; k++)
        if (set->images[k].label >= 0 && set->images[k].label + r->offset >= r->classes)
            return cli_fail("%s: class %ld is beyond the %ld outputs of %s", set->images[k].name,
                            set->images[k].label, r->classes, model);
    return 0;
}

typedef struct {
    int run, top1, top5;
} eval_score;

static eval_score score(const eval_set *set, const eval_result *r) {
    eval_score s = {0, 0, 0};
    for (int k = 0; k < set->count; k++) {
        const eval_image *im = &set->images[k];
        if (im->status != 0) continue;
        s.run++;
        long want = im->label + r->offset;
        s.top1 += im->top[0] == want;
        for (int j = 0; j < EVAL_TOP; j++) s.top5 += im->top[j] == want;
    }
    return s;
}

/* filename,top1,top5 as ../shared/refs/<model>/predictions.csv has them. */
static int write_predictions(const char *path, const eval_set *set) {
    FILE *f = fopen(path, "w");
    if (!f) return cli_fail("cannot write %s (--predictions)", path);
    fprintf(f, "filename,top1,top5\n");
    for (int k = 0; k < set->count; k++) {
        const eval_image *im = &set->images[k];
        if (im->status != 0) continue;
        fprintf(f, "%s,%ld,", im->name, im->top[0]);
        for (int j = 0; j < EVAL_TOP && im->top[j] >= 0; j++) fprintf(f, "%s%ld", j ? " " : "", im->top[j]);
        fputc('\n', f);
    }
    int bad = ferror(f) | (fclose(f) != 0);
    return bad ? cli_fail("cannot write %s (--predictions)", path) : 0;
}

static void report(const eval_args *a, const eval_set *set, const eval_result *r) {
    eval_score s = score(set, r);
    double ips = r->seconds > 0 ? s.run / r->seconds : 0;
    double t1 = s.run ? (double)s.top1 / s.run : 0, t5 = s.run ? (double)s.top5 / s.run : 0;
    char model[512];
    snprintf(model, sizeof model, "%s", a->model);
    cli_printable(model, 0);
    if (a->json) {
        printf("{\"model\":\"%s\",\"images\":%d,\"failed\":%d,", model, s.run, r->failed);
        if (set->labelled) printf("\"top1\":%.6f,\"top5\":%.6f,", t1, t5);
        printf("\"images_per_s\":%.3f,\"seconds\":%.3f,\"threads\":%d}\n", ips, r->seconds,
               a->threads);
        return;
    }
    printf("tern eval %s: %d images%s, %d thread%s\n", model, s.run,
           set->labelled ? "" : " (no labels: predictions only)", a->threads,
           a->threads == 1 ? "" : "s");
    if (set->labelled) {
        printf("top-1  %5.1f%%  (%d/%d)\n", 100 * t1, s.top1, s.run);
        printf("top-5  %5.1f%%  (%d/%d)\n", 100 * t5, s.top5, s.run);
    }
    if (r->failed) printf("%d image%s could not be read or run and %s not counted\n", r->failed,
                          r->failed == 1 ? "" : "s", r->failed == 1 ? "is" : "are");
    printf("%.1f images/s  (%.2f s, decode + preprocess + run)\n", ips, r->seconds);
}

/* FP32 against INT8 (eval_int8.c) instead of the plain run. */
static int run_int8(const eval_args *a, const int8_args *x, const tern_model *m, eval_set *set) {
    eval_int8_args e = {.qmodel = x->int8, .pa = &x->pa, .prep = &a->prep.p,
                        .what = x->int8 ? x->int8 : "quantized by tern", .save = x->save,
                        .predictions = a->predictions, .fp32_predictions = x->fp32,
                        .threads = a->threads, .json = a->json, .layers = x->layers ? x->layers : 15};
    tern_session *s = NULL;
    tern_tensor_info out;
    if (cli_compile(m, &a->opts, a->model, &s)) return CLI_EXIT_ERROR;
    int ok = tern_session_output_info(s, 0, &out) == TERN_OK && out.dtype == TERN_FLOAT;
    tern_session_free(s);
    if (!ok) return cli_fail("output 0 of %s must be float32 class scores", a->model);
    eval_result r = {.classes = (long)(out.bytes / sizeof(float))};
    if (check_labels(set, &r, a->model)) return CLI_EXIT_ERROR;
    e.offset = r.offset;
    return eval_int8(&e, m, set);
}

int cmd_eval(int argc, char **argv) {
    eval_args *a = calloc(1, sizeof *a);
    int8_args *x = calloc(1, sizeof *x);
    if (!a || !x) {
        free(a);
        free(x);
        return cli_fail("out of memory (tern eval)");
    }
    a->threads = 1;
    eval_set set = {0};
    eval_result r = {0};
    tern_model *m = NULL;
    int rc = parse(argc, argv, a, x);
    if (!rc) rc = cli_load(a->model, &m);
    if (!rc) rc = cli_prep_bind_size(&a->prep, m, &a->shapes);
    cli_use_shapes(&a->opts, &a->shapes);
    if (!rc) rc = eval_set_load(a->labels, a->images, a->count, &set);
    if (!rc && (x->int8 || x->pa.calib)) {
        rc = run_int8(a, x, m, &set);
        eval_set_free(&set);
        tern_model_free(m);
        free(a);
        free(x);
        return rc;
    }
    if (!rc) rc = eval_run(a, m, &set, &r);
    if (!rc) rc = check_labels(&set, &r, a->model);
    if (!rc && a->predictions) rc = write_predictions(a->predictions, &set);
    if (!rc) report(a, &set, &r);
    eval_set_free(&set);
    tern_model_free(m);
    free(a);
    free(x);
    return rc;
}
