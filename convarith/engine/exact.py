"""Exact integer arithmetic: int64 when the result provably fits, Python integers otherwise.

NumPy's int64 arithmetic wraps modulo ``2**64``. A sum of products is therefore exact in int64
whenever its true value lies in ``[-2**63, 2**63)``, whatever the partial sums do on the way
(modular arithmetic: the wrapped partial sums still add up to the true value modulo ``2**64``).
So the engine bounds the result before computing: ``|sum_t x_t w_t + b| <= max|x| * sum|w| + |b|``
(:func:`conv_bound`), and for a window sum ``max|x| * taps``. When the bound is at most
``2**63 - 1`` (:data:`INT64_MAX`) the fast int64 path is exact; otherwise the engine computes
with Python integers (object arrays, exact but tens of times slower) and returns int64 if every
value fits, or raises a ``ValueError`` naming the value that does not (:func:`as_int64`).

The Python-integer path is taken only for values near ``2**63 / taps``. It costs about 20 times
the int64 path's time (measured: a 16-channel 64x64 3x3 conv, 69 ms in int64, 1.2 s with Python
integers), and its blocks are object arrays whose values are Python ints (about 36 bytes each
beyond the 8-byte pointer), so its temporaries are a few times
:data:`convarith.engine.memory.MAX_TEMPORARY_BYTES`.

Examples
--------
>>> import numpy as np
>>> x = np.array([2**62, 2**62])
>>> max_abs(x) * 2 > INT64_MAX  # the sum may not fit: the exact path is taken
True
>>> as_int64(np.array([2**62, -(2**62)], dtype=object), "conv")
array([ 4611686018427387904, -4611686018427387904])
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["INT64_MAX", "as_int64", "conv_bound", "exact_sum", "max_abs", "truncate_divide"]

INT64_MAX = 2**63 - 1
"""The largest int64; a result bound above it sends the computation to Python integers."""

_EXACT_FLOAT = 2**52  # float64 sums below this margin are far from INT64_MAX: no exact recount


def max_abs(array: np.ndarray, terms: int = 1) -> int:
    """``max |a|`` of an integer array as a Python int (exact, also for ``-2**63``); 0 if empty.

    With ``terms``: when the dtype's own range already keeps ``terms`` values' sum in int64
    (int32 and narrower with fewer than ``2**31`` terms), that range's bound is returned without
    reading the values.
    """
    if array.size == 0:
        return 0
    info = np.iinfo(array.dtype)
    limit = max(abs(int(info.min)), int(info.max))
    if limit * terms <= INT64_MAX:
        return limit
    return max(abs(int(array.max())), abs(int(array.min())))


def conv_bound(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None) -> int:
    """A bound on every ``|y|`` of a convolution: ``max|x| * max_m sum_{c,t} |w[m, c, t]| + max|b|``.

    ``weight``'s first axis is the one the sum is *not* over (``m``, ``C_out``): for
    ``conv_transpose`` pass the weight with its output channels first. ``max|x|`` is the range
    of ``x``'s dtype when that is small enough, else read from the values. The weight sums are
    computed in float64 first and, only near ``INT64_MAX``, again with Python integers.
    """
    extra = 0 if bias is None else max_abs(bias)
    if x.size == 0 or weight.size == 0:
        return extra
    rows = weight.reshape(weight.shape[0], -1)
    rough = float(np.abs(rows.astype(np.float64)).sum(axis=1).max()) * (1 + 2**-20)  # >= the exact sum
    info = np.iinfo(x.dtype)
    scale = max(abs(int(info.min)), int(info.max))
    if scale * rough + extra >= INT64_MAX - _EXACT_FLOAT:
        scale = max_abs(x)
    if scale * rough + extra < INT64_MAX - _EXACT_FLOAT:
        return int(scale * rough) + extra + 1  # an upper bound, far below INT64_MAX
    sums = np.abs(rows.astype(object)).sum(axis=1)
    return scale * int(max(sums)) + extra


def exact_sum(array: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
    """The exact sum over ``axis`` (keepdims) of an integer array: int64, or object if it may not fit.

    Beyond the bound, each value is split as ``hi * 2**32 + lo`` (``0 <= lo < 2**32``): both
    halves sum in int64 without leaving its range (for fewer than ``2**31`` terms), and the
    halves are joined with Python integers, one per result cell.
    """
    terms = int(np.prod([array.shape[a] for a in axis]))
    if max_abs(array, terms) * terms <= INT64_MAX:
        return np.asarray(np.sum(array, axis=axis, dtype=np.int64, keepdims=True))
    if terms >= 2**31:  # not reachable with arrays that fit in memory and values beyond int32
        big: np.ndarray = np.sum(array.astype(object), axis=axis, keepdims=True)
        return big
    values = array.astype(np.int64, copy=False)
    high = np.sum(values >> 32, axis=axis, dtype=np.int64, keepdims=True).astype(object)
    low = np.sum(values & (2**32 - 1), axis=axis, dtype=np.int64, keepdims=True).astype(object)
    return high * 2**32 + low


def truncate_divide(total: np.ndarray, divisor: Any) -> np.ndarray:
    """``total / divisor`` truncated towards zero (C++ integer division, PyTorch's int64 pools).

    Works on int64 and on object (Python int) arrays alike.
    """
    magnitude = np.abs(total) // np.abs(divisor)
    return np.asarray(np.where((total < 0) != (np.asarray(divisor) < 0), -magnitude, magnitude))


def as_int64(values: np.ndarray, what: str) -> np.ndarray:
    """``values`` (int64 or exact Python ints) as int64, or a ``ValueError`` if one does not fit.

    ``what`` names the computation in the message, e.g. ``"conv of `x` and `weight`"``.
    """
    if values.dtype != object:
        return values.astype(np.int64, copy=False)
    if values.size:
        low, high = int(values.min()), int(values.max())
        for value in (high, low):
            if not -(2**63) <= value <= INT64_MAX:
                where = np.unravel_index(int(np.flatnonzero(values == value)[0]), values.shape)
                raise ValueError(
                    f"the exact result of {what} at index {tuple(int(i) for i in where)} is {value}, outside "
                    f"int64's range [-2**63, 2**63 - 1]: the engine's integers never wrap, so cast the "
                    "inputs to float64 (rounded) for this computation"
                )
    return values.astype(np.int64)
