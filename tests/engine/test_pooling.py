"""Tests of convarith.engine.convolution pooling: max_pool, avg_pool, lp_pool, global pooling.

Oracles: PyTorch 2.13 (CPU), the loop definitions of convarith.engine.reference (ONNX-style asymmetric padding,
integers exact), hand-worked numbers, and pool_output_size for every shape.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convarith as ca
import convarith.engine.memory as engine
from convarith.engine import reference
from convarith.engine.pooling import avg_pool, global_avg_pool, global_max_pool, lp_pool, max_pool
from convarith.testing import arange_array, random_array, seeded_rng


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


def _fn(torch, name, nd):
    return getattr(torch.nn.functional, f"{name}{nd}d")


@st.composite
def torch_pool_cases(draw, dilation=True):
    """PyTorch's domain: symmetric padding <= kernel // 2 (avg_pool3d also wants input >= kernel)."""
    nd = draw(st.integers(1, 3))
    axes = []
    for _ in range(nd):
        k = draw(st.integers(1, 3))
        s = draw(st.integers(1, 3))
        d = draw(st.integers(1, 2)) if dilation else 1
        p = draw(st.integers(0, k // 2))
        ek = d * (k - 1) + 1
        low = max(1, ek - 2 * p) if dilation else k
        i = draw(st.integers(low, ek + (4 if nd < 3 else 2)))
        axes.append((i, k, s, p, d))
    ceil_mode = draw(st.booleans())
    n = draw(st.integers(1, 2))
    c = draw(st.integers(1, 3))
    return nd, n, c, axes, ceil_mode


def _unzip(axes):
    return tuple(tuple(a[j] for a in axes) for j in range(5))


# ------------------------------------------------------------------------------------------
# named cases

# name -> (input, kernel, stride, padding, ceil_mode, expected output size)
POOL_FIGURES = {
    "guide_numerical_max_pooling": (5, 3, 1, 0, False, 3),  # the guide's 3x3 pooling over 5x5
    "resnet_max_pool": (112, 3, 2, 1, False, 56),
    "ceil_keeps_partial_window": (5, 2, 2, 0, True, 3),
    "ceil_last_window_may_not_start_in_pad": (4, 2, 2, 1, True, 3),
}


@pytest.mark.parametrize("name", POOL_FIGURES)
def test_named_pool_shapes(name):
    i, k, s, p, ceil_mode, expected = POOL_FIGURES[name]
    x = random_array((1, 1, i, i), 0)
    assert max_pool(x, k, stride=s, padding=p, ceil_mode=ceil_mode, ndim=2).shape == (1, 1, expected, expected)
    assert avg_pool(x, k, stride=s, padding=p, ceil_mode=ceil_mode, ndim=2).shape == (1, 1, expected, expected)
    assert ca.pool_output_size(i, k, s, p, ceil_mode=ceil_mode) == expected


def test_hand_worked_max_pool_with_indices():
    x = np.array([[[[1, 9, 2], [3, 4, 9], [0, 5, 6]]]])
    values, indices = max_pool(x, 2, stride=1, return_indices=True, ndim=2)
    np.testing.assert_array_equal(values, [[[[9, 9], [5, 9]]]])
    np.testing.assert_array_equal(indices, [[[[1, 1], [7, 5]]]])  # window (0, 1) has two 9s: the first wins


def test_hand_worked_avg_pool_divisors():
    # 3x3 windows, stride 2, padding 1 on a 4x4 grid of ones.
    x = np.ones((1, 1, 4, 4))
    # count_include_pad: corner window covers 2x2 input + 5 pad cells -> 4 / 9
    assert avg_pool(x, 3, stride=2, padding=1, ndim=2)[0, 0, 0, 0] == pytest.approx(4 / 9)
    assert avg_pool(x, 3, stride=2, padding=1, count_include_pad=False, ndim=2)[0, 0, 0, 0] == 1.0
    assert avg_pool(x, 3, stride=2, padding=1, divisor_override=2, ndim=2)[0, 0, 0, 0] == 2.0
    # ceil mode on 5 cells, k=2, s=2: the last window holds 1 cell and its divisor is 1, not 2
    np.testing.assert_array_equal(avg_pool(np.arange(5.0)[None, None], 2, ceil_mode=True, ndim=1), [[[0.5, 2.5, 4.0]]])


# ------------------------------------------------------------------------------------------
# PyTorch oracle


@given(case=torch_pool_cases(), seed=st.integers(0, 2**16), unbatched=st.booleans())
def test_max_pool_matches_pytorch(torch, case, seed, unbatched):
    nd, n, c, axes, ceil_mode = case
    sizes, kernel, stride, padding, dilation = _unzip(axes)
    x = random_array((n, c, *sizes), seed, np.float64)
    xs = x[0] if unbatched else x
    values, indices = max_pool(
        xs, kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode, return_indices=True
    )
    expected, expected_indices = _fn(torch, "max_pool", nd)(
        torch.from_numpy(xs), kernel, stride, padding, dilation, ceil_mode=ceil_mode, return_indices=True
    )
    np.testing.assert_array_equal(values, expected.numpy())
    np.testing.assert_array_equal(indices, expected_indices.numpy())
    assert values.shape[-nd:] == ca.pool_output_size(sizes, kernel, stride, padding, dilation, ceil_mode)


@given(
    case=torch_pool_cases(dilation=False),
    seed=st.integers(0, 2**16),
    count_include_pad=st.booleans(),
    divisor=st.sampled_from([None, 1, 3, -2]),
)
def test_avg_pool_matches_pytorch(torch, case, seed, count_include_pad, divisor):
    nd, n, c, axes, ceil_mode = case
    sizes, kernel, stride, padding, _ = _unzip(axes)
    assume(nd > 1 or divisor is None)  # avg_pool1d has no divisor_override
    x = random_array((n, c, *sizes), seed, np.float64)
    y = avg_pool(
        x,
        kernel,
        stride=stride,
        padding=padding,
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor,
    )
    extra = {} if nd == 1 else {"divisor_override": divisor}
    expected = _fn(torch, "avg_pool", nd)(
        torch.from_numpy(x), kernel, stride, padding, ceil_mode, count_include_pad, **extra
    ).numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-14)


def test_avg_pool_float32_matches_pytorch_bitwise(torch):
    x = random_array((2, 8, 23, 17), 3)
    y = avg_pool(x, 3, stride=2, padding=1, ceil_mode=True, ndim=2)
    expected = torch.nn.functional.avg_pool2d(torch.from_numpy(x), 3, 2, 1, ceil_mode=True).numpy()
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, expected, rtol=1e-6)


