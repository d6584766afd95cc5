/* tern bench MODEL: latency of one session on synthetic inputs (issue 13).
 * Warm-up runs first, then --iters timed runs: p50/p95/p99/mean latency,
 * throughput, peak RSS, arena bytes, threads and the kernels' ISA.
 * --profile adds the time share of each node, its GMAC/s and the fraction
 * of the peak measured on this machine (the ISA's FMA microbenchmark);
 * --sustained S runs for S seconds and reports throughput per 5-second
 * window and the drop from the first to the last. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "arch/kernels.h"
#include "cli.h"

typedef struct bench_opts {
    int warmup, iters, json, profile, sustained;
    tern_session_options so;
} bench_opts;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[n]. */
static double percentile(const double *v, int n, double p) {
    int k = (int)ceil(p / 100.0 * n) - 1;
    return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

/* Every input filled with a fixed pseudo-random pattern (the speed of these
 * networks does not depend on the values). */
static int fill_inputs(tern_session *s) {
    uint32_t seed = 12345;
    for (int i = 0; i < tern_session_input_count(s); i++) {
        tern_tensor_info info;
        if (tern_session_input_info(s, i, &info) != TERN_OK) return cli_fail("input %d", i);
        unsigned char *buf = malloc(info.bytes ? info.bytes : 1);
        if (!buf) return cli_fail("out of memory for input %d (%zu bytes)", i, info.bytes);
        if (info.dtype == TERN_FLOAT) {
            float *f = (float *)buf;
            for (size_t k = 0; k < info.bytes / sizeof(float); k++) {
                seed = seed * 1664525u + 1013904223u;
                f[k] = (float)(seed >> 8) / (float)(1u << 23) - 1.0f;
            }
        } else {
            for (size_t k = 0; k < info.bytes; k++) {
                seed = seed * 1664525u + 1013904223u;
                buf[k] = (unsigned char)(seed >> 24);
            }
        }
        tern_status st = tern_session_set_input(s, i, buf, info.bytes);
        free(buf);
        if (st != TERN_OK) return cli_fail("%s", tern_session_error(s));
    }
    return 0;
}

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One run: wall ms, and the process's CPU ms (all threads) if cpu_ms. */
static int run_timed(tern_session *s, double *ms, double *cpu_ms) {
    double c0 = cpu_s(), t0 = now_s();
    if (tern_session_run(s) != TERN_OK) return cli_fail("%s", tern_session_error(s));
    *ms = (now_s() - t0) * 1e3;
    if (cpu_ms) *cpu_ms = (cpu_s() - c0) * 1e3;
    return 0;
}

static int run_once(tern_session *s, double *ms) {
    return run_timed(s, ms, NULL);
}

/* The session's ISA peak in GMAC/s per thread (0 when it has no
 * microbenchmark, e.g. ref): the best of a few 20 ms runs. */
static double measure_peak(const char *isa_name) {
    tern_isa isa;
    tern_kernels k;
    if (tern_isa_parse(isa_name, &isa) != 0) return 0;
    tern_kernels_fill(isa, &k);
    if (!k.f32_peak) return 0;
    double best = 0;
    float sink = 0;
    for (int r = 0; r < 5; r++) {
        double t0 = now_s();
        uint64_t macs = k.f32_peak->fn(1000000, &sink);
        double g = (double)macs / (now_s() - t0) / 1e9;
        if (g > best) best = g;
    }
    return sink == sink ? best : 0; /* uses sink so the work is kept */
}

typedef struct layer_row {
    int index;
    double seconds;
} layer_row;

static int cmp_layer(const void *a, const void *b) {
    double x = ((const layer_row *)a)->seconds, y = ((const layer_row *)b)->seconds;
    return x > y ? -1 : x < y;
}

/* --profile: iters timed runs accumulating per-node time; table or JSON. */
static int profile(tern_session *s, const bench_opts *o, double peak) {
    int n = tern_session_node_count(s);
    double *sec = calloc((size_t)n + 1, sizeof(double));
    layer_row *rows = calloc((size_t)n + 1, sizeof(layer_row));
    if (!sec || !rows) return free(sec), free(rows), cli_fail("out of memory");
    for (int it = 0; it < o->iters; it++)
        if (tern_session_run_profiled(s, sec) != TERN_OK) {
            free(sec), free(rows);
            return cli_fail("%s", tern_session_error(s));
        }
    double total = 0;
    for (int i = 0; i < n; i++) {
        total += sec[i];
        rows[i] = (layer_row){i, sec[i]};
    }
    qsort(rows, (size_t)n, sizeof *rows, cmp_layer);
    int threads = o->so.threads > 0 ? o->so.threads : 1;
    printf(o->json ? ",\n  \"peak_gmacs_per_thread\": %.2f,\n  \"layers\": [" :
                     "\nper layer (slowest first; peak %.1f GMAC/s per thread, measured):\n"
                     "  %%time      ms   GMAC/s  %%peak  kernel  op         name\n", peak);
    for (int r = 0; r < n; r++) {
        tern_node_profile p;
        tern_session_node_profile(s, rows[r].index, &p);
        double ms = rows[r].seconds / o->iters * 1e3;
        double gmacs = p.macs && rows[r].seconds > 0 ? p.macs * o->iters / rows[r].seconds / 1e9 : 0;
        double frac = peak > 0 && gmacs > 0 ? gmacs / (peak * threads) : 0;
        char name[64];
        snprintf(name, sizeof name, "%s", p.name);
        cli_printable(name, 0);
        if (o->json)
            printf("%s\n    {\"name\": \"%s\", \"op\": \"%s\", \"ms\": %.4f, \"share\": %.4f, "
                   "\"macs\": %lld, \"gmacs\": %.2f, \"peak_fraction\": %.3f, \"simd\": %d, "
                   "\"fused\": %d}",
                   r ? "," : "", name, p.op_type, ms, total > 0 ? rows[r].seconds / total : 0,
                   (long long)p.macs, gmacs, frac, p.simd, p.fused);
        else
            printf("  %5.1f %8.3f %8.1f %6.1f  %-6s  %-10s %s\n",
                   total > 0 ? 100 * rows[r].seconds / total : 0, ms, gmacs, 100 * frac,
                   p.fused ? "fused" : p.simd ? "simd" : "ref", p.op_type, name);
    }
    if (o->json) printf("\n  ]");
    free(sec), free(rows);
    return 0;
}

/* --sustained: throughput per full 5-second window over o->sustained
 * seconds (a shorter run gives one window of its whole length). */
static int sustained(tern_session *s, const bench_opts *o, int batch) {
    double start = now_s(), win_start = start, first = 0, last = 0;
    int runs = 0, w = 0;
    printf(o->json ? ",\n  \"windows_ips\": [" : "\nsustained, images/s per 5 s window:");
    while (now_s() - start < o->sustained) {
        double ms;
        if (run_once(s, &ms)) return CLI_EXIT_ERROR;
        runs++;
        double t = now_s();
        if (t - win_start >= 5.0 || (w == 0 && t - start >= o->sustained)) {
            double ips = runs * batch / (t - win_start);
            printf(o->json ? "%s%.2f" : "%s%.1f", w ? (o->json ? ", " : " ") : (o->json ? "" : " "),
                   ips);
            if (!w) first = ips;
            last = ips;
            w++;
            runs = 0;
            win_start = t;
        }
    }
    double drop = first > 0 ? 100.0 * (first - last) / first : 0;
    printf(o->json ? "],\n  \"sustained_drop_pct\": %.2f" : "\ndrop first to last window: %.1f%%\n",
           drop);
    return 0;
}

static int parse(int argc, char **argv, bench_opts *o, cli_shapes *shapes, const char **model) {
    const char *val;
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "--json")) {
            o->json = 1;
        } else if (!strcmp(argv[i], "--profile")) {
            o->profile = 1;
        } else if (!strcmp(argv[i], "--no-fuse")) {
            o->so.flags |= TERN_SESSION_NO_FUSE;
        } else if ((r = cli_option(argc, argv, &i, "--threads", &val)) != 0) {
            if (r < 0 || cli_int(val, 1, 1024, "--threads", &o->so.threads)) return 1;
        } else if ((r = cli_option(argc, argv, &i, "--warmup", &val)) != 0) {
            if (r < 0 || cli_int(val, 0, 1000000, "--warmup", &o->warmup)) return 1;
        } else if ((r = cli_option(argc, argv, &i, "--iters", &val)) != 0) {
            if (r < 0 || cli_int(val, 1, 10000000, "--iters", &o->iters)) return 1;
        } else if ((r = cli_option(argc, argv, &i, "--sustained", &val)) != 0) {
            if (r < 0 || cli_int(val, 1, 86400, "--sustained", &o->sustained)) return 1;
        } else if ((r = cli_option(argc, argv, &i, "--batch", &val)) != 0) {
            if (r < 0 || cli_int(val, 1, 1 << 20, "--batch", &o->so.batch)) return 1;
        } else if ((r = cli_option(argc, argv, &i, "--shape", &val)) != 0) {
            if (r < 0 || cli_shape(val, shapes)) return 1;
        } else if ((r = cli_option(argc, argv, &i, "--isa", &val)) != 0) {
            if (r < 0) return 1;
            o->so.isa = val;
        } else if ((r = cli_option(argc, argv, &i, "--max-memory", &val)) != 0) {
            if (r < 0 || cli_bytes(val, "--max-memory", &o->so.max_memory)) return 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_fail("unknown option '%s' (tern bench; see tern --help)", argv[i]);
            return 1;
        } else if (!*model) {
            *model = argv[i];
        } else {
            cli_fail("unexpected argument '%s' (tern bench takes one model)", argv[i]);
            return 1;
        }
    }
    if (!*model) {
        cli_fail("missing MODEL (usage: tern bench MODEL [--threads N] [--iters N] ...)");
        return 1;
    }
    return 0;
}

