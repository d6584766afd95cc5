/* Fuzz past the loader: byte-flipped models that still parse go on through
 * session creation (shape inference, folding, passes, planning) and a run on
 * zero inputs. Whatever the bytes, each step either succeeds or returns an
 * error with a message; nothing may crash or read out of bounds (this suite
 * earns its keep under `make test SAN=1`). Deterministic (xorshift). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
#include "tern.h"

static uint32_t next(uint32_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Zero inputs, one run; 0 if it failed without a message. */
static int run_zero(tern_session *s, int *ran) {
    for (int i = 0; i < tern_session_input_count(s); i++) {
        tern_tensor_info info;
        tern_session_input_info(s, i, &info);
        void *zero = calloc(1, info.bytes ? info.bytes : 1);
        tern_session_set_input(s, i, zero, info.bytes);
        free(zero);
    }
    if (tern_session_run(s) == TERN_OK) {
        (*ran)++;
        return 1;
    }
    return tern_session_error(s)[0] != 0;
}

/* Returns 0 if a step failed without a message. */
static int try_mutant(const unsigned char *bytes, size_t len, int *loaded, int *compiled,
                      int *ran) {
    tern_model *m = NULL;
    tern_session *s = NULL;
    int ok = 1;
    if (tern_model_load_buffer(bytes, len, NULL, &m) != TERN_OK) {
        ok = m && tern_model_error(m)[0];
        goto out;
    }
    (*loaded)++;
    /* defer the arena: a flipped dim can ask for gigabytes, which is a
     * legitimate model that this test has no reason to run */
    tern_session_options o = {0};
    o.flags = TERN_SESSION_DEFER_ARENA;
    if (tern_session_create(m, &o, &s) != TERN_OK) {
        ok = s && tern_session_error(s)[0];
        goto out;
    }
    (*compiled)++;
    size_t need = tern_session_arena_size(s);
    if (need > (1u << 20)) goto out;
    void *arena = aligned_alloc(TERN_ARENA_ALIGN, need + TERN_ARENA_ALIGN);
    if (!arena || tern_session_set_arena(s, arena, need) != TERN_OK) {
        free(arena);
        ok = 0;
        goto out;
    }
    ok = run_zero(s, ran);
    free(arena);
out:
    tern_session_free(s);
    tern_model_free(m);
    return ok;
}

static void fuzz_file(th_ctx *t, const char *path, int rounds) {
    char name[256];
    snprintf(name, sizeof name, "fuzz session %s", path);
    size_t len;
    unsigned char *orig = th_read_file(path, &len);
    if (!orig || len == 0) {
        th_fail(t, name, "cannot read %s", path);
        free(orig);
        return;
    }
    unsigned char *buf = malloc(len);
    uint32_t seed = 0x9e3779b9u;
    int loaded = 0, compiled = 0, ran = 0, silent = 0;
    for (int r = 0; r < rounds; r++) {
        memcpy(buf, orig, len);
        int flips = 1 + (int)(next(&seed) % 4);
        for (int f = 0; f < flips; f++) buf[next(&seed) % len] ^= (unsigned char)(1u << (next(&seed) % 8));
        silent += !try_mutant(buf, len, &loaded, &compiled, &ran);
    }
    if (t->verbose)
        printf("  %s: %d mutants, %d loaded, %d compiled, %d ran\n", path, rounds, loaded,
               compiled, ran);
    th_check(t, silent == 0 && compiled > 0, name,
             "%d failures without a message; %d of %d mutants compiled", silent, compiled, rounds);
    free(buf);
    free(orig);
}

TH_SUITE(suite_fuzz_session) {
    fuzz_file(t, "tools/demo/digits.onnx", 3000);
    fuzz_file(t, "tests/models/flatten_view.onnx", 1500);
    fuzz_file(t, "tests/models/pad_value_conv.onnx", 1500);
}
