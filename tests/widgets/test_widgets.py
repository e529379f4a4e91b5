"""The classroom widgets, driven from Python as a student would drive them in the browser.

Oracles: the guide's figures (sizes worked out by hand), PyTorch's layers for output shapes,
brute-force counting of kernel positions, and PIL decoding the pictures. The state functions
(:mod:`convarith.widgets.state`) are tested without widgets, the views by moving their controls.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

pytest.importorskip("ipywidgets")
pytest.importorskip("PIL")

from PIL import Image

from convarith import conv, widgets
from convarith.arithmetic import Layer, LayerError, layer
from convarith.widgets import (
    GroupExplorer,
    LayerExplorer,
    OutputSizeQuiz,
    ReceptiveFieldExplorer,
    channel_state,
    describe_cone,
    describe_groups,
    describe_layer,
    png_bytes,
    still,
)
from convarith.widgets import state as widget_state
from convarith.widgets.quiz import _Question
from convarith.widgets.state import kernel_starts
from tests._cells import run_until_exercises

DPI = 20  # small pictures keep the tests fast

# The guide's figures: (name, kind, i, k, s, p, d, a) -> output size, worked out by hand.
GUIDE_FIGURES = [
    ("no_padding_no_strides", "conv", 4, 3, 1, 0, 1, 0, 2),
    ("arbitrary_padding_no_strides", "conv", 5, 4, 1, 2, 1, 0, 6),
    ("same_padding_no_strides", "conv", 5, 3, 1, 1, 1, 0, 5),
    ("full_padding_no_strides", "conv", 5, 3, 1, 2, 1, 0, 7),
    ("no_padding_strides", "conv", 5, 3, 2, 0, 1, 0, 2),
    ("padding_strides", "conv", 5, 3, 2, 1, 1, 0, 3),
    ("padding_strides_odd", "conv", 6, 3, 2, 1, 1, 0, 3),
    ("dilation", "conv", 7, 3, 1, 0, 2, 0, 3),
    ("no_padding_no_strides_transposed", "transpose", 2, 3, 1, 0, 1, 0, 4),
    ("arbitrary_padding_no_strides_transposed", "transpose", 6, 4, 1, 2, 1, 0, 5),
    ("same_padding_no_strides_transposed", "transpose", 5, 3, 1, 1, 1, 0, 5),
    ("full_padding_no_strides_transposed", "transpose", 7, 3, 1, 2, 1, 0, 5),
    ("no_padding_strides_transposed", "transpose", 2, 3, 2, 0, 1, 0, 5),
    ("padding_strides_transposed", "transpose", 3, 3, 2, 1, 1, 0, 5),
    ("padding_strides_odd_transposed", "transpose", 3, 3, 2, 1, 1, 1, 6),
    ("max_pool_numerical", "max_pool", 5, 3, 1, 0, 1, 0, 3),
    ("avg_pool_2x2", "avg_pool", 4, 2, 2, 0, 1, 0, 2),
]

# Impossible combinations: (name, parameters, words the message must contain)
IMPOSSIBLE = [
    ("kernel_larger_than_padded_input", {"kind": "conv", "input_size": 2, "kernel_size": 5}, ["`kernel_size`"]),
    (
        "dilated_kernel_too_wide",
        {"kind": "conv", "input_size": 4, "kernel_size": 3, "dilation": 3},
        ["`kernel_size`", "7"],
    ),
    (
        "pytorch_same_with_stride",
        {"kind": "conv", "input_size": 6, "kernel_size": 3, "stride": 2, "padding": "same", "convention": "pytorch"},
        ["`stride`", "PyTorch"],
    ),
    (
        "reflect_padding_too_large",
        {"kind": "conv", "input_size": 5, "kernel_size": 3, "padding": 5, "padding_mode": "reflect"},
        ["`padding`", "reflect"],
    ),
    (
        "output_padding_not_below_stride",
        {"kind": "transpose", "input_size": 3, "kernel_size": 3, "stride": 2, "output_padding": 2},
        ["`output_padding`"],
    ),
    (
        "average_pooling_with_dilation",
        {"kind": "avg_pool", "input_size": 5, "kernel_size": 2, "dilation": 2},
        ["`dilation`", "average pooling"],
    ),
    (
        "pool_padding_more_than_half_the_window",
        {"kind": "max_pool", "input_size": 5, "kernel_size": 2, "padding": 2},
        ["`padding`"],
    ),
    (
        "direct_view_needs_negative_padding",  # o = 4 - 4 + 2 = 2 is fine, but p' = ek - 1 - p = -1
        {"kind": "transpose", "input_size": 5, "kernel_size": 2, "padding": 2},
        ["`padding` (2, 2)", "p′ = ek − 1 − p = (-1, -1)", "scatter view"],
    ),
    ("unknown_kind", {"kind": "deconv"}, ["`kind`", "deconv"]),
    ("three_axes_cannot_be_drawn", {"kind": "conv", "ndim": 3}, ["`ndim`"]),
]


def _decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _positions(i: int, k: int, s: int, pb: int, pe: int, d: int = 1) -> int:
    """Brute force: kernel start positions that fit in the padded input."""
    ek = d * (k - 1) + 1
    return sum(1 for start in range(i + pb + pe) if start % s == 0 and start + ek <= i + pb + pe)


# -- the logic without widgets ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "i", "k", "s", "p", "d", "a", "expected"), GUIDE_FIGURES, ids=[c[0] for c in GUIDE_FIGURES]
)
def test_describe_layer_matches_the_guide(
    name: str, kind: str, i: int, k: int, s: int, p: int, d: int, a: int, expected: int
) -> None:
    state = describe_layer(kind, i, k, s, p, d, output_padding=a)
    assert state.ok, state.message
    assert state.layer is not None
    assert state.layer.output_shape == (expected, expected)
    assert state.engine_shape == (1, 1, expected, expected)
    assert state.agrees
    assert "✓ they agree" in state.check_text()
    assert f"= {expected}" in state.formula_latex()
    assert len(state.scene) == expected * expected  # one frame per output cell (direct views)


@pytest.mark.parametrize(("name", "params", "words"), IMPOSSIBLE, ids=[c[0] for c in IMPOSSIBLE])
def test_describe_layer_explains_impossible_layers(name: str, params: dict, words: list[str]) -> None:
    state = describe_layer(**params)
    assert not state.ok
    assert state.layer is None and state.scene is None
    assert state.formula_latex() == "" and state.check_text() == ""
    for word in words:
        assert word in (state.message or ""), state.message


@pytest.mark.parametrize(
    ("kind", "i", "k", "s", "p", "d", "ceil_mode"),
    [
        ("conv", 7, 3, 2, 1, 1, False),
        ("conv", 9, 3, 3, 0, 2, False),
        ("max_pool", 5, 2, 2, 0, 1, True),
        ("max_pool", 6, 3, 2, 1, 1, True),
        ("avg_pool", 7, 3, 2, 1, 1, True),
        ("transpose", 3, 4, 2, 1, 1, False),
    ],
)
def test_engine_shape_matches_pytorch(kind: str, i: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> None:
    torch = pytest.importorskip("torch")
    x = torch.zeros(1, 1, i, i)
    if kind == "conv":
        layer = torch.nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    elif kind == "transpose":
        layer = torch.nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, dilation=d)
    elif kind == "max_pool":
        layer = torch.nn.MaxPool2d(k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
    else:
        layer = torch.nn.AvgPool2d(k, stride=s, padding=p, ceil_mode=ceil_mode)
    expected = tuple(layer(x).shape)
    state = describe_layer(kind, i, k, s, p, d, ceil_mode=ceil_mode)
    assert state.engine_shape == expected
    assert state.expected_shape == expected


@given(
    i=st.integers(1, 9),
    k=st.integers(1, 5),
    s=st.integers(1, 3),
    pb=st.integers(0, 3),
    pe=st.integers(0, 3),
    d=st.integers(1, 3),
)
def test_describe_layer_counts_positions_or_explains(i: int, k: int, s: int, pb: int, pe: int, d: int) -> None:
    positions = _positions(i, k, s, pb, pe, d)
    state = describe_layer("conv", i, k, s, (pb, pe), d, ndim=1)
    if positions == 0:  # the dilated kernel does not fit anywhere
        assert not state.ok and "`kernel_size`" in (state.message or "")
    else:
        assert state.ok, state.message
        assert state.engine_shape == (1, 1, positions) and state.agrees
        assert len(state.scene) == positions


# -- the agreement line compares the formula with a scan, so it can fail ------------------------


@settings(max_examples=80, deadline=None)
@given(
    i=st.integers(1, 12),
    k=st.integers(1, 5),
    s=st.integers(1, 4),
    p=st.integers(0, 2),
    d=st.integers(1, 3),
    ceil_mode=st.booleans(),
)
def test_kernel_starts_count_pytorch_pooling_windows(i: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> None:
    torch = pytest.importorskip("torch")
    assume(p <= k // 2)  # PyTorch's limit
    try:
        expected = torch.nn.functional.max_pool1d(torch.zeros(1, 1, i), k, s, p, d, ceil_mode=ceil_mode).shape[-1]
    except RuntimeError:  # "Output size is too small": no window
        expected = 0
    starts = kernel_starts("max_pool", i, k, s, (p, p), d, ceil_mode=ceil_mode)
    assert len(starts) == expected
    assert starts == [n * s for n in range(len(starts))]


@settings(max_examples=60, deadline=None)
@given(
    i=st.integers(1, 6),
    k=st.integers(1, 4),
    s=st.integers(1, 3),
    p=st.integers(0, 3),
    d=st.integers(1, 2),
    a=st.integers(0, 2),
)
def test_kernel_starts_count_pytorch_transposed_outputs(i: int, k: int, s: int, p: int, d: int, a: int) -> None:
    torch = pytest.importorskip("torch")
    assume(a < s or a < d)  # PyTorch's output_padding rule
    assume((i - 1) * s - 2 * p + d * (k - 1) + 1 + a >= 1)
    out = torch.nn.functional.conv_transpose1d(
        torch.zeros(1, 1, i), torch.zeros(1, 1, k), stride=s, padding=p, output_padding=a, dilation=d
    )
    assert len(kernel_starts("transpose", i, k, s, (p, p), d, output_padding=a)) == out.shape[-1]


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["conv", "max_pool", "avg_pool", "transpose"]),
    i=st.integers(1, 9),
    k=st.integers(1, 4),
    s=st.integers(1, 3),
    pb=st.integers(0, 2),
    pe=st.integers(0, 2),
    d=st.integers(1, 2),
    a=st.integers(0, 1),
    ceil_mode=st.booleans(),
)
def test_the_check_says_agree_for_every_valid_layer(
    kind: str, i: int, k: int, s: int, pb: int, pe: int, d: int, a: int, ceil_mode: bool
) -> None:
    pooling = kind.endswith("pool")
    if kind == "max_pool":  # see test_max_pool_window_of_padding_only below
        starts = kernel_starts(kind, i, k, s, (pb, pe), d, ceil_mode=ceil_mode)
        assume(not any(all(not pb <= p + t * d < pb + i for t in range(k)) for p in starts))
    state = describe_layer(
        kind, i, k, s, (pb, pe), 1 if kind == "avg_pool" else d, output_padding=a if kind == "transpose" else 0,
        ceil_mode=ceil_mode and pooling, ndim=1,
    )  # fmt: skip
    assert state.ok or state.layer is None  # impossible layers have a message and nothing else
    if state.ok:  # a valid layer never shows a false cross
        assert state.agrees, state.check_text()
        assert "✓ they agree" in state.check_text()


def test_max_pool_window_of_padding_only() -> None:
    # i = 1, k = 2, d = 2, p = 1: the one window reads padded cells -1 and 1, never the input
    assert kernel_starts("max_pool", 1, 2, 1, (1, 1), 2) == [0]
    state = describe_layer("max_pool", 1, 2, 1, 1, 2, ndim=1)
    assert state.agrees


def _break_the_formula(monkeypatch: pytest.MonkeyPatch) -> None:
    """One more output on every axis, in the one place the formula lives: the layer value."""
    right = Layer.output_size.fget
    assert right is not None

    def wrong(layer: object) -> tuple[int, ...] | None:
        sizes = right(layer)
        return None if sizes is None else tuple(n + 1 for n in sizes)

    monkeypatch.setattr(Layer, "output_size", property(wrong))


@pytest.mark.parametrize(
    ("kind", "i", "k", "s", "p", "positions"),
    [("conv", 5, 3, 2, 1, 3), ("conv", 7, 3, 1, "same", 7), ("avg_pool", 5, 2, 2, 0, 2), ("transpose", 2, 3, 2, 0, 5)],
)
def test_a_wrong_formula_shows_a_cross(
    monkeypatch: pytest.MonkeyPatch, kind: str, i: int, k: int, s: int, p: object, positions: int
) -> None:
    assert describe_layer(kind, i, k, s, p).agrees
    _break_the_formula(monkeypatch)
    state = describe_layer(kind, i, k, s, p)
    assert state.layer is not None and state.layer.output_shape == (positions + 1,) * 2  # broken
    assert state.positions == (positions, positions)  # the scan does not use the formula
    assert not state.agrees
    text = state.check_text()
    assert "✗ they DISAGREE" in text
    scanned = "zero-inserted, padded input" if kind == "transpose" else "padded input"
    assert f"(scan of the {scanned}): {positions}×{positions}" in text
    assert f"formula: {positions + 1}×{positions + 1}" in text


def test_the_explorer_shows_the_cross_in_red(monkeypatch: pytest.MonkeyPatch) -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=DPI)
    assert "✓ they agree" in explorer.check.value
    _break_the_formula(monkeypatch)
    explorer.controls["input_size"].value = 7  # a layer not seen before: o = 4, the broken formula says 5
    assert "✗ they DISAGREE" in explorer.check.value and "#b00020" in explorer.check.value
    assert "padded input): 4×4" in explorer.check.value and "formula: 5×5" in explorer.check.value


def test_same_padding_follows_the_convention() -> None:
    tensorflow = describe_layer("conv", 6, 3, 2, "same", convention="tensorflow")
    lower = describe_layer("conv", 6, 3, 2, "same", convention="same_lower")
    assert tensorflow.layer is not None and lower.layer is not None
    assert tensorflow.layer.padding == ((0, 1), (0, 1))  # TF: the extra unit after
    assert lower.layer.padding == ((1, 0), (1, 0))
    assert tensorflow.engine_shape == lower.engine_shape == (1, 1, 3, 3)


def test_asymmetric_padding_reaches_the_engine() -> None:
    state = describe_layer("conv", 5, 2, 1, (0, 1))
    assert state.layer is not None
    assert state.layer.padding == ((0, 1), (0, 1))
    assert state.engine_shape == (1, 1, 5, 5)
    assert "padding=((0, 1), (0, 1))" in state.engine_call  # the call as typed: a pair per axis


def test_ceil_mode_note_when_the_last_window_is_dropped() -> None:
    # i=5, k=2, s=2, p=1: ceil((5 + 2 - 2)/2) + 1 = 4, but window 4 would start at 6 = i + p
    state = describe_layer("max_pool", 5, 2, 2, 1, ceil_mode=True)
    assert state.layer is not None and state.layer.output_shape == (3, 3)
    assert any("dropped" in note for note in state.notes)
    assert _positions(5, 2, 2, 1, 1) == 3


def test_one_dimensional_layers() -> None:
    state = describe_layer("conv", 7, 3, 2, 1, ndim=1)
    assert state.layer is not None and state.layer.output_shape == (4,)
    assert state.engine_shape == (1, 1, 4)
    assert "rows and columns" not in state.formula_latex()


def test_describe_groups_shapes_and_message() -> None:
    state = describe_groups(4, 8, groups=4)
    assert state.weight_shape == (8, 1, 3, 3)
    assert state.engine_shape == (1, 8, 5, 5)
    assert state.parameters == 8 * 1 * 3 * 3
    assert [f.input_channels for f in state.scene.frames][:3] == [(0,), (0,), (1,)]
    bad = describe_groups(4, 6, groups=4)
    assert not bad.ok and "`out_channels`" in (bad.message or "") and "`groups`" in (bad.message or "")


# -- the widgets --------------------------------------------------------------------------------


def test_explorer_starts_with_picture_formula_and_check() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=DPI)
    assert explorer.message.value == ""
    picture = _decode(explorer.picture.value)
    assert picture.shape[0] > 50 and picture.shape[1] > 100
    assert (explorer.picture.width, explorer.picture.height) == (str(picture.shape[1]), str(picture.shape[0]))
    assert r"\frac{5 + 1 + 1 - 3}{2}" in explorer.formula.value and "= 3" in explorer.formula.value
    assert "(1, 1, 3, 3)" in explorer.check.value and "they agree" in explorer.check.value
    assert explorer.step.value == 1 and explorer.step.max == 9 and explorer.play.max == 9
    assert explorer.position.value == "kernel position 1 of 9: output cell (0, 0)"


def test_moving_a_slider_changes_picture_formula_and_frames() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=DPI)
    before = (explorer.picture.value, explorer.formula.value)
    explorer.controls["input_size"].value = 7
    assert explorer.picture.value != before[0]
    assert explorer.formula.value != before[1]
    assert r"\frac{7 + 1 + 1 - 3}{2}" in explorer.formula.value and "= 4" in explorer.formula.value
    assert explorer.step.max == 16 == _positions(7, 3, 2, 1, 1) ** 2
    assert explorer.step.value == 1  # a new layer starts at the first position


def test_stepping_moves_the_kernel_in_the_picture() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=DPI)
    first = explorer.picture.value
    explorer.step.value = 5
    assert explorer.picture.value != first
    assert explorer.position.value == "kernel position 5 of 9: output cell (1, 1)"
    explorer.step.value = 1
    assert explorer.picture.value == first  # the same step draws the same picture


def test_revisited_layers_reuse_their_renderer() -> None:
    explorer = LayerExplorer("conv", 5, 3, dpi=DPI)
    first = explorer.renderer
    explorer.controls["stride"].value = 2
    assert explorer.renderer is not first
    explorer.controls["stride"].value = 1
    assert explorer.renderer is first and explorer.step.max == 9
    for size in range(1, 12):  # more layers than the cache keeps
        explorer.controls["input_size"].value = size
    assert len(explorer._cache) == widgets.CACHE_SIZE


def test_play_and_step_cover_the_same_frames_after_a_change() -> None:
    explorer = LayerExplorer("conv", 5, 3, dpi=DPI)
    explorer.set(input_size=4, kernel_size=2)
    assert explorer.play.max == explorer.step.max == 9
    assert explorer.play.min == explorer.step.min == 1


def test_impossible_parameters_show_a_message_not_a_traceback() -> None:
    explorer = LayerExplorer("conv", 5, 3, dpi=DPI)
    explorer.controls["kernel_size"].value = 6  # no padding: a 6-kernel does not fit in 5
    assert "Not a valid layer" in explorer.message.value and "`kernel_size`" in explorer.message.value
    assert explorer.picture.layout.display == "none"
    assert explorer.formula.value == "" and explorer.check.value == ""
    explorer.controls["kernel_size"].value = 3  # and back: the picture returns
    assert explorer.message.value == "" and explorer.picture.layout.display is None
    assert "= 3" in explorer.formula.value


# -- only impossible layers become messages; a bug raises ---------------------------------------


def _raise(error: Exception) -> Callable[..., None]:
    def broken(*_: object, **__: object) -> None:
        raise error

    return broken


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("conv_scene", RuntimeError("bug in the scene")),
        ("conv_scene", ValueError("bug in the scene, not a validation error")),
        ("conv", KeyError("bug in the engine")),
    ],
)
def test_a_bug_in_the_layer_explorer_raises(monkeypatch: pytest.MonkeyPatch, name: str, error: Exception) -> None:
    explorer = LayerExplorer("conv", 5, 3, dpi=DPI)
    monkeypatch.setattr(widget_state, name, _raise(error))
    with pytest.raises(type(error), match="bug in the"):
        describe_layer("conv", 5, 3, stride=2)
    with pytest.raises(type(error), match="bug in the"):
        explorer.controls["stride"].value = 2  # a new layer: the bug surfaces instead of a message
    assert explorer.message.value == ""


def test_too_large_reflect_padding_is_a_message() -> None:
    state = describe_layer("conv", 3, 3, padding=3, padding_mode="reflect")
    assert state.layer is None and state.message is not None
    assert "`padding` (3, 3)" in state.message and "smaller than the input size 3" in state.message
    explorer = LayerExplorer("conv", 3, 3, dpi=DPI, padding_mode="reflect")
    explorer.controls["pad_before"].value = 3  # reflect may add at most i - 1 = 2 cells
    assert "Not a valid layer" in explorer.message.value and "at most 2 cells fit" in explorer.message.value
    with pytest.raises(LayerError, match="for padding_mode='reflect'"):  # the engine's check is a layer check
        conv(np.ones((1, 1, 3)), np.ones((1, 1, 3)), padding=3, padding_mode="reflect")


def test_a_plain_value_error_in_the_padding_mode_check_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(widget_state, "check_mode_limits", _raise(ValueError("bug in the limits")))
    with pytest.raises(ValueError, match="bug in the limits"):
        describe_layer("conv", 5, 3, padding=1, padding_mode="reflect")


def test_a_bug_in_the_group_explorer_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    explorer = GroupExplorer(4, 4, dpi=DPI)
    monkeypatch.setattr(channel_state, "conv", _raise(RuntimeError("bug in the engine")))
    with pytest.raises(RuntimeError, match="bug in the engine"):
        explorer.controls["groups"].value = 2
    monkeypatch.setattr(channel_state, "group_scene", _raise(KeyError("bug in the scene")))
    with pytest.raises(KeyError, match="bug in the scene"):
        describe_groups(4, 4, 2)


def test_a_bug_in_the_receptive_field_explorer_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    explorer = ReceptiveFieldExplorer(2, 3, dpi=DPI)
    monkeypatch.setattr(channel_state, "window_map", _raise(KeyError("bug in the windows")))
    with pytest.raises(KeyError, match="bug in the windows"):
        explorer.controls["layers"].value = 3
    monkeypatch.setattr(channel_state, "receptive_field", _raise(ValueError("bug in the closed form")))
    with pytest.raises(ValueError, match="bug in the closed form"):
        describe_cone(2, 3)


def test_a_bug_in_the_quiz_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    from convarith.widgets import quiz

    monkeypatch.setattr(quiz, "_hint", _raise(RuntimeError("bug in the hint")))
    q = OutputSizeQuiz(seed=1)
    with pytest.raises(RuntimeError, match="bug in the hint"):
        q.answer.value = q.question.layer.output_shape[0] + 1  # Enter checks: the bug shows here
    with pytest.raises(RuntimeError, match="bug in the hint"):
        q.check_answer()


def test_padding_controls_same_and_symmetric() -> None:
    explorer = LayerExplorer("conv", 6, 3, stride=2, dpi=DPI)
    c = explorer.controls
    assert c["pad_after"].disabled  # pb = pe is ticked: after follows before
    c["pad_before"].value = 2
    assert c["pad_after"].value == 2
    c["symmetric"].value = False
    c["pad_after"].value = 0
    assert explorer.state.layer is not None and explorer.state.layer.padding == ((2, 0), (2, 0))
    c["padding"].value = "same"
    assert c["pad_before"].disabled and not c["convention"].disabled
    assert explorer.state.layer is not None and explorer.state.layer.padding == ((0, 1), (0, 1))
    assert (c["pad_before"].value, c["pad_after"].value, c["symmetric"].value) == (0, 1, False)  # shown
    c["convention"].value = "pytorch"  # refuses strided 'same'
    assert "PyTorch" in explorer.message.value
    c["padding"].value = "full"
    assert explorer.state.layer is not None and explorer.state.layer.output_shape == (4, 4)
    c["padding"].value = "explicit"  # starts from what the rule chose: full = (2, 2)
    assert explorer.state.layer.padding == ((2, 2), (2, 2)) and not c["pad_before"].disabled


def test_set_updates_several_controls_at_once() -> None:
    explorer = LayerExplorer("conv", dpi=DPI)
    explorer.set(input_size=6, kernel_size=4, padding=(1, 2))
    assert explorer.state.layer is not None
    assert explorer.state.layer.padding == ((1, 2), (1, 2))
    assert explorer.state.layer.output_shape == (6, 6)
    with pytest.raises(ValueError, match="`colour` is not a control"):
        explorer.set(colour="red")


@pytest.mark.parametrize(
    ("kind", "op", "settings"),
    [
        ("conv", "conv", {"input_size": 6, "stride": 2, "padding": "same", "convention": "same_lower"}),
        ("conv", "conv", {"input_size": 7, "kernel_size": 2, "padding": (0, 2), "dilation": 2}),
        ("max_pool", "max_pool", {"input_size": 5, "kernel_size": 2, "stride": 2, "ceil_mode": True}),
        ("transpose", "conv_transpose", {"input_size": 3, "stride": 2, "padding": 1, "output_padding": 1}),
    ],
)
def test_the_explorer_builds_one_layer_from_its_controls(kind: str, op: str, settings: dict) -> None:
    # issue 21 item 3: the controls make one Layer; the state, the scene and the engine call take it
    explorer = LayerExplorer(kind, dpi=DPI)
    explorer.set(**settings)
    i = settings["input_size"]
    padding = settings.get("padding", 0)
    if isinstance(padding, tuple):
        padding = (padding, padding)
    expected = layer(
        op, (i, i), settings.get("kernel_size", 3), settings.get("stride"), padding, settings.get("dilation", 1),
        output_padding=settings.get("output_padding", 0), ceil_mode=settings.get("ceil_mode", False),
        convention=settings.get("convention", "tensorflow"),
    )  # fmt: skip
    lay = explorer.build_layer()
    assert lay == expected
    assert explorer.state.layer == lay
    assert explorer.state.scene is not None and explorer.state.scene.layer == lay
    assert f"stride={lay.stride[0]}" in explorer.state.engine_call
    assert explorer.state.engine_shape is not None and explorer.state.engine_shape[2:] == lay.output_shape


def test_padding_is_read_the_same_way_by_the_constructor_and_set() -> None:
    for padding in (2, (0, 1), "full"):
        built = LayerExplorer("conv", 5, 3, padding=padding, dpi=DPI)
        moved = LayerExplorer("conv", 5, 3, dpi=DPI)
        moved.set(padding=padding)
        assert built.build_layer() == moved.build_layer()
        names = ("padding", "pad_before", "pad_after", "symmetric")
        assert [built.controls[n].value for n in names] == [moved.controls[n].value for n in names]


def test_padding_that_is_not_whole_numbers_is_refused_not_rounded() -> None:
    with pytest.raises(TypeError, match=r"`padding` must be an integer, got float 1\.5"):
        LayerExplorer("conv", 5, 3, padding=1.5, dpi=DPI)
    explorer = LayerExplorer("conv", 5, 3, dpi=DPI)
    with pytest.raises(ValueError, match=r"a \(before, after\) pair or a rule, got \(1, 2, 3\)"):
        explorer.set(padding=(1, 2, 3))
    assert explorer.build_layer().padding == ((0, 0), (0, 0))  # unchanged


def test_explorer_refuses_bad_construction_arguments() -> None:
    with pytest.raises(ValueError, match="`kind`"):
        LayerExplorer("deconv")
    with pytest.raises(ValueError, match="`controls`: unknown names"):
        LayerExplorer("conv", controls=["input_size", "colour"], dpi=DPI)


def test_transpose_explorer_scatter_view_steps_over_input_cells() -> None:
    explorer = LayerExplorer("transpose", 2, 3, stride=2, dpi=DPI)
    assert explorer.step.max == 25  # direct view: one frame per output cell of the 5×5 output
    direct = explorer.picture.value
    explorer.controls["view"].value = "scatter"
    assert explorer.step.max == 4  # one frame per input cell
    assert explorer.picture.value != direct
    assert explorer.position.value == "kernel position 1 of 4: input cell (0, 0) adds the kernel"
    explorer.controls["output_padding"].value = 1
    assert explorer.state.layer is not None and explorer.state.layer.output_shape == (6, 6)


def test_transpose_explorer_switches_to_the_scatter_view_when_the_direct_view_cannot_draw() -> None:
    explorer = LayerExplorer("transpose", 5, 2, dpi=DPI)
    explorer.set(padding=2)  # a valid layer (o = 2) the guide's direct view cannot draw
    assert "scatter view" in explorer.message.value and explorer.picture.layout.display == "none"
    explorer.controls["view"].value = "scatter"
    assert explorer.message.value == "" and explorer.state.agrees and explorer.step.max == 25  # 5×5 input cells


def test_pool_explorer_ceil_mode() -> None:
    explorer = LayerExplorer("max_pool", 5, 2, dpi=DPI)
    assert explorer.state.layer is not None and explorer.state.layer.output_shape == (2, 2)
    explorer.controls["ceil_mode"].value = True
    assert explorer.state.layer is not None and explorer.state.layer.output_shape == (3, 3)
    assert r"\lceil" in explorer.formula.value


def test_default_controls_depend_on_the_kind() -> None:
    assert "output_padding" in LayerExplorer("transpose", dpi=DPI).shown_controls
    assert "ceil_mode" in LayerExplorer("max_pool", dpi=DPI).shown_controls
    conv = LayerExplorer("conv", dpi=DPI)
    assert "output_padding" not in conv.shown_controls and "convention" in conv.shown_controls


def test_group_explorer() -> None:
    explorer = GroupExplorer(4, 4, groups=2, dpi=DPI)
    assert "(4, 2, 3, 3)" in explorer.check.value
    first = explorer.picture.value
    explorer.step.value = 3
    assert explorer.picture.value != first
    assert (explorer.step.min, explorer.step.max) == (0, 3)  # one frame per output channel
    explorer.controls["groups"].value = 3
    assert "Not a valid layer" in explorer.message.value and explorer.picture.layout.display == "none"
    explorer.controls["groups"].value = 4  # depthwise
    assert "(4, 1, 3, 3)" in explorer.check.value


@pytest.mark.parametrize(("in_channels", "out_channels", "groups"), [(4, 4, 2), (4, 8, 4), (6, 3, 3), (2, 4, 1)])
def test_group_explorer_numbers_channels_as_the_picture(in_channels: int, out_channels: int, groups: int) -> None:
    # One numbering: the slider's value is the output channel the picture highlights and labels
    # ("output channel 2 (group 1)", boxes "out 0".."out n-1"), counted from 0.
    explorer = GroupExplorer(in_channels, out_channels, groups=groups, dpi=DPI)
    assert (explorer.step.min, explorer.step.max) == (0, out_channels - 1)
    assert (explorer.play.min, explorer.play.max) == (0, out_channels - 1)
    per_out, per_in = out_channels // groups, in_channels // groups
    for channel in range(out_channels):
        explorer.step.value = channel
        assert explorer.renderer is not None and explorer.renderer.step == channel  # the frame drawn
        group = channel // per_out  # hand rule: weight layout (C_out, C_in/groups, k, k)
        inputs = ", ".join(str(c) for c in range(group * per_in, (group + 1) * per_in))
        assert explorer.channel.value.startswith(f"output channel {channel} (group {group}) reads input channel")
        assert explorer.channel.value.endswith(inputs)


def test_group_explorer_states_the_saving_only_for_groups() -> None:
    dense = GroupExplorer(4, 8, groups=1, dpi=DPI)
    assert "288 weights" in dense.check.value  # 8 * 4 * 3 * 3
    assert "fewer" not in dense.check.value and "1×" not in dense.check.value
    grouped = GroupExplorer(4, 8, groups=4, dpi=DPI)
    assert "72 weights, 4× fewer than with groups=1" in grouped.check.value  # 288 / 4
    assert describe_groups(4, 8, groups=2).parameters * 2 == describe_groups(4, 8, groups=1).parameters


# -- receptive fields -----------------------------------------------------------------------------

CONES = [  # (layers, kernel, stride, dilation) -> r0 worked out by hand: 1 + (ek - 1)(1 + s + ... + s^(L-1))
    (1, 3, 1, 1, 3),
    (3, 3, 1, 1, 7),
    (3, 3, 2, 1, 15),
    (2, 2, 2, 1, 4),
    (3, 3, 1, 2, 13),
    (2, 1, 3, 1, 1),
]


@pytest.mark.parametrize(("layers", "k", "s", "d", "r0"), CONES)
def test_cone_width_is_the_receptive_field(layers: int, k: int, s: int, d: int, r0: int) -> None:
    for output in range(3):
        state = describe_cone(layers, k, s, d, output=output)
        assert state.ok, state.message
        first, last = state.extent
        assert last - first + 1 == r0
        assert first == output * s**layers
        assert state.agrees
        assert state.sizes[-1] == 3 and len(state.sizes) == layers + 1


@pytest.mark.parametrize(("layers", "k", "s", "d", "r0"), CONES)
def test_cone_matches_the_engine_impulse_response(layers: int, k: int, s: int, d: int, r0: int) -> None:
    import convarith as ca

    state = describe_cone(layers, k, s, d, output=1)
    n = state.sizes[0]
    x = np.eye(n, dtype=np.int64)[:, None, :]  # a batch of impulses, one per input cell: (n, 1, n)
    w = np.ones((1, 1, k), dtype=np.int64)
    for _ in range(layers):
        x = ca.conv(x, w, stride=s, dilation=d)
    reached = {j for j in range(n) if x[j, 0, 1] != 0}  # impulses that reach output 1
    assert reached == set(state.cone[0])


def test_cone_too_wide_to_draw_and_bad_arguments() -> None:
    wide = describe_cone(5, 5, 3)
    assert not wide.ok and "cells" in (wide.message or "")
    assert "`layers`" in (describe_cone(0).message or "")
    assert "`output`" in (describe_cone(output=3).message or "")


def test_receptive_field_explorer() -> None:
    explorer = ReceptiveFieldExplorer(3, 3, stride=2, dpi=DPI)
    assert "✓ they agree" in explorer.check.value and "r0 = 15" in explorer.check.value
    first = explorer.picture.value
    explorer.step.value = 1  # output cell 1: S0 = 8, so its cone starts at input cell 8
    assert explorer.picture.value != first and "output 1 depends on input cells 8..22" in explorer.check.value
    explorer.controls["layers"].value = 5
    explorer.controls["kernel_size"].value = 5
    assert "Cannot draw this stack" in explorer.message.value and explorer.picture.layout.display == "none"
    explorer.controls["layers"].value = 1
    assert explorer.message.value == "" and "r0 = 5" in explorer.check.value


# -- the quiz -------------------------------------------------------------------------------------


def test_quiz_is_reproducible_from_its_seed() -> None:
    a, b = OutputSizeQuiz(["conv", "pool", "transpose"], seed=7), OutputSizeQuiz(["conv", "pool", "transpose"], seed=7)
    for _ in range(5):
        assert a.prompt.value == b.prompt.value
        a.new_question()
        b.new_question()


def test_quiz_answers_agree_with_brute_force_counting() -> None:
    quiz = OutputSizeQuiz(["conv", "pool"], seed=2)
    for _ in range(30):
        axis = quiz.question.layer.axes[0]
        (pb, pe), s = axis.padding, axis.stride
        expected = _positions(axis.input_size, axis.kernel_size, s, pb, pe, axis.dilation)
        if axis.ceil_mode:  # one more, partial window if one still starts inside input + left padding
            last = (expected - 1) * s + axis.effective_kernel_size
            if last < axis.input_size + pb + pe and expected * s < axis.input_size + pb:
                expected += 1
        assert axis.output_size == expected, quiz.prompt.value
        quiz.new_question()


def test_quiz_right_answer() -> None:
    quiz = OutputSizeQuiz(seed=1)
    right = quiz.question.layer.output_shape[0]
    quiz.answer.value = right
    assert quiz.check_answer()
    assert f"Right: o = {right}" in quiz.feedback.value
    assert f"= {right}$" in quiz.feedback.value  # the formula with the numbers
    assert quiz.score == (1, 1)


def test_quiz_wrong_answer_is_explained() -> None:
    quiz = OutputSizeQuiz(seed=1)
    right = quiz.question.layer.output_shape[0]
    quiz.answer.value = right + 1
    assert not quiz.check_answer()
    assert f"you said {right + 1}, the output size is {right}" in quiz.feedback.value
    assert f"+ 1 = {right}$" in quiz.feedback.value and "<i>" in quiz.feedback.value  # formula and a hint
    quiz.answer.value = right  # a second try is not counted as a first-try success
    assert quiz.check_answer()
    assert quiz.score == (0, 1)
    quiz.new_question()
    assert quiz.feedback.value == ""


def test_quiz_hint_for_a_forgotten_dilation() -> None:
    quiz = OutputSizeQuiz(seed=0)
    quiz.question = _Question("conv", layer("conv", 9, 3, 1, 0, 2))  # ek = 5: o = 5, not 7
    quiz.answer.value = 7
    assert not quiz.check_answer()
    assert "dilated kernel covers ek = d·(k − 1) + 1 = 5 cells" in quiz.feedback.value


def test_quiz_hint_for_ceil_mode() -> None:
    quiz = OutputSizeQuiz(["pool"], seed=0)
    quiz.question = _Question("pool", layer("max_pool", 5, 2, ceil_mode=True))  # o = 3, floor gives 2
    quiz.answer.value = 2
    assert not quiz.check_answer()
    assert "ceil_mode=True rounds up" in quiz.feedback.value


def test_quiz_refuses_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="`kinds`"):
        OutputSizeQuiz(["deconv"])
    with pytest.raises(ValueError, match="`kinds`"):
        OutputSizeQuiz([])


# -- pictures and imports -------------------------------------------------------------------------


def test_png_bytes_round_trip() -> None:
    pixels = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    assert np.array_equal(_decode(png_bytes(pixels)), pixels)


def test_still_is_the_last_frame_by_default() -> None:
    from convarith.anim.scenes import conv_scene

    scene = conv_scene((4, 4), 3)
    last, first = still(scene, dpi=DPI), still(scene, 0, dpi=DPI)
    assert last.data != first.data
    assert last.data == still(scene, len(scene) - 1, dpi=DPI).data


def test_widget_state_needs_numpy_only() -> None:
    code = (
        "import sys, convarith.widgets.state as s, convarith.widgets.channel_state as c; "
        "s.describe_layer('conv', 5, 3); c.describe_cone(); "
        "print(*(m in sys.modules for m in ('ipywidgets', 'matplotlib', 'PIL')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False", "False"]


def test_package_exports() -> None:
    for name in widgets.__all__:
        assert getattr(widgets, name) is not None
    assert {"LayerExplorer", "GroupExplorer", "ReceptiveFieldExplorer", "OutputSizeQuiz"} <= set(dir(widgets))
    with pytest.raises(AttributeError, match="no attribute 'Explorer'"):
        widgets.Explorer  # noqa: B018


def test_import_convarith_does_not_import_widgets() -> None:
    code = "import sys, convarith; print('convarith.widgets' in sys.modules, 'ipywidgets' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


# --------------------------------------------------------------------------------------------
# the notebook's own arrays (issue 13, item 4)

NOTEBOOK_X = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
NOTEBOOK_W = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])


def _shown(explorer: LayerExplorer) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """The input, kernel and output values in the explorer's picture (its last frame: all outputs)."""
    panel = explorer.state.scene.panels[0]  # type: ignore[union-attr]
    return panel.input_values, panel.kernel_values, panel.frames[-1].output_values


