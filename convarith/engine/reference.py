"""The definition: convolution, pooling and transposed convolution as loops that read like the formulas.

Start here. Each function below is the formula of its operation written as Python loops, one
output cell at a time, one kernel tap at a time; nothing is vectorised, blocked or clever. They
are the definition the fast engine (:func:`convarith.conv`, :func:`convarith.max_pool`,
:func:`convarith.avg_pool`, :func:`convarith.conv_transpose`, ...) is tested against, on
hand-picked and randomly drawn layers (``tests/engine/test_reference.py``).

Written from the definitions only, independently of the fast engine and of
:mod:`convarith.arithmetic.windows`: padding uses :func:`numpy.pad` (whose ``constant``,
``reflect``, ``edge`` and ``wrap`` modes are PyTorch's ``zeros``, ``reflect``, ``replicate`` and
``circular``), and sums run over Python numbers, so integer results are exact. Slow: small
inputs only.

Inputs are batched, ``(N, C, *spatial)``; per-axis arguments take an int (every axis) or one value
per axis; padding takes an int, one int per axis, or ``(before, after)`` pairs. Results are object
arrays of Python numbers (exact integers; floats in float64): convert with ``.astype(...)``.

Examples
--------
>>> import numpy as np
>>> x = np.arange(16).reshape(1, 1, 4, 4)  # the guide's no_padding_no_strides
>>> conv(x, np.ones((1, 1, 3, 3), dtype=int)).astype(int)
array([[[[45, 54],
         [81, 90]]]])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from convarith.arithmetic.kernel import effective_kernel_size

__all__ = ["avg_pool", "conv", "conv_transpose", "max_pool", "pad", "pool_starts"]

Pairs = Sequence[tuple[int, int]]

NUMPY_PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
"""PyTorch's padding modes by their :func:`numpy.pad` names."""


def _per_axis(value: int | Sequence[int], ndim: int) -> tuple[int, ...]:
    return (value,) * ndim if isinstance(value, int) else tuple(value)


def _pairs(padding: int | Sequence[Any], ndim: int) -> tuple[tuple[int, int], ...]:
    if isinstance(padding, int):
        return ((padding, padding),) * ndim
    return tuple((p, p) if isinstance(p, int) else (p[0], p[1]) for p in padding)


def pad(x: np.ndarray, padding: int | Sequence[Any], mode: str = "zeros", value: float = 0) -> np.ndarray:
    """Pad the spatial axes (all but the first two) with :func:`numpy.pad`.

    Examples
    --------
    >>> pad(np.arange(4).reshape(1, 1, 4), 2, mode="reflect")
    array([[[2, 1, 0, 1, 2, 3, 2, 1]]])
    """
    pairs = _pairs(padding, x.ndim - 2)
    widths = [(0, 0), (0, 0), *pairs]
    if mode == "zeros":
        return np.pad(x, widths, mode="constant", constant_values=value)
    padded: np.ndarray = np.pad(x, widths, mode=NUMPY_PAD_MODES[mode])  # type: ignore[call-overload]
    return padded


