/* Preprocessing flags of `tern run` and `tern eval`; see cli_prep.h. */
#include "cli_prep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char CLI_PREP_USAGE[] =
    "    --preset P                 none, tf128, tf127, unit, torchvision, effnet-lite\n"
    "    --resize N --crop S        shorter side to N (Pillow bilinear), central SxS (or WxH)\n"
    "    --central-fraction F       keep the central F of the image (TF central_crop), then\n"
    "    --size S                   resize to SxS (or WxH)\n"
    "    --mean R,G,B --std R,G,B   x = (p - mean) / std, p in 0..255 (default: the preset's)\n"
    "    --bgr                      feed channels in B, G, R order\n";

/* "S" or "WxH", each 1..65535. */
static int parse_size(const char *s, const char *opt, int *h, int *w) {
    char *end;
    errno = 0;
    long a = strtol(s, &end, 10), b = a;
    if (!errno && end != s && *end == 'x') {
        const char *t = end + 1;
        b = strtol(t, &end, 10);
        if (end == t) errno = EINVAL;
    }
    if (errno || end == s || *end || a < 1 || b < 1 || a > 65535 || b > 65535 || s[0] == '-' ||
        s[0] == '+' || s[0] == ' ')
        return cli_fail("bad %s '%s' (want S or WxH, each 1..65535)", opt, s);
    *w = (int)a;
    *h = (int)b;
    return 0;
}

/* Three finite numbers "a,b,c" (or one, used for all three). */
static int parse_triple(const char *s, const char *opt, float *out) {
    const char *p = s;
    int n = 0;
    while (n < 3 && *p && *p != ' ') {
        char *end;
        errno = 0;
        float v = strtof(p, &end);
        if (errno || end == p || !isfinite(v)) break;
        out[n++] = v;
        p = end;
        if (*p != ',') break;
        p++;
    }
    if (*p == 0 && n == 1) out[1] = out[2] = out[0];
    else if (*p != 0 || n != 3) return cli_fail("bad %s '%s' (want R,G,B or one number)", opt, s);
    return 0;
}

int cli_prep_option(int argc, char **argv, int *i, cli_prep *cp) {
    const char *v;
    int r;
    if (!strcmp(argv[*i], "--bgr")) {
        cp->bgr = cp->generic = 1;
        return 0;
    }
    if ((r = cli_option(argc, argv, i, "--preset", &v)) != 0) {
        cp->preset = v;
        return r < 0 ? CLI_EXIT_ERROR : 0;
    }
    if ((r = cli_option(argc, argv, i, "--resize", &v)) != 0) {
        cp->generic = 1;
        return r < 0 ? CLI_EXIT_ERROR : cli_int(v, 1, 65535, "--resize", &cp->resize);
    }
    if ((r = cli_option(argc, argv, i, "--crop", &v)) != 0 ||
        (r = cli_option(argc, argv, i, "--size", &v)) != 0) {
        cp->generic = 1;
        return r < 0 ? CLI_EXIT_ERROR : parse_size(v, "--size/--crop", &cp->h, &cp->w);
    }
    if ((r = cli_option(argc, argv, i, "--central-fraction", &v)) != 0) {
        char *end;
        cp->generic = 1;
        if (r < 0) return CLI_EXIT_ERROR;
        errno = 0;
        cp->fraction = strtod(v, &end);
        if (errno || end == v || *end || !(cp->fraction > 0.0 && cp->fraction <= 1.0))
            return cli_fail("bad --central-fraction '%s' (want a number in (0, 1])", v);
        return 0;
    }
    if ((r = cli_option(argc, argv, i, "--mean", &v)) != 0) {
        cp->have_mean = cp->generic = 1;
        return r < 0 ? CLI_EXIT_ERROR : parse_triple(v, "--mean", cp->mean);
    }
    if ((r = cli_option(argc, argv, i, "--std", &v)) != 0) {
        cp->have_std = cp->generic = 1;
        if (r < 0 || parse_triple(v, "--std", cp->std)) return CLI_EXIT_ERROR;
        for (int c = 0; c < 3; c++)
            if (cp->std[c] == 0.0f) return cli_fail("bad --std '%s' (0 divides by zero)", v);
        return 0;
    }
    return 1;
}

int cli_prep_finish(cli_prep *cp) {
    if (tern_preprocess_preset(cp->preset ? cp->preset : "none", &cp->p) != TERN_OK)
        return cli_fail("unknown preset '%s' (presets: %s)", cp->preset, tern_preprocess_presets());
    if (cp->resize && cp->fraction)
        return cli_fail("--resize and --central-fraction are two ways to crop: give one");
    if (cp->resize) {
        cp->p.geometry = TERN_PREP_RESIZE_CROP;
        cp->p.resize = cp->resize;
    }
    if (cp->fraction) {
        cp->p.geometry = TERN_PREP_CENTRAL_CROP;
        cp->p.fraction = cp->fraction;
    }
    if (cp->have_mean || cp->have_std) {
        /* the mean/std form, starting from 0 and 1 for the one not given */
        cp->p.values = TERN_PREP_MEAN_STD;
        for (int c = 0; c < 3; c++) {
            cp->p.mean[c] = cp->have_mean ? cp->mean[c] : 0.0f;
            cp->p.std[c] = cp->have_std ? cp->std[c] : 1.0f;
        }
    }
    cp->p.bgr = cp->bgr;
    return 0;
}

int cli_prep_bind_size(const cli_prep *cp, const tern_model *m, cli_shapes *shapes) {
    tern_tensor_info info;
    if (!cp->h || tern_model_input_count(m) < 1 || tern_model_input_info(m, 0, &info) != TERN_OK ||
        info.rank != 4)
        return 0; /* nothing to bind, or the image code says what is wrong */
    for (int k = 0; k < shapes->n; k++)
        if (!strcmp(shapes->names[k], info.name)) return 0; /* --shape wins */
    int c1 = info.dims[1] == 1 || info.dims[1] == 3;
    if (shapes->n >= CLI_MAX_SHAPES) return cli_fail("too many --shape bindings");
    int j = shapes->n++;
    snprintf(shapes->names[j], sizeof shapes->names[j], "%s", info.name);
    int64_t *d = shapes->dims[j];
    d[0] = -1;
    d[1] = c1 ? info.dims[1] : cp->h;
    d[2] = c1 ? cp->h : cp->w;
    d[3] = c1 ? cp->w : info.dims[3];
    shapes->list[j] = (tern_input_shape){shapes->names[j], 4, d};
    return 0;
}
