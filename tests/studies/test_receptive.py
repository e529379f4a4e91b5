"""Receptive fields of layer stacks (Araujo et al.): hand-worked stacks and brute force through the engine."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import convarith as ca
import convarith.engine.convolution as engine
from convarith.studies.receptive import branches_aligned, layer, receptive_field
from convarith.testing import random_array

# name: (layers, hand-worked r0, S0, P0)
STACKS = {
    "three_3x3_same": ([layer("conv", 3, padding=1)] * 3, 7, 1, 3),  # r = 1 + 2 + 2 + 2
    "vgg_block": ([layer("conv", 3, padding=1), layer("conv", 3, padding=1), layer("pool", 2)], 6, 2, 2),
    "resnet_stem": ([layer("conv", 7, 2, 3), layer("pool", 3, 2, 1)], 11, 4, 5),  # 1 + 6 + 2*2
    "alexnet_start": ([layer("conv", 11, 4), layer("pool", 3, 2)], 19, 8, 0),  # 1 + 10 + 2*4
    "dilated": ([layer("conv", 3, padding=2, dilation=2), layer("conv", 3, padding=4, dilation=4)], 13, 1, 6),
    "two_2x2_one_sided": ([layer("conv", 2, padding=(0, 1))] * 2, 3, 1, 0),
}


@pytest.mark.parametrize("name", STACKS)
def test_hand_worked_stacks(name):
    layers, r0, s0, p0 = STACKS[name]
    rf = receptive_field(layers)
    assert (rf.size, rf.stride, rf.padding) == (r0, s0, p0)
    assert rf.interval(3) == (3 * s0 - p0, 3 * s0 - p0 + r0 - 1)
    assert rf.half_pixel == (r0 % 2 == 0)


def test_same_padding_depends_on_input_parity():
    stack = [layer("conv", 7, 2, "same"), layer("conv", 3, 2, "same")]
    even = receptive_field(stack, input_size=224)  # pads (2, 3) then on 112: (0, 1)
    odd = receptive_field(stack, input_size=225)  # pads (3, 3) then on 113: (1, 1)
    assert [row.padding[0] for row in even.rows] == [(2, 3), (0, 1)]
    assert [row.padding[0] for row in odd.rows] == [(3, 3), (1, 1)]
    assert (even.padding, odd.padding) == (2 + 0 * 2, 3 + 1 * 2)
    assert not branches_aligned(even, odd)


def test_same_at_stride_1_needs_no_input_size():
    rf = receptive_field([layer("conv", 4, padding="same"), layer("conv", 4, padding="same", convention="same_lower")])
    assert [row.padding[0] for row in rf.rows] == [(1, 2), (2, 1)]
    assert rf.centre(0) == 0.0  # the two half-unit shifts cancel


def test_two_dimensional_per_axis():
    rf = receptive_field([layer("conv", (3, 5), stride=(1, 2), padding=(1, 2))], input_size=(8, 9))
    assert rf.size == (3, 5) and rf.stride == (1, 2) and rf.padding == (1, 2)
    assert rf.output_size == (8, 5)
    assert rf.interval((2, 1)) == ((1, 3), (0, 4))


def test_repr_table_has_one_row_per_layer():
    text = repr(receptive_field(STACKS["vgg_block"][0], input_size=32))
    lines = text.splitlines()
    assert lines[0] == "receptive field of 3 layers, input 32"
    assert lines[2].split() == ["0", "conv", "k=3", "1", "1", "(1,", "1)", "32", "3", "1", "1"]
    assert lines[4].split() == ["2", "max_pool", "k=2", "2", "1", "(0,", "0)", "16", "6", "2", "2"]
    assert "r0 = 1 + Σ (ek_l − 1)·Π s_j = 1 + 2·1 + 2·1 + 1·1 = 6" in text


def test_resnet_projection_shortcut_aligned_but_tensorflow_same_not():
    shortcut = receptive_field([layer("conv", 1, stride=2)], input_size=56)
    torch_style = receptive_field([layer("conv", 3, 2, 1), layer("conv", 3, 1, 1)], input_size=56)
    tf_style = receptive_field([layer("conv", 3, 2, "same"), layer("conv", 3, 1, "same")], input_size=56)
    assert branches_aligned(torch_style, shortcut)
    assert not branches_aligned(tf_style, shortcut)  # TF pads (0, 1) at stride 2 on an even input
    assert tf_style.alignment_offset(shortcut) == -1.0


# Brute force: perturb one input unit and see which outputs change, through the engine.


def _run(engine, stack, x):
    for lay in stack:
        if lay.kind == "conv":
            w = np.abs(random_array((1, 1, *lay.kernel_size), seed=sum(lay.kernel_size), dtype=np.float64)) + 0.5
            if lay.padding_rule == "same":  # the engine resolves the word itself
                x = engine.conv(x, w, stride=lay.stride, padding="same", dilation=lay.dilation,
                                convention=lay.convention)  # fmt: skip
            else:
                x = engine.conv(x, w, stride=lay.stride, padding=lay.padding, dilation=lay.dilation)
        else:
            pads = lay.with_input(x.shape[2:]).padding
            x = engine.max_pool(x, lay.kernel_size, stride=lay.stride, padding=pads, dilation=lay.dilation)
    return x


def _check_brute_force(stack, size):
    rf = receptive_field(stack, input_size=size)
    x = random_array((1, 1, size), seed=size, dtype=np.float64, low=0.0, high=1.0)
    base = _run(engine, stack, x)[0, 0]
    assert base.shape == (rf.output_size,)
    changed = np.zeros((size, base.shape[0]), dtype=bool)
    for u in range(size):
        bumped = x.copy()
        bumped[..., u] += 100.0
        changed[u] = _run(engine, stack, bumped)[0, 0] != base
    # Without dilation and with every kernel at least as wide as its stride the field has no holes.
    undilated = all(lay.dilation == (1,) and lay.kernel_size[0] >= lay.stride[0] for lay in stack)
    for u in range(size):  # input -> the outputs that read it
        expected = rf.outputs_reading(u)
        if undilated:
            assert list(np.flatnonzero(changed[u])) == list(expected), u
        else:
            assert set(np.flatnonzero(changed[u])) <= set(expected), u
    for y in range(base.shape[0]):  # output -> the inputs it reads
        start, end = rf.interval(y)
        seen = np.flatnonzero(changed[:, y])
        assert set(seen) <= set(range(start, end + 1)), y  # Araujo's interval bounds the field
        if undilated:
            assert list(seen) == list(rf.input_range(y)), y
        else:
            assert set(seen) <= set(rf.input_range(y)), y
        if undilated and 0 <= start and end < size and list(seen) == list(range(start, end + 1)):
            assert rf.centre(y) == (seen[0] + seen[-1]) / 2


@pytest.mark.parametrize("name", [n for n in STACKS if n != "alexnet_start"])
def test_named_stacks_brute_force(name):
    _check_brute_force(STACKS[name][0], 23)


def test_tensorflow_same_stride_2_brute_force():
    _check_brute_force([layer("conv", 4, 2, "same"), layer("conv", 3, 2, "same")], 22)
    _check_brute_force([layer("conv", 4, 2, "same", convention="same_lower"), layer("pool", 2, 2)], 21)


@st.composite
def _stacks(draw):
    stack = []
    for _ in range(draw(st.integers(1, 3))):
        k = draw(st.integers(1, 4))
        s = draw(st.integers(1, 3))
        if draw(st.booleans()):
            d = draw(st.integers(1, 2))
            p = (draw(st.integers(0, k - 1)), draw(st.integers(0, k - 1)))
            stack.append(layer("conv", k, s, p, d))
        else:
            p = draw(st.integers(0, k // 2))
            stack.append(layer("pool", k, s, p))
    return stack


@settings(max_examples=25)
@given(stack=_stacks(), size=st.integers(14, 24))
def test_random_stacks_brute_force(stack, size):
    from convarith.arithmetic.formulas import conv_output_size

    try:  # skip stacks with no output on this input
        current = size
        for lay in stack:
            current = conv_output_size(current, lay.kernel_size[0], lay.stride[0], lay.padding[0], lay.dilation[0])
    except ValueError:
        assume(False)  # no output on this input: let hypothesis draw another stack
    _check_brute_force(stack, size)


def test_two_dimensional_brute_force_one_unit():
    stack = [layer("conv", (3, 2), (2, 1), ((1, 1), (0, 1))), layer("conv", 2, 1, ((0, 1), (1, 0)))]
    rf = receptive_field(stack, input_size=(9, 8))
    x = random_array((1, 1, 9, 8), seed=1, dtype=np.float64, low=0.0, high=1.0)
    base = _run(engine, stack, x)
    bumped = x.copy()
    bumped[0, 0, 4, 3] += 100.0
    rows, cols = np.nonzero((_run(engine, stack, bumped) != base)[0, 0])
    (r_range, c_range) = rf.outputs_reading((4, 3))
    assert sorted(set(rows)) == list(r_range) and sorted(set(cols)) == list(c_range)


# Failure modes, one test each.


def test_missing_input_size_for_strided_same():
    with pytest.raises(ValueError, match=r"`input_size` is needed: layer 0 .* stride 2"):
        receptive_field([layer("conv", 3, 2, "same")])


def test_empty_stack():
    with pytest.raises(ValueError, match=r"`layers` must not be empty"):
        receptive_field([])


def test_not_a_layer():
    with pytest.raises(TypeError, match=r"`layers\[1\]` must be a Layer"):
        receptive_field([layer("conv", 3), (3, 1, 1)])  # type: ignore[list-item]


def test_single_layer_not_in_a_list():
    with pytest.raises(TypeError, match=r"`layers` must be a sequence of Layer"):
        receptive_field(layer("conv", 3))  # type: ignore[arg-type]


def test_bad_kind():
    with pytest.raises(
        ValueError, match=r"`kind` must be one of 'conv', 'conv_transpose', 'max_pool', 'avg_pool', 'lp_pool'"
    ):
        layer("deconv", 3)  # type: ignore[arg-type]


def test_bad_padding_word():
    with pytest.raises(ValueError, match=r"`padding` must be one of 'same', 'valid', 'full'"):
        layer("conv", 3, padding="half")


def test_ceil_mode_on_conv():
    with pytest.raises(ValueError, match=r"`ceil_mode` applies to pooling only"):
        layer("conv", 3, ceil_mode=True)


def test_mixed_axes():
    with pytest.raises(ValueError, match=r"`layers\[0\]` has 2 axes, another layer has 3"):
        receptive_field([layer("conv", (3, 3)), layer("conv", (3, 3, 3))])


def test_outputs_reading_needs_input_size():
    with pytest.raises(ValueError, match=r"`input_size` was not given to receptive_field"):
        receptive_field([layer("conv", 3)]).outputs_reading(0)


def test_outputs_reading_outside_input():
    with pytest.raises(ValueError, match=r"`input` 9 is outside the input \[0, 7\]"):
        receptive_field([layer("conv", 3)], input_size=8).outputs_reading(9)


def test_input_range_outside_output():
    with pytest.raises(ValueError, match=r"`output` 8 is outside the output \[0, 7\]"):
        receptive_field([layer("conv", 3, padding=1)], input_size=8).input_range(8)


def test_floored_tail_is_not_read():
    # pool k=3 s=3 p=1 on 15: windows start at -1, 2, 5, 8, 11; input 14 is dropped by the floor.
    rf = receptive_field([layer("pool", 3, 3, 1)], input_size=15)
    assert rf.outputs_reading(14) == range(5, 5)
    assert rf.interval(4) == (11, 13) and rf.input_range(4) == range(11, 14)


def test_output_index_wrong_axes():
    with pytest.raises(ValueError, match=r"`output` must have one entry per axis \(2\), got 3"):
        receptive_field([layer("conv", (3, 3))]).interval((0, 0, 0))


def test_no_output():
    with pytest.raises(ValueError, match=r"larger than the padded input"):
        receptive_field([layer("conv", 5)], input_size=3)


def test_stack_layers_are_the_arithmetic_layer():
    """One layer value: receptive's ``layer`` is ``convarith.arithmetic.layer`` without an input size."""
    stem = layer("conv", 7, 2, 3)
    assert isinstance(stem, ca.arithmetic.Layer) and stem.input_size is None
    assert stem == ca.arithmetic.layer("conv", None, 7, 2, 3, pool_convention="onnx")
    sized = [ca.arithmetic.layer("conv", 224, 7, 2, 3), layer("pool", 3, 2, 1)]
    rf = receptive_field(sized)  # the first layer's input size is the stack's
    assert rf.output_size == 56 and rf.size == 11
    assert rf.rows[1].layer.input_size == (112,)


def test_transposed_layer_refused():
    with pytest.raises(ValueError, match=r"`layers\[0\]` is a transposed convolution"):
        receptive_field([ca.arithmetic.layer("conv_transpose", None, 3, 2)])