static void print_summary(const bench_opts *o, tern_session *s, const double *lat, double mean,
                          int batch, double cpu_p50) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    int threads = o->so.threads > 0 ? o->so.threads : 1;
    double p50 = percentile(lat, o->iters, 50), p95 = percentile(lat, o->iters, 95);
    double p99 = percentile(lat, o->iters, 99), ips = mean > 0 ? batch * 1e3 / mean : 0;
    if (o->json)
        printf("{\n  \"p50_ms\": %.4f,\n  \"p95_ms\": %.4f,\n  \"p99_ms\": %.4f,\n"
               "  \"mean_ms\": %.4f,\n  \"min_ms\": %.4f,\n  \"throughput_ips\": %.3f,\n"
               "  \"peak_rss_kb\": %ld,\n  \"arena_bytes\": %zu,\n  \"threads\": %d,\n"
               "  \"isa\": \"%s\",\n  \"batch\": %d,\n  \"iters\": %d,\n  \"warmup\": %d,\n"
               "  \"cpu_p50_ms\": %.4f",
               p50, p95, p99, mean, lat[0], ips, ru.ru_maxrss, tern_session_arena_size(s), threads,
               tern_session_isa(s), batch, o->iters, o->warmup, cpu_p50);
    else
        printf("isa %s, %d thread%s, batch %d, %d runs after %d warm-up\n"
               "latency ms: p50 %.3f  p95 %.3f  p99 %.3f  mean %.3f  min %.3f\n"
               "CPU time ms per run (all threads): p50 %.3f\n"
               "throughput %.1f images/s, peak RSS %ld KiB, arena %zu bytes\n",
               tern_session_isa(s), threads, threads > 1 ? "s" : "", batch, o->iters, o->warmup,
               p50, p95, p99, mean, lat[0], cpu_p50, ips, ru.ru_maxrss,
               tern_session_arena_size(s));
}

