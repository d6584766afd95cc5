#!/usr/bin/env python3
"""Export torchvision CNNs to ONNX and check tern against ONNX Runtime.

Not part of `make test` (it needs torch, torchvision, onnxruntime and minutes
of CPU); run it by hand when touching ops or passes:

    python3 tools/check_torchvision.py --tern build/tern --out /tmp/tv [--models resnet18,...]

Weights are random (seeded; nothing is downloaded), BatchNorm statistics are
made non-trivial so that folding bugs show, and every model is exported with
a dynamic batch, once with torch's constant folding and BN kept as nodes
(TrainingMode.PRESERVE) and once folded by torch. The check is the one the
test suite uses for the shared models: max |tern - ort| <= 1e-4 * max|ort| +
1e-5 and the same top-1 for every row (ORT with graph optimizations off).
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import torch
import torchvision

MODELS = ["resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large",
          "efficientnet_b0", "squeezenet1_1", "shufflenet_v2_x1_0", "googlenet", "densenet121",
          "mnasnet1_0", "regnet_y_400mf", "alexnet", "vgg11_bn", "inception_v3", "convnext_tiny"]


def build(name):
    torch.manual_seed(0)
    kwargs = {"weights": None}
    if name in ("googlenet", "inception_v3"):
        kwargs.update(aux_logits=False, init_weights=True)
    m = getattr(torchvision.models, name)(**kwargs)
    g = torch.Generator().manual_seed(1)
    for mod in m.modules():  # non-trivial BN statistics
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.copy_(torch.randn(mod.num_features, generator=g) * 0.1)
            mod.running_var.copy_(torch.rand(mod.num_features, generator=g) + 0.5)
    return m.eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tern", default="build/tern")
    ap.add_argument("--out", default="/tmp/tern_torchvision")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--opset", type=int, default=13)
    args = ap.parse_args()
    import onnxruntime as ort

    os.makedirs(args.out, exist_ok=True)
    failures = 0
    for name in args.models.split(","):
        size = 299 if name == "inception_v3" else 224
        x = np.random.default_rng(0).standard_normal((2, 3, size, size)).astype(np.float32)
        np.save(os.path.join(args.out, "x.npy"), x)
        for mode in ("bn-nodes", "torch-folded"):
            path = os.path.join(args.out, f"{name}_{mode}.onnx")
            m = build(name)
            with torch.no_grad():
                torch.onnx.export(
                    m, torch.from_numpy(x), path, opset_version=args.opset,
                    input_names=["input"], output_names=["logits"],
                    dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                    training=(torch.onnx.TrainingMode.PRESERVE if mode == "bn-nodes"
                              else torch.onnx.TrainingMode.EVAL),
                    do_constant_folding=True)
            so = ort.SessionOptions()
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
            ref = ort.InferenceSession(path, so).run(None, {"input": x})[0]
            out = os.path.join(args.out, "y.npy")
            r = subprocess.run([args.tern, "run", path, "--input", os.path.join(args.out, "x.npy"),
                                "--output", out], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL {name} {mode}: {r.stderr.strip()}")
                failures += 1
                continue
            y = np.load(out)
            diff = float(np.abs(y - ref).max())
            tol = 1e-4 * float(np.abs(ref).max()) + 1e-5
            same = bool((y.argmax(1) == ref.argmax(1)).all())
            ok = diff <= tol and same
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {name:20s} {mode:13s} max diff {diff:.2e} "
                  f"(tol {tol:.2e}) top-1 {'same' if same else 'DIFFERS'}", flush=True)
            os.remove(path)
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
