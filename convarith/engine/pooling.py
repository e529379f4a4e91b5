"""Pooling: maximum, average and power-average over each window, and the global pools.

Each function takes its windows from :func:`convarith.window_map` and walks the output block by
block (:mod:`convarith.engine._core`): the padded cells of a block are copied once, and kernel tap
``t`` is the strided view ``block_slice(t)`` of them; the taps fold into a running maximum or sum.
The loop versions in :mod:`convarith.engine.reference` are the definition these are tested against.

The number of spatial axes
--------------------------
A pooling layer has no weight to tell how many of ``x``'s axes are spatial. The number comes
from ``kernel_size`` (or ``stride``, ``padding``, ``dilation``) when one of them is a per-axis
tuple, or from ``ndim=``. Then ``x`` is batched ``(N, C, *spatial)``, unbatched ``(C, *spatial)``
or a plain array ``(*spatial)`` (one image, no batch or channel axis, as ``max_pool(img, (2, 2))``
of a 4x4 image, which gives a 2x2 one): the result has ``x``'s rank. With only ints and no
``ndim``, an input with ``D >= 2`` dimensions reads several ways (a 2-d array: a plain image, or
``(C, L)``); the call is refused with an error naming the readings instead of guessing
(``avg_pool(x_chw, 2)`` once pooled one axis, ``max_pool(img, 2)`` each row). A 1-d array is a
plain signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from convarith.arithmetic.validate import (
    axes_layout,
    axis_label,
    check_int,
    check_minimum,
    describe,
    per_axis,
    per_axis_padding,
)
from convarith.arithmetic.windows import AxisWindows, WindowMap, window_map
from convarith.engine import _core as core
from convarith.engine import memory
from convarith.engine.dtypes import accumulator_dtype, real_array, result_dtype
from convarith.engine.exact import INT64_MAX, as_int64, exact_sum, max_abs, truncate_divide
from convarith.typing import IntOrTuple, PaddingLike

__all__ = ["avg_pool", "global_avg_pool", "global_max_pool", "lp_pool", "max_pool"]


def _pool_setup(
    x: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: Any,
    ndim: int | None,
) -> tuple[np.ndarray, int, WindowMap]:
    """Checks shared by the pooling functions: the number of spatial axes, the windows.

    Returns ``x`` as ``(N, C, *spatial)``, the number of leading axes added
    (:func:`convarith.engine._core.split_batch`) and the windows.
    """
    array = real_array(x, "x")
    sizes_given = {"kernel_size": kernel_size, "stride": 1 if stride is None else stride, "dilation": dilation}
    spatial, scalar = axes_layout(sizes_given, padding)  # the reading of parse_axes and layer(): tuples give ndim
    if ndim is not None:
        ndim = check_minimum(ndim, "ndim", 1)
        if not scalar and spatial != ndim:
            raise ValueError(
                f"`ndim` {ndim} contradicts the per-axis arguments, which give {spatial} spatial axes "
                "(`kernel_size`, `stride`, `padding`, `dilation`)"
            )
    elif scalar:
        ndim = core.spatial_axes_of_int(array, "kernel_size", kernel_size)
    else:
        ndim = spatial
    xs, added = core.split_batch(array, ndim)
    core.check_spatial_cells(xs, ndim)
    kernel = per_axis(kernel_size, "kernel_size", ndim)
    stride_ = kernel if stride is None else per_axis(stride, "stride", ndim)
    dilation_ = per_axis(dilation, "dilation", ndim)
    pads = per_axis_padding(padding, ndim)
    ceil = core.check_bool(ceil_mode, "ceil_mode")
    windows = window_map(tuple(xs.shape[2:]), kernel, stride_, pads, dilation_, ceil_mode=ceil, pooling=True)
    return xs, added, windows


def _check_windows_overlap_input(windows: WindowMap) -> None:
    """Average pooling without padding in the divisor: every window needs an input cell."""
    ndim = len(windows.axes)
    for axis, a in enumerate(windows.axes):
        coords = a.indices()
        inside = ((coords >= 0) & (coords < a.input_size)).any(axis=1)
        if not inside.all():
            o = int(np.flatnonzero(~inside)[0])
            raise ValueError(
                f"`padding` {a.padding}{axis_label(axis, ndim)} leaves window {o} without an input cell "
                f"(it reads input coordinates {coords[o].tolist()} of 0..{a.input_size - 1}): with "
                "count_include_pad=False its divisor would be 0"
            )


def _check_output_size(xs: np.ndarray, added: int, windows: WindowMap, dtype: np.dtype, extra: int = 0) -> None:
    """The size guard on the pooled shape, then the window coordinates' bound.

    See :func:`convarith.engine.memory.check_result_size` and
    :func:`convarith.engine._core.check_coordinates`.
    """
    shape = (*xs.shape[:2], *windows.output_shape)[added:]
    cause = core.padding_cause(windows.axes, f"`x` of shape {xs.shape[added:]}")
    memory.check_result_size(shape, dtype.itemsize + extra, cause, dtype=str(dtype) + (" and indices" if extra else ""))
    core.check_coordinates(windows.axes)


def _pool_block_shape(
    windows: WindowMap, reader: core.BlockReader, n: int, c: int, itemsize: int, accumulators: int
) -> tuple[int, ...]:
    def cost(block: Sequence[int]) -> int:
        cells = reader.cells_cost(block[0], block[1:])
        return (cells + accumulators * block[0] * c * core.prod(block[1:])) * itemsize

    return core.plan_block((n, *windows.output_shape), cost, memory.MAX_TEMPORARY_BYTES)


def _block_target(out: np.ndarray, n0: int, n1: int, spatial: list[tuple[int, int]]) -> np.ndarray:
    target: np.ndarray = out[n0:n1][core.spatial_index(*(slice(start, stop) for start, stop in spatial))]
    return target


def _first_input_tap(a: AxisWindows) -> np.ndarray:
    """PyTorch's starting index of each window along one axis: the first ``start + m*d >= 0``.

    That is the first input cell of the window when it has one; a window made only of padding
    (possible with dilation) keeps this coordinate and the fill value, as in PyTorch.
    """
    start: np.ndarray = a.indices()[:, 0]
    steps: np.ndarray = np.where(start < 0, -(start // a.dilation), 0)  # ceil(-start / d) for negative starts
    first: np.ndarray = start + steps * a.dilation
    return first


def _plane_product(per_axis_values: list[np.ndarray]) -> np.ndarray:
    """Outer product over axes of per-axis values, shape ``(*len(v) for v in per_axis_values)``."""
    ndim = len(per_axis_values)
    product = np.ones([1] * ndim, dtype=np.int64)
    for axis, values in enumerate(per_axis_values):
        shape = [1] * ndim
        shape[axis] = len(values)
        product = product * values.reshape(shape).astype(np.int64)
    return product


def _plane_index(per_axis_coords: list[np.ndarray], sizes: tuple[int, ...]) -> np.ndarray:
    """Flat index in the channel plane, broadcast over the block: ``sum_a c_a * prod(i_{a+1:})``."""
    ndim = len(sizes)
    flat = np.zeros([1] * ndim, dtype=np.int64)
    for axis, coords in enumerate(per_axis_coords):
        shape = [1] * ndim
        shape[axis] = len(coords)
        flat = flat + coords.reshape(shape).astype(np.int64) * core.prod(sizes[axis + 1 :])
    return flat


def max_pool(
    x: Any,
    kernel_size: IntOrTuple,
    *,
    stride: IntOrTuple | None = None,
    padding: PaddingLike | str = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    ndim: int | None = None,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Maximum over each (dilated) window, as PyTorch's ``MaxPool*d`` and ONNX's ``MaxPool``.

    Parameters
    ----------
    x : array_like, shape (*spatial), (C, *spatial) or (N, C, *spatial)
        A plain array (one image, no batch or channel axis) gives a plain result. Zero images
        or zero channels give an empty result of the same kind.
    kernel_size : int or tuple of int
        A tuple has one size per spatial axis (``x.ndim`` of them: a plain array). With an int
        (and ints for ``stride``, ``padding`` and ``dilation``) pass ``ndim``: ``x`` alone cannot
        tell how many of its axes are spatial (see the module notes); a 1-d ``x`` is a plain signal.
    stride : int or tuple of int, optional
        Defaults to ``kernel_size``.
    padding : int, (before, after) or tuple of those per axis
        Implicit ``-inf`` padding (the smallest value for integers): it never wins. ONNX-style
        asymmetric ``(before, after)`` pairs are accepted. PyTorch also requires
        ``padding <= kernel_size // 2``; here any padding is accepted (a window made only of
        padding, possible with dilation, gives ``-inf`` as in PyTorch).
    dilation : int or tuple of int
    ceil_mode : bool
        Keep a last partial window (it may not start in the right padding).
    return_indices : bool
        Also return, for each output, the flat index of the maximum in its ``(n, c)`` input
        plane (``int64``, as PyTorch): the first maximum in window order, or the last NaN.
    ndim : int, optional
        The number of spatial axes (``2`` is PyTorch's ``max_pool2d``); needed only when every
        size argument is an int.

    Returns
    -------
    ndarray, shape (N, C, *output_size)
        Same dtype as ``x``; ``output_size`` is :func:`convarith.pool_output_size`.
    ndarray of int64, optional
        The indices, with ``return_indices=True``.

    Notes
    -----
    ``y[n, c, o] = max_t x[n, c, o*s + t*d - pb]`` over the taps that fall on the input, with
    ``o = floor((i + pb + pe - ek + (s - 1 if ceil_mode else 0)) / s) + 1`` (one less in ceil mode
    if the last window would start in the right padding). NaN propagates, as in PyTorch, and the
    first maximum in window order wins a tie (so ``max(-0.0, 0.0)`` is ``-0.0``, as in PyTorch).

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016 (relationship 7).
    .. [2] PyTorch ``torch.nn.MaxPool2d`` and ONNX ``MaxPool`` operator documentation.

    Examples
    --------
    >>> import numpy as np
    >>> img = np.arange(16).reshape(4, 4)
    >>> max_pool(img, (2, 2))  # a plain 4x4 image, non-overlapping 2x2 windows: 2x2
    array([[ 5,  7],
           [13, 15]])
    >>> x = img.reshape(1, 1, 4, 4)
    >>> max_pool(x, 2, ndim=2)  # (N, C, H, W) with an int kernel: ndim=2 is max_pool2d
    array([[[[ 5,  7],
             [13, 15]]]])
    >>> max_pool(x, (3, 3), stride=2, padding=1, return_indices=True)[1]  # flat index in the plane
    array([[[[ 5,  7],
             [13, 15]]]])
    """
    xs, added, windows = _pool_setup(x, kernel_size, stride, padding, dilation, ceil_mode, ndim)
    want_indices = core.check_bool(return_indices, "return_indices")
    dtype = xs.dtype
    work = accumulator_dtype(dtype)
    _check_output_size(xs, added, windows, work, 8 if want_indices else 0)
    fill = -np.inf if work.kind == "f" else np.iinfo(work).min
    n, c = xs.shape[:2]
    out = np.empty((n, c, *windows.output_shape), dtype=work)
    indices = np.empty(out.shape, dtype=np.int64) if want_indices else None
    axes = windows.axes
    reader = core.BlockReader(xs, axes, "zeros", fill, work)
    sizes = tuple(xs.shape[2:])
    first = [_first_input_tap(a) for a in axes]
    coordinates = [a.indices() for a in axes]
    block = _pool_block_shape(windows, reader, n, c, work.itemsize, 4 if want_indices else 1)
    scratch = core.Scratch(work)
    for (n0, n1), *spatial in core.iterate_blocks((n, *windows.output_shape), block):
        best = _block_target(out, n0, n1, spatial)
        if indices is None:
            for tap, view in reader.taps((n0, n1), spatial, scratch):
                if any(tap):
                    # np.maximum returns its second argument on a tie, so the earlier tap keeps its
                    # place and -0.0 before 0.0 stays -0.0: the first maximum wins, as in PyTorch
                    np.maximum(view, best, out=best)
                else:
                    np.copyto(best, view)
            continue
        where = _block_target(indices, n0, n1, spatial)
        best.fill(fill)
        where[...] = _plane_index([f[s0:s1] for f, (s0, s1) in zip(first, spatial, strict=True)], sizes)
        for tap, view in reader.taps((n0, n1), spatial, scratch):
            wins = view > best
            if work.kind == "f":
                wins |= np.isnan(view)
            np.copyto(best, view, where=wins)
            coords = [k[s0:s1, t] for k, t, (s0, s1) in zip(coordinates, tap, spatial, strict=True)]
            np.copyto(where, _plane_index(coords, sizes), where=wins)
    result = core.restore(out.astype(dtype, copy=False), added)
    if indices is not None:
        return result, core.restore(indices, added)
    return result


