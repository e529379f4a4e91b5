"""Receptive fields beyond chains, checked against torch autograd.

The definition (docs/network.md): a layer's receptive field is the largest input span any one of
its output cells reads. The oracle: with all-ones weights and input (no cancellation), the
gradient of one output cell with respect to the input is non-zero exactly on the input cells it
reads; its first and last non-zero index per axis must equal ``field.reads(y)`` for every cell
of an interior window (so every phase of a transposed convolution is checked).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from convarith.network import inspect  # noqa: E402
from convarith.network.graph import Node  # noqa: E402
from convarith.network.walk import walk  # noqa: E402


def _ones(model):
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(1.0)
    return model


def _span(model, size, cell):
    """First and last input index (per axis) with a non-zero gradient of output cell ``cell``."""
    x = torch.ones(size, dtype=torch.float64, requires_grad=True)
    y = model(x)
    y[(0, 0, *cell)].backward()
    mask = (x.grad[0].abs() > 0).any(dim=0)
    out = []
    for axis in range(mask.ndim):
        other = tuple(a for a in range(mask.ndim) if a != axis)
        idx = np.flatnonzero(mask.any(dim=other).numpy() if other else mask.numpy())
        out.append(None if idx.size == 0 else (int(idx.min()), int(idx.max())))
    return out


class TwoBranches(nn.Module):
    """A 3-wide and a 5-wide branch merged by a multiplication, then a transposed convolution."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv1d(1, 1, 3, padding=1)
        self.b = nn.Sequential(nn.Conv1d(1, 1, 5, padding=2), nn.Conv1d(1, 1, 3, stride=2, padding=1))
        self.down = nn.Conv1d(1, 1, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose1d(1, 1, 3, stride=2, padding=1, output_padding=1)

    def forward(self, x):
        return self.up(self.down(self.a(x)) * self.b(x))


class Upsampled(nn.Module):
    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode
        self.c = nn.Conv2d(1, 1, 3, padding=1)
        self.d = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x):
        kw = {} if self.mode == "nearest" else {"align_corners": False}
        return self.d(F.interpolate(self.c(x), scale_factor=2, mode=self.mode, **kw))


CASES = {
    # the example: every output cell reads exactly 3 input cells (was reported as 7/2)
    "conv3-transposed-k2s2": (
        lambda: nn.Sequential(nn.Conv1d(1, 1, 3, padding=1), nn.ConvTranspose1d(1, 1, 2, stride=2)),
        (1, 1, 24),
        (3,),
    ),
    "transposed-k3s2": (
        lambda: nn.Sequential(nn.Conv1d(1, 1, 3, padding=1), nn.ConvTranspose1d(1, 1, 3, stride=2, padding=1)),
        (1, 1, 24),
        (3, 4),
    ),
    "transposed-k4s2-then-conv": (
        lambda: nn.Sequential(
            nn.Conv2d(1, 1, 3, stride=2, padding=1),
            nn.ConvTranspose2d(1, 1, 4, stride=2, padding=1),
            nn.Conv2d(1, 1, 3, padding=1),
        ),
        (1, 1, 24, 24),
        (7,),  # worked by hand: cells y-1..y+1 of the transposed layer read 3 cells of the first conv
    ),
    "dilated-transposed-s3": (
        lambda: nn.Sequential(nn.ConvTranspose1d(1, 1, 3, stride=3, dilation=2), nn.Conv1d(1, 1, 2)),
        (1, 1, 16),
        None,
    ),
    "sparse-transposed-k1s2": (
        lambda: nn.Sequential(nn.Conv1d(1, 1, 3, padding=1), nn.ConvTranspose1d(1, 1, 1, stride=2)),
        (1, 1, 16),
        (0, 3),
    ),
    "merge-then-transposed": (TwoBranches, (1, 1, 32), None),
    "nearest": (lambda: Upsampled("nearest"), (1, 1, 12, 12), None),
    "bilinear": (lambda: Upsampled("bilinear"), (1, 1, 12, 12), None),
}


