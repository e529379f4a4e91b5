"""Receptive fields through a graph: which input cells each output cell reads, merged over every path.

One definition for every operation: a layer's receptive field is the largest input span (first
to last input cell, per axis) that any one of its output cells reads, an integer. It is what a
gradient shows: back-propagating one output cell of a network with all-ones weights lights exactly
the input cells it reads (``tests/network/test_fields.py`` checks it against torch autograd).

The field of a node is kept per axis as an :class:`AxisField`: the jump ``S`` between neighbouring
output cells (in input pixels, a fraction after an upsampling) and, for each phase ``r`` of a
period ``p`` (1 for convolutions and pooling, ``s`` after a transposed convolution of stride
``s``), the first and last input cells that output cell ``r`` reads; cell ``y = p*m + r`` reads
the same span moved by ``p*m*S``. A convolution or pooling cell reads the union of the fields of
the cells its window covers, so on a chain this is exactly Araujo, Norris and Sim's recurrence
``r' = r + (ek - 1)*S``, ``S' = S*s``, ``P' = P + pb*S``. A transposed convolution's output cell
``y`` reads the input cells ``x`` with ``x*s + t*d = y + pb`` for a tap ``t``; how many depends on
``y mod s`` (2 or 1 for a 3-wide kernel at stride 2), so its spans differ by phase and the report
gives the largest (and all of them in :attr:`AxisField.spans`). Merges take the union of their
inputs' spans (cell by cell, aligned on the same output grid).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import floor, lcm

__all__ = [
    "AxisField",
    "Field",
    "aligned",
    "input_field",
    "merge",
    "through_crop",
    "through_layer",
    "through_resize",
]

Span = tuple[Fraction, Fraction] | None


@dataclass(frozen=True)
class AxisField:
    """One axis of a receptive field: jump ``S`` and the input span each output cell reads.

    Attributes
    ----------
    jump : Fraction
        Input pixels between neighbouring output cells.
    lo, hi : Fraction
        The first and last input cells output cell 0 reads (``P = -lo``).
    phases : tuple of (lo, hi) or None
        With a period above 1 (after a transposed convolution): the span of output cell ``r`` for
        each ``r`` of the period (None: the cell reads nothing); empty for period 1.

    Examples
    --------
    >>> AxisField(Fraction(4), Fraction(-5), Fraction(5)).size
    11
    """

    jump: Fraction
    lo: Fraction
    hi: Fraction
    phases: tuple[Span, ...] = ()

    @property
    def period(self) -> int:
        """Output cells after which the spans repeat (moved by ``period * jump``)."""
        return max(len(self.phases), 1)

    def _phase_spans(self) -> tuple[Span, ...]:
        return self.phases or ((self.lo, self.hi),)

    def reads(self, y: int) -> Span:
        """``(first, last)`` input cell that output cell ``y`` reads (None: none).

        Examples
        --------
        >>> f = through_layer(input_field(1), "conv_transpose", (3,), (2,), ((0, 0),), (1,))
        >>> [tuple(map(int, f[0].reads(y))) for y in (2, 3)]  # cell 2 reads inputs 0..1, cell 3 input 1
        [(0, 1), (1, 1)]
        """
        m, r = divmod(y, self.period)
        span = self._phase_spans()[r]
        if span is None:
            return None
        shift = self.period * m * self.jump
        return span[0] + shift, span[1] + shift

    @property
    def spans(self) -> tuple[int, ...]:
        """The distinct spans ``last - first + 1`` of the output cells, smallest first (0: reads nothing).

        Examples
        --------
        >>> f = through_layer(input_field(1), "conv_transpose", (3,), (2,), ((0, 0),), (1,))
        >>> f[0].spans
        (1, 2)
        """
        return tuple(sorted({0 if s is None else int(s[1] - s[0] + 1) for s in self._phase_spans()}))

    @property
    def size(self) -> int:
        """The receptive field: the largest span any output cell reads."""
        return self.spans[-1]

    @property
    def centre(self) -> float:
        """Input coordinate of the centre of output cell 0's field."""
        return float((self.lo + self.hi) / 2)


Field = tuple[AxisField, ...]


