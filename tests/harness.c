#include "tests/harness.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void th_pass(th_ctx *t, const char *name) {
    t->passed++;
    if (t->verbose) printf("PASS %s\n", name);
}

static void vfail(th_ctx *t, const char *name, const char *fmt, va_list ap) {
    t->failed++;
    printf("FAIL %s: ", name);
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
}

void th_fail(th_ctx *t, const char *name, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(t, name, fmt, ap);
    va_end(ap);
}

void th_skip(th_ctx *t, const char *name, const char *why) {
    t->skipped++;
    printf("SKIP %s: %s\n", name, why);
}

void th_skip_quiet(th_ctx *t, const char *name, const char *why) {
    t->skipped++;
    if (t->verbose) printf("SKIP %s: %s\n", name, why);
}

int th_check(th_ctx *t, int cond, const char *name, const char *fmt, ...) {
    if (cond) {
        th_pass(t, name);
        return 1;
    }
    va_list ap;
    va_start(ap, fmt);
    vfail(t, name, fmt, ap);
    va_end(ap);
    return 0;
}

const char *th_shared_path(th_ctx *t, const char *rel, char *buf, size_t cap, const char *case_name) {
    if (!t->shared) {
        th_skip(t, case_name, "../shared is absent");
        return NULL;
    }
    snprintf(buf, cap, "%s/%s", t->shared, rel);
    return buf;
}

unsigned char *th_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return NULL; }
    long n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
    unsigned char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    if (buf) *len = (size_t)n;
    return buf;
}

int th_in_child(int (*fn)(void *arg), void *arg, unsigned seconds) {
    fflush(NULL); /* or the child would print the parent's pending output again */
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        alarm(seconds); /* SIGALRM ends a child that hangs */
        _exit(fn(arg) & 0xff);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
