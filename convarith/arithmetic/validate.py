"""Argument checks shared by every public function.

Each check names the argument, states the rule and gives the numbers, and raises
``TypeError`` (wrong kind of value) or :class:`LayerError`, a ``ValueError`` (right kind, wrong
value).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import Any

from convarith.typing import PadPair


class LayerError(ValueError):
    """A layer argument breaks a rule (a size below its minimum, a kernel larger than its input, ...).

    Every ``ValueError`` raised while validating layer arguments is a ``LayerError``, so a caller
    (a widget, the CLI) can show these messages and let every other error propagate. It is
    re-exported as :class:`convarith.arithmetic.LayerError`.
    """


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def check_int(value: Any, name: str) -> int:
    """Return ``value`` as an int; floats, bools and strings are refused."""
    if isinstance(value, bool):
        raise TypeError(f"`{name}` must be an integer, got {_describe(value)}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"`{name}` must be an integer, got {_describe(value)}") from None


def check_minimum(value: Any, name: str, minimum: int) -> int:
    """Return ``value`` as an int that is at least ``minimum``."""
    number = check_int(value, name)
    if number < minimum:
        rule = "positive" if minimum == 1 else "non-negative" if minimum == 0 else f">= {minimum}"
        raise LayerError(f"`{name}` must be {rule}, got {number}")
    return number


def is_sequence(value: Any) -> bool:
    """Whether ``value`` is a sequence other than a string (a per-axis argument)."""
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def count_axes(**sizes: Any) -> int | None:
    """Number of axes implied by the tuple-valued sizes, or None when all are scalars.

    Padding is not passed here: its pairs make its length ambiguous.
    """
    lengths = {name: len(value) for name, value in sizes.items() if is_sequence(value)}
    if not lengths:
        return None
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"`{name}` has {n}" for name, n in lengths.items())
        raise LayerError(f"per-axis sizes must have the same number of axes: {listed}")
    (ndim,) = set(lengths.values())
    if ndim == 0:
        raise LayerError(f"per-axis sizes must not be empty: {', '.join(lengths)}")
    return ndim


def per_axis(value: Any, name: str, ndim: int, minimum: int = 1) -> tuple[int, ...]:
    """An int repeated on every axis, or a tuple with one int (>= ``minimum``) per axis."""
    if is_sequence(value):
        if len(value) != ndim:
            raise LayerError(f"`{name}` must have one entry per axis ({ndim}), got {len(value)}: {tuple(value)!r}")
        return tuple(check_minimum(v, f"{name}[{axis}]", minimum) for axis, v in enumerate(value))
    return (check_minimum(value, name, minimum),) * ndim


def _pair(value: Any, name: str) -> PadPair:
    if is_sequence(value):
        if len(value) != 2:
            raise LayerError(f"`{name}` must be an int or a (before, after) pair, got {tuple(value)!r}")
        return (check_minimum(value[0], f"{name} before", 0), check_minimum(value[1], f"{name} after", 0))
    number = check_minimum(value, name, 0)
    return (number, number)


def per_axis_padding(padding: Any, ndim: int, name: str = "padding") -> tuple[PadPair, ...]:
    """Normalise padding to one ``(before, after)`` pair per axis.

    Accepted: an int (both sides of every axis); with one axis, a ``(before, after)`` pair; a
    tuple with one int or one pair per axis (so with two axes ``(1, 2)`` means 1 on axis 0 and 2
    on axis 1, as in PyTorch).
    """
    if isinstance(padding, str):
        raise TypeError(f"`{name}` must be an int or a tuple here, got string {padding!r}")
    if not is_sequence(padding):
        return (_pair(padding, name),) * ndim
    if ndim == 1 and len(padding) == 2 and not any(is_sequence(v) for v in padding):
        return (_pair(padding, name),)
    if len(padding) != ndim:
        raise LayerError(
            f"`{name}` must be an int, or one int or (before, after) pair per axis ({ndim}), "
            f"got {len(padding)} entries: {tuple(padding)!r}"
        )
    return tuple(_pair(v, f"{name}[{axis}]") for axis, v in enumerate(padding))


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; else list the valid ones."""
    options = tuple(choices)
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(c) for c in options)
        raise LayerError(f"`{name}` must be one of {listed}; got {value!r}")
    return value


def axis_label(axis: int, ndim: int) -> str:
    """'' for a single axis, else ' on axis N' (used to end error messages)."""
    return "" if ndim == 1 else f" on axis {axis}"


def axes_layout(sizes: dict[str, Any], padding: Any = 0) -> tuple[int, bool]:
    """Number of axes and whether the result is a scalar (every size an int, padding not per-axis pairs)."""
    ndim = count_axes(**sizes)
    if ndim is not None:
        return ndim, False
    if is_sequence(padding) and any(is_sequence(v) for v in padding):
        return len(padding), False
    return 1, True


def parse_axes(padding: Any = None, **sizes: Any) -> tuple[int, bool, list[tuple[int, ...]], tuple[PadPair, ...]]:
    """Number of axes, whether the result is a scalar, each size per axis, and the padding per axis.

    ``output_padding`` may be 0; every other size must be at least 1. ``padding=None``: the
    function takes no padding (zeros are returned). Padding must be numbers here.
    """
    pad = 0 if padding is None else padding
    ndim, scalar = axes_layout(sizes, pad)
    values = [per_axis(v, name, ndim, minimum=0 if name == "output_padding" else 1) for name, v in sizes.items()]
    return ndim, scalar, values, per_axis_padding(pad, ndim)
