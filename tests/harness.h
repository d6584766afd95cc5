/* A small test harness: suites are plain functions that report each case as
 * passed, failed or skipped. The runner ends with "N passed, N failed, N
 * skipped" and exits non-zero if anything failed. */
#ifndef TERN_TEST_HARNESS_H
#define TERN_TEST_HARNESS_H

#include <stddef.h>

typedef struct th_ctx {
    int passed, failed, skipped;
    int verbose;
    const char *shared; /* path of ../shared, or NULL if absent */
    const char *cli;    /* path of the tern CLI binary */
} th_ctx;

#if defined(__GNUC__)
#define TH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TH_PRINTF(a, b)
#endif

void th_pass(th_ctx *t, const char *name);
void th_fail(th_ctx *t, const char *name, const char *fmt, ...) TH_PRINTF(3, 4);
void th_skip(th_ctx *t, const char *name, const char *why);
/* A skip that a suite lists elsewhere (the conformance log): printed with -v only. */
void th_skip_quiet(th_ctx *t, const char *name, const char *why);
/* Report cond as one case. Returns cond. */
int th_check(th_ctx *t, int cond, const char *name, const char *fmt, ...) TH_PRINTF(4, 5);
/* "shared/<rel>" path into buf, or NULL (with a skip) when ../shared is absent. */
const char *th_shared_path(th_ctx *t, const char *rel, char *buf, size_t cap, const char *case_name);
/* Read a whole file; NULL on failure. Caller frees. */
unsigned char *th_read_file(const char *path, size_t *len);

/* Run fn(arg) in a child process that is killed after `seconds`: for a call
 * that would hang if the code under test had the bug (e.g. opening a FIFO).
 * Returns fn's result (0..255), or -1 if the child hung, crashed or could
 * not be started. */
int th_in_child(int (*fn)(void *arg), void *arg, unsigned seconds);

/* Each suite is one function; tests/main.c lists them. */
#define TH_SUITE(name) void name(th_ctx *t)

#endif