@pytest.mark.parametrize("divisor", [None, 4, -3])
def test_integer_avg_pool_truncates_like_pytorch_int64(torch, divisor):
    x = random_array((2, 3, 9, 8), 4, np.int64, low=-50, high=50)
    y = avg_pool(x, 3, stride=2, padding=1, ceil_mode=True, divisor_override=divisor, ndim=2)
    expected = torch.nn.functional.avg_pool2d(
        torch.from_numpy(x), 3, 2, 1, ceil_mode=True, divisor_override=divisor
    ).numpy()
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, expected)


@given(
    nd=st.integers(1, 3),
    norm_type=st.sampled_from([1, 2, 3, 1.5, float("inf")]),
    kernel=st.integers(1, 3),
    stride=st.integers(1, 3),
    extra=st.integers(0, 3),
    ceil_mode=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_lp_pool_matches_pytorch_including_its_sign_quirk(torch, nd, norm_type, kernel, stride, extra, ceil_mode, seed):
    x = random_array((2, 2, *[kernel + extra] * nd), seed, np.float64)  # negative values included
    y = lp_pool(x, norm_type, kernel, stride=stride, ceil_mode=ceil_mode, ndim=nd)
    expected = _fn(torch, "lp_pool", nd)(torch.from_numpy(x), norm_type, kernel, stride, ceil_mode).numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12, equal_nan=True)


