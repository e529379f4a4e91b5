"""A teacher's arrays (issue 19 item 1): one plain image and one plain kernel, no batch or channel axis.

When ``x`` has exactly the kernel's spatial axes (conv: a kernel without channel axes of
``x.ndim`` dimensions; pools and pad: a per-axis tuple with ``x.ndim`` entries, or ``ndim=x.ndim``)
the result has ``x``'s rank. An int on a 2-d array (a plain image, or ``(C, W)``) is refused with
both readings. Oracle: PyTorch 2.13 (CPU) on the same array with two axes added (``unsqueeze``
twice), then removed.
"""

from __future__ import annotations

import numpy as np
import pytest

import convarith as ca
from convarith.testing import random_array

torch = pytest.importorskip("torch")
F = torch.nn.functional


def t2(x: np.ndarray):
    """The plain array as PyTorch's (1, 1, *spatial) tensor."""
    return torch.from_numpy(x).unsqueeze(0).unsqueeze(0)


def plain(result) -> np.ndarray:
    return result[0, 0].numpy()


IMG = random_array((5, 5), 0, np.float64)
IMG4 = random_array((4, 4), 1, np.float64)


# ------------------------------------------------------------------------------------------
# pools


def test_max_pool_of_a_plain_4x4_image_is_2x2():
    # issue 19: max_pool(img, (2, 2)) raised; max_pool(img, 2) silently pooled each row to (4, 2)
    expected = plain(F.max_pool2d(t2(IMG4), 2))
    np.testing.assert_array_equal(ca.max_pool(IMG4, (2, 2)), expected)
    np.testing.assert_array_equal(ca.max_pool(IMG4, 2, ndim=2), expected)
    assert expected.shape == (2, 2)
    with pytest.raises(ValueError, match=r"which read two ways: a plain image \(H, W\) has 2 spatial axes, "
                       r"unbatched \(C, L\) has 1; pass ndim=2 or ndim=1"):  # fmt: skip
        ca.max_pool(IMG4, 2)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"stride": 1}, {"stride": (1, 2), "padding": 1}, {"padding": ((1, 0), (0, 1))}, {"dilation": 2, "stride": 1}],
    ids=str,
)
def test_plain_pools_match_pytorch(kwargs):
    x = random_array((7, 6), 2, np.float64)
    values, indices = ca.max_pool(x, (2, 3), return_indices=True, **kwargs)
    pads = kwargs.get("padding", 0)
    t = t2(x)
    if isinstance(pads, tuple) and isinstance(pads[0], tuple):  # asymmetric: pad by hand (-inf for the max)
        t = F.pad(t, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]), value=-np.inf)
        rest = {k: v for k, v in kwargs.items() if k != "padding"}
        expected = F.max_pool2d(t, (2, 3), **rest)
        np.testing.assert_array_equal(values, plain(expected))
        return
    expected, expected_indices = F.max_pool2d(t, (2, 3), return_indices=True, **kwargs)
    np.testing.assert_array_equal(values, plain(expected))
    np.testing.assert_array_equal(indices, plain(expected_indices))
    if "dilation" not in kwargs:
        np.testing.assert_allclose(ca.avg_pool(x, (2, 3), **kwargs), plain(F.avg_pool2d(t, (2, 3), **kwargs)))
        lp = {k: v for k, v in kwargs.items() if k != "padding"}
        np.testing.assert_allclose(ca.lp_pool(x, 2, (2, 3), **lp), plain(F.lp_pool2d(t, 2, (2, 3), **lp)))


def test_plain_1d_signal_with_an_int_kernel():
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0])  # one reading only: a plain signal
    np.testing.assert_array_equal(ca.max_pool(x, 2), [3.0, 4.0, 9.0])
    np.testing.assert_array_equal(ca.avg_pool(x, 3), [8 / 3, 5.0])
    expected = F.max_pool1d(torch.from_numpy(x)[None, None], 2)[0, 0].numpy()
    np.testing.assert_array_equal(ca.max_pool(x, 2), expected)


def test_plain_3d_volume_needs_ndim_3_or_a_tuple():
    x = random_array((4, 4, 6), 3, np.float64)
    expected = plain(F.max_pool3d(t2(x), 2))
    np.testing.assert_array_equal(ca.max_pool(x, 2, ndim=3), expected)
    np.testing.assert_array_equal(ca.max_pool(x, (2, 2, 2)), expected)


@pytest.mark.parametrize("pool", ["global_max_pool", "global_avg_pool"])
def test_plain_global_pools(pool):
    ours = getattr(ca, pool)
    theirs = {"global_max_pool": F.adaptive_max_pool2d, "global_avg_pool": F.adaptive_avg_pool2d}[pool]
    theirs_1d = {"global_max_pool": F.adaptive_max_pool1d, "global_avg_pool": F.adaptive_avg_pool1d}[pool]
    expected = plain(theirs(t2(IMG), 1))
    np.testing.assert_allclose(ours(IMG, ndim=2), expected, rtol=1e-12)
    assert ours(IMG, ndim=2).shape == (1, 1)
    with pytest.raises(ValueError, match=r"read two ways: a plain image \(H, W\) has 2 spatial axes, "
                       r"unbatched \(C, L\) has 1; pass ndim=2 or ndim=1"):  # fmt: skip
        ours(IMG)
    np.testing.assert_allclose(ours(IMG, ndim=1), theirs_1d(torch.from_numpy(IMG), 1).numpy(), rtol=1e-12)  # (C, L)


# ------------------------------------------------------------------------------------------
# conv