@pytest.mark.parametrize("shape", [(5, 5), (1, 5, 5), (1, 1, 5, 5)])
def test_explorer_shows_the_notebooks_arrays_and_the_engines_output(shape: tuple[int, ...]) -> None:
    from convarith import conv as engine_conv

    explorer = LayerExplorer("conv", x=NOTEBOOK_X.reshape(shape), w=NOTEBOOK_W[None, None], dpi=DPI)
    x, w, y = _shown(explorer)
    np.testing.assert_array_equal(x, NOTEBOOK_X)
    np.testing.assert_array_equal(w, NOTEBOOK_W)
    # the guide's numerical_no_padding_no_strides figure, worked by hand: the first output is 12
    np.testing.assert_array_equal(y, [[12, 12, 17], [10, 17, 19], [9, 6, 14]])
    np.testing.assert_array_equal(y, engine_conv(NOTEBOOK_X[None, None], NOTEBOOK_W[None, None])[0, 0])
    assert explorer.controls["numbers"].value and explorer.controls["input_size"].value == 5
    explorer.set(stride=2, padding=1)  # the student moves the sliders: same arrays, new layer
    x, _, y = _shown(explorer)
    np.testing.assert_array_equal(x, NOTEBOOK_X)
    expected = engine_conv(NOTEBOOK_X[None, None], NOTEBOOK_W[None, None], stride=2, padding=1)[0, 0]
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("view", ["direct", "scatter"])
def test_transpose_explorer_shows_the_notebooks_arrays(view: str) -> None:
    from convarith import conv_transpose

    x, w = np.array([[1, 2], [3, 4]]), NOTEBOOK_W
    explorer = LayerExplorer("transpose", stride=2, x=x, w=w, view=view, dpi=DPI)
    expected = conv_transpose(x[None, None], w[None, None], stride=2)[0, 0]
    # the scatter by hand: each input cell adds the kernel, scaled, two cells apart
    scatter = np.zeros((5, 5), dtype=int)
    for r in range(2):
        for c in range(2):
            scatter[2 * r : 2 * r + 3, 2 * c : 2 * c + 3] += x[r, c] * w
    np.testing.assert_array_equal(expected, scatter)
    np.testing.assert_array_equal(_shown(explorer)[2], scatter)
    if view == "scatter":
        np.testing.assert_array_equal(_shown(explorer)[0], x)


