#!/usr/bin/env python3
"""Generate tern's own small ONNX test models into tests/models/ (relative to the repo root).

Each model covers a pattern the shared test set lacks (old-style Clip, ReduceMean heads,
grouped/dilated convs, explicit Pad, AveragePool padding modes, exporter flatten subgraphs,
fusion patterns, NHWC transposes, ...). For every model NAME it writes:
  NAME.onnx
  NAME.input.npy                      (one graph input)   or NAME.input0.npy, NAME.input1.npy, ...
  NAME.output.npy                     (one graph output)  or NAME.output0.npy, NAME.output1.npy, ...
Inputs are float32 from a seeded generator; outputs are onnxruntime's results (the reference).
Old generated files are removed first, so the folder holds exactly what this script makes.

Needs torch, onnx, numpy and onnxruntime in one python, e.g.
  /path/to/venv-with-onnxruntime/bin/python tools/make_test_models.py [NAME ...]
(Debian: apt-get install python3-torch python3-onnx; python3 -m venv --system-site-packages V;
V/bin/pip install "numpy<2" onnxruntime.) Names given: only those models are made.
Everything is seeded: running it twice gives the same bytes.
"""
import glob
import io
import os
import sys
import warnings
import zlib

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import TensorProto, helper, numpy_helper

try:
    import onnxruntime as ort
except ImportError:
    sys.exit("make_test_models.py: onnxruntime is not importable; run this with a python "
             "that has torch, onnx and onnxruntime (e.g. a venv with system site packages)")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tests", "models")
FLOAT = TensorProto.FLOAT


def rng_for(name):
    """A generator seeded from the model's name: adding a model changes no other model."""
    return np.random.RandomState(zlib.crc32(name.encode()))


def randn(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# ---- onnx.helper models (exact control over the graph) ---------------------------------

def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def make(name, nodes, inputs, outputs, inits, opset):
    """A model from nodes; inputs/outputs are (name, shape) pairs, float32."""
    for i, n in enumerate(nodes):
        n.name = n.name or f"{n.op_type.lower()}{i}"  # so error messages can name the node
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(n, FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(n, FLOAT, s) for n, s in outputs],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="tern make_test_models.py")
    model.ir_version = 7  # old enough for every opset used here, new enough for ORT
    onnx.checker.check_model(model)
    return model


def conv_node(x, w, y, b=None, **attrs):
    return helper.make_node("Conv", [x, w] + ([b] if b else []), [y], **attrs)


def clip11_init(name):
    r = rng_for(name)
    nodes = [conv_node("x", "w", "c", "b", pads=[1, 1, 1, 1]),
             helper.make_node("Clip", ["c", "lo", "hi"], ["y"])]
    inits = [init("w", randn(r, 4, 3, 3, 3, scale=0.5)), init("b", randn(r, 4)),
             init("lo", np.float32(0.0)), init("hi", np.float32(6.0))]
    return make(name, nodes, [("x", [1, 3, 6, 6])], [("y", [1, 4, 6, 6])], inits, 11), \
        [randn(r, 1, 3, 6, 6, scale=3.0)]


def clip11_const(name):
    """min/max from Constant nodes, and a second Clip with only max (min left empty)."""
    r = rng_for(name)
    const = lambda out, v: helper.make_node(  # noqa: E731
        "Constant", [], [out], value=helper.make_tensor(out, FLOAT, [], [v]))
    nodes = [const("lo", -1.0), const("hi", 1.5), const("hi2", 0.5),
             conv_node("x", "w", "c", pads=[1, 1, 1, 1]),
             helper.make_node("Clip", ["c", "lo", "hi"], ["d"]),
             conv_node("d", "w2", "e"),
             helper.make_node("Clip", ["e", "", "hi2"], ["y"])]
    inits = [init("w", randn(r, 4, 3, 3, 3, scale=0.5)), init("w2", randn(r, 4, 4, 1, 1))]
    return make(name, nodes, [("x", [1, 3, 5, 5])], [("y", [1, 4, 5, 5])], inits, 11), \
        [randn(r, 1, 3, 5, 5, scale=2.0)]


def clip_attr(opset):
    def build(name):
        r = rng_for(name)
        nodes = [conv_node("x", "w", "c", "b", pads=[1, 1, 1, 1]),
                 helper.make_node("Clip", ["c"], ["y"], min=0.0, max=6.0)]
        inits = [init("w", randn(r, 4, 2, 3, 3)), init("b", randn(r, 4))]
        return make(name, nodes, [("x", [1, 2, 5, 5])], [("y", [1, 4, 5, 5])], inits, opset), \
            [randn(r, 1, 2, 5, 5, scale=2.0)]
    return build


