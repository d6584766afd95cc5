/* libFuzzer harness past the loader: model bytes -> session (shapes bound,
 * a small memory budget) -> one run on zeros -> outputs read back. Built and
 * run by `make fuzz` / `make fuzz-run` (clang + libFuzzer; see the
 * Makefile); seeds: tests/fuzz/corpus/session and the own test models.
 *
 * Any crash, hang or sanitizer report is a bug; errors returned as
 * tern_status are the expected outcome for most inputs, and every one must
 * carry a message. The size of the input picks fused or unfused passes, so
 * both pipelines are explored. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tern.h"

/* Small enough that the fuzzer never waits on a large arena or a long run
 * of the reference kernels, large enough for the seed models. */
#define FUZZ_MAX_MEMORY ((size_t)16 << 20)
#define FUZZ_DYN_DIM 3 /* value of every dynamic input dim */

static void check_msg(tern_status st, const char *msg) {
    if (st != TERN_OK && (!msg || !msg[0])) __builtin_trap();
}

/* Every dynamic dim of every input becomes FUZZ_DYN_DIM (the batch 1). */
static int bind_dynamic(const tern_model *m, tern_input_shape *shapes, int64_t (*dims)[TERN_MAX_RANK],
                        int cap) {
    int n = 0;
    for (int i = 0; i < tern_model_input_count(m) && n < cap; i++) {
        tern_tensor_info info;
        if (tern_model_input_info(m, i, &info) != TERN_OK || info.rank <= 0) continue;
        for (int d = 0; d < info.rank; d++)
            dims[n][d] = info.dims[d] >= 0 ? info.dims[d] : d == 0 ? 1 : FUZZ_DYN_DIM;
        shapes[n] = (tern_input_shape){info.name, info.rank, dims[n]};
        n++;
    }
    return n;
}

/* Zeros into every input, one run, every output read back. */
static void run_once(tern_session *s) {
    for (int i = 0; i < tern_session_input_count(s); i++) {
        tern_tensor_info info;
        if (tern_session_input_info(s, i, &info) != TERN_OK) __builtin_trap();
        void *zeros = calloc(1, info.bytes ? info.bytes : 1);
        if (!zeros) return;
        tern_status st = tern_session_set_input(s, i, zeros, info.bytes);
        free(zeros);
        check_msg(st, tern_session_error(s));
        if (st != TERN_OK) return;
    }
    tern_status st = tern_session_run(s);
    check_msg(st, tern_session_error(s));
    if (st != TERN_OK) return;
    for (int o = 0; o < tern_session_output_count(s); o++) {
        tern_tensor_info info;
        const void *data;
        if (tern_session_output_info(s, o, &info) != TERN_OK ||
            tern_session_output_data(s, o, &data) != TERN_OK)
            __builtin_trap();
        volatile unsigned char sink = 0;
        for (size_t k = 0; k < info.bytes; k++) sink ^= ((const unsigned char *)data)[k];
        (void)sink;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tern_model *m = NULL;
    tern_status st = tern_model_load_buffer(data, size, NULL, &m);
    if (!m) return 0; /* out of memory */
    check_msg(st, tern_model_error(m));
    if (st == TERN_OK) {
        enum { CAP = 16 };
        tern_input_shape shapes[CAP];
        int64_t dims[CAP][TERN_MAX_RANK];
        tern_session_options o = {0};
        o.shapes = shapes;
        o.n_shapes = bind_dynamic(m, shapes, dims, CAP);
        o.max_memory = FUZZ_MAX_MEMORY;
        o.flags = (size & 1) ? TERN_SESSION_NO_FUSE : 0;
        tern_session *s = NULL;
        st = tern_session_create(m, &o, &s);
        if (s) check_msg(st, tern_session_error(s));
        if (st == TERN_OK) run_once(s);
        tern_session_free(s);
    }
    tern_model_free(m);
    return 0;
}
