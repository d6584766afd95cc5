/* Add, Mul and GlobalAveragePool through the SIMD kernels of the session's
 * table (g->kern), for the shapes the networks use: same-shape, same-layout
 * operands (the residual Add), a channels-last tensor times a per-channel
 * [N, C, 1, 1] gate (squeeze-excite's Mul), and global pooling of a
 * channels-last tensor. These kernels are bit-identical to the reference,
 * so which path runs never changes a result. Work is split into chunks
 * over the session's threads. Anything else: the reference (return 0). */
#include <string.h>

#include "graph/ops/op_nn_util.h"
#include "graph/threadpool.h"
#include "kernels/ref/elementwise.h"

#define CHUNK 16384 /* floats per task: big enough to amortize a wake-up */

typedef struct ew_job {
    const tern_kernels *k;
    int mul;
    const float *a, *b;
    float *y;
    size_t n;        /* vadd/vmul: elements */
    size_t rows, c;  /* vmulc: rows of c channels per item, gate per item */
    size_t rows_per_task, tasks_per_item;
} ew_job;

static void vbin_task(void *ctx, int64_t task) {
    const ew_job *j = ctx;
    size_t i0 = (size_t)task * CHUNK, len = j->n - i0 < CHUNK ? j->n - i0 : CHUNK;
    const tern_f32_vbinary_ukernel *uk = j->mul ? j->k->f32_vmul : j->k->f32_vadd;
    uk->fn(len, j->a + i0, j->b + i0, j->y + i0);
}

static void vmulc_task(void *ctx, int64_t task) {
    const ew_job *j = ctx;
    size_t item = (size_t)task / j->tasks_per_item, part = (size_t)task % j->tasks_per_item;
    size_t r0 = part * j->rows_per_task, rows = j->rows - r0;
    if (rows > j->rows_per_task) rows = j->rows_per_task;
    size_t off = (item * j->rows + r0) * j->c;
    j->k->f32_vmulc->fn(rows, j->c, j->a + off, j->b + item * j->c, j->y + off);
}

static int same_layout(const tern_tensor *a, const tern_tensor *b) {
    int64_t sa[TERN_MAX_RANK], sb[TERN_MAX_RANK];
    if (a->rank != b->rank || memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank)) return 0;
    tern_tensor_strides(a, sa);
    tern_tensor_strides(b, sb);
    return memcmp(sa, sb, sizeof(int64_t) * (size_t)a->rank) == 0;
}

/* [N, C, 1, 1]-shaped gate for a rank-4 channels-last o */
static int is_gate(const tern_tensor *s, const tern_tensor *o) {
    return s->rank == 4 && s->dims[0] == o->dims[0] && s->dims[1] == o->dims[1] &&
           s->dims[2] == 1 && s->dims[3] == 1;
}

int tern_binary_fast(const tern_graph *g, const tern_node *n, int mul, const void *const *in,
                     void *const *out) {
    const tern_tensor *a = tern_in(g, n, 0), *b = tern_in(g, n, 1), *o = tern_out(g, n, 0);
    const tern_kernels *k = &g->kern;
    if (a->dtype != TERN_FLOAT || b->dtype != TERN_FLOAT) return 0;
    ew_job j = {.k = k, .mul = mul, .y = out[0]};
    if ((mul ? k->f32_vmul : k->f32_vadd) && same_layout(a, o) && same_layout(b, o)) {
        j.a = in[0];
        j.b = in[1];
        j.n = (size_t)tern_tensor_numel(o);
        tern_parallel_for(g->threads, (int64_t)((j.n + CHUNK - 1) / CHUNK), vbin_task, &j);
        return 1;
    }
    int64_t so[TERN_MAX_RANK];
    if (!mul || !k->f32_vmulc || o->rank != 4 || o->layout != TERN_LAYOUT_CHANNELS_LAST) return 0;
    tern_tensor_strides(o, so);
    int gate_b = same_layout(a, o) && is_gate(b, o), gate_a = same_layout(b, o) && is_gate(a, o);
    if (!gate_a && !gate_b) return 0;
    j.a = gate_b ? in[0] : in[1];
    j.b = gate_b ? in[1] : in[0];
    j.c = (size_t)o->dims[1];
    j.rows = (size_t)(o->dims[2] * o->dims[3]);
    size_t per = CHUNK / (j.c ? j.c : 1);
    j.rows_per_task = per ? per : 1;
    j.tasks_per_item = (j.rows + j.rows_per_task - 1) / j.rows_per_task;
    if (j.rows == 0 || j.c == 0) return 0;
    tern_parallel_for(g->threads, (int64_t)(j.tasks_per_item * (size_t)o->dims[0]), vmulc_task, &j);
    return 1;
}

int tern_gap_fast(const tern_graph *g, const tern_node *n, const void *const *in,
                  void *const *out) {
    const tern_tensor *x = tern_in(g, n, 0);
    const tern_f32_gavgpool_ukernel *uk = g->kern.f32_gavgpool;
    if (!uk || x->dtype != TERN_FLOAT || x->rank != 4 || x->layout != TERN_LAYOUT_CHANNELS_LAST)
        return 0;
    size_t c = (size_t)x->dims[1], rows = (size_t)(x->dims[2] * x->dims[3]);
    if (rows == 0) return 0;
    const float *xp = in[0];
    float *y = out[0]; /* [N, C, 1, 1]: the same bytes in either layout */
    for (int64_t b = 0; b < x->dims[0]; b++)
        uk->fn(rows, c, xp + (size_t)b * rows * c, (float)(int64_t)rows, y + (size_t)b * c);
    return 1;
}
