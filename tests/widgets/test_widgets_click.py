"""Click to link: pixels to cells in the renderer, and the explorer's click handler on synthetic events.

The cell boxes are checked against the drawn pixels (a highlighted cell's box is filled with its
palette colour in the frame), every cell's centre maps back to that cell, and a pixel between
grids maps to nothing. The handler gets the dicts ``ipyevents`` sends (``arrayX``/``arrayY``).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from convarith.anim.render import Renderer
from convarith.anim.render.palette import PALETTE
from convarith.anim.scenes import Scene, conv_scene, pool_scene, transpose_scene
from convarith.widgets.layer_explorer import LayerExplorer
from convarith.widgets.links import link_step

SCENES = {
    "padding_strides": lambda: conv_scene((5, 5), 3, 2, 1),
    "dilation": lambda: conv_scene((7, 7), 3, dilation=2),
    "one_axis": lambda: conv_scene(6, 3, 2, 1),
    "ceil_mode_pool": lambda: pool_scene((5, 5), 2, 2, ceil_mode=True),
    "padding_strides_transposed": lambda: transpose_scene((3, 3), 3, 2, 1),
    "scatter_cropped": lambda: transpose_scene((3, 3), 3, 2, 1, view="scatter"),
}


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[n : n + 2], 16) for n in (1, 3, 5)])


def _centre(box: tuple[int, int, int, int]) -> tuple[int, int]:
    r0, r1, c0, c1 = box
    return (c0 + c1) // 2, (r0 + r1) // 2


def _cells(scene: Scene, renderer: Renderer) -> list[tuple[int, int, tuple[int, ...]]]:
    """Every (panel, grid, coord) a picture has: input cells with padding, output cells with crops."""
    cells = []
    for n, panel in enumerate(scene.panels):
        for frame in panel.frames:
            cells += [(n, 0, c.coord) for c in frame.reads if c.kind != "overhang"]
            cells += [(n, 1, c.coord) for c in frame.writes]
    return sorted(set(cells))


@pytest.mark.parametrize("name", SCENES)
def test_every_cell_centre_maps_back_to_its_cell(name: str) -> None:
    scene = SCENES[name]()
    renderer = Renderer(scene, dpi=40)
    try:
        renderer.draw_frame(0)
        for panel, grid, coord in _cells(scene, renderer):
            box = renderer.cell_box(panel, grid, coord)
            assert box[1] > box[0] and box[3] > box[2]
            assert renderer.cell_at(*_centre(box)) == (panel, grid, coord)
            r0, r1, c0, c1 = box  # the box's corners are its own, the pixels just outside are not
            assert renderer.cell_at(c0, r0) == (panel, grid, coord)
            assert renderer.cell_at(c1 - 1, r1 - 1) == (panel, grid, coord)
            assert renderer.cell_at(c1 - 1, r0 - 1) != (panel, grid, coord)
    finally:
        renderer.close()


def test_a_gap_pixel_maps_to_no_cell() -> None:
    renderer = Renderer(conv_scene((5, 5), 3, 2, 1), dpi=40)
    inside = renderer.cell_box(0, 0, (2, 5))  # the right padding column of the input
    output = renderer.cell_box(0, 1, (1, 0))  # the output's left column, same height
    y = (output[0] + output[1]) // 2
    between = (inside[3] + output[2]) // 2  # half-way across the gap between the grids
    assert renderer.cell_at(between, y) is None
    assert renderer.cell_at(0, 0) is None  # the figure's corner
    width, height = renderer.size
    assert renderer.cell_at(width + 10, height + 10) is None  # outside the picture


def test_boxes_hold_the_cells_drawn_colours() -> None:
    scene = conv_scene((5, 5), 3, 2, 1)  # padding_strides, no numbers: cells are plain fills
    renderer = Renderer(scene, dpi=40)
    for step in (0, 5):
        pixels = renderer.draw_frame(step)
        frame = scene.panels[0].frames[step]
        for cell in frame.reads:
            colour = PALETTE["input_read"] if cell.kind == "input" else PALETTE["padding_read"]
            x, y = _centre(renderer.cell_box(0, 0, cell.coord))
            assert (pixels[y, x] == _rgb(colour)).all(), (step, cell)
        x, y = _centre(renderer.cell_box(0, 1, frame.writes[0].coord))
        assert (pixels[y, x] == _rgb(PALETTE["output_now"])).all()


def test_cell_box_refuses_cells_that_are_not_drawn() -> None:
    renderer = Renderer(conv_scene((4, 4), 3), dpi=20)
    with pytest.raises(ValueError, match=r"`coord` \(2, 0\) is not a cell of panel 0's output grid"):
        renderer.cell_box(0, 1, (2, 0))
    with pytest.raises(ValueError, match="`grid` must be 0"):
        renderer.cell_box(0, 2, (0, 0))
    with pytest.raises(ValueError, match="`panel` must be in"):
        renderer.cell_box(1, 0, (0, 0))


# -- which frame a click goes to ------------------------------------------------------------------


def test_link_step_goes_to_the_frame_of_each_output_cell() -> None:
    panel = conv_scene((5, 5), 3, 2, 1).panels[0]
    for r in range(3):
        for c in range(3):
            step = link_step(panel, 1, (r, c)).step
            assert step == 3 * r + c and panel.frames[step].writes[0].coord == (r, c)


def test_link_step_in_the_scatter_view_follows_input_cells() -> None:
    panel = transpose_scene((2, 2), 3, 2, view="scatter").panels[0]
    assert [link_step(panel, 0, (r, c)).step for r in range(2) for c in range(2)] == [0, 1, 2, 3]
    assert link_step(panel, 1, (0, 0)).step is None and "click an input cell" in link_step(panel, 1, (0, 0)).note
    direct = transpose_scene((2, 2), 3, 2).panels[0]
    assert "switch the view to scatter" in link_step(direct, 0, (0, 0)).note


# -- the explorer's handler -----------------------------------------------------------------------


def _click(explorer: LayerExplorer, grid: int, coord: tuple[int, ...], **extra: Any) -> None:
    assert explorer.renderer is not None
    x, y = _centre(explorer.renderer.cell_box(0, grid, coord))
    explorer.on_click({"event": "click", "type": "click", "arrayX": x, "arrayY": y, **extra})


def _pixels(explorer: LayerExplorer) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(bytes(explorer.picture.value))).convert("RGB"))


def test_clicking_an_output_cell_shows_the_frame_that_computes_it() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=40)
    renderer = explorer.renderer
    assert renderer is not None
    before = _pixels(explorer)
    _click(explorer, 1, (1, 2))
    assert explorer.step.value == 6
    assert explorer.position.value == "kernel position 6 of 9: output cell (1, 2)"
    after = _pixels(explorer)
    assert not np.array_equal(before, after)
    assert np.array_equal(after, renderer.draw_frame(5))
    for r in range(1, 4):  # output (1, 2) reads rows 1..3, columns 3..5 (worked by hand): highlighted
        for c in range(3, 6):
            x, y = _centre(renderer.cell_box(0, 0, (r, c)))
            colour = PALETTE["input_read"] if c < 5 else PALETTE["padding_read"]
            assert (after[y, x] == _rgb(colour)).all()


def test_clicking_elsewhere_does_nothing() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=40)
    explorer.step.value = 4
    picture = bytes(explorer.picture.value)
    explorer.on_click({"type": "click", "arrayX": 0, "arrayY": 0})  # the figure's corner
    _click(explorer, 0, (0, 0))  # an input cell of a convolution
    explorer.on_click({"type": "click"})  # no pixel
    assert explorer.step.value == 4 and bytes(explorer.picture.value) == picture and explorer.notice.value == ""


def test_clicks_on_a_transposed_convolution() -> None:
    scatter = LayerExplorer("transpose", 2, 3, stride=2, view="scatter", dpi=40)
    _click(scatter, 0, (1, 0))  # the input cell that adds the kernel at step 3
    assert scatter.step.value == 3 and "input cell (1, 0) adds the kernel" in scatter.position.value
    _click(scatter, 1, (0, 0))
    assert scatter.step.value == 3 and "click an input cell" in scatter.notice.value
    direct = LayerExplorer("transpose", 2, 3, stride=2, dpi=40)
    _click(direct, 0, (0, 0))
    assert direct.step.value == 1 and "switch the view to scatter" in direct.notice.value
    _click(direct, 1, (4, 4))  # the last output cell
    assert direct.step.value == 25 and direct.notice.value == ""


def test_clicks_do_not_skip_a_prediction() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, predict="reads", dpi=40)
    _click(explorer, 1, (2, 2))  # an output cell not revealed yet
    assert explorer.step.value == 1 and "Predict position 1 first" in explorer.notice.value
    _click(explorer, 0, (0, 0))  # picks a cell instead of linking
    assert explorer.chosen == {(0, 0)}
    _click(explorer, 0, (0, 0))
    assert explorer.chosen == set()
    hidden = LayerExplorer("conv", 5, 3, stride=2, padding=1, predict="output_size", dpi=40)
    hidden.on_click({"type": "click", "arrayX": 300, "arrayY": 100})  # no picture yet: nothing
    assert hidden.step.value == 1 and bytes(hidden.picture.value) == b""


def test_the_picture_watches_clicks() -> None:
    pytest.importorskip("ipyevents")
    explorer = LayerExplorer("conv", dpi=20)
    assert explorer.events is not None
    assert explorer.events.source is explorer.picture and explorer.events.watched_events == ["click"]
