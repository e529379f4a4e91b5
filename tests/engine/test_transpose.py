"""Transposed convolution: the fast path, the guide's construction, and the identities between them.

Oracles: PyTorch's ``conv_transpose*d`` and ``ConvTranspose*d(output_size=...)``, the stored ONNX
backend ``ConvTranspose`` cases (onnx 1.22), torch autograd (the gradient identity), the adjoint
identity against a forward convolution, a Python-integer scatter loop, hand-worked examples from
the guide, and the guide's relationships 8-14.
"""

from __future__ import annotations

import itertools
import math
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convarith as ca
import convarith.engine.memory as memory  # the module object: importlib-mode doctests re-import the package
from convarith.testing import arange_array, random_array
from convarith.typing import PadPair

# ----------------------------------------------------------------------------------------------
# Layers drawn by hypothesis
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One transposed convolution: shapes and parameters (per spatial axis)."""

    batch: int
    groups: int
    in_per_group: int
    out_per_group: int
    input_size: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    output_padding: tuple[int, ...]
    dilation: tuple[int, ...]
    seed: int

    @property
    def ndim(self) -> int:
        return len(self.input_size)

    @property
    def in_channels(self) -> int:
        return self.groups * self.in_per_group

    @property
    def out_channels(self) -> int:
        return self.groups * self.out_per_group

    @property
    def symmetric_padding(self) -> tuple[int, ...]:
        assert all(pb == pe for pb, pe in self.padding)
        return tuple(pb for pb, _ in self.padding)

    def arrays(self, dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Input (N, C_in, *i'), weight (C_in, C_out/groups, *k), bias (C_out,)."""
        x = random_array((self.batch, self.in_channels, *self.input_size), seed=self.seed, dtype=dtype)
        w = random_array((self.in_channels, self.out_per_group, *self.kernel_size), seed=self.seed + 1, dtype=dtype)
        b = random_array((self.out_channels,), seed=self.seed + 2, dtype=dtype)
        return x, w, b

    def kwargs(self) -> dict[str, Any]:
        return {
            "stride": self.stride,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "dilation": self.dilation,
            "groups": self.groups,
        }

    def output_size(self) -> tuple[int, ...]:
        out = ca.conv_transpose_output_size(
            self.input_size, self.kernel_size, self.stride, self.padding, self.output_padding, self.dilation
        )
        assert isinstance(out, tuple)
        return out


@st.composite
def layers(draw: st.DrawFn, *, asymmetric: bool = False, output_padding: bool = True, max_ndim: int = 3) -> Layer:
    ndim = draw(st.integers(1, max_ndim))
    largest = {1: 5, 2: 4, 3: 3}[ndim]
    axis = st.integers(1, 3)
    i = tuple(draw(st.integers(1, largest)) for _ in range(ndim))
    k = tuple(draw(axis) for _ in range(ndim))
    s = tuple(draw(axis) for _ in range(ndim))
    d = tuple(draw(axis) for _ in range(ndim))
    pads = []
    for _ in range(ndim):
        pb = draw(st.integers(0, 3))
        pads.append((pb, draw(st.integers(0, 3))) if asymmetric else (pb, pb))
    if output_padding:
        a = tuple(draw(st.integers(0, max(s[x], d[x]) - 1)) for x in range(ndim))  # a < s or a < d
    else:
        a = (0,) * ndim
    layer = Layer(
        batch=draw(st.integers(1, 2)),
        groups=draw(st.integers(1, 3)),
        in_per_group=draw(st.integers(1, 2)),
        out_per_group=draw(st.integers(1, 2)),
        input_size=i,
        kernel_size=k,
        stride=s,
        padding=tuple(pads),
        output_padding=a,
        dilation=d,
        seed=draw(st.integers(0, 2**16)),
    )
    for x in range(ndim):
        ek = d[x] * (k[x] - 1) + 1
        assume((i[x] - 1) * s[x] - pads[x][0] - pads[x][1] + ek + a[x] >= 1)
    return layer


def _torch() -> Any:
    return pytest.importorskip("torch")


def _torch_transpose(layer: Layer, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **overrides: Any) -> np.ndarray:
    torch = _torch()
    functions = {1: torch.nn.functional.conv_transpose1d, 2: torch.nn.functional.conv_transpose2d}
    functions[3] = torch.nn.functional.conv_transpose3d
    kwargs = {"stride": layer.stride, "output_padding": layer.output_padding, "dilation": layer.dilation}
    kwargs.update(groups=layer.groups, **overrides)
    if "padding" not in kwargs:
        kwargs["padding"] = layer.symmetric_padding
    bias = None if b is None else torch.from_numpy(b)
    with torch.no_grad():
        out = functions[layer.ndim](torch.from_numpy(x), torch.from_numpy(w), bias, **kwargs)
    return out.numpy()


