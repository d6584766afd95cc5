/* Which SIMD kernels this CPU can run, for the kernel tests (a kernel whose
 * ISA is missing reports skipped). */
#ifndef TERN_TESTS_SIMD_CPU_H
#define TERN_TESTS_SIMD_CPU_H

enum { TEST_ISA_NONE, TEST_ISA_NEON, TEST_ISA_NEONDOT, TEST_ISA_NEONI8MM };

int test_cpu_has(int isa);

#endif
