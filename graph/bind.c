/* Input binding before shape inference; see graph/bind.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/bind.h"
#include "graph/budget.h"

/* dim_param names bound so far: the same name is the same value in every
 * input (ONNX's meaning of a shared symbolic dim). */
typedef struct {
    const char *name;
    int64_t value;
} sym;

typedef struct {
    sym *v;
    int n, cap;
} symtab;

static const int64_t *sym_find(const symtab *s, const char *name) {
    for (int i = 0; name && i < s->n; i++)
        if (strcmp(s->v[i].name, name) == 0) return &s->v[i].value;
    return NULL;
}

static tern_status sym_set(symtab *s, const char *name, int64_t value, const tern_tensor *t,
                           int d, tern_err *err) {
    if (!name) return TERN_OK;
    const int64_t *old = sym_find(s, name);
    if (old && *old != value)
        return tern_errf(err, TERN_ERR_SHAPE,
                         "graph input '%s' dim %d ('%s') would be %lld, but '%s' is already %lld",
                         t->name, d, name, (long long)value, name, (long long)*old);
    if (old) return TERN_OK;
    if (s->n == s->cap) return tern_errf(err, TERN_ERR_NOMEM, "out of memory binding shapes");
    s->v[s->n].name = name;
    s->v[s->n].value = value;
    s->n++;
    return TERN_OK;
}

static int find_input(const tern_graph *g, const char *name) {
    for (int k = 0; name && k < g->n_inputs; k++)
        if (strcmp(g->tensors[g->inputs[k]].name, name) == 0) return k;
    return -1;
}

/* "[N,3,H,W]": the model's dims, symbolic ones by name ('?' if unnamed). */
static void model_dims(const tern_tensor *t, char *buf, size_t cap) {
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < t->rank && n < cap; d++) {
        const char *sep = d ? "," : "";
        if (t->dims[d] >= 0)
            n += (size_t)snprintf(buf + n, cap - n, "%s%lld", sep, (long long)t->dims[d]);
        else
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", sep,
                                  t->dim_param[d] ? t->dim_param[d] : "?");
    }
    if (n < cap) snprintf(buf + n, cap - n, "]");
}

/* One caller-given shape onto input t (rank from the file, or taken from
 * the binding when the file gives none). */
static tern_status apply_shape(tern_tensor *t, const tern_input_shape *s, symtab *syms,
                               tern_err *err) {
    char have[160];
    if (s->rank < 0 || s->rank > TERN_MAX_RANK || (s->rank > 0 && !s->dims))
        return tern_errf(err, TERN_ERR_INVALID_ARG, "shape for input '%s': bad rank %d", t->name,
                         s->rank);
    if (t->rank < 0) {
        t->rank = s->rank;
        for (int d = 0; d < s->rank; d++) t->dims[d] = -1;
    }
    if (t->rank != s->rank) {
        model_dims(t, have, sizeof have);
        return tern_errf(err, TERN_ERR_SHAPE, "shape for input '%s' has %d dims; the model's is %s",
                         t->name, s->rank, have);
    }
    for (int d = 0; d < s->rank; d++) {
        int64_t v = s->dims[d];
        if (v == -1) continue; /* left for dim_param or batch binding */
        if (v < 0)
            return tern_errf(err, TERN_ERR_INVALID_ARG, "shape for input '%s': dim %d is %lld",
                             t->name, d, (long long)v);
        if (t->dims[d] >= 0 && t->dims[d] != v) {
            model_dims(t, have, sizeof have);
            return tern_errf(err, TERN_ERR_SHAPE,
                             "shape for input '%s': dim %d is %lld in the model (%s), %lld given",
                             t->name, d, (long long)t->dims[d], have, (long long)v);
        }
        if (t->dims[d] < 0) {
            tern_status st = sym_set(syms, t->dim_param[d], v, t, d, err);
            if (st != TERN_OK) return st;
            t->dims[d] = v;
        }
    }
    return TERN_OK;
}

static tern_status apply_shapes(tern_graph *g, const tern_input_shape *shapes, int n,
                                symtab *syms, tern_err *err) {
    unsigned char *seen = calloc((size_t)g->n_inputs + 1, 1);
    if (!seen) return tern_errf(err, TERN_ERR_NOMEM, "out of memory binding shapes");
    tern_status st = TERN_OK;
    for (int i = 0; st == TERN_OK && i < n; i++) {
        int k = find_input(g, shapes[i].name);
        if (k < 0)
            st = tern_errf(err, TERN_ERR_INVALID_ARG, "shape given for '%s', which is not a graph input",
                           shapes[i].name ? shapes[i].name : "(null)");
        else if (seen[k])
            st = tern_errf(err, TERN_ERR_INVALID_ARG, "shape for input '%s' given twice",
                           shapes[i].name);
        else
            st = apply_shape(&g->tensors[g->inputs[k]], &shapes[i], syms, err);
        if (k >= 0) seen[k] = 1;
    }
    free(seen);
    return st;
}

/* Dynamic dims whose dim_param is bound take its value; a dynamic first
 * dim then takes the batch (binding its name too, for the next round). */
static tern_status propagate(tern_graph *g, symtab *syms, int batch, tern_err *err) {
    for (int round = 0; round < 2; round++)
        for (int k = 0; k < g->n_inputs; k++) {
            tern_tensor *t = &g->tensors[g->inputs[k]];
            for (int d = 0; d < t->rank; d++) {
                if (t->dims[d] >= 0) continue;
                const int64_t *v = sym_find(syms, t->dim_param[d]);
                if (v) {
                    t->dims[d] = *v;
                } else if (d == 0 && round == 1) {
                    tern_status st = sym_set(syms, t->dim_param[0], batch, t, 0, err);
                    if (st != TERN_OK) return st;
                    t->dims[0] = batch;
                }
            }
        }
    /* names bound by the batch in round 1 reach inputs visited before */
    for (int k = 0; k < g->n_inputs; k++) {
        tern_tensor *t = &g->tensors[g->inputs[k]];
        for (int d = 0; d < t->rank; d++) {
            const int64_t *v = t->dims[d] < 0 ? sym_find(syms, t->dim_param[d]) : NULL;
            if (v) t->dims[d] = *v;
        }
    }
    return TERN_OK;
}