# ----------------------------------------------------------------------------------------------
# The fast path against PyTorch
# ----------------------------------------------------------------------------------------------


@given(layers())
def test_matches_torch(layer: Layer) -> None:
    x, w, b = layer.arrays()
    ours = ca.conv_transpose(x, w, b, **layer.kwargs())
    np.testing.assert_allclose(ours, _torch_transpose(layer, x, w, b), rtol=1e-12, atol=1e-12)


@given(layers(output_padding=False), st.data())
def test_output_size_follows_torch(layer: Layer, data: st.DataObject) -> None:
    """``output_size`` picks a size in [min, min + s - 1], as ``ConvTranspose*d.forward(x, output_size)``."""
    torch = _torch()
    smallest = layer.output_size()
    wanted = tuple(data.draw(st.integers(lo, lo + s - 1)) for lo, s in zip(smallest, layer.stride, strict=True))
    x, w, b = layer.arrays()
    module_class = {1: torch.nn.ConvTranspose1d, 2: torch.nn.ConvTranspose2d, 3: torch.nn.ConvTranspose3d}[layer.ndim]
    module = module_class(
        layer.in_channels,
        layer.out_channels,
        layer.kernel_size,
        stride=layer.stride,
        padding=layer.symmetric_padding,
        dilation=layer.dilation,
        groups=layer.groups,
        dtype=torch.float64,
    )
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(w))
        module.bias.copy_(torch.from_numpy(b))
        expected = module(torch.from_numpy(x), output_size=list(wanted)).numpy()
    kwargs = layer.kwargs()
    del kwargs["output_padding"]
    ours = ca.conv_transpose(x, w, b, **kwargs, output_size=wanted)
    assert ours.shape[2:] == wanted
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)
    # a full output shape works too, as in PyTorch
    full = ca.conv_transpose(x, w, b, **kwargs, output_size=(layer.batch, layer.out_channels, *wanted))
    np.testing.assert_array_equal(full, ours)


@given(layers(asymmetric=True))
def test_output_shape_is_the_formula(layer: Layer) -> None:
    x, w, _ = layer.arrays()
    out = ca.conv_transpose(x, w, **layer.kwargs())
    assert out.shape == (layer.batch, layer.out_channels, *layer.output_size())


@given(layers(asymmetric=True))
def test_asymmetric_padding_crops_torch(layer: Layer) -> None:
    """ONNX-style (before, after) padding: PyTorch's unpadded result, cropped by hand.

    With no padding and no output padding PyTorch gives the full ``(i' - 1)*s + ek`` cells; the
    ``a`` output-padding cells after them get no contribution (zeros), then ``pb`` cells are
    cropped from the start and the output keeps ``o'`` cells.
    """
    x, w, b = layer.arrays()
    full = _torch_transpose(layer, x, w, None, padding=0, output_padding=0)
    full = np.pad(full, [(0, 0), (0, 0), *((0, a) for a in layer.output_padding)])
    keep = tuple(slice(pb, pb + o) for (pb, _), o in zip(layer.padding, layer.output_size(), strict=True))
    expected = full[(slice(None), slice(None), *keep)] + b.reshape(-1, *(1,) * layer.ndim)
    ours = ca.conv_transpose(x, w, b, **layer.kwargs())
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)


@given(layers(max_ndim=2))
def test_unbatched_matches_torch(layer: Layer) -> None:
    x, w, b = layer.arrays()
    ours = ca.conv_transpose(x[0], w, b, **layer.kwargs())
    assert ours.shape == (layer.out_channels, *layer.output_size())
    torch = _torch()
    functional = {1: torch.nn.functional.conv_transpose1d, 2: torch.nn.functional.conv_transpose2d}[layer.ndim]
    with torch.no_grad():
        expected = functional(
            torch.from_numpy(x[0]),
            torch.from_numpy(w),
            torch.from_numpy(b),
            stride=layer.stride,
            padding=layer.symmetric_padding,
            output_padding=layer.output_padding,
            dilation=layer.dilation,
            groups=layer.groups,
        ).numpy()
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# Dtypes
# ----------------------------------------------------------------------------------------------


