"""Huge strides, dilations and paddings: memory follows the input, the output and the kernel (issue 12).

A layer with stride 10**8 and one input cell has three output cells; the engine must not touch
(or allocate) the 10**8 cells in between. The property tests draw per-axis strides, dilations and
paddings up to 10**8 for every path (conv, the pools, pad, conv_matrix, symmetric padding,
conv_transpose) and bound the peak traced memory (``tracemalloc``, which NumPy reports to) by a
multiple of ``input + output x kernel`` cells plus a constant, never by the stride. Time is not
measured (the machine is shared), but a blow-up in time would come with one in memory here.

``conv_transpose_construction`` is left out on purpose: it builds the guide's zero-inserted input,
``(i' - 1)*s + 1`` cells per axis, to show it (see its docstring).

Oracles: the output sizes of :mod:`convarith.arithmetic` (shape), PyTorch on the small cases
(values), and for conv_transpose the scatter written out by hand.
"""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convarith as ca

HUGE = st.sampled_from([10**3, 12345, 10**5, 10**6 + 1, 10**7, 10**8])
SLACK = 512 * 2**10  # bytes: index arrays, Python objects, NumPy's ufunc buffers


def peak_bytes(fn: Callable[[], Any]) -> tuple[int, Any]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def bound(input_cells: int, output_cells: int, taps: int, itemsize: int = 8) -> int:
    """The allowed peak: a fixed multiple of input + output x kernel, plus a constant."""
    return 16 * itemsize * (input_cells + output_cells * taps) + SLACK


@st.composite
def axis(draw: Any, huge_padding: bool = True) -> tuple[int, int, int, int, int]:
    """(input, kernel, stride, dilation, padding) with some values huge."""
    i = draw(st.integers(1, 6))
    k = draw(st.integers(1, 3))
    s = draw(st.one_of(st.integers(1, 3), HUGE))
    d = draw(st.one_of(st.integers(1, 2), HUGE))
    p = draw(st.one_of(st.integers(0, 2), HUGE)) if huge_padding else draw(st.integers(0, 2))
    return i, k, s, d, p


def _sizes(axes: list[tuple[int, int, int, int, int]]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(a[j] for a in axes) for j in range(5))


def _small_output(shape: tuple[int, ...], limit: int = 4000) -> None:
    assume(all(o >= 1 for o in shape) and math.prod(shape) <= limit)


@given(axes=st.lists(axis(), min_size=1, max_size=2), mode=st.sampled_from(["zeros", "replicate"]))
def test_conv_memory_does_not_follow_stride_dilation_or_padding(axes, mode):
    i, k, s, d, p = _sizes(axes)
    try:
        out = ca.conv_output_size(i, k, s, p, d)
    except ValueError:
        assume(False)
    _small_output(out)
    x = np.ones((1, 2, *i))
    w = np.ones((3, 2, *k))
    peak, y = peak_bytes(lambda: ca.conv(x, w, stride=s, padding=p, dilation=d, padding_mode=mode))
    assert y.shape == (1, 3, *out)
    assert peak <= bound(x.size, y.size, 2 * math.prod(k))


@given(axes=st.lists(axis(), min_size=1, max_size=2), kind=st.sampled_from(["max", "indices", "avg", "lp"]))
def test_pool_memory_does_not_follow_stride_dilation_or_padding(axes, kind):
    i, k, s, d, p = _sizes(axes)
    try:
        out = ca.pool_output_size(i, k, s, p, d, convention="onnx")
    except ValueError:
        assume(False)
    _small_output(out)
    x = np.arange(2.0 * math.prod(i)).reshape(1, 2, *i)
    calls = {
        "max": lambda: ca.max_pool(x, k, stride=s, padding=p, dilation=d),
        "indices": lambda: ca.max_pool(x, k, stride=s, padding=p, dilation=d, return_indices=True)[0],
        "avg": lambda: ca.avg_pool(x, k, stride=s, padding=p, dilation=d),
        "lp": lambda: ca.lp_pool(x, 2, k, stride=s, padding=p, dilation=d),
    }
    peak, y = peak_bytes(calls[kind])
    assert y.shape == (1, 2, *out)
    assert peak <= bound(x.size, y.size, math.prod(k))


@given(axes=st.lists(axis(), min_size=1, max_size=2))
def test_conv_matrix_memory_is_the_matrix(axes):
    i, k, s, d, p = _sizes(axes)
    try:
        out = ca.conv_output_size(i, k, s, p, d)
    except ValueError:
        assume(False)
    _small_output(out, 500)
    w = np.ones((2, 1, *k))
    peak, matrix = peak_bytes(lambda: ca.conv_matrix((1, *i), w, stride=s, padding=p, dilation=d))
    assert matrix.shape == (2 * math.prod(out), math.prod(i))
    assert peak <= matrix.nbytes + bound(math.prod(i), 2 * math.prod(out), math.prod(k))


