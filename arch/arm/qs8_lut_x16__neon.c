/* int8 table lookup y = table[x + 128] (docs/quantization.md section 5),
 * NEON: the 256-byte table lives in 16 registers as four 64-byte tables;
 * tbl looks up indices 0..63 (zero elsewhere) and each tbx the next 64
 * (leaving other lanes alone), so 16 bytes take one eor and 4 lookups. */
#include <arm_neon.h>

#include "arch/arm/kernels_arm.h"

static void ukernel(size_t n, const int8_t *x, const int8_t table[256], int8_t *y) {
    const uint8_t *tb = (const uint8_t *)table;
    uint8x16x4_t t0 = vld1q_u8_x4(tb), t1 = vld1q_u8_x4(tb + 64);
    uint8x16x4_t t2 = vld1q_u8_x4(tb + 128), t3 = vld1q_u8_x4(tb + 192);
    uint8x16_t flip = vdupq_n_u8(0x80), step = vdupq_n_u8(64);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        uint8x16_t idx = veorq_u8(vld1q_u8((const uint8_t *)x + i), flip); /* x + 128 */
        uint8x16_t v = vqtbl4q_u8(t0, idx);
        idx = vsubq_u8(idx, step);
        v = vqtbx4q_u8(v, t1, idx);
        idx = vsubq_u8(idx, step);
        v = vqtbx4q_u8(v, t2, idx);
        idx = vsubq_u8(idx, step);
        v = vqtbx4q_u8(v, t3, idx);
        vst1q_u8((uint8_t *)y + i, v);
    }
    for (; i < n; i++) y[i] = table[(int32_t)x[i] + 128];
}

const tern_qs8_lut_ukernel tern_qs8_lut_x16__neon = {"qs8_lut_x16__neon", ukernel};
