/* x86 CPU detection: cpuid says what the core implements, xgetbv (XCR0)
 * what the OS saves on a context switch; an ISA counts only with both. AMX
 * tile data additionally needs Linux's per-process permission
 * (arch_prctl(ARCH_REQ_XCOMP_PERM)), asked for here; without it the first
 * tile instruction would kill the process. */
#define _GNU_SOURCE /* syscall() */
#include <cpuid.h>
#include <stdint.h>

#include "arch/kernels.h"

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define XCR0_SSE_AVX 0x6u        /* XMM and YMM state */
#define XCR0_AVX512 0xe0u        /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XCR0_AMX (3u << 17)      /* XTILECFG, XTILEDATA */
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

typedef struct {
    unsigned l1_ecx, l7_ebx, l7_ecx, l7_edx, l7s1_eax;
} cpuid_bits;

static void read_cpuid(cpuid_bits *b) {
    unsigned a, bx, c, d, max = __get_cpuid_max(0, 0);
    *b = (cpuid_bits){0};
    if (max >= 1 && __get_cpuid(1, &a, &bx, &c, &d)) b->l1_ecx = c;
    if (max >= 7) {
        __cpuid_count(7, 0, a, bx, c, d);
        b->l7_ebx = bx;
        b->l7_ecx = c;
        b->l7_edx = d;
        __cpuid_count(7, 1, a, bx, c, d);
        b->l7s1_eax = a;
    }
}

static int amx_permitted(void) {
#if defined(__linux__) && defined(SYS_arch_prctl)
    return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
#else
    return 0;
#endif
}

#define BIT(v, n) (((v) >> (n)) & 1u)

void tern_cpu_detect(tern_cpu *cpu) {
    cpuid_bits b;
    read_cpuid(&b);
    cpu->isas = 1u << TERN_ISA_REF;
    int osxsave = BIT(b.l1_ecx, 27);
    uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    int avx2 = osxsave && (xcr0 & XCR0_SSE_AVX) == XCR0_SSE_AVX && BIT(b.l1_ecx, 28) &&
               BIT(b.l1_ecx, 12) && BIT(b.l7_ebx, 5);
    if (!avx2) return;
    cpu->isas |= 1u << TERN_ISA_AVX2;
    if (BIT(b.l7s1_eax, 4)) cpu->isas |= 1u << TERN_ISA_AVXVNNI;
    int avx512 = (xcr0 & XCR0_AVX512) == XCR0_AVX512 && BIT(b.l7_ebx, 16) && BIT(b.l7_ebx, 17) &&
                 BIT(b.l7_ebx, 30) && BIT(b.l7_ebx, 31);
    if (!avx512) return;
    cpu->isas |= 1u << TERN_ISA_AVX512;
    if (!BIT(b.l7_ecx, 11)) return;
    cpu->isas |= 1u << TERN_ISA_AVX512VNNI;
    if (BIT(b.l7_edx, 24) && BIT(b.l7_edx, 25) && (xcr0 & XCR0_AMX) == XCR0_AMX && amx_permitted())
        cpu->isas |= 1u << TERN_ISA_AMX;
}
