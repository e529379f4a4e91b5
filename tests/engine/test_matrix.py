"""The matrix view: conv_matrix against a loop, the engine's conv, conv_transpose and the guide.

Oracles: a matrix built cell by cell from the definition of a convolution (Python loops, not the
window map), the guide's 4x16 example matrix (section 4.1), the engine's ``conv``, PyTorch's
``conv*d``, and ``conv_transpose`` (``C.T`` is the transposed convolution).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convarith as ca
from convarith.engine.matrix import MAX_MATRIX_BYTES
from convarith.testing import arange_array, random_array


@dataclass(frozen=True)
class Conv:
    """One convolution: shapes and parameters (per spatial axis)."""

    groups: int
    in_per_group: int
    out_per_group: int
    input_size: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    seed: int

    @property
    def ndim(self) -> int:
        return len(self.input_size)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (self.groups * self.in_per_group, *self.input_size)

    @property
    def output_size(self) -> tuple[int, ...]:
        out = ca.conv_output_size(self.input_size, self.kernel_size, self.stride, self.padding, self.dilation)
        assert isinstance(out, tuple)
        return out

    def weight(self, dtype: Any = np.float64) -> np.ndarray:
        shape = (self.groups * self.out_per_group, self.in_per_group, *self.kernel_size)
        return random_array(shape, seed=self.seed, dtype=dtype, low=-9, high=9)

    def kwargs(self) -> dict[str, Any]:
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation, "groups": self.groups}


@st.composite
def convs(draw: st.DrawFn, *, max_ndim: int = 3) -> Conv:
    ndim = draw(st.integers(1, max_ndim))
    largest = {1: 6, 2: 5, 3: 3}[ndim]
    axis = st.integers(1, 3)
    i = tuple(draw(st.integers(1, largest)) for _ in range(ndim))
    k = tuple(draw(axis) for _ in range(ndim))
    d = tuple(draw(st.integers(1, 2)) for _ in range(ndim))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(ndim))
    for x in range(ndim):
        assume(d[x] * (k[x] - 1) + 1 <= i[x] + pads[x][0] + pads[x][1])
    return Conv(
        groups=draw(st.integers(1, 3)),
        in_per_group=draw(st.integers(1, 2)),
        out_per_group=draw(st.integers(1, 2)),
        input_size=i,
        kernel_size=k,
        stride=tuple(draw(axis) for _ in range(ndim)),
        padding=pads,
        dilation=d,
        seed=draw(st.integers(0, 2**16)),
    )


def _loop_matrix(layer: Conv, w: np.ndarray) -> np.ndarray:
    """The matrix from the definition: row (m, o) gets w[m, c, t] at column (g*C_g + c, o*s + t*d - pb)."""
    out = layer.output_size
    rows = [(m, o) for m in range(w.shape[0]) for o in itertools.product(*(range(n) for n in out))]
    cols = [
        (c, j) for c in range(layer.input_shape[0]) for j in itertools.product(*(range(n) for n in layer.input_size))
    ]
    column_of = {key: number for number, key in enumerate(cols)}
    matrix = np.zeros((len(rows), len(cols)), dtype=w.dtype)
    for r, (m, o) in enumerate(rows):
        g = m // layer.out_per_group
        for c in range(layer.in_per_group):
            for t in itertools.product(*(range(k) for k in layer.kernel_size)):
                j = tuple(
                    o[a] * layer.stride[a] + t[a] * layer.dilation[a] - layer.padding[a][0] for a in range(layer.ndim)
                )
                if all(0 <= j[a] < layer.input_size[a] for a in range(layer.ndim)):
                    matrix[r, column_of[(g * layer.in_per_group + c, j)]] += w[(m, c, *t)]
    return matrix


@given(convs())
def test_matches_the_loop(layer: Conv) -> None:
    w = layer.weight(np.int64)
    np.testing.assert_array_equal(ca.conv_matrix(layer.input_shape, w, **layer.kwargs()), _loop_matrix(layer, w))


@given(convs())
def test_matrix_times_input_is_conv(layer: Conv) -> None:
    w = layer.weight()
    x = random_array(layer.input_shape, seed=layer.seed + 1, dtype=np.float64)
    matrix = ca.conv_matrix(layer.input_shape, w, **layer.kwargs())
    expected = ca.conv(x, w, **layer.kwargs())
    np.testing.assert_allclose(matrix @ x.ravel(), expected.ravel(), rtol=1e-12, atol=1e-12)


@given(convs(max_ndim=2))
def test_matrix_times_input_is_torch_conv(layer: Conv) -> None:
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    w = layer.weight()
    x = random_array(layer.input_shape, seed=layer.seed + 1, dtype=np.float64)
    flat_pads = [p for pair in reversed(layer.padding) for p in pair]
    conv = {1: functional.conv1d, 2: functional.conv2d}[layer.ndim]
    with torch.no_grad():
        padded = functional.pad(torch.from_numpy(x), flat_pads)
        expected = conv(padded, torch.from_numpy(w), stride=layer.stride, dilation=layer.dilation, groups=layer.groups)
    matrix = ca.conv_matrix(layer.input_shape, w, **layer.kwargs())
    np.testing.assert_allclose(matrix @ x.ravel(), expected.numpy().ravel(), rtol=1e-12, atol=1e-12)


@given(convs())
def test_transpose_is_conv_transpose(layer: Conv) -> None:
    """``C.T @ y`` is the transposed convolution, with the output padding that restores the shape."""
    w = layer.weight()
    y = random_array((layer.groups * layer.out_per_group, *layer.output_size), seed=layer.seed + 2, dtype=np.float64)
    a = ca.arithmetic.recovering_output_padding(
        layer.input_size, layer.kernel_size, layer.stride, layer.padding, layer.dilation
    )
    expected = ca.conv_transpose(y, w, **layer.kwargs(), output_padding=a)
    assert expected.shape == layer.input_shape
    matrix = ca.conv_matrix(layer.input_shape, w, **layer.kwargs())
    np.testing.assert_allclose(matrix.T @ y.ravel(), expected.ravel(), rtol=1e-12, atol=1e-12)


@given(convs(max_ndim=2))
def test_row_pattern_is_what_the_pictures_show(layer: Conv) -> None:
    """Row (0, o) has a non-zero exactly at the input cells that ``window_map(...).reads(o)`` marks 'input'."""
    w = np.ones((1, 1, *layer.kernel_size))
    shape = (1, *layer.input_size)
    kwargs = layer.kwargs() | {"groups": 1}
    matrix = ca.conv_matrix(shape, w, **kwargs)
    windows = ca.window_map(layer.input_size, layer.kernel_size, layer.stride, layer.padding, layer.dilation)
    for row, out in enumerate(windows.positions()):
        cells = {r.input for r in windows.reads(out) if r.kind == "input"}
        expected = [int(np.ravel_multi_index(c, layer.input_size)) for c in cells]
        assert sorted(np.flatnonzero(matrix[row]).tolist()) == sorted(expected)


def test_the_guides_example() -> None:
    """Section 4.1 of the guide: a 3x3 kernel over a 4x4 input (no padding, unit strides) as a 4x16 matrix."""
    w = np.array([[11, 12, 13], [21, 22, 23], [31, 32, 33]]).reshape(1, 1, 3, 3)  # w_{0,0} .. w_{2,2}
    expected = [
        [11, 12, 13, 0, 21, 22, 23, 0, 31, 32, 33, 0, 0, 0, 0, 0],
        [0, 11, 12, 13, 0, 21, 22, 23, 0, 31, 32, 33, 0, 0, 0, 0],
        [0, 0, 0, 0, 11, 12, 13, 0, 21, 22, 23, 0, 31, 32, 33, 0],
        [0, 0, 0, 0, 0, 11, 12, 13, 0, 21, 22, 23, 0, 31, 32, 33],
    ]
    assert ca.conv_matrix((1, 4, 4), w).tolist() == expected


def test_padding_cells_get_no_column() -> None:
    """padding_strides (i=5, k=3, s=2, p=1) in 1-D: the first window's left tap lands on padding."""
    matrix = ca.conv_matrix((1, 5), np.array([[[1, 2, 3]]]), stride=2, padding=1)
    assert matrix.tolist() == [[2, 3, 0, 0, 0], [0, 1, 2, 3, 0], [0, 0, 0, 1, 2]]


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [(np.float16, np.float16), (np.float32, np.float32), (np.float64, np.float64), (np.int8, np.int64)],
)
def test_dtype_follows_the_policy(dtype: Any, expected: Any) -> None:
    # floats keep the weight's dtype; integer weights give int64, so products do not wrap
    assert ca.conv_matrix((2, 3, 3), np.ones((1, 2, 2, 2), dtype=dtype)).dtype == expected