def reducemean_head(keepdims):
    """Conv -> ReduceMean(axes 2,3) in place of GlobalAveragePool -> classifier."""
    def build(name):
        r = rng_for(name)
        nodes = [conv_node("x", "w", "c", "b", pads=[1, 1, 1, 1], strides=[2, 2]),
                 helper.make_node("Relu", ["c"], ["a"]),
                 helper.make_node("ReduceMean", ["a"], ["m"], axes=[2, 3], keepdims=keepdims)]
        if keepdims:
            nodes.append(helper.make_node("Flatten", ["m"], ["f"], axis=1))
        nodes.append(helper.make_node("Gemm", ["f" if keepdims else "m", "fw", "fb"], ["y"],
                                      transB=1))
        inits = [init("w", randn(r, 8, 3, 3, 3, scale=0.5)), init("b", randn(r, 8)),
                 init("fw", randn(r, 5, 8)), init("fb", randn(r, 5))]
        return make(name, nodes, [("x", [2, 3, 8, 8])], [("y", [2, 5])], inits, 13), \
            [randn(r, 2, 3, 8, 8)]
    return build


def pad_conv(value):
    """An explicit Pad (asymmetric) in front of an unpadded conv."""
    def build(name):
        r = rng_for(name)
        nodes = [helper.make_node("Pad", ["x", "pads", "v"], ["p"], mode="constant"),
                 conv_node("p", "w", "y", "b")]
        inits = [init("pads", np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64)),
                 init("v", np.float32(value)),
                 init("w", randn(r, 4, 3, 3, 3, scale=0.5)), init("b", randn(r, 4))]
        # H: 5 + 1 + 2 - 2 = 6, W: 6 + 2 + 1 - 2 = 7
        return make(name, nodes, [("x", [1, 3, 5, 6])], [("y", [1, 4, 6, 7])], inits, 13), \
            [randn(r, 1, 3, 5, 6)]
    return build


