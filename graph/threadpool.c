/* A fork-join pool. The caller posts a job (fn, ctx, n tasks) by bumping a
 * generation number; every thread, the caller included, claims task
 * indices until none are left; the caller returns when all n tasks are
 * done.
 *
 * Two choices make it cheap on a real machine:
 *  - A worker that is slow to wake (asleep, or descheduled on a busy
 *    machine) never holds the caller up: the caller waits for tasks that
 *    were claimed, not for every worker to check in, and does the rest
 *    itself. A claim is a compare-and-swap on one word holding the
 *    generation and the next index, so a late worker can never claim a
 *    task of a newer job with an older job's fn and ctx.
 *  - Between jobs (one per layer, 60 per image) both sides first spin a
 *    short while (TERN_POOL_SPIN polls, tens of microseconds) before they
 *    sleep on a condition variable, so back-to-back layers hand over
 *    without a system call and an idle pool sleeps. A worker counts itself
 *    in `sleeping` and re-checks the generation under the mutex; the caller
 *    takes the mutex after bumping it: no wake-up is lost. */
#include "graph/threadpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define TERN_POOL_SPIN 1000 /* pause is ~40-140 cycles: some 20-50 us */

struct tern_threadpool {
    pthread_mutex_t mu;
    pthread_cond_t wake, done_cv;
    pthread_t *workers;
    int n_workers;
    int started;                /* workers actually created */
    _Atomic uint32_t generation; /* of the job posted last */
    _Atomic uint64_t claim;     /* generation << 32 | next task index */
    _Atomic int64_t done;       /* tasks of the current job finished */
    _Atomic int quit;
    int sleeping;               /* workers waiting on `wake` (under mu) */
    int caller_waiting;         /* the caller waits on `done_cv` (under mu) */
    _Atomic(tern_task_fn) fn;
    _Atomic(void *) ctx;
    _Atomic int64_t n_tasks;
};

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("pause");
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

/* Claim and run tasks of generation gen until none are left or a newer
 * job replaced it. The fields read here may already belong to a newer job
 * when this thread is late, but then no claim of gen can succeed (the
 * caller moves the claim word past gen before it touches the fields). */
static void drain(tern_threadpool *p, uint32_t gen) {
    tern_task_fn fn = atomic_load(&p->fn);
    void *ctx = atomic_load(&p->ctx);
    int64_t n = atomic_load(&p->n_tasks);
    uint64_t cur = atomic_load(&p->claim);
    for (;;) {
        if ((uint32_t)(cur >> 32) != gen || (int64_t)(cur & 0xffffffffu) >= n) return;
        if (!atomic_compare_exchange_weak(&p->claim, &cur, cur + 1)) continue;
        fn(ctx, (int64_t)(cur & 0xffffffffu));
        if (atomic_fetch_add(&p->done, 1) + 1 == n) { /* the last task of the job */
            pthread_mutex_lock(&p->mu);
            if (p->caller_waiting) pthread_cond_signal(&p->done_cv);
            pthread_mutex_unlock(&p->mu);
        }
        cur = atomic_load(&p->claim);
    }
}

/* Wait until the generation differs from seen (or quit): spin, then sleep. */
static void wait_job(tern_threadpool *p, uint32_t seen) {
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
    uint32_t seen = 0;
    for (;;) {
        wait_job(p, seen);
        if (atomic_load(&p->quit)) break;
        seen = atomic_load(&p->generation);
        drain(p, seen);
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
        pthread_cond_init(&p->done_cv, NULL)) {
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
    pthread_cond_destroy(&p->done_cv);
    pthread_mutex_destroy(&p->mu);
    free(p->workers);
    free(p);
}

int tern_threadpool_size(const tern_threadpool *p) {
    return p ? p->started + 1 : 1;
}

void tern_parallel_for(tern_threadpool *p, int64_t n, tern_task_fn fn, void *ctx) {
    if (!p || n <= 1 || n >= 0xffffffffLL) {
        for (int64_t i = 0; i < n; i++) fn(ctx, i);
        return;
    }
    /* every task of the previous job is done, so no thread still uses its
     * fn or ctx; a late worker may still look at them, but its claim
     * carries the old generation and fails */
    uint32_t gen = atomic_load(&p->generation) + 1;
    /* first close the old job to late claimers (new generation, no index
     * claimable), then fill in the new one, then open it */
    atomic_store(&p->claim, (uint64_t)gen << 32 | 0xffffffffu);
    atomic_store(&p->fn, fn);
    atomic_store(&p->ctx, ctx);
    atomic_store(&p->n_tasks, n);
    atomic_store(&p->done, 0);
    atomic_store(&p->claim, (uint64_t)gen << 32);
    atomic_store(&p->generation, gen);
    pthread_mutex_lock(&p->mu);
    if (p->sleeping) pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    drain(p, gen);
    for (int i = 0; i < TERN_POOL_SPIN && atomic_load(&p->done) < n; i++) cpu_relax();
    if (atomic_load(&p->done) < n) {
        pthread_mutex_lock(&p->mu);
        p->caller_waiting = 1;
        while (atomic_load(&p->done) < n) pthread_cond_wait(&p->done_cv, &p->mu);
        p->caller_waiting = 0;
        pthread_mutex_unlock(&p->mu);
    }
}
