#!/usr/bin/env python3
"""make bench: tern against ONNX Runtime and TFLite+XNNPACK on every shared model.

The machine is shared and noisy, so engines are interleaved: each round
measures every (model, threads, engine) once, in an order that rotates from
round to round, and the report gives medians over rounds of p50 latencies and
of per-round ratios to ORT FP32 of the same network (both measured in the same
round, seconds apart). Writes bench/results.md and bench/results.svg.

Rows appear by themselves as tern learns to run more:
  - FP32 models (*_fp32, *_arch): tern and ORT;
  - tern's own INT8 of each FP32 model, once `tern quantize` exists (the row
    says so until then);
  - the pre-quantized ONNX models (QDQ, QOperator): tern and ORT (opt. on);
  - the TFLite parents of the INT8 models (../shared/peers/tflite): LiteRT
    with its default XNNPACK delegate.
A model an engine cannot run is reported in its row, never a crash.

Usage: bench/run.py [--tern build/tern] [--shared ../shared] [--rounds 5]
       [--iters 20] [--warmup 5] [--threads 1,2] [--models SUBSTR,...]
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# network -> FP32 model, pre-quantized models, TFLite parent (names without
# .onnx); models found in ../shared/models but not listed become their own
# network (FP32 unless the name says int8/uint8/qdq/qop).
NETWORKS = [
    ("mobilenet_v2", "mobilenet_v2_fp32", ["mobilenet_v2_uint8_qdq", "mobilenet_v2_int8_qop"],
     "mobilenet_v2_1.0_224.uint8.tflite"),
    ("mobilenet_v2_keras", None, ["mobilenet_v2_keras_int8pc_qdq"],
     "atu_mobilenet_v2_1_0_quant.tflite"),
    ("mobilenet_v3_small", "mobilenet_v3_small_fp32",
     ["mobilenet_v3_small_uint8_qdq", "mobilenet_v3_small_int8_qop"],
     "mobilenet_v3_small_1.0_224.uint8.tflite"),
    ("mobilenet_v3_large_min", "mobilenet_v3_large_min_fp32",
     ["mobilenet_v3_large_min_uint8_qdq"], "v3-large-minimalistic_224_1.0_uint8.tflite"),
    ("efficientnet_lite0", "efficientnet_lite0_fp32", [], None),
    ("efficientnet_lite0_arch", "efficientnet_lite0_arch", [], None),
    ("mobilenet_v3_large_arch", "mobilenet_v3_large_arch", [], None),
]


def is_int8_name(name):
    return any(s in name for s in ("int8", "uint8", "qdq", "qop"))


def discover(shared, only):
    """Rows to measure: dicts with network, variant, engine, path."""
    models = os.path.join(shared, "models")
    present = {f[:-5] for f in os.listdir(models) if f.endswith(".onnx")}
    nets = list(NETWORKS)
    listed = {m for n in nets for m in ([n[1]] if n[1] else []) + n[2]}
    for extra in sorted(present - listed):
        nets.append((extra, None, [extra], None) if is_int8_name(extra) else (extra, extra, [], None))
    rows = []
    for net, fp32, int8s, tfl in nets:
        if only and not any(s in net for s in only):
            continue
        if fp32 in present:
            p = os.path.join(models, fp32 + ".onnx")
            rows.append(dict(network=net, variant="FP32", model=fp32, engine="tern", path=p))
            rows.append(dict(network=net, variant="FP32", model=fp32, engine="ORT", path=p))
            rows.append(dict(network=net, variant="tern PTQ INT8", model=fp32 + " (tern quantize)",
                             engine="tern", path=p, ptq=True))
        for q in int8s:
            if q not in present:
                continue
            p = os.path.join(models, q + ".onnx")
            kind = "INT8 QOp" if "qop" in q else "INT8 QDQ"
            rows.append(dict(network=net, variant=kind, model=q, engine="tern", path=p))
            rows.append(dict(network=net, variant=kind, model=q, engine="ORT", path=p))
        if tfl and os.path.exists(os.path.join(shared, "peers", "tflite", tfl)):
            rows.append(dict(network=net, variant="INT8 TFLite", model=tfl, engine="TFLite+XNNPACK",
                             path=os.path.join(shared, "peers", "tflite", tfl)))
    return rows


# ---- engines ----------------------------------------------------------------

def tern_has(tern, command):
    try:
        out = subprocess.run([tern, "--help"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return False
    return ("tern " + command) in out


# the preprocessing each FP32 model was trained with (../shared/models/MODELS.md),
# for tern quantize's calibration images
PRESETS = {"mobilenet_v2_fp32": "tf128", "mobilenet_v3_small_fp32": "tf127",
           "mobilenet_v3_large_min_fp32": "tf127", "efficientnet_lite0_fp32": "effnet-lite",
           "efficientnet_lite0_arch": "torchvision", "mobilenet_v3_large_arch": "torchvision"}


def tern_quantize(tern, path, cache, shared):
    """tern's own INT8 model of an FP32 one (cached), or raise with why not:
    tern quantize on 32 of the shared ImageNet images with the model's preset."""
    out = os.path.join(cache, os.path.basename(path)[:-5] + "_tern_int8.onnx")
    name = os.path.basename(path)[:-5]
    if not os.path.exists(out):
        calib = os.path.join(shared, "data", "imagenet-sample", "images")
        r = subprocess.run([tern, "quantize", path, "--calib", calib, "--count", "32",
                            "--preset", PRESETS.get(name, "none"), "-o", out],
                           capture_output=True, text=True, timeout=3600)
        if r.returncode != 0:
            raise RuntimeError((r.stderr or r.stdout).strip().splitlines()[-1:] or ["failed"])
    return out


