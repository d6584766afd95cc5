/* The object behind tern_ptq (include/tern_quant.h) and what its files
 * share: plan.c (which node becomes what), stats.c (calibration and
 * comparison statistics through execution hooks), weights.c (weights and
 * bias), qdq_build.c (the QDQ graph), qdq_import.c (a QDQ graph back into
 * a float graph plus the tensors to round), ptq.c (the API). */
#ifndef TERN_QUANT_PTQ_PRIV_H
#define TERN_QUANT_PTQ_PRIV_H

#include <pthread.h>

#include "graph/compile.h"
#include "graph/model.h"
#include "graph/session.h"
#include "quant/hist.h"
#include "tern_quant.h"

/* What a node of the FP32 graph becomes. */
enum {
    PQ_FLOAT = 0,   /* stays float (pq_node.why says why) */
    PQ_WEIGHTED,    /* Conv/Gemm/MatMul: int8 per-channel weights, int32 bias */
    PQ_ARITH,       /* Add, Mul, pools, Concat: int8 in, int8 out with its own range */
    PQ_LUT,         /* elementwise activation: a 256-entry table */
    PQ_SAME,        /* MaxPool: output on the input's grid */
    PQ_MOVE,        /* Reshape, Transpose, Pad...: bytes move, the grid is the input's */
    PQ_ABSORBED,    /* Relu/Clip(0, x) after an int8 node: its range does the clamp */
    PQ_GATE         /* the HardSigmoid/Sigmoid g of x * g(x): no int8 output of its own, the
                       Mul and it become one table (HardSwish, SiLU) in the integer graph */
};

typedef struct pq_node {
    int cls;
    const char *why; /* PQ_FLOAT: the reason */
    int out;         /* the tensor this node's int8 result lands in (an absorbed act's) */
    int waxis;       /* PQ_WEIGHTED: output-channel axis of the weight */
    int in_axis;     /* PQ_WEIGHTED: channel axis of input 0 (for bias correction) */
} pq_node;

/* A tensor rounded to int8 in the simulation (qdq_import.c): by name, so
 * that it is found in any session compiled from the graph. */
typedef struct pq_fq {
    const char *name;
    float scale;
    int zp;
    int layer;       /* index in q->layers, or -1 (not reported) */
} pq_fq;

typedef struct pq_layer_acc {
    double ss, ee, xy, yy; /* sum fp32^2, sum err^2, sum fp32*int8, sum int8^2 */
} pq_layer_acc;

typedef struct pq_layer {
    const char *name, *op, *tensor;
    int in_layer;    /* the layer whose output feeds this one (for own_db), or -1 */
    pq_layer_acc acc;
} pq_layer;

/* Per-tensor calibration statistics (only float activation tensors). */
typedef struct pq_stat {
    tern_hist *hist;     /* NULL: not observed */
    double *chsum;       /* per-channel sums (inputs of weighted nodes), or NULL */
    int channels, ch_axis;
    double chn;          /* values per channel summed */
} pq_stat;

struct tern_ptq {
    int ok;
    char error[512];
    tern_ptq_options o;
    char *keep;             /* o.keep_fp32 copied, plus tern_ptq_keep_worst's */
    const tern_model *fp32;
    tern_graph gi;          /* fp32's graph, shapes inferred, constants folded */
    int gi_ready;
    pq_node *nodes;         /* gi.n_nodes */
    int *root;              /* per gi tensor: its group's representative, -1 not int8 */
    pq_stat *stats;         /* per gi tensor */
    pthread_mutex_t lock;
    int calibrated, compared;

    /* per gi tensor after finish: the int8 grid */
    float *scale;
    int *zp;

    /* the QDQ model and its simulation */
    tern_graph qg;          /* the QDQ graph built by finish */
    int qg_ready;
    unsigned char *qdq;     /* its ONNX bytes */
    size_t qdq_len;
    tern_model *qdq_model;  /* those bytes loaded back */
    tern_model *sim;        /* the float graph that simulates it */
    pq_fq *fq;
    int n_fq;
    pq_layer *layers;
    int n_layers;
};

struct tern_ptq_worker {
    tern_ptq *q;
    tern_session *fs, *is;  /* FP32 (unfused) and INT8-simulation sessions */
    int *fmap, *lmap;       /* per FP32 compiled tensor: gi tensor / layer, or -1 */
    int *imap;              /* per INT8 compiled tensor: fq index (simulation) or layer
                               (integer graph), or -1 */
    float *scratch;         /* one tensor in logical order */
    pq_stat *stats;         /* worker-local calibration statistics (per gi tensor) */
    pq_layer_acc *acc;      /* worker-local per-layer sums */
    float **stash;          /* per layer: FP32 values of this image */
    size_t *stash_n;
    int calibrated, compared;
    char error[512];
};

/* plan.c */
tern_status pq_plan(tern_ptq *q, tern_err *err);
int pq_is_act_tensor(const tern_graph *g, int t);
/* weights.c: int8 weights, scales and int32 bias of a PQ_WEIGHTED node */
typedef struct pq_weights {
    int8_t *w;
    float *wscale;  /* [channels] */
    int32_t *bias;  /* [channels] */
    float *bscale;  /* [channels]: s_x * s_w[c] in float */
    int channels;
} pq_weights;
tern_status pq_quantize_weights(tern_ptq *q, int node, pq_weights *out, tern_err *err);
void pq_weights_free(pq_weights *w);
/* qdq_build.c */
tern_status pq_build_qdq(tern_ptq *q, tern_err *err);
/* qdq_import.c: a loaded QDQ model -> q->sim, q->fq, q->layers */
tern_status pq_import_qdq(tern_ptq *q, const tern_model *qm, tern_err *err);
/* stats.c */
void pq_stat_free(pq_stat *s, int n);
tern_status pq_stat_merge(pq_stat *dst, pq_stat *src, int n);
/* fake quantization as tern's QuantizeLinear then DequantizeLinear */
void pq_fake_quant(float *x, size_t n, float scale, int zp);
/* int8 grid of a range */
void pq_grid(double lo, double hi, float *scale, int *zp);

#endif