def test_conv_of_a_plain_5x5_image_with_a_3x3_kernel_is_3x3():
    # issue 19: "`weight` must have shape (C_out, C_in / groups, *kernel_size)"
    k = random_array((3, 3), 5, np.float64)
    expected = plain(F.conv2d(t2(IMG), t2(k)))
    np.testing.assert_allclose(ca.conv(IMG, k), expected, rtol=1e-12)
    assert expected.shape == (3, 3)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"padding": 1},
        {"padding": "same"},
        {"stride": 2, "padding": (1, 2)},
        {"dilation": 2},
        {"padding": 2, "padding_mode": "reflect"},
        {"padding": 1, "padding_mode": "circular"},
    ],
    ids=str,
)
def test_plain_conv_matches_pytorch(kwargs):
    x = random_array((7, 8), 6, np.float64)
    k = random_array((3, 3), 7, np.float64)
    mode = kwargs.get("padding_mode", "zeros")
    layer = torch.nn.Conv2d(1, 1, (3, 3), bias=True, dtype=torch.float64, **kwargs)
    with torch.no_grad():
        layer.weight[...] = t2(k)
        layer.bias[...] = 0.5
        expected = plain(layer(t2(x)))
    ours = ca.conv(x, k, 0.5, **kwargs)
    assert mode in ("zeros", "reflect", "circular")
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-15)
    assert ours.ndim == 2


def test_plain_1d_and_3d_conv():
    x, k = random_array((9,), 8, np.float64), random_array((4,), 9, np.float64)
    expected = F.conv1d(torch.from_numpy(x)[None, None], torch.from_numpy(k)[None, None], padding=1)[0, 0]
    np.testing.assert_allclose(ca.conv(x, k, padding=1), expected.numpy(), rtol=1e-12)
    vol, k3 = random_array((4, 5, 6), 10, np.float64), random_array((2, 3, 2), 11, np.float64)
    np.testing.assert_allclose(ca.conv(vol, k3, ndim=3), plain(F.conv3d(t2(vol), t2(k3))), rtol=1e-12)
    with pytest.raises(ValueError, match=r"for a plain 3-d array and kernel pass ndim=3"):
        ca.conv(vol, k3)  # a 3-d weight is (C_out, C_in, k) by default
    with pytest.raises(ValueError, match=r"`ndim` 2 does not fit `weight` of shape \(2, 3, 2\)"):
        ca.conv(vol, k3, ndim=2)


def test_plain_conv_bias_is_one_number():
    np.testing.assert_array_equal(ca.conv(np.ones((3, 3)), np.ones((2, 2)), [1.0]), np.full((2, 2), 5.0))
    with pytest.raises(ValueError, match=r"`bias` of a plain kernel \(one output\) must be one number, got shape"):
        ca.conv(np.ones((3, 3)), np.ones((2, 2)), [1.0, 2.0])


# ------------------------------------------------------------------------------------------
# pad


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_pad_of_a_plain_image_matches_pytorch(mode):
    # issue 19: "must have a channel axis and 1 spatial axes (at least 2 dimensions)"
    torch_mode = {"zeros": "constant"}.get(mode, mode)
    expected = plain(F.pad(t2(IMG), (1, 1, 1, 1), mode=torch_mode))
    np.testing.assert_array_equal(ca.pad(IMG, (1, 1), mode=mode), expected)
    np.testing.assert_array_equal(ca.pad(IMG, 1, mode=mode, ndim=2), expected)
    np.testing.assert_array_equal(ca.pad(IMG, ((1, 1), (1, 1)), mode=mode), expected)
    asymmetric = plain(F.pad(t2(IMG), (2, 0, 1, 3), mode=torch_mode))  # (left, right, top, bottom)
    np.testing.assert_array_equal(ca.pad(IMG, ((1, 3), (2, 0)), mode=mode), asymmetric)


def test_pad_of_a_plain_signal_and_of_c_l():
    x = np.arange(1.0, 5.0)
    np.testing.assert_array_equal(ca.pad(x, 1), [0, 1, 2, 3, 4, 0])
    np.testing.assert_array_equal(ca.pad(x, (1, 2)), [0, 1, 2, 3, 4, 0, 0])  # one axis: (before, after)
    rows = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(ca.pad(rows, 1, ndim=1), F.pad(torch.from_numpy(rows), (1, 1)).numpy())


# ------------------------------------------------------------------------------------------
# conv_transpose and the guide's construction: the same reading as conv


@pytest.mark.parametrize("kwargs", [{}, {"stride": 2}, {"stride": 2, "padding": 1, "output_padding": 1}], ids=str)
def test_plain_conv_transpose_matches_pytorch(kwargs):
    x, k = random_array((3, 4), 12, np.float64), random_array((3, 3), 13, np.float64)
    expected = plain(F.conv_transpose2d(t2(x), t2(k), **kwargs))
    np.testing.assert_allclose(ca.conv_transpose(x, k, **kwargs), expected, rtol=1e-12)
    construction = ca.conv_transpose_construction(x, k, **kwargs)
    np.testing.assert_allclose(construction.output, expected, rtol=1e-12)
    assert construction.input.shape == (3, 4) and construction.kernel.shape == (3, 3)
    assert construction.stretched.ndim == construction.padded.ndim == 2
    np.testing.assert_array_equal(construction.kernel, k[::-1, ::-1])  # flipped (no channels to swap)


def test_plain_1d_conv_transpose_and_its_bias():
    x, k = np.array([1, 2]), np.array([1, 10, 100])
    assert ca.conv_transpose(x, k, stride=2).tolist() == [1, 10, 102, 20, 200]  # the docstring's stamps
    assert ca.conv_transpose(x, k, 5).tolist() == [6, 17, 125, 205]
