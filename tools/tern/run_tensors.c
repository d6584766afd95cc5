/* tern run MODEL --input [NAME=]IN.npy ... [--output ...]: feed .npy
 * tensors, run, write .npy outputs. When an input file holds K times the
 * model's batch along axis 0 and the batch cannot be made that large (it is
 * fixed in the model), the K slices run one after another and the outputs
 * are stacked along axis 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "kernels/ref/cast.h"
#include "loader/npy.h"
#include "run.h"

typedef struct {
    tern_model *m;
    tern_session *s;
    tern_session_options opts; /* the command line's, plus shapes taken from the files */
    cli_shapes shapes;
    tern_npy npy[RUN_MAX_IO]; /* per model input */
    int chunked[RUN_MAX_IO];  /* input is split into `chunks` slices */
    int n_in, n_out;
    long chunks;
    void *out[RUN_MAX_IO]; /* per model output: chunks x output bytes */
} run_state;

static void list_names(const tern_session *s, int inputs, char *buf, size_t cap) {
    int n = inputs ? tern_session_input_count(s) : tern_session_output_count(s);
    size_t used = 0;
    buf[0] = 0;
    for (int k = 0; k < n && used < cap; k++) {
        tern_tensor_info info;
        if ((inputs ? tern_session_input_info(s, k, &info) : tern_session_output_info(s, k, &info)))
            continue;
        used += (size_t)snprintf(buf + used, cap - used, "%s'%s'", k ? ", " : "", info.name);
    }
}

/* The model's inputs as "'a', 'b'"; -1 or the index of the one called name. */
static int model_inputs(const tern_model *m, const char *name, char *buf, size_t cap) {
    size_t used = 0;
    int found = -1;
    buf[0] = 0;
    for (int k = 0; k < tern_model_input_count(m); k++) {
        tern_tensor_info info;
        if (tern_model_input_info(m, k, &info)) continue;
        if (name && !strcmp(info.name, name)) found = k;
        if (used < cap)
            used += (size_t)snprintf(buf + used, cap - used, "%s'%s'", k ? ", " : "", info.name);
    }
    return found;
}

/* Which model input each --input feeds; reads the files. */
static int read_inputs(const run_args *a, run_state *st) {
    char names[1024];
    model_inputs(st->m, NULL, names, sizeof names);
    /* a model without inputs runs as it is; one with inputs needs files */
    if (a->n_inputs == 0 && st->n_in > 0)
        return cli_fail("nothing to run: give --input FILE.npy or image files (inputs: %s)",
                        names);
    for (int k = 0; k < a->n_inputs; k++) {
        const run_io *io = &a->inputs[k];
        int idx = 0;
        if (io->name) {
            idx = model_inputs(st->m, io->name, names, sizeof names);
            if (idx < 0)
                return cli_fail("the model has no input '%s' (inputs: %s)", io->name, names);
        } else if (st->n_in != 1 || a->n_inputs != 1) {
            return cli_fail("the model has %d inputs (%s): give --input NAME=FILE.npy for each",
                            st->n_in, names);
        }
        tern_tensor_info info;
        int named = tern_model_input_info(st->m, idx, &info) == TERN_OK;
        if (st->npy[idx].data)
            return cli_fail("input '%s' is given twice (--input %s)", named ? info.name : "?",
                            io->path);
        tern_err err;
        if (tern_npy_read_file(io->path, &st->npy[idx], &err) != TERN_OK)
            return cli_fail("%s (--input)", err.msg);
    }
    for (int k = 0; k < st->n_in; k++) {
        tern_tensor_info info;
        if (!st->npy[k].data && tern_model_input_info(st->m, k, &info) == TERN_OK)
            return cli_fail("input '%s' is not given (--input %s=FILE.npy)", info.name, info.name);
    }
    return 0;
}

/* An input with dynamic dims after the first (image height and width, a
 * sequence length), or with no shape in the model, takes them from its file
 * unless --shape binds it; the first dim stays with the batch logic below
 * (-1: left to the library). */
