/* The memory planner and the pass helpers' index (issue 9, hardening 3):
 *  - tern_plan_place gives exactly the offsets of the plain O(n^2) greedy
 *    it replaced (kept here as the reference) on random lifetimes;
 *  - the first-fit fallback and the greedy's budget give valid plans;
 *  - offset sums that would wrap size_t are errors;
 *  - tern_plan_verify (run by every compile) catches overlapping and
 *    out-of-arena tensors, and passes every model the tests have, long
 *    chains included (no time is asserted: bench/bench_plan.c measures);
 *  - the producer/consumer index answers like a scan of the graph through
 *    random edits made with the pass helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/compile.h"
#include "graph/graph_index.h"
#include "graph/model.h"
#include "graph/passes/passes.h"
#include "graph/planner.h"
#include "tests/harness.h"
#include "tests/onnx_writer.h"

static uint32_t rnd(uint32_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* ---- planner on synthetic lifetimes ---- */

static int intersect(const tern_plan_buf *a, const tern_plan_buf *b) {
    return a->first <= b->last && b->first <= a->last;
}

/* The planner before issue 9: place largest first, sliding past every
 * conflicting placed buffer until none is left. */
static size_t reference_place(tern_plan_buf *b, int n) {
    int *order = malloc(sizeof(int) * (size_t)n);
    char *placed = calloc((size_t)n, 1);
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = 1; i < n; i++) /* insertion sort: size desc, first asc, index asc */
        for (int j = i; j > 0; j--) {
            const tern_plan_buf *x = &b[order[j - 1]], *y = &b[order[j]];
            int swap = x->size < y->size || (x->size == y->size && x->first > y->first);
            if (!swap) break;
            int tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    size_t arena = 0;
    for (int o = 0; o < n; o++) {
        tern_plan_buf *k = &b[order[o]];
        size_t off = 0;
        for (int moved = 1; moved;) {
            moved = 0;
            for (int j = 0; j < n; j++) {
                if (!placed[j] || !intersect(&b[j], k)) continue;
                if (off < b[j].offset + b[j].size && b[j].offset < off + k->size) {
                    off = b[j].offset + b[j].size;
                    moved = 1;
                }
            }
        }
        k->offset = off;
        placed[order[o]] = 1;
        if (off + k->size > arena) arena = off + k->size;
    }
    free(order);
    free(placed);
    return arena;
}

/* Random lifetimes over `steps` steps; sizes from a small set (ties). */
static void random_bufs(uint32_t *s, tern_plan_buf *b, int n, int steps) {
    static const size_t sizes[] = {0, 64, 128, 192, 320, 512, 1024, 4096};
    for (int i = 0; i < n; i++) {
        int first = (int)(rnd(s) % (uint32_t)(steps + 1));
        int span = rnd(s) % 4 == 0 ? (int)(rnd(s) % (uint32_t)(steps + 1)) : (int)(rnd(s) % 3);
        b[i].first = first;
        b[i].last = first + span > steps ? steps : first + span;
        b[i].size = sizes[rnd(s) % (sizeof sizes / sizeof sizes[0])];
        b[i].offset = 0;
    }
}

/* 1 if no two buffers with intersecting lifetimes share a byte and all end
 * within arena; peak gets the largest sum of live sizes. */
static int plan_valid(const tern_plan_buf *b, int n, int steps, size_t arena, size_t *peak) {
    for (int i = 0; i < n; i++) {
        if (b[i].offset % TERN_PLAN_ALIGN || b[i].offset + b[i].size > arena) return 0;
        for (int j = i + 1; j < n; j++)
            if (intersect(&b[i], &b[j]) && b[i].size && b[j].size &&
                b[i].offset < b[j].offset + b[j].size && b[j].offset < b[i].offset + b[i].size)
                return 0;
    }
    *peak = 0;
    for (int s = 0; s <= steps; s++) {
        size_t live = 0;
        for (int i = 0; i < n; i++)
            if (b[i].first <= s && s <= b[i].last) live += b[i].size;
        if (live > *peak) *peak = live;
    }
    return 1;
}

