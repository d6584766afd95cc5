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
    size_t bytes; /* dims product times element size */
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

typedef struct tern_session_options {
    int batch;      /* value for dynamic batch dims; 0 means 1 */
    int threads;    /* 0 means 1 */
    unsigned flags; /* TERN_SESSION_* */
    void *arena;    /* caller's memory, or NULL */
    size_t arena_size;
    const tern_binding *constants; /* inputs fixed at creation, or NULL */
    int n_constants;
    /* Budget in bytes for what the session adds to the model: its arena
     * (own or lent), constants folded or made by the passes, repacked
     * weights. 0: TERN_DEFAULT_MAX_MEMORY; SIZE_MAX: no limit. Over it,
     * tern_session_create fails saying what was needed. */
    size_t max_memory;
} tern_session_options;

/* 4 GiB (3 GiB where size_t has 32 bits) */
#define TERN_DEFAULT_MAX_MEMORY (sizeof(size_t) > 4 ? (size_t)4 << 30 : (size_t)3 << 30)

/* Compile the model for one batch size: shape inference, graph passes,
 * memory plan. opts may be NULL (batch 1, 1 thread, passes on, own arena).
 * The environment variable TERN_NO_FUSE=1 acts like TERN_SESSION_NO_FUSE.
 * On failure *out holds the error as for tern_model_load_file. */
tern_status tern_session_create(const tern_model *m, const tern_session_options *opts,
                                tern_session **out);
void tern_session_free(tern_session *s);
const char *tern_session_error(const tern_session *s);

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

/* ---- introspection (tern info) ---------------------------------------- */

/* A human-readable (or JSON) report on the model compiled as opts asks:
 * inputs, outputs, opset, op histogram, parameters, MACs, arena and peak
 * bytes, and what each pass did. Writes at most cap bytes including the
 * terminating NUL; *len gets the full length. */
#define TERN_REPORT_PASSES 1u
#define TERN_REPORT_JSON 2u
tern_status tern_session_report(const tern_session *s, unsigned what, char *buf, size_t cap,
                                size_t *len);

size_t tern_dtype_size(tern_dtype t);
const char *tern_dtype_name(tern_dtype t);
const char *tern_status_name(tern_status s);

#ifdef __cplusplus
}
#endif
#endif
