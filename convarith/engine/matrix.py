"""The matrix view: a convolution as one (sparse) matrix, and its transpose.

The guide ([1]_, section 4.1) unrolls a convolution's input and output into vectors: the
convolution is then a matrix ``C`` with one row per output cell and one column per input cell,
``conv(x).ravel() == C @ x.ravel()``. Row ``r`` holds the kernel values at the columns its
window reads (:meth:`convarith.arithmetic.WindowMap.reads`); the transposed convolution is ``C.T``.

References
----------
.. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
   arXiv:1603.07285, 2016.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from convarith.arithmetic.validate import check_minimum, is_sequence, per_axis, per_axis_padding, shown
from convarith.arithmetic.windows import WindowMap, window_map
from convarith.engine import _core as core
from convarith.engine import memory
from convarith.engine.dtypes import matrix_dtype, real_array
from convarith.typing import IntOrTuple, PaddingLike

__all__ = ["MAX_MATRIX_BYTES", "conv_matrix"]

MAX_MATRIX_BYTES: int = 256 * 2**20
"""Largest dense matrix :func:`conv_matrix` builds: 256 MiB (e.g. 4096 x 8192 float64)."""


def _readable_bytes(n: int) -> str:
    if n >= 2**80:
        return memory.readable_bytes(n)
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def conv_matrix(
    input_shape: Sequence[int],
    weight: npt.ArrayLike,
    *,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    """The dense matrix ``C`` of a convolution: ``conv(x).ravel() == C @ x.ravel()``.

    Parameters
    ----------
    input_shape : sequence of int
        ``(C_in, *spatial)``: the shape of one unbatched input ``x``.
    weight : array_like, shape (C_out, C_in/groups, *kernel)
        The convolution's weight (PyTorch/ONNX layout).
    stride, dilation : int or tuple of int
        Per spatial axis.
    padding : int, (before, after) or tuple of those per axis
        Zero padding. Padding cells hold zeros, so they add nothing and get no column.
    groups : int
    padding_mode : {'zeros'}
        Only zero padding: reflect, replicate and circular padding are linear too, but their
        matrix would add entries in the columns of the mirrored or wrapped cells; not supported.

    Returns
    -------
    ndarray, shape (C_out * prod(output), C_in * prod(spatial))
        Row-major (C-order) unrolling on both sides. Integer weights give an ``int64`` matrix
        (so ``C @ x.ravel()`` of any integer ``x`` is exact, as :func:`convarith.conv`); floating
        weights keep their dtype (see :mod:`convarith.engine.dtypes` for products with a mixed
        integer/float ``x``: multiply in the float dtype).

    Raises
    ------
    ValueError
        If the matrix would need more than :data:`MAX_MATRIX_BYTES` (256 MiB), on a shape
        mismatch, or for a padding mode other than ``'zeros'``.

    Notes
    -----
    With ``o*s + t*d - pb`` the input cell that tap ``t`` reads at output ``o`` (per axis,
    flattened row-major), and ``g`` the group of output channel ``co``::

        C[co*O + o, (g*C_in/groups + ci)*I + (o*s + t*d - pb)] = weight[co, ci, t]

    for every cell that lies inside the input (``O = prod(output)``, ``I = prod(spatial)``). Each
    row has at most ``C_in/groups * prod(k)`` non-zeros; memory is
    ``C_out * O * C_in * I * itemsize`` bytes. ``C.T`` is the transposed convolution with the
    same weight: ``(C.T @ y.ravel()).reshape(input_shape) == conv_transpose(y, weight, ...)``
    with the ``output_padding`` that gives back ``input_shape``.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016, section 4.1.

    Examples
    --------
    >>> w = np.arange(1, 10).reshape(1, 1, 3, 3)  # the guide's 3x3 kernel over a 4x4 input
    >>> C = conv_matrix((1, 4, 4), w)
    >>> C.shape  # 2x2 outputs, 16 inputs
    (4, 16)
    >>> C[0]  # the first window: kernel rows at input columns 0-2, 4-6, 8-10
    array([1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0])
    >>> C[3]  # the last window, shifted by one row and one column
    array([0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9])
    """
    # -- argument checks ----------------------------------------------------------------------
    if not isinstance(padding_mode, str) or padding_mode != "zeros":
        raise ValueError(
            f"`padding_mode` must be 'zeros' for conv_matrix, got {shown(padding_mode)}: only zero padding "
            "leaves padding cells out of the matrix (use convarith.pad first for other modes)"
        )
    w = real_array(weight, "weight")
    dtype = matrix_dtype(w)
    shape, groups, windows = _checked_layer(input_shape, w, stride, padding, dilation, groups)
    in_channels, spatial = shape[0], shape[1:]
    out_channels, cin_g = w.shape[0], w.shape[1]
    out_cells, in_cells = math.prod(windows.output_shape), math.prod(spatial)
    rows, cols = out_channels * out_cells, in_channels * in_cells
    size = rows * cols * dtype.itemsize
    text = memory.number_text
    if size > MAX_MATRIX_BYTES:
        raise ValueError(
            f"`input_shape` {shape} with weight {w.shape} gives a {text(rows)} x {text(cols)} matrix of {dtype}: "
            f"{text(rows)} * {text(cols)} * {dtype.itemsize} bytes = {_readable_bytes(size)}, more than "
            f"MAX_MATRIX_BYTES = {_readable_bytes(MAX_MATRIX_BYTES)}; use convarith.conv on a smaller input"
        )
    memory.check_result_size((rows, cols), dtype.itemsize, f"`input_shape` {shape}", "matrix", str(dtype))
    core.check_coordinates(windows.axes)

    # -- every (output cell, kernel tap) pair that reads an input cell --------------------------
    out_index, tap_index, in_index = _reads(windows, w.shape[2:], out_cells)

    # -- scatter the weights: one entry per (output channel, input channel, read) -------------
    co = np.arange(out_channels)[:, None, None]
    ci = np.arange(cin_g)[None, :, None]
    group = co // (out_channels // groups)
    matrix = np.zeros((rows, cols), dtype=dtype)
    matrix[co * out_cells + out_index, (group * cin_g + ci) * in_cells + in_index] = w.reshape(out_channels, cin_g, -1)[
        :, :, tap_index
    ]
    return matrix


def _checked_layer(
    input_shape: Sequence[int],
    w: np.ndarray,
    stride: IntOrTuple,
    padding: PaddingLike,
    dilation: IntOrTuple,
    groups: int,
) -> tuple[tuple[int, ...], int, WindowMap]:
    """The argument checks of :func:`conv_matrix`: ``(C_in, *spatial)``, ``groups`` and the windows."""
    if w.ndim < 3:
        raise ValueError(
            "`weight` must have shape (C_out, C_in/groups, *kernel) with at least one spatial axis, "
            f"got shape {w.shape}"
        )
    ndim = w.ndim - 2
    if not is_sequence(input_shape) or len(input_shape) != ndim + 1:
        raise ValueError(
            f"`input_shape` must be (C_in, *spatial) with {ndim} spatial axes (as `weight` {w.shape} has), "
            f"got {shown(input_shape)}"
        )
    shape = tuple(check_minimum(n, f"input_shape[{x}]", 1) for x, n in enumerate(input_shape))
    groups = check_minimum(groups, "groups", 1)
    in_channels, spatial = shape[0], shape[1:]
    out_channels, cin_g = w.shape[0], w.shape[1]
    if in_channels % groups != 0 or out_channels % groups != 0:
        raise ValueError(
            f"`groups` {groups} must divide both the input's {in_channels} channels and the weight's "
            f"{out_channels} output channels"
        )
    if cin_g * groups != in_channels:
        raise ValueError(
            f"`weight` has shape {w.shape}: its second axis ({cin_g}) must be C_in/groups = "
            f"{in_channels}/{groups} = {in_channels // groups} (convolution layout (C_out, C_in/groups, *kernel))"
        )
    kernel = w.shape[2:]
    pads = per_axis_padding(padding, ndim)
    windows = window_map(spatial, kernel, per_axis(stride, "stride", ndim), pads, per_axis(dilation, "dilation", ndim))
    return shape, groups, windows


def _reads(windows: WindowMap, kernel: tuple[int, ...], out_cells: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (output cell, kernel tap) pair that reads an input cell: ``(out_index, tap_index, in_index)``.

    Output cells and input cells flattened row-major; padding cells are left out.
    """
    ndim = len(kernel)
    # indices()[o, t] = o*s + t*d - pb per axis; broadcast the axes against each other so the
    # result has shape (*output, *kernel), as in WindowMap.reads.
    flat_input = np.zeros((*windows.output_shape, *kernel), dtype=np.intp)
    inside = np.ones(flat_input.shape, dtype=bool)
    for x, axis in enumerate(windows.axes):
        where: list[Any] = [1] * (2 * ndim)
        where[x], where[ndim + x] = axis.output_size, axis.kernel_size
        coordinate = axis.indices().reshape(where)
        inside &= (coordinate >= 0) & (coordinate < axis.input_size)
        flat_input = flat_input * axis.input_size + coordinate
    out_index, tap_index = np.nonzero(inside.reshape(out_cells, -1))
    in_index = flat_input.reshape(out_cells, -1)[out_index, tap_index]
    return out_index, tap_index, in_index