static void test_greedy_matches_reference(th_ctx *t) {
    uint32_t seed = 0x2545f491u;
    int bad = 0, rounds = 300;
    char why[256] = "";
    tern_plan_buf a[160], r[160];
    for (int round = 0; round < rounds && !bad; round++) {
        int n = 1 + (int)(rnd(&seed) % 160), steps = 1 + (int)(rnd(&seed) % 50);
        random_bufs(&seed, a, n, steps);
        memcpy(r, a, sizeof(tern_plan_buf) * (size_t)n);
        size_t arena = 0, ref = reference_place(r, n), peak;
        int ff = 0;
        tern_err err = {{0}};
        tern_status st = tern_plan_place(a, n, steps, TERN_PLAN_SEARCH_MAX, &arena, &ff, &err);
        if (st != TERN_OK || ff || arena != ref) {
            snprintf(why, sizeof why, "round %d: status %d, first fit %d, arena %zu vs %zu: %s",
                     round, (int)st, ff, arena, ref, err.msg);
            bad = 1;
        }
        for (int i = 0; !bad && i < n; i++)
            if (a[i].offset != r[i].offset) {
                snprintf(why, sizeof why, "round %d: buffer %d at %zu, reference %zu", round, i,
                         a[i].offset, r[i].offset);
                bad = 1;
            }
        if (!bad && !plan_valid(a, n, steps, arena, &peak)) {
            snprintf(why, sizeof why, "round %d: invalid plan", round);
            bad = 1;
        }
    }
    th_check(t, !bad, "planner: same offsets as the O(n^2) greedy on 300 random sets", "%s", why);
}

static void test_first_fit(th_ctx *t) {
    uint32_t seed = 0x1234567u;
    int bad = 0, rounds = 300;
    char why[256] = "";
    tern_plan_buf a[160], c[160];
    for (int round = 0; round < rounds && !bad; round++) {
        int n = 1 + (int)(rnd(&seed) % 160), steps = 1 + (int)(rnd(&seed) % 50);
        random_bufs(&seed, a, n, steps);
        memcpy(c, a, sizeof(tern_plan_buf) * (size_t)n);
        size_t arena = 0, arena2 = 0, peak = 0;
        int ff = 0;
        tern_err err = {{0}};
        tern_status st = tern_plan_first_fit(a, n, steps, &arena, &err);
        if (st != TERN_OK || !plan_valid(a, n, steps, arena, &peak) || arena < peak) {
            snprintf(why, sizeof why, "round %d: status %d, arena %zu, peak %zu: %s", round,
                     (int)st, arena, peak, err.msg);
            bad = 1;
            break;
        }
        /* a search budget of a few candidates: the greedy gives up, first fit places all */
        st = tern_plan_place(c, n, steps, 3, &arena2, &ff, &err);
        if (st != TERN_OK || arena2 != arena || (n > 3 && !ff)) {
            snprintf(why, sizeof why,
                     "round %d: budget spent: status %d, first fit %d, arena %zu vs %zu", round,
                     (int)st, ff, arena2, arena);
            bad = 1;
        }
        for (int i = 0; !bad && i < n; i++)
            if (ff && c[i].offset != a[i].offset) {
                snprintf(why, sizeof why, "round %d: fallback differs from first fit", round);
                bad = 1;
            }
    }
    th_check(t, !bad, "planner: first fit (and the greedy's fallback) valid on 300 random sets",
             "%s", why);
    /* equal sizes, one dying as one is born: first fit reuses exactly */
    tern_plan_buf chain[100];
    for (int i = 0; i < 100; i++) chain[i] = (tern_plan_buf){i, i + 10 > 99 ? 99 : i + 10, 64, 0};
    size_t arena = 0;
    tern_err err = {{0}};
    tern_status st = tern_plan_first_fit(chain, 100, 99, &arena, &err);
    th_check(t, st == TERN_OK && arena == 11 * 64, "planner: first fit packs a sliding window",
             "arena %zu, want %d", arena, 11 * 64);
}

