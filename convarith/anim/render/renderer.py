"""The grid renderer: what changes from frame to frame, and the fast path that draws it.

:class:`Renderer` builds a scene's figure once (layout from :mod:`.layout`, artists from
:mod:`.artists`). :meth:`Renderer.update` sets one step on the artists: which cells are
highlighted, where the kernel footprint and its links go, the values and weights shown.
:meth:`Renderer.draw_frame` then composes the frame from pixels rendered once per renderer
(*layers*: the still picture, and every cell in each highlight state) and draws only the few
lines that move, so a frame of a 7x7 convolution takes a few milliseconds at any step (notebook
sliders jump anywhere). A full matplotlib draw (:meth:`Renderer.savefig`) stays the reference
the fast path is tested against.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from convarith.anim.render.artists import Grid, PanelArtists, build_panel, figure_texts, set_cells
from convarith.anim.render.base import FigureRenderer, check_size, new_figure, raise_small_texts
from convarith.anim.render.frame import INPUT_STATES, PanelFrame, panel_frames
from convarith.anim.render.layout import is_vertical, layout_figure, snap_to_pixels
from convarith.anim.render.palette import PALETTE, format_value
from convarith.anim.scenes import Panel, Scene

Coord = tuple[int, ...]
Rect = tuple[int, int, int, int]  # pixel rows [r0, r1) and columns [c0, c1) of the frame

# colour of an input cell read now, by its kind (a full draw; the layers draw overhang as padding)
_READ_COLOUR = {
    "input": PALETTE["input_read"],
    "padding": PALETTE["padding_read"],
    "overhang": PALETTE["overhang"],  # reached by the window, ignored by pooling
    "zero": PALETTE["zero_read"],
}


def _snap(v: float) -> int:
    """The pixel edge Agg snaps an edgeless rectangle's side to: ``floor(v + 0.5)``."""
    return math.floor(v + 0.5)


