/* Preprocessing flags shared by `tern run` (images) and `tern eval`: a
 * preset, then generic flags that override parts of it:
 *   --preset P | --resize N --crop S | --central-fraction F --size S
 *   --mean R,G,B --std R,G,B (pixel units) [--bgr]
 * --crop and --size (S or WxH) give the model input's height and width:
 * they must match a static input and bind a dynamic one. */
#ifndef TERN_CLI_PREP_H
#define TERN_CLI_PREP_H

#include "cli.h"

typedef struct cli_prep {
    const char *preset;  /* --preset, or NULL */
    tern_preprocess p;   /* the result, after cli_prep_finish */
    int resize;          /* --resize, 0 if not given */
    double fraction;     /* --central-fraction, 0 if not given */
    int h, w;            /* --size / --crop, 0 if not given */
    int have_mean, have_std, bgr;
    float mean[3], std[3];
    int generic;         /* any flag other than --preset given */
} cli_prep;

/* If argv[*i] is one of the flags above: handle it and return 0 (or
 * CLI_EXIT_ERROR on a bad value); 1 if it is not ours. */
int cli_prep_option(int argc, char **argv, int *i, cli_prep *cp);
/* Combine the preset and the flags into cp->p; 0 or CLI_EXIT_ERROR. */
int cli_prep_finish(cli_prep *cp);
/* When --size/--crop was given, bind input 0's height and width to it
 * (batch and channels left as the model has them). 0 or CLI_EXIT_ERROR. */
int cli_prep_bind_size(const cli_prep *cp, const tern_model *m, cli_shapes *shapes);
/* The usage lines for these flags. */
extern const char CLI_PREP_USAGE[];

#endif
