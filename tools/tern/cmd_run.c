/* tern run: parse the command line, then run .npy tensors (--input) or
 * images (positional arguments). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "run.h"

/* Split "NAME=PATH" unless the whole text names an existing file. */
static int parse_io(const char *text, run_io *io, const char *option) {
    struct stat st;
    const char *eq = strchr(text, '=');
    io->name = NULL;
    io->path = text;
    if (!eq || stat(text, &st) == 0) return 0;
    size_t n = (size_t)(eq - text);
    if (n == 0 || n >= sizeof io->buf)
        return cli_fail("bad %s '%s' (want [NAME=]FILE)", option, text);
    memcpy(io->buf, text, n);
    io->buf[n] = 0;
    io->name = io->buf;
    io->path = eq + 1;
    if (!*io->path) return cli_fail("bad %s '%s': no file after '='", option, text);
    return 0;
}

static int add_io(run_io *list, int *n, const char *text, const char *option) {
    if (*n >= RUN_MAX_IO) return cli_fail("too many %s options (at most %d)", option, RUN_MAX_IO);
    return parse_io(text, &list[(*n)++], option);
}

/* One option at argv[*i]; returns 0 if handled, 1 if not an option of
 * ours, CLI_EXIT_ERROR on a bad value. */
static int parse_option(int argc, char **argv, int *i, run_args *a) {
    const char *v;
    int r;
    if (!strcmp(argv[*i], "--no-fuse")) {
        a->opts.flags |= TERN_SESSION_NO_FUSE;
        return 0;
    }
    if ((r = cli_option(argc, argv, i, "--input", &v)) != 0)
        return r < 0 ? CLI_EXIT_ERROR : add_io(a->inputs, &a->n_inputs, v, "--input");
    if ((r = cli_option(argc, argv, i, "--output", &v)) != 0)
        return r < 0 ? CLI_EXIT_ERROR : add_io(a->outputs, &a->n_outputs, v, "--output");
    if ((r = cli_option(argc, argv, i, "--batch", &v)) != 0) {
        a->batch_given = 1;
        return r < 0 ? CLI_EXIT_ERROR : cli_int(v, 1, 1 << 20, "--batch", &a->opts.batch);
    }
    if ((r = cli_option(argc, argv, i, "--threads", &v)) != 0)
        return r < 0 ? CLI_EXIT_ERROR : cli_int(v, 1, 1024, "--threads", &a->opts.threads);
    if ((r = cli_option(argc, argv, i, "--shape", &v)) != 0)
        return r < 0 ? CLI_EXIT_ERROR : cli_shape(v, &a->shapes);
    if ((r = cli_option(argc, argv, i, "--max-memory", &v)) != 0)
        return r < 0 ? CLI_EXIT_ERROR : cli_bytes(v, "--max-memory", &a->opts.max_memory);
    if ((r = cli_option(argc, argv, i, "--top", &v)) != 0)
        return r < 0 ? CLI_EXIT_ERROR : cli_int(v, 1, 1 << 20, "--top", &a->top);
    if ((r = cli_prep_option(argc, argv, i, &a->prep)) != 1) return r;
    if ((r = cli_option(argc, argv, i, "--labels", &v)) != 0) {
        a->labels = v;
        return r < 0 ? CLI_EXIT_ERROR : 0;
    }
    return 1;
}

static int parse_args(int argc, char **argv, run_args *a) {
    for (int i = 1; i < argc; i++) {
        int r = parse_option(argc, argv, &i, a);
        if (r == 0) continue;
        if (r != 1) return CLI_EXIT_ERROR;
        if (argv[i][0] == '-' && argv[i][1])
            return cli_fail("unknown option '%s' (tern run; see tern --help)", argv[i]);
        if (!a->model)
            a->model = argv[i];
        else
            a->images[a->n_images++] = argv[i];
    }
    if (!a->model) return cli_fail("missing MODEL (usage: tern run MODEL --input IN.npy ...)");
    cli_use_shapes(&a->opts, &a->shapes);
    if (a->n_images && a->n_inputs)
        return cli_fail("give either --input tensors or images, not both (tern run %s)", a->model);
    if (a->n_images && a->batch_given)
        return cli_fail("--batch applies to --input tensors; images run one at a time (batch 1)");
    if (a->n_inputs && (a->prep.preset || a->prep.generic || a->labels || a->top))
        return cli_fail("--preset, the other preprocessing flags, --labels and --top apply to "
                        "images, not to --input tensors");
    return a->n_images ? cli_prep_finish(&a->prep) : 0;
}

int cmd_run(int argc, char **argv) {
    run_args *a = calloc(1, sizeof *a);
    const char **images = calloc((size_t)argc, sizeof *images);
    int rc = CLI_EXIT_ERROR;
    if (!a || !images) {
        cli_fail("out of memory (tern run)");
    } else {
        a->images = images;
        rc = parse_args(argc, argv, a);
        if (rc == 0) rc = a->n_images ? run_images(a) : run_tensors(a);
    }
    free(images);
    free(a);
    return rc;
}
