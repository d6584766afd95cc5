/* Tests of the tern CLI (tools/tern), run as a separate process (t->cli):
 * bad inputs must end with exit status 2 and one "tern: ..." line on stderr,
 * never a crash; `tern preprocess` must equal the Pillow references in
 * tests/data/prep (tools/make_preprocess_refs.py); and real runs on the
 * repo's small models must reproduce their reference outputs. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loader/npy.h"
#include "loader/pnm.h"
#include "tests/harness.h"

typedef struct {
    th_ctx *t;
    char dir[512];   /* scratch folder next to the CLI binary */
    char out[600];   /* captured stdout file */
    char err[600];   /* captured stderr file */
    char text[8192]; /* stdout + stderr of the last run */
} cli_env;

/* Run `tern ARGS` (args are trusted test strings); returns the exit status,
 * or -1 if it did not exit normally (a crash). */
static int cli_run(cli_env *e, const char *fmt, ...) TH_PRINTF(2, 3);
static int cli_run(cli_env *e, const char *fmt, ...) {
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s'", e->t->cli, args, e->out, e->err);
    int st = system(cmd);
    e->text[0] = 0;
    size_t used = 0;
    const char *files[2] = {e->out, e->err};
    for (int k = 0; k < 2; k++) {
        size_t len = 0;
        unsigned char *b = th_read_file(files[k], &len);
        if (!b) continue;
        if (len > sizeof e->text - 1 - used) len = sizeof e->text - 1 - used;
        memcpy(e->text + used, b, len);
        used += len;
        e->text[used] = 0;
        free(b);
    }
    return (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
}

/* The stderr of the last run: exactly one line starting "tern: ". */
static int one_error_line(const cli_env *e) {
    size_t len = 0;
    unsigned char *b = th_read_file(e->err, &len);
    if (!b) return 0;
    int lines = 0;
    for (size_t k = 0; k < len; k++) lines += b[k] == '\n';
    int ok = len > 6 && memcmp(b, "tern: ", 6) == 0 && lines == 1 && b[len - 1] == '\n';
    free(b);
    return ok;
}

static void expect_error(cli_env *e, const char *name, const char *needle, const char *args) {
    int st = cli_run(e, "%s", args);
    th_check(e->t, st == 2 && one_error_line(e) && strstr(e->text, needle), name,
             "exit %d, output '%s' (wanted status 2 and '%s')", st, e->text, needle);
}

static void scratch(const cli_env *e, const char *file, char *buf, size_t cap) {
    snprintf(buf, cap, "%s/%s", e->dir, file);
}

static int write_npy(const char *path, tern_dtype dt, int rank, const int64_t *dims,
                     const void *data) {
    tern_err err;
    return tern_npy_write_file(path, dt, rank, dims, data, &err) == TERN_OK;
}

static void write_bytes(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(data, 1, n, f);
    fclose(f);
}

static void usage_and_arguments(cli_env *e) {
    char garbage[700];
    int st = cli_run(e, "--help");
    th_check(e->t, st == 0 && strstr(e->text, "usage: tern"), "cli --help", "exit %d", st);
    /* every option the commands parse is in the usage text */
    static const char *const opts[] = {"--input",  "--output",   "--batch",  "--threads",
                                       "--no-fuse", "--preset",  "--labels", "--top",
                                       "--passes", "--json",     "--size",   "--channels",
                                       "--layout", "--pixels", "--shape", "--resize",
                                       "--crop", "--central-fraction", "--mean", "--std",
                                       "--bgr", "--images", "--count", "--predictions",
                                       "--strict", "tern eval", "--max-memory"};
    int missing = 0;
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) missing += !strstr(e->text, opts[k]);
    th_check(e->t, missing == 0, "cli usage lists every option", "%d missing", missing);
    st = cli_run(e, "help");
    th_check(e->t, st == 0 && strstr(e->text, "tern run"), "cli help", "exit %d", st);
    expect_error(e, "cli without arguments", "missing command", "");
    expect_error(e, "cli unknown command", "unknown command", "frobnicate");
    expect_error(e, "cli missing model", "missing MODEL", "info");
    expect_error(e, "cli missing model file", "no/such/model.onnx", "info no/such/model.onnx");
    scratch(e, "garbage.onnx", garbage, sizeof garbage);
    write_bytes(garbage, "\x08\xff\xff\xff\xff\xff\x0f this is not protobuf", 28);
    char args[2048];
    snprintf(args, sizeof args, "info '%s'", garbage);
    expect_error(e, "cli garbage model", "garbage.onnx", args);
    snprintf(args, sizeof args, "run '%s' --input x.npy", garbage);
    expect_error(e, "cli garbage model (run)", "garbage.onnx", args);
    expect_error(e, "cli bad flag", "--bogus", "run tools/demo/digits.onnx --bogus");
    expect_error(e, "cli bad --top", "--top", "run tools/demo/digits.onnx a.pgm --top zero");
    expect_error(e, "cli bad --batch", "--batch", "info tools/demo/digits.onnx --batch -3");
    expect_error(e, "cli option without value", "needs a value",
                 "run tools/demo/digits.onnx --input");
    expect_error(e, "cli nothing to run", "nothing to run", "run tools/demo/digits.onnx");
    expect_error(e, "cli images and tensors", "not both",
                 "run tools/demo/digits.onnx a.pgm --input b.npy");
    /* images always run one at a time: a --batch would be silently ignored */
    expect_error(e, "cli --batch with images", "--batch",
                 "run tools/demo/digits.onnx tools/demo/digit_0_2.pgm --batch 4");
    expect_error(e, "cli preprocess unknown preset", "unknown preset",
                 "preprocess tests/data/prep/rgb.ppm --preset tf129 --output x.npy");
    expect_error(e, "cli preprocess missing image", "no/such.ppm",
                 "preprocess no/such.ppm --preset tf128 --output x.npy");
}