def test_complex_weight_refused_as_everywhere() -> None:
    with pytest.raises(TypeError, match=r"`weight` must hold integers or floats \(the engine has no complex"):
        ca.conv_matrix((2, 3, 3), np.ones((1, 2, 2, 2), dtype=np.complex128))


def test_matrix_of_a_depthwise_conv_is_block_diagonal() -> None:
    w = arange_array((3, 1, 2)) + 1
    matrix = ca.conv_matrix((3, 4), w, groups=3)
    assert matrix.shape == (9, 12)
    for g in range(3):
        block = matrix[3 * g : 3 * g + 3]
        assert not block[:, : 4 * g].any() and not block[:, 4 * g + 4 :].any()


# ----------------------------------------------------------------------------------------------
# Failure modes, one test each
# ----------------------------------------------------------------------------------------------


def test_matrix_too_large() -> None:
    # 64 * 62 * 62 rows by 64 * 64 * 64 columns of float64: far beyond the limit (nothing allocated)
    with pytest.raises(
        ValueError, match=r"246016 x 262144 matrix of float64: .* more than MAX_MATRIX_BYTES = 256\.0 MiB"
    ):
        ca.conv_matrix((64, 64, 64), np.ones((64, 64, 3, 3)))
    assert MAX_MATRIX_BYTES == 256 * 2**20


