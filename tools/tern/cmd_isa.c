/* tern isa [--list]: the kernel ISA levels this CPU runs (arch/kernels.h),
 * best first marked; --list prints only the names, one per line, for
 * scripts (make test-isas). */
#include <stdio.h>
#include <string.h>

#include "arch/kernels.h"
#include "cli.h"

int cmd_isa(int argc, char **argv) {
    int list = argc > 1 && strcmp(argv[1], "--list") == 0;
    if (argc > 1 + list) return cli_fail("usage: tern isa [--list]");
    tern_cpu cpu;
    tern_cpu_detect(&cpu);
    tern_isa best = tern_isa_best(&cpu);
    for (int i = 0; i < TERN_ISA_COUNT; i++) {
        if (!tern_cpu_has(&cpu, (tern_isa)i)) continue;
        if (list)
            printf("%s\n", tern_isa_name((tern_isa)i));
        else
            printf("%s%s\n", tern_isa_name((tern_isa)i),
                   i == (int)best ? " (default; TERN_ISA=NAME pins another)" : "");
    }
    return 0;
}
