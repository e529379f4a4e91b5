"""Windows and index maps: which input cells each output cell reads.

This is the one place where the positions of a sliding kernel are worked out. The engine takes
its strided slices from :meth:`AxisWindows.padded_slice`, the matrix view and the animations
read :meth:`WindowMap.reads`; so a picture always shows what the engine computes.

Coordinates are in *input* units: ``-1`` is the first padding cell before the input, ``i`` the
first after it. A cell is ``"input"`` (``0 <= c < i``), ``"padding"`` (inside ``[-pb, i + pe)``)
or ``"overhang"`` (past the padding, reached only by ceil-mode pooling).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from convarith.arithmetic.kernel import effective_kernel_size
from convarith.arithmetic.layer import Layer, LayerError, layer
from convarith.arithmetic.validate import check_bool, shown
from convarith.typing import IntOrTuple, PaddingLike, PadPair

__all__ = ["AxisWindows", "Read", "WindowMap", "window_map"]

CellKind = Literal["input", "padding", "overhang"]


def _tap_slice(offset: int, dilation: int, stride: int, count: int) -> slice:
    """Tap ``offset`` of ``count`` consecutive windows, from the first window's first cell."""
    start = offset * dilation
    return slice(start, start + (count - 1) * stride + 1, stride)


@dataclass(frozen=True)
class AxisWindows:
    """The kernel positions along one axis.

    Attributes
    ----------
    input_size, kernel_size, stride, dilation : int
    padding : (before, after)
    output_size : int
        Number of kernel positions.
    overhang : int
        Units that the last window reaches past ``input_size + after`` (ceil-mode pooling only).
    """

    input_size: int
    kernel_size: int
    stride: int
    padding: PadPair
    dilation: int
    output_size: int

    @property
    def effective_kernel_size(self) -> int:
        """``d*(k - 1) + 1``."""
        return effective_kernel_size(self.kernel_size, self.dilation)

    @property
    def overhang(self) -> int:
        """How far the last window reaches past the padded input (ceil mode)."""
        last = (self.output_size - 1) * self.stride + self.effective_kernel_size
        return max(last - (self.input_size + self.padding[0] + self.padding[1]), 0)

    def padded_slice(self, offset: int) -> slice:
        """The slice, in padded coordinates, that kernel tap ``offset`` reads at every position.

        Padded coordinate ``0`` is the first padding cell; the padded array has
        ``pb + i + pe + overhang`` cells.

        Examples
        --------
        >>> w = window_map(5, 3, stride=2, padding=1).axes[0]
        >>> w.padded_slice(2)  # tap 2 reads padded cells 2, 4 and 6 (input cells 1, 3, 5)
        slice(2, 7, 2)
        """
        return _tap_slice(offset, self.dilation, self.stride, self.output_size)

    def padded_extent(self, start: int = 0, stop: int | None = None) -> slice:
        """The padded cells that output positions ``start .. stop - 1`` read (all taps).

        ``slice(start*s, (stop - 1)*s + ek)`` in padded coordinates. The engine copies these
        cells once per block of outputs and then takes :meth:`block_slice` views of them.

        Examples
        --------
        >>> w = window_map(5, 3, stride=2, padding=1).axes[0]
        >>> w.padded_extent(1, 3)  # outputs 1 and 2 read padded cells 2 to 6
        slice(2, 7, None)
        """
        stop = self.output_size if stop is None else stop
        if not 0 <= start < stop <= self.output_size:
            raise ValueError(f"`start` {start} and `stop` {stop} must satisfy 0 <= start < stop <= {self.output_size}")
        return slice(start * self.stride, (stop - 1) * self.stride + self.effective_kernel_size)

    def block_slice(self, offset: int, start: int = 0, stop: int | None = None) -> slice:
        """What tap ``offset`` reads for outputs ``start .. stop - 1``, relative to :meth:`padded_extent`.

        This is :meth:`padded_slice` of the block of outputs ``start .. stop - 1`` seen on its own:
        ``block_slice(t)`` (the whole axis) equals ``padded_slice(t)``.

        Examples
        --------
        >>> w = window_map(5, 3, stride=2, padding=1).axes[0]
        >>> w.block_slice(2, 1, 3)  # tap 2 of outputs 1, 2: cells 2 and 4 of the extent 2..6
        slice(2, 5, 2)
        """
        stop = self.output_size if stop is None else stop
        return _tap_slice(offset, self.dilation, self.stride, stop - start)

    def padded_sources(self, mode: str = "zeros") -> np.ndarray:
        """Input index that fills each padded cell, ``-1`` for a constant (zero or ``-inf``) cell.

        The padded axis has ``pb + i + pe + overhang`` cells; overhang cells are always ``-1``.

        Parameters
        ----------
        mode : {'zeros', 'reflect', 'replicate', 'circular'}
            PyTorch's padding modes: ``reflect`` mirrors without repeating the edge cell
            (needs ``pb, pe < i``), ``replicate`` repeats the edge cell, ``circular`` wraps around
            (needs ``pb, pe <= i``).

        Notes
        -----
        For input coordinate ``c`` (``-pb <= c < i + pe``): zeros ``c if 0 <= c < i else -1``;
        reflect ``-c`` before and ``2(i - 1) - c`` after; replicate ``clip(c, 0, i - 1)``;
        circular ``c mod i``.

        Examples
        --------
        >>> w = window_map(4, 3, padding=2).axes[0]
        >>> w.padded_sources("reflect").tolist()  # padded cells -2 .. 5
        [2, 1, 0, 1, 2, 3, 2, 1]
        >>> w.padded_sources("zeros").tolist()
        [-1, -1, 0, 1, 2, 3, -1, -1]
        """
        i, (pb, pe) = self.input_size, self.padding
        c = np.arange(-pb, i + pe)
        if mode == "zeros":
            src = np.where((c >= 0) & (c < i), c, -1)
        elif mode == "reflect":
            if max(pb, pe) >= i:
                raise ValueError(
                    f"`padding` {self.padding} must be smaller than the input size {i} for reflect padding"
                )
            src = np.where(c < 0, -c, np.where(c >= i, 2 * (i - 1) - c, c))
        elif mode == "replicate":
            src = np.clip(c, 0, i - 1)
        elif mode == "circular":
            if max(pb, pe) > i:
                raise ValueError(f"`padding` {self.padding} must be at most the input size {i} for circular padding")
            src = c % i
        else:
            raise ValueError(f"`mode` must be one of 'zeros', 'reflect', 'replicate', 'circular'; got {shown(mode)}")
        return np.concatenate([src, np.full(self.overhang, -1, dtype=src.dtype)])

    def indices(self) -> np.ndarray:
        """Input coordinate read by each (output position, kernel tap): shape ``(o, k)``.

        ``indices[o, t] = o*s + t*d - pb``.

        Examples
        --------
        >>> window_map(5, 3, stride=2, padding=1).axes[0].indices()
        array([[-1,  0,  1],
               [ 1,  2,  3],
               [ 3,  4,  5]])
        """
        out = np.arange(self.output_size)[:, None] * self.stride
        return out + np.arange(self.kernel_size)[None, :] * self.dilation - self.padding[0]

    def kind(self, coordinate: int) -> CellKind:
        """Whether an input coordinate is an input, padding or overhang cell."""
        if 0 <= coordinate < self.input_size:
            return "input"
        if -self.padding[0] <= coordinate < self.input_size + self.padding[1]:
            return "padding"
        return "overhang"


