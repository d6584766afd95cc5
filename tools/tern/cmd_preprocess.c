/* tern preprocess IMAGE --preset P --output OUT.npy: the tensor a preset
 * (or the generic preprocessing flags) makes of an image, to compare with
 * Python reference preprocessing (tools/make_preprocess_refs.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_prep.h"
#include "loader/image_prep.h"
#include "loader/npy.h"

typedef struct {
    const char *image, *output;
    cli_prep prep;
    int c, nchw, pixels;
} prep_args;

static int parse(int argc, char **argv, prep_args *p) {
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r = cli_prep_option(argc, argv, &i, &p->prep);
        if (r != 1) {
            if (r) return r;
        } else if (!strcmp(argv[i], "--pixels")) {
            p->pixels = 1;
        } else if ((r = cli_option(argc, argv, &i, "--output", &v)) > 0) {
            p->output = v;
        } else if (r == 0 && (r = cli_option(argc, argv, &i, "--channels", &v)) > 0) {
            if (strcmp(v, "1") && strcmp(v, "3"))
                return cli_fail("bad --channels '%s' (1 or 3)", v);
            p->c = v[0] - '0';
        } else if (r == 0 && (r = cli_option(argc, argv, &i, "--layout", &v)) > 0) {
            if (strcmp(v, "nhwc") && strcmp(v, "nchw"))
                return cli_fail("bad --layout '%s' (nhwc or nchw)", v);
            p->nchw = !strcmp(v, "nchw");
        } else if (r < 0) {
            return CLI_EXIT_ERROR;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_fail("unknown option '%s' (tern preprocess; see tern --help)", argv[i]);
        } else if (!p->image) {
            p->image = argv[i];
        } else {
            return cli_fail("unexpected argument '%s' (tern preprocess takes one image)", argv[i]);
        }
    }
    if (!p->image || !p->output || (!p->prep.preset && !p->prep.generic))
        return cli_fail("usage: tern preprocess IMAGE --preset P [--size S|WxH] [--channels C] "
                        "[--layout nhwc|nchw] [--pixels] --output OUT.npy");
    return cli_prep_finish(&p->prep);
}

int cmd_preprocess(int argc, char **argv) {
    prep_args p = {.c = 3};
    if (parse(argc, argv, &p)) return CLI_EXIT_ERROR;
    int h = p.prep.h ? p.prep.h : 224, w = p.prep.w ? p.prep.w : 224;
    tern_image image;
    if (tern_image_load_file(p.image, &image) != TERN_OK) return cli_fail("%s", image.error);
    tern_prep_image img = {image.width, image.height, image.channels, image.pixels}, px;
    int r = tern_prep_pixels(&img, &p.prep.p, h, w, p.c, &px);
    tern_image_free(&image);
    if (r != 0) return cli_fail("%s (%s)", tern_prep_error_text(r), p.image);
    int64_t dims[4] = {1, p.nchw ? p.c : h, p.nchw ? h : w, p.nchw ? w : p.c};
    size_t n = (size_t)h * (size_t)w * (size_t)p.c;
    void *data = malloc(n * (p.pixels ? 1 : sizeof(float)));
    if (!data) {
        free(px.px);
        return cli_fail("out of memory (%s)", p.image);
    }
    if (p.pixels)
        tern_prep_to_u8(&px, p.nchw, p.prep.p.bgr, data);
    else
        tern_prep_to_float(&px, &p.prep.p, p.nchw, data);
    free(px.px);
    tern_err err;
    r = tern_npy_write_file(p.output, p.pixels ? TERN_UINT8 : TERN_FLOAT, 4, dims, data, &err);
    free(data);
    return r ? cli_fail("%s (--output)", err.msg) : 0;
}
