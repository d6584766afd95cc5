/* INT8 outputs are identical across every ISA and thread count
 * (suite_int8_isas): the shared quantized models (QOperator and QDQ;
 * per-tensor uint8 weights with zero points, per-channel int8 weights),
 * run on one fixed input under TERN_ISA=ref (the specification) with one
 * thread, then under every other level this CPU runs, with 1 and 2
 * threads; every output byte must match. Levels the CPU lacks are
 * reported as skipped; without ../shared the suite skips. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/kernels.h"
#include "tern.h"
#include "tests/harness.h"
#include "tests/suites.h"

static const char *const MODELS[] = {"mobilenet_v2_int8_qop", "mobilenet_v3_small_int8_qop",
                                     "mobilenet_v2_uint8_qdq", "mobilenet_v2_keras_int8pc_qdq"};

/* Run m once under isa with threads; the output bytes in a malloc'd buffer
 * (*bytes), or NULL with the error in msg. */
static unsigned char *run_once(const tern_model *m, const char *isa, int threads,
                               const float *input, size_t in_bytes, size_t *bytes, char *msg,
                               size_t cap) {
    tern_session_options o = {.threads = threads, .isa = isa};
    tern_session *s = NULL;
    unsigned char *out = NULL;
    tern_tensor_info info;
    if (tern_session_create(m, &o, &s) != TERN_OK) {
        snprintf(msg, cap, "create: %s", s ? tern_session_error(s) : "failed");
    } else if (tern_session_set_input(s, 0, input, in_bytes) != TERN_OK ||
               tern_session_run(s) != TERN_OK || tern_session_output_info(s, 0, &info) != TERN_OK) {
        snprintf(msg, cap, "run: %s", tern_session_error(s));
    } else {
        *bytes = info.bytes;
        out = malloc(info.bytes);
        if (out && tern_session_get_output(s, 0, out, info.bytes) != TERN_OK) {
            snprintf(msg, cap, "output: %s", tern_session_error(s));
            free(out);
            out = NULL;
        }
    }
    tern_session_free(s);
    return out;
}

/* A fixed input in [-1, 1) (the models' tf128 range). */
static float *make_input(size_t n) {
    float *x = malloc(n * sizeof *x);
    uint32_t s = 12345;
    for (size_t i = 0; x && i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)(s >> 8) / 8388608.0f - 1.0f;
    }
    return x;
}

static void check_model(th_ctx *t, const char *name, const tern_cpu *cpu) {
    char rel[128], path[512], case_name[160], msg[300] = "";
    snprintf(rel, sizeof rel, "models/%s.onnx", name);
    snprintf(case_name, sizeof case_name, "int8 isas: %s", name);
    if (!th_shared_path(t, rel, path, sizeof path, case_name)) return;
    tern_model *m = NULL;
    if (tern_model_load_file(path, &m) != TERN_OK) {
        th_fail(t, case_name, "load: %s", m ? tern_model_error(m) : "failed");
        tern_model_free(m);
        return;
    }
    tern_tensor_info in;
    if (tern_model_input_info(m, 0, &in) != TERN_OK || in.dtype != TERN_FLOAT) {
        th_fail(t, case_name, "input 0 is not float32");
        tern_model_free(m);
        return;
    }
    float *x = make_input(in.bytes / sizeof(float));
    size_t ref_bytes = 0, bytes = 0;
    unsigned char *ref = run_once(m, "ref", 1, x, in.bytes, &ref_bytes, msg, sizeof msg);
    int runs = 0, bad = 0;
    for (int isa = 1; ref && isa < TERN_ISA_COUNT; isa++) {
        if (!tern_cpu_has(cpu, (tern_isa)isa)) continue;
        for (int threads = 1; threads <= 2; threads++) {
            unsigned char *y = run_once(m, tern_isa_name((tern_isa)isa), threads, x, in.bytes,
                                        &bytes, msg, sizeof msg);
            runs++;
            if (!y || bytes != ref_bytes || memcmp(y, ref, bytes) != 0) {
                if (!bad++ && y)
                    snprintf(msg, sizeof msg, "%s with %d threads differs from ref",
                             tern_isa_name((tern_isa)isa), threads);
            }
            free(y);
        }
    }
    snprintf(case_name, sizeof case_name, "int8 isas: %s identical under ref and %d ISA/thread runs",
             name, runs);
    th_check(t, ref && bad == 0, case_name, "%s", msg);
    free(ref);
    free(x);
    tern_model_free(m);
}

TH_SUITE(suite_int8_isas) {
    tern_cpu cpu;
    tern_cpu_detect(&cpu);
    int levels = 0;
    for (int isa = 1; isa < TERN_ISA_COUNT; isa++) levels += tern_cpu_has(&cpu, (tern_isa)isa);
    if (levels == 0) {
        th_skip(t, "int8 isas", "this CPU runs no SIMD level (only ref)");
        return;
    }
    for (size_t i = 0; i < sizeof MODELS / sizeof MODELS[0]; i++) check_model(t, MODELS[i], &cpu);
}
