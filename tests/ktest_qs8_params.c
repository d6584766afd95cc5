/* Quantization parameters for the qs8 kernel tests; see ktest_qs8.h. */
#include "tests/ktest_qs8.h"

#include <stdlib.h>

void qparams_make(qparams *q, int64_t n, int64_t k, int variant, nrng *r) {
    q->zw = malloc(sizeof(int32_t) * (size_t)n);
    q->bias = malloc(sizeof(int32_t) * (size_t)n);
    q->rq = malloc(sizeof(tern_requant_fp32) * (size_t)n);
    int32_t zx = variant == 0 ? -128 : variant == 1 ? 127 : nrng_int(r, -128, 127);
    int32_t zw_all = nrng_int(r, -127, 127), zy_all = nrng_int(r, -128, 127);
    float base = 1.0f / (float)(k * 2000 + 1);
    for (int64_t c = 0; c < n; c++) {
        q->zw[c] = variant == 1   ? 0
                   : variant == 3 ? zw_all
                   : c % 3 == 0   ? -128
                   : c % 3 == 1   ? 127
                                  : nrng_int(r, -128, 127);
        q->bias[c] = variant != 0 ? nrng_int(r, -5000, 5000)
                     : c % 4 == 0 ? -(1 << 30)
                     : c % 4 == 1 ? (1 << 30)
                                  : nrng_int(r, -100000, 100000);
        float s = base * (float)(1 + nrng_unit(r) * 30);
        if (variant == 0 && c % 4 < 2) s = 1e-10f;
        if (variant == 2) s = c % 2 ? 50.0f : 1e-9f;
        int32_t zy = variant == 1 ? zy_all : nrng_int(r, -128, 127);
        q->rq[c] = (tern_requant_fp32){.scale = variant == 1 ? base * 20 : s,
                                       .zero_point = zy,
                                       .qmin = variant == 2 ? zy : -128,
                                       .qmax = variant == 2 && c % 3 == 0 ? 127 - c % 7 : 127};
    }
    q->p = (tern_qs8_dot_params){.x_zero_point = zx,
                                 .w_zero_point = q->zw,
                                 .bias = variant == 1 ? NULL : q->bias,
                                 .requant = q->rq};
}

void qparams_free(qparams *q) {
    free(q->zw);
    free(q->bias);
    free(q->rq);
}