@given(
    sizes=st.lists(st.integers(1, 5), min_size=1, max_size=2),
    dilation=st.one_of(st.integers(1, 3), HUGE).map(lambda d: d | 1),  # odd: kernel 2 spans d + 1 (even)
    stride=st.one_of(st.integers(1, 2), HUGE),
)
def test_symmetric_padding_memory_does_not_follow_the_dilation(sizes, dilation, stride):
    x = np.ones((1, 4, *sizes))
    w = np.ones((2, 4, *[2] * len(sizes)))
    spans = dilation + 1
    out = ca.conv_output_size(sizes, 2, stride, [(spans // 2 - 1, spans // 2)] * len(sizes), dilation)
    peak, y = peak_bytes(lambda: ca.conv(x, w, stride=stride, dilation=dilation, padding="symmetric"))
    assert y.shape == (1, 2, *out)
    assert peak <= bound(x.size, y.size, 4 * 2 ** len(sizes))


@given(
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=2),
    padding=st.one_of(st.integers(0, 3), st.integers(10**3, 10**5)),
)
def test_pad_memory_is_the_padded_output(sizes, padding):
    assume(math.prod(n + 2 * padding for n in sizes) <= 10**6)
    x = np.ones((1, 1, *sizes))
    peak, y = peak_bytes(lambda: ca.pad(x, padding, mode="replicate"))
    assert peak <= 8 * y.nbytes + SLACK  # copies and per-axis index arrays: a few times the output


@st.composite
def transposed_axis(draw: Any) -> tuple[int, int, int, int, int]:
    """(input, kernel, stride, dilation, padding) of a transposed convolution with a small output."""
    i = draw(st.integers(1, 3))
    k = draw(st.integers(1, 3))
    s = draw(st.one_of(st.integers(1, 3), HUGE))
    d = draw(st.one_of(st.integers(1, 2), HUGE))
    full = (i - 1) * s + d * (k - 1) + 1  # the output without padding
    crop = draw(st.integers(0, max(full - 1, 0)))  # padding crops all but a few cells
    keep = draw(st.integers(1, 6))
    total = max(min(full - keep, crop), 0)
    return i, k, s, d, total


@given(axes=st.lists(transposed_axis(), min_size=1, max_size=2), before=st.floats(0, 1))
def test_conv_transpose_memory_does_not_follow_the_stride(axes, before):
    i, k, s, d, totals = _sizes(axes)
    pads = tuple((int(t * before), t - int(t * before)) for t in totals)
    out = ca.conv_transpose_output_size(i, k, s, pads, 0, d)
    _small_output(out)
    x = np.ones((2, 2, *i))
    w = np.ones((2, 3, *k))
    peak, y = peak_bytes(lambda: ca.conv_transpose(x, w, stride=s, padding=pads, dilation=d))
    assert y.shape == (2, 3, *out)
    assert peak <= bound(x.size, y.size, 3 * math.prod(k))


# ------------------------------------------------------------------------------------------
# the examples of issue 12, with values


def test_issue_12_conv_transpose_single_cell_stride_10_to_8():
    # 17 s and 414 MiB at 10**7, MemoryError at 10**8, before
    peak, y = peak_bytes(lambda: ca.conv_transpose(np.ones((1, 1, 1)), np.array([[[1.0, 2.0, 3.0]]]), stride=10**8))
    assert y.tolist() == [[[1.0, 2.0, 3.0]]]
    assert peak < SLACK


def test_issue_12_conv_transpose_2d_stride_1000_stamps_the_kernel_four_times():
    # 2.3 s at stride 1000 and 22 s at 3000, before; time and memory now follow the output
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    w = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    peak, y = peak_bytes(lambda: ca.conv_transpose(x, w, stride=1000))
    assert y.shape == (1, 1, 1003, 1003)
    expected = np.zeros((1003, 1003))
    for j0, j1 in np.ndindex(2, 2):
        expected[j0 * 1000 : j0 * 1000 + 3, j1 * 1000 : j1 * 1000 + 3] = x[0, 0, j0, j1] * w[0, 0]
    np.testing.assert_array_equal(y[0, 0], expected)
    assert peak <= 2 * y.nbytes + SLACK


def test_huge_dilation_and_padding_match_pytorch():
    torch = pytest.importorskip("torch")
    x = np.arange(1.0, 6.0).reshape(1, 1, 5)
    w = np.array([[[1.0, 10.0, 100.0]]])
    for stride, dilation, padding in [(10**6, 1, 10**6), (1, 10**5, 10**5), (7, 3 * 10**4, 3 * 10**4 + 1)]:
        expected = torch.nn.functional.conv1d(torch.from_numpy(x), torch.from_numpy(w), None, stride, padding, dilation)
        np.testing.assert_array_equal(
            ca.conv(x, w, stride=stride, padding=padding, dilation=dilation), expected.numpy()
        )
    for stride in (10**6, 10**8):
        pooled = torch.nn.functional.max_pool1d(torch.from_numpy(x), 3, stride, 1, ceil_mode=True)
        np.testing.assert_array_equal(ca.max_pool(x, (3,), stride=stride, padding=1, ceil_mode=True), pooled)


@pytest.mark.parametrize(
    ("c_in", "c_out", "groups", "mode"), [(1, 1, 1, "zeros"), (2, 2, 2, "reflect"), (3, 4, 1, "circular")]
)
def test_a_dilation_of_hundreds_over_a_big_image_matches_pytorch(c_in, c_out, groups, mode):
    """A 2x2 kernel dilated 601 on 1203x1203 (depthwise and GEMM paths, every padding mode): the
    path that gathers tap by tap when dense blocks would copy their halo over and over."""
    torch = pytest.importorskip("torch")
    x = (np.arange(c_in * 1203 * 1203) % 7).reshape(1, c_in, 1203, 1203).astype(np.float64)
    w = (np.arange(c_out * (c_in // groups) * 4) % 5 + 1.0).reshape(c_out, c_in // groups, 2, 2)
    padding = 0 if mode == "zeros" else 3
    got = ca.conv(x, w, dilation=601, padding=padding, groups=groups, padding_mode=mode)
    torch_x = torch.from_numpy(x)
    if mode != "zeros":
        torch_x = torch.nn.functional.pad(torch_x, (padding,) * 4, mode=mode)
    torch_padding = 0 if mode != "zeros" else padding
    expected = torch.nn.functional.conv2d(torch_x, torch.from_numpy(w), None, 1, torch_padding, 601, groups)
    np.testing.assert_array_equal(got, expected.numpy())


def test_dense_blocks_that_recopy_their_halo_switch_to_gathering():
    """The decision (speed in benchmarks/bench_engine.py): a 2x2 kernel dilated 601 over 1203x1203
    in blocks of 100 outputs copies 601x700 cells per block; a 3x3 conv in whole images does not."""
    from convarith.arithmetic import window_map
    from convarith.engine import _core as core

    huge = window_map((1203, 1203), (2, 2), dilation=601).axes, (1, 603, 603)
    assert core.rereads_halo(*huge, (1, 1, 100))
    assert not core.rereads_halo(*huge, (1, 603, 603))  # one block: the halo copied once
    resnet = window_map((56, 56), (3, 3), padding=1).axes, (1, 56, 56)
    assert not core.rereads_halo(*resnet, (1, 56, 56))
    assert not core.rereads_halo(*resnet, (1, 1, 56))


# ------------------------------------------------------------------------------------------
# the size guard before allocation (issue 19 item 4): the result's size from the layer first


def test_issue_19_conv_padding_10_6_is_refused_with_the_size():
    # MemoryError before (87.3 TiB asked of NumPy)
    with pytest.raises(ValueError, match=r"^`padding` 1000000 gives a 2000003×2000003 output of float64: 29\.1 TiB, "
                       r"more than MAX_RESULT_BYTES = 1\.0 GiB"):  # fmt: skip
        ca.conv(np.ones((5, 5)), np.ones((3, 3)), padding=10**6)
    # 2 * 4 * 2000003**2 * 4 bytes = 128000768001152 bytes = 116.4 * 2**40
    with pytest.raises(ValueError, match=r"^`padding` 1000000 gives a 2×4×2000003×2000003 output of float32: 116\.4 "):
        ca.conv(np.ones((2, 3, 5, 5), np.float32), np.ones((4, 3, 3, 3), np.float32), padding=10**6)


def test_issue_19_conv_padding_2_63_is_refused_naming_the_bound():
    # NumPy's "Maximum allowed dimension exceeded" before; now the argument gate's bound
    with pytest.raises(
        ValueError, match=r"^`padding` must be at most 2147483647 \(MAX_SIZE\), got 9223372036854775808"
    ):
        ca.conv(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding=2**63)


def test_conv_padding_at_the_bound_is_refused_with_the_size():
    with pytest.raises(ValueError, match=r"^`padding` 2147483647 gives a 1×1×4294967297×4294967297 output"):
        ca.conv(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding=2**31 - 1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ca.max_pool(np.ones((5, 5)), (3, 3), stride=1, padding=10**6), r"`padding` 1000000 gives a 2000003×"),
        (lambda: ca.max_pool(np.ones((1, 5)), (3,), stride=1, padding=10**9, return_indices=True), "and indices"),
        (lambda: ca.avg_pool(np.ones((5, 5), int), 3, ndim=2, stride=1, padding=2**31 - 1), r"4294967297×4294967297"),
        (lambda: ca.lp_pool(np.ones((1, 1, 5)), 2, (3,), stride=1, padding=10**9), r"`padding` 1000000000 gives"),
        (lambda: ca.pad(np.ones((5, 5)), (10**6, 10**6)), r"`padding` 1000000 gives a 2000005×2000005 padded array"),
        (lambda: ca.pad(np.ones((1, 1, 5)), 2**31 - 1), r"`padding` 2147483647 gives a 1×1×4294967299"),
        (lambda: ca.conv_transpose(np.ones((5, 5)), np.ones((3, 3)), stride=10**6), r"`stride` 1000000 gives a 400000"),
        (
            lambda: ca.conv_transpose_construction(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=10**6),
            r"`stride` 1000000 gives a 1×1×4000001×4000001 stretched input of float64: 116\.4 TiB",
        ),
        (
            lambda: ca.conv_transpose_construction(np.ones((5, 5)), np.ones((3, 3)), dilation=10**6),
            r"`dilation` 1000000 gives a 4000005×4000005 padded input",
        ),
        (lambda: ca.engine.symmetric_pad(np.ones((1, 1, 5, 5)), 10**6), r"`kernel_size` 1000000 gives a 1×1×1000004×"),
    ],
    ids=["max_pool", "max_pool indices", "avg_pool 2**31-1", "lp_pool", "pad", "pad 2**31-1", "conv_transpose",
         "construction stride", "construction dilation", "symmetric_pad"],
)  # fmt: skip
def test_every_engine_path_refuses_a_huge_result_before_allocating(call, message):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=message):
            call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < SLACK  # nothing the size of the result was allocated


@pytest.mark.parametrize(
    "call",
    [
        lambda: ca.max_pool(np.ones((1, 1, 5)), (3,), stride=2**63),
        lambda: ca.avg_pool(np.ones((1, 1, 5)), (3,), stride=2**63),
        lambda: ca.conv_matrix((1, 5), np.ones((1, 1, 3)), stride=2**63),
        lambda: ca.conv(np.ones((1, 1, 5)), np.ones((1, 1, 3)), stride=2**63, padding=2**62),
    ],
    ids=["max_pool", "avg_pool", "conv_matrix", "conv"],
)
def test_strides_beyond_the_index_arrays_are_refused_naming_them(call):
    # OverflowError ("Python int too large to convert to C long") before
    # the argument gate bounds every size, stride and padding by MAX_SIZE (2**31 - 1) before the engine's own
    # check of the window coordinates' range
    with pytest.raises(ValueError, match=r"`(stride|padding)` must be at most 2147483647 \(MAX_SIZE\)"):
        call()


def test_the_result_bound_is_read_at_each_call(monkeypatch):
    import convarith.engine.memory as memory

    monkeypatch.setattr(memory, "MAX_RESULT_BYTES", 1000)
    with pytest.raises(ValueError, match=r"`x` of shape \(20, 20\) with `weight` of shape \(3, 3\) gives a 18×18 "
                       r"output of float64: 2\.5 KiB, more than MAX_RESULT_BYTES = 1000 bytes"):  # fmt: skip
        ca.conv(np.ones((20, 20)), np.ones((3, 3)))
    assert ca.conv(np.ones((10, 10)), np.ones((3, 3))).shape == (8, 8)  # 512 bytes


@pytest.mark.parametrize(
    "call",
    [
        lambda: ca.conv(np.ones((5, 5)), np.ones((3, 3)), padding=10**5000),
        lambda: ca.max_pool(np.ones((1, 1, 5)), (3,), stride=10**5000),
        lambda: ca.avg_pool(np.ones((5, 5)), (3, 3), padding=10**400),
        lambda: ca.pad(np.ones((5, 5)), (10**5000, 1)),
        lambda: ca.conv_transpose(np.ones((5, 5)), np.ones((3, 3)), stride=10**5000),
        lambda: ca.conv_transpose_construction(np.ones((5, 5)), np.ones((3, 3)), dilation=10**5000),
        lambda: ca.engine.symmetric_pad(np.ones((1, 1, 5, 5)), 10**5000),
        lambda: ca.conv_matrix((1, 5), np.ones((1, 1, 3)), padding=10**5000),
    ],
    ids=["conv", "max_pool", "avg_pool", "pad", "conv_transpose", "construction", "symmetric_pad", "conv_matrix"],
)
def test_astronomical_arguments_are_named_without_printing_them_whole(call):
    # 10**5000 printed whole exceeds Python's 4300-digit str limit (a ValueError about digits),
    # and 10**400 / 2**60 overflows a float: the messages say ~2**N instead (the argument gate's bound)
    with pytest.raises(ValueError, match=r"must be at most 2147483647 \(MAX_SIZE\), got ~2\*\*1(328|66\d\d)") as error:
        call()
    assert len(str(error.value)) < 400
