"""The renderer: what is drawn is what the frames say (checked on the pixels), fast path == full draw.

Small DPI keeps these fast. Pixel checks read the colour at the centre of each cell, located
through the axes' own data-to-pixel transform.
"""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

from convarith.anim.render import PALETTE, ChannelRenderer, Renderer, render
from convarith.anim.render.artists import PanelArtists
from convarith.anim.render.frame import panel_frames
from convarith.anim.scenes import (
    conv_scene,
    group_scene,
    pool_scene,
    same_comparison_scene,
    transpose_scene,
)
from convarith.testing import seeded_rng

DPI = 40  # 384 x 216 pixels: cells of 10+ pixels, fast

SCENES = {
    "padding_strides": lambda: conv_scene((5, 5), 3, 2, 1),
    "dilation": lambda: conv_scene((7, 7), 3, dilation=2),
    "non_square": lambda: conv_scene((5, 7), (3, 2), (2, 1), ((1, 1), (0, 1))),
    "one_d": lambda: conv_scene(8, 3, 2, 1),
    "padding_strides_odd_transposed": lambda: transpose_scene((3, 3), 3, 2, 1, 1),
    "scatter": lambda: transpose_scene((2, 3), 3, 2, 1, view="scatter"),
    "comparison": lambda: same_comparison_scene((6, 6), 3, 2),
    "max_pooling_ceil_mode": lambda: pool_scene((5, 5), 2, 2, mode="max", ceil_mode=True),
}


def rgb(name):
    return np.array([round(255 * v) for v in to_rgb(PALETTE[name])])


def pixel_at(renderer, panel_index, grid_index, coord, pixels):
    gin, gout = renderer._grids[panel_index]
    grid = (gin, gout)[grid_index]
    ax = renderer._panel_artists[panel_index].footprint.axes
    x, y = grid.corner(coord)
    # near the top-left corner, inside the cell: clear of the value (centre) and the weight (bottom right)
    px, py = ax.transData.transform((x + 0.25, y + 0.75))
    height = pixels.shape[0]
    return pixels[round(height - py), round(px)].astype(int)