static int shapes_from_files(const run_args *a, run_state *st) {
    st->opts = a->opts;
    st->shapes = a->shapes;
    for (int k = 0; k < st->n_in; k++) {
        tern_tensor_info info;
        const tern_npy *n = &st->npy[k];
        if (tern_model_input_info(st->m, k, &info) != TERN_OK) continue;
        if (info.rank >= 0 && info.rank != n->rank) continue; /* check_inputs says why */
        int dynamic = info.rank < 0, given = 0; /* no shape in the file: the file's */
        for (int d = 1; d < info.rank; d++) dynamic |= info.dims[d] < 0;
        for (int i = 0; i < st->shapes.n; i++) given |= !strcmp(st->shapes.names[i], info.name);
        if (!dynamic || given) continue;
        if (st->shapes.n >= CLI_MAX_SHAPES) return cli_fail("too many inputs to bind shapes for");
        int j = st->shapes.n++;
        snprintf(st->shapes.names[j], sizeof st->shapes.names[j], "%s", info.name);
        for (int d = 0; d < n->rank; d++) st->shapes.dims[j][d] = d ? n->dims[d] : -1;
        st->shapes.list[j] = (tern_input_shape){st->shapes.names[j], n->rank, st->shapes.dims[j]};
    }
    cli_use_shapes(&st->opts, &st->shapes);
    return 0;
}

/* Does the file's shape equal the input's, or is it K batches of it? Sets
 * *k (1 for equal, 0 for neither). */
static void shape_fit(const tern_npy *n, const tern_tensor_info *info, long *k) {
    *k = 0;
    if (n->rank != info->rank) return;
    for (int d = 1; d < n->rank; d++)
        if (n->dims[d] != info->dims[d]) return;
    if (n->rank == 0 || n->dims[0] == info->dims[0]) {
        *k = 1;
    } else if (info->dims[0] > 0 && n->dims[0] > 0 && n->dims[0] % info->dims[0] == 0) {
        *k = (long)(n->dims[0] / info->dims[0]);
    }
}

/* Check dtype and shape of every input against the session and work out
 * the number of chunks; 0 or an error (printed unless quiet). */
static int check_inputs(const run_args *a, run_state *st, int quiet) {
    st->chunks = 1;
    for (int i = 0; i < st->n_in; i++) {
        tern_tensor_info info;
        char want[128], got[128];
        if (tern_session_input_info(st->s, i, &info) != TERN_OK)
            return quiet ? CLI_EXIT_ERROR
                         : cli_fail("%s (%s)", tern_session_error(st->s), a->model);
        const tern_npy *n = &st->npy[i];
        if (n->dtype != info.dtype)
            return quiet ? CLI_EXIT_ERROR
                         : cli_fail("input '%s' wants %s but the .npy holds %s", info.name,
                                    tern_dtype_name(info.dtype), tern_dtype_name(n->dtype));
        long k;
        shape_fit(n, &info, &k);
        if (k == 0 || (k > 1 && st->chunks > 1 && k != st->chunks))
            return quiet ? CLI_EXIT_ERROR
                         : cli_fail("input '%s' wants shape %s but the .npy is %s%s", info.name,
                                    cli_dims(info.dims, info.rank, want, sizeof want),
                                    cli_dims(n->dims, n->rank, got, sizeof got),
                                    k ? " (a different number of batches than another input)" : "");
        st->chunked[i] = k > 1;
        if (k > 1) st->chunks = k;
    }
    return 0;
}

/* Larger files run in batch-1 pieces rather than asking for an arena that
 * holds every item at once. */
#define RUN_AUTO_BATCH_MAX 256

/* A dynamic batch takes the files' leading dimension: try a session with
 * that batch; keep it if every input then fits in one run. */
static void try_bigger_batch(const run_args *a, run_state *st) {
    if (st->chunks == 1 || a->batch_given) return;
    int i = 0;
    while (!st->chunked[i]) i++;
    if (st->npy[i].dims[0] > RUN_AUTO_BATCH_MAX) return;
    tern_session_options o = st->opts;
    o.batch = (int)st->npy[i].dims[0];
    tern_session *s2;
    if (tern_session_create(st->m, &o, &s2) != TERN_OK) {
        if (s2) tern_session_free(s2);
        return;
    }
    tern_session *old = st->s;
    st->s = s2;
    if (check_inputs(a, st, 1) == 0 && st->chunks == 1) {
        tern_session_free(old);
        return;
    }
    st->s = old;
    tern_session_free(s2);
    check_inputs(a, st, 1); /* restore chunk info for the old session */
}

