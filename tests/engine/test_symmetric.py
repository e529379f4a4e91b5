"""Symmetric padding (Wu et al., NeurIPS 2019): padding, shifts and information erosion."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convarith as ca
import convarith.engine.convolution as engine
from convarith.engine.symmetric import symmetric_groups, symmetric_pad
from convarith.studies.shift import erosion, measure_shift, plot_erosion, shift_table
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


@given(channels=st.integers(1, 9), half=st.integers(1, 3), h=st.integers(1, 5), w=st.integers(1, 5))
def test_any_even_kernel_follows_the_paper_rule(channels, half, h, w):
    # The rule generalised from C2sp: where C2sp pads (0, 1) use (k/2 - 1, k/2), where it pads
    # (1, 0) use (k/2, k/2 - 1); groups and channel split as in the official code.
    torch = pytest.importorskip("torch")
    k = 2 * half
    rule = {(0, 1): (half - 1, half), (1, 0): (half, half - 1)}
    pads = [(rule[v], rule[hz]) for v, hz in OFFICIAL_C2SP]
    x = random_array((1, channels, h, w), seed=channels * 100 + h * 10 + w)
    weight = random_array((2, channels, k, k), seed=k)
    ours = torch.nn.functional.conv2d(torch.from_numpy(symmetric_pad(x, (k, k))), torch.from_numpy(weight)).numpy()
    np.testing.assert_allclose(ours, _paper_layer(x, weight, pads), rtol=1e-5, atol=1e-6)


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
    with pytest.raises(TypeError, match=r"`x` must hold integers or floats \(.*\), got dtype <U1"):
        symmetric_pad(np.array([["a", "b"]]), 2)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64, np.bool_])
def test_complex_and_bool_refused_by_the_engine_gate(dtype: type) -> None:
    # before: symmetric_pad returned a complex128 (or bool) array; the engine refuses both everywhere
    message = r"`x` must hold integers or floats \(the engine has no complex, bool or object arrays\), got dtype"
    with pytest.raises(TypeError, match=message):
        symmetric_pad(np.ones((1, 4, 2, 2), dtype=dtype), 2)


def test_float_kernel_refused():
    with pytest.raises(TypeError, match=r"`kernel_size` must be an integer, got float 2.0"):
        symmetric_pad(np.ones((1, 4, 2, 2)), 2.0)  # type: ignore[arg-type]


def test_zero_channels_refused():
    with pytest.raises(ValueError, match=r"`channels` must be positive, got 0"):
        symmetric_groups(0, 2)


# The shift problem, measured through the engine.

# name: (kernel, convention, shift per layer on every axis), worked by hand from the pads:
# pads (pb, pe) read x[y - pb .. y - pb + k - 1], centred at y + (k - 1)/2 - pb.
SAME_SHIFTS = {
    "C2_tensorflow": (2, "tensorflow", Fraction(-1, 2)),  # (0, 1): centre y + 1/2
    "C2_keras": (2, "keras", Fraction(-1, 2)),
    "C2_jax": (2, "jax", Fraction(-1, 2)),
    "C2_same_upper": (2, "same_upper", Fraction(-1, 2)),
    "C2_same_lower": (2, "same_lower", Fraction(1, 2)),  # (1, 0): centre y - 1/2
    "C2_pytorch": (2, "pytorch", Fraction(-1, 2)),
    "C2_caffe": (2, "caffe", Fraction(-1, 2)),  # (0, 0): centre y + 1/2, one unit smaller
    "C4_tensorflow": (4, "tensorflow", Fraction(-1, 2)),  # (1, 2): centre y + 1/2
    "C4_same_lower": (4, "same_lower", Fraction(1, 2)),  # (2, 1): centre y - 1/2
    "C4_pytorch": (4, "pytorch", Fraction(-1, 2)),
    "C4_caffe": (4, "caffe", Fraction(-1, 2)),  # (1, 1): centre y + 1/2
    "C2sp": (2, "symmetric", Fraction(0)),
    "C4sp": (4, "symmetric", Fraction(0)),
    "C6sp": (6, "symmetric", Fraction(0)),
}


@pytest.mark.parametrize("name", SAME_SHIFTS)
def test_same_split_shift_table(name):
    k, convention, per_layer = SAME_SHIFTS[name]
    m = measure_shift(k, convention, layers=3)
    assert list(m.per_layer) == [(j * per_layer,) * 2 for j in (1, 2, 3)]


@pytest.mark.parametrize(("n", "ndim"), [(1, 1), (2, 1), (5, 1), (1, 2), (2, 2), (3, 2), (5, 2), (1, 3), (3, 3)])
def test_one_sided_2x2_moves_half_a_unit_per_layer(n, ndim):
    for convention, sign in [("tensorflow", -1), ("pytorch", -1), ("same_upper", -1), ("same_lower", +1)]:
        m = measure_shift(2, convention, layers=n, ndim=ndim)
        assert m.displacement == (Fraction(sign * n, 2),) * ndim, convention
        assert [row[0] for row in m.per_layer] == [Fraction(sign * j, 2) for j in range(1, n + 1)]


@pytest.mark.parametrize("k", [2, 4, 6])
@pytest.mark.parametrize("ndim", [1, 2])
def test_symmetric_padding_does_not_move(k, ndim):
    m = measure_shift(k, "symmetric", layers=3, ndim=ndim)
    assert m.displacement == (0,) * ndim
    assert m.output_shape == m.input_shape


def test_symmetric_3d_does_not_move():
    assert measure_shift(2, "symmetric", layers=2, ndim=3).displacement == (0, 0, 0)


@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("convention", ["tensorflow", "same_lower", "pytorch", "caffe", "full", "valid"])
def test_odd_kernels_do_not_move_under_any_same(k, convention):
    m = measure_shift(k, convention, layers=3)
    expected = {"valid": -(k - 1) // 2 * 3, "full": (k - 1) // 2 * 3}.get(convention, 0)
    assert m.displacement == (expected, expected)  # valid/full move by the cropped/added border


def test_c4_shifts_and_caffe_shrinks():
    assert measure_shift(4, "tensorflow", layers=3).displacement == (Fraction(-3, 2),) * 2
    caffe = measure_shift(4, "caffe", layers=3)  # pads (1, 1): one unit smaller per layer
    assert caffe.displacement == (Fraction(-3, 2),) * 2
    assert tuple(a - b for a, b in zip(caffe.input_shape, caffe.output_shape, strict=True)) == (3, 3)


def test_per_axis_kernel_moves_each_axis_on_its_own():
    m = measure_shift((2, 3), "tensorflow", layers=4)
    assert m.displacement == (-2, 0)


def test_shift_table_rows():
    table = shift_table(layers=2)
    by_label = {(m.label, m.padding): m.displacement for m in table.rows}
    assert by_label[("C2", "tensorflow")] == (-1, -1)
    assert by_label[("C2sp", "symmetric")] == (0, 0)
    assert by_label[("C4sp", "symmetric")] == (0, 0)
    assert "C2 same_lower" in repr(table)


def test_engine_symmetric_padding_equals_paper_layer():
    x = random_array((2, 6, 5, 7), seed=3, dtype=np.float64)
    w = random_array((3, 6, 2, 2), seed=4, dtype=np.float64)
    np.testing.assert_allclose(engine.conv(x, w, padding="symmetric"), _paper_layer(x, w, OFFICIAL_C2SP), rtol=1e-12)


# Information erosion.


@pytest.mark.parametrize("kernels", ["averaging", "random"])
def test_erosion_curves_strictly_decrease(kernels):
    q = erosion(layers=6, input_size=10, kernels=kernels, seed=1)
    for name, values in q.curves.items():
        assert values[0] == 1.0
        assert all(b < a for a, b in itertools.pairwise(values)), name


def test_asymmetric_erodes_faster_averaging():
    q = erosion(layers=8, input_size=12)
    for asym, sym in [("C2", "C2sp"), ("C4", "C4sp")]:
        assert q.curves[asym][1] == pytest.approx(q.curves[sym][1])  # one layer: each group loses as much
        assert all(a < s for a, s in zip(q.curves[asym][2:], q.curves[sym][2:], strict=True)), asym


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_asymmetric_erodes_faster_random_kernels(seed):
    q = erosion(layers=6, input_size=12, kernels="random", seed=seed, stacks=("C2", "C2sp", "C4", "C4sp"))
    assert q.curves["C2"][-1] < q.curves["C2sp"][-1]
    assert q.curves["C4"][-1] < q.curves["C4sp"][-1]


@pytest.mark.parametrize("h", [8, 13])
def test_c2_erosion_closed_form(h):
    # One-sided 2x2 averaging: along each axis a surviving unit walks by 0 or +1 per layer, so the
    # row mean loses n/2 units out of h: Q_n = (1 - n / (2h))**2 for n < h.
    q = erosion(layers=6, input_size=h, stacks=("C2",))
    for n, value in enumerate(q.curves["C2"]):
        assert value == pytest.approx((1 - n / (2 * h)) ** 2, rel=1e-12)


@pytest.mark.parametrize(("name", "pads"), [("C2sp", OFFICIAL_C2SP), ("C4sp", _c4sp_pads())])
def test_symmetric_erosion_equals_paper_layer(name, pads):
    q = erosion(layers=4, input_size=9, stacks=(name,))
    k = int(name[1])
    x = np.ones((1, 4, 9, 9))
    w = np.full((4, 4, k, k), 1.0 / (4 * k * k))
    expected = [1.0]
    for _ in range(4):
        x = _paper_layer(x, w, pads)
        expected.append(float(x.mean()))
    np.testing.assert_allclose(q.curves[name], expected, rtol=1e-12)


def test_erosion_repr_is_a_table():
    text = repr(erosion(layers=2, input_size=6, stacks=("C2", "C3")))
    lines = text.splitlines()
    assert lines[0].startswith("Q_n = mean |F_n|: constant 6×6 input, 4 channels, averaging kernels")
    assert lines[1].split() == ["n", "C2", "C3"]
    assert lines[2].split() == ["0", "1.0000", "1.0000"]


def test_plot_erosion_draws_one_line_per_stack():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    q = erosion(layers=3, input_size=6, stacks=("C2", "C2sp", "C3"))
    ax = plot_erosion(q)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["C2", "C2sp", "C3"]
    assert [line.get_linestyle() for line in lines] == ["--", "-", ":"]
    np.testing.assert_array_equal(lines[1].get_ydata(), q.curves["C2sp"])
    plt.close(ax.figure)


# Failure modes of the experiments, one test each.


def test_measure_shift_unknown_padding():
    with pytest.raises(ValueError, match=r"`padding` must be one of 'symmetric', 'tensorflow'"):
        measure_shift(2, "sideways")


def test_measure_shift_symmetric_odd_kernel():
    with pytest.raises(ValueError, match=r"`kernel_size` 3 is odd"):
        measure_shift(3, "symmetric")


def test_measure_shift_overflow_guard():
    with pytest.raises(ValueError, match=r"`layers` 20 is too many for exact int64 sums"):
        measure_shift(4, "tensorflow", layers=20)


def test_erosion_bad_stack_name():
    with pytest.raises(ValueError, match=r"`stacks` entries are 'C<k>' or 'C<k>sp'"):
        erosion(stacks=("K2",))


def test_erosion_symmetric_odd_stack():
    with pytest.raises(ValueError, match=r"'C3sp': symmetric padding is for even kernels"):
        erosion(stacks=("C3sp",))


def test_erosion_bad_kernels():
    with pytest.raises(ValueError, match=r"`kernels` must be 'averaging' or 'random'"):
        erosion(kernels="gaussian")


def test_plot_erosion_wrong_type():
    with pytest.raises(TypeError, match=r"`result` must be an ErosionCurves"):
        plot_erosion({"C2": (1.0, 0.5)})  # type: ignore[arg-type]


@pytest.mark.parametrize(("k", "field"), [(2, 3), (4, 5), (6, 7)])
def test_symmetric_layer_sees_k_plus_one_units(k, field):
    # The poster's receptive fields: C2sp 2 -> 3, C4sp 4 -> 5. Perturb one input unit (in every
    # channel) and count the outputs of one channel that change, per axis.
    x = np.zeros((1, 4, 11, 11))
    x[..., 5, 5] = 1.0
    y = engine.conv(x, np.ones((1, 4, k, k)), padding="symmetric")[0, 0]
    rows, cols = np.nonzero(y)
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (field, field)


def test_fewer_channels_than_groups():
    # One channel: only group 0 holds data (bottom/right padding); the other groups are empty.
    groups = symmetric_groups(1, (2, 2))
    assert [len(g.channels) for g in groups] == [1, 0, 0, 0]
    np.testing.assert_array_equal(symmetric_pad(np.ones((1, 1, 1)), (2, 2))[0], [[1, 0], [0, 0]])


@pytest.mark.parametrize("shape", [(20,), (6, 6, 6)])
def test_erosion_in_1d_and_3d(shape):
    q = erosion(layers=3, input_size=shape, stacks=("C2", "C2sp"), channels=2 ** len(shape))
    assert all(b < a for a, b in itertools.pairwise(q.curves["C2"]))
    assert q.curves["C2"][-1] < q.curves["C2sp"][-1]


def test_conv_symmetric_padding_with_dilation_pads_the_dilated_extent() -> None:
    """A 2x2 kernel dilated by 3 spans 4 cells: the groups pad 3 per axis and the size is kept."""
    x = random_array((1, 4, 7, 6), seed=3, dtype=np.float64)
    w = random_array((4, 4, 2, 2), seed=4, dtype=np.float64)
    out = ca.conv(x, w, padding="symmetric", dilation=3)
    assert out.shape == x.shape
    expected = ca.conv(ca.symmetric_pad(x, 4), w, dilation=3)
    np.testing.assert_allclose(out, expected)


def test_conv_symmetric_padding_refuses_an_odd_dilated_extent() -> None:
    x = np.zeros((1, 4, 6, 6))
    with pytest.raises(ValueError, match=r"kernel 2 dilated by 2 spans 3 = 2\*\(2 - 1\) \+ 1 \(odd\) on axis 0"):
        ca.conv(x, np.zeros((4, 4, 2, 2)), padding="symmetric", dilation=2)


def test_texts_use_the_shared_formatter():
    """Groups, measurements, tables and erosion print sizes and pads as convarith.arithmetic.text does."""
    assert repr(symmetric_groups(4, (2, 2))[2]) == "group 2: channels 2..2 padding (0, 1)×(1, 0)"
    assert repr(symmetric_groups(4, (2, 2))[0]).endswith("padding (0, 1)")  # every axis alike: one pair
    m = measure_shift(4, "same_lower", layers=3)
    assert repr(m).startswith("C4 (same_lower, pads (2, 1)): centroid moves +1.5")
    assert measure_shift((3, 2), "tensorflow", layers=1).label == "C3×2"
    assert "  pads (1, 0)  " in repr(shift_table(layers=1, ndim=1))  # C2 same_lower, first axis
    text = repr(erosion(layers=1, input_size=(6, 5), stacks=("C2",)))
    assert text.startswith("Q_n = mean |F_n|: constant 6×5 input")
