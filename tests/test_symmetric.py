"""Symmetric padding (Wu et al., NeurIPS 2019): padding, shifts and information erosion."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convarith.symmetric import symmetric_groups, symmetric_pad
from convarith.testing import arange_array, random_array

# The official C2sp order, written out from the paper's code as (top, bottom), (left, right).
OFFICIAL_C2SP = [((0, 1), (0, 1)), ((1, 0), (1, 0)), ((0, 1), (1, 0)), ((1, 0), (0, 1))]


def _paper_layer(x, weight, groups_pads):
    """The paper's layer written independently: split, pad each group, concatenate, VALID conv (PyTorch)."""
    torch = pytest.importorskip("torch")
    t = torch.from_numpy(x)
    c = t.shape[1]
    n = len(groups_pads)
    sizes = [c // n + (1 if g < c % n else 0) for g in range(n)]
    parts = torch.split(t, sizes, dim=1)
    padded = []
    for part, ((top, bottom), (left, right)) in zip(parts, groups_pads, strict=True):
        padded.append(torch.nn.functional.pad(part, (left, right, top, bottom)))
    return torch.nn.functional.conv2d(torch.cat(padded, dim=1), torch.from_numpy(weight)).numpy()


def _c4sp_pads():
    # The stated 4x4 rule: total 3 per axis, (1, 2) where C2sp pads after, (2, 1) where it pads before.
    rule = {(0, 1): (1, 2), (1, 0): (2, 1)}
    return [(rule[v], rule[h]) for v, h in OFFICIAL_C2SP]


@pytest.mark.parametrize("channels", [4, 8, 6, 5, 7])
@pytest.mark.parametrize(("kernel", "pads"), [(2, OFFICIAL_C2SP), (4, _c4sp_pads())], ids=["C2sp", "C4sp"])
def test_symmetric_conv_equals_paper_layer(channels, kernel, pads):
    torch = pytest.importorskip("torch")
    x = random_array((2, channels, 6, 5), seed=channels)
    w = random_array((3, channels, kernel, kernel), seed=10 + channels)
    ours = torch.nn.functional.conv2d(torch.from_numpy(symmetric_pad(x, (kernel, kernel))), torch.from_numpy(w))
    np.testing.assert_allclose(ours.numpy(), _paper_layer(x, w, pads), rtol=1e-5, atol=1e-6)
    assert ours.shape[2:] == x.shape[2:]


def test_official_group_order_and_sizes():
    groups = symmetric_groups(7, (2, 2))
    assert [g.padding for g in groups] == OFFICIAL_C2SP
    assert [len(g.channels) for g in groups] == [2, 2, 2, 1]  # the first 7 % 4 groups one larger
    assert [g.channels.start for g in groups] == [0, 2, 4, 6]


def test_one_dimensional_two_groups_by_hand():
    x = np.array([[1, 2, 3], [4, 5, 6]])  # unbatched (C=2, L=3)
    np.testing.assert_array_equal(symmetric_pad(x, 2), [[1, 2, 3, 0], [0, 4, 5, 6]])
    np.testing.assert_array_equal(symmetric_pad(x, 4), [[0, 1, 2, 3, 0, 0], [0, 0, 4, 5, 6, 0]])


def test_three_dimensional_eight_groups_each_corner_once():
    x = np.ones((8, 1, 1, 1), dtype=np.int64)
    y = symmetric_pad(x, (2, 2, 2))
    assert y.shape == (8, 2, 2, 2)
    corners = {tuple(int(v) for v in np.argwhere(y[c])[0]) for c in range(8)}
    assert len(corners) == 8  # every group sits in a different corner


def test_unbatched_equals_batched():
    x = arange_array((4, 3, 3))
    np.testing.assert_array_equal(symmetric_pad(x, (2, 2)), symmetric_pad(x[None], (2, 2))[0])
    np.testing.assert_array_equal(symmetric_pad(x[None], 2)[0], symmetric_pad(x, (2, 2)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
def test_dtype_preserved(dtype):
    assert symmetric_pad(np.ones((1, 4, 2, 2), dtype=dtype), 2).dtype == dtype


@given(
    ndim=st.integers(1, 3),
    half=st.integers(1, 3),
    per_group=st.integers(1, 2),
)
def test_group_shifts_cancel_when_groups_are_equal(ndim, half, per_group):
    # The centre of each group's data moves by +-1/2 per axis relative to the padded frame centre;
    # with equal group sizes the shifts sum to zero on every axis.
    k = 2 * half
    groups = symmetric_groups(per_group * 2**ndim, (k,) * ndim)
    total = np.zeros(ndim)
    for g in groups:
        centre_of_data = np.array([b for b, _ in g.padding]) + 0.5  # a 2-cell input's centre
        frame_centre = (2 + k - 1 - 1) / 2
        total += len(g.channels) * (centre_of_data - frame_centre)
    np.testing.assert_array_equal(total, np.zeros(ndim))
    assert all(b + a == k - 1 for g in groups for b, a in g.padding)


# Failure modes, one test each.


def test_odd_kernel_refused():
    with pytest.raises(ValueError, match=r"`kernel_size` 3 is odd: symmetric padding is for even kernels"):
        symmetric_pad(np.ones((1, 4, 5, 5)), 3)


def test_odd_kernel_on_one_axis_refused():
    with pytest.raises(ValueError, match=r"`kernel_size` 3 on axis 1 is odd"):
        symmetric_pad(np.ones((1, 4, 5, 5)), (2, 3))


def test_rank_mismatch_refused():
    with pytest.raises(ValueError, match=r"`x` must have shape .* 2 spatial axes"):
        symmetric_pad(np.ones((1, 1, 4, 5, 5)), (2, 2))


def test_non_array_refused():
    with pytest.raises(TypeError, match=r"`x` must be a NumPy array, got list"):
        symmetric_pad([[1, 2]], 2)  # type: ignore[arg-type]


def test_non_numeric_refused():
    with pytest.raises(TypeError, match=r"`x` must have a numeric dtype"):
        symmetric_pad(np.array([["a", "b"]]), 2)


def test_float_kernel_refused():
    with pytest.raises(TypeError, match=r"`kernel_size` must be an integer, got float 2.0"):
        symmetric_pad(np.ones((1, 4, 2, 2)), 2.0)  # type: ignore[arg-type]


def test_zero_channels_refused():
    with pytest.raises(ValueError, match=r"`channels` must be positive, got 0"):
        symmetric_groups(0, 2)
