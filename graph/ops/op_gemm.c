/* Gemm (Y = alpha * A' B' + beta * C, with optional transposes and a C
 * broadcast to [M, N]) and MatMul (numpy matmul: 1-D operands and batch
 * broadcasting). Both apply the fused activation n->act. The math is
 * kernels/ref/gemm_f32.c; plain layout only (these tensors are 2-D or
 * batched matrices, never channels-last). */
#include "graph/ops/op_nn_util.h"
#include "graph/ops/op_tensor_util.h"
#include "kernels/ref/gemm_f32.h"
#include "kernels/ref/strided.h"

typedef struct gemm_params {
    float alpha, beta;
    int trans_a, trans_b;
    int64_t m, n, k;
} gemm_params;

static tern_status read_flag(const tern_node *n, const char *name, int *v, tern_err *err) {
    int64_t x = tern_attr_int(n, name, 0);
    if (x != 0 && x != 1)
        return tern_errf(err, TERN_ERR_SHAPE, "%s must be 0 or 1, is %lld", name, (long long)x);
    *v = (int)x;
    return TERN_OK;
}

/* C must broadcast to [M, N] one way (C's dims 1 or equal). */
static tern_status check_gemm_c(const tern_tensor *c, int64_t m, int64_t nn, tern_err *err) {
    int64_t want[2] = {m, nn};
    if (c->rank > 2)
        return tern_errf(err, TERN_ERR_SHAPE, "C must have rank <= 2, has %d", c->rank);
    for (int i = 0; i < c->rank; i++) {
        int64_t d = c->dims[i], w = want[2 - c->rank + i];
        if (d != 1 && d != w)
            return tern_errf(err, TERN_ERR_SHAPE, "C dim %d is %lld; it must be 1 or %lld to "
                             "broadcast to [%lld, %lld]",
                             i, (long long)d, (long long)w, (long long)m, (long long)nn);
    }
    return TERN_OK;
}

static tern_status gemm_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 3, 1, 1, err);
    if (st || (st = tern_require_f32(g, n, 0, "A", err)) ||
        (st = tern_require_f32(g, n, 1, "B", err)) || (st = tern_require_f32(g, n, 2, "C", err)))
        return st;
    gemm_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    if ((st = read_flag(n, "transA", &p->trans_a, err)) ||
        (st = read_flag(n, "transB", &p->trans_b, err)))
        return st;
    p->alpha = tern_attr_float(n, "alpha", 1.0f);
    p->beta = tern_attr_float(n, "beta", 1.0f);
    const tern_tensor *a = tern_in(g, n, 0), *b = tern_in(g, n, 1), *c = tern_in(g, n, 2);
    if (a->rank != 2 || b->rank != 2)
        return tern_errf(err, TERN_ERR_SHAPE, "A and B must be 2-D, have rank %d and %d", a->rank,
                         b->rank);
    p->m = a->dims[p->trans_a ? 1 : 0];
    p->k = a->dims[p->trans_a ? 0 : 1];
    p->n = b->dims[p->trans_b ? 0 : 1];
    int64_t kb = b->dims[p->trans_b ? 1 : 0];
    if (p->m < 0 || p->k < 0 || p->n < 0 || kb < 0 || kb != p->k)
        return tern_errf(err, TERN_ERR_SHAPE, "A' is [%lld, %lld] and B' is [%lld, %lld]: inner "
                         "dims differ",
                         (long long)p->m, (long long)p->k, (long long)kb, (long long)p->n);
    if (c && (st = check_gemm_c(c, p->m, p->n, err))) return st;
    int64_t dims[2] = {p->m, p->n};
    tern_set_out(g, n, 0, TERN_FLOAT, 2, dims);
    n->params = p;
    return TERN_OK;
}

/* Row/column strides of C broadcast to [M, N] (0 on a broadcast axis). */
static tern_mat gemm_c_mat(const tern_tensor *c, const float *data) {
    tern_mat m = {data, 0, 0};
    if (c->rank == 1) {
        m.cs = c->dims[0] == 1 ? 0 : 1;
    } else if (c->rank == 2) {
        m.rs = c->dims[0] == 1 ? 0 : c->dims[1];
        m.cs = c->dims[1] == 1 ? 0 : 1;
    }
    return m;
}

