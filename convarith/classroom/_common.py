"""Small helpers shared by the exercise generators (private to :mod:`convarith.classroom`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from convarith.arithmetic.text import format_size
from convarith.classroom.exercise import Parts

T = TypeVar("T")

Generator = Callable[[np.random.Generator], Parts]
"""An exercise generator: seeded random numbers in, the parts of one exercise out."""


def draw(rng: np.random.Generator, low: int, high: int) -> int:
    """A random int in ``[low, high]`` (both included)."""
    return int(rng.integers(low, high + 1))


def pick(rng: np.random.Generator, options: Sequence[T]) -> T:
    """One of ``options``, uniformly."""
    return options[int(rng.integers(len(options)))]


def one(value: object) -> int:
    """The int of a one-axis result of the formulas (which return a tuple for per-axis input)."""
    if not isinstance(value, int):
        raise TypeError(f"expected one axis, got {value!r}")
    return value


def block(name: str, array: np.ndarray) -> str:
    """``name =`` and the array, one row per line (for a question that shows an array)."""
    body = np.array2string(np.asarray(array), separator=" ")
    return f"{name} =\n{body}"


def lines(text: object) -> tuple[str, ...]:
    """The lines of an object's ``repr`` (a geometry, a receptive field, ...)."""
    return tuple(repr(text).splitlines())


def given(**numbers: object) -> tuple[tuple[str, object], ...]:
    """The numbers a question gives, as ``Parts.given`` (arrays become nested tuples of ints)."""
    return tuple((name, _frozen(value)) for name, value in numbers.items())


def _frozen(value: object) -> object:
    if isinstance(value, np.ndarray):
        return _frozen(value.tolist())
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def capital(text: str) -> str:
    """``text`` with its first letter a capital (the rest unchanged), to start a sentence."""
    return text[:1].upper() + text[1:]


def square(n: int) -> str:
    """A square size, ``'3×3'``, in the package's one format (:func:`convarith.arithmetic.text.format_size`)."""
    return format_size((n, n))