def _scatter_loop(x: np.ndarray, w: np.ndarray, layer: Layer) -> list[Any]:
    """Transposed convolution from its definition, in Python integers (exact).

    ``y[n, g*C_out_g + m, j*s + t*d - pb] += x[n, g*C_in_g + c, j] * w[g*C_in_g + c, m, t]``.
    """
    out = layer.output_size()
    result: dict[tuple[int, ...], int] = {}
    for n, c in itertools.product(range(layer.batch), range(layer.in_channels)):
        g = c // layer.in_per_group
        for j in itertools.product(*(range(i) for i in layer.input_size)):
            for m in range(layer.out_per_group):
                for t in itertools.product(*(range(k) for k in layer.kernel_size)):
                    cell = tuple(
                        j[a] * layer.stride[a] + t[a] * layer.dilation[a] - layer.padding[a][0]
                        for a in range(layer.ndim)
                    )
                    if all(0 <= cell[a] < out[a] for a in range(layer.ndim)):
                        key = (n, g * layer.out_per_group + m, *cell)
                        result[key] = result.get(key, 0) + int(x[(n, c, *j)]) * int(w[(c, m, *t)])
    return [
        result.get((n, m, *cell), 0)
        for n, m in itertools.product(range(layer.batch), range(layer.out_channels))
        for cell in itertools.product(*(range(o) for o in out))
    ]


@given(layers(asymmetric=True, max_ndim=2))
def test_integers_are_exact(layer: Layer) -> None:
    """Values near 2**30 and 2**21: products near 2**51, sums past 2**53 where float64 rounds."""
    x = random_array((layer.batch, layer.in_channels, *layer.input_size), seed=layer.seed, dtype=np.int64)
    w = random_array((layer.in_channels, layer.out_per_group, *layer.kernel_size), seed=layer.seed + 1, dtype=np.int64)
    x, w = x * 2**30 + 12345, w * 2**21 + 7
    ours = ca.conv_transpose(x, w, **layer.kwargs())
    assert ours.dtype == np.int64
    assert ours.ravel().tolist() == _scatter_loop(x, w, layer)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (np.float16, np.float16),  # computed in float32, rounded back
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.int8, np.int64),  # integers: exact int64 (tests/engine/test_dtypes.py has the whole policy)
        (np.int32, np.int64),
        (np.uint8, np.int64),
    ],
)
def test_dtype_follows_the_policy(dtype: Any, expected: Any) -> None:
    x = arange_array((1, 2, 3, 3), dtype=dtype)
    w = np.ones((2, 3, 2, 2), dtype=dtype)
    out = ca.conv_transpose(x, w, np.ones(3, dtype=dtype), stride=2)
    assert out.dtype == expected
    assert out.shape == (1, 3, 6, 6)
    assert out[0, 0, 0, 0] == 0 + 9 + 1  # input cell (0, 0) of channels 0 and 1, plus the bias


def test_empty_batch_as_torch() -> None:
    out = ca.conv_transpose(np.ones((0, 2, 3, 3)), np.ones((2, 1, 2, 2)), stride=2)
    assert out.shape == (0, 1, 6, 6)  # PyTorch: torch.Size([0, 1, 6, 6])


def test_complex_inputs_are_refused_as_by_conv() -> None:
    x = random_array((1, 2, 4), seed=5, dtype=np.float64) + 1j * random_array((1, 2, 4), seed=6, dtype=np.float64)
    w = random_array((2, 3, 3), seed=7, dtype=np.float64)
    with pytest.raises(TypeError, match=r"`x` must hold integers or floats \(the engine has no complex"):
        ca.conv_transpose(x, w, stride=2, padding=1)
    with pytest.raises(TypeError, match=r"`x` must hold integers or floats \(the engine has no complex"):
        ca.conv(x, w.swapaxes(0, 1))


# ----------------------------------------------------------------------------------------------
# Memory: products in blocks of whole images
# ----------------------------------------------------------------------------------------------


def test_blocks_of_one_image_give_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    x = random_array((5, 4, 6, 5), seed=11, dtype=np.float64)
    w = random_array((4, 3, 3, 2), seed=12, dtype=np.float64)
    b = random_array((6,), seed=13, dtype=np.float64)
    whole = ca.conv_transpose(x, w, b, stride=(2, 3), padding=((1, 0), (0, 2)), output_padding=1, groups=2)
    monkeypatch.setattr(memory, "MAX_TEMPORARY_BYTES", 1)
    blocked = ca.conv_transpose(x, w, b, stride=(2, 3), padding=((1, 0), (0, 2)), output_padding=1, groups=2)
    np.testing.assert_array_equal(blocked, whole)


