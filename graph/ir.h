/* The graph IR: typed tensors and nodes.
 *
 * A tensor has a *logical* shape, the one ONNX semantics talk about (NCHW for
 * images), and a *layout* that says how its elements sit in memory:
 *   TERN_LAYOUT_PLAIN        row-major in logical order (what ONNX means);
 *   TERN_LAYOUT_CHANNELS_LAST  for rank >= 3: logical axis 1 (channels) is
 *                              stored innermost, i.e. NCHW is stored as NHWC.
 * Shape inference and every pass before the layout pass work on logical
 * shapes and plain layout; the layout pass (graph/passes/pass_layout.c) then
 * marks tensors channels-last. Kernels get physical dims through
 * tern_tensor_phys_dims(). See docs/design.md for why.
 *
 * Everything a graph points to (names, attributes, constant data) lives in
 * its pool or is shared read-only with the model's graph it was cloned from.
 */
#ifndef TERN_IR_H
#define TERN_IR_H

#include <stddef.h>
#include <stdint.h>

#include "arch/kernels.h"
#include "graph/common.h"
#include "tern.h"

enum { TERN_LAYOUT_PLAIN = 0, TERN_LAYOUT_CHANNELS_LAST = 1 };

/* Quantization parameters of an 8-bit tensor (docs/quantization.md): the
 * real value of element q is scale[i] * (q - zero_point[i]), i = 0 per
 * tensor, or the element's index on `axis` when count > 1. Inside tern
 * every quantized activation is int8 (elem TERN_INT8); from_u8 says the
 * file had it as uint8 (converted once, x ^ 0x80, by the quant-import
 * pass), which `tern info --quant` reports. Set by the integer ops' infer
 * on their outputs; informational for every other op. */
typedef struct tern_qparams {
    int count;               /* 1: per tensor */
    int axis;                /* logical axis when count > 1, else -1 */
    const float *scale;      /* [count], finite and > 0 (checked) */
    const int32_t *zero_point; /* [count], in the range of elem */
    tern_dtype elem;         /* TERN_INT8, TERN_UINT8 (before import) or TERN_INT32 */
    int from_u8;
} tern_qparams;

typedef struct tern_tensor {
    const char *name;
    tern_dtype dtype;
    int rank;                          /* -1: not known yet */
    int64_t dims[TERN_MAX_RANK];       /* logical; -1 for a dim not known yet */
    const char *dim_param[TERN_MAX_RANK]; /* symbolic names from the file, or NULL */
    int layout;                        /* TERN_LAYOUT_* */

    const void *data; /* constant contents (plain layout), or NULL */
    int is_input;     /* graph input (fed by the caller) */
    int is_output;    /* graph output */
    int producer;     /* index of the producing node, -1 for inputs/constants */
    const tern_qparams *qp; /* quantization of an 8-bit activation, or NULL */
    int from_u8;      /* an int8 constant the quant-import pass made from a uint8 one */

    /* memory plan (set by graph/planner.c) */
    size_t offset;    /* byte offset of the data in the arena */
    int alias_of;     /* >= 0: shares the buffer of that tensor (a view) */
} tern_tensor;

/* ONNX AttributeProto.AttributeType numbers */
enum {
    TERN_ATTR_FLOAT = 1,
    TERN_ATTR_INT = 2,
    TERN_ATTR_STRING = 3,
    TERN_ATTR_TENSOR = 4,
    TERN_ATTR_FLOATS = 6,
    TERN_ATTR_INTS = 7,
    TERN_ATTR_STRINGS = 8
};

typedef struct tern_attr {
    const char *name;
    int type; /* TERN_ATTR_* */
    float f;
    int64_t i;
    const char *s; /* NUL-terminated copy (strings with NUL bytes are rejected) */
    const float *floats;
    const int64_t *ints;
    const char *const *strings;
    size_t count;          /* length of floats/ints/strings */
    const tern_tensor *t;  /* TENSOR: dtype, rank, dims, data (plain) */
} tern_attr;

/* An activation applied to a Conv/Gemm output by the kernel itself. */
typedef enum tern_act_kind {
    TERN_ACT_NONE = 0,
    TERN_ACT_RELU,
    TERN_ACT_CLIP,        /* min(max(x, a), b) */
    TERN_ACT_HARDSIGMOID, /* max(0, min(1, a*x + b)) */
    TERN_ACT_HARDSWISH,   /* x * hardsigmoid(x; a, b) (a = 1/6, b = 0.5 for HardSwish) */
    TERN_ACT_SIGMOID,
    TERN_ACT_SILU,        /* x * sigmoid(x) */
    TERN_ACT_LEAKYRELU,   /* x < 0 ? a*x : x */
    TERN_ACT_TANH
} tern_act_kind;

typedef struct tern_act {
    tern_act_kind kind;
    float a, b;
} tern_act;

struct tern_op;

typedef struct tern_node {
    const char *name;
    const char *op_type;
    const char *domain; /* "" for ai.onnx */
    int *inputs;        /* tensor indices; -1 for an absent optional input */
    int n_inputs;
    int *outputs;
    int n_outputs;
    const tern_attr *attrs;
    int n_attrs;

    const struct tern_op *op; /* set by shape inference */
    void *params;             /* op-specific, parsed from attrs by op->infer */
    tern_act act;             /* fused activation (Conv, Gemm) */
    int dead;                 /* removed by a pass; skipped, compacted later */
    void *prepared;           /* kernel-ready data (packed weights) made by op->prepare
                                 once per session, in the graph's pool; NULL if none */
    int fused_into_next;      /* prepare made the next node compute this one's output
                                 (graph/ops/conv_fuse.c); its run does nothing */
} tern_node;

