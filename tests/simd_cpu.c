/* CPU features for the kernel tests; see simd_cpu.h. */
#include "tests/simd_cpu.h"

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1 << 13)
#endif
#endif

int test_cpu_has(int isa) {
    switch (isa) {
    case TEST_ISA_NONE: return 1;
#if defined(__aarch64__) && defined(__linux__)
    case TEST_ISA_NEON: return 1;
    case TEST_ISA_NEONDOT: return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
    case TEST_ISA_NEONI8MM: return (getauxval(AT_HWCAP2) & HWCAP2_I8MM) != 0;
#endif
    default: return 0;
    }
}
