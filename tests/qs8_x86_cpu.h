/* Which x86 ISAs this CPU runs, for the qs8 kernel tests (gcc's
 * __builtin_cpu_supports; the tests are built with gcc). */
#ifndef TERN_TESTS_QS8_X86_CPU_H
#define TERN_TESTS_QS8_X86_CPU_H

enum { QS8_CPU_AVX2, QS8_CPU_AVX512, QS8_CPU_AVXVNNI, QS8_CPU_AVX512VNNI, QS8_CPU_AVX512VBMI };

static inline int qs8_cpu_has(int isa) {
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    int avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                 __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
    switch (isa) {
    case QS8_CPU_AVX2: return avx2;
    case QS8_CPU_AVX512: return avx512;
    case QS8_CPU_AVXVNNI: return avx2 && __builtin_cpu_supports("avxvnni");
    case QS8_CPU_AVX512VNNI: return avx512 && __builtin_cpu_supports("avx512vnni");
    case QS8_CPU_AVX512VBMI: return avx512 && __builtin_cpu_supports("avx512vbmi");
    }
    return 0;
}

#endif
