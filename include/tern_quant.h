/*
 * tern post-training quantization (PTQ): an FP32 model and calibration
 * images in, a standard QDQ ONNX model out (int8 activations per tensor,
 * int8 symmetric per-channel weights, int32 bias at s_x * s_w; see
 * docs/ptq.md and docs/quantization.md), plus the means to measure what
 * quantization cost, layer by layer.
 *
 * Flow: tern_ptq_create (analysis) -> per thread a worker that feeds
 * calibration images (tern_ptq_worker_calibrate) and hands its statistics
 * over (tern_ptq_worker_merge) -> tern_ptq_finish (ranges, weights, bias
 * correction, the QDQ model) -> tern_ptq_save. Comparing FP32 with INT8 on
 * images: workers again (tern_ptq_worker_compare), then tern_ptq_layer.
 * tern_ptq_load reads a QDQ file back instead of calibrating.
 *
 * The INT8 side of a comparison is the QDQ model compiled by tern into its
 * integer graph (QLinearConv, ...), or with `simulate` the QDQ model run in
 * float (every quantized tensor rounded to its int8 grid and back, weights
 * and biases dequantized from their integers): the arithmetic ONNX Runtime
 * uses with optimizations off, and tern's integer kernels up to float
 * rounding near ties.
 *
 * Like the rest of the library it prints nothing; errors: tern_ptq_error().
 * One tern_ptq may be used by several threads only through workers (each
 * worker by one thread); merge and finish take its lock.
 */
#ifndef TERN_QUANT_H
#define TERN_QUANT_H

#include "tern.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tern_ptq_method {
    TERN_PTQ_MSE = 0,        /* per tensor: minimise the expected squared error (default) */
    TERN_PTQ_MINMAX = 1,     /* the observed range */
    TERN_PTQ_PERCENTILE = 2, /* clip the tails beyond `percentile` */
    TERN_PTQ_ENTROPY = 3     /* KL divergence (TensorRT's), zero spike excluded */
} tern_ptq_method;

typedef struct tern_ptq_options {
    tern_ptq_method method;
    double percentile;        /* TERN_PTQ_PERCENTILE; 0 means 99.99 */
    int no_bias_correction;   /* 1: keep the float bias as it is */
    int weight_mse;           /* 1: per-channel weight scales minimising squared error */
    int simulate;             /* 1: compare against the float simulation, not integer ops */
    int int8_output;          /* 1: quantize the model's output head too (default: the
                                 last int8 layer writes float, so scores do not tie) */
    const char *keep_fp32;    /* comma-separated node (or output tensor) names kept in float */
} tern_ptq_options;

typedef struct tern_ptq tern_ptq;
typedef struct tern_ptq_worker tern_ptq_worker;

/* Analyse fp32 (which must outlive the tern_ptq): which nodes become INT8,
 * which stay float and why. opts may be NULL (defaults). On failure *out
 * holds only the message, as for tern_model_load_file. */
tern_status tern_ptq_create(const tern_model *fp32, const tern_ptq_options *opts, tern_ptq **out);
/* A tern_ptq from a QDQ file written by tern_ptq_save (or any QDQ model
 * of the same FP32 graph): ready for comparisons. */
tern_status tern_ptq_load(const tern_model *fp32, const char *qdq_path,
                          const tern_ptq_options *opts, tern_ptq **out);
void tern_ptq_free(tern_ptq *q);
const char *tern_ptq_error(const tern_ptq *q);

/* A worker: its own FP32 session (and INT8 one once finished), its own
 * statistics. */
tern_status tern_ptq_worker_create(tern_ptq *q, tern_ptq_worker **out);
void tern_ptq_worker_free(tern_ptq_worker *w);
const char *tern_ptq_worker_error(const tern_ptq_worker *w);
/* One calibration image through the FP32 graph, statistics kept. */
tern_status tern_ptq_worker_calibrate(tern_ptq_worker *w, const tern_image *img,
                                      const tern_preprocess *p);
/* One image through both graphs: the FP32 and INT8 outputs (output 0,
 * *n floats each, valid until the next call) and per-layer error sums. */
tern_status tern_ptq_worker_compare(tern_ptq_worker *w, const tern_image *img,
                                    const tern_preprocess *p, const float **fp32,
                                    const float **int8, size_t *n);
/* One image through the INT8 model only (no FP32 run, no layer sums). */
tern_status tern_ptq_worker_run_int8(tern_ptq_worker *w, const tern_image *img,
                                     const tern_preprocess *p, const float **int8, size_t *n);
/* Add the worker's statistics to q's (calibration and comparison) and
 * clear them. Thread-safe. */
tern_status tern_ptq_worker_merge(tern_ptq_worker *w);

/* Ranges, weights, biases, the QDQ model. May be called again after
 * tern_ptq_keep_fp32 (statistics are kept); workers made before must then
 * be remade. */
tern_status tern_ptq_finish(tern_ptq *q);
/* Keep the `k` layers that lose the most SQNR of their own (from the
 * comparison statistics gathered so far) in float; 0 if there were none.
 * Call tern_ptq_finish afterwards. Returns how many were added. */
int tern_ptq_keep_worst(tern_ptq *q, int k);
tern_status tern_ptq_save(tern_ptq *q, const char *path);

/* What became of the model's nodes. */
typedef struct tern_ptq_summary {
    int nodes;       /* nodes of the FP32 graph (after constant folding) */
    int int8;        /* run as INT8 ops */
    int absorbed;    /* Relu/Clip folded into the int8 output range before them */
    int movement;    /* Reshape/Transpose/...: move int8 bytes */
    int kept_float;  /* left in float */
    int calibrated;  /* images seen by calibration */
    int compared;    /* images seen by comparisons */
} tern_ptq_summary;
tern_status tern_ptq_summary_get(const tern_ptq *q, tern_ptq_summary *s);
/* The i-th node left in float: its name, op and why; i < kept_float. */
tern_status tern_ptq_float_node(const tern_ptq *q, int i, const char **name, const char **op,
                                const char **why);

/* Layers of the comparison: each INT8 node's output. */
typedef struct tern_ptq_layer {
    const char *name; /* node name (its output tensor's if the node has none) */
    const char *op;
    const char *tensor;
    double sqnr_db;   /* 10 log10(sum fp32^2 / sum (int8 - fp32)^2); 200 when exact */
    double cosine;
    double own_db;    /* SQNR lost in this layer: input's SQNR minus output's */
} tern_ptq_layer;
int tern_ptq_layer_count(const tern_ptq *q);
tern_status tern_ptq_layer_get(const tern_ptq *q, int i, tern_ptq_layer *out);

#ifdef __cplusplus
}
#endif
#endif
