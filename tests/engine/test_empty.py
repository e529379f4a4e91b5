"""Empty batches and zero channels: every engine op returns PyTorch's shape (issue 12).

Oracle: PyTorch 2.13 (CPU) on the same call. Where PyTorch itself refuses zero channels (its
pools, ``conv_transpose``, reflect/replicate ``pad``), the engine returns the empty result the
formulas give, ``(N, 0, *output)``, and the test says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import convarith as ca

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _t(x: np.ndarray) -> Any:
    return torch.from_numpy(x)


def _w(c_out: int, x: Any, k: int) -> Any:
    """All-ones weight for ``x`` (an ndarray or a tensor) with ``x``'s channels and dtype."""
    if isinstance(x, np.ndarray):
        return np.ones((c_out, x.shape[1], k, k))
    return torch.ones(c_out, x.shape[1], k, k, dtype=x.dtype)


def _wt(x: Any) -> Any:
    """All-ones conv_transpose weight ``(C_in, 2, 3, 3)`` for ``x``."""
    return np.ones((x.shape[1], 2, 3, 3))


# (name, ours, PyTorch's) for an input x of shape (N, C, 5, 6); None: PyTorch refuses C = 0
OPS: list[tuple[str, Callable[[np.ndarray], Any], Callable[[Any], Any] | None]] = [
    ("conv", lambda x: ca.conv(x, _w(6, x, 3)), lambda t: F.conv2d(t, _w(6, t, 3))),
    ("conv same", lambda x: ca.conv(x, _w(6, x, 3), padding="same"), lambda t: F.conv2d(t, _w(6, t, 3), padding="same")),  # noqa: E501
    ("conv reflect", lambda x: ca.conv(x, _w(6, x, 3), padding=1, padding_mode="reflect"), None),
    ("conv strided", lambda x: ca.conv(x, _w(4, x, 2), stride=2, dilation=2), lambda t: F.conv2d(t, _w(4, t, 2), None, 2, 0, 2)),  # noqa: E501
    ("conv symmetric", lambda x: ca.conv(x, _w(4, x, 2), padding="symmetric"), None),
    ("pad zeros", lambda x: ca.pad(x, 1), lambda t: F.pad(t, (1, 1, 1, 1))),
    ("pad circular", lambda x: ca.pad(x, 1, mode="circular"), lambda t: F.pad(t, (1, 1, 1, 1), mode="circular")),
    ("pad reflect", lambda x: ca.pad(x, 1, mode="reflect"), None),
    ("max_pool", lambda x: ca.max_pool(x, 2, ndim=2), None),
    ("max_pool indices", lambda x: ca.max_pool(x, 2, ndim=2, return_indices=True)[1], None),
    ("avg_pool", lambda x: ca.avg_pool(x, (3, 3), stride=2, padding=1, ceil_mode=True), None),
    ("lp_pool", lambda x: ca.lp_pool(x, 2, (2, 2)), None),
    ("global_avg_pool", ca.global_avg_pool, lambda t: F.adaptive_avg_pool2d(t, 1)),
    ("global_max_pool", ca.global_max_pool, None),
    ("conv_transpose", lambda x: ca.conv_transpose(x, _wt(x), stride=2), None),
    ("construction", lambda x: ca.conv_transpose_construction(x, _wt(x), stride=2).output, None),
]  # fmt: skip


# PyTorch's ops with an empty batch (all of them accept N = 0)
TORCH_EMPTY_BATCH: dict[str, Callable[[Any], Any]] = {
    "conv reflect": lambda t: torch.nn.Conv2d(3, 6, 3, padding=1, padding_mode="reflect", bias=False).double()(t),
    "conv symmetric": lambda t: F.conv2d(F.pad(t, (0, 1, 0, 1)), torch.ones(4, 3, 2, 2, dtype=t.dtype)),
    "pad reflect": lambda t: F.pad(t, (1, 1, 1, 1), mode="reflect"),
    "max_pool": lambda t: F.max_pool2d(t, 2),
    "max_pool indices": lambda t: F.max_pool2d(t, 2, return_indices=True)[1],
    "avg_pool": lambda t: F.avg_pool2d(t, 3, stride=2, padding=1, ceil_mode=True),
    "lp_pool": lambda t: F.lp_pool2d(t, 2, 2),
    "global_max_pool": lambda t: F.adaptive_max_pool2d(t, 1),
    "conv_transpose": lambda t: F.conv_transpose2d(t, torch.ones(3, 2, 3, 3, dtype=t.dtype), stride=2),
    "construction": lambda t: F.conv_transpose2d(t, torch.ones(3, 2, 3, 3, dtype=t.dtype), stride=2),
}


@pytest.mark.parametrize(("name", "ours", "theirs"), OPS, ids=[op[0] for op in OPS])
def test_empty_batch_gives_pytorchs_shape(name, ours, theirs):
    x = np.zeros((0, 3, 5, 6))
    oracle = TORCH_EMPTY_BATCH.get(name, theirs)
    assert oracle is not None
    expected = tuple(oracle(_t(x)).shape)
    result = ours(x)
    assert result.shape == expected
    assert expected[0] == 0


@pytest.mark.parametrize(("name", "ours", "theirs"), OPS, ids=[op[0] for op in OPS])
def test_zero_channels_give_an_empty_result(name, ours, theirs):
    x = np.zeros((2, 0, 5, 6))
    result = ours(x)
    if theirs is not None:  # PyTorch accepts zero channels here: its shape
        assert result.shape == tuple(theirs(_t(x)).shape)
    # PyTorch refuses the others (pools, conv_transpose, reflect padding): the empty result the
    # formulas give, with the spatial shape of the one-channel call
    one_channel = ours(np.zeros((2, 1, 5, 6)))
    assert result.shape == (2, 0, *one_channel.shape[2:])


def test_issue_12_empty_batch_conv_example():
    # ValueError: range() arg 3 must not be zero, before
    assert ca.conv(np.zeros((0, 4, 5, 6)), np.ones((6, 4, 3, 3))).shape == (0, 6, 3, 4)


def test_zero_channel_conv_is_pytorchs_empty_result_even_with_a_bias():
    x = np.zeros((2, 0, 5))
    expected = F.conv1d(_t(x), torch.ones(6, 0, 3, dtype=torch.float64), torch.ones(6, dtype=torch.float64))
    assert ca.conv(x, np.ones((6, 0, 3)), np.ones(6)).shape == tuple(expected.shape) == (2, 0, 3)


def test_unbatched_zero_channels():
    assert ca.conv(np.zeros((0, 5, 6)), np.ones((4, 0, 3, 3))).shape == tuple(
        F.conv2d(torch.zeros(0, 5, 6), torch.ones(4, 0, 3, 3)).shape
    )
    assert ca.max_pool(np.zeros((0, 5, 6)), (2, 2)).shape == (0, 2, 3)


def test_zero_spatial_cells_are_still_refused():
    with pytest.raises(ValueError, match=r"`x` must have at least one cell per spatial axis"):
        ca.conv(np.zeros((1, 2, 0, 5)), np.ones((3, 2, 1, 1)))
    with pytest.raises(ValueError, match=r"`x` must have at least one cell per spatial axis"):
        ca.max_pool(np.zeros((1, 2, 0, 5)), (1, 1))
