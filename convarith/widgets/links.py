"""Click to link: which frame a click on a cell of an explorer's picture goes to, and marks on pixels.

Selecting an output cell shows the input cells it reads (the frame that computes it); in a
transposed convolution's scatter view, selecting an input cell shows the output cells it writes.
Plain data and NumPy, as :mod:`convarith.widgets.predict`; the clicks themselves come from
ipyevents in :mod:`convarith.widgets.predict_view`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from convarith.anim.scenes import Panel
from convarith.arithmetic.english import cell_name

__all__ = ["Box", "Link", "link_step", "mark_cells"]

Box = tuple[int, int, int, int]  # pixel rows [r0, r1) and columns [c0, c1)


# -- click to link ---------------------------------------------------------------------------


class Link(NamedTuple):
    """Where a click on a cell takes the explorer: a frame, or a note saying what to do instead."""

    step: int | None
    note: str = ""


def link_step(panel: Panel, grid: int, coord: Sequence[int]) -> Link:
    """The frame a click on a cell goes to.

    Parameters
    ----------
    panel : Panel
    grid : {0, 1}
        The grid clicked: 0 input, 1 output (as :meth:`convarith.anim.render.Renderer.cell_at`).
    coord : tuple of int

    Returns
    -------
    Link
        ``step`` is the frame that computes the output cell (direct views), or where the input
        cell adds the kernel (scatter view); None elsewhere, with a ``note`` when a click on that
        grid could be meant as a question (a transposed convolution's input or output).

    Notes
    -----
    In a direct view each output cell has one frame, whose ``reads`` are the cells it reads; in
    the scatter view each input cell has one frame, whose ``writes`` are the cells it adds to.

    Examples
    --------
    >>> from convarith.anim.scenes import conv_scene
    >>> panel = conv_scene((5, 5), 3, stride=2, padding=1).panels[0]
    >>> link_step(panel, 1, (1, 2))  # output (1, 2) is the sixth cell, row-major
    Link(step=5, note='')
    >>> link_step(panel, 0, (0, 0))  # an input cell of a convolution: nothing to do
    Link(step=None, note='')
    """
    key = tuple(int(v) for v in coord)
    if panel.footprint_on_output:  # scatter: one frame per input cell
        if grid == 0:
            found = next((f.step for f in panel.frames if f.reads[0].coord == key), None)
            return Link(found)
        return Link(
            None,
            f"Output cell {cell_name(key)} sums the kernel copies of several input cells: click an input cell to see "
            "where it adds the kernel, or switch the view to direct to see what one output cell reads.",
        )
    if grid == 1:
        found = next((n for n, f in enumerate(panel.frames) if f.writes[0].coord == key), None)
        return Link(found)
    if panel.kind == "transpose":
        return Link(
            None,
            "In the direct view an input cell is read by several output cells: switch the view to scatter "
            "and click an input cell to see the output cells it writes.",
        )
    return Link(None)


# -- marks on a picture ----------------------------------------------------------------------


def mark_cells(pixels: np.ndarray, boxes: Iterable[Box], colour: str, *, fill: float = 0.0, width: int = 2) -> None:
    """Mark cells on an RGB picture in place: an outline, and optionally a tint over the whole cell.

    Parameters
    ----------
    pixels : ndarray, shape (height, width, 3), uint8
    boxes : iterable of (r0, r1, c0, c1)
        Pixel boxes (:meth:`convarith.anim.render.Renderer.cell_box`).
    colour : str
        ``'#rrggbb'``.
    fill : float
        Opacity of the tint, 0 (none) to 1; the cell's value stays readable below about 0.6.
    width : int
        Outline width in pixels, inside the box (0: none).

    Examples
    --------
    >>> pixels = np.full((6, 6, 3), 255, dtype=np.uint8)
    >>> mark_cells(pixels, [(1, 5, 1, 5)], "#000000", width=1)
    >>> pixels[:, :, 0]
    array([[255, 255, 255, 255, 255, 255],
           [255,   0,   0,   0,   0, 255],
           [255,   0, 255, 255,   0, 255],
           [255,   0, 255, 255,   0, 255],
           [255,   0,   0,   0,   0, 255],
           [255, 255, 255, 255, 255, 255]], dtype=uint8)
    """
    rgb = np.array([int(colour[n : n + 2], 16) for n in (1, 3, 5)], dtype=float)
    for r0, r1, c0, c1 in boxes:
        if fill:
            cell = pixels[r0:r1, c0:c1].astype(float)
            pixels[r0:r1, c0:c1] = np.round((1 - fill) * cell + fill * rgb).astype(np.uint8)
        w = min(width, (r1 - r0) // 2, (c1 - c0) // 2)
        if w > 0:
            pixels[r0 : r0 + w, c0:c1] = rgb
            pixels[r1 - w : r1, c0:c1] = rgb
            pixels[r0:r1, c0 : c0 + w] = rgb
            pixels[r0:r1, c1 - w : c1] = rgb
