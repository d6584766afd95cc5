/*
 * tern: a from-scratch inference engine for CNNs on CPUs.
 *
 * Public C API. Everything the library does is reached through these calls.
 * - Every call returns a tern_status; TERN_OK is 0.
 * - The library prints nothing and keeps no global mutable state. When a call
 *   fails, the message (what was wrong and where) is kept in the object the
 *   call was made on: tern_model_error(), tern_session_error().
 * - A model is immutable once loaded and may be shared by any number of
 *   sessions, on any threads; it must outlive them (sessions share its
 *   weights). A session is used by one thread at a time.
 * - Memory: a session needs one arena for every intermediate tensor. It can
 *   own it (default) or borrow the caller's (see tern_session_options.arena and
 *   tern_session_set_arena). Nothing is allocated while a session runs.
 */
#ifndef TERN_H
#define TERN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tern_status {
    TERN_OK = 0,
    TERN_ERR_INVALID_ARG = 1, /* bad argument to an API call */
    TERN_ERR_IO = 2,          /* file could not be read */
    TERN_ERR_PARSE = 3,       /* model bytes are malformed */
    TERN_ERR_UNSUPPORTED = 4, /* valid ONNX that tern cannot run */
    TERN_ERR_SHAPE = 5,       /* shapes or dtypes do not fit together */
    TERN_ERR_NOMEM = 6,       /* allocation failed */
    TERN_ERR_ARENA = 7,       /* caller's arena missing, too small or misaligned */
    TERN_ERR_RUNTIME = 8      /* bad data seen while running (e.g. index out of range) */
} tern_status;

/* Element types use ONNX's TensorProto.DataType numbers. */
typedef enum tern_dtype {
    TERN_UNDEFINED = 0,
    TERN_FLOAT = 1,
    TERN_UINT8 = 2,
    TERN_INT8 = 3,
    TERN_INT32 = 6,
    TERN_INT64 = 7,
    TERN_BOOL = 9,
    TERN_FLOAT16 = 10,
    TERN_DOUBLE = 11
} tern_dtype;

#define TERN_MAX_RANK 8
#define TERN_ARENA_ALIGN 64 /* a borrowed arena must be aligned to this */

typedef struct tern_model tern_model;
typedef struct tern_session tern_session;

typedef struct tern_tensor_info {
    const char *name;
    tern_dtype dtype;
    int rank;
    int64_t dims[TERN_MAX_RANK];
    size_t bytes; /* dims product times element size (0 while a dim is dynamic) */
    /* model inputs only: the file's symbolic name of a dynamic dim (-1 in
     * dims), or NULL */
    const char *dim_names[TERN_MAX_RANK];
} tern_tensor_info;

/* ---- models ---------------------------------------------------------- */

/* Load an ONNX model. On failure *out is still set (unless memory ran out) to
 * a model that holds only the error message: read it with tern_model_error()
 * and release it with tern_model_free(). External tensor data is read relative
 * to the model file's folder. */
tern_status tern_model_load_file(const char *path, tern_model **out);

/* Same from a caller's buffer; the buffer may be freed after the call.
 * base_dir is where external data lives (NULL: external data is an error). */
tern_status tern_model_load_buffer(const void *data, size_t size, const char *base_dir,
                                   tern_model **out);

void tern_model_free(tern_model *m);
const char *tern_model_error(const tern_model *m);

/* The model's graph inputs as the file declares them, before any session
 * binds them: a dynamic dim is -1 (named in dim_names when the file names
 * it), a rank of -1 means the file gives no shape. For choosing
 * tern_session_options.shapes. */
int tern_model_input_count(const tern_model *m);
tern_status tern_model_input_info(const tern_model *m, int index, tern_tensor_info *info);

/* ---- sessions -------------------------------------------------------- */

#define TERN_SESSION_NO_FUSE 1u     /* skip the fusion passes (checks fusion) */
#define TERN_SESSION_DEFER_ARENA 2u /* do not allocate: caller calls set_arena */

/* A graph input given a fixed value when the session is created: it becomes
 * a constant (so shapes or axes fed as inputs become static) and is no longer
 * one of the session's inputs. */
typedef struct tern_binding {
    const char *name;
    const void *data; /* copied; dtype and size must match the input */
    size_t bytes;
} tern_binding;

/* Dims for one graph input, given when the session is created: its dynamic
 * dims (dim_param or unknown in the file) take these values, and so does
 * every dim of any input that shares a bound dim_param name. Static dims
 * must be given as the file has them. */
