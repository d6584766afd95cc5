/* QLinearConv through the qs8 SIMD micro-kernels (g->kern): the prepare
 * step picks a path and packs the weights once (zero points, bias and
 * requantization folded in, arch/qs8_gemm.h, arch/qs8_dwconv.h); the run
 * step drives the kernel over output rows split across the session's
 * threads. Three paths, channels-last int8 in and out:
 *   - pointwise (1x1, stride 1, no padding, one group): one GEMM
 *     [N*H*W, C_in] x [C_in, C_out] straight on the NHWC input;
 *   - depthwise (group = C_in = C_out, 2-D, up to 7x7, any stride,
 *     dilation, padding): channels vectorised, borders through a zero row;
 *   - anything else with one group (the 3-channel first conv above all):
 *     im2col of MR output pixels at a time (on the stack, padding = z_x)
 *     into the GEMM.
 * A node no path fits keeps n->prepared NULL and runs kernels/ref.
 *
 * Results are bit-identical to the reference (the kernels are exact, see
 * docs/quantization.md section 2 and the kernel suite) and so to every
 * ISA and every thread count. */
#include "graph/ops/qconv_fast.h"

#include <string.h>

#include "arch/kernels.h"
#include "graph/budget.h"
#include "graph/ops/op_nn_util.h"
#include "graph/threadpool.h"

enum { QPATH_GEMM_1X1 = 1, QPATH_DW, QPATH_IM2COL };

/* im2col tiles live on the stack: at most this many bytes */
#define QIM2COL_MAX_BYTES 32768

typedef struct qconv_prep {
    int path, has_zw;
    const void *packed;
    const tern_qs8_gemm_ukernel *gemm;
    const tern_qs8_dwconv_ukernel *dw;
    const tern_conv_geom *geom;
    int32_t x_zero_point;
    int64_t k; /* GEMM depth: C_in * KH * KW */
} qconv_prep;

/* Channels contiguous and pixels dense, row by row (NHWC); the stride of
 * a spatial axis of size 1 is never used, so it may be anything (a
 * [N, C, 1, 1] tensor is dense in either layout). */
static int dense_nhwc(const int64_t s[5], int64_t n, int64_t c, int64_t h, int64_t w) {
    return s[1] == 1 && (w == 1 || s[4] == c) && (h == 1 || s[3] == c * w) &&
           (n == 1 || s[0] == c * h * w);
}

static int pick_path(const tern_graph *g, const tern_node *n, const tern_qconv_desc *d) {
    const tern_conv_geom *ge = d->geom;
    int64_t xs[5], ys[5];
    if (tern_in(g, n, 0)->rank != 4 || ge->n < 1) return 0;
    tern_strides_ncdhw(tern_in(g, n, 0), xs);
    tern_strides_ncdhw(tern_out(g, n, 0), ys);
    /* the output is always written as dense NHWC rows; an input in another
     * layout (a model's NCHW input quantized in place) only the im2col path
     * takes, gathering channel by channel */
    if (!dense_nhwc(ys, ge->n, ge->c_out, ge->out[1], ge->out[2])) return 0;
    int x_nhwc = dense_nhwc(xs, ge->n, ge->c_in, ge->in[1], ge->in[2]);
    if (ge->group == 1 && g->kern.qs8_gemm) {
        int one = x_nhwc && ge->kernel[1] == 1 && ge->kernel[2] == 1 && ge->stride[1] == 1 &&
                  ge->stride[2] == 1 && ge->pad_begin[1] == 0 && ge->pad_begin[2] == 0 &&
                  ge->out[1] == ge->in[1] && ge->out[2] == ge->in[2];
        if (one) return QPATH_GEMM_1X1;
        int64_t k = ge->c_in * ge->kernel[1] * ge->kernel[2];
        if (k * g->kern.qs8_gemm->mr <= QIM2COL_MAX_BYTES) return QPATH_IM2COL;
        return 0;
    }
    if (x_nhwc && d->depthwise && g->kern.qs8_dwconv && tern_qs8_dwconv_supported(ge, xs, ys))
        return QPATH_DW;
    return 0;
}

