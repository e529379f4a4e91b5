"""Read an ONNX model: its nodes in their (topological) order, with their attributes.

Convolutions, transposed convolutions, pooling (``MaxPool``, ``AveragePool``, ``LpPool``) and
``Pad`` become layer nodes; ``Add``/``Sum``/``Concat``/``Mul`` of two computed tensors become
merges; ``Resize``/``Upsample`` resizes; global pooling, ``Flatten``, ``Reshape`` and matrix
products end the spatial axes; everything else keeps the size (activations, normalisation).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from convarith.network.graph import Node
from convarith.typing import PadPair

__all__ = ["read_onnx"]

_POOLS = {"MaxPool": "max_pool", "AveragePool": "avg_pool", "LpPool": "lp_pool"}
_MERGES = ("Add", "Sum", "Concat", "Mul", "Sub", "Div", "Max", "Min", "Mean")
_ENDS = (
    "GlobalAveragePool",
    "GlobalMaxPool",
    "GlobalLpPool",
    "Flatten",
    "Reshape",
    "Squeeze",
    "ReduceMean",
    "Transpose",
)
_MIX = ("Gemm", "MatMul")
_AUTO = {"SAME_UPPER": "same_upper", "SAME_LOWER": "same_lower"}


def _pairs(flat: list[int], ndim: int) -> tuple[PadPair, ...]:
    return tuple((int(flat[x]), int(flat[x + ndim])) for x in range(ndim))


def read_onnx(model: Any) -> tuple[list[Node], tuple[int | None, ...]]:
    """Nodes of an ONNX model and its first input's declared shape (None for a symbolic size).

    Parameters
    ----------
    model : str, Path or onnx.ModelProto

    Returns
    -------
    (list of Node, tuple)
    """
    import onnx
    from onnx import numpy_helper

    proto = onnx.load(str(model), load_external_data=False) if isinstance(model, str | Path) else model
    graph = proto.graph
    constants: dict[str, Any] = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            for attribute in node.attribute:
                if attribute.name == "value":
                    constants[node.output[0]] = numpy_helper.to_array(attribute.t)
    _fold_pads(graph, constants, list(proto.opset_import))
    inputs = [value for value in graph.input if value.name not in constants]
    if not inputs:
        raise ValueError("the ONNX graph has no input that is not an initializer")
    first = inputs[0]
    dims = tuple(d.dim_value if d.HasField("dim_value") else None for d in first.type.tensor_type.shape.dim)
    ndim = len(dims) - 2
    producer: dict[str, str] = {first.name: first.name}
    channels: dict[str, int | None] = {first.name: dims[1]}
    nodes = [Node(first.name, "input", framework="onnx", source="input", in_channels=dims[1])]
    for index, node in enumerate(graph.node):
        if node.op_type == "Constant":
            continue
        name = node.name or f"{node.op_type}_{index}"
        data = [t for t in node.input if t and t not in constants and t in producer]
        ins = tuple(producer[t] for t in data)
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in attrs.items()}
        cin = channels.get(ins[0]) if ins else None
        made = _node(node, name, ins, attrs, constants, ndim, cin)
        made.framework, made.source = "onnx", node.op_type
        nodes.append(made)
        for t in node.output:
            producer[t] = name
        channels[name] = made.out_channels if made.out_channels is not None else cin
    return nodes, dims


def _node(
    node: Any,
    name: str,
    ins: tuple[str, ...],
    attrs: dict[str, Any],
    constants: dict[str, Any],
    ndim: int,
    cin: int | None,
) -> Node:
    op = node.op_type
    if op in ("Conv", "ConvTranspose"):
        weight = constants.get(node.input[1])
        kernel = tuple(attrs.get("kernel_shape") or (weight.shape[2:] if weight is not None else ()))
        nd = len(kernel) or ndim
        group = int(attrs.get("group", 1))
        if weight is not None:
            cout = int(weight.shape[0]) if op == "Conv" else int(weight.shape[1]) * group
            cin = int(weight.shape[1]) * group if op == "Conv" else int(weight.shape[0])
        else:
            cout = None
        padding, convention = _padding(attrs, nd)
        common = dict(
            kernel_size=kernel,
            stride=tuple(attrs.get("strides", (1,) * nd)),
            dilation=tuple(attrs.get("dilations", (1,) * nd)),
            groups=group,
            in_channels=cin,
            out_channels=cout,
            bias=len(node.input) > 2 and bool(node.input[2]),
        )
        if op == "Conv":
            return Node(name, "conv", ins, padding=padding, convention=convention, **common)  # type: ignore[arg-type]
        extra = tuple(attrs.get("output_padding", (0,) * nd))
        if isinstance(padding, str):
            auto = attrs.get("auto_pad")

            def resolve(size: tuple[int, ...]) -> tuple[tuple[PadPair, ...], tuple[int, ...]]:
                # ONNX ConvTranspose: total = s(i - 1) + a + ek - o with o = i*s (SAME) or the full size (VALID)
                pads = []
                for x, i in enumerate(size):
                    s, ek = common["stride"][x], common["dilation"][x] * (kernel[x] - 1) + 1  # type: ignore[index]
                    total = 0 if auto == "VALID" else max(s * (i - 1) + extra[x] + ek - i * s, 0)
                    small = total // 2
                    pads.append((total - small, small) if auto == "SAME_LOWER" else (small, total - small))
                return tuple(pads), extra

            return Node(name, "conv_transpose", ins, resolve_transpose=resolve, **common)  # type: ignore[arg-type]
        return Node(name, "conv_transpose", ins, padding=padding, output_padding=extra, **common)  # type: ignore[arg-type]
    if op in _POOLS:
        kernel = tuple(attrs["kernel_shape"])
        nd = len(kernel)
        padding, convention = _padding(attrs, nd)
        return Node(
            name,
            _POOLS[op],
            ins,
            kernel_size=kernel,
            stride=tuple(attrs.get("strides", (1,) * nd)),
            dilation=tuple(attrs.get("dilations", (1,) * nd)),
            padding=padding,
            convention=convention,
            ceil_mode=bool(attrs.get("ceil_mode", 0)),
            pool_convention="onnx",
            count_include_pad=bool(attrs.get("count_include_pad", 0)),
            in_channels=cin,
            out_channels=cin,
        )
    if op == "Pad":
        flat = list(attrs["pads"]) if "pads" in attrs else [int(v) for v in constants[node.input[1]].ravel()]
        full = len(flat) // 2
        pairs = _pairs(flat, full)[2:]
        mode = attrs.get("mode", "constant")
        return Node(
            name,
            "pad",
            ins,
            padding=pairs,
            pad_mode={"edge": "replicate", "wrap": "circular"}.get(mode, mode),
            in_channels=cin,
            out_channels=cin,
        )
    if op in ("Resize", "Upsample"):
        scales = None
        for t in node.input[1:]:
            value = constants.get(t)
            if value is not None and value.dtype.kind == "f" and value.size >= 3:
                scales = tuple(Fraction(float(v)).limit_denominator(1000) for v in value[2:])
        mode = "nearest" if attrs.get("mode", "nearest") == "nearest" else "linear"
        return Node(name, "resize", ins, scale=scales, resize_mode=mode)
    if op in _MERGES and len(ins) > 1:
        return Node(name, "merge", ins)
    if op in _ENDS:
        return Node(name, "end", ins)
    if op in _MIX:
        return Node(name, "end", ins, mixes_channels=True)
    return Node(name, "elementwise", ins)


def _fold_pads(graph: Any, constants: dict[str, Any], opsets: list[Any]) -> None:
    """Evaluate the ``pads`` input of ``Pad`` nodes computed from constants (``F.pad`` exports a small subgraph)."""
    import onnx
    from onnx.reference import ReferenceEvaluator

    made_by = {t: node for node in graph.node for t in node.output}
    for node in graph.node:
        if node.op_type != "Pad" or len(node.input) < 2 or node.input[1] in constants:
            continue
        needed, todo, ok = [], [node.input[1]], True
        while todo and ok:
            tensor = todo.pop()
            if tensor in constants or not tensor:
                continue
            maker = made_by.get(tensor)
            if maker is None:
                ok = False  # depends on a graph input
            elif maker not in needed:
                needed.append(maker)
                todo.extend(maker.input)
        if not ok:
            continue
        order = [n for n in graph.node if n in needed]
        used = {t for n in order for t in n.input if t in constants}
        sub = onnx.helper.make_graph(
            order,
            "pads",
            [],
            [onnx.helper.make_tensor_value_info(node.input[1], onnx.TensorProto.INT64, None)],
            [onnx.numpy_helper.from_array(constants[t], t) for t in used],
        )
        (value,) = ReferenceEvaluator(onnx.helper.make_model(sub, opset_imports=opsets)).run(None, {})
        constants[node.input[1]] = value


def _padding(attrs: dict[str, Any], ndim: int) -> tuple[Any, str]:
    auto = attrs.get("auto_pad", "NOTSET")
    if auto in _AUTO:
        return "same", _AUTO[auto]
    if auto == "VALID":
        return "valid", "tensorflow"
    return _pairs(list(attrs.get("pads", (0,) * 2 * ndim)), ndim), "tensorflow"
