"""Predict, then reveal: the questions a layer explorer asks and how it checks them, without widgets.

A :class:`~convarith.widgets.LayerExplorer` built with ``predict=`` asks before it shows:

* ``'output_size'``: the output size of the layer (checked against the layer's formula);
* ``'next_value'``: the value of the output cell the kernel computes next (checked against the
  engine's value in the scene's frame);
* ``'reads'``: which input cells that output cell reads (checked against the frame's reads, the
  window map's), or in a transposed convolution's scatter view which output cells an input cell
  adds the kernel to.

Everything here is plain data and NumPy: the right answers come from the layer and the scene,
never from the student's text, and each check returns a :class:`Verdict` the widget only shows.
:mod:`convarith.widgets.links` says where a click on a cell goes and draws the marks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from convarith.anim.scenes import Panel, Scene
from convarith.arithmetic import Layer
from convarith.arithmetic.english import cell_name, plural
from convarith.arithmetic.text import axis_lines, format_size

__all__ = [
    "PREDICTIONS",
    "PredictionFormatError",
    "Question",
    "Verdict",
    "check_next_value",
    "check_output_size",
    "check_reads",
    "parse_size",
    "parse_value",
    "question",
    "without_winners",
]

PREDICTIONS = ("output_size", "next_value", "reads")
"""What a :class:`~convarith.widgets.LayerExplorer` can ask the student to predict."""

Coord = tuple[int, ...]


class PredictionFormatError(ValueError):
    """A student's answer that cannot be read; the message says how to write it."""


@dataclass(frozen=True)
class Verdict:
    """Right or wrong, in words.

    Attributes
    ----------
    correct : bool
    text : str
        One line: ``'✓ Right: 3×3'`` or ``'✗ You said 4×4; the output is 3×3'``.
    detail : str
        The working or a hint (shown under the line).
    missing, extra : tuple of tuple of int
        ``'reads'``: the cells the student left out, and those they chose but the kernel does
        not read (sorted).
    """

    correct: bool
    text: str
    detail: str = ""
    missing: tuple[Coord, ...] = ()
    extra: tuple[Coord, ...] = ()


# -- reading the student's text --------------------------------------------------------------


def parse_size(text: str, ndim: int) -> tuple[int, ...]:
    """An output size as typed: one whole number for every axis, or one per axis.

    Parameters
    ----------
    text : str
        ``'3'``, ``'3x3'``, ``'3×3'``, ``'3,3'``, ``'(3, 3)'``, ``'3 3'``.
    ndim : int
        Number of axes.

    Returns
    -------
    tuple of int
        ``ndim`` sizes.

    Raises
    ------
    PredictionFormatError
        Anything but one or ``ndim`` whole numbers.

    Notes
    -----
    The separators ``x``, ``×``, ``*``, commas, semicolons and spaces are all read alike, and
    brackets are ignored; one number means the same size on every axis.

    Examples
    --------
    >>> parse_size("3×3", 2), parse_size("3", 2), parse_size("(4, 5)", 2), parse_size("7", 1)
    ((3, 3), (3, 3), (4, 5), (7,))
    """
    tokens = [t for t in re.split(r"[x×X*,;\s]+", re.sub(r"[()\[\]]", " ", str(text))) if t]
    if not tokens or not all(re.fullmatch(r"\d+", t) for t in tokens) or len(tokens) not in (1, ndim):
        per_axis = "" if ndim == 1 else f", or {ndim} separated by × or commas (rows×columns)"
        raise PredictionFormatError(f"Write the output size as one whole number{per_axis}; got {text!r}")
    sizes = tuple(int(t) for t in tokens)
    return sizes * ndim if len(sizes) == 1 else sizes


def parse_value(text: str) -> float:
    """A cell value as typed: an integer, a decimal, a fraction ``a/b``, or ``-inf`` / ``−∞``.

    Raises
    ------
    PredictionFormatError
        Anything else.

    Examples
    --------
    >>> parse_value("19"), parse_value(" −2.5 "), parse_value("4/3") == 4 / 3, parse_value("-∞")
    (19.0, -2.5, True, -inf)
    """
    cleaned = str(text).strip().replace("−", "-").replace("\u2013", "-").replace(" ", "")
    if re.fullmatch(r"[+-]?(inf|∞)", cleaned.lower()):
        return -math.inf if cleaned.startswith("-") else math.inf
    try:
        return float(Fraction(cleaned))
    except (ValueError, ZeroDivisionError):
        raise PredictionFormatError(f"Write a number (such as 12, 2.5 or 7/3); got {text!r}") from None


def _number(value: float) -> str:
    """A value as the pictures write it: ``19``, ``1.33``, ``−∞``."""
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0")