static tern_status pack(tern_graph *g, const tern_qconv_desc *d, qconv_prep *p, tern_err *err) {
    const tern_conv_geom *ge = d->geom;
    int64_t taps = ge->kernel[1] * ge->kernel[2];
    size_t bytes = p->path == QPATH_DW ? tern_qs8_dwconv_packed_size(p->dw, ge->c_out, taps)
                                       : tern_qs8_gemm_packed_size(p->gemm, ge->c_out, p->k);
    tern_status st = tern_budget_charge(g, &g->packed_bytes, bytes, err);
    if (st != TERN_OK) return st;
    void *dst = tern_pool_alloc(&g->pool, bytes);
    if (!dst) return tern_errf(err, TERN_ERR_NOMEM, "out of memory packing weights");
    if (p->path == QPATH_DW) {
        tern_qs8_dwconv_pack(p->dw, ge->c_out, ge->kernel[1], ge->kernel[2], d->w, d->ws, d->dot,
                             dst);
    } else {
        /* op_qconv.c keeps W as [c_out][kd][kh][kw][c_in]: GEMM column k =
         * (ky * KW + kx) * C_in + ci, the im2col row order below */
        int64_t ws[2] = {d->ws[0], 1};
        p->has_zw = tern_qs8_gemm_pack(p->gemm, ge->c_out, p->k, d->w, ws, d->dot, dst);
    }
    p->packed = dst;
    return TERN_OK;
}

tern_status tern_qconv_fast_prepare(tern_graph *g, tern_node *n, const tern_qconv_desc *d,
                                    tern_err *err) {
    int path = pick_path(g, n, d);
    if (!path) return TERN_OK;
    qconv_prep *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    memset(p, 0, sizeof *p);
    p->path = path;
    p->gemm = g->kern.qs8_gemm;
    p->dw = g->kern.qs8_dwconv;
    p->geom = d->geom;
    p->x_zero_point = d->dot->x_zero_point;
    p->k = d->geom->c_in / d->geom->group * d->geom->kernel[1] * d->geom->kernel[2];
    tern_status st = pack(g, d, p, err);
    if (st != TERN_OK) return st;
    n->prepared = p;
    return TERN_OK;
}

/* ---- run ---- */

typedef struct qfast_job {
    const qconv_prep *p;
    const int8_t *x;
    int8_t *y;
    int64_t xs[5], ys[5];
    int64_t rows_per_task, m; /* GEMM rows (output pixels) per task, in all */
} qfast_job;

static void gemm_1x1_task(void *ctx, int64_t task) {
    const qfast_job *j = ctx;
    const qconv_prep *p = j->p;
    int64_t r0 = task * j->rows_per_task, r1 = r0 + j->rows_per_task;
    if (r1 > j->m) r1 = j->m;
    size_t k = (size_t)p->k, co = (size_t)p->geom->c_out;
    tern_qs8_gemm_rows(p->gemm, r0, r1, (int64_t)co, (int64_t)k, j->x, k, p->packed, p->has_zw,
                       j->y, co);
}

/* One im2col row segment: taps kx of input row iy at output column ox,
 * KW * C_in bytes; taps outside the input read z_x, which adds
 * (z_x - z_x) * w = 0 as the reference's skipped taps do. With dilation 1
 * the taps inside are one contiguous run of pixels (NHWC); other input
 * layouts are gathered element by element. */
static void im2col_taps(const qfast_job *j, const int8_t *xrow, int64_t ox, int8_t *dst) {
    const tern_conv_geom *g = j->p->geom;
    int64_t kw = g->kernel[2], ci = g->c_in, dil = g->dil[2];
    int64_t ix0 = ox * g->stride[2] - g->pad_begin[2];
    int8_t zx = (int8_t)j->p->x_zero_point;
    if (!xrow) {
        memset(dst, zx, (size_t)(kw * ci));
        return;
    }
    if (j->xs[1] != 1) { /* channels not contiguous (NCHW): gather one by one */
        for (int64_t kx = 0; kx < kw; kx++, dst += ci) {
            int64_t ix = ix0 + kx * dil;
            if (ix < 0 || ix >= g->in[2]) {
                memset(dst, zx, (size_t)ci);
                continue;
            }
            for (int64_t c = 0; c < ci; c++) dst[c] = xrow[ix * j->xs[4] + c * j->xs[1]];
        }
        return;
    }
    if (dil == 1 && j->xs[4] == ci && ix0 >= 0 && ix0 + kw <= g->in[2]) {
        memcpy(dst, xrow + ix0 * j->xs[4], (size_t)(kw * ci));
        return;
    }
    for (int64_t kx = 0; kx < kw; kx++, dst += ci) {
        int64_t ix = ix0 + kx * dil;
        if (ix < 0 || ix >= g->in[2])
            memset(dst, zx, (size_t)ci);
        else
            memcpy(dst, xrow + ix * j->xs[4], (size_t)ci);
    }
}

