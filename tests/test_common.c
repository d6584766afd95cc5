/* Unit tests of graph/common.c and graph/ir.c helpers. */
#include <string.h>

#include <time.h>

#include "graph/ir.h"
#include "graph/threadpool.h"
#include "tests/harness.h"

static void count_task(void *ctx, int64_t i) {
    int *hits = ctx;
    __atomic_add_fetch(&hits[i], 1, __ATOMIC_RELAXED);
}

static void test_threadpool(th_ctx *t) {
    static int hits[1000];
    tern_threadpool *p = tern_threadpool_create(3);
    int ok = tern_threadpool_size(p) == 3;
    for (int round = 0; round < 50; round++) { /* many generations: no lost wake-ups */
        memset(hits, 0, sizeof hits);
        tern_parallel_for(p, 1000, count_task, hits);
        for (int i = 0; i < 1000; i++) ok &= hits[i] == 1;
    }
    tern_threadpool_free(p);
    th_check(t, ok, "threadpool runs every task exactly once", "a task ran 0 or 2+ times");
    /* tiny jobs back to back (the spinning hand-off) mixed with pauses
     * long enough that the workers park (the sleeping hand-off) */
    p = tern_threadpool_create(5);
    ok = tern_threadpool_size(p) == 5;
    for (int round = 0; round < 2000; round++) {
        int n = 2 + round % 6;
        memset(hits, 0, sizeof(int) * 8);
        tern_parallel_for(p, n, count_task, hits);
        for (int i = 0; i < n; i++) ok &= hits[i] == 1;
        if (round % 250 == 0) {
            struct timespec ts = {0, 3000000};
            nanosleep(&ts, NULL);
        }
    }
    tern_threadpool_free(p);
    th_check(t, ok, "threadpool: small jobs, spinning and parked hand-offs", "a task ran 0 or 2+ times");
    th_check(t, tern_threadpool_create(1) == NULL && tern_threadpool_size(NULL) == 1,
             "threadpool of one thread is serial", "pool made");
}

TH_SUITE(suite_common) {
    test_threadpool(t);
    size_t r;
    th_check(t, !tern_mul_size(SIZE_MAX / 2 + 1, 2, &r), "mul_size overflow", "not detected");
    th_check(t, tern_mul_size(3, 5, &r) && r == 15, "mul_size", "3*5 != 15");
    tern_pool p = {0};
    char *a = tern_pool_alloc(&p, 10);
    char *b = tern_pool_alloc(&p, 1 << 20);
    th_check(t, a && b && ((uintptr_t)a % 64) == 0 && ((uintptr_t)b % 64) == 0 && b[12345] == 0,
             "pool alignment and zeroing", "bad block");
    tern_pool_free(&p);

    tern_graph g;
    tern_graph_init(&g);
    int x = tern_graph_add_tensor(&g, "x");
    int y = tern_graph_add_tensor(&g, "y");
    int z = tern_graph_add_tensor(&g, "z");
    g.tensors[x].is_input = 1;
    /* nodes in reverse order: toposort must reorder them */
    int n1 = tern_graph_add_node(&g, "Relu", "", "second", 1, 1);
    g.nodes[n1].inputs[0] = y;
    g.nodes[n1].outputs[0] = z;
    int n0 = tern_graph_add_node(&g, "Relu", "", "first", 1, 1);
    g.nodes[n0].inputs[0] = x;
    g.nodes[n0].outputs[0] = y;
    tern_err err = {{0}};
    th_check(t, tern_graph_toposort(&g, &err) == TERN_OK && strcmp(g.nodes[0].name, "first") == 0,
             "toposort reorders", "%s", err.msg);
    /* make a cycle: first consumes z */
    g.nodes[0].inputs[0] = z;
    th_check(t, tern_graph_toposort(&g, &err) == TERN_ERR_PARSE && strstr(err.msg, "cycle"),
             "toposort finds cycles", "got '%s'", err.msg);
    tern_graph_free(&g);

    tern_tensor tt = {0};
    tt.rank = 4;
    tt.dims[0] = 1; tt.dims[1] = 3; tt.dims[2] = 5; tt.dims[3] = 7;
    tt.layout = TERN_LAYOUT_CHANNELS_LAST;
    int64_t pd[TERN_MAX_RANK];
    tern_tensor_phys_dims(&tt, pd);
    th_check(t, pd[0] == 1 && pd[1] == 5 && pd[2] == 7 && pd[3] == 3, "phys dims NHWC", "wrong");

    /* empty, but the other dims overflow: not a usable shape */
    tern_tensor big = {0};
    big.rank = 3;
    big.dims[0] = 0;
    big.dims[1] = big.dims[2] = (int64_t)1 << 40;
    th_check(t, tern_tensor_numel(&big) == -1, "numel rejects [0, 2^40, 2^40]", "got %lld",
             (long long)tern_tensor_numel(&big));
    big.dims[1] = 5;
    th_check(t, tern_tensor_numel(&big) == 0, "numel of [0, 5, 2^40] is 0", "got %lld",
             (long long)tern_tensor_numel(&big));
}