static void test_overflow(th_ctx *t) {
    size_t half = (SIZE_MAX / 2 + 1) & ~(size_t)(TERN_PLAN_ALIGN - 1); /* 2^63 */
    tern_plan_buf b[2] = {{0, 1, half, 0}, {1, 2, half, 0}};
    size_t arena = 0;
    int ff = 0;
    tern_err err = {{0}};
    tern_status st = tern_plan_place(b, 2, 2, TERN_PLAN_SEARCH_MAX, &arena, &ff, &err);
    th_check(t, st != TERN_OK && strstr(err.msg, "overflow"),
             "planner: offsets past size_t are an error", "status %d, arena %zu: %s", (int)st,
             arena, err.msg);
    b[0].offset = b[1].offset = 0;
    err.msg[0] = 0;
    st = tern_plan_first_fit(b, 2, 2, &arena, &err);
    th_check(t, st != TERN_OK && strstr(err.msg, "overflow"),
             "planner: first fit offsets past size_t are an error", "status %d: %s", (int)st,
             err.msg);
    b[0] = (tern_plan_buf){0, 1, 100, 0}; /* not a multiple of 64 */
    st = tern_plan_place(b, 1, 2, TERN_PLAN_SEARCH_MAX, &arena, &ff, &err);
    th_check(t, st != TERN_OK, "planner: unaligned buffer refused", "status %d", (int)st);
}

/* ---- plans of real graphs ---- */

static tern_model *load_path(const char *path) {
    tern_model *m = NULL;
    if (tern_model_load_file(path, &m) != TERN_OK) {
        tern_model_free(m);
        return NULL;
    }
    return m;
}

/* Compile (with and without the rewrites); the compile's own check must
 * have run and passed. */
static void check_model_plan(th_ctx *t, const char *path) {
    char name[600];
    snprintf(name, sizeof name, "plan verified: %s", path);
    tern_model *m = load_path(path);
    if (!m) {
        th_fail(t, name, "cannot load");
        return;
    }
    for (unsigned flags = 0; flags <= TERN_COMPILE_NO_FUSE; flags += TERN_COMPILE_NO_FUSE) {
        tern_compiled c;
        tern_err err = {{0}};
        tern_status st = tern_compile(&m->graph, 1, flags, &c, &err);
        int verified = 0;
        if (st == TERN_OK) st = tern_plan_verify(&c.g, c.arena_size, SIZE_MAX, &verified, &err);
        th_check(t, st == TERN_OK && c.plan_verified && verified && !c.plan_first_fit, name,
                 "flags %u: status %d, verified %d/%d, first fit %d: %s", flags, (int)st,
                 c.plan_verified, verified, c.plan_first_fit, err.msg);
        if (st == TERN_OK) tern_compiled_free(&c);
    }
    tern_model_free(m);
}

static void test_all_model_plans(th_ctx *t) {
    static const char *const own[] = {
        "tools/demo/digits.onnx",
        "tests/models/avgpool_ceil_excl_pad.onnx", "tests/models/avgpool_ceil_incl_pad.onnx",
        "tests/models/avgpool_excl_pad.onnx", "tests/models/avgpool_incl_pad.onnx",
        "tests/models/clip10_attr.onnx", "tests/models/clip11_const.onnx",
        "tests/models/clip11_init.onnx", "tests/models/clip6_attr.onnx",
        "tests/models/conv1d.onnx", "tests/models/conv_bias_bn_relu.onnx",
        "tests/models/conv_bn_hardswish14.onnx", "tests/models/conv_bn_hsig_mul.onnx",
        "tests/models/conv_bn_leakyrelu.onnx", "tests/models/conv_bn_relu.onnx",
        "tests/models/conv_bn_silu.onnx", "tests/models/conv_dilated.onnx",
        "tests/models/conv_dw_mult2.onnx", "tests/models/conv_group2.onnx",
        "tests/models/conv_group4.onnx", "tests/models/flatten_view.onnx",
        "tests/models/hardsigmoid_gate.onnx", "tests/models/identity_dropout.onnx",
        "tests/models/matmul_add.onnx", "tests/models/nhwc_output.onnx",
        "tests/models/nhwc_transpose.onnx", "tests/models/pad_conv.onnx",
        "tests/models/pad_value_conv.onnx", "tests/models/reducemean_keepdims0.onnx",
        "tests/models/reducemean_keepdims1.onnx", "tests/models/softmax_head.onnx",
        "tests/models/trap_bn_after_add.onnx", "tests/models/trap_conv_shared.onnx",
        "tests/models/trap_matmul_add_input.onnx", "tests/models/trap_matmul_add_rank3.onnx",
        "tests/models/trap_transpose_no_cancel.onnx", "tests/models/two_inputs.onnx"};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) check_model_plan(t, own[i]);
    static const char *const shared[] = {
        "models/mobilenet_v2_fp32.onnx", "models/mobilenet_v3_small_fp32.onnx",
        "models/mobilenet_v3_large_min_fp32.onnx", "models/efficientnet_lite0_fp32.onnx",
        "models/efficientnet_lite0_arch.onnx", "models/mobilenet_v3_large_arch.onnx"};
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        char path[512];
        if (th_shared_path(t, shared[i], path, sizeof path, "plan verified: shared models"))
            check_model_plan(t, path);
    }
}