/* im2col of output pixels [r, r + rows) (r counts over N*OH*OW) into buf,
 * one GEMM row of K = KH * KW * C_in bytes each, taps in (ky, kx, ci) order. */
static void im2col(const qfast_job *j, int64_t r, int64_t rows, int8_t *buf) {
    const tern_conv_geom *g = j->p->geom;
    int64_t ow = g->out[2], oh = g->out[1], kh = g->kernel[1], seg = g->kernel[2] * g->c_in;
    for (int64_t i = 0; i < rows; i++) {
        int64_t pix = r + i, b = pix / (oh * ow), oy = pix / ow % oh, ox = pix % ow;
        int8_t *row = buf + i * j->p->k;
        for (int64_t ky = 0; ky < kh; ky++, row += seg) {
            int64_t iy = oy * g->stride[1] - g->pad_begin[1] + ky * g->dil[1];
            const int8_t *xrow = iy < 0 || iy >= g->in[1] ? NULL : j->x + b * j->xs[0] + iy * j->xs[3];
            im2col_taps(j, xrow, ox, row);
        }
    }
}

/* GEMM rows in tiles of as many whole micro-tiles as the stack buffer holds. */
static void im2col_task(void *ctx, int64_t task) {
    const qfast_job *j = ctx;
    const qconv_prep *p = j->p;
    int8_t buf[QIM2COL_MAX_BYTES];
    int64_t r0 = task * j->rows_per_task, r1 = r0 + j->rows_per_task;
    if (r1 > j->m) r1 = j->m;
    int64_t co = p->geom->c_out, mr = p->gemm->mr;
    int64_t tile = QIM2COL_MAX_BYTES / p->k / mr * mr; /* >= mr: pick_path checked */
    for (int64_t r = r0; r < r1; r += tile) {
        int64_t rows = r1 - r < tile ? r1 - r : tile;
        im2col(j, r, rows, buf);
        tern_qs8_gemm_rows(p->gemm, 0, rows, co, p->k, buf, (size_t)p->k, p->packed, p->has_zw,
                           j->y + r * co, (size_t)co);
    }
}

static void dw_task(void *ctx, int64_t task) {
    const qfast_job *j = ctx;
    tern_qs8_dwconv_rows(j->p->dw, j->p->geom, j->x, j->xs, j->p->packed, j->y, j->ys, task,
                         task + 1);
}

void tern_qconv_fast_run(const tern_graph *g, const tern_node *n, const int8_t *x, int8_t *y) {
    qfast_job j;
    j.p = n->prepared;
    j.x = x;
    j.y = y;
    tern_strides_ncdhw(tern_in(g, n, 0), j.xs);
    tern_strides_ncdhw(tern_out(g, n, 0), j.ys);
    const tern_conv_geom *ge = j.p->geom;
    if (j.p->path == QPATH_DW) {
        tern_parallel_for(g->threads, ge->n * ge->out[1], dw_task, &j);
        return;
    }
    /* GEMM rows in tasks of whole micro-tiles, a few per thread to even
     * out the load; the split never changes a result */
    int threads = tern_threadpool_size(g->threads);
    j.m = ge->n * ge->out[1] * ge->out[2];
    int64_t mr = j.p->gemm->mr, tiles = (j.m + mr - 1) / mr;
    int64_t tasks = threads > 1 ? (int64_t)threads * 4 : 1;
    if (tasks > tiles) tasks = tiles;
    j.rows_per_task = (tiles + tasks - 1) / tasks * mr;
    tasks = (j.m + j.rows_per_task - 1) / j.rows_per_task;
    tern_parallel_for(g->threads, tasks, j.p->path == QPATH_GEMM_1X1 ? gemm_1x1_task : im2col_task,
                      &j);
}
