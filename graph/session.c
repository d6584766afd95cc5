/* The public session API: a compiled graph plus its arena. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph/compile.h"
#include "graph/model.h"
#include "graph/session.h"

static tern_status fail(tern_session *s, tern_status st, const tern_err *err) {
    memcpy(s->error, err->msg, sizeof s->error);
    return st;
}

static int env_no_fuse(void) {
    const char *v = getenv("TERN_NO_FUSE");
    return v && v[0] && strcmp(v, "0") != 0;
}

tern_status tern_session_create(const tern_model *m, const tern_session_options *opts,
                                tern_session **out) {
    if (!out) return TERN_ERR_INVALID_ARG;
    *out = NULL;
    tern_session *s = calloc(1, sizeof *s);
    if (!s) return TERN_ERR_NOMEM;
    *out = s;
    tern_err err = {{0}};
    tern_session_options o = {0};
    if (opts) o = *opts;
    if (!m || !m->ok)
        return fail(s, tern_errf(&err, TERN_ERR_INVALID_ARG, "no valid model given"), &err);
    if (o.batch < 0 || o.threads < 0)
        return fail(s, tern_errf(&err, TERN_ERR_INVALID_ARG, "batch and threads must be >= 0"), &err);
    s->threads = o.threads ? o.threads : 1;
    s->model = m;
    unsigned cflags = 0;
    if ((o.flags & TERN_SESSION_NO_FUSE) || env_no_fuse()) cflags |= TERN_COMPILE_NO_FUSE;
    tern_compile_opts co = {.batch = o.batch ? o.batch : 1, .flags = cflags,
                            .shapes = o.shapes, .n_shapes = o.n_shapes,
                            .constants = o.constants, .n_constants = o.n_constants,
                            .max_memory = o.max_memory, .isa = o.isa};
    tern_status st = tern_compile_ex(&m->graph, &co, &s->c, &err);
    if (st != TERN_OK) return fail(s, st, &err);
    s->compiled = 1;
    s->pool = tern_threadpool_create(s->threads); /* NULL: serial, still correct */
    s->c.g.threads = s->pool;
    if (o.arena) {
        st = tern_session_set_arena(s, o.arena, o.arena_size);
        if (st != TERN_OK) return st;
    } else if (!(o.flags & TERN_SESSION_DEFER_ARENA)) {
        /* the planner's sizes are multiples of 64 (TERN_PLAN_ALIGN); not
         * cleared: every tensor is written before it is read, and pages
         * the model never touches stay untouched */
        size_t sz = s->c.arena_size ? s->c.arena_size : TERN_ARENA_ALIGN;
        s->arena = sz % TERN_ARENA_ALIGN ? NULL : aligned_alloc(TERN_ARENA_ALIGN, sz);
        if (!s->arena)
            return fail(s, tern_errf(&err, TERN_ERR_NOMEM, "cannot allocate an arena of %zu bytes",
                                     s->c.arena_size), &err);
        s->own_arena = 1;
    }
    s->ok = 1;
    return TERN_OK;
}

const char *tern_session_isa(const tern_session *s) {
    return s && s->compiled ? tern_isa_name(s->c.g.kern.isa) : "ref";
}

void tern_session_free(tern_session *s) {
    if (!s) return;
    if (s->own_arena) free(s->arena);
    tern_threadpool_free(s->pool);
    if (s->compiled) tern_compiled_free(&s->c);
    free(s);
}

const char *tern_session_error(const tern_session *s) {
    return s ? s->error : "no session";
}

size_t tern_session_arena_size(const tern_session *s) {
    return s && s->compiled ? s->c.arena_size : 0;
}

tern_status tern_session_set_arena(tern_session *s, void *mem, size_t size) {
    if (!s || !s->compiled) return TERN_ERR_INVALID_ARG;
    tern_err err = {{0}};
    if (!mem || ((uintptr_t)mem % TERN_ARENA_ALIGN) != 0)
        return fail(s, tern_errf(&err, TERN_ERR_ARENA, "arena must be non-NULL and %d-byte aligned",
                                 TERN_ARENA_ALIGN), &err);
    if (size < s->c.arena_size)
        return fail(s, tern_errf(&err, TERN_ERR_ARENA, "arena of %zu bytes is too small: %zu needed",
                                 size, s->c.arena_size), &err);
    if (s->own_arena) free(s->arena);
    s->own_arena = 0;
    s->arena = mem;
    s->ok = 1;
    return TERN_OK;
}

int tern_session_input_count(const tern_session *s) {
    return s && s->compiled ? s->c.g.n_inputs : 0;
}

int tern_session_output_count(const tern_session *s) {
    return s && s->compiled ? s->c.g.n_outputs : 0;
}