def test_temporaries_stay_under_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Peak = output + input copy + one phase buffer + products under MAX_TEMPORARY_BYTES (+ slack).

    Unbounded, this layer's products alone take 1 MiB per phase (16 images x 4 taps x 8
    channels x 16 x 16 cells x 8 bytes); with a 128 KiB bound they come two images at a time.
    """
    bound = 128 * 2**10
    monkeypatch.setattr(memory, "MAX_TEMPORARY_BYTES", bound)
    x = random_array((16, 8, 16, 16), seed=1, dtype=np.float64)
    w = random_array((8, 8, 4, 4), seed=2, dtype=np.float64)
    tracemalloc.start()
    try:
        out = ca.conv_transpose(x, w, stride=2, padding=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    phase_buffer = 8 * 16 * 17 * 17 * 8  # (C_out, N, 34 / 2, 34 / 2) float64
    ufunc_buffer = 8192 * 8  # NumPy's buffer for an in-place add of strided views (float64)
    assert peak < out.nbytes + x.nbytes + phase_buffer + bound + ufunc_buffer + 2**17
    assert peak < out.nbytes + 2**20  # the unbounded products alone would be 1 MiB


# ----------------------------------------------------------------------------------------------
# Identities: adjoint, gradient
# ----------------------------------------------------------------------------------------------


@given(layers(asymmetric=True))
def test_adjoint_identity(layer: Layer) -> None:
    """``<conv(u), y> == <u, conv_transpose(y)>`` with the engine's conv and the same weight array."""
    # with a < s the convolution from o' cells gives back exactly i' cells
    assume(all(a < s for a, s in zip(layer.output_padding, layer.stride, strict=True)))
    y, w, _ = layer.arrays()  # y: the transpose's input, the convolution's output
    u = random_array((layer.batch, layer.out_channels, *layer.output_size()), seed=layer.seed + 3, dtype=np.float64)
    # the same weight array is (C_out, C_in/groups, *k) for the forward convolution
    conv_u = ca.conv(u, w, stride=layer.stride, padding=layer.padding, dilation=layer.dilation, groups=layer.groups)
    assert conv_u.shape == y.shape
    left = float(np.vdot(conv_u, y))
    right = float(np.vdot(u, ca.conv_transpose(y, w, **layer.kwargs())))
    assert math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-12)


