"""Notebook 14's exercises (overlap, phases, one entry of the effective receptive field) against PyTorch.

The generic checks (seeded, reproducible, hints without digits) run for these kinds in
tests/classroom/test_classroom.py, which walks every kind of every topic.
"""

from __future__ import annotations

import pytest

from convarith.classroom import TOPICS, exercise

torch = pytest.importorskip("torch")
F = torch.nn.functional

SEEDS = range(25)


def test_the_kinds_join_their_topics() -> None:
    assert {"overlap", "phases"} <= set(TOPICS["transposed_convolution"].kinds)
    assert "effective_gradient" in TOPICS["receptive_fields"].kinds
    assert list(TOPICS["transposed_convolution"].kinds)[:4] == [
        "output_size",
        "output_padding",
        "value",
        "construction",
    ]


def test_overlap_is_pytorch_ones_through_ones() -> None:
    for seed in SEEDS:
        n = exercise("transposed_convolution", "overlap", seed).numbers
        ones = torch.ones(1, 1, n["input_size"], dtype=torch.float64)
        y = F.conv_transpose1d(
            ones, torch.ones(1, 1, n["kernel_size"], dtype=torch.float64), stride=n["stride"], padding=n["padding"]
        )
        assert exercise("transposed_convolution", "overlap", seed).answer.value == int(y[0, 0, n["output"]])


def test_phases_are_the_middle_of_pytorch_ones_through_ones() -> None:
    for seed in SEEDS:
        ex = exercise("transposed_convolution", "phases", seed)
        k, s = ex.numbers["kernel_size"], ex.numbers["stride"]
        y = F.conv_transpose1d(
            torch.ones(1, 1, 3 * k, dtype=torch.float64), torch.ones(1, 1, k, dtype=torch.float64), stride=s
        )[0, 0]
        middle = range(k + s, k + 2 * s)  # well inside: every tap of every phase reaches it
        assert ex.answer.value == tuple(int(y[o]) for o in sorted(middle, key=lambda o: o % s))


def test_effective_gradient_is_torch_autograd() -> None:
    for seed in SEEDS:
        ex = exercise("receptive_fields", "effective_gradient", seed)
        n = ex.numbers
        x = torch.zeros(1, 1, n["input_size"], dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range(n["layers"]):
            y = F.conv1d(y, torch.ones(1, 1, n["kernel_size"], dtype=torch.float64))
        assert y.shape[-1] == 1
        y.sum().backward()
        assert ex.answer.value == int(x.grad[0, 0, n["input_cell"]])


# --- the photograph through upsamplers of ones (notebook 14) ---------------------------------------


def test_upsample_ones_is_pytorch_depthwise_transpose() -> None:
    import numpy as np

    from convarith.classroom.checkerboard import resize_then_convolve, upsample_ones
    from convarith.testing import random_array

    image = random_array((3, 7, 5), seed=3, dtype=np.float64, low=0.0, high=1.0)
    for k in (2, 3, 4, 5):
        p = (k - 1) // 2
        a = 2 * 7 - ((7 - 1) * 2 - 2 * p + k)
        x = torch.from_numpy(image)[None]
        y = F.conv_transpose2d(
            x, torch.ones(3, 1, k, k, dtype=torch.float64), stride=2, padding=p, output_padding=a, groups=3
        )
        ours = upsample_ones(image, k)
        assert ours.shape == (3, 14, 10)
        np.testing.assert_allclose(ours, y[0].numpy() / (k * k / 4), rtol=1e-12)
    # the remedy: nearest resize, then a reflect-padded box blur
    big = F.interpolate(torch.from_numpy(image)[None], scale_factor=2, mode="nearest")
    blurred = F.conv2d(
        F.pad(big, (1, 1, 1, 1), mode="reflect"), torch.full((3, 1, 3, 3), 1 / 9, dtype=torch.float64), groups=3
    )
    np.testing.assert_allclose(resize_then_convolve(image), blurred[0].numpy(), rtol=1e-12)


def test_checkerboard_arguments_and_figure() -> None:
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    from convarith.classroom.checkerboard import resize_then_convolve, upsample_ones, upsampling_figure

    with pytest.raises(ValueError, match="gaps"):
        upsample_ones(np.ones((1, 4, 4)), 2, stride=3)
    with pytest.raises(ValueError, match="`image`"):
        upsample_ones(np.ones((4, 4)), 3)
    with pytest.raises(ValueError, match="odd"):
        resize_then_convolve(np.ones((1, 4, 4)), kernel_size=2)
    with pytest.raises(ValueError, match="`box`"):
        upsampling_figure(np.ones((3, 10, 10)), box=(5, 5, 8))
    fig = upsampling_figure(np.full((3, 16, 16), 0.5), box=(0, 0, 8))
    # k=3, s=2, p=1 on 4 cells: [1 1 2 1 2 1 2 1 1] cropped by one at each end, a 7x7 map
    assert [t.get_text() for t in fig.axes[4].texts][:7] == ["1", "2", "1", "2", "1", "2", "1"]
    assert len(fig.axes[4].texts) == 49
    matplotlib.pyplot.close("all")
