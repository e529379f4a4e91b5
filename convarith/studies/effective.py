"""The effective receptive field: how much each input cell moves one output cell.

Luo, Li, Urtasun and Zemel [1]_ measure the gradient of one output unit with respect to the input.
Inside the theoretical receptive field (the box of :func:`convarith.studies.receptive_field`) it is
far from uniform: for a stack of convolutions with all-ones weights it is the repeated convolution
of box filters, which tends to a Gaussian whose width grows like the square root of the depth
while the box grows linearly. This module computes that gradient with the engine's own adjoint,
layer by layer, and the share of the box that holds most of it.

References
----------
.. [1] W. Luo, Y. Li, R. Urtasun, R. Zemel, "Understanding the effective receptive field in deep
   convolutional neural networks", NeurIPS 2016. arXiv:1701.04128
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from convarith.arithmetic.english import cell_name, plural
from convarith.arithmetic.layer import Layer
from convarith.arithmetic.text import format_param, format_size
from convarith.arithmetic.validate import check_int, is_sequence, per_axis
from convarith.engine import memory
from convarith.engine.transpose import conv_transpose
from convarith.studies.receptive import ReceptiveField, broadcast_layer, receptive_field
from convarith.typing import IntOrTuple

__all__ = [
    "MASS_LEVELS",
    "EffectiveField",
    "EffectiveGrowth",
    "effective_growth",
    "effective_receptive_field",
    "plot_effective_field",
    "plot_effective_growth",
]

MASS_LEVELS: tuple[float, ...] = (0.5, 0.9, 0.99)
"""The shares of the gradient's mass :attr:`EffectiveField.shares` reports."""


@dataclass(frozen=True, eq=False)
class EffectiveField:
    """The gradient of one output cell over the input, with the theoretical box it lies in.

    Attributes
    ----------
    gradient : ndarray of float64, shape (*input_size)
        ``d y[output_cell] / d x`` for all-ones weights and no bias (one channel).
    output_cell : tuple of int
    field : ReceptiveField
        :func:`convarith.studies.receptive_field` of the stack on this input.
    box : tuple of range
        The input cells of the theoretical field, clipped to the input
        (:meth:`ReceptiveField.input_range`).
    notes : tuple of str
        What the computation assumed (max pools as their windows, ...).
    exponent : int
        The true gradient is ``gradient * 10**exponent``: 0 unless its values pass float64's
        range (``k**n`` paths through ``n`` layers of ``k`` taps), then the notes say so too.

    Examples
    --------
    >>> from convarith.studies import layer
    >>> erf = effective_receptive_field([layer("conv", 3)] * 2, 5)  # two 3-wide box filters
    >>> erf.gradient  # [1, 1, 1] * [1, 1, 1]
    array([1., 2., 3., 2., 1.])
    >>> erf.box, erf.shares  # 50 %: cells 2, 3 (5 of 9); 90 % (8.1 of 9): four cells hold 8, so all five
    ((range(0, 5),), {0.5: 0.4, 0.9: 1.0, 0.99: 1.0})
    """

    gradient: np.ndarray
    output_cell: tuple[int, ...]
    field: ReceptiveField
    box: tuple[range, ...]
    notes: tuple[str, ...]
    exponent: int = 0

    @property
    def box_cells(self) -> int:
        """Number of input cells in :attr:`box`."""
        return math.prod(len(r) for r in self.box)

    def cells_holding(self, level: float) -> int:
        """The fewest input cells whose gradients add up to ``level`` of the total (largest first).

        Examples
        --------
        >>> from convarith.studies import layer
        >>> effective_receptive_field([layer("conv", 3)] * 2, 5).cells_holding(0.5)  # 3 + 2 = 5 of 9
        2
        """
        if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level <= 1:
            raise ValueError(f"`level` must be a number in (0, 1], got {level!r}")
        values = np.sort(self.gradient, axis=None)[::-1]
        total = float(values.sum())
        if total == 0:
            return 0
        cumulative = np.cumsum(values)
        # a relative tolerance: the sums are of float64 partial products
        return int(np.searchsorted(cumulative, level * total * (1 - 1e-12)) + 1)

    def share(self, level: float) -> float:
        """The fraction of the box's cells that holds ``level`` of the gradient's mass (NaN for an empty box)."""
        cells = self.cells_holding(level)
        return cells / self.box_cells if self.box_cells else math.nan  # an output reading padding only

    @property
    def shares(self) -> dict[float, float]:
        """:meth:`share` at each of :data:`MASS_LEVELS` (50 %, 90 %, 99 %)."""
        return {level: self.share(level) for level in MASS_LEVELS}

    @property
    def spread(self) -> tuple[float, ...]:
        """The gradient's standard deviation along each axis, in input cells (its mass as a distribution)."""
        total = float(self.gradient.sum())
        if total == 0:  # an output that reads padding only
            return (math.nan,) * self.gradient.ndim
        result = []
        for axis in range(self.gradient.ndim):
            others = tuple(a for a in range(self.gradient.ndim) if a != axis)
            marginal = self.gradient.sum(axis=others) / total
            coords = np.arange(marginal.size)
            mean = float((coords * marginal).sum())
            result.append(math.sqrt(float(((coords - mean) ** 2 * marginal).sum())))
        return tuple(result)

    def __repr__(self) -> str:
        box = " × ".join(f"{r.start}..{r.stop - 1}" if len(r) else "empty" for r in self.box)
        shares = ", ".join(f"{level:.0%}: {share:.1%}" for level, share in self.shares.items())
        lines = [
            f"effective receptive field of output {cell_name(self.output_cell)} "
            f"on input {format_size(self.gradient.shape)}",
            f"theoretical box {box} ({plural(self.box_cells, 'cell')}); share of the box holding {shares}",
            "spread (std, cells): " + ", ".join(f"{s:.2f}" for s in self.spread),
        ]
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


