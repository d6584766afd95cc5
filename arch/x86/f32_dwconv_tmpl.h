/* The body of the FP32 depthwise micro-kernels (arch/kernels.h,
 * tern_f32_dwconv_fn), included by one file per (window, ISA): the file
 * defines KH, KW, the vector macros and DW_FN, then includes this.
 *
 * Loop order: channel blocks outer, output pixels inner, so a block's
 * KH*KW weight vectors and its bias are loaded once per row and stay in
 * registers (AVX-512 has room even for 5x5's 25); each tap is then one
 * load and one FMA. Pixels whose window lies inside the row take a loop
 * without column checks; the few border pixels check each column. The
 * last block of a channel count that is not a multiple of the vector
 * width uses masked loads and stores (never reading past the row). */

static inline __attribute__((always_inline)) void dw_block(
    const int full, DW_MASK_T m, size_t channels, size_t c0, size_t out_w,
    const float *const *rows, size_t in_w, size_t stride, size_t pad_l, const float *packed,
    float *y, DW_V lo, DW_V hi) {
    DW_V w[KH * KW];
    const DW_V b = DW_LOAD(packed);
#pragma GCC unroll 25
    for (int t = 0; t < KH * KW; t++) w[t] = DW_LOAD(packed + DW_LANES * (t + 1));
    for (size_t ox = 0; ox < out_w; ox++) {
        const ptrdiff_t ix0 = (ptrdiff_t)(ox * stride) - (ptrdiff_t)pad_l;
        DW_V acc = b;
        if (ix0 >= 0 && ix0 + KW <= (ptrdiff_t)in_w) {
#pragma GCC unroll 5
            for (int ky = 0; ky < KH; ky++) {
                if (!rows[ky]) continue;
                const float *r = rows[ky] + (size_t)ix0 * channels + c0;
#pragma GCC unroll 5
                for (int kx = 0; kx < KW; kx++) {
                    const DW_V v = full ? DW_LOAD(r + kx * channels) : DW_LOADM(r + kx * channels, m);
                    acc = DW_FMA(v, w[ky * KW + kx], acc);
                }
            }
        } else {
            for (int ky = 0; ky < KH; ky++) {
                if (!rows[ky]) continue;
                for (int kx = 0; kx < KW; kx++) {
                    const ptrdiff_t ix = ix0 + kx;
                    if (ix < 0 || ix >= (ptrdiff_t)in_w) continue;
                    const float *r = rows[ky] + (size_t)ix * channels + c0;
                    acc = DW_FMA(full ? DW_LOAD(r) : DW_LOADM(r, m), w[ky * KW + kx], acc);
                }
            }
        }
        acc = DW_MIN(DW_MAX(acc, lo), hi);
        if (full)
            DW_STORE(y + ox * channels + c0, acc);
        else
            DW_STOREM(y + ox * channels + c0, m, acc);
    }
}

static void DW_FN(size_t channels, size_t out_w, const float *const *rows, size_t in_w,
                  size_t stride, size_t pad_l, const float *packed, float *y,
                  const tern_f32_minmax *p) {
    const DW_V lo = DW_SET1(p->lo), hi = DW_SET1(p->hi);
    size_t c0 = 0;
    for (; c0 + DW_LANES <= channels; c0 += DW_LANES, packed += DW_LANES * (KH * KW + 1))
        dw_block(1, DW_MASK_ALL, channels, c0, out_w, rows, in_w, stride, pad_l, packed, y, lo,
                 hi);
    if (c0 < channels)
        dw_block(0, DW_MASK(channels - c0), channels, c0, out_w, rows, in_w, stride, pad_l,
                 packed, y, lo, hi);
}