@given(layers(asymmetric=True))
def test_gradient_identity(layer: Layer) -> None:
    """The input gradient of ``sum(conv(u) * y)`` (torch autograd) is ``conv_transpose(y)``."""
    assume(all(a < s for a, s in zip(layer.output_padding, layer.stride, strict=True)))
    torch = _torch()
    functional = torch.nn.functional
    conv = {1: functional.conv1d, 2: functional.conv2d, 3: functional.conv3d}[layer.ndim]
    y, w, _ = layer.arrays()
    u = torch.from_numpy(
        random_array((layer.batch, layer.out_channels, *layer.output_size()), seed=layer.seed + 3, dtype=np.float64)
    ).requires_grad_(True)
    flat_pads = [p for pair in reversed(layer.padding) for p in pair]
    out = conv(
        functional.pad(u, flat_pads),
        torch.from_numpy(w),
        stride=layer.stride,
        dilation=layer.dilation,
        groups=layer.groups,
    )
    (out * torch.from_numpy(y)).sum().backward()
    np.testing.assert_allclose(ca.conv_transpose(y, w, **layer.kwargs()), u.grad.numpy(), rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# The guide's construction
# ----------------------------------------------------------------------------------------------


@given(layers(asymmetric=True))
def test_construction_equals_fast_path(layer: Layer) -> None:
    x, w, _ = layer.arrays()
    built = ca.conv_transpose_construction(x, w, **layer.kwargs())
    np.testing.assert_allclose(built.output, ca.conv_transpose(x, w, **layer.kwargs()), rtol=1e-12, atol=1e-12)
    # the intermediate shapes are the guide's numbers (transpose_equivalent)
    for axis, eq in enumerate(built.axes):
        assert built.stretched.shape[2 + axis] == (layer.input_size[axis] - 1) * layer.stride[axis] + 1
        assert built.padded.shape[2 + axis] == eq.stretched_size + eq.padding[0] + eq.padding[1]
    assert built.kernel.shape == (layer.out_channels, layer.in_per_group, *layer.kernel_size)


@given(layers(asymmetric=True, max_ndim=2))
def test_construction_is_exact_on_integers(layer: Layer) -> None:
    x = random_array(
        (layer.batch, layer.in_channels, *layer.input_size), seed=layer.seed, dtype=np.int64, low=-9, high=9
    )
    w = random_array((layer.in_channels, layer.out_per_group, *layer.kernel_size), seed=layer.seed + 1, dtype=np.int64)
    built = ca.conv_transpose_construction(x, w, **layer.kwargs())
    assert built.output.dtype == np.int64
    np.testing.assert_array_equal(built.output, ca.conv_transpose(x, w, **layer.kwargs()))


def test_construction_steps_by_hand() -> None:
    """padding_strides_transposed (i=5, k=3, s=2, p=1 transposed): 3x3 -> 5x5, worked by hand."""
    x = arange_array((1, 1, 3, 3)) + 1  # 1..9
    w = arange_array((1, 1, 3, 3))  # 0..8
    built = ca.conv_transpose_construction(x, w, stride=2, padding=1)
    # 1. one zero between neighbours
    assert built.stretched[0, 0].tolist() == [
        [1, 0, 2, 0, 3],
        [0, 0, 0, 0, 0],
        [4, 0, 5, 0, 6],
        [0, 0, 0, 0, 0],
        [7, 0, 8, 0, 9],
    ]
    # 2. p' = k - p - 1 = 1 on every side
    assert built.padded.shape == (1, 1, 7, 7)
    assert built.padded[0, 0, 1:-1, 1:-1].tolist() == built.stretched[0, 0].tolist()
    assert built.padded[0, 0, 0].tolist() == [0] * 7
    # 3. the kernel rotated by 180 degrees
    assert built.kernel[0, 0].tolist() == [[8, 7, 6], [5, 4, 3], [2, 1, 0]]
    # 4. the centre output cell sits on input 5 (centre tap 4) and its four diagonal zeros: 5*4 = 20
    assert built.output.shape == (1, 1, 5, 5)
    assert built.output[0, 0, 2, 2] == 20
    # top-left output: padded window [[0,0,0],[0,1,0],[0,0,0]] under the flipped kernel -> 1*4
    assert built.output[0, 0, 0, 0] == 4
    # output cell (0, 1): padded row 1, columns 1..3 = [1, 0, 2] -> 1*kernel[1, 0] + 2*kernel[1, 2]
    assert built.output[0, 0, 0, 1] == 1 * 5 + 2 * 3


def test_construction_swaps_channels_per_group() -> None:
    """groups=2, C_in=4, C_out=2: weight (4, 1, 1) becomes kernel (2, 2, 1), group by group."""
    w = np.array([10, 20, 30, 40]).reshape(4, 1, 1)  # C_in 0,1 -> out 0; C_in 2,3 -> out 1
    built = ca.conv_transpose_construction(np.ones((4, 1), int), w, groups=2)
    assert built.kernel[:, :, 0].tolist() == [[10, 20], [30, 40]]
    assert built.output.tolist() == [[30], [70]]


def test_construction_crops_negative_padding() -> None:
    """p = 3 > ek - 1 = 2: p' = -1, one unit cropped on each side."""
    built = ca.conv_transpose_construction(np.ones((1, 1, 4)), np.ones((1, 1, 3)), stride=2, padding=3)
    assert [e.padding for e in built.axes] == [(-1, -1)]
    assert built.stretched.shape == (1, 1, 7)
    assert built.padded.shape == (1, 1, 5)
    assert built.output.shape == (1, 1, 3)
    assert "(crop 1)" in repr(built)


def test_construction_repr_lists_the_steps() -> None:
    built = ca.conv_transpose_construction(np.ones((1, 2, 2)), np.ones((1, 1, 3, 3)), stride=2, padding=1)
    text = repr(built)
    assert text.splitlines()[0].startswith("TransposeConstruction")
    for word in ("1. stretched", "2. padded", "3. kernel", "4. output"):
        assert word in text
    assert "axis 1: before 3 - 1 - 1 = 1, after 3 - 1 - 1 + 0 = 1" in text
    assert "o' = 5 - 3 + 1 = 3" in text


# ----------------------------------------------------------------------------------------------
# The guide's relationships 8-14 and its transposed figures
# ----------------------------------------------------------------------------------------------

# The guide's figures (REFERENCE.md): name -> (i, k, s, p) of the forward convolution, and the
# relationship its transposed twin illustrates.
TRANSPOSED_FIGURES = {
    "no_padding_no_strides_transposed": ((4, 3, 1, 0), 8),
    "arbitrary_padding_no_strides_transposed": ((5, 4, 1, 2), 9),
    "same_padding_no_strides_transposed": ((5, 3, 1, 1), 10),
    "full_padding_no_strides_transposed": ((5, 3, 1, 2), 11),
    "no_padding_strides_transposed": ((5, 3, 2, 0), 12),
    "padding_strides_transposed": ((5, 3, 2, 1), 13),
    "padding_strides_odd_transposed": ((6, 3, 2, 1), 14),
}


@pytest.mark.parametrize(("name", "figure"), TRANSPOSED_FIGURES.items(), ids=list(TRANSPOSED_FIGURES))
def test_guide_relationships_8_to_14(name: str, figure: tuple[tuple[int, int, int, int], int]) -> None:
    (i, k, s, p), number = figure
    rel = ca.arithmetic.relationship(k, s, p, transposed=True, input_size=i)
    assert rel.number == number
    i_prime = ca.conv_output_size(i, k, s, p)
    assert isinstance(i_prime, int)
    a = (i + 2 * p - k) % s  # relationship 14's extra units (0 for 8-13)
    x = arange_array((1, 1, i_prime, i_prime), dtype=np.float64)
    out = ca.conv_transpose(x, np.ones((1, 1, k, k)), stride=s, padding=p, output_padding=a)
    expected = rel.output(i_prime, k, s, p, 1) + a
    assert out.shape == (1, 1, expected, expected) == (1, 1, i, i)  # the transpose gives back the shape
    # the construction pads with the relationship's p' (k - 1, k - p - 1, p, 0 ...)
    built = ca.conv_transpose_construction(x, np.ones((1, 1, k, k)), stride=s, padding=p, output_padding=a)
    p_prime = {8: k - 1, 9: k - p - 1, 10: p, 11: 0, 12: k - 1, 13: k - p - 1, 14: k - p - 1}[number]
    assert built.axes[0].padding == (p_prime, p_prime + a)
    assert built.axes[0].zeros_between == s - 1


# ----------------------------------------------------------------------------------------------
# ONNX backend conformance data
# ----------------------------------------------------------------------------------------------


def _onnx_node_dir() -> Path:
    onnx = pytest.importorskip("onnx")
    folder = Path(onnx.__file__).parent / "backend" / "test" / "data" / "node"
    if not folder.is_dir():
        pytest.skip("this onnx has no stored backend node data (onnx 1.22 ships it, 1.23 removed it)")
    return folder


ONNX_CASES = [
    "test_convtranspose",
    "test_convtranspose_1d",
    "test_convtranspose_3d",
    "test_convtranspose_autopad_same",
    "test_convtranspose_dilations",
    "test_convtranspose_group_2",
    "test_convtranspose_group_2_image_3",
    "test_convtranspose_kernel_shape",
    "test_convtranspose_output_shape",
    "test_convtranspose_pad",
    "test_convtranspose_pads",
]
"""Every ConvTranspose case stored in onnx 1.22 (none skipped)."""


def _onnx_padding(
    auto_pad: str,
    pads: list[int],
    output_shape: list[int] | None,
    i: tuple[int, ...],
    k: tuple[int, ...],
    s: list[int],
    d: list[int],
    a: list[int],
) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """ONNX ConvTranspose attributes -> our (before, after) padding and output_padding.

    The ONNX spec: with ``output_shape`` (or SAME_UPPER/SAME_LOWER, whose output shape is
    ``i*s``), ``total = s*(i - 1) + a + ek - output_shape``; SAME_UPPER puts ``total // 2``
    before, otherwise (NOTSET, SAME_LOWER) the larger half goes before. We follow the spec's split
    (see test_onnx_output_shape_odd_total_padding). A negative total only arises when the output
    shape asks for more cells than the default: the spec's integer division puts the extra cells
    after (``total - total // 2 = 0`` before for total = -1), which is what the stored data show
    (test_convtranspose_output_shape equals test_convtranspose_pad), so negative after-padding
    becomes output padding.
    """
    ndim = len(i)
    if output_shape is None and auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        if auto_pad == "VALID":
            pads = [0] * (2 * ndim)
        return tuple((pads[x], pads[ndim + x]) for x in range(ndim)), tuple(a)
    target = output_shape if output_shape is not None else [i[x] * s[x] for x in range(ndim)]
    padding, extra = [], list(a)
    for x in range(ndim):
        total = s[x] * (i[x] - 1) + a[x] + d[x] * (k[x] - 1) + 1 - target[x]
        before = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
        after = total - before
        if before < 0:
            pytest.skip(f"ONNX pads {before} before on axis {x}: extra cells before the output are not expressible")
        if after < 0:
            extra[x] += -after
            after = 0
        padding.append((before, after))
    return tuple(padding), tuple(extra)


@pytest.mark.parametrize("case", ONNX_CASES)
def test_onnx_backend_case(case: str) -> None:
    onnx = pytest.importorskip("onnx")
    from onnx import helper, numpy_helper

    folder = _onnx_node_dir() / case
    node = onnx.load(str(folder / "model.onnx")).graph.node[0]
    assert node.op_type == "ConvTranspose"
    attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}

    def tensor(name: str) -> np.ndarray:
        proto = onnx.TensorProto()
        proto.ParseFromString((folder / "test_data_set_0" / name).read_bytes())
        return numpy_helper.to_array(proto)

    x, w = tensor("input_0.pb"), tensor("input_1.pb")
    b = tensor("input_2.pb") if len(node.input) > 2 else None
    expected = tensor("output_0.pb")
    ndim = w.ndim - 2
    kernel = tuple(w.shape[2:])
    assert tuple(attributes.get("kernel_shape", kernel)) == kernel
    strides = list(attributes.get("strides", [1] * ndim))
    dilations = list(attributes.get("dilations", [1] * ndim))
    auto_pad = attributes.get("auto_pad", b"NOTSET").decode()
    padding, output_padding = _onnx_padding(
        auto_pad,
        list(attributes.get("pads", [0] * 2 * ndim)),
        attributes.get("output_shape"),
        tuple(x.shape[2:]),
        kernel,
        strides,
        dilations,
        list(attributes.get("output_padding", [0] * ndim)),
    )
    ours = ca.conv_transpose(
        x,
        w,
        b,
        stride=tuple(strides),
        padding=padding,
        output_padding=output_padding,
        dilation=tuple(dilations),
        groups=attributes.get("group", 1),
    )
    assert ours.dtype == expected.dtype
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-5)


