"""One exercise: a prompt, a hidden answer, a check with a hint, and a worked answer on request.

An :class:`Exercise` is plain data, built by the generators of :mod:`convarith.classroom` from
seeded random numbers and answered by the package itself (formulas, engine, studies). Its
``repr`` shows the question only, so displaying an exercise never shows its answer;
:meth:`Exercise.check` says right or wrong with a hint, and :meth:`Exercise.solution` gives the
worked answer only when called.

Hints never contain the answer: they are written without digits (the constructor refuses a
hint with a digit, or one that contains a word answer), so no number they could leak exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal, NamedTuple

import numpy as np

__all__ = ["Answer", "AnswerFormatError", "Check", "Exercise", "Parts"]

AnswerKind = Literal["int", "ints", "list", "set", "number", "word"]

_FORMATS: dict[str, str] = {
    "int": "a whole number",
    "ints": "whole numbers separated by commas, in the order asked",
    "list": "whole numbers separated by commas, in order",
    "set": "whole numbers separated by commas, in any order",
    "number": "a number (a fraction such as a/b is fine)",
    "word": "one of the words offered in the question",
}
_SHORT: dict[str, str] = {
    "int": "a whole number",
    "ints": "numbers, comma-separated",
    "list": "numbers, comma-separated",
    "set": "numbers, comma-separated",
    "number": "a number, or a fraction a/b",
    "word": "one word",
}
_WORDS = {"y": "yes", "true": "yes", "n": "no", "false": "no"}
_DIGIT = re.compile(r"\d")


class AnswerFormatError(ValueError):
    """A student's answer that cannot be read as the kind of answer asked for."""


class Check(NamedTuple):
    """The result of :meth:`Exercise.check`: ``(correct, hint)``."""

    correct: bool
    hint: str


def _tokens(text: str) -> list[str]:
    cleaned = text.replace("−", "-").replace("\u2013", "-").strip()
    cleaned = re.sub(r"[()\[\]{}]", " ", cleaned)
    return [t for t in re.split(r"[,;\s]+", cleaned) if t]


def _as_int(token: Any) -> int:
    if isinstance(token, bool):
        raise AnswerFormatError("expected a whole number")
    if isinstance(token, int | np.integer):
        return int(token)
    if isinstance(token, float | np.floating) and float(token).is_integer():
        return int(token)
    if isinstance(token, str) and re.fullmatch(r"[+-]?\d+", token.strip()):
        return int(token)
    raise AnswerFormatError("expected a whole number")


def _as_fraction(token: Any) -> Fraction:
    if isinstance(token, bool):
        raise AnswerFormatError("expected a number")
    if isinstance(token, Fraction):
        return token
    if isinstance(token, int | np.integer):
        return Fraction(int(token))
    if isinstance(token, float | np.floating):
        return Fraction(float(token))
    if isinstance(token, str):
        text = token.strip().replace("−", "-").replace(" ", "")
        try:
            return Fraction(text)
        except (ValueError, ZeroDivisionError):
            pass
    raise AnswerFormatError("expected a number")


def _fraction_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    decimal = float(value)
    if round(decimal, 3) == value:
        return f"{decimal:g}"
    return f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True)