class Renderer(FigureRenderer):
    """A reusable figure for one scene: :meth:`update` a step, :meth:`draw_frame` to pixels.

    Parameters
    ----------
    scene : Scene
    numbers : bool, optional
        Show values and kernel weights (default: whenever the scene carries values).
    caption : bool
        Show the output-size formula with the numbers substituted.
    caption_scale : float
        The caption's size relative to the usual (14 pt on a 5.4-inch-high figure, scaled with
        the height); slides use 1.5 so the formula reads from the back of a room. A line too long
        for the width is set smaller.
    width, height : float
        Figure size in inches (default 16:9, 9.6 × 5.4).
    dpi : float
        Dots per inch: ``width*dpi`` × ``height*dpi`` pixels (rounded to even numbers, as video
        encoders require). Bounds: ``dpi`` 10 to 1000, each side 16 to 8192 pixels,
        ``caption_scale`` 0.25 to 4.
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
        caption_scale: float = 1.0,
        width: float = 9.6,
        height: float = 5.4,
        dpi: float = 100,
        layout: str = "auto",
    ) -> None:
        from convarith.arithmetic.validate import check_bool, check_choice

        if not isinstance(scene, Scene):
            raise TypeError(f"`scene` must be a Scene, got {type(scene).__name__}")
        check_choice(layout, "layout", ("auto", "horizontal", "vertical"))
        check_size(width, height, dpi, caption_scale)
        caption = check_bool(caption, "caption")
        if numbers is not None:
            check_bool(numbers, "numbers")
        for panel in scene.panels:
            if panel.ndim > 2:
                raise ValueError(f"pictures have 1 or 2 spatial axes, got {panel.ndim}")
        self.scene = scene
        self.numbers = any(p.input_values is not None for p in scene.panels) if numbers is None else bool(numbers)
        self.caption = caption
        self.caption_scale = caption_scale
        self.step = -1
        self._shown: tuple[PanelFrame, ...] = ()  # the frame model of `step` (see update)
        self.figure, self.canvas = new_figure(width, height, dpi)
        self._vertical = is_vertical(scene, layout)
        self._layers: dict[str, np.ndarray] | None = None  # pre-rendered pixels (see _build_layers)
        self._texted: dict[str, set[tuple[int, int, Coord]]] = {}  # cells whose value is in a layer
        self._rects: dict[tuple[Any, ...], Rect] = {}
        self._build()

    def _build(self) -> None:
        """Lay the figure out and build every artist (once)."""
        width_in, height_in = (float(v) for v in self.figure.get_size_inches())
        dpi = float(self.figure.dpi)
        layout = layout_figure(
            self.scene,
            width_in,
            height_in,
            dpi,
            vertical=self._vertical,
            caption=self.caption,
            caption_scale=self.caption_scale,
        )
        self._layout = layout
        self._scale = layout.scale
        self._gap = layout.gap
        self._bbox = layout.bbox
        self._cell_points = layout.cell_points
        self._grids: list[tuple[Grid, Grid]] = []
        self._panel_artists: list[PanelArtists] = []
        figure_texts(self.figure, self.scene.title, layout)
        (x_lo, x_hi), (y_lo, y_hi) = layout.axes_limits()
        for number, (panel, place) in enumerate(zip(self.scene.panels, layout.places, strict=True)):
            ax = self.figure.add_axes(layout.axes_rect(number))
            ax.set_axis_off()
            ax.set_xlim(x_lo, x_hi)
            ax.set_ylim(y_lo, y_hi)
            place = snap_to_pixels(place, ax.transData.transform, layout.cell_in * dpi)
            gin, gout, art = build_panel(ax, panel, place, layout, numbers=self.numbers)
            self._grids.append((gin, gout))
            self._panel_artists.append(art)
        raise_small_texts(self.figure, layout.scale)  # one minimum glyph size for every text

    # -- stepping ----------------------------------------------------------------------------
    def update(self, step: int) -> None:
        """Show step ``step``: recolour cells, move the footprint, set the output values."""
        step = self._check_step(step)
        self._show(step, panel_frames(self.scene, step))

    def _show(self, step: int, frames: tuple[PanelFrame, ...]) -> None:
        """Set the moving artists to ``frames``, the frame model of step ``step``."""
        for panel, grids, art, frame in zip(self.scene.panels, self._grids, self._panel_artists, frames, strict=True):
            self._update_panel(panel, grids, art, frame)
            art.stale = True  # overlays and output values: set before a full draw (see _apply)
        self._shown = frames
        self.step = step

    def _update_panel(self, panel: Panel, grids: tuple[Grid, Grid], art: PanelArtists, frame: PanelFrame) -> None:
        """Move the footprint, the target and the links, and set the kernel weights."""
        gin, gout = grids
        scatter = frame.scatter
        # the footprint: bounding box of the cells with kernel taps
        tapped = frame.writes if scatter else frame.reads
        grid = gout if scatter else gin
        corners = [grid.corner(c.coord) for c in tapped]
        x_lo, y_lo = min(x for x, _ in corners), min(y for _, y in corners)
        x_hi, y_hi = max(x for x, _ in corners) + 1, max(y for _, y in corners) + 1
        art.footprint.set_bounds(x_lo, y_lo, x_hi - x_lo, y_hi - y_lo)
        # the single cell at the other end, and two links to it
        single = frame.reads[0] if scatter else frame.writes[0]
        other = gin if scatter else gout
        sx, sy = other.corner(single.coord)
        art.target.set_bounds(sx, sy, 1, 1)
        art.target.set_edgecolor(PALETTE["input_edge"] if scatter else PALETTE["output_edge"])
        if self._vertical:
            if scatter:
                ends = [((sx, sy + 1), (x_lo, y_lo)), ((sx + 1, sy + 1), (x_hi, y_lo))]
            else:
                ends = [((x_lo, y_hi), (sx, sy)), ((x_hi, y_hi), (sx + 1, sy))]
        elif scatter:
            ends = [((sx + 1, sy + 1), (x_lo, y_hi)), ((sx + 1, sy), (x_lo, y_lo))]
        else:
            ends = [((x_hi, y_hi), (sx, sy + 1)), ((x_hi, y_lo), (sx, sy))]
        for line, ((ax0, ay0), (ax1, ay1)) in zip(art.links, ends, strict=True):
            line.set_data([ax0, ax1], [ay0, ay1])
        if art.weight_texts and panel.kernel_values is not None:
            for text, cell in zip(art.weight_texts, tapped, strict=False):
                x, y = grid.corner(cell.coord)
                assert cell.tap is not None
                text.set_position((x + 0.95, y + 0.04))
                text.set_text(format_value(float(panel.kernel_values[cell.tap])))

    @staticmethod
    def _touched(art: PanelArtists, frame: PanelFrame) -> list[Coord]:
        """The output cells whose value is shown: computed before, or now."""
        return [c for c in dict.fromkeys(frame.done + frame.current) if c in art.out_texts]

    def _apply(self, panel_index: int) -> None:
        """Set the overlays and output values of the current step on the artists (a full draw needs them)."""
        art, frame = self._panel_artists[panel_index], self._shown[panel_index]
        if art.stale:
            gin, gout = self._grids[panel_index]
            read_faces = [
                PALETTE["winner"] if c.coord == frame.winner else _READ_COLOUR.get(c.kind, PALETTE["input_read"])
                for c in frame.reads
            ]
            now_colour = PALETTE["scatter_now"] if frame.scatter else PALETTE["output_now"]
            now_faces = [PALETTE["cropped_now"] if c.kind == "cropped" else now_colour for c in frame.writes]
            set_cells(art.read, gin, [c.coord for c in frame.reads], read_faces)
            set_cells(art.done, gout, frame.done, [PALETTE["output_done"]] * len(frame.done))
            set_cells(art.now, gout, frame.current, now_faces)
            art.stale = False
        if art.out_texts and frame.values is not None:
            shown = set(self._touched(art, frame))
            current = set(frame.current)
            for coord, text in art.out_texts.items():
                text.set_text(format_value(float(frame.values[coord])) if coord in shown else "")
                bold = coord in current and not frame.scatter
                text.set_color("white" if bold else PALETTE["text"])
                text.set_fontweight("bold" if bold else "normal")

    def _prepare_full_draw(self) -> None:
        for panel_index in range(len(self.scene.panels)):
            self._apply(panel_index)

    # -- pixels and cells (clicks on a picture) --------------------------------------------
    def still_frame(self) -> np.ndarray:
        """The picture with no step shown: every cell at rest, no kernel, no output value.

        Returns
        -------
        ndarray
            ``uint8``, shape ``(height, width, 3)``: the background every frame is drawn over (a
            copy), the size of :meth:`draw_frame`'s pictures.

        Examples
        --------
        >>> from convarith.anim.scenes import conv_scene
        >>> Renderer(conv_scene((4, 4), 3), dpi=20).still_frame().shape
        (108, 192, 3)
        """
        return self._layer("background")[..., :3].copy()

    def cell_box(self, panel: int, grid: int, coord: Coord) -> Rect:
        """The pixels of one cell in :meth:`draw_frame`'s picture: rows ``[r0, r1)``, columns ``[c0, c1)``.

        Parameters
        ----------
        panel : int
            Index into ``scene.panels``.
        grid : {0, 1}
            The panel's input grid (0; padding cells have negative coordinates) or output grid (1).
        coord : tuple of int
            A cell of that grid, as the scene's frames name it.

        Returns
        -------
        tuple of int
            ``(r0, r1, c0, c1)``.

        Raises
        ------
        ValueError
            When the panel, the grid or the cell is not in the picture.

        Notes
        -----
        Cell fills are whole pixels on pixel edges (the layout snaps every grid to the pixels), so
        the boxes of a grid's cells tile it without overlap: every pixel is in at most one box.

        Examples
        --------
        >>> from convarith.anim.scenes import conv_scene
        >>> r = Renderer(conv_scene((4, 4), 3), dpi=20)  # no_padding_no_strides: 2×2 output
        >>> r0, r1, c0, c1 = r.cell_box(0, 1, (0, 1))
        >>> r1 - r0 == c1 - c0 > 0  # square cells
        True
        """
        if not 0 <= panel < len(self._grids):
            raise ValueError(f"`panel` must be in [0, {len(self._grids)}), got {panel}")
        if grid not in (0, 1):
            raise ValueError(f"`grid` must be 0 (input) or 1 (output), got {grid}")
        key = tuple(int(c) for c in coord)
        if key not in self._grids[panel][grid].index:
            name = "input" if grid == 0 else "output"
            raise ValueError(f"`coord` {key} is not a cell of panel {panel}'s {name} grid")
        return self._cell_rect(panel, grid, key)

    def cell_at(self, x: float, y: float) -> tuple[int, int, Coord] | None:
        """The cell under pixel column ``x``, row ``y`` of :meth:`draw_frame`'s picture, if any.

        Parameters
        ----------
        x, y : float
            Pixel coordinates from the top-left corner (a click's ``arrayX``, ``arrayY``).

        Returns
        -------
        tuple or None
            ``(panel, grid, coord)`` as :meth:`cell_box` takes them (grid 0 is the input grid, 1
            the output grid), or None for a pixel outside every cell (a gap, a label, a margin).

        Notes
        -----
        The inverse of :meth:`cell_box`: the cell whose box ``r0 <= y < r1``, ``c0 <= x < c1``
        holds the pixel.

        Examples
        --------
        >>> from convarith.anim.scenes import conv_scene
        >>> r = Renderer(conv_scene((4, 4), 3), dpi=20)
        >>> r0, r1, c0, c1 = r.cell_box(0, 1, (1, 0))
        >>> r.cell_at((c0 + c1) // 2, (r0 + r1) // 2)  # the centre of output cell (1, 0)
        (0, 1, (1, 0))
        >>> r.cell_at(0, 0) is None  # the top-left corner of the figure: no cell
        True
        """
        px, py = math.floor(x), math.floor(y)
        for p, grids in enumerate(self._grids):
            for g, grid in enumerate(grids):
                for coord in grid.index:
                    r0, r1, c0, c1 = self._cell_rect(p, g, coord)
                    if r0 <= py < r1 and c0 <= px < c1:
                        return p, g, coord
        return None

    # -- fast drawing ------------------------------------------------------------------------
    # A frame is composed from pre-rendered full-figure layers: the background (every cell in its
    # resting colour, with the input values) and, once per renderer, one layer per cell state
    # ("read", "winner", "done", "now", and the scatter view's "scatter_now", "cropped_now") with
    # every cell in that state and its edges, rendered when a frame first needs it; a cell's value
    # is added to a layer when a frame first copies that cell. Cell fills have no edges, so Agg snaps
    # them to whole pixels: every pixel belongs to one cell, and copying each highlighted cell's
    # pixel rectangle from the layer of its state gives the pixels a full draw gives. Then the few
    # moving lines (footprint, links, target), the kernel weights and, in the scatter view, the
    # partial sums are drawn. The full matplotlib draw (``savefig``) stays the reference; the
    # tests compare the two.

    def _cell_rect(self, panel_index: int, grid_index: int, coord: Coord) -> Rect:
        key = (panel_index, grid_index, coord)
        rect = self._rects.get(key)
        if rect is None:
            grid = self._grids[panel_index][grid_index]
            ax = self._panel_artists[panel_index].axes
            x, y = grid.corner(coord)
            (x0, y0), (x1, y1) = ax.transData.transform([(x, y), (x + 1, y + 1)])
            height = self._layer("background").shape[0]
            rect = (_snap(height - y1), _snap(height - y0), _snap(x0), _snap(x1))
            self._rects[key] = rect
        return rect

    def _build_layers(self, states: Iterable[str] = ()) -> None:
        """Render the background and base (once per renderer), then each layer of ``states`` not rendered yet.

        A cell-state layer is rendered the first time a frame copies cells from it
        (:meth:`_frame_cells`; the first frame has no "done" cells), without the cells' values:
        :meth:`_add_values` draws those as frames need them.
        """
        if self._layers is None:
            self.canvas.draw()  # animated artists are left out: the background
            buffer = np.asarray(self.canvas.buffer_rgba())
            self._layers = {"background": buffer.copy()}
            self._build_base(buffer)
        buffer = np.asarray(self.canvas.buffer_rgba())
        for state in [s for s in states if s not in self._layers]:
            self._build_state(buffer, state)
            self._layers[state] = buffer.copy()

    def _build_base(self, buffer: np.ndarray) -> None:
        """The base of a frame (see :meth:`_build_layers`), drawn over the background in ``buffer``."""
        assert self._layers is not None
        layers = self._layers
        # the base of a frame: the background without the output grids' edges, which are drawn
        # over the links per frame (the links pass under the output grid): a blank band around
        # each output grid, then its fills
        from matplotlib.colors import to_rgba

        blank = np.array([round(255 * v) for v in to_rgba(self.figure.get_facecolor())], dtype=buffer.dtype)
        for (_, gout), art in zip(self._grids, self._panel_artists, strict=True):
            r0, r1, c0, c1 = self._grid_rect(gout, art.axes)
            buffer[r0:r1, c0:c1] = blank
            art.axes.draw_artist(gout.collection)
        layers["base"] = buffer.copy()

    def _build_state(self, buffer: np.ndarray, state: str) -> None:
        """Every cell in cell state ``state``, drawn over the background into ``buffer``.

        The cells' values are added later, only to the cells a frame copies (:meth:`_add_values`):
        a text draw costs more than every fill of a grid together.
        """
        assert self._layers is not None
        background = self._layers["background"]
        read_colour = {**_READ_COLOUR, "overhang": PALETTE["padding_read"]}

        def input_state(gin: Grid, panel: Panel) -> list[tuple[Coord, str]]:
            result = []
            for coord in gin.index:
                inside = all(0 <= c < n for c, n in zip(coord, panel.input_shape, strict=True))
                zero = coord in panel.zeros
                result.append((coord, "zero" if zero else "input" if inside else "padding"))
            return result

        panels = self.scene.panels
        output_colour = {s: PALETTE[s] for s in ("scatter_now", "cropped_now")}
        output_colour |= {"done": PALETTE["output_done"], "now": PALETTE["output_now"]}
        buffer[...] = background
        for panel, (gin, gout), art in zip(panels, self._grids, self._panel_artists, strict=True):
            ax = art.axes
            if state in INPUT_STATES:
                cells = input_state(gin, panel)
                colours = [PALETTE["winner"] if state == "winner" else read_colour[k] for _, k in cells]
                set_cells(art.read, gin, [c for c, _ in cells], colours)
                ax.draw_artist(art.read)
                ax.draw_artist(gin.edges)
            else:
                coords = list(gout.index)
                set_cells(art.now, gout, coords, [output_colour[state]] * len(coords))
                ax.draw_artist(art.now)
                ax.draw_artist(gout.edges)
        self._texted[state] = set()

    @staticmethod
    def _frame_cells(frames: tuple[PanelFrame, ...]) -> dict[str, list[tuple[int, int, Coord]]]:
        """The cells a frame copies from each cell-state layer: ``(panel, grid, coord)``."""
        cells: dict[str, list[tuple[int, int, Coord]]] = {}
        for p, frame in enumerate(frames):
            for state, coords in frame.layer_cells.items():
                grid = 0 if state in INPUT_STATES else 1
                cells.setdefault(state, []).extend((p, grid, coord) for coord in coords)
        return {state: list(dict.fromkeys(found)) for state, found in cells.items()}

    def _add_values(self, frame_cells: dict[str, list[tuple[int, int, Coord]]]) -> None:
        """Draw into the cell-state layers the values of the cells a frame copies, if missing.

        A value is drawn over its cell's fill and edges exactly as when the whole layer is drawn at
        once (texts of different cells do not overlap), so frames are the same pixels either way.
        Output values are the final ones (a scatter's partial sums change: drawn per frame).
        """
        assert self._layers is not None
        buffer = np.asarray(self.canvas.buffer_rgba())
        for state, cells in frame_cells.items():
            texts = []
            for cell in cells:
                if cell in self._texted[state]:
                    continue
                p, grid, coord = cell
                panel, art = self.scene.panels[p], self._panel_artists[p]
                final = panel.frames[-1].output_values
                if grid == 0 and coord in art.in_texts:
                    texts.append((cell, art.in_texts[coord]))
                elif grid == 1 and coord in art.out_texts and final is not None and not panel.footprint_on_output:
                    text = art.out_texts[coord]
                    text.set_text(format_value(float(final[coord])))
                    text.set_color("white" if state == "now" else PALETTE["text"])
                    text.set_fontweight("bold" if state == "now" else "normal")
                    texts.append((cell, text))
            if not texts:
                continue
            buffer[...] = self._layers[state]
            for cell, text in texts:
                self._panel_artists[cell[0]].axes.draw_artist(text)
                self._texted[state].add(cell)
            self._layers[state] = buffer.copy()

    def _grid_rect(self, grid: Grid, ax: Any) -> Rect:
        """Pixels of a whole grid and of the part of its edges that overhangs it."""
        corners = [(grid.x0, grid.y0), (grid.x0 + grid.shape[1], grid.y0 + grid.shape[0])]
        (x0, y0), (x1, y1) = ax.transData.transform(corners)
        height, width = self._layer("background").shape[:2]
        widths = grid.edges.get_linewidths()
        overhang = math.ceil(max(widths, default=0) * self.figure.dpi / 72 / 2) + 1
        return (
            max(_snap(height - y1) - overhang, 0),
            min(_snap(height - y0) + overhang, height),
            max(_snap(x0) - overhang, 0),
            min(_snap(x1) + overhang, width),
        )

    def _label_rect(self, panel_index: int) -> Rect:
        key = (panel_index, "output_label")
        rect = self._rects.get(key)
        if rect is None:
            label = self._panel_artists[panel_index].output_label
            renderer = self.canvas.get_renderer()
            label.update_bbox_position_size(renderer)
            patch = label.get_bbox_patch()
            box = patch.get_window_extent(renderer) if patch is not None else label.get_window_extent(renderer)
            height = self._layer("background").shape[0]
            rect = (
                max(_snap(height - box.y1), 0),
                _snap(height - box.y0),
                max(_snap(box.x0), 0),
                _snap(box.x1),
            )
            self._rects[key] = rect
        return rect

    def _layer(self, state: str) -> np.ndarray:
        if self._layers is None:
            self._build_layers()
        assert self._layers is not None
        return self._layers[state]

    def _copy_cells(self, buffer: np.ndarray, panel_index: int, grid_index: int, cells: Any, state: str) -> None:
        if not cells:  # (a state no cell is in may not be rendered)
            return
        layer = self._layer(state)
        for coord in cells:
            if coord in self._grids[panel_index][grid_index].index:
                r0, r1, c0, c1 = self._cell_rect(panel_index, grid_index, coord)
                buffer[r0:r1, c0:c1] = layer[r0:r1, c0:c1]

    def _draw(self, step: int | None) -> np.ndarray:
        """Draw step ``step`` into the canvas buffer (returned, RGBA, not a copy).

        The still parts and every cell state are rendered once; a frame copies the highlighted
        cells' pixels from those layers and draws only what moves, so a frame takes a few
        milliseconds whichever step it is (sliders jump anywhere).
        """
        if step is None:
            step = max(self.step, 0)
        step = self._check_step(step)
        frames = panel_frames(self.scene, step)  # the frame model: the layers and the drawing read it
        frame_cells = self._frame_cells(frames)
        self._build_layers(frame_cells)  # before composing: rendering a layer uses the canvas
        self._add_values(frame_cells)
        self._show(step, frames)  # (building the layers borrows the artists; this puts them back)
        buffer = np.asarray(self.canvas.buffer_rgba())
        buffer[...] = self._layer("base")
        for p, (art, frame) in enumerate(zip(self._panel_artists, frames, strict=True)):
            ax = art.axes
            gout = self._grids[p][1]
            cells = frame.layer_cells
            for state in ("read", "winner"):  # (overhang: never read)
                self._copy_cells(buffer, p, 0, cells.get(state), state)
            if frame.scatter:  # the scatter view: partial sums change every frame, drawn over
                ax.draw_artist(gout.edges)
                for state in ("done", "scatter_now", "cropped_now"):
                    self._copy_cells(buffer, p, 1, cells.get(state), state)
                self._apply(p)
                for coord in self._touched(art, frame):
                    ax.draw_artist(art.out_texts[coord])
                for line in art.links:  # over the output grid
                    ax.draw_artist(line)
            else:
                for line in art.links:  # under the output grid, its edges and its label: drawn over them next
                    ax.draw_artist(line)
                ax.draw_artist(gout.edges)
                skip = set(frame.current) | set(frame.done)
                rest = [c for c in gout.index if c not in skip]
                self._copy_cells(buffer, p, 1, rest, "background")
                self._copy_cells(buffer, p, 1, frame.done, "done")
                self._copy_cells(buffer, p, 1, frame.current, "now")
                r0, r1, c0, c1 = self._label_rect(p)  # the label (and its white box) back over the links
                buffer[r0:r1, c0:c1] = self._layer("background")[r0:r1, c0:c1]
            ax.draw_artist(art.footprint)
            ax.draw_artist(art.target)
            for text in art.weight_texts:
                ax.draw_artist(text)
        return buffer
