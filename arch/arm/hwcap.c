/* aarch64 CPU detection: Linux reports the features through the auxiliary
 * vector (AT_HWCAP: asimd, asimddp; AT_HWCAP2: i8mm). Elsewhere only the
 * baseline NEON that every aarch64 core has. */
#include "arch/kernels.h"

#if defined(__linux__)
#include <sys/auxv.h>
#endif

/* the kernel's bit numbers (asm/hwcap.h), under our own names */
#define TERN_HWCAP_ASIMD (1ul << 1)
#define TERN_HWCAP_ASIMDDP (1ul << 20)
#define TERN_HWCAP2_I8MM (1ul << 13)

void tern_cpu_detect(tern_cpu *cpu) {
    cpu->isas = 1u << TERN_ISA_REF;
#if defined(__linux__)
    unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
#else
    unsigned long hw = TERN_HWCAP_ASIMD, hw2 = 0;
#endif
    if (!(hw & TERN_HWCAP_ASIMD)) return;
    cpu->isas |= 1u << TERN_ISA_NEON;
    if (!(hw & TERN_HWCAP_ASIMDDP)) return;
    cpu->isas |= 1u << TERN_ISA_NEONDOT;
    if (hw2 & TERN_HWCAP2_I8MM) cpu->isas |= 1u << TERN_ISA_NEONI8MM;
}
