/* The SIMD kernel suite (suite_kernels_simd): every entry of the dispatch
 * list (TERN_KERNEL_ENTRIES, arch/kernels.h) against its reference, or
 * skipped with the reason when this CPU lacks the entry's ISA; then the
 * dispatch itself (ISA chains, names, TERN_ISA / opts.isa errors). */
#include <stdio.h>
#include <string.h>

#include "arch/kernels.h"
#include "tests/harness.h"
#include "tests/ktest.h"
#include "tests/suites.h"

static void run_entries(th_ctx *t, const tern_cpu *cpu) {
    char why[64];
#define TERN_TEST_ENTRY(slot, level, desc)                                                 \
    if (tern_cpu_has(cpu, TERN_ISA_##level)) {                                             \
        ktest_##slot(t, &desc);                                                            \
    } else {                                                                               \
        snprintf(why, sizeof why, "this CPU lacks %s", tern_isa_name(TERN_ISA_##level));   \
        th_skip(t, desc.name, why);                                                        \
    }
    TERN_KERNEL_ENTRIES(TERN_TEST_ENTRY)
#undef TERN_TEST_ENTRY
    /* with no entry for this architecture the loop above is empty */
    (void)why;
    (void)t;
    (void)cpu;
}

static void test_dispatch(th_ctx *t, const tern_cpu *cpu) {
    tern_isa best = tern_isa_best(cpu), parsed = TERN_ISA_COUNT;
    th_check(t, tern_cpu_has(cpu, best), "dispatch: best ISA is available", "%s",
             tern_isa_name(best));
    int names_ok = 1;
    for (int i = 0; i < TERN_ISA_COUNT; i++)
        names_ok &= tern_isa_parse(tern_isa_name((tern_isa)i), &parsed) == 0 && (int)parsed == i;
    th_check(t, names_ok && tern_isa_parse("avx3", &parsed) != 0, "dispatch: ISA names round-trip",
             "a name did not parse back");
    th_check(t, tern_isa_includes(TERN_ISA_AMX, TERN_ISA_AVX2) &&
                    tern_isa_includes(TERN_ISA_AVXVNNI, TERN_ISA_AVX2) &&
                    !tern_isa_includes(TERN_ISA_AVXVNNI, TERN_ISA_AVX512) &&
                    tern_isa_includes(TERN_ISA_NEONI8MM, TERN_ISA_NEON) &&
                    !tern_isa_includes(TERN_ISA_NEON, TERN_ISA_AVX2),
             "dispatch: ISA chains", "a chain is wrong");
    tern_kernels ref, k;
    tern_kernels_fill(TERN_ISA_REF, &ref);
    tern_kernels_fill(best, &k);
    th_check(t, ref.f32_gemm == NULL && ref.qs8_gemm == NULL && k.isa == best,
             "dispatch: the ref table is empty", "ref table has a kernel");
    /* every entry lands in the table of its own level */
    int placed = 1;
#define TERN_PLACED(slot, level, desc)                      \
    tern_kernels_fill(TERN_ISA_##level, &k);                \
    placed &= k.slot != NULL;
    TERN_KERNEL_ENTRIES(TERN_PLACED)
#undef TERN_PLACED
    th_check(t, placed, "dispatch: every entry fills its slot", "an entry was not placed");
}

TH_SUITE(suite_kernels_simd) {
    tern_cpu cpu;
    tern_cpu_detect(&cpu);
    if (t->verbose) {
        printf("  CPU runs:");
        for (int i = 0; i < TERN_ISA_COUNT; i++)
            if (tern_cpu_has(&cpu, (tern_isa)i)) printf(" %s", tern_isa_name((tern_isa)i));
        printf("\n");
    }
    test_dispatch(t, &cpu);
    run_entries(t, &cpu);
}
