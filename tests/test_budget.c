/* Size limits and the memory budget (issue 9, hardening 1 and 2). Hostile
 * models are written in memory (tests/onnx_writer.h), each a few hundred
 * bytes:
 *  - outputs of about 2^64 bytes (ConstantOfShape, Expand, Tile) that used
 *    to wrap the planner's alignment and get a 64-byte arena: now refused at
 *    session creation as larger than TERN_MAX_TENSOR_BYTES;
 *  - an 8 GiB arena and folded constants beyond the budget: refused with a
 *    message naming the budget and how to raise it, before the memory is
 *    taken; the budget counts a lent arena too and can be raised or lifted;
 *  - the arena is not cleared any more, so every model here must compute
 *    the same outputs in an arena full of 0xff bytes (NaNs) as in a zeroed
 *    one: no op may read memory it did not write;
 *  - `tern info/run --max-memory`: parsing and the error. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "loader/npy.h"
#include "tern.h"
#include "tests/harness.h"
#include "tests/onnx_writer.h"

/* ---- hostile models ---- */

static void init_i64(ow_buf *g, const char *name, int n, const int64_t *v) {
    int64_t dims[1] = {n};
    ow_buf t = ow_tensor(name, OW_INT64, 1, dims, v, sizeof(int64_t) * (size_t)n);
    ow_msg(g, OW_G_INIT, &t);
}

static void add_node1(ow_buf *g, const char *op, const char *a, const char *b, const char *y) {
    const char *ins[2] = {a, b}, *outs[1] = {y};
    ow_buf n = ow_node(op, y, ins, b ? 2 : 1, outs, 1);
    ow_msg(g, OW_G_NODE, &n);
}

static ow_buf finish(ow_buf *g, const char *out) {
    ow_buf o = ow_value_name(out);
    ow_msg(g, OW_G_OUTPUT, &o);
    return ow_model(g, 13);
}

/* shape [n] -> ConstantOfShape (float zeros) -> Relu -> y */
static ow_buf cos_model(int64_t n) {
    ow_buf g = {0};
    init_i64(&g, "shape", 1, &n);
    add_node1(&g, "ConstantOfShape", "shape", NULL, "c");
    add_node1(&g, "Relu", "c", NULL, "y");
    return finish(&g, "y");
}

/* Expand(one float, shape [n]) -> y */
static ow_buf expand_model(int64_t n) {
    ow_buf g = {0};
    float one = 1.0f;
    ow_buf t = ow_tensor("one", OW_FLOAT, 0, NULL, &one, 4);
    ow_msg(&g, OW_G_INIT, &t);
    init_i64(&g, "shape", 1, &n);
    add_node1(&g, "Expand", "one", "shape", "y");
    return finish(&g, "y");
}

/* Tile(x [1] float, repeats [n]) -> y */
static ow_buf tile_model(int64_t n) {
    ow_buf g = {0};
    float one = 1.0f;
    int64_t d1[1] = {1};
    ow_buf t = ow_tensor("x", OW_FLOAT, 1, d1, &one, 4);
    ow_msg(&g, OW_G_INIT, &t);
    init_i64(&g, "repeats", 1, &n);
    add_node1(&g, "Tile", "x", "repeats", "y");
    return finish(&g, "y");
}

/* input x [1, n] float -> Relu -> y: an arena of 8n bytes */
static ow_buf relu_input_model(int64_t n) {
    ow_buf g = {0};
    int64_t dims[2] = {1, n};
    ow_buf in = ow_value_info("x", OW_FLOAT, 2, dims);
    ow_msg(&g, OW_G_INPUT, &in);
    add_node1(&g, "Relu", "x", NULL, "y");
    return finish(&g, "y");
}

/* k ConstantOfShape nodes of n floats each (all folded: nothing reads them)
 * beside x [1,4] -> Relu -> y */
static ow_buf fold_model(int k, int64_t n) {
    ow_buf g = {0};
    int64_t dims[2] = {1, 4};
    ow_buf in = ow_value_info("x", OW_FLOAT, 2, dims);
    ow_msg(&g, OW_G_INPUT, &in);
    init_i64(&g, "shape", 1, &n);
    for (int i = 0; i < k; i++) {
        char y[32];
        snprintf(y, sizeof y, "c%d", i);
        add_node1(&g, "ConstantOfShape", "shape", NULL, y);
    }
    add_node1(&g, "Relu", "x", NULL, "y");
    return finish(&g, "y");
}

