"""Tests of convarith.engine.convolution: conv and pad.

Oracles: PyTorch 2.13 (CPU), the loop definitions of convarith.engine.reference (exact on integers),
numpy.pad and numpy.convolve, hand-worked numbers, and the formula library for every shape.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convarith as ca
import convarith.engine.memory as engine
from convarith.engine import reference, symmetric
from convarith.engine.convolution import conv, pad
from convarith.testing import arange_array, random_array
from tests.guide import GUIDE_FIGURES

MODES = ("zeros", "reflect", "replicate", "circular")


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


def torch_conv(torch, x, w, b, stride, pads, dilation, groups, mode):
    """PyTorch: explicit F.pad (any asymmetric pads, any mode), then an unpadded conv."""
    import torch.nn.functional as F

    nd = w.ndim - 2
    flat = [v for pair in reversed(pads) for v in pair]  # F.pad wants the last axis first
    xt = torch.from_numpy(x)
    if any(flat):
        xt = F.pad(xt, flat, mode="constant" if mode == "zeros" else mode)
    fn = (F.conv1d, F.conv2d, F.conv3d)[nd - 1]
    bt = None if b is None else torch.from_numpy(b)
    return fn(xt, torch.from_numpy(w), bt, stride=stride, dilation=dilation, groups=groups).numpy()


# ------------------------------------------------------------------------------------------
# named cases


@pytest.mark.parametrize("name", GUIDE_FIGURES)
def test_guide_figures_match_naive_loops_exactly(name):
    i, k, s, p, d = GUIDE_FIGURES[name]
    x = arange_array((1, 1, i, i))
    w = arange_array((1, 1, k, k)) - 4
    y = conv(x, w, stride=s, padding=p, dilation=d)
    assert y.dtype == np.int64
    assert y.shape[2:] == ca.conv_output_size((i, i), k, s, p, d)
    np.testing.assert_array_equal(y, reference.conv(x, w, stride=s, padding=p, dilation=d).astype(np.int64))


def test_hand_worked_no_padding_no_strides():
    # 3x3 window sums of 0..15 on a 4x4 grid, worked out by hand: 0+1+2+4+5+6+8+9+10 = 45, ...
    y = conv(np.arange(16).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3), dtype=int))
    np.testing.assert_array_equal(y, [[[[45, 54], [81, 90]]]])


def test_hand_worked_padding_strides_reads_the_right_cells():
    # padding_strides on a 5x5 grid: output (0, 0) reads input (0..1, 0..1) plus padding.
    x = np.arange(25).reshape(1, 1, 5, 5)
    y = conv(x, np.ones((1, 1, 3, 3), dtype=int), stride=2, padding=1)
    assert y[0, 0, 0, 0] == 0 + 1 + 5 + 6
    assert y[0, 0, 2, 2] == 18 + 19 + 23 + 24
    assert y[0, 0, 1, 1] == sum(x[0, 0, 1:4, 1:4].ravel())


# ------------------------------------------------------------------------------------------
# PyTorch oracle


@st.composite
def conv_cases(draw, max_ndim=3):
    nd = draw(st.integers(1, max_ndim))
    groups = draw(st.integers(1, 3))
    c_group = draw(st.integers(1, 2))
    out_group = draw(st.integers(1, 2))
    mode = draw(st.sampled_from(MODES))
    axes = []
    for _ in range(nd):
        k = draw(st.integers(1, 3))
        s = draw(st.integers(1, 3))
        d = draw(st.integers(1, 2))
        pb, pe = draw(st.integers(0, 2)), draw(st.integers(0, 2))
        ek = d * (k - 1) + 1
        low = max(1, ek - pb - pe, pb + 1, pe + 1)  # reflect needs pads < i; keep it for every mode
        i = draw(st.integers(low, low + (4 if nd < 3 else 2)))
        axes.append((i, k, s, d, (pb, pe)))
    n = draw(st.integers(1, 2))
    bias = draw(st.booleans())
    return nd, n, groups, c_group, out_group, mode, axes, bias


@given(case=conv_cases(), seed=st.integers(0, 2**16))
def test_conv_matches_pytorch(torch, case, seed):
    _, n, groups, c_group, out_group, mode, axes, bias = case
    sizes, kernel, stride, dilation, pads = (tuple(a[j] for a in axes) for j in range(5))
    x = random_array((n, groups * c_group, *sizes), seed, np.float64)
    w = random_array((groups * out_group, c_group, *kernel), seed + 1, np.float64)
    b = random_array((groups * out_group,), seed + 2, np.float64) if bias else None
    y = conv(x, w, b, stride=stride, padding=pads, dilation=dilation, groups=groups, padding_mode=mode)
    expected = torch_conv(torch, x, w, b, stride, pads, dilation, groups, mode)
    assert y.shape == expected.shape
    assert y.shape[2:] == ca.conv_output_size(sizes, kernel, stride, pads, dilation)
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_conv_float32_matches_pytorch_module(torch, mode):
    # nn.Conv2d with its own padding_mode, symmetric padding 2, stride 2, groups 2.
    x = random_array((2, 4, 11, 9), 1)
    w = random_array((6, 2, 3, 3), 2)
    b = random_array((6,), 3)
    layer = torch.nn.Conv2d(4, 6, 3, stride=2, padding=2, groups=2, padding_mode=mode)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w))
        layer.bias.copy_(torch.from_numpy(b))
        expected = layer(torch.from_numpy(x)).numpy()
    y = conv(x, w, b, stride=2, padding=2, groups=2, padding_mode=mode)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_depthwise_with_channel_multiplier_matches_pytorch(torch):
    x = random_array((2, 8, 10, 10), 4)
    w = random_array((16, 1, 3, 3), 5)
    y = conv(x, w, stride=1, padding=1, groups=8)
    expected = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1, groups=8).numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


@given(
    nd=st.integers(1, 3),
    channels=st.integers(1, 5),
    multiplier=st.integers(1, 2),
    data=st.data(),
    seed=st.integers(0, 2**16),
)
def test_depthwise_matches_pytorch_in_every_rank(torch, nd, channels, multiplier, data, seed):
    # the depthwise path: one strided copy of every (dilated) tap per channel chunk, on the wide grid
    kernel = data.draw(st.tuples(*[st.integers(1, 3)] * nd))
    dilation = data.draw(st.tuples(*[st.integers(1, 2)] * nd))
    padding = data.draw(st.tuples(*[st.integers(0, 2)] * nd))
    sizes = tuple(data.draw(st.integers(max(1, d * (k - 1) + 1), 7)) for k, d in zip(kernel, dilation, strict=True))
    x = random_array((2, channels, *sizes), seed, np.float64)
    w = random_array((channels * multiplier, 1, *kernel), seed + 1, np.float64)
    y = conv(x, w, padding=padding, dilation=dilation, groups=channels)
    conv_nd = getattr(torch.nn.functional, f"conv{nd}d")
    expected = conv_nd(torch.from_numpy(x), torch.from_numpy(w), None, 1, padding, dilation, channels).numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


def test_unbatched_input_matches_pytorch_unbatched(torch):
    x = random_array((3, 7, 6), 6, np.float64)
    w = random_array((4, 3, 2, 3), 7, np.float64)
    y = conv(x, w, padding=1, stride=(1, 2))
    expected = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1, stride=(1, 2))
    assert y.shape == tuple(expected.shape)
    np.testing.assert_allclose(y, expected.numpy(), rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize("kernel", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("dilation", [1, 2])
def test_same_padding_stride_1_matches_pytorch_same(torch, kernel, dilation):
    # PyTorch's padding='same': total d(k - 1), the extra unit after - the 'tensorflow' split.
    x = random_array((1, 2, 9), 8, np.float64)
    w = random_array((3, 2, kernel), 9, np.float64)
    y = conv(x, w, padding="same", dilation=dilation)
    expected = torch.nn.functional.conv1d(torch.from_numpy(x), torch.from_numpy(w), padding="same", dilation=dilation)
    np.testing.assert_allclose(y, expected.numpy(), rtol=1e-12)


# ------------------------------------------------------------------------------------------
# naive-loop oracle, integers, exact


@given(case=conv_cases(max_ndim=2), seed=st.integers(0, 2**16))
def test_conv_matches_naive_loops_on_integers(case, seed):
    _, n, groups, c_group, out_group, mode, axes, bias = case
    sizes, kernel, stride, dilation, pads = (tuple(a[j] for a in axes) for j in range(5))
    x = random_array((n, groups * c_group, *sizes), seed, np.int64, low=-9, high=9)
    w = random_array((groups * out_group, c_group, *kernel), seed + 1, np.int32, low=-9, high=9)
    b = random_array((groups * out_group,), seed + 2, np.int16, low=-9, high=9) if bias else None
    y = conv(x, w, b, stride=stride, padding=pads, dilation=dilation, groups=groups, padding_mode=mode)
    assert y.dtype == np.int64
    expected = reference.conv(x, w, b, stride, pads, dilation, groups, mode)
    np.testing.assert_array_equal(y, expected.astype(np.int64))


@given(
    sizes=st.lists(st.integers(1, 9), min_size=1, max_size=3),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 4),
    dilation=st.integers(1, 3),
    pads=st.tuples(st.integers(0, 3), st.integers(0, 3)),
)
def test_output_shape_is_the_formula(sizes, kernel, stride, dilation, pads):
    nd = len(sizes)
    ek = dilation * (kernel - 1) + 1
    assume(all(i + sum(pads) >= ek for i in sizes))
    y = conv(
        np.zeros((1, 1, *sizes)),
        np.zeros((2, 1, *[kernel] * nd)),
        stride=stride,
        padding=(pads,) * nd,
        dilation=dilation,
    )
    assert y.shape == (1, 2, *ca.conv_output_size(tuple(sizes), kernel, stride, (pads,) * nd, dilation))


# ------------------------------------------------------------------------------------------
# padding strings, worked by hand: (i, k, s, d, padding, convention, expected (before, after))
PADDING_STRINGS = {
    "tf_same_stride2_even": (8, 3, 2, 1, "same", "tensorflow", (0, 1)),
    "tf_same_stem_224": (224, 7, 2, 1, "same", "tensorflow", (2, 3)),
    "tf_same_odd_299": (299, 7, 2, 1, "same", "tensorflow", (3, 3)),
    "same_lower_even_kernel": (5, 4, 1, 1, "same", "same_lower", (2, 1)),
    "caffe_same": (224, 7, 2, 1, "same", "caffe", (3, 3)),
    "valid": (6, 3, 2, 1, "valid", "tensorflow", (0, 0)),
    "full": (5, 3, 1, 1, "full", "tensorflow", (2, 2)),
    "full_dilated": (5, 3, 1, 2, "full", "tensorflow", (4, 4)),
}


@pytest.mark.parametrize("name", PADDING_STRINGS)
def test_padding_strings_pad_as_worked_by_hand(name):
    i, k, s, d, padding, convention, pair = PADDING_STRINGS[name]
    x = random_array((1, 2, i), 10, np.float64)
    w = random_array((2, 2, k), 11, np.float64)
    y = conv(x, w, stride=s, dilation=d, padding=padding, convention=convention)
    np.testing.assert_allclose(y, conv(x, w, stride=s, dilation=d, padding=[pair]), rtol=0, atol=0)
    if i < 20:
        np.testing.assert_allclose(y, reference.conv(x, w, None, s, [pair], d).astype(float), rtol=1e-12)


def test_symmetric_padding_delegates_to_symmetric_pad():
    x = random_array((2, 8, 6, 6), 12, np.float64)
    w = random_array((4, 8, 2, 2), 13, np.float64)
    y = conv(x, w, padding="symmetric")
    expected = conv(symmetric.symmetric_pad(x, (2, 2)), w)
    np.testing.assert_array_equal(y, expected)


# ------------------------------------------------------------------------------------------
# true convolution (flip)


def test_flip_gives_numpy_convolve_in_1d():
    x = random_array((20,), 14, np.float64)
    w = random_array((5,), 15, np.float64)
    for padding, mode in ((0, "valid"), ("full", "full")):
        y = conv(x[None, None], w[None, None], padding=padding, flip=True)[0, 0]
        np.testing.assert_allclose(y, np.convolve(x, w, mode=mode), rtol=1e-12)


def test_flip_on_integers_is_exact_in_2d():
    x = arange_array((1, 1, 5, 6))
    w = arange_array((2, 1, 2, 3))
    y = conv(x, w, flip=True, padding=1)
    expected = reference.conv(x, w[:, :, ::-1, ::-1].copy(), padding=1)
    np.testing.assert_array_equal(y, expected.astype(np.int64))


def test_flip_of_a_symmetric_kernel_changes_nothing():
    x = random_array((1, 1, 7, 7), 16)
    w = np.array([[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]], dtype=np.float32)
    np.testing.assert_array_equal(conv(x, w, flip=True), conv(x, w))


# ------------------------------------------------------------------------------------------
# dtypes


def test_float32_in_float32_out():
    assert conv(random_array((1, 2, 5, 5), 0), random_array((1, 2, 3, 3), 1)).dtype == np.float32


def test_integers_are_exact_beyond_float64_precision():
    # Products of (2^27 + 1)^2 = 2^54 + 2^28 + 1 are not representable in float64; int64 holds them.
    big = 2**27 + 1
    x = np.full((1, 1, 3, 3), big, dtype=np.int64)
    w = np.full((1, 1, 3, 3), big, dtype=np.int64)
    y = conv(x, w)
    assert y.dtype == np.int64
    assert int(y[0, 0, 0, 0]) == 9 * big * big


def test_small_integer_types_widen_instead_of_wrapping():
    x = np.full((1, 1, 4), 100, dtype=np.int8)
    w = np.full((1, 1, 3), 100, dtype=np.int8)
    y = conv(x, w)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, [[[30000, 30000]]])


# The dtype policy (mixed operands, unsigned integers, float16, complex): tests/engine/test_dtypes.py


# ------------------------------------------------------------------------------------------
# memory bound


def _traced_peak(fn):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_temporaries_stay_under_the_default_bound_on_a_large_input():
    # Unchunked, the column matrix alone would be 2*576*128*128*4 B = 72 MiB.
    x = random_array((2, 64, 128, 128), 17)
    w = random_array((64, 64, 3, 3), 18)
    y, peak = _traced_peak(lambda: conv(x, w, padding=1))
    assert y.shape == (2, 64, 128, 128)
    assert peak - y.nbytes <= engine.MAX_TEMPORARY_BYTES + 2**20


@pytest.mark.parametrize("mode", ["zeros", "reflect"])
@pytest.mark.parametrize("groups", [1, 16])
def test_temporaries_follow_a_smaller_bound_and_results_do_not_change(monkeypatch, mode, groups):
    x = random_array((3, 16, 40, 40), 19, np.float64)
    w = random_array((16, 16 // groups, 3, 3), 20, np.float64)
    expected = conv(x, w, padding=2, stride=(1, 2), groups=groups, padding_mode=mode)
    budget = 2**17  # 128 KiB: blocks of a few rows
    monkeypatch.setattr(engine, "MAX_TEMPORARY_BYTES", budget)
    y, peak = _traced_peak(lambda: conv(x, w, padding=2, stride=(1, 2), groups=groups, padding_mode=mode))
    assert peak - y.nbytes <= budget + 2**16
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


def test_a_single_position_larger_than_the_bound_still_works(monkeypatch):
    monkeypatch.setattr(engine, "MAX_TEMPORARY_BYTES", 16)
    x = arange_array((2, 3, 5, 4))
    w = arange_array((2, 3, 2, 2))
    np.testing.assert_array_equal(conv(x, w, padding=1), reference.conv(x, w, padding=1).astype(np.int64))


# ------------------------------------------------------------------------------------------
# pad


@given(
    sizes=st.lists(st.integers(1, 5), min_size=1, max_size=3),
    pads=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=3, max_size=3),
    mode=st.sampled_from(MODES),
)
def test_pad_matches_numpy_pad(sizes, pads, mode):
    pads = pads[: len(sizes)]
    limit = {"reflect": lambda i, p: p < i, "circular": lambda i, p: p <= i}.get(mode, lambda i, p: True)
    assume(all(limit(i, p) for i, pair in zip(sizes, pads, strict=True) for p in pair))
    x = arange_array((2, 3, *sizes))
    np.testing.assert_array_equal(pad(x, pads, mode), reference.pad(x, pads, mode))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_matches_pytorch_pad(torch, mode):
    x = random_array((2, 3, 4, 5), 21)
    expected = torch.nn.functional.pad(torch.from_numpy(x), (1, 3, 2, 0), mode=mode).numpy()
    np.testing.assert_array_equal(pad(x, ((2, 0), (1, 3)), mode), expected)


def test_pad_fill_value_and_constant_alias():
    x = np.ones((1, 1, 2), dtype=np.float32)
    for mode in ("zeros", "constant"):
        y = pad(x, (1, 2), mode, value=-7)
        assert y.dtype == np.float32
        np.testing.assert_array_equal(y, [[[-7, 1, 1, -7, -7]]])


def test_pad_unbatched_with_ndim():
    x = arange_array((2, 3, 3))
    y = pad(x, 1, ndim=2)
    assert y.shape == (2, 5, 5)
    np.testing.assert_array_equal(y[:, 1:-1, 1:-1], x)


def test_pad_with_zero_padding_returns_a_copy():
    x = arange_array((1, 1, 3))
    y = pad(x, 0)
    y[...] = 5
    np.testing.assert_array_equal(x, [[[0, 1, 2]]])


# ------------------------------------------------------------------------------------------
# bad input: one named test per failure mode


def _x(shape=(1, 2, 5, 5)):
    return np.zeros(shape, dtype=np.float32)


def _w(shape=(2, 2, 3, 3)):
    return np.zeros(shape, dtype=np.float32)


def test_conv_rejects_a_plain_kernel_with_a_channel_input():
    # a 2-d weight is a plain kernel (issue 19), for a plain 2-d x only
    with pytest.raises(ValueError, match=r"`weight` \(2, 2\) is a plain 2-d kernel \(no channel axes\), so `x` must "
                       r"be a plain 2-d array, got shape \(1, 2, 5, 5\); for channels give `weight` the shape "
                       r"\(C_out, C_in / groups, \*kernel_size\)"):  # fmt: skip
        conv(_x(), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"`weight` must have at least one axis"):
        conv(_x(), np.zeros(()))


def test_conv_rejects_input_of_the_wrong_rank():
    with pytest.raises(ValueError, match=r"`x` must have shape .* 2 spatial axes .* got 5 dimensions"):
        conv(np.zeros((1, 1, 2, 5, 5)), _w())


def test_conv_rejects_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match=r"`x` channels 3 must be divisible by `groups` 2"):
        conv(_x((1, 3, 5, 5)), _w((2, 1, 3, 3)), groups=2)


def test_conv_rejects_output_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match=r"`weight` output channels 3 must be divisible by `groups` 2"):
        conv(_x((1, 4, 5, 5)), _w((3, 2, 3, 3)), groups=2)


def test_conv_rejects_weight_channels_that_do_not_match_the_input():
    with pytest.raises(ValueError, match=r"expects 3 \* 1 = 3 input channels .* got 2"):
        conv(_x(), _w((2, 3, 3, 3)))


def test_conv_rejects_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"`kernel_size` 8 is larger than the padded input 7 = 5 \+ 1 \+ 1 on axis 1"):
        conv(_x(), _w((2, 2, 3, 8)), padding=1)


def test_conv_rejects_dilated_kernel_larger_than_input():
    with pytest.raises(ValueError, match=r"`kernel_size` 3 \(dilated: 3\*\(3 - 1\) \+ 1 = 7\) is larger"):
        conv(_x(), _w(), dilation=3)


def test_conv_rejects_reflect_padding_as_wide_as_the_input():
    with pytest.raises(ValueError, match=r"`padding` \(5, 5\) on axis 0 must be smaller than the input size 5"):
        conv(_x(), _w(), padding=5, padding_mode="reflect")


def test_conv_rejects_circular_padding_wider_than_the_input():
    with pytest.raises(ValueError, match=r"must be at most the input size 5 for padding_mode='circular'"):
        conv(_x(), _w(), padding=6, padding_mode="circular")


def test_conv_rejects_non_integer_stride():
    with pytest.raises(TypeError, match=r"`stride` must be an integer, got float 1.5"):
        conv(_x(), _w(), stride=1.5)


def test_conv_rejects_non_integer_padding():
    with pytest.raises(TypeError, match=r"`padding` must be an integer, got float 0.5"):
        conv(_x(), _w(), padding=0.5)


def test_conv_rejects_zero_stride():
    with pytest.raises(ValueError, match=r"`stride\[1\]` must be positive, got 0"):
        conv(_x(), _w(), stride=(1, 0))


def test_conv_rejects_zero_dilation():
    with pytest.raises(ValueError, match=r"`dilation` must be positive, got 0"):
        conv(_x(), _w(), dilation=0)


def test_conv_rejects_negative_padding():
    with pytest.raises(ValueError, match=r"`padding\[0\] before` must be non-negative, got -1"):
        conv(_x(), _w(), padding=((-1, 0), (0, 0)))


def test_conv_rejects_padding_with_the_wrong_number_of_axes():
    with pytest.raises(
        ValueError, match=r"`padding` must be an int, or one int or \(before, after\) pair per axis \(2\)"
    ):
        conv(_x(), _w(), padding=(1, 1, 1))


def test_conv_rejects_stride_with_the_wrong_number_of_axes():
    with pytest.raises(ValueError, match=r"`stride` must have one entry per axis \(2\), got 3"):
        conv(_x(), _w(), stride=(1, 1, 1))


def test_conv_rejects_mismatched_bias():
    with pytest.raises(ValueError, match=r"`bias` must have shape \(C_out,\) = \(2,\), got \(3,\)"):
        conv(_x(), _w(), np.zeros(3))


def test_conv_rejects_zero_groups():
    with pytest.raises(ValueError, match=r"`groups` must be positive, got 0"):
        conv(_x(), _w(), groups=0)


def test_conv_rejects_unknown_padding_string():
    with pytest.raises(ValueError, match=r"`padding` must be one of 'same', .*'symmetric'; got 'half'"):
        conv(_x(), _w(), padding="half")


def test_conv_rejects_unknown_padding_mode():
    with pytest.raises(ValueError, match=r"`padding_mode` must be one of .*; got 'mirror'"):
        conv(_x(), _w(), padding_mode="mirror")


def test_conv_rejects_unknown_convention():
    with pytest.raises(ValueError, match=r"`convention` must be one of .*; got 'keras3'"):
        conv(_x(), _w(), padding="same", convention="keras3")


def test_conv_rejects_pytorch_same_with_stride():
    with pytest.raises(ValueError, match=r"`stride` 2( on axis 0)?: PyTorch refuses padding='same'"):
        conv(_x(), _w(), padding="same", stride=2, convention="pytorch")


def test_conv_rejects_symmetric_padding_with_another_mode():
    with pytest.raises(ValueError, match=r"'symmetric' pads with zeros; got padding_mode='reflect'"):
        conv(_x(), _w(), padding="symmetric", padding_mode="reflect")


def test_conv_rejects_non_numeric_input():
    with pytest.raises(TypeError, match=r"`x` must hold integers or floats \(.*\), got dtype <U1"):
        conv(np.full((1, 2, 5, 5), "a"), _w())


def test_conv_rejects_boolean_weight():
    with pytest.raises(TypeError, match=r"`weight` must hold integers or floats \(.*\), got dtype bool"):
        conv(_x(), np.ones((2, 2, 3, 3), dtype=bool))


def test_conv_rejects_empty_input():
    with pytest.raises(ValueError, match=r"`x` must have at least one cell per spatial axis, got shape \(1, 2, 0, 5\)"):
        conv(np.zeros((1, 2, 0, 5)), _w())


def test_conv_rejects_non_bool_flip():
    with pytest.raises(TypeError, match=r"`flip` must be a bool, got str 'yes'"):
        conv(_x(), _w(), flip="yes")


def test_pad_rejects_reflect_padding_as_wide_as_the_input():
    with pytest.raises(
        ValueError, match=r"`padding` \(3, 3\) must be smaller than the input size 3 for mode='reflect'"
    ):
        pad(np.zeros((1, 1, 3)), 3, mode="reflect")


def test_pad_rejects_unknown_mode():
    with pytest.raises(ValueError, match=r"`mode` must be one of .*; got 'edge'"):
        pad(np.zeros((1, 1, 3)), 1, mode="edge")


def test_pad_refuses_an_int_padding_of_a_2d_input_and_too_many_axes():
    # issue 19: a 2-d array is a plain image or (C, L); "must have a channel axis" before
    with pytest.raises(ValueError, match=r"`padding` 1 is one int and `x` has 2 dimensions \(3, 3\), which read two "
                       r"ways: a plain image \(H, W\) has 2 spatial axes, unbatched \(C, L\) has 1; pass ndim=2 or "
                       r"ndim=1, or one size per spatial axis, e.g. padding=\(1, 1\)"):  # fmt: skip
        pad(np.zeros((3, 3)), 1)
    with pytest.raises(ValueError, match=r"`x` must have at least 3 dimensions for 3 padded axes, got 2"):
        pad(np.zeros((3, 3)), 1, ndim=3)
    with pytest.raises(ValueError, match=r"`x` must have at least one axis"):
        pad(np.zeros(()), 1)
    with pytest.raises(TypeError, match=r"`spatial_dims` is now `ndim`"):
        pad(np.zeros((1, 3, 3)), 1, spatial_dims=2)


def test_pad_rejects_string_padding():
    with pytest.raises(TypeError, match=r"`padding` must be an int or a tuple here, got string 'same'"):
        pad(np.zeros((1, 1, 3)), "same")


# ------------------------------------------------------------------------------------------
# the window machinery the engine reads (additions to convarith.arithmetic.windows)


@given(
    i=st.integers(1, 12),
    k=st.integers(1, 4),
    s=st.integers(1, 3),
    d=st.integers(1, 3),
    pads=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    data=st.data(),
)
def test_block_slices_tile_the_whole_axis_slice(i, k, s, d, pads, data):
    assume(i + sum(pads) >= d * (k - 1) + 1)
    (a,) = ca.window_map(i, k, s, pads, d).axes
    start = data.draw(st.integers(0, a.output_size - 1))
    stop = data.draw(st.integers(start + 1, a.output_size))
    padded = np.arange(pads[0] + i + pads[1])
    extent = padded[a.padded_extent(start, stop)]
    for t in range(k):
        assert a.block_slice(t) == a.padded_slice(t)
        # tap t of outputs start..stop-1, read inside the block's extent, is the same cells
        np.testing.assert_array_equal(extent[a.block_slice(t, start, stop)], padded[a.padded_slice(t)][start:stop])
        # and they are the window map's input coordinates, shifted to padded coordinates
        np.testing.assert_array_equal(extent[a.block_slice(t, start, stop)], a.indices()[start:stop, t] + pads[0])


@pytest.mark.parametrize("mode", MODES)
def test_padded_sources_are_numpy_pad_index_maps(mode):
    for i in range(1, 6):
        for pb, pe in ((0, 0), (1, 0), (0, 2), (min(i - 1, 3), min(i - 1, 2)), (i, i)):
            if (mode == "reflect" and max(pb, pe) >= i) or (mode == "circular" and max(pb, pe) > i):
                continue
            (a,) = ca.window_map(i, 1, 1, (pb, pe)).axes
            sources = a.padded_sources(mode)
            expected = reference.pad(np.arange(i)[None, None], [(pb, pe)], mode, value=-1)[0, 0]
            np.testing.assert_array_equal(sources, expected)


def test_padded_sources_mark_the_ceil_mode_overhang():
    (a,) = ca.window_map(5, 2, 2, 0, ceil_mode=True, pooling=True).axes  # last window reads cell 5
    assert a.overhang == 1
    np.testing.assert_array_equal(a.padded_sources("zeros"), [0, 1, 2, 3, 4, -1])


def test_padded_sources_refuse_reflect_padding_as_wide_as_the_input():
    (a,) = ca.window_map(3, 1, 1, (3, 0)).axes
    with pytest.raises(ValueError, match=r"must be smaller than the input size 3 for reflect"):
        a.padded_sources("reflect")


def test_padded_extent_rejects_an_empty_block():
    (a,) = ca.window_map(5, 3).axes
    with pytest.raises(ValueError, match=r"`start` 2 and `stop` 2 must satisfy 0 <= start < stop <= 3"):
        a.padded_extent(2, 2)


def test_padding_far_beyond_the_input_gives_blocks_made_only_of_padding():
    x = arange_array((1, 2, 5, 5))
    w = arange_array((2, 2, 3, 3))
    y = conv(x, w, padding=((7, 0), (0, 9)), stride=(2, 3))
    np.testing.assert_array_equal(y, reference.conv(x, w, padding=((7, 0), (0, 9)), stride=(2, 3)).astype(np.int64))
