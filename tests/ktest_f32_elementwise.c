/* Tests of the FP32 elementwise kernels (vadd, vmul, vmulc, vhswish,
 * vhsigmoid, gavgpool) against kernels/ref: these do the reference's float
 * operations in its order, so the results must be bit-identical. Lengths
 * sweep around the vector width and its multiples; canaries catch writes
 * past the end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/ref/act.h"
#include "kernels/ref/elementwise.h"
#include "kernels/ref/pool_f32.h"
#include "tests/ktest.h"

#define CANARY 12345.0f
static const size_t LENS[] = {1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 100, 257};
#define NLENS (sizeof LENS / sizeof LENS[0])

static float *randv(size_t n, uint32_t *seed, float scale) {
    float *v = malloc(sizeof(float) * (n + 4));
    for (size_t i = 0; v && i < n + 4; i++) v[i] = ktest_rand(seed) * scale;
    return v;
}

/* got[0..n) bit-identical to want, and got[n..n+4) still CANARY */
static int same(const float *got, const float *want, size_t n, char *msg, size_t cap) {
    for (size_t i = 0; i < n; i++)
        if (memcmp(&got[i], &want[i], sizeof(float)) != 0) {
            snprintf(msg, cap, "element %zu: %.9g, reference %.9g", i, got[i], want[i]);
            return 0;
        }
    for (size_t i = n; i < n + 4; i++)
        if (got[i] != CANARY) {
            snprintf(msg, cap, "wrote past element %zu", n);
            return 0;
        }
    return 1;
}

static void binary(th_ctx *t, const tern_f32_vbinary_ukernel *k, tern_binop op) {
    uint32_t seed = 11;
    char msg[128];
    int ok = 1;
    for (size_t i = 0; ok && i < NLENS; i++) {
        size_t n = LENS[i];
        float *a = randv(n, &seed, 4), *b = randv(n, &seed, 4), *y = randv(n, &seed, 1);
        float *ref = randv(n, &seed, 1);
        for (size_t j = 0; j < n + 4; j++) y[j] = CANARY;
        k->fn(n, a, b, y);
        int64_t dims[1] = {(int64_t)n}, s1[1] = {1};
        tern_ref_binary_f32(op, 1, dims, ref, s1, a, s1, b, s1);
        ok = same(y, ref, n, msg, sizeof msg);
        if (!ok) th_fail(t, k->name, "n=%zu: %s", n, msg);
        /* in place (y == a), as the residual Add runs when it may */
        memcpy(y, a, n * sizeof(float));
        k->fn(n, y, b, y);
        if (ok && !(ok = memcmp(y, ref, n * sizeof(float)) == 0))
            th_fail(t, k->name, "n=%zu in place: differs", n);
        free(a), free(b), free(y), free(ref);
    }
    if (ok) th_pass(t, k->name);
}

void ktest_f32_vadd(th_ctx *t, const tern_f32_vbinary_ukernel *k) {
    binary(t, k, TERN_BIN_ADD);
}

void ktest_f32_vmul(th_ctx *t, const tern_f32_vbinary_ukernel *k) {
    binary(t, k, TERN_BIN_MUL);
}

void ktest_f32_vmulc(th_ctx *t, const tern_f32_vmulc_ukernel *k) {
    uint32_t seed = 12;
    char msg[128];
    int ok = 1;
    for (size_t i = 0; ok && i < NLENS; i++)
        for (size_t rows = 1; ok && rows <= 5; rows += 2) {
            size_t c = LENS[i], n = rows * c;
            float *x = randv(n, &seed, 4), *s = randv(c, &seed, 1), *y = randv(n, &seed, 1);
            float *ref = randv(n, &seed, 1);
            for (size_t j = 0; j < n + 4; j++) y[j] = CANARY;
            k->fn(rows, c, x, s, y);
            int64_t dims[2] = {(int64_t)rows, (int64_t)c}, sx[2] = {(int64_t)c, 1}, ss[2] = {0, 1};
            tern_ref_binary_f32(TERN_BIN_MUL, 2, dims, ref, sx, x, sx, s, ss);
            ok = same(y, ref, n, msg, sizeof msg);
            if (!ok) th_fail(t, k->name, "rows=%zu channels=%zu: %s", rows, c, msg);
            free(x), free(s), free(y), free(ref);
        }
    if (ok) th_pass(t, k->name);
}

static void unary(th_ctx *t, const tern_f32_vunary_ukernel *k, tern_act_kind kind) {
    uint32_t seed = 13;
    char msg[128];
    int ok = 1;
    const float ab[][2] = {{1.0f / 6, 0.5f}, {0.2f, 0.5f}};
    for (size_t i = 0; ok && i < NLENS; i++)
        for (size_t p = 0; ok && p < 2; p++) {
            size_t n = LENS[i];
            float *x = randv(n, &seed, 8), *y = randv(n, &seed, 1), *ref = randv(n, &seed, 1);
            for (size_t j = 0; j < n + 4; j++) y[j] = CANARY;
            k->fn(n, x, y, ab[p][0], ab[p][1]);
            tern_act a = {kind, ab[p][0], ab[p][1]};
            tern_act_apply_n(&a, x, ref, n);
            ok = same(y, ref, n, msg, sizeof msg);
            if (!ok) th_fail(t, k->name, "n=%zu a=%g b=%g: %s", n, a.a, a.b, msg);
            free(x), free(y), free(ref);
        }
    if (ok) th_pass(t, k->name);
}

void ktest_f32_vhswish(th_ctx *t, const tern_f32_vunary_ukernel *k) {
    unary(t, k, TERN_ACT_HARDSWISH);
}

void ktest_f32_vhsigmoid(th_ctx *t, const tern_f32_vunary_ukernel *k) {
    unary(t, k, TERN_ACT_HARDSIGMOID);
}

void ktest_f32_gavgpool(th_ctx *t, const tern_f32_gavgpool_ukernel *k) {
    uint32_t seed = 14;
    char msg[128];
    int ok = 1;
    const size_t hws[][2] = {{1, 1}, {1, 3}, {7, 7}, {3, 5}, {14, 14}};
    for (size_t i = 0; ok && i < NLENS; i++)
        for (size_t h = 0; ok && h < sizeof hws / sizeof hws[0]; h++) {
            size_t c = LENS[i], rows = hws[h][0] * hws[h][1];
            float *x = randv(rows * c, &seed, 4), *y = randv(c, &seed, 1), *ref = randv(c, &seed, 1);
            for (size_t j = 0; j < c + 4; j++) y[j] = CANARY;
            k->fn(rows, c, x, (float)rows, y);
            /* the reference on the same bytes seen as NHWC [1, C, H, W] */
            int64_t sp[2] = {(int64_t)hws[h][0], (int64_t)hws[h][1]};
            int64_t xs[4] = {0, 1, (int64_t)(hws[h][1] * c), (int64_t)c}, ys[4] = {0, 1, 1, 1};
            tern_global_avgpool_f32(1, (int64_t)c, 2, sp, x, xs, ref, ys);
            ok = same(y, ref, c, msg, sizeof msg);
            if (!ok) th_fail(t, k->name, "%zux%zu x %zu channels: %s", hws[h][0], hws[h][1], c, msg);
            free(x), free(y), free(ref);
        }
    if (ok) th_pass(t, k->name);
}
