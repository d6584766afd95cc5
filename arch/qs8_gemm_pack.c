/* Weight packing and the M-tiling driver of the qs8 GEMM micro-kernels; the
 * layout is described in qs8_gemm.h. Plain C: runs once per layer at session
 * creation (packing) or per MR rows (driver). */
#include "arch/qs8_gemm.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

/* Bytes of one block of NR channels. */
static size_t block_bytes(const tern_qs8_gemm_ukernel *kern, int64_t k) {
    int64_t kc = round_up(k > 0 ? k : 1, kern->kr);
    return (size_t)kern->nr * (4 + 5 * 4) + (size_t)(kc * kern->nr * kern->wbytes);
}

size_t tern_qs8_gemm_packed_size(const tern_qs8_gemm_ukernel *kern, int64_t n, int64_t k) {
    return (size_t)((n + kern->nr - 1) / kern->nr) * block_bytes(kern, k);
}

/* bias' of channel c (see qs8_gemm.h), computed in int64 and wrapped to
 * int32: the kernels' sums wrap too, and the final accumulator fits. */
static int32_t folded_bias(const tern_qs8_gemm_ukernel *kern, int64_t k, const int8_t *wc,
                           int64_t winc, const tern_qs8_dot_params *p, int64_t c) {
    int64_t sum = 0, zx = p->x_zero_point, zw = p->w_zero_point[c];
    for (int64_t i = 0; i < k; i++) sum += wc[i * winc];
    int64_t b = (p->bias ? p->bias[c] : 0) - (zx + kern->xb) * sum + k * zx * zw;
    return (int32_t)(uint32_t)((uint64_t)b & 0xffffffffu);
}

/* The weights of one block: [KC / KR][NR][KR], zero past k and past n. */
static void pack_weights(const tern_qs8_gemm_ukernel *kern, int64_t n0, int64_t n, int64_t k,
                         const int8_t *w, const int64_t ws[2], unsigned char *dst) {
    int64_t nr = kern->nr, kr = kern->kr, kc = round_up(k > 0 ? k : 1, kr);
    for (int64_t kb = 0; kb < kc; kb += kr)
        for (int64_t j = 0; j < nr; j++)
            for (int64_t i = 0; i < kr; i++) {
                int64_t c = n0 + j, kk = kb + i;
                int8_t v = c < n && kk < k ? w[c * ws[0] + kk * ws[1]] : 0;
                if (kern->wbytes == 2) {
                    int16_t v16 = v;
                    memcpy(dst, &v16, 2);
                } else {
                    memcpy(dst, &v, 1);
                }
                dst += kern->wbytes;
            }
}

/* The trailer of one block: scale, lo, hi, zy, zw per channel. */
static void pack_trailer(const tern_qs8_gemm_ukernel *kern, int64_t n0, int64_t n,
                         const tern_qs8_dot_params *p, unsigned char *dst) {
    int64_t nr = kern->nr;
    for (int64_t j = 0; j < nr; j++) {
        int64_t c = n0 + j;
        const tern_requant_fp32 *rq = c < n ? &p->requant[c] : NULL;
        float scale = rq ? rq->scale : 0.0f;
        float lo = rq ? (float)(rq->qmin - rq->zero_point) : 0.0f;
        float hi = rq ? (float)(rq->qmax - rq->zero_point) : 0.0f;
        int32_t zy = rq ? rq->zero_point : 0, zw = c < n ? p->w_zero_point[c] : 0;
        memcpy(dst + 4 * (0 * nr + j), &scale, 4);
        memcpy(dst + 4 * (1 * nr + j), &lo, 4);
        memcpy(dst + 4 * (2 * nr + j), &hi, 4);
        memcpy(dst + 4 * (3 * nr + j), &zy, 4);
        memcpy(dst + 4 * (4 * nr + j), &zw, 4);
    }
}

int tern_qs8_gemm_pack(const tern_qs8_gemm_ukernel *kern, int64_t n, int64_t k, const int8_t *w,
                       const int64_t ws[2], const tern_qs8_dot_params *p, void *out) {
    unsigned char *dst = out;
    int64_t nr = kern->nr, kc = round_up(k > 0 ? k : 1, kern->kr);
    int has_zw = 0;
    for (int64_t n0 = 0; n0 < n; n0 += nr) {
        for (int64_t j = 0; j < nr; j++) {
            int64_t c = n0 + j;
            int32_t b = c < n ? folded_bias(kern, k, w + c * ws[0], ws[1], p, c) : 0;
            memcpy(dst + 4 * j, &b, 4);
            if (c < n && p->w_zero_point[c] != 0) has_zw = 1;
        }
        dst += 4 * nr;
        pack_weights(kern, n0, n, k, w, ws, dst);
        dst += kc * nr * kern->wbytes;
        pack_trailer(kern, n0, n, p, dst);
        dst += 5 * 4 * nr;
    }
    return has_zw;
}

/* sum_k x[k]. On x86-64 (SSE2 is baseline) psadbw adds 16 bytes at once:
 * the bytes are flipped to uint8 (x ^ 0x80 = x + 128) and 128 * k taken
 * off at the end; the sums are exact either way. */
static int32_t row_sum(const int8_t *x, int64_t k) {
    int64_t i = 0;
    int32_t s = 0;
#if defined(__SSE2__)
    const __m128i flip = _mm_set1_epi8((char)0x80), zero = _mm_setzero_si128();
    __m128i acc = zero;
    for (; i + 16 <= k; i += 16)
        acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_xor_si128(_mm_loadu_si128((const __m128i *)(x + i)),
                                                            flip),
                                              zero));
    s = (int32_t)(_mm_cvtsi128_si32(acc) + _mm_cvtsi128_si32(_mm_unpackhi_epi64(acc, acc))) -
        (int32_t)(128 * i);
#endif
    for (; i < k; i++) s += x[i];
    return s;
}

void tern_qs8_gemm_rows(const tern_qs8_gemm_ukernel *kern, int64_t m0, int64_t m1, int64_t n,
                        int64_t k, const int8_t *x, size_t x_stride, const void *packed,
                        int has_zw, int8_t *y, size_t y_stride) {
    int32_t rowsum[TERN_QS8_GEMM_MAX_MR];
    for (int64_t m = m0; m < m1; m += kern->mr) {
        int64_t mr = m1 - m < kern->mr ? m1 - m : kern->mr;
        const int8_t *a = x + (size_t)m * x_stride;
        for (int64_t r = 0; has_zw && r < mr; r++) rowsum[r] = row_sum(a + (size_t)r * x_stride, k);
        kern->fn((size_t)mr, (size_t)n, (size_t)k, a, x_stride, packed, y + (size_t)m * y_stride,
                 y_stride, has_zw ? rowsum : NULL);
    }
}
