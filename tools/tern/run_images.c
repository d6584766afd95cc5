/* tern run MODEL IMAGE... : preprocess each image (tern_preprocess), run it
 * (one image per run, batch 1) and print the top-K classes of output 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "labels.h"
#include "loader/npy.h"
#include "run.h"
#include "scores.h"

typedef struct {
    tern_model *m;
    tern_session *s;
    tern_tensor_info in, out;
    cli_labels labels;
    float *scores;  /* output 0 as float, one image */
    float *stacked; /* every image's output 0, for --output */
    long classes;
} img_state;

static int setup(const run_args *a, img_state *st) {
    if (a->labels && labels_load(a->labels, &st->labels)) return CLI_EXIT_ERROR;
    tern_session_options o = a->opts;
    cli_shapes shapes = a->shapes;
    o.batch = 1;
    if (cli_load(a->model, &st->m)) return CLI_EXIT_ERROR;
    if (cli_prep_bind_size(&a->prep, st->m, &shapes)) return CLI_EXIT_ERROR;
    cli_use_shapes(&o, &shapes);
    if (cli_compile(st->m, &o, a->model, &st->s)) return CLI_EXIT_ERROR;
    if (tern_session_input_count(st->s) != 1)
        return cli_fail("image input needs a model with one input; this one has %d (%s)",
                        tern_session_input_count(st->s), a->model);
    if (tern_session_input_info(st->s, 0, &st->in) != TERN_OK ||
        tern_session_output_info(st->s, 0, &st->out) != TERN_OK)
        return cli_fail("%s (%s)", tern_session_error(st->s), a->model);
    if (st->in.rank < 1 || st->in.dims[0] != 1)
        return cli_fail("image input needs a batch of 1; input '%s' has %lld (%s)", st->in.name,
                        st->in.rank ? (long long)st->in.dims[0] : 0LL, a->model);
    size_t es = tern_dtype_size(st->out.dtype);
    st->classes = es ? (long)(st->out.bytes / es) : 0;
    if (st->out.dtype != TERN_FLOAT || st->classes < 1)
        return cli_fail("output '%s' must be float32 scores (%s)", st->out.name, a->model);
    if (a->labels && st->classes != st->labels.count && st->classes != st->labels.count + 1)
        fprintf(stderr, "tern: note: %d labels for %ld classes (%s)\n", st->labels.count,
                st->classes, a->labels);
    st->scores = malloc(st->out.bytes);
    st->stacked = calloc((size_t)a->n_images, st->out.bytes);
    if (!st->scores || !st->stacked) return cli_fail("out of memory (tern run)");
    return 0;
}

/* Read one image and set it as the model input. */
static int make_input(const run_args *a, img_state *st, const char *path) {
    tern_image img;
    if (tern_image_load_file(path, &img) != TERN_OK) return cli_fail("%s", img.error);
    const int64_t *d = st->in.dims;
    int nchw = st->in.rank == 4 && (d[1] == 1 || d[1] == 3);
    int64_t h = nchw ? d[2] : d[1], w = nchw ? d[3] : d[2];
    if (!a->prep.preset && !a->prep.generic && st->in.rank == 4 &&
        (img.width != w || img.height != h))
        fprintf(stderr,
                "tern: note: no --preset: %s is resized from %dx%d to %lldx%lld and mapped to "
                "p/255 (ImageNet models want --preset tf128, tf127, unit, torchvision or "
                "effnet-lite)\n", path, img.width, img.height, (long long)w, (long long)h);
    tern_status st_ = tern_session_set_input_image(st->s, 0, 0, &img, &a->prep.p);
    tern_image_free(&img);
    if (st_ != TERN_OK) return cli_fail("%s (%s)", tern_session_error(st->s), path);
    return 0;
}

/* The k best classes: rank, class index, score, label. */
static int print_top(const run_args *a, const img_state *st, const char *path) {
    long k = a->top ? a->top : 5;
    if (k > st->classes) k = st->classes;
    long *best = malloc((size_t)k * sizeof *best);
    if (!best) return cli_fail("out of memory ranking %ld classes (%s)", st->classes, path);
    scores_top(st->scores, st->classes, k, best);
    printf("%s:\n", path);
    for (long i = 0; i < k; i++) {
        const char *label = labels_get(&st->labels, st->classes, best[i]);
        printf("  %2ld  %5ld  %11.6f%s%s\n", i + 1, best[i], st->scores[best[i]],
               *label ? "  " : "", label);
    }
    free(best);
    return 0;
}

static int classify(const run_args *a, img_state *st, int k) {
    const char *path = a->images[k];
    if (make_input(a, st, path)) return CLI_EXIT_ERROR;
    if (tern_session_run(st->s) != TERN_OK ||
        tern_session_get_output(st->s, 0, st->scores, st->out.bytes) != TERN_OK)
        return cli_fail("run failed: %s (%s on %s)", tern_session_error(st->s), a->model, path);
    memcpy((unsigned char *)st->stacked + (size_t)k * st->out.bytes, st->scores, st->out.bytes);
    return print_top(a, st, path);
}

static int write_stacked(const run_args *a, const img_state *st) {
    if (a->n_outputs > 1 || (a->n_outputs == 1 && a->outputs[0].name))
        return cli_fail("with images, --output takes one FILE.npy (output 0 of every image)");
    /* [1,C] outputs become [N,C]; others get a new leading axis of N */
    int64_t dims[TERN_MAX_RANK + 1];
    int rank = 0;
    if (st->out.rank == 0 || st->out.dims[0] != 1) dims[rank++] = a->n_images;
    for (int d = 0; d < st->out.rank; d++) dims[rank++] = st->out.dims[d];
    if (rank > st->out.rank) {
        if (rank > TERN_MAX_RANK) return cli_fail("output 0 has too many dims to stack");
    } else {
        dims[0] = a->n_images;
    }
    tern_err err;
    if (tern_npy_write_file(a->outputs[0].path, TERN_FLOAT, rank, dims, st->stacked, &err))
        return cli_fail("%s (--output)", err.msg);
    return 0;
}

int run_images(const run_args *a) {
    img_state *st = calloc(1, sizeof *st);
    if (!st) return cli_fail("out of memory (tern run)");
    int rc = setup(a, st);
    for (int k = 0; rc == 0 && k < a->n_images; k++) rc = classify(a, st, k);
    if (rc == 0 && a->n_outputs) rc = write_stacked(a, st);
    free(st->scores);
    free(st->stacked);
    labels_free(&st->labels);
    cli_close(st->m, st->s);
    free(st);
    return rc;
}
