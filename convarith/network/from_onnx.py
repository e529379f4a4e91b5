"""Read an ONNX model: its nodes in their (topological) order, with their attributes.

Convolutions, transposed convolutions, pooling (``MaxPool``, ``AveragePool``, ``LpPool``) and
``Pad`` become layer nodes; ``Add``/``Sum``/``Concat``/``Mul`` of two computed tensors become
merges; ``Resize``/``Upsample`` resizes; global pooling and reductions over the spatial axes
give a 1-cell map; ``Flatten`` and reshapes to another rank end the spatial axes, reshapes back
to the input's rank take the size shape inference gives; the operators of ``_KEPT`` keep the size.
Any other operator (``Einsum``, ``Loop``, ``DepthToSpace``...) is named in the report's notes
and takes the size shape inference records for it (size-keeping when there is none).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from convarith.arithmetic.padding import transpose_padding
from convarith.network.graph import Node
from convarith.network.onnx_graph import Weights, fold_shapes, small, tensor_axes
from convarith.typing import PadPair

__all__ = ["read_onnx"]

_POOLS = {"MaxPool": "max_pool", "AveragePool": "avg_pool", "LpPool": "lp_pool"}
_MERGES = ("Add", "Sum", "Concat", "Mul", "Sub", "Div", "Max", "Min", "Mean")
_MIX = ("Gemm", "MatMul")
_AUTO = {"SAME_UPPER": "same_upper", "SAME_LOWER": "same_lower"}


def _pairs(flat: list[int], ndim: int) -> tuple[PadPair, ...]:
    return tuple((int(flat[x]), int(flat[x + ndim])) for x in range(ndim))


_KEPT = (
    "Identity", "Cast", "CastLike", "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid", "HardSigmoid",
    "HardSwish", "Tanh", "Softplus", "Softsign", "Gelu", "Mish", "Erf", "Exp", "Log", "Sqrt", "Neg", "Abs",
    "Reciprocal", "Pow", "Clip", "Dropout", "ThresholdedRelu", "Shrink", "Floor", "Ceil", "Round", "Sign", "Sin",
    "Cos", "Not", "QuantizeLinear", "DequantizeLinear", "Softmax", "LogSoftmax", "BatchNormalization",
    "InstanceNormalization", "LayerNormalization", "GroupNormalization", "LRN", "LpNormalization",
    "MeanVarianceNormalization", "Transpose", "Where", "Equal", "Greater", "Less", "And", "Or",
)  # fmt: skip
"""Operators that keep the spatial size (understood; anything not listed is named in the notes)."""

_REDUCE = ("ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceL2", "ReduceL1", "ReduceLogSumExp")


def read_onnx(model: Any, input_size: Any = None) -> tuple[list[Node], tuple[int | None, ...], str]:
    """Nodes of an ONNX model, its first input's declared shape (None for a symbolic size) and layout.

    The layout of every tensor comes from the graph (:func:`~convarith.network.onnx_graph.tensor_axes`:
    convolutions fix theirs, transposes permute them), and every node carries the output size
    ONNX shape inference gives it (``Node.recorded``), computed on ``input_size`` when given.

    Parameters
    ----------
    model : str, Path or onnx.ModelProto
    input_size : sequence of int, optional
        The input's shape batch first in the model's layout, or its spatial size.

    Returns
    -------
    (list of Node, tuple, str)

    Raises
    ------
    ValueError
        The file is not an ONNX model, has no graph input, or its input has no spatial axes.
    """
    import onnx
    from onnx import numpy_helper

    where = f"`model` {str(model)!r}" if isinstance(model, str | Path) else "the ONNX model"
    if isinstance(model, str | Path):
        try:
            proto = onnx.load(str(model), load_external_data=False)
        except OSError as error:
            raise ValueError(f"{where}: {error.strerror or error}") from None
        except Exception as error:  # protobuf's DecodeError and friends: not an ONNX file
            raise ValueError(f"{where} is not an ONNX model ({type(error).__name__}: {error})") from None
    else:
        proto = model
    graph = proto.graph
    if not graph.node and not graph.input:
        raise ValueError(f"{where} holds no ONNX graph (no nodes, no inputs): an empty or foreign file")
    try:
        constants: dict[str, Any] = {
            init.name: numpy_helper.to_array(init) if small(init) else Weights(tuple(init.dims))
            for init in graph.initializer
        }
        for node in graph.node:
            if node.op_type == "Constant":
                for attribute in node.attribute:
                    if attribute.name == "value":
                        constants[node.output[0]] = numpy_helper.to_array(attribute.t)
            elif node.op_type == "Identity" and node.input and node.input[0] in constants:
                constants[node.output[0]] = constants[node.input[0]]  # exporters share equal weights this way
    except (ValueError, TypeError) as error:
        raise ValueError(f"{where}: a constant cannot be read ({error})") from None
    inputs = [value for value in graph.input if value.name not in constants]
    if not inputs:
        raise ValueError(f"{where}: the graph has no input that is not an initializer")
    first = inputs[0]
    dims = tuple(d.dim_value if d.HasField("dim_value") else None for d in first.type.tensor_type.shape.dim)
    ndim = len(dims) - 2
    if ndim < 1:
        raise ValueError(f"{where}: its input {first.name!r} has shape {dims}: no spatial axes to inspect")
    try:
        declared = dict(constants)  # before folding: shape arguments are folded again on `input_size`
        shapes = fold_shapes(proto, constants, first)
        _computed_weights(graph, constants, shapes)
        roles = tensor_axes(graph, shapes, constants, ndim + 2)
        identity = tuple(range(ndim + 2))
        own = roles.get(first.name, identity)
        layout = "channels_last" if own.index(1) == ndim + 1 else "channels_first"
        if input_size is not None:
            full = _full_shape(input_size, dims, own)
            if full is not None:
                constants = declared
                shapes = fold_shapes(proto, constants, first, full)
                _computed_weights(graph, constants, shapes)
        return _nodes(proto, constants, shapes, roles, first, own, ndim, onnx), dims, layout
    except (KeyError, IndexError, TypeError, AttributeError) as error:
        raise ValueError(f"{where}: a node cannot be read ({type(error).__name__}: {error})") from None
    except (onnx.shape_inference.InferenceError, onnx.checker.ValidationError) as error:
        raise ValueError(f"{where}: ONNX shape inference fails ({error})") from None


def _computed_weights(graph: Any, constants: dict[str, Any], shapes: dict[str, list[int | None]]) -> None:
    """Conv weights computed from initializers alone become constants of their inferred shape.

    The dynamo exporter reshapes and transposes Keras' kernels before the Conv; shape inference
    knows the result's shape, which is all the report needs (channels, parameters).
    """
    made_by = {t: node for node in graph.node for t in node.output}
    known: dict[str, bool] = {}

    def from_constants(tensor: str, depth: int = 0) -> bool:
        if tensor in constants or not tensor:
            return True
        if tensor not in known:
            node = made_by.get(tensor)
            known[tensor] = node is not None and depth < 16 and all(from_constants(t, depth + 1) for t in node.input)
        return known[tensor]

    for node in graph.node:
        if node.op_type in ("Conv", "ConvTranspose") and len(node.input) > 1:
            weight, shape = node.input[1], shapes.get(node.input[1])
            if weight not in constants and shape and None not in shape and from_constants(weight):
                constants[weight] = Weights(tuple(int(d) for d in shape if d is not None))


def _full_shape(input_size: Any, dims: tuple[int | None, ...], own: tuple[int, ...]) -> tuple[int, ...] | None:
    values = tuple(input_size)
    if len(values) == len(dims):
        return tuple(int(v) for v in values)
    if len(values) != len(dims) - 2:
        return None
    full: list[int] = [1] * len(dims)
    spatial = sorted((j for j, r in enumerate(own) if r >= 2), key=lambda j: own[j])
    for j, v in zip(spatial, values, strict=True):
        full[j] = int(v)
    channel = own.index(1)
    full[channel] = dims[channel] or 1
    return tuple(full)


def _nodes(
    proto: Any,
    constants: dict[str, Any],
    shapes: dict[str, list[int | None]],
    roles: dict[str, tuple[int, ...]],
    first: Any,
    own: tuple[int, ...],
    ndim: int,
    onnx: Any,
) -> list[Node]:
    graph = proto.graph
    tensors = _Tensors(shapes, roles, own, ndim + 2, first.name)
    cin = first.type.tensor_type.shape.dim[own.index(1)].dim_value or None
    tensors.channels[first.name] = cin
    nodes = [Node(first.name, "input", framework="onnx", source="input", in_channels=cin)]
    for index, node in enumerate(graph.node):
        if node.op_type == "Constant":
            continue
        name = node.name or f"{node.op_type}_{index}"
        data = [t for t in node.input if t and t not in constants and t in tensors.producer]
        if not data or node.op_type in ("Shape", "Size"):  # constants only, or a shape: arithmetic, not data
            continue
        ins = tuple(tensors.producer[t] for t in data)
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in attrs.items()}
        cin = tensors.channels.get(ins[0]) if ins else None
        if tensors.chained(node, data[0], ins[0]):
            continue
        made = _made(node, name, ins, data[0], attrs, constants, tensors, ndim, cin)
        made.framework, made.source = "onnx", node.op_type
        if node.output and made.op not in ("global",):
            made.recorded = tensors.recorded(node.output[0])
        if made.op == "resize" and made.scale is None and made.size is None:
            _resize_to_recorded(made)
        nodes.append(made)
        for t in node.output:
            tensors.producer[t] = name
        tensors.channels[name] = made.out_channels if made.out_channels is not None else cin
    _bias_adds(graph, nodes, constants)
    return nodes


class _Tensors:
    """What the reading knows of the graph's tensors: the node each stands for, its layout and size."""

    def __init__(
        self,
        shapes: dict[str, list[int | None]],
        roles: dict[str, tuple[int, ...]],
        own: tuple[int, ...],
        rank: int,
        first: str,
    ) -> None:
        self.shapes, self.roles, self.own, self.rank = shapes, roles, own, rank
        self.producer: dict[str, str] = {first: first}  # tensor -> the name of the node it is read as
        self.aliased: set[str] = set()  # tensors of a reshaping chain, read as the tensor it started from
        self.stretched: set[str] = set()  # tensors after an Expand or Tile (Keras' UpSampling2D as a reshape chain)
        self.channels: dict[str, int | None] = {}  # node name -> its output channels

    def spatial_axes(self, t: str) -> list[int]:
        """The positions of ``t``'s spatial axes, in the order of the input's."""
        role = self.roles.get(t, self.own)
        return sorted((j for j, r in enumerate(role) if r >= 2), key=lambda j: role[j])

    def recorded(self, t: str) -> tuple[int, ...] | None:
        """The spatial size shape inference gives ``t``: () for another rank, None when not known."""
        shape = self.shapes.get(t)
        if shape is None:
            return None
        if len(shape) != self.rank:
            return ()
        part = [shape[j] for j in self.spatial_axes(t)]
        return None if any(v is None for v in part) else tuple(int(v) for v in part)  # type: ignore[arg-type]

    def chained(self, node: Any, data: str, source: str) -> bool:
        """Whether ``node`` is a step of a reshaping chain (Keras' UpSampling2D): its outputs read as ``source``."""
        out_shape = self.shapes.get(node.output[0]) if node.output else None
        if not (
            node.op_type in _RESHAPES
            and out_shape is not None
            and len(out_shape) != self.rank
            and (data in self.aliased or len(self.shapes.get(data, ())) == self.rank)
        ):
            return False
        for t in node.output:
            self.producer[t] = source
            self.aliased.add(t)
            if node.op_type in ("Expand", "Tile") or data in self.stretched:
                self.stretched.add(t)
        return True