def _make(jump: Fraction, phases: Sequence[Span]) -> AxisField:
    """The field with these per-phase spans, its period reduced to the smallest that repeats them."""
    period = len(phases)
    for p in range(1, period + 1):
        if period % p:
            continue
        ok = True
        for r in range(p, period):
            base, here = phases[r % p], phases[r]
            shift = (r - r % p) * jump
            if (base is None) != (here is None) or (
                base is not None and here is not None and (base[0] + shift, base[1] + shift) != here
            ):
                ok = False
                break
        if ok:
            phases = phases[:p]
            break
    first = next((s for s in phases if s is not None), None)
    if phases[0] is not None:
        lo, hi = phases[0]
    elif first is not None:  # cell 0 reads nothing: the next that does, moved back
        r = list(phases).index(first)
        lo, hi = first[0] - r * jump, first[1] - r * jump
    else:
        lo, hi = Fraction(0), Fraction(-1)
    return AxisField(jump, lo, hi, tuple(phases) if len(phases) > 1 else ())


def _union(spans: Iterable[Span]) -> Span:
    real = [s for s in spans if s is not None]
    if not real:
        return None
    return min(s[0] for s in real), max(s[1] for s in real)


_MAX_PERIOD = 1024
"""Phases kept per axis; beyond, the field is bounded by one span per cell (see :func:`_bounded`)."""


def _bounded(f: AxisField) -> AxisField:
    """A period-1 field whose span contains every phase's span (an upper bound on the field)."""
    real = [(s[0] - r * f.jump, s[1] - r * f.jump) for r, s in enumerate(f._phase_spans()) if s is not None]
    if not real:
        return f
    return AxisField(f.jump, min(lo for lo, _ in real), max(hi for _, hi in real))


def _compose(f: AxisField, jump: Fraction, period: int, cells: Callable[[int], Iterable[int]]) -> AxisField:
    """The field of cells that each read the union of the input cells ``cells(y)`` of ``f``.

    Periods multiply through transposed convolutions and resizes of odd ratios; past
    ``_MAX_PERIOD`` phases the input field is first bounded by one span (time and memory stay
    bounded; the spans are then upper bounds).
    """
    if period > _MAX_PERIOD and f.period > 1:
        period //= f.period
        f = _bounded(f)
    return _make(jump, [_union(f.reads(y) for y in cells(r)) for r in range(period)])


def input_field(ndim: int) -> Field:
    """The field of the input itself: each cell sees itself.

    Examples
    --------
    >>> input_field(1)[0].size
    1
    """
    return tuple(AxisField(Fraction(1), Fraction(0), Fraction(0)) for _ in range(ndim))


def _window(f: AxisField, kernel: int, stride: int, before: int, dilation: int = 1) -> AxisField:
    # output y reads input cells y*s - pb + t*d, t = 0..k-1; y + p reads cells moved by s*p (p | s*p)
    return _compose(
        f,
        f.jump * stride,
        f.period,
        lambda y: (y * stride - before + t * dilation for t in range(kernel)),
    )


