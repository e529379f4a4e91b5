"""The exercise widget: a question with its own numbers, a Check button, and the worked answer on request.

:class:`ExerciseWidget` shows one :class:`convarith.classroom.Exercise`: the question, a text box,
a **Check** button (right or wrong, with a hint that never holds the answer) and a **Show worked
answer** button. Nothing it shows before a click depends on the answer, so running every cell of a
notebook answers no exercise. Everything is driven through ``.answer.value`` and ``.click()``, so
it is tested without a browser. :func:`exercise` is the one call a notebook cell makes.
"""

from __future__ import annotations

import html
import re

import ipywidgets as widgets

from convarith.classroom import Check, Exercise
from convarith.classroom import exercise as make_exercise
from convarith.widgets._common import on_enter

__all__ = ["ExerciseWidget", "exercise"]

_OK = "#1f6e55"
_BAD = "#b00020"


def _inline(text: str) -> str:
    """Escape text for HTML and show `code` as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


class ExerciseWidget(widgets.VBox):
    """One exercise in a notebook: question, answer box, Check, and Show worked answer.

    Parameters
    ----------
    exercise : Exercise
        From :func:`convarith.classroom.exercise`.

    Attributes
    ----------
    exercise : Exercise
    prompt : HTML
        The question; its ``data-exercise`` attribute is the exercise's key.
    answer : Text
        The student's answer, as typed.
    check_button, solution_button : Button
    feedback : HTML
        Empty until Check is pressed; then right or wrong, and a hint.
    solution : HTML
        Empty until Show worked answer is pressed.
    attempts : int
        Checks so far.

    Examples
    --------
    >>> from convarith.classroom import exercise as make
    >>> box = ExerciseWidget(make("strides", "output_size", seed=2))
    >>> box.feedback.value, box.solution.value  # nothing answered yet
    ('', '')
    >>> box.answer.value = "-1"
    >>> box.check_button.click()
    >>> "Not yet" in box.feedback.value
    True
    >>> box.answer.value = box.exercise.answer.text()
    >>> box.check_button.click()
    >>> "Right" in box.feedback.value
    True
    >>> box.solution_button.click()
    >>> "Answer:" in box.solution.value
    True
    """

    def __init__(self, exercise: Exercise) -> None:
        if not isinstance(exercise, Exercise):
            raise TypeError(f"`exercise` must be a convarith.classroom.Exercise, got {type(exercise).__name__}")
        self.exercise = exercise
        self.attempts = 0
        blocks = "".join(f"<pre>{html.escape(b)}</pre>" for b in exercise.blocks)
        self.prompt = widgets.HTML(
            f'<div class="convarith-exercise-prompt" data-exercise="{html.escape(exercise.key)}">'
            f"<b>{html.escape(exercise.title)}.</b> {_inline(exercise.prompt)}</div>{blocks}"
        )
        self.answer = widgets.Text(
            value="",
            placeholder=exercise.answer.placeholder,
            description="Answer:",
            layout=widgets.Layout(width="24em"),
        )
        self.answer.add_class("convarith-exercise-answer")
        self.check_button = widgets.Button(description="Check", button_style="primary")
        self.check_button.tooltip = exercise.answer.format
        self.check_button.add_class("convarith-exercise-check")
        self.solution_button = widgets.Button(description="Show worked answer", layout=widgets.Layout(width="auto"))
        self.solution_button.add_class("convarith-exercise-show")
        self.feedback = widgets.HTML("")
        self.feedback.add_class("convarith-exercise-feedback")
        self.solution = widgets.HTML("")
        self.solution.add_class("convarith-exercise-solution")
        self.check_button.on_click(lambda _: self.check())
        self.solution_button.on_click(lambda _: self.show_solution())
        on_enter(self.answer, self.check)  # Enter checks, as Check does
        super().__init__(
            [
                self.prompt,
                widgets.HBox([self.answer, self.check_button, self.solution_button]),
                self.feedback,
                self.solution,
            ],
            layout=widgets.Layout(border="1px solid #ddd", padding="0.5em", margin="0.5em 0"),
        )
        self.add_class("convarith-exercise")

    def __repr__(self) -> str:
        return f"ExerciseWidget({self.exercise.key})"

    def check(self) -> Check:
        """Check ``answer.value``, show right or wrong with a hint, and return the :class:`Check`."""
        result = self.exercise.check(self.answer.value)
        self.attempts += 1
        if result.correct:
            self.feedback.value = f'<div style="color:{_OK}"><b>✓ Right.</b></div>'
        else:
            self.feedback.value = (
                f'<div style="color:{_BAD}"><b>✗ Not yet</b> (try {self.attempts}).</div>'
                f"<div><i>{_inline(result.hint)}</i></div>"
            )
        return result

    def show_solution(self) -> str:
        """Show the worked answer under the question, and return it."""
        text = self.exercise.solution()
        self.solution.value = f"<pre>{html.escape(text)}</pre>"
        return text


def exercise(topic: str | int, kind: str, seed: int = 0, *, notebook: int | None = None) -> ExerciseWidget:
    """The widget of one exercise: ``exercise('padding', 'same_split', seed=SEED)`` in a notebook cell.

    Parameters
    ----------
    topic : str or int
        A topic name or notebook number (see :data:`convarith.classroom.TOPICS`).
    kind : str
        One of the topic's kinds of exercise.
    seed : int
        The student seed; each seed has its own numbers.
    notebook : int, optional
        The notebook asking, when it is not the topic's own (a review): its own numbers, so that
        no notebook repeats another's question (:func:`convarith.classroom.exercise`).

    Returns
    -------
    ExerciseWidget

    Examples
    --------
    >>> exercise("dilation", "effective_kernel", seed=1)
    ExerciseWidget(dilation/effective_kernel/1)
    >>> exercise("dilation", "effective_kernel", seed=1, notebook=13)
    ExerciseWidget(dilation/effective_kernel/1/13)
    """
    return ExerciseWidget(make_exercise(topic, kind, seed, notebook=notebook))