def avgpool(include_pad, ceil):
    def build(name):
        r = rng_for(name)
        h, w = (7, 8)
        attrs = dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                     count_include_pad=include_pad, ceil_mode=ceil)
        # torch/ONNX arithmetic: out = (in + 2 - 3) / 2 + 1, rounded down or up
        rnd = (lambda v: -(-v // 2)) if ceil else (lambda v: v // 2)
        oh, ow = rnd(h + 2 - 3) + 1, rnd(w + 2 - 3) + 1
        nodes = [helper.make_node("AveragePool", ["x"], ["y"], **attrs)]
        return make(name, nodes, [("x", [1, 2, h, w])], [("y", [1, 2, oh, ow])], [], 13), \
            [randn(r, 1, 2, h, w)]
    return build


def matmul_add(name):
    """Flatten -> MatMul -> Add: what the Gemm pass should fold into one Gemm."""
    r = rng_for(name)
    nodes = [helper.make_node("Flatten", ["x"], ["f"], axis=1),
             helper.make_node("MatMul", ["f", "w"], ["m"]),
             helper.make_node("Add", ["m", "b"], ["y"])]
    inits = [init("w", randn(r, 12, 6)), init("b", randn(r, 6))]
    return make(name, nodes, [("x", [3, 3, 2, 2])], [("y", [3, 6])], inits, 13), \
        [randn(r, 3, 3, 2, 2)]


def nhwc_transpose(name):
    """NHWC input: Transpose(0,3,1,2) -> Conv, then a pair of transposes that cancel."""
    r = rng_for(name)
    nodes = [helper.make_node("Transpose", ["x"], ["t"], perm=[0, 3, 1, 2]),
             conv_node("t", "w", "c", "b", pads=[1, 1, 1, 1]),
             helper.make_node("Transpose", ["c"], ["t1"], perm=[0, 2, 3, 1]),
             helper.make_node("Transpose", ["t1"], ["t2"], perm=[0, 3, 1, 2]),
             helper.make_node("Relu", ["t2"], ["y"])]
    inits = [init("w", randn(r, 4, 3, 3, 3, scale=0.5)), init("b", randn(r, 4))]
    return make(name, nodes, [("x", [1, 5, 6, 3])], [("y", [1, 4, 5, 6])], inits, 13), \
        [randn(r, 1, 5, 6, 3)]


def nhwc_output(name):
    """NCHW Conv whose output leaves through Transpose(0,2,3,1) to an NHWC graph
    output: with channels-last inside, that Transpose is a free view."""
    r = rng_for(name)
    nodes = [conv_node("x", "w", "c", "b", pads=[1, 1, 1, 1]),
             helper.make_node("Transpose", ["c"], ["y"], perm=[0, 2, 3, 1])]
    inits = [init("w", randn(r, 4, 3, 3, 3, scale=0.5)), init("b", randn(r, 4))]
    return make(name, nodes, [("x", [1, 3, 5, 6])], [("y", [1, 5, 6, 4])], inits, 13), \
        [randn(r, 1, 3, 5, 6)]


def identity_dropout(name):
    """Identity and inference-mode Dropout nodes that should vanish, then a Softmax."""
    r = rng_for(name)
    nodes = [conv_node("x", "w", "c", "b"),
             helper.make_node("Identity", ["c"], ["i"]),
             helper.make_node("Dropout", ["i", "ratio"], ["d"]),
             helper.make_node("Relu", ["d"], ["a"]),
             helper.make_node("GlobalAveragePool", ["a"], ["g"]),
             helper.make_node("Flatten", ["g"], ["f"]),
             helper.make_node("Dropout", ["f"], ["f2"]),
             helper.make_node("Gemm", ["f2", "fw", "fb"], ["z"], transB=1),
             helper.make_node("Identity", ["z"], ["y"])]
    inits = [init("w", randn(r, 6, 3, 1, 1)), init("b", randn(r, 6)),
             init("ratio", np.float32(0.3)),
             init("fw", randn(r, 4, 6)), init("fb", randn(r, 4))]
    return make(name, nodes, [("x", [2, 3, 4, 4])], [("y", [2, 4])], inits, 13), \
        [randn(r, 2, 3, 4, 4)]


def softmax_head(name):
    """Opset 11 Softmax (axis 1, coerced to 2-D) on a classifier."""
    r = rng_for(name)
    nodes = [conv_node("x", "w", "c", "b", pads=[1, 1, 1, 1]),
             helper.make_node("GlobalAveragePool", ["c"], ["g"]),
             helper.make_node("Flatten", ["g"], ["f"]),
             helper.make_node("Gemm", ["f", "fw", "fb"], ["z"], transB=1),
             helper.make_node("Softmax", ["z"], ["y"], axis=1)]
    inits = [init("w", randn(r, 8, 3, 3, 3)), init("b", randn(r, 8)),
             init("fw", randn(r, 10, 8)), init("fb", randn(r, 10))]
    return make(name, nodes, [("x", [2, 3, 6, 6])], [("y", [2, 10])], inits, 11), \
        [randn(r, 2, 3, 6, 6)]


def hardsigmoid_gate(name):
    """HardSigmoid with ONNX's default alpha 0.2 (Keras style) gating another tensor."""
    r = rng_for(name)
    nodes = [conv_node("x", "w", "c", "b", pads=[1, 1, 1, 1]),
             helper.make_node("HardSigmoid", ["c"], ["h"]),
             helper.make_node("Mul", ["c", "h"], ["y"])]
    inits = [init("w", randn(r, 4, 3, 3, 3)), init("b", randn(r, 4))]
    return make(name, nodes, [("x", [1, 3, 5, 5])], [("y", [1, 4, 5, 5])], inits, 13), \
        [randn(r, 1, 3, 5, 5, scale=2.0)]


def two_inputs(name):
    """Two graph inputs and two outputs: Conv(x) + y, and its Relu."""
    r = rng_for(name)
    nodes = [conv_node("x", "w", "c", "b", pads=[1, 1, 1, 1]),
             helper.make_node("Add", ["c", "skip"], ["sum"]),
             helper.make_node("Relu", ["sum"], ["act"])]
    inits = [init("w", randn(r, 4, 2, 3, 3)), init("b", randn(r, 4))]
    return make(name, nodes, [("x", [1, 2, 5, 5]), ("skip", [1, 4, 5, 5])],
                [("sum", [1, 4, 5, 5]), ("act", [1, 4, 5, 5])], inits, 13), \
        [randn(r, 1, 2, 5, 5), randn(r, 1, 4, 5, 5)]


# ---- fusion traps: patterns that look fusable but are not --------------------------------

def trap_conv_shared(name):
    """The conv output feeds a Relu, a BatchNormalization and is a graph output itself:
    neither the activation nor the BN may be folded into the conv."""
    r = rng_for(name)
    nodes = [conv_node("x", "w", "c", "b", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["act"]),
             helper.make_node("BatchNormalization", ["c", "s", "o", "mu", "var"], ["bn"])]
    inits = [init("w", randn(r, 4, 3, 3, 3)), init("b", randn(r, 4)),
             init("s", randn(r, 4)), init("o", randn(r, 4)), init("mu", randn(r, 4)),
             init("var", (r.rand(4) + 0.5).astype(np.float32))]
    shape = [1, 4, 5, 5]
    return make(name, nodes, [("x", [1, 3, 5, 5])], [("c", shape), ("act", shape), ("bn", shape)],
                inits, 13), [randn(r, 1, 3, 5, 5)]


def trap_bn_after_add(name):
    """A BatchNormalization whose input is an Add, not a conv: it must run on its own."""
    r = rng_for(name)
    nodes = [conv_node("x", "w", "c", "b", pads=[1, 1, 1, 1]),
             helper.make_node("Add", ["c", "x2"], ["a"]),
             helper.make_node("BatchNormalization", ["a", "s", "o", "mu", "var"], ["y"])]
    inits = [init("w", randn(r, 3, 3, 3, 3)), init("b", randn(r, 3)),
             init("s", randn(r, 3)), init("o", randn(r, 3)), init("mu", randn(r, 3)),
             init("var", (r.rand(3) + 0.5).astype(np.float32))]
    return make(name, nodes, [("x", [1, 3, 4, 4]), ("x2", [1, 3, 4, 4])], [("y", [1, 3, 4, 4])],
                inits, 13), [randn(r, 1, 3, 4, 4), randn(r, 1, 3, 4, 4)]


def trap_matmul_add_rank3(name):
    """MatMul [3,12]x[12,6] + bias [1,1,6] gives [1,3,6]: a Gemm would lose the extra axis."""
    r = rng_for(name)
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]),
             helper.make_node("Add", ["m", "b"], ["y"])]
    inits = [init("w", randn(r, 12, 6)), init("b", randn(r, 1, 1, 6))]
    return make(name, nodes, [("x", [3, 12])], [("y", [1, 3, 6])], inits, 13), [randn(r, 3, 12)]


