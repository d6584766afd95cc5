/* Public model functions (include/tern.h): load from a file or a buffer,
 * free, read the error. A failed load still hands back a model object that
 * carries the message, so callers have one way to get at errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/model.h"
#include "loader/file_io.h"
#include "loader/onnx.h"

static tern_model *new_model(void) {
    return calloc(1, sizeof(tern_model));
}

/* Finish a load: keep the graph, or keep only the message. */
static tern_status finish(tern_model *m, tern_status st, const tern_err *err, tern_model **out) {
    if (st == TERN_OK) {
        m->ok = 1;
        m->error[0] = 0;
    } else {
        tern_graph_free(&m->graph);
        m->ok = 0;
        snprintf(m->error, sizeof m->error, "%s", err->msg[0] ? err->msg : tern_status_name(st));
    }
    *out = m;
    return st;
}

tern_status tern_model_load_buffer(const void *data, size_t size, const char *base_dir,
                                   tern_model **out) {
    if (!out) return TERN_ERR_INVALID_ARG;
    *out = NULL;
    tern_model *m = new_model();
    if (!m) return TERN_ERR_NOMEM;
    tern_err err = {{0}};
    tern_status st;
    if (!data && size)
        st = tern_errf(&err, TERN_ERR_INVALID_ARG, "tern_model_load_buffer: data is NULL");
    else
        st = tern_onnx_load(data, size, base_dir, &m->graph, &err);
    if (st == TERN_OK) {
        if (!m->graph.producer) m->graph.producer = "";
        if (!m->graph.name) m->graph.name = "";
    }
    return finish(m, st, &err, out);
}

/* The folder part of path: "a/b/m.onnx" -> "a/b", "m.onnx" -> ".". */
static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, path, n);
    d[n] = 0;
    return d;
}

tern_status tern_model_load_file(const char *path, tern_model **out) {
    if (!out) return TERN_ERR_INVALID_ARG;
    *out = NULL;
    tern_err err = {{0}};
    if (!path) {
        tern_model *m = new_model();
        if (!m) return TERN_ERR_NOMEM;
        tern_status st =
            tern_errf(&err, TERN_ERR_INVALID_ARG, "tern_model_load_file: path is NULL");
        return finish(m, st, &err, out);
    }
    uint8_t *buf;
    size_t len;
    tern_status st = tern_file_read(path, TERN_MODEL_MAX_BYTES, &buf, &len, &err);
    char *dir = st ? NULL : dir_of(path);
    if (!st && !dir) st = tern_errf(&err, TERN_ERR_NOMEM, "out of memory");
    if (st) {
        free(buf);
        tern_model *m = new_model();
        if (!m) return TERN_ERR_NOMEM;
        return finish(m, st, &err, out);
    }
    st = tern_model_load_buffer(buf, len, dir, out);
    free(buf);
    free(dir);
    if (st && *out) {
        /* say which file the problem is in */
        char msg[TERN_ERR_LEN];
        snprintf(msg, sizeof msg, "%s", (*out)->error);
        snprintf((*out)->error, sizeof(*out)->error, "%s: %s", path, msg);
    }
    return st;
}

void tern_model_free(tern_model *m) {
    if (!m) return;
    tern_graph_free(&m->graph);
    free(m);
}

const char *tern_model_error(const tern_model *m) {
    if (!m) return "no model";
    return m->ok ? "" : m->error;
}

int tern_model_input_count(const tern_model *m) {
    return m && m->ok ? m->graph.n_inputs : 0;
}

tern_status tern_model_input_info(const tern_model *m, int index, tern_tensor_info *info) {
    if (!m || !m->ok || !info || index < 0 || index >= m->graph.n_inputs)
        return TERN_ERR_INVALID_ARG;
    const tern_tensor *t = &m->graph.tensors[m->graph.inputs[index]];
    memset(info, 0, sizeof *info);
    info->name = t->name;
    info->dtype = t->dtype;
    info->rank = t->rank;
    int dynamic = t->rank < 0;
    for (int d = 0; d < t->rank; d++) {
        info->dims[d] = t->dims[d];
        info->dim_names[d] = t->dims[d] < 0 ? t->dim_param[d] : NULL;
        dynamic |= t->dims[d] < 0;
    }
    info->bytes = dynamic ? 0 : tern_tensor_bytes(t);
    return TERN_OK;
}