int cmd_bench(int argc, char **argv) {
    bench_opts o = {.warmup = 10, .iters = 100};
    cli_shapes shapes = {0};
    const char *model = NULL;
    if (parse(argc, argv, &o, &shapes, &model)) return CLI_EXIT_ERROR;
    cli_use_shapes(&o.so, &shapes);
    tern_model *m;
    tern_session *s;
    if (cli_open(model, &o.so, &m, &s)) return CLI_EXIT_ERROR;
    double *lat = malloc(sizeof(double) * (size_t)o.iters), ms = 0, sum = 0;
    double *cpu = malloc(sizeof(double) * (size_t)o.iters);
    int rc = lat && cpu ? fill_inputs(s) : cli_fail("out of memory");
    tern_tensor_info in0;
    int batch = tern_session_input_count(s) > 0 && tern_session_input_info(s, 0, &in0) == 0 &&
                        in0.rank > 0 && in0.dims[0] > 0
                    ? (int)in0.dims[0]
                    : 1;
    for (int i = 0; !rc && i < o.warmup; i++) rc = run_once(s, &ms);
    for (int i = 0; !rc && i < o.iters; i++) {
        rc = run_timed(s, &lat[i], &cpu[i]);
        sum += lat[i];
    }
    if (!rc) {
        qsort(lat, (size_t)o.iters, sizeof *lat, cmp_double);
        qsort(cpu, (size_t)o.iters, sizeof *cpu, cmp_double);
        print_summary(&o, s, lat, sum / o.iters, batch, percentile(cpu, o.iters, 50));
        if (o.profile) rc = profile(s, &o, measure_peak(tern_session_isa(s)));
        if (!rc && o.sustained) rc = sustained(s, &o, batch);
        if (o.json) printf("\n}\n");
    }
    free(lat);
    free(cpu);
    cli_close(m, s);
    return rc;
}
