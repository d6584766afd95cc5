/* `tern eval --int8 QMODEL` / `--calib DIR` (eval_int8.c). */
#ifndef TERN_CLI_EVAL_INT8_H
#define TERN_CLI_EVAL_INT8_H

#include "ptq_cli.h"

typedef struct {
    const char *qmodel;       /* --int8: a QDQ file, or NULL to quantize (--calib) */
    const ptq_args *pa;
    const tern_preprocess *prep;
    const char *what;         /* the INT8 model, for the report */
    const char *save;         /* --save-int8: write the quantized model too */
    const char *fp32_predictions; /* FP32 top classes from this file: INT8 runs alone */
    const char *predictions;  /* --predictions: the INT8 model's, as eval writes them */
    int threads, json, layers, offset;
} eval_int8_args;

int eval_int8(const eval_int8_args *e, const tern_model *m, eval_set *set);

#endif
