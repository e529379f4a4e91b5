"""The frame model: what each panel shows at one step, derived once from the scene's frames.

:class:`~convarith.anim.render.renderer.Renderer` reads one :class:`PanelFrame` per panel for
the step it shows: setting the artists (:meth:`~convarith.anim.render.renderer.Renderer.update`),
choosing the cell-state layers a frame copies from, and composing the frame all read these
cells, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from convarith.anim.scenes import Cell, Panel, Scene

Coord = tuple[int, ...]

INPUT_STATES = frozenset({"read", "winner"})
"""The cell states of input-grid cells; the others are output-grid cells."""


@dataclass(frozen=True, eq=False)
class PanelFrame:
    """One panel at one step: the cells read, done and current, and the output values.

    Attributes
    ----------
    reads : tuple of Cell
        Input-grid cells read now, every kind (``'overhang'``: inside the window, never read).
    winner : tuple of int or None
        Max pooling: the input cell that wins.
    done : tuple of tuple of int
        Output cells computed at earlier steps, in order, each once (the scatter view: the
        output cells only, not the cropped ones).
    writes : tuple of Cell
        Output-grid cells written now.
    values : ndarray or None
        Numerical mode: the output grid as shown after this step.
    scatter : bool
        The panel draws the kernel's footprint on the output grid (a transposed convolution's
        scatter view).

    Examples
    --------
    >>> from convarith.anim.scenes import conv_scene
    >>> scene = conv_scene((4, 4), 3)  # a 2x2 output, one cell per step
    >>> [frame.done for frame in panel_frames(scene, 2)][0]
    ((0, 0), (0, 1))
    """

    reads: tuple[Cell, ...]
    winner: Coord | None
    done: tuple[Coord, ...]
    writes: tuple[Cell, ...]
    values: np.ndarray | None
    scatter: bool

    @property
    def current(self) -> tuple[Coord, ...]:
        """The output cells written now."""
        return tuple(c.coord for c in self.writes)

    @cached_property
    def layer_cells(self) -> dict[str, list[Coord]]:
        """The cells this frame copies from each cell-state layer, by state (computed once).

        States: ``'read'`` (input cells read, not the overhang) and ``'winner'`` on the input
        grid; ``'done'`` and the cells written now, ``'now'`` or in the scatter view
        ``'scatter_now'`` and ``'cropped_now'``, on the output grid (:data:`INPUT_STATES`).
        States no cell is in are left out.
        """
        cells: dict[str, list[Coord]] = {
            "read": [c.coord for c in self.reads if c.kind != "overhang"],
            "winner": [] if self.winner is None else [self.winner],
            "done": list(self.done),
        }
        for c in self.writes:
            now = "now" if not self.scatter else "scatter_now" if c.kind == "output" else "cropped_now"
            cells.setdefault(now, []).append(c.coord)
        return {state: found for state, found in cells.items() if found}


def panel_frame(panel: Panel, step: int) -> PanelFrame:
    """What ``panel`` shows at step ``step`` (a valid step of its frames).

    Examples
    --------
    >>> from convarith.anim.scenes import conv_scene
    >>> frame = panel_frame(conv_scene((4, 4), 3).panels[0], 0)
    >>> frame.current, frame.done, len(frame.reads)  # the first output cell, read from 3x3 cells
    (((0, 0),), (), 9)
    """
    frame = panel.frames[step]
    scatter = panel.footprint_on_output
    earlier = (c.coord for f in panel.frames[:step] for c in f.writes if not scatter or c.kind == "output")
    return PanelFrame(
        reads=frame.reads,
        winner=frame.winner,
        done=tuple(dict.fromkeys(earlier)),
        writes=frame.writes,
        values=frame.output_values,
        scatter=scatter,
    )


def panel_frames(scene: Scene, step: int) -> tuple[PanelFrame, ...]:
    """:func:`panel_frame` of every panel of ``scene``, in order.

    Examples
    --------
    >>> from convarith.anim.scenes import same_comparison_scene
    >>> len(panel_frames(same_comparison_scene((6, 6), 3, 2), 0))  # one per panel
    2
    """
    return tuple(panel_frame(panel, step) for panel in scene.panels)