/* Resize (linear) of x [1,1,1,2] to [1,1,1,n]: 24 bytes of tables per
 * output position (2 taps of an index and a weight) */
static ow_buf resize_model(int64_t n) {
    ow_buf g = {0};
    float x[2] = {1.0f, 2.0f};
    int64_t xd[4] = {1, 1, 1, 2}, sizes[4] = {1, 1, 1, n};
    ow_buf t = ow_tensor("x", OW_FLOAT, 4, xd, x, sizeof x);
    ow_msg(&g, OW_G_INIT, &t);
    init_i64(&g, "sizes", 4, sizes);
    const char *ins[4] = {"x", "", "", "sizes"}, *outs[1] = {"y"};
    ow_buf nd = ow_node("Resize", "y", ins, 4, outs, 1);
    ow_attr_str(&nd, "mode", "linear");
    ow_msg(&g, OW_G_NODE, &nd);
    return finish(&g, "y");
}

static tern_model *load(th_ctx *t, ow_buf *m, const char *name) {
    tern_model *model = NULL;
    if (tern_model_load_buffer(m->b, m->n, NULL, &model) != TERN_OK) {
        th_fail(t, name, "model does not load: %s", model ? tern_model_error(model) : "OOM");
        tern_model_free(model);
        model = NULL;
    }
    ow_free(m);
    return model;
}

/* Session creation must fail with status `want` and a message holding
 * every needle (NULL-terminated). The session is never run. */
static void expect_refused(th_ctx *t, const char *name, const tern_model *m,
                           const tern_session_options *o, tern_status want,
                           const char *const *needles) {
    tern_session *s = NULL;
    tern_status st = tern_session_create(m, o, &s);
    const char *msg = s ? tern_session_error(s) : "";
    int ok = st == want;
    for (int k = 0; ok && needles[k]; k++) ok = strstr(msg, needles[k]) != NULL;
    th_check(t, ok, name, "status %d (%s), wanted %d; message '%s'", (int)st, tern_status_name(st),
             (int)want, msg);
    tern_session_free(s);
}

/* ---- size arithmetic ---- */

static void test_wrapping_sizes(th_ctx *t) {
    /* (2^62 - 1) floats = 2^64 - 4 bytes: rounded up to 64 it used to wrap to 0 */
    const int64_t n = ((int64_t)1 << 62) - 1;
    static const char *const too_large[] = {"too large", NULL};
    struct {
        const char *name;
        ow_buf (*make)(int64_t);
    } cases[] = {{"hostile ConstantOfShape of 2^64 bytes refused", cos_model},
                 {"hostile Expand to 2^64 bytes refused", expand_model},
                 {"hostile Tile to 2^64 bytes refused", tile_model}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ow_buf b = cases[i].make(n);
        tern_model *m = load(t, &b, cases[i].name);
        if (!m) continue;
        tern_session_options o = {0};
        o.flags = TERN_SESSION_DEFER_ARENA;
        expect_refused(t, cases[i].name, m, &o, TERN_ERR_SHAPE, too_large);
        tern_model_free(m);
    }
}

/* 2^46 floats is exactly TERN_MAX_TENSOR_BYTES (2^48): allowed by size, so
 * only the budget stops it; one more element is too large whatever the
 * budget. */
static void test_size_limit(th_ctx *t) {
    const int64_t at = (int64_t)1 << 46;
    static const char *const too_large[] = {"too large", NULL};
    static const char *const budget[] = {"memory budget exceeded", NULL};
    ow_buf b = cos_model(at + 1);
    tern_model *m = load(t, &b, "tensor of 2^48 + 4 bytes");
    tern_session_options o = {0};
    o.flags = TERN_SESSION_DEFER_ARENA;
    o.max_memory = SIZE_MAX;
    if (m) expect_refused(t, "tensor of 2^48 + 4 bytes refused", m, &o, TERN_ERR_SHAPE, too_large);
    tern_model_free(m);
    b = cos_model(at);
    m = load(t, &b, "tensor of 2^48 bytes");
    if (!m) return;
    tern_session *s = NULL;
    tern_status st = tern_session_create(m, &o, &s);
    size_t want = (size_t)1 << 49; /* c and y, both live at the Relu */
    th_check(t, st == TERN_OK && tern_session_arena_size(s) == want,
             "tensor of 2^48 bytes planned without a budget (arena not allocated)",
             "status %d, arena %zu (want %zu): %s", (int)st, tern_session_arena_size(s), want,
             s ? tern_session_error(s) : "");
    tern_session_free(s);
    o.max_memory = 0;
    expect_refused(t, "tensor of 2^48 bytes over the default budget", m, &o, TERN_ERR_NOMEM,
                   budget);
    tern_model_free(m);
}

