"""Slides: files read back at 1920×1080 with one image per kernel position, a formula tall enough for
the back of a room (measured in the written pixels), no silent overwrite, and a button that reports
every outcome in its status line."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from PIL import Image

from convarith.anim.export import OutputExistsError
from convarith.anim.render import render
from convarith.anim.scenes import conv_scene, group_scene, transpose_scene
from convarith.widgets import SlideButton, describe_layer, export_slides
from convarith.widgets.slides import SLIDE_OPTIONS, SLIDE_SIZE

FULL_HD = (1920, 1080)
MIN_FORMULA_HEIGHT = 0.035  # of the slide's height: 37.8 pixels at 1080 p


def padding_strides():
    """The guide's padding_strides: 5×5 input, kernel 3, stride 2, padding 1."""
    return conv_scene((5, 5), 3, 2, 1)


def hand_output_size(i, k, s, p):
    return (i + 2 * p - k) // s + 1


def gif_frames(path):
    with Image.open(path) as gif:
        frames = []
        for n in range(gif.n_frames):
            gif.seek(n)
            frames.append(np.asarray(gif.convert("RGB")))
    return frames


def test_slide_size_is_full_hd():
    assert SLIDE_SIZE == FULL_HD
    assert render(padding_strides(), **SLIDE_OPTIONS).size == FULL_HD


def test_gif_has_one_full_hd_frame_per_output_cell(tmp_path):
    scene = padding_strides()
    [gif] = export_slides(scene, tmp_path / "padding_strides.gif")
    frames = gif_frames(gif)
    o = hand_output_size(5, 3, 2, 1)  # 3
    assert len(frames) == o * o == len(scene) == 9
    assert {f.shape for f in frames} == {(1080, 1920, 3)}
    # the kernel moves: consecutive frames differ
    assert all(not np.array_equal(a, b) for a, b in itertools.pairwise(frames))


def test_gif_suffix_added_and_path_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    [gif] = export_slides(conv_scene(5, 3), "lecture")  # 1-D: 3 frames
    assert gif == tmp_path / "lecture.gif"
    assert gif.is_absolute()
    assert len(gif_frames(gif)) == hand_output_size(5, 3, 1, 0) == 3