static int run_chunks(const run_args *a, run_state *st) {
    tern_tensor_info info;
    for (int o = 0; o < st->n_out; o++) {
        if (tern_session_output_info(st->s, o, &info) != TERN_OK)
            return cli_fail("%s (%s)", tern_session_error(st->s), a->model);
        size_t total;
        if (!tern_mul_size(info.bytes, (size_t)st->chunks, &total) ||
            !(st->out[o] = malloc(total ? total : 1)))
            return cli_fail("out of memory for output '%s' (%s)", info.name, a->model);
    }
    for (long c = 0; c < st->chunks; c++) {
        for (int i = 0; i < st->n_in; i++) {
            tern_session_input_info(st->s, i, &info);
            const unsigned char *src = st->npy[i].data;
            if (st->chunked[i]) src += (size_t)c * info.bytes;
            if (tern_session_set_input(st->s, i, src, info.bytes) != TERN_OK)
                return cli_fail("%s (input '%s')", tern_session_error(st->s), info.name);
        }
        if (tern_session_run(st->s) != TERN_OK)
            return cli_fail("run failed: %s (%s)", tern_session_error(st->s), a->model);
        for (int o = 0; o < st->n_out; o++) {
            tern_session_output_info(st->s, o, &info);
            if (tern_session_get_output(st->s, o,
                                        (unsigned char *)st->out[o] + (size_t)c * info.bytes,
                                        info.bytes) != TERN_OK)
                return cli_fail("%s (output '%s')", tern_session_error(st->s), info.name);
        }
    }
    return 0;
}

/* Output shape after stacking `chunks` runs along axis 0. */
static int stacked_dims(const tern_tensor_info *info, long chunks, int64_t *dims) {
    if (chunks == 1 || info->rank == 0) {
        int r = 0;
        if (chunks > 1) dims[r++] = chunks;
        for (int d = 0; d < info->rank; d++) dims[r++] = info->dims[d];
        return r;
    }
    memcpy(dims, info->dims, sizeof info->dims);
    dims[0] *= chunks;
    return info->rank;
}

static int write_output(run_state *st, int o, const char *path) {
    tern_tensor_info info;
    int64_t dims[TERN_MAX_RANK + 1];
    tern_err err;
    tern_session_output_info(st->s, o, &info);
    int rank = stacked_dims(&info, st->chunks, dims);
    if (rank > TERN_MAX_RANK) return cli_fail("output '%s' has too many dims to stack", info.name);
    if (tern_npy_write_file(path, info.dtype, rank, dims, st->out[o], &err) != TERN_OK)
        return cli_fail("%s (--output)", err.msg);
    return 0;
}