@pytest.mark.parametrize("name", CASES)
def test_every_cell_reads_what_autograd_says(name):
    make, size, spans = CASES[name]
    model = _ones(make()).double()
    report = inspect(model, size)
    last = report.layers[-1]
    out = last.output_size
    centre = [o // 2 for o in out]
    for step in range(6):  # six neighbouring cells along the diagonal: every phase up to 6
        cell = tuple(c + step for c in centre)
        got = _span(model, size, cell)
        for axis, f in enumerate(last.field):
            want = f.reads(cell[axis])
            want = None if want is None else (int(want[0]), int(want[1]))
            assert got[axis] == want, (name, cell, axis, got[axis], want)
    if spans is not None:
        assert last.field[0].spans == spans
        assert last.receptive_field[0] == spans[-1]
    assert all(isinstance(r, int) for r in last.receptive_field)


def test_report_shows_the_spans_of_a_transposed_convolution():
    model = nn.Sequential(nn.Conv1d(1, 1, 3, padding=1), nn.ConvTranspose1d(1, 1, 3, stride=2, padding=1))
    report = inspect(model, (1, 1, 16))
    assert report.layers[-1].receptive_field == (4,)
    assert "3 or 4" in str(report)


def test_custom_layer_with_two_inputs_takes_both_fields():
    # a layer of unknown kind with two same-sized inputs (a custom Keras layer): element-wise,
    # so its cells read both branches; before, only the first branch's field was kept
    x = Node("x", "input", size=(32,))
    a = Node("a", "conv", ("x",), kernel_size=3, padding=1)
    b = Node("b", "conv", ("x",), kernel_size=9, padding=4)
    c = Node("c", "elementwise", ("a", "b"), source="ScaledSum")
    d = Node("d", "conv", ("c",), kernel_size=3, padding=1)
    report = walk([x, a, b, c, d], None)
    assert report["d"].receptive_field == (11,)
    assert any("c (ScaledSum): 2 inputs" in n and "element-wise" in n for n in report.notes)


def test_merge_of_three_branches_is_the_union():
    x = Node("x", "input", size=(32,))
    convs = [Node(f"c{k}", "conv", ("x",), kernel_size=k, padding=k // 2) for k in (1, 3, 7)]
    m = Node("m", "merge", tuple(c.name for c in convs), source="Add")
    d = Node("d", "conv", ("m",), kernel_size=1)
    assert walk([x, *convs, m, d], None)["d"].receptive_field == (7,)


def test_custom_keras_layer_with_two_inputs():
    # Inception-ResNet's CustomScaleLayer: a layer Keras names by its own class, called on [x, branch]
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("needs KERAS_BACKEND=torch")

    @keras.saving.register_keras_serializable(package="convarith_tests")
    class ScaledSum(keras.layers.Layer):
        def call(self, inputs):
            x, branch = inputs
            return x + 0.2 * branch

    x = keras.Input((32, 32, 3))
    stem = keras.layers.Conv2D(4, 1, name="stem")(x)
    branch = keras.layers.Conv2D(4, 3, padding="same", name="b1")(stem)
    branch = keras.layers.Conv2D(4, 3, padding="same", name="b2")(branch)
    merged = ScaledSum(name="scale")([stem, branch])
    out = keras.layers.Conv2D(4, 1, name="head")(merged)
    report = inspect(keras.Model(x, out))
    assert report["head"].receptive_field == (5, 5)  # the branch's two 3x3s; was 1 (the first input's)
    assert any(n.startswith("scale (ScaledSum): 2 inputs of size 32×32") for n in report.notes)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore")
def test_inception_resnet_fields_equal_autograd():
    # its blocks end in a CustomScaleLayer([x, branch]): before, the field after each block was x's alone
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("needs KERAS_BACKEND=torch")
    keras.backend.clear_session()  # the layer names looked up below ("conv2d_4") count from a fresh session
    size = 139
    model = keras.applications.InceptionResNetV2(weights=None, include_top=False, input_shape=(size, size, 3))
    report = inspect(model)

    def average(layer):  # max pooling routes a gradient to one cell: the same windows, averaged
        cls = keras.layers.AveragePooling2D if isinstance(layer, keras.layers.MaxPooling2D) else type(layer)
        return cls.from_config(layer.get_config())

    smooth = keras.models.clone_model(model, clone_function=average)
    for w in smooth.weights:  # positive everywhere, activations about 1: nothing cancels or overflows
        shape = tuple(w.shape)
        if w.path.endswith("kernel"):
            w.assign(np.full(shape, 1.0 / np.prod(shape[:-1]), np.float32))
        elif w.path.endswith(("gamma", "moving_variance")):
            w.assign(np.ones(shape, np.float32))
        else:
            w.assign(np.zeros(shape, np.float32))
    for name, width in [("conv2d_4", 23), ("block35_1_conv", 95), ("block35_2_conv", 127)]:
        row = report[name]
        assert row.receptive_field == (width, width)
        x = torch.ones((1, size, size, 3), requires_grad=True)
        cell = [o // 2 for o in row.output_size]
        keras.Model(smooth.input, smooth.get_layer(name).output)(x)[0, cell[0], cell[1], 0].backward()
        mask = (x.grad[0].abs() > 0).any(-1)
        for axis in (0, 1):
            lit = np.flatnonzero(mask.any(1 - axis).numpy())
            lo, hi = row.field[axis].reads(cell[axis])
            assert (int(lit.min()), int(lit.max())) == (int(lo), int(hi)), (name, axis)


def test_odd_resize_ratios_stay_bounded():
    # periods multiply through resizes such as 35/17: past 1024 phases the field is bounded by one span
    from fractions import Fraction

    from convarith.network.fields import input_field, merge, through_layer, through_resize

    exact = through_resize(input_field(1), (Fraction(35, 17),), "nearest")[0]
    f = input_field(1)
    for n in (35, 37, 41, 43):
        f = through_layer(through_resize(f, (Fraction(n, 17),), "linear"), "conv", (3,), (1,), ((1, 1),), (1,))
    huge = through_resize(input_field(1), (Fraction(35 * 37 * 41 * 43, 17**4),), "nearest")
    merged = merge([f, huge])
    assert exact.period == 35 and exact.spans == (1,)
    assert f[0].period <= 1024 and merged[0].period <= 1024
    assert huge[0].lo <= 0 <= huge[0].hi  # the bound contains the cell the nearest cell 0 reads
