/* Reference int8 Mul; see qs8_vmul_fp32.h. */
#include "kernels/ref/qs8_vmul_fp32.h"

#include "kernels/ref/walk.h"

void tern_qs8_vmul_init(tern_qs8_vmul_params *p, float s_a, int32_t z_a, float s_b, int32_t z_b,
                        float s_y, int32_t z_y, int32_t qmin, int32_t qmax) {
    tern_qs8_vmul_init_ex(p, s_a, z_a, s_b, z_b, s_y, z_y, qmin, qmax, 0);
}

void tern_qs8_vmul_init_ex(tern_qs8_vmul_params *p, float s_a, int32_t z_a, float s_b,
                           int32_t z_b, float s_y, int32_t z_y, int32_t qmin, int32_t qmax,
                           int u8) {
    p->offset = u8 ? 128 : 0;
    p->a_zero_point = z_a;
    p->b_zero_point = z_b;
    p->out = (tern_requant_fp32){.scale = tern_requant_fp32_scale(s_a, s_b, s_y),
                                 .zero_point = z_y,
                                 .qmin = qmin,
                                 .qmax = qmax};
}

/* The zero point is added in float before rounding, as MLAS does; the
 * saturation is the original type's, then tern's int8 and the fused clamp. */
static int8_t mul_finish(int32_t acc, const tern_qs8_vmul_params *p) {
    float f = (float)acc * p->out.scale + (float)(p->out.zero_point + p->offset);
    int32_t v = tern_rne_f32(tern_clamp_f32(f, (float)(p->offset - 128), (float)(p->offset + 127)));
    v -= p->offset;
    v = v < p->out.qmin ? p->out.qmin : v;
    return (int8_t)(v > p->out.qmax ? p->out.qmax : v);
}

void tern_ref_qs8_vmul_fp32(int rank, const int64_t *dims, const int8_t *a, const int64_t *as,
                            const int8_t *b, const int64_t *bs, const tern_qs8_vmul_params *p,
                            int8_t *y, const int64_t *ys) {
    const int64_t *st[3] = {ys, as, bs};
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 3, st)) return;
    do {
        const int8_t *pa = a + w.off[1], *pb = b + w.off[2];
        int8_t *py = y + w.off[0];
        for (int64_t i = 0; i < w.n; i++) {
            int32_t acc = ((int32_t)pa[i * w.inc[1]] - p->a_zero_point) *
                          ((int32_t)pb[i * w.inc[2]] - p->b_zero_point);
            py[i * w.inc[0]] = mul_finish(acc, p);
        }
    } while (tern_walk_next(&w));
}
