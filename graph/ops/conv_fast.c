/* Conv through the SIMD micro-kernels of the session's table (g->kern):
 * the prepare step picks a path for a node and packs its weights once,
 * the run step drives the micro-kernel over output rows, split across the
 * session's threads. Three paths, all on channels-last float32 output:
 *   - pointwise (1x1, stride 1, no padding): one GEMM [H*W, C_in] x [C_in, C_out]
 *     straight on the NHWC input;
 *   - depthwise 3x3/5x5, stride 1 or 2: per output row, channels vectorised;
 *   - anything else with one group (the 3-channel first conv above all):
 *     im2col of a few output pixels at a time (on the stack) into the GEMM.
 * A node no path fits keeps n->prepared NULL and runs kernels/ref.
 *
 * Results: every output is computed by the same instruction sequence
 * whatever the tiling or the thread count (rows are independent in the
 * kernels), so they are bit-identical for any thread count. Against the
 * reference they differ by rounding only: the bias comes first and FMA
 * rounds once (tolerance in docs/kernels.md, enforced by the kernel tests). */
#include <math.h>
#include <string.h>

#include "graph/budget.h"
#include "graph/ops/conv_fast.h"
#include "graph/threadpool.h"
#include "kernels/ref/act.h"

/* im2col tiles live on the stack: at most this many floats (64 KiB) */
#define IM2COL_MAX_FLOATS 16384

/* Dense NHWC bytes (strides of size-1 axes do not matter: a [N, C, 1, 1]
 * tensor has the same bytes in either layout). */
static int dense_nhwc(const int64_t s[5], int64_t c, int64_t h, int64_t w) {
    return (c == 1 || s[1] == 1) && (w == 1 || s[4] == c) && (h == 1 || s[3] == c * w);
}

int tern_conv_fast_path(const tern_graph *g, const tern_node *n) {
    const tern_conv_geom *geom = n->params;
    const tern_tensor *x = tern_in(g, n, 0), *w = tern_in(g, n, 1), *b = tern_in(g, n, 2);
    int64_t xs[5], ys[5];
    if (x->rank != 4 || !w->data || (b && !b->data) || geom->n < 1) return 0;
    tern_strides_ncdhw(x, xs);
    tern_strides_ncdhw(tern_out(g, n, 0), ys);
    if (!dense_nhwc(ys, geom->c_out, geom->out[1], geom->out[2])) return 0;
    int unit_dil = geom->dil[1] == 1 && geom->dil[2] == 1;
    int64_t kh = geom->kernel[1], kw = geom->kernel[2], sh = geom->stride[1];
    if (geom->group == 1 && g->kern.f32_gemm) {
        int one = kh == 1 && kw == 1 && sh == 1 && geom->stride[2] == 1 && geom->pad_begin[1] == 0 &&
                  geom->pad_begin[2] == 0 && geom->out[1] == geom->in[1] &&
                  geom->out[2] == geom->in[2];
        if (one && dense_nhwc(xs, geom->c_in, geom->in[1], geom->in[2])) return PATH_GEMM_1X1;
        /* 16: at least the mr of any GEMM kernel */
        if (geom->c_in * kh * kw * 16 <= IM2COL_MAX_FLOATS) return PATH_IM2COL;
        return 0;
    }
    const tern_f32_dwconv_ukernel *dw = kh == 3 && kw == 3   ? g->kern.f32_dwconv_3x3
                                        : kh == 5 && kw == 5 ? g->kern.f32_dwconv_5x5
                                                             : NULL;
    if (dw && geom->group == geom->c_in && geom->c_out == geom->c_in && unit_dil &&
        (sh == 1 || sh == 2) && geom->stride[2] == sh &&
        dense_nhwc(xs, geom->c_in, geom->in[1], geom->in[2]))
        return PATH_DW;
    return 0;
}

/* GEMM row kk = (ky * KW + kx) * C_in + ci: taps outer, channels inner,
 * the reference's order (plain W is [co][ci][ky][kx]); bias row first. */
static void pack_im2col(const tern_conv_geom *geom, const float *wd, const float *bd, int64_t k,
                        size_t nr, float *dst) {
    int64_t co = geom->c_out, ci_n = geom->c_in, taps = geom->kernel[1] * geom->kernel[2];
    for (int64_t j0 = 0; j0 < co; j0 += (int64_t)nr) {
        float *blk = dst + (size_t)(j0 / (int64_t)nr) * nr * (size_t)(k + 1);
        for (int64_t jj = 0; jj < (int64_t)nr; jj++)
            blk[jj] = j0 + jj < co && bd ? bd[j0 + jj] : 0.0f;
        for (int64_t kk = 0; kk < k; kk++) {
            int64_t t = kk / ci_n, ci = kk % ci_n;
            for (int64_t jj = 0; jj < (int64_t)nr; jj++)
                blk[nr + (size_t)(kk * (int64_t)nr + jj)] =
                    j0 + jj < co ? wd[((j0 + jj) * ci_n + ci) * taps + t] : 0.0f;
        }
    }
}