@dataclass(frozen=True)
class _Site:
    """One ONNX node as its reader sees it, with the graph's constants and shapes and its spatial axes."""

    node: Any
    name: str
    ins: tuple[str, ...]
    attrs: dict[str, Any]
    constants: dict[str, Any]
    shapes: dict[str, list[int | None]]
    ndim: int
    cin: int | None
    spatial: list[int]


def _made(
    node: Any,
    name: str,
    ins: tuple[str, ...],
    data: str,
    attrs: dict[str, Any],
    constants: dict[str, Any],
    tensors: _Tensors,
    ndim: int,
    cin: int | None,
) -> Node:
    """The node for one ONNX node whose first data input is ``data``."""
    op = node.op_type
    out_shape = tensors.shapes.get(node.output[0]) if node.output else None
    spatial = tensors.spatial_axes(data)
    site = _Site(node, name, ins, attrs, constants, tensors.shapes, ndim, cin, spatial)
    if op in _RESHAPES and out_shape is not None and len(out_shape) == tensors.rank:
        size = tensors.recorded(node.output[0])
        kind = "resize" if data in tensors.stretched and size is not None else "reshape"
        return Node(name, kind, ins[:1], size=size)
    if op in _RESHAPES or op == "Flatten":
        return Node(name, "end", ins)
    if op == "Slice":
        return _slice(site)
    if op in _REDUCE:
        return _reduce(site)
    return _node(site)


