#include "kernels/ref/reduce.h"

#include <math.h>

#include "kernels/ref/walk.h"

static float init_f32(tern_reduce_op op) {
    return op == TERN_REDUCE_MAX ? -INFINITY : op == TERN_REDUCE_MIN ? INFINITY : 0.0f;
}

static float fold_f32(tern_reduce_op op, float acc, float x) {
    switch (op) {
    case TERN_REDUCE_MAX: return acc != acc || x != x ? NAN : (x > acc ? x : acc);
    case TERN_REDUCE_MIN: return acc != acc || x != x ? NAN : (x < acc ? x : acc);
    default: return acc + x;
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
    if (op == TERN_REDUCE_MEAN)
        for (int64_t i = 0; i < out_numel; i++) out[i] /= (float)count;
}

static int64_t fold_i64(tern_reduce_op op, int64_t acc, int64_t x) {
    switch (op) {
    case TERN_REDUCE_MAX: return x > acc ? x : acc;
    case TERN_REDUCE_MIN: return x < acc ? x : acc;
    default: return (int64_t)((uint64_t)acc + (uint64_t)x); /* wraps, no UB */
    }
}

void tern_ref_reduce_i64(tern_reduce_op op, int rank, const int64_t *dims, const int64_t *in,
                         const int64_t *si, int64_t *out, const int64_t *so, int64_t out_numel,
                         int64_t count) {
    int64_t init = op == TERN_REDUCE_MAX ? INT64_MIN : op == TERN_REDUCE_MIN ? INT64_MAX : 0;
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
