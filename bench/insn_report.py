#!/usr/bin/env python3
"""Instructions per inference, per layer and per model, for the reference
kernels and each Arm ISA level side by side (`make bench ARCH=aarch64`).

qemu gives no timing, so the proxy is the number of guest instructions one
inference executes: bench_insn (built for aarch64) runs the model once
under `qemu-aarch64 -cpu max -d in_asm,exec,nochain`, and insn_count (built
for the host) sums the instructions of every executed translation block
between two marks, split per node (bench/insn_count.c says how). Counts
are deterministic: the same binary and model give the same numbers.

Tracing costs about 0.2 us per executed block on the host, so the
reference kernels (one block per multiply-add in their inner loops) take
minutes per model; --isas picks the levels and --models the files.
Writes a Markdown report (--out) and prints it."""
import argparse
import os
import subprocess
import sys
import tempfile
import time


def symbol_addr(nm, binary, name):
    out = subprocess.run([nm, binary], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return parts[0]
    sys.exit(f"insn_report: {name} not found in {binary}")


def count(args, model, isa, mark, clock):
    """(nodes [(name, op, macs, simd)], counts {index: n}, total, seconds)"""
    with tempfile.TemporaryDirectory() as d:
        fifo = os.path.join(d, "trace")
        os.mkfifo(fifo)
        t0 = time.time()
        # the counter opens the FIFO through a shell redirect, which blocks
        # until qemu opens it for writing
        counter = subprocess.Popen(f'exec "{args.counter}" {mark} {clock} < "{fifo}"', shell=True,
                                   stdout=subprocess.PIPE, text=True)
        prog = subprocess.run(args.qemu.split() + ["-d", "in_asm,exec,nochain", "-D", fifo,
                                                   args.bin, model, isa],
                              capture_output=True, text=True)
        out, _ = counter.communicate()
        secs = time.time() - t0
    nodes, counts, total = [], {}, None
    for line in prog.stdout.splitlines():
        if line.startswith("node "):
            f = line.split("\t")
            nodes.append((f[1], f[2], int(f[3]), f[4]))
    for line in out.splitlines():
        f = line.split()
        if f[0] == "node":
            counts[int(f[1])] = int(f[2])
        elif f[0] == "total":
            total = int(f[1])
    if total is None or not nodes:
        sys.exit(f"insn_report: {model} [{isa}] failed: {prog.stderr.strip()[:300]}")
    return nodes, counts, total, secs


def mi(n):
    return f"{n / 1e6:.1f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="aarch64 bench_insn")
    ap.add_argument("--counter", required=True, help="host insn_count")
    ap.add_argument("--nm", default="aarch64-linux-gnu-nm")
    ap.add_argument("--qemu", default="qemu-aarch64 -cpu max")
    ap.add_argument("--isas", default="ref,neon,neondot")
    ap.add_argument("--out", default="bench/insn_results.md")
    ap.add_argument("--layers", type=int, default=12, help="heaviest layers shown per model")
    ap.add_argument("models", nargs="+")
    args = ap.parse_args()
    mark = symbol_addr(args.nm, args.bin, "bench_insn_mark")
    clock = symbol_addr(args.nm, args.bin, "clock_gettime")
    isas = args.isas.split(",")
    lines = ["# Instructions per inference (qemu-aarch64 trace, 1 thread)", "",
             f"`{args.qemu}`, levels pinned with the session's isa; millions of guest "
             "instructions executed by one inference (bench/insn_report.py).", ""]
    summary = ["| model | " + " | ".join(isas) + " | " +
               " | ".join(f"ref/{i}" for i in isas if i != "ref") + " |",
               "|---|" + "---:|" * (2 * len(isas) - (1 if "ref" in isas else 0))]
    details = []
    for model in args.models:
        name = os.path.basename(model).removesuffix(".onnx")
        res = {}
        for isa in isas:
            res[isa] = count(args, model, isa, mark, clock)
            print(f"{name} [{isa}]: {mi(res[isa][2])} M instructions "
                  f"(traced in {res[isa][3]:.0f} s)", file=sys.stderr)
        tot = {i: res[i][2] for i in isas}
        ratios = [f"{tot['ref'] / tot[i]:.1f}x" for i in isas if i != "ref" and "ref" in tot]
        summary.append(f"| {name} | " + " | ".join(mi(tot[i]) for i in isas) + " | " +
                       " | ".join(ratios) + " |")
        nodes = res[isas[0]][0]
        order = sorted(range(len(nodes)), key=lambda k: -res[isas[0]][1].get(k, 0))
        details += ["", f"## {name}", "",
                    "| # | node | op | " + " | ".join(isas) + " | kernel (last level) |",
                    "|---:|---|---|" + "---:|" * len(isas) + "---|"]
        for k in sorted(order[: args.layers]):
            n = nodes[k]
            details.append(f"| {k} | {n[0][:48]} | {n[1]} | " +
                           " | ".join(mi(res[i][1].get(k, 0)) for i in isas) +
                           f" | {res[isas[-1]][0][k][3]} |")
        rest = [k for k in range(len(nodes)) if k not in order[: args.layers]]
        ops = {}
        for k, n in enumerate(nodes):
            key = n[1] + (" (depthwise)" if "depthwise" in n[0] else "")
            ops.setdefault(key, []).append(k)
        op_rows = ["", f"By op ({name}):", "", "| op | nodes | " + " | ".join(isas) + " |",
                   "|---|---:|" + "---:|" * len(isas)]
        for key, ks in sorted(ops.items(), key=lambda kv: -sum(res[isas[0]][1].get(k, 0)
                                                               for k in kv[1])):
            op_rows.append(f"| {key} | {len(ks)} | " +
                           " | ".join(mi(sum(res[i][1].get(k, 0) for k in ks)) for i in isas) + " |")
        details.append(f"| | {len(rest)} other nodes | | " +
                       " | ".join(mi(sum(res[i][1].get(k, 0) for k in rest)) for i in isas) +
                       " | |")
        details += op_rows
    text = "\n".join(lines + summary + details) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
