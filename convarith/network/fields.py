"""Receptive fields through a graph: Araujo's recurrences node by node, merged over every path.

The field of one output unit of a node is kept, per axis, as three numbers in input pixels: the
jump ``S`` between neighbouring units, and the first and last input coordinates ``lo``, ``hi``
that unit 0 reads (so unit ``y`` reads ``[y*S + lo, y*S + hi]``; the receptive field is
``hi - lo + 1``, the effective padding ``P = -lo``). A convolution or pooling layer composes with
the field of its input exactly as a second layer of a two-layer stack does, so the step is
:func:`convarith.studies.receptive.receptive_field` applied to the input's field written as one
equivalent layer (kernel ``r``, stride ``S``: Araujo et al.'s single-layer equivalent) followed
by the layer. Where branches merge (a residual add, a concatenation), the fields of the branches
are joined: the union of their intervals (the unit reads everything each branch reads).

Transposed convolutions and upsampling are outside Araujo et al.'s formulas: they are written as
a stretch of the grid by the stride (jump ``S/s``, the zeros the guide inserts) followed by a
stride-1 convolution, so the jump and the bounds can be fractions of an input pixel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

from convarith.studies.receptive import layer as stack_layer
from convarith.studies.receptive import receptive_field

__all__ = ["AxisField", "Field", "input_field", "merge", "through_crop", "through_layer", "through_resize"]


@dataclass(frozen=True)
class AxisField:
    """One axis of a receptive field: jump ``S`` and the interval ``[lo, hi]`` unit 0 reads.

    Examples
    --------
    >>> AxisField(Fraction(4), Fraction(-5), Fraction(5)).size
    11
    """

    jump: Fraction
    lo: Fraction
    hi: Fraction

    @property
    def size(self) -> int | Fraction:
        """``r = hi - lo + 1`` input pixels (a fraction only after an upsampling)."""
        return _plain(self.hi - self.lo + 1)

    @property
    def centre(self) -> float:
        """Input coordinate of the centre of unit 0's field."""
        return float((self.lo + self.hi) / 2)


Field = tuple[AxisField, ...]


def _plain(value: Fraction) -> int | Fraction:
    return int(value) if value.denominator == 1 else value


def input_field(ndim: int) -> Field:
    """The field of the input itself: each unit sees itself.

    Examples
    --------
    >>> input_field(1)[0].size
    1
    """
    return tuple(AxisField(Fraction(1), Fraction(0), Fraction(0)) for _ in range(ndim))


def _araujo(field: AxisField, kernel: int, stride: int, before: int, dilation: int = 1) -> AxisField:
    """One convolution or pooling after ``field``, by the two-layer stack of receptive.py.

    Fractions are scaled to integers first (the recurrences are linear in ``S``, ``lo`` and
    ``hi``); the padding enters as ``P`` and is added back, so it may be negative (a crop).
    """
    q = lcm(field.jump.denominator, field.lo.denominator, field.hi.denominator)
    jump, width = int(field.jump * q), int((field.hi - field.lo) * q)
    stack = [stack_layer("conv", width + 1, jump), stack_layer("conv", kernel, stride, 0, dilation)]
    row = receptive_field(stack).rows[-1]
    lo = field.lo - Fraction(before) * field.jump
    return AxisField(Fraction(row.stride[0], q), lo, lo + Fraction(row.size[0] - 1, q))