# (i, k, s, output_shape, auto_pad) -> the spec's (before, after)
ONNX_ODD_TOTAL = {
    "notset_larger_half_before": ((3, 4, 2, 5, "NOTSET"), (2, 1)),
    "same_lower_larger_half_before": ((3, 4, 2, 5, "SAME_LOWER"), (2, 1)),
    "same_upper_larger_half_after": ((3, 4, 2, 5, "SAME_UPPER"), (1, 2)),
}


@pytest.mark.parametrize(("name", "case"), ONNX_ODD_TOTAL.items(), ids=list(ONNX_ODD_TOTAL))
def test_onnx_output_shape_odd_total_padding(name: str, case: tuple[tuple[int, int, int, int, str], PadPair]) -> None:
    """Where the ONNX spec, its reference evaluator and PyTorch disagree, we follow the spec.

    ``output_shape`` 5 from i=3, k=4, s=2 (default 8) needs a total padding of 3. The spec splits
    it larger-half-before for NOTSET and SAME_LOWER, smaller-half-before for SAME_UPPER. PyTorch
    cannot express it (symmetric padding; its ``output_size`` only adds ``a < s`` cells), and
    onnx 1.22's reference evaluator raises on NOTSET with ``output_shape`` here (it agrees with the
    spec for SAME_UPPER/SAME_LOWER). The oracle: PyTorch's full, unpadded output, cropped by hand.
    """
    (i, k, s, output_shape, auto_pad), split = case
    padding, extra = _onnx_padding(auto_pad, [0, 0], [output_shape], (i,), (k,), [s], [1], [0])
    assert padding == (split,) and extra == (0,)
    x = np.array([[[1.0, 2.0, 3.0]]])
    w = np.array([[[1.0, 10.0, 100.0, 1000.0]]])
    full = _torch_transpose(
        Layer(1, 1, 1, 1, (i,), (k,), (s,), ((0, 0),), (0,), (1,), 0), x, w, None, padding=0, output_padding=0
    )
    assert full.ravel().tolist() == [1, 10, 102, 1020, 203, 2030, 300, 3000]
    ours = ca.conv_transpose(x, w, stride=s, padding=padding)
    assert ours.ravel().tolist() == full.ravel()[split[0] : split[0] + output_shape].tolist()