class Answer:
    """An answer and how to read a student's attempt at it.

    Parameters
    ----------
    kind : {'int', 'ints', 'list', 'set', 'number', 'word'}
        ``'int'`` one whole number; ``'ints'`` a fixed-length tuple (a pair, a shape); ``'list'``
        whole numbers in order; ``'set'`` whole numbers in any order; ``'number'`` an exact
        :class:`~fractions.Fraction`, accepted within ``tolerance``; ``'word'`` one of ``choices``.
    value : int, tuple of int, frozenset of int, Fraction or str
    choices : tuple of str
        The words a ``'word'`` answer may be.
    tolerance : float
        Largest accepted distance of a ``'number'`` answer from the exact value.

    Examples
    --------
    >>> Answer("ints", (1, 2)).parse("(1, 2)")
    (1, 2)
    >>> Answer("number", Fraction(4, 9)).matches(Answer("number", Fraction(4, 9)).parse("0.444"))
    True
    >>> Answer("set", frozenset({5, 6})).text()
    '{5, 6}'
    """

    kind: AnswerKind
    value: Any
    choices: tuple[str, ...] = ()
    tolerance: float = 0.005

    def __post_init__(self) -> None:
        if self.kind not in _FORMATS:
            raise ValueError(f"`kind` must be one of {', '.join(_FORMATS)}; got {self.kind!r}")
        if self.kind == "word" and self.value not in self.choices:
            raise ValueError(f"`value` {self.value!r} must be one of `choices` {self.choices}")

    @property
    def format(self) -> str:
        """How to write the answer, in words (no digits)."""
        return _FORMATS[self.kind]

    @property
    def placeholder(self) -> str:
        """A short reminder of the format, for an answer box (no digits)."""
        return _SHORT[self.kind]

    def text(self) -> str:
        """The answer as a student would write it."""
        if self.kind == "int":
            return str(self.value)
        if self.kind == "ints":
            return "(" + ", ".join(str(v) for v in self.value) + ")"
        if self.kind == "list":
            return "[" + ", ".join(str(v) for v in self.value) + "]"
        if self.kind == "set":
            return "{" + ", ".join(str(v) for v in sorted(self.value)) + "}"
        if self.kind == "number":
            return _fraction_text(Fraction(self.value))
        return str(self.value)

    def parse(self, given: Any) -> Any:
        """Read a student's answer (text, or a Python/NumPy value) into the form of ``value``.

        Raises
        ------
        AnswerFormatError
            If ``given`` is not an answer of this kind; the message says what to write.
        """
        try:
            return self._parse(given)
        except AnswerFormatError:
            raise AnswerFormatError(f"Write {self.format}.") from None

    def _parse(self, given: Any) -> Any:
        if self.kind == "word":
            word = str(given).strip().lower()
            word = _WORDS.get(word, word)
            if word not in self.choices:
                raise AnswerFormatError
            return word
        if self.kind == "number":
            if isinstance(given, str) and len(_tokens(given)) != 1:
                raise AnswerFormatError
            return _as_fraction(given if not isinstance(given, str) else _tokens(given)[0])
        if isinstance(given, str):
            items: list[Any] = _tokens(given)
        elif isinstance(given, np.ndarray):
            items = list(given.ravel())
        elif isinstance(given, list | tuple | set | frozenset | range):
            items = sorted(given) if isinstance(given, set | frozenset) else list(given)
        else:
            items = [given]
        numbers = [_as_int(t) for t in items]
        if self.kind == "int":
            if len(numbers) != 1:
                raise AnswerFormatError
            return numbers[0]
        if self.kind == "set":
            return frozenset(numbers)
        if self.kind == "ints" and len(numbers) != len(self.value):
            raise AnswerFormatError
        return tuple(numbers)

    def matches(self, parsed: Any, value: Any = None) -> bool:
        """Whether a parsed answer equals ``value`` (default: the right answer)."""
        target = self.value if value is None else value
        if self.kind == "number":
            return abs(Fraction(parsed) - Fraction(target)) <= Fraction(self.tolerance) + Fraction(1, 10**9)
        if self.kind in ("ints", "list"):
            return tuple(parsed) == tuple(target)
        if self.kind == "set":
            return frozenset(parsed) == frozenset(target)
        return bool(parsed == target)


@dataclass(frozen=True)
class Parts:
    """What a generator returns: everything of an :class:`Exercise` but its name and seed."""

    prompt: str
    answer: Answer
    working: tuple[str, ...]
    hint: str
    mistakes: tuple[tuple[Any, str], ...] = ()
    blocks: tuple[str, ...] = ()
    given: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, repr=False)
