"""Type aliases shared across convarith.

A *size* argument (``input_size``, ``kernel_size``, ``stride``, ``dilation``, ...) is an int,
applied to every spatial axis, or a tuple with one int per axis. A *padding* argument is an int
(both sides of every axis), a ``(before, after)`` pair (one axis), a tuple with one int or one
``(before, after)`` pair per axis, or (for the engine) a string such as ``"same"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

IntOrTuple: TypeAlias = int | Sequence[int]
"""An int for every axis, or one int per axis."""

PadPair: TypeAlias = tuple[int, int]
"""Padding ``(before, after)`` along one axis."""

PaddingLike: TypeAlias = int | Sequence[int] | Sequence[int | Sequence[int]]
"""An int, a ``(before, after)`` pair, or one int or pair per axis."""

Convention: TypeAlias = Literal[
    "tensorflow", "keras", "jax", "same_upper", "same_lower", "pytorch", "caffe", "valid", "full"
]
"""A framework's rule for splitting 'same' padding (see :func:`convarith.same_padding`)."""

PaddingMode: TypeAlias = Literal["zeros", "reflect", "replicate", "circular"]
"""How padded cells are filled (PyTorch's ``padding_mode`` names)."""

SizeResult: TypeAlias = int | tuple[int, ...]
"""An int when every argument was a scalar, else a tuple with one entry per axis."""
