/* Test runner: `tern_tests [-v] [suite...]` runs every suite (or the named
 * ones) and ends with "N passed, N failed, N skipped". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/harness.h"
#include "tests/suites.h"

typedef struct {
    const char *name;
    void (*fn)(th_ctx *);
} suite;

static const suite SUITES[] = {
#define X(name) {#name, name},
    TERN_TEST_SUITES
#undef X
};

int main(int argc, char **argv) {
    th_ctx t = {0};
    const char *env = getenv("TERN_SHARED");
    const char *shared = env ? env : "../shared";
    struct stat st;
    if (stat(shared, &st) == 0 && S_ISDIR(st.st_mode)) {
        t.shared = shared;
    } else {
        printf("note: %s not found: tests that need the shared models and data are skipped\n",
               shared);
    }
    t.cli = getenv("TERN_CLI") ? getenv("TERN_CLI") : "build/tern";
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "-v") == 0) {
        t.verbose = 1;
        first = 2;
    }
    for (size_t i = 0; i < sizeof SUITES / sizeof SUITES[0]; i++) {
        int want = argc <= first;
        for (int a = first; a < argc; a++)
            if (strcmp(argv[a], SUITES[i].name) == 0) want = 1;
        if (!want) continue;
        int p = t.passed, f = t.failed, s = t.skipped;
        SUITES[i].fn(&t);
        printf("%-28s %5d passed, %d failed, %d skipped\n", SUITES[i].name, t.passed - p,
               t.failed - f, t.skipped - s);
        fflush(stdout);
    }
    printf("%d passed, %d failed, %d skipped\n", t.passed, t.failed, t.skipped);
    return t.failed ? 1 : 0;
}
