"""ONNX graphs before the walk: shapes and the layout of every tensor.

Shapes come from shape inference (folding the shape arguments exporters compute at run time);
the layout of a tensor says which of its axes are the channels and the spatial axes.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Weights", "fold_shapes", "small", "tensor_axes"]

_FOLDED = {"Pad": (1,), "Slice": (1, 2, 3, 4), "Reshape": (1,), "Expand": (1,), "Resize": (1, 2, 3), "Tile": (1,)}


class Weights:
    """A large initializer, by its shape."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape


def small(init: Any) -> bool:
    """Whether an initializer is small enough to be shape arithmetic (64 values at most)."""
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
    graph.value_info.extend(proto.graph.value_info)  # the shapes the file records
    names = {value.name for value in proto.graph.input}
    for init in proto.graph.initializer:
        if small(init):  # shape arithmetic: keep the values
            graph.initializer.append(init)
        elif init.name not in names:
            graph.input.append(onnx.helper.make_tensor_value_info(init.name, init.data_type, list(init.dims)))
    return model


def fold_shapes(
    proto: Any, constants: dict[str, Any], first: Any, shape: tuple[int, ...] | None = None
) -> dict[str, list[int | None]]:
    """Evaluate the shape arguments (pads, slice bounds, target shapes) computed from constants and shapes.

    Exporters write ``F.pad``, Keras' padding and crops as small subgraphs of ``Shape``,
    ``Gather``, ``Concat``... With the input's shape fixed (``shape``, or the declared one with
    batch 1), shape inference gives the shape of every tensor up to the first such argument; its
    subgraph is evaluated, the argument becomes a constant, and shape inference goes on. Returns
    the shapes known in the end (None for a dimension shape inference leaves open).
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
    for axis, dim in enumerate(next(v for v in model.graph.input if v.name == first.name).type.tensor_type.shape.dim):
        if shape is not None and shape[axis] is not None:
            dim.dim_value = shape[axis]
        elif not dim.HasField("dim_value"):
            dim.dim_value = 1  # a symbolic batch
    made_by = {t: node for node in proto.graph.node for t in node.output}
    while True:
        inferred = onnx.shape_inference.infer_shapes(model)
        shapes: dict[str, list[int | None]] = {}
        for value in [*inferred.graph.value_info, *inferred.graph.input, *inferred.graph.output]:
            if not value.type.tensor_type.HasField("shape"):
                continue
            dims = value.type.tensor_type.shape.dim
            shapes[value.name] = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None for d in dims]
        full = {t: v for t, v in shapes.items() if all(d is not None for d in v)}
        folded = []
        for tensor in todo:
            value = _evaluate(tensor, made_by, constants, full, list(proto.opset_import), onnx, ReferenceEvaluator)
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
    shapes: dict[str, Any],
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
    if any(isinstance(v, Weights) for v in values.values()):
        return None
    graph = onnx.helper.make_graph(
        order,
        "pads",
        [],
        [onnx.helper.make_tensor_value_info(tensor, onnx.TensorProto.UNDEFINED, None)],
        [onnx.numpy_helper.from_array(np.asarray(v), t) for t, v in values.items()],
    )
    try:
        (value,) = evaluator(onnx.helper.make_model(graph, opset_imports=opsets)).run(None, {})
    except Exception:  # an argument the reference evaluator cannot compute stays unknown
        return None
    return value


_CHANNELS_FIRST = (
    "Conv",
    "ConvTranspose",
    "MaxPool",
    "AveragePool",
    "LpPool",
    "GlobalAveragePool",
    "GlobalMaxPool",
    "GlobalLpPool",
    "BatchNormalization",
    "InstanceNormalization",
    "LRN",
    "DepthToSpace",
    "SpaceToDepth",
    "MaxRoiPool",
)
"""Operators whose first input and output are ``(N, C, *spatial)`` by the ONNX specification."""

_SAME_AXES = (
    "Identity", "Cast", "CastLike", "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid", "HardSigmoid",
    "HardSwish", "Tanh", "Softplus", "Softsign", "Gelu", "Mish", "Erf", "Exp", "Log", "Sqrt", "Neg", "Abs",
    "Reciprocal", "Pow", "Clip", "Dropout", "ThresholdedRelu", "Shrink", "Floor", "Ceil", "Round", "Sign", "Sin",
    "Cos", "Not", "QuantizeLinear", "DequantizeLinear", "Add", "Sub", "Mul", "Div", "Sum", "Max", "Min", "Mean",
    "Where", "Equal", "Greater", "Less", "And", "Or", "Pad", "Slice", "Resize", "Upsample", "Concat", "Softmax",
    "LogSoftmax",
)  # fmt: skip
"""Operators whose data tensors share their axes' meaning (rank kept, axes not moved)."""


