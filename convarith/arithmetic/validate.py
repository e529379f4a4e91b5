"""Argument checks shared by every public function: the one argument gate.

Each check names the argument, states the rule and gives the numbers, and raises
``TypeError`` (wrong kind of value) or :class:`LayerError`, a ``ValueError`` (right kind, wrong
value). The rules, the same everywhere:

- an integer goes through :func:`operator.index` (so ``np.int64(3)`` is 3, ``3.0`` and ``'3'``
  are refused) and must lie within its documented bound: :data:`MAX_SIZE` for every size,
  kernel, stride, dilation, padding, output padding, group and channel count unless a function
  documents another (:func:`check_int`, :func:`check_minimum`);
- a switch is a ``bool`` (or a NumPy bool): ``'False'`` is a ``TypeError``, never true
  (:func:`check_bool`);
- a real number (a duration, a dpi) is finite and within its bounds (:func:`check_number`);
- a message shows at most :data:`SHOWN` characters of an argument (:func:`describe`), so a huge,
  deep or self-referencing argument cannot make the error itself slow or fail.
"""

from __future__ import annotations

import math
import operator
import reprlib
from collections.abc import Iterable, Sequence
from numbers import Real
from typing import Any, TypeGuard

from convarith.typing import PadPair

MAX_SIZE = 2**31 - 1
"""The largest size, kernel, stride, dilation, padding (each side), output padding, group or
channel count any function accepts: ``2**31 - 1``. A product of two such numbers, and the sums
the output-size formulas form from them, stay exact in int64, NumPy's index type."""

SHOWN = 80
"""At most this many characters of an argument appear in an error message."""


class LayerError(ValueError):
    """A layer argument breaks a rule (a size below its minimum, a kernel larger than its input, ...).

    Every ``ValueError`` raised while validating layer arguments is a ``LayerError``, so a caller
    (a widget, the CLI) can show these messages and let every other error propagate. It is
    re-exported as :class:`convarith.arithmetic.LayerError`.
    """


_SHORT = reprlib.Repr()
_SHORT.maxlevel = 3
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = _SHORT.maxdict = 6
_SHORT.maxstring = _SHORT.maxother = 40
_SHORT.maxlong = 30


def shown(value: Any) -> str:
    """A short repr of ``value`` (at most :data:`SHOWN` characters, never recursing deep).

    Notes
    -----
    Arrays are described by shape and dtype; containers by their first entries, three levels
    deep (:mod:`reprlib`); a repr that fails or is long is cut.

    Examples
    --------
    >>> shown([[[[[1]]]]])
    '[[[[...]]]]'
    >>> shown("x" * 1000)[:12]
    "'xxxxxxxxxxx"
    >>> shown(10**5000)  # a huge integer by its binary magnitude
    '~2**16609'
    """
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if isinstance(shape, tuple) and dtype is not None and len(shape) > 0:
        return f"array of shape {shape[:8]}{'...' if len(shape) > 8 else ''} and dtype {dtype}"[:SHOWN]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return magnitude(value)  # never the 4300-digit limit
    try:
        text = _SHORT.repr(value)
    except Exception:  # a hostile __repr__: say the type only
        text = f"<{type(value).__name__}>"
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def magnitude(value: int) -> str:
    """A huge integer by its binary magnitude, ``'~2**N'`` (never printed whole, never a float).

    Examples
    --------
    >>> magnitude(10**100), magnitude(-(2**70))
    ('~2**332', '-~2**70')
    """
    return f"{'-' if value < 0 else ''}~2**{abs(value).bit_length() - 1}"


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {shown(value)}"


def describe(value: Any) -> str:
    """The type and a short repr of ``value``, for messages: ``str 'False'``, ``float 2.5``.

    Examples
    --------
    >>> describe("False"), describe(2.5)
    ("str 'False'", 'float 2.5')
    """
    return _describe(value)


def _numpy_bool(value: Any) -> bool:
    """Whether ``value`` is a NumPy bool (``numpy.bool_``), without importing NumPy here."""
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ in ("bool_", "bool")


