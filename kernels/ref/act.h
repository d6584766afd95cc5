/* The math of every activation, in one place: the standalone activation ops
 * (graph/ops/op_activation.c) and the activations fused into Conv/Gemm
 * (n->act) both call tern_act_apply, so they cannot disagree. */
#ifndef TERN_KERNELS_REF_ACT_H
#define TERN_KERNELS_REF_ACT_H

#include <math.h>
#include <stddef.h>

#include "graph/ir.h"

static inline float tern_sigmoidf(float x) {
    /* expf(-x) overflows to +inf for x < -88: 1/(1+inf) = 0, the right limit */
    return 1.0f / (1.0f + expf(-x));
}

static inline float tern_hardsigmoidf(float x, float a, float b) {
    float v = a * x + b;
    return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
}

/* Apply activation a to x. TERN_ACT_NONE returns x unchanged. */
static inline float tern_act_apply(const tern_act *a, float x) {
    switch (a->kind) {
    case TERN_ACT_NONE: return x;
    case TERN_ACT_RELU: return x < 0.0f ? 0.0f : x;
    case TERN_ACT_CLIP: { /* Min(max, Max(x, min)): min > max gives max, as ONNX says */
        float v = x < a->a ? a->a : x;
        return v > a->b ? a->b : v;
    }
    case TERN_ACT_HARDSIGMOID: return tern_hardsigmoidf(x, a->a, a->b);
    case TERN_ACT_HARDSWISH: return x * tern_hardsigmoidf(x, a->a, a->b);
    case TERN_ACT_SIGMOID: return tern_sigmoidf(x);
    case TERN_ACT_SILU: return x * tern_sigmoidf(x);
    case TERN_ACT_LEAKYRELU: return x < 0.0f ? a->a * x : x;
    case TERN_ACT_TANH: return tanhf(x);
    }
    return x;
}

/* y[i] = act(x[i]) for n contiguous elements (x and y may be the same). */
static inline void tern_act_apply_n(const tern_act *a, const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = tern_act_apply(a, x[i]);
}

#endif
