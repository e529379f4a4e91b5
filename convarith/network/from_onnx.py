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

import numpy as np

from convarith.arithmetic.padding import transpose_padding
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


def read_onnx(model: Any) -> tuple[list[Node], tuple[int | None, ...], str]:
    """Nodes of an ONNX model, its first input's declared shape (None for a symbolic size) and layout.

    The layout is ``'channels_first'`` unless the input goes straight into a ``Transpose`` to
    channels first (as Keras exports do): then ``'channels_last'``.

    Parameters
    ----------
    model : str, Path or onnx.ModelProto

    Returns
    -------
    (list of Node, tuple, str)
    """
    import onnx
    from onnx import numpy_helper

    proto = onnx.load(str(model), load_external_data=False) if isinstance(model, str | Path) else model
    graph = proto.graph
    # weights by their shape only (converting them would cost more than the whole walk)
    constants: dict[str, Any] = {
        init.name: numpy_helper.to_array(init) if _small(init) else _Weights(tuple(init.dims))
        for init in graph.initializer
    }
    for node in graph.node:
        if node.op_type == "Constant":
            for attribute in node.attribute:
                if attribute.name == "value":
                    constants[node.output[0]] = numpy_helper.to_array(attribute.t)
    inputs = [value for value in graph.input if value.name not in constants]
    if not inputs:
        raise ValueError("the ONNX graph has no input that is not an initializer")
    first = inputs[0]
    shapes = _fold_shapes(proto, constants, first)
    dims = tuple(d.dim_value if d.HasField("dim_value") else None for d in first.type.tensor_type.shape.dim)
    ndim = len(dims) - 2
    layout, to_first, tensor = "channels_first", [0, ndim + 1, *range(1, ndim + 1)], first.name
    entry: Any = None
    while entry is None:  # through Cast/Identity to a Transpose from channels last to first
        readers = [node for node in graph.node if tensor in node.input]
        if len(readers) != 1:
            break
        if readers[0].op_type in ("Cast", "Identity"):
            tensor = readers[0].output[0]
            continue
        perm = [list(a.ints) for a in readers[0].attribute if a.name == "perm"]
        if readers[0].op_type == "Transpose" and perm == [to_first]:
            layout, entry = "channels_last", readers[0]
        break
    producer: dict[str, str] = {first.name: first.name}
    cin = dims[-1] if layout == "channels_last" else dims[1]
    channels: dict[str, int | None] = {first.name: cin}
    last: dict[str, bool] = {first.name: layout == "channels_last"}  # tensor layout, per producer
    nodes = [Node(first.name, "input", framework="onnx", source="input", in_channels=cin)]
    for index, node in enumerate(graph.node):
        if node.op_type == "Constant":
            continue
        name = node.name or f"{node.op_type}_{index}"
        data = [t for t in node.input if t and t not in constants and t in producer]
        if not data:  # computed from constants only (Identity, Cast, shape arithmetic)
            continue
        ins = tuple(producer[t] for t in data)
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in attrs.items()}
        cin = channels.get(ins[0]) if ins else None
        channels_last = last[ins[0]]
        out_shape = shapes.get(node.output[0])
        spatial = slice(1, -1) if channels_last else slice(2, None)
        if node is entry or _moves_channels(node, ndim):
            made = Node(name, "elementwise", ins)  # NHWC <-> NCHW (Keras exports): sizes unchanged
            channels_last = not channels_last
        elif node.op_type in _RESHAPES and out_shape is not None and len(out_shape) != ndim + 2:
            for t in node.output:  # a step of a reshaping chain (Keras' UpSampling2D): skipped over
                producer[t] = ins[0]
            continue
        elif node.op_type in _RESHAPES and out_shape is not None:
            made = Node(name, "resize", ins[:1], size=tuple(out_shape[spatial]))
        elif node.op_type == "Slice":
            made = _slice(node, name, ins, constants, shapes, ndim, spatial)
        else:
            made = _node(node, name, ins, attrs, constants, ndim, cin, channels_last)
        last[name] = channels_last
        made.framework, made.source = "onnx", node.op_type
        nodes.append(made)
        for t in node.output:
            producer[t] = name
        channels[name] = made.out_channels if made.out_channels is not None else cin
    return nodes, dims, layout