static tern_status pack(tern_graph *g, const tern_node *n, conv_prep *p, tern_err *err) {
    const tern_tensor *w = tern_in(g, n, 1), *b = tern_in(g, n, 2);
    const tern_conv_geom *geom = n->params;
    const float *wd = w->data, *bd = b ? b->data : NULL;
    int64_t co = geom->c_out, taps = geom->kernel[1] * geom->kernel[2], k = geom->c_in * taps;
    if (p->path == PATH_GEMM_1X1)
        return tern_gemm_plan_make(g, &n->act, k, co, wd, 1, (ptrdiff_t)k, bd, &p->gemm, err);
    float *dst;
    if (p->path == PATH_IM2COL) {
        tern_status st = tern_gemm_plan_alloc(g, &n->act, k, co, &p->gemm, &dst, err);
        if (st == TERN_OK) pack_im2col(geom, wd, bd, k, (size_t)p->gemm.uk->nr, dst);
        return st;
    }
    size_t bytes = tern_f32_dwconv_packed_size((size_t)co, (int)taps, p->dw->ct);
    tern_status st = tern_budget_charge(g, &g->packed_bytes, bytes, err);
    if (st != TERN_OK) return st;
    if (!(dst = tern_pool_alloc(&g->pool, bytes)))
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory packing weights");
    tern_f32_dwconv_pack((size_t)co, (int)taps, p->dw->ct, wd, (ptrdiff_t)taps, 1, bd, dst);
    p->dw_packed = dst;
    tern_act_split(&n->act, &p->mm, &p->post);
    return TERN_OK;
}

tern_status tern_conv_prepare(tern_graph *g, tern_node *n, tern_err *err) {
    const tern_conv_geom *geom = n->params;
    int path = tern_conv_fast_path(g, n);
    if (!path) return TERN_OK;
    conv_prep *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    memset(p, 0, sizeof *p);
    p->path = path;
    p->dw = geom->kernel[1] == 3 ? g->kern.f32_dwconv_3x3 : g->kern.f32_dwconv_5x5;
    tern_status st = pack(g, n, p, err);
    if (st == TERN_OK && path == PATH_DW && n->n_inputs > 3)
        st = tern_conv_fuse_prepare(g, n, p, err);
    if (st != TERN_OK) return st;
    n->prepared = p;
    return TERN_OK;
}

/* ---- run ---- */

typedef struct fast_job {
    const tern_kernels *kern;
    const tern_conv_geom *geom;
    const conv_prep *p;
    const float *x;
    float *y;
    int64_t xs[5];
    int64_t rows_per_task, m; /* rows (im2col: output pixels; depthwise: output rows)
                                 per task, and in all */
} fast_job;

/* im2col of output pixels [r, r + rows) (r counts over N*OH*OW) into buf,
 * one GEMM row of K floats each; taps in the padding are zeros. */
static void im2col(const fast_job *j, int64_t r, size_t rows, float *buf) {
    const tern_conv_geom *g = j->geom;
    int64_t ow = g->out[2], oh = g->out[1], kh = g->kernel[1], kw = g->kernel[2], ci_n = g->c_in;
    for (size_t i = 0; i < rows; i++) {
        int64_t pix = r + (int64_t)i, b = pix / (oh * ow), oy = pix / ow % oh, ox = pix % ow;
        const float *xb = j->x + b * j->xs[0];
        float *row = buf + i * (size_t)j->p->gemm.k;
        int64_t ix0 = ox * g->stride[2] - g->pad_begin[2];
        /* NHWC input, the window's columns inside: each window row is one
         * contiguous run of KW * C_in floats */
        int run = j->xs[1] == 1 && j->xs[4] == ci_n && g->dil[2] == 1 && ix0 >= 0 &&
                  ix0 + kw <= g->in[2];
        for (int64_t ky = 0; ky < kh; ky++) {
            int64_t iy = oy * g->stride[1] - g->pad_begin[1] + ky * g->dil[1];
            if (run && iy >= 0 && iy < g->in[1]) {
                const float *src = xb + iy * j->xs[3] + ix0 * ci_n;
                if (kw * ci_n == 9) /* the RGB stem's 3x3 rows: an inlined copy, no call */
                    memcpy(row, src, 9 * sizeof(float));
                else
                    memcpy(row, src, (size_t)(kw * ci_n) * sizeof(float));
                row += kw * ci_n;
                continue;
            }
            for (int64_t kx = 0; kx < kw; kx++, row += ci_n) {
                int64_t ix = ox * g->stride[2] - g->pad_begin[2] + kx * g->dil[2];
                if (iy < 0 || iy >= g->in[1] || ix < 0 || ix >= g->in[2]) {
                    memset(row, 0, (size_t)ci_n * sizeof(float));
                    continue;
                }
                const float *src = xb + iy * j->xs[3] + ix * j->xs[4];
                for (int64_t c = 0; c < ci_n; c++) row[c] = src[c * j->xs[1]];
            }
        }
    }
}

