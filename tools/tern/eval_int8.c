/* tern eval MODEL --int8 QMODEL | --calib DIR: FP32 against INT8 on the
 * same images: top-1/top-5 of each, the delta, top-1 agreement, and per
 * layer the SQNR and cosine of the INT8 output against the FP32 one,
 * worst first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_int8.h"

typedef struct {
    int run, t1[2], t5[2], agree;
} cmp_score;

static cmp_score score(const eval_set *set, const long *ft, const long *it, int offset) {
    cmp_score s = {0};
    for (int k = 0; k < set->count; k++) {
        const eval_image *im = &set->images[k];
        if (im->status != 0) continue;
        s.run++;
        const long *top[2] = {ft + (size_t)k * EVAL_TOP, it + (size_t)k * EVAL_TOP};
        s.agree += top[0][0] == top[1][0];
        long want = im->label + offset;
        for (int m = 0; m < 2; m++) {
            s.t1[m] += top[m][0] == want;
            for (int j = 0; j < EVAL_TOP; j++) s.t5[m] += top[m][j] == want;
        }
    }
    return s;
}

static int by_sqnr(const void *a, const void *b) {
    const tern_ptq_layer *x = a, *y = b;
    return x->sqnr_db < y->sqnr_db ? -1 : x->sqnr_db > y->sqnr_db;
}

static void json_str(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static void report(const eval_int8_args *e, const cmp_score *s, tern_ptq_layer *ls, int nl,
                   double seconds) {
    double n = s->run ? s->run : 1;
    double f1 = 100 * s->t1[0] / n, f5 = 100 * s->t5[0] / n, i1 = 100 * s->t1[1] / n,
           i5 = 100 * s->t5[1] / n, ag = 100 * s->agree / n;
    if (e->json) {
        printf("{\"images\":%d,\"fp32\":{\"top1\":%.6f,\"top5\":%.6f},"
               "\"int8\":{\"top1\":%.6f,\"top5\":%.6f},\"top1_delta\":%.6f,\"agreement\":%.6f,"
               "\"seconds\":%.3f,\"engine\":\"%s\",\"layers\":[",
               s->run, f1 / 100, f5 / 100, i1 / 100, i5 / 100, (i1 - f1) / 100, ag / 100, seconds,
               e->pa->o.simulate ? "simulation" : "int8");
        for (int i = 0; i < nl; i++) {
            printf("%s{\"name\":", i ? "," : "");
            json_str(ls[i].name);
            printf(",\"op\":");
            json_str(ls[i].op);
            printf(",\"sqnr_db\":%.4f,\"cosine\":%.6f,\"own_db\":%.4f}", ls[i].sqnr_db,
                   ls[i].cosine, ls[i].own_db);
        }
        printf("]}\n");
        return;
    }
    printf("FP32 vs INT8 (%s; %s) on %d images, %.1f s\n", e->what,
           e->pa->o.simulate ? "float simulation" : "tern's integer kernels", s->run, seconds);
    printf("        top-1    top-5\n");
    printf("FP32   %5.1f%%   %5.1f%%\n", f1, f5);
    printf("INT8   %5.1f%%   %5.1f%%\n", i1, i5);
    printf("delta  %+5.1f    %+5.1f\n", i1 - f1, i5 - f5);
    printf("top-1 agreement %.1f%% (%d/%d)\n", ag, s->agree, s->run);
    int show = e->layers > 0 && e->layers < nl ? e->layers : nl;
    printf("layers, worst SQNR first (%d of %d; own: SQNR lost in the layer itself):\n", show, nl);
    printf("  SQNR dB  cosine    own dB  op                 name\n");
    for (int i = 0; i < show; i++) {
        char nm[160];
        snprintf(nm, sizeof nm, "%s", ls[i].name);
        cli_printable(nm, 0);
        printf("  %7.2f  %.5f  %7.2f  %-18s %s\n", ls[i].sqnr_db, ls[i].cosine, ls[i].own_db,
               ls[i].op, nm);
    }
}

/* filename,top1,top5 of the INT8 model, as `tern eval --predictions`. */
static int write_predictions(const char *path, const eval_set *set, const long *it) {
    FILE *f = fopen(path, "w");
    if (!f) return cli_fail("cannot write %s (--predictions)", path);
    fprintf(f, "filename,top1,top5\n");
    for (int k = 0; k < set->count; k++) {
        if (set->images[k].status != 0) continue;
        const long *top = it + (size_t)k * EVAL_TOP;
        fprintf(f, "%s,%ld,", set->images[k].name, top[0]);
        for (int j = 0; j < EVAL_TOP && top[j] >= 0; j++) fprintf(f, "%s%ld", j ? " " : "", top[j]);
        fputc('\n', f);
    }
    int bad = ferror(f) | (fclose(f) != 0);
    return bad ? cli_fail("cannot write %s (--predictions)", path) : 0;
}

