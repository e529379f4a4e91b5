"""Overlap of a transposed convolution and the inspect warnings about it.

Oracles: PyTorch's ``conv_transpose*d`` of ones with ones, a Python loop over every (input cell,
tap) pair, the engine's own ``conv_transpose`` (an identity: ones through ones), and hand-worked
counts (Odena, Dumoulin and Olah's checkerboard).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import convarith as ca
from convarith.arithmetic.layer import layer
from convarith.network.checks import layer_warnings
from convarith.studies import overlap, overlap_phases

# name: (input size, kernel, stride, padding, output padding, dilation)
CASES = {
    "k3_s2_checkerboard": ((5, 5), 3, 2, 0, 0, 1),
    "k4_s2_even": ((5, 5), 4, 2, 1, 0, 1),
    "k2_s3_gaps": ((4, 4), 2, 3, 0, 0, 1),
    "k3_s2_p1_a1": ((4, 4), 3, 2, 1, 1, 1),
    "non_square": ((3, 5), (3, 2), (2, 1), ((1, 0), (0, 1)), 0, 1),
    "dilated": ((4, 4), 3, 2, 0, 0, 2),
    "one_d": (7, 5, 3, 2, 1, 1),
    "three_d": ((3, 3, 2), (3, 2, 2), (2, 2, 1), 0, 0, 1),
}


def brute_force(i, k, s, p, a, d):
    lay = layer("conv_transpose", i, k, s, p, d, output_padding=a)
    out = np.zeros(lay.output_shape, dtype=np.int64)
    for j in itertools.product(*(range(n) for n in lay.input_shape)):
        for t in itertools.product(*(range(n) for n in lay.kernel_size)):
            o = tuple(
                jj * ss + tt * dd - pb
                for jj, tt, ss, dd, (pb, _) in zip(j, t, lay.stride, lay.dilation, lay.pads, strict=True)
            )
            if all(0 <= c < n for c, n in zip(o, out.shape, strict=True)):
                out[o] += 1
    return out


@pytest.mark.parametrize("name", CASES)
def test_counts_equal_a_loop_over_every_pair(name):
    assert np.array_equal(overlap(*CASES[name][:1], *CASES[name][1:]), brute_force(*CASES[name]))


@pytest.mark.parametrize("name", CASES)
def test_counts_equal_pytorch_ones_through_ones(name):
    torch = pytest.importorskip("torch")
    i, k, s, p, a, d = CASES[name]
    lay = layer("conv_transpose", i, k, s, p, d, output_padding=a)
    nd = lay.ndim
    pads = lay.pads
    # PyTorch pads symmetrically: use the smaller crop, then crop the rest by slicing
    common = tuple(min(pb, pe) for pb, pe in pads)
    x = torch.ones((1, 1, *lay.input_shape), dtype=torch.float64)
    w = torch.ones((1, 1, *lay.kernel_size), dtype=torch.float64)
    fn = {1: torch.nn.functional.conv_transpose1d, 2: torch.nn.functional.conv_transpose2d}.get(nd)
    fn = fn or torch.nn.functional.conv_transpose3d
    full = fn(x, w, stride=lay.stride, padding=common, output_padding=lay.output_padding, dilation=lay.dilation)
    # the rest of an asymmetric crop is a slice
    index = tuple(slice(pb - c, n - (pe - c)) for (pb, pe), c, n in zip(pads, common, full.shape[2:], strict=True))
    expected = full[0, 0][index].numpy()
    assert np.array_equal(overlap(lay), expected.astype(np.int64))


@pytest.mark.parametrize("name", CASES)
def test_counts_equal_the_engine_on_ones(name):
    i, k, s, p, a, d = CASES[name]
    lay = layer("conv_transpose", i, k, s, p, d, output_padding=a)
    engine = ca.conv_transpose(
        np.ones((1, 1, *lay.input_shape), np.int64),
        np.ones((1, 1, *lay.kernel_size), np.int64),
        stride=lay.stride,
        padding=lay.pads,
        output_padding=lay.output_padding,
        dilation=lay.dilation,
    )[0, 0]
    assert np.array_equal(overlap(lay), engine)


def test_hand_worked_checkerboard_even_and_gaps():
    assert overlap(4, 3, stride=2).tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 1]
    assert overlap(4, 4, stride=2, padding=1).tolist() == [1, 2, 2, 2, 2, 2, 2, 1]
    assert overlap(3, 2, stride=3).tolist() == [1, 1, 0, 1, 1, 0, 1, 1]
    assert overlap(3, 2, stride=2).tolist() == [1] * 6  # the usual 2x upsampling: no overlap at all
    centre = overlap((4, 4), 3, stride=2)[2:7, 2:7]  # interior of the 2-D checkerboard: 4, 2, 1
    assert centre[::2, ::2].tolist() == [[4] * 3] * 3 and centre[1::2, 1::2].tolist() == [[1] * 2] * 2
    assert centre[::2, 1::2].tolist() == [[2] * 2] * 3


def test_phases_are_the_interior_counts():
    for name, (i, k, s, p, a, d) in CASES.items():
        lay = layer("conv_transpose", i, k, s, p, d, output_padding=a)
        for axis, phases in enumerate(overlap_phases(lay)):
            ii = lay.input_shape[axis] + 6
            wide = layer(
                "conv_transpose", ii, lay.kernel_size[axis], lay.stride[axis], lay.pads[axis], lay.dilation[axis]
            )
            counts = overlap(wide)
            o = len(counts)
            middle = range(o // 2 - lay.stride[axis], o // 2 + lay.stride[axis])
            assert all(counts[c] == phases[c % lay.stride[axis]] for c in middle), name
    assert overlap_phases(4, 3, stride=2, dilation=2) == ((3, 0),)  # dilated taps 0, 2, 4: all even


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="transposed convolution"):
        overlap(layer("conv", 5, 3))
    with pytest.raises(ValueError, match="no input size"):
        overlap(layer("conv_transpose", None, 3, 2))
    with pytest.raises(TypeError, match="kernel_size"):
        overlap(5)
    with pytest.raises(TypeError, match="kernel_size"):
        overlap(layer("conv_transpose", 5, 3), 3)
    with pytest.raises(ValueError, match="kernel_size"):
        overlap(5, 0)
    with pytest.raises(ValueError, match="MAX_TEMPORARY_BYTES"):
        overlap((10**6, 10**6), 3, stride=2)  # refused before allocating 8 TB


def test_plot_overlap_writes_the_counts():
    import matplotlib

    matplotlib.use("Agg")
    from convarith.studies import plot_overlap

    ax = plot_overlap(layer("conv_transpose", (3, 3), 2, stride=3))
    texts = [t.get_text() for t in ax.texts]
    assert texts[:8] == ["1", "1", "0", "1", "1", "0", "1", "1"] and len(texts) == 64
    assert "[1, 1, 0]" in ax.get_title()
    with pytest.raises(ValueError, match="1 or 2 spatial axes"):
        plot_overlap(layer("conv_transpose", (2, 2, 2), 2))
    matplotlib.pyplot.close("all")


# --- the inspect warnings -------------------------------------------------------------------------


def test_warning_codes_of_transposed_convolutions():
    def codes(*args, **kwargs):
        return [code for code, _ in layer_warnings(layer("conv_transpose", *args, **kwargs))]

    assert codes((8, 8), 3, 2, 1) == ["uneven-overlap"]  # the checkerboard
    assert codes((8, 8), 4, 2, 1) == []  # kernel divisible by stride: even
    assert codes((8, 8), 2, 2) == []  # k = s: no overlap, no gap
    assert codes((8, 8), 2, 3) == ["gaps"]  # stride above the kernel
    assert codes((8, 8), 3, 2, dilation=2) == ["gaps"]  # ek = 5 > s, yet taps 0, 2, 4 all land on even cells
    assert codes((8, 8), 3, 1) == []  # stride 1 never overlaps unevenly
    assert codes((8, 8), (4, 3), 2, 1) == ["uneven-overlap"]  # one axis only
    message = layer_warnings(layer("conv_transpose", (8, 8), (4, 3), 2, 1))[0][1]
    assert (
        message
        == "kernel 3 at stride 2 on axis 1: interior output cells get [1, 2] taps by phase o mod 2, a checkerboard"
    )
    message = layer_warnings(layer("conv_transpose", (8, 8), 2, 3))[0][1]
    assert message == (
        "kernel 2 at stride 3 on every axis: interior output cells get [1, 1, 0] taps by phase o mod 3, "
        "zero whatever the input"
    )


def test_inspect_flags_a_decoder():
    from convarith.network.graph import Node
    from convarith.network.walk import walk

    x = Node("x", "input", size=(16, 16))
    up3 = Node("up3", "conv_transpose", ("x",), kernel_size=3, stride=2, padding=1, output_padding=1)
    up4 = Node("up4", "conv_transpose", ("up3",), kernel_size=4, stride=2, padding=1)
    report = walk([x, up3, up4], (16, 16))
    assert report["up3"].warnings == ("uneven-overlap",)
    assert report["up4"].warnings == ()
    assert report.warnings == {"uneven-overlap": ("up3",)}


def test_docs_explain_both_codes_and_the_remedies():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "network.md").read_text(encoding="utf-8")
    for code in ("`uneven-overlap`", "`gaps`"):
        assert code in text
    assert "divisible by the stride" in text and "resize" in text


# --- the scene and the gallery --------------------------------------------------------------------

GALLERY_OVERLAP = {
    "kernel_3_strides_2_overlap": ((4, 4), 3, 2, 0),
    "kernel_4_strides_2_overlap": ((4, 4), 4, 2, 1),
    "kernel_2_strides_3_overlap": ((3, 3), 2, 3, 0),
}


@pytest.mark.parametrize("name", GALLERY_OVERLAP)
def test_gallery_overlap_figures_end_on_the_counts(name):
    from convarith.anim.gallery import GALLERY

    (figure,) = [f for f in GALLERY if f.name == name]
    scene = figure.build()
    i, k, s, p = GALLERY_OVERLAP[name]
    panel = scene.panels[0]
    assert len(scene) == k * k  # one frame per tap
    assert np.array_equal(panel.frames[-1].output_values, overlap(i, k, stride=s, padding=p))
    # each frame adds exactly the cells its tap writes inside the output
    previous = np.zeros(panel.output_shape)
    for frame in panel.frames:
        added = frame.output_values - previous
        written = [c.coord for c in frame.writes if c.kind == "output"]
        assert added.sum() == len(written) and all(added[c] == 1 for c in written)
        previous = frame.output_values


def test_overlap_scene_marks_cropped_cells_and_says_the_phases():
    from convarith.anim.scenes import overlap_scene

    scene = overlap_scene(3, 4, stride=2, padding=1)
    first = scene.panels[0].frames[0]  # tap 0 writes 2j - 1: -1 is cropped
    assert [(c.coord, c.kind) for c in first.writes] == [((-1,), "cropped"), ((1,), "output"), ((3,), "output")]
    assert scene.panels[0].caption[-1].endswith("interior taps by phase o mod s: [2, 2]")
    with pytest.raises(ValueError, match="1 or 2 spatial axes"):
        overlap_scene((2, 2, 2), 2, 2)


def test_render_the_gallery_overlap_figures(tmp_path):
    from convarith.anim.gallery import render_gallery

    summary = render_gallery(tmp_path, names=list(GALLERY_OVERLAP), dpi=20, progress=False)
    assert [p.name for p in summary.paths] == [f"{name}.gif" for name in GALLERY_OVERLAP]
    assert [row[1] for row in summary.rows] == [9, 16, 4]


def test_phases_in_bounded_time_and_memory():
    assert overlap_phases(2, 10**9 + 1, stride=2) == ((500000001, 500000000),)  # taps 0, 2, ... and 1, 3, ...
    assert overlap_phases(2, 10**6, stride=6, dilation=4) == ((333334, 0, 333333, 0, 333333, 0),)  # t*4 mod 6
    with pytest.raises(ValueError, match="MAX_PHASES"):
        overlap_phases(2, 3, stride=2**21)
