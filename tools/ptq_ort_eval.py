#!/usr/bin/env python3
"""ONNX Runtime on a QDQ model written by `tern quantize`: top-1/top-5 over a
labelled image set with graph optimizations off (Q/DQ run as float ops: the
float simulation of the QDQ model) and on (ORT fuses DQ->op->Q into its
integer kernels where it has them), and top-1 agreement with tern's INT8
predictions (`tern eval ... --int8 Q.onnx --predictions P.csv`).

Usage: ptq_ort_eval.py Q.onnx --preset tf128|tf127|effnet-lite
         --data ../shared/data/imagenet-sample [--count N] [--tern P.csv]
Preprocessing is Pillow's, as ../shared/tools/preprocess_tf.py (tf presets)
and models/EFFICIENTNET_LITE0.md (effnet-lite) describe; tern's presets are
bit-exact with these (suite_image_api).
"""
import argparse
import csv
import os
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image


def tf_pixels(path, size=224, frac=0.875):
    im = Image.open(path).convert('RGB')
    w, h = im.size
    top, left = int((h - h * frac) / 2), int((w - w * frac) / 2)
    im = im.crop((left, top, w - left, h - top)).resize((size, size), Image.BILINEAR)
    return np.asarray(im, dtype=np.uint8)


def effnet_pixels(path, size=224, short=256):
    im = Image.open(path).convert('RGB')
    w, h = im.size
    if w < h:
        nw, nh = short, int(short * h / w)
    else:
        nw, nh = int(short * w / h), short
    im = im.resize((nw, nh), Image.BILINEAR)
    top, left = int(round((nh - size) / 2.0)), int(round((nw - size) / 2.0))
    im = im.crop((left, top, left + size, top + size))
    return np.asarray(im, dtype=np.uint8)


def model_input(path, preset):
    if preset == 'tf128':
        return ((tf_pixels(path).astype(np.float32) - 128) / 128)[None]
    if preset == 'tf127':
        return ((tf_pixels(path).astype(np.float32) - 128) / 127)[None]
    if preset == 'effnet-lite':
        x = (effnet_pixels(path).astype(np.float32) - 127) / 128
        return x.transpose(2, 0, 1)[None]
    sys.exit('unknown preset ' + preset)


def session(path, optimize):
    so = ort.SessionOptions()
    so.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimize
                                   else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    so.intra_op_num_threads = 2
    return ort.InferenceSession(path, so, providers=['CPUExecutionProvider'])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('model')
    ap.add_argument('--preset', required=True)
    ap.add_argument('--data', required=True)
    ap.add_argument('--count', type=int, default=0)
    ap.add_argument('--tern', help="tern's INT8 predictions.csv")
    a = ap.parse_args()
    rows = list(csv.DictReader(open(os.path.join(a.data, 'LABELS.csv'))))
    if a.count:
        rows = rows[:a.count]
    sess = [session(a.model, False), session(a.model, True)]
    name = sess[0].get_inputs()[0].name
    classes = sess[0].get_outputs()[0].shape[-1]
    off = 1 if classes == 1001 else 0
    tern = {}
    if a.tern:
        for r in csv.DictReader(open(a.tern)):
            tern[r['filename']] = int(r['top1'])
    top1 = [0, 0]
    top5 = [0, 0]
    agree = [0, 0]
    both = 0
    for r in rows:
        x = model_input(os.path.join(a.data, r['filename']), a.preset)
        want = int(r['class_index']) + off
        for k, s in enumerate(sess):
            y = s.run(None, {name: x})[0].reshape(-1)
            order = np.argsort(-y, kind='stable')[:5]
            top1[k] += order[0] == want
            top5[k] += want in order
            if r['filename'] in tern:
                agree[k] += order[0] == tern[r['filename']]
        both += r['filename'] in tern
    n = len(rows)
    for k, what in enumerate(['optimizations off', 'optimizations on ']):
        line = '%s  top-1 %.1f%%  top-5 %.1f%%' % (what, 100.0 * top1[k] / n, 100.0 * top5[k] / n)
        if both:
            line += '  top-1 agreement with tern %.1f%% (%d/%d)' % (100.0 * agree[k] / both,
                                                                   agree[k], both)
        print(line)


if __name__ == '__main__':
    main()