/* Gemm on the SIMD GEMM (graph/ops/gemm_fast.c) when B is constant, A is
 * not transposed, alpha is 1 and C, if any, is a constant row vector with
 * beta 1 (a layer's bias): B and C are packed once here. */
tern_status tern_gemm_prepare(tern_graph *g, tern_node *n, tern_err *err) {
    const gemm_params *p = n->params;
    const tern_tensor *a = tern_in(g, n, 0), *b = tern_in(g, n, 1), *c = tern_in(g, n, 2);
    if (!g->kern.f32_gemm || p->trans_a || p->alpha != 1.0f || !b->data || a->dtype != TERN_FLOAT ||
        b->dtype != TERN_FLOAT || p->m < 1)
        return TERN_OK;
    if (c && (!c->data || c->dtype != TERN_FLOAT || p->beta != 1.0f ||
              tern_tensor_numel(c) != p->n || (c->rank == 2 && c->dims[0] != 1)))
        return TERN_OK;
    tern_gemm_plan *plan = tern_pool_alloc(&g->pool, sizeof *plan);
    if (!plan) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    ptrdiff_t wk = p->trans_b ? 1 : (ptrdiff_t)p->n, wn = p->trans_b ? (ptrdiff_t)p->k : 1;
    tern_status st = tern_gemm_plan_make(g, &n->act, p->k, p->n, b->data, wk, wn,
                                         c ? c->data : NULL, plan, err);
    if (st == TERN_OK) n->prepared = plan;
    return st;
}

static tern_status gemm_run(const tern_graph *g, const tern_node *n, const void *const *in,
                            void *const *out, tern_err *err) {
    (void)err;
    const gemm_params *p = n->params;
    if (n->prepared) {
        tern_gemm_plan_run(g, n->prepared, p->m, in[0], (size_t)p->k, out[0], (size_t)p->n);
        return TERN_OK;
    }
    /* A' = A or A^T, B' likewise: a transpose just swaps the strides */
    tern_mat a = {in[0], p->trans_a ? 1 : p->k, p->trans_a ? p->m : 1};
    tern_mat b = {in[1], p->trans_b ? 1 : p->n, p->trans_b ? p->k : 1};
    const tern_tensor *ct = tern_in(g, n, 2);
    tern_mat c = ct ? gemm_c_mat(ct, in[2]) : a;
    tern_gemm_f32(p->m, p->n, p->k, p->alpha, a, b, p->beta, ct ? &c : NULL, out[0], p->n, 1,
                  &n->act);
    return TERN_OK;
}

static tern_status too_large(tern_err *err) {
    return tern_errf(err, TERN_ERR_SHAPE, "the operands or the result are too large (over 2^63 "
                     "elements)");
}

/* MatMul: operands promoted to rank >= 2 ([K] -> [1, K] for A, [K, 1] for
 * B), batch dims broadcast. */
typedef struct matmul_params {
    int batch_rank;
    int64_t batch[TERN_MAX_RANK];
    int64_t as[TERN_MAX_RANK], bs[TERN_MAX_RANK], ys[TERN_MAX_RANK]; /* batch strides */
    int64_t m, n, k;
} matmul_params;

/* Element strides of the batch axes of a [..., R, C] operand right-aligned
 * into a batch of rank br (0 where it broadcasts). Checked: a zero dim lets
 * the other dims of an operand multiply past int64. */
static tern_status batch_strides(int rank, const int64_t *dims, int br, int64_t *st,
                                 tern_err *err) {
    int64_t s;
    if (!tern_mul_dims(dims[rank - 1], dims[rank - 2], &s)) return too_large(err);
    for (int i = br - 1, j = rank - 3; i >= 0; i--, j--) {
        if (j >= 0 && dims[j] != 1) {
            st[i] = s;
            if (!tern_mul_dims(s, dims[j], &s)) return too_large(err);
        } else {
            st[i] = 0;
        }
    }
    return TERN_OK;
}