def _adjoint(lay: Layer, grad: np.ndarray, count_include_pad: bool) -> np.ndarray:
    """``L^T grad`` for one layer ``L`` with all-ones weights: the engine's transposed convolution."""
    i, out, pads = lay.input_shape, lay.output_shape, lay.pads
    crops, extra = [], []
    for ii, o, s, ek, (pb, _) in zip(i, out, lay.stride, lay.effective_kernel_size, pads, strict=True):
        after = (o - 1) * s + ek - pb - ii  # window cells past the input's end (padding, ceil overhang)
        crops.append((pb, max(after, 0)))
        extra.append(max(-after, 0))  # input cells past the last window: no gradient, fill with zeros
    if lay.op == "avg_pool":
        divisor = np.ones((), dtype=np.float64)
        for ii, o, s, k, d, (pb, pe) in zip(i, out, lay.stride, lay.kernel_size, lay.dilation, pads, strict=True):
            cells = np.arange(o)[:, None] * s - pb + np.arange(k)[None, :] * d
            low, high = (-pb, ii + pe) if count_include_pad else (0, ii)
            divisor = np.multiply.outer(divisor, ((cells >= low) & (cells < high)).sum(axis=1))
        if not divisor.all():
            raise ValueError(
                f"an average-pool window of {lay.op} k={format_param(lay.kernel_size)} reads padding only, and "
                "`count_include_pad` is False: its divisor is 0 (PyTorch and the engine refuse it too)"
            )
        grad = grad / divisor
    ones = np.ones((1, 1, *lay.kernel_size))
    # output_padding may be at most s - 1 (and is here: the floor drops fewer than s cells)
    result = conv_transpose(
        grad[None, None],
        ones,
        stride=lay.stride,
        padding=tuple(crops),
        output_padding=tuple(extra),
        dilation=lay.dilation,
    )
    return np.asarray(result, dtype=np.float64)[0, 0]