@pytest.mark.parametrize("name", list(SCENES))
def test_highlighted_cells_are_drawn_as_the_frames_say(name):
    scene = SCENES[name]()
    renderer = Renderer(scene, dpi=DPI)
    for step in sorted({0, len(scene) // 2, len(scene) - 1}):
        pixels = renderer.draw_frame(step)
        for p, panel in enumerate(scene.panels):
            frame = panel.frames[step]
            scatter = panel.footprint_on_output
            highlighted = {c.coord: c.kind for c in frame.reads}
            for coord in renderer._grids[p][0].index:
                colour = pixel_at(renderer, p, 0, coord, pixels)
                kind = highlighted.get(coord)
                if coord == frame.winner:
                    assert np.abs(colour - rgb("winner")).max() <= 2, (coord, step)
                elif kind == "input":
                    assert np.abs(colour - rgb("input_read")).max() <= 2, (coord, step)
                elif kind in ("padding", "zero"):
                    assert np.abs(colour - rgb("padding_read")).max() <= 2, (coord, step)
                elif kind == "overhang":  # inside the window, but pooling never reads it
                    assert np.abs(colour - rgb("overhang")).max() <= 2, (coord, step)
                else:
                    assert np.abs(colour - rgb("input_read")).max() > 30, (coord, step)
            written = {c.coord for c in frame.writes if c.kind == "output"}
            for coord in np.ndindex(*panel.output_shape):
                colour = pixel_at(renderer, p, 1, coord, pixels)
                if coord in written:
                    assert np.abs(colour - rgb("scatter_now" if scatter else "output_now")).max() <= 2
                elif not scatter and any(coord == c.coord for f in panel.frames[:step] for c in f.writes):
                    assert np.abs(colour - rgb("output_done")).max() <= 2


# The fast path (cached layers, moving parts only) against matplotlib's full savefig, pixel for
# pixel. Every cell covers whole pixels (edgeless fills, cells a whole number of pixels, grid
# origins on pixel edges), so copying a cell's pixels from the layer of its state is exactly what a
# full draw gives. The geometries vary the cell size and the sub-pixel placement: the old
# comparison (up to 12 pixels off by more than 40) passed at the test's DPI 40 and failed at DPI
# 35 (74 pixels) or a 5.0-inch height (77), so any layout change could flip it.
BLIT_SCENES = {
    "numbers": lambda: conv_scene((5, 5), 3, 2, 1, numbers=True),
    "scatter": lambda: transpose_scene((2, 2), 3, 2, view="scatter"),
    "scatter_numbers_cropped": lambda: transpose_scene((2, 3), 3, 2, 1, view="scatter", numbers=True),
    "transposed_numbers": lambda: transpose_scene((3, 3), 3, 2, 1, 1, numbers=True),
    "max_pooling_ceil_mode": lambda: pool_scene((5, 6), 3, 2, 1, ceil_mode=True),
    "comparison": lambda: same_comparison_scene((6, 6), 3, 2),
    "one_d": lambda: conv_scene(8, 3, 2, 1, numbers=True),
}
BLIT_GEOMETRIES = {
    "dpi_40": {"dpi": DPI},
    "dpi_35": {"dpi": 35},
    "dpi_64": {"dpi": 64},
    "height_5": {"dpi": DPI, "height": 5.0},
}


@pytest.mark.parametrize("geometry", list(BLIT_GEOMETRIES))
@pytest.mark.parametrize("name", list(BLIT_SCENES))
def test_blitted_frames_equal_a_full_draw(name, geometry):
    scene = BLIT_SCENES[name]()
    options = BLIT_GEOMETRIES[geometry]
    renderer = Renderer(scene, **options)
    n = len(scene)
    for step in sorted({0, 1, n // 2, n - 1}):
        fast = renderer.draw_frame(step)
        buffer = io.BytesIO()
        renderer.savefig(buffer, step=step, format="png", dpi=options["dpi"])
        full = np.asarray(Image.open(buffer).convert("RGB"))
        assert full.shape == fast.shape
        differ = np.abs(full.astype(int) - fast).max(axis=2)
        assert differ.max() == 0, (step, int((differ > 0).sum()), int(differ.max()))


def test_cells_cover_whole_pixels():
    # the property the fast path rests on: cells are a whole number of pixels, their edges on pixel edges
    renderer = Renderer(conv_scene((5, 7), 3, 2, 1), dpi=33)
    ax = renderer._panel_artists[0].footprint.axes
    for grid in renderer._grids[0]:
        corners = np.array([grid.corner(c) for c in grid.index])
        pixels = ax.transData.transform(np.vstack([corners, corners + 1]))
        assert np.abs(pixels - np.round(pixels)).max() < 1e-6


def test_random_access_equals_playing_forwards():
    scene = conv_scene((6, 6), 3, 1, 1, numbers=True)
    forwards = [Renderer(scene, dpi=DPI).draw_frame(s) for s in range(1)]
    renderer = Renderer(scene, dpi=DPI)
    frames = list(renderer.frames())
    for step in (17, 3, 35, 0):
        assert np.array_equal(renderer.draw_frame(step), frames[step])
    assert np.array_equal(frames[0], forwards[0])


@pytest.mark.parametrize("name", list(SCENES))
def test_the_frame_model_is_read_once_per_frame_from_the_scene(name):
    # issue 21 item 4: one value per step holds the cells read, done and current; the renderer
    # shows that value after drawing the frame
    scene = SCENES[name]()
    renderer = Renderer(scene, dpi=DPI)
    for step in sorted({0, 1, len(scene) - 1}):
        frames = panel_frames(scene, step)
        for panel, frame in zip(scene.panels, frames, strict=True):
            scatter = panel.footprint_on_output
            done = []  # brute force: every output cell written before this step, once, in order
            for earlier in panel.frames[:step]:
                for cell in earlier.writes:
                    if cell.coord not in done and (not scatter or cell.kind == "output"):
                        done.append(cell.coord)
            assert list(frame.done) == done
            assert frame.current == tuple(c.coord for c in panel.frames[step].writes)
            read = [c.coord for c in panel.frames[step].reads if c.kind != "overhang"]
            assert frame.layer_cells.get("read", []) == read
        renderer.draw_frame(step)
        assert [f.done for f in renderer._shown] == [f.done for f in frames]
        assert all(isinstance(art, PanelArtists) for art in renderer._panel_artists)


def test_shown_numbers_are_the_frames_values():
    scene = conv_scene((5, 5), 3, numbers=True)
    renderer = Renderer(scene, dpi=DPI)
    renderer.draw_frame(len(scene) - 1)
    art = renderer._panel_artists[0]
    final = scene.panels[0].frames[-1].output_values
    for coord, text in art.out_texts.items():
        assert text.get_text() == str(int(final[coord]))
    for coord, text in art.in_texts.items():
        assert text.get_text() == str(int(scene.panels[0].input_values[coord]))
    weights = sorted(int(t.get_text()) for t in art.weight_texts)
    assert weights == sorted(scene.panels[0].kernel_values.ravel().tolist())


def test_a_window_of_padding_only_shows_minus_infinity():
    scene = pool_scene(1, 2, 1, 1, 2, input_values=np.array([5]))
    renderer = Renderer(scene, dpi=DPI)
    renderer.draw_frame(0)
    renderer._prepare_full_draw()
    assert renderer._panel_artists[0].out_texts[(0,)].get_text() == "−∞"


def test_labels_name_input_and_output_with_sizes():
    renderer = Renderer(conv_scene((5, 7), 3, 2, 1), dpi=DPI)
    texts = [t.get_text() for ax in renderer.figure.axes for t in ax.texts]
    assert "input 5×7, padding (1, 1)" in texts
    assert "output 3×4" in texts
    figure_texts = [t.get_text() for t in renderer.figure.texts]
    assert any("o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3" in t for t in figure_texts)  # caption, numbers in
    assert all("o =" not in t for t in [x.get_text() for x in Renderer(conv_scene(5, 3), caption=False).figure.texts])


def test_transposed_labels_say_which_grid_is_which():
    texts = [t.get_text() for ax in Renderer(transpose_scene((2, 2), 3, 2), dpi=DPI).figure.axes for t in ax.texts]
    assert "input 2×2 + 1 zero between, p′ = (2, 2)" in texts
    assert "output 5×5" in texts


def test_frame_size_is_sixteen_by_nine_and_even():
    renderer = Renderer(conv_scene((4, 4), 3), dpi=DPI)
    assert renderer.size == (384, 216)
    assert Renderer(conv_scene((4, 4), 3), dpi=33).size == (316, 178)  # rounded to even sides
    assert renderer.draw_frame(0).shape == (216, 384, 3)


def test_one_d_is_a_single_row_below_the_output():
    renderer = Renderer(conv_scene(8, 3, 2, 1), dpi=DPI)
    assert renderer._vertical
    gin, gout = renderer._grids[0]
    assert gin.shape == (1, 10) and gout.shape == (1, 4)
    assert gout.corner((0,))[1] > gin.corner((0,))[1]  # output above input, as in the guide


def test_channel_view():
    scene = group_scene(4, 8, 4)
    renderer = render(scene, dpi=DPI)
    assert isinstance(renderer, ChannelRenderer)
    assert len(renderer) == 8
    first, last = renderer.draw_frame(0), renderer.draw_frame(7)
    assert first.shape == (216, 384, 3) and not np.array_equal(first, last)
    buffer = io.BytesIO()
    renderer.savefig(buffer, step=7, format="png")
    full = np.asarray(Image.open(buffer).convert("RGB")).astype(int)
    assert (np.abs(full - last) > 40).sum() == 0


def test_import_convarith_does_not_import_matplotlib():
    code = "import sys, convarith, convarith.anim.scenes, convarith.anim.render, convarith.anim.export; "
    code += "import convarith.anim.gallery; "
    code += "print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_bad_step():
    renderer = Renderer(conv_scene((4, 4), 3), dpi=DPI)
    with pytest.raises(ValueError, match=r"`step` must be in \[0, 4\), got 4"):
        renderer.update(4)
    with pytest.raises(TypeError, match="`step` must be an integer"):
        renderer.update(1.0)


def test_bad_layout_and_size():
    with pytest.raises(ValueError, match="`layout` must be one of"):
        Renderer(conv_scene((4, 4), 3), layout="diagonal")
    with pytest.raises(ValueError, match="`dpi` must be between 10 and 1000, got 0"):
        Renderer(conv_scene((4, 4), 3), dpi=0)
    with pytest.raises(TypeError, match="`scene` must be a Scene"):
        render("no_padding_no_strides")


# Values are drawn into the cell-state layers only for the cells a frame copies, as frames need
# them; whatever order the frames come in, each must equal a full draw of that step.
LAZY_VALUE_SCENES = {
    "reflect_padding_values": lambda: conv_scene((4, 4), 3, 1, 1, numbers=True, padding_mode="reflect"),
    "max_pool_winners": lambda: pool_scene((5, 5), 3, 2, 1, input_values=np.arange(25).reshape(5, 5) % 7),
    "transposed_direct": lambda: transpose_scene((2, 2), 3, 2, 1, numbers=True),
}


@pytest.mark.parametrize("name", list(LAZY_VALUE_SCENES))
def test_frames_in_any_order_equal_a_full_draw(name):
    scene = LAZY_VALUE_SCENES[name]()
    renderer = Renderer(scene, dpi=DPI)
    order = seeded_rng(0).permutation(len(scene))
    for step in [*order, *order[:3]]:  # every frame once, then a few again
        fast = renderer.draw_frame(int(step)).copy()
        buffer = io.BytesIO()
        renderer.savefig(buffer, step=int(step), format="png", dpi=DPI)
        full = np.asarray(Image.open(buffer).convert("RGB"))
        assert np.array_equal(fast, full), (name, int(step))