def check_int(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = MAX_SIZE) -> int:
    """Return ``value`` as an int (through :func:`operator.index`) within ``[minimum, maximum]``.

    Floats, bools, strings and arrays of more than one number are refused (``TypeError``); a
    number out of bounds is a :class:`LayerError` naming ``name`` and the bound.

    Examples
    --------
    >>> import numpy as np
    >>> check_int(np.int64(3), "stride")
    3
    >>> check_int(2**63, "stride")
    Traceback (most recent call last):
    ...
    convarith.arithmetic.validate.LayerError: `stride` must be at most 2147483647 (MAX_SIZE), got 9223372036854775808
    """
    if isinstance(value, bool) or _numpy_bool(value):
        raise TypeError(f"`{name}` must be an integer, got {_describe(value)}")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"`{name}` must be an integer, got {_describe(value)}") from None
    if minimum is not None and number < minimum:
        rule = "positive" if minimum == 1 else "non-negative" if minimum == 0 else f">= {minimum}"
        raise LayerError(f"`{name}` must be {rule}, got {shown(number)}")
    if maximum is not None and number > maximum:
        bound = "MAX_SIZE" if maximum == MAX_SIZE else "its bound"
        raise LayerError(f"`{name}` must be at most {maximum} ({bound}), got {shown(number)}")
    if maximum is not None and minimum is None and number < -maximum:
        raise LayerError(f"`{name}` must be at least {-maximum}, got {shown(number)}")
    return number


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` as a bool; only ``True``, ``False`` (and NumPy's bools) are accepted.

    A string such as ``'False'`` is a ``TypeError``: it would be true.

    Examples
    --------
    >>> check_bool(False, "overwrite")
    False
    >>> check_bool("False", "overwrite")
    Traceback (most recent call last):
    ...
    TypeError: `overwrite` must be a bool, got str 'False'
    """
    if isinstance(value, bool):
        return value
    if _numpy_bool(value):
        return bool(value)
    raise TypeError(f"`{name}` must be a bool, got {_describe(value)}")


def check_number(
    value: Any, name: str, minimum: float, maximum: float, *, unit: str = "", inclusive: bool = True
) -> float:
    """Return ``value`` as a finite float in ``[minimum, maximum]`` (``(minimum, maximum]`` if not ``inclusive``).

    Examples
    --------
    >>> check_number(100, "dpi", 10, 1200)
    100.0
    >>> check_number(1, "dpi", 10, 1200)
    Traceback (most recent call last):
    ...
    convarith.arithmetic.validate.LayerError: `dpi` must be between 10 and 1200, got 1
    """
    if isinstance(value, bool) or _numpy_bool(value) or isinstance(value, str | bytes):
        raise TypeError(f"`{name}` must be a number{unit}, got {_describe(value)}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"`{name}` must be a number{unit}, got {_describe(value)}") from None
    low_ok = number >= minimum if inclusive else number > minimum
    if not math.isfinite(number) or not low_ok or number > maximum:
        rule = f"between {minimum:g} and {maximum:g}" if inclusive else f"in ({minimum:g}, {maximum:g}]"
        raise LayerError(f"`{name}` must be {rule}{unit}, got {shown(value)}")
    return number


def check_real(value: Any, name: str) -> Any:
    """Return ``value`` if it is one real number (an int or float of Python or NumPy; ``nan`` and ``inf`` too).

    Bools, strings, complex numbers, containers and arrays of more than one number are a
    ``TypeError``. The value is returned as given (an int stays exact).

    Examples
    --------
    >>> check_real(float("inf"), "value")
    inf
    """
    if isinstance(value, bool) or _numpy_bool(value) or not isinstance(value, int | float | Real):
        raise TypeError(f"`{name}` must be a real number, got {_describe(value)}")
    return value


def check_given(value: Any, name: str) -> Any:
    """Refuse ``None`` for a required argument (a ``TypeError`` naming it)."""
    if value is None:
        raise TypeError(f"`{name}` is required, got None")
    return value


def check_minimum(value: Any, name: str, minimum: int, maximum: int | None = MAX_SIZE) -> int:
    """Return ``value`` as an int in ``[minimum, maximum]`` (:func:`check_int`)."""
    return check_int(value, name, minimum=minimum, maximum=maximum)


def is_sequence(value: Any) -> TypeGuard[Sequence[Any]]:
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
        raise LayerError(f"per-axis sizes must not be empty: {', '.join(f'`{name}`' for name in lengths)}")
    return ndim


def per_axis(
    value: Any, name: str, ndim: int, minimum: int | None = 1, *, maximum: int | None = MAX_SIZE
) -> tuple[int, ...]:
    """An int repeated on every axis, or a tuple with one int (in ``[minimum, maximum]``) per axis.

    The one per-axis broadcasting rule: sizes, strides, indices (``minimum=None``: any int, e.g. a
    position that may lie in the padding) all go through here. With ``minimum=None`` and
    ``maximum=None`` only the kind is checked (the command line's grammar spreads a number this
    way and leaves its bounds to the layer's validation, which names the parameter).

    Examples
    --------
    >>> per_axis(3, "stride", 2), per_axis((-1, 4), "output", 2, minimum=None)
    ((3, 3), (-1, 4))
    """
    if is_sequence(value):
        if len(value) != ndim:
            raise LayerError(f"`{name}` must have one entry per axis ({ndim}), got {len(value)}: {shown(value)}")
        return tuple(check_int(v, f"{name}[{axis}]", minimum=minimum, maximum=maximum) for axis, v in enumerate(value))
    return (check_int(value, name, minimum=minimum, maximum=maximum),) * ndim


def _pair(value: Any, name: str) -> PadPair:
    if is_sequence(value):
        if len(value) != 2:
            raise LayerError(f"`{name}` must be an int or a (before, after) pair, got {shown(value)}")
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
        raise TypeError(f"`{name}` must be an int or a tuple here, got string {shown(padding)}")
    if not is_sequence(padding):
        return (_pair(padding, name),) * ndim
    if ndim == 1 and len(padding) == 2 and not any(is_sequence(v) for v in padding):
        return (_pair(padding, name),)
    if len(padding) != ndim:
        raise LayerError(
            f"`{name}` must be an int, or one int or (before, after) pair per axis ({ndim}), "
            f"got {len(padding)} entries: {shown(padding)}"
        )
    return tuple(_pair(v, f"{name}[{axis}]") for axis, v in enumerate(padding))


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; else list the valid ones."""
    options = tuple(choices)
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(c) for c in options)
        if not isinstance(value, str):
            raise TypeError(f"`{name}` must be one of {listed}; got {_describe(value)}")
        raise LayerError(f"`{name}` must be one of {listed}; got {shown(value)}")
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
