/* The inverse DCT of libjpeg's jidctint.c ("islow", djpeg's default), to
 * the bit: the Loeffler-Ligtenberg-Moschytz 1-D transform with 13-bit
 * constants, columns first with 2 extra bits of precision, rows second,
 * rounding shifts, and libjpeg's range limiting. The arithmetic is done in
 * 64 bits as libjpeg's JLONG is on LP64 machines, so even corrupt
 * coefficients give libjpeg's numbers and never overflow.
 *
 * Two rewrites keep every result identical while saving work: each
 * rounding constant is added once where every output of the pass picks it
 * up (to the even part's tmp0/tmp1 in the column pass; to input 0 of each
 * row, which reaches all 8 outputs through tmp0 and tmp1 unscaled, in the
 * row pass), and the range limit is a 1024-entry table as in libjpeg. The
 * shortcuts for a column or row whose AC terms are zero are libjpeg's own
 * and equal the full computation. */
#include "loader/jpeg_priv.h"

#define CONST_BITS 13
#define PASS1_BITS 2

#define FIX_0_298631336 ((int64_t)2446)
#define FIX_0_390180644 ((int64_t)3196)
#define FIX_0_541196100 ((int64_t)4433)
#define FIX_0_765366865 ((int64_t)6270)
#define FIX_0_899976223 ((int64_t)7373)
#define FIX_1_175875602 ((int64_t)9633)
#define FIX_1_501321110 ((int64_t)12299)
#define FIX_1_847759065 ((int64_t)15137)
#define FIX_1_961570560 ((int64_t)16069)
#define FIX_2_053119869 ((int64_t)16819)
#define FIX_2_562915447 ((int64_t)20995)
#define FIX_3_072711026 ((int64_t)25172)

/* libjpeg's IDCT range limit (jdmaster.c prepare_range_limit_table, offset
 * by CENTERJSAMPLE): indexed by the descaled output & 1023, i.e. its low
 * 10 bits as a signed value v, it gives v + 128 clamped to 0..255. */
#define S8(b) (b), (b) + 1, (b) + 2, (b) + 3, (b) + 4, (b) + 5, (b) + 6, (b) + 7
#define S32(b) S8(b), S8((b) + 8), S8((b) + 16), S8((b) + 24)
#define S128(b) S32(b), S32((b) + 32), S32((b) + 64), S32((b) + 96)
#define R8(v) v, v, v, v, v, v, v, v
#define R64(v) R8(v), R8(v), R8(v), R8(v), R8(v), R8(v), R8(v), R8(v)
#define R384(v) R64(v), R64(v), R64(v), R64(v), R64(v), R64(v)
static const uint8_t RANGE_LIMIT[1024] = {S128(128), R384(255), R384(0), S128(0)};

/* Left shift of a possibly negative value without undefined behaviour
 * (libjpeg-turbo's LEFT_SHIFT). */
static inline int64_t lshift(int64_t a, int n) {
    return (int64_t)((uint64_t)a << n);
}

static inline uint8_t limit(int64_t x, int shift) {
    return RANGE_LIMIT[(x >> shift) & 1023];
}

/* The odd part shared by both passes: inputs at positions 1, 3, 5, 7. */
static inline void odd_part(int64_t i1, int64_t i3, int64_t i5, int64_t i7, int64_t *t0,
                            int64_t *t1, int64_t *t2, int64_t *t3) {
    int64_t z1 = i7 + i1, z2 = i5 + i3, z3 = i7 + i3, z4 = i5 + i1;
    int64_t z5 = (z3 + z4) * FIX_1_175875602;
    z1 = z1 * -FIX_0_899976223;
    z2 = z2 * -FIX_2_562915447;
    z3 = z3 * -FIX_1_961570560 + z5;
    z4 = z4 * -FIX_0_390180644 + z5;
    *t0 = i7 * FIX_0_298631336 + z1 + z3;
    *t1 = i5 * FIX_2_053119869 + z2 + z4;
    *t2 = i3 * FIX_3_072711026 + z2 + z3;
    *t3 = i1 * FIX_1_501321110 + z1 + z4;
}

/* The even part: inputs at positions 0, 2, 4, 6; `round` is added to
 * tmp0 and tmp1, so to all four results. */