def test_max_pool_propagates_nan_like_pytorch(torch):
    x = random_array((1, 2, 6, 6), 5, np.float64)
    x[0, 0, 1, 1] = np.nan
    x[0, 1, 2, 3] = np.nan
    x[0, 1, 3, 3] = np.nan
    values, indices = max_pool(x, 3, stride=2, padding=1, return_indices=True, ndim=2)
    expected, expected_indices = torch.nn.functional.max_pool2d(torch.from_numpy(x), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(values, expected.numpy())
    np.testing.assert_array_equal(indices, expected_indices.numpy())


def test_global_pools_match_pytorch_adaptive_pools(torch):
    x = random_array((2, 3, 5, 7), 6, np.float64)
    xt = torch.from_numpy(x)
    np.testing.assert_allclose(global_avg_pool(x), torch.nn.functional.adaptive_avg_pool2d(xt, 1).numpy(), rtol=1e-12)
    np.testing.assert_array_equal(global_max_pool(x), torch.nn.functional.adaptive_max_pool2d(xt, 1).numpy())


def test_global_pools_in_1d_and_3d_match_numpy():
    for shape in ((2, 3, 7), (1, 2, 3, 4, 5)):
        x = random_array(shape, 7, np.float64)
        axes = tuple(range(2, len(shape)))
        np.testing.assert_allclose(global_avg_pool(x), x.mean(axis=axes, keepdims=True), rtol=1e-12)
        np.testing.assert_array_equal(global_max_pool(x), x.max(axis=axes, keepdims=True))


# ------------------------------------------------------------------------------------------
# naive-loop oracle: ONNX-style asymmetric padding, integers exact


@st.composite
def onnx_pool_cases(draw):
    nd = draw(st.integers(1, 2))
    axes = []
    for _ in range(nd):
        k = draw(st.integers(1, 4))
        s = draw(st.integers(1, 3))
        d = draw(st.integers(1, 2))
        ek = d * (k - 1) + 1
        pb, pe = draw(st.integers(0, ek - 1)), draw(st.integers(0, ek - 1))
        i = draw(st.integers(max(1, ek - pb - pe), ek + 4))
        axes.append((i, k, s, (pb, pe), d))
    return nd, axes, draw(st.booleans())


def _every_window_overlaps(axes, ceil_mode):
    from convarith.engine.reference import pool_starts

    for i, k, s, (pb, pe), d in axes:
        for start in pool_starts(i, k, s, pb, pe, d, ceil_mode):
            if not any(0 <= start + t * d < i for t in range(k)):
                return False
    return True


@given(case=onnx_pool_cases(), seed=st.integers(0, 2**16))
def test_max_pool_matches_naive_loops_on_integers(case, seed):
    _, axes, ceil_mode = case
    assume(_every_window_overlaps(axes, ceil_mode))
    sizes, kernel, stride, pads, dilation = _unzip(axes)
    x = random_array((2, 2, *sizes), seed, np.int16, low=-99, high=99)
    values, indices = max_pool(
        x, kernel, stride=stride, padding=pads, dilation=dilation, ceil_mode=ceil_mode, return_indices=True
    )
    expected, expected_indices = reference.max_pool(x, kernel, stride, pads, dilation, ceil_mode)
    assert values.dtype == np.int16
    np.testing.assert_array_equal(values, expected.astype(np.int16))
    np.testing.assert_array_equal(indices, expected_indices)
    assert values.shape[2:] == ca.pool_output_size(sizes, kernel, stride, pads, dilation, ceil_mode, convention="onnx")


@given(case=onnx_pool_cases(), seed=st.integers(0, 2**16), count_include_pad=st.booleans())
def test_avg_pool_matches_naive_loops_on_integers(case, seed, count_include_pad):
    _, axes, ceil_mode = case
    assume(_every_window_overlaps(axes, ceil_mode))
    sizes, kernel, stride, pads, dilation = _unzip(axes)
    x = random_array((2, 2, *sizes), seed, np.int32, low=-99, high=99)
    y = avg_pool(
        x,
        kernel,
        stride=stride,
        padding=pads,
        dilation=dilation,
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
    )
    expected = reference.avg_pool(x, kernel, stride, pads, ceil_mode, count_include_pad, None, dilation)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, expected.astype(np.int64))


