"""Details a lecturer meets: Enter checks an answer, a dead Play is hidden, every explorer exports slides."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from convarith.classroom import exercise
from convarith.widgets import GroupExplorer, LayerExplorer
from convarith.widgets.exercises import ExerciseWidget


def _enter(box: object) -> None:
    """What the browser sends when Enter is pressed in a text box."""
    box._handle_string_msg(None, {"event": "submit"}, [])  # type: ignore[attr-defined]


def test_enter_checks_an_exercise_answer() -> None:
    box = ExerciseWidget(exercise("strides", "output_size", 2))
    box.answer.value = box.exercise.answer.text()
    _enter(box.answer)
    assert box.attempts == 1 and "Right" in box.feedback.value
    _enter(box.answer)  # Enter again on the same answer: checked again, as a second click would
    assert box.attempts == 2


def test_enter_checks_a_prediction_and_not_when_nothing_is_asked() -> None:
    explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, predict="output_size", dpi=20)
    explorer.prediction.answer.value = "3"  # (5 + 2 - 3) / 2 + 1 = 3, by hand
    _enter(explorer.prediction.answer)
    assert "Right" in explorer.prediction.feedback.value and bytes(explorer.picture.value)
    _enter(explorer.prediction.answer)  # no open question now: nothing happens
    assert "Right" in explorer.prediction.feedback.value


def test_an_invalid_group_layer_hides_play_and_the_step_slider() -> None:
    explorer = GroupExplorer(4, 8, groups=2, dpi=20)
    assert explorer.play.layout.display is None and explorer._stepper.box.layout.display is None
    explorer.controls["groups"].value = 3  # 3 divides neither 4 nor 8
    assert "Not a valid layer" in explorer.message.value
    assert explorer.play.layout.display == "none" and explorer._stepper.box.layout.display == "none"
    explorer.controls["groups"].value = 4
    assert explorer.play.layout.display is None and explorer._stepper.box.layout.display is None


def test_the_group_explorer_has_an_export_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    explorer = GroupExplorer(4, 6, groups=2, dpi=20)
    assert explorer.slide_button is not None and explorer.slide_button in explorer.children
    explorer.slide_button.click()
    with Image.open(tmp_path / "groups_slide.gif") as gif:
        assert gif.size == (1920, 1080) and gif.n_frames == 6  # one frame per output channel
    explorer.controls["groups"].value = 4  # 4 does not divide 6: nothing to write
    explorer.slide_button.overwrite.value = True
    explorer.slide_button.click()
    assert "Nothing written" in explorer.slide_button.status.value
    assert GroupExplorer(dpi=20, slides=False).slide_button is None


def test_the_group_explorer_keeps_the_renderers_of_counts_seen_before() -> None:
    """A groups tick took 440 ms p50 in Chromium: each change built a new renderer (about 250 ms)."""
    explorer = GroupExplorer(4, 8, groups=1, dpi=20)
    first = explorer.renderer
    explorer.controls["groups"].value = 2
    assert explorer.renderer is not first and explorer.state.weight_shape == (8, 2, 3, 3)
    explorer.controls["groups"].value = 1
    assert explorer.renderer is first and explorer.state.weight_shape == (8, 4, 3, 3)
    assert bytes(explorer.picture.value)


def test_every_explorer_has_an_export_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The receptive-field explorer had none: its cones are drawn by the widget, not a scene."""
    from convarith.widgets import ReceptiveFieldExplorer

    monkeypatch.chdir(tmp_path)
    explorer = ReceptiveFieldExplorer(2, 3, stride=2, dpi=20)
    assert explorer.slide_button is not None and explorer.slide_button in explorer.children
    explorer.slide_button.click()
    with Image.open(tmp_path / "receptive_field_slide.gif") as gif:
        assert gif.size == (1920, 1080) and gif.n_frames == 3  # the three traced output cells
    explorer.slide_button.click()  # the file exists now: nothing is replaced
    assert "Nothing written" in explorer.slide_button.status.value
    for kind in (LayerExplorer, GroupExplorer, ReceptiveFieldExplorer):
        assert kind(dpi=20).slide_button is not None, kind.__name__


def test_export_frames_centres_pictures_on_a_slide_and_refuses_bad_ones(tmp_path: Path) -> None:
    import numpy as np

    from convarith.widgets.slides import export_frames

    tall = np.zeros((2160, 960, 3), dtype=np.uint8)  # twice a slide's height: halved to fit
    (path,) = export_frames([tall], tmp_path / "tall", format="png")
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"))
    assert pixels.shape == (1080, 1920, 3)
    dark = np.flatnonzero((pixels < 50).all(axis=2).any(axis=0))
    assert (dark[0], dark[-1]) == (720, 1199)  # 480 columns wide, centred
    with pytest.raises(ValueError, match="uint8 RGB"):
        export_frames([np.zeros((4, 4))], tmp_path / "bad")
    with pytest.raises(ValueError, match="at least one"):
        export_frames([], tmp_path / "none")


def test_enter_checks_the_output_size_quiz() -> None:
    """The quiz's number box sends its value on Enter (or when it loses focus): that checks it."""
    from convarith.widgets import OutputSizeQuiz

    quiz = OutputSizeQuiz(seed=3)
    right = quiz.question.layer.output_shape[0]
    quiz.answer.value = right  # what Enter in the box does
    assert "Right" in quiz.feedback.value and quiz.score == (1, 1)
    quiz.check_button.click()  # a click after it: the score counts the first check only
    assert quiz.score == (1, 1)