@pytest.mark.slow
def test_png_sequence_one_full_hd_file_per_step(tmp_path):
    scene = transpose_scene((3, 3), 3, 2, 1, output_padding=1)  # o = (3 - 1)·2 - 2 + 3 + 1 = 6
    paths = export_slides(scene, tmp_path / "transposed", format="png")
    assert len(paths) == len(scene) == 6 * 6
    assert [p.name for p in paths[:2]] == ["transposed-000.png", "transposed-001.png"]
    assert sorted(tmp_path.iterdir()) == paths  # nothing else, no temporary files left
    for path in paths[:: len(paths) // 4]:
        with Image.open(path) as image:
            assert image.size == FULL_HD
            assert image.mode == "RGB"


def test_png_suffix_gives_the_format(tmp_path):
    paths = export_slides(padding_strides(), tmp_path / "frames.png")
    assert [p.suffix for p in paths] == [".png"] * 9


def test_channel_scene(tmp_path):
    scene = group_scene(4, 4, 2)
    [gif] = export_slides(scene, tmp_path / "groups.gif")
    frames = gif_frames(gif)
    assert len(frames) == len(scene)
    assert frames[0].shape == (1080, 1920, 3)


def formula_ink_height(pixels, scene):
    """Rows of dark ink inside the formula's text box, and the formula's font size, in pixels."""
    renderer = render(scene, **SLIDE_OPTIONS)
    renderer.draw_frame(0)
    line = scene.panels[0].caption[0]
    [text] = [t for t in renderer.figure.texts if t.get_text() == line]
    box = text.get_window_extent(renderer=renderer.canvas.get_renderer())
    height = pixels.shape[0]
    crop = pixels[int(height - box.y1) : int(np.ceil(height - box.y0)), int(box.x0) : int(np.ceil(box.x1))]
    rows = np.nonzero((crop.min(axis=2) < 128).any(axis=1))[0]
    assert rows.size, "no ink where the formula should be"
    return int(rows[-1] - rows[0] + 1), text.get_fontsize() * SLIDE_OPTIONS["dpi"] / 72


@pytest.mark.parametrize(
    "parameters",
    [
        {"kind": "conv", "input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1},
        {"kind": "conv", "input_size": 7, "kernel_size": 3, "padding": "same", "dilation": 2},  # 70 characters
        {"kind": "transpose", "input_size": 3, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1},
        {"kind": "max_pool", "input_size": 6, "kernel_size": 3, "stride": 2, "ceil_mode": True},
    ],
    ids=["padding_strides", "dilation_same", "transposed", "ceil_pool"],
)
def test_formula_readable_from_the_back(tmp_path, parameters):
    """The formula's ink (brackets included) is at least 3.5 % of the slide's height: 38 of 1080 pixels."""
    scene = describe_layer(**parameters).scene
    assert scene is not None
    paths = export_slides(scene, tmp_path / "slide", format="png")
    with Image.open(paths[0]) as image:
        pixels = np.asarray(image)
    ink, font = formula_ink_height(pixels, scene)
    assert "=" in scene.panels[0].caption[0]  # the formula with its numbers, not a label
    assert ink >= MIN_FORMULA_HEIGHT * 1080, (ink, font)
    assert font >= 0.035 * 1080  # 14 pt at 200 dpi = 38.9 pixels


def test_existing_gif_is_not_replaced(tmp_path):
    target = tmp_path / "slide.gif"
    target.write_bytes(b"keep me")
    with pytest.raises(OutputExistsError, match=r"overwrite=True"):
        export_slides(padding_strides(), target)
    assert target.read_bytes() == b"keep me"
    [gif] = export_slides(padding_strides(), target, overwrite=True)
    assert len(gif_frames(gif)) == 9


def test_existing_png_frame_refuses_the_whole_sequence(tmp_path):
    (tmp_path / "slide-004.png").write_bytes(b"keep me")
    with pytest.raises(OutputExistsError, match=r"slide-004\.png"):
        export_slides(padding_strides(), tmp_path / "slide.png")
    assert [p.name for p in tmp_path.iterdir()] == ["slide-004.png"]  # nothing else written
    assert (tmp_path / "slide-004.png").read_bytes() == b"keep me"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        ({"scene": None}, TypeError, r"`scene` must be a Scene"),
        ({"path": 3}, TypeError, r"`path` must be a path"),
        ({"format": "jpg"}, ValueError, r"`format` must be one of"),
        ({"path": "slide.gif", "format": "png"}, ValueError, r"ends in \.gif but `format` is 'png'"),
        ({"path": "missing/slide.gif"}, ValueError, r"does not exist"),
        ({"overwrite": 1}, TypeError, r"`overwrite` must be True or False"),
    ],
)
def test_bad_arguments(tmp_path, monkeypatch, call, error, message):
    monkeypatch.chdir(tmp_path)
    arguments = {"scene": padding_strides(), "path": "slide.gif", **call}
    scene, path = arguments.pop("scene"), arguments.pop("path")
    with pytest.raises(error, match=message):
        export_slides(scene, path, **arguments)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------
# the button


def test_button_writes_relative_to_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    slide = SlideButton(padding_strides, filename="conv")
    slide.button.click()  # the handler ipywidgets calls on a click
    assert slide.written == [tmp_path / "conv.gif"]
    assert len(gif_frames(tmp_path / "conv.gif")) == 9
    assert str(tmp_path / "conv.gif") in slide.status.value
    assert "1920×1080 pixels, 9 frames" in slide.status.value
    assert not slide.button.disabled


def test_button_refuses_an_existing_file_until_overwrite_is_ticked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conv.gif").write_bytes(b"keep me")
    slide = SlideButton(padding_strides, filename="conv")
    slide.click()
    assert slide.written == []
    assert "Nothing written" in slide.status.value
    assert "exists; tick “overwrite” to replace it" in slide.status.value
    assert "Traceback" not in slide.status.value
    assert (tmp_path / "conv.gif").read_bytes() == b"keep me"
    slide.overwrite.value = True
    slide.click()
    assert slide.written == [tmp_path / "conv.gif"]
    assert len(gif_frames(tmp_path / "conv.gif")) == 9


def test_button_png_toggle_follows_the_toggle_not_the_typed_suffix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    slide = SlideButton(padding_strides, filename="talk.gif")
    slide.format.value = "png"
    slide.click()
    assert [p.name for p in slide.written] == [f"talk-{n:03d}.png" for n in range(9)]
    assert "9 files, 1920×1080 pixels each" in slide.status.value