def trap_matmul_add_input(name):
    """MatMul + Add where the addend is a graph input (not a constant) of full shape."""
    r = rng_for(name)
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]),
             helper.make_node("Add", ["bias", "m"], ["y"])]
    inits = [init("w", randn(r, 12, 6))]
    return make(name, nodes, [("x", [3, 12]), ("bias", [3, 6])], [("y", [3, 6])], inits, 13), \
        [randn(r, 3, 12), randn(r, 3, 6)]


def trap_transpose_no_cancel(name):
    """Two Transpose(0,2,3,1) in a row compose to perm (0,3,1,2), not the identity:
    the pair must not be dropped."""
    r = rng_for(name)
    nodes = [helper.make_node("Transpose", ["x"], ["t1"], perm=[0, 2, 3, 1]),
             helper.make_node("Transpose", ["t1"], ["t2"], perm=[0, 2, 3, 1]),
             helper.make_node("Relu", ["t2"], ["y"])]
    return make(name, nodes, [("x", [1, 2, 3, 4])], [("y", [1, 4, 2, 3])], [], 13), \
        [randn(r, 1, 2, 3, 4)]


# ---- dynamic input dims (bound when a session is created) -----------------------------

def dyn_minus1(name):
    """Input dims written as dim_value -1 (as some exporters do): H and W dynamic."""
    r = rng_for(name)
    nodes = [conv_node("x", "w", "c", "b", pads=[1, 1, 1, 1], strides=[2, 2]),
             helper.make_node("Relu", ["c"], ["y"])]
    inits = [init("w", randn(r, 4, 3, 3, 3, scale=0.5)), init("b", randn(r, 4))]
    return make(name, nodes, [("x", [1, 3, -1, -1])], [("y", [1, 4, -1, -1])], inits, 13), \
        [randn(r, 1, 3, 9, 11)]


def dyn_shared(name):
    """Two inputs sharing the symbolic dim L: a [B, L] and b [L]."""
    r = rng_for(name)
    nodes = [helper.make_node("Mul", ["a", "b"], ["m"]),
             helper.make_node("Relu", ["m"], ["y"])]
    return make(name, nodes, [("a", ["B", "L"]), ("b", ["L"])], [("y", ["B", "L"])], [], 13), \
        [randn(r, 2, 7), randn(r, 7)]


