/* `tern quantize` and `tern eval --int8/--calib` through the CLI: on the
 * demo model (always), and on MobileNetV3-Small from ../shared (a few
 * images; skipped without it). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness.h"

typedef struct {
    th_ctx *t;
    char out[600], text[16384];
} qcli;

static int run(qcli *e, const char *fmt, ...) TH_PRINTF(2, 3);
static int run(qcli *e, const char *fmt, ...) {
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>&1", e->t->cli, args, e->out);
    int st = system(cmd);
    size_t len = 0;
    unsigned char *b = th_read_file(e->out, &len);
    if (len > sizeof e->text - 1) len = sizeof e->text - 1;
    if (b) memcpy(e->text, b, len);
    e->text[b ? len : 0] = 0;
    free(b);
    return (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
}

static int has(const qcli *e, const char *const *needles) {
    for (; *needles; needles++)
        if (!strstr(e->text, *needles)) return 0;
    return 1;
}

static void demo(qcli *e, const char *q) {
    int st = run(e, "quantize tools/demo/digits.onnx --calib tools/demo --count 4 --preset unit "
                    "-o '%s'", q);
    static const char *const sum[] = {"4 calibration images, method mse", "in INT8",
                                      "0 left in float", "wrote ", NULL};
    th_check(e->t, st == 0 && has(e, sum) && access(q, R_OK) == 0,
             "ptq cli: tern quantize writes the QDQ model and a summary", "exit %d: %s", st,
             e->text);
    st = run(e, "eval tools/demo/digits.onnx --images tools/demo --preset unit --int8 '%s' --json",
             q);
    static const char *const keys[] = {"\"fp32\":{\"top1\":", "\"int8\":{\"top1\":",
                                       "\"top1_delta\":", "\"agreement\":", "\"layers\":[{\"name\":",
                                       "\"op\":", "\"sqnr_db\":", "\"cosine\":", NULL};
    th_check(e->t, st == 0 && has(e, keys), "ptq cli: tern eval --int8 --json has the keys",
             "exit %d: %s", st, e->text);
    st = run(e, "eval tools/demo/digits.onnx --images tools/demo --preset unit --calib tools/demo "
                "--method minmax --auto-fp32 1 --layers 3");
    static const char *const table[] = {"top-1 agreement", "SQNR dB", "cosine",
                                        "quantized on 4 calibration images", NULL};
    th_check(e->t, st == 0 && has(e, table), "ptq cli: tern eval --calib quantizes on the fly",
             "exit %d: %s", st, e->text);
    static const char *const bad[][2] = {
        {"quantize tools/demo/digits.onnx --calib tools/demo -o x.onnx --method kl", "--method"},
        {"quantize tools/demo/digits.onnx --calib tools/demo", "usage"},
        {"quantize tools/demo/digits.onnx --calib tools/demo -o x.onnx --percentile 101",
         "--percentile"},
        {"quantize tools/demo/digits.onnx --calib /nonexistent -o x.onnx", "nonexistent"},
        {"eval tools/demo/digits.onnx --images tools/demo --int8 tools/demo/labels.txt", "labels"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        st = run(e, "%s", bad[k][0]);
        char name[128];
        snprintf(name, sizeof name, "ptq cli: bad arguments exit 2 (%zu)", k);
        th_check(e->t, st == 2 && strstr(e->text, bad[k][1]) && !strstr(e->text, "wrote"), name,
                 "exit %d: %s", st, e->text);
    }
}

static void zoo(qcli *e, const char *q) {
    char model[512], labels[512];
    const char *name = "ptq cli: MobileNetV3-Small quantized on 4 JPEGs loads back";
    if (!th_shared_path(e->t, "models/mobilenet_v3_small_fp32.onnx", model, sizeof model, name) ||
        !th_shared_path(e->t, "data/imagenet-sample/LABELS.csv", labels, sizeof labels, name))
        return;
    char dir[512];
    snprintf(dir, sizeof dir, "%s", labels);
    *strrchr(dir, '/') = 0;
    int st = run(e, "quantize '%s' --calib '%s' --count 4 --preset tf127 -o '%s'", model, dir, q);
    static const char *const sum[] = {"2 left in float", "output head (float scores)", "Softmax", NULL};
    int ok = st == 0 && has(e, sum);
    st = run(e, "eval '%s' --labels '%s' --count 4 --preset tf127 --int8 '%s' --json", model,
             labels, q);
    static const char *const keys[] = {"\"images\":4", "\"agreement\":", "\"HardSigmoid\"", NULL};
    th_check(e->t, ok && st == 0 && has(e, keys), name, "exit %d: %s", st, e->text);
}

TH_SUITE(suite_ptq_cli) {
    qcli e = {.t = t};
    if (access(t->cli, X_OK) != 0) {
        th_skip(t, "ptq cli", "the CLI binary is missing");
        return;
    }
    char q[600];
    snprintf(e.out, sizeof e.out, "ptq_cli_out.%d.txt", (int)getpid());
    snprintf(q, sizeof q, "ptq_cli_model.%d.onnx", (int)getpid());
    demo(&e, q);
    zoo(&e, q);
    unlink(q);
    unlink(e.out);
}