static void test_verify_catches(th_ctx *t) {
    tern_model *m = load_path("tools/demo/digits.onnx");
    tern_compiled c;
    tern_err err = {{0}};
    if (!m || tern_compile(&m->graph, 1, 0, &c, &err) != TERN_OK) {
        th_fail(t, "plan check catches a clash", "cannot compile the demo: %s", err.msg);
        tern_model_free(m);
        return;
    }
    /* the graph input and the first node's output are both live at step 0 */
    tern_graph *g = &c.g;
    int x = g->inputs[0], y = g->nodes[0].outputs[0];
    size_t keep = g->tensors[y].offset;
    int verified = 0;
    g->tensors[y].offset = g->tensors[x].offset;
    tern_status st = tern_plan_verify(g, c.arena_size, SIZE_MAX, &verified, &err);
    th_check(t, st == TERN_ERR_ARENA && strstr(err.msg, "overlap") && !verified,
             "plan check catches overlapping live tensors", "status %d: %s", (int)st, err.msg);
    g->tensors[y].offset = c.arena_size;
    st = tern_plan_verify(g, c.arena_size, SIZE_MAX, &verified, &err);
    th_check(t, st != TERN_OK && strstr(err.msg, "past the arena"),
             "plan check catches a tensor past the arena", "status %d: %s", (int)st, err.msg);
    g->tensors[y].offset = keep;
    st = tern_plan_verify(g, c.arena_size, SIZE_MAX, &verified, &err);
    th_check(t, st == TERN_OK && verified, "plan check passes the real plan", "%s", err.msg);
    tern_compiled_free(&c);
    tern_model_free(m);
}

/* ---- long chains (bench/bench_plan.c times the 100k-node ones) ---- */

static void tname(char *buf, size_t cap, int i) {
    if (i < 0) snprintf(buf, cap, "x");
    else snprintf(buf, cap, "t%d", i);
}

/* n nodes, [1,16] floats; node i >= skip (skip > 0) adds t(i-skip). */
static tern_model *chain(int n, int skip) {
    ow_buf g = {0};
    int64_t dims[2] = {1, 16};
    for (int i = 0; i < n; i++) {
        char a[32], b[32], y[32];
        tname(a, sizeof a, i - 1);
        tname(b, sizeof b, i - skip);
        if (i == n - 1) snprintf(y, sizeof y, "y");
        else tname(y, sizeof y, i);
        const char *ins[2] = {a, b}, *outs[1] = {y};
        int add = skip > 0 && i >= skip;
        ow_buf nd = ow_node(add ? "Add" : "Relu", y, ins, add ? 2 : 1, outs, 1);
        ow_msg(&g, OW_G_NODE, &nd);
    }
    ow_buf in = ow_value_info("x", OW_FLOAT, 2, dims), out = ow_value_info("y", OW_FLOAT, 2, dims);
    ow_msg(&g, OW_G_INPUT, &in);
    ow_msg(&g, OW_G_OUTPUT, &out);
    ow_buf m = ow_model(&g, 13);
    tern_model *model = NULL;
    if (tern_model_load_buffer(m.b, m.n, NULL, &model) != TERN_OK) {
        tern_model_free(model);
        model = NULL;
    }
    ow_free(&m);
    return model;
}

