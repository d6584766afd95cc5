/* tern run MODEL IMAGE... : preprocess each image with a preset, run it
 * (one image per run, batch 1) and print the top-K classes of output 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "labels.h"
#include "loader/npy.h"
#include "loader/pnm.h"
#include "preprocess.h"
#include "run.h"

typedef struct {
    tern_model *m;
    tern_session *s;
    tern_tensor_info in, out;
    int nchw, h, w, c;
    prep_preset preset;
    cli_labels labels;
    void *input;    /* one input tensor */
    float *scores;  /* output 0 as float, one image */
    float *stacked; /* every image's output 0, for --output */
    long classes;
} img_state;

/* NCHW or NHWC from the input shape: the axis that is 1 or 3 is channels. */
static int input_layout(const run_args *a, img_state *st) {
    const tern_tensor_info *in = &st->in;
    char d[128];
    cli_dims(in->dims, in->rank, d, sizeof d);
    if (in->rank != 4 || in->dims[0] != 1)
        return cli_fail("image input needs a [1,C,H,W] or [1,H,W,C] model input; '%s' is %s (%s)",
                        in->name, d, a->model);
    if (in->dtype != TERN_FLOAT && in->dtype != TERN_UINT8)
        return cli_fail("image input needs a float32 or uint8 model input; '%s' is %s (%s)",
                        in->name, tern_dtype_name(in->dtype), a->model);
    int c1 = in->dims[1] == 1 || in->dims[1] == 3, c3 = in->dims[3] == 1 || in->dims[3] == 3;
    if (c1 == c3)
        return cli_fail("cannot tell the channel axis of input '%s' %s (want 1 or 3 channels in "
                        "dim 1 or dim 3, not both) (%s)",
                        in->name, d, a->model);
    int64_t h = c1 ? in->dims[2] : in->dims[1], w = c1 ? in->dims[3] : in->dims[2];
    if (h < 1 || w < 1 || h > 65535 || w > 65535)
        return cli_fail("input '%s' %s has no image size in 1..65535 (%s)", in->name, d, a->model);
    st->nchw = c1;
    st->c = (int)(c1 ? in->dims[1] : in->dims[3]);
    st->h = (int)h;
    st->w = (int)w;
    return 0;
}

static int setup(const run_args *a, img_state *st) {
    st->preset = PREP_NONE;
    if (a->preset && !prep_preset_find(a->preset, &st->preset))
        return cli_fail("unknown preset '%s' (presets: %s)", a->preset, prep_preset_list());
    if (a->labels && labels_load(a->labels, &st->labels)) return CLI_EXIT_ERROR;
    tern_session_options o = a->opts;
    o.batch = 1;
    if (cli_open(a->model, &o, &st->m, &st->s)) return CLI_EXIT_ERROR;
    if (tern_session_input_count(st->s) != 1)
        return cli_fail("image input needs a model with one input; this one has %d (%s)",
                        tern_session_input_count(st->s), a->model);
    if (tern_session_input_info(st->s, 0, &st->in) != TERN_OK ||
        tern_session_output_info(st->s, 0, &st->out) != TERN_OK)
        return cli_fail("%s (%s)", tern_session_error(st->s), a->model);
    if (input_layout(a, st)) return CLI_EXIT_ERROR;
    size_t es = tern_dtype_size(st->out.dtype);
    st->classes = es ? (long)(st->out.bytes / es) : 0;
    if (st->out.dtype != TERN_FLOAT || st->classes < 1)
        return cli_fail("output '%s' must be float32 scores (%s)", st->out.name, a->model);
    if (a->labels && st->classes != st->labels.count && st->classes != st->labels.count + 1)
        fprintf(stderr, "tern: note: %d labels for %ld classes (%s)\n", st->labels.count,
                st->classes, a->labels);
    st->input = malloc(st->in.bytes);
    st->scores = malloc(st->out.bytes);
    st->stacked = calloc((size_t)a->n_images, st->out.bytes);
    if (!st->input || !st->scores || !st->stacked) return cli_fail("out of memory (tern run)");
    return 0;
}

/* Read, crop/resize and lay out one image as the model input. */
static int make_input(const run_args *a, img_state *st, const char *path) {
    tern_pnm pnm;
    tern_err err;
    if (tern_pnm_read_file(path, &pnm, &err) != TERN_OK) return cli_fail("%s", err.msg);
    prep_image img = {pnm.width, pnm.height, pnm.channels, pnm.data}, px;
    if (!a->preset && (img.w != st->w || img.h != st->h))
        fprintf(stderr,
                "tern: note: no --preset: %s is resized from %dx%d to %dx%d and mapped to p/255 "
                "(ImageNet models want --preset tf128, tf127, unit or torchvision)\n",
                path, img.w, img.h, st->w, st->h);
    int r = prep_pixels(&img, st->preset, st->h, st->w, st->c, &px);
    tern_pnm_free(&pnm);
    if (r != 0) return cli_fail("%s (%s)", prep_error_text(r), path);
    if (st->in.dtype == TERN_FLOAT)
        prep_to_float(&px, st->preset, st->nchw, st->input);
    else
        prep_to_u8(&px, st->nchw, st->input);
    free(px.px);
    return 0;
}

typedef struct {
    float score;
    long index;
} ranked;

/* Descending score, ties to the lower index (as the reference tools); NaN
 * ranks last so that the order is total. */
static int rank_order(const void *pa, const void *pb) {
    const ranked *a = pa, *b = pb;
    int na = a->score != a->score, nb = b->score != b->score;
    if (na != nb) return na - nb;
    if (!na && a->score != b->score) return a->score > b->score ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* The k best classes: rank, class index, score, label. */
static int print_top(const run_args *a, const img_state *st, const char *path) {
    long k = a->top ? a->top : 5;
    if (k > st->classes) k = st->classes;
    ranked *r = malloc((size_t)st->classes * sizeof *r);
    if (!r) return cli_fail("out of memory ranking %ld classes (%s)", st->classes, path);
    for (long i = 0; i < st->classes; i++) r[i] = (ranked){st->scores[i], i};
    qsort(r, (size_t)st->classes, sizeof *r, rank_order);
    printf("%s:\n", path);
    for (long i = 0; i < k; i++) {
        const char *label = labels_get(&st->labels, st->classes, r[i].index);
        printf("  %2ld  %5ld  %11.6f%s%s\n", i + 1, r[i].index, r[i].score, *label ? "  " : "",
               label);
    }
    free(r);
    return 0;
}

static int classify(const run_args *a, img_state *st, int k) {
    const char *path = a->images[k];
    if (make_input(a, st, path)) return CLI_EXIT_ERROR;
    if (tern_session_set_input(st->s, 0, st->input, st->in.bytes) != TERN_OK ||
        tern_session_run(st->s) != TERN_OK ||
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
    free(st->input);
    free(st->scores);
    free(st->stacked);
    labels_free(&st->labels);
    cli_close(st->m, st->s);
    free(st);
    return rc;
}