def test_pool_explorer_shows_the_notebooks_input() -> None:
    x = np.arange(16).reshape(4, 4)
    explorer = LayerExplorer("max_pool", kernel_size=2, x=x, dpi=DPI)
    np.testing.assert_array_equal(_shown(explorer)[0], x)
    np.testing.assert_array_equal(_shown(explorer)[2], [[5, 7], [13, 15]])  # by hand


def test_explorer_arrays_must_fit_the_layer() -> None:
    with pytest.raises(LayerError, match=r"`x` is 5×5 but `input_size` is 6"):
        LayerExplorer("conv", 6, x=NOTEBOOK_X, dpi=DPI)
    with pytest.raises(LayerError, match=r"`w` is 3×3 but `kernel_size` is 2"):
        LayerExplorer("conv", kernel_size=2, w=NOTEBOOK_W, dpi=DPI)
    with pytest.raises(LayerError, match=r"`x` has shape \(2, 5, 5\).*length 1"):
        LayerExplorer("conv", x=np.stack([NOTEBOOK_X] * 2), dpi=DPI)
    with pytest.raises(LayerError, match=r"`x` is 5×4.*square"):
        LayerExplorer("conv", x=NOTEBOOK_X[:, :4], dpi=DPI)
    with pytest.raises(LayerError, match=r"`w`: max_pool has no kernel weights"):
        LayerExplorer("max_pool", w=NOTEBOOK_W, dpi=DPI)
    explorer = LayerExplorer("conv", x=NOTEBOOK_X, w=NOTEBOOK_W, dpi=DPI)
    explorer.controls["kernel_size"].value = 4  # a slider moved away from the arrays: a message, no picture
    assert explorer.message.value and "`w` is 3×3 but the layer's kernel is 4×4" in explorer.state.message
    explorer.controls["kernel_size"].value = 6  # the layer itself is impossible: its own message first
    assert "larger than the padded input" in explorer.state.message
    explorer.controls["kernel_size"].value = 3
    assert explorer.state.ok
    assert describe_layer("conv", 5, 3, x=np.ones((1, 1, 1, 5)), ndim=1).message.startswith(
        "`x` has shape (1, 1, 1, 5) (4 axes): give 1 spatial axes"
    )
    assert "the axes before the last 1 must have length 1" in describe_layer("conv", 5, 3, x=NOTEBOOK_X, ndim=1).message