def effective_receptive_field(
    stack: Sequence[Layer],
    input_size: IntOrTuple,
    output_cell: IntOrTuple | None = None,
    *,
    count_include_pad: bool = True,
) -> EffectiveField:
    """The gradient of one output cell with respect to the input, for all-ones weights and no bias.

    Parameters
    ----------
    stack : sequence of Layer
        As :func:`convarith.studies.receptive_field` takes it (from :func:`convarith.studies.layer`
        or :func:`convarith.arithmetic.layer`: convolutions and poolings). For a network without
        branches, the layers of an ``inspect`` report: ``[row.layer for row in report.layers]``
        with ``report.input_size``.
    input_size : int or tuple of int
        The stack's input size.
    output_cell : int or tuple of int, optional
        Default: the centre, ``o // 2`` on every axis.
    count_include_pad : bool
        Average pools: whether padding cells count in the divisor (PyTorch's default).

    Returns
    -------
    EffectiveField
        The gradient over the input, the theoretical box, the shares of the box holding 50 %,
        90 % and 99 % of the mass, and notes.

    Raises
    ------
    ValueError
        On an empty stack, a transposed convolution, an output cell outside the output, or an
        input larger than ``MAX_TEMPORARY_BYTES / 8`` cells.

    Notes
    -----
    For a linear stack ``y = L_n ... L_1 x`` the gradient of ``y[c]`` is
    ``L_1^T ... L_n^T e_c``: one-hot at ``c``, taken back through each layer's adjoint. With
    all-ones weights the adjoint of a convolution (stride ``s``, dilation ``d``, padding
    ``(pb, pe)``) is :func:`convarith.conv_transpose` of ones with the same ``s`` and ``d``,
    cropping ``pb`` before and the cells past the input after (input cells no window reaches get
    zero). An average pool is a convolution with weights ``1/D`` per window (``D`` its divisor);
    a max pool's gradient depends on its input (it flows to each window's maximum), so a max
    (or power-average) pool is taken as the sum over its windows, and the notes say so. Channels
    are left out: with ``C`` all-ones channels per layer the gradient is scaled by a constant,
    its shape is the same. Without non-linearities this is Luo et al.'s uniform-weight case [1]_:
    for ``n`` stride-1 layers of width ``k`` it is the ``n``-fold convolution of ``k`` ones, with
    variance ``n (k^2 - 1)/12`` per axis (a Gaussian in the limit), while the box is
    ``n (k - 1) + 1`` wide.

    References
    ----------
    .. [1] W. Luo, Y. Li, R. Urtasun, R. Zemel, "Understanding the effective receptive field in
       deep convolutional neural networks", NeurIPS 2016.

    Examples
    --------
    >>> from convarith.studies import layer
    >>> effective_receptive_field([layer("conv", 3, padding=1)] * 3, 9).gradient  # 1 2 3 2 1 * 1 1 1
    array([0., 1., 3., 6., 7., 6., 3., 1., 0.])
    >>> effective_receptive_field([layer("conv", 3, stride=2)], 5, output_cell=1).gradient  # window 2..4
    array([0., 0., 1., 1., 1.])
    >>> erf = effective_receptive_field([layer("conv", 2), layer("max_pool", 2)], 5)  # one-sided: cells 1..3
    >>> erf.gradient
    array([0., 0., 1., 2., 1.])
    >>> erf.notes
    ('max pools are taken as the sum over their windows (their gradient depends on the input)',)
    """
    # Argument checks (the stack's own checks are receptive_field's).
    if output_cell is not None and not is_sequence(output_cell):
        check_int(output_cell, "output_cell")
    field = _checked_field(stack, input_size, count_include_pad)
    out = field.rows[-1].output_size
    assert out is not None
    cell = _output_cell(output_cell, out)

    # Back through the stack: one-hot at the output cell, then each layer's adjoint.
    grad = np.zeros(out, dtype=np.float64)
    grad[cell] = 1.0
    exponent = 0
    for row in reversed(field.rows):
        grad = _adjoint(row.layer, grad, count_include_pad)
        peak = float(np.abs(grad).max()) if grad.size else 0.0
        if peak > 1e150 or 0 < peak < 1e-150:  # keep far from float64's range: one layer multiplies by at most its taps
            shift = math.floor(math.log10(peak))
            grad /= 10.0**shift
            exponent += shift
    notes = _notes(field)
    box = field.input_range(cell if len(cell) > 1 or not field.scalar else cell[0])
    box = box if isinstance(box, tuple) else (box,)
    if exponent:
        notes.append(f"the gradient is divided by 1e{exponent} (its true values pass float64's range)")
    return EffectiveField(grad, cell, field, box, tuple(notes), exponent)