def _transposed(f: AxisField, kernel: int, stride: int, before: int, dilation: int) -> AxisField:
    # full-output cell z = y + pb is written by input x where x*s + t*d = z, t = 0..k-1
    def cells(y: int) -> list[int]:
        z = y + before
        return [(z - t * dilation) // stride for t in range(kernel) if (z - t * dilation) % stride == 0]

    return _compose(f, f.jump / stride, f.period * stride, cells)


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
    Convolution and pooling: output ``y`` reads cells ``y*s - pb + t*d`` of its input (``t < k``),
    which on a chain gives Araujo et al.'s ``r' = r + (ek - 1)*S``, ``S' = S*s``,
    ``P' = P + pb*S``. Padding: a 1-wide kernel with its ``pb``. Transposed convolution (crops
    ``pb`` before): output ``y`` reads the input cells ``x = (y + pb - t*d)/s`` that are integers,
    ``S' = S/s``; the span depends on ``y mod s``.

    Examples
    --------
    >>> f = through_layer(input_field(1), "conv", (7,), (2,), ((3, 3),), (1,))
    >>> f = through_layer(f, "max_pool", (3,), (2,), ((1, 1),), (1,))
    >>> f[0].size, f[0].jump, f[0].lo  # the ResNet stem: r = 11, S = 4, P = 5
    (11, Fraction(4, 1), Fraction(-5, 1))
    >>> f = through_layer(input_field(1), "conv", (3,), (1,), ((1, 1),), (1,))
    >>> f = through_layer(f, "conv_transpose", (2,), (2,), ((0, 0),), (1,))
    >>> f[0].spans  # every output cell reads one cell of the conv: 3 input cells
    (3,)
    """
    out = []
    for axis, f in enumerate(field):
        pb = padding[axis][0]
        if op == "pad":
            out.append(_window(f, 1, 1, pb))
        elif op == "conv_transpose":
            out.append(_transposed(f, kernel_size[axis], stride[axis], pb, dilation[axis]))
        else:
            out.append(_window(f, kernel_size[axis], stride[axis], pb, dilation[axis]))
    return tuple(out)


def through_crop(field: Field, crop: Sequence[tuple[int, int]]) -> Field:
    """The field after removing ``crop[axis][0]`` cells at the start of each axis.

    Examples
    --------
    >>> through_crop(input_field(1), ((2, 1),))[0].lo
    Fraction(2, 1)
    """
    out = []
    for f, (c, _) in zip(field, crop, strict=True):

        def cells(y: int, c: int = c) -> tuple[int]:
            return (y + c,)

        out.append(_compose(f, f.jump, f.period, cells))
    return tuple(out)


def through_resize(field: Field, scale: Sequence[Fraction], mode: str) -> Field:
    """The field after a resize by ``scale`` (output cells per input cell).

    Nearest: output ``y`` reads input ``floor(y/f)``. Linear (half-pixel centres, PyTorch's
    ``align_corners=False``, Keras' bilinear): the neighbours ``floor(c)`` and ``floor(c) + 1`` of
    ``c = (y + 1/2)/f - 1/2`` (only ``floor(c)`` when ``c`` is a whole number). A ratio whose
    numerator exceeds 1024 cells is not followed phase by phase: each cell is bounded by the input
    cells on either side of its own (an upper bound).

    Examples
    --------
    >>> f = through_resize(input_field(1), (Fraction(2),), "nearest")
    >>> f[0].jump, f[0].lo, f[0].hi
    (Fraction(1, 2), Fraction(0, 1), Fraction(0, 1))
    >>> through_resize(input_field(1), (Fraction(2),), "linear")[0].spans
    (2,)
    """
    out = []
    for f, factor in zip(field, scale, strict=True):
        factor = Fraction(factor)

        def cells(y: int, factor: Fraction = factor) -> list[int]:
            if mode == "nearest":
                return [floor(y / factor)]
            c = (y + Fraction(1, 2)) / factor - Fraction(1, 2)
            return [floor(c)] if c.denominator == 1 else [floor(c), floor(c) + 1]

        if factor.numerator > _MAX_PERIOD:  # a ratio such as 2283955/83521: bound each cell by its neighbours
            bound = _bounded(f)
            out.append(AxisField(f.jump / factor, bound.lo - f.jump, bound.hi + f.jump))
            continue
        out.append(_compose(f, f.jump / factor, f.period * factor.numerator, cells))
    return tuple(out)


def merge(fields: Sequence[Field]) -> Field:
    """The field of a cell that reads several branches: per cell, the union of the branches' spans.

    The branches are on the same output grid (same jump); cell ``y`` of the merge reads what cell
    ``y`` of every branch reads. Branches at different jumps (inputs of different sizes) keep the
    widest bounds of cell 0 and the largest jump.

    Examples
    --------
    >>> a = through_layer(input_field(1), "conv", (3,), (1,), ((1, 1),), (1,))
    >>> b = through_layer(input_field(1), "conv", (2,), (1,), ((0, 1),), (1,))
    >>> m = merge([a, b, input_field(1)])
    >>> m[0].lo, m[0].hi, m[0].size
    (Fraction(-1, 1), Fraction(1, 1), 3)
    """
    out = []
    for axis in range(len(fields[0])):
        parts = [f[axis] for f in fields]
        if len({p.jump for p in parts}) > 1:
            out.append(AxisField(max(p.jump for p in parts), min(p.lo for p in parts), max(p.hi for p in parts)))
            continue
        period = lcm(*(p.period for p in parts))
        if period > _MAX_PERIOD:
            parts, period = [_bounded(p) for p in parts], 1
        out.append(_make(parts[0].jump, [_union(p.reads(y) for p in parts) for y in range(period)]))
    return tuple(out)


def aligned(fields: Sequence[Field]) -> bool:
    """Whether merged branches have the same jumps and centres, cell by cell (Araujo's alignment).

    Examples
    --------
    >>> a = through_layer(input_field(1), "conv", (3,), (2,), ((1, 1),), (1,))
    >>> b = through_layer(input_field(1), "conv", (1,), (2,), ((0, 0),), (1,))
    >>> aligned([a, b])
    True
    """

    def centre(s: Span) -> Fraction | None:
        return None if s is None else s[0] + s[1]

    first = fields[0]
    for other in fields[1:]:
        for f, g in zip(first, other, strict=True):
            if f.jump != g.jump:
                return False
            period = lcm(f.period, g.period)
            if any(centre(f.reads(y)) != centre(g.reads(y)) for y in range(period)):
                return False
    return True
