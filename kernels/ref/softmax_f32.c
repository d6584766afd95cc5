/* Reference Softmax / LogSoftmax; see softmax_f32.h. */
#include "kernels/ref/softmax_f32.h"

#include <math.h>

#include "kernels/ref/strided.h"

/* One row: the reduced axes walked by an iterator whose offsets start at
 * x0 (array 0) and y0 (array 1). */
static void softmax_row(const tern_iter *row, int64_t len, const float *x0, float *y0,
                        int log_softmax) {
    tern_iter it = *row;
    float m = -INFINITY;
    for (int64_t e = 0; e < len; e++, tern_iter_next(&it))
        if (x0[it.off[0]] > m) m = x0[it.off[0]];
    it = *row;
    float s = 0.0f;
    for (int64_t e = 0; e < len; e++, tern_iter_next(&it)) s += expf(x0[it.off[0]] - m);
    it = *row;
    float ls = logf(s);
    for (int64_t e = 0; e < len; e++, tern_iter_next(&it)) {
        float d = x0[it.off[0]] - m;
        y0[it.off[1]] = log_softmax ? d - ls : expf(d) / s;
    }
}

void tern_softmax_f32(int rank, const int64_t *dims, int first, int last, const float *x,
                      const int64_t *xs, float *y, const int64_t *ys, int log_softmax) {
    int64_t od[TERN_MAX_RANK], oxs[TERN_MAX_RANK], oys[TERN_MAX_RANK];
    int orank = 0;
    for (int i = 0; i < rank; i++)
        if (i < first || i >= last) {
            od[orank] = dims[i];
            oxs[orank] = xs[i];
            oys[orank] = ys[i];
            orank++;
        }
    int rrank = last - first;
    tern_iter row;
    tern_iter_init(&row, rrank, dims + first, xs + first, ys + first, NULL);
    int64_t len = tern_iter_count(rrank, dims + first);
    int64_t rows = tern_iter_count(orank, od);
    tern_iter outer;
    tern_iter_init(&outer, orank, od, oxs, oys, NULL);
    for (int64_t r = 0; r < rows; r++, tern_iter_next(&outer))
        softmax_row(&row, len, x + outer.off[0], y + outer.off[1], log_softmax);
}
