/* The list of test suites, one X(name) per suite function (TH_SUITE). */
#ifndef TERN_TEST_SUITES_H
#define TERN_TEST_SUITES_H
#include "tests/harness.h"

#define TERN_TEST_SUITES \
    X(suite_common) \
    X(suite_kernels_nn) \
    X(suite_kernels_tensor) \
    X(suite_kernels_nn_extra) \
    X(suite_kernels_int8) \
    X(suite_kernels_simd) \
    X(suite_conv_fast) \
    X(suite_kernels_int8_ops) \
    X(suite_int8_bitexact) \
    X(suite_int8_isas) \
    X(suite_int8_models) \
    X(suite_kernels_qs8_ties) \
    X(suite_int8_isa_identity) \
    X(suite_pb) \
    X(suite_onnx_load) \
    X(suite_passes) \
    X(suite_strict_inputs) \
    X(suite_api) \
    X(suite_shapes) \
    X(suite_image_api) \
    X(suite_fuzz_session) \
    X(suite_budget) \
    X(suite_plan) \
    X(suite_conformance) \
    X(suite_model_passes) \
    X(suite_models) \
    X(suite_formats) \
    X(suite_jpeg) \
    X(suite_jpeg_hostile) \
    X(suite_cli) \
    X(suite_ptq) \
    X(suite_ptq_cli) \
    X(suite_own_models)

#define X(name) void name(th_ctx *t);
TERN_TEST_SUITES
#undef X

#endif