# ---- Pad folding --------------------------------------------------------------------------

def pad_fold_avgpool(name):
    """Zero Pad in front of an AveragePool that has no pads and count_include_pad 0: the
    padded zeros are real elements, so the fold must count its pads."""
    r = rng_for(name)
    nodes = [helper.make_node("Pad", ["x", "pads"], ["p"]),
             helper.make_node("AveragePool", ["p"], ["y"], kernel_shape=[3, 3], strides=[2, 2])]
    inits = [init("pads", np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64))]
    # H: (6 + 3 - 3) / 2 + 1 = 4, W: (7 + 3 - 3) / 2 + 1 = 4
    return make(name, nodes, [("x", [1, 3, 6, 7])], [("y", [1, 3, 4, 4])], inits, 13), \
        [randn(r, 1, 3, 6, 7)]


def pad_attr_conv(name):
    """Opset 10 Pad (pads attribute) in front of a Conv that pads by itself too."""
    r = rng_for(name)
    nodes = [helper.make_node("Pad", ["x"], ["p"], mode="constant", pads=[0, 0, 1, 0, 0, 0, 0, 1]),
             conv_node("p", "w", "y", "b", pads=[1, 1, 1, 1], strides=[2, 2])]
    inits = [init("w", randn(r, 4, 3, 3, 3, scale=0.5)), init("b", randn(r, 4))]
    # H: (5 + 1 + 2 - 3) / 2 + 1 = 3, W: (6 + 1 + 2 - 3) / 2 + 1 = 4
    return make(name, nodes, [("x", [1, 3, 5, 6])], [("y", [1, 4, 3, 4])], inits, 10), \
        [randn(r, 1, 3, 5, 6)]