typedef struct tern_input_shape {
    const char *name;    /* graph input name */
    int rank;            /* must equal the input's rank (or sets it if the file has none) */
    const int64_t *dims; /* rank values, each >= 0, or -1 to leave that dim as it is */
} tern_input_shape;

typedef struct tern_session_options {
    int batch;      /* value for dynamic batch dims; 0 means 1 */
    int threads;    /* 0 means 1 */
    unsigned flags; /* TERN_SESSION_* */
    void *arena;    /* caller's memory, or NULL */
    size_t arena_size;
    const tern_binding *constants; /* inputs fixed at creation, or NULL */
    int n_constants;
    const tern_input_shape *shapes; /* dims of dynamic inputs (-1: leave that dim), or NULL */
    int n_shapes;
    /* Budget in bytes for what the session adds to the model: its arena
     * (own or lent), constants folded or made by the passes, repacked
     * weights. 0: TERN_DEFAULT_MAX_MEMORY; SIZE_MAX: no limit. Over it,
     * tern_session_create fails saying what was needed. */
    size_t max_memory;
    /* Which kernels run: "ref" (the reference kernels, the specification),
     * "avx2", "avx512", "avx512vnni", "avxvnni", "amx", "neon", "neondot",
     * "neoni8mm". NULL or "": the environment variable TERN_ISA if set, else
     * the best this CPU runs. A level the CPU lacks fails the creation
     * (TERN_ERR_UNSUPPORTED) with a message listing what it has. */
    const char *isa;
} tern_session_options;

/* 4 GiB (3 GiB where size_t has 32 bits) */
#define TERN_DEFAULT_MAX_MEMORY (sizeof(size_t) > 4 ? (size_t)4 << 30 : (size_t)3 << 30)

/* Compile the model for static input shapes: bind dynamic input dims
 * (opts.shapes first, then dims sharing a bound dim_param, then a still
 * dynamic first dim takes opts.batch), then shape inference, graph passes,
 * memory plan. Dims still dynamic after that are an error that lists them.
 * opts may be NULL (batch 1, 1 thread, passes on, own arena).
 * The environment variable TERN_NO_FUSE=1 acts like TERN_SESSION_NO_FUSE.
 * On failure *out holds the error as for tern_model_load_file. */
tern_status tern_session_create(const tern_model *m, const tern_session_options *opts,
                                tern_session **out);
void tern_session_free(tern_session *s);
const char *tern_session_error(const tern_session *s);
/* Name of the kernels' ISA level the session runs ("avx2", ...; "ref"). */
const char *tern_session_isa(const tern_session *s);

/* Bytes of arena the session needs; to borrow memory, create with
 * TERN_SESSION_DEFER_ARENA, ask, then hand it over. */
size_t tern_session_arena_size(const tern_session *s);
tern_status tern_session_set_arena(tern_session *s, void *mem, size_t size);

int tern_session_input_count(const tern_session *s);
int tern_session_output_count(const tern_session *s);
tern_status tern_session_input_info(const tern_session *s, int index, tern_tensor_info *info);
tern_status tern_session_output_info(const tern_session *s, int index, tern_tensor_info *info);
/* Index of the input/output called name, or -1. */
int tern_session_find_input(const tern_session *s, const char *name);
int tern_session_find_output(const tern_session *s, const char *name);

/* Copy data in (bytes must equal the input's size) / out. The arena is not
 * cleared when the session is made: an input never set holds whatever the
 * memory held. */
tern_status tern_session_set_input(tern_session *s, int index, const void *data, size_t bytes);
tern_status tern_session_run(tern_session *s);
tern_status tern_session_get_output(tern_session *s, int index, void *data, size_t bytes);
/* Zero-copy view of an output, valid until the next run or free. */
tern_status tern_session_output_data(tern_session *s, int index, const void **data);

/* ---- profiling (tern bench --profile) ------------------------------------ */

typedef struct tern_node_profile {
    const char *name;    /* node name (valid while the session lives) */
    const char *op_type; /* after fusion: a Conv may carry its activation */
    int64_t macs;        /* multiply-accumulates (Conv, Gemm, MatMul), else 0 */
    int simd;            /* 1: runs a SIMD micro-kernel (packed weights), 0: reference */
    int fused;           /* 1: the next node computes this one (expand+depthwise
                            fusion), so its own time is ~0 */
} tern_node_profile;

