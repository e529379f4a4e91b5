"""Seeded generators used by convarith's tests and benchmarks (re-exported by :mod:`convarith.testing`).

Every random array in the test suite comes from here, so that a failing case can be replayed
from its seed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["arange_array", "random_array", "seeded_rng"]


def random_array(
    shape: Sequence[int], seed: int = 0, dtype: npt.DTypeLike = np.float32, *, low: float = -1.0, high: float = 1.0
) -> np.ndarray:
    """Uniform random values in ``[low, high)`` (integers in ``[low, high]`` for integer dtypes).

    Parameters
    ----------
    shape : sequence of int
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    dtype : dtype
    low, high : float

    Returns
    -------
    ndarray

    Examples
    --------
    >>> random_array((2, 3), seed=1).dtype
    dtype('float32')
    >>> random_array((4,), seed=1, dtype=np.int64, low=0, high=3).tolist()
    [1, 2, 3, 3]
    """
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(int(low), int(high), size=tuple(shape), endpoint=True).astype(dtype)
    return rng.uniform(low, high, size=tuple(shape)).astype(dtype)


def seeded_rng(seed: int = 0) -> np.random.Generator:
    """A NumPy random generator from ``seed``, for draws :func:`random_array` does not make.

    Parameters
    ----------
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    numpy.random.Generator

    Notes
    -----
    ``seeded_rng(seed)`` is ``numpy.random.default_rng(seed)``: the same seed gives the same
    stream, so a failing test replays from its seed. Tests and benchmarks take their randomness
    from here or from :func:`random_array`, never from ``numpy.random`` directly.

    Examples
    --------
    >>> seeded_rng(3).permutation(4).tolist() == seeded_rng(3).permutation(4).tolist()
    True
    >>> seeded_rng(0).integers(0, 10, size=3).tolist() == np.random.default_rng(0).integers(0, 10, size=3).tolist()
    True
    """
    return np.random.default_rng(seed)


def arange_array(shape: Sequence[int], dtype: npt.DTypeLike = np.int64) -> np.ndarray:
    """``0, 1, 2, ...`` in the given shape: values you can check by eye.

    Examples
    --------
    >>> arange_array((2, 3))
    array([[0, 1, 2],
           [3, 4, 5]])
    """
    return np.arange(int(np.prod(shape)), dtype=dtype).reshape(tuple(shape))