# ----------------------------------------------------------------------------------------------
# Failure modes, one test each
# ----------------------------------------------------------------------------------------------

X = np.ones((1, 4, 3, 3))
W = np.ones((4, 2, 3, 3))


def test_bad_output_padding() -> None:
    with pytest.raises(ValueError, match=r"`output_padding` 2 must be smaller than `stride` 2 or `dilation` 1"):
        ca.conv_transpose(X, W, stride=2, output_padding=2)


def test_output_size_out_of_range() -> None:
    # min = (3 - 1)*2 - 1 - 1 + 3 = 5, max = 6
    with pytest.raises(ValueError, match=r"`output_size` 7 on axis 0 is outside the valid range \[5, 6\]"):
        ca.conv_transpose(X, W, stride=2, padding=1, output_size=(7, 5))
    with pytest.raises(ValueError, match=r"`output_size` 4 on axis 1 is outside the valid range \[5, 6\]"):
        ca.conv_transpose(X, W, stride=2, padding=1, output_size=(5, 4))


def test_output_size_rescues_a_cropped_minimum() -> None:
    """min = (1 - 1)*3 - 1 - 1 + 1 = -1: PyTorch still accepts output_size 1 (a = 2 < s = 3)."""
    torch = _torch()
    module = torch.nn.ConvTranspose1d(1, 1, 1, stride=3, padding=1, bias=False, dtype=torch.float64)
    x = np.array([[[2.0]]])
    with torch.no_grad():
        module.weight.fill_(5.0)
        expected = module(torch.from_numpy(x), output_size=[1]).numpy()
    ours = ca.conv_transpose(x, np.full((1, 1, 1), 5.0), stride=3, padding=1, output_size=1)
    assert ours.shape == expected.shape == (1, 1, 1)
    np.testing.assert_array_equal(ours, expected)  # the one output cell lies in the cropped padding: 0


