#!/bin/sh
# tern bench kit: run `tern bench` on every model of a folder, for every
# kernel level this CPU runs (tern isa --list) and 1 and 4 threads, and print
# one Markdown table. Made by `make ARCH=aarch64 bench-kit` for a Raspberry
# Pi (any aarch64 Linux): copy the folder over, then
#     ./run-bench.sh [MODELS_DIR]          (default: models/ beside this script)
# Environment: THREADS="1 4", ITERS=50, WARMUP=10, TERN=./tern (a command,
# e.g. "qemu-aarch64 ./tern" to try the kit on another machine).
set -eu
cd "$(dirname "$0")"
dir=${1:-models}
THREADS=${THREADS:-"1 4"}
ITERS=${ITERS:-50}
WARMUP=${WARMUP:-10}
TERN=${TERN:-./tern}

echo "# tern bench kit"
echo
model=/sys/firmware/devicetree/base/model
if [ -r "$model" ]; then machine=$(tr -d '\0' < "$model"); else machine=$(uname -m); fi
echo "- machine: $machine"
echo "- kernel: $(uname -sr); CPUs: $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')"
echo "- kernel levels: $($TERN isa --list | tr '\n' ' ')"
if command -v vcgencmd >/dev/null 2>&1; then
    echo "- $(vcgencmd measure_temp) $(vcgencmd get_throttled)"
fi
echo "- $ITERS runs after $WARMUP warm-up per row; latency in ms"
echo
echo "| model | isa | threads | p50 | p95 | p99 | mean | min |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
found=0
for m in "$dir"/*.onnx; do
    [ -f "$m" ] || continue
    found=1
    name=$(basename "$m" .onnx)
    for isa in $($TERN isa --list); do
        for t in $THREADS; do
            # "latency ms: p50 X  p95 X  p99 X  mean X  min X"
            line=$($TERN bench "$m" --isa "$isa" --threads "$t" --iters "$ITERS" \
                       --warmup "$WARMUP" 2>&1 | grep '^latency ms:' || true)
            if [ -z "$line" ]; then
                echo "| $name | $isa | $t | failed | | | | |"
                continue
            fi
            echo "$line" | awk -v n="$name" -v i="$isa" -v t="$t" \
                '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", n, i, t, $4, $6, $8, $10, $12 }'
        done
    done
done
if [ "$found" = 0 ]; then
    echo "run-bench.sh: no .onnx files in $dir" >&2
    exit 2
fi
