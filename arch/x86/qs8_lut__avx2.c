/* qs8 lookup-table activation y = table[x + 128], 32 bytes per step, AVX2
 * (docs/quantization.md section 5; exactly tern_ref_qs8_lut).
 *
 * vpshufb looks up 16-byte tables: byte i of the result is
 * t[idx_i & 15], or 0 when bit 7 of idx_i is set. With idx = x + 128 in
 * chunk j = idx / 16, the indices idx - 16k (k = 0..7, wrapping) are below
 * 128 exactly for k <= j when idx < 128, so XOR-ing the lookups of the
 * difference tables d_k = t_k ^ t_(k-1) telescopes to t_j. The same on
 * idx ^ 0x80 with the upper 8 chunks gives the entries of idx >= 128, and
 * a blend on idx's bit 7 picks the half. 16 lookups per 32 bytes. */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/qs8_x86_avx2.h"

/* The difference tables of 8 chunks of 16 bytes, each in both lanes. */
static void diff_tables(const int8_t *t, __m256i d[8]) {
    __m128i prev = _mm_setzero_si128();
    for (int k = 0; k < 8; k++) {
        __m128i cur = _mm_loadu_si128((const __m128i *)(t + 16 * k));
        d[k] = _mm256_broadcastsi128_si256(_mm_xor_si128(cur, prev));
        prev = cur;
    }
}

/* table half lookup of idx in [0, 128) (other indices give garbage) */
static inline __m256i half(__m256i idx, const __m256i d[8]) {
    const __m256i sixteen = _mm256_set1_epi8(16);
    __m256i y = _mm256_shuffle_epi8(d[0], idx);
    for (int k = 1; k < 8; k++) {
        idx = _mm256_sub_epi8(idx, sixteen);
        y = _mm256_xor_si256(y, _mm256_shuffle_epi8(d[k], idx));
    }
    return y;
}

static inline __m256i lut32(__m256i x, const __m256i lo[8], const __m256i hi[8]) {
    const __m256i flip = _mm256_set1_epi8((char)0x80);
    __m256i idx = _mm256_xor_si256(x, flip); /* x + 128 */
    return _mm256_blendv_epi8(half(idx, lo), half(x, hi), idx); /* x = idx ^ 0x80 */
}

static void ukernel(size_t n, const int8_t *x, const int8_t table[256], int8_t *y) {
    __m256i lo[8], hi[8];
    diff_tables(table, lo);
    diff_tables(table + 128, hi);
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        _mm256_storeu_si256((__m256i *)(y + i),
                            lut32(_mm256_loadu_si256((const __m256i *)(x + i)), lo, hi));
    if (i < n) {
        int8_t buf[32] = {0};
        memcpy(buf, x + i, n - i);
        _mm256_storeu_si256((__m256i *)buf, lut32(_mm256_loadu_si256((const __m256i *)buf), lo, hi));
        memcpy(y + i, buf, n - i);
    }
}

const tern_qs8_lut_ukernel tern_qs8_lut__avx2 = {"qs8_lut__avx2", ukernel};