def tensor_axes(
    graph: Any, shapes: dict[str, list[int | None]], constants: dict[str, Any], rank: int
) -> dict[str, tuple[int, ...]]:
    """For every tensor of ``rank`` axes whose layout the graph fixes: the role of each axis.

    Roles are ONNX's ``(N, C, *spatial)`` numbers: ``0`` batch, ``1`` channels, ``2..`` the
    spatial axes in order. Convolutions and pooling fix their input and output to ``0, 1, 2, ...``;
    ``Transpose`` permutes roles; element-wise operators, pads, slices, resizes and concatenations
    keep them. Roles are carried forwards and backwards until nothing changes, so a graph exported
    from channels-last Keras (input ``(N, H, W, C)``, a ``Transpose`` before each convolution)
    gets ``(0, 2, 3, 1)`` at its input whatever comes first (a ``Rescaling``, a ``ZeroPadding2D``).

    Examples
    --------
    >>> from onnx import helper
    >>> g = helper.make_graph([helper.make_node("Transpose", ["x"], ["t"], perm=[0, 3, 1, 2]),
    ...                        helper.make_node("Conv", ["t", "w"], ["y"])], "g", [], [])
    >>> tensor_axes(g, {"x": [1, 8, 8, 3], "t": [1, 3, 8, 8], "y": [1, 4, 6, 6]}, {"w": None}, 4)["x"]
    (0, 2, 3, 1)
    """
    identity = tuple(range(rank))
    roles: dict[str, tuple[int, ...]] = {}
    perm: tuple[int, ...] | None

    def has_rank(t: str) -> bool:
        return bool(t) and t not in constants and len(shapes.get(t, ())) == rank

    links: list[tuple[str, str, tuple[int, ...] | None]] = []  # (a, b, perm): b's axis j is a's axis perm[j]
    for node in graph.node:
        if node.op_type in _CHANNELS_FIRST:
            for t in (node.input[0], node.output[0]):
                if t and t not in constants:
                    roles[t] = identity
        elif node.op_type == "Transpose" and has_rank(node.input[0]):
            perm = next((tuple(a.ints) for a in node.attribute if a.name == "perm"), tuple(reversed(identity)))
            links.append((node.input[0], node.output[0], perm))
        elif node.op_type in _SAME_AXES and node.output and has_rank(node.output[0]):
            for t in node.input:
                if has_rank(t):
                    links.append((t, node.output[0], None))
    for _ in range(len(links) + 1):
        changed = False
        for a, b, perm in [*links, *reversed(links)]:
            if a in roles and b not in roles:
                roles[b] = roles[a] if perm is None else tuple(roles[a][p] for p in perm)
                changed = True
            elif b in roles and a not in roles:
                if perm is None:
                    roles[a] = roles[b]
                else:
                    back = [0] * rank
                    for j, p in enumerate(perm):
                        back[p] = roles[b][j]
                    roles[a] = tuple(back)
                changed = True
        if not changed:
            break
    return roles
