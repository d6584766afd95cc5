/* Tests of the ONNX loader (loader/onnx_*.c, loader/model_api.c). */
#include "loader/onnx.h"
#include "tests/harness.h"

TH_SUITE(suite_onnx_load) {
    (void)t;
}
