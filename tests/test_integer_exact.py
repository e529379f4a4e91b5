"""Integers never wrap (issue 19 item 5): exact int64 results, or a ValueError when one cannot fit.

Oracle: Python's integers (arbitrary precision), computed here by hand from the definition, on
values at ``2**62`` where int64 arithmetic wraps (``2**62 + 2**62 = -2**63`` in int64).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import convarith as ca

BIG = 2**62


def python_conv2d(x: list[list[int]], w: list[list[int]]) -> list[list[int]]:
    """Valid cross-correlation of one plain image with one kernel, in Python integers."""
    kh, kw = len(w), len(w[0])
    return [
        [sum(x[r + a][c + b] * w[a][b] for a in range(kh) for b in range(kw)) for c in range(len(x[0]) - kw + 1)]
        for r in range(len(x) - kh + 1)
    ]


# ------------------------------------------------------------------------------------------
# global_avg_pool and avg_pool: the average always fits int64, so it is always returned


def test_global_avg_pool_of_four_2_62_is_2_62():
    # issue 19: returned 0 (the int64 sum 2**64 wrapped to 0)
    x = np.full((1, 1, 2, 2), BIG, dtype=np.int64)
    assert ca.global_avg_pool(x).tolist() == [[[[BIG]]]]


@pytest.mark.parametrize(
    "values", [[BIG, BIG, -(2**63) + 1, 7], [-(2**63)] * 3 + [-5], [2**63 - 1] * 4, [BIG, -1, 0, 2]]
)
def test_global_avg_pool_truncates_the_exact_average(values):
    x = np.array(values, dtype=np.int64).reshape(1, 1, 2, 2)
    total = sum(values)
    expected = abs(total) // 4 * (1 if total >= 0 else -1)  # towards zero, as PyTorch's int64 pools
    assert ca.global_avg_pool(x).item() == expected
    assert ca.avg_pool(x, (2, 2)).item() == expected


def test_avg_pool_windows_at_2_62_match_python_integers():
    rng = np.random.default_rng(0)
    x = rng.integers(-(2**63), 2**63 - 1, size=(2, 1, 5, 4), dtype=np.int64, endpoint=True)
    y = ca.avg_pool(x, (3, 2), stride=1, padding=1, count_include_pad=False)
    for n, i, j in itertools.product(range(2), range(y.shape[2]), range(y.shape[3])):
        cells = [
            int(x[n, 0, r, c]) for r in range(i - 1, i + 2) for c in range(j - 1, j + 1) if 0 <= r < 5 and 0 <= c < 4
        ]
        total = sum(cells)
        assert y[n, 0, i, j] == abs(total) // len(cells) * (1 if total >= 0 else -1)
    assert y.dtype == np.int64


def test_avg_pool_divisor_override_refuses_a_sum_beyond_int64():
    x = np.full((1, 1, 2, 2), BIG, dtype=np.int64)
    with pytest.raises(ValueError, match=r"the exact result of avg_pool of `x` at index \(0, 0, 0, 0\) is "
                       r"18446744073709551616, outside int64's range"):  # fmt: skip
        ca.avg_pool(x, (2, 2), divisor_override=1)
    assert ca.avg_pool(x, (2, 2), divisor_override=8).item() == 2**61
