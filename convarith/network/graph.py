"""The framework-neutral graph the readers produce and the report walks.

Each reader (Keras, ONNX, PyTorch, a list of layer values) turns a model into a list of
:class:`Node` in execution order. A node is either one of the report's layer operations
(convolution, transposed convolution, pooling, explicit padding) with its arguments as the
model wrote them, or one of a few shape-level kinds that the walk needs to follow every path:
element-wise layers, merges (add, concatenate), crops, resizes, and the end of the spatial axes
(global pooling, flatten).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from convarith.typing import PadPair

__all__ = ["LAYER_OPS", "NODE_KINDS", "Node", "TransposeResolver", "execution_order"]

LAYER_OPS: tuple[str, ...] = ("conv", "conv_transpose", "max_pool", "avg_pool", "lp_pool", "pad")
"""The operations that get a row in the report."""

NODE_KINDS: tuple[str, ...] = (
    "input",
    "elementwise",
    "merge",
    "crop",
    "resize",
    "end",
    "mix",
    "global",
    "reshape",
)
"""Other nodes: the input, size-keeping layers (activations, normalisation), merges of branches,
crops, resizes (upsampling), the end of the spatial axes (flatten), channel mixing layers with no
spatial extent (dense on channels), global pooling (spatial size 1, every cell reading the whole
input) and reshapes (the spatial size the framework gives in ``size``, None when the result has
no spatial axes)."""

TransposeResolver = Callable[[tuple[int, ...]], tuple[tuple[PadPair, ...], tuple[int, ...]]]
"""Given a transposed convolution's input size, its ``(before, after)`` crops and output padding
(for framework rules such as Keras' ``padding='same'`` that depend on the size)."""


@dataclass
class Node:
    """One operation of a model, as its framework wrote it.

    Attributes
    ----------
    name : str
        The framework's layer or node name.
    op : str
        One of :data:`LAYER_OPS` or :data:`NODE_KINDS`.
    inputs : tuple of str
        Names of the nodes whose outputs this one reads (empty for the input).
    source : str
        The framework's class or operator name (``'Conv2D'``, ``'nn.MaxPool2d'``, ``'Conv'``).
    framework : str
        ``'keras'``, ``'onnx'``, ``'pytorch'`` or ``'layers'``.
    kernel_size, stride, dilation, output_padding : int or tuple of int, optional
        As for :func:`convarith.arithmetic.layer.layer`.
    padding : int, pairs or str
        Explicit numbers, or a rule word (``'same'``, ``'valid'``) under ``convention``.
    groups, in_channels, out_channels : int or None
        Channels (None when the model does not say).
    bias : bool
    ceil_mode : bool
    convention, pool_convention : str
        How the framework splits ``'same'`` and rounds pooling sizes.
    count_include_pad : bool or None
        Average pooling: whether padded cells count in the divisor.
    pad_mode : str
        Padding layers: ``'constant'``, ``'reflect'``, ``'replicate'``, ``'circular'``.
    resolve_transpose : callable, optional
        For transposed convolutions whose crops depend on the input size.
    crop : tuple of (before, after), optional
        Crops: cells removed per axis.
    scale : tuple of Fraction, optional
        Resizes: output cells per input cell, per axis.
    resize_mode : str
        Resizes: ``'nearest'`` or ``'linear'``.
    size : tuple of int, optional
        The spatial size the framework declares for this node's output (inputs, resizes to a size,
        and shapes the walk cannot compute).
    mixes_channels : bool
        For non-convolution nodes: whether the node combines channels (a dense layer does).
    recorded : tuple of int, optional
        The output's spatial size as the file records it (ONNX shape inference and ``value_info``,
        Keras' recorded tensor shapes); ``()`` when the recorded output has no spatial axes.
    assumed : str
        Empty when the reader understood the node; otherwise what it assumed (the node is then
        named in the report's notes).
    """

    name: str
    op: str
    inputs: tuple[str, ...] = ()
    source: str = ""
    framework: str = "layers"
    kernel_size: Any = None
    stride: Any = None
    padding: Any = 0
    dilation: Any = 1
    output_padding: Any = 0
    groups: int = 1
    in_channels: int | None = None
    out_channels: int | None = None
    bias: bool = False
    ceil_mode: bool = False
    convention: str = "tensorflow"
    pool_convention: str = "pytorch"
    count_include_pad: bool | None = None
    pad_mode: str = "constant"
    resolve_transpose: TransposeResolver | None = None
    crop: tuple[PadPair, ...] | None = None
    scale: tuple[Fraction, ...] | None = None
    resize_mode: str = "nearest"
    size: tuple[int, ...] | None = None
    mixes_channels: bool = False
    recorded: tuple[int, ...] | None = None
    assumed: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_layer(self) -> bool:
        """Whether the node gets a row in the report."""
        return self.op in LAYER_OPS

    @property
    def is_depthwise(self) -> bool:
        """A convolution with one group per input channel (more than one channel)."""
        return (
            self.op == "conv"
            and self.in_channels is not None
            and self.in_channels > 1
            and self.groups == self.in_channels
        )

    @property
    def mixes(self) -> bool:
        """Whether the node combines channels: a convolution with one group, or a mixing layer."""
        if self.op in ("conv", "conv_transpose"):
            return self.groups == 1
        return self.mixes_channels


def execution_order(nodes: Sequence[Node]) -> list[Node]:
    """The nodes in an order where every node comes after its inputs (stable for sorted input).

    Raises
    ------
    ValueError
        If a node reads a name no node has, or the graph has a cycle.

    Examples
    --------
    >>> a, b = Node("a", "input"), Node("b", "elementwise", ("a",))
    >>> [n.name for n in execution_order([b, a])]
    ['a', 'b']
    """
    by_name = {node.name: node for node in nodes}
    for node in nodes:
        for name in node.inputs:
            if name not in by_name:
                raise ValueError(f"node {node.name!r} reads {name!r}, which no node of the model produces")
    done: set[str] = set()
    order: list[Node] = []
    pending = list(nodes)
    while pending:
        waiting = []
        for node in pending:
            if all(name in done for name in node.inputs):
                order.append(node)
                done.add(node.name)
            else:
                waiting.append(node)
        if len(waiting) == len(pending):
            names = ", ".join(repr(n.name) for n in waiting[:5])
            raise ValueError(f"the model's graph has a cycle through {names}")
        pending = waiting
    return order
