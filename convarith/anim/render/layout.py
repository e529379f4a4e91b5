"""Figure geometry: the frame's size in pixels, where each grid sits, and the panel grid.

Arithmetic on sizes only (inches, points and cell units); nothing here draws or imports
matplotlib. :func:`layout_figure` decides, for a whole scene, how large a cell is, how the
panels tile the figure and where each panel's input and output grids go; the artists
(:mod:`convarith.anim.render.artists`) are then built at those places.

Units: a *cell unit* is one grid cell; inside a panel's axes one data unit is one cell. The
figure is 16:9 by default and every length that is not in cell units scales with its height
(``scale`` is the height over 5.4 inches), so a frame looks the same at any ``dpi``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from convarith.anim.scenes import Panel, Scene
from convarith.typing import PadPair

Pads2d = tuple[PadPair, PadPair]


def pixel_size(width: float, height: float, dpi: float) -> tuple[int, int]:
    """``(width, height)`` in pixels, each rounded to an even number (video encoders need it)."""
    return 2 * max(1, round(width * dpi / 2)), 2 * max(1, round(height * dpi / 2))


def is_vertical(scene: Scene, layout: str) -> bool:
    """Whether the output sits above the input: asked for, or one 1-D panel (the guide's way)."""
    return layout == "vertical" or (layout == "auto" and len(scene.panels) == 1 and scene.panels[0].ndim == 1)


def as2d(shape: Sequence[int]) -> tuple[int, int]:
    """Rows and columns of a grid (a 1-D grid is one row)."""
    return (1, shape[0]) if len(shape) == 1 else (shape[0], shape[1])


def pads2d(pads: Sequence[PadPair]) -> Pads2d:
    """Padding of rows and of columns, as ``((top, bottom), (left, right))``."""
    if not pads:
        return (0, 0), (0, 0)
    return ((0, 0), pads[0]) if len(pads) == 1 else (pads[0], pads[1])


def input_pads(panel: Panel) -> tuple[PadPair, ...]:
    """The drawn padding of the input grid: the padding, plus any ceil-mode overhang after it."""
    if not panel.overhang:
        return panel.input_padding
    return tuple((b, a + extra) for (b, a), extra in zip(panel.input_padding, panel.overhang, strict=True))


def _drawn_shape(shape: Sequence[int], pads: Sequence[PadPair]) -> tuple[int, int]:
    """Rows and columns of a grid as drawn, its padding included."""
    rows, cols = as2d(shape)
    (pt, pb), (pl, pr) = pads2d(pads)
    return rows + pt + pb, cols + pl + pr


@dataclass(frozen=True)
class Placement:
    """Lower-left corners of one panel's drawn grids (padding included), in cell units."""

    input: tuple[float, float]
    output: tuple[float, float]


def _place_grids(
    panels: Sequence[Panel], vertical: bool, gap: float
) -> tuple[list[Placement], tuple[float, float, float, float]]:
    """Where each panel's grids go, and the box ``(x_min, x_max, y_min, y_max)`` they fill.

    Real input cell ``(0, 0)`` is at the same place in every panel, so panels with different
    padding line up; the output is right of the input (centred on it vertically), or above it,
    ``gap`` cells away.
    """
    in_pads = [pads2d(input_pads(p)) for p in panels]
    a_r = max(p[0][0] for p in in_pads)
    b_r = max(p[0][1] for p in in_pads)
    a_c = max(p[1][0] for p in in_pads)
    b_c = max(p[1][1] for p in in_pads)
    rows_max = max(as2d(p.input_shape)[0] for p in panels)
    cols_max = max(as2d(p.input_shape)[1] for p in panels)
    in_h, in_w = a_r + rows_max + b_r, a_c + cols_max + b_c
    out_shapes = [_drawn_shape(p.output_shape, p.output_crop) for p in panels]
    out_h = max(h for h, _ in out_shapes)
    out_w = max(w for _, w in out_shapes)
    places = []
    for panel, ((_, pb), (pl, _)), (oh, ow) in zip(panels, in_pads, out_shapes, strict=True):
        rows, cols = as2d(panel.input_shape)
        at_input = (a_c - pl, b_r - pb + (rows_max - rows))
        if vertical:
            at_output = (a_c + cols / 2 - ow / 2, in_h + gap)
        else:
            at_output = (in_w + gap + (out_w - ow) / 2, (in_h - oh) / 2)
        places.append(Placement(at_input, at_output))
    xs = [v for place in places for v in (place.input[0], place.output[0])]
    x_min = min(min(xs), 0.0)
    if vertical:
        x_max = max(max(place.output[0] for place in places) + out_w, in_w)
        y_min, y_max = 0.0, in_h + gap + out_h
    else:
        x_max = in_w + gap + out_w
        y_min, y_max = min(0.0, (in_h - out_h) / 2), max(in_h, (in_h + out_h) / 2)
    return places, (x_min, x_max, y_min, y_max)


@dataclass(frozen=True)
class FigureLayout:
    """The geometry of a whole frame: the panel grid, the cell size, the room for texts.

    Lengths ending in ``_in`` are inches; ``places`` and ``bbox`` are in cell units.
    """

    width_in: float
    height_in: float
    scale: float  # height / 5.4 inches: fonts and margins scale with it
    vertical: bool
    gap: float  # cells between a panel's input and output grids
    places: tuple[Placement, ...]
    bbox: tuple[float, float, float, float]  # (x_min, x_max, y_min, y_max) of every panel's grids
    captions: tuple[str, ...]  # the caption lines drawn below the panels
    caption_in: float  # room for the caption
    caption_scale: float  # the caption's size relative to the usual one
    below_in: float  # room below the grids (the input label)
    above_in: float  # room above the grids (panel titles, the output label of a vertical layout)
    titled: bool  # whether each panel shows its title
    cell_in: float  # one cell
    rows: int
    cols: int
    block_w: float  # one panel's share of the figure
    block_h: float

    @property
    def cell_points(self) -> float:
        """One cell in points (font sizes are in points)."""
        return self.cell_in * 72

    def axes_rect(self, number: int) -> tuple[float, float, float, float]:
        """``(left, bottom, width, height)`` of panel ``number``'s axes, in figure fractions (row-major)."""
        r, c = divmod(number, self.cols)
        left_in = 0.15 + c * self.block_w
        bottom_in = self.caption_in + (self.rows - 1 - r) * self.block_h
        return (
            left_in / self.width_in,
            bottom_in / self.height_in,
            self.block_w / self.width_in,
            self.block_h / self.height_in,
        )

    def axes_limits(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """X and y data limits of every panel's axes: ``cell_in`` inches per cell, the content centred."""
        x_min, x_max, y_min, y_max = self.bbox
        content_lo = y_min - self.below_in / self.cell_in
        content_hi = y_max + self.above_in / self.cell_in
        y_mid = (content_lo + content_hi) / 2
        x_mid = (x_min + x_max) / 2
        half_w = self.block_w / self.cell_in / 2
        half_h = self.block_h / self.cell_in / 2
        return (x_mid - half_w, x_mid + half_w), (y_mid - half_h, y_mid + half_h)


def layout_figure(
    scene: Scene,
    width_in: float,
    height_in: float,
    dpi: float,
    *,
    vertical: bool,
    caption: bool,
    caption_scale: float = 1.0,
) -> FigureLayout:
    """Lay a scene out on a figure of ``width_in`` × ``height_in`` inches at ``dpi``.

    The panels tile the figure in the rows × columns (``scene.columns`` if set) that leave the
    cells largest, after room for the title, the caption and the grids' labels; a cell is never
    larger than 0.75 inch (scaled), so small layers do not look bloated, and is a whole number of
    pixels (with :func:`snap_to_pixels`, every cell edge falls on a pixel edge).
    """
    panels = scene.panels
    n = len(panels)
    scale = height_in / 5.4
    gap = 1.6 if not vertical else 1.3
    places, bbox = _place_grids(panels, vertical, gap)
    x_min, x_max, y_min, y_max = bbox
    ew, eh = x_max - x_min, y_max - y_min
    title_in = 0.62 * scale if scene.title else 0.15 * scale
    captions = tuple(panels[0].caption if n == 1 else scene.caption) if caption else ()
    caption_in = (0.14 + 0.3 * len(captions)) * scale * caption_scale if captions else 0.1 * scale
    below_in = 0.5 * scale  # the input label
    titled = n > 1 and any(p.title for p in panels)
    above_in = (0.42 * scale if titled else 0.0) + (0.45 * scale if vertical else 0.0)
    avail_w, avail_h = width_in - 0.3, height_in - title_in - caption_in
    best = (0.0, 1, n)
    for rows in range(1, n + 1):
        cols = math.ceil(n / rows)
        if scene.columns is not None and cols != scene.columns:
            continue
        cell = min((avail_w / cols - 0.25 * scale) / ew, (avail_h / rows - below_in - above_in) / eh)
        if cell > best[0]:
            best = (cell, rows, cols)
    cell_in, rows, cols = best
    return FigureLayout(
        width_in=width_in,
        height_in=height_in,
        scale=scale,
        vertical=vertical,
        gap=gap,
        places=tuple(places),
        bbox=bbox,
        captions=captions,
        caption_in=caption_in,
        caption_scale=caption_scale,
        below_in=below_in,
        above_in=above_in,
        titled=titled,
        cell_in=max(1, math.floor(min(cell_in, 0.75 * scale) * dpi)) / dpi,
        rows=rows,
        cols=cols,
        block_w=(width_in - 0.3) / cols,
        block_h=avail_h / rows,
    )


def snap_to_pixels(place: Placement, to_pixels: Callable[[tuple[float, float]], Any], cell_px: float) -> Placement:
    """Move each grid's origin by less than half a pixel so that its cell edges fall on pixel edges.

    With cells of a whole number of pixels (``cell_px``) and ``to_pixels`` the axes' data-to-pixel
    transform, every cell then covers whole pixels: drawn fills have no partly covered pixels, and
    the renderer's per-cell pixel rectangles are exactly the cells (no rounding ties).
    """

    def snap(xy: tuple[float, float]) -> tuple[float, float]:
        px, py = to_pixels(xy)
        return xy[0] + (round(px) - px) / cell_px, xy[1] + (round(py) - py) / cell_px

    return Placement(snap(place.input), snap(place.output))
