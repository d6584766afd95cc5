/* JPEG decoding speed: tern's decoder (loader/jpeg.h) against libjpeg-turbo's
 * djpeg on the same files.
 *
 *   bench_jpeg DIR [--reps N] [--djpeg PATH] [--tiny FILE]
 *
 * tern: every file is read into memory once, then decoded N times in this
 * process (one warm-up pass first); the best pass is reported, by wall
 * clock and by process CPU time.
 *
 * djpeg: `djpeg -pnm -outfile /dev/null FILE` is started for every file
 * (posix_spawn, one at a time), and the loop is timed by wall clock and by
 * the children's CPU time (getrusage). That includes starting a process,
 * loading libjpeg and writing the PNM, so the same loop is also timed on a
 * tiny image (--tiny, default tests/data/jpeg/f420_4x2.jpg, 4x2 pixels)
 * started as many times: its time is the per-process overhead, subtracted
 * to estimate djpeg's decoding alone. Both numbers are printed.
 *
 * Throughput is compressed bytes per second (MB/s, 10^6) and decoded
 * megapixels per second. Speed is measured here, never asserted in tests.
 *
 * For a comparison without processes, the same program can also decode the
 * files in memory with libjpeg itself (the library djpeg uses, with its
 * SIMD code; needs libjpeg62-turbo-dev). Not part of the Makefile, since
 * tern depends on nothing but libc: build it by hand from the repo root:
 *   cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -DBENCH_LIBJPEG -I. -Iinclude \
 *      bench/bench_jpeg.c build/libtern.a -ljpeg -lm -lpthread -o build/bench_jpeg_libjpeg */
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "loader/file_io.h"
#include "loader/jpeg.h"

#ifdef BENCH_LIBJPEG
#include <jpeglib.h>
#endif

extern char **environ;

typedef struct file {
    char *path;
    uint8_t *buf;
    size_t len;
} file;

typedef struct timing {
    double wall, cpu; /* seconds */
} timing;

static double clock_s(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double children_cpu(void) {
    struct rusage r;
    getrusage(RUSAGE_CHILDREN, &r);
    return (double)r.ru_utime.tv_sec + (double)r.ru_utime.tv_usec * 1e-6 +
           (double)r.ru_stime.tv_sec + (double)r.ru_stime.tv_usec * 1e-6;
}

static int is_jpeg_name(const char *n) {
    const char *dot = strrchr(n, '.');
    return dot && (!strcmp(dot, ".jpg") || !strcmp(dot, ".jpeg") || !strcmp(dot, ".JPEG") ||
                   !strcmp(dot, ".JPG"));
}

static int by_path(const void *a, const void *b) {
    return strcmp(((const file *)a)->path, ((const file *)b)->path);
}

static file *load_dir(const char *dir, int *count, size_t *bytes) {
    DIR *d = opendir(dir);
    if (!d) return NULL;
    file *fs = NULL;
    int n = 0, cap = 0;
    *bytes = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!is_jpeg_name(e->d_name)) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            fs = realloc(fs, sizeof *fs * (size_t)cap);
            if (!fs) abort();
        }
        size_t pl = strlen(dir) + strlen(e->d_name) + 2;
        fs[n].path = malloc(pl);
        snprintf(fs[n].path, pl, "%s/%s", dir, e->d_name);
        tern_err err;
        if (tern_file_read(fs[n].path, TERN_JPEG_MAX_FILE, &fs[n].buf, &fs[n].len, &err)) {
            fprintf(stderr, "bench_jpeg: %s\n", err.msg);
            free(fs[n].path);
            continue;
        }
        *bytes += fs[n].len;
        n++;
    }
    closedir(d);
    qsort(fs, (size_t)n, sizeof *fs, by_path);
    *count = n;
    return fs;
}

/* One pass of tern over every file; the pixel count on the side. */
static int tern_pass(const file *fs, int n, double *mpix, timing *t) {
    double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), px = 0;
    for (int i = 0; i < n; i++) {
        tern_pnm img;
        tern_err err;
        if (tern_jpeg_decode(fs[i].buf, fs[i].len, &img, &err)) {
            fprintf(stderr, "bench_jpeg: %s: %s\n", fs[i].path, err.msg);
            return -1;
        }
        px += (double)img.width * img.height;
        tern_pnm_free(&img);
    }
    t->wall = clock_s(CLOCK_MONOTONIC) - w0;
    t->cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    *mpix = px / 1e6;
    return 0;
}

#ifdef BENCH_LIBJPEG
/* One pass of libjpeg (default settings, as djpeg) over every file, in memory. */
static void libjpeg_pass(const file *fs, int n, timing *t) {
    double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < n; i++) {
        struct jpeg_decompress_struct c;
        struct jpeg_error_mgr em;
        c.err = jpeg_std_error(&em);
        jpeg_create_decompress(&c);
        jpeg_mem_src(&c, fs[i].buf, (unsigned long)fs[i].len);
        jpeg_read_header(&c, TRUE);
        jpeg_start_decompress(&c);
        size_t stride = (size_t)c.output_width * (size_t)c.output_components;
        uint8_t *out = malloc(stride * c.output_height);
        while (c.output_scanline < c.output_height) {
            JSAMPROW r = out + stride * c.output_scanline;
            jpeg_read_scanlines(&c, &r, 1);
        }
        jpeg_finish_decompress(&c);
        jpeg_destroy_decompress(&c);
        free(out);
    }
    t->wall = clock_s(CLOCK_MONOTONIC) - w0;
    t->cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
}
#endif

