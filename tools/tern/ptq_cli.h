/* `tern quantize` and `tern eval --int8/--calib`: the quantizer's flags,
 * and image sets run through tern_ptq workers on several threads
 * (ptq_run.c). */
#ifndef TERN_CLI_PTQ_H
#define TERN_CLI_PTQ_H

#include "eval.h"
#include "tern_quant.h"

typedef struct ptq_args {
    tern_ptq_options o;
    const char *calib;   /* folder (with LABELS.csv, or images) or a labels file */
    int calib_count;     /* 0: 200 */
    int auto_fp32;
    int has_method;
} ptq_args;

/* If argv[*i] is a quantizer flag (--method, --percentile, --keep-fp32,
 * --auto-fp32, --no-bias-correction, --weight-mse, --calib,
 * --calib-count): handle it, return 0 (CLI_EXIT_ERROR on a bad value);
 * 1 if it is not one. */
int ptq_option(int argc, char **argv, int *i, ptq_args *pa, int count_is_calib);
const char *ptq_method_name(tern_ptq_method m);

/* The calibration set of pa->calib: DIR/LABELS.csv when there is one, else
 * every image of DIR, else pa->calib as a labels file. */
int ptq_calib_set(const ptq_args *pa, eval_set *set);

/* Run set through q: calibrate (compare 0) or compare FP32 with INT8
 * (compare 1, filling each image's top classes: fp32_top/int8_top hold
 * EVAL_TOP per image) or run INT8 only (compare 2: int8_top). Progress on stderr when it is a terminal. 0 or
 * CLI_EXIT_ERROR after printing why. *seconds gets the wall time. */
int ptq_run(tern_ptq *q, eval_set *set, const tern_preprocess *p, int threads, int compare,
            long *fp32_top, long *int8_top, double *seconds);

/* Calibrate, finish, and with --auto-fp32 compare on the calibration set,
 * keep the worst layers in float and finish again. */
int ptq_quantize(tern_ptq *q, const ptq_args *pa, const tern_preprocess *p, int threads,
                 double *calib_seconds, int *calib_images);

int cmd_quantize(int argc, char **argv);
#endif