/* ---- memory budget ---- */

static void test_arena_budget(th_ctx *t) {
    static const char *const budget[] = {"memory budget exceeded", "arena 8589934592",
                                         "max_memory", "--max-memory", NULL};
    ow_buf b = relu_input_model((int64_t)1 << 30); /* 4 GiB in, 4 GiB out */
    tern_model *m = load(t, &b, "8 GiB arena");
    if (!m) return;
    tern_session_options o = {0};
    expect_refused(t, "8 GiB arena refused by the default budget", m, &o, TERN_ERR_NOMEM,
                   budget);
    o.flags = TERN_SESSION_DEFER_ARENA;
    expect_refused(t, "8 GiB arena refused even when lent", m, &o, TERN_ERR_NOMEM, budget);
    size_t limits[2] = {(size_t)9 << 30, SIZE_MAX};
    for (int k = 0; k < 2; k++) {
        tern_session *s = NULL;
        o.max_memory = limits[k];
        tern_status st = tern_session_create(m, &o, &s);
        th_check(t, st == TERN_OK && tern_session_arena_size(s) == ((size_t)8 << 30),
                 k ? "8 GiB arena with no limit" : "8 GiB arena within a raised budget",
                 "status %d, arena %zu: %s", (int)st, tern_session_arena_size(s),
                 s ? tern_session_error(s) : "");
        tern_session_free(s);
    }
    tern_model_free(m);
}

