/* Streaming activation statistics for calibration: a histogram per tensor
 * in bounded memory, whatever the number of images.
 *
 * Each side of zero has its own TERN_HIST_BINS bins over [0, w): positive
 * values in `pos`, negated negative values in `neg`. Exact zeros are only
 * counted (`zeros`): ReLU outputs are 35-84% zeros on the shared MobileNets,
 * and a spike that size in bin 0 is what makes textbook KL calibration clip
 * ReLU6 near 0.5 (docs/ptq.md). A value beyond a side's range grows it:
 * the range doubles and pairs of bins merge, so the bins stay uniform and
 * earlier data keeps half its resolution per doubling. Two histograms merge
 * (threads) by growing both to the wider range first. */
#ifndef TERN_QUANT_HIST_H
#define TERN_QUANT_HIST_H

#include <stddef.h>

#define TERN_HIST_BINS 2048

typedef struct tern_hist_side {
    double c[TERN_HIST_BINS];
    double w; /* range [0, w); 0 until the first value */
    double n; /* values on this side */
    double max;
} tern_hist_side;

typedef struct tern_hist {
    tern_hist_side pos, neg;
    double zeros, count; /* count: every value seen (NaN excluded) */
} tern_hist;

void tern_hist_init(tern_hist *h);
void tern_hist_add(tern_hist *h, const float *x, size_t n);
void tern_hist_merge(tern_hist *dst, const tern_hist *src);

/* Calibrators: the range [*lo, *hi] (lo <= 0 <= hi) an int8 tensor should
 * cover. Each works per side of zero (tern_calib.c). */
typedef enum tern_calib_kind {
    TERN_CALIB_MSE = 0,
    TERN_CALIB_MINMAX = 1,
    TERN_CALIB_PERCENTILE = 2,
    TERN_CALIB_ENTROPY = 3
} tern_calib_kind;

/* percentile: in (0, 100], used by TERN_CALIB_PERCENTILE. */
void tern_calib_range(const tern_hist *h, tern_calib_kind kind, double percentile, double *lo,
                      double *hi);

/* The expected squared error per value of quantizing h's data to 256
 * levels over [lo, hi] (clipping beyond, uniform rounding noise inside,
 * zeros exact); what TERN_CALIB_MSE minimizes. */
double tern_calib_mse(const tern_hist *h, double lo, double hi);

#endif