def trap_pad_kept(name):
    """Pads that must stay: reflect; zero padding of the channel axis; a zero Pad in
    front of an AveragePool that excludes its own padding from the count."""
    r = rng_for(name)
    nodes = [helper.make_node("Pad", ["x", "pads"], ["p1"], mode="reflect"),
             conv_node("p1", "w1", "c1", pads=[0, 0, 0, 0]),
             helper.make_node("Pad", ["c1", "cpads"], ["p2"]),
             conv_node("p2", "w2", "c2", pads=[1, 1, 1, 1]),
             helper.make_node("Pad", ["c2", "pads"], ["p3"]),
             helper.make_node("AveragePool", ["p3"], ["y"], kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1], count_include_pad=0)]
    inits = [init("pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64)),
             init("cpads", np.array([0, 1, 0, 0, 0, 1, 0, 0], np.int64)),
             init("w1", randn(r, 4, 3, 3, 3, scale=0.5)), init("w2", randn(r, 2, 6, 3, 3))]
    return make(name, nodes, [("x", [1, 3, 5, 5])], [("y", [1, 2, 7, 7])], inits, 13), \
        [randn(r, 1, 3, 5, 5)]


# ---- TFLite's hard sigmoid, relu6(x + 3) / 6, and constant bias Adds ------------------------

def hsig_chain(nodes, x, out, m_name="sixth", div=False):
    """Add(x, 3) -> Clip(0, 6) -> Mul(1/6) (or Div(6)) writing out."""
    nodes += [helper.make_node("Add", [x, "three"], [x + "_p3"]),
              helper.make_node("Clip", [x + "_p3", "zero", "six"], [x + "_r6"]),
              helper.make_node("Div" if div else "Mul", [x + "_r6", "six" if div else m_name],
                               [out])]


HSIG_INITS = [("three", 3.0), ("zero", 0.0), ("six", 6.0), ("sixth", 0.16667)]


def tflite_se(name):
    """Squeeze-excite as the TFLite MobileNetV3 converts: GAP -> Conv -> Relu -> Conv ->
    hard sigmoid (Add/Clip/Mul) -> Mul with the block input."""
    r = rng_for(name)
    nodes = [helper.make_node("GlobalAveragePool", ["x"], ["g"]),
             conv_node("g", "w1", "c1", "b1"), helper.make_node("Relu", ["c1"], ["a1"]),
             conv_node("a1", "w2", "c2", "b2")]
    hsig_chain(nodes, "c2", "gate")
    nodes.append(helper.make_node("Mul", ["x", "gate"], ["y"]))
    inits = [init(n, np.float32(v)) for n, v in HSIG_INITS] + [
        init("w1", randn(r, 4, 8, 1, 1)), init("b1", randn(r, 4)),
        init("w2", randn(r, 8, 4, 1, 1, scale=2.0)), init("b2", randn(r, 8))]
    return make(name, nodes, [("x", [1, 8, 5, 5])], [("y", [1, 8, 5, 5])], inits, 13), \
        [randn(r, 1, 8, 5, 5, scale=2.0)]


def tflite_hswish(name):
    """Hard swish as TFLite writes it: y * relu6(y + 3) / 6 after a Conv, and a hard
    sigmoid with Div(6) on a second Conv (opset 11)."""
    r = rng_for(name)
    nodes = [conv_node("x", "w", "c", "b", pads=[1, 1, 1, 1])]
    hsig_chain(nodes, "c", "h")
    nodes += [helper.make_node("Mul", ["c", "h"], ["s"]), conv_node("s", "w2", "c2", "b2")]
    hsig_chain(nodes, "c2", "y", div=True)
    inits = [init(n, np.float32(v)) for n, v in HSIG_INITS] + [
        init("w", randn(r, 6, 3, 3, 3)), init("b", randn(r, 6)),
        init("w2", randn(r, 4, 6, 1, 1)), init("b2", randn(r, 4))]
    return make(name, nodes, [("x", [1, 3, 5, 5])], [("y", [1, 4, 5, 5])], inits, 11), \
        [randn(r, 1, 3, 5, 5, scale=2.0)]


def add_bias(name):
    """Constant Adds that are biases: Conv (no bias) + [1,C,1,1] -> Relu, Conv + scalar,
    then a head whose Gemm (no C) gets + [N]."""
    r = rng_for(name)
    nodes = [conv_node("x", "w", "c"), helper.make_node("Add", ["c", "k"], ["ck"]),
             helper.make_node("Relu", ["ck"], ["a"]),
             conv_node("a", "w2", "c2", "b2"), helper.make_node("Add", ["kk", "c2"], ["c2k"]),
             helper.make_node("GlobalAveragePool", ["c2k"], ["g"]),
             helper.make_node("Flatten", ["g"], ["f"]),
             helper.make_node("Gemm", ["f", "fw"], ["z"], transB=1),
             helper.make_node("Add", ["z", "fb"], ["y"])]
    inits = [init("w", randn(r, 5, 3, 3, 3)), init("k", randn(r, 1, 5, 1, 1)),
             init("w2", randn(r, 4, 5, 1, 1)), init("b2", randn(r, 4)),
             init("kk", np.float32(0.75)),
             init("fw", randn(r, 6, 4)), init("fb", randn(r, 6))]
    return make(name, nodes, [("x", [2, 3, 5, 5])], [("y", [2, 6])], inits, 13), \
        [randn(r, 2, 3, 5, 5)]


def trap_add_bias(name):
    """Adds that are not biases: a constant that varies over H and W, and one on a Conv
    output that another node reads too; a hard sigmoid whose Clip output is also a graph
    output."""
    r = rng_for(name)
    nodes = [conv_node("x", "w", "c", "b", pads=[1, 1, 1, 1]),
             helper.make_node("Add", ["c", "kspatial"], ["a"]),
             conv_node("a", "w2", "c2", "b2"),
             helper.make_node("Add", ["c2", "k"], ["a2"]),
             helper.make_node("Mul", ["a2", "c2"], ["m"])]
    hsig_chain(nodes, "m", "y")
    inits = [init(n, np.float32(v)) for n, v in HSIG_INITS] + [
        init("w", randn(r, 3, 3, 3, 3)), init("b", randn(r, 3)),
        init("kspatial", randn(r, 1, 1, 4, 4)),
        init("w2", randn(r, 3, 3, 1, 1)), init("b2", randn(r, 3)), init("k", randn(r, 3, 1, 1))]
    shape = [1, 3, 4, 4]
    return make(name, nodes, [("x", shape)], [("y", shape), ("m_r6", shape)], inits, 13), \
        [randn(r, *shape, scale=2.0)]


# ---- torch models (what the exporter really emits) --------------------------------------

def randomize_bn(module, gen):
    """Give every BatchNorm non-trivial statistics so that folding it is really tested."""
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = m.num_features
            m.weight.data = torch.rand(c, generator=gen) + 0.5
            m.bias.data = torch.randn(c, generator=gen) * 0.5
            m.running_mean.data = torch.randn(c, generator=gen) * 0.5
            m.running_var.data = torch.rand(c, generator=gen) + 0.5


def dyn_axes(dynamic):
    """False: static; True: dynamic batch N; "NHW": batch, height and width of an image."""
    if not dynamic:
        return None
    x = {0: "N", 2: "H", 3: "W"} if dynamic == "NHW" else {0: "N"}
    return {"x": x, "y": {0: "N"}}


def export_torch(module, x, opset, dynamic=False, fold=True):
    module.eval()
    buf = io.BytesIO()
    warnings.filterwarnings("ignore", message="It is recommended that constant folding")
    torch.onnx.export(module, torch.from_numpy(x), buf, opset_version=opset,
                      input_names=["x"], output_names=["y"],
                      dynamic_axes=dyn_axes(dynamic),
                      training=torch.onnx.TrainingMode.PRESERVE,  # keep BN nodes
                      do_constant_folding=fold)
    model = onnx.load_from_string(buf.getvalue())
    model.producer_name = "tern make_test_models.py (torch.onnx.export)"
    onnx.checker.check_model(model)
    return model


def torch_model(builder, in_shape, opset=13, dynamic=False, fold=True):
    """Wrap builder() -> nn.Module into a model function with a seeded input."""
    def build(name):
        seed = zlib.crc32(name.encode())
        torch.manual_seed(seed)
        module = builder()
        randomize_bn(module, torch.Generator().manual_seed(seed))
        x = randn(rng_for(name), *in_shape)
        return export_torch(module, x, opset, dynamic, fold), [x]
    return build


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class FlattenView(nn.Module):
    """x.view(x.size(0), -1): the exporter emits Shape->Gather->Unsqueeze->Concat->Reshape."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.fc = nn.Linear(4 * 3 * 3, 5)

    def forward(self, x):
        y = torch.relu(self.conv(x))
        return self.fc(y.view(y.size(0), -1))


class DynHW(nn.Module):
    """A small CNN for any image size: strided convs, then global pooling and a classifier."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 6, 3, stride=2, padding=1), nn.BatchNorm2d(6),
                                  nn.ReLU6(), nn.Conv2d(6, 8, 3, stride=2, padding=1), nn.ReLU())
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(self.body(x), 1), 1))


