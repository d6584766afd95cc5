#include "quant/hist.h"

#include <math.h>
#include <string.h>

void tern_hist_init(tern_hist *h) {
    memset(h, 0, sizeof *h);
}

/* Double the side's range until v < w, merging bin pairs each time. */
static void grow(tern_hist_side *s, double v) {
    if (s->w <= 0) {
        /* first value: its range starts just above it */
        s->w = v > 0 ? v * (1.0 + 1.0 / 4096) : 1e-30;
        return;
    }
    while (v >= s->w) {
        for (int i = 0; i < TERN_HIST_BINS / 2; i++) s->c[i] = s->c[2 * i] + s->c[2 * i + 1];
        memset(s->c + TERN_HIST_BINS / 2, 0, sizeof s->c / 2);
        s->w *= 2;
    }
}

static void add_side(tern_hist_side *s, double v) {
    if (v >= s->w) grow(s, v);
    int b = (int)(v * (TERN_HIST_BINS / s->w));
    s->c[b < TERN_HIST_BINS ? b : TERN_HIST_BINS - 1] += 1;
    s->n += 1;
    if (v > s->max) s->max = v;
}

void tern_hist_add(tern_hist *h, const float *x, size_t n) {
    /* grow once for the whole batch first: one merge pass, not one per value */
    float mx = 0, mn = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i] > mx) mx = x[i];
        if (x[i] < mn) mn = x[i];
    }
    if (mx > 0 && !(mx < h->pos.w)) grow(&h->pos, mx);
    if (mn < 0 && !(-mn < h->neg.w)) grow(&h->neg, -(double)mn);
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        if (v > 0) add_side(&h->pos, v);
        else if (v < 0) add_side(&h->neg, -(double)v);
        else if (v == 0) h->zeros += 1;
        else continue; /* NaN */
        h->count += 1;
    }
}

static void merge_side(tern_hist_side *d, const tern_hist_side *s) {
    if (s->n == 0) return;
    if (d->n == 0) {
        *d = *s;
        return;
    }
    /* bring both to the wider range, then add bin by bin; ranges grow by
     * doubling from different starts, so the narrower one is rebinned */
    if (s->w > d->w) grow(d, s->w * (1 - 1e-12));
    double scale = TERN_HIST_BINS / d->w, bw = s->w / TERN_HIST_BINS;
    for (int i = 0; i < TERN_HIST_BINS; i++) {
        if (s->c[i] == 0) continue;
        int b = (int)((i + 0.5) * bw * scale);
        d->c[b < TERN_HIST_BINS ? b : TERN_HIST_BINS - 1] += s->c[i];
    }
    d->n += s->n;
    if (s->max > d->max) d->max = s->max;
}

void tern_hist_merge(tern_hist *dst, const tern_hist *src) {
    merge_side(&dst->pos, &src->pos);
    merge_side(&dst->neg, &src->neg);
    dst->zeros += src->zeros;
    dst->count += src->count;
}
