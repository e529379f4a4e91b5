"""The report's warnings: one code per pitfall, with a message that gives the numbers.

=========================  ==================================================================
code                       when
=========================  ==================================================================
asymmetric-padding         before != after on an axis: PyTorch's ``padding=`` cannot say it
even-kernel-shift          an even (effective) kernel at an odd stride: outputs sit half a
                           pixel off the input grid, the shift Wu et al. measure
cut-content                the floor in the output size leaves the last input rows unread
ceil-window-in-padding     ceil mode adds a window that hangs past the padded input
depthwise-no-pointwise     a depthwise convolution whose channels nothing mixes afterwards
uneven-overlap             a transposed convolution whose taps fall unevenly on the output
                           phases (kernel not divisible by stride): a checkerboard
gaps                       a transposed convolution that leaves output cells unwritten (stride
                           larger than the dilated kernel)
=========================  ==================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from convarith.arithmetic.layer import Layer
from convarith.arithmetic.text import MINUS, format_pad
from convarith.network.graph import Node
from convarith.studies.overlap import overlap_phases

__all__ = ["WARNING_CODES", "depthwise_without_mixing", "layer_warnings"]

WARNING_CODES: dict[str, str] = {
    "asymmetric-padding": "before and after differ: not expressible as PyTorch's padding= (pad explicitly first)",
    "even-kernel-shift": "an even kernel at an odd stride puts every output half a pixel off its input",
    "cut-content": "the floor of the output size leaves input rows or columns that no window reads",
    "ceil-window-in-padding": "ceil mode adds a last window that reaches past the padded input",
    "depthwise-no-pointwise": "a depthwise convolution whose channels no following 1×1 (or dense) layer mixes",
    "uneven-overlap": "a transposed convolution writes some output cells with more taps than others: a checkerboard",
    "gaps": "a transposed convolution leaves output cells that no tap writes (stride above the dilated kernel)",
}
"""Every warning code, with a one-line explanation (docs/network.md explains each at length)."""


def _axis(axis: int, ndim: int) -> str:
    return "" if ndim == 1 else f" on axis {axis}"


def _centred(stride: int, offset: Fraction) -> str:
    """``s·y ± c``: where output ``y``'s window is centred on the input."""
    y = "y" if stride == 1 else f"{stride}y"
    if offset == 0:
        return y
    return f"{y} {'+' if offset > 0 else MINUS} {float(abs(offset)):g}"


def layer_warnings(lay: Layer, margin: Sequence[tuple[int, int]] | None = None) -> list[tuple[str, str]]:
    """The warnings of one layer on its own, as ``(code, message)`` pairs.

    Parameters
    ----------
    lay : Layer
        With its input size.
    margin : sequence of (before, after), optional
        Cells at the edges of the input that are padding made by an earlier padding layer (so
        leaving them unread cuts nothing).

    Returns
    -------
    list of (str, str)

    Notes
    -----
    Per axis, with ``ek = d(k - 1) + 1``: ``asymmetric-padding`` when ``pb != pe``;
    ``even-kernel-shift`` when ``ek`` is even and ``s`` odd (output ``y`` is centred on input
    ``y*s - pb + (ek - 1)/2``, a half pixel); ``cut-content`` when the last window ends at
    ``(o - 1)s - pb + ek - 1 < i - 1``; ``ceil-window-in-padding`` when a ceil-mode window ends
    past ``i + pe - 1``. A transposed convolution gets ``uneven-overlap`` when the taps fall
    unevenly on the ``s`` output phases (:func:`convarith.studies.overlap_phases`; for ``d = 1``:
    ``k`` not divisible by ``s``) and ``gaps`` when a phase gets no tap (always when ``s > ek``).

    Examples
    --------
    >>> from convarith.arithmetic.layer import layer
    >>> [code for code, _ in layer_warnings(layer("conv", 8, 3, stride=2, padding="same"))]
    ['asymmetric-padding']
    >>> layer_warnings(layer("conv", 7, 2, stride=2))[0][1]
    'the floor leaves input row 6 unread (1 of 7): (7 + 0 + 0 − 2) / 2 has remainder 1'
    >>> layer_warnings(layer("conv_transpose", 8, 3, stride=2, padding=1))  # o = 2j + t - 1: taps 0, 2 odd
    [('uneven-overlap', 'kernel 3 at stride 2: interior output cells get [1, 2] taps by phase o mod 2, a checkerboard')]
    """
    assert lay.input_size is not None and lay.padding is not None and lay.output_size is not None
    found: dict[str, list[tuple[int, str]]] = {}
    for x in range(lay.ndim):
        for code, text in _axis_warnings(lay, x, margin):
            found.setdefault(code, []).append((x, text))
    return _joined(found, lay.ndim)


_WHERE = "\0"
"""Stands for the axis in a message: replaced by the axis, or by nothing when every axis says the same."""