static void im2col_task(void *ctx, int64_t task) {
    const fast_job *j = ctx;
    const tern_gemm_plan *p = &j->p->gemm;
    float buf[IM2COL_MAX_FLOATS];
    int64_t r0 = task * j->rows_per_task, r1 = r0 + j->rows_per_task;
    if (r1 > j->m) r1 = j->m;
    size_t k = (size_t)p->k, co = (size_t)p->n, mr = (size_t)p->uk->mr;
    for (int64_t r = r0; r < r1; r += (int64_t)mr) {
        size_t rows = (size_t)(r1 - r) < mr ? (size_t)(r1 - r) : mr;
        im2col(j, r, rows, buf);
        float *y = j->y + (size_t)r * co;
        p->uk->fn(rows, co, k, buf, k, p->packed, y, co, &p->mm);
        tern_act_post(j->kern, &p->post, y, rows * co);
    }
}

/* One output row (item b, row oy) of a depthwise conv. */
static void dw_row(const fast_job *j, int64_t task) {
    const tern_conv_geom *g = j->geom;
    const conv_prep *p = j->p;
    int64_t oh = g->out[1], b = task / oh, oy = task % oh, c = g->c_in;
    const float *rows[5];
    for (int64_t ky = 0; ky < g->kernel[1]; ky++) {
        int64_t iy = oy * g->stride[1] - g->pad_begin[1] + ky;
        rows[ky] = iy < 0 || iy >= g->in[1] ? NULL : j->x + b * j->xs[0] + iy * j->xs[3];
    }
    float *y = j->y + (size_t)task * (size_t)(g->out[2] * c);
    p->dw->fn((size_t)c, (size_t)g->out[2], rows, (size_t)g->in[2], (size_t)g->stride[1],
              (size_t)g->pad_begin[2], p->dw_packed, y, &p->mm);
    tern_act_post(j->kern, &p->post, y, (size_t)(g->out[2] * c));
}

/* Output rows [task * rows_per_task, ...) of a depthwise conv. */
static void dw_task(void *ctx, int64_t task) {
    const fast_job *j = ctx;
    int64_t r1 = (task + 1) * j->rows_per_task;
    if (r1 > j->m) r1 = j->m;
    for (int64_t r = task * j->rows_per_task; r < r1; r++) dw_row(j, r);
}

void tern_conv_fast_run(const tern_graph *g, const tern_node *n, const void *const *in, float *y) {
    const float *x = in[0];
    fast_job j;
    j.kern = &g->kern;
    j.geom = n->params;
    j.p = n->prepared;
    if (j.p->skip) return; /* its depthwise consumer computes it (conv_fuse.c) */
    if (j.p->fuse) {
        tern_conv_fuse_run(g, n, in, y);
        return;
    }
    j.x = x;
    j.y = y;
    tern_strides_ncdhw(tern_in(g, n, 0), j.xs);
    j.m = j.geom->n * j.geom->out[1] * j.geom->out[2];
    if (j.p->path == PATH_DW) { /* tasks of whole rows, each worth a hand-off */
        int64_t row_macs = j.geom->out[2] * j.geom->c_out * j.geom->kernel[1] * j.geom->kernel[2];
        j.m = j.geom->n * j.geom->out[1];
        j.rows_per_task = row_macs > 0 ? (TERN_MIN_TASK_MACS + row_macs - 1) / row_macs : 1;
        tern_parallel_for(g->threads, (j.m + j.rows_per_task - 1) / j.rows_per_task, dw_task, &j);
        return;
    }
    if (j.p->path == PATH_GEMM_1X1) {
        size_t k = (size_t)j.p->gemm.k, co = (size_t)j.p->gemm.n;
        tern_gemm_plan_run(g, &j.p->gemm, j.m, x, k, y, co);
        return;
    }
    /* im2col: tasks of whole micro-tiles, a few per thread to even out the
     * load; the split never changes a result */
    int threads = tern_threadpool_size(g->threads);
    int64_t mr = j.p->gemm.uk->mr, tiles = (j.m + mr - 1) / mr;
    int64_t tasks = threads > 1 ? (int64_t)threads * 4 : 1;
    if (tasks > tiles) tasks = tiles;
    j.rows_per_task = (tiles + tasks - 1) / tasks * mr;
    tasks = (j.m + j.rows_per_task - 1) / j.rows_per_task;
    tern_parallel_for(g->threads, tasks, im2col_task, &j);
}
