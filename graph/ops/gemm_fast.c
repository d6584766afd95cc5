/* The FP32 GEMM driver shared by Conv (1x1 and im2col) and Gemm: weights
 * packed once for the table's micro-kernel (tern_gemm_plan_make), then
 * y[M, N] = act(a[M, K] x W + bias) split over the session's threads in
 * tasks of whole row tiles and, when there are few rows (the classifier's
 * M = 1), of column blocks too. Every output is computed by the same
 * instruction sequence whatever the split, so results are bit-identical at
 * any thread count. */
#include <math.h>

#include "graph/budget.h"
#include "graph/ops/op_nn_util.h"
#include "graph/threadpool.h"
#include "kernels/ref/act.h"

void tern_act_split(const tern_act *a, tern_f32_minmax *mm, tern_act *post) {
    mm->lo = -INFINITY;
    mm->hi = INFINITY;
    post->kind = TERN_ACT_NONE;
    post->a = post->b = 0;
    if (a->kind == TERN_ACT_RELU) {
        mm->lo = 0.0f;
    } else if (a->kind == TERN_ACT_CLIP) {
        mm->lo = a->a;
        mm->hi = a->b;
    } else if (a->kind != TERN_ACT_NONE) {
        *post = *a;
    }
}

void tern_act_post(const tern_kernels *k, const tern_act *post, float *y, size_t n) {
    if (post->kind == TERN_ACT_NONE) return;
    if (post->kind == TERN_ACT_HARDSWISH && k->f32_vhswish)
        k->f32_vhswish->fn(n, y, y, post->a, post->b);
    else if (post->kind == TERN_ACT_HARDSIGMOID && k->f32_vhsigmoid)
        k->f32_vhsigmoid->fn(n, y, y, post->a, post->b);
    else
        tern_act_apply_n(post, y, y, n);
}

tern_status tern_gemm_plan_alloc(tern_graph *g, const tern_act *act, int64_t k, int64_t n,
                                 tern_gemm_plan *plan, float **packed, tern_err *err) {
    /* at most 16 columns: the narrow kernel, if the table has one */
    plan->uk = n <= 16 && g->kern.f32_gemm_n16 ? g->kern.f32_gemm_n16 : g->kern.f32_gemm;
    plan->k = k;
    plan->n = n;
    tern_act_split(act, &plan->mm, &plan->post);
    size_t bytes = tern_f32_gemm_packed_size((size_t)k, (size_t)n, plan->uk->nr);
    tern_status st = tern_budget_charge(g, &g->packed_bytes, bytes, err);
    if (st != TERN_OK) return st;
    *packed = tern_pool_alloc(&g->pool, bytes);
    if (!*packed) return tern_errf(err, TERN_ERR_NOMEM, "out of memory packing weights");
    plan->packed = *packed;
    return TERN_OK;
}

tern_status tern_gemm_plan_make(tern_graph *g, const tern_act *act, int64_t k, int64_t n,
                                const float *w, ptrdiff_t wk, ptrdiff_t wn, const float *bias,
                                tern_gemm_plan *plan, tern_err *err) {
    float *dst;
    tern_status st = tern_gemm_plan_alloc(g, act, k, n, plan, &dst, err);
    if (st == TERN_OK)
        tern_f32_gemm_pack((size_t)k, (size_t)n, plan->uk->nr, w, wk, wn, bias, dst);
    return st;
}

typedef struct gemm_job {
    const tern_kernels *kern;
    const tern_gemm_plan *p;
    const float *a;
    float *y;
    size_t a_stride, y_stride;
    int64_t m, rows_per_task, cols_per_task, col_tasks;
} gemm_job;

static void gemm_task(void *ctx, int64_t task) {
    const gemm_job *j = ctx;
    const tern_gemm_plan *p = j->p;
    int64_t rt = task / j->col_tasks, ct = task % j->col_tasks;
    int64_t r0 = rt * j->rows_per_task, r1 = r0 + j->rows_per_task;
    int64_t c0 = ct * j->cols_per_task, c1 = c0 + j->cols_per_task;
    if (r1 > j->m) r1 = j->m;
    if (c1 > p->n) c1 = p->n;
    size_t k = (size_t)p->k, mr = (size_t)p->uk->mr, nr = (size_t)p->uk->nr;
    /* Weights larger than about a quarter of L2: one nr-column block of
     * them at a time (K * nr floats stay in L2) under all the row tiles,
     * so they come from memory once, not once per row tile. Smaller: row
     * tiles outer, all columns inner (the row tile stays in L1). */
    size_t cw = (size_t)(c1 - c0) * (k + 1) * sizeof(float) > ((size_t)512 << 10) ? nr
                                                                                    : (size_t)(c1 - c0);
    for (size_t cb = (size_t)c0; cb < (size_t)c1; cb += cw) {
        size_t nc = (size_t)c1 - cb < cw ? (size_t)c1 - cb : cw;
        const float *w = p->packed + cb / nr * nr * (k + 1);
        for (int64_t r = r0; r < r1; r += (int64_t)mr) {
            size_t rows = (size_t)(r1 - r) < mr ? (size_t)(r1 - r) : mr;
            p->uk->fn(rows, nc, k, j->a + (size_t)r * j->a_stride, j->a_stride, w,
                      j->y + (size_t)r * j->y_stride + cb, j->y_stride, &p->mm);
        }
    }
    if (p->post.kind != TERN_ACT_NONE)
        for (int64_t r = r0; r < r1; r++)
            tern_act_post(j->kern, &p->post, j->y + (size_t)r * j->y_stride + (size_t)c0,
                          (size_t)(c1 - c0));
}

void tern_gemm_plan_run(const tern_graph *g, const tern_gemm_plan *p, int64_t m, const float *a,
                        size_t a_stride, float *y, size_t y_stride) {
    gemm_job j = {&g->kern, p, a, y, a_stride, y_stride, m, 0, p->n, 1};
    int threads = tern_threadpool_size(g->threads);
    int64_t mr = p->uk->mr, nr = p->uk->nr, tiles = (m + mr - 1) / mr;
    int64_t want = threads > 1 ? (int64_t)threads * 4 : 1;
    int64_t by_work = m * p->n * p->k / TERN_MIN_TASK_MACS;
    if (want > by_work) want = by_work > 1 ? by_work : 1;
    int64_t row_tasks = tiles < want ? tiles : want;
    if (row_tasks < 1) row_tasks = 1;
    j.rows_per_task = (tiles + row_tasks - 1) / row_tasks * mr;
    row_tasks = (m + j.rows_per_task - 1) / j.rows_per_task;
    if (threads > 1 && row_tasks < want) { /* few rows: split the columns too */
        int64_t blocks = (p->n + nr - 1) / nr, per_row = (want + row_tasks - 1) / row_tasks;
        if (per_row > blocks) per_row = blocks;
        j.cols_per_task = (blocks + per_row - 1) / per_row * nr;
        j.col_tasks = (p->n + j.cols_per_task - 1) / j.cols_per_task;
    }
    tern_parallel_for(g->threads, row_tasks * j.col_tasks, gemm_task, &j);
}
