r"""How convarith writes sizes, pads and formulas for people: one style everywhere.

Reprs, the CLI, animation captions and widgets all format through here, so the same layer reads
the same wherever it is shown:

- a size (a shape) is its numbers joined by ``×``: ``5``, ``5×6``, ``224×224``;
- a parameter (kernel, stride, dilation) is one number when every axis agrees, else like a size:
  ``3``, ``3×2``;
- padding is one ``(before, after)`` pair per axis, joined by ``×``, or one pair when every axis
  agrees: ``(1, 1)``, ``(0, 1)×(1, 1)``;
- a formula uses Unicode (``⌊ ⌋``, ``−``, ``·``) as text and ``\lfloor``, ``\frac`` as LaTeX.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Protocol

import numpy as np

from convarith.arithmetic.kernel import effective_kernel_size
from convarith.arithmetic.validate import check_int, describe
from convarith.typing import PadPair

__all__ = [
    "MINUS",
    "axis_formula",
    "axis_lines",
    "format_pad",
    "format_padding",
    "format_param",
    "format_size",
    "layer_latex",
    "layer_text",
    "pad_formula",
    "rule_words",
]

MINUS = "\u2212"
"""The minus sign used in formulas (``−``, not the hyphen ``-``)."""


def _entries(values: object, name: str) -> list[int | Fraction]:
    """The numbers of a size or parameter: an int, or a sequence (or 1-D array) of ints or Fractions."""
    if isinstance(values, str | bytes | bool) or not isinstance(values, Sequence | np.ndarray):
        return [_entry(values, name)]
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise TypeError(f"`{name}` must be an int or a sequence of ints, got {describe(values)}")
    return [_entry(v, f"{name}[{x}]") for x, v in enumerate(values)]


def _entry(value: object, name: str) -> int | Fraction:
    if isinstance(value, Fraction):
        return value
    return check_int(value, name, maximum=None)


def format_size(values: int | Sequence[int | Fraction]) -> str:
    """A size or shape: the numbers joined by ``×``.

    Notes
    -----
    Every axis is written, also when they agree (``224×224``), so the number of axes shows.

    Examples
    --------
    >>> format_size((5, 6)), format_size((224, 224)), format_size(7)
    ('5×6', '224×224', '7')
    """
    return "×".join(str(v) for v in _entries(values, "values"))


def format_param(values: int | Sequence[int | Fraction]) -> str:
    """A per-axis parameter (kernel, stride, dilation): one number when every axis agrees.

    Notes
    -----
    ``3`` for ``(3, 3)``, as people say "a 3 kernel"; else the numbers joined by ``×``. Exact
    fractions (a receptive field's jump) print as ``3/2``.

    Examples
    --------
    >>> format_param((3, 3)), format_param((3, 2)), format_param((Fraction(3, 2), Fraction(3, 2)))
    ('3', '3×2', '3/2')
    """
    numbers = _entries(values, "values")
    if not numbers:
        return ""
    return str(numbers[0]) if len(set(numbers)) == 1 else "×".join(str(v) for v in numbers)


def format_pad(pair: PadPair) -> str:
    """One axis's padding: ``(before, after)``.

    Notes
    -----
    Always both sides, so an asymmetric split is never hidden.

    Examples
    --------
    >>> format_pad((0, 1))
    '(0, 1)'
    """
    return f"({pair[0]}, {pair[1]})"


def format_padding(pads: Sequence[PadPair]) -> str:
    """Padding per axis: one ``(before, after)`` pair when every axis agrees, else the pairs joined by ``×``.

    Notes
    -----
    The pairs are joined like sizes (``×`` between axes), so ``(0, 1)×(1, 1)`` reads axis by axis.

    Examples
    --------
    >>> format_padding(((1, 1), (1, 1))), format_padding(((0, 1), (1, 1)))
    ('(1, 1)', '(0, 1)×(1, 1)')
    """
    if isinstance(pads, str | bytes) or not isinstance(pads, Sequence) or not pads:
        raise TypeError(f"`pads` must be a non-empty sequence of (before, after) pairs, got {describe(pads)}")
    pairs = []
    for x, pair in enumerate(pads):
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence | np.ndarray) or len(pair) != 2:
            raise TypeError(f"`pads[{x}]` must be a (before, after) pair, got {describe(pair)}")
        pairs.append(format_pad((_entry(pair[0], f"pads[{x}][0]"), _entry(pair[1], f"pads[{x}][1]"))))  # type: ignore[arg-type]
    return pairs[0] if len(set(pairs)) == 1 else "×".join(pairs)


def axis_formula(
    kind: str,
    input_size: int,
    kernel_size: int,
    stride: int,
    padding: PadPair,
    dilation: int,
    output_padding: int,
    output_size: int,
    *,
    ceil: bool = False,
    dropped_last: bool = False,
    latex: bool = False,
) -> str:
    r"""One axis's output-size formula with its numbers substituted, as text or LaTeX.

    Parameters
    ----------
    kind : {'conv', 'pool', 'transpose'}
    input_size, kernel_size, stride, dilation, output_padding, output_size : int
    padding : (before, after)
    ceil : bool
        Round up (ceil-mode pooling).
    dropped_last : bool
        Ceil mode dropped the last window (it would start in the right padding): ``- 1``.
    latex : bool
        LaTeX (without ``$``) instead of Unicode text.

    Notes
    -----
    Convolution and pooling ``o = floor((i + pb + pe - ek)/s) + 1`` (ceil in ceil mode); transposed
    ``o = (i - 1)*s - pb - pe + ek + a``; ``ek = d*(k - 1) + 1`` is spelled out when ``d > 1``.

    Examples
    --------
    >>> axis_formula("conv", 5, 3, 2, (1, 1), 1, 0, 3)
    'o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3'
    >>> axis_formula("conv", 5, 3, 2, (1, 1), 1, 0, 3, latex=True)
    'o = \\left\\lfloor \\frac{5 + 1 + 1 - 3}{2} \\right\\rfloor + 1 = 3'
    >>> axis_formula("transpose", 3, 3, 2, (1, 1), 1, 1, 6)
    'o = (3 − 1)·2 − 1 − 1 + 3 + 1 = 6'
    """
    i, k, s, d, a, o = input_size, kernel_size, stride, dilation, output_padding, output_size
    pb, pe = padding
    ek = effective_kernel_size(k, d)
    minus, dot = (" - ", r" \cdot ") if latex else (f" {MINUS} ", "·")

    def rounded(numerator: str, up: bool) -> str:
        if latex:
            left, right = (r"\left\lceil", r"\right\rceil") if up else (r"\left\lfloor", r"\right\rfloor")
            return rf"{left} \frac{{{numerator}}}{{{s}}} {right}"
        left, right = ("⌈", "⌉") if up else ("⌊", "⌋")
        return f"{left}({numerator}) / {s}{right}"

    prefix = ""
    if d != 1:
        name, sep = (r"k_e", r",\quad ") if latex else ("ek", "; ")
        prefix = f"{name} = {d}{dot}({k}{minus}1) + 1 = {ek}{sep}"
    if kind == "transpose":
        return f"{prefix}o = ({i}{minus}1){dot}{s}{minus}{pb}{minus}{pe} + {ek} + {a} = {o}"
    numerator = f"{i} + {pb} + {pe}{minus}{ek}"
    text = f"{prefix}o = {rounded(numerator, ceil)} + 1"
    if ceil and dropped_last:
        note = "" if latex else " (a window may not start in the right padding)"
        return f"{text}{minus}1 = {o}{note}"
    return f"{text} = {o}"


def pad_formula(input_size: int, padding: PadPair, output_size: int) -> str:
    """One axis's size after padding, numbers substituted: ``o = i + pb + pe``.

    Notes
    -----
    A pad layer (ONNX ``Pad``, ``nn.ZeroPad2d``) adds ``pb`` before and ``pe`` after:
    ``o = i + pb + pe``.

    Examples
    --------
    >>> pad_formula(5, (1, 2), 8)
    'o = 5 + 1 + 2 = 8'
    """
    return f"o = {input_size} + {padding[0]} + {padding[1]} = {output_size}"


def _axis_label(x: int) -> str:
    """The label before axis ``x``'s formula: ``axis 0: ``."""
    return f"axis {x}: "


def axis_lines(
    lines: Sequence[str], *, label: Callable[[int], str] = _axis_label, alike: str | None = None
) -> list[str]:
    """Per-axis formulas laid out: the one layout every caption, repr and widget uses.

    Parameters
    ----------
    lines : sequence of str
        One formula per axis.
    label : callable
        ``label(x)`` goes before axis ``x``'s formula when each axis gets its line (``axis 0: ``).
    alike : str, optional
        When given and every axis has the same formula, one line: the formula followed by ``alike``.

    Notes
    -----
    One axis: its formula alone; several axes: one labelled line each, or (with ``alike``) one line
    when they agree.

    Examples
    --------
    >>> axis_lines(["o = 3"]), axis_lines(["o = 3", "o = 4"])
    (['o = 3'], ['axis 0: o = 3', 'axis 1: o = 4'])
    >>> axis_lines(["o = 3", "o = 3"], alike="  (each axis)")
    ['o = 3  (each axis)']
    """
    if len(lines) == 1:
        return list(lines)
    if alike is not None and len(set(lines)) == 1:
        return [lines[0] + alike]
    return [label(x) + line for x, line in enumerate(lines)]


class _LayerLike(Protocol):  # the fields of convarith.arithmetic.Layer that the text reads
    @property
    def op(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def input_size(self) -> tuple[int, ...] | None: ...
    @property
    def kernel_size(self) -> tuple[int, ...]: ...
    @property
    def stride(self) -> tuple[int, ...]: ...
    @property
    def dilation(self) -> tuple[int, ...]: ...
    @property
    def padding(self) -> tuple[PadPair, ...] | None: ...
    @property
    def output_padding(self) -> tuple[int, ...]: ...
    @property
    def ceil_mode(self) -> bool: ...
    @property
    def groups(self) -> int: ...
    @property
    def padding_rule(self) -> str: ...
    @property
    def convention(self) -> str: ...
    @property
    def pool_convention(self) -> str: ...
    @property
    def output_size(self) -> tuple[int, ...] | None: ...
    def formulas(self) -> list[str]: ...
    def latex_rows(self) -> list[str]: ...


def rule_words(layer: _LayerLike) -> str:
    """`` (same, tensorflow)`` or `` (valid)`` when the padding came from a rule, else ``''``.

    Notes
    -----
    The 'same' rule names its convention (where the odd pad goes); explicit padding says nothing.

    Examples
    --------
    >>> from convarith.arithmetic import layer
    >>> rule_words(layer("conv", 5, 2, padding="same")), rule_words(layer("conv", 5, 3, padding=1))
    (' (same, tensorflow)', '')
    """
    rule = layer.padding_rule
    if rule == "explicit":
        return ""
    return f" ({rule}, {layer.convention})" if rule == "same" else f" ({rule})"


def _padding_words(layer: _LayerLike) -> str:
    if layer.padding is None:
        return f"padding {layer.padding_rule}" + (f" ({layer.convention})" if layer.padding_rule == "same" else "")
    return f"padding {format_padding(layer.padding)}{rule_words(layer)}"


def layer_text(layer: _LayerLike) -> str:
    """A layer's header line and one formula per axis (the repr of :class:`convarith.arithmetic.Layer`).

    Notes
    -----
    Header: ``op: input I, kernel K, stride S, padding P [(rule, convention)], ... -> output O``
    with :func:`format_size`, :func:`format_param` and :func:`format_padding` (a pooling that rounds
    up says ``ceil_mode``, or ``caffe rounding (up)`` under Caffe's rule, which always does); then
    :func:`axis_formula` per axis. Without an input size, the header alone.

    Examples
    --------
    >>> from convarith.arithmetic import layer
    >>> print(layer_text(layer("conv", (5, 6), (3, 2))))
    conv: input 5×6, kernel 3×2, stride 1, padding (0, 0) -> output 3×5
      axis 0: o = ⌊(5 + 0 + 0 − 3) / 1⌋ + 1 = 3
      axis 1: o = ⌊(6 + 0 + 0 − 2) / 1⌋ + 1 = 5
    """
    parts = []
    if layer.input_size is not None:
        parts.append(f"input {format_size(layer.input_size)}")
    parts += [f"kernel {format_param(layer.kernel_size)}", f"stride {format_param(layer.stride)}"]
    parts.append(_padding_words(layer))
    if any(d != 1 for d in layer.dilation):
        parts.append(f"dilation {format_param(layer.dilation)}")
    if any(layer.output_padding):
        parts.append(f"output_padding {format_param(layer.output_padding)}")
    if layer.groups != 1:
        parts.append(f"groups {layer.groups}")
    if layer.kind == "pool" and layer.pool_convention == "caffe":
        parts.append("caffe rounding (up)")  # Caffe has no ceil_mode argument: it always rounds up
    elif layer.ceil_mode:
        parts.append("ceil_mode")
    header = f"{layer.op}: " + ", ".join(parts)
    if layer.output_size is None:
        return header
    lines = [f"{header} -> output {format_size(layer.output_size)}"]
    lines += ["  " + line for line in axis_lines(layer.formulas())]
    return "\n".join(lines)


def layer_latex(layer: _LayerLike) -> str:
    r"""A layer's formulas as LaTeX, one row per axis (without ``$``).

    Notes
    -----
    One axis: its formula; several: an ``aligned`` block with one ``axis N:`` row each.

    Examples
    --------
    >>> from convarith.arithmetic import layer
    >>> layer_latex(layer("conv", 5, 3, 2, 1))
    'o = \\left\\lfloor \\frac{5 + 1 + 1 - 3}{2} \\right\\rfloor + 1 = 3'
    """
    rows = axis_lines(layer.latex_rows(), label=lambda x: rf"&\text{{axis {x}: }} ")
    if len(rows) == 1:
        return rows[0]
    body = r" \\ ".join(rows)
    return r"\begin{aligned}" + body + r"\end{aligned}"
