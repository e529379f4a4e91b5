"""Frames as data: every highlighted cell is checked against an independent oracle.

Oracles: brute-force enumeration of kernel positions (``o*s + t*d - pb``), the engine's own
strided slices (:meth:`AxisWindows.padded_slice`), perturbation through the engine (a one-hot
input lights up exactly the outputs that read it), PyTorch for the numbers, and hand-worked
values from the guide.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convarith import conv, conv_output_size, conv_transpose_output_size, window_map
from convarith.anim.scenes import (
    GUIDE_KERNEL,
    conv_scene,
    group_scene,
    layer_scene,
    pool_scene,
    same_comparison_scene,
    symmetric_scene,
    transpose_scene,
)
from convarith.arithmetic import layer, recovering_output_padding
from convarith.engine.symmetric import symmetric_groups
from convarith.engine.transpose import conv_transpose
from tests.guide import GUIDE_FIGURES as GUIDE

# frames per guide figure, counted by hand from the guide's GIFs (output cells)
GUIDE_FRAMES = {
    "no_padding_no_strides": 4,
    "arbitrary_padding_no_strides": 36,
    "same_padding_no_strides": 25,
    "full_padding_no_strides": 49,
    "no_padding_strides": 4,
    "padding_strides": 9,
    "padding_strides_odd": 9,
    "dilation": 9,
}
# transposed twins: the transpose's input is the forward output; output frames = forward input cells
GUIDE_TRANSPOSED_FRAMES = {name: i * i for name, (i, *_rest) in GUIDE.items() if name != "dilation"}

# non-square, asymmetric and 1-D cases: (input, kernel, stride, padding, dilation)
OTHER_CASES = {
    "non_square": ((5, 7), (3, 2), (2, 1), ((1, 1), (0, 1)), 1),
    "asymmetric_padding": ((6, 6), 3, 2, ((0, 1), (0, 1)), 1),
    "one_d": (8, 3, 2, 1, 1),
    "one_d_dilated": (9, 2, 1, (2, 0), 3),
    "dilated_non_square": ((7, 6), 2, (1, 2), 1, (3, 2)),
}


def brute_force_reads(shape, kernel, stride, pads, dilation, out):
    """Input coordinates read by output ``out``, enumerated from the definition."""
    axes = range(len(shape))
    return [
        tuple(out[x] * stride[x] + tap[x] * dilation[x] - pads[x][0] for x in axes)
        for tap in itertools.product(*(range(kernel[x]) for x in axes))
    ]


def slice_reads(windows, out):
    """Input coordinates read by ``out``, from the strided slices the engine takes."""
    per_axis = []
    for a, o in zip(windows.axes, out, strict=True):
        coords = []
        for t in range(a.kernel_size):
            sl = a.padded_slice(t)
            coords.append(range(sl.start, sl.stop, sl.step)[o] - a.padding[0])
        per_axis.append(coords)
    return [tuple(c) for c in itertools.product(*per_axis)]


def _per_axis(value, ndim):
    return tuple(value) if isinstance(value, tuple) else (value,) * ndim


def _pads(padding, ndim):
    if isinstance(padding, int):
        return ((padding, padding),) * ndim
    if ndim == 1 and len(padding) == 2 and isinstance(padding[0], int):
        return (tuple(padding),)
    return tuple((p, p) if isinstance(p, int) else tuple(p) for p in padding)


def check_conv_scene(i, k, s, p, d):
    scene = conv_scene(i, k, s, p, d)
    ndim = len(scene.panels[0].input_shape)
    shape, kernel = _per_axis(i, ndim), _per_axis(k, ndim)
    stride, dilation, pads = _per_axis(s, ndim), _per_axis(d, ndim), _pads(p, ndim)
    expected_out = conv_output_size(shape, kernel, stride, pads, dilation)
    panel = scene.panels[0]
    assert panel.output_shape == expected_out
    assert len(scene) == int(np.prod(expected_out))
    positions = list(itertools.product(*(range(n) for n in expected_out)))
    for frame, out in zip(panel.frames, positions, strict=True):
        assert [c.coord for c in frame.writes] == [out]
        coords = [c.coord for c in frame.reads]
        assert coords == brute_force_reads(shape, kernel, stride, pads, dilation, out)
        assert coords == slice_reads(panel.windows, out)
        for cell in frame.reads:
            inside = all(0 <= c < n for c, n in zip(cell.coord, shape, strict=True))
            assert cell.kind == ("input" if inside else "padding")
        assert [c.tap for c in frame.reads] == list(itertools.product(*(range(n) for n in kernel)))
    return scene


@pytest.mark.parametrize("name", list(GUIDE))
def test_guide_figures_read_the_index_map(name):
    i, k, s, p, d = GUIDE[name]
    scene = check_conv_scene((i, i), k, s, p, d)
    assert len(scene) == GUIDE_FRAMES[name]


@pytest.mark.parametrize("name", list(OTHER_CASES))
def test_other_cases_read_the_index_map(name):
    check_conv_scene(*OTHER_CASES[name])


@given(
    i=st.integers(1, 7),
    j=st.integers(1, 6),
    k=st.integers(1, 4),
    s=st.integers(1, 3),
    d=st.integers(1, 3),
    pads=st.tuples(st.integers(0, 2), st.integers(0, 2)),
)
def test_random_layers_read_the_index_map(i, j, k, s, d, pads):
    ek = d * (k - 1) + 1
    if ek > min(i, j) + sum(pads):
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv_scene((i, j), k, s, (pads, pads), d)
        return
    check_conv_scene((i, j), k, s, (pads, pads), d)


@pytest.mark.parametrize("name", ["padding_strides", "dilation", "arbitrary_padding_no_strides"])
def test_highlighted_cells_are_what_the_engine_reads(name):
    # perturbation: output o changes with input cell j exactly when frame o highlights j
    i, k, s, p, d = GUIDE[name]
    scene = conv_scene((i, i), k, s, p, d)
    weight = np.ones((1, 1, k, k), dtype=np.int64)
    panel = scene.panels[0]
    for j in itertools.product(range(i), range(i)):
        x = np.zeros((1, 1, i, i), dtype=np.int64)
        x[(0, 0, *j)] = 1
        lit = conv(x, weight, stride=s, padding=p, dilation=d)[0, 0]
        for frame in panel.frames:
            out = frame.writes[0].coord
            assert (j in [c.coord for c in frame.reads]) == bool(lit[out])


def test_dilation_gaps_are_the_unread_cells_of_the_footprint():
    scene = conv_scene((7, 7), 3, dilation=2)  # the guide's dilation
    frame = scene.panels[0].frames[0]
    assert len(frame.gaps) == 25 - 9
    assert set(frame.gaps).isdisjoint(c.coord for c in frame.reads)
    assert all(0 <= r <= 4 and 0 <= c <= 4 for r, c in frame.gaps)
    assert conv_scene((5, 5), 3).panels[0].frames[0].gaps == ()


def test_numbers_are_the_engines_and_pytorchs_output():
    torch = pytest.importorskip("torch")
    scene = conv_scene((5, 5), 3, 2, 1, numbers=True)
    panel = scene.panels[0]
    assert panel.input_values is not None
    assert np.array_equal(panel.kernel_values, GUIDE_KERNEL)
    engine = conv(panel.input_values[None, None], panel.kernel_values[None, None], stride=2, padding=1)[0, 0]
    reference = torch.nn.functional.conv2d(
        torch.from_numpy(panel.input_values[None, None]).double(),
        torch.from_numpy(panel.kernel_values[None, None]).double(),
        stride=2,
        padding=1,
    )[0, 0].numpy()
    final = panel.frames[-1].output_values
    assert np.array_equal(final, engine)
    assert np.array_equal(final, reference)
    # each frame shows the cells computed so far, and nothing else
    for n, frame in enumerate(panel.frames):
        shown = ~np.isnan(frame.output_values)
        assert shown.sum() == n + 1
        assert shown[frame.writes[0].coord]


def test_guide_numerical_figure_by_hand():
    # the guide's numerical_no_padding_no_strides kernel on a hand-made input
    x = np.arange(25).reshape(5, 5) % 4
    scene = conv_scene((5, 5), 3, input_values=x)
    # output (0, 0) by hand: sum of x[0:3, 0:3] * kernel
    # x[0:3, 0:3] = [[0,1,2],[1,2,3],[2,3,0]]; kernel [[0,1,2],[2,2,0],[0,1,2]]
    by_hand = 0 * 0 + 1 * 1 + 2 * 2 + 1 * 2 + 2 * 2 + 3 * 0 + 2 * 0 + 3 * 1 + 0 * 2
    assert scene.panels[0].frames[0].output_values[0, 0] == by_hand == 14


@pytest.mark.parametrize("name", [n for n in GUIDE if n != "dilation"])
def test_transposed_twins_direct_view(name):
    i, k, s, p, _ = GUIDE[name]
    o = conv_output_size(i, k, s, p)
    a = recovering_output_padding(i, k, s, p)
    scene = transpose_scene((o, o), k, s, p, a)
    panel = scene.panels[0]
    assert panel.output_shape == (i, i) == conv_transpose_output_size((o, o), k, s, p, a)
    assert len(scene) == GUIDE_TRANSPOSED_FRAMES[name]
    # zeros between the input cells: s - 1 of them
    assert panel.input_shape == ((o - 1) * s + 1,) * 2
    assert all(any(c % s for c in z) for z in panel.zeros)
    # the cells of the stretched input each frame reads are the forward map's readers(), kernel flipped
    forward = window_map((i, i), k, s, p)
    for frame in panel.frames:
        out = frame.writes[0].coord
        real = sorted((tuple(c // s for c in cell.coord), cell.tap) for cell in frame.reads if cell.kind == "input")
        expected = sorted((j, tuple(k - 1 - t for t in tap)) for j, tap in forward.readers(out))
        assert real == expected
        for cell in frame.reads:
            if cell.kind == "zero":
                assert cell.coord in panel.zeros


@pytest.mark.parametrize("stride,padding,output_padding", [(2, 1, 1), (2, 0, 0), (1, 1, 0), (3, 1, 2)])
def test_transposed_scatter_view(stride, padding, output_padding):
    torch = pytest.importorskip("torch")
    scene = transpose_scene((3, 2), 3, stride, padding, output_padding, view="scatter", numbers=True)
    panel = scene.panels[0]
    assert len(scene) == 6  # one frame per input cell
    forward = window_map(panel.output_shape, 3, stride, padding)
    for frame, j in zip(panel.frames, itertools.product(range(3), range(2)), strict=True):
        assert [c.coord for c in frame.reads] == [j]
        assert [(c.coord, c.tap) for c in frame.writes] == [(r.input, r.offset) for r in forward.reads(j)]
        for cell in frame.writes:
            inside = all(0 <= c < n for c, n in zip(cell.coord, panel.output_shape, strict=True))
            assert cell.kind == ("output" if inside else "cropped")
    x, w = panel.input_values, panel.kernel_values
    reference = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(x[None, None]).double(),
        torch.from_numpy(w[None, None]).double(),
        stride=stride,
        padding=padding,
        output_padding=output_padding,
    )[0, 0].numpy()
    engine = conv_transpose(x[None, None], w[None, None], stride=stride, padding=padding, output_padding=output_padding)
    assert np.array_equal(panel.frames[-1].output_values, reference)
    assert np.array_equal(panel.frames[-1].output_values, engine[0, 0])


def test_scatter_view_when_output_padding_is_not_below_the_stride():
    # PyTorch allows output_padding < stride *or* < dilation: a = 1 = s with d = 2 gives o' = 8, and
    # the last output cell is reached by no tap (the scatter view raised AssertionError here)
    torch = pytest.importorskip("torch")
    scene = transpose_scene(3, 3, 1, 0, 1, 2, view="scatter", numbers=True)
    panel = scene.panels[0]
    assert panel.output_shape == (8,) and len(scene) == 3  # one frame per input cell
    for j, frame in enumerate(panel.frames):  # input j, tap t writes j*s + t*d - pb (brute force)
        assert [(c.coord, c.tap, c.kind) for c in frame.writes] == [((j + 2 * t,), (t,), "output") for t in range(3)]
    x, w = panel.input_values, panel.kernel_values
    reference = torch.nn.functional.conv_transpose1d(
        torch.from_numpy(x[None, None]).double(),
        torch.from_numpy(w[None, None]).double(),
        stride=1,
        output_padding=1,
        dilation=2,
    )[0, 0].numpy()
    assert np.array_equal(panel.frames[-1].output_values, reference)


def test_transposed_direct_numbers_equal_the_engine():
    torch = pytest.importorskip("torch")
    scene = transpose_scene((3, 3), 3, 2, 1, 1, numbers=True)  # padding_strides_odd_transposed
    panel = scene.panels[0]
    assert panel.input_values is not None and panel.kernel_values is not None
    x = panel.input_values[::2, ::2]  # the stretched input's real cells
    w = np.flip(panel.kernel_values)  # drawn flipped
    reference = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(x[None, None].copy()).double(),
        torch.from_numpy(w[None, None].copy()).double(),
        stride=2,
        padding=1,
        output_padding=1,
    )[0, 0].numpy()
    assert np.array_equal(panel.frames[-1].output_values, reference)


@pytest.mark.parametrize(
    "shape,kernel,stride,padding,ceil_mode",
    [((5, 5), 3, 1, 0, False), ((6, 5), 2, 2, 0, True), ((5, 5), 3, 2, 1, False), ((4, 7), (2, 3), (2, 1), 1, True)],
)
def test_max_pooling_winner_and_values(shape, kernel, stride, padding, ceil_mode):
    torch = pytest.importorskip("torch")
    scene = pool_scene(shape, kernel, stride, padding, mode="max", ceil_mode=ceil_mode)
    panel = scene.panels[0]
    x = panel.input_values
    out, idx = torch.nn.functional.max_pool2d(
        torch.from_numpy(x[None, None]).double(), kernel, stride, padding, ceil_mode=ceil_mode, return_indices=True
    )
    assert panel.output_shape == tuple(out.shape[2:])
    for frame in panel.frames:
        o = frame.writes[0].coord
        assert frame.output_values[o] == out[0, 0][o].item()
        # the winner is one of the cells read, and holds the maximum
        assert frame.winner in [c.coord for c in frame.reads]
        assert x[frame.winner] == out[0, 0][o].item()
        assert frame.winner == tuple(np.unravel_index(int(idx[0, 0][o]), shape))


def test_max_pooling_window_of_padding_only():
    # i = 1, k = 2, d = 2, p = 1: the one window reads padded cells -1 and 1, never the input; PyTorch
    # gives -inf and index 1 (past the input), which the scene unravelled and failed on
    torch = pytest.importorskip("torch")
    scene = pool_scene(1, 2, 1, 1, 2, input_values=np.array([5]))
    (frame,) = scene.panels[0].frames
    assert [(c.coord, c.kind) for c in frame.reads] == [((-1,), "padding"), ((1,), "padding")]
    assert frame.winner is None
    reference = torch.nn.functional.max_pool1d(torch.tensor([[[5.0]]]), 2, stride=1, padding=1, dilation=2)
    assert frame.output_values.tolist() == reference[0, 0].tolist() == [-np.inf]


@pytest.mark.parametrize("count_include_pad", [True, False])
def test_average_pooling_values(count_include_pad):
    torch = pytest.importorskip("torch")
    scene = pool_scene((5, 5), 3, 2, 1, mode="avg", count_include_pad=count_include_pad)
    panel = scene.panels[0]
    reference = torch.nn.functional.avg_pool2d(
        torch.from_numpy(panel.input_values[None, None]).double(), 3, 2, 1, count_include_pad=count_include_pad
    )[0, 0].numpy()
    np.testing.assert_allclose(panel.frames[-1].output_values, reference, rtol=1e-12)
    assert all(frame.winner is None for frame in panel.frames)


@pytest.mark.parametrize("cin,cout,groups", [(6, 6, 3), (4, 8, 4), (4, 4, 1), (8, 4, 2)])
def test_group_scene_matches_engine_channel_flow(cin, cout, groups):
    scene = group_scene(cin, cout, groups)
    assert len(scene) == cout
    weight = np.ones((cout, cin // groups, 1, 1), dtype=np.int64)
    for c in range(cin):
        x = np.zeros((1, cin, 1, 1), dtype=np.int64)
        x[0, c] = 1
        lit = conv(x, weight, groups=groups)[0, :, 0, 0]
        for frame in scene.frames:
            assert (c in frame.input_channels) == bool(lit[frame.output_channel])


def test_symmetric_scene_groups_and_sizes():
    scene = symmetric_scene((4, 5), 2)
    assert [p.input_padding for p in scene.panels] == [g.padding for g in symmetric_groups(4, (2, 2))]
    # official C2sp order, by hand: (bottom, right), (top, left), (bottom, left), (top, right)
    assert [p.input_padding for p in scene.panels] == [
        ((0, 1), (0, 1)),
        ((1, 0), (1, 0)),
        ((0, 1), (1, 0)),
        ((1, 0), (0, 1)),
    ]
    assert all(p.output_shape == (4, 5) for p in scene.panels)
    assert len(scene) == 20
    one_d = symmetric_scene((6,), (4,))
    assert [p.input_padding for p in one_d.panels] == [((1, 2),), ((2, 1),)]


def test_same_comparison_at_stride_2():
    scene = same_comparison_scene((6, 6), 3, 2)
    tf, pt = scene.panels
    assert tf.input_padding == ((0, 1), (0, 1))  # TensorFlow: total 1, the extra unit after
    assert pt.input_padding == ((1, 1), (1, 1))
    assert tf.output_shape == pt.output_shape == (3, 3)
    # the windows are one input unit apart
    for a, b in zip(tf.frames, pt.frames, strict=True):
        assert [tuple(v - 1 for v in c.coord) for c in a.reads] == [c.coord for c in b.reads]


def test_scene_repr_names_sizes():
    assert (
        repr(conv_scene((5, 5), 3, 2, 1)) == "Scene('convolution': input 5×5, padding (1, 1) -> output 3×3, 9 frames)"
    )


# the words of a scene are the layer's words (convarith.arithmetic.text formats both)
TITLE_CASES = {
    "padding_strides": lambda: conv_scene((5, 5), 3, 2, 1),
    "non_square": lambda: conv_scene((5, 7), (3, 2), (2, 1), ((1, 1), (0, 1))),
    "same_tensorflow": lambda: conv_scene((224, 224), 7, 2, "same"),
    "full_dilated": lambda: conv_scene(7, 3, dilation=2, padding="full"),
    "transposed_odd": lambda: transpose_scene((3, 3), 3, 2, 1, 1),
    "transposed_dilated": lambda: transpose_scene(3, 3, 1, 0, 1, 2),
    "transposed_scatter": lambda: transpose_scene((2, 3), 3, 2, 1, view="scatter"),
}


@pytest.mark.parametrize("name", list(TITLE_CASES))
def test_titles_and_captions_are_the_layers_repr(name):
    scene = TITLE_CASES[name]()
    header, *formulas = repr(scene.geometry).splitlines()
    # "Convolution: kernel 3, stride 2, padding (1, 1)" inside "conv: input 5×5, kernel 3, ... -> output 3×3"
    assert scene.title.split(": ", 1)[1] in header
    # the caption's formulas are the repr's, axis by axis
    caption = scene.panels[0].caption
    shown = [line.split(": ", 1)[1] if line.startswith(("rows: ", "columns: ")) else line for line in caption]
    for formula in formulas:
        assert formula.strip().removeprefix("axis 0: ").removeprefix("axis 1: ") in " ".join(shown)


def test_labels_are_written_by_the_layer_formatter():
    panel = conv_scene((5, 7), 3, 2, ((0, 1), (1, 1))).panels[0]
    assert panel.input_label == "input 5×7, padding (0, 1)×(1, 1)"
    assert panel.output_label == "output 2×4"  # (5 + 0 + 1 - 3)//2 + 1, (7 + 1 + 1 - 3)//2 + 1
    direct = transpose_scene((2, 2), 3, 2).panels[0]
    assert direct.input_label == "input 2×2 + 1 zero between, p′ = (2, 2)"
    scatter = transpose_scene((2, 3), 3, 2, 1, view="scatter").panels[0]
    assert scatter.output_label == "output 3×5 (cropped (1, 1))"


# layer_scene: the scene of a Layer value is the scene of its numbers
LAYER_CASES = {
    "padding_strides": (layer("conv", (5, 5), 3, 2, 1), lambda: conv_scene((5, 5), 3, 2, 1), {}),
    "same_lower": (
        layer("conv", (6, 6), 3, 2, "same", convention="same_lower"),
        lambda: conv_scene((6, 6), 3, 2, "same", convention="same_lower"),
        {},
    ),
    "max_pool_ceil": (
        layer("max_pool", (5, 5), 2, ceil_mode=True),
        lambda: pool_scene((5, 5), 2, ceil_mode=True),
        {},
    ),
    "avg_pool": (layer("avg_pool", 6, 3, 2, 1), lambda: pool_scene(6, 3, 2, 1, mode="avg"), {}),
    "transposed": (
        layer("conv_transpose", (3, 3), 3, 2, 1, output_padding=1),
        lambda: transpose_scene((3, 3), 3, 2, 1, 1),
        {"max_frames": 36},  # 36 output cells: more than the default 16 would crop it
    ),
    "scatter": (
        layer("conv_transpose", (2, 3), 3, 2, 1),
        lambda: transpose_scene((2, 3), 3, 2, 1, view="scatter"),
        {"view": "scatter"},
    ),
}


def _values(values):
    return None if values is None else np.where(np.isnan(values), -1.0, values).tolist()  # NaN: not shown yet


def _frames_as_data(scene):
    return [[(f.reads, f.writes, f.gaps, f.winner, _values(f.output_values)) for f in p.frames] for p in scene.panels]


@pytest.mark.parametrize("name", list(LAYER_CASES))
def test_layer_scene_equals_the_builder_given_numbers(name):
    lay, build, options = LAYER_CASES[name]
    scene, expected = layer_scene(lay, **options), build()
    assert scene.geometry is lay and scene.panels[0].layer is lay
    assert repr(scene.geometry) == repr(expected.geometry)
    assert (scene.title, scene.panels[0].caption) == (expected.title, expected.panels[0].caption)
    assert _frames_as_data(scene) == _frames_as_data(expected)


def test_layer_scene_refuses_what_cannot_be_drawn():
    with pytest.raises(TypeError, match="`lay` must be a Layer"):
        layer_scene((5, 5))
    with pytest.raises(ValueError, match="no input size"):
        layer_scene(layer("conv", None, 3))
    with pytest.raises(ValueError, match="'lp_pool' layer"):
        layer_scene(layer("lp_pool", 6, 2))
    with pytest.raises(ValueError, match="1 or 2 spatial axes"):
        layer_scene(layer("conv", (4, 4, 4), 3))


def test_comparison_panels_carry_their_own_layers():
    scene = same_comparison_scene((6, 6), 3, 2)
    tf, caffe = (p.layer for p in scene.panels)
    assert (tf.padding_rule, tf.convention, tf.padding) == ("same", "tensorflow", ((0, 1), (0, 1)))
    assert (caffe.padding_rule, caffe.convention, caffe.padding) == ("same", "caffe", ((1, 1), (1, 1)))
    assert scene.geometry is None


# bad input: the same errors as the formulas and the engine, one test each


def test_kernel_larger_than_input_is_the_formulas_error():
    with pytest.raises(ValueError) as expected:
        conv_output_size((3, 3), 5)
    with pytest.raises(ValueError) as raised:
        conv_scene((3, 3), 5)
    assert str(raised.value) == str(expected.value)


def test_float_kernel_is_a_type_error():
    with pytest.raises(TypeError, match="`kernel_size` must be an integer"):
        conv_scene((5, 5), 2.5)


def test_negative_padding_is_refused():
    with pytest.raises(ValueError, match="`padding` must be non-negative"):
        conv_scene((5, 5), 3, padding=-1)


def test_three_axes_cannot_be_drawn():
    with pytest.raises(ValueError, match="1 or 2 spatial axes"):
        conv_scene((4, 4, 4), 3)


def test_transposed_padding_larger_than_kernel_needs_the_scatter_view():
    with pytest.raises(ValueError, match="view='scatter'"):
        transpose_scene(4, 3, 2, 3)
    assert len(transpose_scene(4, 3, 2, 3, view="scatter")) == 4


def test_output_padding_must_be_smaller_than_stride():
    with pytest.raises(ValueError, match="output_padding"):
        transpose_scene(3, 3, 2, 1, 2)


def test_unknown_view_lists_the_choices():
    with pytest.raises(ValueError, match="`view` must be one of 'direct', 'scatter'"):
        transpose_scene(3, 3, view="gather")


def test_unknown_pool_mode_lists_the_choices():
    with pytest.raises(ValueError, match="`mode` must be one of 'max', 'avg'"):
        pool_scene(4, 2, mode="min")


def test_groups_must_divide_channels():
    with pytest.raises(ValueError, match="`in_channels` 6 must be divisible by `groups` 4"):
        group_scene(6, 8, 4)


def test_input_values_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"`input_values` must have shape \(5, 5\)"):
        conv_scene((5, 5), 3, input_values=np.zeros((4, 4)))


def test_odd_kernel_for_symmetric_padding():
    with pytest.raises(ValueError, match="even"):
        symmetric_scene(4, 3)


# the guide's relationship for each transposed twin, from its text (section 4)
TWIN_RELATIONSHIP = {
    "no_padding_no_strides": 8,
    "arbitrary_padding_no_strides": 9,
    "same_padding_no_strides": 10,
    "full_padding_no_strides": 11,
    "no_padding_strides": 12,
    "padding_strides": 13,
    "padding_strides_odd": 14,
}


@pytest.mark.parametrize("name", list(TWIN_RELATIONSHIP))
def test_transposed_caption_names_the_guides_relationship(name):
    i, k, s, p, _ = GUIDE[name]
    o = conv_output_size(i, k, s, p)
    scene = transpose_scene((o, o), k, s, p, recovering_output_padding(i, k, s, p))
    assert f"relationship {TWIN_RELATIONSHIP[name]}:" in scene.panels[0].caption[-1]


# padding words: (convention, padding) -> pads of a 6x6 input, kernel 3, stride 2, worked by hand
SAME_CASES = {
    ("tensorflow", "same"): ((0, 1), (0, 1)),  # total max((3-1)*2 + 3 - 6, 0) = 1, extra after
    ("same_lower", "same"): ((1, 0), (1, 0)),  # ONNX SAME_LOWER: extra before
    ("tensorflow", "valid"): ((0, 0), (0, 0)),
    ("tensorflow", "full"): ((2, 2), (2, 2)),
}


@pytest.mark.parametrize("convention,padding", list(SAME_CASES))
def test_padding_words(convention, padding):
    scene = conv_scene((6, 6), 3, 2, padding, convention=convention)
    assert scene.panels[0].input_padding == SAME_CASES[convention, padding]
    check_conv_scene((6, 6), 3, 2, SAME_CASES[convention, padding], 1)


def test_pytorch_same_refuses_strides_as_the_formulas_do():
    with pytest.raises(ValueError, match="PyTorch refuses padding='same'"):
        conv_scene((6, 6), 3, 2, "same", convention="pytorch")


def test_ceil_mode_overhang_is_marked():
    scene = pool_scene((5, 5), 2, 2, mode="max", ceil_mode=True)
    panel = scene.panels[0]
    assert panel.output_shape == (3, 3)
    assert panel.overhang == (1, 1)
    last = panel.frames[-1]
    assert {c.kind for c in last.reads} == {"input", "overhang"}
    assert last.winner == (4, 4)  # the only real cell of the last window


def test_one_d_transposed_views():
    direct = transpose_scene(3, 2, 2)
    assert direct.panels[0].input_shape == (5,) and len(direct) == 6
    scatter = transpose_scene(3, 2, 2, view="scatter")
    assert [[c.coord for c in f.writes] for f in scatter.panels[0].frames] == [[(0,), (1,)], [(2,), (3,)], [(4,), (5,)]]


@pytest.mark.parametrize("stride,padding,dilation", [(2, 1, 2), (1, 0, 3), (3, 2, 2)])
def test_dilated_transposed_direct_view_matches_readers(stride, padding, dilation):
    scene = transpose_scene((3, 2), 3, stride, padding, 0, dilation)
    panel = scene.panels[0]
    forward = window_map(panel.output_shape, 3, stride, padding, dilation)
    for frame in panel.frames:
        out = frame.writes[0].coord
        real = sorted(
            (tuple(c // stride for c in cell.coord), cell.tap) for cell in frame.reads if cell.kind == "input"
        )
        assert real == sorted((j, tuple(2 - t for t in tap)) for j, tap in forward.readers(out))


@pytest.mark.parametrize("name", ["input_values", "kernel_values"])
def test_complex_values_refused_by_the_engine_gate(name: str) -> None:
    # before: a complex array was taken and drawn; the scenes share the engine's one dtype gate now
    values = np.ones((5, 5) if name == "input_values" else (3, 3), dtype=np.complex128)
    message = rf"`{name}` must hold integers or floats \(the engine has no complex, bool or object arrays\)"
    with pytest.raises(TypeError, match=message):
        conv_scene((5, 5), 3, numbers=True, **{name: values})
