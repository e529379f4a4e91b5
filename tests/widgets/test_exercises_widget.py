"""The exercise widget, driven without a browser: type into ``.answer``, press ``.click()``, read the HTML."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("ipywidgets")

from convarith.classroom import TOPICS, exercise
from convarith.widgets.exercises import ExerciseWidget
from convarith.widgets.exercises import exercise as exercise_widget


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("topic", list(TOPICS))
def test_before_any_click_nothing_depends_on_the_answer(topic: str) -> None:
    for kind in TOPICS[topic].kinds:
        box = exercise_widget(topic, kind, seed=5)
        ex = box.exercise
        assert box.feedback.value == "" and box.solution.value == "" and box.answer.value == ""
        assert f'data-exercise="{ex.key}"' in box.prompt.value
        assert ex.solution() not in box.prompt.value
        assert "Answer:" not in _text(box.prompt.value)
        assert repr(box) == f"ExerciseWidget({ex.key})"
        assert not re.search(r"\d", box.answer.placeholder + box.check_button.tooltip)


def test_a_wrong_answer_is_marked_wrong_with_a_hint_and_no_answer() -> None:
    box = exercise_widget("strides", "output_size", seed=4)
    right = box.exercise.answer.value
    box.answer.value = str(right + 1)
    box.check_button.click()
    assert "✗ Not yet" in box.feedback.value
    shown = _text(box.feedback.value).replace("(try 1)", "")
    assert not re.search(rf"\b{right}\b", shown)
    assert box.solution.value == ""
    assert box.attempts == 1


def test_a_right_answer_is_marked_right() -> None:
    box = exercise_widget("padding", "same_split", seed=2)
    box.answer.value = box.exercise.answer.text()
    box.check_button.click()
    assert "✓ Right" in box.feedback.value
    assert box.check().correct


def test_an_unreadable_answer_says_what_to_write() -> None:
    box = exercise_widget("pooling", "max_values", seed=1)
    box.answer.value = "seven"
    box.check_button.click()
    assert "Write whole numbers" in box.feedback.value


def test_show_worked_answer_reveals_the_solution_only_on_click() -> None:
    box = exercise_widget("receptive_fields", "size", seed=8)
    assert box.solution.value == ""
    box.solution_button.click()
    assert f"Answer: {box.exercise.answer.text()}" in box.solution.value
    assert box.exercise.working[0].split("=")[0].strip() in box.solution.value


def test_code_in_the_question_is_shown_as_code_and_escaped() -> None:
    box = ExerciseWidget(exercise("discrete_convolution", "output_value", seed=0))
    assert "<code>y = conv(x, w)</code>" in box.prompt.value
    assert "<pre>x =" in box.prompt.value


def test_the_widget_takes_an_exercise_only() -> None:
    with pytest.raises(TypeError, match=r"`exercise` must be a convarith\.classroom\.Exercise"):
        ExerciseWidget("padding")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`kind`"):
        exercise_widget("padding", "nope")
