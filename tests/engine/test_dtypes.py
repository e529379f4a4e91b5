"""The dtype policy (convarith.engine.dtypes) on every array path, dtypes x paths.

Oracles: the policy's table written out here independently (integers -> int64, a float wins,
floats of two precisions are an error), exact Python-integer sums of the reference loops
(convarith.engine.reference), and agreement of the three transposed ways: ``conv_transpose``,
``conv_transpose_construction`` and ``conv_matrix(...).T @ y``, in value AND dtype.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import convarith as ca
from convarith.engine import reference
from convarith.testing import seeded_rng

INTEGERS = [np.int8, np.uint8, np.int16, np.int32, np.int64]
FLOATS = [np.float16, np.float32, np.float64]


def expected_dtype(*dtypes: Any) -> Any:
    """The policy, written out: a float wins (one precision only), integers give int64."""
    floats = {np.dtype(d) for d in dtypes if np.dtype(d).kind == "f"}
    if len(floats) > 1:
        return None  # a TypeError
    return floats.pop() if floats else np.dtype(np.int64)


def small_values(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray:
    values = seeded_rng(seed).integers(0, 4, size=shape)
    return values.astype(dtype)


def _mixed(a: np.dtype, b: np.dtype) -> bool:
    """An integer with a float (NumPy's promotion of their product differs from the policy's)."""
    return (a.kind == "f") != (b.kind == "f")


PAIRS = [(x, w) for x, w in itertools.product(INTEGERS + FLOATS, repeat=2) if expected_dtype(x, w) is not None]


# ------------------------------------------------------------------------------------------
# issue 11's example: int8 of 100s, every path exact int64


def test_int8_of_hundreds_is_exact_int64_on_every_path():
    x = np.full((1, 1, 3), 100, np.int8)
    w = np.full((1, 1, 3), 100, np.int8)
    expected = [[[10000, 20000, 30000, 20000, 10000]]]
    outputs = {
        "conv_transpose": ca.conv_transpose(x, w),
        "construction": ca.conv_transpose_construction(x, w).output,
        "matrix": (ca.conv_matrix((1, 5), w).T @ x.ravel()).reshape(1, 1, 5),
    }
    for name, y in outputs.items():
        assert y.dtype == np.int64, name
        assert y.tolist() == expected, name
    forward = ca.conv(np.full((1, 1, 5), 100, np.int8), w)
    assert forward.dtype == np.int64
    assert forward.tolist() == [[[30000, 30000, 30000]]]
    assert (ca.conv_matrix((1, 5), w) @ np.full(5, 100, np.int8)).tolist() == [30000, 30000, 30000]


# ------------------------------------------------------------------------------------------
# dtypes x paths


@pytest.mark.parametrize(("x_dtype", "w_dtype"), PAIRS)
def test_conv_and_its_matrix_agree_in_value_and_dtype(x_dtype, w_dtype):
    x = small_values((1, 2, 5, 4), x_dtype, 1)
    w = small_values((3, 2, 2, 3), w_dtype, 2)
    result = expected_dtype(x_dtype, w_dtype)
    y = ca.conv(x, w, stride=(2, 1), padding=1)
    assert y.dtype == result
    exact = reference.conv(x, w, stride=(2, 1), padding=1)
    np.testing.assert_array_equal(y, exact.astype(np.float64))  # small sums: exact in every dtype
    matrix = ca.conv_matrix((2, 5, 4), w, stride=(2, 1), padding=1)
    if not _mixed(x.dtype, matrix.dtype):  # no cast needed: NumPy's promotion of the product is the engine's
        product = matrix @ x.ravel()
    else:  # mixed integer/float: multiply in the result dtype (documented in convarith.engine.dtypes)
        product = matrix.astype(result) @ x.ravel().astype(result)
    assert product.dtype == result
    np.testing.assert_array_equal(product.reshape(y.shape[1:]), y[0])


@pytest.mark.parametrize(("y_dtype", "w_dtype"), PAIRS)
def test_the_three_transposed_ways_agree_in_value_and_dtype(y_dtype, w_dtype):
    y = small_values((1, 3, 3, 2), y_dtype, 3)
    w = small_values((3, 2, 2, 3), w_dtype, 4)  # conv_transpose layout (C_in, C_out, *k)
    result = expected_dtype(y_dtype, w_dtype)
    direct = ca.conv_transpose(y, w, stride=2, padding=1, output_padding=1)
    built = ca.conv_transpose_construction(y, w, stride=2, padding=1, output_padding=1).output
    exact = reference.conv_transpose(y, w, stride=2, padding=1, output_padding=1)
    assert direct.dtype == built.dtype == result
    np.testing.assert_array_equal(direct, exact.astype(np.float64))
    np.testing.assert_array_equal(built, direct)
    # the matrix way: C of the forward convolution (input = the transposed output), C.T @ y
    # the same array is the forward convolution's weight: (C_out = 3, C_in = 2, *k) for it
    matrix = ca.conv_matrix(direct.shape[1:], w, stride=2, padding=1)
    if not _mixed(y.dtype, matrix.dtype):
        product = matrix.T @ y.ravel()
    else:
        product = matrix.T.astype(result) @ y.ravel().astype(result)
    assert product.dtype == result
    np.testing.assert_array_equal(product.reshape(direct.shape[1:]), direct[0])


@pytest.mark.parametrize("dtype", INTEGERS + FLOATS)
def test_copying_paths_keep_the_dtype(dtype):
    x = small_values((1, 2, 4, 4), dtype, 5)
    assert ca.pad(x, 1, mode="reflect").dtype == dtype
    assert ca.max_pool(x, 2, ndim=2).dtype == dtype
    assert ca.max_pool(x, 2, ndim=2, return_indices=True)[0].dtype == dtype
    assert ca.global_max_pool(x).dtype == dtype


@pytest.mark.parametrize("dtype", INTEGERS + FLOATS)
def test_averaging_paths_follow_the_policy(dtype):
    x = small_values((1, 2, 4, 4), dtype, 6)
    result = expected_dtype(dtype)
    assert ca.avg_pool(x, 2, ndim=2).dtype == result
    assert ca.global_avg_pool(x).dtype == result
    assert ca.lp_pool(x, 2, 2, ndim=2).dtype == (result if result.kind == "f" else np.float64)


# ------------------------------------------------------------------------------------------
# floats: one precision, float16 through float32


@pytest.mark.parametrize(("first", "second"), [(np.float32, np.float64), (np.float16, np.float32)])
def test_two_float_precisions_are_an_error_naming_both(first, second):
    x = np.ones((1, 2, 4, 4), first)
    w = np.ones((3, 2, 3, 3), second)
    message = rf"`x` is {np.dtype(first)} but `weight` is {np.dtype(second)}: cast one, e\.g\. weight\.astype\(np\."
    with pytest.raises(TypeError, match=message):
        ca.conv(x, w)
    wt = np.ones((2, 3, 3, 3), second)
    with pytest.raises(TypeError, match=message):
        ca.conv_transpose(x, wt)
    with pytest.raises(TypeError, match=message):
        ca.conv_transpose_construction(x, wt)
    with pytest.raises(TypeError, match=r"`x` is .* but `bias` is float64"):
        ca.conv(np.ones((1, 2, 4, 4), first), np.ones((3, 2, 3, 3), first), np.ones(3, np.float64))


def test_a_python_list_takes_the_arrays_precision():
    x = np.arange(5, dtype=np.float32)[None, None]
    y = ca.conv(x, [[[0.5, 0.5]]])
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, [[[0.5, 1.5, 2.5, 3.5]]])


def test_float16_is_computed_in_float32_and_rounded_once():
    rng = seeded_rng(7)
    x = rng.standard_normal((2, 8, 9, 9)).astype(np.float16)
    w = rng.standard_normal((4, 8, 3, 3)).astype(np.float16)
    expected = ca.conv(x.astype(np.float32), w.astype(np.float32)).astype(np.float16)
    np.testing.assert_array_equal(ca.conv(x, w), expected)
    wt = w.swapaxes(0, 1).copy()
    expected_t = ca.conv_transpose(x.astype(np.float32), wt.astype(np.float32), stride=2).astype(np.float16)
    np.testing.assert_array_equal(ca.conv_transpose(x, wt, stride=2), expected_t)


# ------------------------------------------------------------------------------------------
# refused everywhere, with one message


def _paths(value: np.ndarray) -> dict[str, Any]:
    ones = np.ones((1, 1, 3))
    return {
        "conv x": lambda: ca.conv(value, ones),
        "conv weight": lambda: ca.conv(ones, value),
        "pad": lambda: ca.pad(value, 1),
        "max_pool": lambda: ca.max_pool(value, 2, ndim=1),
        "avg_pool": lambda: ca.avg_pool(value, 2, ndim=1),
        "lp_pool": lambda: ca.lp_pool(value, 2, 2, ndim=1),
        "global_avg_pool": lambda: ca.global_avg_pool(value),
        "global_max_pool": lambda: ca.global_max_pool(value),
        "conv_transpose": lambda: ca.conv_transpose(value, ones),
        "conv_transpose weight": lambda: ca.conv_transpose(ones, value),
        "construction": lambda: ca.conv_transpose_construction(value, ones),
        "conv_matrix": lambda: ca.conv_matrix((1, 3), value),
    }


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128, np.bool_])
def test_complex_and_bool_are_refused_on_every_path(dtype):
    value = np.ones((1, 1, 3), dtype=dtype)
    dtype = np.dtype(dtype)
    message = rf"must hold integers or floats \(the engine has no complex, bool or object arrays\), got dtype {dtype}"
    for call in _paths(value).values():
        with pytest.raises(TypeError, match=message):
            call()


def test_uint64_arithmetic_is_refused_but_copies_keep_it():
    x = np.ones((1, 1, 4), np.uint64)
    with pytest.raises(TypeError, match=r"`x` is uint64, whose values may not fit .* x\.astype\(np\.int64\)"):
        ca.conv(x, np.ones((1, 1, 2), np.uint8))
    with pytest.raises(TypeError, match=r"`x` is uint64"):
        ca.avg_pool(x, 2, ndim=1)
    assert ca.max_pool(x, 2, ndim=1).dtype == np.uint64
    assert ca.pad(x, 1).dtype == np.uint64
