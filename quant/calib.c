/* Calibrators: from a tensor's histogram (quant/hist.h) to the range its
 * int8 quantization covers. Every method works on the two sides of zero
 * with suffix sums over the bins, so a candidate clip point costs O(1)
 * (MSE, percentile) and the search over all 2048 bin edges is cheap. */
#include <math.h>
#include <string.h>

#include "quant/hist.h"

#define NB TERN_HIST_BINS

/* Suffix sums of one side: s0[j] = sum of c over bins >= j, s1 of c*v,
 * s2 of c*v^2 (v: bin centre). */
typedef struct {
    double s0[NB + 1], s1[NB + 1], s2[NB + 1];
    double bw;
} side_sums;

static void sums(const tern_hist_side *s, side_sums *o) {
    o->bw = s->w / NB;
    o->s0[NB] = o->s1[NB] = o->s2[NB] = 0;
    for (int j = NB - 1; j >= 0; j--) {
        double v = (j + 0.5) * o->bw, c = s->c[j];
        o->s0[j] = o->s0[j + 1] + c;
        o->s1[j] = o->s1[j + 1] + c * v;
        o->s2[j] = o->s2[j + 1] + c * v * v;
    }
}

/* First bin whose centre lies beyond clip point t. */
static int first_beyond(const side_sums *o, double t) {
    if (o->bw <= 0) return NB;
    double b = t / o->bw - 0.5;
    if (b < 0) return 0;
    int j = (int)floor(b) + 1;
    return j > NB ? NB : j;
}

/* Squared error of clipping this side at t, and values kept inside. */
static double clip_err(const side_sums *o, double t, double *inside, double n) {
    int j = first_beyond(o, t);
    *inside = n - o->s0[j];
    return o->s2[j] - 2 * t * o->s1[j] + t * t * o->s0[j];
}

static double total_err(const side_sums *p, const side_sums *q, const tern_hist *h, double lo,
                        double hi) {
    double in_p = 0, in_n = 0;
    double e = clip_err(p, hi, &in_p, h->pos.n) + clip_err(q, -lo, &in_n, h->neg.n);
    double s = (hi - lo) / 255;
    return e + (in_p + in_n) * s * s / 12;
}

double tern_calib_mse(const tern_hist *h, double lo, double hi) {
    side_sums p, q;
    sums(&h->pos, &p);
    sums(&h->neg, &q);
    return h->count > 0 ? total_err(&p, &q, h, lo, hi) / h->count : 0;
}

/* Best clip point of one side with the other fixed: every bin edge up to
 * the side's maximum. */
static double best_side(const side_sums *p, const side_sums *q, const tern_hist *h, double other,
                        int positive, double max) {
    double best = max, best_e = INFINITY;
    for (int j = 0; j < NB; j++) {
        double t = (j + 1) * (positive ? p->bw : q->bw);
        int last = t >= max;
        if (last) t = max;
        double e = positive ? total_err(p, q, h, other, t) : total_err(p, q, h, -t, other);
        if (e < best_e) best_e = e, best = t;
        if (last) break;
    }
    return best;
}

static void mse_range(const tern_hist *h, double *lo, double *hi) {
    side_sums p, q;
    sums(&h->pos, &p);
    sums(&h->neg, &q);
    *hi = h->pos.max;
    *lo = -h->neg.max;
    /* coordinate descent: the two sides share the step size */
    for (int round = 0; round < 3; round++) {
        if (h->pos.n > 0) *hi = best_side(&p, &q, h, *lo, 1, h->pos.max);
        if (h->neg.n > 0) *lo = -best_side(&p, &q, h, *hi, 0, h->neg.max);
    }
}

/* Smallest clip point leaving at most `tail` values of this side beyond. */
static double percentile_side(const tern_hist_side *s, double tail) {
    if (s->n <= tail) return 0;
    double beyond = 0, bw = s->w / NB;
    for (int j = NB - 1; j >= 0; j--) {
        if (beyond + s->c[j] > tail) {
            double t = (j + 1) * bw;
            return t < s->max ? t : s->max;
        }
        beyond += s->c[j];
    }
    return s->max;
}

/* KL divergence between the side's distribution clipped at bin i and its
 * quantization to `levels` levels (TensorRT's method, on one side of zero,
 * the zero spike left out). */
static double kl_at(const double *c, int nb, int i, int levels) {
    double p[NB], q[NB], outl = 0, ps = 0, qs = 0;
    if (i < 1 || i > nb) return INFINITY;
    memset(p, 0, sizeof p);
    for (int k = i; k < nb; k++) outl += c[k];
    for (int k = 0; k < i; k++) p[k] = c[k];
    p[i - 1] += outl;
    for (int l = 0; l < levels; l++) {
        int a = (int)((long)l * i / levels), b = (int)((long)(l + 1) * i / levels);
        double sum = 0;
        int nz = 0;
        for (int k = a; k < b; k++) sum += c[k], nz += c[k] > 0;
        for (int k = a; k < b; k++) q[k] = c[k] > 0 && nz ? sum / nz : 0;
    }
    for (int k = 0; k < i; k++) ps += p[k], qs += q[k];
    if (ps <= 0 || qs <= 0) return INFINITY;
    double kl = 0;
    for (int k = 0; k < i; k++) {
        if (p[k] <= 0) continue;
        double pk = p[k] / ps, qk = q[k] > 0 ? q[k] / qs : 1e-12;
        kl += pk * log(pk / qk);
    }
    return kl;
}

/* Sparse histograms (squeeze-excite tensors: a few values per image) have
 * too few samples for a distribution estimate; below this many per
 * quantization level a side keeps its full range. */
#define KL_MIN_PER_LEVEL 32

static double entropy_side(const tern_hist_side *s, int levels) {
    if (s->n < (double)KL_MIN_PER_LEVEL * levels) return s->max;
    double best_kl = INFINITY, best = s->max, bw = s->w / NB;
    for (int i = levels; i <= NB; i += 8) {
        double kl = kl_at(s->c, NB, i, levels);
        if (kl < best_kl) best_kl = kl, best = i * bw;
    }
    return best < s->max ? best : s->max;
}

void tern_calib_range(const tern_hist *h, tern_calib_kind kind, double percentile, double *lo,
                      double *hi) {
    *lo = -h->neg.max;
    *hi = h->pos.max;
    switch (kind) {
    case TERN_CALIB_MINMAX: break;
    case TERN_CALIB_PERCENTILE: {
        double tail = (1 - percentile / 100) * h->count;
        if (h->pos.n > 0) *hi = percentile_side(&h->pos, tail);
        if (h->neg.n > 0) *lo = -percentile_side(&h->neg, tail);
        break;
    }
    case TERN_CALIB_ENTROPY: {
        /* a one-sided tensor has all 255 steps on its side, else about half */
        int both = h->pos.n > 0 && h->neg.n > 0;
        if (h->pos.n > 0) *hi = entropy_side(&h->pos, both ? 128 : 255);
        if (h->neg.n > 0) *lo = -entropy_side(&h->neg, both ? 128 : 255);
        break;
    }
    case TERN_CALIB_MSE:
    default: mse_range(h, lo, hi); break;
    }
}