def conv_bn(bias, act):
    return lambda: nn.Sequential(nn.Conv2d(3, 6, 3, padding=1, bias=bias), nn.BatchNorm2d(6), act)


def silu():
    return Lambda(lambda x: x * torch.sigmoid(x))


def hsig_mul():
    return Lambda(lambda x: x * nn.functional.hardsigmoid(x))


MODELS = {
    # Clip: opset 11 min/max as inputs, opset 6 and 10 as attributes
    "clip11_init": clip11_init,
    "clip11_const": clip11_const,
    "clip6_attr": clip_attr(6),
    "clip10_attr": clip_attr(10),
    # classifier heads
    "reducemean_keepdims0": reducemean_head(0),
    "reducemean_keepdims1": reducemean_head(1),
    "softmax_head": softmax_head,
    # convolutions
    "conv_group2": torch_model(lambda: nn.Conv2d(4, 6, 3, padding=1, groups=2), [1, 4, 6, 6]),
    "conv_group4": torch_model(lambda: nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=4),
                               [1, 8, 7, 7]),
    "conv_dilated": torch_model(lambda: nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=2, dilation=2),
        nn.Conv2d(4, 4, 3, stride=2, padding=1, dilation=2)), [1, 3, 9, 9]),
    "conv_dw_mult2": torch_model(lambda: nn.Conv2d(4, 8, 3, padding=1, groups=4), [1, 4, 6, 6]),
    "conv1d": torch_model(lambda: nn.Sequential(
        nn.Conv1d(4, 6, 3, padding=1), nn.ReLU(), nn.Conv1d(6, 4, 3, stride=2, padding=1),
        nn.BatchNorm1d(4)), [2, 4, 16]),
    "pad_conv": pad_conv(0.0),
    "pad_value_conv": pad_conv(0.25),
    # pooling
    "avgpool_incl_pad": avgpool(1, 0),
    "avgpool_excl_pad": avgpool(0, 0),
    "avgpool_ceil_excl_pad": avgpool(0, 1),
    "avgpool_ceil_incl_pad": avgpool(1, 1),
    # exporter patterns and fusion candidates
    "flatten_view": torch_model(FlattenView, [2, 3, 6, 6], dynamic=True, fold=False),
    "matmul_add": matmul_add,
    "conv_bn_relu": torch_model(conv_bn(False, nn.ReLU()), [1, 3, 5, 5]),
    "conv_bias_bn_relu": torch_model(conv_bn(True, nn.ReLU()), [1, 3, 5, 5]),
    "conv_bn_leakyrelu": torch_model(conv_bn(True, nn.LeakyReLU(0.1)), [1, 3, 5, 5]),
    "conv_bn_silu": torch_model(conv_bn(False, silu()), [1, 3, 5, 5]),
    "conv_bn_hardswish14": torch_model(conv_bn(False, nn.Hardswish()), [1, 3, 5, 5], opset=14),
    "conv_bn_hsig_mul": torch_model(conv_bn(True, hsig_mul()), [1, 3, 5, 5]),
    "hardsigmoid_gate": hardsigmoid_gate,
    "nhwc_transpose": nhwc_transpose,
    "nhwc_output": nhwc_output,
    "identity_dropout": identity_dropout,
    "two_inputs": two_inputs,
    # dynamic input dims
    "dyn_hw_conv": torch_model(DynHW, [2, 3, 15, 11], dynamic="NHW"),
    "dyn_minus1": dyn_minus1,
    "dyn_shared": dyn_shared,
    # pads folded into the next Conv/AveragePool, and ones that must stay
    "pad_fold_avgpool": pad_fold_avgpool,
    "pad_attr_conv": pad_attr_conv,
    "trap_pad_kept": trap_pad_kept,
    # TFLite hard sigmoid / hard swish, constant bias Adds
    "tflite_se": tflite_se,
    "tflite_hswish": tflite_hswish,
    "add_bias": add_bias,
    "trap_add_bias": trap_add_bias,
    # fusion traps
    "trap_conv_shared": trap_conv_shared,
    "trap_bn_after_add": trap_bn_after_add,
    "trap_matmul_add_rank3": trap_matmul_add_rank3,
    "trap_matmul_add_input": trap_matmul_add_input,
    "trap_transpose_no_cancel": trap_transpose_no_cancel,
}