static void fill_info(const tern_tensor *t, tern_tensor_info *info) {
    memset(info, 0, sizeof *info);
    info->name = t->name;
    info->dtype = t->dtype;
    info->rank = t->rank;
    for (int i = 0; i < t->rank; i++) info->dims[i] = t->dims[i];
    info->bytes = tern_tensor_bytes(t);
}

static tern_status check_index(tern_session *s, int index, int count, const char *what) {
    tern_err err = {{0}};
    if (!s->compiled)
        return fail(s, tern_errf(&err, TERN_ERR_INVALID_ARG, "session was not created"), &err);
    if (index < 0 || index >= count)
        return fail(s, tern_errf(&err, TERN_ERR_INVALID_ARG, "%s index %d out of range (0..%d)",
                                 what, index, count - 1), &err);
    return TERN_OK;
}

tern_status tern_session_input_info(const tern_session *s, int index, tern_tensor_info *info) {
    if (!s || !info || !s->compiled || index < 0 || index >= s->c.g.n_inputs)
        return TERN_ERR_INVALID_ARG;
    fill_info(&s->c.g.tensors[s->c.g.inputs[index]], info);
    return TERN_OK;
}

tern_status tern_session_output_info(const tern_session *s, int index, tern_tensor_info *info) {
    if (!s || !info || !s->compiled || index < 0 || index >= s->c.g.n_outputs)
        return TERN_ERR_INVALID_ARG;
    fill_info(&s->c.g.tensors[s->c.g.outputs[index]], info);
    return TERN_OK;
}

static int find(const tern_session *s, const int *list, int n, const char *name) {
    if (!s || !s->compiled || !name) return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(s->c.g.tensors[list[i]].name, name) == 0) return i;
    return -1;
}

int tern_session_find_input(const tern_session *s, const char *name) {
    return s ? find(s, s->c.g.inputs, s->c.g.n_inputs, name) : -1;
}

int tern_session_find_output(const tern_session *s, const char *name) {
    return s ? find(s, s->c.g.outputs, s->c.g.n_outputs, name) : -1;
}

static tern_status need_arena(tern_session *s) {
    tern_err err = {{0}};
    if (!s->arena)
        return fail(s, tern_errf(&err, TERN_ERR_ARENA,
                                 "no arena: call tern_session_set_arena first (%zu bytes needed)",
                                 s->c.arena_size), &err);
    return TERN_OK;
}

tern_status tern_session_set_input(tern_session *s, int index, const void *data, size_t bytes) {
    if (!s) return TERN_ERR_INVALID_ARG;
    tern_status st = check_index(s, index, s->c.g.n_inputs, "input");
    if (st == TERN_OK) st = need_arena(s);
    if (st != TERN_OK) return st;
    const tern_tensor *t = &s->c.g.tensors[s->c.g.inputs[index]];
    size_t need = tern_tensor_bytes(t);
    tern_err err = {{0}};
    if (!data || bytes != need)
        return fail(s, tern_errf(&err, TERN_ERR_INVALID_ARG,
                                 "input '%s' takes %zu bytes, %zu given", t->name, need, bytes), &err);
    memcpy(s->arena + t->offset, data, bytes);
    return TERN_OK;
}

tern_status tern_session_run(tern_session *s) {
    if (!s || !s->compiled) return TERN_ERR_INVALID_ARG;
    tern_status st = need_arena(s);
    if (st != TERN_OK) return st;
    tern_err err = {{0}};
    st = tern_execute(&s->c, s->arena, &err);
    return st == TERN_OK ? TERN_OK : fail(s, st, &err);
}

static const void *output_ptr(const tern_session *s, int index) {
    const tern_tensor *t = &s->c.g.tensors[s->c.g.outputs[index]];
    return t->data ? t->data : s->arena + t->offset;
}

tern_status tern_session_output_data(tern_session *s, int index, const void **data) {
    if (!s || !data) return TERN_ERR_INVALID_ARG;
    tern_status st = check_index(s, index, s->c.g.n_outputs, "output");
    if (st == TERN_OK) st = need_arena(s);
    if (st != TERN_OK) return st;
    *data = output_ptr(s, index);
    return TERN_OK;
}

tern_status tern_session_get_output(tern_session *s, int index, void *data, size_t bytes) {
    if (!s) return TERN_ERR_INVALID_ARG;
    tern_status st = check_index(s, index, s->c.g.n_outputs, "output");
    if (st == TERN_OK) st = need_arena(s);
    if (st != TERN_OK) return st;
    const tern_tensor *t = &s->c.g.tensors[s->c.g.outputs[index]];
    size_t need = tern_tensor_bytes(t);
    tern_err err = {{0}};
    if (!data || bytes != need)
        return fail(s, tern_errf(&err, TERN_ERR_INVALID_ARG,
                                 "output '%s' has %zu bytes, buffer of %zu given", t->name, need,
                                 bytes), &err);
    memcpy(data, output_ptr(s, index), bytes);
    return TERN_OK;
}