def _reduce(site: _Site) -> Node:
    """A reduction over every spatial axis is a global pooling; over none, size-keeping."""
    node, name, ins, attrs, constants = site.node, site.name, site.ins, site.attrs, site.constants
    shapes, spatial = site.shapes, site.spatial
    axes = attrs.get("axes")
    if axes is None and len(node.input) > 1 and isinstance(constants.get(node.input[1]), np.ndarray):
        axes = [int(v) for v in constants[node.input[1]].ravel()]
    rank = len(shapes.get(node.input[0], ())) or len(spatial) + 2
    if axes is None:
        return Node(name, "global", ins)  # ONNX: no axes reduces every axis
    reduced = {int(a) % rank for a in axes}
    if set(spatial) <= reduced:
        return Node(name, "global", ins)
    if not reduced & set(spatial):
        return Node(name, "elementwise", ins)
    return Node(name, "elementwise", ins, assumed="a reduction over some spatial axes, taken as size-keeping")


def _bias_adds(graph: Any, nodes: list[Node], constants: dict[str, Any]) -> None:
    """A Conv without bias followed (through transposes and casts) by an Add of a C-vector: its bias."""
    readers: dict[str, list[Any]] = {}
    for node in graph.node:
        for t in node.input:
            readers.setdefault(t, []).append(node)
    by_name = {n.name: n for n in nodes}
    for index, node in enumerate(graph.node):
        made = by_name.get(node.name or f"{node.op_type}_{index}")
        if made is None or made.op not in ("conv", "conv_transpose") or made.bias or made.out_channels is None:
            continue
        tensor = node.output[0]
        for _ in range(8):
            after = readers.get(tensor, [])
            if len(after) != 1:
                break
            step = after[0]
            if step.op_type in ("Transpose", "Cast", "Identity"):
                tensor = step.output[0]
                continue
            if step.op_type == "Add":
                other = next((t for t in step.input if t != tensor), None)
                value = constants.get(other) if other else None
                shape = getattr(value, "shape", None)
                if (
                    shape is not None
                    and int(np.prod(shape)) == made.out_channels
                    and max(shape, default=0) == made.out_channels
                ):
                    made.bias = True
                    made.source = f"{made.source} + Add (bias: {step.name or 'Add'})"
            break


