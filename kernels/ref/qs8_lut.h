/* Reference int8 lookup-table activations (HardSwish, HardSigmoid, Sigmoid,
 * SiLU, Tanh, LeakyRelu, the squeeze-excite gate, any float function
 * between a DequantizeLinear and a QuantizeLinear), docs/quantization.md
 * section 5. A table is built once from the scales:
 *
 *   x        = (double)s_x * (q - z_x)                  exact
 *   t        = f(x) / (double)s_y
 *   t        = min(max(t, qmin - z_y), qmax - z_y)      NaN -> qmin - z_y
 *   table[q + 128] = rne(t) + z_y                       in double
 *
 * and applied as y = table[x + 128]. The functions are tern's own
 * deterministic ones (detmath.h), never libm's, so a table has the same
 * bytes on every machine. */
#ifndef TERN_KERNELS_REF_QS8_LUT_H
#define TERN_KERNELS_REF_QS8_LUT_H

#include <stdint.h>

typedef double (*tern_lut_fn)(double x, const void *ctx);

/* The functions tables are made of; a and b as the ONNX attributes. */
typedef enum tern_lut_kind {
    TERN_LUT_SIGMOID,
    TERN_LUT_TANH,
    TERN_LUT_SILU,        /* x * sigmoid(x) */
    TERN_LUT_HARDSIGMOID, /* max(0, min(1, a x + b)) */
    TERN_LUT_HARDSWISH,   /* x * max(0, min(1, x / 6 + 0.5)) */
    TERN_LUT_LEAKYRELU    /* x >= 0 ? x : a x */
} tern_lut_kind;

typedef struct tern_lut_func {
    tern_lut_kind kind;
    double a, b;
} tern_lut_func;

/* f(x) for ctx a const tern_lut_func * (a tern_lut_fn). */
double tern_lut_func_eval(double x, const void *ctx);

/* Build table[256] (entry i for input i - 128) of f from the input
 * parameters (s_x, z_x) and the output ones (s_y, z_y, clamp [qmin, qmax]). */
void tern_qs8_lut_build(int8_t table[256], float s_x, int32_t z_x, float s_y, int32_t z_y,
                        int32_t qmin, int32_t qmax, tern_lut_fn f, const void *ctx);

/* y = table[x + 128] over an index space with element strides (any layout;
 * in place allowed with equal strides). */
/* The table of a piecewise-linear function computed in float32 exactly as
 * the float graph would (docs section 5): x = (float)(q - z_x) * s_x
 * (DequantizeLinear), f in float, then QuantizeLinear's f / s_y, clamp
 * (NaN -> qmin), rne, + z_y. Each entry then equals DQ -> f -> Q run in
 * float, bit for bit, on every ISA (+ - * / and comparisons only). */
typedef float (*tern_lut_fn_f32)(float x, const void *ctx);
void tern_qs8_lut_build_f32(int8_t table[256], float s_x, int32_t z_x, float s_y, int32_t z_y,
                            int32_t qmin, int32_t qmax, tern_lut_fn_f32 f, const void *ctx);

void tern_ref_qs8_lut(int rank, const int64_t *dims, const int8_t *x, const int64_t *xs,
                      const int8_t table[256], int8_t *y, const int64_t *ys);

#endif
