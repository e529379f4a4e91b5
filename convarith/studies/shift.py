"""The shift problem of even kernels and information erosion, measured with the engine.

With one-sided padding an even kernel moves the feature map half a unit per layer along every
axis; symmetric padding (:func:`convarith.engine.symmetric_pad`) cancels it. This module measures
the shift of a stack of layers by running the engine on a delta image (:func:`measure_shift`,
:func:`shift_table`) and reproduces the paper's information-erosion experiment
(:func:`erosion`, :func:`plot_erosion`).

References
----------
.. [1] S. Wu, G. Wang, P. Tang, F. Chen, L. Shi, "Convolution with even-sized kernels and
   symmetric padding", NeurIPS 2019.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from convarith.arithmetic.english import plural
from convarith.arithmetic.padding import CONVENTIONS, same_padding
from convarith.arithmetic.text import format_pad, format_padding, format_param, format_size
from convarith.arithmetic.validate import check_minimum, is_sequence, per_axis
from convarith.engine.convolution import conv
from convarith.engine.symmetric import even_kernel_size, symmetric_groups
from convarith.testing import random_array

__all__ = [
    "EROSION_STACKS",
    "ErosionCurves",
    "ShiftMeasurement",
    "ShiftTable",
    "erosion",
    "measure_shift",
    "plot_erosion",
    "shift_table",
]

# --- The shift problem: measured by running the engine ------------------------------------------


@dataclass(frozen=True)
class ShiftMeasurement:
    """How far a stack of identical layers moves a feature map, measured on a delta image.

    Attributes
    ----------
    kernel_size : tuple of int
        Per axis.
    padding : str
        ``'symmetric'`` or the 'same' convention used (see :data:`convarith.arithmetic.CONVENTIONS`).
    pads : tuple of (before, after)
        The first layer's padding per axis (``symmetric``: group 0's).
    per_layer : tuple of tuple of Fraction
        ``per_layer[n - 1][axis]``: the centroid displacement after ``n`` layers, in array
        indices (negative: towards index 0, i.e. up/left). Exact rationals.
    output_shape : tuple of int
        Spatial shape after the last layer (the input is ``input_shape``).
    input_shape : tuple of int

    Examples
    --------
    >>> m = measure_shift(2, "tensorflow", layers=2, ndim=1)
    >>> m.label, m.pads, m.per_layer
    ('C2', ((0, 1),), ((Fraction(-1, 2),), (Fraction(-1, 1),)))
    """

    kernel_size: tuple[int, ...]
    padding: str
    pads: tuple[tuple[int, int], ...]
    per_layer: tuple[tuple[Fraction, ...], ...]
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]

    @property
    def label(self) -> str:
        """``'C2'``, ``'C4sp'``, ... (``C`` and the kernel size; ``sp``: symmetric padding)."""
        k = format_param(self.kernel_size)
        return f"C{k}sp" if self.padding == "symmetric" else f"C{k}"

    @property
    def layers(self) -> int:
        """Number of layers in the stack."""
        return len(self.per_layer)

    @property
    def displacement(self) -> tuple[Fraction, ...]:
        """Centroid displacement per axis after the whole stack."""
        return self.per_layer[-1]

    def __repr__(self) -> str:
        pads = _pads_text(self)
        how = "symmetric groups" if self.padding == "symmetric" else self.padding
        steps = " ".join(_fraction_text(row[0]) for row in self.per_layer)
        axes = "every axis" if all(len(set(row)) == 1 for row in self.per_layer) else "axis 0"
        return (
            f"{self.label} ({how}, pads {pads}): centroid moves {_fraction_text(self.displacement[0])} "
            f"after {plural(self.layers, 'layer')} ({axes}; per layer: {steps})"
        )


def _fraction_text(value: Fraction) -> str:
    return f"{float(value):+g}"


def _centroid(y: np.ndarray) -> tuple[Fraction, ...]:
    """Exact centroid (array indices) of a non-negative integer array of spatial shape."""
    total = int(y.sum(dtype=object))
    result = []
    for axis in range(y.ndim):
        others = tuple(a for a in range(y.ndim) if a != axis)
        marginal = y.sum(axis=others, dtype=object) if others else y.astype(object)
        moment = sum(int(m) * index for index, m in enumerate(marginal))
        result.append(Fraction(moment, total))
    return tuple(result)


def _check_padding_name(padding: str) -> str:
    options = ("symmetric", *CONVENTIONS)
    if not isinstance(padding, str) or padding not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"`padding` must be one of {listed}; got {padding!r}")
    return padding


def measure_shift(
    kernel_size: int | tuple[int, ...], padding: str = "tensorflow", layers: int = 4, *, ndim: int = 2
) -> ShiftMeasurement:
    """Centroid displacement of a stack of ``layers`` stride-1 layers, measured with the engine.

    A delta image (one unit at the centre of every channel) goes through ``layers``
    convolutions with all-ones kernels (exact integers), each padded by ``padding``; the exact
    centroid of the output is compared with the centre after every layer.

    Parameters
    ----------
    kernel_size : int or tuple of int
        Per axis (an int: the same on each of ``ndim`` axes).
    padding : str
        ``'symmetric'`` (:func:`symmetric_pad`, even kernels) or a 'same' convention of
        :data:`convarith.arithmetic.CONVENTIONS` (``'tensorflow'``, ``'same_lower'``, ``'pytorch'``,
        ``'caffe'``, ``'valid'``, ``'full'``, ...), applied afresh at every layer.
    layers : int
        Number of layers ``n``.
    ndim : int
        Number of spatial axes when ``kernel_size`` is an int.

    Returns
    -------
    ShiftMeasurement
        ``per_layer[n - 1]`` is the exact displacement after ``n`` layers, per axis.

    Raises
    ------
    ValueError
        For an unknown padding, an odd kernel with ``'symmetric'``, or a stack whose exact integer
        sums would overflow int64 (``C * (C * prod(k))**n >= 2**62`` with ``C = 2**ndim``).

    Notes
    -----
    With ``C = 2**ndim`` channels (one per symmetric group) and all-ones ``(C, C, *k)`` kernels,
    the output is a non-negative integer array and its centroid along an axis is the exact
    rational ``sum_p p * F_n(p) / sum_p F_n(p)``. One-sided padding ``(k/2 - 1, k/2)`` of an even
    kernel reads ``x[y - k/2 + 1 .. y + k/2]``, centred at ``y + 1/2``: after ``n`` layers
    ``F_n[p - n/2] ≈ F_0[p]`` on every axis [1]_. Odd kernels with ``(k - 1)/2`` on both sides,
    and symmetric padding, do not move the centroid at all.

    References
    ----------
    .. [1] S. Wu, G. Wang, P. Tang, F. Chen, L. Shi, "Convolution with even-sized kernels and
       symmetric padding", NeurIPS 2019.

    Examples
    --------
    >>> measure_shift(2, "tensorflow", layers=4).displacement  # one-sided 2x2: n/2 per axis
    (Fraction(-2, 1), Fraction(-2, 1))
    >>> measure_shift(2, "symmetric", layers=4).displacement  # C2sp: no shift
    (Fraction(0, 1), Fraction(0, 1))
    >>> measure_shift(4, "same_lower", layers=3)
    C4 (same_lower, pads (2, 1)): centroid moves +1.5 after 3 layers (every axis; per layer: +0.5 +1 +1.5)
    """
    # Argument checks.
    padding = _check_padding_name(padding)
    n = check_minimum(layers, "layers", 1)
    axes = len(kernel_size) if is_sequence(kernel_size) else check_minimum(ndim, "ndim", 1)
    kernel = per_axis(kernel_size, "kernel_size", axes)
    if padding == "symmetric":
        kernel = even_kernel_size(kernel_size, axes)
    channels = 2**axes
    growth = channels * int(np.prod(kernel))
    if channels * growth**n >= 2**62:  # the total of all output cells, a bound on every sum
        raise ValueError(
            f"`layers` {n} is too many for exact int64 sums: {channels} channels * ({channels} channels * "
            f"{int(np.prod(kernel))} taps)**{n} = {channels * growth**n} >= 2**62"
        )

    # A delta in every channel, far enough from the border that zero padding never matters.
    size = tuple(2 * n * (k - 1) + 3 for k in kernel)
    centre = tuple(Fraction(s // 2) for s in size)
    x = np.zeros((1, channels, *size), dtype=np.int64)
    middle: tuple[Any, ...] = (slice(None), slice(None), *(s // 2 for s in size))
    x[middle] = 1
    weight = np.ones((channels, channels, *kernel), dtype=np.int64)

    per_layer = []
    first_pads: tuple[tuple[int, int], ...] | None = None
    for _ in range(n):
        if padding == "symmetric":
            pads = symmetric_groups(channels, kernel)[0].padding
            x = conv(x, weight, padding="symmetric")
        else:
            raw = same_padding(tuple(x.shape[2:]), kernel, 1, 1, convention=padding)
            pads = raw if isinstance(raw[0], tuple) else (raw,)
            x = conv(x, weight, padding=pads)
        first_pads = first_pads or pads
        found = _centroid(x[0].sum(axis=0, dtype=np.int64))
        per_layer.append(tuple(c - c0 for c, c0 in zip(found, centre, strict=True)))
    assert first_pads is not None
    return ShiftMeasurement(kernel, padding, first_pads, tuple(per_layer), size, tuple(x.shape[2:]))


@dataclass(frozen=True)
class ShiftTable:
    """Shift measurements of several stacks (see :func:`shift_table`).

    Examples
    --------
    >>> [m.label for m in shift_table(layers=1, ndim=1).rows][:5]
    ['C2', 'C2', 'C2', 'C2', 'C2sp']
    """

    rows: tuple[ShiftMeasurement, ...]

    def __repr__(self) -> str:
        layers = self.rows[0].layers
        lines = [f"centroid displacement (array indices, every axis) after 1..{layers} stride-1 layers:"]
        width = max(len(f"{m.label} {m.padding}") for m in self.rows)
        pads = [_pads_text(m, first_axis=True) for m in self.rows]
        pads_width = max(map(len, pads))
        for m, pad in zip(self.rows, pads, strict=True):
            steps = " ".join(f"{_fraction_text(row[0]):>5}" for row in m.per_layer)
            lines.append(f"  {f'{m.label} {m.padding}':<{width}}  pads {pad:<{pads_width}}  {steps}")
        return "\n".join(lines)


def shift_table(layers: int = 4, *, ndim: int = 2) -> ShiftTable:
    """The shift of C2, C3, C4, C5 stacks under each framework's 'same' split, and of C2sp, C4sp.

    Parameters
    ----------
    layers : int
        Stack depth ``n``.
    ndim : int
        Spatial axes.

    Returns
    -------
    ShiftTable
        One :class:`ShiftMeasurement` per row (see :func:`measure_shift`).

    Notes
    -----
    At stride 1 TensorFlow, Keras, JAX, ONNX ``SAME_UPPER`` and PyTorch ``padding='same'`` all
    pad ``(k/2 - 1, k/2)`` for an even kernel (``-1/2`` per layer); ``SAME_LOWER`` pads
    ``(k/2, k/2 - 1)`` (``+1/2``); Caffe-style ``(k - 1) // 2`` on both sides loses a unit per
    layer and also moves by ``-1/2``; symmetric padding and odd kernels do not move.

    Examples
    --------
    >>> shift_table(layers=2)  # doctest: +NORMALIZE_WHITESPACE
    centroid displacement (array indices, every axis) after 1..2 stride-1 layers:
      C2 tensorflow  pads (0, 1)   -0.5    -1
      C2 same_lower  pads (1, 0)   +0.5    +1
      C2 pytorch     pads (0, 1)   -0.5    -1
      C2 caffe       pads (0, 0)   -0.5    -1
      C2sp symmetric pads (0, 1) or (1, 0) by group  +0  +0
      C3 tensorflow  pads (1, 1)     +0    +0
      C4 tensorflow  pads (1, 2)   -0.5    -1
      C4 same_lower  pads (2, 1)   +0.5    +1
      C4 caffe       pads (1, 1)   -0.5    -1
      C4sp symmetric pads (1, 2) or (2, 1) by group  +0  +0
      C5 tensorflow  pads (2, 2)     +0    +0
    """
    configurations = [
        (2, "tensorflow"),
        (2, "same_lower"),
        (2, "pytorch"),
        (2, "caffe"),
        (2, "symmetric"),
        (3, "tensorflow"),
        (4, "tensorflow"),
        (4, "same_lower"),
        (4, "caffe"),
        (4, "symmetric"),
        (5, "tensorflow"),
    ]
    return ShiftTable(tuple(measure_shift(k, p, layers, ndim=ndim) for k, p in configurations))


def _pads_text(m: ShiftMeasurement, *, first_axis: bool = False) -> str:
    """The pads of a measurement; symmetric padding pads each channel group towards its own corner."""
    pads = m.pads[:1] if first_axis else m.pads
    if m.padding != "symmetric":
        return format_pad(pads[0]) if first_axis else format_padding(pads)
    flipped = tuple((after, before) for before, after in pads)
    if first_axis:
        return f"{format_pad(pads[0])} or {format_pad(flipped[0])} by group"
    return f"{format_padding(pads)} or {format_padding(flipped)} by group"


# --- Information erosion (Wu et al., section 3) ------------------------------------------------

EROSION_STACKS = ("C2", "C2sp", "C3", "C4", "C4sp", "C5")
"""The stacks of the paper's erosion experiment: ``C{k}`` zero-pads 'same' (TensorFlow/PyTorch
split, one-sided for even ``k``), ``C{k}sp`` pads symmetrically."""


@dataclass(frozen=True)
class ErosionCurves:
    """``Q_n`` for several stacks (see :func:`erosion`).

    Attributes
    ----------
    curves : dict of str to tuple of float
        ``curves[name][n]`` is ``Q_n`` (``Q_0`` is the input's mean, 1).
    input_shape : tuple of int
    channels : int
    kernels : str
        ``'averaging'`` or ``'random'``.
    seed : int

    Examples
    --------
    >>> q = erosion(layers=2, input_size=4, stacks=("C3",))  # rows 2/3 1 1 2/3, then 5/9 8/9 8/9 5/9
    >>> q.layers, [round(v, 4) for v in q.curves["C3"]]  # (5/6)**2, (13/18)**2
    (2, [1.0, 0.6944, 0.5216])
    """

    curves: dict[str, tuple[float, ...]]
    input_shape: tuple[int, ...]
    channels: int
    kernels: str
    seed: int

    @property
    def layers(self) -> int:
        """Number of layers ``n`` (each curve has ``n + 1`` values)."""
        return len(next(iter(self.curves.values()))) - 1

    def __repr__(self) -> str:
        source = "averaging kernels" if self.kernels == "averaging" else f"random positive kernels (seed {self.seed})"
        shape = format_size(self.input_shape)
        lines = [f"Q_n = mean |F_n|: constant {shape} input, {self.channels} channels, {source}, zero padding"]
        names = list(self.curves)
        lines.append("   n  " + "  ".join(f"{name:>6}" for name in names))
        for n in range(self.layers + 1):
            lines.append(f"  {n:>2}  " + "  ".join(f"{self.curves[name][n]:6.4f}" for name in names))
        return "\n".join(lines)


def _parse_stack(name: str) -> tuple[int, bool]:
    text = name[1:-2] if name.endswith("sp") else name[1:]
    if not name.startswith("C") or not text.isdigit() or int(text) < 1:
        raise ValueError(f"`stacks` entries are 'C<k>' or 'C<k>sp' (e.g. 'C2', 'C4sp'), got {name!r}")
    k = int(text)
    if name.endswith("sp") and k % 2:
        raise ValueError(f"`stacks` entry {name!r}: symmetric padding is for even kernels, C{k} is centred already")
    return k, name.endswith("sp")


def erosion(
    layers: int = 8,
    input_size: int | tuple[int, ...] = 16,
    *,
    stacks: tuple[str, ...] = EROSION_STACKS,
    kernels: str = "averaging",
    seed: int = 0,
    channels: int = 4,
) -> ErosionCurves:
    """The information-erosion experiment: ``Q_n = mean |F_n|`` through ``n`` zero-padded layers.

    Parameters
    ----------
    layers : int
        Number of layers ``n``.
    input_size : int or tuple of int
        Spatial size of the constant (all-ones) input; an int means a square 2-D image.
    stacks : tuple of str
        ``'C<k>'`` (zero 'same' padding, TensorFlow/PyTorch split) or ``'C<k>sp'`` (symmetric).
    kernels : {'averaging', 'random'}
        ``'averaging'``: every weight ``1 / (C * prod(k))``. ``'random'``: positive uniform
        weights from ``seed`` (fresh per layer, the same for every stack with the same kernel
        size), scaled so that each input channel's weights sum to 1.
    seed : int
        Seed of the random kernels.
    channels : int
        ``C``, input and output channels of every layer (a multiple of ``2**ndim`` keeps the
        symmetric groups equal).

    Returns
    -------
    ErosionCurves

    Raises
    ------
    ValueError
        For a bad stack name, kernel choice, or a kernel larger than the padded input.

    Notes
    -----
    The paper's measure [1]_ of how much of the input survives ``n`` layers::

        Q_n = 1/(C h w) * sum_{c, p} |F_n(c, p)|

    With non-negative weights whose sum over (output channel, tap) is 1 for every input channel,
    each layer can only lose mass, at the zero padding: ``Q_{n+1} < Q_n``. One-sided padding
    loses it on one side every layer (linear in ``n``); symmetric padding spreads it over both
    sides like a centred random walk, so it erodes more slowly.

    References
    ----------
    .. [1] S. Wu, G. Wang, P. Tang, F. Chen, L. Shi, "Convolution with even-sized kernels and
       symmetric padding", NeurIPS 2019.

    Examples
    --------
    >>> q = erosion(layers=3, input_size=8, stacks=("C2", "C2sp"))
    >>> q  # doctest: +NORMALIZE_WHITESPACE
    Q_n = mean |F_n|: constant 8×8 input, 4 channels, averaging kernels, zero padding
       n      C2    C2sp
       0  1.0000  1.0000
       1  0.8789  0.8789
       2  0.7656  0.7932
       3  0.6602  0.7252
    """
    # Argument checks.
    n = check_minimum(layers, "layers", 1)
    c = check_minimum(channels, "channels", 1)
    check_minimum(seed, "seed", 0)
    if kernels not in ("averaging", "random"):
        raise ValueError(f"`kernels` must be 'averaging' or 'random', got {kernels!r}")
    shape = per_axis(input_size, "input_size", len(input_size) if is_sequence(input_size) else 2)
    if not stacks:
        raise ValueError("`stacks` must name at least one stack")
    parsed = {name: _parse_stack(name) for name in stacks}

    def weights(k: int, layer: int) -> np.ndarray:
        kernel = (k,) * len(shape)
        if kernels == "averaging":
            return np.full((c, c, *kernel), 1.0 / (c * k ** len(shape)))
        w = random_array((c, c, *kernel), seed=seed * 1000 + 10 * k + layer, dtype=np.float64, low=0.01, high=1.0)
        return w / w.sum(axis=(0, *range(2, w.ndim)), keepdims=True)

    curves = {}
    for name, (k, symmetric) in parsed.items():
        x = np.ones((1, c, *shape))
        values = [float(np.abs(x).mean())]
        for layer in range(n):
            w = weights(k, layer)
            x = conv(x, w, padding="symmetric") if symmetric else conv(x, w, padding="same", convention="tensorflow")
            values.append(float(np.abs(x).mean()))
        curves[name] = tuple(values)
    return ErosionCurves(curves, shape, c, kernels, seed)


def plot_erosion(result: ErosionCurves, ax: Any = None) -> Any:
    """Plot ``Q_n`` against ``n`` for every stack of an :func:`erosion` result.

    Parameters
    ----------
    result : ErosionCurves
    ax : matplotlib Axes, optional
        Drawn into a new figure when omitted.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Symmetric stacks (``sp``) are drawn solid, one-sided even stacks dashed, odd stacks dotted;
    matplotlib is imported here only, so ``import convarith`` needs NumPy alone.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_erosion(erosion(layers=2, input_size=6, stacks=("C2", "C2sp")))
    >>> [line.get_label() for line in ax.get_lines()]
    ['C2', 'C2sp']
    """
    import matplotlib.pyplot as plt

    if not isinstance(result, ErosionCurves):
        raise TypeError(f"`result` must be an ErosionCurves from erosion(), got {type(result).__name__}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    steps = np.arange(result.layers + 1)
    for name, values in result.curves.items():
        k, symmetric = _parse_stack(name)
        style = "-" if symmetric else ("--" if k % 2 == 0 else ":")
        ax.plot(steps, values, style, marker="o", markersize=3, label=name)
    ax.set_xlabel("layers n")
    ax.set_ylabel("Q_n = mean |F_n|")
    source = "averaging" if result.kernels == "averaging" else f"random (seed {result.seed})"
    ax.set_title(f"Information erosion, {format_size(result.input_shape)} input, {source} kernels")
    ax.legend()
    return ax