def run_tern(tern, path, threads, warmup, iters):
    r = subprocess.run([tern, "bench", path, "--json", "--threads", str(threads), "--warmup",
                        str(warmup), "--iters", str(iters)], capture_output=True, text=True,
                       timeout=1800)
    if r.returncode != 0:
        msg = (r.stderr.strip().splitlines() or ["exit status %d" % r.returncode])[-1]
        raise RuntimeError(msg.replace("tern: ", ""))
    j = json.loads(r.stdout)
    return (j["p50_ms"], j.get("cpu_p50_ms", float("nan"))), j.get("isa", "?")


def ort_input(sess):
    feeds = {}
    for i in sess.get_inputs():
        shape = [d if isinstance(d, int) and d > 0 else 1 for d in i.shape]
        dt = {"tensor(float)": np.float32, "tensor(uint8)": np.uint8,
              "tensor(int8)": np.int8}.get(i.type, np.float32)
        rng = np.random.default_rng(12345)
        feeds[i.name] = (rng.random(shape) * 2 - 1).astype(dt) if dt == np.float32 else \
            rng.integers(0, 255, shape).astype(dt)
    return feeds


class OrtRunner:
    def __init__(self, path, threads):
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        self.feeds = ort_input(self.sess)

    def run(self):
        self.sess.run(None, self.feeds)


class TfliteRunner:
    def __init__(self, path, threads):
        from ai_edge_litert.interpreter import Interpreter
        self.it = Interpreter(model_path=path, num_threads=threads)
        self.it.allocate_tensors()
        rng = np.random.default_rng(12345)
        for d in self.it.get_input_details():
            dt = d["dtype"]
            x = rng.integers(0, 255, d["shape"]).astype(dt) if dt != np.float32 else \
                rng.random(d["shape"]).astype(np.float32)
            self.it.set_tensor(d["index"], x)

    def run(self):
        self.it.invoke()


def time_runner(r, warmup, iters):
    """(p50 wall ms, p50 process CPU ms) over iters runs after warmup."""
    for _ in range(warmup):
        r.run()
    lat, cpu = [], []
    for _ in range(iters):
        c0, t0 = time.process_time(), time.perf_counter()
        r.run()
        lat.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return statistics.median(lat), statistics.median(cpu)


# ---- the run ----------------------------------------------------------------