def _node(
    node: Any,
    name: str,
    ins: tuple[str, ...],
    attrs: dict[str, Any],
    constants: dict[str, Any],
    ndim: int,
    cin: int | None,
    channels_last: bool = False,
) -> Node:
    op = node.op_type
    spatial = slice(1, -1) if channels_last else slice(2, None)  # Pad and Resize see the tensor's layout
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

            def resolve(_size: tuple[int, ...]) -> tuple[tuple[PadPair, ...], tuple[int, ...]]:
                # ONNX ConvTranspose: the one resolver, with its SAME_UPPER / SAME_LOWER split
                word, rule = ("valid", "same_upper") if auto == "VALID" else ("same", str(auto).lower())
                return transpose_padding(kernel, common["stride"], common["dilation"], word, extra, rule)  # type: ignore[arg-type]

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
        pairs = _pairs(flat, full)[spatial]
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
            if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size >= 3:
                scales = tuple(Fraction(float(v)).limit_denominator(1000) for v in value[spatial])
        mode = "nearest" if attrs.get("mode", "nearest") == "nearest" else "linear"
        return Node(name, "resize", ins, scale=scales, resize_mode=mode)
    if op in _MERGES and len(ins) > 1:
        return Node(name, "merge", ins)
    if op in _ENDS:
        return Node(name, "end", ins)
    if op in _MIX:
        return Node(name, "end", ins, mixes_channels=True)
    return Node(name, "elementwise", ins)


_RESHAPES = ("Reshape", "Expand", "Unsqueeze", "Squeeze", "Tile")


def _slice(
    node: Any,
    name: str,
    ins: tuple[str, ...],
    constants: dict[str, Any],
    shapes: dict[str, list[int]],
    ndim: int,
    spatial: slice,
) -> Node:
    """A crop when a Slice with known bounds cuts spatial axes; the end of the walk when its bounds are unknown."""
    args = [constants.get(t) if t else None for t in node.input[1:5]]
    shape = shapes.get(node.input[0])
    if shape is None or args[0] is None or args[1] is None:
        return Node(name, "end", ins)  # unknown bounds: better to stop than to guess
    starts, ends = [int(v) for v in args[0]], [int(v) for v in args[1]]
    axes = [int(v) for v in args[2]] if len(args) > 2 and args[2] is not None else list(range(len(starts)))
    steps = [int(v) for v in args[3]] if len(args) > 3 and args[3] is not None else [1] * len(starts)
    axis_numbers = list(range(len(shape)))[spatial]
    crop = [(0, 0)] * ndim
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        axis %= len(shape)
        if axis not in axis_numbers:
            continue
        if step != 1:
            return Node(name, "end", ins)
        size = shape[axis]
        begin = min(max(start + size if start < 0 else start, 0), size)
        stop = min(max(end + size if end < 0 else end, 0), size)
        crop[axis_numbers.index(axis)] = (begin, size - stop)
    if all(c == (0, 0) for c in crop):
        return Node(name, "elementwise", ins)
    return Node(name, "crop", ins, crop=tuple(crop))


def _moves_channels(node: Any, ndim: int) -> bool:
    """A ``Transpose`` between channels last and channels first."""
    if node.op_type != "Transpose":
        return False
    perm = next((list(a.ints) for a in node.attribute if a.name == "perm"), None)
    return perm in ([0, ndim + 1, *range(1, ndim + 1)], [0, *range(2, ndim + 2), 1])


_FOLDED = {"Pad": (1,), "Slice": (1, 2, 3, 4), "Reshape": (1,), "Expand": (1,), "Resize": (1, 2, 3), "Tile": (1,)}


