"""The effective receptive field (Luo et al.): the engine's adjoint against torch autograd.

Oracles: torch autograd through the same stack with all-ones weights (max pools replaced by the
sum over their windows, as the function documents), hand-worked gradients (repeated box filters),
and the variance of a sum of uniform variables for the growth study.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from convarith.arithmetic.layer import layer as arithmetic_layer
from convarith.studies import effective_growth, effective_receptive_field, layer

# name: (stack, input size, output cell or None, count_include_pad)
STACKS = {
    "three_3x3_same": ([layer("conv", 3, padding=1)] * 3, (9, 9), None, True),
    "strided_dilated": ([layer("conv", 3, 2, 1), layer("conv", 3, 1, 2, dilation=2)], (13, 11), None, True),
    "tf_same_stride_2": ([layer("conv", 3, 2, "same"), layer("conv", 4, 1, "same")], (10, 10), (2, 3), True),
    "floor_drops_rows": ([layer("conv", 3, 2), layer("conv", 2, 2)], (12, 9), (1, 0), True),
    "vgg_block_max": ([layer("conv", 3, padding=1)] * 2 + [layer("pool", 2)], (8, 8), None, True),
    "avg_pool_padded": ([layer("conv", 3), layer("avg_pool", 3, 2, 1)], (9, 9), (0, 1), True),
    "avg_pool_exclude_pad": ([layer("conv", 3), layer("avg_pool", 3, 2, 1)], (9, 9), (0, 3), False),
    "ceil_mode_pools": (
        [layer("avg_pool", 2, 2, ceil_mode=True), layer("pool", 3, 2, 1, ceil_mode=True)],
        (7, 9),
        None,
        True,
    ),
    "non_square": ([layer("conv", (3, 2), (2, 1), ((1, 1), (0, 1)))], (6, 5), (1, 4), True),
    "one_d": ([layer("conv", 5, 2, 2), layer("pool", 3, 2, 1)], 17, 2, True),
}


def torch_gradient(stack, input_size, cell, count_include_pad):
    """The stack in PyTorch, all-ones weights; sizes from receptive_field, checked against torch's shapes."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rows = effective_receptive_field(stack, input_size).field.rows  # resolved padding per layer
    size = input_size if isinstance(input_size, tuple) else (input_size,)
    nd = len(size)
    conv = (F.conv1d, F.conv2d, F.conv3d)[nd - 1]
    avg = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[nd - 1]
    x = torch.rand((1, 1, *size), dtype=torch.float64, generator=torch.Generator().manual_seed(0), requires_grad=True)
    y = x
    for row in rows:
        lay, pads = row.layer, row.padding
        ones = torch.ones((1, 1, *lay.kernel_size), dtype=torch.float64)
        flat = [p for pair in reversed(pads) for p in pair]  # F.pad lists the last axis first
        if lay.op == "avg_pool":
            assert all(pb == pe for pb, pe in pads)
            pb = tuple(pb for pb, _ in pads)
            y = avg(y, lay.kernel_size, lay.stride, pb, lay.ceil_mode, count_include_pad=count_include_pad)
        elif lay.op != "conv" and lay.ceil_mode:  # a max pool as the sum over its windows: divide by 1
            y = avg(y, lay.kernel_size, lay.stride, tuple(pb for pb, _ in pads), True, divisor_override=1)
        else:  # a convolution, or a max pool as the sum over its windows: a convolution of ones
            y = conv(F.pad(y, flat), ones, stride=lay.stride, dilation=lay.dilation)
        assert tuple(y.shape[2:]) == row.output_size
    index = cell if cell is not None else tuple(o // 2 for o in y.shape[2:])
    index = index if isinstance(index, tuple) else (index,)
    y[(0, 0, *index)].backward()
    return x.grad[0, 0].numpy()


@pytest.mark.parametrize("name", STACKS)
def test_gradient_equals_torch_autograd(name):
    stack, size, cell, include = STACKS[name]
    erf = effective_receptive_field(stack, size, cell, count_include_pad=include)
    expected = torch_gradient(stack, size, cell, include)
    np.testing.assert_allclose(erf.gradient, expected, rtol=1e-12, atol=1e-12)
    # every cell with a gradient lies in the theoretical box
    inside = np.zeros(erf.gradient.shape, bool)
    inside[tuple(slice(r.start, r.stop) for r in erf.box)] = True
    assert not erf.gradient[~inside].any()
    assert erf.gradient[inside].any()


def test_hand_worked_gradients():
    assert effective_receptive_field([layer("conv", 3)] * 2, 5).gradient.tolist() == [1, 2, 3, 2, 1]
    erf = effective_receptive_field([layer("conv", 2, 2), layer("avg_pool", 2)], 8, 1)  # pools outputs 2, 3
    assert erf.gradient.tolist() == [0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5]
    erf = effective_receptive_field([layer("conv", 3, padding=1)] * 2, (5, 5))  # outer product of 1 2 3 2 1
    assert erf.gradient[2].tolist() == [3, 6, 9, 6, 3] and erf.output_cell == (2, 2)
    assert erf.box == (range(0, 5), range(0, 5)) and erf.box_cells == 25


def test_notes_name_what_was_assumed():
    assert effective_receptive_field([layer("conv", 3)], 5).notes == ()
    (note,) = effective_receptive_field([layer("max_pool", 2)], 4).notes
    assert "max pools are taken as the sum over their windows" in note
    (note,) = effective_receptive_field([layer("lp_pool", 2)], 4).notes
    assert "power-average" in note
    grouped = arithmetic_layer("conv", None, 3, groups=4)
    assert "groups" in effective_receptive_field([grouped], 5).notes[0]
    assert "note: max pools" in repr(effective_receptive_field([layer("max_pool", 2)], 4))


def test_shares_and_spread():
    erf = effective_receptive_field([layer("conv", 3)] * 2, 5)  # 1 2 3 2 1: 9 in all
    assert [erf.cells_holding(q) for q in (0.3, 0.5, 0.8, 0.9, 1.0)] == [
        1,
        2,
        4,
        5,
        5,
    ]  # sorted 3 2 2 1 1, sums 3 5 7 8 9
    assert erf.spread == pytest.approx((math.sqrt(2 * 2 / 3),))  # two uniforms on {0, 1, 2}: variance 2/3 each
    with pytest.raises(ValueError, match="`level`"):
        erf.cells_holding(0)


def test_growth_box_linear_spread_square_root():
    growth = effective_growth((1, 2, 4, 8, 16, 32, 64), kernel_size=3)
    assert growth.box == (3, 5, 9, 17, 33, 65, 129)
    for n, s in zip(growth.depths, growth.spread, strict=True):
        assert s == pytest.approx(math.sqrt(n * (3**2 - 1) / 12))
    shares = growth.share_90[1:]  # depth 1 and 2 need the whole box
    assert growth.share_90[:2] == (1.0, 1.0) and all(a > b for a, b in itertools.pairwise(shares))
    # the share holding 90 % falls like 1/sqrt(n): 2 * 1.645 sigma over the box, in the limit
    assert growth.share_90[-1] == pytest.approx(2 * 1.645 * growth.spread[-1] / 129, rel=0.05)
    wide = effective_growth((1, 9), kernel_size=5)
    assert wide.box == (5, 37) and wide.spread[1] == pytest.approx(3 * math.sqrt(2))  # 9 * 24 / 12 = 18


def test_bad_arguments():
    with pytest.raises(ValueError, match="`output_cell` 5 is outside the output"):
        effective_receptive_field([layer("conv", 3)], 7, 5)
    with pytest.raises(ValueError, match="one entry per axis"):
        effective_receptive_field([layer("conv", 3)], (7, 7), (1, 1, 1))
    with pytest.raises(TypeError, match="output_cell"):
        effective_receptive_field([layer("conv", 3)], 7, 1.5)
    with pytest.raises(ValueError, match="transposed convolution"):
        effective_receptive_field([arithmetic_layer("conv_transpose", None, 3)], 7)
    with pytest.raises(ValueError, match="MAX_TEMPORARY_BYTES"):
        effective_receptive_field([layer("conv", 3)], (10**5, 10**5))
    with pytest.raises(TypeError, match="count_include_pad"):
        effective_receptive_field([layer("conv", 3)], 7, count_include_pad=1)
    with pytest.raises(ValueError, match="depths"):
        effective_growth((0,))
    with pytest.raises(ValueError, match="kernel_size"):
        effective_growth((1,), kernel_size=1)
    with pytest.raises(ValueError, match=r"depths\[1\]"):
        effective_growth((1, 1025))
    with pytest.raises(ValueError, match="kernel_size"):
        effective_growth((1,), kernel_size=34)


def test_plots():
    import matplotlib

    matplotlib.use("Agg")
    from convarith.studies import plot_effective_field, plot_effective_growth

    erf = effective_receptive_field([layer("conv", 3, 2, 1), layer("conv", 3, padding=1)], (16, 16))
    ax = plot_effective_field(erf)
    (box,) = ax.patches
    assert (box.get_width(), box.get_height()) == (len(erf.box[1]), len(erf.box[0]))
    assert "50% in" in ax.get_title()
    assert (
        len(plot_effective_field(effective_receptive_field([layer("conv", 3)] * 2, 9)).patches) == 9 + 1
    )  # nine bars and the box
    assert len(plot_effective_growth(effective_growth((1, 2))).get_lines()) == 2
    with pytest.raises(TypeError, match="EffectiveField"):
        plot_effective_field("no")
    matplotlib.pyplot.close("all")


def test_the_layers_of_an_inspect_report():
    from convarith.network import inspect

    stem = [
        arithmetic_layer("conv", None, 7, stride=2, padding="same"),
        arithmetic_layer("max_pool", None, 3, stride=2, padding="same"),
    ]
    report = inspect(stem, input_size=(64, 64))
    erf = effective_receptive_field([row.layer for row in report.layers], report.input_size)
    assert tuple(len(r) for r in erf.box) == report.layers[-1].receptive_field == (11, 11)
    expected = torch_gradient([layer("conv", 7, 2, "same"), layer("pool", 3, 2, "same")], (64, 64), None, True)
    np.testing.assert_allclose(erf.gradient, expected, rtol=1e-12, atol=1e-12)


def test_deep_stacks_are_rescaled_not_overflowed():
    erf = effective_receptive_field([layer("conv", 33)] * 150, 4801)  # 33**150 ~ 1e227 paths at the centre
    assert erf.exponent > 0 and "divided by 1e" in erf.notes[-1]
    assert erf.gradient[0] * 10.0**erf.exponent == pytest.approx(1.0)  # the edge cell: one path
    assert erf.spread[0] == pytest.approx(math.sqrt(150 * (33**2 - 1) / 12))


@pytest.mark.slow
def test_the_largest_growth_study():
    growth = effective_growth((1024,), kernel_size=33)  # the largest study allowed (1e1555 paths)
    assert growth.spread[0] == pytest.approx(math.sqrt(1024 * (33**2 - 1) / 12))


def test_an_average_window_of_padding_only_is_refused():
    pool = arithmetic_layer("avg_pool", None, 2, stride=2, padding=2, pool_convention="onnx")  # window 0: -2..-1
    with pytest.raises(ValueError, match="reads padding only"):
        effective_receptive_field([pool], 6, 0, count_include_pad=False)
    empty = effective_receptive_field([pool], 6, 0)  # divides by 2, reads nothing
    assert empty.gradient.tolist() == [0.0] * 6 and empty.box_cells == 0
    assert math.isnan(empty.share(0.5)) and math.isnan(empty.spread[0]) and "0 cells" in repr(empty)