/* FP32 top classes from a predictions file (filename,top1,top5 with the
 * top five space-separated, as ../shared/refs and `tern eval` write it):
 * an INT8-only run then needs no FP32 run. Images it lacks are errors. */
static int read_fp32(const char *path, const eval_set *set, long *ft) {
    FILE *f = fopen(path, "r");
    if (!f) return cli_fail("cannot read %s (--fp32-predictions)", path);
    for (int k = 0; k < set->count; k++) ft[(size_t)k * EVAL_TOP] = -2;
    char line[4096];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (!c2) continue;
        *c1 = 0;
        for (int k = 0; k < set->count; k++) {
            if (strcmp(set->images[k].name, line)) continue;
            long *top = ft + (size_t)k * EVAL_TOP;
            char *p = c2 + 1;
            for (int j = 0; j < EVAL_TOP; j++) top[j] = strtol(p, &p, 10);
            found++;
            break;
        }
    }
    fclose(f);
    if (found < set->count)
        return cli_fail("%s lacks %d of the %d images (--fp32-predictions)", path,
                        set->count - found, set->count);
    return 0;
}

int eval_int8(const eval_int8_args *e, const tern_model *m, eval_set *set) {
    tern_ptq *q = NULL;
    int rc = 0;
    double calib = 0, t = 0;
    int images = 0;
    if (e->qmodel) {
        if (tern_ptq_load(m, e->qmodel, &e->pa->o, &q) != TERN_OK)
            rc = cli_fail("cannot load %s: %s", e->qmodel, tern_ptq_error(q));
    } else {
        if (tern_ptq_create(m, &e->pa->o, &q) != TERN_OK)
            rc = cli_fail("cannot quantize: %s", tern_ptq_error(q));
        if (!rc) rc = ptq_quantize(q, e->pa, e->prep, e->threads, &calib, &images);
        if (!rc && !e->json)
            printf("quantized on %d calibration images in %.1f s (method %s)\n", images, calib,
                   ptq_method_name(e->pa->o.method));
    }
    long *ft = malloc(((size_t)set->count + 1) * EVAL_TOP * sizeof(long));
    long *it = malloc(((size_t)set->count + 1) * EVAL_TOP * sizeof(long));
    if (!rc && (!ft || !it)) rc = cli_fail("out of memory");
    if (!rc && e->fp32_predictions) rc = read_fp32(e->fp32_predictions, set, ft);
    if (!rc) rc = ptq_run(q, set, e->prep, e->threads, e->fp32_predictions ? 2 : 1, ft, it, &t);
    int nl = rc || e->fp32_predictions ? 0 : tern_ptq_layer_count(q);
    tern_ptq_layer *ls = calloc((size_t)nl + 1, sizeof *ls);
    if (!rc && !ls) rc = cli_fail("out of memory");
    for (int i = 0; !rc && i < nl; i++) tern_ptq_layer_get(q, i, &ls[i]);
    if (!rc) {
        qsort(ls, (size_t)nl, sizeof *ls, by_sqnr);
        cmp_score s = score(set, ft, it, e->offset);
        report(e, &s, ls, nl, t);
        if (e->save && tern_ptq_save(q, e->save) != TERN_OK) rc = cli_fail("%s", tern_ptq_error(q));
        if (!rc && e->predictions) rc = write_predictions(e->predictions, set, it);
    }
    free(ls);
    free(ft);
    free(it);
    tern_ptq_free(q);
    return rc;
}
