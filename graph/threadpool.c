/* A minimal fork-join pool: workers sleep on a condition variable until the
 * caller posts a job (a generation number changes), then take task indices
 * from a shared atomic counter until none are left. The caller works too,
 * then waits until every worker has finished the generation. */
#include "graph/threadpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct tern_threadpool {
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    pthread_t *workers;
    int n_workers;
    int started;      /* workers actually created */
    uint64_t generation;
    int busy;         /* workers still in the current generation */
    int quit;
    tern_task_fn fn;
    void *ctx;
    int64_t n_tasks;
    _Atomic int64_t next;
};

static void drain(tern_threadpool *p) {
    for (;;) {
        int64_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n_tasks) break;
        p->fn(p->ctx, i);
    }
}

static void *worker_main(void *arg) {
    tern_threadpool *p = arg;
    uint64_t seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->generation == seen) pthread_cond_wait(&p->wake, &p->mu);
        if (p->quit) break;
        seen = p->generation;
        pthread_mutex_unlock(&p->mu);
        drain(p);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

tern_threadpool *tern_threadpool_create(int threads) {
    if (threads <= 1) return NULL;
    tern_threadpool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->n_workers = threads - 1;
    p->workers = calloc((size_t)p->n_workers, sizeof(pthread_t));
    if (!p->workers || pthread_mutex_init(&p->mu, NULL) || pthread_cond_init(&p->wake, NULL) ||
        pthread_cond_init(&p->done, NULL)) {
        free(p->workers);
        free(p);
        return NULL;
    }
    for (int i = 0; i < p->n_workers; i++) {
        if (pthread_create(&p->workers[i], NULL, worker_main, p) != 0) break;
        p->started++;
    }
    if (p->started == 0) {
        tern_threadpool_free(p);
        return NULL;
    }
    return p;
}

void tern_threadpool_free(tern_threadpool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->started; i++) pthread_join(p->workers[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p->workers);
    free(p);
}

int tern_threadpool_size(const tern_threadpool *p) {
    return p ? p->started + 1 : 1;
}

void tern_parallel_for(tern_threadpool *p, int64_t n, tern_task_fn fn, void *ctx) {
    if (!p || n <= 1) {
        for (int64_t i = 0; i < n; i++) fn(ctx, i);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n_tasks = n;
    atomic_store(&p->next, 0);
    p->busy = p->started;
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    drain(p);
    pthread_mutex_lock(&p->mu);
    while (p->busy > 0) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
