"""Receptive fields of a stack of convolution and pooling layers.

Araujo, Norris and Sim [1]_ give closed forms for the region of the input that one output unit
of a layer stack sees: its size ``r0``, the effective stride ``S0`` between neighbouring output
units and the effective padding ``P0`` that places the first one. This module computes them,
layer by layer, for convolutions and poolings with any stride, dilation and padding, including
the frameworks' 'same' conventions (whose split may depend on the input size).

References
----------
.. [1] A. Araujo, W. Norris, J. Sim, "Computing receptive fields of convolutional neural
   networks", Distill, 2019. https://distill.pub/2019/computing-receptive-fields/
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from convarith.arithmetic.layer import Layer
from convarith.arithmetic.layer import layer as arithmetic_layer
from convarith.arithmetic.ops import op_name
from convarith.arithmetic.text import MINUS, format_padding, format_param, format_size
from convarith.arithmetic.validate import LayerError, is_sequence, per_axis
from convarith.typing import IntOrTuple, PaddingLike, PadPair

__all__ = ["Layer", "LayerField", "ReceptiveField", "branches_aligned", "layer", "receptive_field"]


def layer(
    kind: str,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: PaddingLike | str = 0,
    dilation: IntOrTuple = 1,
    *,
    convention: str = "tensorflow",
    ceil_mode: bool = False,
) -> Layer:
    """One layer of a stack for :func:`receptive_field`: :func:`convarith.arithmetic.layer` without an input size.

    Parameters
    ----------
    kind : {'conv', 'conv_transpose', 'max_pool', 'avg_pool', 'lp_pool'}
        The op of :func:`convarith.arithmetic.layer` (every pooling has the same windows); the
        older ``'pool'`` (max pooling) and ``'transpose'`` are accepted too.
    kernel_size, dilation : int or tuple of int
        Per axis.
    stride : int or tuple of int, optional
        Defaults to 1 for a convolution and to the kernel size for a pooling (as in PyTorch).
    padding : int, (before, after), tuple of those per axis, or str
        ``'same'`` (split by ``convention``), ``'valid'``, ``'full'`` or a convention name;
        TensorFlow's split at a stride above 1 depends on the input size (then
        :func:`receptive_field` needs ``input_size``).
    convention : str
        One of :data:`convarith.arithmetic.CONVENTIONS`, for ``padding='same'``.
    ceil_mode : bool
        Pooling only; changes the number of outputs, not the receptive field.

    Returns
    -------
    Layer
        A :class:`convarith.arithmetic.Layer` with ``input_size`` None; pooling follows the ONNX
        arithmetic (PyTorch's without its ``padding <= kernel_size // 2`` limit).

    Notes
    -----
    A layer enters the receptive-field sums through its effective kernel ``ek = d*(k - 1) + 1``,
    its stride ``s`` and its padding before ``pb``; words are resolved by
    :func:`convarith.arithmetic.resolve_padding`. ``layer(kind, k, s, p, d)`` is
    ``convarith.arithmetic.layer(op, None, k, s, p, d, pool_convention="onnx")``.

    Examples
    --------
    >>> layer("conv", 7, stride=2, padding=3)
    conv: kernel 7, stride 2, padding (3, 3)
    >>> layer("max_pool", 3, 2, padding="same")  # TensorFlow's split at stride 2 waits for the input size
    max_pool: kernel 3, stride 2, padding same (tensorflow)
    >>> layer("conv", (3, 2), padding=((1, 1), (0, 1)), dilation=(2, 1))
    conv: kernel 3×2, stride 1, padding (1, 1)×(0, 1), dilation 2×1
    """
    return arithmetic_layer(
        op_name(kind, "kind"),
        None,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode=ceil_mode,
        convention=convention,
        pool_convention="onnx",
    )


@dataclass(frozen=True)
class LayerField:
    """The receptive field of the stack up to and including one layer.

    Attributes
    ----------
    layer : Layer
    padding : tuple of (before, after)
        The layer's padding, resolved to numbers.
    input_size, output_size : tuple of int or None
        The layer's sizes, when the stack's input size is known.
    size : tuple of int
        ``r`` of the stack so far: input units one output unit sees.
    stride : tuple of int
        ``S``: input units between neighbouring output units.
    padding_offset : tuple of int
        ``P``: effective padding; output 0 starts at input ``-P``.

    Examples
    --------
    >>> rows = receptive_field([layer("conv", 3, 2, 1), layer("conv", 3, 1, 1)], input_size=8).rows
    >>> [(row.size, row.stride, row.padding_offset, row.output_size) for row in rows]
    [((3,), (2,), (1,), (4,)), ((7,), (2,), (3,), (4,))]
    """

    layer: Layer
    padding: tuple[PadPair, ...]
    input_size: tuple[int, ...] | None
    output_size: tuple[int, ...] | None
    size: tuple[int, ...]
    stride: tuple[int, ...]
    padding_offset: tuple[int, ...]


def _scalar_or_tuple(values: tuple[Any, ...], scalar: bool) -> Any:
    return values[0] if scalar else values


@dataclass(frozen=True)
class ReceptiveField:
    """The receptive field of a layer stack (Araujo et al.), with one row per layer.

    Sizes are ints for a stack given with scalar sizes, else tuples with one entry per axis.

    Attributes
    ----------
    rows : tuple of LayerField
    input_size : tuple of int or None

    Examples
    --------
    >>> rf = receptive_field([layer("conv", 2)] * 2)  # two 2x2 layers, no padding
    >>> rf.size, rf.half_pixel, rf.centre(0)
    (3, False, 1.0)
    """

    rows: tuple[LayerField, ...]
    input_size: tuple[int, ...] | None
    scalar: bool

    @property
    def ndim(self) -> int:
        """Number of spatial axes."""
        return len(self.rows[0].size)

    @property
    def size(self) -> Any:
        """``r0``: the number of input units (per axis) that one output unit sees."""
        return _scalar_or_tuple(self.rows[-1].size, self.scalar)

    @property
    def stride(self) -> Any:
        """``S0``: the effective stride, input units between neighbouring output units."""
        return _scalar_or_tuple(self.rows[-1].stride, self.scalar)

    @property
    def padding(self) -> Any:
        """``P0``: the effective padding; output 0's field starts at input ``-P0``."""
        return _scalar_or_tuple(self.rows[-1].padding_offset, self.scalar)

    @property
    def output_size(self) -> Any:
        """Number of output units per axis (None without an input size)."""
        out = self.rows[-1].output_size
        return None if out is None else _scalar_or_tuple(out, self.scalar)

    @property
    def half_pixel(self) -> Any:
        """Whether the centres fall on half pixels (an even ``r0``)."""
        return _scalar_or_tuple(tuple(r % 2 == 0 for r in self.rows[-1].size), self.scalar)

    def interval(self, output: IntOrTuple) -> Any:
        """Input units ``[start, end]`` (inclusive; may reach into padding) seen by one output unit.

        Examples
        --------
        >>> rf = receptive_field([layer("conv", 3, padding=1), layer("conv", 3, stride=2, padding=1)])
        >>> rf.interval(0), rf.interval(4)
        ((-2, 2), (6, 10))
        """
        row = self.rows[-1]
        y = per_axis(output, "output", self.ndim, minimum=None)
        pairs = tuple(
            (yy * s - p, yy * s - p + r - 1)
            for yy, s, p, r in zip(y, row.stride, row.padding_offset, row.size, strict=True)
        )
        return _scalar_or_tuple(pairs, self.scalar)

    def centre(self, output: IntOrTuple) -> Any:
        """Input coordinate of the centre of an output unit's field (a half integer when ``r0`` is even).

        Examples
        --------
        >>> receptive_field([layer("conv", 2)] * 3).centre(0)  # three 2x2 layers: r0 = 4
        1.5
        """
        row = self.rows[-1]
        y = per_axis(output, "output", self.ndim, minimum=None)
        centres = tuple(
            float(yy * s - p + Fraction(r - 1, 2))
            for yy, s, p, r in zip(y, row.stride, row.padding_offset, row.size, strict=True)
        )
        return _scalar_or_tuple(centres, self.scalar)

    def _sized_rows(self) -> tuple[LayerField, ...]:
        if self.input_size is None or self.rows[-1].output_size is None:
            raise ValueError("`input_size` was not given to receptive_field: the layer sizes are unknown")
        return self.rows

    def input_range(self, output: IntOrTuple) -> Any:
        """The input units an output unit actually reads (needs ``input_size``).

        Unlike :meth:`interval`, the windows are clipped to the real units of *every* layer, so
        padding of an intermediate layer, and input units that a floored output size drops, are
        left out. Exact for stacks without holes (no dilation, every kernel at least as wide as
        its stride); otherwise the smallest range holding the units read.

        Examples
        --------
        >>> rf = receptive_field([layer("max_pool", 3, 3, 1), layer("max_pool", 2, 1, 1)], input_size=15)
        >>> rf.interval(5), rf.input_range(5)  # unit 14 is never read: 15 + 2 - 3 is not a multiple of 3
        ((11, 16), range(11, 14))
        """
        rows = self._sized_rows()
        y = per_axis(output, "output", self.ndim, minimum=None)
        result = []
        for axis, yy in enumerate(y):
            o = rows[-1].output_size[axis]  # type: ignore[index]
            if not 0 <= yy < o:
                where = "" if self.ndim == 1 else f" on axis {axis}"
                raise ValueError(f"`output` {yy} is outside the output [0, {o - 1}]{where}")
            first, last = yy, yy
            for row in reversed(rows):
                lay, pb = row.layer, row.padding[axis][0]
                ek = lay.effective_kernel_size[axis]
                i = row.input_size[axis]  # type: ignore[index]
                first = max(first * lay.stride[axis] - pb, 0)
                last = min(last * lay.stride[axis] - pb + ek - 1, i - 1)
            result.append(range(first, max(last + 1, first)))
        return _scalar_or_tuple(tuple(result), self.scalar)

    def outputs_reading(self, input: IntOrTuple) -> Any:
        """The output units that read an input unit (needs ``input_size``).

        Windows are followed layer by layer, clipped to each layer's outputs: exact for stacks
        without holes (see :meth:`input_range`), otherwise the smallest range holding them. An
        empty range means no output reads the unit.

        Examples
        --------
        >>> rf = receptive_field([layer("conv", 3, stride=2, padding=1)], input_size=8)
        >>> rf.outputs_reading(3), rf.outputs_reading(0)
        (range(1, 3), range(0, 1))
        """
        rows = self._sized_rows()
        u = per_axis(input, "input", self.ndim, minimum=None)
        result = []
        for axis, uu in enumerate(u):
            i = rows[0].input_size[axis]  # type: ignore[index]
            if not 0 <= uu < i:
                where = "" if self.ndim == 1 else f" on axis {axis}"
                raise ValueError(f"`input` {uu} is outside the input [0, {i - 1}]{where}")
            first, last = uu, uu
            for row in rows:
                lay, pb = row.layer, row.padding[axis][0]
                ek = lay.effective_kernel_size[axis]
                s, o = lay.stride[axis], row.output_size[axis]  # type: ignore[index]
                # windows y*s - pb .. y*s - pb + ek - 1 that overlap [first, last]
                first, last = max(-(-(first + pb - ek + 1) // s), 0), min((last + pb) // s, o - 1)
                if first > last:
                    break
            result.append(range(first, max(last + 1, first)))
        return _scalar_or_tuple(tuple(result), self.scalar)

    def alignment_offset(self, other: ReceptiveField) -> Any:
        """Input units from this stack's field centres to the other's (``c_other - c_self`` at output 0).

        Examples
        --------
        >>> a = receptive_field([layer("conv", 3, stride=2, padding=1)])
        >>> b = receptive_field([layer("conv", 1, stride=2)])
        >>> a.alignment_offset(b)
        0.0
        """
        if other.ndim != self.ndim:
            raise ValueError(f"the stacks have {self.ndim} and {other.ndim} axes")
        zero = (0,) * self.ndim
        mine, theirs = self.centre(zero), other.centre(zero)
        if self.scalar:
            return float(theirs) - float(mine)
        return tuple(b - a for a, b in zip(mine, theirs, strict=True))

    def formula(self) -> str:
        """``r0``, ``S0`` and ``P0`` with this stack's numbers substituted (axis 0 if several).

        Examples
        --------
        >>> print(receptive_field([layer("conv", 3, padding=1)] * 2).formula())
        r0 = 1 + Σ (ek_l − 1)·Π s_j = 1 + 2·1 + 2·1 = 5
        S0 = Π s_l = 1·1 = 1
        P0 = Σ pb_l·Π s_j = 1·1 + 1·1 = 2
        """
        terms_r, terms_p, product = [], [], 1
        for row in self.rows:
            lay = row.layer
            ek = lay.effective_kernel_size[0]
            terms_r.append(f"{ek - 1}·{product}")
            terms_p.append(f"{row.padding[0][0]}·{product}")
            product *= lay.stride[0]
        last = self.rows[-1]
        strides = "·".join(str(row.layer.stride[0]) for row in self.rows)
        return (
            f"r0 = 1 + Σ (ek_l {MINUS} 1)·Π s_j = 1 + {' + '.join(terms_r)} = {last.size[0]}\n"
            f"S0 = Π s_l = {strides} = {last.stride[0]}\n"
            f"P0 = Σ pb_l·Π s_j = {' + '.join(terms_p)} = {last.padding_offset[0]}"
        )

    def __repr__(self) -> str:
        header = f"receptive field of {len(self.rows)} layer{'s' if len(self.rows) != 1 else ''}"
        if self.input_size is not None:
            header += f", input {format_size(self.input_size)}"
        names = [f"{n} {row.layer.op} k={format_param(row.layer.kernel_size)}" for n, row in enumerate(self.rows)]
        table = [("layer", "s", "d", "padding", "output", "r", "S", "P")]
        for name, row in zip(names, self.rows, strict=True):
            table.append(
                (
                    name,
                    format_param(row.layer.stride),
                    format_param(row.layer.dilation),
                    format_padding(row.padding),
                    "?" if row.output_size is None else format_size(row.output_size),
                    format_param(row.size),
                    format_param(row.stride),
                    format_param(row.padding_offset),
                )
            )
        widths = [max(len(line[c]) for line in table) for c in range(len(table[0]))]
        lines = [header]
        for line in table:
            cells = [line[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(line[1:], widths[1:], strict=True)]
            lines.append("  " + "  ".join(cells))
        last = self.rows[-1]
        r, s, p = last.size[0], last.stride[0], last.padding_offset[0]
        centre = Fraction(r - 1, 2) - p
        sy = "y" if s == 1 else f"{s}y"

        def plus(value: Fraction | int) -> str:
            if value == 0:
                return sy
            number = value if Fraction(value).denominator != 1 else int(value)
            text = f"{float(abs(number)):g}" if isinstance(number, Fraction) else str(abs(number))
            return f"{sy} {'+' if value > 0 else MINUS} {text}"

        lines.append(f"output y reads input [{plus(-p)}, {plus(r - 1 - p)}], centre {plus(centre)}")
        lines.append(self.formula())
        if self.ndim > 1:
            lines.append("(the last four lines are for axis 0)")
        return "\n".join(lines)


def receptive_field(layers: Sequence[Layer], input_size: IntOrTuple | None = None) -> ReceptiveField:
    """Receptive field size, effective stride and effective padding of a layer stack.

    Parameters
    ----------
    layers : sequence of Layer
        From the input side, made with :func:`layer` (or :func:`convarith.arithmetic.layer`; the
        first layer's input size, if it has one, is the stack's when ``input_size`` is not given).
    input_size : int or tuple of int, optional
        The stack's input size. Needed when a 'same' split depends on it (TensorFlow's at a stride
        above 1); gives the output sizes too.

    Returns
    -------
    ReceptiveField
        Its ``repr`` is a table with one row per layer (the field of the stack up to that layer).

    Raises
    ------
    ValueError
        If the stack is empty, the layers have different numbers of axes, a layer has no output,
        or ``input_size`` is needed and missing.

    Notes
    -----
    For layers ``l = 1..L`` with kernel ``k_l``, stride ``s_l``, dilation ``d_l``
    (``ek_l = d_l (k_l - 1) + 1``) and padding before ``pb_l`` (Araujo et al. [1]_)::

        r0 = 1 + sum_l (ek_l - 1) * prod_{j<l} s_j
        S0 = prod_l s_l
        P0 = sum_l pb_l * prod_{j<l} s_j

    Output ``y`` sees input units ``[y*S0 - P0, y*S0 - P0 + r0 - 1]`` (negative or past the end:
    padding), centred at ``y*S0 - P0 + (r0 - 1)/2``, a half pixel when ``r0`` is even. With
    dilation, or a kernel narrower than its stride, the field has holes: the interval bounds it
    (its two ends are always read). Pooling counts like a convolution.

    References
    ----------
    .. [1] A. Araujo, W. Norris, J. Sim, "Computing receptive fields of convolutional neural
       networks", Distill, 2019.

    Examples
    --------
    >>> rf = receptive_field([layer("conv", 7, 2, 3), layer("max_pool", 3, 2, 1)], input_size=224)
    >>> rf.size, rf.stride, rf.padding  # the ResNet stem
    (11, 4, 5)
    >>> rf.interval(0), rf.centre(0)  # output 0 is centred on input 0
    ((-5, 5), 0.0)
    >>> rf  # doctest: +NORMALIZE_WHITESPACE
    receptive field of 2 layers, input 224
      layer           s  d  padding  output   r  S  P
      0 conv k=7      2  1   (3, 3)     112   7  2  3
      1 max_pool k=3  2  1   (1, 1)      56  11  4  5
    output y reads input [4y − 5, 4y + 5], centre 4y
    r0 = 1 + Σ (ek_l − 1)·Π s_j = 1 + 6·1 + 2·2 = 11
    S0 = Π s_l = 2·2 = 4
    P0 = Σ pb_l·Π s_j = 3·1 + 1·2 = 5
    """
    # Argument checks.
    if isinstance(layers, Layer) or not is_sequence(layers):
        raise TypeError(
            f"`layers` must be a sequence of Layer (see convarith.studies.layer), got {type(layers).__name__}"
        )
    if len(layers) == 0:
        raise LayerError("`layers` must not be empty")
    for index, lay in enumerate(layers):
        if not isinstance(lay, Layer):
            raise TypeError(
                f"`layers[{index}]` must be a Layer (see convarith.studies.layer), got {type(lay).__name__}"
            )
    for index, lay in enumerate(layers):
        if lay.op == "conv_transpose":
            raise LayerError(
                f"`layers[{index}]` is a transposed convolution: receptive fields take conv and pool layers"
            )
    ndim = max(lay.ndim for lay in layers)
    for index, lay in enumerate(layers):
        if lay.ndim != ndim and not lay.scalar:
            raise LayerError(f"`layers[{index}]` has {lay.ndim} axes, another layer has {ndim}")
    layers = [broadcast_layer(lay, ndim) for lay in layers]
    if input_size is None and layers[0].input_size is not None:
        input_size = layers[0].input_size[0] if layers[0].scalar else layers[0].input_size
    scalar = all(lay.scalar for lay in layers) and not is_sequence(input_size)
    sizes = None if input_size is None else per_axis(input_size, "input_size", ndim)

    # Walk the stack: r, S, P per axis.
    rows = []
    r, S, P = [1] * ndim, [1] * ndim, [0] * ndim
    current = sizes
    for index, lay in enumerate(layers):
        if current is not None:
            lay = lay.with_input(current if not lay.scalar or ndim > 1 else current[0])
        elif lay.padding is None:
            uses = [f"{st}{'' if ndim == 1 else f' on axis {a}'}" for a, st in enumerate(lay.stride) if st != 1]
            raise LayerError(
                f"`input_size` is needed: layer {index} ({lay!r}) has stride {uses[0]}, and the "
                f"'{lay.convention}' split of 'same' padding at a stride > 1 depends on the input size"
            )
        pads = lay.padding
        assert pads is not None
        for a in range(ndim):
            ek = lay.effective_kernel_size[a]
            r[a] += (ek - 1) * S[a]
            P[a] += pads[a][0] * S[a]
            S[a] *= lay.stride[a]
        out = None if current is None else lay.output_size
        rows.append(LayerField(lay, pads, current, out, tuple(r), tuple(S), tuple(P)))
        current = out
    return ReceptiveField(tuple(rows), sizes, scalar)


def broadcast_layer(lay: Layer, ndim: int) -> Layer:
    """A layer given with ints, spread over ``ndim`` axes (without its input size)."""
    if lay.ndim == ndim:
        return lay
    return replace(
        lay,
        kernel_size=lay.kernel_size * ndim,
        stride=lay.stride * ndim,
        dilation=lay.dilation * ndim,
        output_padding=lay.output_padding * ndim,
        padding=None if lay.padding is None else lay.padding * ndim,
        input_size=None if lay.input_size is None else lay.input_size * ndim,
    )


def branches_aligned(first: ReceptiveField, second: ReceptiveField) -> bool:
    """Whether two branches' output units see fields with the same centres (so they can be added).

    Parameters
    ----------
    first, second : ReceptiveField

    Returns
    -------
    bool

    Notes
    -----
    Output ``y`` of a branch is centred at ``y*S0 + (r0 - 1)/2 - P0``: two branches agree on every
    ``y`` exactly when ``S0`` and ``(r0 - 1)/2 - P0`` agree on every axis [1]_.

    References
    ----------
    .. [1] A. Araujo, W. Norris, J. Sim, "Computing receptive fields of convolutional neural
       networks", Distill, 2019.

    Examples
    --------
    >>> main = receptive_field([layer("conv", 3, stride=2, padding=1), layer("conv", 3, padding=1)])
    >>> shortcut = receptive_field([layer("conv", 1, stride=2)])  # a ResNet projection
    >>> branches_aligned(main, shortcut)
    True
    >>> branches_aligned(receptive_field([layer("conv", 2, padding=(0, 1))]), receptive_field([layer("conv", 1)]))
    False
    """
    if not isinstance(first, ReceptiveField) or not isinstance(second, ReceptiveField):
        raise TypeError("`first` and `second` must be ReceptiveField objects (see convarith.studies.receptive_field)")
    a, b = first.rows[-1], second.rows[-1]
    if len(a.size) != len(b.size):
        raise ValueError(f"the branches have {len(a.size)} and {len(b.size)} axes")
    return all(
        sa == sb and Fraction(ra - 1, 2) - pa == Fraction(rb - 1, 2) - pb
        for sa, sb, ra, rb, pa, pb in zip(
            a.stride, b.stride, a.size, b.size, a.padding_offset, b.padding_offset, strict=True
        )
    )
