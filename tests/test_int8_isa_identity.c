/* suite_int8_isa_identity: every shared INT8 model gives the same output
 * bytes under every kernel level this CPU runs (TERN_ISA=ref, the
 * specification, and each SIMD level), and the reference output hashes
 * (FNV-1a) to the constant below, which was computed on x86-64: the same
 * constant under qemu-aarch64 (cortex-a72 and max) and natively means x86,
 * NEON, dot product and the reference all give identical bits
 * (docs/quantization.md section 10, docs/arm.md). The input is a fixed
 * pseudo-random pattern made with integer arithmetic only. Skipped without
 * ../shared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/kernels.h"
#include "tern.h"
#include "tests/harness.h"
#include "tests/int8_naive.h"
#include "tests/suites.h"

static const struct {
    const char *model;
    uint64_t hash; /* FNV-1a of all output bytes under TERN_ISA=ref */
} MODELS[] = {
    {"mobilenet_v2_int8_qop", UINT64_C(0x63e7e753463a4d95)},       {"mobilenet_v2_keras_int8pc_qdq", UINT64_C(0x3bc8ecb608d28bf9)},
    {"mobilenet_v2_uint8_qdq", UINT64_C(0x63e7e753463a4d95)},      {"mobilenet_v3_large_min_uint8_qdq", UINT64_C(0x80c3c93474bcbde2)},
    {"mobilenet_v3_small_int8_qop", UINT64_C(0x38676ebba975ceba)}, {"mobilenet_v3_small_uint8_qdq", UINT64_C(0x38676ebba975ceba)},
};

static void fill(void *data, const tern_tensor_info *info) {
    uint32_t s = 12345;
    if (info->dtype == TERN_FLOAT) {
        float *f = data;
        for (size_t i = 0; i < info->bytes / 4; i++) {
            s = s * 1664525u + 1013904223u;
            f[i] = (float)(s >> 8) / 16777216.0f * 2.0f - 1.0f; /* exact: 24-bit / 2^24 */
        }
        return;
    }
    unsigned char *b = data;
    for (size_t i = 0; i < info->bytes; i++)
        b[i] = (unsigned char)((s = s * 1664525u + 1013904223u) >> 24);
}

/* FNV-1a of every output of m run at isa; 0 on failure (err set). */
static uint64_t run_hash(const tern_model *m, const char *isa, char *err, size_t cap) {
    tern_session_options o = {.threads = 1, .isa = isa};
    tern_session *s = NULL;
    uint64_t h = FNV1A_INIT;
    if (tern_session_create(m, &o, &s) != TERN_OK) {
        snprintf(err, cap, "%s", s ? tern_session_error(s) : "out of memory");
        tern_session_free(s);
        return 0;
    }
    for (int i = 0; i < tern_session_input_count(s); i++) {
        tern_tensor_info info;
        tern_session_input_info(s, i, &info);
        void *buf = malloc(info.bytes ? info.bytes : 1);
        fill(buf, &info);
        tern_session_set_input(s, i, buf, info.bytes);
        free(buf);
    }
    if (tern_session_run(s) != TERN_OK) {
        snprintf(err, cap, "%s", tern_session_error(s));
        h = 0;
    }
    for (int i = 0; h && i < tern_session_output_count(s); i++) {
        tern_tensor_info info;
        const void *data;
        tern_session_output_info(s, i, &info);
        if (tern_session_output_data(s, i, &data) == TERN_OK) h = fnv1a(h, data, info.bytes);
    }
    tern_session_free(s);
    return h;
}

TH_SUITE(suite_int8_isa_identity) {
    tern_cpu cpu;
    tern_cpu_detect(&cpu);
    for (size_t i = 0; i < sizeof MODELS / sizeof MODELS[0]; i++) {
        char rel[128], path[1024], name[160], err[256] = "";
        snprintf(rel, sizeof rel, "models/%s.onnx", MODELS[i].model);
        snprintf(name, sizeof name, "%s: same bytes under every kernel level", MODELS[i].model);
        if (!th_shared_path(t, rel, path, sizeof path, name)) continue;
        tern_model *m = NULL;
        if (tern_model_load_file(path, &m) != TERN_OK) {
            th_fail(t, name, "load: %s", m ? tern_model_error(m) : "out of memory");
            tern_model_free(m);
            continue;
        }
        uint64_t ref = run_hash(m, "ref", err, sizeof err);
        if (t->verbose)
            printf("  %s ref hash 0x%016llx\n", MODELS[i].model, (unsigned long long)ref);
        char bad[256] = "";
        for (int l = 1; l < TERN_ISA_COUNT && ref; l++) {
            if (!tern_cpu_has(&cpu, (tern_isa)l)) continue;
            uint64_t h = run_hash(m, tern_isa_name((tern_isa)l), err, sizeof err);
            if (h != ref && !bad[0])
                snprintf(bad, sizeof bad, "%s differs", tern_isa_name((tern_isa)l));
        }
        th_check(t, ref && !bad[0], name, "%s%s", ref ? bad : "ref run failed: ", ref ? "" : err);
        snprintf(name, sizeof name, "%s: reference output hash is x86-64's", MODELS[i].model);
        th_check(t, ref == MODELS[i].hash, name, "0x%016llx, want 0x%016llx",
                 (unsigned long long)ref, (unsigned long long)MODELS[i].hash);
        tern_model_free(m);
    }
}
