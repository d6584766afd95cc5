/* Bodies of the FP32 elementwise kernels (arch/kernels.h), included by one
 * file per (kind, ISA) after vec_<isa>.h; the file defines KIND_* to pick
 * the body and FN_NAME. Each does exactly the reference's float operations
 * in the same order (no FMA: the reference is compiled without
 * contraction), so results are bit-identical to kernels/ref. */
#include <stddef.h>

#if defined(KIND_VADD) || defined(KIND_VMUL)
#ifdef KIND_VADD
#define OP(a, b) VADD(a, b)
#else
#define OP(a, b) VMUL(a, b)
#endif
static void FN_NAME(size_t n, const float *a, const float *b, float *y) {
    size_t i = 0;
    for (; i + 2 * VL <= n; i += 2 * VL) {
        const V r0 = OP(VLOAD(a + i), VLOAD(b + i)), r1 = OP(VLOAD(a + i + VL), VLOAD(b + i + VL));
        VSTORE(y + i, r0);
        VSTORE(y + i + VL, r1);
    }
    for (; i + VL <= n; i += VL) VSTORE(y + i, OP(VLOAD(a + i), VLOAD(b + i)));
    if (i < n) {
        const VMASK_T m = VMASK(n - i);
        VSTOREM(y + i, m, OP(VLOADM(a + i, m), VLOADM(b + i, m)));
    }
}
#endif

#ifdef KIND_VMULC
/* y[r][c] = x[r][c] * s[c]: the SE gate over channels-last rows */
static void FN_NAME(size_t rows, size_t channels, const float *x, const float *s, float *y) {
    for (size_t r = 0; r < rows; r++, x += channels, y += channels) {
        size_t c = 0;
        for (; c + VL <= channels; c += VL) VSTORE(y + c, VMUL(VLOAD(x + c), VLOAD(s + c)));
        if (c < channels) {
            const VMASK_T m = VMASK(channels - c);
            VSTOREM(y + c, m, VMUL(VLOADM(x + c, m), VLOADM(s + c, m)));
        }
    }
}
#endif

#if defined(KIND_VHSWISH) || defined(KIND_VHSIGMOID)
/* hardsigmoid(x) = min(max(a*x + b, 0), 1) (a*x rounded, then + b, as the
 * reference); hardswish = x * hardsigmoid(x). NaN: as min/max give it. */
static inline V act(V x, V va, V vb, V zero, V one) {
    const V h = VMIN(VMAX(VADD(VMUL(va, x), vb), zero), one);
#ifdef KIND_VHSWISH
    return VMUL(x, h);
#else
    return h;
#endif
}

static void FN_NAME(size_t n, const float *x, float *y, float a, float b) {
    const V va = VSET1(a), vb = VSET1(b), zero = VZERO(), one = VSET1(1.0f);
    size_t i = 0;
    for (; i + VL <= n; i += VL) VSTORE(y + i, act(VLOAD(x + i), va, vb, zero, one));
    if (i < n) {
        const VMASK_T m = VMASK(n - i);
        VSTOREM(y + i, m, act(VLOADM(x + i, m), va, vb, zero, one));
    }
}
#endif

#ifdef KIND_GAVGPOOL
/* y[c] = (sum over rows of x[r][c], in row order from 0) / divisor: the
 * reference's sum and division, lane by lane. Four channel vectors at a
 * time so four independent add chains hide the add latency. */
static void FN_NAME(size_t rows, size_t channels, const float *x, float divisor, float *y) {
    const V d = VSET1(divisor);
    size_t c = 0;
    for (; c + 4 * VL <= channels; c += 4 * VL) {
        V s0 = VZERO(), s1 = VZERO(), s2 = VZERO(), s3 = VZERO();
        for (size_t r = 0; r < rows; r++) {
            const float *p = x + r * channels + c;
            s0 = VADD(s0, VLOAD(p));
            s1 = VADD(s1, VLOAD(p + VL));
            s2 = VADD(s2, VLOAD(p + 2 * VL));
            s3 = VADD(s3, VLOAD(p + 3 * VL));
        }
        VSTORE(y + c, VDIV(s0, d));
        VSTORE(y + c + VL, VDIV(s1, d));
        VSTORE(y + c + 2 * VL, VDIV(s2, d));
        VSTORE(y + c + 3 * VL, VDIV(s3, d));
    }
    for (; c < channels; c += VL) {
        const VMASK_T m = VMASK(channels - c < VL ? channels - c : VL);
        V s = VZERO();
        for (size_t r = 0; r < rows; r++) s = VADD(s, VLOADM(x + r * channels + c, m));
        VSTOREM(y + c, m, VDIV(s, d));
    }
}
#endif
