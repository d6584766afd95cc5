/* QLinearAdd / QLinearMul on the qs8 vadd / vmul kernels (arch/qs8_vbinary.h).
 * The kernels take rows of channels with a row stride per operand, so two
 * patterns go to them: both operands laid out as the (dense) output, and
 * one of them broadcast over every axis but the innermost (a [1, C, 1, 1]
 * gate on channels-last [1, C, H, W]). Anything else runs the reference.
 * The kernels are exact against the reference (suite_kernels_simd). Mul
 * commutes exactly, so either of its operands may be the broadcast one;
 * Add's reference takes another form when an operand is broadcast (ORT's
 * scalar-operand kernel), so only the elementwise Add comes here. */
#include "graph/ops/qbinary_fast.h"

#include "arch/kernels.h"

/* Whether y is dense (its elements fill [0, numel) exactly); sets *inner
 * to the axis of stride 1 (-1 if all dims are 1). */
static int dense(int rank, const int64_t *dims, const int64_t *ys, int *inner) {
    int64_t expect = 1;
    int used[TERN_MAX_RANK] = {0};
    *inner = -1;
    for (int done = 0; done < rank; done++) {
        int best = -1;
        for (int i = 0; i < rank; i++)
            if (!used[i] && dims[i] > 1 && (best < 0 || ys[i] < ys[best])) best = i;
        if (best < 0) break;
        if (ys[best] != expect) return 0;
        if (expect == 1) *inner = best;
        used[best] = 1;
        expect *= dims[best];
    }
    return 1;
}

/* Whether x has y's strides on every axis of size > 1. */
static int same(int rank, const int64_t *dims, const int64_t *xs, const int64_t *ys) {
    for (int i = 0; i < rank; i++)
        if (dims[i] > 1 && xs[i] != ys[i]) return 0;
    return 1;
}

/* Whether x is one row of channels (axis inner) repeated over the others. */
static int row_bcast(int rank, const int64_t *dims, const int64_t *xs, int inner) {
    for (int i = 0; i < rank; i++)
        if (dims[i] > 1 && xs[i] != (i == inner ? 1 : 0)) return 0;
    return 1;
}

int tern_q_same_dense(int rank, const int64_t *dims, const int64_t *xs, const int64_t *ys) {
    int inner;
    return dense(rank, dims, ys, &inner) && same(rank, dims, xs, ys);
}

static void run(const tern_kernels *k, size_t rows, size_t ch, const int8_t *a, size_t ast,
                const int8_t *b, size_t bst, int8_t *y, const tern_qs8_vadd_params *add,
                const tern_qs8_vmul_params *mul) {
    if (add)
        k->qs8_vadd->fn(rows, ch, a, ast, b, bst, y, add);
    else
        k->qs8_vmul->fn(rows, ch, a, ast, b, bst, y, mul);
}

int tern_qbinary_fast(const tern_graph *g, int rank, const int64_t *dims, const int8_t *a,
                      const int64_t *as, const int8_t *b, const int64_t *bs, int8_t *y,
                      const int64_t *ys, const tern_qs8_vadd_params *add,
                      const tern_qs8_vmul_params *mul) {
    const tern_kernels *k = &g->kern;
    int inner;
    if ((add ? !k->qs8_vadd : !k->qs8_vmul) || !dense(rank, dims, ys, &inner)) return 0;
    int64_t numel = 1;
    for (int i = 0; i < rank; i++) numel *= dims[i];
    if (numel == 0) return 1;
    if (same(rank, dims, as, ys) && same(rank, dims, bs, ys)) {
        run(k, 1, (size_t)numel, a, 0, b, 0, y, add, mul);
        return 1;
    }
    if (inner < 0) return 0;
    size_t ch = (size_t)dims[inner], rows = (size_t)numel / ch;
    /* Add's reference rounds a broadcast operand's product on its own
     * (ORT's scalar-operand form): only the elementwise Add runs here */
    if (add) return 0;
    if (same(rank, dims, as, ys) && row_bcast(rank, dims, bs, inner)) {
        run(k, rows, ch, a, ch, b, 0, y, add, mul);
        return 1;
    }
    if (same(rank, dims, bs, ys) && row_bcast(rank, dims, as, inner)) {
        /* Mul commutes exactly: the broadcast operand goes second */
        tern_qs8_vmul_params sm = *mul;
        sm.a_zero_point = mul->b_zero_point, sm.b_zero_point = mul->a_zero_point;
        run(k, rows, ch, b, ch, a, 0, y, NULL, &sm);
        return 1;
    }
    return 0;
}
