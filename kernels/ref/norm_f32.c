/* Reference normalizations; see norm_f32.h for the math and the order. */
#include "kernels/ref/norm_f32.h"

#include <math.h>

#include "kernels/ref/strided.h"

/* Offset of the logical index idx[0..rank) with strides s. */
static int64_t dot(int rank, const int64_t *idx, const int64_t *s) {
    int64_t off = 0;
    for (int i = 0; i < rank; i++) off += idx[i] * s[i];
    return off;
}

/* mean and 1/sqrt(var + eps) of the count elements of one group; it walks
 * the group's inner axes with x's strides (offsets relative to the group). */
static void group_stats(int irank, const int64_t *idims, const float *x, const int64_t *xs,
                        int64_t count, double eps, double *mean, double *inv) {
    tern_iter it;
    double sum = 0, sq = 0;
    tern_iter_init(&it, irank, idims, xs, NULL, NULL);
    for (int64_t e = 0; e < count; e++, tern_iter_next(&it)) sum += x[it.off[0]];
    *mean = sum / (double)count;
    tern_iter_init(&it, irank, idims, xs, NULL, NULL);
    for (int64_t e = 0; e < count; e++, tern_iter_next(&it)) {
        double d = x[it.off[0]] - *mean;
        sq += d * d;
    }
    *inv = 1.0 / sqrt(sq / (double)count + eps);
}

void tern_norm_f32(int rank, const int64_t *dims, int axis, const float *x, const int64_t *xs,
                   const float *scale, const int64_t *ss, const float *bias, const int64_t *bs,
                   float *y, const int64_t *ys, double eps, const tern_norm_stats *stats) {
    int irank = rank - axis;
    const int64_t *idims = dims + axis;
    int64_t outer = tern_iter_count(axis, dims), count = tern_iter_count(irank, idims);
    if (count == 0) return;
    int64_t idx[TERN_MAX_RANK] = {0}; /* the full logical index of the current element */
    for (int64_t o = 0; o < outer; o++) {
        int64_t r = o; /* outer index o -> idx[0..axis) */
        for (int i = axis - 1; i >= 0; i--) {
            idx[i] = r % dims[i];
            r /= dims[i];
        }
        for (int i = axis; i < rank; i++) idx[i] = 0;
        int64_t xo = dot(axis, idx, xs), yo = dot(axis, idx, ys);
        double mean, inv;
        group_stats(irank, idims, x + xo, xs + axis, count, eps, &mean, &inv);
        if (stats && stats->mean) stats->mean[dot(axis, idx, stats->mean_strides)] = (float)mean;
        if (stats && stats->inv_std) stats->inv_std[dot(axis, idx, stats->inv_strides)] = (float)inv;
        tern_iter it;
        tern_iter_init(&it, irank, idims, xs + axis, ys + axis, NULL);
        for (int64_t e = 0; e < count; e++, tern_iter_next(&it)) {
            for (int i = 0; i < irank; i++) idx[axis + i] = it.idx[i];
            double v = (x[xo + it.off[0]] - mean) * inv * scale[dot(rank, idx, ss)];
            if (bias) v += bias[dot(rank, idx, bs)];
            y[yo + it.off[1]] = (float)v;
        }
    }
}

void tern_lrn_f32(int rank, const int64_t *dims, const float *x, const int64_t *xs, float *y,
                  const int64_t *ys, int64_t size, double alpha, double beta, double bias) {
    int64_t c_count = dims[1], lo_span = (size - 1) / 2, hi_span = size - 1 - lo_span;
    int64_t total = tern_iter_count(rank, dims);
    tern_iter it;
    tern_iter_init(&it, rank, dims, xs, ys, NULL);
    for (int64_t e = 0; e < total; e++, tern_iter_next(&it)) {
        int64_t c = it.idx[1];
        int64_t c0 = c - lo_span < 0 ? 0 : c - lo_span;
        int64_t c1 = c + hi_span >= c_count ? c_count - 1 : c + hi_span;
        const float *xc = x + it.off[0] - c * xs[1]; /* channel 0 of this position */
        double sq = 0;
        for (int64_t k = c0; k <= c1; k++) {
            double v = xc[k * xs[1]];
            sq += v * v;
        }
        y[it.off[1]] = (float)(x[it.off[0]] / pow(bias + alpha / (double)size * sq, beta));
    }
}
