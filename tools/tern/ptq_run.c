/* Image sets through tern_ptq workers: one worker (FP32 session, INT8
 * simulation session, statistics) per thread, images taken in turn from a
 * shared counter, statistics merged when a worker ends. Each image's
 * result lands in its own slot and statistics are sums, so results do
 * not depend on the thread count (histogram merges aside, which only
 * rebin). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ptq_cli.h"
#include "scores.h"

typedef struct {
    tern_ptq *q;
    eval_set *set;
    const tern_preprocess *p;
    int compare;
    long *ftop, *itop;
    pthread_mutex_t lock;
    int next, done, failed;
    char error[1024];
} run_shared;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *one(run_shared *sh, tern_ptq_worker *w, int i, char *why, size_t cap) {
    eval_image *im = &sh->set->images[i];
    tern_image img;
    if (tern_image_load_file(im->path, &img) != TERN_OK) {
        snprintf(why, cap, "%s", img.error);
        return why;
    }
    tern_status st;
    if (!sh->compare) {
        st = tern_ptq_worker_calibrate(w, &img, sh->p);
    } else {
        const float *a = NULL, *b;
        size_t n;
        st = sh->compare == 2 ? tern_ptq_worker_run_int8(w, &img, sh->p, &b, &n)
                              : tern_ptq_worker_compare(w, &img, sh->p, &a, &b, &n);
        if (st == TERN_OK) {
            long k = (long)n < EVAL_TOP ? (long)n : EVAL_TOP;
            long *ft = sh->ftop + (size_t)i * EVAL_TOP, *it = sh->itop + (size_t)i * EVAL_TOP;
            for (int j = 0; j < EVAL_TOP; j++) {
                it[j] = -1;
                if (a) ft[j] = -1;
            }
            if (a) scores_top(a, (long)n, k, ft);
            scores_top(b, (long)n, k, it);
        }
    }
    tern_image_free(&img);
    if (st != TERN_OK) {
        snprintf(why, cap, "%s", tern_ptq_worker_error(w));
        return why;
    }
    return NULL;
}

static void *worker(void *arg) {
    run_shared *sh = arg;
    tern_ptq_worker *w = NULL;
    if (tern_ptq_worker_create(sh->q, &w) != TERN_OK) {
        pthread_mutex_lock(&sh->lock);
        snprintf(sh->error, sizeof sh->error, "%s", w ? tern_ptq_worker_error(w) : "out of memory");
        sh->next = sh->set->count;
        pthread_mutex_unlock(&sh->lock);
        tern_ptq_worker_free(w);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        int i = sh->next++;
        pthread_mutex_unlock(&sh->lock);
        if (i >= sh->set->count) break;
        char why[600];
        const char *bad = one(sh, w, i, why, sizeof why);
        pthread_mutex_lock(&sh->lock);
        sh->set->images[i].status = bad ? 2 : 0;
        sh->done++;
        if (bad) {
            sh->failed++;
            fprintf(stderr, "\rtern: skipped %s: %s\n", sh->set->images[i].name, bad);
        }
        pthread_mutex_unlock(&sh->lock);
    }
    tern_ptq_worker_merge(w);
    tern_ptq_worker_free(w);
    return NULL;
}

static void progress(run_shared *sh, double t0, int final) {
    pthread_mutex_lock(&sh->lock);
    int done = sh->done, n = sh->set->count;
    pthread_mutex_unlock(&sh->lock);
    int bar = n ? 30 * done / n : 30;
    double dt = now_s() - t0;
    fprintf(stderr, "\r%s [%.*s%*s] %d/%d  %.1f img/s ", sh->compare ? "comparing  " : "calibrating",
            bar, "##############################", 30 - bar, "", done, n, dt > 0 ? done / dt : 0.0);
    if (final) fputs("\r\033[K", stderr);
    fflush(stderr);
}

int ptq_run(tern_ptq *q, eval_set *set, const tern_preprocess *p, int threads, int compare,
            long *fp32_top, long *int8_top, double *seconds) {
    run_shared sh = {.q = q, .set = set, .p = p, .compare = compare, .ftop = fp32_top,
                     .itop = int8_top};
    int n = threads < set->count ? threads : set->count;
    if (n < 1) n = 1;
    pthread_t *tid = calloc((size_t)n, sizeof *tid);
    if (!tid || pthread_mutex_init(&sh.lock, NULL) != 0) {
        free(tid);
        return cli_fail("out of memory starting %d threads", n);
    }
    int tty = isatty(2), started = 0;
    double t0 = now_s();
    for (; started < n; started++)
        if (pthread_create(&tid[started], NULL, worker, &sh) != 0) break;
    if (!started) worker(&sh);
    while (tty && started) {
        struct timespec ts = {0, 200 * 1000000L};
        progress(&sh, t0, 0);
        pthread_mutex_lock(&sh.lock);
        int left = sh.done < set->count && !sh.error[0];
        pthread_mutex_unlock(&sh.lock);
        if (!left) break;
        nanosleep(&ts, NULL);
    }
    for (int k = 0; k < started; k++) pthread_join(tid[k], NULL);
    if (tty) progress(&sh, t0, 1);
    *seconds = now_s() - t0;
    pthread_mutex_destroy(&sh.lock);
    free(tid);
    if (sh.error[0]) return cli_fail("cannot start a quantizer worker: %s", sh.error);
    if (sh.failed == set->count) return cli_fail("no image could be run");
    return 0;
}

int ptq_quantize(tern_ptq *q, const ptq_args *pa, const tern_preprocess *p, int threads,
                 double *calib_seconds, int *calib_images) {
    eval_set set = {0};
    int rc = ptq_calib_set(pa, &set);
    double t = 0, t2 = 0;
    if (!rc) rc = ptq_run(q, &set, p, threads, 0, NULL, NULL, &t);
    if (!rc && tern_ptq_finish(q) != TERN_OK)
        rc = cli_fail("cannot quantize: %s", tern_ptq_error(q));
    if (!rc && pa->auto_fp32 > 0) {
        long *ft = malloc((size_t)set.count * EVAL_TOP * sizeof(long));
        long *it = malloc((size_t)set.count * EVAL_TOP * sizeof(long));
        if (!ft || !it) rc = cli_fail("out of memory");
        if (!rc) rc = ptq_run(q, &set, p, threads, 1, ft, it, &t2);
        free(ft);
        free(it);
        if (!rc) tern_ptq_keep_worst(q, pa->auto_fp32);
        if (!rc && tern_ptq_finish(q) != TERN_OK)
            rc = cli_fail("cannot quantize: %s", tern_ptq_error(q));
    }
    *calib_seconds = t + t2;
    *calib_images = set.count;
    eval_set_free(&set);
    return rc;
}

const char *ptq_method_name(tern_ptq_method m) {
    static const char *const names[] = {"mse", "minmax", "percentile", "entropy"};
    return (unsigned)m < 4 ? names[m] : "?";
}

int ptq_option(int argc, char **argv, int *i, ptq_args *pa, int count_is_calib) {
    const char *v;
    int r;
    if (!strcmp(argv[*i], "--no-bias-correction")) pa->o.no_bias_correction = 1;
    else if (!strcmp(argv[*i], "--weight-mse")) pa->o.weight_mse = 1;
    else if (!strcmp(argv[*i], "--int8-output")) pa->o.int8_output = 1;
    else if (!strcmp(argv[*i], "--simulate")) pa->o.simulate = 1;
    else if ((r = cli_option(argc, argv, i, "--method", &v)) != 0) {
        if (r < 0) return CLI_EXIT_ERROR;
        int k = 0;
        while (k < 4 && strcmp(v, ptq_method_name((tern_ptq_method)k))) k++;
        if (k == 4) return cli_fail("unknown --method '%s' (minmax, percentile, entropy, mse)", v);
        pa->o.method = (tern_ptq_method)k;
        pa->has_method = 1;
    } else if ((r = cli_option(argc, argv, i, "--percentile", &v)) != 0) {
        if (r < 0) return CLI_EXIT_ERROR;
        char *end;
        double d = strtod(v, &end);
        if (*end || !(d > 50 && d <= 100))
            return cli_fail("--percentile takes a number in (50, 100], not '%s'", v);
        pa->o.percentile = d;
    } else if ((r = cli_option(argc, argv, i, "--keep-fp32", &v)) != 0) {
        if (r < 0) return CLI_EXIT_ERROR;
        pa->o.keep_fp32 = v;
    } else if ((r = cli_option(argc, argv, i, "--auto-fp32", &v)) != 0) {
        if (r < 0 || cli_int(v, 0, 100000, "--auto-fp32", &pa->auto_fp32)) return CLI_EXIT_ERROR;
    } else if ((r = cli_option(argc, argv, i, "--calib", &v)) != 0) {
        if (r < 0) return CLI_EXIT_ERROR;
        pa->calib = v;
    } else if ((r = cli_option(argc, argv, i, count_is_calib ? "--count" : "--calib-count", &v)) !=
               0) {
        if (r < 0 || cli_int(v, 1, 10000000, "--count", &pa->calib_count)) return CLI_EXIT_ERROR;
    } else {
        return 1;
    }
    return 0;
}

int ptq_calib_set(const ptq_args *pa, eval_set *set) {
    char labels[4096];
    int count = pa->calib_count ? pa->calib_count : 200;
    snprintf(labels, sizeof labels, "%s/LABELS.csv", pa->calib);
    if (access(labels, R_OK) == 0) return eval_set_load(labels, NULL, count, set);
    size_t len = strlen(pa->calib);
    if (len > 4 && !strcmp(pa->calib + len - 4, ".csv"))
        return eval_set_load(pa->calib, NULL, count, set);
    return eval_set_load(NULL, pa->calib, count, set);
}
