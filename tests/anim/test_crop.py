"""A real layer on a slide: the cropped corner has the real layer's windows (window_map, PyTorch)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from convarith.anim.scenes import layer_scene
from convarith.anim.scenes.crop import LayerCrop, crop_layer
from convarith.arithmetic import layer, window_map
from convarith.arithmetic.layer import LayerError


def _assert_same_windows(crop: LayerCrop) -> None:
    """Every output cell of the corner reads what the real one reads, shifted by the offsets."""
    full, small = window_map(crop.layer), window_map(crop.cropped)
    if crop.layer.op == "conv_transpose":  # the corner is one of the output: who writes each cell
        for q in itertools.product(*(range(n) for n in crop.cropped.output_shape)):
            real_q = tuple(c + off for c, off in zip(q, crop.output_offset, strict=True))
            got = {
                (tuple(j + off for j, off in zip(pos, crop.input_offset, strict=True)), tap)
                for pos, tap in small.readers(q)
            }
            assert got == set(full.readers(real_q)), (crop.layer, q)
        return
    for pos in small.positions():
        real_pos = tuple(p + off for p, off in zip(pos, crop.output_offset, strict=True))
        got = [
            (tuple(c + off for c, off in zip(r.input, crop.input_offset, strict=True)), r.offset, r.kind)
            for r in small.reads(pos)
        ]
        assert got == [(r.input, r.offset, r.kind) for r in full.reads(real_pos)], (crop.layer, pos)


def test_resnet_stem_corner_reads_rows_minus_3_to_9():
    # by hand: output cell o reads 2*o + t - 3 for t = 0..6; o = 0..3 reads -3 .. 2*3 + 6 - 3 = 9
    lay = layer("conv", (224, 224), 7, stride=2, padding=3)
    crop = crop_layer(lay)
    assert crop.cropped.output_shape == (4, 4) and crop.corner == ("start", "start")
    rows = {r.input[0] for o in range(4) for r in window_map(lay).reads((o, 0))}
    assert rows == set(range(-3, 10))
    small_rows = {r.input[0] for o in range(4) for r in window_map(crop.cropped).reads((o, 0))}
    assert small_rows == set(range(-3, 10))  # offset 0: the same coordinates
    assert crop.cropped.padding == ((3, 0), (3, 0)) and crop.cropped.input_shape == (10, 10)
    _assert_same_windows(crop)
    assert "rows -3..9" in crop.note() and "of 224×224" in crop.note()


def test_asymmetric_padding_shows_the_end_corner():
    lay = layer("conv", (224, 224), 3, stride=2, padding="same")  # tensorflow: (0, 1)
    crop = crop_layer(lay)
    assert lay.padding == ((0, 1), (0, 1))
    assert crop.corner == ("end", "end") and crop.cropped.padding == ((0, 1), (0, 1))
    assert crop.output_offset == (108, 108)  # outputs 108..111
    # by hand: output 111 reads 2*111 + t for t = 0..2: 222, 223 and the padding cell 224
    last = window_map(crop.cropped).reads((3, 3))
    assert [r.input[0] + 216 for r in last[::3]] == [222, 223, 224] and last[-1].kind == "padding"
    _assert_same_windows(crop)
    assert crop_layer(lay, corner="start").corner == ("start", "start")


def _random_layer(rng: random.Random) -> tuple:
    op = rng.choice(["conv", "max_pool", "avg_pool", "conv_transpose"])
    ndim = rng.choice([1, 2])
    k = tuple(rng.randint(1, 5) for _ in range(ndim))
    s = tuple(rng.randint(1, 4) for _ in range(ndim))
    d = tuple(rng.randint(1, 3) if op != "avg_pool" else 1 for _ in range(ndim))
    i = tuple(rng.randint(1, 40) for _ in range(ndim))
    if op in ("max_pool", "avg_pool"):
        pads = tuple((rng.randint(0, kk // 2), rng.randint(0, kk // 2)) for kk in k)
        return op, dict(input_size=i, kernel_size=k, stride=s, padding=pads, dilation=d, ceil_mode=rng.random() < 0.5)
    if op == "conv_transpose":
        pads = tuple(
            (rng.randint(0, dd * (kk - 1)), rng.randint(0, dd * (kk - 1))) for kk, dd in zip(k, d, strict=True)
        )
        a = tuple(rng.randint(0, max(ss, dd) - 1) for ss, dd in zip(s, d, strict=True))
        return op, dict(input_size=i, kernel_size=k, stride=s, padding=pads, dilation=d, output_padding=a)
    pads = tuple((rng.randint(0, 4), rng.randint(0, 4)) for _ in range(ndim))
    return op, dict(input_size=i, kernel_size=k, stride=s, padding=pads, dilation=d)


def test_random_corners_have_the_real_windows():
    rng = random.Random(22)
    checked = 0
    while checked < 300:
        op, kwargs = _random_layer(rng)
        try:
            lay = layer(op, **kwargs)
        except LayerError:
            continue
        if any(o < 1 for o in lay.output_shape):
            continue
        corner = rng.choice(["auto", "start", "end"])
        view = rng.choice(["direct", "scatter"]) if op == "conv_transpose" else "direct"
        max_frames = rng.choice([1, 4, 16, 30])
        try:
            crop = crop_layer(lay, max_frames, corner, view=view)
        except ValueError as error:  # only a corner of padding cells is refused
            assert "padding only" in str(error)
            continue
        frames = crop.cropped.input_shape if (op, view) == ("conv_transpose", "scatter") else crop.cropped.output_shape
        one_cell = all(m == 1 for m, c in zip(crop.cropped.output_shape, crop.corner, strict=True) if c != "whole")
        if "whole" not in crop.corner and not (view == "scatter" and one_cell):  # one cell may have 2+ writers
            assert np.prod(frames) <= max_frames
        _assert_same_windows(crop)
        checked += 1


def test_corner_values_equal_pytorch_on_the_real_layer():
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    x = torch.arange(30 * 30, dtype=torch.float64).reshape(1, 1, 30, 30) % 7
    w = torch.arange(25, dtype=torch.float64).reshape(1, 1, 5, 5) % 4
    for pads in ((2, 2), (1, 2), (0, 3)):
        lay = layer("conv", (30, 30), 5, stride=2, padding=(pads, pads), dilation=1)
        crop = crop_layer(lay, 9)
        real = functional.conv2d(functional.pad(x, (*pads, *pads)), w, stride=2)
        (r0, c0), (i0, j0) = crop.output_offset, crop.input_offset
        (pb, pe), _ = crop.cropped.padding
        h, wd = crop.cropped.input_shape
        part = functional.pad(x[..., i0 : i0 + h, j0 : j0 + wd], (pb, pe, pb, pe))
        small = functional.conv2d(part, w, stride=2)
        assert small.shape[-2:] == (3, 3)
        assert torch.equal(small, real[..., r0 : r0 + 3, c0 : c0 + 3]), pads


def test_transposed_corner_values_equal_pytorch():
    torch = pytest.importorskip("torch")
    x = torch.arange(1, 21, dtype=torch.float64).reshape(1, 1, 20)
    w = torch.tensor([[[1.0, 2.0, 3.0]]], dtype=torch.float64)

    def transposed(values, pads, a):  # uncropped, then cropped / extended as the formula says
        full = torch.nn.functional.conv_transpose1d(values, w, stride=2)
        full = torch.nn.functional.pad(full, (0, a))
        return full[..., pads[0] : full.shape[-1] - pads[1]]

    for pads, a in (((1, 1), 1), ((0, 1), 0), ((2, 0), 1)):
        lay = layer("conv_transpose", 20, 3, stride=2, padding=pads, output_padding=a)
        crop = crop_layer(lay, 5)
        n, (off_in, off_out) = crop.cropped.input_shape[0], (crop.input_offset[0], crop.output_offset[0])
        small = transposed(x[..., off_in : off_in + n], crop.cropped.padding[0], crop.cropped.output_padding[0])
        real = transposed(x, pads, a)
        assert small.shape[-1] == 5
        assert torch.equal(small, real[..., off_out : off_out + 5]), (pads, a)


def test_scene_of_a_cropped_layer_says_so():
    scene = layer_scene(layer("max_pool", (112, 112), 3, 2, 1), channels=(64, 64), max_frames=9)
    assert len(scene) == 9
    caption = scene.panels[0].caption
    assert caption[0].startswith("o = ⌊(112 + 1 + 1 − 3) / 2⌋ + 1 = 56")  # the real formula
    # by hand: outputs 0..2 read 2*o + t - 1 for t = 0..2, so -1 .. 2*2 + 2 - 1 = 5
    assert caption[1].startswith("top-left corner: input rows -1..5, columns -1..5 of 112×112")
    assert caption[2] == "channels 64 → 64"
    assert "corner of 112×112" in scene.panels[0].input_label
    assert len(layer_scene(layer("conv", (224, 224), 7, 2, 3), max_frames=100)) == 100


def test_crop_refuses_bad_options():
    lay = layer("conv", (224, 224), 7, 2, 3)
    with pytest.raises(ValueError, match="`max_frames` must be between 1 and 1024, got 0"):
        crop_layer(lay, 0)
    with pytest.raises(TypeError, match="max_frames"):
        crop_layer(lay, 2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="corner"):
        crop_layer(lay, corner="middle")
    with pytest.raises(ValueError, match="'lp_pool'"):
        crop_layer(layer("lp_pool", 60, 2))


@pytest.mark.parametrize("view", ["direct", "scatter"])
def test_a_transposed_picture_refuses_another_op_in_either_view(view: str) -> None:
    """The scatter view drew a max pool as if it were a transposed convolution."""
    from convarith.anim.scenes.transpose import transpose_layer_scene

    with pytest.raises(ValueError, match="'conv_transpose' layers, got 'max_pool'"):
        transpose_layer_scene(layer("max_pool", 5, 2), view=view)
