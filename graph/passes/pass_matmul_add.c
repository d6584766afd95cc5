/* matmul-add: MatMul(A [M,K], B constant [K,N]) followed by Add(., bias)
 * with a constant bias of N values ([N] or [1,N]) is one Gemm(A, B, bias):
 * the bias is added by the kernel while the output is still in cache.
 * Gemm is 2-D only, so a MatMul with a batched A stays as it is. */
#include <stdio.h>
#include <string.h>

#include "graph/op.h"
#include "graph/passes/passes.h"

/* The Add's bias input if it is a float constant holding exactly N values
 * laid out along the last axis ([N] or [1,N]), else -1. */
static int bias_of(const tern_graph *g, const tern_node *add, int slot_mm, int64_t n) {
    int b = add->inputs[1 - slot_mm];
    const tern_tensor *bt = tern_const_f32(g, b, n);
    if (!bt) return -1;
    if (bt->rank == 1 && bt->dims[0] == n) return b;
    if (bt->rank == 2 && bt->dims[0] == 1 && bt->dims[1] == n) return b;
    return -1;
}

/* Turns node mm (MatMul) into a Gemm that writes the Add's output. */
static tern_status rewrite(tern_graph *g, int mm, int add, int bias, const tern_op *gemm,
                           tern_err *err) {
    tern_node *m = &g->nodes[mm];
    int64_t n = g->tensors[m->outputs[0]].dims[1];
    char name[256];
    snprintf(name, sizeof name, "%s/gemm_bias_%d", g->nodes[add].name, g->n_tensors);
    /* a fresh [N] constant: Gemm kernels want a plain vector bias */
    int c = tern_add_const(g, name, TERN_FLOAT, 1, &n, g->tensors[bias].data);
    if (c < 0) return tern_errf(err, TERN_ERR_NOMEM, "out of memory adding a Gemm bias");
    m = &g->nodes[mm];
    int ins[3] = {m->inputs[0], m->inputs[1], c};
    int outs[1] = {g->nodes[add].outputs[0]};
    g->nodes[add].dead = 1;
    if (!tern_set_inputs(g, mm, ins, 3) || !tern_set_outputs(g, mm, outs, 1))
        return tern_errf(err, TERN_ERR_NOMEM, "out of memory rewriting a MatMul");
    m->op_type = "Gemm";
    m->domain = "";
    m->op = gemm;
    m->attrs = NULL; /* Gemm defaults: alpha = beta = 1, no transposes */
    m->n_attrs = 0;
    m->params = NULL;
    return tern_reinfer(g, mm, err);
}

/* The Add that can absorb MatMul node i, or -1; *bias gets its bias. */
static int match(const tern_graph *g, int i, int *bias) {
    const tern_node *m = &g->nodes[i];
    if (!tern_node_is(m, "MatMul") || m->n_inputs != 2 || m->n_outputs != 1) return -1;
    const tern_tensor *a = tern_in(g, m, 0), *y = tern_out(g, m, 0);
    if (!a || !y || a->rank != 2 || y->rank != 2 || a->dtype != TERN_FLOAT) return -1;
    const tern_tensor *b = tern_const_f32(g, m->inputs[1], -1);
    if (!b || b->rank != 2 || y->data) return -1;
    int slot;
    int add = tern_single_consumer(g, m->outputs[0], &slot);
    if (add < 0) return -1;
    const tern_node *ad = &g->nodes[add];
    if (!tern_node_is(ad, "Add") || ad->n_inputs != 2 || ad->n_outputs != 1) return -1;
    /* before opset 7 an Add may broadcast B at any axis (attributes
     * broadcast/axis), which Gemm's C broadcast cannot express */
    if (tern_node_attr(ad, "broadcast") || tern_node_attr(ad, "axis")) return -1;
    *bias = bias_of(g, ad, slot, y->dims[1]);
    return *bias >= 0 ? add : -1;
}

tern_status tern_pass_matmul_add(tern_graph *g, tern_pass_report *r, tern_err *err) {
    tern_report_begin(r, "matmul-add", g);
    const tern_op *gemm = tern_op_find("Gemm", "");
    for (int i = 0; gemm && i < g->n_nodes; i++) {
        int bias, add = match(g, i, &bias);
        if (add < 0) continue;
        tern_status st = rewrite(g, i, add, bias, gemm, err);
        if (st != TERN_OK) return st;
        r->changes++;
    }
    if (r->changes) tern_report_note(r, "fused %d MatMul+Add into Gemm", r->changes);
    if (!gemm) tern_report_note(r, "skipped: no Gemm op");
    tern_report_end(r, g);
    return TERN_OK;
}
