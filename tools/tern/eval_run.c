/* Running `tern eval`'s images: `threads` workers, each with its own session
 * (and arena) of the one shared model, take images in turn from a shared
 * counter. Each image's result lands in its own slot, so nothing depends on
 * the number of threads or on which thread ran what. The main thread only
 * draws the progress bar. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eval.h"
#include "scores.h"

typedef struct {
    const eval_args *a;
    const tern_model *m;
    eval_set *set;
    tern_session_options opts; /* one session per worker, one thread each */
    pthread_mutex_t lock;
    int next, done, failed, stop;
    long classes;
    char error[1024]; /* why a worker could not start */
} eval_shared;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Image i: load, preprocess into the input, run, rank. NULL or why not. */
static const char *one_image(eval_shared *sh, tern_session *s, float *scores, int i,
                             char *why, size_t cap) {
    eval_image *im = &sh->set->images[i];
    tern_image img;
    if (tern_image_load_file(im->path, &img) != TERN_OK) {
        snprintf(why, cap, "%s", img.error);
        return why;
    }
    size_t bytes = (size_t)sh->classes * sizeof(float);
    tern_status st = tern_session_set_input_image(s, 0, 0, &img, &sh->a->prep.p);
    tern_image_free(&img);
    if (st == TERN_OK) st = tern_session_run(s);
    if (st == TERN_OK) st = tern_session_get_output(s, 0, scores, bytes);
    if (st != TERN_OK) {
        snprintf(why, cap, "%s", tern_session_error(s));
        return why;
    }
    long k = sh->classes < EVAL_TOP ? sh->classes : EVAL_TOP;
    for (long j = 0; j < EVAL_TOP; j++) im->top[j] = -1;
    scores_top(scores, sh->classes, k, im->top);
    return NULL;
}

static void *worker(void *arg) {
    eval_shared *sh = arg;
    tern_session *s = NULL;
    float *scores = malloc((size_t)sh->classes * sizeof(float));
    if (!scores || tern_session_create(sh->m, &sh->opts, &s) != TERN_OK) {
        pthread_mutex_lock(&sh->lock);
        snprintf(sh->error, sizeof sh->error, "%s", s ? tern_session_error(s) : "out of memory");
        sh->stop = 1;
        pthread_mutex_unlock(&sh->lock);
    }
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        int i = sh->stop ? sh->set->count : sh->next++;
        pthread_mutex_unlock(&sh->lock);
        if (i >= sh->set->count) break;
        char why[600];
        const char *bad = one_image(sh, s, scores, i, why, sizeof why);
        pthread_mutex_lock(&sh->lock);
        sh->set->images[i].status = bad ? 2 : 0;
        sh->done++;
        if (bad) {
            sh->failed++;
            sh->stop |= sh->a->strict;
            fprintf(stderr, "\rtern: %s %s: %s\n", sh->a->strict ? "error:" : "skipped",
                    sh->set->images[i].name, bad);
        }
        pthread_mutex_unlock(&sh->lock);
    }
    free(scores);
    tern_session_free(s);
    return NULL;
}

static void progress(eval_shared *sh, double t0, int final) {
    pthread_mutex_lock(&sh->lock);
    int done = sh->done, n = sh->set->count;
    pthread_mutex_unlock(&sh->lock);
    int bar = n ? 30 * done / n : 30;
    double dt = now_s() - t0;
    fprintf(stderr, "\r[%.*s%*s] %d/%d  %.1f img/s ", bar, "##############################",
            30 - bar, "", done, n, dt > 0 ? done / dt : 0.0);
    if (final) fputs("\r\033[K", stderr);
    fflush(stderr);
}

/* Output 0's class count, from a session made once up front (it also
 * reports a model that cannot run before any thread starts). */
static int probe(eval_shared *sh) {
    tern_session *s = NULL;
    tern_tensor_info out;
    if (cli_compile(sh->m, &sh->opts, sh->a->model, &s)) return CLI_EXIT_ERROR;
    int rc = tern_session_input_count(s) != 1
                 ? cli_fail("tern eval needs a model with one (image) input; %s has %d",
                            sh->a->model, tern_session_input_count(s))
                 : tern_session_output_info(s, 0, &out) != TERN_OK || out.dtype != TERN_FLOAT ||
                           out.bytes < sizeof(float)
                       ? cli_fail("output 0 of %s must be float32 class scores", sh->a->model)
                       : 0;
    if (!rc) sh->classes = (long)(out.bytes / sizeof(float));
    tern_session_free(s);
    return rc;
}

int eval_run(const eval_args *a, const tern_model *m, eval_set *set, eval_result *r) {
    eval_shared sh = {.a = a, .m = m, .set = set, .opts = a->opts};
    sh.opts.threads = 1;
    sh.opts.batch = 1;
    if (probe(&sh)) return CLI_EXIT_ERROR;
    int n = a->threads < set->count ? a->threads : set->count;
    pthread_t *tid = calloc((size_t)n, sizeof *tid);
    if (!tid || pthread_mutex_init(&sh.lock, NULL) != 0) {
        free(tid);
        return cli_fail("out of memory starting %d threads", n);
    }
    int tty = isatty(2), started = 0;
    double t0 = now_s();
    for (; started < n; started++)
        if (pthread_create(&tid[started], NULL, worker, &sh) != 0) break;
    if (!started) worker(&sh); /* no thread could start: run here */
    while (tty && started) {
        struct timespec ts = {0, 200 * 1000000L};
        progress(&sh, t0, 0);
        pthread_mutex_lock(&sh.lock);
        int left = sh.done < set->count && !sh.stop;
        pthread_mutex_unlock(&sh.lock);
        if (!left) break;
        nanosleep(&ts, NULL);
    }
    for (int k = 0; k < started; k++) pthread_join(tid[k], NULL);
    if (tty) progress(&sh, t0, 1);
    r->seconds = now_s() - t0;
    pthread_mutex_destroy(&sh.lock);
    free(tid);
    r->classes = sh.classes;
    r->failed = sh.failed;
    if (sh.error[0]) return cli_fail("cannot make a session: %s (%s)", sh.error, a->model);
    if (a->strict && sh.failed) return cli_fail("stopped at the first bad image (--strict)");
    return 0;
}
