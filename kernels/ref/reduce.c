#include "kernels/ref/reduce.h"

#include <math.h>

#include "kernels/ref/walk.h"

static double init_f(tern_reduce_op op) {
    switch (op) {
    case TERN_REDUCE_MAX: return -INFINITY;
    case TERN_REDUCE_MIN: return INFINITY;
    case TERN_REDUCE_PROD: return 1.0;
    default: return 0.0;
    }
}

static double fold_f(tern_reduce_op op, double acc, double x) {
    switch (op) {
    case TERN_REDUCE_MAX: return acc != acc || x != x ? NAN : (x > acc ? x : acc);
    case TERN_REDUCE_MIN: return acc != acc || x != x ? NAN : (x < acc ? x : acc);
    case TERN_REDUCE_PROD: return acc * x;
    case TERN_REDUCE_L1: return acc + fabs(x);
    case TERN_REDUCE_L2:
    case TERN_REDUCE_SUM_SQUARE: return acc + x * x;
    case TERN_REDUCE_LOG_SUM_EXP: return acc + exp(x);
    default: return acc + x;
    }
}

/* the last step, once the block is folded */
static double finish_f(tern_reduce_op op, double acc, int64_t count) {
    switch (op) {
    case TERN_REDUCE_MEAN: return acc / (double)count;
    case TERN_REDUCE_L2: return sqrt(acc);
    case TERN_REDUCE_LOG_SUM:
    case TERN_REDUCE_LOG_SUM_EXP: return log(acc);
    default: return acc;
    }
}

/* The kept space (reduced axes set to 1) and the block space (kept axes set
 * to 1) of an input; returns the block's element count. */
static int64_t split_space(int rank, const int64_t *dims, const int *reduced, int64_t *kept,
                           int64_t *block) {
    int64_t count = 1;
    for (int a = 0; a < rank; a++) {
        kept[a] = reduced[a] ? 1 : dims[a];
        block[a] = reduced[a] ? dims[a] : 1;
        count *= block[a];
    }
    return count;
}

/* Fold one output's block; T is float or double, the fold is in double. */
#define DEFINE_REDUCE_FLOAT(NAME, T)                                                              \
    static double block_##NAME(tern_reduce_op op, int rank, const int64_t *block, const T *in,    \
                               const int64_t *si, int64_t count) {                                \
        double acc = init_f(op);                                                                  \
        const int64_t *st[1] = {si};                                                              \
        tern_walk w;                                                                              \
        if (tern_walk_start(&w, rank, block, 1, st)) {                                            \
            do {                                                                                  \
                for (int64_t i = 0; i < w.n; i++)                                                 \
                    acc = fold_f(op, acc, in[w.off[0] + i * w.inc[0]]);                           \
            } while (tern_walk_next(&w));                                                         \
        }                                                                                         \
        return finish_f(op, acc, count);                                                          \
    }                                                                                             \
    void tern_ref_reduce_##NAME(tern_reduce_op op, int rank, const int64_t *dims,                 \
                                const int *reduced, const T *in, const int64_t *si, T *out,       \
                                const int64_t *so) {                                              \
        int64_t kept[TERN_MAX_RANK], block[TERN_MAX_RANK];                                        \
        int64_t count = split_space(rank, dims, reduced, kept, block);                            \
        const int64_t *st[2] = {so, si};                                                          \
        tern_walk w;                                                                              \
        if (!tern_walk_start(&w, rank, kept, 2, st)) return;                                      \
        do {                                                                                      \
            for (int64_t i = 0; i < w.n; i++)                                                     \
                out[w.off[0] + i * w.inc[0]] =                                                    \
                    (T)block_##NAME(op, rank, block, in + w.off[1] + i * w.inc[1], si, count);    \
        } while (tern_walk_next(&w));                                                             \
    }

DEFINE_REDUCE_FLOAT(f32, float)
DEFINE_REDUCE_FLOAT(f64, double)

static int64_t fold_i64(tern_reduce_op op, int64_t acc, int64_t x) {
    switch (op) {
    case TERN_REDUCE_MAX: return x > acc ? x : acc;
    case TERN_REDUCE_MIN: return x < acc ? x : acc;
    case TERN_REDUCE_PROD: return (int64_t)((uint64_t)acc * (uint64_t)x); /* wraps, no UB */
    default: return (int64_t)((uint64_t)acc + (uint64_t)x);
    }
}

static int64_t block_i64(tern_reduce_op op, int rank, const int64_t *block, const int64_t *in,
                         const int64_t *si, int64_t count) {
    int64_t acc = op == TERN_REDUCE_MAX    ? INT64_MIN
                  : op == TERN_REDUCE_MIN  ? INT64_MAX
                  : op == TERN_REDUCE_PROD ? 1
                                           : 0;
    const int64_t *st[1] = {si};
    tern_walk w;
    if (tern_walk_start(&w, rank, block, 1, st)) {
        do {
            for (int64_t i = 0; i < w.n; i++) acc = fold_i64(op, acc, in[w.off[0] + i * w.inc[0]]);
        } while (tern_walk_next(&w));
    }
    if (op == TERN_REDUCE_MEAN) return count > 0 ? acc / count : 0;
    return acc;
}

void tern_ref_reduce_i64(tern_reduce_op op, int rank, const int64_t *dims, const int *reduced,
                         const int64_t *in, const int64_t *si, int64_t *out, const int64_t *so) {
    int64_t kept[TERN_MAX_RANK], block[TERN_MAX_RANK];
    int64_t count = split_space(rank, dims, reduced, kept, block);
    const int64_t *st[2] = {so, si};
    tern_walk w;
    if (!tern_walk_start(&w, rank, kept, 2, st)) return;
    do {
        for (int64_t i = 0; i < w.n; i++)
            out[w.off[0] + i * w.inc[0]] =
                block_i64(op, rank, block, in + w.off[1] + i * w.inc[1], si, count);
    } while (tern_walk_next(&w));
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

void tern_ref_hardmax_f32(int64_t outer, int64_t dim, int64_t inner, const float *in,
                          float *out) {
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            const float *p = in + o * dim * inner + i;
            int64_t best = 0;
            for (int64_t k = 1; k < dim; k++) {
                float x = p[k * inner], b = p[best * inner];
                if (x > b || (b != b && x == x)) best = k;
            }
            for (int64_t k = 0; k < dim; k++)
                out[(o * dim + k) * inner + i] = k == best ? 1.0f : 0.0f;
        }
}