def test_matrix_limit_is_inclusive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("convarith.engine.matrix.MAX_MATRIX_BYTES", 128)
    assert ca.conv_matrix((1, 4), np.ones((1, 1, 1))).shape == (4, 4)  # 4 * 4 * 8 = 128 bytes: built
    with pytest.raises(ValueError, match=r"4 x 5 matrix of float64: 4 \* 5 \* 8 bytes = 160 bytes, more than"):
        ca.conv_matrix((1, 5), np.ones((1, 1, 2)))


def test_padding_mode_other_than_zeros() -> None:
    with pytest.raises(ValueError, match=r"`padding_mode` must be 'zeros' for conv_matrix, got 'reflect'"):
        ca.conv_matrix((1, 5), np.ones((1, 1, 3)), padding=1, padding_mode="reflect")


def test_padding_string_refused() -> None:
    with pytest.raises(TypeError, match="`padding` must be an int or a tuple here"):
        ca.conv_matrix((1, 5), np.ones((1, 1, 3)), padding="same")  # type: ignore[arg-type]


def test_input_shape_wrong_length() -> None:
    with pytest.raises(ValueError, match=r"`input_shape` must be \(C_in, \*spatial\) with 2 spatial axes"):
        ca.conv_matrix((1, 5), np.ones((1, 1, 3, 3)))


def test_input_shape_with_batch_axis() -> None:
    with pytest.raises(ValueError, match=r"`input_shape` must be \(C_in, \*spatial\) with 1 spatial axes"):
        ca.conv_matrix((1, 1, 5), np.ones((1, 1, 3)))


def test_channels_mismatch() -> None:
    with pytest.raises(ValueError, match=r"its second axis \(2\) must be C_in/groups = 3/1 = 3"):
        ca.conv_matrix((3, 5), np.ones((1, 2, 3)))


def test_groups_mismatch() -> None:
    with pytest.raises(ValueError, match=r"`groups` 2 must divide both the input's 3 channels"):
        ca.conv_matrix((3, 5), np.ones((2, 1, 3)), groups=2)


def test_kernel_larger_than_input() -> None:
    with pytest.raises(ValueError, match="is larger than the padded input"):
        ca.conv_matrix((1, 2), np.ones((1, 1, 3)))


def test_weight_without_spatial_axes() -> None:
    with pytest.raises(ValueError, match="at least one spatial axis"):
        ca.conv_matrix((1,), np.ones((1, 1)))


def test_non_numeric_weight() -> None:
    with pytest.raises(TypeError, match=r"`weight` must hold integers or floats \(.*\), got dtype bool"):
        ca.conv_matrix((1, 5), np.ones((1, 1, 3), dtype=bool))