/* The number after "key": in a JSON report, or -1. */
static long long json_number(const char *json, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(json, pat);
    return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

static void test_fold_budget(th_ctx *t) {
    static const char *const budget[] = {"memory budget exceeded", "before its arena",
                                         "constants", NULL};
    ow_buf b = fold_model(8, (int64_t)1 << 20); /* 8 folded constants of 4 MiB */
    tern_model *m = load(t, &b, "folded constants");
    if (!m) return;
    tern_session_options o = {0};
    o.max_memory = (size_t)16 << 20;
    expect_refused(t, "folding 32 MiB refused by a 16 MiB budget", m, &o, TERN_ERR_NOMEM, budget);
    o.max_memory = (size_t)64 << 20;
    tern_session *s = NULL;
    char json[4096];
    size_t len = 0;
    tern_status st = tern_session_create(m, &o, &s);
    if (st == TERN_OK) st = tern_session_report(s, TERN_REPORT_JSON, json, sizeof json, &len);
    th_check(t, st == TERN_OK && json_number(json, "constant_bytes") == (32 << 20) &&
                    json_number(json, "max_memory") == (64 << 20) &&
                    json_number(json, "memory_bytes") ==
                        json_number(json, "arena_bytes") + (32 << 20),
             "folded constants counted in the report", "status %d: %s", (int)st,
             st == TERN_OK ? json : tern_session_error(s));
    tern_session_free(s);
    tern_model_free(m);
}

/* Resize's tables are taken while its shape is inferred, before the
 * arena is planned: 2^28 - 1 positions would take 6 GiB of tables for a 1 GiB
 * output. They count against the budget before they are allocated. */
static void test_table_budget(th_ctx *t) {
    static const char *const budget[] = {"memory budget exceeded", "before its arena",
                                         "packed weights/tables 6442450992", NULL};
    ow_buf b = resize_model(((int64_t)1 << 28) - 1); /* Resize allows sizes below 2^28 */
    tern_model *m = load(t, &b, "Resize tables");
    if (!m) return;
    tern_session_options o = {0};
    o.flags = TERN_SESSION_DEFER_ARENA;
    expect_refused(t, "Resize tables of 6 GiB refused by the default budget", m, &o,
                   TERN_ERR_NOMEM, budget);
    tern_model_free(m);
    b = resize_model(1000);
    m = load(t, &b, "Resize tables");
    tern_session *s = NULL;
    char json[4096];
    size_t len = 0;
    tern_status st = m ? tern_session_create(m, &o, &s) : TERN_ERR_PARSE;
    if (st == TERN_OK) st = tern_session_report(s, TERN_REPORT_JSON, json, sizeof json, &len);
    /* 2 taps of 12 bytes for each position of each axis: 3 axes of 1, one of 1000 */
    th_check(t, st == TERN_OK && json_number(json, "packed_bytes") == 3 * 24 + 1000 * 24,
             "Resize tables counted in the report", "status %d: %s", (int)st,
             st == TERN_OK ? json : s ? tern_session_error(s) : "");
    tern_session_free(s);
    tern_model_free(m);
}

/* ---- the arena is not cleared: no op reads what it did not write ---- */

static uint32_t next(uint32_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Outputs of m on seeded inputs, computed in an arena filled with `fill`;
 * all outputs concatenated into *out (caller frees). 0 on failure. */
static int run_in_arena(const tern_model *m, int fill, unsigned char **out, size_t *out_len,
                        char *msg, size_t cap) {
    tern_session_options o = {0};
    o.flags = TERN_SESSION_DEFER_ARENA;
    tern_session *s = NULL;
    unsigned char *arena = NULL;
    int ok = 0;
    *out = NULL;
    *out_len = 0;
    if (tern_session_create(m, &o, &s) != TERN_OK) goto done;
    size_t need = tern_session_arena_size(s);
    arena = aligned_alloc(TERN_ARENA_ALIGN, need ? need : TERN_ARENA_ALIGN);
    if (!arena) goto done;
    memset(arena, fill, need);
    if (tern_session_set_arena(s, arena, need) != TERN_OK) goto done;
    uint32_t seed = 2463534242u;
    for (int i = 0; i < tern_session_input_count(s); i++) {
        tern_tensor_info info;
        tern_session_input_info(s, i, &info);
        unsigned char *x = malloc(info.bytes + 4);
        if (!x) goto done;
        for (size_t k = 0; k + 4 <= info.bytes; k += 4) { /* floats in [-1, 1) */
            float f = (float)(next(&seed) >> 8) / (float)(1u << 23) - 1.0f;
            memcpy(x + k, &f, 4);
        }
        tern_status st = tern_session_set_input(s, i, x, info.bytes);
        free(x);
        if (st != TERN_OK) goto done;
    }
    if (tern_session_run(s) != TERN_OK) goto done;
    for (int i = 0; i < tern_session_output_count(s); i++) {
        tern_tensor_info info;
        const void *data;
        tern_session_output_info(s, i, &info);
        if (tern_session_output_data(s, i, &data) != TERN_OK) goto done;
        unsigned char *grown = realloc(*out, *out_len + info.bytes + 1);
        if (!grown) goto done;
        *out = grown;
        memcpy(*out + *out_len, data, info.bytes);
        *out_len += info.bytes;
    }
    ok = 1;
done:
    if (!ok) snprintf(msg, cap, "%s", s ? tern_session_error(s) : "no session");
    tern_session_free(s);
    free(arena);
    return ok;
}

static void poisoned_arena(th_ctx *t, const char *path) {
    char name[600], msg[512] = "";
    snprintf(name, sizeof name, "arena of 0xff bytes changes nothing: %s", path);
    size_t len = 0;
    unsigned char *bytes = th_read_file(path, &len);
    tern_model *m = NULL;
    if (!bytes || tern_model_load_buffer(bytes, len, NULL, &m) != TERN_OK) {
        th_fail(t, name, "cannot load %s", path);
        free(bytes);
        tern_model_free(m);
        return;
    }
    free(bytes);
    unsigned char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    int ok = run_in_arena(m, 0x00, &a, &na, msg, sizeof msg) &&
             run_in_arena(m, 0xff, &b, &nb, msg, sizeof msg);
    th_check(t, ok && na == nb && na > 0 && memcmp(a, b, na) == 0, name, "%s",
             ok ? "outputs differ: an op read memory it had not written" : msg);
    free(a);
    free(b);
    tern_model_free(m);
}

static void test_poisoned_arena(th_ctx *t) {
    static const char *const own[] = {
        "tools/demo/digits.onnx",
        "tests/models/avgpool_ceil_excl_pad.onnx", "tests/models/clip11_init.onnx",
        "tests/models/conv1d.onnx", "tests/models/conv_bias_bn_relu.onnx",
        "tests/models/conv_bn_hsig_mul.onnx", "tests/models/conv_bn_silu.onnx",
        "tests/models/conv_dilated.onnx", "tests/models/conv_dw_mult2.onnx",
        "tests/models/conv_group4.onnx", "tests/models/flatten_view.onnx",
        "tests/models/hardsigmoid_gate.onnx", "tests/models/identity_dropout.onnx",
        "tests/models/matmul_add.onnx", "tests/models/nhwc_output.onnx",
        "tests/models/nhwc_transpose.onnx", "tests/models/pad_value_conv.onnx",
        "tests/models/reducemean_keepdims0.onnx", "tests/models/softmax_head.onnx",
        "tests/models/trap_bn_after_add.onnx", "tests/models/trap_conv_shared.onnx",
        "tests/models/two_inputs.onnx"};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) poisoned_arena(t, own[i]);
    char path[512];
    if (th_shared_path(t, "models/mobilenet_v3_small_fp32.onnx", path, sizeof path,
                       "arena of 0xff bytes: mobilenet_v3_small_fp32"))
        poisoned_arena(t, path);
}

/* ---- the CLI flag ---- */

/* `tern ARGS` with stdout and stderr into out; the exit status or -1. */
static int run_cli(th_ctx *t, char *out, size_t cap, const char *fmt, ...) TH_PRINTF(4, 5);

static int run_cli(th_ctx *t, char *out, size_t cap, const char *fmt, ...) {
    char args[1024], cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", t->cli, args);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    while (fgetc(p) != EOF) {
    }
    int st = pclose(p);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli(th_ctx *t) {
    char out[8192], path[600];
    const char *slash = strrchr(t->cli, '/');
    snprintf(path, sizeof path, "%.*s%stest_budget_relu.onnx", slash ? (int)(slash - t->cli) : 1,
             slash ? t->cli : ".", "/");
    ow_buf b = relu_input_model(1 << 20); /* arena 8 MiB */
    FILE *f = fopen(path, "wb");
    int written = f && fwrite(b.b, 1, b.n, f) == b.n;
    if (f) fclose(f);
    ow_free(&b);
    if (!th_check(t, written, "cli --max-memory: scratch model", "cannot write %s", path)) return;
    static const char *const bad[] = {"0", "1x", "''", "-5", "1KB", "K", "18446744073709551616",
                                      "99999999999G", "1.5G", "' 1K'"};
    int failed = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int st = run_cli(t, out, sizeof out, "info '%s' --max-memory %s", path, bad[i]);
        if (st != 2 || !strstr(out, "bad value") || !strstr(out, "--max-memory")) {
            th_fail(t, "cli --max-memory rejects bad values", "'%s': exit %d, '%s'", bad[i], st,
                    out);
            failed = 1;
        }
    }
    if (!failed) th_pass(t, "cli --max-memory rejects bad values");
    int st = run_cli(t, out, sizeof out, "info '%s' --max-memory 1M", path);
    th_check(t, st == 2 && strncmp(out, "tern: ", 6) == 0 &&
                    strstr(out, "memory budget exceeded") && strstr(out, "--max-memory"),
             "cli --max-memory too small: exit 2 and the budget", "exit %d, '%s'", st, out);
    st = run_cli(t, out, sizeof out, "info '%s' --max-memory=9m", path);
    th_check(t, st == 0 && strstr(out, "memory:     8388608 bytes") &&
                    strstr(out, "budget of 9437184 bytes"),
             "cli info reports memory against --max-memory", "exit %d, '%s'", st, out);
    st = run_cli(t, out, sizeof out, "info '%s'", path);
    th_check(t, st == 0 && strstr(out, "budget of 4294967296 bytes"),
             "cli info reports the default budget", "exit %d, '%s'", st, out);
    /* tern run reads its inputs first (dims it binds come from them) */
    char npy[640];
    snprintf(npy, sizeof npy, "%s.x.npy", path);
    float *zeros = calloc((size_t)1 << 20, sizeof(float));
    tern_err err;
    int have = zeros && tern_npy_write_file(npy, TERN_FLOAT, 2, (const int64_t[]){1, 1 << 20}, zeros,
                                            &err) == TERN_OK;
    free(zeros);
    st = run_cli(t, out, sizeof out, "run '%s' --max-memory 4K --input '%s'", path, npy);
    th_check(t, have && st == 2 && strstr(out, "memory budget exceeded"),
             "cli run --max-memory too small: exit 2", "exit %d, '%s'", st, out);
    remove(npy);
    remove(path);
}

TH_SUITE(suite_budget) {
    test_wrapping_sizes(t);
    test_size_limit(t);
    test_arena_budget(t);
    test_fold_budget(t);
    test_table_budget(t);
    test_poisoned_arena(t);
    test_cli(t);
}
