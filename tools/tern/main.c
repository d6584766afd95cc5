/* tern: command-line front end of the tern inference engine.
 *   tern info MODEL ...    what the compiled model looks like
 *   tern run MODEL ...     run on .npy tensors or on images
 *   tern eval MODEL ...    accuracy and speed over a labelled image set
 *   tern preprocess ...    the float tensor an image preset produces
 * Errors print one line "tern: ..." on stderr and exit with status 2. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ptq_cli.h"
#include "cli_prep.h"

static const char USAGE[] =
    "usage: tern <command> [args]\n"
    "\n"
    "tern info MODEL [--passes] [--quant] [--json] [--batch N] [--shape NAME=DIMS] [--threads N]\n"
    "               [--no-fuse] [--max-memory N]\n"
    "    Compile MODEL and print its report: inputs, outputs, ops, parameters, MACs,\n"
    "    arena and peak memory, the session's memory against its budget; --passes adds\n"
    "    what each graph pass did; --quant lists every node as int8, float or convert\n"
    "    (QuantizeLinear/DequantizeLinear) with its output's scale and zero point;\n"
    "    --json prints JSON.\n"
    "\n"
    "tern run MODEL --input [NAME=]IN.npy ... [--output OUT] [--batch N] [--threads N]\n"
    "    Run on .npy tensors (float32, float16, float64, uint8, int8, int32, int64, bool;\n"
    "    little-endian, C order; format 1.0/2.0/3.0). `--input FILE` feeds input 0 (a model\n"
    "    with several inputs needs NAME=FILE for each; one without inputs needs none).\n"
    "    dtype and shape must match the model input; a dynamic batch takes the file's\n"
    "    leading dimension (up to 256, or --batch N). If the leading dimension is K times\n"
    "    the model's batch (e.g. [8,224,224,3] for a model fixed at [1,224,224,3]), the\n"
    "    items run one batch at a time and every output is stacked along axis 0; an input\n"
    "    whose file holds exactly one batch is fed unchanged to every run. Other dynamic\n"
    "    dims (image height and width, ...) take the file's, unless --shape gives them.\n"
    "    --output OUT.npy          writes output 0 (model with one output)\n"
    "    --output NAME=OUT.npy     writes the output called NAME (repeat per output)\n"
    "    --output DIR/             writes every output as DIR/NAME.npy (characters other\n"
    "                              than A-Z a-z 0-9 . _ - in NAME become _)\n"
    "    Without --output, prints each output's name, shape and first values.\n"
    "\n"
    "tern run MODEL IMAGE ... [--preset P | preprocessing flags] [--labels FILE] [--top K]\n"
    "         [--output OUT.npy] [--threads N]\n"
    "    Classify images (JPEG, binary PPM/PGM; told apart by content); prints the top K\n"
    "    (default 5) classes of output 0 per image: rank, class index, score, label.\n"
    "    Presets (how pixels p become the model input; layout NCHW or NHWC, size and\n"
    "    float32/uint8 follow the model input):\n"
    "      tf128        central crop 87.5%, Pillow bilinear resize to HxW, (p-128)/128\n"
    "      tf127        the same, (p-128)/127\n"
    "      unit         the same, p/255\n"
    "      torchvision  shorter side to 256 (Pillow bilinear), center crop 224, p/255,\n"
    "                   then ImageNet mean/std (sizes other than 224 scale the 256)\n"
    "      effnet-lite  the torchvision crop, (p-127)/128\n"
    "      none         (default) no crop; resize to HxW only if the size differs, p/255\n"
    "    Preprocessing flags (override the preset's parts; any other pipeline):\n";

/* after CLI_PREP_USAGE */
static const char USAGE_TAIL[] =
    "    The zoo's presets: ../shared/models/MODELS.md (mobilenet_v2: tf128, v3: tf127,\n"
    "    keras: unit; *_arch models: torchvision; efficientnet_lite0_fp32: effnet-lite).\n"
    "    Gray images are replicated to RGB for 3-channel models; RGB images become gray\n"
    "    (Pillow's luma) for 1-channel models.\n"
    "    --labels FILE: one label per line; `nXXXXXXXX name, synonyms` lines show the name;\n"
    "    a 1000-line file with a 1001-class model puts background at index 0.\n"
    "    --output OUT.npy writes output 0 of all images stacked along axis 0.\n"
    "\n"
    "tern eval MODEL --images DIR [--labels LABELS.csv] [--preset P | preprocessing flags]\n"
    "          [--count N] [--threads T] [--predictions OUT.csv] [--json] [--strict]\n"
    "    Top-1/top-5 accuracy and images per second over a labelled set. LABELS.csv rows:\n"
    "    filename,synset,class_index (names relative to its folder or found in DIR; a\n"
    "    1001-class model scores label k as output k+1). Without --labels every image in\n"
    "    DIR is run (predictions only). T sessions run in parallel; results do not depend\n"
    "    on T. --predictions writes filename,top1,top5. A bad image is reported, skipped\n"
    "    and counted (--strict: it stops the run). Also takes --shape, --no-fuse.\n"
    "\n"
    "tern preprocess IMAGE --preset P [--size S|WxH] [--channels C] [--layout nhwc|nchw]\n"
    "                [--pixels] --output OUT.npy\n"
    "    Write the float32 tensor [1,H,W,C] (or [1,C,H,W]) a preset makes of an image\n"
    "    (default 224x224, 3 channels, nhwc), or with --pixels the uint8 pixels after\n"
    "    crop and resize; for checking against Python (tools/make_preprocess_refs.py).\n"
    "    Takes the preprocessing flags too.\n"
    "\n"
    "tern bench MODEL [--threads N] [--warmup 10] [--iters 100] [--shape NAME=DIMS] [--json]\n"
    "           [--profile] [--sustained SECONDS] [--isa NAME] [--batch N]\n"
    "    Latency on synthetic inputs after warm-up: p50/p95/p99/mean ms, throughput, peak\n"
    "    RSS, arena bytes, threads, ISA (--json: p50_ms, p95_ms, p99_ms, mean_ms,\n"
    "    throughput_ips, peak_rss_kb, arena_bytes, threads, isa). --profile: each layer's\n"
    "    time share, GMAC/s and fraction of the FMA peak measured on this CPU; --sustained:\n"
    "    images/s per 5-second window and the drop from the first to the last.\n"
    "\n"
    "tern isa [--list]\n"
    "    The kernel ISA levels this CPU runs (ref, avx2, avx512, avx512vnni, avxvnni, amx,\n"
    "    neon, neondot, neoni8mm), the default marked. TERN_ISA=NAME in the environment\n"
    "    pins one for every command (an error if the CPU lacks it); ref runs the reference\n"
    "    kernels.\n"
    "\n"
    "info and run also take --threads N, --no-fuse (skip fusion passes), --batch N (value\n"
    "of dynamic batch dims; not with images, which run at batch 1), --shape NAME=DIMS\n"
    "(repeatable; e.g. --shape images=1x3x640x640, 'x' or ',' between dims): the dims of\n"
    "input NAME, fixing its dynamic dims and, through shared names, those of other inputs,\n"
    "and --max-memory N (the session's memory budget: arena + folded constants + packed\n"
    "weights; bytes, or with a K/M/G suffix; default 4G; a model that needs more is an\n"
    "error).\n"
    "Exit status: 0 ok, 2 any error (message on stderr).\n";

static int dispatch(int argc, char **argv) {
    if (argc < 2)
        return cli_fail("missing command: info, run, eval or preprocess (see tern --help)");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(USAGE, stdout);
        fputs(CLI_PREP_USAGE, stdout);
        fputs(USAGE_TAIL, stdout);
        return 0;
    }
    if (!strcmp(cmd, "info")) return cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "preprocess")) return cmd_preprocess(argc - 1, argv + 1);
    if (!strcmp(cmd, "eval")) return cmd_eval(argc - 1, argv + 1);
    if (!strcmp(cmd, "quantize")) return cmd_quantize(argc - 1, argv + 1);
    if (!strcmp(cmd, "isa")) return cmd_isa(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench")) return cmd_bench(argc - 1, argv + 1);
    return cli_fail("unknown command '%s' (try tern --help)", cmd);
}

int main(int argc, char **argv) {
    int rc = dispatch(argc, argv);
    /* results that never reached stdout (a full disk) are lost: that is a
     * failure, reported once (an earlier error has its line already) */
    errno = 0;
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0)
        rc = cli_fail("cannot write to standard output: %s", errno ? strerror(errno) : "error");
    return rc;
}
