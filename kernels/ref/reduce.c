#include "kernels/ref/reduce.h"

#include <math.h>

#include "kernels/ref/walk.h"

static float init_f32(tern_reduce_op op) {
    switch (op) {
    case TERN_REDUCE_MAX: return -INFINITY;
    case TERN_REDUCE_MIN: return INFINITY;
    case TERN_REDUCE_PROD: return 1.0f;
    default: return 0.0f;
    }
}

static float fold_f32(tern_reduce_op op, float acc, float x) {
    switch (op) {
    case TERN_REDUCE_MAX: return acc != acc || x != x ? NAN : (x > acc ? x : acc);
    case TERN_REDUCE_MIN: return acc != acc || x != x ? NAN : (x < acc ? x : acc);
    case TERN_REDUCE_PROD: return acc * x;
    case TERN_REDUCE_L1: return acc + fabsf(x);
    case TERN_REDUCE_L2:
    case TERN_REDUCE_SUM_SQUARE: return acc + x * x;
    case TERN_REDUCE_LOG_SUM_EXP: return acc + expf(x);
    default: return acc + x;
    }
}

/* the last step, once every input is folded */
static float finish_f32(tern_reduce_op op, float acc, int64_t count) {
    switch (op) {
    case TERN_REDUCE_MEAN: return acc / (float)count;
    case TERN_REDUCE_L2: return sqrtf(acc);
    case TERN_REDUCE_LOG_SUM:
    case TERN_REDUCE_LOG_SUM_EXP: return logf(acc);
    default: return acc;
    }
}

void tern_ref_reduce_f32(tern_reduce_op op, int rank, const int64_t *dims, const float *in,
                         const int64_t *si, float *out, const int64_t *so, int64_t out_numel,
                         int64_t count) {
    float init = init_f32(op);
    for (int64_t i = 0; i < out_numel; i++) out[i] = init;
    const int64_t *st[2] = {si, so};
    tern_walk w;
    if (tern_walk_start(&w, rank, dims, 2, st)) {
        do {
            for (int64_t i = 0; i < w.n; i++) {
                float *o = &out[w.off[1] + i * w.inc[1]];
                *o = fold_f32(op, *o, in[w.off[0] + i * w.inc[0]]);
            }
        } while (tern_walk_next(&w));
    }
    for (int64_t i = 0; i < out_numel; i++) out[i] = finish_f32(op, out[i], count);
}

static int64_t fold_i64(tern_reduce_op op, int64_t acc, int64_t x) {
    switch (op) {
    case TERN_REDUCE_MAX: return x > acc ? x : acc;
    case TERN_REDUCE_MIN: return x < acc ? x : acc;
    case TERN_REDUCE_PROD: return (int64_t)((uint64_t)acc * (uint64_t)x); /* wraps, no UB */
    default: return (int64_t)((uint64_t)acc + (uint64_t)x);
    }
}

void tern_ref_reduce_i64(tern_reduce_op op, int rank, const int64_t *dims, const int64_t *in,
                         const int64_t *si, int64_t *out, const int64_t *so, int64_t out_numel,
                         int64_t count) {
    int64_t init = op == TERN_REDUCE_MAX    ? INT64_MIN
                   : op == TERN_REDUCE_MIN  ? INT64_MAX
                   : op == TERN_REDUCE_PROD ? 1
                                            : 0;
    for (int64_t i = 0; i < out_numel; i++) out[i] = init;
    const int64_t *st[2] = {si, so};
    tern_walk w;
    if (tern_walk_start(&w, rank, dims, 2, st)) {
        do {
            for (int64_t i = 0; i < w.n; i++) {
                int64_t *o = &out[w.off[1] + i * w.inc[1]];
                *o = fold_i64(op, *o, in[w.off[0] + i * w.inc[0]]);
            }
        } while (tern_walk_next(&w));
    }
    if (op == TERN_REDUCE_MEAN)
        for (int64_t i = 0; i < out_numel; i++) out[i] = count > 0 ? out[i] / count : 0;
}

/* ArgMax/ArgMin: one template for float and int64 */
#define DEFINE_ARG(NAME, T)                                                                       \
    void tern_ref_arg_##NAME(int is_min, int select_last, int64_t outer, int64_t dim,             \
                             int64_t inner, const T *in, int64_t *out) {                          \
        for (int64_t o = 0; o < outer; o++)                                                       \
            for (int64_t i = 0; i < inner; i++) {                                                 \
                const T *p = in + o * dim * inner + i;                                            \
                int64_t best = 0;                                                                 \
                for (int64_t k = 1; k < dim; k++) {                                               \
                    T x = p[k * inner], b = p[best * inner];                                      \
                    int better = is_min ? (select_last ? x <= b : x < b)                          \
                                        : (select_last ? x >= b : x > b);                         \
                    if (better || (b != b && x == x)) best = k; /* NaN loses */                   \
                }                                                                                 \
                out[o * inner + i] = best;                                                        \
            }                                                                                     \
    }

DEFINE_ARG(f32, float)
DEFINE_ARG(i64, int64_t)
