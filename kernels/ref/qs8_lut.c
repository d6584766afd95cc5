/* Reference int8 lookup tables; see qs8_lut.h. */
#include "kernels/ref/qs8_lut.h"

#include "kernels/ref/detmath.h"
#include "kernels/ref/requant.h"
#include "kernels/ref/walk.h"

static double clamp01(double v) { return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v; }

double tern_lut_func_eval(double x, const void *ctx) {
    const tern_lut_func *f = ctx;
    switch (f->kind) {
    case TERN_LUT_SIGMOID:
        return tern_det_sigmoid(x);
    case TERN_LUT_TANH:
        return tern_det_tanh(x);
    case TERN_LUT_SILU:
        return x * tern_det_sigmoid(x);
    case TERN_LUT_HARDSIGMOID:
        return clamp01(f->a * x + f->b);
    case TERN_LUT_HARDSWISH:
        return x * clamp01(x / 6.0 + 0.5);
    case TERN_LUT_LEAKYRELU:
        return x >= 0.0 ? x : f->a * x;
    }
    return x;
}

void tern_qs8_lut_build(int8_t table[256], float s_x, int32_t z_x, float s_y, int32_t z_y,
                        int32_t qmin, int32_t qmax, tern_lut_fn f, const void *ctx) {
    double lo = (double)(qmin - z_y), hi = (double)(qmax - z_y);
    for (int32_t q = -128; q <= 127; q++) {
        double x = (double)s_x * (double)(q - z_x);
        double t = f(x, ctx) / (double)s_y;
        t = t >= lo ? t : lo; /* NaN -> lo */
        t = t <= hi ? t : hi;
        table[q + 128] = (int8_t)(tern_rne_f64(t) + z_y);
    }
}

void tern_qs8_lut_build_f32(int8_t table[256], float s_x, int32_t z_x, float s_y, int32_t z_y,
                            int32_t qmin, int32_t qmax, tern_lut_fn_f32 f, const void *ctx) {
    float lo = (float)(qmin - z_y), hi = (float)(qmax - z_y);
    for (int32_t q = -128; q <= 127; q++) {
        float x = (float)(q - z_x) * s_x;
        float t = tern_clamp_f32(f(x, ctx) / s_y, lo, hi); /* NaN -> lo */
        table[q + 128] = (int8_t)(tern_rne_f32(t) + z_y);
    }
}

void tern_ref_qs8_lut(int rank, const int64_t *dims, const int8_t *x, const int64_t *xs,
                      const int8_t table[256], int8_t *y, const int64_t *ys) {
    const int64_t *st[2] = {ys, xs};
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 2, st)) return;
    do {
        const int8_t *px = x + w.off[1];
        int8_t *py = y + w.off[0];
        for (int64_t i = 0; i < w.n; i++) py[i * w.inc[0]] = table[px[i * w.inc[1]] + 128];
    } while (tern_walk_next(&w));
}
