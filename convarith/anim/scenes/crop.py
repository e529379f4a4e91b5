"""A real layer on a slide: the corner of a large layer, as a small layer with the same windows.

A layer read from a network (a 224×224 input, 12 544 output cells) is too large to animate cell
by cell. :func:`crop_layer` keeps its kernel, stride, dilation and padding and cuts out a corner
with a few output cells: a smaller layer whose window map *is* the real layer's window map
restricted to that corner, shifted by the crop offset. The corner is the one where the padding
is asymmetric (a ``(0, 1)`` pad shows the bottom/right corner, where the extra cell is).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from convarith.arithmetic.kernel import effective_kernel_size
from convarith.arithmetic.layer import Layer, layer
from convarith.arithmetic.text import format_padding, format_size
from convarith.arithmetic.validate import check_choice, check_int
from convarith.arithmetic.windows import AxisWindows, window_map
from convarith.typing import PadPair

__all__ = ["CORNERS", "MAX_FRAMES", "LayerCrop", "crop_layer"]

CORNERS: tuple[str, ...] = ("auto", "start", "end")
"""Where to crop along each axis: ``'start'`` (top/left), ``'end'`` (bottom/right), or ``'auto'``
(``'end'`` where the padding after is larger than the padding before, else ``'start'``)."""

MAX_FRAMES = 1024
"""The largest ``max_frames`` a crop accepts (a slide of a thousand steps is already a film)."""


@dataclass(frozen=True)
class LayerCrop:
    """A corner of a layer, as a smaller layer with the same windows.

    Attributes
    ----------
    layer : Layer
        The real layer.
    cropped : Layer
        The small layer drawn: same op, kernel, stride, dilation, ceil mode; the padding that lies
        in the corner; output ``output_shape``.
    corner : tuple of str
        Per axis: ``'start'``, ``'end'`` or ``'whole'`` (the axis is not cropped).
    input_offset, output_offset : tuple of int
        Real input (output) coordinate of the cropped layer's input (output) cell 0: cropped
        cell ``c`` is real cell ``c + offset`` (padding cells too).

    Examples
    --------
    >>> crop = crop_layer(layer("conv", (224, 224), 7, stride=2, padding=3))  # a ResNet stem
    >>> crop.cropped.input_shape, crop.cropped.padding, crop.cropped.output_shape
    ((10, 10), ((3, 0), (3, 0)), (4, 4))
    >>> crop.note()
    'top-left corner: input rows -3..9, columns -3..9 of 224×224 (padding (3, 3)); output 4×4 of 112×112'
    """

    layer: Layer
    cropped: Layer
    corner: tuple[str, ...]
    input_offset: tuple[int, ...]
    output_offset: tuple[int, ...]

    @property
    def is_cropped(self) -> bool:
        """Whether any axis was cropped (otherwise ``cropped`` is ``layer``)."""
        return any(c != "whole" for c in self.corner)

    def corner_name(self) -> str:
        """``'top-left'``, ``'bottom-right'``, ``'right'``, ... (``'whole layer'`` when nothing was cropped)."""
        words = (("top", "bottom"), ("left", "right")) if len(self.corner) == 2 else (("left", "right"),)
        parts = [w[c == "end"] for c, w in zip(self.corner, words, strict=True) if c != "whole"]
        return "-".join(parts) if parts else "whole layer"

    def note(self) -> str:
        """One caption line: which corner, the input cells it reads (padding included), the output cells."""
        lay, small = self.layer, self.cropped
        assert lay.padding is not None and small.padding is not None
        transposed = lay.op == "conv_transpose"
        # the cells of the drawn grid the windows read, in real coordinates (padding included)
        if transposed:  # the corner of the output; its input cells are the transposed layer's inputs
            ranges = [(o, o + n - 1) for o, n in zip(self.input_offset, small.input_shape, strict=True)]
        else:
            ranges = [
                (off - pb, off + n + pe - 1)
                for off, n, (pb, pe) in zip(self.input_offset, small.input_shape, small.padding, strict=True)
            ]
        names = ("rows", "columns") if len(ranges) == 2 else ("cells",)
        cells = ", ".join(f"{name} {lo}..{hi}" for name, (lo, hi) in zip(names, ranges, strict=True))
        return (
            f"{self.corner_name()} corner: input {cells} of {format_size(lay.input_shape)} "
            f"(padding {format_padding(lay.padding)}); output {format_size(small.output_shape)} "
            f"of {format_size(lay.output_shape)}"
        )


def _output_counts(outputs: tuple[int, ...], max_frames: int) -> list[int]:
    """Output cells per axis: at most ``max_frames`` in all, as square as the layer allows."""
    if len(outputs) == 1:
        return [min(outputs[0], max_frames)]
    rows = min(outputs[0], max(1, math.isqrt(max_frames)))
    columns = min(outputs[1], max(1, max_frames // rows))
    rows = min(outputs[0], max(1, max_frames // columns))
    return [rows, columns]


def _axis_crop(axis: AxisWindows, m: int, end: bool) -> tuple[int, PadPair, int, int]:
    """Convolution or pooling axis: (input size, padding, input offset, output offset) of the corner."""
    s, (pb, pe), i = axis.stride, axis.padding, axis.input_size
    j0 = axis.output_size - m if end else 0
    lo = j0 * s - pb  # first cell read, real coordinates
    hi = min(lo + (m - 1) * s + axis.effective_kernel_size, i + pe)  # past the last (overhang left out)
    before, after = max(0, min(hi, 0) - lo), max(0, hi - max(lo, i))
    first, last = max(lo, 0), min(hi, i)
    if last <= first:
        raise ValueError(
            f"the {'end' if end else 'start'} corner of {m} output cells reads padding only "
            f"(cells {lo}..{hi - 1} of input {i} with padding {(pb, pe)}): pass a larger `max_frames`"
        )
    return last - first, (before, after), first, j0


def _transpose_axis_crop(
    i: int, o: int, k: int, s: int, d: int, pads: PadPair, a: int, m: int, end: bool
) -> tuple[int, PadPair, int, int, int] | None:
    """Transposed axis: (input size, padding, output padding, input offset, output offset), None if impossible."""
    pb, pe = pads
    ek = effective_kernel_size(k, d)
    if not end:  # inputs 0..n-1 write every output 0..m-1 that any input writes
        n = min(i, (m - 1 + pb) // s + 1)
        rest = (n - 1) * s - pb + ek - m  # cropped after the corner (or output padding when negative)
        pe2, a2 = max(rest, 0), max(-rest, 0)
        if a2 >= max(s, d):
            return None
        return n, (pb, pe2), a2, 0, 0
    shift = pb + o - m
    j0 = max(0, -((ek - 1 - shift) // s))  # ceil((shift - ek + 1) / s): the first input reaching the corner
    j0 = min(j0, i - 1)  # a corner of output padding only that no input writes keeps the last input
    pb2 = shift - j0 * s
    if pb2 < 0:
        j0, pb2 = j0 - 1, pb2 + s
    if pb2 > ek - 1:  # the guide's equivalent convolution would need negative padding
        return None
    return i - j0, (pb2, pe), a, j0, o - m


def _frames(lay: Layer, view: str) -> int:
    shape = lay.input_shape if lay.op == "conv_transpose" and view == "scatter" else lay.output_shape
    return math.prod(shape)


def crop_layer(lay: Layer, max_frames: int = 16, corner: str = "auto", *, view: str = "direct") -> LayerCrop:
    """The corner of a layer with at most ``max_frames`` frames, as a smaller layer with the same windows.

    Parameters
    ----------
    lay : Layer
        With an input size (:func:`convarith.arithmetic.layer`).
    max_frames : int
        At most this many frames (output cells; input cells in the scatter view of a transposed
        convolution), 1 to :data:`MAX_FRAMES`. A layer with no more frames is not cropped. (In
        the scatter view one output cell may have more writers than ``max_frames``: it keeps them.)
    corner : {'auto', 'start', 'end'}
        Which corner: ``'start'`` is top-left, ``'end'`` bottom-right; ``'auto'`` takes, per axis,
        the end where the padding is larger (``(0, 1)``: bottom/right), else the start.
    view : {'direct', 'scatter'}
        Transposed convolution: which frames count.

    Returns
    -------
    LayerCrop
        ``crop.cropped`` is the small layer; ``crop.note()`` the caption line.

    Raises
    ------
    ValueError
        ``max_frames`` out of range, or a corner that reads padding only.

    Notes
    -----
    Along a cropped axis of a convolution or pooling with ``m`` output cells kept from ``j0``
    (``0``, or ``o - m`` at the end), the corner reads real cells ``lo = j0*s - pb`` up to
    ``(j0 + m - 1)*s - pb + d*(k - 1)``. The small layer's input is the real input cells of
    that range, its padding the real padding cells in it, so its output cell ``j`` reads cell
    ``c`` exactly when the real output cell ``j + j0`` reads ``c + max(lo, 0)``. For a transposed
    convolution the corner is one of the output; the small layer keeps the inputs that write into
    it (those from ``j0``) and crops (or output-pads) the rest so that its output has ``m`` cells.
    An axis with ``m = o`` is left whole.

    Examples
    --------
    >>> crop = crop_layer(layer("conv", (224, 224), 3, stride=2, padding="same"))  # padding (0, 1)
    >>> crop.corner, crop.input_offset, crop.output_offset, crop.cropped.padding
    (('end', 'end'), (216, 216), (108, 108), ((0, 1), (0, 1)))
    >>> crop_layer(layer("conv", 5, 3, padding=1)).cropped.input_shape  # 5 frames: not cropped
    (5,)
    """
    if not isinstance(lay, Layer):
        raise TypeError(f"`lay` must be a Layer (convarith.arithmetic.layer), got {type(lay).__name__}")
    if lay.input_size is None:
        raise ValueError("`lay` has no input size: a picture needs one (use lay.with_input(size))")
    max_frames = check_int(max_frames, "max_frames")
    if not 1 <= max_frames <= MAX_FRAMES:
        raise ValueError(f"`max_frames` must be between 1 and {MAX_FRAMES}, got {max_frames}")
    check_choice(corner, "corner", CORNERS)
    check_choice(view, "view", ("direct", "scatter"))
    if lay.op == "lp_pool":
        raise ValueError("`lay` is an 'lp_pool' layer: pictures show 'conv', 'max_pool', 'avg_pool', 'conv_transpose'")
    if _frames(lay, view) <= max_frames:
        return LayerCrop(lay, lay, ("whole",) * lay.ndim, (0,) * lay.ndim, (0,) * lay.ndim)
    assert lay.padding is not None
    outputs = lay.output_shape
    counts = _output_counts(outputs, max_frames)
    while True:  # the scatter view counts input cells: fewer output cells until they fit
        crop = _crop(lay, counts, corner)
        if _frames(crop.cropped, view) <= max_frames or max(counts) == 1:
            return crop
        counts[counts.index(max(counts))] -= 1


def _crop(lay: Layer, counts: list[int], corner: str) -> LayerCrop:
    assert lay.padding is not None
    sizes, pads, extra, corners, in_off, out_off = [], [], [], [], [], []
    axes = window_map(lay).axes
    for x, m in enumerate(counts):
        pb, pe = lay.padding[x]
        o = lay.output_shape[x]
        end = pe > pb if corner == "auto" else corner == "end"
        a = lay.output_padding[x]
        piece: tuple[int, PadPair, int, int, int] | None = None
        if m < o and lay.op == "conv_transpose":
            args = (lay.input_shape[x], o, lay.kernel_size[x], lay.stride[x], lay.dilation[x], (pb, pe), a, m)
            piece = _transpose_axis_crop(*args, end) or _transpose_axis_crop(*args, not end)
            end = piece is not None and piece[4] > 0
        elif m < o:
            size, pad, first, j0 = _axis_crop(axes[x], m, end)
            piece = (size, pad, a, first, j0)
        if piece is None:  # whole axis
            piece = (lay.input_shape[x], (pb, pe), a, 0, 0)
            corners.append("whole")
        else:
            corners.append("end" if end else "start")
        sizes.append(piece[0])
        pads.append(piece[1])
        extra.append(piece[2])
        in_off.append(piece[3])
        out_off.append(piece[4])
    small = layer(
        lay.op,
        tuple(sizes),
        lay.kernel_size,
        lay.stride,
        tuple(pads),
        lay.dilation,
        output_padding=tuple(extra),
        ceil_mode=lay.ceil_mode,
        groups=lay.groups,
        pool_convention=lay.pool_convention,
    )
    crop = LayerCrop(lay, small, tuple(corners), tuple(in_off), tuple(out_off))
    expected = tuple(m if c != "whole" else o for m, c, o in zip(counts, corners, lay.output_shape, strict=True))
    if small.output_shape != expected:  # pragma: no cover - the arithmetic above guarantees it
        raise AssertionError(f"crop of {lay!r} gave output {small.output_shape}, expected {expected}")
    return crop
