"""Integers never wrap (issue 19 item 5): exact int64 results, or a ValueError when one cannot fit.

Oracle: Python's integers (arbitrary precision), computed here by hand from the definition, on
values at ``2**62`` where int64 arithmetic wraps (``2**62 + 2**62 = -2**63`` in int64).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import convarith as ca
from convarith.engine import reference
from convarith.testing import seeded_rng

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
    rng = seeded_rng(0)
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


# ------------------------------------------------------------------------------------------
# conv: exact, or a ValueError naming the value that int64 cannot hold


def test_conv_of_2_62_plus_2_62_is_refused_not_wrapped():
    # issue 19: returned -2**63
    x = np.array([[[BIG, BIG]]])
    with pytest.raises(ValueError, match=r"the exact result of conv of `x` and `weight` at index \(0, 0, 0\) is "
                       r"9223372036854775808, outside int64's range \[-2\*\*63, 2\*\*63 - 1\]"):  # fmt: skip
        ca.conv(x, np.array([[[1, 1]]]))


def test_conv_whose_partial_sums_leave_int64_is_exact():
    x = np.array([BIG, BIG, -BIG, -BIG, BIG])  # plain 1-d signal and kernel
    y = ca.conv(x, np.array([1, 1, 1]))
    assert y.tolist() == [BIG, -BIG, -BIG]
    assert y.dtype == np.int64
    assert ca.conv(x, np.array([1, 1, 1]), bias=7).tolist() == [BIG + 7, -BIG + 7, -BIG + 7]


def test_plain_2d_conv_at_2_62_matches_python_integers():
    rng = seeded_rng(1)
    x = rng.integers(-(2**62), 2**62, size=(4, 5))
    w = rng.integers(-1, 2, size=(2, 2))
    expected = python_conv2d(x.tolist(), w.tolist())
    if all(-(2**63) <= v < 2**63 for row in expected for v in row):
        assert ca.conv(x, w).tolist() == expected
    else:
        with pytest.raises(ValueError, match=r"outside int64's range"):
            ca.conv(x, w)


CASES = [  # (name, x shape, w shape, keywords): every path of the engine's conv
    ("wide grid", (2, 3, 6, 5), (4, 3, 3, 2), {}),
    ("strided", (2, 3, 7, 6), (4, 3, 3, 3), {"stride": 2, "padding": 1}),
    ("depthwise", (2, 4, 6, 6), (8, 1, 3, 3), {"groups": 4, "padding": 1}),
    ("depthwise same", (1, 3, 5, 7), (3, 1, 3, 3), {"groups": 3, "padding": "same"}),
    ("grouped", (1, 4, 5, 5), (6, 2, 2, 2), {"groups": 2, "dilation": 2}),
    ("sparse", (1, 2, 3, 4), (2, 2, 2, 2), {"dilation": 50, "padding": 50, "stride": 40}),
    ("reflect", (1, 2, 5, 5), (3, 2, 3, 3), {"padding": 2, "padding_mode": "reflect"}),
    ("circular 1-d", (2, 2, 9), (3, 2, 4), {"padding": 3, "padding_mode": "circular", "stride": 3}),
    ("symmetric", (1, 4, 4, 4), (2, 4, 2, 2), {"padding": "symmetric"}),
]


@pytest.mark.parametrize(("name", "x_shape", "w_shape", "kwargs"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("scale", [2**57, 2**60, 2**62])
def test_conv_paths_at_huge_values_match_python_integers(name, x_shape, w_shape, kwargs, scale):
    # 2**57: the int64 path; 2**60: Python integers, and the results fit; 2**62: some do not
    rng = seeded_rng(len(name))
    x = rng.integers(-scale, scale, size=x_shape)
    w = rng.integers(-1, 2, size=w_shape)
    b = rng.integers(-scale, scale, size=w_shape[0])
    ours = None
    try:
        ours = ca.conv(x, w, b, **kwargs)
    except ValueError as error:
        assert "outside int64's range" in str(error)
    padding = kwargs.get("padding", 0)
    if padding == "same":
        padding = 1
    if padding == "symmetric":  # channel groups padded their own way: pad them, then a valid conv
        x, padding = ca.engine.symmetric_pad(x, (2, 2)), 0
    rest = {k: v for k, v in kwargs.items() if k not in ("padding", "padding_mode")}
    expected = reference.conv(x, w, b, padding=padding, padding_mode=kwargs.get("padding_mode", "zeros"), **rest)
    fits = all(-(2**63) <= int(v) < 2**63 for v in expected.ravel())
    assert (ours is not None) == fits
    if ours is not None:
        assert ours.dtype == np.int64
        assert ours.tolist() == expected.tolist()


# ------------------------------------------------------------------------------------------
# conv_transpose and the construction


@pytest.mark.parametrize("scale", [2**57, 2**60, 2**62])
@pytest.mark.parametrize("kwargs", [{}, {"stride": 2, "padding": 1}, {"groups": 2, "dilation": 2}], ids=str)
def test_conv_transpose_at_huge_values_matches_python_integers(scale, kwargs):
    rng = seeded_rng(scale.bit_length())
    x = rng.integers(-scale, scale, size=(2, 4, 3, 3))
    w = rng.integers(-1, 2, size=(4, 2, 3, 2))
    b = rng.integers(-scale, scale, size=2 * kwargs.get("groups", 1))
    ours = None
    try:
        ours = ca.conv_transpose(x, w, b, **kwargs)
    except ValueError as error:
        assert "outside int64's range" in str(error)
    expected = reference.conv_transpose(x, w, b, **kwargs)
    fits = all(-(2**63) <= int(v) < 2**63 for v in expected.ravel())
    assert (ours is not None) == fits
    if ours is not None:
        assert ours.dtype == np.int64
        assert ours.tolist() == expected.tolist()
    if fits:
        assert ca.conv_transpose_construction(x, w, **kwargs).output.tolist() == (expected - b[:, None, None]).tolist()


def test_conv_transpose_of_2_62_stamps_is_refused_not_wrapped():
    x = np.array([[[BIG, BIG]]])
    with pytest.raises(ValueError, match=r"the exact result of conv_transpose of `x` and `weight` at index \(0, 0, 1\) "
                       r"is 9223372036854775808"):  # fmt: skip
        ca.conv_transpose(x, np.array([[[1, 1]]]))
    assert ca.conv_transpose(x, np.array([[[1, -1]]])).tolist() == [[[BIG, 0, -BIG]]]


# ------------------------------------------------------------------------------------------
# conv_matrix copies the weights (no arithmetic): exact at 2**62


def test_conv_matrix_holds_the_weights_exactly():
    w = np.array([[[BIG, -(2**63), 2**63 - 1]]])
    matrix = ca.conv_matrix((1, 4), w)
    assert matrix.dtype == np.int64
    assert matrix.tolist() == [[BIG, -(2**63), 2**63 - 1, 0], [0, BIG, -(2**63), 2**63 - 1]]