/* The --shape flag that would bind input t: its static dims as numbers,
 * the dynamic ones by name (e.g. "images=1,3,height,width"). */
static void suggest(const tern_tensor *t, char *buf, size_t cap) {
    size_t n = (size_t)snprintf(buf, cap, "%s=", t->name);
    for (int d = 0; d < t->rank && n < cap; d++) {
        const char *sep = d ? "," : "";
        if (t->dims[d] >= 0)
            n += (size_t)snprintf(buf + n, cap - n, "%s%lld", sep, (long long)t->dims[d]);
        else if (t->dim_param[d])
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", sep, t->dim_param[d]);
        else
            n += (size_t)snprintf(buf + n, cap - n, "%sD%d", sep, d);
    }
}

/* Every input static, typed and of a sane size, or one error naming every
 * input with dims still dynamic and the flag that binds them. */
static tern_status check_bound(const tern_graph *g, tern_err *err) {
    char msg[TERN_ERR_LEN], dims[160], flag[160];
    size_t n = 0;
    int unbound = 0;
    for (int k = 0; k < g->n_inputs; k++) {
        const tern_tensor *t = &g->tensors[g->inputs[k]];
        if (t->rank < 0)
            return tern_errf(err, TERN_ERR_UNSUPPORTED,
                             "graph input '%s' has no shape in the model; give one with "
                             "--shape %s=D1,D2,... (tern_session_options.shapes)", t->name, t->name);
        if (tern_dtype_size(t->dtype) == 0)
            return tern_errf(err, TERN_ERR_UNSUPPORTED, "graph input '%s' has unsupported type %s",
                             t->name, tern_dtype_name(t->dtype));
        int dyn = 0;
        for (int d = 0; d < t->rank; d++) dyn += t->dims[d] < 0;
        if (!dyn) continue;
        model_dims(t, dims, sizeof dims);
        if (!unbound) suggest(t, flag, sizeof flag);
        if (n < sizeof msg)
            n += (size_t)snprintf(msg + n, sizeof msg - n, "%s'%s' %s", unbound ? ", " : "",
                                  t->name, dims);
        unbound++;
    }
    if (unbound)
        return tern_errf(err, TERN_ERR_SHAPE,
                         "dynamic input dims left unbound: %s; bind them with --shape %s "
                         "(numbers for the names; API: tern_session_options.shapes)",
                         msg, flag);
    for (int k = 0; k < g->n_inputs; k++) {
        const tern_tensor *t = &g->tensors[g->inputs[k]];
        if (tern_tensor_numel(t) < 0 || (tern_tensor_bytes(t) == 0 && tern_tensor_numel(t) > 0))
            return tern_errf(err, TERN_ERR_SHAPE,
                             "graph input '%s' is too large (over %zu bytes, the most one tensor "
                             "may hold)", t->name, (size_t)TERN_MAX_TENSOR_BYTES);
    }
    return TERN_OK;
}

tern_status tern_bind_shapes(tern_graph *g, const tern_input_shape *shapes, int n_shapes,
                             int batch, tern_err *err) {
    if (n_shapes < 0 || (n_shapes > 0 && !shapes))
        return tern_errf(err, TERN_ERR_INVALID_ARG, "bad shape bindings");
    symtab syms = {NULL, 0, g->n_inputs * TERN_MAX_RANK};
    syms.v = malloc(sizeof(sym) * ((size_t)syms.cap + 1));
    if (!syms.v) return tern_errf(err, TERN_ERR_NOMEM, "out of memory binding shapes");
    tern_status st = apply_shapes(g, shapes, n_shapes, &syms, err);
    if (st == TERN_OK) st = propagate(g, &syms, batch, err);
    free(syms.v);
    return st == TERN_OK ? check_bound(g, err) : st;
}

tern_status tern_bind_constants(tern_graph *g, const tern_binding *b, int nb, tern_err *err) {
    if (nb < 0 || (nb > 0 && !b))
        return tern_errf(err, TERN_ERR_INVALID_ARG, "bad constant bindings");
    for (int i = 0; i < nb; i++) {
        int k = find_input(g, b[i].name);
        if (k < 0)
            return tern_errf(err, TERN_ERR_INVALID_ARG, "constant binding: no graph input '%s'",
                             b[i].name ? b[i].name : "(null)");
        tern_tensor *t = &g->tensors[g->inputs[k]];
        size_t need = tern_tensor_bytes(t);
        if (tern_tensor_numel(t) < 0 || !b[i].data || b[i].bytes != need)
            return tern_errf(err, TERN_ERR_INVALID_ARG,
                             "constant binding '%s': %zu bytes given, the input takes %zu",
                             t->name, b[i].bytes, need);
        tern_status st = tern_budget_charge(g, &g->const_bytes, need, err);
        if (st != TERN_OK) return st;
        void *copy = tern_pool_alloc(&g->pool, need ? need : 1);
        if (!copy) return tern_errf(err, TERN_ERR_NOMEM, "out of memory binding constants");
        memcpy(copy, b[i].data, need);
        t->data = copy;
        t->is_input = 0;
        memmove(&g->inputs[k], &g->inputs[k + 1], sizeof(int) * (size_t)(g->n_inputs - k - 1));
        g->n_inputs--;
    }
    return TERN_OK;
}
