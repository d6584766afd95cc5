/* `tern run`: the parsed command line and its two modes (tensors from .npy
 * files, or images with a preset). */
#ifndef TERN_CLI_RUN_H
#define TERN_CLI_RUN_H

#include "cli.h"
#include "cli_prep.h"
#include "tern.h"

#define RUN_MAX_IO 64

/* "NAME=PATH" or "PATH" (name NULL). */
typedef struct {
    const char *name;
    const char *path;
    char buf[1024]; /* holds the split-off name */
} run_io;

typedef struct {
    const char *model;
    run_io inputs[RUN_MAX_IO], outputs[RUN_MAX_IO];
    int n_inputs, n_outputs;
    const char **images;
    int n_images;
    tern_session_options opts; /* .shapes points into shapes */
    cli_shapes shapes;
    int batch_given;
    const char *labels;
    cli_prep prep; /* images only */
    int top;
} run_args;

int run_tensors(const run_args *a);
int run_images(const run_args *a);

/* "N.NN" of a float tensor's first values, for printing. */
void run_print_values(const char *what, const tern_tensor_info *info, const void *data);

#endif
