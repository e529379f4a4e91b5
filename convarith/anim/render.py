"""Drawing scenes: slide-ready frames of the animations, with matplotlib's Agg backend.

:class:`Renderer` builds the figure of a :class:`convarith.anim.scenes.Scene` once (grids, labels,
caption) and then only recolours cells and moves the kernel footprint for each step, so a frame
of a 7x7 convolution takes a few milliseconds to update and draw — fast enough for notebook
sliders. matplotlib is imported when a renderer is built, never by ``import convarith``.

Colours are from the Okabe-Ito palette, which stays distinguishable under the common forms of
colour-vision deficiency: the input is blue, the output bluish green, the kernel footprint
vermillion, the winning cell of max pooling orange; padding is white with a dashed grey edge,
inserted zeros light grey with a dotted edge.

References
----------
.. [1] M. Okabe and K. Ito, "Color Universal Design (CUD): how to make figures and
   presentations that are friendly to colorblind people", 2008.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from convarith.anim.scenes import ChannelScene, Panel, Scene

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["PALETTE", "ChannelRenderer", "Renderer", "render"]

PALETTE: dict[str, str] = {
    # Okabe-Ito hues, and tints of them for the quiet cells
    "input": "#d3ebf9",  # tint of sky blue
    "input_read": "#56b4e9",  # sky blue
    "input_edge": "#2c6e96",
    "padding": "#ffffff",
    "padding_read": "#a6d3ef",
    "padding_edge": "#8c8c8c",
    "zero": "#f0f0f0",
    "zero_read": "#a6d3ef",
    "output": "#d5efe6",  # tint of bluish green
    "output_done": "#8fd3bb",
    "output_now": "#009e73",  # bluish green
    "output_edge": "#1f6e55",
    "cropped": "#ffffff",
    "cropped_now": "#e6e6e6",
    "scatter_now": "#fbd3b5",  # tint of vermillion: the kernel being added
    "overhang": "#ffffff",
    "footprint": "#d55e00",  # vermillion
    "weight": "#8a3300",  # dark vermillion: kernel weights, readable on blue and on its tint
    "winner": "#e69f00",  # orange
    "text": "#1a1a1a",
    "muted": "#5a5a5a",
    "link": "#9a9a9a",
}
"""Cell colours (Okabe-Ito palette and tints)."""

_GROUP_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")


@dataclass
class _Grid:
    """Cells of one drawn grid: their polygon collection and where each coordinate sits."""

    collection: Any
    index: dict[tuple[int, ...], int]
    x0: float
    y0: float
    before: tuple[int, int]  # padding (or crop) before, rows and columns
    shape: tuple[int, int]  # full drawn size (with padding), rows and columns
    verts: Any = None  # (cells, 4, 2) corners, in `index` order
    edges: Any = None  # RGBA edge colour per cell
    widths: Any = None
    styles: Any = None

    def corner(self, coord: tuple[int, ...]) -> tuple[float, float]:
        """Lower-left corner of a cell, in data units."""
        r, c = (0, coord[0]) if len(coord) == 1 else coord
        return self.x0 + c + self.before[1], self.y0 + self.shape[0] - (r + self.before[0]) - 1

    def centre(self, coord: tuple[int, ...]) -> tuple[float, float]:
        x, y = self.corner(coord)
        return x + 0.5, y + 0.5


def _as2d(shape: Sequence[int]) -> tuple[int, int]:
    return (1, shape[0]) if len(shape) == 1 else (shape[0], shape[1])


def _pads2d(pads: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], tuple[int, int]]:
    if not pads:
        return (0, 0), (0, 0)
    return ((0, 0), pads[0]) if len(pads) == 1 else (pads[0], pads[1])


def _input_pads(panel: Panel) -> tuple[tuple[int, int], ...]:
    """The drawn padding of the input grid: the padding, plus any ceil-mode overhang after it."""
    if not panel.overhang:
        return panel.input_padding
    return tuple((b, a + extra) for (b, a), extra in zip(panel.input_padding, panel.overhang, strict=True))


def _format_value(value: float) -> str:
    if not np.isfinite(value):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}".rstrip("0")


class _FigureRenderer:
    """What every renderer shares: a figure on an Agg canvas, and stepping through it."""

    figure: Figure
    canvas: Any
    step: int
    scene: Any

    def __len__(self) -> int:
        return len(self.scene)

    def update(self, step: int) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _draw(self, step: int | None) -> np.ndarray:  # pragma: no cover - overridden
        """Draw step ``step`` into the canvas; return the canvas's RGBA buffer (not a copy)."""
        raise NotImplementedError

    def image(self, step: int | None = None) -> Any:
        """Step ``step`` (the current step if None) as a Pillow RGB image."""
        from PIL import Image

        rgba = self._draw(step)
        height, width = rgba.shape[:2]
        return Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB")

    def draw_frame(self, step: int | None = None) -> np.ndarray:
        """Pixels of step ``step`` (the current step if None): ``uint8`` array ``(height, width, 3)``."""
        return np.asarray(self.image(step))

    def images(self) -> Iterator[Any]:
        """Iterate over every step as a Pillow RGB image."""
        for step in range(len(self)):
            yield self.image(step)

    def _check_step(self, step: int) -> int:
        n = len(self.scene)
        if isinstance(step, bool) or not isinstance(step, int | np.integer):
            raise TypeError(f"`step` must be an integer, got {type(step).__name__} {step!r}")
        if not 0 <= step < n:
            raise ValueError(f"`step` must be in [0, {n}), got {step}")
        return int(step)

    def savefig(self, fname: Any, step: int | None = None, **kwargs: Any) -> None:
        """Save step ``step`` with :meth:`matplotlib.figure.Figure.savefig` (any format, vector too)."""
        if step is not None:
            self.update(step)
        elif self.step < 0:
            self.update(0)
        self._prepare_full_draw()
        self.figure.savefig(fname, **kwargs)

    def _prepare_full_draw(self) -> None:
        """Bring artists that blitting keeps in the background up to date (before a full draw)."""

    def frames(self) -> Iterator[np.ndarray]:
        """Iterate over the pixels of every step."""
        for step in range(len(self)):
            yield self.draw_frame(step)

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` in pixels."""
        w, h = self.canvas.get_width_height()
        return int(w), int(h)

    def close(self) -> None:
        """Release the figure (renderers do not use pyplot, so nothing global is kept)."""
        self.figure.clear()


class Renderer(_FigureRenderer):
    """A reusable figure for one scene: :meth:`update` a step, :meth:`draw_frame` to pixels.

    Parameters
    ----------
    scene : Scene
    numbers : bool, optional
        Show values and kernel weights (default: whenever the scene carries values).
    caption : bool
        Show the output-size formula with the numbers substituted.
    width, height : float
        Figure size in inches (default 16:9, 9.6 × 5.4).
    dpi : float
        Dots per inch: ``width*dpi`` × ``height*dpi`` pixels (rounded to even numbers, as video
        encoders require).
    layout : {'auto', 'horizontal', 'vertical'}
        Output right of the input, or above it (the guide's way; the default for 1-D).

    Notes
    -----
    The figure, its cell collections and its texts are built once; :meth:`update` only changes
    face colours, moves the footprint and sets texts, and :meth:`draw_frame` draws the canvas.

    Examples
    --------
    >>> from convarith.anim.scenes import conv_scene
    >>> r = Renderer(conv_scene((4, 4), 3), dpi=20)  # no_padding_no_strides
    >>> r.draw_frame(3).shape  # (height, width, RGB)
    (108, 192, 3)
    """

    def __init__(
        self,
        scene: Scene,
        *,
        numbers: bool | None = None,
        caption: bool = True,
        width: float = 9.6,
        height: float = 5.4,
        dpi: float = 100,
        layout: str = "auto",
    ) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from convarith.arithmetic.validate import check_choice

        if not isinstance(scene, Scene):
            raise TypeError(f"`scene` must be a Scene, got {type(scene).__name__}")
        check_choice(layout, "layout", ("auto", "horizontal", "vertical"))
        if not (width > 0 and height > 0 and dpi > 0):
            raise ValueError(f"`width`, `height` and `dpi` must be positive, got {width}, {height}, {dpi}")
        for panel in scene.panels:
            if panel.ndim > 2:
                raise ValueError(f"pictures have 1 or 2 spatial axes, got {panel.ndim}")
        self.scene = scene
        self.numbers = any(p.input_values is not None for p in scene.panels) if numbers is None else bool(numbers)
        self.caption = caption
        self.step = -1
        px_w = 2 * max(1, round(width * dpi / 2))
        px_h = 2 * max(1, round(height * dpi / 2))
        self.figure: Figure = Figure(figsize=(px_w / dpi, px_h / dpi), dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.figure)
        self._scale = px_h / dpi / 5.4  # fonts scale with the figure
        vertical = layout == "vertical" or (layout == "auto" and len(scene.panels) == 1 and scene.panels[0].ndim == 1)
        self._vertical = vertical
        self._layers: dict[str, np.ndarray] | None = None  # pre-rendered pixels (see _build_layers)
        self._rects: dict[tuple[Any, ...], tuple[int, int, int, int]] = {}
        self._build()

    # -- layout ------------------------------------------------------------------------------
    @staticmethod
    def _drawn_shape(shape: Sequence[int], pads: Sequence[tuple[int, int]]) -> tuple[int, int]:
        rows, cols = _as2d(shape)
        (pt, pb), (pl, pr) = _pads2d(pads)
        return rows + pt + pb, cols + pl + pr

    def _place(self) -> list[dict[str, Any]]:
        """Where each panel's grids go, in cell units; real input cell (0, 0) is at the same place in every panel."""
        panels = self.scene.panels
        in_pads = [_pads2d(_input_pads(p)) for p in panels]
        a_r = max(p[0][0] for p in in_pads)
        b_r = max(p[0][1] for p in in_pads)
        a_c = max(p[1][0] for p in in_pads)
        b_c = max(p[1][1] for p in in_pads)
        rows_max = max(_as2d(p.input_shape)[0] for p in panels)
        cols_max = max(_as2d(p.input_shape)[1] for p in panels)
        in_h, in_w = a_r + rows_max + b_r, a_c + cols_max + b_c
        out_shapes = [self._drawn_shape(p.output_shape, p.output_crop) for p in panels]
        out_h = max(h for h, _ in out_shapes)
        out_w = max(w for _, w in out_shapes)
        places = []
        for panel, ((_, pb), (pl, _)), (oh, ow) in zip(panels, in_pads, out_shapes, strict=True):
            rows, cols = _as2d(panel.input_shape)
            place: dict[str, Any] = {"in": (a_c - pl, b_r - pb + (rows_max - rows))}
            if self._vertical:
                place["out"] = (a_c + cols / 2 - ow / 2, in_h + self._gap)
            else:
                place["out"] = (in_w + self._gap + (out_w - ow) / 2, (in_h - oh) / 2)
            places.append(place)
        xs = [v for pl_ in places for v in (pl_["in"][0], pl_["out"][0])]
        x_min = min(min(xs), 0.0)
        if self._vertical:
            x_max = max(max(pl_["out"][0] for pl_ in places) + out_w, in_w)
            y_min, y_max = 0.0, in_h + self._gap + out_h
        else:
            x_max = in_w + self._gap + out_w
            y_min, y_max = min(0.0, (in_h - out_h) / 2), max(in_h, (in_h + out_h) / 2)
        self._bbox = (x_min, x_max, y_min, y_max)
        return places

    def _build(self) -> None:
        scene, fig, sc = self.scene, self.figure, self._scale
        n = len(scene.panels)
        self._gap = 1.6 if not self._vertical else 1.3
        places = self._place()
        x_min, x_max, y_min, y_max = self._bbox
        ew, eh = x_max - x_min, y_max - y_min
        width_in, height_in = (float(v) for v in fig.get_size_inches())
        title_in = 0.62 * sc if scene.title else 0.15 * sc
        captions = scene.panels[0].caption if n == 1 else scene.caption
        caption_lines = len(captions) if self.caption else 0
        caption_in = (0.14 + 0.3 * caption_lines) * sc if caption_lines else 0.1 * sc
        below_in = 0.5 * sc  # the input label
        titled = n > 1 and any(p.title for p in scene.panels)
        above_in = (0.42 * sc if titled else 0.0) + (0.45 * sc if self._vertical else 0.0)
        avail_w, avail_h = width_in - 0.3, height_in - title_in - caption_in
        best = (0.0, 1, n)
        for rows in range(1, n + 1):
            cols = math.ceil(n / rows)
            if scene.columns is not None and cols != scene.columns:
                continue
            cell = min((avail_w / cols - 0.25 * sc) / ew, (avail_h / rows - below_in - above_in) / eh)
            if cell > best[0]:
                best = (cell, rows, cols)
        cell_in, rows, cols = best
        cell_in = min(cell_in, 0.75 * sc)
        self._cell_points = cell_in * 72
        self._grids: list[tuple[_Grid, _Grid]] = []
        self._panel_artists: list[dict[str, Any]] = []
        self._static_texts: list[Any] = []
        width_pts = width_in * 72
        if scene.title:
            size = min(17 * sc, 0.94 * width_pts / (0.66 * len(scene.title)))
            fig.text(
                0.5,
                1 - 0.32 * sc / height_in,
                scene.title,
                ha="center",
                va="center",
                fontsize=size,
                color=PALETTE["text"],
                fontweight="bold",
            )
        for line_no, line in enumerate(captions if caption_lines else ()):
            base = 14 if line_no == 0 else 11
            size = min(base * sc, 0.94 * width_pts / (0.6 * len(line)))
            fig.text(
                0.5,
                (0.24 + 0.3 * (caption_lines - 1 - line_no)) * sc / height_in,
                line,
                ha="center",
                va="center",
                fontsize=size,
                color=PALETTE["text"] if line_no == 0 else PALETTE["muted"],
            )
        block_w = (width_in - 0.3) / cols
        block_h = avail_h / rows
        for number, (panel, place) in enumerate(zip(scene.panels, places, strict=True)):
            r, c = divmod(number, cols)
            left_in = 0.15 + c * block_w
            bottom_in = caption_in + (rows - 1 - r) * block_h
            ax = fig.add_axes((left_in / width_in, bottom_in / height_in, block_w / width_in, block_h / height_in))
            ax.set_axis_off()
            # data limits with `cell_in` inches per unit, the content (and its labels) centred
            content_lo = y_min - below_in / cell_in
            content_hi = y_max + above_in / cell_in
            y_mid = (content_lo + content_hi) / 2
            x_mid = (x_min + x_max) / 2
            ax.set_xlim(x_mid - block_w / cell_in / 2, x_mid + block_w / cell_in / 2)
            ax.set_ylim(y_mid - block_h / cell_in / 2, y_mid + block_h / cell_in / 2)
            self._build_panel(ax, panel, place, titled)

    def _build_panel(self, ax: Any, panel: Panel, place: dict[str, Any], show_title: bool) -> None:
        from matplotlib.collections import PolyCollection
        from matplotlib.patches import Rectangle

        sc = self._scale
        cell_pts = self._cell_points

        real_after = (_pads2d(panel.input_padding)[0][1], _pads2d(panel.input_padding)[1][1])

        def grid(shape: Sequence[int], pads: Sequence[tuple[int, int]], x0: float, y0: float, kind: str) -> _Grid:
            rows, cols = _as2d(shape)
            (pt, pb), (pl, pr) = _pads2d(pads)
            g = _Grid(None, {}, x0, y0, (pt, pl), (rows + pt + pb, cols + pl + pr))
            verts: list[list[tuple[float, float]]] = []
            faces: list[str] = []
            edges: list[str] = []
            styles: list[Any] = []
            widths: list[float] = []
            for rr in range(-pt, rows + pb):
                for cc in range(-pl, cols + pr):
                    coord = (cc,) if len(shape) == 1 else (rr, cc)
                    inside = 0 <= rr < rows and 0 <= cc < cols
                    zero = inside and kind == "input" and coord in panel.zeros
                    beyond = kind == "input" and (rr >= rows + real_after[0] or cc >= cols + real_after[1])
                    x, y = g.corner(coord)
                    g.index[coord] = len(verts)
                    verts.append([(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1)])
                    if beyond:  # ceil-mode overhang: reached by a window, never read
                        faces.append(PALETTE["overhang"])
                        edges.append(PALETTE["link"])
                        styles.append((0, (1, 3)))
                    elif kind == "input":
                        faces.append(PALETTE["zero"] if zero else PALETTE["input"] if inside else PALETTE["padding"])
                        edges.append(PALETTE["input_edge"] if inside and not zero else PALETTE["padding_edge"])
                        styles.append((0, (1, 2)) if zero else "solid" if inside else (0, (3, 2)))
                    else:
                        faces.append(PALETTE["output"] if inside else PALETTE["cropped"])
                        edges.append(PALETTE["output_edge"] if inside else PALETTE["padding_edge"])
                        styles.append("solid" if inside else (0, (3, 2)))
                    widths.append(1.2 * sc if inside and not zero else 1.0 * sc)
            coll = PolyCollection(
                verts,
                facecolors=faces,
                edgecolors=edges,
                linewidths=widths,
                linestyles=styles,
                zorder=1 if kind == "input" else 2,  # the links pass under the output grid
            )
            ax.add_collection(coll)
            g.collection = coll
            g.verts = np.array(verts, dtype=float)
            g.edges = np.array(coll.get_edgecolor())
            g.widths = np.array(widths)
            g.styles = styles
            return g

        gin = grid(panel.input_shape, _input_pads(panel), place["in"][0], place["in"][1], "input")
        gout = grid(panel.output_shape, panel.output_crop, place["out"][0], place["out"][1], "output")
        cols_in = gin.shape[1]
        rows_out, cols_out = gout.shape
        (in_x0, in_y0), (out_x0, out_y0) = place["in"], place["out"]
        gap_units = 0.14 * sc * 72 / cell_pts  # 0.14 inch, in cell units

        def label_size(text: str, cols: int) -> float:
            room = (cols + self._gap) * cell_pts  # the grid and the gap beside it
            return max(8.0 * sc, min(14 * sc, room / (0.64 * len(text))))

        ax.text(
            in_x0 + cols_in / 2,
            in_y0 - gap_units,
            panel.input_label,
            ha="center",
            va="top",
            fontsize=label_size(panel.input_label, cols_in),
            color=PALETTE["input_edge"],
            fontweight="bold",
        )
        out_size = label_size(panel.output_label, cols_out)
        if self._vertical:
            output_label = ax.text(
                out_x0 + cols_out / 2,
                out_y0 + rows_out + gap_units,
                panel.output_label,
                ha="center",
                va="bottom",
                fontsize=out_size,
                color=PALETTE["output_edge"],
                fontweight="bold",
            )
        else:
            output_label = ax.text(
                out_x0 + cols_out / 2,
                out_y0 - gap_units,
                panel.output_label,
                ha="center",
                va="top",
                fontsize=out_size,
                color=PALETTE["output_edge"],
                fontweight="bold",
            )
        if show_title:
            top = ax.get_ylim()[1]
            ax.text(
                (ax.get_xlim()[0] + ax.get_xlim()[1]) / 2,
                top - gap_units,
                panel.title,
                ha="center",
                va="top",
                fontsize=13 * sc,
                color=PALETTE["text"],
            )

        def overlay(zorder: float) -> Any:
            coll = PolyCollection([], animated=True, zorder=zorder)
            ax.add_collection(coll)
            return coll

        # moving parts (animated: left out of the cached background, drawn over it)
        art: dict[str, Any] = {
            "read": overlay(1.2),  # input cells read now
            "done": overlay(2.1),  # output cells computed before this step
            "now": overlay(2.3),  # output cells written now
            "links": [
                ax.plot(
                    [0, 0],
                    [0, 0],
                    color=PALETTE["link"],
                    linewidth=1.1 * sc,
                    animated=True,
                    zorder=3.5 if panel.footprint_on_output else 1.5,  # direct views: under the output grid
                )[0]
                for _ in range(2)
            ],
            "footprint": ax.add_patch(
                Rectangle(
                    (0, 0),
                    1,
                    1,
                    fill=False,
                    edgecolor=PALETTE["footprint"],
                    linewidth=3.2 * sc,
                    animated=True,
                    zorder=4,
                )
            ),
            "target": ax.add_patch(
                Rectangle(
                    (0, 0),
                    1,
                    1,
                    fill=False,
                    edgecolor=PALETTE["output_edge"],
                    linewidth=3.0 * sc,
                    animated=True,
                    zorder=4,
                )
            ),
            "output_label": output_label,
            "in_texts": {},
            "read_texts": [],
            "out_texts": {},
            "weight_texts": [],
            "touched": set(),
            "delta_cells": [],
        }
        value_size = max(4.0, min(15 * sc, 0.4 * cell_pts))
        weight_size = max(3.0, min(10 * sc, 0.27 * cell_pts))
        if self.numbers:
            kernel_cells = int(np.prod(panel.kernel_shape))
            if panel.input_values is not None:
                for coord in np.ndindex(*panel.input_values.shape):
                    if coord in panel.zeros:
                        continue
                    cx, cy = gin.centre(coord)
                    art["in_texts"][coord] = ax.text(
                        cx,
                        cy,
                        _format_value(float(panel.input_values[coord])),
                        ha="center",
                        va="center",
                        fontsize=value_size,
                        color=PALETTE["text"],
                        zorder=3,
                    )
                # copies drawn over the recoloured cells when blitting (hidden otherwise)
                count = 1 if panel.footprint_on_output else kernel_cells
                art["read_texts"] = [
                    ax.text(
                        0,
                        0,
                        "",
                        ha="center",
                        va="center",
                        fontsize=value_size,
                        color=PALETTE["text"],
                        animated=True,
                        visible=False,
                        zorder=3.1,
                    )
                    for _ in range(count)
                ]
            for coord in np.ndindex(*panel.output_shape):
                cx, cy = gout.centre(coord)
                art["out_texts"][coord] = ax.text(
                    cx,
                    cy,
                    "",
                    ha="center",
                    va="center",
                    fontsize=value_size,
                    color=PALETTE["text"],
                    animated=True,
                    zorder=3,
                )
            if panel.kernel_values is not None:
                art["weight_texts"] = [
                    ax.text(
                        0,
                        0,
                        "",
                        ha="right",
                        va="bottom",
                        fontsize=weight_size,
                        color=PALETTE["weight"],
                        fontweight="bold",
                        animated=True,
                        zorder=4.1,
                    )
                    for _ in range(kernel_cells)
                ]
        if not panel.footprint_on_output:
            # an opaque box: the links pass under the label (blitting copies it back over them)
            output_label.set_bbox({"facecolor": "white", "edgecolor": "none", "pad": 0.5})
        self._grids.append((gin, gout))
        self._panel_artists.append(art)

    # -- stepping ----------------------------------------------------------------------------
    @staticmethod
    def _set_cells(coll: Any, grid: _Grid, cells: Sequence[tuple[int, ...]], faces: Sequence[Any]) -> None:
        rows = [grid.index[c] for c in cells if c in grid.index]
        keep = [f for c, f in zip(cells, faces, strict=True) if c in grid.index]
        coll.set_verts(grid.verts[rows] if rows else [])
        coll.set_facecolors(keep if keep else "none")
        coll.set_edgecolors(grid.edges[rows] if rows else "none")
        coll.set_linewidths(grid.widths[rows] if rows else 0)
        coll.set_linestyles([grid.styles[r] for r in rows] if rows else "solid")

    def update(self, step: int) -> None:
        """Show step ``step``: recolour cells, move the footprint, set the output values."""
        step = self._check_step(step)
        read_colour = {
            "input": PALETTE["input_read"],
            "padding": PALETTE["padding_read"],
            "overhang": PALETTE["overhang"],  # reached by the window, ignored by pooling
            "zero": PALETTE["zero_read"],
        }
        for panel, (gin, gout), art in zip(self.scene.panels, self._grids, self._panel_artists, strict=True):
            frame = panel.frames[step]
            scatter = panel.footprint_on_output
            # input grid: the cells read now (and the max-pooling winner)
            cells = [c.coord for c in frame.reads]
            faces = [
                PALETTE["winner"] if c.coord == frame.winner else read_colour.get(c.kind, PALETTE["input_read"])
                for c in frame.reads
            ]
            art["pending"] = [("read", gin, cells, faces)]  # applied before a full draw (see _apply)
            # output grid: computed before (done) and now
            if scatter:
                done = list(dict.fromkeys(c.coord for f in panel.frames[:step] for c in f.writes if c.kind == "output"))
            else:
                done = [c.coord for f in panel.frames[:step] for c in f.writes]
            art["done_cells"] = done
            now = [c.coord for c in frame.writes]
            now_colour = PALETTE["scatter_now"] if scatter else PALETTE["output_now"]
            now_faces = [PALETTE["cropped_now"] if c.kind == "cropped" else now_colour for c in frame.writes]
            art["pending"] += [
                ("done", gout, done, [PALETTE["output_done"]] * len(done)),
                ("now", gout, now, now_faces),
            ]
            art["touched"] = set(done) | {c for c in now if c in art["out_texts"]}
            # the footprint: bounding box of the cells with kernel taps
            tapped = frame.writes if scatter else frame.reads
            grid = gout if scatter else gin
            corners = [grid.corner(c.coord) for c in tapped]
            x_lo, y_lo = min(x for x, _ in corners), min(y for _, y in corners)
            x_hi, y_hi = max(x for x, _ in corners) + 1, max(y for _, y in corners) + 1
            art["footprint"].set_bounds(x_lo, y_lo, x_hi - x_lo, y_hi - y_lo)
            # the single cell at the other end, and two links to it
            single = frame.reads[0] if scatter else frame.writes[0]
            other = gin if scatter else gout
            sx, sy = other.corner(single.coord)
            art["target"].set_bounds(sx, sy, 1, 1)
            art["target"].set_edgecolor(PALETTE["input_edge"] if scatter else PALETTE["output_edge"])
            if self._vertical:
                if scatter:
                    ends = [((sx, sy + 1), (x_lo, y_lo)), ((sx + 1, sy + 1), (x_hi, y_lo))]
                else:
                    ends = [((x_lo, y_hi), (sx, sy)), ((x_hi, y_hi), (sx + 1, sy))]
            elif scatter:
                ends = [((sx + 1, sy + 1), (x_lo, y_hi)), ((sx + 1, sy), (x_lo, y_lo))]
            else:
                ends = [((x_hi, y_hi), (sx, sy + 1)), ((x_hi, y_lo), (sx, sy))]
            for line, ((ax0, ay0), (ax1, ay1)) in zip(art["links"], ends, strict=True):
                line.set_data([ax0, ax1], [ay0, ay1])
            art["read_active"] = []
            values = panel.input_values
            if art["read_texts"] and values is not None:
                readable = [c.coord for c in frame.reads if c.coord in art["in_texts"]]
                for text, coord in zip(art["read_texts"], readable, strict=False):
                    text.set_position(gin.centre(coord))
                    text.set_text(_format_value(float(values[coord])))
                    art["read_active"].append(text)
            if art["weight_texts"] and panel.kernel_values is not None:
                for text, cell in zip(art["weight_texts"], tapped, strict=False):
                    x, y = grid.corner(cell.coord)
                    assert cell.tap is not None
                    text.set_position((x + 0.95, y + 0.04))
                    text.set_text(_format_value(float(panel.kernel_values[cell.tap])))
        self.step = step

    def _apply(self, panel_index: int) -> None:
        """Set the overlays and output values of the current step on the artists (a full draw needs them)."""
        panel, art = self.scene.panels[panel_index], self._panel_artists[panel_index]
        for name, grid, cells, faces in art.get("pending", []):
            self._set_cells(art[name], grid, cells, faces)
        art["pending"] = []
        frame = panel.frames[self.step]
        if art["out_texts"] and frame.output_values is not None:
            current = {c.coord for c in frame.writes}
            scatter = panel.footprint_on_output
            for coord, text in art["out_texts"].items():
                shown = coord in art["touched"]
                text.set_text(_format_value(float(frame.output_values[coord])) if shown else "")
                bold = coord in current and not scatter
                text.set_color("white" if bold else PALETTE["text"])
                text.set_fontweight("bold" if bold else "normal")

    def _prepare_full_draw(self) -> None:
        for panel_index in range(len(self.scene.panels)):
            self._apply(panel_index)

    # -- fast drawing ------------------------------------------------------------------------
    # A frame is composed from pre-rendered full-figure layers: the background (every cell in its
    # resting colour, with the input values) and, once per renderer, one layer per cell state
    # ("read", "winner", "done", "now") with every cell in that state and its text. A frame copies
    # each highlighted cell's pixel rectangle from the layer of its state, then draws the few
    # moving lines (footprint, links, target) and the kernel weights. The full matplotlib draw
    # (``savefig``) stays the reference; the tests compare the two.

    def _cell_rect(self, panel_index: int, grid_index: int, coord: tuple[int, ...]) -> tuple[int, int, int, int]:
        key = (panel_index, grid_index, coord)
        rect = self._rects.get(key)
        if rect is None:
            grid = self._grids[panel_index][grid_index]
            ax = self._panel_artists[panel_index]["footprint"].axes
            x, y = grid.corner(coord)
            (x0, y0), (x1, y1) = ax.transData.transform([(x, y), (x + 1, y + 1)])
            height = self._layer("background").shape[0]
            rect = (height - round(y1), height - round(y0), round(x0), round(x1))
            self._rects[key] = rect
        return rect

    def _build_layers(self) -> None:
        """Render the background and the cell-state layers (once per renderer)."""
        self.canvas.draw()  # animated artists are left out: the background
        buffer = np.asarray(self.canvas.buffer_rgba())
        background = buffer.copy()
        layers = {"background": background}
        self._layers = layers
        read_colour = {
            "input": PALETTE["input_read"],
            "padding": PALETTE["padding_read"],
            "overhang": PALETTE["padding_read"],
            "zero": PALETTE["zero_read"],
        }

        def input_state(gin: _Grid, panel: Panel) -> list[tuple[tuple[int, ...], str]]:
            result = []
            for coord in gin.index:
                inside = all(0 <= c < n for c, n in zip(coord, panel.input_shape, strict=True))
                zero = coord in panel.zeros
                result.append((coord, "zero" if zero else "input" if inside else "padding"))
            return result

        states = ["read", "done", "now"]
        if any(f.winner is not None for p in self.scene.panels for f in p.frames):
            states.append("winner")
        for state in states:
            buffer[...] = background
            for panel, (gin, gout), art in zip(self.scene.panels, self._grids, self._panel_artists, strict=True):
                if panel.footprint_on_output:
                    continue
                ax = art["footprint"].axes
                if state in ("read", "winner"):
                    cells = input_state(gin, panel)
                    colours = [PALETTE["winner"] if state == "winner" else read_colour[k] for _, k in cells]
                    self._set_cells(art["read"], gin, [c for c, _ in cells], colours)
                    ax.draw_artist(art["read"])
                    for text in art["in_texts"].values():
                        ax.draw_artist(text)
                else:
                    coords = list(gout.index)
                    colour = PALETTE["output_done"] if state == "done" else PALETTE["output_now"]
                    self._set_cells(art["now"], gout, coords, [colour] * len(coords))
                    ax.draw_artist(art["now"])
                    final = panel.frames[-1].output_values
                    if art["out_texts"] and final is not None:
                        for coord, text in art["out_texts"].items():
                            text.set_text(_format_value(float(final[coord])))
                            text.set_color("white" if state == "now" else PALETTE["text"])
                            text.set_fontweight("bold" if state == "now" else "normal")
                            ax.draw_artist(text)
            layers[state] = buffer.copy()

    def _label_rect(self, panel_index: int) -> tuple[int, int, int, int]:
        key = (panel_index, "output_label")
        rect = self._rects.get(key)
        if rect is None:
            label = self._panel_artists[panel_index]["output_label"]
            renderer = self.canvas.get_renderer()
            label.update_bbox_position_size(renderer)
            patch = label.get_bbox_patch()
            box = patch.get_window_extent(renderer) if patch is not None else label.get_window_extent(renderer)
            height = self._layer("background").shape[0]
            rect = (
                max(height - round(box.y1), 0),
                height - round(box.y0),
                max(round(box.x0), 0),
                round(box.x1),
            )
            self._rects[key] = rect
        return rect

    def _layer(self, state: str) -> np.ndarray:
        if self._layers is None:
            self._build_layers()
        assert self._layers is not None
        return self._layers[state]

    def _copy_cells(self, buffer: np.ndarray, panel_index: int, grid_index: int, cells: Any, state: str) -> None:
        layer = self._layer(state)
        for coord in cells:
            if coord in self._grids[panel_index][grid_index].index:
                r0, r1, c0, c1 = self._cell_rect(panel_index, grid_index, coord)
                buffer[r0:r1, c0:c1] = layer[r0:r1, c0:c1]

    def _draw(self, step: int | None) -> np.ndarray:
        """Draw step ``step`` into the canvas buffer (returned, RGBA, not a copy).

        The still parts and every cell state are rendered once; a frame copies the highlighted
        cells' pixels from those layers and draws only the lines that move, so a frame takes a few
        milliseconds whichever step it is (sliders jump anywhere).
        """
        if step is None:
            step = max(self.step, 0)
        if self._layers is None:
            self._build_layers()
        self.update(step)  # (building the layers borrows the artists; this puts them back)
        buffer = np.asarray(self.canvas.buffer_rgba())
        buffer[...] = self._layer("background")
        for p, (panel, art) in enumerate(zip(self.scene.panels, self._panel_artists, strict=True)):
            ax = art["footprint"].axes
            frame = panel.frames[self.step]
            if panel.footprint_on_output:  # the scatter view: values change every frame, draw them
                self._apply(p)
                for name in ("done", "read", "now"):
                    ax.draw_artist(art[name])
                for coord in art["touched"] if art["out_texts"] else ():
                    ax.draw_artist(art["out_texts"][coord])
                for text in art["read_active"]:
                    text.set_visible(True)
                    ax.draw_artist(text)
                    text.set_visible(False)
                for line in art["links"]:
                    ax.draw_artist(line)
            else:
                read = [c.coord for c in frame.reads if c.kind != "overhang"]  # overhang: never read
                self._copy_cells(buffer, p, 0, read, "read")
                if frame.winner is not None:
                    self._copy_cells(buffer, p, 0, [frame.winner], "winner")
                for line in art["links"]:  # under the output grid and its label: copied over them next
                    ax.draw_artist(line)
                now = {c.coord for c in frame.writes}
                done = set(art["done_cells"])
                rest = [c for c in self._grids[p][1].index if c not in now and c not in done]
                self._copy_cells(buffer, p, 1, rest, "background")
                self._copy_cells(buffer, p, 1, list(done), "done")
                self._copy_cells(buffer, p, 1, list(now), "now")
                r0, r1, c0, c1 = self._label_rect(p)  # the label (and its white box) back over the links
                buffer[r0:r1, c0:c1] = self._layer("background")[r0:r1, c0:c1]
            ax.draw_artist(art["footprint"])
            ax.draw_artist(art["target"])
            for text in art["weight_texts"]:
                ax.draw_artist(text)
        return buffer


class ChannelRenderer(_FigureRenderer):
    """The channel view of a grouped convolution: input and output channels, and who feeds whom.

    Parameters
    ----------
    scene : ChannelScene
    caption : bool
    width, height, dpi : float
        As in :class:`Renderer`.

    Notes
    -----
    The boxes, faded links and labels are drawn once; each step draws highlighted copies of the
    boxes and links involved over them.

    Examples
    --------
    >>> from convarith.anim.scenes import group_scene
    >>> ChannelRenderer(group_scene(4, 4, 2), dpi=20).draw_frame(0).shape
    (108, 192, 3)
    """

    def __init__(
        self,
        scene: ChannelScene,
        *,
        caption: bool = True,
        width: float = 9.6,
        height: float = 5.4,
        dpi: float = 100,
        numbers: bool | None = None,
        layout: str = "auto",
    ) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import FancyBboxPatch

        if not isinstance(scene, ChannelScene):
            raise TypeError(f"`scene` must be a ChannelScene, got {type(scene).__name__}")
        if not (width > 0 and height > 0 and dpi > 0):
            raise ValueError(f"`width`, `height` and `dpi` must be positive, got {width}, {height}, {dpi}")
        self.scene = scene
        self.step = -1
        self._background: Any = None
        px_w = 2 * max(1, round(width * dpi / 2))
        px_h = 2 * max(1, round(height * dpi / 2))
        self.figure: Figure = Figure(figsize=(px_w / dpi, px_h / dpi), dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.figure)
        sc = px_h / dpi / 5.4
        fig = self.figure
        height_in = px_h / dpi
        fig.text(0.5, 1 - 0.32 * sc / height_in, scene.title, ha="center", va="center", fontsize=17 * sc,
                 fontweight="bold", color=PALETTE["text"])  # fmt: skip
        n_caption = len(scene.caption) if caption else 0
        for line_no, line in enumerate(scene.caption if caption else ()):
            fig.text(0.5, (0.24 + 0.3 * (n_caption - 1 - line_no)) * sc / height_in, line, ha="center",
                     va="center", fontsize=(14 if line_no == 0 else 11) * sc,
                     color=PALETTE["text"] if line_no == 0 else PALETTE["muted"])  # fmt: skip
        bottom = (0.14 + 0.3 * n_caption + 0.45) * sc / height_in + 0.02  # room for the labels below
        top = 1 - (0.62 + 0.4) * sc / height_in  # room for the status line above
        ax = fig.add_axes((0.05, bottom, 0.9, top - bottom))
        ax.set_axis_off()
        self._ax = ax
        cin, cout, g = scene.in_channels, scene.out_channels, scene.groups
        rows = max(cin, cout)
        ax.set_xlim(-2.2, 12.2)
        ax.set_ylim(-0.6, rows - 0.4)
        per_in, per_out = cin // g, cout // g
        points_per_unit = (top - bottom) * height_in * 72 / rows
        font = min(13.0 * sc, 0.5 * points_per_unit)
        box_h = 0.8

        def y_of(index: int, count: int) -> float:
            return rows - 1 - (index + 0.5) * rows / count + 0.5

        def box(x: float, y: float, label: str, face: str, edge: str, animated: bool) -> tuple[Any, Any]:
            patch = FancyBboxPatch((x, y - box_h / 2), 1.6, box_h, boxstyle="round,pad=0.02,rounding_size=0.12",
                                   facecolor=face, edgecolor=edge, linewidth=2.4 * sc, animated=animated,
                                   zorder=2 if animated else 1.8)  # fmt: skip
            ax.add_patch(patch)
            text = ax.text(x + 0.8, y, label, ha="center", va="center", fontsize=font, animated=animated,
                           zorder=2.5 if animated else 1.9,
                           color="white" if animated and face == PALETTE["output_now"] else "black")  # fmt: skip
            return patch, text

        self._in_hi: list[tuple[Any, Any]] = []
        self._out_hi: list[tuple[Any, Any]] = []
        self._links_hi: list[list[Any]] = []
        for c in range(cin):
            edge = _GROUP_COLOURS[(c // per_in) % 8]
            box(0, y_of(c, cin), f"in {c}", PALETTE["input"], edge, False)
            self._in_hi.append(box(0, y_of(c, cin), f"in {c}", PALETTE["input_read"], edge, True))
        for c in range(cout):
            edge = _GROUP_COLOURS[(c // per_out) % 8]
            box(8.4, y_of(c, cout), f"out {c}", PALETTE["output"], edge, False)
            self._out_hi.append(box(8.4, y_of(c, cout), f"out {c}", PALETTE["output_now"], edge, True))
        for c in range(cout):
            group = c // per_out
            colour = _GROUP_COLOURS[group % 8]
            highlighted: list[Any] = []
            for ci in range(group * per_in, (group + 1) * per_in):
                ends = ([1.6, 8.4], [y_of(ci, cin), y_of(c, cout)])
                ax.plot(*ends, color=colour, linewidth=1.0 * sc, alpha=0.22, zorder=1)
                highlighted.append(ax.plot(*ends, color=colour, linewidth=3.0 * sc, zorder=1.5, animated=True)[0])
            self._links_hi.append(highlighted)
        for x, text, colour in (
            (0.8, f"input: {cin} channels", PALETTE["input_edge"]),
            (9.2, f"output: {cout} channels", PALETTE["output_edge"]),
        ):
            ax.text(x, -0.3 * sc / height_in / (top - bottom), text, ha="center", va="center", fontsize=14 * sc,
                    color=colour, fontweight="bold", transform=ax.get_xaxis_transform())  # fmt: skip
        ax.text(5.0, -0.3 * sc / height_in / (top - bottom), f"{g} group{'s' if g != 1 else ''}", ha="center",
                va="center", fontsize=13 * sc, color=PALETTE["muted"], transform=ax.get_xaxis_transform())  # fmt: skip
        self._label = ax.text(5.0, 1 + 0.2 * sc / height_in / (top - bottom), "", ha="center", va="center",
                              fontsize=13 * sc, color=PALETTE["text"], animated=True,
                              transform=ax.get_xaxis_transform())  # fmt: skip
        self._active: list[Any] = []
        for artist in self._all_highlights():
            artist.set_visible(False)

    def _all_highlights(self) -> list[Any]:
        pairs = [a for pair in self._in_hi + self._out_hi for a in pair]
        return pairs + [line for lines in self._links_hi for line in lines]

    def update(self, step: int) -> None:
        """Highlight output channel ``step`` and the input channels it reads."""
        frame = self.scene.frames[self._check_step(step)]
        for artist in self._active:
            if artist is not self._label:
                artist.set_visible(False)
        active = list(self._links_hi[frame.output_channel])
        for c in frame.input_channels:
            active += self._in_hi[c]
        active += self._out_hi[frame.output_channel]
        for artist in active:
            artist.set_visible(True)
        self._active = [*active, self._label]
        self._label.set_text(
            f"output channel {frame.output_channel} (group {frame.group}) reads input channel"
            + ("s " if len(frame.input_channels) > 1 else " ")
            + ", ".join(str(c) for c in frame.input_channels)
        )
        self.step = int(step)

    def _draw(self, step: int | None) -> np.ndarray:
        if step is not None:
            self.update(step)
        elif self.step < 0:
            self.update(0)
        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.canvas.restore_region(self._background)
        for artist in sorted(self._active, key=lambda a: a.get_zorder()):
            self._ax.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())


def render(scene: Scene | ChannelScene, **options: Any) -> Renderer | ChannelRenderer:
    """A renderer for any scene (:class:`Renderer` or :class:`ChannelRenderer`).

    Parameters
    ----------
    scene : Scene or ChannelScene
    **options
        Passed on: ``numbers``, ``caption``, ``width``, ``height``, ``dpi``, ``layout``.

    Returns
    -------
    Renderer or ChannelRenderer

    Notes
    -----
    A frame is ``width*dpi`` × ``height*dpi`` pixels (16:9 by default); the renderer draws the
    still parts once and, per step, only what moves, so :meth:`Renderer.draw_frame` is cheap.

    Examples
    --------
    >>> from convarith.anim.scenes import conv_scene
    >>> len(render(conv_scene(5, 3), dpi=20))  # a 1-D convolution: 3 frames
    3
    """
    if isinstance(scene, ChannelScene):
        return ChannelRenderer(scene, **options)
    if isinstance(scene, Scene):
        return Renderer(scene, **options)
    raise TypeError(f"`scene` must be a Scene or ChannelScene, got {type(scene).__name__}")