def _avg_divisor_counts(windows: WindowMap, count_include_pad: bool) -> list[np.ndarray]:
    """Per axis, the taps of each window inside input + padding (or inside the input only)."""
    counts = []
    for a in windows.axes:
        coords = a.indices()
        low, high = (-a.padding[0], a.input_size + a.padding[1]) if count_include_pad else (0, a.input_size)
        counts.append(((coords >= low) & (coords < high)).sum(axis=1))
    return counts


def avg_pool(
    x: Any,
    kernel_size: IntOrTuple,
    *,
    stride: IntOrTuple | None = None,
    padding: PaddingLike | str = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    dilation: IntOrTuple = 1,
    ndim: int | None = None,
) -> np.ndarray:
    """Average over each window, as PyTorch's ``AvgPool*d`` (and ONNX's ``AveragePool``).

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial) or (C, *spatial)
        As in :func:`max_pool`.
    kernel_size, stride, padding, ceil_mode
        As in :func:`max_pool`; padding cells are zeros.
    count_include_pad : bool
        Count padding cells in the divisor (PyTorch's default; ONNX's default is ``False``).
    divisor_override : int, optional
        Divide every window sum by this instead (PyTorch).
    dilation : int or tuple of int
        An extension for ONNX ``AveragePool`` (opset 19); PyTorch has no dilated average pool.
    ndim : int, optional
        The number of spatial axes, as in :func:`max_pool` (``2`` is ``avg_pool2d``).

    Returns
    -------
    ndarray, shape (N, C, *output_size)
        Floats keep their dtype. Integers return int64 and divide with truncation towards zero,
        as PyTorch does for int64 tensors.

    Notes
    -----
    ``y[n, c, o] = (sum_t x_pad[n, c, o*s + t*d]) / D[o]`` with ``D`` the number of taps inside
    ``[-pb, i + pe)`` on every axis (``count_include_pad``) or inside the input ``[0, i)``: the
    window clipped to input plus padding, never counting the ceil-mode overhang (PyTorch's rule).
    ``D`` is a product of per-axis counts. Output size as :func:`max_pool`.

    References
    ----------
    .. [1] PyTorch ``torch.nn.AvgPool2d`` and ONNX ``AveragePool`` operator documentation.

    Examples
    --------
    >>> import numpy as np
    >>> avg_pool(np.arange(16.0).reshape(4, 4), (2, 2))  # a plain 4x4 image
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> avg_pool(x, 2, ndim=2)  # (N, C, H, W): avg_pool2d
    array([[[[ 2.5,  4.5],
             [10.5, 12.5]]]])
    >>> avg_pool(x, (3, 3), stride=2, padding=1, count_include_pad=False)[0, 0, 0, 0]  # (0+1+4+5) / 4
    np.float64(2.5)
    """
    xs, added, windows = _pool_setup(x, kernel_size, stride, padding, dilation, ceil_mode, ndim)
    _check_output_size(xs, added, windows, result_dtype(("x", xs)))
    include = core.check_bool(count_include_pad, "count_include_pad")
    if not include and divisor_override is None:
        _check_windows_overlap_input(windows)
    override = None if divisor_override is None else _check_nonzero(divisor_override, "divisor_override")
    counts = _avg_divisor_counts(windows, include)
    dtype = result_dtype(("x", xs))
    work = accumulator_dtype(dtype)
    n, c = xs.shape[:2]
    taps = core.prod(windows.kernel_shape)
    if work.kind != "f" and max_abs(xs, taps) * taps > INT64_MAX:
        work = np.dtype(object)  # a window sum may leave int64: add Python integers (exact, slower)
    out = np.empty((n, c, *windows.output_shape), dtype=work)
    axes = windows.axes
    reader = core.BlockReader(xs, axes, "zeros", 0, work)
    block = _pool_block_shape(windows, reader, n, c, work.itemsize, 4)  # sum, divisor, integer division temporaries
    scratch = core.Scratch(work)
    for (n0, n1), *spatial in core.iterate_blocks((n, *windows.output_shape), block):
        total = _block_target(out, n0, n1, spatial)
        for tap, view in reader.taps((n0, n1), spatial, scratch):
            if any(tap):
                np.add(total, view, out=total)
            else:
                np.copyto(total, view)
        d = (
            override
            if override is not None
            else _plane_product([k[s0:s1] for k, (s0, s1) in zip(counts, spatial, strict=True)])
        )
        if work.kind == "f":
            np.divide(total, d, out=total)
        else:  # truncate towards zero, as C++ integer division (PyTorch's int64 avg_pool)
            np.copyto(total, truncate_divide(total, d))
    result = out.astype(dtype, copy=False) if work.kind == "f" else as_int64(out, "avg_pool of `x`")
    return core.restore(result, added)


