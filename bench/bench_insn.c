/* The program `make bench ARCH=aarch64` runs under qemu-aarch64 with the
 * TB trace on (bench/insn_report.py): loads a model, creates a session for
 * one ISA level with one thread, runs it once untraced-in-effect (warm-up),
 * then once more with per-node timing between two calls of
 * bench_insn_mark(). bench/insn_count.c reads qemu's trace and counts the
 * guest instructions executed between the marks, split into nodes by the
 * clock_gettime calls the per-node timing makes around every node. The node
 * list (index, name, op, MACs, SIMD or reference) labels the counts. The input is a fixed pseudo-random
 * pattern: the kernels' instruction counts do not depend on the data
 * (beyond a handful of branches in tails). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern.h"

/* The trace's landmark: its first instruction's address (from nm) is looked
 * for in the trace. noinline and a side effect keep it a real call. */
__attribute__((noinline)) void bench_insn_mark(int which);
volatile int bench_insn_sink;
__attribute__((noinline)) void bench_insn_mark(int which) { bench_insn_sink = which; }

static void fill_input(void *data, const tern_tensor_info *info) {
    uint32_t s = 12345;
    size_t n = info->bytes;
    if (info->dtype == TERN_FLOAT) {
        float *f = data;
        for (size_t i = 0; i < n / 4; i++) {
            s = s * 1664525u + 1013904223u;
            f[i] = (float)(s >> 8) / 16777216.0f * 2.0f - 1.0f;
        }
        return;
    }
    unsigned char *b = data;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        b[i] = (unsigned char)(s >> 24);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bench_insn MODEL.onnx ISA\n");
        return 2;
    }
    tern_model *m = NULL;
    tern_session *s = NULL;
    if (tern_model_load_file(argv[1], &m) != TERN_OK) {
        fprintf(stderr, "bench_insn: %s\n", m ? tern_model_error(m) : "out of memory");
        return 2;
    }
    tern_session_options o = {.threads = 1, .isa = argv[2]};
    if (tern_session_create(m, &o, &s) != TERN_OK) {
        fprintf(stderr, "bench_insn: %s\n", s ? tern_session_error(s) : "out of memory");
        return 2;
    }
    for (int i = 0; i < tern_session_input_count(s); i++) {
        tern_tensor_info info;
        tern_session_input_info(s, i, &info);
        void *buf = malloc(info.bytes ? info.bytes : 1);
        if (!buf) return 2;
        fill_input(buf, &info);
        tern_session_set_input(s, i, buf, info.bytes);
        free(buf);
    }
    int nodes = tern_session_node_count(s);
    double *sec = calloc((size_t)nodes + 1, sizeof *sec);
    if (!sec) return 2;
    printf("isa %s\n", tern_session_isa(s));
    for (int i = 0; i < nodes; i++) {
        tern_node_profile p;
        tern_session_node_profile(s, i, &p);
        printf("node %d\t%s\t%s\t%lld\t%s\n", i, p.name, p.op_type, (long long)p.macs,
               p.simd ? "simd" : "ref");
    }
    fflush(stdout); /* the counter may end qemu right after the second mark */
    bench_insn_mark(1);
    tern_status st = tern_session_run_profiled(s, sec);
    bench_insn_mark(2);
    if (st != TERN_OK) {
        fprintf(stderr, "bench_insn: %s\n", tern_session_error(s));
        return 2;
    }
    free(sec);
    tern_session_free(s);
    tern_model_free(m);
    return 0;
}