def _node(site: _Site) -> Node:
    node, name, ins, attrs, cin = site.node, site.name, site.ins, site.attrs, site.cin
    op = node.op_type
    if op in ("Conv", "ConvTranspose"):
        return _conv(site)
    if op in _POOLS:
        return _pool(op, name, ins, attrs, cin)
    if op == "Pad":
        return _pad(site)
    if op in ("Resize", "Upsample"):
        return _resize(site)
    if op in ("GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"):
        return Node(name, "global", ins, in_channels=cin, out_channels=cin)
    if op in _MERGES:
        return Node(name, "merge", ins) if len(ins) > 1 else Node(name, "elementwise", ins)
    if op in _MIX:  # a MatMul on the channels of a channels-last map keeps its size (the walk checks the record)
        return Node(name, "mix", ins, mixes_channels=True)
    if op in _KEPT:
        return Node(name, "elementwise", ins)
    if len(ins) > 1:
        return Node(name, "elementwise", ins, assumed="taken as an element-wise merge of its inputs")
    return Node(name, "elementwise", ins, assumed="taken as size-keeping")


def _conv(site: _Site) -> Node:
    """``Conv`` and ``ConvTranspose``: channels from the weight's shape (``cin`` when it is not known)."""
    node, name, ins, attrs, constants = site.node, site.name, site.ins, site.attrs, site.constants
    ndim, cin = site.ndim, site.cin
    op = node.op_type
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


