/* Portable C micro-kernel on the packed layout of kernels/qs8_gemm_packed.h
 * (mr <= 4, nr = 8, kr = 4): the fallback where no SIMD kernel exists, and
 * the check that packing and the driver reproduce the reference on every
 * host (the SIMD kernels are tested against the reference the same way). */
#include <string.h>

#include "kernels/qs8_gemm_packed.h"
#include "kernels/qs8_gemm_scalar.h"

void tern_qs8_qc8w_gemm_minmax_fp32_ukernel_4x8c4__scalar(size_t mr, size_t nc, size_t kc,
                                                        const int8_t *a, size_t a_stride,
                                                        const void *w, int8_t *c, size_t c_stride,
                                                        const int32_t *rowsum) {
    const unsigned char *blk = (const unsigned char *)w;
    const int8_t *wp = (const int8_t *)(blk + 24 * 8);
    for (size_t j = 0; j < nc; j++) {
        int32_t bias, zw, zy;
        float scale, lo, hi;
        memcpy(&bias, blk + 4 * j, 4);
        memcpy(&zw, blk + 4 * (8 + j), 4);
        memcpy(&scale, blk + 4 * (16 + j), 4);
        memcpy(&lo, blk + 4 * (24 + j), 4);
        memcpy(&hi, blk + 4 * (32 + j), 4);
        memcpy(&zy, blk + 4 * (40 + j), 4);
        for (size_t r = 0; r < mr; r++) {
            uint32_t acc = (uint32_t)bias;
            for (size_t k = 0; k < kc; k++)
                acc += (uint32_t)((int32_t)a[r * a_stride + k] * (int32_t)wp[(k / 4) * 32 + j * 4 + k % 4]);
            if (rowsum) acc -= (uint32_t)zw * (uint32_t)rowsum[r];
            float f = tern_clamp_f32((float)(int32_t)acc * scale, lo, hi);
            c[r * c_stride + j] = (int8_t)(tern_rne_f32(f) + zy);
        }
    }
}
