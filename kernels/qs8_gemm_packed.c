/* Packed int8 GEMM: packing and the tiling driver; see qs8_gemm_packed.h. */
#include "kernels/qs8_gemm_packed.h"

#include <string.h>

size_t tern_qs8_gemm_block_size(int64_t k, int nr, int kr) {
    size_t kb = (size_t)((k + kr - 1) / kr);
    return 24 * (size_t)nr + kb * (size_t)nr * (size_t)kr;
}

size_t tern_qs8_gemm_packed_size(int64_t n, int64_t k, int nr, int kr) {
    return (size_t)((n + nr - 1) / nr) * tern_qs8_gemm_block_size(k, nr, kr);
}

/* The per-channel header of a block; memcpy keeps it free of alignment and
 * aliasing assumptions about out. */
static int8_t wat(const tern_qs8_wview *v, int64_t c, int64_t k) {
    int64_t t = k / v->cin, ci = k % v->cin;
    return v->w[c * v->ns + ci * v->cs + (t / v->kw) * v->ys + (t % v->kw) * v->xs];
}

static void pack_header(unsigned char *blk, int nr, int64_t c0, int64_t n, int64_t k,
                        const tern_qs8_wview *v, const tern_qs8_dot_params *p) {
    for (int j = 0; j < nr; j++) {
        int64_t c = c0 + j;
        int32_t bias = 0, zw = 0, zy = 0;
        float scale = 1.0f, lo = 0.0f, hi = 0.0f;
        if (c < n) {
            /* wrapping arithmetic (uint32) for the folded terms: only the final
             * accumulator is exact in int32 (docs/quantization.md, section 2) */
            uint32_t sum_w = 0;
            for (int64_t i = 0; i < k; i++) sum_w += (uint32_t)(int32_t)wat(v, c, i);
            uint32_t zx = (uint32_t)p->x_zero_point;
            zw = p->w_zero_point[c];
            uint32_t b = (uint32_t)(p->bias ? p->bias[c] : 0) + (uint32_t)k * zx * (uint32_t)zw -
                         zx * sum_w;
            bias = (int32_t)b;
            const tern_requant_fp32 *rq = &p->requant[c];
            scale = rq->scale;
            lo = (float)(rq->qmin - rq->zero_point);
            hi = (float)(rq->qmax - rq->zero_point);
            zy = rq->zero_point;
        }
        memcpy(blk + 4 * (0 * nr + j), &bias, 4);
        memcpy(blk + 4 * (1 * nr + j), &zw, 4);
        memcpy(blk + 4 * (2 * nr + j), &scale, 4);
        memcpy(blk + 4 * (3 * nr + j), &lo, 4);
        memcpy(blk + 4 * (4 * nr + j), &hi, 4);
        memcpy(blk + 4 * (5 * nr + j), &zy, 4);
    }
}

void tern_qs8_gemm_pack(int64_t n, int64_t k, int nr, int kr, const int8_t *w, const int64_t ws[2],
                        const tern_qs8_dot_params *p, void *out) {
    tern_qs8_wview v = {.w = w, .ns = ws[0], .cin = k > 0 ? k : 1, .cs = ws[1], .kw = 1};
    tern_qs8_gemm_pack_view(n, k, nr, kr, &v, p, out);
}

void tern_qs8_gemm_pack_view(int64_t n, int64_t k, int nr, int kr, const tern_qs8_wview *v,
                             const tern_qs8_dot_params *p, void *out) {
    size_t bsize = tern_qs8_gemm_block_size(k, nr, kr);
    int64_t kb = (k + kr - 1) / kr;
    for (int64_t c0 = 0; c0 < n; c0 += nr) {
        unsigned char *blk = (unsigned char *)out + (size_t)(c0 / nr) * bsize;
        pack_header(blk, nr, c0, n, k, v, p);
        int8_t *dst = (int8_t *)(blk + 24 * (size_t)nr);
        for (int64_t b = 0; b < kb; b++)
            for (int j = 0; j < nr; j++)
                for (int i = 0; i < kr; i++) {
                    int64_t c = c0 + j, kk = b * kr + i;
                    *dst++ = c < n && kk < k ? wat(v, c, kk) : 0;
                }
    }
}

int tern_qs8_gemm_needs_rowsum(int64_t n, const tern_qs8_dot_params *p) {
    for (int64_t c = 0; c < n; c++)
        if (p->w_zero_point[c] != 0) return 1;
    return 0;
}

static int32_t row_sum(const int8_t *x, int64_t k) {
    uint32_t s = 0;
    for (int64_t i = 0; i < k; i++) s += (uint32_t)(int32_t)x[i];
    return (int32_t)s;
}

void tern_qs8_gemm_packed_run(const tern_qs8_gemm_ukernel *uk, int64_t m, int64_t n, int64_t k,
                              const int8_t *x, size_t x_stride, const void *packed,
                              int needs_rowsum, int8_t *y, size_t y_stride) {
    size_t bsize = tern_qs8_gemm_block_size(k, uk->nr, uk->kr);
    int32_t rs[TERN_QS8_GEMM_MAX_MR];
    for (int64_t r0 = 0; r0 < m; r0 += uk->mr) {
        int64_t mr = m - r0 < uk->mr ? m - r0 : uk->mr;
        const int8_t *a = x + (size_t)r0 * x_stride;
        if (needs_rowsum)
            for (int64_t r = 0; r < mr; r++) rs[r] = row_sum(a + (size_t)r * x_stride, k);
        for (int64_t c0 = 0; c0 < n; c0 += uk->nr) {
            int64_t nc = n - c0 < uk->nr ? n - c0 : uk->nr;
            const unsigned char *blk = (const unsigned char *)packed + (size_t)(c0 / uk->nr) * bsize;
            uk->fn((size_t)mr, (size_t)nc, (size_t)k, a, x_stride, blk, y + (size_t)r0 * y_stride + c0,
                   y_stride, needs_rowsum ? rs : NULL);
        }
    }
}
