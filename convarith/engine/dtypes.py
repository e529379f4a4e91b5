"""The engine's dtype policy: one rule for every array path, written once here.

The policy
----------
1. **Real numbers only.** Integer and floating arrays are accepted; bool, complex, object and
   string arrays are refused everywhere with one ``TypeError`` (see :func:`real_array`).
2. **Integers never wrap.** Arithmetic on integers (``conv``, ``conv_transpose``,
   ``conv_transpose_construction``'s output, the sums of ``avg_pool`` and ``global_avg_pool``)
   is exact and returns ``int64`` whatever the integer inputs (``int8``, ``uint8``, ...): the
   result is bounded before computing (``max|x| * sum|w| + |b|``, or ``max|x| * taps`` for a
   window sum); within ``int64`` the fast ``int64`` path is exact (it wraps modulo ``2**64``, so
   a true value inside ``int64`` comes out exact), beyond it the sums are taken with Python
   integers (:mod:`convarith.engine.exact`). A result that ``int64`` cannot hold is a
   ``ValueError`` naming its value and index, never a wrapped number (an average always fits).
   ``uint64`` operands of such arithmetic are refused (their values may not fit ``int64``).
   ``conv_matrix`` of an integer weight is an ``int64`` matrix holding the weights exactly
   (no arithmetic); the product ``C @ x.ravel()`` is NumPy's ``int64`` matmul, which wraps when
   a value leaves ``int64``: use ``conv`` for a checked result. ``lp_pool`` of integers is
   computed in float64 (rule 6), rounded, not exact.
3. **Floats keep their precision** (float32 in, float32 out). Two floating operands of different
   precisions are an error, as in PyTorch: ``TypeError: x is float32 but weight is float64: cast
   one, e.g. weight.astype(np.float32)``. A Python list or scalar (not an ndarray) takes the
   precision of the ndarray operands, so ``conv(x32, [[[0.5, 0.5]]])`` stays float32.
4. **Integers with a float take the float** (int8 ``x`` with a float32 ``weight`` gives float32).
5. **float16 is computed in float32** (NumPy has no fast float16 GEMM) and rounded back to
   float16 once, at the end.
6. **Operations without arithmetic keep the dtype**: ``pad``, ``max_pool`` and
   ``global_max_pool`` copy values, so any integer or float dtype comes back unchanged.
   ``lp_pool`` computes powers, so integers are computed and returned in float64.

Products with ``conv_matrix``: the matrix has the dtype rule 2-4 gives for the weight alone
(integers: int64; floats: the weight's dtype). For operands of one kind (integers with integers,
or floats of one precision) ``C @ x.ravel()`` then has ``conv``'s dtype. For an integer ``x`` with a
floating matrix (or the reverse), NumPy's promotion differs from rule 4 (int32 with float32 is
float64 in NumPy): multiply in the result dtype ``r``, the float one,
``C.astype(r) @ x.ravel().astype(r)``.

Examples
--------
>>> import numpy as np
>>> result_dtype(("x", np.int8(1)), ("weight", np.uint8(1)))  # integers: exact int64
dtype('int64')
>>> result_dtype(("x", np.ones(2, np.int16)), ("weight", np.ones(2, np.float32)))  # a float wins
dtype('float32')
>>> result_dtype(("x", np.ones(2, np.float32)), ("weight", np.ones(2)))
Traceback (most recent call last):
...
TypeError: `x` is float32 but `weight` is float64: cast one, e.g. weight.astype(np.float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["accumulator_dtype", "matrix_dtype", "real_array", "result_dtype"]

Operand = tuple[str, Any]
"""``(name, value)``: the value as the user passed it (an ndarray, a list, a scalar)."""


def real_array(value: Any, name: str) -> np.ndarray:
    """``value`` as an ndarray of integers or floats; anything else is a ``TypeError`` (rule 1).

    Examples
    --------
    >>> real_array([1, 2], "x")
    array([1, 2])
    >>> real_array([1j], "x")
    Traceback (most recent call last):
    ...
    TypeError: `x` must hold integers or floats (the engine has no complex, bool or object arrays), got dtype complex128
    """
    try:
        array = np.asarray(value)
    except (ValueError, TypeError, RecursionError) as error:  # ragged or too deep: NumPy's words, our name
        raise TypeError(f"`{name}` must be an array of numbers: {str(error)[:120]}") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"`{name}` must hold integers or floats (the engine has no complex, bool or object arrays), "
            f"got dtype {array.dtype}"
        )
    return array


def result_dtype(*operands: Operand) -> np.dtype:
    """The dtype of an arithmetic result of ``operands`` (rules 2-4), or a ``TypeError``.

    Parameters
    ----------
    *operands : (name, value)
        Each operand with the name used in error messages; ``value`` is the ndarray or the
        array_like the user passed (lists and scalars are "weak": they take the precision of the
        ndarray operands).

    Returns
    -------
    numpy.dtype
        int64 for integers only; else the common floating dtype.

    Raises
    ------
    TypeError
        Floating ndarrays of different precisions; a uint64 operand of integer arithmetic.

    Examples
    --------
    >>> import numpy as np
    >>> result_dtype(("x", np.ones(2, np.float32)), ("weight", [0.5, 0.5]))  # a list is weak
    dtype('float32')
    """
    arrays = [(name, real_array(value, name), isinstance(value, np.ndarray | np.generic)) for name, value in operands]
    floats = [(name, a.dtype) for name, a, strong in arrays if a.dtype.kind == "f" and strong]
    if not floats:
        floats = [(name, a.dtype) for name, a, _ in arrays if a.dtype.kind == "f"]
    for name, dtype in floats[1:]:
        first_name, first = floats[0]
        if dtype != first:
            raise TypeError(
                f"`{first_name}` is {first} but `{name}` is {dtype}: cast one, e.g. {name}.astype(np.{first})"
            )
    if floats:
        return np.dtype(floats[0][1])
    for name, a, _ in arrays:
        if a.dtype == np.uint64:
            raise TypeError(
                f"`{name}` is uint64, whose values may not fit the engine's exact int64 arithmetic: "
                f"cast it, e.g. {name}.astype(np.int64)"
            )
    return np.dtype(np.int64)


def accumulator_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype the work is done in: float16 in float32 (rule 5), every other dtype in itself.

    Examples
    --------
    >>> import numpy as np
    >>> accumulator_dtype(np.dtype(np.float16))
    dtype('float32')
    """
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)


def matrix_dtype(weight: np.ndarray) -> np.dtype:
    """The dtype of ``conv_matrix(..., weight)``: int64 for integer weights, else the weight's.

    Examples
    --------
    >>> import numpy as np
    >>> matrix_dtype(np.ones(2, np.int8))
    dtype('int64')
    """
    return result_dtype(("weight", weight))