@given(case=onnx_pool_cases(), seed=st.integers(0, 2**16))
def test_avg_pool_matches_naive_loops_on_floats(case, seed):
    _, axes, ceil_mode = case
    assume(_every_window_overlaps(axes, ceil_mode))
    sizes, kernel, stride, pads, dilation = _unzip(axes)
    x = random_array((1, 2, *sizes), seed, np.float64)
    y = avg_pool(x, kernel, stride=stride, padding=pads, dilation=dilation, ceil_mode=ceil_mode)
    expected = reference.avg_pool(x, kernel, stride, pads, ceil_mode, True, None, dilation)
    np.testing.assert_allclose(y, expected.astype(np.float64), rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------------------------------
# dtypes and memory


def test_max_pool_keeps_small_integer_types():
    x = np.array([[[[0, 255], [7, 1]]]], dtype=np.uint8)
    y = max_pool(x, 2, ndim=2)
    assert y.dtype == np.uint8
    assert y[0, 0, 0, 0] == 255


def test_float32_in_float32_out_everywhere():
    x = random_array((1, 2, 6, 6), 8)
    pools = (max_pool(x, 2, ndim=2), avg_pool(x, 2, ndim=2), lp_pool(x, 2, 2, ndim=2))
    for y in (*pools, global_avg_pool(x), global_max_pool(x)):
        assert y.dtype == np.float32


def test_unbatched_avg_pool_is_the_batched_one():
    x = arange_array((3, 6, 5)).astype(np.float64)
    np.testing.assert_array_equal(avg_pool(x, (3, 2), stride=2), avg_pool(x[None], (3, 2), stride=2)[0])


@pytest.mark.parametrize("which", ["max", "max_indices", "avg"])
def test_pooling_temporaries_follow_the_bound(monkeypatch, which):
    x = random_array((2, 8, 60, 60), 9, np.float64)

    def run():
        if which == "avg":
            return avg_pool(x, 3, stride=2, padding=1, ceil_mode=True, ndim=2)
        return max_pool(x, 3, stride=2, padding=1, return_indices=which == "max_indices", ndim=2)

    expected = run()
    budget = 2**16
    monkeypatch.setattr(engine, "MAX_TEMPORARY_BYTES", budget)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        y = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    y, expected = (y, expected) if isinstance(y, tuple) else ((y,), (expected,))
    result_bytes = sum(a.nbytes for a in y)
    assert peak - result_bytes <= budget + 2**15
    np.testing.assert_array_equal(
        np.concatenate([np.ravel(a) for a in y]), np.concatenate([np.ravel(a) for a in expected])
    )


# ------------------------------------------------------------------------------------------
# bad input: one named test per failure mode


def test_pool_refuses_an_int_kernel_on_a_2d_input_and_reads_it_as_told(torch):
    # issue 19: max_pool(img4x4, 2) pooled each row (read as (C, W)); a 2-d array reads two ways
    x = random_array((4, 6), 2, np.float64)
    with pytest.raises(ValueError, match=r"`kernel_size` 2 is one int and `x` has 2 dimensions \(4, 6\), which read "
                       r"two ways: a plain image \(H, W\) has 2 spatial axes, unbatched \(C, L\) has 1; pass "
                       r"ndim=2 or ndim=1, or one size per spatial axis, e.g. kernel_size=\(2, 2\)"):  # fmt: skip
        max_pool(x, 2)
    t = torch.from_numpy(x)
    np.testing.assert_array_equal(max_pool(x, 2, ndim=1), torch.nn.functional.max_pool1d(t, 2).numpy())
    plain = torch.nn.functional.max_pool2d(t[None, None], 2)[0, 0].numpy()
    np.testing.assert_array_equal(max_pool(x, 2, ndim=2), plain)
    np.testing.assert_array_equal(max_pool(x, (2, 2)), plain)


def test_pool_rejects_input_of_the_wrong_rank():
    with pytest.raises(ValueError, match=r"`x` must have shape .* 2 spatial axes .* got 5 dimensions"):
        max_pool(np.zeros((1, 1, 2, 4, 4)), (2, 2))


def test_pool_rejects_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"`kernel_size` 6 is larger than the padded input 5 = 5 \+ 0 \+ 0"):
        avg_pool(np.zeros((1, 1, 5)), 6, ndim=1)