def _notebook_explorer(name: str) -> tuple[dict, LayerExplorer]:
    """A notebook's names and its first LayerExplorer."""
    names, ran = run_until_exercises(name)
    return names, next(value for _, _, value, _ in ran if isinstance(value, LayerExplorer))


def test_notebook_explorers_show_the_notebooks_own_arrays() -> None:
    from convarith import conv_transpose

    names, explorer = _notebook_explorer("01_discrete_convolution")  # the explorer once drew 13 here, y[0, 0] is 12
    shown = _shown(explorer)[2]
    assert shown[0, 0] == names["y"][0, 0] == 12
    np.testing.assert_array_equal(shown, conv(names["x"][None, None], names["w"][None, None])[0, 0])
    names, explorer = _notebook_explorer("06_transposed_convolution")  # once drew [[3, 2], [2, 1]]
    x, w = names["x"], names["w"]
    np.testing.assert_array_equal(_shown(explorer)[2], conv_transpose(x[None, None], w[None, None], stride=2)[0, 0])
    np.testing.assert_array_equal(_shown(explorer)[2], names["y"])
    explorer.controls["view"].value = "scatter"
    np.testing.assert_array_equal(_shown(explorer)[0], x)


def test_player_embeds_every_frame_as_the_renderer_draws_it() -> None:
    import base64
    import re

    from convarith.anim.scenes import same_comparison_scene
    from convarith.widgets import player

    scene = same_comparison_scene(6, 3, 2)  # two panels, three steps
    html = player(scene, dpi=DPI).data
    encoded = re.findall(r'data:image/png;base64,([^"]+)"', html)
    assert len(encoded) == len(scene) == 3
    frames = [np.asarray(Image.open(io.BytesIO(base64.b64decode(e.replace("\\\n", ""))))) for e in encoded]
    for step, frame in enumerate(frames):
        expected = np.asarray(Image.open(io.BytesIO(still(scene, step, dpi=DPI).data)))
        assert frame.shape[:2] == expected.shape[:2]
        assert np.abs(frame[..., :3].astype(int) - expected[..., :3]).mean() < 2  # the same picture
    assert not np.array_equal(frames[0], frames[1])  # the panels move between frames
    assert "Play" in html or "play" in html