def run_ort(model, inputs):
    so = ort.SessionOptions()
    so.log_severity_level = 3  # quiet: ORT warns that opset 6 is "legacy"
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    return sess.run(None, dict(zip(names, inputs)))


def check_margins(name, outputs):
    """2-D outputs are also compared by argmax per row: make sure no row is a near tie."""
    for out in outputs:
        if out.ndim != 2 or out.shape[1] < 2:
            continue
        top2 = np.sort(out, axis=1)[:, -2:]
        gap = (top2[:, 1] - top2[:, 0]).min()
        if gap < 1e-3 * np.abs(out).max():
            sys.exit(f"{name}: top-2 gap {gap} is too small for an argmax check; change it")


def save(name, model, inputs, outputs):
    onnx.save(model, os.path.join(OUT, name + ".onnx"))
    for kind, arrs in (("input", inputs), ("output", outputs)):
        for i, a in enumerate(arrs):
            suffix = kind if len(arrs) == 1 else f"{kind}{i}"
            np.save(os.path.join(OUT, f"{name}.{suffix}.npy"), np.ascontiguousarray(a))


def describe(model):
    ops = {}
    for n in model.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    return " ".join(f"{k}x{v}" if v > 1 else k for k, v in ops.items())


def main():
    """With model names as arguments only those are (re)made; without, all of them, after
    removing every old file."""
    os.makedirs(OUT, exist_ok=True)
    only = sys.argv[1:]
    unknown = [n for n in only if n not in MODELS]
    if unknown:
        sys.exit(f"make_test_models.py: unknown model(s) {unknown}")
    for pattern in ("*.onnx", "*.npy"):
        for f in glob.glob(os.path.join(OUT, pattern)):
            if not only or os.path.basename(f).split(".")[0] in only:
                os.remove(f)
    total = 0
    for name, build in MODELS.items():
        if only and name not in only:
            continue
        model, inputs = build(name)
        outputs = run_ort(model, inputs)
        check_margins(name, outputs)
        save(name, model, inputs, outputs)
        size = sum(os.path.getsize(f) for f in glob.glob(os.path.join(OUT, name + ".*")))
        total += size
        opset = model.opset_import[0].version
        print(f"{name:24s} opset {opset:2d} {size:6d} B  {describe(model)}")
    print(f"{len(MODELS)} models, {total} bytes in {os.path.relpath(OUT, REPO)}")


if __name__ == "__main__":
    main()
