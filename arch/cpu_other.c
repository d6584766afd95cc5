/* CPU detection on architectures without SIMD kernels: the reference only. */
#if !defined(__x86_64__) && !defined(_M_X64) && !defined(__aarch64__)
#include "arch/kernels.h"

void tern_cpu_detect(tern_cpu *cpu) {
    cpu->isas = 1u << TERN_ISA_REF;
}
#else
typedef int tern_cpu_other_unused; /* ISO C forbids an empty translation unit */
#endif