def conv(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[Any] = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> np.ndarray:
    """Convolution (cross-correlation): ``y[n, m, o] = b[m] + sum_{c, t} x_pad[n, g*C_g + c, o*s + t*d] * w[m, c, t]``.

    ``x`` is ``(N, C_in, *i)``, ``weight`` ``(C_out, C_in / groups, *k)``; output channel ``m``
    belongs to group ``g = m // (C_out / groups)`` and reads that group's ``C_g = C_in / groups``
    input channels. Per axis ``o = floor((i + pb + pe - ek) / s) + 1`` with ``ek = d*(k - 1) + 1``.

    Examples
    --------
    >>> conv(np.arange(5).reshape(1, 1, 5), np.array([[[1, 0, -1]]]), stride=2).tolist()
    [[[-2, -2]]]
    """
    ndim = weight.ndim - 2
    s, d = _per_axis(stride, ndim), _per_axis(dilation, ndim)
    x_pad = pad(x, padding, padding_mode)
    c_out, c_group, *kernel = weight.shape
    out_per_group = c_out // groups
    ek = [effective_kernel_size(kernel[a], d[a]) for a in range(ndim)]
    out_size = [(x_pad.shape[2 + a] - ek[a]) // s[a] + 1 for a in range(ndim)]
    y = np.empty((x.shape[0], c_out, *out_size), dtype=object)
    for n in range(x.shape[0]):
        for m in range(c_out):
            g = m // out_per_group
            for o in itertools.product(*(range(size) for size in out_size)):
                total = 0 if bias is None else bias[m].item()
                for c in range(c_group):
                    for t in itertools.product(*(range(k) for k in kernel)):
                        cell = tuple(o[a] * s[a] + t[a] * d[a] for a in range(ndim))
                        total += x_pad[(n, g * c_group + c, *cell)].item() * weight[(m, c, *t)].item()
                y[(n, m, *o)] = total
    return y


def conv_transpose(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[Any] = 0,
    output_padding: int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """Transposed convolution: input cell ``j`` adds ``w[c, m, t] * x[c, j]`` to output cell ``j*s + t*d - pb``.

    ``x`` is ``(N, C_in, *i')``, ``weight`` ``(C_in, C_out / groups, *k)`` (PyTorch's layout);
    input channel ``c`` belongs to group ``g = c // (C_in / groups)`` and writes that group's
    output channels. Per axis ``o' = (i' - 1)*s - pb - pe + ek + a``; writes that land in the
    cropped padding (``< 0`` or ``>= o'``) are dropped.

    Examples
    --------
    >>> conv_transpose(np.array([[[1, 2]]]), np.array([[[1, 10, 100]]]), stride=2).tolist()
    [[[1, 10, 102, 20, 200]]]
    """
    ndim = weight.ndim - 2
    s, d, a = _per_axis(stride, ndim), _per_axis(dilation, ndim), _per_axis(output_padding, ndim)
    pads = _pairs(padding, ndim)
    c_in, out_per_group, *kernel = weight.shape
    in_per_group = c_in // groups
    inputs = x.shape[2:]
    out_size = [
        (inputs[x_] - 1) * s[x_] - pads[x_][0] - pads[x_][1] + effective_kernel_size(kernel[x_], d[x_]) + a[x_]
        for x_ in range(ndim)
    ]
    y = np.empty((x.shape[0], out_per_group * groups, *out_size), dtype=object)
    for n in range(x.shape[0]):
        for m in range(out_per_group * groups):
            for o in itertools.product(*(range(size) for size in out_size)):
                y[(n, m, *o)] = 0 if bias is None else bias[m].item()
        for c in range(c_in):
            g = c // in_per_group
            for j in itertools.product(*(range(size) for size in inputs)):
                for m_local in range(out_per_group):
                    for t in itertools.product(*(range(k) for k in kernel)):
                        cell = tuple(j[x_] * s[x_] + t[x_] * d[x_] - pads[x_][0] for x_ in range(ndim))
                        if all(0 <= cell[x_] < out_size[x_] for x_ in range(ndim)):
                            m = g * out_per_group + m_local
                            y[(n, m, *cell)] += x[(n, c, *j)].item() * weight[(c, m_local, *t)].item()
    return y


def pool_starts(size: int, k: int, s: int, pb: int, pe: int, d: int, ceil_mode: bool) -> list[int]:
    """Window starts (input coordinates) along one axis: the PyTorch/ONNX pooling rule written out.

    ``o = floor((i + pb + pe - ek) / s) + 1`` (``ceil`` in ceil mode, dropping a last window that
    would start in the right padding).

    Examples
    --------
    >>> pool_starts(5, 2, 2, 0, 0, 1, ceil_mode=True)  # the ceil-mode window at 4 reads one cell
    [0, 2, 4]
    """
    ek = effective_kernel_size(k, d)
    span = size + pb + pe - ek
    count = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (count - 1) * s >= size + pb:
        count -= 1
    return [o * s - pb for o in range(count)]


def _windows(
    x: np.ndarray, kernel: Sequence[int], stride: Sequence[int], pads: Pairs, dilation: Sequence[int], ceil_mode: bool
) -> tuple[list[list[int]], tuple[int, ...]]:
    size = x.shape[2:]
    starts = [pool_starts(size[a], kernel[a], stride[a], *pads[a], dilation[a], ceil_mode) for a in range(len(kernel))]
    return starts, (x.shape[0], x.shape[1], *(len(v) for v in starts))


def max_pool(
    x: np.ndarray,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: int | Sequence[Any] = 0,
    dilation: int | Sequence[int] = 1,
    ceil_mode: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """``y[n, c, o] = max_t x[n, c, o*s + t*d - pb]`` over the taps on the input, and PyTorch's index.

    Padding never wins. The index is that of the first maximum in window order (row-major taps;
    a NaN wins, so the last NaN), flat in the ``(n, c)`` plane.

    Examples
    --------
    >>> values, indices = max_pool(np.array([[[3, 1, 4, 1, 5]]]), 2)
    >>> values.tolist(), indices.tolist()
    ([[[3, 4]]], [[[0, 2]]])
    """
    ndim = x.ndim - 2
    kernel = _per_axis(kernel_size, ndim)
    s = kernel if stride is None else _per_axis(stride, ndim)
    d, pads = _per_axis(dilation, ndim), _pairs(padding, ndim)
    starts, shape = _windows(x, kernel, s, pads, d, ceil_mode)
    size = x.shape[2:]
    values = np.empty(shape, dtype=object)
    indices = np.empty(shape, dtype=np.int64)
    for n, c in itertools.product(range(shape[0]), range(shape[1])):
        for o in itertools.product(*(range(len(v)) for v in starts)):
            best, best_index = None, -1
            for t in itertools.product(*(range(k) for k in kernel)):
                cell = tuple(starts[a][o[a]] + t[a] * d[a] for a in range(ndim))
                if not all(0 <= cell[a] < size[a] for a in range(ndim)):
                    continue
                value = x[(n, c, *cell)].item()
                if best is None or value > best or (isinstance(value, float) and math.isnan(value)):
                    best, best_index = value, int(np.ravel_multi_index(cell, size))
            values[(n, c, *o)] = best
            indices[(n, c, *o)] = best_index
    return values, indices


def avg_pool(
    x: np.ndarray,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: int | Sequence[Any] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    dilation: int | Sequence[int] = 1,
) -> np.ndarray:
    """``y[n, c, o] = (sum_t x_pad[n, c, o*s + t*d]) / D``: PyTorch's divisor ``D``.

    ``D`` is ``divisor_override``, else the taps inside ``[-pb, i + pe)`` (``count_include_pad``)
    or inside the input ``[0, i)`` (never the ceil-mode overhang). Integers divide with
    truncation towards zero, as PyTorch's int64.

    Examples
    --------
    >>> avg_pool(np.array([[[1, 2, 3, 4]]]), 2).tolist()  # (1 + 2) // 2, (3 + 4) // 2
    [[[1, 3]]]
    """
    ndim = x.ndim - 2
    kernel = _per_axis(kernel_size, ndim)
    s = kernel if stride is None else _per_axis(stride, ndim)
    d, pads = _per_axis(dilation, ndim), _pairs(padding, ndim)
    starts, shape = _windows(x, kernel, s, pads, d, ceil_mode)
    size = x.shape[2:]
    result = np.empty(shape, dtype=object)
    for n, c in itertools.product(range(shape[0]), range(shape[1])):
        for o in itertools.product(*(range(len(v)) for v in starts)):
            total, inside, padded = 0, 0, 0
            for t in itertools.product(*(range(k) for k in kernel)):
                cell = tuple(starts[a][o[a]] + t[a] * d[a] for a in range(ndim))
                if all(-pads[a][0] <= cell[a] < size[a] + pads[a][1] for a in range(ndim)):
                    padded += 1
                if all(0 <= cell[a] < size[a] for a in range(ndim)):
                    inside += 1
                    total += x[(n, c, *cell)].item()
            divisor = divisor_override or (padded if count_include_pad else inside)
            if x.dtype.kind in "iu":
                quotient = abs(total) // divisor
                result[(n, c, *o)] = quotient if total >= 0 else -quotient
            else:
                result[(n, c, *o)] = total / divisor
    return result
