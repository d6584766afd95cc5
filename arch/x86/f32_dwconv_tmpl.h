/* The body of the FP32 depthwise micro-kernels (arch/kernels.h,
 * tern_f32_dwconv_fn), included by one file per (window, ISA): the file
 * defines KH, KW, the vector macros and DW_FN, then includes this.
 *
 * Loop order: channel blocks outer, output pixels inner, so a block's
 * KH*KW weight vectors and its bias are loaded once per row and stay in
 * registers (AVX-512 has room even for 5x5's 25); each tap is then one
 * load and one FMA. Pixels whose window lies inside the row take a loop
 * without column checks, four pixels at a time; the few border pixels
 * check each column. The
 * last block of a channel count that is not a multiple of the vector
 * width uses masked loads and stores (never reading past the row). */

/* One output pixel with every column checked (the borders). */
static inline __attribute__((always_inline)) DW_V dw_pixel_checked(
    const int full, DW_MASK_T m, size_t channels, size_t c0, ptrdiff_t ix0,
    const float *const *rows, size_t in_w, const DW_V *w, DW_V acc) {
    for (int ky = 0; ky < KH; ky++) {
        if (!rows[ky]) continue;
        for (int kx = 0; kx < KW; kx++) {
            const ptrdiff_t ix = ix0 + kx;
            if (ix < 0 || ix >= (ptrdiff_t)in_w) continue;
            const float *r = rows[ky] + (size_t)ix * channels + c0;
            acc = DW_FMA(full ? DW_LOAD(r) : DW_LOADM(r, m), w[ky * KW + kx], acc);
        }
    }
    return acc;
}

#define DW_OUT(ox, acc)                                                       \
    do {                                                                      \
        const DW_V v_ = DW_MIN(DW_MAX(acc, lo), hi);                          \
        if (full)                                                             \
            DW_STORE(y + (ox) * channels + c0, v_);                           \
        else                                                                  \
            DW_STOREM(y + (ox) * channels + c0, m, v_);                       \
    } while (0)

static inline __attribute__((always_inline)) void dw_block(
    const int full, DW_MASK_T m, size_t channels, size_t c0, size_t out_w,
    const float *const *rows, size_t in_w, size_t stride, size_t pad_l, const float *packed,
    float *y, DW_V lo, DW_V hi) {
    DW_V w[KH * KW];
    const DW_V b = DW_LOAD(packed);
#pragma GCC unroll 25
    for (int t = 0; t < KH * KW; t++) w[t] = DW_LOAD(packed + DW_LANES * (t + 1));
    /* interior pixels [lo_x, hi_x): every column of the window inside */
    size_t lo_x = (pad_l + stride - 1) / stride;
    size_t hi_x = in_w + pad_l >= (size_t)KW ? (in_w + pad_l - (size_t)KW) / stride + 1 : 0;
    if (hi_x > out_w) hi_x = out_w;
    if (lo_x > hi_x) lo_x = hi_x;
    size_t ox = 0;
    for (; ox < lo_x; ox++)
        DW_OUT(ox, dw_pixel_checked(full, m, channels, c0,
                                    (ptrdiff_t)(ox * stride) - (ptrdiff_t)pad_l, rows, in_w, w, b));
    /* four pixels at a time: four independent FMA chains hide the FMA
     * latency that one pixel's 9 or 25 dependent taps would expose */
    const size_t step = stride * channels;
    for (; ox + 4 <= hi_x; ox += 4) {
        DW_V a0 = b, a1 = b, a2 = b, a3 = b;
#pragma GCC unroll 5
        for (int ky = 0; ky < KH; ky++) {
            if (!rows[ky]) continue;
            const float *r = rows[ky] + (ox * stride - pad_l) * channels + c0;
#pragma GCC unroll 5
            for (int kx = 0; kx < KW; kx++) {
                const DW_V wk = w[ky * KW + kx];
                const float *q = r + kx * channels;
                a0 = DW_FMA(full ? DW_LOAD(q) : DW_LOADM(q, m), wk, a0);
                a1 = DW_FMA(full ? DW_LOAD(q + step) : DW_LOADM(q + step, m), wk, a1);
                a2 = DW_FMA(full ? DW_LOAD(q + 2 * step) : DW_LOADM(q + 2 * step, m), wk, a2);
                a3 = DW_FMA(full ? DW_LOAD(q + 3 * step) : DW_LOADM(q + 3 * step, m), wk, a3);
            }
        }
        DW_OUT(ox, a0);
        DW_OUT(ox + 1, a1);
        DW_OUT(ox + 2, a2);
        DW_OUT(ox + 3, a3);
    }
    for (; ox < hi_x; ox++) {
        DW_V acc = b;
#pragma GCC unroll 5
        for (int ky = 0; ky < KH; ky++) {
            if (!rows[ky]) continue;
            const float *r = rows[ky] + (ox * stride - pad_l) * channels + c0;
#pragma GCC unroll 5
            for (int kx = 0; kx < KW; kx++)
                acc = DW_FMA(full ? DW_LOAD(r + kx * channels) : DW_LOADM(r + kx * channels, m),
                             w[ky * KW + kx], acc);
        }
        DW_OUT(ox, acc);
    }
    for (; ox < out_w; ox++)
        DW_OUT(ox, dw_pixel_checked(full, m, channels, c0,
                                    (ptrdiff_t)(ox * stride) - (ptrdiff_t)pad_l, rows, in_w, w, b));
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