def test_button_on_an_impossible_layer_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    state = describe_layer("conv", 2, 5)  # kernel larger than the input: no output
    assert state.scene is None and state.message
    slide = SlideButton(lambda: state.scene)
    slide.click()
    assert slide.written == []
    assert "impossible" in slide.status.value
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("filename", "message"),
    [("   ", "type a file name"), ("no/such/folder/slide", "does not exist"), (".gif", "type a file name")],
)
def test_button_bad_names_give_a_message(tmp_path, monkeypatch, filename, message):
    monkeypatch.chdir(tmp_path)
    slide = SlideButton(padding_strides, filename=filename)
    slide.click()
    assert slide.written == []
    assert message in slide.status.value
    assert list(tmp_path.iterdir()) == []


def test_button_arguments():
    with pytest.raises(TypeError, match="`scene_source` must be a callable"):
        SlideButton(padding_strides())  # a scene, not a function returning one
    with pytest.raises(ValueError, match="`format` must be one of"):
        SlideButton(padding_strides, format="mp4")
    slide = SlideButton(padding_strides, format="png")
    assert repr(slide) == "SlideButton(filename='slide', format='png')"
    assert slide.status.value == ""


@pytest.mark.slow
def test_button_says_when_older_frames_remain(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    long = describe_layer("conv", 5, 3, padding=1).scene  # 5×5 output: 25 frames
    slide = SlideButton(lambda: long, filename="talk", format="png")
    slide.click()
    assert len(slide.written) == 25
    assert "older frames" not in slide.status.value
    slide.scene_source = padding_strides  # 9 frames over the 25
    slide.overwrite.value = True
    slide.click()
    assert len(slide.written) == 9
    assert "16 older frames of that name remain (talk-009.png … talk-024.png)" in slide.status.value
    (tmp_path / "talk-notes.png").write_bytes(b"")  # not a frame: not counted
    slide.click()
    assert "16 older frames" in slide.status.value


def test_button_one_frame_png(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    slide = SlideButton(lambda: conv_scene(3, 3), filename="one", format="png")  # one kernel position
    slide.click()
    assert [p.name for p in slide.written] == ["one-000.png"]
    assert f"{tmp_path / 'one-000.png'} (1 file, 1920×1080 pixels)" in slide.status.value


# the button in the explorer


def test_explorer_exports_the_layer_its_sliders_show(tmp_path, monkeypatch):
    """The explorer's slide row writes the layer currently shown: 9 frames, then 25 after stride 1."""
    from convarith.widgets import LayerExplorer

    monkeypatch.chdir(tmp_path)
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=20)
    slide = explorer.slide_button
    assert slide is not None and slide in explorer.children
    slide.click()
    assert slide.written == [tmp_path / "conv_slide.gif"]
    frames = gif_frames(tmp_path / "conv_slide.gif")
    assert len(frames) == hand_output_size(5, 3, 2, 1) ** 2 == 9
    assert frames[0].shape == (1080, 1920, 3)  # whatever the explorer's own dpi
    explorer.controls["stride"].value = 1
    slide.overwrite.value = True
    slide.click()
    assert len(gif_frames(tmp_path / "conv_slide.gif")) == hand_output_size(5, 3, 1, 1) ** 2 == 25


def test_explorer_without_the_slide_row():
    from convarith.widgets import LayerExplorer

    explorer = LayerExplorer("conv", 5, 3, dpi=20, slides=False)
    assert explorer.slide_button is None
    assert not any(isinstance(child, SlideButton) for child in explorer.children)


@pytest.mark.parametrize("predict", ["output_size", "next_value", "reads"])
def test_a_prediction_explorer_exports_no_answer_before_check(tmp_path, monkeypatch, predict):
    """Export slide on an unanswered prediction once wrote every frame: the output size, formula and values."""
    from convarith.widgets import LayerExplorer

    monkeypatch.chdir(tmp_path)
    explorer = LayerExplorer("max_pool", 5, 2, ceil_mode=True, predict=predict, dpi=20)
    slide = explorer.slide_button
    assert slide is not None
    slide.click()
    assert slide.written == [] and not list(tmp_path.iterdir())
    assert "Nothing written" in slide.status.value and "Check" in slide.status.value
    if predict == "output_size":
        explorer.prediction.answer.value = "3"  # ceil((5 - 2) / 2) + 1 = 3, worked by hand
    elif predict == "next_value":
        explorer.prediction.answer.value = "0"  # wrong or right, Check reveals the position
    explorer.check_prediction()
    slide.click()
    frames = gif_frames(tmp_path / "max_pool_slide.gif")
    assert len(frames) == (9 if predict == "output_size" else 1)  # the 3×3 windows, or the one revealed