/* The newest opsets whose semantics tern implements; the loader refuses a
 * model that imports a newer one, since an op may mean something else
 * there (ONNX Runtime refuses opsets it does not know too). From opset 18
 * to 27 every new version of a tern op only adds element types tern
 * refuses anyway or features it implements or refuses (AveragePool
 * dilations, Pad's wrap mode, Resize's half_pixel_symmetric, GridSample's
 * new mode names, float8 saturate and round modes, Range's float16
 * stash_type); opset 28 brings new versions of ops tern has (SpaceToDepth
 * gains a mode; Mod, OneHot, DepthToSpace...). Raising it means reviewing
 * every op of graph/ops against the versions in between and rerunning
 * tools/gen_op_attr_names.py. com.microsoft has only ever had version 1. */
#define TERN_ONNX_OPSET_MAX 27
#define TERN_MS_OPSET_MAX 1

typedef struct tern_graph {
    tern_pool pool; /* owns what this graph allocated */

    tern_tensor *tensors;
    int n_tensors, cap_tensors;
    tern_node *nodes; /* in execution (topological) order once sorted */
    int n_nodes, cap_nodes;
    int *inputs; /* tensor indices of the graph inputs (not initializers) */
    int n_inputs;
    int *outputs;
    int n_outputs;

    int64_t ir_version;
    int64_t opset;    /* ai.onnx opset */
    int64_t opset_ms; /* com.microsoft opset, 0 if not imported */
    const char *producer;
    const char *name;

    /* the session's worker threads (graph/threadpool.h) for kernels that
     * split their work, or NULL; set by the session, never by a clone */
    struct tern_threadpool *threads;

    /* who reads/writes each tensor, for the passes: a cache built on demand
     * (graph/graph_index.h); never copied by a clone */
    struct tern_graph_index *index;

    /* memory a compile adds to the model's, against a session's budget
     * (graph/budget.h): constant data made by folding and rewrites, weights
     * repacked for kernels and op tables; max_memory 0 means no budget */
    size_t const_bytes, packed_bytes, max_memory;

    /* the micro-kernels this compile runs (arch/kernels.h), chosen once
     * from the CPU, TERN_ISA or the session's isa option; set by compile,
     * all NULL (the reference kernels) in a model's own graph */
    tern_kernels kern;
} tern_graph;

/* ---- building (loader, passes) ---- */

void tern_graph_init(tern_graph *g);
void tern_graph_free(tern_graph *g);

/* Add a tensor; returns its index or -1 on OOM. The name is copied. */
int tern_graph_add_tensor(tern_graph *g, const char *name);
/* Index of the tensor called name, or -1. Linear time; loaders use a hash. */
int tern_graph_find_tensor(const tern_graph *g, const char *name);
/* Add a node with room for the given input/output counts; returns its index
 * or -1 on OOM. The caller fills inputs/outputs/attrs. */
int tern_graph_add_node(tern_graph *g, const char *op_type, const char *domain, const char *name,
                        int n_inputs, int n_outputs);

/* Sort nodes topologically (stable: file order where the graph allows);
 * reports cycles and inputs that nothing produces. Sets tensor.producer. */
tern_status tern_graph_toposort(tern_graph *g, tern_err *err);

/* Drop nodes marked dead and recompute producers. */
void tern_graph_compact(tern_graph *g);

/* Deep-enough copy of src for a session: new tensor/node arrays and node
 * input/output arrays; names, attributes and constant data are shared (src
 * must outlive dst). */
tern_status tern_graph_clone(tern_graph *dst, const tern_graph *src, tern_err *err);

/* ---- queries ---- */

const tern_attr *tern_node_attr(const tern_node *n, const char *name);
int64_t tern_attr_int(const tern_node *n, const char *name, int64_t dflt);
float tern_attr_float(const tern_node *n, const char *name, float dflt);
const char *tern_attr_string(const tern_node *n, const char *name, const char *dflt);

/* The most bytes one tensor may hold: 2^48 (256 TiB; where size_t has 32
 * bits, a quarter of its range). Far above any real tensor, and far enough
 * below SIZE_MAX and INT64_MAX that a byte count rounded up to the arena's
 * alignment, an element count or a stride in bytes never wraps. Every shape
 * an op infers is checked against it (pass_infer.c). */
#if SIZE_MAX > 0xffffffffu
#define TERN_MAX_TENSOR_BYTES ((size_t)1 << 48)
#else
#define TERN_MAX_TENSOR_BYTES (SIZE_MAX / 4)
#endif

/* Number of elements (product of dims) or -1 if unknown/overflow. */
int64_t tern_tensor_numel(const tern_tensor *t);
/* Bytes of data; 0 if unknown or above TERN_MAX_TENSOR_BYTES (callers tell
 * "too large" from "empty" by tern_tensor_numel(t) != 0). */
size_t tern_tensor_bytes(const tern_tensor *t);
/* Physical dims: logical dims permuted by the layout. Returns rank. */
int tern_tensor_phys_dims(const tern_tensor *t, int64_t out[TERN_MAX_RANK]);

/* Element stride of each *logical* axis given the layout: kernels that index
 * with these strides work in any layout. Returns rank. */
int tern_tensor_strides(const tern_tensor *t, int64_t out[TERN_MAX_RANK]);

/* Number of consumers of tensor t among live nodes (+1 if a graph output). */
int tern_graph_use_count(const tern_graph *g, int t);

/* Printable "node[i] (Op 'name')" for messages. */
void tern_node_label(const tern_graph *g, int node, char *buf, size_t cap);

#endif
