"""Tests of the depthwise fast path of convarith.engine.convolution (``groups = C_in``).

The path works per image and per chunk of channels: the chunk's cells are copied into a buffer
whose border is written once per block, every tap is copied into a column block, and one batched
``matmul`` contracts it, into the output or into a buffer cropped into it. Three layouts
(``_DepthwiseChunks``): inner axes unpadded (zero 'same' padding at stride 1, taps crossing an
inner edge zeroed), the padded wide grid (unit strides), strided copies. These tests force chunks
of every size (one channel, a partial last chunk, all channels) and blocks of a few rows or parts
of rows, in every padding mode and rank, and compare with the loop definition (exact on integers)
and PyTorch.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convarith.engine.memory as memory
from convarith.engine import reference
from convarith.engine.convolution import conv
from convarith.testing import random_array

MODES = ("zeros", "reflect", "replicate", "circular")


def column_bytes_for(channels: int, taps: int, extent: int, itemsize: int = 8) -> int:
    """A CACHE_BYTES that gives chunks of ``channels`` channels for a whole-image block."""
    return channels * taps * extent * itemsize


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("chunk", [1, 3, 7])  # one channel, a partial last chunk (3 + 3 + 1), all
@pytest.mark.parametrize("stride", [1, 2])  # the wide grid, and the per-tap copies
def test_every_chunk_size_matches_the_loops_exactly(monkeypatch, mode, chunk, stride):
    x = random_array((3, 7, 9, 8), 1, np.int64, low=-9, high=9)
    w = random_array((14, 1, 3, 2), 2, np.int64, low=-9, high=9)  # channel multiplier 2
    pads = ((2, 1), (1, 1))
    extent = (9 + 3) * (8 + 2)  # the padded cells of a whole image
    monkeypatch.setattr(memory, "CACHE_BYTES", column_bytes_for(chunk, 6, extent))
    y = conv(x, w, stride=stride, padding=pads, groups=7, padding_mode=mode)
    expected = reference.conv(x, w, None, stride, pads, 1, 7, mode)
    np.testing.assert_array_equal(y, expected.astype(np.int64))


@pytest.mark.parametrize("mode", MODES)
def test_blocks_of_a_few_rows_match_whole_images(monkeypatch, mode):
    # A budget of a few KiB splits each image into blocks of rows: the padded buffer's border
    # differs from block to block (first, middle and last rows) and is written once per block.
    x = random_array((2, 5, 17, 11), 3, np.float64)
    w = random_array((5, 1, 3, 3), 4, np.float64)
    expected = conv(x, w, padding=2, dilation=(2, 1), groups=5, padding_mode=mode)
    monkeypatch.setattr(memory, "MAX_TEMPORARY_BYTES", 2**13)
    y = conv(x, w, padding=2, dilation=(2, 1), groups=5, padding_mode=mode)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)
    loops = reference.conv(x, w, None, 1, 2, (2, 1), 5, mode).astype(np.float64)
    np.testing.assert_allclose(y, loops, rtol=1e-12, atol=1e-12)


def test_temporaries_follow_a_small_bound(monkeypatch):
    x = random_array((2, 32, 48, 48), 5, np.float64)
    w = random_array((64, 1, 3, 3), 6, np.float64)
    expected = conv(x, w, padding=1, groups=32)
    budget = 2**17
    monkeypatch.setattr(memory, "MAX_TEMPORARY_BYTES", budget)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        y = conv(x, w, padding=1, groups=32)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - y.nbytes <= budget + 2**16
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("x_dtype", "w_dtype", "expected_dtype"),
    [(np.int16, np.int32, np.int64), (np.int64, np.float32, np.float32), (np.float32, np.float32, np.float32)],
)
def test_the_padded_buffer_converts_the_input_dtype(x_dtype, w_dtype, expected_dtype):
    # integers read into a float buffer (and small integers into int64) chunk by chunk
    x = random_array((2, 6, 7, 7), 7, np.int64, low=-9, high=9)
    w = random_array((6, 1, 3, 3), 8, np.int64, low=-9, high=9)
    exact = reference.conv(x, w, None, 1, 1, 1, 6, "reflect")  # small integers: exact in float32 too
    y = conv(x.astype(x_dtype), w.astype(w_dtype), padding=1, groups=6, padding_mode="reflect")
    assert y.dtype == expected_dtype
    np.testing.assert_array_equal(y, exact.astype(expected_dtype))


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


@given(
    nd=st.integers(1, 3),
    channels=st.integers(1, 6),
    chunk=st.integers(1, 6),
    stride=st.integers(1, 2),
    data=st.data(),
    seed=st.integers(0, 2**16),
)
def test_any_chunk_matches_pytorch_in_every_rank(torch, nd, channels, chunk, stride, data, seed):
    kernel = data.draw(st.tuples(*[st.integers(1, 3)] * nd))
    dilation = data.draw(st.tuples(*[st.integers(1, 2)] * nd))
    padding = data.draw(st.tuples(*[st.integers(0, 2)] * nd))
    sizes = tuple(data.draw(st.integers(max(1, d * (k - 1) + 1), 7)) for k, d in zip(kernel, dilation, strict=True))
    x = random_array((2, channels, *sizes), seed, np.float32)
    w = random_array((channels, 1, *kernel), seed + 1, np.float32)
    extent = int(np.prod([i + 2 * p for i, p in zip(sizes, padding, strict=True)]))
    with pytest.MonkeyPatch.context() as patch:  # (hypothesis: no function-scoped fixture)
        patch.setattr(memory, "CACHE_BYTES", column_bytes_for(chunk, int(np.prod(kernel)), extent, 4))
        y = conv(x, w, stride=stride, padding=padding, dilation=dilation, groups=channels)
    conv_nd = getattr(torch.nn.functional, f"conv{nd}d")
    expected = conv_nd(torch.from_numpy(x), torch.from_numpy(w), None, stride, padding, dilation, channels).numpy()
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@given(
    nd=st.integers(1, 3),
    channels=st.integers(1, 5),
    multiplier=st.integers(1, 2),
    chunk=st.integers(1, 5),
    data=st.data(),
    seed=st.integers(0, 2**16),
)
def test_same_padding_reads_unpadded_inner_axes_exactly(nd, channels, multiplier, chunk, data, seed):
    # padding='same' at stride 1 (the inner axes as long as the input): the taps read the input
    # rows unpadded and the columns crossing an inner edge are zeroed; kernels wider than the
    # input, even kernels (the extra unit after) and dilations included. Exact on integers.
    kernel = data.draw(st.tuples(*[st.integers(1, 5)] * nd))
    dilation = data.draw(st.tuples(*[st.integers(1, 2)] * nd))
    sizes = data.draw(st.tuples(*[st.integers(1, 6)] * nd))
    x = random_array((2, channels, *sizes), seed, np.int64, low=-9, high=9)
    w = random_array((channels * multiplier, 1, *kernel), seed + 1, np.int64, low=-9, high=9)
    extent = int(np.prod([i + d * (k - 1) for i, k, d in zip(sizes, kernel, dilation, strict=True)]))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(memory, "CACHE_BYTES", column_bytes_for(chunk, int(np.prod(kernel)), extent))
        y = conv(x, w, padding="same", dilation=dilation, groups=channels)
    pads = tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation, strict=True))
    expected = reference.conv(x, w, None, 1, pads, dilation, channels, "zeros")
    assert y.shape == (2, channels * multiplier, *sizes)
    np.testing.assert_array_equal(y, expected.astype(np.int64))


@pytest.mark.parametrize("budget", [2**9, 2**11, 2**13])  # rows of one image, part of a row, ...
def test_same_padding_in_blocks_of_rows_and_parts_of_rows(monkeypatch, budget):
    x = random_array((2, 3, 9, 10), 9, np.int64, low=-9, high=9)
    w = random_array((3, 1, 3, 3), 10, np.int64, low=-9, high=9)
    monkeypatch.setattr(memory, "MAX_TEMPORARY_BYTES", budget)
    y = conv(x, w, padding=1, groups=3)
    np.testing.assert_array_equal(y, reference.conv(x, w, None, 1, 1, 1, 3, "zeros").astype(np.int64))