def test_avg_pool_rejects_a_window_made_only_of_padding_without_pad_in_divisor():
    with pytest.raises(ValueError, match=r"`padding` \(2, 0\) leaves window 0 without an input cell .* divisor"):
        avg_pool(np.zeros((1, 1, 5)), 2, stride=1, padding=[(2, 0)], count_include_pad=False, ndim=1)


def test_max_pool_window_made_only_of_padding_is_minus_inf_like_pytorch(torch):
    # Dilated taps at -1 and 1 miss the single input cell; PyTorch returns -inf and index 1.
    x = np.array([[[5.0]]])
    values, indices = max_pool(x, 2, stride=1, padding=1, dilation=2, return_indices=True, ndim=1)
    expected, expected_indices = torch.nn.functional.max_pool1d(torch.from_numpy(x), 2, 1, 1, 2, return_indices=True)
    np.testing.assert_array_equal(values, expected.numpy())
    np.testing.assert_array_equal(indices, expected_indices.numpy())
    assert values[0, 0, 0] == -np.inf


def test_pool_rejects_non_integer_kernel():
    with pytest.raises(TypeError, match=r"`kernel_size` must be an integer, got float 2.0"):
        max_pool(np.zeros((1, 1, 5)), 2.0, ndim=1)


def test_pool_rejects_zero_stride():
    with pytest.raises(ValueError, match=r"`stride` must be positive, got 0"):
        avg_pool(np.zeros((1, 1, 5)), 2, stride=0, ndim=1)


def test_pool_rejects_negative_padding():
    with pytest.raises(ValueError, match=r"`padding` must be non-negative, got -1"):
        avg_pool(np.zeros((1, 1, 5)), 3, padding=-1, ndim=1)


def test_pool_rejects_non_bool_ceil_mode():
    with pytest.raises(TypeError, match=r"`ceil_mode` must be a bool, got int 1"):
        max_pool(np.zeros((1, 1, 5)), 2, ceil_mode=1, ndim=1)


def test_avg_pool_rejects_zero_divisor_override():
    with pytest.raises(ValueError, match=r"`divisor_override` must not be zero, got 0"):
        avg_pool(np.zeros((1, 1, 5)), 2, divisor_override=0, ndim=1)


def test_avg_pool_rejects_non_integer_divisor_override():
    with pytest.raises(TypeError, match=r"`divisor_override` must be an integer, got float 2.5"):
        avg_pool(np.zeros((1, 1, 5)), 2, divisor_override=2.5, ndim=1)


def test_lp_pool_rejects_zero_norm():
    with pytest.raises(ValueError, match=r"`norm_type` must be non-zero"):
        lp_pool(np.zeros((1, 1, 5)), 0, 2, ndim=1)


def test_lp_pool_rejects_non_numeric_norm():
    with pytest.raises(TypeError, match=r"`norm_type` must be a number, got str '2'"):
        lp_pool(np.zeros((1, 1, 5)), "2", 2, ndim=1)


def test_global_pool_rejects_input_without_spatial_axes():
    with pytest.raises(ValueError, match=r"`x` must have shape \(N, C, \*spatial\) with at least one spatial axis, "
                       r"or `ndim`: `x` has 2 dimensions \(2, 3\), which read two ways: a plain image \(H, W\) "
                       r"has 2 spatial axes, unbatched \(C, L\) has 1; pass ndim=2 or ndim=1"):  # fmt: skip
        global_avg_pool(np.zeros((2, 3)))


def test_pool_rejects_non_numeric_input():
    with pytest.raises(TypeError, match=r"`x` must hold integers or floats \(.*\), got dtype bool"):
        max_pool(np.zeros((1, 1, 4), dtype=bool), 2, ndim=1)


# ------------------------------------------------------------------------------------------
# signed zeros: the first maximum wins, as in PyTorch (issue 12)


