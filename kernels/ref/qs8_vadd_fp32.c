/* Reference int8 Add; see qs8_vadd_fp32.h. */
#include "kernels/ref/qs8_vadd_fp32.h"

#include <math.h>

#include "kernels/ref/walk.h"

void tern_qs8_vadd_init_ex(tern_qs8_vadd_params *p, float s_a, int32_t z_a, float s_b,
                           int32_t z_b, float s_y, int32_t z_y, int32_t qmin, int32_t qmax,
                           int u8) {
    p->offset = u8 ? 128 : 0;
    p->a_zero_point = z_a;
    p->b_zero_point = z_b;
    p->a_scale = s_a / s_y;
    p->b_scale = s_b / s_y;
    /* as ORT's compiled MLAS computes it: the compiler contracts
     * r_a * Z_a + r_b * Z_b into one fused multiply-add */
    float za = (float)(z_a + p->offset), zb = (float)(z_b + p->offset);
    p->fixed = (float)(z_y + p->offset) - fmaf(p->a_scale, za, p->b_scale * zb);
    p->out = (tern_requant_fp32){.scale = 1.0f, .zero_point = z_y, .qmin = qmin, .qmax = qmax};
}

void tern_qs8_vadd_init(tern_qs8_vadd_params *p, float s_a, int32_t z_a, float s_b, int32_t z_b,
                        float s_y, int32_t z_y, int32_t qmin, int32_t qmax) {
    tern_qs8_vadd_init_ex(p, s_a, z_a, s_b, z_b, s_y, z_y, qmin, qmax, 0);
}

/* mode 0: both vary (fma with B first, then A); 1: A is the same along the
 * innermost axis, its product rounded and added to fixed; 2: the same for B. */
static int8_t add_one(int8_t a, int8_t b, const tern_qs8_vadd_params *p, int mode) {
    float fa = (float)((int32_t)a + p->offset), fb = (float)((int32_t)b + p->offset), f;
    if (mode == 1) f = fmaf(fb, p->b_scale, p->fixed + fa * p->a_scale);
    else if (mode == 2) f = fmaf(fa, p->a_scale, p->fixed + fb * p->b_scale);
    else f = fmaf(fa, p->a_scale, fmaf(fb, p->b_scale, p->fixed));
    /* the original type's saturation, then tern's int8 and the fused clamp */
    int32_t v = tern_rne_f32(tern_clamp_f32(f, (float)(p->offset - 128), (float)(p->offset + 127)));
    v -= p->offset;
    v = v < p->out.qmin ? p->out.qmin : v;
    return (int8_t)(v > p->out.qmax ? p->out.qmax : v);
}

/* Is an operand with these strides one value along the innermost logical
 * axis (broadcast there), or one value altogether? That is where ORT's
 * broadcasting calls MLAS's scalar-operand kernel. */
static int scalar_along_last(int rank, const int64_t *dims, const int64_t *s) {
    int all_zero = 1;
    for (int i = 0; i < rank; i++) all_zero &= s[i] == 0 || dims[i] == 1;
    if (all_zero) return 1;
    return rank > 0 && dims[rank - 1] > 1 && s[rank - 1] == 0;
}

void tern_ref_qs8_vadd_fp32(int rank, const int64_t *dims, const int8_t *a, const int64_t *as,
                            const int8_t *b, const int64_t *bs, const tern_qs8_vadd_params *p,
                            int8_t *y, const int64_t *ys) {
    const int64_t *st[3] = {ys, as, bs};
    int mode = scalar_along_last(rank, dims, as) ? 1 : scalar_along_last(rank, dims, bs) ? 2 : 0;
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 3, st)) return;
    do {
        const int8_t *pa = a + w.off[1], *pb = b + w.off[2];
        int8_t *py = y + w.off[0];
        for (int64_t i = 0; i < w.n; i++)
            py[i * w.inc[0]] = add_one(pa[i * w.inc[1]], pb[i * w.inc[2]], p, mode);
    } while (tern_walk_next(&w));
}