def measure_round(rows, threads_list, a, runners, cache, rnd):
    """One p50 per (row, threads) in this round: ms, or an error string."""
    res = {}
    order = [(i, t) for i in range(len(rows)) for t in threads_list]
    k = rnd % len(order) if order else 0
    order = order[k:] + order[:k]  # rotate so no engine always goes first
    if rnd % 2:
        order.reverse()
    for i, t in order:
        row = rows[i]
        key = (i, t)
        try:
            # slow rows (tern's INT8 reference kernels take ~0.2 s) get fewer
            # runs, so one measurement stays around two seconds
            last = a.last_ms.get(key)
            iters = max(3, min(a.iters, int(2000 / last))) if last else a.iters
            warmup = min(a.warmup, iters)
            if row["engine"] == "tern":
                path = row["path"]
                if row.get("ptq"):
                    if not a.has_quantize:
                        raise RuntimeError("tern quantize is not on this branch yet")
                    if path in a.quant_fail:  # tried in an earlier round
                        raise RuntimeError(a.quant_fail[path])
                    try:
                        path = tern_quantize(a.tern, path, cache, a.shared)
                    except Exception as e:
                        a.quant_fail[path] = "tern quantize: %s" % e
                        raise RuntimeError(a.quant_fail[path])
                if last is None:  # probe once: a single run tells how slow it is
                    (probe, _), _ = run_tern(a.tern, path, t, 0, 1)
                    a.last_ms[key] = probe
                    iters = max(3, min(a.iters, int(2000 / max(probe, 1e-3))))
                    warmup = min(a.warmup, iters)
                res[key], a.isa = run_tern(a.tern, path, t, warmup, iters)
                a.last_ms[key] = res[key][0]
            else:
                if key not in runners:
                    cls = OrtRunner if row["engine"] == "ORT" else TfliteRunner
                    runners[key] = cls(row["path"], t)
                res[key] = time_runner(runners[key], warmup, iters)
                a.last_ms[key] = res[key][0]
        except Exception as e:  # a model an engine cannot run: reported, not fatal
            msg = str(e).strip().replace("|", "/")
            for d in (os.path.dirname(row["path"]) + "/", os.path.abspath(a.shared) + "/"):
                msg = msg.replace(d, "")  # no paths of this machine in the results
            res[key] = "cannot run: " + msg[:120]
        sys.stderr.write(".")
        sys.stderr.flush()
    return res


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def summarize(rows, threads_list, rounds):
    """Per (row, threads): median p50, median ratio to ORT FP32 (same round),
    the same for CPU time, errors. A measurement is (wall ms, CPU ms)."""
    fp32_ort = {}
    for i, r in enumerate(rows):
        if r["engine"] == "ORT" and r["variant"] == "FP32":
            fp32_ort[r["network"]] = i
    out = []
    for i, r in enumerate(rows):
        for t in threads_list:
            vals = [rd[(i, t)][0] for rd in rounds if isinstance(rd.get((i, t)), tuple)]
            cpus = [rd[(i, t)][1] for rd in rounds if isinstance(rd.get((i, t)), tuple)]
            errs = [rd[(i, t)] for rd in rounds if isinstance(rd.get((i, t)), str)]
            ratios, cratios = [], []
            j = fp32_ort.get(r["network"])
            if j is not None:
                for rd in rounds:
                    a, b = rd.get((i, t)), rd.get((j, t))
                    if isinstance(a, tuple) and isinstance(b, tuple) and b[0] > 0 and b[1] > 0:
                        ratios.append(a[0] / b[0])
                        cratios.append(a[1] / b[1])
            out.append(dict(row=r, threads=t, p50=statistics.median(vals) if vals else None,
                            best=min(vals) if vals else None,
                            cpu=statistics.median(cpus) if cpus else None,
                            ratio=statistics.median(ratios) if ratios else None,
                            cratio=statistics.median(cratios) if cratios else None,
                            error=errs[0] if errs and not vals else None, n=len(vals)))
    return out