static void check_chain(th_ctx *t, const char *name, int n, int skip, int want_first_fit) {
    tern_model *m = chain(n, skip);
    tern_compiled c;
    tern_err err = {{0}};
    tern_status st = m ? tern_compile(&m->graph, 1, 0, &c, &err) : TERN_ERR_PARSE;
    int verified = 0;
    if (st == TERN_OK) st = tern_plan_verify(&c.g, c.arena_size, SIZE_MAX, &verified, &err);
    /* [1,16] floats are 64 bytes; a window of `skip` + 1 (or 2) buffers is live */
    size_t live = 64 * (size_t)(skip > 0 ? skip + 1 : 2);
    th_check(t, st == TERN_OK && verified && c.plan_first_fit == want_first_fit &&
                    c.peak_bytes == live && c.arena_size == live,
             name, "status %d, verified %d, first fit %d, arena %zu, peak %zu (want %zu): %s",
             (int)st, verified, st == TERN_OK ? c.plan_first_fit : -1,
             st == TERN_OK ? c.arena_size : 0, st == TERN_OK ? c.peak_bytes : 0, live, err.msg);
    if (st == TERN_OK) tern_compiled_free(&c);
    tern_model_free(m);
}

static void test_chains(th_ctx *t) {
    check_chain(t, "plan of a 20000-node Relu chain", 20000, 0, 0);
    check_chain(t, "plan of a 6000-node chain, 500-step lifetimes (greedy)", 6000, 500, 0);
    check_chain(t, "plan of a 6000-node chain, 3000-step lifetimes (first fit)", 6000, 3000, 1);
}

/* ---- the pass helpers' index against scans ---- */

static int ref_producer(const tern_graph *g, int t) {
    for (int i = 0; i < g->n_nodes; i++)
        for (int o = 0; !g->nodes[i].dead && o < g->nodes[i].n_outputs; o++)
            if (g->nodes[i].outputs[o] == t) return i;
    return -1;
}

/* reads by live nodes; the first 3 readers in order into who */
static int ref_readers(const tern_graph *g, int t, int who[3]) {
    int uses = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; !g->nodes[i].dead && k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] == t) {
                if (uses < 3) who[uses] = i;
                uses++;
            }
    return uses;
}

static int ref_slot(const tern_graph *g, int node, int t) {
    for (int k = 0; k < g->nodes[node].n_inputs; k++)
        if (g->nodes[node].inputs[k] == t) return k;
    return -1;
}

/* Every query for every tensor agrees with a scan; returns 0 and says why. */
static int queries_agree(const tern_graph *g, char *why, size_t cap) {
    for (int t = 0; t < g->n_tensors; t++) {
        int who[3], got[3], slot = -1;
        int uses = ref_readers(g, t, who), n = tern_consumers(g, t, got, 3);
        int single = !g->tensors[t].is_output && uses == 1 ? who[0] : -1;
        int sc = tern_single_consumer(g, t, &slot);
        int uc = tern_graph_use_count(g, t), want_uc = uses + (g->tensors[t].is_output ? 1 : 0);
        int ok = n == uses && sc == single && (sc < 0 || slot == ref_slot(g, sc, t)) &&
                 uc == want_uc && tern_producer(g, t) == ref_producer(g, t);
        for (int k = 0; ok && k < uses && k < 3; k++) ok = got[k] == who[k];
        if (!ok) {
            snprintf(why, cap, "tensor %d: readers %d/%d, single %d/%d, uses %d/%d, producer %d/%d",
                     t, n, uses, sc, single, uc, want_uc, tern_producer(g, t), ref_producer(g, t));
            return 0;
        }
    }
    return 1;
}

static int add_tensor(tern_graph *g) {
    char name[32];
    snprintf(name, sizeof name, "t%d", g->n_tensors);
    return tern_graph_add_tensor(g, name);
}