static int is_dir_spec(const char *path) {
    struct stat sb;
    size_t n = strlen(path);
    return (n && path[n - 1] == '/') || (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
}

/* NAME.npy with unsafe file-name characters as '_' ("outputN.npy" when
 * nothing usable is left). */
static void file_name_of(const char *name, int o, char *out, size_t cap) {
    size_t k = 0;
    for (; name[k] && k + 5 < cap; k++) {
        char ch = name[k];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
        out[k] = ok ? ch : '_';
    }
    out[k] = 0;
    if (k == 0 || !strcmp(out, ".") || !strcmp(out, ".."))
        snprintf(out, cap, "output%d", o);
    snprintf(out + strlen(out), cap - strlen(out), ".npy");
}

/* DIR/NAME.npy for every output. Two names that map to one file (a/b and
 * a:b) are an error rather than one output silently replacing the other. */
static int write_dir(run_state *st, const char *dir) {
    char files[RUN_MAX_IO][260];
    tern_tensor_info info[RUN_MAX_IO];
    size_t dl = strlen(dir);
    const char *sep = dl && dir[dl - 1] == '/' ? "" : "/";
    for (int o = 0; o < st->n_out; o++) {
        tern_session_output_info(st->s, o, &info[o]);
        file_name_of(info[o].name, o, files[o], sizeof files[o]);
        for (int p = 0; p < o; p++)
            if (!strcmp(files[p], files[o]))
                return cli_fail("outputs '%s' and '%s' would both be written to %s%s%s; use "
                                "--output NAME=FILE.npy",
                                info[p].name, info[o].name, dir, sep, files[o]);
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cli_fail("cannot create directory %s: %s", dir, strerror(errno));
    for (int o = 0; o < st->n_out; o++) {
        char path[2048];
        snprintf(path, sizeof path, "%s%s%s", dir, sep, files[o]);
        int rc = write_output(st, o, path);
        if (rc) return rc;
    }
    return 0;
}

static int write_outputs(const run_args *a, run_state *st) {
    char names[1024];
    list_names(st->s, 0, names, sizeof names);
    for (int k = 0; k < a->n_outputs; k++) {
        const run_io *io = &a->outputs[k];
        int rc, o = 0;
        if (!io->name && is_dir_spec(io->path)) {
            rc = write_dir(st, io->path);
        } else {
            if (io->name && (o = tern_session_find_output(st->s, io->name)) < 0)
                return cli_fail("the model has no output '%s' (outputs: %s)", io->name, names);
            if (!io->name && st->n_out != 1)
                return cli_fail("the model has %d outputs (%s): use --output NAME=FILE.npy or "
                                "--output DIR/",
                                st->n_out, names);
            rc = write_output(st, o, io->path);
        }
        if (rc) return rc;
    }
    if (a->n_outputs == 0) {
        for (int o = 0; o < st->n_out; o++) {
            tern_tensor_info info;
            tern_session_output_info(st->s, o, &info);
            int64_t dims[TERN_MAX_RANK + 1];
            int rank = stacked_dims(&info, st->chunks, dims);
            char d[256], name[256];
            snprintf(name, sizeof name, "%s", info.name);
            printf("output '%s' %s %s:", cli_printable(name, 0), tern_dtype_name(info.dtype),
                   cli_dims(dims, rank, d, sizeof d));
            info.bytes *= (size_t)st->chunks;
            run_print_values("", &info, st->out[o]);
        }
    }
    return 0;
}

int run_tensors(const run_args *a) {
    run_state *st = calloc(1, sizeof *st);
    if (!st) return cli_fail("out of memory (tern run)");
    int rc = cli_load(a->model, &st->m);
    if (rc == 0) {
        st->n_in = tern_model_input_count(st->m);
        if (st->n_in > RUN_MAX_IO) rc = cli_fail("the model has too many inputs (%s)", a->model);
    }
    if (rc == 0) rc = read_inputs(a, st);
    if (rc == 0) rc = shapes_from_files(a, st);
    if (rc == 0) rc = cli_compile(st->m, &st->opts, a->model, &st->s);
    if (rc == 0) {
        st->n_out = tern_session_output_count(st->s);
        if (st->n_out > RUN_MAX_IO) rc = cli_fail("the model has too many outputs (%s)", a->model);
    }
    if (rc == 0) rc = check_inputs(a, st, 0);
    if (rc == 0) try_bigger_batch(a, st);
    if (rc == 0) rc = run_chunks(a, st);
    if (rc == 0) rc = write_outputs(a, st);
    for (int k = 0; k < RUN_MAX_IO; k++) {
        tern_npy_free(&st->npy[k]);
        free(st->out[k]);
    }
    cli_close(st->m, st->s);
    free(st);
    return rc;
}

/* One element, read as its dtype says (float16 as the number its bits
 * encode, not as bytes). */
static void print_value(tern_dtype dt, const unsigned char *p) {
    float f;
    double d;
    int64_t i64;
    int32_t i32;
    uint16_t h;
    switch (dt) {
    case TERN_FLOAT: memcpy(&f, p, 4), printf(" %.6g", f); break;
    case TERN_DOUBLE: memcpy(&d, p, 8), printf(" %.6g", d); break;
    case TERN_FLOAT16: memcpy(&h, p, 2), printf(" %.6g", tern_half_to_float(h)); break;
    case TERN_INT64: memcpy(&i64, p, 8), printf(" %lld", (long long)i64); break;
    case TERN_INT32: memcpy(&i32, p, 4), printf(" %d", i32); break;
    case TERN_INT8: printf(" %d", (int)(int8_t)*p); break;
    default: printf(" %u", (unsigned)*p); break;
    }
}

/* Up to 8 values of a tensor on the current line. */
void run_print_values(const char *what, const tern_tensor_info *info, const void *data) {
    size_t es = tern_dtype_size(info->dtype), n = es ? info->bytes / es : 0;
    const unsigned char *p = data;
    printf("%s", what);
    for (size_t k = 0; k < n && k < 8; k++, p += es) print_value(info->dtype, p);
    printf("%s\n", n > 8 ? " ..." : "");
}
