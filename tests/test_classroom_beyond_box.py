"""Notebook 14's exercises (overlap, phases, one entry of the effective receptive field) against PyTorch.

The generic checks (seeded, reproducible, hints without digits) run for these kinds in
tests/test_classroom.py, which walks every kind of every topic.
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
