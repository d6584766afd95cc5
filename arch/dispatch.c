/* The dispatch table: ISA chains, names and the pure function that fills a
 * table for one ISA from TERN_KERNEL_ENTRIES (arch/kernels.h). */
#include <string.h>

#include "arch/kernels.h"

/* The level each level builds on (REF is the root). */
static tern_isa isa_parent(tern_isa isa) {
    switch (isa) {
    case TERN_ISA_AVX2: return TERN_ISA_REF;
    case TERN_ISA_AVX512: return TERN_ISA_AVX2;
    case TERN_ISA_AVX512VNNI: return TERN_ISA_AVX512;
    case TERN_ISA_AVXVNNI: return TERN_ISA_AVX2;
    case TERN_ISA_AMX: return TERN_ISA_AVX512VNNI;
    case TERN_ISA_NEON: return TERN_ISA_REF;
    case TERN_ISA_NEONDOT: return TERN_ISA_NEON;
    case TERN_ISA_NEONI8MM: return TERN_ISA_NEONDOT;
    default: return TERN_ISA_REF;
    }
}

int tern_isa_includes(tern_isa isa, tern_isa level) {
    for (;;) {
        if (isa == level) return 1;
        if (isa == TERN_ISA_REF) return 0;
        isa = isa_parent(isa);
    }
}

static const char *const ISA_NAMES[TERN_ISA_COUNT] = {
    "ref", "avx2", "avx512", "avx512vnni", "avxvnni", "amx", "neon", "neondot", "neoni8mm"};

const char *tern_isa_name(tern_isa isa) {
    return isa >= 0 && isa < TERN_ISA_COUNT ? ISA_NAMES[isa] : "?";
}

int tern_isa_parse(const char *name, tern_isa *isa) {
    for (int i = 0; name && i < TERN_ISA_COUNT; i++)
        if (strcmp(name, ISA_NAMES[i]) == 0) {
            *isa = (tern_isa)i;
            return 0;
        }
    return -1;
}

int tern_cpu_has(const tern_cpu *cpu, tern_isa isa) {
    return isa == TERN_ISA_REF || (isa > 0 && isa < TERN_ISA_COUNT && (cpu->isas >> isa) & 1u);
}

tern_isa tern_isa_best(const tern_cpu *cpu) {
    /* most capable first; AVX-512 before AVX-VNNI: wider FP32, and CPUs
     * with both have AVX512-VNNI, which comes earlier still */
    static const tern_isa order[] = {TERN_ISA_AMX,      TERN_ISA_AVX512VNNI, TERN_ISA_AVX512,
                                     TERN_ISA_AVXVNNI,  TERN_ISA_AVX2,       TERN_ISA_NEONI8MM,
                                     TERN_ISA_NEONDOT,  TERN_ISA_NEON};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (tern_cpu_has(cpu, order[i])) return order[i];
    return TERN_ISA_REF;
}

void tern_kernels_fill(tern_isa isa, tern_kernels *k) {
    memset(k, 0, sizeof *k);
    k->isa = isa;
    /* entries are listed parents first, so a deeper level overrides */
#define TERN_FILL_ENTRY(slot, level, desc) \
    if (tern_isa_includes(isa, TERN_ISA_##level)) k->slot = &desc;
    TERN_KERNEL_ENTRIES(TERN_FILL_ENTRY)
#undef TERN_FILL_ENTRY
}
