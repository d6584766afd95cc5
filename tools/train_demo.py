#!/usr/bin/env python3
"""Train tern's demo model: a tiny MobileNet-style CNN on scikit-learn's 8x8 digits.

Writes (relative to the repo root, whatever the current directory):
  tools/demo/digits.onnx               the model (opset 13, input `input` [N,1,8,8] float32,
                                       output `logits` [N,10]); BatchNormalization nodes kept
  tools/demo/digits_test.npy           uint8 [360,8,8], raw pixels 0..16 (the test split)
  tools/demo/digits_test_labels.npy    int64 [360]
  tools/demo/digits_calib.npy          uint8 [200,8,8], the first 200 training images (INT8 calibration)
  tools/demo/digit_<i>_<label>.pgm     a few test images for `tern run` (0..16 -> 0..255)
  tools/demo/labels.txt                class names, one a line, for `tern run --labels`

Input mapping: the model takes x = pixel / 16 (float32, 0..1), NCHW, one channel.
A PGM sample holds round(pixel * 255 / 16), so x = pgm_value / 255.

Needs torch, scikit-learn, onnx and numpy. If onnxruntime is importable the export is
checked against torch (max abs diff); otherwise pass --ort-python PATH, a python that has
onnxruntime, and the check runs there. Usage:
  python3 tools/train_demo.py [--ort-python /path/to/venv/bin/python]
"""
import argparse
import os
import random
import subprocess
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tools", "demo")
N_TEST = 360  # the last 360 images are the test set
N_CALIB = 200  # the first 200 training images calibrate the INT8 demo model
SEED = 1234
EPOCHS = 60


def conv_bn(cin, cout, k, stride=1, groups=1):
    """Conv without bias followed by BatchNorm, as MobileNets do."""
    return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout)]


class SqueezeExcite(nn.Module):
    """GAP -> 1x1 conv -> ReLU -> 1x1 conv -> Hardsigmoid -> Mul (MobileNetV3's SE)."""

    def __init__(self, c, squeeze):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(c, squeeze, 1)
        self.relu = nn.ReLU()
        self.fc2 = nn.Conv2d(squeeze, c, 1)
        self.gate = nn.Hardsigmoid()

    def forward(self, x):
        return x * self.gate(self.fc2(self.relu(self.fc1(self.pool(x)))))


class DSBlock(nn.Module):
    """Depthwise 3x3 + BN + act, optional SE, pointwise 1x1 + BN, residual when shapes match."""

    def __init__(self, cin, cout, stride, act, se=False):
        super().__init__()
        self.dw = nn.Sequential(*conv_bn(cin, cin, 3, stride, groups=cin), act())
        self.se = SqueezeExcite(cin, cin // 2) if se else nn.Identity()
        self.pw = nn.Sequential(*conv_bn(cin, cout, 1))
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.pw(self.se(self.dw(x)))
        return x + y if self.residual else y


class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn(1, 16, 3), nn.ReLU6())
        self.blocks = nn.Sequential(
            DSBlock(16, 16, 1, nn.ReLU6),                 # 8x8, residual Add
            DSBlock(16, 32, 2, nn.Hardswish, se=True),    # 4x4, squeeze-excite
            DSBlock(32, 32, 1, nn.Hardswish),             # 4x4, residual Add
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.blocks(self.stem(x)))))


def seed_everything():
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)  # same float summation order on every run
    torch.use_deterministic_algorithms(True)


def load_split():
    d = load_digits()
    images = d.images.astype(np.uint8)  # 0..16
    labels = d.target.astype(np.int64)
    return (images[:-N_TEST], labels[:-N_TEST]), (images[-N_TEST:], labels[-N_TEST:])


def to_input(images_u8):
    """uint8 [N,8,8] 0..16 -> float32 [N,1,8,8] 0..1: the model's input mapping."""
    return torch.from_numpy(images_u8.astype(np.float32) / 16.0).unsqueeze(1)