def through_layer(
    field: Field,
    op: str,
    kernel_size: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[tuple[int, int]],
    dilation: Sequence[int],
) -> Field:
    """The field after one layer (any of the report's operations).

    Notes
    -----
    Convolution and pooling (Araujo et al.): ``r' = r + (ek - 1)*S``, ``S' = S*s``,
    ``P' = P + pb*S``. Padding: a 1-wide kernel with its ``pb``. Transposed convolution: the grid
    stretched by ``s`` (``S' = S/s``), then a stride-1 convolution with padding ``ek - 1 - pb``.

    Examples
    --------
    >>> f = through_layer(input_field(1), "conv", (7,), (2,), ((3, 3),), (1,))
    >>> f = through_layer(f, "max_pool", (3,), (2,), ((1, 1),), (1,))
    >>> f[0].size, f[0].jump, f[0].lo  # the ResNet stem: r = 11, S = 4, P = 5
    (11, Fraction(4, 1), Fraction(-5, 1))
    """
    out = []
    for axis, f in enumerate(field):
        pb = padding[axis][0]
        if op == "pad":
            out.append(_araujo(f, 1, 1, pb))
        elif op == "conv_transpose":
            s, ek = stride[axis], dilation[axis] * (kernel_size[axis] - 1) + 1
            stretched = AxisField(f.jump / s, f.lo, f.hi)
            out.append(_araujo(stretched, kernel_size[axis], 1, ek - 1 - pb, dilation[axis]))
        else:
            out.append(_araujo(f, kernel_size[axis], stride[axis], pb, dilation[axis]))
    return tuple(out)


def through_crop(field: Field, crop: Sequence[tuple[int, int]]) -> Field:
    """The field after removing ``crop[axis][0]`` cells at the start of each axis.

    Examples
    --------
    >>> through_crop(input_field(1), ((2, 1),))[0].lo
    Fraction(2, 1)
    """
    return tuple(AxisField(f.jump, f.lo + c * f.jump, f.hi + c * f.jump) for f, (c, _) in zip(field, crop, strict=True))


def through_resize(field: Field, scale: Sequence[Fraction], mode: str) -> Field:
    """The field after an upsampling by ``scale`` (output cells per input cell), a bound.

    Nearest: output ``y`` reads input ``floor(y/f)``, a stride-1 window of ``ceil(f)`` stretched
    cells ending at ``y``. Linear: the two neighbours of ``(y + 1/2)/f - 1/2``, inside a window of
    ``2*ceil(f)`` stretched cells.

    Examples
    --------
    >>> f = through_resize(input_field(1), (Fraction(2),), "nearest")
    >>> f[0].jump, f[0].lo, f[0].hi
    (Fraction(1, 2), Fraction(-1, 2), Fraction(0, 1))
    """
    out = []
    for f, factor in zip(field, scale, strict=True):
        stretched = AxisField(f.jump / factor, f.lo, f.hi)
        whole = -(-factor.numerator // factor.denominator)
        if mode == "nearest":
            out.append(_araujo(stretched, whole, 1, whole - 1))
        else:
            out.append(_araujo(stretched, 2 * whole, 1, whole))
    return tuple(out)


def merge(fields: Sequence[Field]) -> Field:
    """The field of a unit that reads several branches: the union of their intervals.

    The branches must move at the same jump (they have the same resolution); the widest bounds
    are kept.

    Examples
    --------
    >>> a = through_layer(input_field(1), "conv", (3,), (1,), ((1, 1),), (1,))
    >>> b = through_layer(input_field(1), "conv", (2,), (1,), ((0, 1),), (1,))
    >>> m = merge([a, b])
    >>> m[0].lo, m[0].hi, m[0].size
    (Fraction(-1, 1), Fraction(1, 1), 3)
    """
    out = []
    for axis in range(len(fields[0])):
        parts = [f[axis] for f in fields]
        out.append(AxisField(max(p.jump for p in parts), min(p.lo for p in parts), max(p.hi for p in parts)))
    return tuple(out)


def aligned(fields: Sequence[Field]) -> bool:
    """Whether merged branches have the same jumps and centres (Araujo's alignment).

    Examples
    --------
    >>> a = through_layer(input_field(1), "conv", (3,), (2,), ((1, 1),), (1,))
    >>> b = through_layer(input_field(1), "conv", (1,), (2,), ((0, 0),), (1,))
    >>> aligned([a, b])
    True
    """
    first = fields[0]
    return all(
        f.jump == g.jump and f.lo + f.hi == g.lo + g.hi
        for other in fields[1:]
        for f, g in zip(first, other, strict=True)
    )
