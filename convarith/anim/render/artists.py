"""The matplotlib artists of a picture: the cell grids, labels, texts and the moving parts.

:func:`build_panel` builds everything one panel shows, once, at the places the layout chose
(:mod:`convarith.anim.render.layout`): the input and output grids as two
:class:`~matplotlib.collections.PolyCollection` s each, the fills and above them the edges (a
cell's colour and edge say whether it is input, padding, an inserted zero, output or cropped),
their labels, the values in numerical mode, and the *animated* artists that change per frame
(the fills of highlighted cells, between a grid's fills and its edges; the kernel footprint, the
target cell, the links between them, the kernel weights). Animated artists are left out of a
plain canvas draw, so the still picture can be cached and the moving parts drawn over it
(:mod:`convarith.anim.render.renderer`).

Z-order, bottom to top: input fills (1), highlighted input cells (1.2), input edges (1.25), input
values (1.3), links of the direct views (1.5, under the output grid), output fills (2),
highlighted output cells (2.1, 2.3), output edges (2.4), labels and output values (3), links of
the scatter view (3.5), footprint and target (4), kernel weights (4.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convarith.anim.render.layout import FigureLayout, Placement, as2d, input_pads, pads2d
from convarith.anim.render.palette import PALETTE, format_value
from convarith.anim.scenes import Panel
from convarith.typing import PadPair

Coord = tuple[int, ...]


@dataclass
class Grid:
    """Cells of one drawn grid: their collections and where each coordinate sits.

    The cells are two collections: the fills (no edges: Agg snaps an edgeless rectangle to whole
    pixels, so every pixel belongs to exactly one cell) and, above the highlights, the edges.
    """

    collection: Any  # the fills, resting colours
    index: dict[Coord, int]
    x0: float
    y0: float
    before: tuple[int, int]  # padding (or crop) before, rows and columns
    shape: tuple[int, int]  # full drawn size (with padding), rows and columns
    verts: Any = None  # (cells, 4, 2) corners, in `index` order
    edges: Any = None  # the edges of every cell, drawn over the fills and the highlights

    def corner(self, coord: Coord) -> tuple[float, float]:
        """Lower-left corner of a cell, in data units."""
        r, c = (0, coord[0]) if len(coord) == 1 else coord
        return self.x0 + c + self.before[1], self.y0 + self.shape[0] - (r + self.before[0]) - 1

    def centre(self, coord: Coord) -> tuple[float, float]:
        """Centre of a cell, in data units."""
        x, y = self.corner(coord)
        return x + 0.5, y + 0.5


# z-order: a grid's fills, its highlights (the overlays of _moving_artists), then its edges
_FILLS_Z = {"input": 1.0, "output": 2.0}
_EDGES_Z = {"input": 1.25, "output": 2.4}


def figure_texts(figure: Any, title: str, layout: FigureLayout) -> None:
    """The title above the panels and the caption lines (the formulas) below them."""
    sc, height_in = layout.scale, layout.height_in
    width_pts = layout.width_in * 72
    if title:
        size = min(17 * sc, 0.94 * width_pts / (0.66 * len(title)))
        figure.text(
            0.5,
            1 - 0.32 * sc / height_in,
            title,
            ha="center",
            va="center",
            fontsize=size,
            color=PALETTE["text"],
            fontweight="bold",
        )
    lines = len(layout.captions)
    csc = sc * layout.caption_scale
    for line_no, line in enumerate(layout.captions):
        base = 14 if line_no == 0 else 11
        size = min(base * csc, 0.94 * width_pts / (0.6 * len(line)))
        figure.text(
            0.5,
            (0.24 + 0.3 * (lines - 1 - line_no)) * csc / height_in,
            line,
            ha="center",
            va="center",
            fontsize=size,
            color=PALETTE["text"] if line_no == 0 else PALETTE["muted"],
        )


def _build_grid(
    ax: Any,
    panel: Panel,
    shape: Sequence[int],
    pads: Sequence[PadPair],
    origin: tuple[float, float],
    kind: str,
    sc: float,
) -> Grid:
    """One grid (``kind`` 'input' or 'output') with its padding or crop, as a single collection."""
    from matplotlib.collections import PolyCollection

    real_after = (pads2d(panel.input_padding)[0][1], pads2d(panel.input_padding)[1][1])
    rows, cols = as2d(shape)
    (pt, pb), (pl, pr) = pads2d(pads)
    g = Grid(None, {}, origin[0], origin[1], (pt, pl), (rows + pt + pb, cols + pl + pr))
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
    # the links pass under the output grid (zorder 1.5); an (n, 4, 2) array is matplotlib's fast path
    g.verts = np.array(verts, dtype=float)
    fills = PolyCollection(g.verts, facecolors=faces, edgecolors="none", linewidths=0, zorder=_FILLS_Z[kind])
    lines = PolyCollection(
        g.verts, facecolors="none", edgecolors=edges, linewidths=widths, linestyles=styles, zorder=_EDGES_Z[kind]
    )
    ax.add_collection(fills, autolim=False)  # the layout set the limits: nothing to autoscale
    ax.add_collection(lines, autolim=False)
    g.collection, g.edges = fills, lines
    return g


def _grid_labels(
    ax: Any, panel: Panel, gin: Grid, gout: Grid, place: Placement, layout: FigureLayout, show_title: bool
) -> Any:
    """The input label below the input, the output label (returned) below or above the output, the title."""
    sc, cell_pts = layout.scale, layout.cell_points
    cols_in = gin.shape[1]
    rows_out, cols_out = gout.shape
    (in_x0, in_y0), (out_x0, out_y0) = place.input, place.output
    gap_units = 0.14 * sc * 72 / cell_pts  # 0.14 inch, in cell units

    def label_size(text: str, cols: int) -> float:
        room = (cols + layout.gap) * cell_pts  # the grid and the gap beside it
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
    above = layout.vertical
    output_label = ax.text(
        out_x0 + cols_out / 2,
        out_y0 + rows_out + gap_units if above else out_y0 - gap_units,
        panel.output_label,
        ha="center",
        va="bottom" if above else "top",
        fontsize=label_size(panel.output_label, cols_out),
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
    return output_label


@dataclass
class PanelArtists:
    """The animated artists of one panel (left out of the cached background, drawn over it).

    Attributes
    ----------
    read, done, now : PolyCollection
        Overlays recolouring input cells read, output cells computed before, output cells
        written now (fills only, between the grid's fills and its edges).
    links : list of Line2D
        Two lines from the footprint to the target.
    footprint, target : Rectangle
        The kernel's footprint, and the single cell at the other end.
    output_label : Text
        The output grid's label (the direct views copy it back over the links).
    in_texts, out_texts : dict
        Numerical mode: the value texts of input cells (still) and output cells (animated), by
        coordinate.
    weight_texts : list of Text
        Numerical mode: the kernel weights, one text per tap.
    stale : bool
        The overlays and output texts do not show the current step yet: set on them before a
        full draw (the fast path copies pixels instead).
    """

    read: Any
    done: Any
    now: Any
    links: list[Any]
    footprint: Any
    target: Any
    output_label: Any
    in_texts: dict[Coord, Any] = field(default_factory=dict)
    out_texts: dict[Coord, Any] = field(default_factory=dict)
    weight_texts: list[Any] = field(default_factory=list)
    stale: bool = False

    @property
    def axes(self) -> Any:
        """The panel's axes."""
        return self.footprint.axes


def _moving_artists(ax: Any, panel: Panel, output_label: Any, sc: float) -> PanelArtists:
    """The animated artists of a panel, with empty slots for the value texts (see :class:`PanelArtists`)."""
    from matplotlib.collections import PolyCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    # the layout fixed the axes limits, so these are added without the limit updates of
    # add_patch/add_line/autolim (which measure every artist, for nothing)
    def overlay(zorder: float) -> Any:  # fills only, like the grid's: whole pixels, edges drawn above
        coll = PolyCollection([], animated=True, zorder=zorder, edgecolors="none", linewidths=0)
        return ax.add_collection(coll, autolim=False)

    def outline(colour: str, width: float) -> Any:
        patch = Rectangle((0, 0), 1, 1, fill=False, edgecolor=colour, linewidth=width, animated=True, zorder=4)
        return ax.add_artist(patch)

    def link() -> Any:
        zorder = 3.5 if panel.footprint_on_output else 1.5  # direct views: under the output grid
        line = Line2D([0, 0], [0, 0], color=PALETTE["link"], linewidth=1.1 * sc, animated=True, zorder=zorder)
        return ax.add_artist(line)

    return PanelArtists(
        read=overlay(1.2),  # input cells read now
        done=overlay(2.1),  # output cells computed before this step
        now=overlay(2.3),  # output cells written now
        links=[link(), link()],
        footprint=outline(PALETTE["footprint"], 3.2 * sc),
        target=outline(PALETTE["output_edge"], 3.0 * sc),
        output_label=output_label,
    )


def _value_texts(ax: Any, panel: Panel, gin: Grid, gout: Grid, art: PanelArtists, layout: FigureLayout) -> None:
    """Numerical mode: input values (still), output values and kernel weights (animated) into ``art``.

    ``art.in_texts`` holds the values of the input grid's cells, padding cells included when
    the panel carries the padded input (:attr:`~convarith.anim.scenes.Panel.padded_values`).
    """
    sc, cell_pts = layout.scale, layout.cell_points
    value_size = max(4.0, min(15 * sc, 0.4 * cell_pts))
    weight_size = max(3.0, min(10 * sc, 0.27 * cell_pts))

    def text(x: float, y: float, value: str, colour: str = PALETTE["text"], **style: Any) -> Any:
        return ax.text(x, y, value, ha="center", va="center", fontsize=value_size, color=colour, **style)

    kernel_cells = int(np.prod(panel.kernel_shape))
    if panel.input_values is not None:
        for coord in np.ndindex(*panel.input_values.shape):
            if coord in panel.zeros:
                continue
            value = format_value(float(panel.input_values[coord]))
            art.in_texts[coord] = text(*gin.centre(coord), value, zorder=1.3)  # under the links, as blitted
    if panel.padded_values is not None:  # padding cells: what the engine pads with, in grey on the padding colour
        for coord in gin.index:
            padded = panel.padding_value(coord)
            if padded is not None:
                art.in_texts[coord] = text(*gin.centre(coord), format_value(padded), PALETTE["muted"], zorder=1.3)
    for coord in np.ndindex(*panel.output_shape):
        art.out_texts[coord] = text(*gout.centre(coord), "", animated=True, zorder=3)
    if panel.kernel_values is not None:
        art.weight_texts = [
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


def build_panel(
    ax: Any, panel: Panel, place: Placement, layout: FigureLayout, *, numbers: bool
) -> tuple[Grid, Grid, PanelArtists]:
    """Every artist of one panel on its axes: ``(input grid, output grid, artists by name)``."""
    sc = layout.scale
    gin = _build_grid(ax, panel, panel.input_shape, input_pads(panel), place.input, "input", sc)
    gout = _build_grid(ax, panel, panel.output_shape, panel.output_crop, place.output, "output", sc)
    output_label = _grid_labels(ax, panel, gin, gout, place, layout, layout.titled)
    art = _moving_artists(ax, panel, output_label, sc)
    if numbers:
        _value_texts(ax, panel, gin, gout, art, layout)
    if not panel.footprint_on_output:
        # an opaque box: the links pass under the label (blitting copies it back over them)
        # (no edge line: Agg snaps the box to whole pixels, which the renderer copies back exactly)
        output_label.set_bbox({"facecolor": "white", "edgecolor": "none", "linewidth": 0, "pad": 0.5})
    return gin, gout, art


def set_cells(coll: Any, grid: Grid, cells: Sequence[Coord], faces: Sequence[Any]) -> None:
    """Make overlay ``coll`` the fills of cells ``cells`` of ``grid``, in colours ``faces`` (edges stay the grid's)."""
    rows = [grid.index[c] for c in cells if c in grid.index]
    keep = [f for c, f in zip(cells, faces, strict=True) if c in grid.index]
    coll.set_verts(grid.verts[rows] if rows else [])
    coll.set_facecolors(keep if keep else "none")
