/* A fork-join pool: the caller posts a job by bumping a generation number;
 * workers take task indices from a shared atomic counter until none are
 * left, the caller works too, then waits until every worker is done.
 *
 * Waking a sleeping thread costs tens of microseconds, and a network posts
 * one job per layer (60 per image), so both sides first spin a short while
 * (TERN_POOL_SPIN polls, tens of microseconds) on the atomics before they
 * sleep on a condition variable: back-to-back layers hand over without a
 * system call, and an idle pool sleeps (never spins forever). A worker
 * counts itself in `sleeping` and re-checks the generation under the mutex
 * before waiting, and the caller takes the mutex after bumping the
 * generation, so no wake-up is lost. */
#include "graph/threadpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define TERN_POOL_SPIN 1000 /* pause is ~40-140 cycles: some 20-50 us */

struct tern_threadpool {
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    pthread_t *workers;
    int n_workers;
    int started;            /* workers actually created */
    _Atomic uint64_t generation;
    _Atomic int busy;       /* workers still in the current generation */
    _Atomic int quit;
    int sleeping;           /* workers waiting on `wake` (under mu) */
    int caller_waiting;     /* the caller waits on `done` (under mu) */
    tern_task_fn fn;
    void *ctx;
    int64_t n_tasks;
    _Atomic int64_t next;
};

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("pause");
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static void drain(tern_threadpool *p) {
    for (;;) {
        int64_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n_tasks) break;
        p->fn(p->ctx, i);
    }
}

/* Wait until the generation differs from seen (or quit): spin, then sleep. */
static void wait_job(tern_threadpool *p, uint64_t seen) {
    for (int i = 0; i < TERN_POOL_SPIN; i++) {
        if (atomic_load(&p->generation) != seen || atomic_load(&p->quit)) return;
        cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    p->sleeping++;
    while (atomic_load(&p->generation) == seen && !atomic_load(&p->quit))
        pthread_cond_wait(&p->wake, &p->mu);
    p->sleeping--;
    pthread_mutex_unlock(&p->mu);
}

static void *worker_main(void *arg) {
    tern_threadpool *p = arg;
    uint64_t seen = 0;
    for (;;) {
        wait_job(p, seen);
        if (atomic_load(&p->quit)) break;
        seen = atomic_load(&p->generation);
        drain(p);
        if (atomic_fetch_sub(&p->busy, 1) == 1) { /* the last one out */
            pthread_mutex_lock(&p->mu);
            if (p->caller_waiting) pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
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
    atomic_store(&p->quit, 1);
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
    /* every worker has finished the previous generation (we waited for
     * busy == 0), so the job fields are ours to set */
    p->fn = fn;
    p->ctx = ctx;
    p->n_tasks = n;
    atomic_store(&p->next, 0);
    atomic_store(&p->busy, p->started);
    atomic_fetch_add(&p->generation, 1);
    pthread_mutex_lock(&p->mu);
    if (p->sleeping) pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    drain(p);
    for (int i = 0; i < TERN_POOL_SPIN && atomic_load(&p->busy) > 0; i++) cpu_relax();
    if (atomic_load(&p->busy) > 0) {
        pthread_mutex_lock(&p->mu);
        p->caller_waiting = 1;
        while (atomic_load(&p->busy) > 0) pthread_cond_wait(&p->done, &p->mu);
        p->caller_waiting = 0;
        pthread_mutex_unlock(&p->mu);
    }
}
