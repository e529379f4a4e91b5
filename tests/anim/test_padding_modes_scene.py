"""Padding modes in the pictures: padding cells carry the engine's padded values, outputs use them.

Oracles: hand-worked padded rows for each mode (PyTorch's ``F.pad`` rules worked by hand), and
``torch.nn.functional.conv2d`` on ``F.pad(x, mode=...)`` for the output values.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from convarith.anim.scenes import conv_scene
from convarith.arithmetic import LayerError
from convarith.testing import seeded_rng
from convarith.widgets.state import describe_layer

MODES = ("zeros", "reflect", "replicate", "circular")

# [1, 2, 3] padded by 2 on both sides, worked by hand
ROW = [1, 2, 3]
PADDED_ROW = {
    "zeros": [0, 0, 1, 2, 3, 0, 0],
    "reflect": [3, 2, 1, 2, 3, 2, 1],  # mirror about the edge cell, which is not repeated
    "replicate": [1, 1, 1, 2, 3, 3, 3],  # the edge cell, again and again
    "circular": [2, 3, 1, 2, 3, 1, 2],  # wrap around: the end before the start
}

# [[1, 2], [3, 4]] padded by 1 on every side, worked by hand
SQUARE = [[1, 2], [3, 4]]
PADDED_SQUARE = {
    "zeros": [[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]],
    "reflect": [[4, 3, 4, 3], [2, 1, 2, 1], [4, 3, 4, 3], [2, 1, 2, 1]],
    "replicate": [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]],
    "circular": [[4, 3, 4, 3], [2, 1, 2, 1], [4, 3, 4, 3], [2, 1, 2, 1]],
}


@pytest.mark.parametrize("mode", MODES)
def test_padded_row_is_worked_by_hand(mode: str) -> None:
    panel = conv_scene(3, 3, padding=2, input_values=ROW, padding_mode=mode).panels[0]
    assert panel.padded_values is not None
    assert panel.padded_values.tolist() == PADDED_ROW[mode]
    assert [panel.padding_value((c,)) for c in (-2, -1, 3, 4)] == [PADDED_ROW[mode][i] for i in (0, 1, 5, 6)]
    assert [panel.padding_value((c,)) for c in range(3)] == [None] * 3  # input cells are not padding


@pytest.mark.parametrize("mode", MODES)
def test_padded_square_is_worked_by_hand(mode: str) -> None:
    panel = conv_scene((2, 2), 2, padding=1, input_values=SQUARE, padding_mode=mode).panels[0]
    assert panel.padded_values is not None
    assert panel.padded_values.tolist() == PADDED_SQUARE[mode]
    assert panel.padding_value((-1, -1)) == PADDED_SQUARE[mode][0][0]
    assert panel.padding_value((2, 0)) == PADDED_SQUARE[mode][3][1]


def test_asymmetric_replicate_by_hand() -> None:
    x = [[1, 2, 3], [4, 5, 6]]
    panel = conv_scene((2, 3), 2, padding=((1, 0), (0, 1)), input_values=x, padding_mode="replicate").panels[0]
    assert panel.padded_values is not None
    assert panel.padded_values.tolist() == [[1, 2, 3, 3], [1, 2, 3, 3], [4, 5, 6, 6]]


# geometries: (input, kernel, stride, padding per axis, dilation)
GEOMETRIES = {
    "same_3x3": ((5, 5), 3, 1, ((1, 1), (1, 1)), 1),
    "strided": ((6, 5), 3, 2, ((2, 1), (1, 2)), 1),
    "dilated": ((6, 6), 3, 1, ((2, 2), (2, 2)), 2),
    "non_square_kernel": ((4, 6), (2, 3), (1, 2), ((1, 0), (2, 2)), 1),
}


@pytest.mark.parametrize("geometry", list(GEOMETRIES))
@pytest.mark.parametrize("mode", MODES)
def test_output_values_are_pytorchs(mode: str, geometry: str) -> None:
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    shape, kernel, stride, pads, dilation = GEOMETRIES[geometry]
    rng = seeded_rng(7)
    x = rng.integers(-3, 4, size=shape)
    k = (kernel, kernel) if isinstance(kernel, int) else kernel
    w = rng.integers(-2, 3, size=k)
    panel = conv_scene(
        shape, kernel, stride, pads, dilation, input_values=x, kernel_values=w, padding_mode=mode
    ).panels[0]
    (top, bottom), (left, right) = pads
    xt = torch.tensor(x, dtype=torch.float64)[None, None]
    padded = functional.pad(xt, (left, right, top, bottom), mode="constant" if mode == "zeros" else mode)
    expected = functional.conv2d(
        padded, torch.tensor(w, dtype=torch.float64)[None, None], stride=stride, dilation=dilation
    )
    np.testing.assert_array_equal(panel.padded_values, padded[0, 0].numpy())
    np.testing.assert_array_equal(panel.frames[-1].output_values, expected[0, 0].numpy())


def test_zeros_is_the_default_and_changes_nothing_else() -> None:
    plain = conv_scene((5, 5), 3, 2, 1, numbers=True).panels[0]
    zeros = conv_scene((5, 5), 3, 2, 1, numbers=True, padding_mode="zeros").panels[0]
    assert plain.padding_mode == "zeros" and plain.title == zeros.title
    np.testing.assert_array_equal(plain.frames[-1].output_values, zeros.frames[-1].output_values)
    assert plain.padded_values is not None and plain.padded_values[0].tolist() == [0] * 7


def test_title_names_the_mode() -> None:
    assert conv_scene((5, 5), 3, padding=1, padding_mode="circular").title.endswith("padding (1, 1) circular")
    assert "zeros" not in conv_scene((5, 5), 3, padding=1).title


def test_without_numbers_there_are_no_values() -> None:
    panel = conv_scene((5, 5), 3, padding=1, padding_mode="reflect").panels[0]
    assert panel.padded_values is None and panel.padding_value((-1, -1)) is None
    assert panel.padding_mode == "reflect"


def test_reflect_padding_must_be_smaller_than_the_input() -> None:
    with pytest.raises(
        LayerError, match=r"`padding` \(3, 3\) must be smaller than the input size 3 for padding_mode='reflect'"
    ):
        conv_scene(3, 3, padding=3, padding_mode="reflect")
    conv_scene(3, 3, padding=3, padding_mode="circular")  # circular wraps once: 3 fits
    with pytest.raises(LayerError, match=r"at most the input size 3 for padding_mode='circular'"):
        conv_scene(3, 3, padding=4, padding_mode="circular")


def test_unknown_mode_lists_the_choices() -> None:
    with pytest.raises(ValueError, match=r"`padding_mode` must be one of .*'reflect'.*got 'mirror'"):
        conv_scene(5, 3, padding=1, padding_mode="mirror")


# --------------------------------------------------------------------------------------------
# the explorer's state and the picture


@pytest.mark.parametrize("mode", MODES)
def test_describe_layer_passes_the_mode_to_the_picture(mode: str) -> None:
    x = np.arange(1, 26).reshape(5, 5)
    state = describe_layer("conv", 5, 3, padding=2, padding_mode=mode, x=x, numbers=True)
    assert state.ok and state.scene is not None
    panel = state.scene.panels[0]
    assert panel.padding_mode == mode
    top_row = {"zeros": [0, 0, 0, 0, 0], "reflect": [11, 12, 13, 14, 15], "replicate": [1, 2, 3, 4, 5],
               "circular": [16, 17, 18, 19, 20]}[mode]  # fmt: skip
    assert panel.padded_values is not None
    assert panel.padded_values[0, 2:7].tolist() == top_row  # padded row -2 (reflect: input row 2)
    assert not any("zeros" in note for note in state.notes)  # the picture and the check agree now


def test_describe_layer_still_refuses_too_much_reflection() -> None:
    state = describe_layer("conv", 3, 3, padding=3, padding_mode="reflect", numbers=True)
    assert state.message is not None and "smaller than the input size 3" in state.message


def test_padding_cells_show_their_values_in_grey() -> None:
    from convarith.anim.render import PALETTE, Renderer

    panel_scene = conv_scene(3, 3, padding=2, input_values=ROW, padding_mode="reflect")
    renderer = Renderer(panel_scene, dpi=40)
    texts = renderer._panel_artists[0].in_texts
    assert {c[0]: t.get_text() for c, t in texts.items()} == {
        c - 2: str(v) for c, v in enumerate(PADDED_ROW["reflect"])
    }
    assert texts[(-1,)].get_color() == PALETTE["muted"] and texts[(0,)].get_color() == PALETTE["text"]


def test_padded_values_fast_path_equals_a_full_draw() -> None:
    from PIL import Image

    from convarith.anim.render import Renderer

    scene = conv_scene((4, 4), 3, 2, 2, numbers=True, padding_mode="reflect")
    renderer = Renderer(scene, dpi=40)
    for step in (0, len(scene) - 1):
        fast = renderer.draw_frame(step)
        buffer = io.BytesIO()
        renderer.savefig(buffer, step=step, format="png", dpi=40)
        assert np.array_equal(np.asarray(Image.open(buffer).convert("RGB")), fast)