@pytest.mark.parametrize(
    "values", [[-0.0, 0.0], [0.0, -0.0], [-0.0, -0.0], [-1.0, -0.0, 0.0], [0.0, -1.0, -0.0]], ids=str
)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_max_pool_keeps_the_sign_of_the_first_zero_as_pytorch(torch, values, dtype):
    x = np.array([[values]], dtype=dtype)
    expected, expected_indices = torch.nn.functional.max_pool1d(
        torch.from_numpy(x.astype(np.float32)), len(values), return_indices=True
    )
    ours = max_pool(x, len(values), ndim=1)
    ours_with_indices, indices = max_pool(x, len(values), ndim=1, return_indices=True)
    assert np.signbit(ours).tolist() == np.signbit(expected.numpy()).tolist()
    assert np.signbit(ours_with_indices).tolist() == np.signbit(expected.numpy()).tolist()
    assert np.signbit(global_max_pool(x)).tolist() == np.signbit(expected.numpy()).tolist()
    np.testing.assert_array_equal(indices, expected_indices.numpy())


def test_global_max_pool_signed_zeros_in_2d_planes_against_pytorch(torch):
    # the reduction leaves the sign of a zero maximum open; each plane takes its first zero's
    rng = seeded_rng(5)
    x = rng.choice([-0.0, 0.0, -1.0], size=(3, 8, 5, 4))
    x[0, 0] = -1.0  # a plane without zeros
    expected = torch.nn.functional.adaptive_max_pool2d(torch.from_numpy(x), 1).numpy()
    ours = global_max_pool(x)
    np.testing.assert_array_equal(ours, expected)
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(expected))
    assert np.signbit(ours).any() and not np.signbit(ours[ours == 0]).all()  # both signs occur


def test_max_pool_signed_zeros_in_2d_blocks_against_pytorch(torch):
    rng = seeded_rng(3)
    x = rng.choice([-0.0, 0.0, -1.0], size=(2, 3, 9, 8))
    expected = torch.nn.functional.max_pool2d(torch.from_numpy(x), 3, stride=2, padding=1)
    ours = max_pool(x, (3, 3), stride=2, padding=1)
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(expected.numpy()))


# ------------------------------------------------------------------------------------------
# the number of spatial axes: an int kernel with an input that reads two ways (issue 12)


@pytest.mark.parametrize("pool", ["max_pool", "avg_pool", "lp_pool"])
def test_int_kernel_on_a_chw_input_names_the_three_readings(pool):
    x = np.ones((3, 4, 4))  # (C, H, W) for avg_pool2d, (N, C, L), or a plain 3-d volume?
    call = {"max_pool": max_pool, "avg_pool": avg_pool, "lp_pool": lambda x, k: lp_pool(x, 2, k)}[pool]
    with pytest.raises(ValueError, match=r"`kernel_size` 2 is one int and `x` has 3 dimensions \(3, 4, 4\), which "
                       r"read three ways: batched \(N, C, \*spatial\) has 1 spatial axis, unbatched \(C, \*spatial\) "
                       r"has 2, a plain array \(\*spatial\) has 3; pass ndim=1, ndim=2 or ndim=3"):  # fmt: skip
        call(x, 2)


def test_avg_pool_of_chw_with_ndim_2_is_pytorchs_avg_pool2d(torch):
    x = random_array((3, 4, 6), 4, np.float64)
    expected = torch.nn.functional.avg_pool2d(torch.from_numpy(x), 2).numpy()
    np.testing.assert_array_equal(avg_pool(x, 2, ndim=2), expected)
    np.testing.assert_array_equal(avg_pool(x, (2, 2)), expected)  # a tuple says it too
    np.testing.assert_array_equal(avg_pool(x, 2, stride=(2, 2)), expected)  # so does a per-axis stride


def test_ndim_contradicting_a_tuple_is_refused():
    with pytest.raises(ValueError, match=r"`ndim` 1 contradicts the per-axis arguments, which give 2 spatial axes"):
        max_pool(np.ones((1, 1, 4, 4)), (2, 2), ndim=1)