/* Nodes of the compiled graph, in execution order. */
int tern_session_node_count(const tern_session *s);
tern_status tern_session_node_profile(const tern_session *s, int index, tern_node_profile *p);
/* tern_session_run that also adds each node's time in seconds to
 * seconds[i] (tern_session_node_count entries, caller-owned): the calling
 * thread's CPU time for a one-thread session (robust on a busy machine),
 * wall time otherwise. */
tern_status tern_session_run_profiled(tern_session *s, double *seconds);

/* ---- images ------------------------------------------------------------ */

/* A decoded image: 8-bit gray or RGB. */
typedef struct tern_image {
    int width, height;
    int channels;          /* 1 (gray) or 3 (RGB) */
    unsigned char *pixels; /* height * width * channels bytes, rows top to bottom; owned */
    char error[512];       /* why the last call on this image failed */
} tern_image;

/* Decode a binary PPM/PGM or a baseline JPEG, told apart by their first
 * bytes. On failure img->error says what and where (and pixels is NULL). */
tern_status tern_image_load_file(const char *path, tern_image *img);
tern_status tern_image_load_buffer(const void *data, size_t size, tern_image *img);
void tern_image_free(tern_image *img);

/* How an image becomes a model input. Geometry first (the output size is
 * the input's H and W), then the value of each 8-bit pixel p. */
enum {
    TERN_PREP_FIT = 0,          /* resize the whole image to H x W (when it differs) */
    TERN_PREP_CENTRAL_CROP = 1, /* keep the central `fraction` (TF central_crop), resize */
    TERN_PREP_RESIZE_CROP = 2   /* shorter side to `resize`, then the central H x W */
};
enum {
    TERN_PREP_UNIT = 0,        /* p / 255 */
    TERN_PREP_TF128 = 1,       /* (p - 128) / 128 */
    TERN_PREP_TF127 = 2,       /* (p - 128) / 127 */
    TERN_PREP_TORCHVISION = 3, /* (p / 255 - ImageNet mean) / ImageNet std */
    TERN_PREP_MEAN_STD = 4     /* (p - mean[c]) / std[c], mean and std in pixel units */
};
typedef struct tern_preprocess {
    int geometry;          /* TERN_PREP_FIT, _CENTRAL_CROP or _RESIZE_CROP */
    double fraction;       /* CENTRAL_CROP: in (0, 1], e.g. 0.875 */
    int resize;            /* RESIZE_CROP: the shorter side; 0 = 256/224 of the crop */
    int values;            /* TERN_PREP_UNIT ... TERN_PREP_MEAN_STD */
    float mean[3], std[3]; /* MEAN_STD, per channel in R, G, B order */
    int bgr;               /* feed the channels as B, G, R */
} tern_preprocess;

/* A named preset: none, tf128, tf127, unit, torchvision, effnet-lite (see
 * the README); TERN_ERR_INVALID_ARG if unknown. Pixels are bit-exact with
 * the Pillow pipelines that made ../shared's references. */
tern_status tern_preprocess_preset(const char *name, tern_preprocess *out);
/* "none, tf128, ..." for messages. */
const char *tern_preprocess_presets(void);

/* Crop, resize and map img into batch item `item` of input `index`: layout
 * (NCHW or NHWC: the axis of size 1 or 3 is channels), size and type
 * (float32: the mapped values; uint8: the pixels themselves) follow the
 * input. Gray images are replicated to RGB for 3-channel inputs, RGB images
 * become gray (Pillow's luma) for 1-channel ones. */
tern_status tern_session_set_input_image(tern_session *s, int index, int item,
                                         const tern_image *img, const tern_preprocess *p);

/* ---- introspection (tern info) ---------------------------------------- */

/* A human-readable (or JSON) report on the model compiled as opts asks:
 * inputs, outputs, opset, op histogram, parameters, MACs, arena and peak
 * bytes, and what each pass did. Writes at most cap bytes including the
 * terminating NUL; *len gets the full length. */
#define TERN_REPORT_PASSES 1u
#define TERN_REPORT_JSON 2u
#define TERN_REPORT_QUANT 4u /* per node: INT8, float or a conversion; output scale and zero point */
tern_status tern_session_report(const tern_session *s, unsigned what, char *buf, size_t cap,
                                size_t *len);

size_t tern_dtype_size(tern_dtype t);
const char *tern_dtype_name(tern_dtype t);
const char *tern_status_name(tern_status s);

#ifdef __cplusplus
}
#endif
#endif
