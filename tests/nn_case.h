/* A one-node graph for kernel tests (tests/test_kernels_nn*.c): build
 * tensors and one node by hand, run op->infer and op->run on the test's own
 * buffers in any layout, compare with a double-precision reference. */
#ifndef TERN_TEST_NN_CASE_H
#define TERN_TEST_NN_CASE_H

#include <stdint.h>

#include "graph/op.h"
#include "tests/harness.h"

typedef struct tcase {
    tern_graph g;
    int node;
    tern_attr attrs[16];
    tern_err err;
} tcase;

#define TOL 1e-5

/* Restart the test data generator (each suite starts from the same seed). */
void tc_seed(uint32_t s);

/* An empty graph at the given ai.onnx opset; tc_free releases it. */
void tc_init(tcase *c, int64_t opset);
void tc_free(tcase *c);

/* A float tensor; data (plain, logical order) makes it a constant. */
int tc_tensor(tcase *c, const char *name, int rank, const int64_t *dims, const void *data);

/* The node, with inputs ins (-1: absent) and nout fresh outputs. */
tern_node *tc_node(tcase *c, const char *op, const int *ins, int nin, int nout);

/* The node, its attributes (added to the node in order), infer, output i. */
tern_node *tc_n(tcase *c);
tern_attr *tc_attr(tcase *c, const char *name, int type);
void tc_ints(tcase *c, const char *name, const int64_t *v, int count);
void tc_int(tcase *c, const char *name, int64_t v);
void tc_float(tcase *c, const char *name, float v);
void tc_str(tcase *c, const char *name, const char *v);
tern_status tc_infer(tcase *c);
tern_tensor *tc_out(tcase *c, int i);

/* Element offset of logical index e (row-major) of t in its layout. */
int64_t phys_offset(const tern_tensor *t, int64_t e);

/* Run the node: logical input data in[i] (ignored for constants) is laid
 * out as each tensor's layout says; output 0 is read back in logical order
 * into a malloc'ed buffer (*out). Returns the run status. */
tern_status tc_run(tcase *c, const float *const *in, float **out);

/* Deterministic test data in [-1, 1); rand_buf mallocs n of them. */
float frand(void);
float *rand_buf(int64_t n);

/* Largest error relative to 1 + |expected|; sets *where. */
double max_err(const float *got, const double *want, int64_t n, int64_t *where);

/* One test case: every element within TOL of want (relative to 1 + |want|). */
int check_close(th_ctx *t, const char *name, const float *got, const double *want, int64_t n);

/* "plain" or "cl", for case names. */
const char *layout_name(int l);

#endif
