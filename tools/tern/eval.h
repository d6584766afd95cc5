/* `tern eval`: a labelled image set through a model, several sessions in
 * parallel, top-1/top-5 and images per second (cmd_eval.c parses the command
 * line, eval_set.c reads the image list, eval_run.c runs it). */
#ifndef TERN_CLI_EVAL_H
#define TERN_CLI_EVAL_H

#include "cli.h"
#include "cli_prep.h"

#define EVAL_TOP 5

/* One image of the set: where it is, its label, what the model said. */
typedef struct {
    char *name;  /* as the labels file writes it (or the file name in the folder) */
    char *path;  /* where it is read from */
    long label;  /* class_index from the labels file, -1 without labels */
    int status;  /* 0 done, 1 not run yet, 2 could not be read or run */
    long top[EVAL_TOP];
} eval_image;

typedef struct {
    eval_image *images;
    int count;
    int labelled;
} eval_set;

/* The set: LABELS.csv rows (filename,synset,class_index; file names relative
 * to the labels file's folder, or found in images_dir), or every file of
 * images_dir when labels is NULL; at most `count` (0: all). 0 or
 * CLI_EXIT_ERROR after printing why. */
int eval_set_load(const char *labels, const char *images_dir, int count, eval_set *set);
void eval_set_free(eval_set *set);

typedef struct {
    const char *model;
    tern_session_options opts; /* threads = sessions in parallel */
    cli_shapes shapes;
    cli_prep prep;
    int threads, strict, json;
    const char *predictions;
    const char *labels, *images;
    int count;
} eval_args;

typedef struct {
    long classes;   /* model output size */
    int offset;     /* 1 when a 1001-class output maps label k to index k + 1 */
    int failed;     /* images that could not be read or run */
    double seconds; /* wall time of the whole run */
} eval_result;

/* Run every image of set through a model (a->threads sessions); fills each
 * image's top classes. 0 or CLI_EXIT_ERROR. */
int eval_run(const eval_args *a, const tern_model *m, eval_set *set, eval_result *r);

#endif