def test_output_size_wrong_length() -> None:
    with pytest.raises(ValueError, match=r"`output_size` must give one size per spatial axis \(2\)"):
        ca.conv_transpose(X, W, stride=2, output_size=(5, 5, 5))


def test_output_size_and_output_padding_together() -> None:
    with pytest.raises(ValueError, match="pass either `output_size` or `output_padding`"):
        ca.conv_transpose(X, W, stride=2, output_padding=1, output_size=(8, 8))


def test_groups_mismatch() -> None:
    with pytest.raises(ValueError, match=r"`groups` 3 must divide the input's 4 channels"):
        ca.conv_transpose(X, W, groups=3)


def test_weight_layout_mismatch() -> None:
    """A convolution-layout weight (C_out, C_in, k) is named as such."""
    with pytest.raises(ValueError, match=r"its first axis \(2\) must be the input's 4 channels.*convolution layout"):
        ca.conv_transpose(X, np.ones((2, 4, 3, 3)))


def test_weight_rank_mismatch() -> None:
    with pytest.raises(ValueError, match=r"`x` must have shape \(N, C_in, \*spatial\) or \(C_in, \*spatial\) with 2"):
        ca.conv_transpose(np.ones((1, 4, 3, 3, 3)), W)


def test_plain_kernel_needs_a_plain_input() -> None:
    # a 2-d weight is a plain kernel (issue 19): a plain 2-d x, not (C_in, L)
    with pytest.raises(ValueError, match=r"`weight` \(4, 2\) is a plain 2-d kernel \(no channel axes\), so `x` must "
                       r"be a plain 2-d array, got shape \(1, 4, 3\)"):  # fmt: skip
        ca.conv_transpose(np.ones((1, 4, 3)), np.ones((4, 2)))


def test_bias_mismatch() -> None:
    with pytest.raises(ValueError, match=r"`bias` must have shape \(4,\), one value per output channel"):
        ca.conv_transpose(X, W, np.ones(2), groups=2)


def test_padding_crops_everything() -> None:
    with pytest.raises(ValueError, match="crops away the whole output"):
        ca.conv_transpose(X, W, padding=3)


def test_padding_string_refused() -> None:
    with pytest.raises(TypeError, match="`padding` must be an int or a tuple here"):
        ca.conv_transpose(X, W, padding="same")  # type: ignore[arg-type]


def test_non_numeric_input() -> None:
    with pytest.raises(TypeError, match=r"`x` must hold integers or floats \(.*\), got dtype bool"):
        ca.conv_transpose(X.astype(bool), W)


def test_float_stride_refused() -> None:
    with pytest.raises(TypeError, match="`stride` must be an integer"):
        ca.conv_transpose(X, W, stride=1.5)  # type: ignore[arg-type]


def test_empty_spatial_axis() -> None:
    with pytest.raises(ValueError, match="at least one cell along each spatial axis"):
        ca.conv_transpose(np.ones((1, 4, 0, 3)), W)


def test_construction_checks_like_the_fast_path() -> None:
    with pytest.raises(ValueError, match="`output_padding` 2 must be smaller"):
        ca.conv_transpose_construction(X, W, stride=2, output_padding=2)