class Exercise:
    """One exercise with its own numbers.

    Parameters
    ----------
    topic : str
        The notebook topic, e.g. ``'padding'`` (see :data:`convarith.classroom.TOPICS`).
    kind : str
        The kind of question within the topic, e.g. ``'same_split'``.
    seed : int
        The student seed the numbers came from.
    title : str
        A short name of the kind of question.
    prompt : str
        The question (plain text; names of code in backticks).
    answer : Answer
        The right answer, computed by the package.
    working : tuple of str
        The worked answer: the formula or the steps with the numbers in.
    hint : str
        The hint for a wrong answer that matches no known mistake (no digits).
    mistakes : tuple of (value, str)
        Known wrong answers and the hint each gets (no digits).
    blocks : tuple of str
        Preformatted blocks the question shows (arrays), in order.
    given : tuple of (str, value)
        The numbers the question gives (arrays as nested tuples), by name: see :attr:`numbers`.
    notebook : int, optional
        The review notebook that asks it (None: the topic's own notebook).

    Examples
    --------
    >>> ex = Exercise("demo", "sum", 0, "Sum", "What is 2 + 2?", Answer("int", 4), ("2 + 2 = 4",),
    ...               "Add the two numbers.", ((22, "Add them, do not write them side by side."),))
    >>> ex  # the question, never the answer
    Exercise demo/sum/0: What is 2 + 2?
    >>> ex.check("22")
    Check(correct=False, hint='Add them, do not write them side by side.')
    >>> ex.check(4).correct
    True
    >>> print(ex.solution())
    Answer: 4
    2 + 2 = 4
    """

    topic: str
    kind: str
    seed: int
    title: str
    prompt: str
    answer: Answer
    working: tuple[str, ...]
    hint: str
    mistakes: tuple[tuple[Any, str], ...] = ()
    blocks: tuple[str, ...] = field(default=())
    given: tuple[tuple[str, Any], ...] = field(default=())
    notebook: int | None = None

    def __post_init__(self) -> None:
        hints = [self.hint, *(h for _, h in self.mistakes)]
        for text in hints:
            if _DIGIT.search(text):
                raise ValueError(f"exercise {self.key}: a hint may not contain digits, got {text!r}")
            if self.answer.kind == "word" and re.search(rf"\b{re.escape(str(self.answer.value))}\b", text, re.I):
                raise ValueError(f"exercise {self.key}: a hint may not contain the answer, got {text!r}")

    @property
    def key(self) -> str:
        """``'topic/kind/seed'``, ``/notebook`` added for a review: :func:`exercise_from_key` rebuilds it."""
        return f"{self.topic}/{self.kind}/{self.seed}" + ("" if self.notebook is None else f"/{self.notebook}")

    @property
    def numbers(self) -> dict[str, Any]:
        """The numbers the question gives, by name (``{'input_size': 7, 'kernel_size': 3, ...}``)."""
        return dict(self.given)

    def __repr__(self) -> str:
        return f"Exercise {self.key}: {self.prompt}"

    def check(self, answer: Any) -> Check:
        """Whether ``answer`` is right, and a hint if it is not (the hint never holds the answer).

        Parameters
        ----------
        answer : str or int or sequence of int or float
            What the student wrote: text as typed (``'3'``, ``'(1, 2)'``, ``'4/9'``) or a value.

        Returns
        -------
        Check
            ``(correct, hint)``; for an answer that cannot be read, ``correct`` is False and the
            hint says what to write.
        """
        try:
            parsed = self.answer.parse(answer)
        except AnswerFormatError as error:
            return Check(False, str(error))
        if self.answer.matches(parsed):
            return Check(True, "Right.")
        for value, hint in self.mistakes:
            if not self.answer.matches(value) and self.answer.matches(parsed, value):
                return Check(False, hint)
        if self.answer.kind == "set":
            given, right = frozenset(parsed), frozenset(self.answer.value)
            if given < right:
                return Check(False, "Some are missing: " + self.hint)
            if given > right:
                return Check(False, "Some of these do not belong: " + self.hint)
        if self.answer.kind in ("ints", "list") and sorted(parsed) == sorted(self.answer.value):
            return Check(False, "The right numbers, in the wrong order.")
        return Check(False, self.hint)

    def solution(self) -> str:
        """The worked answer: ``'Answer: ...'`` and the steps with the numbers in."""
        return "\n".join([f"Answer: {self.answer.text()}", *self.working])