/* A node reading nin random existing tensors and writing a new one. */
static int add_random_node(tern_graph *g, uint32_t *s, int nin) {
    int y = add_tensor(g);
    int i = tern_graph_add_node(g, "Op", "", "n", nin, 1);
    for (int k = 0; k < nin; k++) g->nodes[i].inputs[k] = (int)(rnd(s) % (uint32_t)y);
    g->nodes[i].outputs[0] = y;
    return i;
}

/* One random edit through the helpers (or a direct one followed by a drop). */
static void random_edit(tern_graph *g, uint32_t *s) {
    int node = (int)(rnd(s) % (uint32_t)g->n_nodes), t = (int)(rnd(s) % (uint32_t)g->n_tensors);
    int u = (int)(rnd(s) % (uint32_t)g->n_tensors);
    int ins[3] = {t, u, (int)(rnd(s) % (uint32_t)g->n_tensors)};
    switch (rnd(s) % 10) {
    case 9: /* tentatively removed, its tensors queried (which unlinks it), revived */
        g->nodes[node].dead = 1;
        for (int k = 0; k < g->nodes[node].n_inputs; k++)
            if (g->nodes[node].inputs[k] >= 0) tern_consumers(g, g->nodes[node].inputs[k], NULL, 0);
        if (g->nodes[node].n_outputs > 0) tern_producer(g, g->nodes[node].outputs[0]);
        tern_node_revive(g, node);
        break;
    case 0: g->nodes[node].dead = 1; break;
    case 1: tern_set_inputs(g, node, ins, 1 + (int)(rnd(s) % 3)); break;
    case 2: {
        int y = add_tensor(g);
        tern_set_outputs(g, node, &y, 1);
        break;
    }
    case 3: tern_replace_uses(g, t, u); break;
    case 4: tern_redirect_tensor(g, t, u); break;
    case 5: add_random_node(g, s, 1 + (int)(rnd(s) % 3)); break;
    case 6: {
        float v = 1.0f;
        tern_add_const(g, "c", TERN_FLOAT, 0, NULL, &v);
        break;
    }
    case 7: /* a direct write, then the drop the contract asks for */
        if (g->nodes[node].n_inputs > 0) g->nodes[node].inputs[0] = t;
        tern_graph_index_drop(g);
        break;
    default: ins[1] = t; tern_set_inputs(g, node, ins, 2); break; /* reads t twice */
    }
}

static void test_index(th_ctx *t) {
    uint32_t seed = 0xdecafbadu;
    int bad = 0;
    char why[256] = "";
    for (int round = 0; round < 40 && !bad; round++) {
        tern_graph g;
        tern_graph_init(&g);
        for (int k = 0; k < 3; k++) add_tensor(&g);
        for (int i = 0; i < 30; i++) add_random_node(&g, &seed, 1 + (int)(rnd(&seed) % 3));
        for (int k = 0; k < 4; k++) { /* a few graph outputs */
            int o = (int)(rnd(&seed) % (uint32_t)g.n_tensors);
            if (g.tensors[o].is_output) continue;
            int *outs = tern_pool_alloc_array(&g.pool, (size_t)g.n_outputs + 1, sizeof(int));
            if (g.n_outputs) memcpy(outs, g.outputs, sizeof(int) * (size_t)g.n_outputs);
            outs[g.n_outputs++] = o;
            g.outputs = outs;
            g.tensors[o].is_output = 1;
        }
        for (int e = 0; e < 60 && !bad; e++) {
            if (!queries_agree(&g, why, sizeof why)) {
                bad = 1;
                char more[64];
                snprintf(more, sizeof more, " (round %d, after %d edits)", round, e);
                strncat(why, more, sizeof why - strlen(why) - 1);
            }
            random_edit(&g, &seed);
            if (rnd(&seed) % 16 == 0) tern_graph_compact(&g);
        }
        tern_graph_free(&g);
    }
    th_check(t, !bad, "pass helpers' index agrees with scans through 2400 random edits", "%s",
             why);
}

TH_SUITE(suite_plan) {
    test_greedy_matches_reference(t);
    test_first_fit(t);
    test_overflow(t);
    test_verify_catches(t);
    test_all_model_plans(t);
    test_chains(t);
    test_index(t);
}
