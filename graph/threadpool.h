/* A session's worker threads (graph/threadpool.c). Kernels split their work
 * into independent tasks; each task computes its own outputs in the same
 * order as a single thread would, so results do not depend on the thread
 * count. Created with the session, so nothing is allocated while running. */
#ifndef TERN_THREADPOOL_H
#define TERN_THREADPOOL_H

#include <stdint.h>

typedef struct tern_threadpool tern_threadpool;
typedef void (*tern_task_fn)(void *ctx, int64_t task);

/* A pool of `threads` threads in all (the caller of tern_parallel_for is one
 * of them). NULL when threads <= 1 or on failure: then work runs serially. */
tern_threadpool *tern_threadpool_create(int threads);
void tern_threadpool_free(tern_threadpool *p);
int tern_threadpool_size(const tern_threadpool *p);
/* fn(ctx, i) for every i in [0, n), spread over the pool; returns when all
 * are done. p may be NULL. */
void tern_parallel_for(tern_threadpool *p, int64_t n, tern_task_fn fn, void *ctx);

#endif
