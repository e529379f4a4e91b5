"""Tests of the output-size formulas against independent oracles.

Oracles: brute-force enumeration of kernel positions, PyTorch's own shape arithmetic (run on
zero tensors), the output sizes shown in the guide's figures (worked by hand), and round trips
between a formula and its inverse.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convarith as ca
from convarith.arithmetic.formulas import RELATIONSHIPS
from tests.guide import GUIDE_FIGURES, GUIDE_OUTPUT

# Which of the guide's numbered relationships each figure illustrates (from the guide's text).
FIGURE_RELATIONSHIP = {
    "no_padding_no_strides": 1,
    "arbitrary_padding_no_strides": 2,
    "same_padding_no_strides": 3,
    "full_padding_no_strides": 4,
    "no_padding_strides": 5,
    "padding_strides": 6,
    "padding_strides_odd": 6,
    "dilation": 15,
}
TRANSPOSED_TWIN = {1: 8, 2: 9, 3: 10, 4: 11, 5: 12, 6: 13}

sizes = st.integers(1, 12)
small = st.integers(1, 4)
pads = st.integers(0, 4)


def count_positions(i: int, k: int, s: int, pb: int, pe: int, d: int) -> int:
    """Brute force: slide the dilated kernel over the padded input and count where it fits."""
    ek = d * (k - 1) + 1
    return sum(1 for start in range(0, pb + i + pe, s) if start + ek <= pb + i + pe)


@pytest.mark.parametrize("name", GUIDE_FIGURES)
def test_guide_figure_output_size(name: str) -> None:
    i, k, s, p, d = GUIDE_FIGURES[name]
    expected = GUIDE_OUTPUT[name]
    assert ca.conv_output_size(i, k, s, p, d) == expected


@pytest.mark.parametrize("name", GUIDE_FIGURES)
def test_guide_figure_relationship(name: str) -> None:
    i, k, s, p, d = GUIDE_FIGURES[name]
    expected = GUIDE_OUTPUT[name]
    rel = ca.arithmetic.relationship(k, s, p, d)
    assert rel.number == FIGURE_RELATIONSHIP[name]
    assert rel.output(i, k, s, p, d) == expected


@pytest.mark.parametrize("name", [n for n in GUIDE_FIGURES if n != "dilation"])
def test_guide_transposed_twin(name: str) -> None:
    """The transposed twin maps the output size back to the input size (relationships 8-14)."""
    i, k, s, p, d = GUIDE_FIGURES[name]
    o = GUIDE_OUTPUT[name]
    a = ca.arithmetic.recovering_output_padding(i, k, s, p, d)
    assert ca.conv_transpose_output_size(o, k, s, p, a, d) == i
    rel = ca.arithmetic.relationship(k, s, p, transposed=True, input_size=i)
    expected_number = TRANSPOSED_TWIN[FIGURE_RELATIONSHIP[name]] if a == 0 else 14
    assert rel.number == expected_number
    assert rel.output(o, k, s, p, d) + a == i


def test_relationships_are_numbered_in_order() -> None:
    assert list(RELATIONSHIPS) == list(range(1, 16))
    assert [r.number for r in RELATIONSHIPS.values()] == list(range(1, 16))
    assert [r.transposed for r in RELATIONSHIPS.values()] == [False] * 7 + [True] * 7 + [False]


def test_relationships_are_indexed_by_their_number() -> None:
    """Issue 12: ``RELATIONSHIPS[12]`` was relationship 13 (a 0-based tuple) while ``relationship`` counts from 1."""
    for number in range(1, 16):
        assert RELATIONSHIPS[number].number == number
    assert RELATIONSHIPS[13] is ca.arithmetic.relationship(3, stride=2, padding=1, transposed=True, input_size=5)
    assert RELATIONSHIPS[13].formula == "o' = s(i' - 1) + k - 2p"


@pytest.mark.parametrize("number", [0, 16, -1])
def test_relationship_numbers_start_at_one(number: int) -> None:
    with pytest.raises(KeyError, match="numbered 1 to 15 as in the guide"):
        RELATIONSHIPS[number]


def test_transpose_equivalent_is_scalar_for_scalar_arguments() -> None:
    """Issue 12: a scalar input gave a 1-tuple; scalar in, scalar out like every other formula."""
    eq = ca.arithmetic.transpose_equivalent(2, 3, stride=2, padding=1)
    assert isinstance(eq, ca.arithmetic.TransposeEquivalent)
    assert (eq.zeros_between, eq.stretched_size, eq.padding, eq.output_size) == (1, 3, (1, 1), 3)
    per_axis = ca.arithmetic.transpose_equivalent((2,), 3, stride=2, padding=1)
    assert per_axis == (eq,)
    assert ca.arithmetic.transpose_equivalent(ca.arithmetic.layer("conv_transpose", 2, 3, 2, 1)) == eq


def constrain(number: int, k: int, s: int, p: int, d: int) -> tuple[int, int, int, int]:
    """Force the drawn parameters into relationship ``number``'s conditions (or its transposed twin's)."""
    base = {8: 1, 9: 2, 10: 3, 11: 4, 12: 5, 13: 6, 14: 6}.get(number, number)
    if base != 15:
        d = 1
    if base in (1, 2, 3, 4):
        s = 1
    if base in (1, 5):
        p = 0
    if base == 3:
        k, p = 2 * k + 1, k  # odd kernel, half padding
    if base == 4:
        p = k - 1
    return k, s, p, d


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5, 6, 15])
@given(i=st.integers(1, 20), k=small, s=small, p=pads, d=small)
def test_direct_relationship_agrees_with_formula(number: int, i: int, k: int, s: int, p: int, d: int) -> None:
    rel = RELATIONSHIPS[number]
    k, s, p, d = constrain(number, k, s, p, d)
    assert rel.holds(i, k, s, p, d)
    assume(d * (k - 1) + 1 <= i + 2 * p)
    assert rel.output(i, k, s, p, d) == ca.conv_output_size(i, k, s, p, d)


@given(i=st.integers(1, 20), k=small, s=small)
def test_pooling_relationship_agrees_with_pool_formula(i: int, k: int, s: int) -> None:
    assume(k <= i)
    assert RELATIONSHIPS[7].output(i, k, s, 0, 1) == ca.pool_output_size(i, k, s)


@pytest.mark.parametrize("number", range(8, 15))
@given(o=st.integers(1, 10), k=small, s=small, p=pads)
def test_transposed_relationship_agrees_with_formula(number: int, o: int, k: int, s: int, p: int) -> None:
    rel = RELATIONSHIPS[number]
    k, s, p, _ = constrain(number, k, s, p, 1)
    assert rel.holds(o, k, s, p, 1)
    expected = rel.output(o, k, s, p, 1)
    assume(expected >= 1)
    assert expected == ca.conv_transpose_output_size(o, k, s, p)


@given(i=sizes, k=small, s=small, pb=pads, pe=pads, d=small)
def test_conv_output_size_counts_kernel_positions(i: int, k: int, s: int, pb: int, pe: int, d: int) -> None:
    expected = count_positions(i, k, s, pb, pe, d)
    if expected == 0:
        with pytest.raises(ValueError, match="larger than the padded input"):
            ca.conv_output_size(i, k, s, (pb, pe), d)
    else:
        assert ca.conv_output_size(i, k, s, (pb, pe), d) == expected


@given(i=sizes, k=small, s=small, p=pads, d=small)
def test_conv_output_size_matches_pytorch(i: int, k: int, s: int, p: int, d: int) -> None:
    torch = pytest.importorskip("torch")
    assume(d * (k - 1) + 1 <= i + 2 * p)
    out = torch.nn.functional.conv1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d)
    assert ca.conv_output_size(i, k, s, p, d) == out.shape[-1]


@given(i=sizes, k=small, s=small, p=st.integers(0, 2), d=st.integers(1, 3), ceil_mode=st.booleans())
def test_pool_output_size_matches_pytorch(i: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> None:
    torch = pytest.importorskip("torch")
    x = torch.zeros(1, 1, i)
    try:
        expected = torch.nn.functional.max_pool1d(x, k, s, p, d, ceil_mode=ceil_mode).shape[-1]
    except RuntimeError:
        with pytest.raises(ValueError):
            ca.pool_output_size(i, k, s, p, d, ceil_mode)
        return
    assert ca.pool_output_size(i, k, s, p, d, ceil_mode) == expected


@given(i=sizes, k=small, s=small, pb=st.integers(0, 3), pe=st.integers(0, 3), d=st.integers(1, 3))
def test_pool_ceil_mode_matches_window_enumeration(i: int, k: int, s: int, pb: int, pe: int, d: int) -> None:
    """Ceil mode: every window that starts inside the input or the left padding and overhangs the
    padded input by less than one stride. (Domain: padding smaller than the kernel, as PyTorch
    and ONNX Runtime require; beyond it PyTorch drops only one right-padding window.)"""
    ek = d * (k - 1) + 1
    assume(pb < ek and pe < ek)
    padded = pb + i + pe
    kept = [t for t in range(0, padded + s, s) if t < pb + i and t + ek <= padded + s - 1]
    if not kept:
        with pytest.raises(ValueError):
            ca.pool_output_size(i, k, s, (pb, pe), d, True, convention="onnx")
    else:
        assert ca.pool_output_size(i, k, s, (pb, pe), d, True, convention="onnx") == len(kept)


@pytest.mark.parametrize(
    ("i", "k", "s", "p", "expected"),
    [
        (6, 3, 2, 1, 4),  # ceil((6 + 2 - 3)/2) + 1 = 4; the last window starts at 6 < 7
        (5, 3, 2, 1, 3),  # ceil(4/2) + 1 = 3
        (4, 3, 2, 1, 3),  # ceil(3/2) + 1 = 3, starts at 4 < 5
        (4, 2, 2, 1, 3),  # ceil(4/2) + 1 = 3; (3 - 1)*2 = 4 < 5, kept
        (3, 2, 2, 1, 2),  # ceil(3/2) + 1 = 3, but (3 - 1)*2 = 4 >= 3 + 1: dropped
        (7, 3, 2, 0, 3),  # no padding: never dropped
    ],
)
def test_caffe_pooling_hand_worked(i: int, k: int, s: int, p: int, expected: int) -> None:
    assert ca.pool_output_size(i, k, s, p, convention="caffe") == expected


@given(o=st.integers(1, 10), k=small, s=small, pb=pads, pe=pads, d=small)
def test_input_sizes_for_output_round_trip(o: int, k: int, s: int, pb: int, pe: int, d: int) -> None:
    found = ca.input_sizes_for_output(o, k, s, (pb, pe), d)
    assert isinstance(found, range)
    for i in found:
        assert ca.conv_output_size(i, k, s, (pb, pe), d) == o
    brute = [i for i in range(1, 80) if count_positions(i, k, s, pb, pe, d) == o]
    assert list(found) == brute


@given(i=sizes, k=small, s=small, p=pads, d=small)
def test_transposed_recovers_input_size(i: int, k: int, s: int, p: int, d: int) -> None:
    assume(d * (k - 1) + 1 <= i + 2 * p)
    o = ca.conv_output_size(i, k, s, p, d)
    a = ca.arithmetic.recovering_output_padding(i, k, s, p, d)
    assert a == (i + 2 * p - (d * (k - 1) + 1)) % s
    assert ca.conv_transpose_output_size(o, k, s, p, a, d) == i


@given(i=sizes, k=small, s=small, p=pads, a=st.integers(0, 3), d=small)
def test_conv_transpose_output_size_matches_pytorch(i: int, k: int, s: int, p: int, a: int, d: int) -> None:
    torch = pytest.importorskip("torch")
    x, w = torch.zeros(1, 1, i), torch.zeros(1, 1, k)
    try:
        expected = torch.nn.functional.conv_transpose1d(x, w, stride=s, padding=p, output_padding=a, dilation=d)
    except RuntimeError:
        with pytest.raises(ValueError):
            ca.conv_transpose_output_size(i, k, s, p, a, d)
        return
    assert ca.conv_transpose_output_size(i, k, s, p, a, d) == expected.shape[-1]


@given(i=sizes, k=small, s=small, p=pads, a=st.integers(0, 3), d=small)
def test_transpose_equivalent_gives_the_same_size(i: int, k: int, s: int, p: int, a: int, d: int) -> None:
    assume(a < s or a < d)
    assume((i - 1) * s - 2 * p + d * (k - 1) + 1 + a >= 1)
    eq = ca.arithmetic.transpose_equivalent(i, k, s, p, a, d)
    assert eq.stretched_size == i + (i - 1) * eq.zeros_between
    assert eq.output_size == count_positions(eq.stretched_size, k, 1, *eq.padding, d) or min(eq.padding) < 0
    assert eq.output_size == ca.conv_transpose_output_size(i, k, s, p, a, d)


@pytest.mark.parametrize("convention", ["tensorflow", "keras", "jax", "same_upper", "same_lower"])
@given(i=st.integers(1, 40), k=small, s=small, d=st.integers(1, 3))
def test_same_padding_gives_ceil_i_over_s(convention: str, i: int, k: int, s: int, d: int) -> None:
    before, after = ca.same_padding(i, k, s, d, convention=convention)
    assert ca.conv_output_size(i, k, s, (before, after), d) == math.ceil(i / s)
    # REFERENCE.md's second form of the total: max(ek - s, 0) if s divides i, else max(ek - i % s, 0)
    ek = d * (k - 1) + 1
    total = max(ek - s, 0) if i % s == 0 else max(ek - i % s, 0)
    assert before + after == total
    assert abs(before - after) <= 1
    assert (after >= before) if convention != "same_lower" else (before >= after)


@given(i=st.integers(1, 30), k=small, d=st.integers(1, 3))
def test_pytorch_same_keeps_the_size(i: int, k: int, d: int) -> None:
    torch = pytest.importorskip("torch")
    pads = ca.same_padding(i, k, 1, d, convention="pytorch")
    with warnings.catch_warnings():  # torch warns that even kernels need a padded copy
        warnings.simplefilter("ignore", UserWarning)
        out = torch.nn.functional.conv1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), padding="same", dilation=d)
    assert ca.conv_output_size(i, k, 1, pads, d) == out.shape[-1] == i


@pytest.mark.parametrize(
    ("i", "k", "s", "convention", "expected"),
    [
        (224, 7, 2, "tensorflow", (2, 3)),  # REFERENCE.md: TF pads (2, 3) on 224
        (299, 7, 2, "tensorflow", (3, 3)),  # and (3, 3) on 299
        (224, 7, 2, "caffe", (3, 3)),  # Caffe/PyTorch ResNet stem
        (224, 7, 2, "same_lower", (3, 2)),
        (5, 3, 1, "valid", (0, 0)),
        (5, 3, 1, "full", (2, 2)),
        (5, 2, 1, "pytorch", (0, 1)),  # the extra unit after
    ],
)
def test_same_padding_known_splits(i: int, k: int, s: int, convention: str, expected: tuple[int, int]) -> None:
    assert ca.same_padding(i, k, s, convention=convention) == expected


@given(i=st.integers(1, 40), o=st.integers(1, 40), k=small, s=small, d=st.integers(1, 3))
def test_padding_for_output_is_smallest(i: int, o: int, k: int, s: int, d: int) -> None:
    ek = d * (k - 1) + 1
    if ek <= i and count_positions(i, k, s, 0, 0, d) > o:  # even no padding gives more than o
        with pytest.raises(ValueError, match="padding cannot be negative"):
            ca.padding_for_output(i, o, k, s, d)
        return
    before, after = ca.padding_for_output(i, o, k, s, d)
    assert ca.conv_output_size(i, k, s, (before, after), d) == o
    total = before + after
    assert total == 0 or count_positions(i, k, s, 0, total - 1, d) < o


def test_per_axis_tuples() -> None:
    assert ca.conv_output_size((5, 6), (3, 2), stride=(2, 1), padding=((1, 1), (0, 1))) == (3, 6)
    assert ca.conv_output_size((224, 224), 7, 2, 3) == (112, 112)
    assert ca.conv_output_size(5, 3, padding=((1, 1), (2, 2))) == (5, 7)  # axes from the padding pairs
    assert ca.same_padding((224, 299), 7, 2) == ((2, 3), (3, 3))
    assert ca.input_sizes_for_output((3, 2), 3, stride=(2, 1)) == (range(7, 9), range(4, 5))
    assert ca.arithmetic.effective_kernel_size((3, 2), (2, 3)) == (5, 4)


def test_numpy_integers_are_accepted() -> None:
    assert ca.conv_output_size(np.int64(5), np.int32(3)) == 3


# --- bad input: one named test per failure mode -----------------------------------------------


def test_float_kernel_is_refused() -> None:
    with pytest.raises(TypeError, match=r"`kernel_size` must be an integer, got float 2.5"):
        ca.conv_output_size(5, 2.5)  # type: ignore[arg-type]


def test_bool_stride_is_refused() -> None:
    with pytest.raises(TypeError, match=r"`stride` must be an integer, got bool True"):
        ca.conv_output_size(5, 3, stride=True)


def test_string_size_is_refused() -> None:
    with pytest.raises(TypeError, match=r"`input_size` must be an integer"):
        ca.conv_output_size("5", 3)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["kernel_size", "stride", "dilation"])
def test_size_below_one_is_refused(name: str) -> None:
    kwargs = {"input_size": 5, "kernel_size": 3, name: 0}
    with pytest.raises(ValueError, match=rf"`{name}` must be positive, got 0"):
        ca.conv_output_size(**kwargs)


def test_negative_padding_is_refused() -> None:
    with pytest.raises(ValueError, match=r"`padding` must be non-negative, got -1"):
        ca.conv_output_size(5, 3, padding=-1)


def test_negative_padding_pair_is_refused() -> None:
    with pytest.raises(ValueError, match=r"`padding after` must be non-negative, got -2"):
        ca.conv_output_size(5, 3, padding=(1, -2))


def test_kernel_larger_than_padded_input() -> None:
    with pytest.raises(ValueError, match=r"`kernel_size` 5 is larger than the padded input 4 = 2 \+ 1 \+ 1"):
        ca.conv_output_size(2, 5, padding=1)


def test_dilated_kernel_larger_than_padded_input_names_the_axis() -> None:
    with pytest.raises(
        ValueError, match=r"3 \(dilated: 2\*\(3 - 1\) \+ 1 = 5\) is larger .* 4 = 4 \+ 0 \+ 0 on axis 1"
    ):
        ca.conv_output_size((9, 4), 3, dilation=2)


def test_mismatched_axis_counts() -> None:
    with pytest.raises(ValueError, match=r"`input_size` has 2, `kernel_size` has 3"):
        ca.conv_output_size((5, 5), (3, 3, 3))


def test_padding_with_wrong_number_of_axes() -> None:
    with pytest.raises(ValueError, match=r"one int or \(before, after\) pair per axis \(2\), got 3 entries"):
        ca.conv_output_size((5, 5), 3, padding=(1, 1, 1))


def test_output_padding_not_smaller_than_stride_or_dilation() -> None:
    with pytest.raises(ValueError, match=r"`output_padding` 2 must be smaller than `stride` 2 or `dilation` 1"):
        ca.conv_transpose_output_size(3, 3, stride=2, output_padding=2)


def test_transposed_padding_crops_everything() -> None:
    with pytest.raises(ValueError, match=r"crops away the whole output"):
        ca.conv_transpose_output_size(1, 2, padding=1)


def test_pytorch_same_refuses_stride() -> None:
    with pytest.raises(ValueError, match=r"`stride` 2: PyTorch refuses padding='same' for strided"):
        ca.same_padding(224, 7, 2, convention="pytorch")


def test_unknown_convention_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"`convention` must be one of 'tensorflow', .*'full'; got 'tf2'"):
        ca.same_padding(5, 3, convention="tf2")


def test_pytorch_pool_padding_limit() -> None:
    with pytest.raises(ValueError, match=r"`padding` 2 is more than half the kernel size 3 \(3 // 2 = 1\)"):
        ca.pool_output_size(10, 3, 1, 2)


def test_caffe_pool_refuses_floor_mode() -> None:
    with pytest.raises(ValueError, match=r"Caffe pooling always rounds up"):
        ca.pool_output_size(10, 3, convention="caffe", ceil_mode=False)


def test_caffe_pool_refuses_asymmetric_padding() -> None:
    with pytest.raises(ValueError, match=r"asymmetric"):
        ca.pool_output_size(10, 3, padding=(0, 1), convention="caffe")


def test_pool_with_no_output() -> None:
    with pytest.raises(ValueError, match=r"`kernel_size` 5 is larger than the padded input 3 = 3 \+ 0 \+ 0"):
        ca.pool_output_size(3, 5, 2, ceil_mode=True)


def test_unreachable_output_for_padding_lookup() -> None:
    with pytest.raises(ValueError, match=r"`output_size` 2 is smaller than the unpadded output 3"):
        ca.padding_for_output(5, 2, 3)


def test_relationship_refuses_dilated_transpose() -> None:
    with pytest.raises(ValueError, match=r"transposed relationships 8-14 have no dilation"):
        ca.arithmetic.relationship(3, dilation=2, transposed=True)
