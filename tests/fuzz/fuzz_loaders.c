/* libFuzzer harness for the loaders: the first byte picks the reader
 * (ONNX model, standalone TensorProto, .npy, .pnm, .pnm followed by the
 * library's image preprocessing with a preset and an output size from
 * bytes 1-3, or JPEG, strict or with TERN_JPEG_ALLOW_DAMAGED), the rest is
 * its input. Built and run by `make fuzz` / `make fuzz-run` (clang +
 * libFuzzer); seeds in tests/fuzz/corpus/loaders.
 *
 * Seeds: any .onnx, .npy, .pnm or .jpg file with its selector byte in
 * front (0: model, 1: tensor, 2: npy, 3: pnm, 4: pnm + preprocessing after
 * 3 bytes: preset, height, width, 5: jpeg, 6: jpeg decoding damaged data;
 * the fixtures in tests/data/jpeg make good JPEG seeds, e.g.
 * (printf '\005'; cat tests/data/jpeg/f420.jpg) > build/fuzz_corpus/f420).
 * Any crash or sanitizer report is a bug; errors returned as tern_status
 * are the expected outcome. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader/jpeg.h"
#include "loader/npy.h"
#include "loader/onnx.h"
#include "loader/pnm.h"
#include "loader/image_prep.h"

/* A returned error must carry a message. */
static void check_err(tern_status st, const tern_err *err) {
    if (st != TERN_OK && !err->msg[0]) __builtin_trap();
}

static void fuzz_model(const uint8_t *p, size_t n) {
    tern_graph g;
    tern_err err = {{0}};
    tern_status st = tern_onnx_load(p, n, NULL, &g, &err);
    check_err(st, &err);
    if (st == TERN_OK) tern_graph_free(&g);
}

static void fuzz_tensor(const uint8_t *p, size_t n) {
    tern_pool pool;
    memset(&pool, 0, sizeof pool);
    tern_tensor t;
    tern_err err = {{0}};
    check_err(tern_onnx_parse_tensor(p, n, &pool, &t, &err), &err);
    tern_pool_free(&pool);
}

static void fuzz_npy(const uint8_t *p, size_t n) {
    tern_npy a;
    tern_err err = {{0}};
    tern_status st = tern_npy_parse(p, n, &a, &err);
    check_err(st, &err);
    if (st == TERN_OK) tern_npy_free(&a);
}

static void fuzz_pnm(const uint8_t *p, size_t n) {
    tern_pnm img;
    tern_err err = {{0}};
    tern_status st = tern_pnm_parse(p, n, &img, &err);
    check_err(st, &err);
    if (st == TERN_OK) tern_pnm_free(&img);
}

/* Preset p[0] % 6, output size (p[1] % 64 + 1) x (p[2] % 64 + 1), channels
 * and BGR by bits of p[0] / 6, on the image in the rest. */
static void fuzz_preprocess(const uint8_t *p, size_t n) {
    static const char *const presets[] = {"none", "tf128", "tf127", "unit", "torchvision",
                                          "effnet-lite"};
    if (n < 3) return;
    tern_pnm img;
    tern_err err = {{0}};
    if (tern_pnm_parse(p + 3, n - 3, &img, &err) != TERN_OK) return;
    tern_preprocess prep;
    if (tern_preprocess_preset(presets[p[0] % 6], &prep) != TERN_OK) __builtin_trap();
    prep.bgr = (p[0] / 12) & 1;
    tern_prep_image in = {img.width, img.height, img.channels, img.data}, out;
    int h = p[1] % 64 + 1, w = p[2] % 64 + 1, c = (p[0] / 6) % 2 ? 3 : 1;
    if (tern_prep_pixels(&in, &prep, h, w, c, &out) == 0) {
        float *x = malloc(sizeof(float) * (size_t)h * (size_t)w * (size_t)c);
        if (x) tern_prep_to_float(&out, &prep, p[0] & 1, x);
        free(x);
        free(out.px);
    }
    tern_pnm_free(&img);
}

/* A decoded JPEG must be a whole image; its size is capped at 64 MB so a
 * header declaring a huge image costs no more than that. */
static void fuzz_jpeg(const uint8_t *p, size_t n, unsigned flags) {
    tern_pnm img;
    tern_err err = {{0}};
    tern_jpeg_options o = {flags, (size_t)1 << 26};
    tern_status st = tern_jpeg_decode_ex(p, n, &o, &img, NULL, &err);
    check_err(st, &err);
    if (st != TERN_OK) return;
    if (!img.data || img.width < 1 || img.height < 1 || (img.channels != 1 && img.channels != 3))
        __builtin_trap();
    volatile uint8_t sink = img.data[(size_t)img.width * img.height * img.channels - 1];
    (void)sink;
    tern_pnm_free(&img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] % 7) {
    case 0: fuzz_model(p, n); break;
    case 1: fuzz_tensor(p, n); break;
    case 2: fuzz_npy(p, n); break;
    case 3: fuzz_pnm(p, n); break;
    case 4: fuzz_preprocess(p, n); break;
    case 5: fuzz_jpeg(p, n, 0); break;
    default: fuzz_jpeg(p, n, TERN_JPEG_ALLOW_DAMAGED); break;
    }
    return 0;
}