def _pool(op: str, name: str, ins: tuple[str, ...], attrs: dict[str, Any], cin: int | None) -> Node:
    """``MaxPool``, ``AveragePool`` and ``LpPool`` (ONNX's pooling convention)."""
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


def _pad(site: _Site) -> Node:
    """``Pad``: its pads (an attribute before opset 11, an input after) on the spatial axes, and its mode."""
    node, name, ins, attrs, constants = site.node, site.name, site.ins, site.attrs, site.constants
    cin, spatial = site.cin, site.spatial
    flat = list(attrs["pads"]) if "pads" in attrs else [int(v) for v in constants[node.input[1]].ravel()]
    full = len(flat) // 2
    every = _pairs(flat, full)
    pairs = tuple(every[j] for j in spatial)
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


def _resize(site: _Site) -> Node:
    """``Resize`` and ``Upsample``: the scales (or ``Resize``'s sizes) of the spatial axes when they are constants."""
    node, name, ins, attrs, constants = site.node, site.name, site.ins, site.attrs, site.constants
    spatial = site.spatial
    scales = None
    for t in node.input[1:]:
        value = constants.get(t)
        if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size >= 3:
            scales = tuple(Fraction(float(value[j])).limit_denominator(1000) for j in spatial)
    sizes = constants.get(node.input[3]) if len(node.input) > 3 and node.op_type == "Resize" else None
    size = None
    if scales is None and isinstance(sizes, np.ndarray) and sizes.dtype.kind in "iu" and sizes.size >= 3:
        size = tuple(int(sizes[j]) for j in spatial)
    mode = "nearest" if attrs.get("mode", "nearest") == "nearest" else "linear"
    return Node(name, "resize", ins, scale=scales, size=size, resize_mode=mode)


def _resize_to_recorded(made: Node) -> None:
    """A resize to a size computed at run time: the file's recorded size, else size-keeping, said."""
    if made.recorded:
        made.size = made.recorded
    else:
        made.assumed = "a resize to a size computed at run time, taken as size-keeping"


_RESHAPES = ("Reshape", "Expand", "Unsqueeze", "Squeeze", "Tile")


def _slice(site: _Site) -> Node:
    """A crop when a Slice with known bounds cuts spatial axes; the end of the walk when its bounds are unknown."""
    node, name, ins, constants = site.node, site.name, site.ins, site.constants
    shapes, ndim, spatial = site.shapes, site.ndim, site.spatial
    args = [constants.get(t) if t else None for t in node.input[1:5]]
    shape = shapes.get(node.input[0])
    if shape is None or args[0] is None or args[1] is None or any(v is None for v in shape):
        return Node(name, "elementwise", ins, assumed="a slice with bounds unknown, taken as size-keeping")
    starts, ends = [int(v) for v in args[0]], [int(v) for v in args[1]]
    axes = [int(v) for v in args[2]] if len(args) > 2 and args[2] is not None else list(range(len(starts)))
    steps = [int(v) for v in args[3]] if len(args) > 3 and args[3] is not None else [1] * len(starts)
    axis_numbers = spatial
    crop = [(0, 0)] * ndim
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        axis %= len(shape)
        if axis not in axis_numbers:
            continue
        if step != 1:
            return Node(name, "elementwise", ins, assumed="a strided slice, taken as size-keeping")
        size = int(shape[axis])  # type: ignore[arg-type]
        begin = min(max(start + size if start < 0 else start, 0), size)
        stop = min(max(end + size if end < 0 else end, 0), size)
        crop[axis_numbers.index(axis)] = (begin, size - stop)
    if all(c == (0, 0) for c in crop):
        return Node(name, "elementwise", ins)
    return Node(name, "crop", ins, crop=tuple(crop))


def _padding(attrs: dict[str, Any], ndim: int) -> tuple[Any, str]:
    auto = attrs.get("auto_pad", "NOTSET")
    if auto in _AUTO:
        return "same", _AUTO[auto]
    if auto == "VALID":
        return "valid", "tensorflow"
    return _pairs(list(attrs.get("pads", (0,) * 2 * ndim)), ndim), "tensorflow"