def _axis_warnings(lay: Layer, x: int, margin: Sequence[tuple[int, int]] | None) -> list[tuple[str, str]]:
    """The warnings of one axis of a layer, as ``(code, message)`` pairs whose messages hold :data:`_WHERE`."""
    assert lay.input_size is not None and lay.padding is not None and lay.output_size is not None
    i, o, (pb, pe) = lay.input_size[x], lay.output_size[x], lay.padding[x]
    s, ek = lay.stride[x], lay.effective_kernel_size[x]
    found: list[tuple[str, str]] = []
    if pb != pe:
        found.append(
            ("asymmetric-padding", f"padding {format_pad((pb, pe))}{_WHERE}: PyTorch's padding= pads both sides alike")
        )
    if lay.op == "conv_transpose":
        return found + _transpose_warnings(lay, x)
    if ek % 2 == 0 and s % 2 == 1:
        centre = _centred(s, Fraction(ek - 1, 2) - pb)
        found.append(
            (
                "even-kernel-shift",
                f"kernel {ek} at stride {s}{_WHERE}: output y is centred on input {centre}, half a pixel off the grid",
            )
        )
    last = (o - 1) * s - pb + ek - 1
    content_end = i - 1 - (margin[x][1] if margin else 0)
    if last < content_end:
        first = last + 1
        rows = f"row {first}" if first == content_end else f"rows {first}..{content_end}"
        found.append(
            (
                "cut-content",
                f"the floor leaves input {rows} unread ({content_end - last} of {i}){_WHERE}: "
                f"({i} + {pb} + {pe} {MINUS} {ek}) / {s} has remainder {(i + pb + pe - ek) % s}",
            )
        )
    if lay.ceil_mode and last > i + pe - 1:
        found.append(
            (
                "ceil-window-in-padding",
                f"ceil mode's last window (output {o - 1}) reads inputs {last - ek + 1}..{last}, "
                f"{last - (i + pe - 1)} past the padded input{_WHERE}",
            )
        )
    return found


def _transpose_warnings(lay: Layer, x: int) -> list[tuple[str, str]]:
    """``uneven-overlap`` or ``gaps`` on one axis of a transposed convolution (taps per output phase)."""
    s, ek = lay.stride[x], lay.effective_kernel_size[x]
    phases = list(overlap_phases(lay)[x])
    if len(set(phases)) <= 1:
        return []
    code = "gaps" if 0 in phases else "uneven-overlap"
    effect = "zero whatever the input" if code == "gaps" else "a checkerboard"
    return [
        (
            code,
            f"kernel {ek} at stride {s}{_WHERE}: interior output cells get {phases} taps by phase o mod {s}, {effect}",
        )
    ]


def _joined(found: dict[str, list[tuple[int, str]]], ndim: int) -> list[tuple[str, str]]:
    """One message per code: said once "on every axis" when every axis says the same, else axis by axis."""
    result = []
    for code, messages in found.items():
        texts = [text for _, text in messages]
        if ndim > 1 and len(texts) == ndim and len(set(texts)) == 1:
            result.append((code, texts[0].replace(_WHERE, " on every axis")))
        else:
            result.append((code, "; ".join(text.replace(_WHERE, _axis(x, ndim)) for x, text in messages)))
    return result


def depthwise_without_mixing(nodes: Sequence[Node], outputs: set[str] | None = None) -> dict[str, str]:
    """Depthwise convolutions that no later layer mixes, with a message for each.

    A node's channels are mixed when some path from it reaches a convolution with one group, or
    a layer that mixes channels (dense); element-wise layers, pooling, padding, merges and other
    grouped convolutions keep channels apart. Nodes of unknown kind count as mixing.

    Parameters
    ----------
    nodes : sequence of Node
        In execution order.
    outputs : set of str, optional
        Unused; kept for symmetry with the readers.

    Returns
    -------
    dict
        Node name -> message.

    Examples
    --------
    >>> a = Node("x", "input")
    >>> dw = Node("dw", "conv", ("x",), kernel_size=3, groups=8, in_channels=8, out_channels=8)
    >>> depthwise_without_mixing([a, dw])
    {'dw': 'groups 8 = 8 input channels, and no 1×1 convolution or dense layer mixes its channels later'}
    """
    consumers: dict[str, list[Node]] = {node.name: [] for node in nodes}
    for node in nodes:
        for name in node.inputs:
            consumers[name].append(node)
    mixed: dict[str, bool] = {}
    for node in reversed(nodes):
        mixed[node.name] = any(c.mixes or c.op not in _KEEP or mixed[c.name] for c in consumers[node.name])
    return {
        node.name: (
            f"groups {node.groups} = {node.in_channels} input channels, "
            "and no 1×1 convolution or dense layer mixes its channels later"
        )
        for node in nodes
        if node.is_depthwise and not mixed[node.name]
    }


_KEEP = (
    "conv",
    "conv_transpose",
    "max_pool",
    "avg_pool",
    "lp_pool",
    "pad",
    "elementwise",
    "merge",
    "crop",
    "resize",
    "end",
    "global",
)
