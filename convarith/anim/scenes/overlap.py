"""The overlap of a transposed convolution, built tap by tap.

One frame per kernel tap: every input cell writes through that tap at once (``j*s + t*d - pb``),
and the output shows how many (input cell, tap) pairs have written each cell so far. The last
frame is :func:`convarith.studies.overlap`: Odena, Dumoulin and Olah's checkerboard when the
kernel is not divisible by the stride, gaps when the stride exceeds the kernel.
"""

from __future__ import annotations

import itertools

import numpy as np

from convarith.anim.scenes.common import (
    check_drawable,
    check_text,
    input_label,
    layer_caption,
    output_label,
    scatter_crop,
)
from convarith.anim.scenes.data import Cell, Frame, Panel, Scene
from convarith.arithmetic.layer import Layer, layer
from convarith.arithmetic.text import format_padding, format_param
from convarith.arithmetic.windows import WindowMap, window_map
from convarith.studies.overlap import overlap_phases
from convarith.typing import IntOrTuple, PaddingLike

__all__ = ["overlap_scene"]


def overlap_scene(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    *,
    name: str | None = None,
    title: str | None = None,
) -> Scene:
    """A transposed convolution of ones with ones, one frame per kernel tap: the overlap counts.

    Parameters
    ----------
    input_size, kernel_size, stride, padding, output_padding, dilation
        The transposed convolution's parameters (as :func:`convarith.conv_transpose`).
    name, title : str, optional

    Returns
    -------
    Scene
        One ``'transpose_scatter'`` panel with an input of ones; frame ``t`` highlights the output
        cells tap ``t`` writes (from every input cell) and shows the counts so far; cells the
        padding crops are drawn outside the output.

    Notes
    -----
    Tap ``t`` of input cell ``j`` writes output cell ``j*s + t*d - pb`` (per axis), read from the
    forward convolution's window map (:func:`convarith.arithmetic.window_map` of the layer), as
    the scatter view of :func:`transpose_scene`. After the last tap the counts are
    :func:`convarith.studies.overlap`; the caption gives the interior counts per phase
    (:func:`convarith.studies.overlap_phases`).

    References
    ----------
    .. [1] A. Odena, V. Dumoulin, C. Olah, "Deconvolution and checkerboard artifacts", Distill, 2016.

    Examples
    --------
    >>> scene = overlap_scene(3, 3, stride=2)  # one frame per tap
    >>> len(scene), scene.panels[0].frames[-1].output_values.tolist()  # input 0: 0..2, 1: 2..4, 2: 4..6
    (3, [1.0, 1.0, 2.0, 1.0, 2.0, 1.0, 1.0])
    >>> [c.coord for c in scene.panels[0].frames[1].writes]  # tap 1 writes 2j + 1
    [(1,), (3,), (5,)]
    """
    check_text(name, "name")
    check_text(title, "title")
    lay = layer("conv_transpose", input_size, kernel_size, stride, padding, dilation, output_padding=output_padding)
    check_drawable(lay, input_size)
    shape, out_shape = lay.input_shape, lay.output_shape
    forward = window_map(lay)  # from the transposed output back to its input: output j is input j
    crop = scatter_crop(lay)
    phases = " × ".join(str(list(p)) for p in overlap_phases(lay))
    heading = title or _default_title(lay)
    panel = Panel(
        kind="transpose_scatter",
        input_shape=shape,
        output_shape=out_shape,
        input_padding=((0, 0),) * lay.ndim,
        kernel_shape=lay.kernel_size,
        stride=lay.stride,
        dilation=lay.dilation,
        input_label=input_label(shape, ()) + " of ones",
        output_label=output_label(out_shape) + ": writes so far",
        title=heading,
        caption=(
            *layer_caption(lay),
            f"one frame per kernel tap, all input cells at once; interior taps by phase o mod s: {phases}",
        ),
        frames=_tap_frames(lay, forward),
        windows=forward,
        output_crop=crop,
        input_values=np.ones(shape, dtype=np.int64),
        kernel_values=None,
        layer=lay,
    )
    return Scene(name or "overlap", heading, (panel,), lay)


def _tap_frames(lay: Layer, forward: WindowMap) -> tuple[Frame, ...]:
    """One frame per kernel tap: the cells it writes from every input cell, and the counts so far."""
    by_tap: dict[tuple[int, ...], list[Cell]] = {}
    for j in forward.positions():
        for r in forward.reads(j):
            by_tap.setdefault(r.offset, []).append(
                Cell(r.input, r.offset, "output" if r.kind == "input" else "cropped")
            )
    counts = np.zeros(lay.output_shape, dtype=np.float64)
    frames = []
    every_input = tuple(Cell(j, None, "input") for j in itertools.product(*(range(n) for n in lay.input_shape)))
    for step, tap in enumerate(itertools.product(*(range(k) for k in lay.kernel_size))):
        writes = tuple(by_tap.get(tap, ()))
        for cell in writes:
            if cell.kind == "output":
                counts[cell.coord] += 1
        frames.append(Frame(step=step, reads=every_input, writes=writes, output_values=counts.copy()))
    return tuple(frames)


def _default_title(lay: Layer) -> str:
    """``Overlap of a transposed convolution: kernel 3, stride 2``, then padding and dilation when set."""
    ks, ss, pads = format_param(lay.kernel_size), format_param(lay.stride), lay.pads
    words = f"Overlap of a transposed convolution: kernel {ks}, stride {ss}"
    if any(p for pair in pads for p in pair):
        words += f", padding {format_padding(pads)}"
    if any(d != 1 for d in lay.dilation):
        words += f", dilation {format_param(lay.dilation)}"
    return words