def _checked_field(stack: Sequence[Layer], input_size: IntOrTuple, count_include_pad: bool) -> ReceptiveField:
    """The stack's receptive field on ``input_size``, the input's size and ``count_include_pad`` checked."""
    if is_sequence(input_size) and is_sequence(stack) and not isinstance(stack, Layer):
        # layers given with ints spread over the input's axes (as Layer.with_input spreads them)
        axes = len(cast(Sequence[int], input_size))
        stack = [broadcast_layer(lay, axes) if isinstance(lay, Layer) and lay.scalar else lay for lay in stack]
    field = receptive_field(stack, input_size)
    sizes = field.rows[0].input_size
    assert sizes is not None
    cells = math.prod(sizes)
    if cells * 8 > memory.MAX_TEMPORARY_BYTES:
        raise ValueError(
            f"`input_size` {format_size(sizes)} has {cells} cells: more than MAX_TEMPORARY_BYTES / 8 = "
            f"{memory.MAX_TEMPORARY_BYTES // 8} (convarith.engine.memory)"
        )
    if not isinstance(count_include_pad, bool):
        raise TypeError(f"`count_include_pad` must be a bool, got {type(count_include_pad).__name__}")
    return field


def _output_cell(output_cell: IntOrTuple | None, out: tuple[int, ...]) -> tuple[int, ...]:
    """The output cell, one index per axis inside the output (default: the centre)."""
    if output_cell is None:
        return tuple(o // 2 for o in out)
    if is_sequence(output_cell):
        given = cast(Sequence[int], output_cell)
        if len(given) != len(out):
            raise ValueError(f"`output_cell` must have one entry per axis ({len(out)}), got {tuple(given)!r}")
    cell = per_axis(output_cell, "output_cell", len(out), minimum=None)
    for axis, (c, o) in enumerate(zip(cell, out, strict=True)):
        if not 0 <= c < o:
            where = "" if len(out) == 1 else f" on axis {axis}"
            raise ValueError(f"`output_cell` {c} is outside the output [0, {o - 1}]{where}")
    return cell


def _notes(field: ReceptiveField) -> list[str]:
    """What the gradient assumes of the stack's layers."""
    notes: list[str] = []
    ops = {row.layer.op for row in field.rows}
    if "max_pool" in ops:
        notes.append("max pools are taken as the sum over their windows (their gradient depends on the input)")
    if "lp_pool" in ops:
        notes.append(
            "power-average pools are taken as the sum over their windows (their gradient depends on the input)"
        )
    if any(row.layer.groups != 1 for row in field.rows):
        notes.append("groups are left out: one channel per layer (the gradient's shape is the same)")
    return notes


def plot_effective_field(result: EffectiveField, ax: Any = None) -> Any:
    """The gradient as a heat map with the theoretical box drawn on it, and the shares in the title.

    Parameters
    ----------
    result : EffectiveField
        1 or 2 spatial axes (1-D is drawn as a curve over the box).
    ax : matplotlib Axes, optional
        Drawn into a new figure when omitted.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    The box is :attr:`EffectiveField.box` (the theoretical field clipped to the input); the title
    gives the share of the box that holds 50 %, 90 % and 99 % of the gradient's mass. matplotlib
    is imported here only, so ``import convarith`` needs NumPy alone.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from convarith.studies import layer
    >>> ax = plot_effective_field(effective_receptive_field([layer("conv", 3)] * 4, (9, 9)))
    >>> ax.patches[0].get_width(), ax.patches[0].get_height()  # the box: 9 x 9 cells
    (9, 9)
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    if not isinstance(result, EffectiveField):
        raise TypeError(
            f"`result` must be an EffectiveField from effective_receptive_field(), got {type(result).__name__}"
        )
    grad = result.gradient
    if grad.ndim > 2:
        raise ValueError(f"plot_effective_field draws 1 or 2 spatial axes, the input has {grad.ndim}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.5))
    if grad.ndim == 1:
        ax.bar(np.arange(grad.size), grad / grad.sum(), width=1.0, color="tab:blue")
        (rows,) = result.box
        ax.add_patch(
            Rectangle(
                (rows.start - 0.5, 0), len(rows), float((grad / grad.sum()).max()) * 1.05, fill=False, ec="red", lw=2
            )
        )
        ax.set_xlabel("input cell")
        ax.set_ylabel("share of the gradient")
    else:
        image = ax.imshow(grad / grad.sum(), cmap="magma")
        rows, cols = result.box
        ax.add_patch(Rectangle((cols.start - 0.5, rows.start - 0.5), len(cols), len(rows), fill=False, ec="cyan", lw=2))
        ax.figure.colorbar(image, ax=ax, shrink=0.8, label="share of the gradient")
        ax.set_xticks([])
        ax.set_yticks([])
    shares = ", ".join(f"{level:.0%} in {share:.0%}" for level, share in result.shares.items())
    ax.set_title(f"effective field in the box ({plural(result.box_cells, 'cell')}):\n{shares} of the box", fontsize=10)
    return ax


@dataclass(frozen=True)
class EffectiveGrowth:
    """Theoretical and effective field sizes of stacks of growing depth (:func:`effective_growth`).

    Attributes
    ----------
    kernel_size : int
    depths : tuple of int
    box : tuple of int
        ``r0 = n (k - 1) + 1``: the theoretical field, linear in the depth ``n``.
    spread : tuple of float
        The gradient's standard deviation in input cells, ``sqrt(n (k^2 - 1)/12)``.
    share_90 : tuple of float
        Share of the box holding 90 % of the mass: shrinks like ``1/sqrt(n)``.

    Examples
    --------
    >>> growth = effective_growth((1, 4), kernel_size=3)
    >>> growth.box, [round(s, 3) for s in growth.spread]  # sqrt(2/3) = 0.816, sqrt(8/3) = 1.633
    ((3, 9), [0.816, 1.633])
    """

    kernel_size: int
    depths: tuple[int, ...]
    box: tuple[int, ...]
    spread: tuple[float, ...]
    share_90: tuple[float, ...]

    def __repr__(self) -> str:
        lines = [
            f"stacks of {self.kernel_size}-wide convolutions, all-ones weights (1-D; 2-D is the outer product)",
            f"{'depth':>5}  {'box':>5}  {'spread':>7}  {'spread/sqrt(n)':>14}  {'90 % in':>8}",
        ]
        for n, r, s, share in zip(self.depths, self.box, self.spread, self.share_90, strict=True):
            lines.append(f"{n:>5}  {r:>5}  {s:>7.2f}  {s / math.sqrt(n):>14.3f}  {share:>8.1%}")
        return "\n".join(lines)


def effective_growth(depths: Sequence[int] = (1, 2, 4, 8, 16, 32), kernel_size: int = 3) -> EffectiveGrowth:
    """The box grows linearly with depth, the effective field like its square root.

    Parameters
    ----------
    depths : sequence of int
        Numbers of stacked stride-1 convolutions (each at least 1, at most 1024).
    kernel_size : int
        Their width (2 to 33).

    Returns
    -------
    EffectiveGrowth
        Its ``repr`` is a table: depth, box, spread, spread / sqrt(depth), share of the box with
        90 % of the mass.

    Notes
    -----
    Each stack is ``n`` unpadded 1-D convolutions of width ``k`` on an input of exactly
    ``r0 = n (k - 1) + 1`` cells (so the output is one cell and the box is the whole input);
    :func:`effective_receptive_field` gives the gradient. It is the distribution of a sum of ``n``
    independent uniform variables on ``{0, ..., k - 1}``, so its standard deviation is
    ``sqrt(n (k^2 - 1)/12)`` (Luo et al. [1]_): ``spread / sqrt(n)`` is constant, and the share
    of the box that holds most of the mass falls like ``1/sqrt(n)``.

    References
    ----------
    .. [1] W. Luo, Y. Li, R. Urtasun, R. Zemel, "Understanding the effective receptive field in
       deep convolutional neural networks", NeurIPS 2016.

    Examples
    --------
    >>> effective_growth((1, 2, 8))  # (1 + x + x²)^8: the 8 largest of 17 coefficients hold 5981 of 6561
    ... # doctest: +NORMALIZE_WHITESPACE
    stacks of 3-wide convolutions, all-ones weights (1-D; 2-D is the outer product)
    depth    box   spread  spread/sqrt(n)   90 % in
        1      3     0.82           0.816    100.0%
        2      5     1.15           0.816    100.0%
        8     17     2.31           0.816     47.1%
    """
    from convarith.studies.receptive import layer

    kernel = check_int(kernel_size, "kernel_size")
    if not 2 <= kernel <= 33:
        raise ValueError(f"`kernel_size` must be in [2, 33] (a 1-wide kernel has no field to grow), got {kernel}")
    if isinstance(depths, int) or not is_sequence(depths) or len(depths) == 0:
        raise TypeError(f"`depths` must be a non-empty sequence of int, got {depths!r}")
    ns = tuple(check_int(n, f"depths[{index}]") for index, n in enumerate(depths))
    for index, n in enumerate(ns):
        if not 1 <= n <= 1024:  # bounded time: at most 1024 layers of 33 taps over 32769 cells
            raise ValueError(f"`depths[{index}]` must be in [1, 1024], got {n}")
    boxes, spreads, shares = [], [], []
    for n in ns:
        r0 = n * (kernel - 1) + 1
        erf = effective_receptive_field([layer("conv", kernel)] * n, r0)
        boxes.append(r0)
        spreads.append(erf.spread[0])
        shares.append(erf.share(0.9))
    return EffectiveGrowth(kernel, ns, tuple(boxes), tuple(spreads), tuple(shares))


def plot_effective_growth(growth: EffectiveGrowth, ax: Any = None) -> Any:
    """The box and the effective field (two standard deviations) against depth.

    Parameters
    ----------
    growth : EffectiveGrowth
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    matplotlib is imported here only.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> [line.get_label() for line in plot_effective_growth(effective_growth((1, 2, 4))).get_lines()]
    ['theoretical box r0', 'effective: 2 × spread']
    """
    import matplotlib.pyplot as plt

    if not isinstance(growth, EffectiveGrowth):
        raise TypeError(f"`growth` must be an EffectiveGrowth from effective_growth(), got {type(growth).__name__}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(growth.depths, growth.box, "o-", label="theoretical box r0")
    ax.plot(growth.depths, [2 * s for s in growth.spread], "s--", label="effective: 2 × spread")
    ax.set_xlabel("depth n (stacked convolutions)")
    ax.set_ylabel("input cells")
    ax.set_title(f"{growth.kernel_size}-wide convolutions: r0 grows like n, the spread like sqrt(n)", fontsize=10)
    ax.legend()
    return ax
