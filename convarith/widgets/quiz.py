"""The output-size quiz: a random layer, the student's answer, and the formula that explains it."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from convarith.arithmetic import Layer, LayerError, layer
from convarith.arithmetic.ops import OP_ALIASES
from convarith.arithmetic.text import format_pad
from convarith.widgets._common import BAD_COLOUR, OK_COLOUR

__all__ = ["OutputSizeQuiz"]


@dataclass(frozen=True)
class _Question:
    kind: str
    layer: Layer

    def text(self) -> str:
        a = self.layer.axes[0]
        parts = [f"input size i = {a.input_size}", f"kernel k = {a.kernel_size}", f"stride s = {a.stride}"]
        pb, pe = a.padding
        parts.append(f"padding p = {pb}" if pb == pe else f"padding (before, after) = {format_pad((pb, pe))}")
        if a.dilation != 1:
            parts.append(f"dilation d = {a.dilation}")
        if a.output_padding:
            parts.append(f"output padding a = {a.output_padding}")
        if a.ceil_mode:
            parts.append("ceil_mode=True")
        name = {"conv": "A convolution", "max_pool": "A pooling layer", "conv_transpose": "A transposed convolution"}
        return f"{name[self.layer.op]} with " + ", ".join(parts) + ". What is the output size o?"


def _random_question(rng: np.random.Generator, kinds: Sequence[str]) -> _Question:
    while True:
        kind = str(rng.choice(list(kinds)))
        k = int(rng.integers(2, 6))
        s = int(rng.integers(1, 4))
        d = int(rng.choice([1, 1, 1, 2]))
        i = int(rng.integers(max(k, 3), 14))
        p = int(rng.integers(0, k))
        try:
            if kind == "conv":
                question = layer("conv", i, k, s, p, d)
            elif kind == "max_pool":
                question = layer("max_pool", i, k, s, min(p, k // 2), 1, ceil_mode=bool(rng.integers(0, 2)))
            else:
                a = int(rng.integers(0, s)) if s > 1 else 0
                question = layer("conv_transpose", int(rng.integers(2, 7)), k, s, min(p, k - 1), d, output_padding=a)
        except LayerError:  # a random layer that does not fit: draw again
            continue
        if question.output_shape[0] >= 1:
            return _Question(kind, question)


def _hint(question: _Question, answer: int) -> str:
    a = question.layer.axes[0]
    right = a.output_size
    i, k, s, (pb, pe), ek = a.input_size, a.kernel_size, a.stride, a.padding, a.effective_kernel_size
    if question.layer.op == "conv_transpose":
        return "A transposed convolution grows: each step of the input moves the kernel s places on the output."
    exact = (i + pb + pe - ek) / s + 1
    if a.dilation != 1 and answer == (i + pb + pe - k) // s + 1:
        return f"The dilated kernel covers ek = d·(k − 1) + 1 = {ek} cells, not k = {k}."
    if not a.ceil_mode and answer == -(-(i + pb + pe - ek) // s) + 1 and answer != right:
        return (
            f"Round down: (i + pb + pe − ek)/s = {exact - 1:g} has a fraction, and a window that does not fit"
            " is dropped."
        )
    if a.ceil_mode and answer == (i + pb + pe - ek) // s + 1 and answer != right:
        return "ceil_mode=True rounds up: a last, partial window is kept."
    if answer == (i - ek) // s + 1 and (pb or pe):
        return "Count the padding on both sides: i + pb + pe cells."
    return "Count the kernel positions: the first at 0, then every s cells while the window fits."


class OutputSizeQuiz(widgets.VBox):
    """A "predict the output size" quiz: a question, an answer box, and an explanation with the formula.

    Parameters
    ----------
    kinds : sequence of {'conv', 'max_pool', 'conv_transpose'}
        What to ask about (layer ops; ``'pool'`` and ``'transpose'`` are aliases).
    seed : int
        Questions come from :func:`numpy.random.default_rng` with this seed, so a class can share
        the same questions.

    Attributes
    ----------
    question : the current question (``question.layer`` is its :class:`~convarith.arithmetic.Layer`)
    answer : IntText
    feedback : HTMLMath
    score : tuple of int
        ``(right, asked)``.

    Examples
    --------
    >>> quiz = OutputSizeQuiz(seed=1)
    >>> quiz.answer.value = quiz.question.layer.output_shape[0]
    >>> quiz.check_answer()
    True
    >>> quiz.score
    (1, 1)
    """

    def __init__(self, kinds: Sequence[str] = ("conv",), *, seed: int = 0) -> None:
        asked = ("conv", "max_pool", "conv_transpose")
        kinds = [OP_ALIASES.get(kind, kind) if isinstance(kind, str) else kind for kind in kinds]
        for kind in kinds:
            if kind not in asked:
                aliases = ", ".join(f"{alias!r} for {op!r}" for alias, op in OP_ALIASES.items())
                raise ValueError(
                    f"`kinds` entries must be 'conv', 'max_pool' or 'conv_transpose' (or {aliases}); got {kind!r}"
                )
        if not kinds:
            raise ValueError("`kinds` must name at least one kind of layer")
        self.kinds = tuple(kinds)
        self._rng = np.random.default_rng(seed)
        self.prompt = widgets.HTML()
        self.prompt.add_class("convarith-quiz-question")
        self.answer = widgets.IntText(value=0, description="o =", layout=widgets.Layout(width="12em"))
        self.answer.add_class("convarith-quiz-answer")
        self.check_button = widgets.Button(description="Check", button_style="primary")
        self.check_button.add_class("convarith-quiz-check")
        self.next_button = widgets.Button(description="New question")
        self.feedback = widgets.HTMLMath()
        self.feedback.add_class("convarith-quiz-feedback")
        self.scoreline = widgets.HTML()
        self.check_button.on_click(lambda _: self.check_answer())
        # Enter (or leaving the box) sends a changed number: checked as Check would (the score counts
        # each question's first check only, so a click after it changes nothing)
        self.answer.observe(lambda _change: self.check_answer(), names="value")
        self.next_button.on_click(lambda _: self.new_question())
        self.right = 0
        self.asked = 0
        super().__init__(
            [self.prompt, widgets.HBox([self.answer, self.check_button, self.next_button]), self.feedback,
             self.scoreline],
            layout=widgets.Layout(border="1px solid #ddd", padding="0.5em"),
        )  # fmt: skip
        self.add_class("convarith-quiz")
        self.new_question()

    @property
    def score(self) -> tuple[int, int]:
        """``(right, asked)`` so far."""
        return self.right, self.asked

    def new_question(self) -> None:
        """Draw the next question and clear the answer and feedback."""
        self.question = _random_question(self._rng, self.kinds)
        self.prompt.value = f"<b>Predict the output size.</b> {html.escape(self.question.text())}"
        self.feedback.value = ""
        self._answered = False

    def check_answer(self) -> bool:
        """Compare the answer with the formula, explain, and return whether it was right."""
        right = self.question.layer.output_shape[0]
        answer = int(self.answer.value)
        latex = f"${self.question.layer.latex()}$"
        correct = answer == right
        if not self._answered:
            self.asked += 1
            self.right += int(correct)
            self._answered = True
        if correct:
            self.feedback.value = f'<div style="color:{OK_COLOUR}"><b>✓ Right: o = {right}.</b></div><div>{latex}</div>'
        else:
            self.feedback.value = (
                f'<div style="color:{BAD_COLOUR}"><b>✗ Not quite: you said {answer}, '
                f"the output size is {right}.</b></div>"
                f"<div>{latex}</div><div><i>{html.escape(_hint(self.question, answer))}</i></div>"
            )
        self.scoreline.value = f"score: {self.right} of {self.asked} right on the first try"
        return correct