@dataclass(frozen=True)
class Read:
    """One input cell read by one output cell.

    Attributes
    ----------
    input : tuple of int
        Input coordinates (may lie in the padding).
    offset : tuple of int
        The kernel tap that reads it.
    kind : {'input', 'padding', 'overhang'}
    """

    input: tuple[int, ...]
    offset: tuple[int, ...]
    kind: CellKind


@dataclass(frozen=True)
class WindowMap:
    """The windows of an N-d convolution or pooling, one :class:`AxisWindows` per axis."""

    axes: tuple[AxisWindows, ...]

    @property
    def output_shape(self) -> tuple[int, ...]:
        """Number of kernel positions along each axis."""
        return tuple(a.output_size for a in self.axes)

    @property
    def kernel_shape(self) -> tuple[int, ...]:
        """Kernel taps along each axis."""
        return tuple(a.kernel_size for a in self.axes)

    def positions(self) -> Iterator[tuple[int, ...]]:
        """Output positions in row-major order (one animation frame each)."""
        return itertools.product(*(range(n) for n in self.output_shape))

    def reads(self, output: tuple[int, ...]) -> list[Read]:
        """The input cells output cell ``output`` reads, in kernel row-major order.

        Examples
        --------
        >>> m = window_map((4, 4), 3)  # no_padding_no_strides
        >>> [r.input for r in m.reads((1, 0))][:3]
        [(1, 0), (1, 1), (1, 2)]
        >>> m = window_map(5, 3, stride=2, padding=1)
        >>> [(r.input, r.kind) for r in m.reads((0,))]
        [((-1,), 'padding'), ((0,), 'input'), ((1,), 'input')]
        """
        if len(output) != len(self.axes) or not all(
            0 <= o < a.output_size for o, a in zip(output, self.axes, strict=False)
        ):
            raise ValueError(f"`output` {shown(output)} is not a position of the output {self.output_shape}")
        reads = []
        for offset in itertools.product(*(range(a.kernel_size) for a in self.axes)):
            coords = tuple(
                o * a.stride + t * a.dilation - a.padding[0] for o, t, a in zip(output, offset, self.axes, strict=True)
            )
            kinds = [a.kind(c) for c, a in zip(coords, self.axes, strict=True)]
            kind: CellKind = "overhang" if "overhang" in kinds else "padding" if "padding" in kinds else "input"
            reads.append(Read(coords, offset, kind))
        return reads

    def readers(self, input: tuple[int, ...]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """The (output position, kernel tap) pairs that read input cell ``input``.

        This is the scatter view of a transposed convolution: input cell ``j`` of the transpose
        adds ``w[t] * y[j]`` to every output ``o`` with ``o*s + t*d - pb == j``.

        Examples
        --------
        >>> window_map(5, 3, stride=2).readers((2,))  # both windows read cell 2
        [((0,), (2,)), ((1,), (0,))]
        """
        per_axis_pairs = []
        for c, a in zip(input, self.axes, strict=True):
            pairs = []
            for o in range(a.output_size):
                t, rest = divmod(c + a.padding[0] - o * a.stride, a.dilation)
                if rest == 0 and 0 <= t < a.kernel_size:
                    pairs.append((o, t))
            per_axis_pairs.append(pairs)
        return [
            (tuple(p[0] for p in combo), tuple(p[1] for p in combo)) for combo in itertools.product(*per_axis_pairs)
        ]


def window_map(
    input_size: IntOrTuple | Layer,
    kernel_size: IntOrTuple | None = None,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    dilation: IntOrTuple = 1,
    *,
    ceil_mode: bool = False,
    pooling: bool = False,
) -> WindowMap:
    """The windows of a convolution (or, with ``pooling=True``, of a pooling layer).

    Parameters
    ----------
    input_size : int, tuple of int, or Layer
        Per spatial axis; or a :class:`~convarith.arithmetic.Layer` with an input size, whose
        windows are returned (the other arguments are then ignored). A transposed convolution's
        windows are those of the convolution it transposes: one per input cell of the transposed
        layer, read from its output (the scatter view, see :meth:`WindowMap.readers`).
    kernel_size, stride, dilation : int or tuple of int
        Per spatial axis.
    padding : int, (before, after) or tuple of those per axis
    ceil_mode : bool
        Pooling only: round the output size up (see :func:`convarith.pool_output_size`).
    pooling : bool
        Use the pooling output-size rule (PyTorch/ONNX arithmetic, without PyTorch's padding limit).

    Returns
    -------
    WindowMap

    Notes
    -----
    Output ``o`` along an axis reads input coordinates ``o*s + t*d - pb`` for ``t = 0..k-1``; the
    number of positions is :func:`convarith.conv_output_size` (or
    :func:`convarith.pool_output_size`).

    Examples
    --------
    >>> m = window_map((5, 5), 3, stride=2, padding=1)  # padding_strides
    >>> m.output_shape
    (3, 3)
    >>> len(m.reads((2, 2)))
    9
    >>> window_map(layer("max_pool", 5, 2, ceil_mode=True)).output_shape  # from a Layer
    (3,)
    """
    if isinstance(input_size, Layer):
        lay = input_size
    else:
        if kernel_size is None:
            raise TypeError("`kernel_size` is required (or pass a Layer as the first argument)")
        ceil_mode, pooling = check_bool(ceil_mode, "ceil_mode"), check_bool(pooling, "pooling")
        if ceil_mode and not pooling:
            raise LayerError("`ceil_mode` applies to pooling only (pass pooling=True)")
        op = "max_pool" if pooling else "conv"
        lay = layer(op, input_size, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode, pool_convention="onnx")
    i, pads, out = lay.input_shape, lay.padding, lay.output_shape
    assert pads is not None
    if lay.op == "conv_transpose":  # the forward convolution: from the transposed output to its input
        i, out = out, i
    return WindowMap(
        tuple(
            AxisWindows(i[x], lay.kernel_size[x], lay.stride[x], pads[x], lay.dilation[x], out[x])
            for x in range(lay.ndim)
        )
    )