/* Flag values that C's scanf would wrap or that print two error lines. */
static void preprocess_flags(cli_env *e) {
    const char *img = "tests/data/prep/rgb.ppm";
    char args[2048], out[700];
    scratch(e, "flags.npy", out, sizeof out);
    /* 2^32 + 224 would wrap to 224 through sscanf("%d") */
    snprintf(args, sizeof args, "preprocess %s --preset tf128 --size 4294967520 --output '%s'", img,
             out);
    expect_error(e, "cli preprocess --size beyond int", "bad --size", args);
    snprintf(args, sizeof args, "preprocess %s --preset tf128 --size 224x4294967520 --output '%s'",
             img, out);
    expect_error(e, "cli preprocess --size WxH beyond int", "bad --size", args);
    snprintf(args, sizeof args, "preprocess %s --preset tf128 --size ' +224' --output '%s'", img,
             out);
    expect_error(e, "cli preprocess --size with sign", "bad --size", args);
    snprintf(args, sizeof args, "preprocess %s --preset tf128 --channels 5 --output '%s'", img, out);
    expect_error(e, "cli preprocess bad --channels (one line)", "--channels", args);
    /* a 1 x 65535 image: torchvision's resize would make its long side
     * 65535 * 256 rows (4 GiB) before the crop */
    char tall[700];
    scratch(e, "tall.pgm", tall, sizeof tall);
    size_t n = 65535, hl = strlen("P5 1 65535 255\n");
    unsigned char *b = calloc(1, hl + n);
    if (b) {
        memcpy(b, "P5 1 65535 255\n", hl);
        write_bytes(tall, b, hl + n);
        free(b);
    }
    snprintf(args, sizeof args,
             "preprocess '%s' --preset torchvision --channels 1 --output '%s'", tall, out);
    expect_error(e, "cli preprocess torchvision of a 1x65535 image", "too large", args);
}

/* Output that cannot be written (a full disk: /dev/full) is an error with
 * status 2, not a silent exit 0 with the results lost. */
static void stdout_full(cli_env *e) {
    if (access("/dev/full", W_OK) != 0) {
        th_skip(e->t, "cli stdout on a full disk", "/dev/full is absent");
        return;
    }
    static const char *const cmds[] = {"--help", "info tools/demo/digits.onnx",
                                       "run tools/demo/digits.onnx tools/demo/digit_0_2.pgm"};
    for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
        char cmd[2048], name[128];
        snprintf(cmd, sizeof cmd, "'%s' %s >/dev/full 2>'%s'", e->t->cli, cmds[k], e->err);
        int st = system(cmd);
        int code = (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
        snprintf(name, sizeof name, "cli stdout on a full disk (%s)", cmds[k]);
        th_check(e->t, code == 2 && one_error_line(e), name, "exit %d", code);
    }
}

/* Every case of tests/data/prep/cases.txt, compared element for element. */
static void preprocess_refs(cli_env *e) {
    FILE *f = fopen("tests/data/prep/cases.txt", "r");
    if (!f) {
        th_skip(e->t, "cli preprocess references", "tests/data/prep/cases.txt missing");
        return;
    }
    char line[512], out[700];
    scratch(e, "prep.npy", out, sizeof out);
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char image[128], preset[32], size[32], layout[16], kind[16], expected[128], name[640];
        int ch, used = 0;
        if (sscanf(line, "%127s %31s %31s %d %15s %15s %127s%n", image, preset, size, &ch, layout,
                   kind, expected, &used) != 7)
            continue;
        char *flags = line + used; /* the generic preprocessing flags, if any */
        flags[strcspn(flags, "\n")] = 0;
        snprintf(name, sizeof name, "cli preprocess %s %s %s %dch %s %s%s (%s)", image, preset,
                 size, ch, layout, kind, flags, expected);
        int st =
            cli_run(e,
                    "preprocess tests/data/prep/%s --preset %s --size %s --channels %d "
                    "--layout %s %s %s --output '%s'",
                    image, preset, size, ch, layout, strcmp(kind, "pixels") ? "" : "--pixels",
                    flags, out);
        char exp_path[300];
        snprintf(exp_path, sizeof exp_path, "tests/data/prep/%s", expected);
        tern_npy a = {0}, b = {0};
        tern_err err;
        int ok = st == 0 && tern_npy_read_file(out, &a, &err) == TERN_OK &&
                 tern_npy_read_file(exp_path, &b, &err) == TERN_OK;
        size_t diff = 0;
        ok = ok && a.dtype == b.dtype && a.rank == b.rank && a.bytes == b.bytes &&
             memcmp(a.dims, b.dims, sizeof a.dims) == 0;
        for (size_t k = 0; ok && k < a.bytes; k++)
            diff += ((unsigned char *)a.data)[k] != ((unsigned char *)b.data)[k];
        th_check(e->t, ok && diff == 0, name, "exit %d, %zu bytes differ, '%s'", st, diff, e->text);
        tern_npy_free(&a);
        tern_npy_free(&b);
        n++;
    }
    fclose(f);
    th_check(e->t, n >= 18, "cli preprocess reference cases", "only %d cases", n);
}