class _Weights:
    """A large initializer, by its shape."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape


def _small(init: Any) -> bool:
    count = 1
    for d in init.dims:
        count *= d
    return count <= 64


def _light(proto: Any, onnx: Any) -> Any:
    """A copy of the model for shape inference: large initializers become typed inputs (no weights copied)."""
    model = onnx.ModelProto()
    model.ir_version = proto.ir_version
    model.opset_import.extend(proto.opset_import)
    graph = model.graph
    graph.node.extend(proto.graph.node)
    graph.input.extend(proto.graph.input)
    graph.output.extend(proto.graph.output)
    names = {value.name for value in proto.graph.input}
    for init in proto.graph.initializer:
        if _small(init):  # shape arithmetic: keep the values
            graph.initializer.append(init)
        elif init.name not in names:
            graph.input.append(onnx.helper.make_tensor_value_info(init.name, init.data_type, list(init.dims)))
    return model


def _fold_shapes(proto: Any, constants: dict[str, Any], first: Any) -> dict[str, list[int]]:
    """Evaluate the shape arguments (pads, slice bounds, target shapes) computed from constants and shapes.

    Exporters write ``F.pad``, Keras' padding and crops as small subgraphs of ``Shape``,
    ``Gather``, ``Concat``... With the input's shape fixed (batch 1), shape inference gives the
    shape of every tensor up to the first such argument; its subgraph is evaluated, the argument
    becomes a constant, and shape inference goes on. Returns the shapes known in the end.
    """
    import onnx
    from onnx.reference import ReferenceEvaluator

    todo = [
        t
        for n in proto.graph.node
        for k in _FOLDED.get(n.op_type, ())
        if k < len(n.input) and (t := n.input[k]) and t not in constants
    ]
    model = _light(proto, onnx)
    for dim in next(v for v in model.graph.input if v.name == first.name).type.tensor_type.shape.dim:
        if not dim.HasField("dim_value"):
            dim.dim_value = 1  # a symbolic batch
    made_by = {t: node for node in proto.graph.node for t in node.output}
    while True:
        inferred = onnx.shape_inference.infer_shapes(model)
        shapes = {}
        for value in [*inferred.graph.value_info, *inferred.graph.input, *inferred.graph.output]:
            dims = value.type.tensor_type.shape.dim
            if dims and all(d.HasField("dim_value") and d.dim_value > 0 for d in dims):
                shapes[value.name] = [d.dim_value for d in dims]
        folded = []
        for tensor in todo:
            value = _evaluate(tensor, made_by, constants, shapes, list(proto.opset_import), onnx, ReferenceEvaluator)
            if value is not None:
                constants[tensor] = value
                model.graph.initializer.append(onnx.numpy_helper.from_array(value, tensor))
                folded.append(tensor)
        if not folded:
            return shapes
        todo = [t for t in todo if t not in folded]


def _evaluate(
    tensor: str,
    made_by: dict[str, Any],
    constants: dict[str, Any],
    shapes: dict[str, list[int]],
    opsets: list[Any],
    onnx: Any,
    evaluator: Any,
) -> Any:
    """The value of ``tensor`` if it depends only on constants and known shapes, else None."""
    import numpy as np

    needed: dict[int, Any] = {}
    known: dict[str, Any] = {}
    todo = [tensor]
    while todo:
        name = todo.pop()
        if not name or name in constants or name in known:
            continue
        maker = made_by.get(name)
        if maker is None:
            return None  # a graph input
        if maker.op_type == "Shape":
            if maker.input[0] not in shapes:
                return None
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in maker.attribute}
            full = shapes[maker.input[0]]
            known[name] = np.array(full[attrs.get("start", 0) : attrs.get("end", len(full))], dtype=np.int64)
            continue
        if id(maker) not in needed:
            needed[id(maker)] = maker
            todo.extend(maker.input)
    position = {id(n): k for k, n in enumerate(made_by.values())}
    order = sorted(needed.values(), key=lambda n: position[id(n)])
    values = {**{t: constants[t] for n in order for t in n.input if t in constants}, **known}
    if any(isinstance(v, _Weights) for v in values.values()):
        return None
    graph = onnx.helper.make_graph(
        order,
        "pads",
        [],
        [onnx.helper.make_tensor_value_info(tensor, onnx.TensorProto.UNDEFINED, None)],
        [onnx.numpy_helper.from_array(np.asarray(v), t) for t, v in values.items()],
    )
    (value,) = evaluator(onnx.helper.make_model(graph, opset_imports=opsets)).run(None, {})
    return value


def _padding(attrs: dict[str, Any], ndim: int) -> tuple[Any, str]:
    auto = attrs.get("auto_pad", "NOTSET")
    if auto in _AUTO:
        return "same", _AUTO[auto]
    if auto == "VALID":
        return "valid", "tensorflow"
    return _pairs(list(attrs.get("pads", (0,) * 2 * ndim)), ndim), "tensorflow"