static tern_status matmul_shapes(const tern_tensor *a, const tern_tensor *b, matmul_params *p,
                                 int64_t *ad, int *ar, int64_t *bd, int *br, tern_err *err) {
    if (a->rank < 1 || b->rank < 1)
        return tern_errf(err, TERN_ERR_SHAPE, "MatMul operands must have rank >= 1");
    *ar = a->rank < 2 ? 2 : a->rank;
    *br = b->rank < 2 ? 2 : b->rank;
    for (int i = 0; i < a->rank; i++) ad[*ar - a->rank + i] = a->dims[i];
    if (a->rank == 1) ad[0] = 1;
    for (int i = 0; i < b->rank; i++) bd[i] = b->dims[i];
    if (b->rank == 1) bd[1] = 1;
    for (int i = 0; i < *ar; i++)
        if (ad[i] < 0) return tern_errf(err, TERN_ERR_SHAPE, "A has an unknown dim");
    for (int i = 0; i < *br; i++)
        if (bd[i] < 0) return tern_errf(err, TERN_ERR_SHAPE, "B has an unknown dim");
    p->m = ad[*ar - 2];
    p->k = ad[*ar - 1];
    p->n = bd[*br - 1];
    if (bd[*br - 2] != p->k)
        return tern_errf(err, TERN_ERR_SHAPE, "inner dims differ: A has %lld columns, B %lld rows",
                         (long long)p->k, (long long)bd[*br - 2]);
    return tern_broadcast_shape(*ar - 2, ad, *br - 2, bd, &p->batch_rank, p->batch, err);
}

static tern_status matmul_infer(tern_graph *g, tern_node *n, tern_err *err) {
    tern_status st = tern_check_arity(g, n, 2, 2, 1, 1, err);
    if (st || (st = tern_require_f32(g, n, 0, "A", err)) ||
        (st = tern_require_f32(g, n, 1, "B", err)))
        return st;
    const tern_tensor *a = tern_in(g, n, 0), *b = tern_in(g, n, 1);
    matmul_params *p = tern_pool_alloc(&g->pool, sizeof *p);
    if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    int64_t ad[TERN_MAX_RANK], bd[TERN_MAX_RANK];
    int ar = 2, br = 2;
    if ((st = matmul_shapes(a, b, p, ad, &ar, bd, &br, err))) return st;
    if (p->batch_rank + 2 > TERN_MAX_RANK)
        return tern_errf(err, TERN_ERR_SHAPE, "result rank exceeds %d", TERN_MAX_RANK);
    if ((st = batch_strides(ar, ad, p->batch_rank, p->as, err)) ||
        (st = batch_strides(br, bd, p->batch_rank, p->bs, err)))
        return st;
    /* the output's element count, checked: operands that fit can multiply
     * to more than 2^63 elements ([2^40, 1] x [1, 2^40]) */
    int64_t dims[TERN_MAX_RANK], s;
    if (!tern_mul_dims(p->m, p->n, &s)) return too_large(err);
    int r = 0;
    for (int i = p->batch_rank - 1; i >= 0; i--) {
        p->ys[i] = s;
        if (!tern_mul_dims(s, p->batch[i], &s)) return too_large(err);
    }
    for (int i = 0; i < p->batch_rank; i++) dims[r++] = p->batch[i];
    if (a->rank > 1) dims[r++] = p->m;
    if (b->rank > 1) dims[r++] = p->n;
    tern_set_out(g, n, 0, TERN_FLOAT, r, dims);
    n->params = p;
    return TERN_OK;
}

static tern_status matmul_run(const tern_graph *g, const tern_node *n, const void *const *in,
                              void *const *out, tern_err *err) {
    (void)g;
    (void)err;
    const matmul_params *p = n->params;
    const float *a = in[0], *b = in[1];
    float *y = out[0];
    tern_iter it;
    tern_iter_init(&it, p->batch_rank, p->batch, p->as, p->bs, p->ys);
    int64_t count = tern_iter_count(p->batch_rank, p->batch);
    for (int64_t e = 0; e < count; e++, tern_iter_next(&it)) {
        tern_mat am = {a + it.off[0], p->k, 1}, bm = {b + it.off[1], p->n, 1};
        tern_gemm_f32(p->m, p->n, p->k, 1.0f, am, bm, 0.0f, NULL, y + it.off[2], p->n, 1,
                      &n->act);
    }
    return TERN_OK;
}

const tern_op tern_op_Gemm = {"Gemm", "", 0, gemm_infer, gemm_run};
const tern_op tern_op_MatMul = {"MatMul", "", 0, matmul_infer, matmul_run};
