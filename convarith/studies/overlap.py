"""Overlap of a transposed convolution: how many kernel taps write each output cell.

A transposed convolution adds, for every input cell ``j`` and kernel tap ``t``, ``w[t]*x[j]`` onto
output cell ``j*s + t*d - pb`` (per axis). When the kernel is not a multiple of the stride, the
output cells are written by different numbers of (input cell, tap) pairs: with a constant input
and a constant kernel the output is a checkerboard (Odena, Dumoulin and Olah [1]_). When the
stride is larger than the dilated kernel, some output cells are written by nothing at all: gaps.

References
----------
.. [1] A. Odena, V. Dumoulin, C. Olah, "Deconvolution and checkerboard artifacts", Distill, 2016.
   https://distill.pub/2016/deconv-checkerboard/
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from convarith.arithmetic.layer import Layer, layer
from convarith.arithmetic.text import format_param, format_size
from convarith.engine import memory
from convarith.typing import IntOrTuple, PaddingLike

__all__ = ["MAX_PHASES", "overlap", "overlap_phases", "plot_overlap"]

MAX_PHASES = 2**20
"""Largest stride :func:`overlap_phases` lists the phases of (one count per phase)."""


def _transpose_layer(
    layer_or_input: Any,
    kernel_size: IntOrTuple | None,
    stride: IntOrTuple,
    padding: PaddingLike,
    output_padding: IntOrTuple,
    dilation: IntOrTuple,
) -> Layer:
    """The one gate of this module: a sized transposed-convolution Layer."""
    if isinstance(layer_or_input, Layer):
        if kernel_size is not None:
            raise TypeError("`kernel_size` must not be given with a Layer (the layer has its own)")
        lay = layer_or_input
        if lay.op != "conv_transpose":
            raise ValueError(f"`layer` must be a transposed convolution ('conv_transpose'), got {lay.op!r}")
        if lay.input_size is None:
            raise ValueError("`layer` has no input size: build it with one, or use layer.with_input(size)")
        return lay
    if kernel_size is None:
        raise TypeError(
            "overlap() takes a conv_transpose Layer, or input_size and kernel_size "
            f"(got {type(layer_or_input).__name__} and no kernel_size)"
        )
    return layer(
        "conv_transpose", layer_or_input, kernel_size, stride, padding, dilation, output_padding=output_padding
    )


def _axis_counts(i: int, k: int, s: int, d: int, pb: int, o: int) -> np.ndarray:
    """Per axis: for each output cell, the (input cell, tap) pairs with ``j*s + t*d - pb`` on it."""
    counts = np.zeros(o, dtype=np.int64)
    for t in range(k):
        start = t * d - pb  # output cell of input 0 through tap t
        first = max(0, -(start // s))  # first j with j*s + start >= 0
        last = min(i - 1, (o - 1 - start) // s)  # last j with j*s + start <= o - 1
        if first <= last:
            counts[first * s + start : last * s + start + 1 : s] += 1
    return counts


def overlap(
    layer_or_input: Layer | IntOrTuple,
    kernel_size: IntOrTuple | None = None,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    """How many (input cell, kernel tap) pairs write each output cell of a transposed convolution.

    Parameters
    ----------
    layer_or_input : Layer or int or tuple of int
        A ``'conv_transpose'`` :class:`~convarith.arithmetic.Layer` with its input size
        (:func:`convarith.arithmetic.layer`), or the input size, followed by the other arguments
        as :func:`convarith.conv_transpose` takes them.
    kernel_size, stride, padding, output_padding, dilation
        Only without a Layer.

    Returns
    -------
    ndarray of int64, shape (*output_size)
        ``output_size`` is the layer's (relationship 14 of the guide). For an input of ones and a
        kernel of ones this is the transposed convolution's output, ``conv_transpose(ones, ones)``.

    Raises
    ------
    ValueError
        If the layer is not a transposed convolution, has no input size, or its output has more
        cells than ``MAX_TEMPORARY_BYTES / 8`` (:mod:`convarith.engine.memory`).
    TypeError
        If both a Layer and a ``kernel_size`` are given, or neither.

    Notes
    -----
    Input cell ``j`` and tap ``t`` write output cell ``o = j*s + t*d - pb`` on each axis, so the
    count is a product over the axes of ``c(o) = #{(j, t): j*s + t*d - pb = o, 0 <= j < i',
    0 <= t < k}``. Away from the edges ``c`` depends on ``o mod s`` only
    (:func:`overlap_phases`): it is the same everywhere exactly when the taps' offsets ``t*d`` fall
    evenly on the ``s`` residues, which for ``d = 1`` means ``k`` divisible by ``s``. Otherwise a
    constant input comes out as a checkerboard, and when a residue gets no tap (``s > d*(k - 1) + 1``,
    or a dilation that keeps the taps on some residues) those cells are gaps: zero whatever the
    input. Time ``O(k)`` array operations per axis; memory the output.

    References
    ----------
    .. [1] A. Odena, V. Dumoulin, C. Olah, "Deconvolution and checkerboard artifacts", Distill, 2016.

    Examples
    --------
    >>> overlap(3, 3, stride=2)  # input 0 writes 0..2, input 1 writes 2..4, input 2 writes 4..6
    array([1, 1, 2, 1, 2, 1, 1])
    >>> overlap(3, 4, stride=2, padding=1)  # [1 1 2 2 2 2 1 1] with one cell cropped at each end
    array([1, 2, 2, 2, 2, 1])
    >>> overlap(3, 2, stride=3)  # stride 3 > kernel 2: every third cell is a gap
    array([1, 1, 0, 1, 1, 0, 1, 1])
    >>> overlap(layer("conv_transpose", (2, 2), 3, stride=2))  # 2-D: the outer product of the axes
    array([[1, 1, 2, 1, 1],
           [1, 1, 2, 1, 1],
           [2, 2, 4, 2, 2],
           [1, 1, 2, 1, 1],
           [1, 1, 2, 1, 1]])
    """
    lay = _transpose_layer(layer_or_input, kernel_size, stride, padding, output_padding, dilation)
    out = lay.output_shape
    cells = int(np.prod(out, dtype=object))
    if cells * 8 > memory.MAX_TEMPORARY_BYTES:
        raise ValueError(
            f"the output {format_size(out)} has {cells} cells: more than MAX_TEMPORARY_BYTES / 8 = "
            f"{memory.MAX_TEMPORARY_BYTES // 8} (convarith.engine.memory); the counts are the outer product "
            "of the axes' counts, see overlap_phases"
        )
    axes = [
        _axis_counts(i, k, s, d, pb, o)
        for i, k, s, d, (pb, _), o in zip(
            lay.input_shape, lay.kernel_size, lay.stride, lay.dilation, lay.pads, out, strict=True
        )
    ]
    result = axes[0]
    for counts in axes[1:]:
        result = np.multiply.outer(result, counts)
    return result


def overlap_phases(layer_or_input: Layer | IntOrTuple, *args: Any, **kwargs: Any) -> tuple[tuple[int, ...], ...]:
    """Taps writing each output cell away from the edges, by the cell's phase ``o mod s``, per axis.

    Parameters
    ----------
    layer_or_input, *args, **kwargs
        As :func:`overlap`.

    Returns
    -------
    tuple of tuple of int
        One tuple per axis, of length ``s``: entry ``r`` is the number of taps ``t`` with
        ``(t*d - pb) mod s = r``, the count of every output cell ``o`` with ``o mod s = r`` whose
        writers are all inside the input. An interior cell's count in N-d is the product over
        the axes.

    Notes
    -----
    Even overlap on an axis: all ``s`` entries equal (``k`` divisible by ``s`` when ``d = 1``).
    Gaps: some entry is 0 (always when ``s > d*(k - 1) + 1``). Taps ``t`` and ``t + s/gcd(d, s)``
    share a phase, so the count takes ``min(k, s)`` steps per axis, whatever ``k``; strides above
    :data:`MAX_PHASES` are refused.

    Examples
    --------
    >>> overlap_phases(4, 3, stride=2)  # k=3, s=2: even cells get taps 0 and 2, odd cells tap 1
    ((2, 1),)
    >>> overlap_phases(4, (4, 2), stride=(2, 3))  # k=4 s=2: even; k=2 s=3: cells with o mod 3 = 2 get none
    ((2, 2), (1, 1, 0))
    """
    lay = _transpose_layer(layer_or_input, *_overlap_arguments(*args, **kwargs))
    result = []
    for axis, (k, s, d, (pb, _)) in enumerate(zip(lay.kernel_size, lay.stride, lay.dilation, lay.pads, strict=True)):
        if s > MAX_PHASES:
            where = "" if lay.ndim == 1 else f" on axis {axis}"
            raise ValueError(f"`stride` {s}{where} has more phases than MAX_PHASES = {MAX_PHASES}")
        phases = [0] * s
        period = s // math.gcd(d, s)  # taps t and t + period land on the same phase
        for t in range(min(k, period)):
            phases[(t * d - pb) % s] += (k - 1 - t) // period + 1
        result.append(tuple(phases))
    return tuple(result)


def _overlap_arguments(
    kernel_size: IntOrTuple | None = None,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> tuple[Any, ...]:
    return kernel_size, stride, padding, output_padding, dilation


def plot_overlap(layer_or_input: Layer | IntOrTuple, *args: Any, ax: Any = None, **kwargs: Any) -> Any:
    """A heat map of :func:`overlap` with the count written in every cell.

    Parameters
    ----------
    layer_or_input, *args, **kwargs
        As :func:`overlap` (1 or 2 spatial axes).
    ax : matplotlib Axes, optional
        Drawn into a new figure when omitted.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    The title gives the layer and the interior counts per phase (:func:`overlap_phases`); a 1-D
    layer is drawn as one row. matplotlib is imported here only, so ``import convarith`` needs
    NumPy alone.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_overlap(3, (3, 3), stride=2)
    >>> [t.get_text() for t in ax.texts][:7]  # the first output row: 1 1 2 1 2 1 1
    ['1', '1', '2', '1', '2', '1', '1']
    """
    import matplotlib.pyplot as plt

    lay = _transpose_layer(layer_or_input, *_overlap_arguments(*args, **kwargs))
    if lay.ndim > 2:
        raise ValueError(f"plot_overlap draws 1 or 2 spatial axes, the layer has {lay.ndim}")
    counts = overlap(lay)
    grid = counts[None, :] if counts.ndim == 1 else counts
    if ax is None:
        _, ax = plt.subplots(figsize=(min(0.45 * grid.shape[1] + 1.5, 10), min(0.45 * grid.shape[0] + 1.5, 8)))
    top = max(int(grid.max()), 1)
    image = ax.imshow(grid, cmap="viridis", vmin=0, vmax=top)
    if grid.size <= 900:
        for (row, col), value in np.ndenumerate(grid):
            ax.text(col, row, str(value), ha="center", va="center", color="white" if value < top * 0.6 else "black")
    ax.set_xticks([])
    ax.set_yticks([])
    phases = " × ".join(str(list(p)) for p in overlap_phases(lay))
    ax.set_title(
        f"overlap: k={format_param(lay.kernel_size)}, s={format_param(lay.stride)}"
        + (f", d={format_param(lay.dilation)}" if any(d != 1 for d in lay.dilation) else "")
        + f"\ninterior taps by phase {phases}",
        fontsize=10,
    )
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="(input cell, tap) pairs")
    return ax
