/* Reference QuantizeLinear / DequantizeLinear; see qs8_quantize.h. */
#include "kernels/ref/qs8_quantize.h"

#include "kernels/ref/requant.h"
#include "kernels/ref/strided.h"

/* rne(x / s) + z clamped to [qmin, qmax]. */
static int32_t quantize_one(float x, float s, int32_t z, int32_t qmin, int32_t qmax) {
    float f = tern_clamp_f32(x / s, (float)(qmin - z), (float)(qmax - z));
    return tern_rne_f32(f) + z;
}

void tern_ref_quantize_f32(int rank, const int64_t *dims, const float *x, const int64_t *xs,
                           int axis, const float *scale, const int32_t *zero_point, tern_dtype to,
                           void *y, const int64_t *ys) {
    int u8 = to == TERN_UINT8;
    int32_t qmin = u8 ? 0 : -128, qmax = u8 ? 255 : 127;
    tern_iter it;
    tern_iter_init(&it, rank, dims, xs, ys, NULL);
    int64_t total = tern_iter_count(rank, dims);
    for (int64_t e = 0; e < total; e++, tern_iter_next(&it)) {
        int64_t q = axis < 0 ? 0 : it.idx[axis];
        int32_t v = quantize_one(x[it.off[0]], scale[q], zero_point[q], qmin, qmax);
        if (u8)
            ((uint8_t *)y)[it.off[1]] = (uint8_t)v;
        else
            ((int8_t *)y)[it.off[1]] = (int8_t)v;
    }
}

static int64_t load_int(tern_dtype from, const void *x, int64_t i) {
    if (from == TERN_UINT8) return ((const uint8_t *)x)[i];
    if (from == TERN_INT8) return ((const int8_t *)x)[i];
    return ((const int32_t *)x)[i];
}

void tern_ref_dequantize_f32(int rank, const int64_t *dims, tern_dtype from, const void *x,
                             const int64_t *xs, int axis, const float *scale,
                             const int32_t *zero_point, float *y, const int64_t *ys) {
    tern_iter it;
    tern_iter_init(&it, rank, dims, xs, ys, NULL);
    int64_t total = tern_iter_count(rank, dims);
    for (int64_t e = 0; e < total; e++, tern_iter_next(&it)) {
        int64_t q = axis < 0 ? 0 : it.idx[axis];
        int64_t v = load_int(from, x, it.off[0]) - zero_point[q]; /* int64: no overflow */
        y[it.off[1]] = (float)v * scale[q];
    }
}

void tern_ref_flip_sign8(int64_t n, const void *x, void *y) {
    const uint8_t *src = x;
    uint8_t *dst = y;
    for (int64_t i = 0; i < n; i++) dst[i] = (uint8_t)(src[i] ^ 0x80u);
}
