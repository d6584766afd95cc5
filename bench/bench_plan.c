/* bench_plan: how long loading and compiling (passes + memory plan) take on
 * very long graphs, the cost the planner and the pass helpers must keep near
 * O(n log n). Not a test: it prints times, asserts nothing.
 *
 *   bench_plan [--nodes N] [--write DIR]
 *
 * Models (float [1,16] tensors, 64 bytes each):
 *   relu-chain   x -> Relu -> Relu -> ... -> y (N nodes): every buffer lives
 *                two steps, the common case;
 *   skip-chain   the same, but node i >= K adds the output of node i-K
 *                (K = N/2): about K buffers are live at once, the worst case
 *                for a planner that compares lifetimes (graph/planner.c);
 *   skip-chain-1k  K = 1000: long lifetimes that the full search still does;
 *   conv-relu-chain  N/2 pairs Conv(1x1) -> Relu on [1,1,4,4]: the passes ask
 *                who reads each Conv's output (fuse-activation), which
 *                used to scan the whole graph per question;
 *   transpose-chain  N Transpose(perm 1,0): cancel-transposes removes them in
 *                pairs, asking who reads and who writes each tensor.
 * --write DIR also writes each model as DIR/NAME.onnx (for timing `tern info`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tern.h"
#include "tests/onnx_writer.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void tname(char *buf, size_t cap, int i) {
    if (i < 0) snprintf(buf, cap, "x");
    else snprintf(buf, cap, "t%d", i);
}

/* N nodes; node i reads t(i-1) and, when skip > 0 and i >= skip, t(i-skip). */
static ow_buf chain_model(int n, int skip) {
    ow_buf g = {0};
    int64_t dims[2] = {1, 16};
    for (int i = 0; i < n; i++) {
        char a[32], b[32], y[32], name[32];
        tname(a, sizeof a, i - 1);
        tname(b, sizeof b, i - skip);
        if (i == n - 1) snprintf(y, sizeof y, "y");
        else tname(y, sizeof y, i);
        snprintf(name, sizeof name, "n%d", i);
        const char *ins[2] = {a, b}, *outs[1] = {y};
        int add = skip > 0 && i >= skip;
        ow_buf nd = ow_node(add ? "Add" : "Relu", name, ins, add ? 2 : 1, outs, 1);
        ow_msg(&g, OW_G_NODE, &nd);
    }
    ow_str(&g, OW_G_NAME, skip ? "skip_chain" : "relu_chain");
    ow_buf in = ow_value_info("x", OW_FLOAT, 2, dims), out = ow_value_info("y", OW_FLOAT, 2, dims);
    ow_msg(&g, OW_G_INPUT, &in);
    ow_msg(&g, OW_G_OUTPUT, &out);
    return ow_model(&g, 13);
}

/* n/2 pairs Conv(w 1x1) -> Relu; every Conv shares one weight. */
static ow_buf conv_relu_model(int n) {
    ow_buf g = {0};
    int64_t dims[4] = {1, 1, 4, 4}, wd[4] = {1, 1, 1, 1};
    float w = 0.5f;
    ow_buf wt = ow_tensor("w", OW_FLOAT, 4, wd, &w, 4);
    ow_msg(&g, OW_G_INIT, &wt);
    for (int i = 0; i < n / 2; i++) {
        char a[32], c[32], y[32], name[32];
        tname(a, sizeof a, 2 * i - 1);
        tname(c, sizeof c, 2 * i);
        if (i == n / 2 - 1) snprintf(y, sizeof y, "y");
        else tname(y, sizeof y, 2 * i + 1);
        const char *cin[2] = {a, "w"}, *cout[1] = {c}, *rin[1] = {c}, *rout[1] = {y};
        snprintf(name, sizeof name, "conv%d", i);
        ow_buf cv = ow_node("Conv", name, cin, 2, cout, 1);
        ow_msg(&g, OW_G_NODE, &cv);
        snprintf(name, sizeof name, "relu%d", i);
        ow_buf r = ow_node("Relu", name, rin, 1, rout, 1);
        ow_msg(&g, OW_G_NODE, &r);
    }
    ow_str(&g, OW_G_NAME, "conv_relu_chain");
    ow_buf in = ow_value_info("x", OW_FLOAT, 4, dims), out = ow_value_info("y", OW_FLOAT, 4, dims);
    ow_msg(&g, OW_G_INPUT, &in);
    ow_msg(&g, OW_G_OUTPUT, &out);
    return ow_model(&g, 13);
}

/* n Transpose nodes, perm (1, 0), on [4,4] */
static ow_buf transpose_model(int n) {
    ow_buf g = {0};
    int64_t dims[2] = {4, 4}, perm[2] = {1, 0};
    for (int i = 0; i < n; i++) {
        char a[32], y[32];
        tname(a, sizeof a, i - 1);
        if (i == n - 1) snprintf(y, sizeof y, "y");
        else tname(y, sizeof y, i);
        const char *ins[1] = {a}, *outs[1] = {y};
        ow_buf nd = ow_node("Transpose", y, ins, 1, outs, 1);
        ow_attr_ints(&nd, "perm", perm, 2);
        ow_msg(&g, OW_G_NODE, &nd);
    }
    ow_str(&g, OW_G_NAME, "transpose_chain");
    ow_buf in = ow_value_info("x", OW_FLOAT, 2, dims), out = ow_value_info("y", OW_FLOAT, 2, dims);
    ow_msg(&g, OW_G_INPUT, &in);
    ow_msg(&g, OW_G_OUTPUT, &out);
    return ow_model(&g, 13);
}

/* skip -1: the Conv+Relu chain, -2: the Transpose chain */
static int bench(const char *name, int n, int skip, const char *dir) {
    ow_buf m = skip == -1 ? conv_relu_model(n) : skip == -2 ? transpose_model(n)
                                                            : chain_model(n, skip);
    if (dir) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.onnx", dir, name);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(m.b, 1, m.n, f) != m.n || fclose(f) != 0) {
            fprintf(stderr, "bench_plan: cannot write %s\n", path);
            ow_free(&m);
            return 1;
        }
    }
    tern_model *model = NULL;
    tern_session *s = NULL;
    double t0 = now_s();
    tern_status st = tern_model_load_buffer(m.b, m.n, NULL, &model);
    double t1 = now_s();
    if (st == TERN_OK) st = tern_session_create(model, NULL, &s);
    double t2 = now_s();
    if (st != TERN_OK) {
        fprintf(stderr, "bench_plan %s: %s\n", name,
                s ? tern_session_error(s) : model ? tern_model_error(model) : "out of memory");
    } else {
        printf("%-15s %7d nodes %9zu bytes  load %8.3f s  session %8.3f s  arena %zu\n", name,
               n, m.n, t1 - t0, t2 - t1, tern_session_arena_size(s));
    }
    tern_session_free(s);
    tern_model_free(model);
    ow_free(&m);
    return st != TERN_OK;
}

int main(int argc, char **argv) {
    int n = 100000;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--nodes") && i + 1 < argc) {
            n = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--write") && i + 1 < argc) {
            dir = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_plan [--nodes N] [--write DIR]\n");
            return 2;
        }
    }
    if (n < 4) n = 4;
    int bad = bench("relu-chain", n, 0, dir);
    bad |= bench("skip-chain-1k", n, n > 2000 ? 1000 : n / 2, dir);
    bad |= bench("skip-chain", n, n / 2, dir);
    bad |= bench("conv-relu-chain", n, -1, dir);
    bad |= bench("transpose-chain", n, -2, dir);
    return bad ? 1 : 0;
}
