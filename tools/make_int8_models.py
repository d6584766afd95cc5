#!/usr/bin/env python3
"""Generate tern's small quantized test models into tests/models/int8/.

Small FP32 networks are built with onnx.helper (random weights, seeded) and
quantized by ONNX Runtime's own tools, the way users quantize models:
  quantize_static  (QDQ, per-channel weights; activations uint8 or int8; and
                    the QOperator format with its com.microsoft ops)
  quantize_dynamic (DynamicQuantizeLinear + MatMulInteger / ConvInteger)
For every model NAME it writes NAME.onnx, NAME.input.npy (float32) and
NAME.output.npy: ONNX Runtime's output (default optimizations, i.e. its
integer kernels). Files stay a few KB. Everything is seeded.

  python3 tools/make_int8_models.py   # a python with onnxruntime, onnx, numpy
"""
import glob
import os
import tempfile
import zlib

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                      quantize_dynamic, quantize_static)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tests", "models", "int8")


def rng_for(name):
    return np.random.RandomState(zlib.crc32(name.encode()))


def const(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def convnet(rng):
    """Conv, depthwise conv, 1x1 conv, residual Add, HardSwish (x * HardSigmoid(x)),
    MaxPool, Concat, GlobalAveragePool, Flatten, Gemm: the MobileNet ops."""
    w = lambda *s: (rng.standard_normal(s) * 0.3).astype(np.float32)
    inits = [const("w1", w(8, 3, 3, 3)), const("b1", w(8)), const("w2", w(8, 1, 3, 3)),
             const("b2", w(8)), const("w3", w(8, 8, 1, 1)), const("b3", w(8)),
             const("wf", w(10, 16)), const("bf", w(10))]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2],
                         group=8),
        helper.make_node("HardSigmoid", ["c2"], ["h2"], alpha=1.0 / 6, beta=0.5),
        helper.make_node("Mul", ["c2", "h2"], ["s2"]),
        helper.make_node("Conv", ["s2", "w3", "b3"], ["c3"]),
        helper.make_node("Add", ["c3", "s2"], ["a3"]),
        helper.make_node("MaxPool", ["a3"], ["m3"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Sigmoid", ["m3"], ["g3"]),
        helper.make_node("Concat", ["m3", "g3"], ["k3"], axis=1),
        helper.make_node("GlobalAveragePool", ["k3"], ["p"]),
        helper.make_node("Flatten", ["p"], ["f"]),
        helper.make_node("Gemm", ["f", "wf", "bf"], ["y"], transB=1),
    ]
    g = helper.make_graph(nodes, "convnet",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), [1, 3, 16, 16]


def mlp(rng):
    """MatMul + Add + Relu twice: what quantize_dynamic turns into MatMulInteger."""
    w = lambda *s: (rng.standard_normal(s) * 0.3).astype(np.float32)
    inits = [const("w1", w(16, 32)), const("b1", w(32)), const("w2", w(32, 8)), const("b2", w(8))]
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["m1"]),
             helper.make_node("Add", ["m1", "b1"], ["a1"]),
             helper.make_node("Relu", ["a1"], ["r1"]),
             helper.make_node("MatMul", ["r1", "w2"], ["m2"]),
             helper.make_node("Add", ["m2", "b2"], ["y"])]
    g = helper.make_graph(nodes, "mlp",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 16])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 8])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), [4, 16]


def smallconv(rng):
    """Two convolutions: quantize_dynamic turns them into ConvInteger."""
    w = lambda *s: (rng.standard_normal(s) * 0.3).astype(np.float32)
    inits = [const("w1", w(4, 2, 3, 3)), const("b1", w(4)), const("w2", w(4, 4, 1, 1))]
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c1"], ["r1"]),
             helper.make_node("Conv", ["r1", "w2"], ["y"])]
    g = helper.make_graph(nodes, "smallconv",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 6, 6])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 6, 6])],
                          inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), [1, 2, 6, 6]


class Reader(CalibrationDataReader):
    def __init__(self, shape, rng, count=16):
        self.data = [{"x": rng.standard_normal(shape).astype(np.float32)} for _ in range(count)]

    def get_next(self):
        return self.data.pop() if self.data else None


def save(name, model_path, x):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    s = ort.InferenceSession(model_path, so, providers=["CPUExecutionProvider"])
    y = s.run(None, {"x": x})[0]
    os.replace(model_path, os.path.join(OUT, name + ".onnx"))
    np.save(os.path.join(OUT, name + ".input.npy"), x)
    np.save(os.path.join(OUT, name + ".output.npy"), y.astype(np.float32))
    print(name, os.path.getsize(os.path.join(OUT, name + ".onnx")), "bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in glob.glob(os.path.join(OUT, "*.onnx")) + glob.glob(os.path.join(OUT, "*.npy")):
        os.remove(f)
    tmp = tempfile.mkdtemp()
    static = [("qdq_u8_perchannel", QuantFormat.QDQ, QuantType.QUInt8),
              ("qdq_s8_perchannel", QuantFormat.QDQ, QuantType.QInt8),
              ("qop_u8", QuantFormat.QOperator, QuantType.QUInt8)]
    for name, fmt, act in static:
        rng = rng_for(name)
        model, shape = convnet(rng_for("convnet"))
        fp32 = os.path.join(tmp, "fp32.onnx")
        onnx.save(model, fp32)
        out = os.path.join(tmp, name + ".onnx")
        quantize_static(fp32, out, Reader(shape, rng), quant_format=fmt, per_channel=True,
                        activation_type=act, weight_type=QuantType.QInt8)
        save("static_" + name, out, rng.standard_normal(shape).astype(np.float32))
    for name, build in [("mlp", mlp), ("conv", smallconv)]:
        rng = rng_for("dynamic_" + name)
        model, shape = build(rng)
        fp32 = os.path.join(tmp, "fp32.onnx")
        onnx.save(model, fp32)
        out = os.path.join(tmp, name + ".onnx")
        quantize_dynamic(fp32, out, weight_type=QuantType.QUInt8 if name == "conv" else QuantType.QInt8,
                         op_types_to_quantize=["MatMul", "Conv"])
        save("dynamic_" + name, out, rng.standard_normal(shape).astype(np.float32))


if __name__ == "__main__":
    main()
