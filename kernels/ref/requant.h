/* The one requantization of tern's INT8 path (docs/quantization.md, section
 * 3): an exact int32 accumulator becomes an int8 output through one float
 * multiply, a float clamp and round-to-nearest-even. Every integer kernel
 * calls tern_requant_fp32_apply() (or _finish() for the float value of
 * Add), so there is exactly one definition of the rounding.
 *
 * Also here: the accumulator bound every dot-product kernel assumes, and the
 * weight-side quantization parameters those kernels share. */
#ifndef TERN_KERNELS_REF_REQUANT_H
#define TERN_KERNELS_REF_REQUANT_H

#include <stdint.h>

/* Output requantization of one tensor or one output channel. */
typedef struct tern_requant_fp32 {
    float scale;        /* e.g. (s_x * s_w[c]) / s_y: tern_requant_fp32_scale() */
    int32_t zero_point; /* z_y, in [-128, 127] */
    int32_t qmin, qmax; /* output clamp, -128 <= qmin <= qmax <= 127; includes a fused Relu/Clip */
} tern_requant_fp32;

/* The largest reduction length and bias magnitude of a dot-product kernel:
 * |bias| + K * 255 * 255 then stays below 2^31 (docs, section 2). */
#define TERN_QS8_MAX_K 16384
#define TERN_QS8_MAX_BIAS (INT32_C(1) << 30)

/* Round to nearest, ties to even, of |f| < 2^22: in [2^23, 2^24) floats are
 * the integers, so the addition rounds and the subtraction is exact. Needs
 * the default rounding mode and no excess precision (x86-64, aarch64). */
static inline int32_t tern_rne_f32(float f) { return (int32_t)((f + 0x1.8p23f) - 0x1.8p23f); }

/* The same in double, for |d| < 2^51 (table building). */
static inline int64_t tern_rne_f64(double d) { return (int64_t)((d + 0x1.8p52) - 0x1.8p52); }

/* The scale of a dot product: ORT's formula, in float, two roundings. */
static inline float tern_requant_fp32_scale(float s_x, float s_w, float s_y) {
    float p = s_x * s_w;
    return p / s_y;
}

/* The scale of an average of count int8 values: ORT's
 * s_x / (s_y * count), in float, two roundings. */
static inline float tern_requant_fp32_avg_scale(float s_x, float s_y, int64_t count) {
    float d = s_y * (float)count;
    return s_x / d;
}

/* Clamp f to [lo, hi]; NaN gives lo (as x86 maxps(f, lo) and Arm fmaxnm do). */
static inline float tern_clamp_f32(float f, float lo, float hi) {
    f = f >= lo ? f : lo;
    return f <= hi ? f : hi;
}

/* Clamp (in float, to the output range shifted by the zero point), round,
 * add the zero point. */
static inline int8_t tern_requant_fp32_finish(float f, const tern_requant_fp32 *p) {
    f = tern_clamp_f32(f, (float)(p->qmin - p->zero_point), (float)(p->qmax - p->zero_point));
    return (int8_t)(tern_rne_f32(f) + p->zero_point);
}

/* acc -> int8: (float)acc rounds to nearest even for |acc| >= 2^24. */
static inline int8_t tern_requant_fp32_apply(int32_t acc, const tern_requant_fp32 *p) {
    return tern_requant_fp32_finish((float)acc * p->scale, p);
}

/* The quantized value of the real number v at (s, z): QuantizeLinear's
 * rne(v / s) + z, clamped to [-128, 127]. Used for Clip/Relu6 bounds. */
static inline int32_t tern_qs8_quantize_bound(float v, float s, int32_t z) {
    return tern_rne_f32(tern_clamp_f32(v / s, (float)(-128 - z), (float)(127 - z))) + z;
}

/* Requantization of int8 values from (s_x, z_x) to (s_y, z_y), and of
 * sums of them (average pooling): y = apply(v - x_zero_point, &out). */
typedef struct tern_qs8_rescale {
    int32_t x_zero_point;
    tern_requant_fp32 out; /* scale s_x / s_y (or an average's), z_y, qmin, qmax */
} tern_qs8_rescale;

/* Fill r for an element-wise change of parameters: scale = s_x / s_y. */
static inline void tern_qs8_rescale_init(tern_qs8_rescale *r, float s_x, int32_t z_x, float s_y,
                                         int32_t z_y, int32_t qmin, int32_t qmax) {
    r->x_zero_point = z_x;
    r->out = (tern_requant_fp32){.scale = s_x / s_y, .zero_point = z_y, .qmin = qmin, .qmax = qmax};
}

/* Whether r maps every int8 value to itself (equal parameters, no clamp):
 * f = x - z_x is exact and rounds to itself, so a copy is the same. */
static inline int tern_qs8_rescale_is_identity(const tern_qs8_rescale *r) {
    return r->out.scale == 1.0f && r->x_zero_point == r->out.zero_point && r->out.qmin == -128 &&
           r->out.qmax == 127;
}

/* The weight-side parameters of a dot-product kernel (Gemm, Conv,
 * depthwise Conv), per output channel c:
 *   y[c] = requant[c].apply(bias[c] + sum_k (x_k - x_zero_point) * (w_k - w_zero_point[c])) */
typedef struct tern_qs8_dot_params {
    int32_t x_zero_point;             /* [-128, 127] */
    const int32_t *w_zero_point;      /* [C_out], each in [-128, 127] */
    const int32_t *bias;              /* [C_out], |bias| <= TERN_QS8_MAX_BIAS; NULL: 0 */
    const tern_requant_fp32 *requant; /* [C_out]; unused by the int32-output kernels */
} tern_qs8_dot_params;

/* Whether a dot product of length k with these biases (n of them, or NULL)
 * is within the bound the kernels assume. */
static inline int tern_qs8_dot_fits(int64_t k, const int32_t *bias, int64_t n) {
    if (k < 0 || k > TERN_QS8_MAX_K) return 0;
    for (int64_t i = 0; bias && i < n; i++)
        if (bias[i] < -TERN_QS8_MAX_BIAS || bias[i] > TERN_QS8_MAX_BIAS) return 0;
    return 1;
}

#endif