def write_md(path, summary, a, meta):
    L = []
    L.append("# tern benchmark results\n")
    L.append("Made by `make bench` (bench/run.py) on %s." % meta["date"])
    L.append("")
    L.append("- CPU: %s, %d logical CPUs; tern kernels: `%s`" % (meta["cpu"], meta["ncpu"], meta["isa"]))
    L.append("- load average before / after: %s / %s (the machine is shared: engines are "
             "interleaved in rounds)" % (meta["load0"], meta["load1"]))
    L.append("- %d rounds; each measurement: %d warm-up runs, then the median of %d runs "
             "(fewer, down to 3, for rows slower than 100 ms) "
             "(batch 1, 224x224); table: median over rounds; ratio: median over rounds of "
             "latency / ORT FP32 latency of the same network in the same round "
             "(< 1 is faster than ORT FP32)" % (a.rounds, a.warmup, a.iters))
    L.append("- ORT %s (graph optimizations on, sequential, intra-op threads = threads); "
             "TFLite: LiteRT %s with its default XNNPACK delegate" % (meta["ort"], meta["litert"]))
    L.append("")
    L.append("- CPU ms: the process's CPU time per run (all threads), median; on a busy machine "
             "it leaves out the time other processes ran, so its ratio is the steadier one")
    L.append("")
    L.append("| network | variant | engine | threads | p50 ms | fastest round ms | ratio to ORT FP32 "
             "| CPU ms | CPU ratio |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for s in summary:
        r = s["row"]
        if s["p50"] is None:
            cell = s["error"] or "not measured"
            L.append("| %s | %s | %s | %d | %s | | | | |" % (r["network"], r["variant"],
                                                           r["engine"], s["threads"], cell))
            continue
        L.append("| %s | %s | %s | %d | %.2f | %.2f | %s | %.2f | %s |" % (
            r["network"], r["variant"], r["engine"], s["threads"], s["p50"], s["best"],
            "%.2f" % s["ratio"] if s["ratio"] is not None else "—", s["cpu"],
            "%.2f" % s["cratio"] if s["cratio"] is not None else "—"))
    L.append("")
    L.append("![latency per model and engine](results.svg)")
    L.append("")
    L.append("Reproduce: `bench/setup.sh` (once: bench/.venv with onnxruntime and ai-edge-litert "
             "from PyPI), then `make bench` (options: `BENCH_ARGS=\"--rounds 9 --models v3\"`).")
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def write_svg(path, summary):
    """Grouped horizontal bars: 1-thread p50 per network, one bar per (variant, engine)."""
    data = [s for s in summary if s["threads"] == min(x["threads"] for x in summary) and s["p50"]]
    if not data:
        return
    colors = {"tern": "#1b7837", "ORT": "#2166ac", "TFLite+XNNPACK": "#b2182b"}
    bar, gap, left, width = 14, 10, 330, 420
    # the scale ends at 3x the median so that a far slower row (the INT8
    # reference kernels) does not squash the rest; longer bars are cut (>>)
    vmax = min(max(s["p50"] for s in data), 3 * statistics.median(s["p50"] for s in data))
    y = 30
    parts = []
    last_net = None
    for s in data:
        r = s["row"]
        if r["network"] != last_net:
            y += gap
            parts.append('<text x="4" y="%d" font-weight="bold">%s</text>' % (y + 10, r["network"]))
            y += 16
            last_net = r["network"]
        cut = s["p50"] > vmax
        w = max(1, int(width * min(s["p50"], vmax) / vmax))
        parts.append('<text x="14" y="%d">%s, %s</text>' % (y + 11, r["variant"], r["engine"]))
        parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>' % (
            left, y, w, bar - 2, colors.get(r["engine"], "#777")))
        parts.append('<text x="%d" y="%d">%s%.1f ms</text>' % (left + w + 4, y + 11,
                                                              ">> " if cut else "", s["p50"]))
        y += bar
    h = y + 20
    svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="11">' % (left + width + 80, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="4" y="16" font-size="13">p50 latency, 1 thread, batch 1 (shorter is faster)</text>']
    svg += parts + ["</svg>"]
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tern", default=os.path.join(HERE, "..", "build", "tern"))
    ap.add_argument("--shared", default=os.environ.get("TERN_SHARED",
                                                       os.path.join(HERE, "..", "..", "shared")))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--models", default="", help="only networks containing one of these")
    ap.add_argument("--out", default=HERE)
    a = ap.parse_args()
    if not os.path.isdir(os.path.join(a.shared, "models")):
        sys.exit("bench: %s/models not found (set --shared or TERN_SHARED)" % a.shared)
    threads_list = [int(t) for t in a.threads.split(",") if t]
    rows = discover(a.shared, [s for s in a.models.split(",") if s])
    a.has_quantize = tern_has(a.tern, "quantize")
    a.quant_fail = {}
    a.last_ms = {}
    a.isa = "?"
    import onnxruntime
    try:
        import ai_edge_litert
        litert = getattr(ai_edge_litert, "__version__", "?")
    except ImportError:
        litert = "missing"
    meta = dict(date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                cpu=cpu_model(), ncpu=os.cpu_count() or 0, ort=onnxruntime.__version__,
                litert=litert, load0="%.2f" % os.getloadavg()[0])
    runners = {}
    rounds = []
    with tempfile.TemporaryDirectory() as cache:
        for rnd in range(a.rounds):
            sys.stderr.write("round %d/%d " % (rnd + 1, a.rounds))
            rounds.append(measure_round(rows, threads_list, a, runners, cache, rnd))
            sys.stderr.write("\n")
    meta["load1"] = "%.2f" % os.getloadavg()[0]
    meta["isa"] = a.isa
    summary = summarize(rows, threads_list, rounds)
    write_md(os.path.join(a.out, "results.md"), summary, a, meta)
    write_svg(os.path.join(a.out, "results.svg"), summary)
    with open(os.path.join(a.out, "results.md")) as f:
        sys.stdout.write(f.read())


if __name__ == "__main__":
    main()
