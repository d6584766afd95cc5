/* The math of the activations that are only standalone ops (never fused
 * into Conv/Gemm): Elu, Selu, Celu, Softplus, Softsign, ThresholdedRelu and
 * Shrink, float32, plus the any-layout loop that applies one to a tensor.
 * Same style as kernels/ref/act.h; graph/ops/op_activation_extra.c glues the
 * nodes to it. */
#ifndef TERN_KERNELS_REF_ACT_EXTRA_H
#define TERN_KERNELS_REF_ACT_EXTRA_H

#include <math.h>
#include <stdint.h>

#include "kernels/ref/strided.h"

typedef enum tern_act_extra_kind {
    TERN_ACTX_ELU,             /* x < 0 ? a*(exp(x)-1) : x */
    TERN_ACTX_SELU,            /* x <= 0 ? b*(a*exp(x)-a) : b*x  (a alpha, b gamma) */
    TERN_ACTX_CELU,            /* max(0,x) + min(0, a*(exp(x/a)-1)), a != 0 */
    TERN_ACTX_SOFTPLUS,        /* log(exp(x) + 1) */
    TERN_ACTX_SOFTSIGN,        /* x / (1 + |x|) */
    TERN_ACTX_THRESHOLDEDRELU, /* x > a ? x : 0 */
    TERN_ACTX_SHRINK           /* x < -a ? x+b : x > a ? x-b : 0  (a lambd, b bias) */
} tern_act_extra_kind;

typedef struct tern_act_extra {
    tern_act_extra_kind kind;
    float a, b;
} tern_act_extra;

/* log(1 + exp(x)) without overflow: for x > 0 it is x + log1p(exp(-x)),
 * which keeps exp's argument <= 0 (exp(89) would be inf in float). */
static inline float tern_softplusf(float x) {
    return x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x));
}

static inline float tern_act_extra_apply(const tern_act_extra *a, float x) {
    switch (a->kind) {
    case TERN_ACTX_ELU: return x < 0.0f ? a->a * expm1f(x) : x;
    case TERN_ACTX_SELU: return x <= 0.0f ? a->b * (a->a * expf(x) - a->a) : a->b * x;
    case TERN_ACTX_CELU: return x > 0.0f ? x : a->a * expm1f(x / a->a);
    case TERN_ACTX_SOFTPLUS: return tern_softplusf(x);
    case TERN_ACTX_SOFTSIGN: return x / (1.0f + fabsf(x));
    case TERN_ACTX_THRESHOLDEDRELU: return x > a->a ? x : 0.0f;
    case TERN_ACTX_SHRINK: return x < -a->a ? x + a->b : (x > a->a ? x - a->b : 0.0f);
    }
    return x;
}

/* y = act(x) elementwise over logical shape dims; x and y are indexed
 * through their element strides xs, ys (any layout). */
static inline void tern_act_extra_f32(const tern_act_extra *a, int rank, const int64_t *dims,
                                      const float *x, const int64_t *xs, float *y,
                                      const int64_t *ys) {
    int64_t total = tern_iter_count(rank, dims);
    tern_iter it;
    tern_iter_init(&it, rank, dims, xs, ys, NULL);
    for (int64_t e = 0; e < total; e++, tern_iter_next(&it))
        y[it.off[1]] = tern_act_extra_apply(a, x[it.off[0]]);
}

#endif