static int file_exists(const char *p) {
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* Largest |a - b| between two float .npy files of equal shape, or -1. */
static double npy_max_diff(const char *pa, const char *pb) {
    tern_npy a = {0}, b = {0};
    tern_err err;
    double m = -1;
    if (tern_npy_read_file(pa, &a, &err) == TERN_OK &&
        tern_npy_read_file(pb, &b, &err) == TERN_OK && a.dtype == TERN_FLOAT &&
        b.dtype == TERN_FLOAT && a.rank == b.rank && a.bytes == b.bytes &&
        memcmp(a.dims, b.dims, sizeof a.dims) == 0) {
        m = 0;
        for (size_t k = 0; k < a.bytes / 4; k++) {
            double d = fabs((double)((float *)a.data)[k] - ((float *)b.data)[k]);
            if (!(d <= m)) m = d; /* NaN makes it NaN-proof large */
        }
    }
    tern_npy_free(&a);
    tern_npy_free(&b);
    return m;
}

/* Errors that need a loadable model: wrong npy shape/dtype/layout, names. */
static void tensor_errors(cli_env *e) {
    const char *m = "tests/models/two_inputs.onnx";
    if (!file_exists(m) || !file_exists("tools/demo/digits.onnx")) {
        th_skip(e->t, "cli tensor errors", "tests/models/two_inputs.onnx or the demo is absent");
        return;
    }
    char p[700], q[700], args[2048];
    float zeros[4 * 5 * 5 * 2] = {0};
    int64_t bad_shape[4] = {1, 2, 5, 4}, good_x[4] = {1, 2, 5, 5};
    scratch(e, "bad_shape.npy", p, sizeof p);
    write_npy(p, TERN_FLOAT, 4, bad_shape, zeros);
    snprintf(args, sizeof args, "run %s --input x='%s' --input skip='%s'", m, p, p);
    expect_error(e, "cli wrong npy shape", "wants shape [1,2,5,5]", args);
    scratch(e, "u8.npy", q, sizeof q);
    write_npy(q, TERN_UINT8, 4, good_x, zeros);
    snprintf(args, sizeof args, "run %s --input x='%s' --input skip='%s'", m, q, p);
    expect_error(e, "cli wrong npy dtype", "wants float32", args);
    snprintf(args, sizeof args, "run %s --input '%s'", m, p);
    expect_error(e, "cli unnamed input with two inputs", "NAME=FILE", args);
    snprintf(args, sizeof args, "run %s --input nope='%s'", m, p);
    expect_error(e, "cli unknown input name", "no input 'nope'", args);
    snprintf(args, sizeof args, "run %s --input x=tests/models/two_inputs.input0.npy", m);
    expect_error(e, "cli input not given", "'skip' is not given", args);
    snprintf(args, sizeof args, "run %s --input x='%s' --input x='%s' --input skip='%s'", m, p, p,
             p);
    expect_error(e, "cli input given twice", "input 'x' is given twice", args);
    snprintf(args, sizeof args, "run %s --input x=missing_file.npy --input skip='%s'", m, p);
    expect_error(e, "cli missing npy", "missing_file.npy", args);
    /* a Fortran-order file made by hand */
    const char hdr[] = "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2, 5, 5), }";
    unsigned char buf[10 + sizeof hdr + 200] = {
        0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(sizeof hdr - 1), 0};
    memcpy(buf + 10, hdr, sizeof hdr - 1);
    scratch(e, "fortran.npy", q, sizeof q);
    write_bytes(q, buf, 10 + sizeof hdr - 1 + 200);
    snprintf(args, sizeof args, "run %s --input x='%s' --input skip='%s'", m, q, p);
    expect_error(e, "cli fortran-order npy", "fortran_order", args);
    snprintf(args, sizeof args,
             "run %s --input x=tests/models/two_inputs.input0.npy "
             "--input skip=tests/models/two_inputs.input1.npy --output '%s'",
             m, p);
    expect_error(e, "cli one --output file for two outputs", "--output NAME=FILE.npy", args);
    expect_error(e, "cli unknown preset", "unknown preset",
                 "run tools/demo/digits.onnx tools/demo/digit_0_2.pgm --preset tf129");
    scratch(e, "short.ppm", q, sizeof q);
    write_bytes(q, "P6 8 8 255\n\x01\x02", 13);
    snprintf(args, sizeof args, "run tools/demo/digits.onnx '%s'", q);
    expect_error(e, "cli truncated image", "truncated", args);
    snprintf(args, sizeof args,
             "run tools/demo/digits.onnx tools/demo/digit_0_2.pgm "
             "--labels no/such/labels.txt");
    expect_error(e, "cli missing labels file", "no/such/labels.txt", args);
    /* a folder opens as a FILE on Linux; reading it fails, it is not "empty" */
    expect_error(e, "cli labels file that is a folder", "cannot read the labels file",
                 "run tools/demo/digits.onnx tools/demo/digit_0_2.pgm --labels tests");
}

/* Two inputs and two outputs by name, into files and into a folder. */
static void tensor_runs(cli_env *e) {
    const char *m = "tests/models/two_inputs.onnx";
    if (!file_exists(m)) {
        th_skip(e->t, "cli run two_inputs", "tests/models/two_inputs.onnx is absent");
        return;
    }
    char a[700], dir[700], b[700];
    scratch(e, "sum.npy", a, sizeof a);
    int st = cli_run(e,
                     "run %s --input skip=tests/models/two_inputs.input1.npy "
                     "--input x=tests/models/two_inputs.input0.npy --output sum='%s'",
                     m, a);
    double d = npy_max_diff(a, "tests/models/two_inputs.output0.npy");
    th_check(e->t, st == 0 && d >= 0 && d < 1e-4, "cli run by input and output names",
             "exit %d, max diff %g, '%s'", st, d, e->text);
    scratch(e, "outdir/", dir, sizeof dir);
    st = cli_run(e,
                 "run %s --input x=tests/models/two_inputs.input0.npy "
                 "--input skip=tests/models/two_inputs.input1.npy --output '%s'",
                 m, dir);
    scratch(e, "outdir/act.npy", b, sizeof b);
    d = npy_max_diff(b, "tests/models/two_inputs.output1.npy");
    th_check(e->t, st == 0 && d >= 0 && d < 1e-4, "cli run --output DIR/",
             "exit %d, max diff %g, '%s'", st, d, e->text);
}

/* ModelProto (ir_version 7, opset 13), graph "two_io": inputs a, b float
 * [N,3] (N a dim_param), nodes Add(a, b) -> sum, Mul(a, b) -> prod, outputs
 * sum, prod float [N,3]. Written out here (149 bytes) since no shared model
 * has several inputs and a dynamic batch. */
static const char TWO_IO_ONNX[] =
    "\x08\x07\x42\x04\x0a\x00\x10\x0d\x3a\x8a\x01\x0a\x10\x0a\x01\x61\x0a\x01\x62\x12"
    "\x03\x73\x75\x6d\x22\x03\x41\x64\x64\x0a\x11\x0a\x01\x61\x0a\x01\x62\x12\x04\x70"
    "\x72\x6f\x64\x22\x03\x4d\x75\x6c\x12\x06\x74\x77\x6f\x5f\x69\x6f\x5a\x14\x0a\x01"
    "\x61\x12\x0f\x0a\x0d\x08\x01\x12\x09\x0a\x03\x12\x01\x4e\x0a\x02\x08\x03\x5a\x14"
    "\x0a\x01\x62\x12\x0f\x0a\x0d\x08\x01\x12\x09\x0a\x03\x12\x01\x4e\x0a\x02\x08\x03"
    "\x62\x16\x0a\x03\x73\x75\x6d\x12\x0f\x0a\x0d\x08\x01\x12\x09\x0a\x03\x12\x01\x4e"
    "\x0a\x02\x08\x03\x62\x17\x0a\x04\x70\x72\x6f\x64\x12\x0f\x0a\x0d\x08\x01\x12\x09"
    "\x0a\x03\x12\x01\x4e\x0a\x02\x08\x03";

/* Write [n,3] float inputs a (k) and b (k/8 + 1) into the scratch folder. */
static void two_io_inputs(cli_env *e, int n, char *pa, char *pb, size_t cap) {
    float *a = malloc(sizeof(float) * 3 * (size_t)n), *b = malloc(sizeof(float) * 3 * (size_t)n);
    for (int k = 0; a && b && k < 3 * n; k++) a[k] = (float)k, b[k] = (float)(k / 8 + 1);
    scratch(e, "two_io_a.npy", pa, cap);
    scratch(e, "two_io_b.npy", pb, cap);
    write_npy(pa, TERN_FLOAT, 2, (const int64_t[]){n, 3}, a);
    write_npy(pb, TERN_FLOAT, 2, (const int64_t[]){n, 3}, b);
    free(a);
    free(b);
}

/* 1 if path holds [n,3] float with a+b (prod 0) or a*b (prod 1). */
static int two_io_output_ok(const char *path, int n, int prod) {
    tern_npy y = {0};
    tern_err err;
    int ok = tern_npy_read_file(path, &y, &err) == TERN_OK && y.dtype == TERN_FLOAT &&
             y.rank == 2 && y.dims[0] == n && y.dims[1] == 3;
    for (int k = 0; ok && k < 3 * n; k++) {
        float a = (float)k, b = (float)(k / 8 + 1);
        ok = ((float *)y.data)[k] == (prod ? a * b : a + b);
    }
    tern_npy_free(&y);
    return ok;
}

/* Several inputs and outputs with a dynamic batch, as the usage says: the
 * file's leading dim is the batch (one run), or above 256 runs of batch 1
 * stacked, or runs of --batch N; inputs must agree on the number. */
static void dynamic_batch_io(cli_env *e) {
    char m[700], pa[700], pb[700], dir[700], f1[700], f2[700], args[2400];
    scratch(e, "two_io.onnx", m, sizeof m);
    write_bytes(m, TWO_IO_ONNX, sizeof TWO_IO_ONNX - 1);
    scratch(e, "two_io_out/", dir, sizeof dir);
    scratch(e, "two_io_out/sum.npy", f1, sizeof f1);
    scratch(e, "two_io_out/prod.npy", f2, sizeof f2);
    static const struct {
        int n;
        const char *flags, *name;
    } cases[] = {{4, "", "cli dynamic batch, 2 inputs, 2 outputs (one run)"},
                 {300, "", "cli dynamic batch above 256 (runs of 1, stacked)"},
                 {6, "--batch 2", "cli dynamic batch with --batch 2 (3 runs, stacked)"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        two_io_inputs(e, cases[c].n, pa, pb, sizeof pa);
        remove(f1);
        remove(f2);
        int st = cli_run(e, "run '%s' --input b='%s' --input a='%s' %s --output '%s'", m, pb, pa,
                         cases[c].flags, dir);
        th_check(e->t,
                 st == 0 && two_io_output_ok(f1, cases[c].n, 0) &&
                     two_io_output_ok(f2, cases[c].n, 1),
                 cases[c].name, "exit %d, '%s'", st, e->text);
    }
    two_io_inputs(e, 4, pa, pb, sizeof pa);
    char p6[700];
    scratch(e, "two_io_b6.npy", p6, sizeof p6);
    float zeros[18] = {0};
    write_npy(p6, TERN_FLOAT, 2, (const int64_t[]){6, 3}, zeros);
    snprintf(args, sizeof args, "run '%s' --input a='%s' --input b='%s'", m, pa, p6);
    expect_error(e, "cli dynamic batch, inputs disagree", "different number of batches", args);
    /* b holds one batch: fed unchanged to each of a's 4 runs */
    const float b1[3] = {10, 20, 30};
    write_npy(p6, TERN_FLOAT, 2, (const int64_t[]){1, 3}, b1);
    scratch(e, "two_io_sum.npy", f1, sizeof f1);
    int st = cli_run(e, "run '%s' --input a='%s' --input b='%s' --output sum='%s'", m, pa, p6, f1);
    tern_npy y = {0};
    tern_err err;
    int ok = st == 0 && tern_npy_read_file(f1, &y, &err) == TERN_OK && y.rank == 2 &&
             y.dims[0] == 4 && y.dims[1] == 3;
    for (int k = 0; ok && k < 12; k++) ok = ((float *)y.data)[k] == (float)k + b1[k % 3];
    th_check(e->t, ok, "cli one-batch input fed to every run", "exit %d, '%s'", st, e->text);
    tern_npy_free(&y);
}

/* Dynamic height and width: `tern run` takes them from the .npy, --shape
 * gives them (info and run), and every malformed --shape is one error. */
static void dynamic_shapes(cli_env *e) {
    char out[700];
    scratch(e, "dyn_hw.npy", out, sizeof out);
    remove(out);
    int st = cli_run(e, "run tests/models/dyn_hw_conv.onnx --input tests/models/dyn_hw_conv.input.npy "
                        "--output '%s'", out);
    double d = npy_max_diff(out, "tests/models/dyn_hw_conv.output.npy");
    th_check(e->t, st == 0 && d >= 0 && d < 1e-4, "cli run binds dynamic H, W from the .npy",
             "exit %d, max diff %g, '%s'", st, d, e->text);
    st = cli_run(e, "run tests/models/dyn_hw_conv.onnx --input tests/models/dyn_hw_conv.input.npy "
                    "--shape x=2x3x16x11");
    th_check(e->t, st == 2 && strstr(e->text, "[2,3,16,11]"),
             "cli run --shape that disagrees with the .npy", "exit %d, '%s'", st, e->text);
    st = cli_run(e, "info tests/models/dyn_hw_conv.onnx --shape x=1,3,64,48");
    th_check(e->t, st == 0 && strstr(e->text, "N=1,3,H=64,W=48"), "cli info --shape",
             "exit %d, '%s'", st, e->text);
    expect_error(e, "cli info of a dynamic model without --shape", "--shape x=1,3,H,W",
                 "info tests/models/dyn_hw_conv.onnx");
    static const char *const bad[][2] = {
        {"x=", "bad --shape"},         {"x=1x", "bad --shape"},
        {"x=1xax3", "bad --shape"},    {"=1x2", "bad --shape"},
        {"x1x2", "bad --shape"},       {"x=1x-2", "bad --shape"},
        {"x=1x99999999999", "bad --shape"}, {"x=1;2", "unexpected ';'"},
        {"y=1x3x8x8", "not a graph input"}, {"x=1x3x8", "has 3 dims"},
        {"x=1x2x3x4x5x6x7x8x9", "bad --shape"}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char args[256], name[128];
        snprintf(args, sizeof args, "info tests/models/dyn_hw_conv.onnx --shape '%s'", bad[k][0]);
        snprintf(name, sizeof name, "cli bad --shape %s", bad[k][0]);
        expect_error(e, name, bad[k][1], args);
    }
    expect_error(e, "cli --shape twice", "given twice",
                 "info tests/models/dyn_hw_conv.onnx --shape x=1x3x8x8 --shape x=1x3x8x8");
}

/* tern eval on the demo's four digit images (labels in a scratch
 * LABELS.csv, one of them wrong on purpose), and its errors. */
static void eval_digits(cli_env *e) {
    char labels[700], bad[700], pred[700], pred2[700], args[2400];
    scratch(e, "LABELS.csv", labels, sizeof labels);
    const char *rows = "filename,synset,class_index\ndigit_0_2.pgm,x,2\ndigit_1_3.pgm,x,3\n"
                       "digit_2_4.pgm,x,4\ndigit_3_5.pgm,x,1\n";
    write_bytes(labels, rows, strlen(rows));
    scratch(e, "pred.csv", pred, sizeof pred);
    scratch(e, "pred2.csv", pred2, sizeof pred2);
    int st = cli_run(e, "eval tools/demo/digits.onnx --labels '%s' --images tools/demo "
                        "--predictions '%s'", labels, pred);
    th_check(e->t, st == 0 && strstr(e->text, "top-1   75.0%  (3/4)") && strstr(e->text, "images/s"),
             "cli eval: top-1 over a labelled set", "exit %d, '%s'", st, e->text);
    size_t n1 = 0, n2 = 0;
    char *p1 = (char *)th_read_file(pred, &n1);
    th_check(e->t, p1 && strstr(p1, "filename,top1,top5\ndigit_0_2.pgm,2,2 ") &&
                       strstr(p1, "\ndigit_3_5.pgm,5,5 "),
             "cli eval --predictions as the refs write them", "'%s'", p1 ? p1 : "(none)");
    st = cli_run(e, "eval tools/demo/digits.onnx --labels '%s' --images tools/demo --threads 3 "
                    "--predictions '%s' --json", labels, pred2);
    char *p2 = (char *)th_read_file(pred2, &n2);
    th_check(e->t, st == 0 && p1 && p2 && n1 == n2 && !memcmp(p1, p2, n1) &&
                       strstr(e->text, "\"images\":4") && strstr(e->text, "\"top1\":0.75"),
             "cli eval: 3 threads give the same predictions; --json", "exit %d, '%s'", st, e->text);
    free(p1);
    free(p2);
    st = cli_run(e, "eval tools/demo/digits.onnx --labels '%s' --images tools/demo --count 2",
                 labels);
    th_check(e->t, st == 0 && strstr(e->text, "(2/2)"), "cli eval --count", "'%s'", e->text);
    scratch(e, "BAD.csv", bad, sizeof bad);
    static const char *const cases[][3] = {
        {"digit_0_2.pgm,x\n", "want filename,synset,class_index", "cli eval: short labels line"},
        {"digit_1_3.pgm,x,3\ndigit_0_2.pgm,x,two\n", "line 2: class_index 'two'",
         "cli eval: label not a number"},
        {"digit_0_2.pgm,x,10\n", "beyond the 10 outputs", "cli eval: label beyond the outputs"},
        {"\n", "no images listed", "cli eval: empty labels file"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        write_bytes(bad, cases[k][0], strlen(cases[k][0]));
        snprintf(args, sizeof args, "eval tools/demo/digits.onnx --labels '%s' --images tools/demo",
                 bad);
        expect_error(e, cases[k][2], cases[k][1], args);
    }
    /* a missing image is reported and skipped, or fatal with --strict */
    const char *missing = "digit_0_2.pgm,x,2\nnope.pgm,x,3\n";
    write_bytes(bad, missing, strlen(missing));
    st = cli_run(e, "eval tools/demo/digits.onnx --labels '%s' --images tools/demo", bad);
    th_check(e->t, st == 0 && strstr(e->text, "(1/1)") && strstr(e->text, "1 image could not"),
             "cli eval: a bad image is skipped and counted", "exit %d, '%s'", st, e->text);
    snprintf(args, sizeof args, "eval tools/demo/digits.onnx --labels '%s' --images tools/demo "
             "--strict", bad);
    st = cli_run(e, "%s", args);
    th_check(e->t, st == 2 && strstr(e->text, "nope.pgm"), "cli eval --strict stops at a bad image",
             "exit %d, '%s'", st, e->text);
    expect_error(e, "cli eval without images", "usage: tern eval", "eval tools/demo/digits.onnx");
    expect_error(e, "cli eval bad --threads", "--threads",
                 "eval tools/demo/digits.onnx --images tools/demo --threads 0");
}

/* tern eval on the first real ImageNet JPEGs of ../shared: its predictions
 * file must equal the first lines of ONNX Runtime's predictions.csv (top-1
 * and top-5), for the NHWC TFLite model and the NCHW EfficientNet-Lite0
 * with its own preset. */
static void zoo_eval(cli_env *e) {
    static const char *const cases[][3] = {{"mobilenet_v3_small_fp32", "tf127", "24"},
                                           {"efficientnet_lite0_fp32", "effnet-lite", "6"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char model[512], labels[512], refp[512], name[160], pred[700];
        snprintf(name, sizeof name, "cli eval %s on %s JPEGs = ORT's predictions", cases[c][0],
                 cases[c][2]);
        char rel[256];
        snprintf(rel, sizeof rel, "models/%s.onnx", cases[c][0]);
        if (!th_shared_path(e->t, rel, model, sizeof model, name) ||
            !th_shared_path(e->t, "data/imagenet-sample/LABELS.csv", labels, sizeof labels, name))
            return;
        snprintf(refp, sizeof refp, "%s/refs/%s/predictions.csv", e->t->shared, cases[c][0]);
        scratch(e, "zoo_pred.csv", pred, sizeof pred);
        int st = cli_run(e, "eval '%s' --labels '%s' --preset %s --count %s --threads 2 "
                            "--predictions '%s'", model, labels, cases[c][1], cases[c][2], pred);
        size_t n = 0, m = 0;
        char *got = (char *)th_read_file(pred, &n), *want = (char *)th_read_file(refp, &m);
        int ok = st == 0 && got && want && n <= m && memcmp(got, want, n) == 0 &&
                 (n == m || want[n - 1] == '\n');
        th_check(e->t, ok, name, "exit %d, '%s'", st, e->text);
        free(got);
        free(want);
    }
}

/* ModelProto: input x float [2], Relu(x) -> "o:1", Neg(x) -> "o/1", both
 * outputs: two names that become the same file name, o_1.npy. */
static const char CLASH_ONNX[] =
    "\x08\x07\x42\x04\x0a\x00\x10\x0d\x3a\x56\x0a\x0e\x0a\x01\x78\x12\x03\x6f\x3a\x31"
    "\x22\x04\x52\x65\x6c\x75\x0a\x0d\x0a\x01\x78\x12\x03\x6f\x2f\x31\x22\x03\x4e\x65"
    "\x67\x5a\x0f\x0a\x01\x78\x12\x0a\x0a\x08\x08\x01\x12\x04\x0a\x02\x08\x02\x62\x11"
    "\x0a\x03\x6f\x3a\x31\x12\x0a\x0a\x08\x08\x01\x12\x04\x0a\x02\x08\x02\x62\x11\x0a"
    "\x03\x6f\x2f\x31\x12\x0a\x0a\x08\x08\x01\x12\x04\x0a\x02\x08\x02";

/* ModelProto: input x float [2], Relu(x) -> output "o\x1b[2J\nk": a name
 * with a terminal escape sequence and a newline. */
static const char ESC_ONNX[] =
    "\x08\x07\x42\x04\x0a\x00\x10\x0d\x3a\x3c\x0a\x12\x0a\x01\x78\x12\x07\x6f\x1b\x5b"
    "\x32\x4a\x0a\x6b\x22\x04\x52\x65\x6c\x75\x5a\x0f\x0a\x01\x78\x12\x0a\x0a\x08\x08"
    "\x01\x12\x04\x0a\x02\x08\x02\x62\x15\x0a\x07\x6f\x1b\x5b\x32\x4a\x0a\x6b\x12\x0a"
    "\x0a\x08\x08\x01\x12\x04\x0a\x02\x08\x02";

/* Names from a model reach the terminal as text: control characters (an
 * escape sequence could rewrite the screen, a newline splits the error
 * line) are shown as '?', on stdout and stderr alike. */
static void control_chars(cli_env *e) {
    char m[700], x[700], args[2200];
    scratch(e, "esc.onnx", m, sizeof m);
    write_bytes(m, ESC_ONNX, sizeof ESC_ONNX - 1);
    scratch(e, "esc_x.npy", x, sizeof x);
    write_npy(x, TERN_FLOAT, 1, (const int64_t[]){2}, (const float[]){1, -2});
    int st = cli_run(e, "run '%s' --input '%s'", m, x);
    th_check(e->t, st == 0 && strstr(e->text, "output 'o?[2J?k' float32 [2]: 1 0\n"),
             "cli control characters in printed names", "exit %d, '%s'", st, e->text);
    snprintf(args, sizeof args, "run '%s' --input '%s' --output nope=x.npy", m, x);
    expect_error(e, "cli control characters in an error line", "(outputs: 'o?[2J?k')", args);
    st = cli_run(e, "info '%s'", m);
    th_check(e->t, st == 0 && !strchr(e->text, 0x1b) && strstr(e->text, "o?[2J"),
             "cli control characters in the report", "exit %d, '%s'", st, e->text);
}

/* --output DIR/ must not write one output over another. */
static void output_dir_clash(cli_env *e) {
    char m[700], x[700], dir[700], args[2200];
    scratch(e, "clash.onnx", m, sizeof m);
    write_bytes(m, CLASH_ONNX, sizeof CLASH_ONNX - 1);
    scratch(e, "clash_x.npy", x, sizeof x);
    write_npy(x, TERN_FLOAT, 1, (const int64_t[]){2}, (const float[]){1, -2});
    scratch(e, "clash_out/", dir, sizeof dir);
    snprintf(args, sizeof args, "run '%s' --input '%s' --output '%s'", m, x, dir);
    expect_error(e, "cli --output DIR/ with two outputs on one file name", "o_1.npy", args);
    th_check(e->t, strstr(e->text, "'o:1'") && strstr(e->text, "'o/1'"),
             "cli --output DIR/ clash names both outputs", "'%s'", e->text);
}

/* A [3,...] file for a model fixed at batch 1: three runs, stacked. */
static void stacked_runs(cli_env *e) {
    const char *m = "tests/models/conv_bn_relu.onnx";
    tern_npy in = {0}, ref = {0};
    tern_err err;
    if (!file_exists(m) ||
        tern_npy_read_file("tests/models/conv_bn_relu.input.npy", &in, &err) != TERN_OK ||
        tern_npy_read_file("tests/models/conv_bn_relu.output.npy", &ref, &err) != TERN_OK ||
        in.dims[0] != 1 || ref.dims[0] != 1) {
        th_skip(e->t, "cli stacked batches", "tests/models/conv_bn_relu.* absent or changed");
        tern_npy_free(&in);
        tern_npy_free(&ref);
        return;
    }
    char ip[700], op[700], rp[700];
    int64_t dims[TERN_MAX_RANK];
    memcpy(dims, in.dims, sizeof dims);
    dims[0] = 3;
    unsigned char *x3 = malloc(in.bytes * 3), *y3 = malloc(ref.bytes * 3);
    for (int k = 0; k < 3; k++) {
        memcpy(x3 + (size_t)k * in.bytes, in.data, in.bytes);
        memcpy(y3 + (size_t)k * ref.bytes, ref.data, ref.bytes);
    }
    scratch(e, "x3.npy", ip, sizeof ip);
    scratch(e, "y3.npy", op, sizeof op);
    scratch(e, "y3_ref.npy", rp, sizeof rp);
    write_npy(ip, TERN_FLOAT, in.rank, dims, x3);
    memcpy(dims, ref.dims, sizeof dims);
    dims[0] = 3;
    write_npy(rp, TERN_FLOAT, ref.rank, dims, y3);
    int st = cli_run(e, "run %s --input '%s' --output '%s'", m, ip, op);
    double d = npy_max_diff(op, rp);
    th_check(e->t, st == 0 && d >= 0 && d < 1e-4, "cli stacked batches (3 x batch 1)",
             "exit %d, max diff %g, '%s'", st, d, e->text);
    free(x3);
    free(y3);
    tern_npy_free(&in);
    tern_npy_free(&ref);
}

/* Labels: plain lines, synset lines ("nXXXXXXXX name, synonyms") and one
 * line short (index 0 is background); --output stacks output 0. */
static void demo_labels(cli_env *e) {
    static const char *const names[10] = {"zero", "one", "two",   "three", "four",
                                          "five", "six", "seven", "eight", "nine"};
    char plain[700], synset[700], short_[700], out[700];
    scratch(e, "plain.txt", plain, sizeof plain);
    scratch(e, "synset.txt", synset, sizeof synset);
    scratch(e, "short.txt", short_, sizeof short_);
    FILE *f1 = fopen(plain, "w"), *f2 = fopen(synset, "w"), *f3 = fopen(short_, "w");
    for (int k = 0; f1 && f2 && f3 && k < 10; k++) {
        fprintf(f1, "%s\r\n", names[k]);
        fprintf(f2, "n%08d %s, digit %d\n", k, names[k], k);
        if (k > 0) fprintf(f3, "%s\n", names[k]);
    }
    if (f1) fclose(f1);
    if (f2) fclose(f2);
    if (f3) fclose(f3);
    const char *m = "tools/demo/digits.onnx", *img = "tools/demo/digit_0_2.pgm";
    int st = cli_run(e, "run %s %s --labels '%s' --top 1", m, img, plain);
    th_check(e->t, st == 0 && strstr(e->text, "  two\n"), "cli labels, plain lines", "'%s'",
             e->text);
    st = cli_run(e, "run %s %s --labels '%s' --top 1", m, img, synset);
    th_check(e->t, st == 0 && strstr(e->text, "  two\n"), "cli labels, synset lines", "'%s'",
             e->text);
    /* 9 lines for 10 classes: class k is line k-1, so class 2 shows "two" */
    st = cli_run(e, "run %s %s --labels '%s' --top 10", m, img, short_);
    th_check(e->t, st == 0 && strstr(e->text, "  two\n") && strstr(e->text, "  background\n"),
             "cli labels with background", "'%s'", e->text);
    scratch(e, "two_images.npy", out, sizeof out);
    st = cli_run(e, "run %s %s tools/demo/digit_1_3.pgm --output '%s'", m, img, out);
    tern_npy y = {0};
    tern_err err;
    int ok = st == 0 && tern_npy_read_file(out, &y, &err) == TERN_OK;
    th_check(e->t, ok && y.rank == 2 && y.dims[0] == 2 && y.dims[1] == 10,
             "cli images --output stacks output 0", "exit %d, '%s'", st, e->text);
    tern_npy_free(&y);
    expect_error(e, "cli unwritable --output", "no/such/dir/y.npy",
                 "run tools/demo/digits.onnx tools/demo/digit_0_2.pgm --output no/such/dir/y.npy");
}

/* Top-K order: scores descending, ties (the Relu zeros of conv_bn_relu)
 * by ascending class index, every class listed once. */
static void top_order(cli_env *e) {
    const char *m = "tests/models/conv_bn_relu.onnx";
    if (!file_exists(m)) {
        th_skip(e->t, "cli top-k order", "tests/models/conv_bn_relu.onnx is absent");
        return;
    }
    int st = cli_run(e, "run %s tests/data/prep/rgb.ppm --preset none --top 1000", m);
    char *p = strstr(e->text, ":\n");
    int n = 0, ok = st == 0 && p, ties = 0, prev_idx = -1;
    double prev = INFINITY;
    unsigned char seen[150] = {0};
    for (p = p ? p + 2 : NULL; ok && p && *p == ' '; n++) {
        int rank, idx, used = 0;
        double score;
        if (sscanf(p, "%d %d %lf%n", &rank, &idx, &score, &used) != 3 || rank != n + 1 || idx < 0 ||
            idx >= 150 || seen[idx]++ || score > prev || (score == prev && idx < prev_idx)) {
            ok = 0;
            break;
        }
        ties += score == prev;
        prev = score;
        prev_idx = idx;
        p = strchr(p, '\n');
        if (p) p++;
    }
    th_check(e->t, ok && n == 150 && ties > 0, "cli top-k order and ties",
             "exit %d, %d lines, %d ties", st, n, ties);
}

/* The demo digits: images through `tern run` give the label in the file
 * name; tensors run as one batch and split into batches of 1 agree. */
static void demo_runs(cli_env *e) {
    const char *m = "tools/demo/digits.onnx";
    if (!file_exists(m) || !file_exists("tools/demo/digit_0_2.pgm")) {
        th_skip(e->t, "cli demo digits", "tools/demo is absent");
        return;
    }
    const char *imgs[4] = {"digit_0_2", "digit_1_3", "digit_2_4", "digit_3_5"};
    int right = 0;
    for (int k = 0; k < 4; k++) {
        int st = cli_run(e, "run %s tools/demo/%s.pgm --top 3", m, imgs[k]);
        /* first result line: "   1      2    13.815881" */
        char *p = strstr(e->text, ":\n");
        int rank = 0, cls = -1;
        if (st == 0 && p) sscanf(p + 2, "%d %d", &rank, &cls);
        right += rank == 1 && cls == imgs[k][8] - '0';
    }
    th_check(e->t, right == 4, "cli run on the demo digits", "%d of 4 right, last output '%s'",
             right, e->text);
    demo_labels(e);
    tern_npy raw = {0};
    tern_err err;
    if (tern_npy_read_file("tools/demo/digits_test.npy", &raw, &err) != TERN_OK || raw.rank != 3 ||
        raw.dims[0] < 6 || raw.dtype != TERN_UINT8) {
        th_skip(e->t, "cli batch vs split", "tools/demo/digits_test.npy absent or changed");
        tern_npy_free(&raw);
        return;
    }
    float x[6 * 64];
    for (int k = 0; k < 6 * 64; k++) x[k] = ((unsigned char *)raw.data)[k] / 16.0f;
    tern_npy_free(&raw);
    int64_t dims[4] = {6, 1, 8, 8};
    char ip[700], o1[700], o6[700];
    scratch(e, "digits6.npy", ip, sizeof ip);
    scratch(e, "out_b1.npy", o1, sizeof o1);
    scratch(e, "out_b6.npy", o6, sizeof o6);
    write_npy(ip, TERN_FLOAT, 4, dims, x);
    int s1 = cli_run(e, "run %s --input '%s' --batch 1 --output '%s'", m, ip, o1);
    int s6 = cli_run(e, "run %s --input '%s' --output '%s'", m, ip, o6);
    double d = npy_max_diff(o1, o6);
    th_check(e->t, s1 == 0 && s6 == 0 && d >= 0 && d < 1e-4, "cli batch 6 vs 6 runs of batch 1",
             "exits %d %d, max diff %g, '%s'", s1, s6, d, e->text);
    int st = cli_run(e, "info %s --json", m);
    th_check(e->t, st == 0 && e->text[0] == '{', "cli info --json", "exit %d, '%.80s'", st,
             e->text);
    st = cli_run(e, "info %s --passes", m);
    th_check(e->t, st == 0 && strstr(e->text, "input"), "cli info --passes", "exit %d", st);
}

/* The README's image command: reference image 1 (a goldfish, 224x224, back
 * to uint8 from the tf128 floats) through crop + resize, synset labels on
 * the 1001-class model (index 0 = background). */
static void zoo_image(cli_env *e, const char *model, const char *ref) {
    tern_npy x = {0};
    tern_err err;
    char img[700], labels[512];
    if (tern_npy_read_file(ref, &x, &err) != TERN_OK || x.rank != 4 || x.dims[0] < 2 ||
        x.dims[1] != 224 || x.dims[3] != 3 ||
        !th_shared_path(e->t, "data/imagenet-sample/synset.txt", labels, sizeof labels,
                        "cli zoo image")) {
        tern_npy_free(&x);
        return;
    }
    size_t n = 224 * 224 * 3;
    unsigned char *px = malloc(n);
    const float *f = (const float *)x.data + n; /* image 1 */
    for (size_t k = 0; k < n; k++) px[k] = (unsigned char)lrintf(f[k] * 128 + 128);
    tern_npy_free(&x);
    tern_pnm pnm = {224, 224, 3, px};
    scratch(e, "goldfish.ppm", img, sizeof img);
    int ok = tern_pnm_write_file(img, &pnm, &err) == TERN_OK;
    free(px);
    int st = cli_run(e, "run '%s' '%s' --preset tf128 --labels '%s' --top 5", model, img, labels);
    int rank = 0, cls = -1;
    char *p = strstr(e->text, ":\n");
    if (p) sscanf(p + 2, "%d %d", &rank, &cls);
    th_check(e->t, ok && st == 0 && rank == 1 && cls == 2 && strstr(e->text, "goldfish\n"),
             "cli zoo image with labels", "exit %d, '%s'", st, e->text);
}

/* Printed values follow the output's dtype: a float16 output (ONNX's own
 * Cast test model) shows numbers, not the bytes of its halves. */
static void float16_output(cli_env *e) {
    char model[512], in[700];
    if (!th_shared_path(e->t, "onnx-tests/node/test_cast_FLOAT_to_FLOAT16/model.onnx", model,
                        sizeof model, "cli float16 output values"))
        return;
    const float x[12] = {1.5f, -2, 0, 3.25f, 65504, 0.5f, 1, 2, 3, 4, 5, 6};
    scratch(e, "x34.npy", in, sizeof in);
    write_npy(in, TERN_FLOAT, 2, (const int64_t[]){3, 4}, x);
    int st = cli_run(e, "run '%s' --input '%s'", model, in);
    th_check(e->t, st == 0 && strstr(e->text, "float16 [3,4]: 1.5 -2 0 3.25 65504 0.5 1 2 ..."),
             "cli float16 output values", "exit %d, '%s'", st, e->text);
}

/* A model without inputs (ONNX's Constant test) runs with no --input; a
 * model with inputs and none given says which. */
static void no_inputs(cli_env *e) {
    char model[512];
    expect_error(e, "cli nothing to run names the inputs", "'input'", "run tools/demo/digits.onnx");
    if (!th_shared_path(e->t, "onnx-tests/node/test_constant/model.onnx", model, sizeof model,
                        "cli model without inputs"))
        return;
    int st = cli_run(e, "run '%s'", model);
    th_check(e->t, st == 0 && strstr(e->text, "output 'values' float32 [5,5]:"),
             "cli model without inputs", "exit %d, '%s'", st, e->text);
}

/* The zoo's MobileNetV2 on its 8 reference inputs: [8,224,224,3] for a
 * model fixed at batch 1, so 8 runs stacked, against ORT's outputs. */
static void zoo_run(cli_env *e) {
    char model[512], ref[512];
    if (!th_shared_path(e->t, "models/mobilenet_v2_fp32.onnx", model, sizeof model,
                        "cli zoo mobilenet_v2") ||
        !th_shared_path(e->t, "refs/mobilenet_v2_fp32/input.npy", ref, sizeof ref,
                        "cli zoo mobilenet_v2"))
        return;
    char out[700];
    scratch(e, "mnv2.npy", out, sizeof out);
    int st = cli_run(e, "run '%s' --input '%s' --output '%s'", model, ref, out);
    char expect[600];
    snprintf(expect, sizeof expect, "%s/refs/mobilenet_v2_fp32/output.npy", e->t->shared);
    double d = npy_max_diff(out, expect);
    th_check(e->t, st == 0 && d >= 0 && d < 1e-3, "cli zoo mobilenet_v2 8 images stacked",
             "exit %d, max diff %g, '%s'", st, d, e->text);
    zoo_image(e, model, ref);
}

TH_SUITE(suite_cli) {
    cli_env e = {.t = t};
    if (access(t->cli, X_OK) != 0) {
        th_skip(t, "cli", "the CLI binary is missing");
        return;
    }
    /* scratch folder beside the binary, e.g. build/cli_tmp.1234 */
    const char *slash = strrchr(t->cli, '/');
    int dl = slash ? (int)(slash - t->cli) : 1;
    snprintf(e.dir, sizeof e.dir, "%.*s/cli_tmp.%d", dl, slash ? t->cli : ".", (int)getpid());
    mkdir(e.dir, 0777);
    snprintf(e.out, sizeof e.out, "%s/stdout.txt", e.dir);
    snprintf(e.err, sizeof e.err, "%s/stderr.txt", e.dir);
    usage_and_arguments(&e);
    preprocess_flags(&e);
    stdout_full(&e);
    preprocess_refs(&e);
    tensor_errors(&e);
    tensor_runs(&e);
    stacked_runs(&e);
    dynamic_batch_io(&e);
    dynamic_shapes(&e);
    eval_digits(&e);
    output_dir_clash(&e);
    control_chars(&e);
    top_order(&e);
    demo_runs(&e);
    zoo_run(&e);
    zoo_eval(&e);
    float16_output(&e);
    no_inputs(&e);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e.dir);
    if (system(cmd) != 0) th_fail(t, "cli cleanup", "could not remove %s", e.dir);
}
