/* The int8 grid of a range and rounding onto it, exactly as tern's
 * QuantizeLinear and DequantizeLinear (docs/quantization.md, section 8). */
#include <math.h>

#include "quant/ptq_priv.h"

void pq_grid(double lo, double hi, float *scale, int *zp) {
    if (lo > 0) lo = 0;
    if (hi < 0) hi = 0;
    float s = (float)((hi - lo) / 255);
    if (!(s > 0) || !isfinite(s)) s = 1.0f / 256; /* a constant tensor: any grid holds 0 */
    /* z: where 0 lands; lo maps to -128 (a one-sided range gets z = -128) */
    double z = nearbyint(-128 - lo / s);
    *scale = s;
    *zp = z < -128 ? -128 : z > 127 ? 127 : (int)z;
}

void pq_fake_quant(float *x, size_t n, float scale, int zp) {
    const float lo = (float)(-128 - zp), hi = (float)(127 - zp);
    for (size_t i = 0; i < n; i++) {
        float f = x[i] / scale;
        f = f > lo ? f : lo; /* NaN -> lo, as maxps */
        f = f < hi ? f : hi;
        f = (f + 0x1.8p23f) - 0x1.8p23f; /* round to nearest even */
        x[i] = f * scale;                /* (q - z) * s with q - z = f, exact */
    }
}