/* djpeg on each path in turn (n paths, or `tiny` n times). */
static int djpeg_loop(const char *djpeg, const file *fs, int n, const char *tiny, timing *t) {
    double w0 = clock_s(CLOCK_MONOTONIC), c0 = children_cpu();
    for (int i = 0; i < n; i++) {
        char *argv[] = {(char *)djpeg, "-pnm", "-outfile", "/dev/null",
                        (char *)(tiny ? tiny : fs[i].path), NULL};
        pid_t pid;
        int status;
        if (posix_spawnp(&pid, djpeg, NULL, NULL, argv, environ) != 0) {
            fprintf(stderr, "bench_jpeg: cannot start %s (apt-get install libjpeg-turbo-progs)\n",
                    djpeg);
            return -1;
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "bench_jpeg: %s failed on %s\n", djpeg, argv[4]);
            return -1;
        }
    }
    t->wall = clock_s(CLOCK_MONOTONIC) - w0;
    t->cpu = children_cpu() - c0;
    return 0;
}

static void row(const char *what, double mb, double mpix, timing t) {
    printf("%-34s %8.3f s %8.3f s   %7.1f MB/s %8.1f Mpix/s  (by CPU time)\n", what, t.wall, t.cpu,
           mb / t.cpu, mpix / t.cpu);
}

int main(int argc, char **argv) {
    const char *dir = NULL, *djpeg = "djpeg", *tiny = "tests/data/jpeg/f420_4x2.jpg";
    int reps = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--djpeg") && i + 1 < argc)
            djpeg = argv[++i];
        else if (!strcmp(argv[i], "--tiny") && i + 1 < argc)
            tiny = argv[++i];
        else
            dir = argv[i];
    }
    if (!dir || reps < 1) {
        fprintf(stderr, "usage: bench_jpeg DIR [--reps N] [--djpeg PATH] [--tiny FILE]\n");
        return 2;
    }
    int n;
    size_t bytes;
    file *fs = load_dir(dir, &n, &bytes);
    if (!fs || n == 0) {
        fprintf(stderr, "bench_jpeg: no JPEG files in %s\n", dir);
        return 2;
    }
    double mb = (double)bytes / 1e6, mpix;
    printf("%d files, %.1f MB compressed, in %s\n", n, mb, dir);
    timing best = {1e30, 1e30}, t;
    if (tern_pass(fs, n, &mpix, &t)) return 1; /* warm-up */
    for (int r = 0; r < reps; r++) {
        if (tern_pass(fs, n, &mpix, &t)) return 1;
        if (t.wall < best.wall) best.wall = t.wall;
        if (t.cpu < best.cpu) best.cpu = t.cpu;
    }
    printf("%.1f megapixels decoded per pass\n\n%-34s %10s %10s\n", mpix, "", "wall", "CPU");
    char label[64];
    snprintf(label, sizeof label, "tern (best of %d passes)", reps);
    row(label, mb, mpix, best);
    timing dj, ov;
    if (djpeg_loop(djpeg, fs, n, NULL, &dj) || djpeg_loop(djpeg, fs, n, tiny, &ov)) return 1;
    row("djpeg, one process per file", mb, mpix, dj);
    snprintf(label, sizeof label, "  overhead (%s x%d)", strrchr(tiny, '/') ? strrchr(tiny, '/') + 1 : tiny, n);
    printf("%-34s %8.3f s %8.3f s   (%.2f ms a process)\n", label, ov.wall, ov.cpu, 1e3 * ov.cpu / n);
    timing net = {dj.wall - ov.wall, dj.cpu - ov.cpu};
    if (net.cpu <= 0 || net.wall <= 0) {
        printf("djpeg's decoding is within the noise of its process overhead\n");
        return 0;
    }
    row("djpeg, minus the overhead", mb, mpix, net);
    printf("\ntern / djpeg decoding time (CPU): %.2fx with djpeg's overhead subtracted, %.2fx "
           "including it\n",
           best.cpu / net.cpu, best.cpu / dj.cpu);
#ifdef BENCH_LIBJPEG
    timing lj = {1e30, 1e30};
    for (int r = 0; r < reps; r++) {
        libjpeg_pass(fs, n, &t);
        if (t.wall < lj.wall) lj.wall = t.wall;
        if (t.cpu < lj.cpu) lj.cpu = t.cpu;
    }
    snprintf(label, sizeof label, "libjpeg in memory (best of %d)", reps);
    row(label, mb, mpix, lj);
    printf("tern / libjpeg decoding time (CPU, both in memory): %.2fx\n", best.cpu / lj.cpu);
#endif
    for (int i = 0; i < n; i++) {
        free(fs[i].buf);
        free(fs[i].path);
    }
    free(fs);
    return 0;
}
