/* Counts guest instructions from qemu-user's TB trace (host tool for
 * `make bench ARCH=aarch64`; see bench/insn_report.py). Debian's qemu-user
 * 7.2 is built with TCG plugin support, but Debian ships no qemu-plugin.h
 * to build an instruction-counting plugin against, so the count comes from
 * the debug log instead: qemu -d in_asm,exec,nochain prints every
 * translated block once (its guest instructions, after "IN:") and a
 * "Trace" line each time a block is executed (nochain: every execution,
 * none hidden by block chaining). Instructions executed = sum over
 * executed blocks of their instruction counts. A block left early by an
 * exception (a page fault, a syscall) is counted whole: a handful per run.
 *
 * Usage: insn_count MARK_ADDR CLOCK_ADDR < trace
 * Counts the blocks executed from the first entry of MARK_ADDR to the
 * second, and within it splits at each entry of CLOCK_ADDR (two per node:
 * before and after its run); prints "node I N" lines and "total N", then
 * exits without reading further (qemu then dies of SIGPIPE instead of
 * tracing the program's teardown). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_BITS 22

typedef struct tb_entry {
    uint64_t pc;
    uint32_t insns;
} tb_entry;

static tb_entry *table;

static tb_entry *slot(uint64_t pc) {
    uint64_t h = (pc * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - TABLE_BITS);
    while (table[h].pc && table[h].pc != pc) h = (h + 1) & ((UINT64_C(1) << TABLE_BITS) - 1);
    return &table[h];
}

/* "Trace 0: 0xHOST [aaaaaaaa/PC/flags/cflags] sym": the guest PC. */
static int trace_pc(const char *line, uint64_t *pc) {
    const char *p = strchr(line, '[');
    if (!p || !(p = strchr(p, '/'))) return 0;
    *pc = strtoull(p + 1, NULL, 16);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: insn_count MARK_ADDR CLOCK_ADDR < qemu-trace\n");
        return 2;
    }
    uint64_t mark = strtoull(argv[1], NULL, 16), clock = strtoull(argv[2], NULL, 16);
    table = calloc((size_t)1 << TABLE_BITS, sizeof *table);
    static char line[4096];
    uint64_t cur_tb = 0, total = 0, node = 0, all = 0;
    int in_block = 0, marks = 0, clocks = 0;
    while (fgets(line, sizeof line, stdin)) {
        if (!strncmp(line, "IN:", 3)) {
            in_block = 1, cur_tb = 0;
            continue;
        }
        if (in_block && !strncmp(line, "0x", 2)) {
            uint64_t pc = strtoull(line, NULL, 16);
            if (!cur_tb) {
                cur_tb = pc;
                slot(pc)->pc = pc, slot(pc)->insns = 0;
            }
            slot(cur_tb)->insns++;
            continue;
        }
        in_block = 0;
        uint64_t pc;
        if (strncmp(line, "Trace", 5) || !trace_pc(line, &pc)) continue;
        uint32_t n = slot(pc)->insns;
        all += n;
        if (pc == mark && ++marks == 2) break;
        if (marks != 1) continue;
        total += n;
        if (pc == clock) {
            if (clocks % 2 == 1) printf("node %d %llu\n", clocks / 2, (unsigned long long)node);
            clocks++, node = 0;
        } else {
            node += n;
        }
    }
    printf("total %llu\n", (unsigned long long)total);
    printf("until_end %llu\n", (unsigned long long)all);
    fflush(stdout);
    return marks == 2 ? 0 : 1;
}