def train(model, x, y):
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    gen = torch.Generator().manual_seed(SEED)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), 64):
            idx = perm[i:i + 64]
            xb = x[idx]
            # light augmentation: shift by up to one pixel, so the model does not
            # memorise the exact position of each stroke
            dx, dy = torch.randint(-1, 2, (2,), generator=gen).tolist()
            xb = torch.roll(xb, shifts=(dy, dx), dims=(2, 3))
            opt.zero_grad()
            loss = loss_fn(model(xb), y[idx])
            loss.backward()
            opt.step()
        sched.step()
        if (epoch + 1) % 10 == 0:
            print(f"epoch {epoch + 1:3d}  loss {loss.item():.4f}")


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def export(model, path):
    model.eval()
    dummy = torch.zeros(1, 1, 8, 8)
    # PRESERVE on an eval() model keeps BatchNormalization nodes (inference form);
    # torch warns about constant folding with PRESERVE, which only matters in training mode
    warnings.filterwarnings("ignore", message="It is recommended that constant folding")
    torch.onnx.export(model, dummy, path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=True)


def write_pgm(path, img_u8):
    """Binary PGM (P5), 8x8, maxval 255: pixel 0..16 scaled to 0..255."""
    px = np.round(img_u8.astype(np.float64) * 255.0 / 16.0).astype(np.uint8)
    with open(path, "wb") as f:
        f.write(b"P5\n8 8\n255\n" + px.tobytes())


ORT_CHECK = r"""
import sys, numpy as np, onnxruntime as ort
model, xpath, refpath = sys.argv[1:4]
s = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
out = s.run(None, {"input": np.load(xpath)})[0]
ref = np.load(refpath)
print(f"onnxruntime vs torch: max abs diff {np.abs(out - ref).max():.3g}")
print(f"onnxruntime accuracy: {(out.argmax(1) == np.load(sys.argv[4])).mean() * 100:.1f}%")
"""


def check_with_ort(ort_python, onnx_path, x, ref, labels):
    """Run the exported model in onnxruntime (here or in another python)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        files = [os.path.join(tmp, n) for n in ("x.npy", "ref.npy", "y.npy")]
        np.save(files[0], x)
        np.save(files[1], ref)
        np.save(files[2], labels)
        py = ort_python or sys.executable
        subprocess.run([py, "-c", ORT_CHECK, onnx_path] + files, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ort-python", help="a python with onnxruntime, to check the export")
    args = ap.parse_args()
    seed_everything()
    (tr_img, tr_lab), (te_img, te_lab) = load_split()
    x_tr, y_tr = to_input(tr_img), torch.from_numpy(tr_lab)
    x_te, y_te = to_input(te_img), torch.from_numpy(te_lab)

    model = DigitsNet()
    print(f"parameters: {sum(p.numel() for p in model.parameters())}")
    train(model, x_tr, y_tr)
    acc = accuracy(model, x_te, y_te)
    print(f"torch test accuracy: {acc * 100:.1f}% ({round(acc * N_TEST)}/{N_TEST})")

    os.makedirs(OUT, exist_ok=True)
    onnx_path = os.path.join(OUT, "digits.onnx")
    export(model, onnx_path)
    import onnx
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    print(f"wrote {onnx_path}: {os.path.getsize(onnx_path)} bytes, ops {ops}")

    np.save(os.path.join(OUT, "digits_test.npy"), te_img)
    np.save(os.path.join(OUT, "digits_test_labels.npy"), te_lab)
    # calibration images for the demo's INT8 model: training digits, never test ones
    np.save(os.path.join(OUT, "digits_calib.npy"), tr_img[:N_CALIB])
    with open(os.path.join(OUT, "labels.txt"), "w") as f:  # class names for `tern run --labels`
        f.write("zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n")
    for i in (0, 1, 2, 3):
        write_pgm(os.path.join(OUT, f"digit_{i}_{te_lab[i]}.pgm"), te_img[i])

    with torch.no_grad():
        ref = model(x_te).numpy()
    try:
        import onnxruntime  # noqa: F401
        check_with_ort(None, onnx_path, x_te.numpy(), ref, te_lab)
    except ImportError:
        if args.ort_python:
            check_with_ort(args.ort_python, onnx_path, x_te.numpy(), ref, te_lab)
        else:
            print("onnxruntime not importable: pass --ort-python to check the export")


if __name__ == "__main__":
    main()