static inline void even_part(int64_t i0, int64_t i2, int64_t i4, int64_t i6, int64_t round,
                             int64_t *t10, int64_t *t11, int64_t *t12, int64_t *t13) {
    int64_t z1 = (i2 + i6) * FIX_0_541196100;
    int64_t tmp2 = z1 + i6 * -FIX_1_847759065;
    int64_t tmp3 = z1 + i2 * FIX_0_765366865;
    int64_t tmp0 = lshift(i0 + i4, CONST_BITS) + round;
    int64_t tmp1 = lshift(i0 - i4, CONST_BITS) + round;
    *t10 = tmp0 + tmp3;
    *t13 = tmp0 - tmp3;
    *t11 = tmp1 + tmp2;
    *t12 = tmp1 - tmp2;
}

static void columns(const int32_t *in, int32_t *ws) {
    const int n = CONST_BITS - PASS1_BITS;
    for (int c = 0; c < 8; c++) {
        const int32_t *col = in + c;
        if (!(col[8] | col[16] | col[24] | col[32] | col[40] | col[48] | col[56])) {
            int32_t dc = (int32_t)lshift(col[0], PASS1_BITS);
            for (int r = 0; r < 8; r++) ws[r * 8 + c] = dc;
            continue;
        }
        int64_t t10, t11, t12, t13, t0, t1, t2, t3;
        even_part(col[0], col[16], col[32], col[48], (int64_t)1 << (n - 1), &t10, &t11, &t12,
                  &t13);
        odd_part(col[8], col[24], col[40], col[56], &t0, &t1, &t2, &t3);
        ws[0 * 8 + c] = (int32_t)((t10 + t3) >> n);
        ws[7 * 8 + c] = (int32_t)((t10 - t3) >> n);
        ws[1 * 8 + c] = (int32_t)((t11 + t2) >> n);
        ws[6 * 8 + c] = (int32_t)((t11 - t2) >> n);
        ws[2 * 8 + c] = (int32_t)((t12 + t1) >> n);
        ws[5 * 8 + c] = (int32_t)((t12 - t1) >> n);
        ws[3 * 8 + c] = (int32_t)((t13 + t0) >> n);
        ws[4 * 8 + c] = (int32_t)((t13 - t0) >> n);
    }
}

static void rows(const int32_t *ws, uint8_t *out, size_t stride) {
    const int n = CONST_BITS + PASS1_BITS + 3;
    for (int r = 0; r < 8; r++, ws += 8, out += stride) {
        /* libjpeg's DESCALE(x, n) = (x + 2^(n-1)) >> n; 2^(n-1) is
         * 2^(PASS1_BITS+2) << CONST_BITS, added to input 0 */
        int64_t i0 = (int64_t)ws[0] + ((int64_t)1 << (PASS1_BITS + 2));
        if (!(ws[1] | ws[2] | ws[3] | ws[4] | ws[5] | ws[6] | ws[7])) {
            uint8_t v = limit(i0, PASS1_BITS + 3);
            for (int c = 0; c < 8; c++) out[c] = v;
            continue;
        }
        int64_t t10, t11, t12, t13, t0, t1, t2, t3;
        even_part(i0, ws[2], ws[4], ws[6], 0, &t10, &t11, &t12, &t13);
        odd_part(ws[1], ws[3], ws[5], ws[7], &t0, &t1, &t2, &t3);
        out[0] = limit(t10 + t3, n);
        out[7] = limit(t10 - t3, n);
        out[1] = limit(t11 + t2, n);
        out[6] = limit(t11 - t2, n);
        out[2] = limit(t12 + t1, n);
        out[5] = limit(t12 - t1, n);
        out[3] = limit(t13 + t0, n);
        out[4] = limit(t13 - t0, n);
    }
}

void jdec_idct_islow(const int32_t in[64], uint8_t *out, size_t stride) {
    int32_t ws[64];
    columns(in, ws);
    rows(ws, out, stride);
}

/* Only the DC term: every column is (dc << PASS1_BITS) and every row takes
 * the all-AC-zero shortcut. */
void jdec_idct_dc(int32_t dc, uint8_t *out, size_t stride) {
    int64_t ws0 = (int32_t)lshift(dc, PASS1_BITS);
    uint8_t v = limit(ws0 + ((int64_t)1 << (PASS1_BITS + 2)), PASS1_BITS + 3);
    for (int r = 0; r < 8; r++, out += stride)
        for (int c = 0; c < 8; c++) out[c] = v;
}
