/* tern preprocess IMAGE --preset P --output OUT.npy: the tensor a preset
 * makes of an image, to compare with Python reference preprocessing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "loader/npy.h"
#include "loader/pnm.h"
#include "preprocess.h"

typedef struct {
    const char *image, *output, *preset_name;
    int h, w, c, nchw, pixels;
} prep_args;

/* A side length: decimal digits only (no sign, no spaces), 1..65535.
 * Returns the end of the number, or NULL. */
static const char *parse_side(const char *s, int *out) {
    long v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (*p - '0');
        if (v > 65535) return NULL;
    }
    if (p == s || v < 1) return NULL;
    *out = (int)v;
    return p;
}

/* "224" or "WxH" (as Pillow writes sizes: width first). */
static int parse_size(const char *s, prep_args *p) {
    int w = 0, h = 0;
    const char *end = parse_side(s, &w);
    if (end && *end == 'x') {
        end = parse_side(end + 1, &h);
    } else {
        h = w;
    }
    if (!end || *end)
        return cli_fail("bad --size '%s' (want S or WxH, each 1..65535)", s);
    p->w = w;
    p->h = h;
    return 0;
}

static int parse(int argc, char **argv, prep_args *p) {
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r = 0;
        if (!strcmp(argv[i], "--pixels")) {
            p->pixels = 1;
        } else if ((r = cli_option(argc, argv, &i, "--preset", &v)) > 0) {
            p->preset_name = v;
        } else if (r == 0 && (r = cli_option(argc, argv, &i, "--output", &v)) > 0) {
            p->output = v;
        } else if (r == 0 && (r = cli_option(argc, argv, &i, "--size", &v)) > 0) {
            if (parse_size(v, p)) return CLI_EXIT_ERROR;
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
    if (!p->image || !p->output || !p->preset_name)
        return cli_fail("usage: tern preprocess IMAGE --preset P [--size S|WxH] [--channels C] "
                        "[--layout nhwc|nchw] [--pixels] --output OUT.npy");
    return 0;
}

int cmd_preprocess(int argc, char **argv) {
    prep_args p = {NULL, NULL, NULL, 224, 224, 3, 0, 0};
    prep_preset preset;
    if (parse(argc, argv, &p)) return CLI_EXIT_ERROR;
    if (!prep_preset_find(p.preset_name, &preset))
        return cli_fail("unknown preset '%s' (presets: %s)", p.preset_name, prep_preset_list());
    tern_pnm pnm;
    tern_err err;
    if (tern_pnm_read_file(p.image, &pnm, &err) != TERN_OK) return cli_fail("%s", err.msg);
    prep_image img = {pnm.width, pnm.height, pnm.channels, pnm.data}, px;
    int r = prep_pixels(&img, preset, p.h, p.w, p.c, &px);
    tern_pnm_free(&pnm);
    if (r != 0) return cli_fail("%s (%s)", prep_error_text(r), p.image);
    int64_t dims[4] = {1, p.nchw ? p.c : p.h, p.nchw ? p.h : p.w, p.nchw ? p.w : p.c};
    size_t n = (size_t)p.h * (size_t)p.w * (size_t)p.c;
    void *data = malloc(n * (p.pixels ? 1 : sizeof(float)));
    if (!data) {
        free(px.px);
        return cli_fail("out of memory (%s)", p.image);
    }
    if (p.pixels)
        prep_to_u8(&px, p.nchw, data);
    else
        prep_to_float(&px, preset, p.nchw, data);
    free(px.px);
    r = tern_npy_write_file(p.output, p.pixels ? TERN_UINT8 : TERN_FLOAT, 4, dims, data, &err);
    free(data);
    return r ? cli_fail("%s (--output)", err.msg) : 0;
}