def _coords(cells: Iterable[Coord]) -> str:
    return ", ".join(cell_name(c) for c in sorted(cells))


# -- output size -----------------------------------------------------------------------------


def _size_hint(lay: Layer, given: Sequence[int]) -> str:
    """A sentence about the most likely slip on the first axis the student got wrong."""
    axis = next(n for n, (a, b) in enumerate(zip(given, lay.output_shape, strict=True)) if a != b)
    g = lay.axes[axis]
    answer, right = given[axis], g.output_size
    i, k, s, d, ek = g.input_size, g.kernel_size, g.stride, g.dilation, g.effective_kernel_size
    pb, pe = g.padding
    if lay.op == "conv_transpose":
        return (
            "A transposed convolution grows its input: each input step moves the kernel s cells on "
            "the output, so o = (i − 1)·s − pb − pe + ek + a."
        )
    span = i + pb + pe - ek
    if d != 1 and answer == (i + pb + pe - k) // s + 1:
        return f"The dilated kernel spans ek = d·(k − 1) + 1 = {ek} cells, not k = {k}."
    if not g.ceil_mode and answer == -(-span // s) + 1:
        return (
            f"Round down: (i + pb + pe − ek)/s = {span}/{s} has a fraction, and a window that does not fit is dropped."
        )
    if g.ceil_mode and answer == span // s + 1:
        return "ceil_mode rounds up: a last, partial window is kept."
    if (pb or pe) and answer == (i - ek) // s + 1:
        return "Count the padding on both sides: the kernel slides over i + pb + pe cells."
    if s > 1 and answer == span + 1:
        return f"The kernel jumps s = {s} cells at a time: divide by the stride."
    if answer == right + 1 or answer == right - 1:
        return "Count the kernel positions: the first at 0, then every s cells while the window fits."
    return "Count the kernel positions along one axis: the first at 0, then every s cells while the window fits."


def check_output_size(lay: Layer, text: str) -> Verdict:
    """Check a predicted output size against the layer's formula.

    Parameters
    ----------
    lay : Layer
        The layer (its input size known).
    text : str
        The student's answer (:func:`parse_size`).

    Returns
    -------
    Verdict
        Its ``detail`` is the formula with the numbers, per axis where they differ, and, when
        wrong, a hint about the likely slip.

    Raises
    ------
    PredictionFormatError
        When the answer cannot be read.

    Notes
    -----
    The right size is :attr:`Layer.output_shape`, e.g. ``o = ⌊(i + pb + pe − ek)/s⌋ + 1`` per
    axis for a convolution; the explorer's check line then compares it with a scan of the kernel
    positions and the engine's shape.

    Examples
    --------
    >>> from convarith.arithmetic import layer
    >>> lay = layer("conv", (5, 5), 3, stride=2, padding=1)  # the guide's padding_strides
    >>> check_output_size(lay, "3x3").text
    '✓ Right: 3×3'
    >>> wrong = check_output_size(lay, "4")
    >>> wrong.correct, wrong.text
    (False, '✗ You said 4×4; the output is 3×3')
    >>> wrong.detail.splitlines()[0]
    'o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3'
    """
    given = parse_size(text, lay.ndim)
    right = lay.output_shape
    formula = "; ".join(axis_lines(lay.formulas(), alike=""))
    if given == right:
        return Verdict(True, f"✓ Right: {format_size(right)}", formula)
    return Verdict(
        False,
        f"✗ You said {format_size(given)}; the output is {format_size(right)}",
        f"{formula}\n{_size_hint(lay, given)}",
    )


# -- one step: the question, the next value, the cells read ------------------------------------


@dataclass(frozen=True)
class Question:
    """What one step of a scene asks: about which cell, and which cells answer it.

    Attributes
    ----------
    step : int
        The frame (from 0).
    target : tuple of int
        The cell the step is about: the output cell computed (direct views), or the input cell
        that adds the kernel (a transposed convolution's scatter view).
    target_grid : {0, 1}
        The target's grid: 1 (output) in direct views, 0 (input) in the scatter view.
    grid : {0, 1}
        The grid whose cells answer ``'reads'``: the other one.
    cells : frozenset of tuple of int
        Those cells: the input cells read, padding and inserted zeros included (a ceil-mode
        overhang is not read), or the output cells written (cropped ones included).
    zeros : bool
        Whether the grid has inserted zeros (a transposed convolution's direct view).
    kind : str
        The panel's kind (``'conv'``, ``'max_pool'``, ...): a pool's question speaks of its window.
    """

    step: int
    target: Coord
    target_grid: int
    grid: int
    cells: frozenset[Coord]
    zeros: bool = False
    kind: str = "conv"

    def prompt(self, kind: str) -> str:
        """The question in words (it never holds the answer).

        Examples
        --------
        >>> from convarith.anim.scenes import conv_scene
        >>> question(conv_scene((5, 5), 3, 2, 1).panels[0], 5).prompt("reads")[:48]
        'Which input cells does output cell (1, 2) read? '
        """
        target = cell_name(self.target)
        if kind == "next_value":
            if self.kind == "max_pool":
                asked = f"The window moves next to output cell {target}. What is the largest value it covers?"
            elif self.kind == "avg_pool":
                asked = f"The window moves next to output cell {target}. What is the average of the cells it covers?"
            else:
                asked = f"The kernel moves next to output cell {target}. What value does it compute?"
            return f"{asked} Type it, then press Check."
        if self.target_grid == 0:
            return (
                f"Which output cells does input cell {target} add the kernel to? Click them in the picture "
                "(cropped cells too), then press Check."
            )
        also = "padding cells and inserted zeros too" if self.zeros else "padding cells too"
        return (
            f"Which input cells does output cell {target} read? Click them in the picture ({also}), then press Check."
        )


def question(panel: Panel, step: int) -> Question:
    """The question about frame ``step`` of a panel.

    Parameters
    ----------
    panel : Panel
        From :mod:`convarith.anim.scenes`.
    step : int
        Frame index, from 0.

    Returns
    -------
    Question

    Notes
    -----
    Direct views: the target is the frame's output cell and the answer its ``reads`` (the window
    map's :meth:`~convarith.arithmetic.WindowMap.reads`); the scatter view: the target is the
    frame's input cell and the answer its ``writes``.

    Examples
    --------
    >>> from convarith.anim.scenes import conv_scene
    >>> q = question(conv_scene((4, 4), 3).panels[0], 0)  # no_padding_no_strides
    >>> q.target, sorted(q.cells)[:4], len(q.cells)
    ((0, 0), [(0, 0), (0, 1), (0, 2), (1, 0)], 9)
    """
    if not 0 <= step < len(panel.frames):
        raise ValueError(f"`step` must be in [0, {len(panel.frames)}), got {step}")
    frame = panel.frames[step]
    if panel.footprint_on_output:
        return Question(step, frame.reads[0].coord, 0, 1, frozenset(c.coord for c in frame.writes), kind=panel.kind)
    cells = frozenset(c.coord for c in frame.reads if c.kind != "overhang")
    return Question(step, frame.writes[0].coord, 1, 0, cells, zeros=bool(panel.zeros), kind=panel.kind)


def _working(panel: Panel, step: int, value: float) -> str:
    """How the engine's value comes about, when the picture's numbers give it exactly (else '')."""
    frame = panel.frames[step]
    x = panel.input_values
    if x is None:
        return ""
    read = [c for c in frame.reads if c.kind != "overhang"]

    def at(coord: Coord) -> float:
        inside = all(0 <= c < n for c, n in zip(coord, x.shape, strict=True))
        return float(x[coord]) if inside else 0.0

    values = [at(c.coord) for c in read]
    if panel.kind in ("conv", "transpose") and panel.kernel_values is not None:
        weights = [float(panel.kernel_values[c.tap]) for c in read if c.tap is not None]
        if len(weights) != len(values):
            return ""
        total = float(sum(v * w for v, w in zip(values, weights, strict=True)))
        terms = " + ".join(f"{_number(v)}·{_number(w)}" for v, w in zip(values, weights, strict=True))
        working = f"{terms} = {_number(total)} (input × weight under each tap; padding counts as 0)"
    elif panel.kind == "max_pool":
        real = [at(c.coord) for c in read if c.kind == "input"]
        total = max(real) if real else -math.inf
        working = f"max({', '.join(_number(v) for v in real)}) = {_number(total)}"
    elif panel.kind == "avg_pool":
        total = sum(values) / len(values)
        working = f"({' + '.join(_number(v) for v in values)}) / {len(values)} = {_number(total)}"
    else:
        return ""
    return working if math.isclose(total, value, rel_tol=1e-9, abs_tol=1e-9) or total == value else ""


def check_next_value(panel: Panel, step: int, text: str) -> Verdict:
    """Check a predicted value of the output cell frame ``step`` computes, against the engine's.

    Parameters
    ----------
    panel : Panel
        A direct view with numbers (``frame.output_values`` set).
    step : int
    text : str
        The student's answer (:func:`parse_value`).

    Returns
    -------
    Verdict
        Its ``detail`` is the working (products and their sum, the maximum, or the mean) when
        the picture's numbers give the engine's value.

    Raises
    ------
    PredictionFormatError
        When the answer cannot be read.
    ValueError
        When the panel carries no values or is a scatter view (a step adds to several cells).

    Notes
    -----
    The right value is the engine's (:func:`convarith.conv`, the pools,
    :func:`convarith.conv_transpose`), stored in the frame; it does not depend on the student's
    answer. Whole values must match exactly; others within 0.005 (the pictures show two
    decimals), so ``1.33`` and ``4/3`` both count for 4/3.

    Examples
    --------
    >>> import numpy as np
    >>> from convarith.anim.scenes import conv_scene
    >>> x = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
    >>> w = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])  # the guide's numerical figure
    >>> panel = conv_scene((5, 5), 3, input_values=x, kernel_values=w, numbers=True).panels[0]
    >>> check_next_value(panel, 5, "19").text
    '✓ Right: output cell (1, 2) = 19'
    >>> check_next_value(panel, 5, "17").text
    '✗ You said 17; output cell (1, 2) is 19'
    """
    if panel.footprint_on_output:
        raise ValueError("the scatter view adds to several output cells per step: predict values in the direct view")
    frame = panel.frames[step]
    if frame.output_values is None:
        raise ValueError("the scene has no values: build it with numbers=True")
    target_cell = frame.writes[0].coord
    value = float(frame.output_values[target_cell])
    target = cell_name(target_cell)
    given = parse_value(text)
    if math.isinf(value) or math.isinf(given) or float(value).is_integer():
        correct = given == value
    else:
        correct = abs(given - value) <= 0.005 + 1e-9
    working = _working(panel, step, value)
    if correct:
        return Verdict(True, f"✓ Right: output cell {target} = {_number(value)}", working)
    return Verdict(False, f"✗ You said {_number(given)}; output cell {target} is {_number(value)}", working)


def check_reads(panel: Panel, step: int, chosen: Iterable[Sequence[int]]) -> Verdict:
    """Check the cells a student picked against the cells frame ``step`` reads (or writes).

    Parameters
    ----------
    panel : Panel
    step : int
    chosen : iterable of tuple of int
        The cells clicked, in the grid :func:`question` names.

    Returns
    -------
    Verdict
        With the ``missing`` and ``extra`` cells.

    Notes
    -----
    Right means the same set: every cell the kernel covers with a tap (dilation's holes are not
    read; padding cells and inserted zeros are), nothing else.

    Examples
    --------
    >>> from convarith.anim.scenes import conv_scene
    >>> panel = conv_scene((5, 5), 3, stride=2, padding=1).panels[0]  # padding_strides
    >>> first = [(r, c) for r in range(-1, 2) for c in range(-1, 2)]  # output (0, 0): padding included
    >>> check_reads(panel, 0, first).text
    '✓ Right: output cell (0, 0) reads these 9 cells'
    >>> wrong = check_reads(panel, 0, [(r, c) for r in range(3) for c in range(3)])  # forgot the padding
    >>> wrong.text, len(wrong.missing), len(wrong.extra)
    ('✗ Not quite: 5 cells missing, 5 extra', 5, 5)
    """
    q = question(panel, step)
    picked = {tuple(int(v) for v in c) for c in chosen}
    missing = tuple(sorted(q.cells - picked))
    extra = tuple(sorted(picked - q.cells))
    if q.target_grid == 0:
        what = f"input cell {cell_name(q.target)} adds the kernel to {_these(len(q.cells))}"
    else:
        what = f"output cell {cell_name(q.target)} reads {_these(len(q.cells))}"
    if not missing and not extra:
        return Verdict(True, f"✓ Right: {what}")
    parts = []
    if missing:
        parts.append(f"{plural(len(missing), 'cell')} missing")
    if extra:
        parts.append(f"{len(extra)} extra")
    detail = []
    if missing:
        detail.append(f"missing: {_coords(missing)}")
    if extra:
        detail.append(f"not {'written' if q.target_grid == 0 else 'read'}: {_coords(extra)}")
    detail.append(f"The picture now shows them: {what}.")
    return Verdict(False, f"✗ Not quite: {', '.join(parts)}", "\n".join(detail), missing, extra)


def _these(count: int) -> str:
    """``'these 9 cells'``, ``'this cell'``."""
    return "this cell" if count == 1 else f"these {count} cells"


def without_winners(scene: Scene) -> Scene:
    """The scene with no max-pooling winner marked: a question about a pooled value must not show it.

    Examples
    --------
    >>> from convarith.anim.scenes import pool_scene
    >>> scene = pool_scene((4, 4), 2, 2, mode="max")
    >>> scene.panels[0].frames[0].winner is None, without_winners(scene).panels[0].frames[0].winner
    (False, None)
    """
    panels = tuple(replace(p, frames=tuple(replace(f, winner=None) for f in p.frames)) for p in scene.panels)
    return replace(scene, panels=panels)
