/* Weight packing for the FP32 micro-kernels (plain C, shared by every ISA):
 * done once when a session is created, so the kernels read weights in the
 * order they use them, with the bias in front and zeros past the last
 * column, and never test for a ragged edge inside their inner loop. */
#include <string.h>

#include "arch/kernels.h"

static size_t round_up(size_t n, size_t q) {
    return (n + q - 1) / q * q;
}

size_t tern_f32_gemm_packed_size(size_t k, size_t n, int nr) {
    return round_up(n, (size_t)nr) * (k + 1) * sizeof(float);
}

void tern_f32_gemm_pack(size_t k, size_t n, int nr, const float *w, ptrdiff_t wk, ptrdiff_t wn,
                        const float *bias, float *packed) {
    size_t r = (size_t)nr;
    for (size_t j0 = 0; j0 < n; j0 += r) {
        size_t nb = n - j0 < r ? n - j0 : r;
        memset(packed, 0, r * (k + 1) * sizeof(float));
        for (size_t j = 0; j < nb; j++) packed[j] = bias ? bias[j0 + j] : 0.0f;
        packed += r;
        for (size_t kk = 0; kk < k; kk++, packed += r)
            for (size_t j = 0; j < nb; j++)
                packed[j] = w[(ptrdiff_t)kk * wk + (ptrdiff_t)(j0 + j) * wn];
    }
}

size_t tern_f32_dwconv_packed_size(size_t channels, int taps, int ct) {
    return round_up(channels, (size_t)ct) * ((size_t)taps + 1) * sizeof(float);
}

void tern_f32_dwconv_pack(size_t channels, int taps, int ct, const float *w, ptrdiff_t wc,
                          ptrdiff_t wt, const float *bias, float *packed) {
    size_t r = (size_t)ct;
    for (size_t c0 = 0; c0 < channels; c0 += r) {
        size_t nb = channels - c0 < r ? channels - c0 : r;
        memset(packed, 0, r * ((size_t)taps + 1) * sizeof(float));
        for (size_t c = 0; c < nb; c++) packed[c] = bias ? bias[c0 + c] : 0.0f;
        packed += r;
        for (int t = 0; t < taps; t++, packed += r)
            for (size_t c = 0; c < nb; c++)
                packed[c] = w[(ptrdiff_t)(c0 + c) * wc + (ptrdiff_t)t * wt];
    }
}