@pytest.mark.slow
def test_notebook_prose_says_what_its_widgets_do() -> None:
    """Issue 13 item 5: the markdown right above each widget describes what the widget below does."""
    import re

    # 05: "Tick ceil mode: a third window appears" -- so ceil mode starts off, and ticking it adds one
    _, ran = run_until_exercises("05_pooling")
    prose, _, explorer, _ = next(cell for cell in ran if isinstance(cell[2], LayerExplorer))
    assert isinstance(explorer, LayerExplorer)
    assert "Tick **ceil mode** (it starts\nunticked)" in prose and "third window" in prose
    assert not explorer.controls["ceil_mode"].value and explorer.state.layer.output_shape == (2, 2)
    explorer.controls["ceil_mode"].value = True
    assert explorer.state.layer.output_shape == (3, 3)

    # 04: "taps are two cells apart", shown by two neighbouring taps reading columns two apart
    _, ran = run_until_exercises("04_dilation")
    prose, _, _, printed = next(cell for cell in ran if "tap (1, 2)" in cell[3])
    assert "two cells apart" in prose
    columns = [int(c) for c in re.findall(r"column (\d+)", printed)]
    assert len(columns) == 2 and columns[1] - columns[0] == 2

    # 09: "four groups" and four groups printed; the panels "move together" in a player
    _, ran = run_until_exercises("09_even_kernels_symmetric_padding")
    prose = next(cell[0] for cell in ran if "symmetric_scene" in cell[1])
    assert "four groups" in prose and "press ▶" in prose
    groups = next(cell[2] for cell in ran if "symmetric_groups" in cell[1])
    assert isinstance(groups, tuple) and len(groups) == 4
    players = [cell[2] for cell in ran if "player(" in cell[1]]
    assert len(players) == 1 and players[0].data.count("data:image/png;base64") == 16  # type: ignore[attr-defined]

    # 10: "the two panels step together" in a player, not a still
    _, ran = run_until_exercises("10_framework_same")
    prose, _, shown, _ = next(cell for cell in ran if "same_comparison_scene(6" in cell[1])
    assert "step together" in prose and "Press ▶" in prose
    assert shown.data.count("data:image/png;base64") == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["x", "w"])
def test_complex_arrays_refused_by_the_engine_gate(name: str) -> None:
    # before: explorer_array took a complex array; the widgets share the engine's one dtype gate now
    arrays = {name: np.ones((5, 5) if name == "x" else (3, 3), dtype=np.complex128)}
    message = rf"`{name}` must hold integers or floats \(the engine has no complex, bool or object arrays\)"
    with pytest.raises(TypeError, match=message):
        describe_layer("conv", 5, 3, 1, 0, 1, **arrays)  # type: ignore[arg-type]
