/* make bench-peak: the FP32 FMA peak of one core for every ISA level this
 * CPU runs that has a peak microbenchmark (arch/kernels.h, f32_peak): the
 * ceiling `tern bench --profile` compares each layer with. */
#include <stdio.h>
#include <time.h>

#include "arch/kernels.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void) {
    tern_cpu cpu;
    tern_cpu_detect(&cpu);
    for (int i = 0; i < TERN_ISA_COUNT; i++) {
        tern_kernels k;
        if (!tern_cpu_has(&cpu, (tern_isa)i)) continue;
        tern_kernels_fill((tern_isa)i, &k);
        if (!k.f32_peak) continue;
        double best = 0;
        float sink = 0;
        for (int r = 0; r < 10; r++) {
            double t0 = now_s();
            uint64_t macs = k.f32_peak->fn(2000000, &sink);
            double g = (double)macs / (now_s() - t0) / 1e9;
            best = g > best ? g : best;
        }
        printf("%-11s %-24s %7.1f GMAC/s fp32 per core (best of 10)%s\n",
               tern_isa_name((tern_isa)i), k.f32_peak->name, best, sink == sink ? "" : " ?");
    }
    return 0;
}