def _check_nonzero(value: Any, name: str) -> int:
    number = check_int(value, name)
    if number == 0:
        raise ValueError(f"`{name}` must not be zero, got 0")
    return number


def lp_pool(
    x: Any,
    norm_type: float,
    kernel_size: IntOrTuple,
    *,
    stride: IntOrTuple | None = None,
    ceil_mode: bool = False,
    padding: PaddingLike | str = 0,
    dilation: IntOrTuple = 1,
    ndim: int | None = None,
) -> np.ndarray:
    """Power-average pooling ``(sum x^p)^(1/p)``, computed exactly as PyTorch's ``LPPool*d``.

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial) or (C, *spatial)
        As in :func:`max_pool`. Integers are computed in float64.
    norm_type : float
        ``p``; ``inf`` gives the maximum of ``|x|`` and ``-inf`` the minimum, as PyTorch.
    kernel_size, stride, ceil_mode
        As in :func:`avg_pool`.
    padding, dilation
        Extensions for ONNX ``LpPool`` (zero padding); PyTorch's ``LPPool`` has neither.
    ndim : int, optional
        The number of spatial axes, as in :func:`max_pool`.

    Returns
    -------
    ndarray, shape (N, C, *output_size)

    Notes
    -----
    PyTorch computes ``avg_pool(x ** p) * prod(kernel_size)`` then ``** (1/p)``, and so do we:

    - there is no absolute value (ONNX's ``LpPool`` takes ``|x|``): with an odd ``p`` a negative
      input contributes a negative term, and a negative sum raised to ``1/p`` is NaN;
    - in ceil mode the last, partial window's average uses the clipped divisor but is multiplied
      by the full ``prod(kernel_size)``, so it is not its plain sum.

    For even integer ``p`` and windows inside the padded input both frameworks agree.

    References
    ----------
    .. [1] PyTorch ``torch.nn.functional.lp_pool2d`` (source) and ONNX ``LpPool`` documentation.

    Examples
    --------
    >>> import numpy as np
    >>> lp_pool(np.array([3.0, 4.0, 0.0, 5.0]), 2, 2)  # a plain signal: sqrt(9 + 16), sqrt(0 + 25)
    array([5., 5.])
    >>> lp_pool(np.array([[[3.0, 4.0, 0.0, 5.0]]]), 2, 2, ndim=1)  # (N, C, L)
    array([[[5., 5.]]])
    """
    if isinstance(norm_type, bool) or not isinstance(norm_type, int | float | np.integer | np.floating):
        raise TypeError(f"`norm_type` must be a number, got {describe(norm_type)}")
    p = float(norm_type)
    if p == 0 or np.isnan(p):
        raise ValueError(f"`norm_type` must be non-zero (the result is the 1/p-th power), got {norm_type!r}")
    array = real_array(x, "x")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    if np.isinf(p):
        sign = 1 if p > 0 else -1
        pooled = max_pool(
            sign * np.abs(array),
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            ceil_mode=ceil_mode,
            ndim=ndim,
        )
        assert isinstance(pooled, np.ndarray)
        return sign * pooled
    _, _, windows = _pool_setup(array, kernel_size, stride, padding, dilation, ceil_mode, ndim)
    taps = core.prod(windows.kernel_shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        powered = np.power(array, array.dtype.type(p))
        average = avg_pool(
            powered, kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode, dilation=dilation, ndim=ndim
        )
        average *= average.dtype.type(taps)
        rooted: np.ndarray = np.power(average, average.dtype.type(1 / p))
        return rooted


def _global_axes(x: Any, ndim: Any) -> tuple[np.ndarray, tuple[int, ...]]:
    """``x`` and its spatial axes for a global pool: the last ``ndim`` axes.

    Default: ``(N, C, *spatial)`` (ONNX's layout) for 3 or more dimensions, a plain signal for
    one; a 2-d ``x`` reads two ways (a plain image, or ``(C, L)``) and needs ``ndim``.
    """
    array = real_array(x, "x")
    if ndim is not None:
        count = check_minimum(ndim, "ndim", 1)
        if count > array.ndim:
            raise ValueError(f"`ndim` {count} is more than the {array.ndim} dimensions of `x` {array.shape}")
    elif array.ndim >= 3:
        count = array.ndim - 2
    elif array.ndim == 1:
        count = 1
    else:
        raise ValueError(
            f"`x` must have shape (N, C, *spatial) with at least one spatial axis, or `ndim`: `x` has "
            f"{array.ndim} dimensions {array.shape}"
            + (
                ", which read two ways: a plain image (H, W) has 2 spatial axes, unbatched (C, L) has 1; "
                "pass ndim=2 or ndim=1"
                if array.ndim == 2
                else ""
            )
        )
    axes = tuple(range(array.ndim - count, array.ndim))
    core.check_spatial_cells(array, count)
    return array, axes


def global_avg_pool(x: Any, *, ndim: int | None = None) -> np.ndarray:
    """Average over all spatial axes, keeping them as size 1 (ONNX ``GlobalAveragePool``).

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial), (C, *spatial) or (*spatial)
        The last ``ndim`` axes are averaged.
    ndim : int, optional
        The number of spatial axes. Default: ``x.ndim - 2`` (ONNX's ``(N, C, *spatial)``) for
        three or more dimensions, 1 for a 1-d ``x``; a 2-d ``x`` (a plain image, or ``(C, L)``)
        needs it.

    Returns
    -------
    ndarray, same rank as ``x``, spatial axes of size 1
        As :func:`avg_pool` with the whole input as one window: floats keep their dtype
        (float16 is summed in float32); integers give the exact int64 average truncated towards
        zero, whatever the values (:mod:`convarith.engine.exact`).

    Notes
    -----
    ``y[n, c] = (1 / prod(i)) * sum_o x[n, c, o]``, PyTorch's ``adaptive_avg_pool*d(x, 1)``.
    Computed as one NumPy reduction over the spatial axes (linear time; see
    ``benchmarks/bench_global_pool.py``).

    Examples
    --------
    >>> import numpy as np
    >>> global_avg_pool(np.arange(4.0).reshape(2, 2), ndim=2)  # a plain 2x2 image
    array([[1.5]])
    >>> global_avg_pool(np.arange(8.0).reshape(1, 2, 2, 2))[:, :, 0, 0]  # (N, C, H, W)
    array([[1.5, 5.5]])
    """
    array, axes = _global_axes(x, ndim)
    dtype = result_dtype(("x", array))
    cells = core.prod([array.shape[a] for a in axes])
    if dtype.kind == "f":
        total: np.ndarray = np.sum(array, axis=axes, dtype=accumulator_dtype(dtype), keepdims=True)
        mean: np.ndarray = np.divide(total, cells, out=total)
        return mean.astype(dtype, copy=False)
    return as_int64(truncate_divide(exact_sum(array, axes), cells), "global_avg_pool of `x`")


def global_max_pool(x: Any, *, ndim: int | None = None) -> np.ndarray:
    """Maximum over all spatial axes, keeping them as size 1 (ONNX ``GlobalMaxPool``).

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial), (C, *spatial) or (*spatial)
        The last ``ndim`` axes are reduced.
    ndim : int, optional
        As in :func:`global_avg_pool`.

    Returns
    -------
    ndarray, same rank as ``x``, spatial axes of size 1
        Same dtype as ``x``.

    Notes
    -----
    ``y[n, c] = max_o x[n, c, o]``, PyTorch's ``adaptive_max_pool*d(x, 1)``: one NumPy
    reduction over the spatial axes. NaN propagates. A maximum of zero takes the sign of the
    first zero in row-major order (``-0.0`` first gives ``-0.0``), as PyTorch, whose first
    maximum wins a tie.

    Examples
    --------
    >>> import numpy as np
    >>> global_max_pool(np.array([[1, 5], [7, 2]]), ndim=2)  # a plain 2x2 image
    array([[7]])
    >>> global_max_pool(np.arange(8).reshape(1, 2, 4))  # (N, C, L)
    array([[[3],
            [7]]])
    """
    array, axes = _global_axes(x, ndim)
    if array.size == 0:  # zero images or channels: the empty result
        return np.empty((*array.shape[: axes[0]], *[1] * len(axes)), dtype=array.dtype)
    result: np.ndarray = np.max(array, axis=axes, keepdims=True)
    if array.dtype.kind == "f":
        zeros = np.flatnonzero(result == 0)
        if len(zeros):  # the sign of the first zero of each such plane (NumPy's max leaves it open)
            planes = array.reshape(-1, core.prod([array.shape[a] for a in axes]))[zeros]
            first = planes[np.arange(len(zeros)), np.argmax(planes == 0, axis=1)]
            result.reshape(-1)[zeros] = first
    return result
