/* Expand (1x1 conv) fused into the depthwise conv that reads it, the
 * inverted-residual pair of MobileNetV2/V3 and EfficientNet. The expanded
 * tensor is the largest of a block (6x the channels, up to 112x112): written
 * by one layer and read back by the next, it is most of their memory
 * traffic. Fused, the depthwise conv computes the expanded rows it needs
 * itself, with the expand conv's own GEMM, into a ring of KH rows that stays
 * in L2, so the expanded tensor never goes to memory.
 *
 * Same bits as unfused: each expanded row is the same GEMM micro-kernel on
 * the same row of input (a row's values do not depend on the tile it is
 * computed in), the depthwise kernel reads the same values. Rows on the
 * border between two tasks are computed by both, identically.
 *
 * The pass (graph/passes/pass_fuse_expand_dw.c) pairs a 1x1 conv with the
 * depthwise conv right after it when the expanded tensor has no other
 * reader and is not a graph output, and gives the depthwise node the 1x1
 * conv's input as a fourth input, so the memory plan keeps that input alive
 * while the depthwise conv writes. The ring memory (one ring per task) is
 * charged to the session's budget. */
#include <string.h>

#include "graph/budget.h"
#include "graph/ops/conv_fast.h"
#include "graph/threadpool.h"

/* tasks (each with its own ring) a fused layer is split into: enough for a
 * few threads, few enough that the rows recomputed at the borders and the
 * ring memory stay small */
#define FUSE_TASKS 4

typedef struct conv_fuse {
    const conv_prep *e;  /* the 1x1 conv: its GEMM plan */
    float *rings;        /* FUSE_TASKS rings of KH rows of W_in * C_t floats */
    size_t ring_floats;  /* per ring */
} conv_fuse;

tern_status tern_conv_fuse_prepare(tern_graph *g, tern_node *n, conv_prep *p, tern_err *err) {
    const tern_conv_geom *geom = n->params;
    int idx = (int)(n - g->nodes);
    tern_node *e = idx > 0 ? &g->nodes[idx - 1] : NULL;
    conv_prep *ep = e ? e->prepared : NULL;
    if (!e || !e->fused_into_next || !ep || ep->path != PATH_GEMM_1X1 ||
        ep->gemm.n != geom->c_in)
        return tern_errf(err, TERN_ERR_UNSUPPORTED,
                         "internal: the fused 1x1 conv before this depthwise conv has no GEMM");
    size_t ring = (size_t)(geom->kernel[1] * geom->in[2] * geom->c_in);
    size_t bytes = sizeof(conv_fuse) + FUSE_TASKS * ring * sizeof(float) + 64;
    tern_status st = tern_budget_charge(g, &g->packed_bytes, bytes, err);
    if (st != TERN_OK) return st;
    conv_fuse *f = tern_pool_alloc(&g->pool, sizeof *f);
    float *rings = tern_pool_alloc_array(&g->pool, FUSE_TASKS * ring, sizeof(float));
    if (!f || !rings) return tern_errf(err, TERN_ERR_NOMEM, "out of memory for the fusion rings");
    f->e = ep;
    f->rings = rings;
    f->ring_floats = ring;
    p->fuse = f;
    ep->skip = 1;
    return TERN_OK;
}

typedef struct fuse_job {
    const tern_kernels *kern;
    const tern_conv_geom *geom;
    const conv_prep *p;
    const float *x; /* the 1x1 conv's input, [N, H, W, C_x] */
    float *y;
    int64_t rows, rows_per_task; /* output rows over all items */
} fuse_job;

/* Expanded row iy of item b into dst: the 1x1 conv's GEMM on input row iy. */
static void expand_row(const fuse_job *j, int64_t b, int64_t iy, float *dst) {
    const tern_gemm_plan *gp = &j->p->fuse->e->gemm;
    const tern_conv_geom *g = j->geom;
    size_t w = (size_t)g->in[2], k = (size_t)gp->k, co = (size_t)gp->n, mr = (size_t)gp->uk->mr;
    const float *a = j->x + ((size_t)b * (size_t)g->in[1] + (size_t)iy) * w * k;
    for (size_t r = 0; r < w; r += mr) {
        size_t rows = w - r < mr ? w - r : mr;
        gp->uk->fn(rows, co, k, a + r * k, k, gp->packed, dst + r * co, co, &gp->mm);
    }
    tern_act_post(j->kern, &gp->post, dst, w * co);
}

static void fuse_task(void *ctx, int64_t task) {
    const fuse_job *j = ctx;
    const tern_conv_geom *g = j->geom;
    const conv_prep *p = j->p;
    int64_t kh = g->kernel[1], oh = g->out[1], c = g->c_in, ow = g->out[2];
    float *ring = p->fuse->rings + (size_t)task * p->fuse->ring_floats;
    size_t row_floats = (size_t)(g->in[2] * c);
    int64_t held[5] = {-1, -1, -1, -1, -1}; /* input row (over all items) in each slot */
    int64_t r1 = (task + 1) * j->rows_per_task;
    if (r1 > j->rows) r1 = j->rows;
    for (int64_t r = task * j->rows_per_task; r < r1; r++) {
        int64_t b = r / oh, oy = r % oh;
        const float *rows[5];
        for (int64_t ky = 0; ky < kh; ky++) {
            int64_t iy = oy * g->stride[1] - g->pad_begin[1] + ky;
            rows[ky] = NULL;
            if (iy < 0 || iy >= g->in[1]) continue;
            int64_t key = b * g->in[1] + iy, slot = iy % kh;
            float *dst = ring + (size_t)slot * row_floats;
            if (held[slot] != key) {
                expand_row(j, b, iy, dst);
                held[slot] = key;
            }
            rows[ky] = dst;
        }
        float *y = j->y + (size_t)r * (size_t)(ow * c);
        p->dw->fn((size_t)c, (size_t)ow, rows, (size_t)g->in[2], (size_t)g->stride[1],
                  (size_t)g->pad_begin[2], p->dw_packed, y, &p->mm);
        tern_act_post(j->kern, &p->post, y, (size_t)(ow * c));
    }
}

void tern_conv_fuse_run(const tern_graph *g, const tern_node *n, const void *const *in, float *y) {
    const conv_prep *p = n->prepared;
    fuse_job j;
    j.kern = &g->kern;
    j.geom = n->params;
    j.p = p;
    j.x = in[3]; /* the 1x1 conv's input */
    j.y = y;
    j.rows = j.geom->n * j.geom->out[1];
    j.rows_per_task = (j.rows + FUSE_TASKS - 1) / FUSE_TASKS;
    int64_t tasks = (j.rows + j.rows_per_task - 1) / j.rows_per_task;
    if (tern_threadpool_size(g->threads) == 1) { /* one ring, no border rows twice */
        j.rows_per_task = j.rows;
        tasks = 1;
    }
    tern_parallel_for(g->threads, tasks, fuse_task, &j);
}
