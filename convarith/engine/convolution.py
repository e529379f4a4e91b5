"""The pure-NumPy reference engine: convolution, padding and pooling.

Every function takes its windows from :func:`convarith.window_map` (so the output sizes are
those of :mod:`convarith.arithmetic.formulas`, and the pictures show what is computed), copies the padded
cells of one block of outputs at a time, and reads kernel tap ``t`` as the strided view
:meth:`AxisWindows.block_slice(t) <convarith.arithmetic.AxisWindows.block_slice>` of them. The convolution
stacks the taps into a column matrix and multiplies it by the weights in one (grouped) GEMM;
pooling folds the taps into a running maximum or sum. No Python loop runs over output positions.

Shapes are ``(N, C, *spatial)`` as in PyTorch and ONNX; an unbatched ``(C, *spatial)`` input
gives an unbatched result.

Dtypes
------
The result has the operands' dtype when they agree (float32 in, float32 out). Mixed operands
follow PyTorch's rule: a floating operand wins over integers, and floats promote as in NumPy
(float32 with float64 gives float64). Integer convolutions are computed exactly in 64-bit
integers (int64, or uint64 when every operand is unsigned) and return that dtype, so small
integer types never wrap. float16 is computed in float32 and rounded back.

Memory
------
Temporary buffers (the padded cells of a block, its column matrix, the GEMM's result and a block
of the output) are kept under :data:`MAX_TEMPORARY_BYTES` (32 MiB) by splitting the output into
blocks of whole images, else rows, and so on; the buffers are allocated once and reused from
block to block. The one exception is a single output position that needs more
(``C_in * prod(kernel)`` values): blocks of one position are then used. Input and result are not
counted. ``tests/test_engine.py`` and ``tests/test_pooling.py`` check the bound with
:mod:`tracemalloc` (which NumPy reports to), also with the bound lowered to 64-128 KiB.

The bound can be changed by assigning ``convarith.engine.convolution.MAX_TEMPORARY_BYTES`` (read at each
call). Larger blocks mean fewer, larger GEMMs (faster); the default is measured on the
benchmark cases (``benchmarks/bench_engine.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convarith.arithmetic.formulas import axes_layout, same_padding
from convarith.arithmetic.validate import axis_label, check_choice, check_int, check_minimum, per_axis, per_axis_padding
from convarith.arithmetic.windows import AxisWindows, WindowMap, window_map
from convarith.engine import _core as core
from convarith.typing import IntOrTuple, PadPair

__all__ = [
    "MAX_TEMPORARY_BYTES",
    "PADDING_MODES",
    "avg_pool",
    "conv",
    "global_avg_pool",
    "global_max_pool",
    "lp_pool",
    "max_pool",
    "pad",
]

MAX_TEMPORARY_BYTES = 32 * 2**20
"""Bound on the temporary buffers of one engine call, in bytes (see the module notes)."""

_CACHE_BYTES = 2**20
"""Size of the depthwise column blocks (channel chunks): about one core's L2 cache (measured best)."""

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
"""PyTorch's ``padding_mode`` names, accepted by :func:`conv` and :func:`pad`."""

_PADDING_STRINGS = ("valid", "same", "full", "symmetric")


# --------------------------------------------------------------------------------------------
# argument checks shared by the public functions


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"`{name}` must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def _check_mode_limits(sizes: tuple[int, ...], pads: tuple[PadPair, ...], mode: str, name: str) -> None:
    """PyTorch's limits: reflect needs padding < input size, circular padding <= input size."""
    for axis, (i, pair) in enumerate(zip(sizes, pads, strict=True)):
        where = axis_label(axis, len(sizes))
        if mode == "reflect" and max(pair) >= i:
            raise ValueError(
                f"`padding` {pair}{where} must be smaller than the input size {i} for {name}='reflect' "
                f"(reflection does not repeat the edge cell, so at most {i - 1} cells fit)"
            )
        if mode == "circular" and max(pair) > i:
            raise ValueError(
                f"`padding` {pair}{where} must be at most the input size {i} for {name}='circular' "
                "(the input may wrap around only once)"
            )


def _split_batch(x: np.ndarray, ndim: int, name: str = "x") -> tuple[np.ndarray, bool]:
    """``x`` as ``(N, C, *spatial)`` and whether it came unbatched as ``(C, *spatial)``."""
    if x.ndim == ndim + 2:
        return x, False
    if x.ndim == ndim + 1:
        return x[None], True
    raise ValueError(
        f"`{name}` must have shape (N, C, *spatial) or (C, *spatial) with {ndim} spatial axes "
        f"({ndim + 2} or {ndim + 1} dimensions), got {x.ndim} dimensions: {x.shape}"
    )


def _check_nonempty(x: np.ndarray, name: str = "x") -> None:
    if 0 in x.shape[1:]:
        raise ValueError(f"`{name}` must have at least one channel and one cell per spatial axis, got shape {x.shape}")


# --------------------------------------------------------------------------------------------
# pad


def pad(
    x: Any,
    padding: Any,
    mode: str = "zeros",
    value: float = 0,
    *,
    spatial_dims: int | None = None,
) -> np.ndarray:
    """Pad the spatial axes of ``x``.

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial)
        Only the last ``spatial_dims`` axes are padded, so ``(C, *spatial)`` works with an
        explicit ``spatial_dims`` or a per-axis ``padding``.
    padding : int, (before, after) or tuple of those per axis
        As in :func:`convarith.conv_output_size`: an int pads both sides of every axis, a tuple
        has one int or one ``(before, after)`` pair per axis.
    mode : {'zeros', 'constant', 'reflect', 'replicate', 'circular'}
        PyTorch's padding modes; ``'zeros'`` and ``'constant'`` fill with ``value``.
    value : float
        The fill value of ``'zeros'``/``'constant'``.
    spatial_dims : int, optional
        Number of padded (trailing) axes. Default: the number of ``(before, after)`` pairs in
        ``padding`` if it has pairs, else ``x.ndim - 2``.

    Returns
    -------
    ndarray
        ``x`` with each padded axis grown from ``i`` to ``pb + i + pe``; same dtype.

    Notes
    -----
    Padded cell ``c`` (``-pb <= c < i + pe``) takes input cell: zeros ``value``; reflect ``-c``
    before and ``2(i - 1) - c`` after (needs ``pb, pe < i``); replicate ``clip(c, 0, i - 1)``;
    circular ``c mod i`` (needs ``pb, pe <= i``). These are
    :meth:`convarith.arithmetic.AxisWindows.padded_sources`, as PyTorch's ``F.pad``.

    Examples
    --------
    >>> import numpy as np
    >>> pad(np.arange(4).reshape(1, 1, 4), 2, mode="reflect")  # mirror, edge not repeated
    array([[[2, 1, 0, 1, 2, 3, 2, 1]]])
    >>> pad(np.ones((1, 1, 2, 2), dtype=int), ((0, 1), (1, 0)))[0, 0]  # (before, after) per axis
    array([[0, 1, 1],
           [0, 1, 1],
           [0, 0, 0]])
    """
    array = core.as_real_array(x, "x")
    check_choice(mode, "mode", (*PADDING_MODES, "constant"))
    fill_mode = "zeros" if mode == "constant" else mode
    if spatial_dims is None:
        nested = isinstance(padding, list | tuple) and any(isinstance(v, list | tuple) for v in padding)
        ndim = len(padding) if nested else array.ndim - 2
    else:
        ndim = check_minimum(spatial_dims, "spatial_dims", 1)
    if ndim < 1 or array.ndim < ndim + 1:
        raise ValueError(
            f"`x` must have a channel axis and {max(ndim, 1)} spatial axes (at least {max(ndim, 1) + 1} dimensions), "
            f"got {array.ndim} dimensions: {array.shape}"
        )
    pads = per_axis_padding(padding, ndim)
    spatial_shape = array.shape[array.ndim - ndim :]
    if 0 in spatial_shape:
        raise ValueError(f"`x` must have at least one cell per padded axis, got shape {array.shape}")
    _check_mode_limits(spatial_shape, pads, fill_mode, "mode")
    lead = array.shape[: array.ndim - ndim]
    flat = array.reshape(-1, 1, *spatial_shape)
    windows = window_map(spatial_shape, 1, 1, pads)
    sources = [a.padded_sources(fill_mode) for a in windows.axes]
    whole = [(0, a.output_size) for a in windows.axes]
    padded = core.gather_padded(flat, (0, flat.shape[0]), windows.axes, whole, sources, value, array.dtype)
    return np.array(padded.reshape(*lead, *padded.shape[2:]), copy=np.may_share_memory(padded, array))


# --------------------------------------------------------------------------------------------
# conv


def _resolve_padding(
    padding: Any,
    sizes: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    convention: str,
) -> tuple[PadPair, ...]:
    ndim = len(sizes)
    if isinstance(padding, str):
        check_choice(padding, "padding", _PADDING_STRINGS)
        if padding == "valid":
            return ((0, 0),) * ndim
        rule = "full" if padding == "full" else convention
        result = same_padding(sizes, kernel, stride, dilation, convention=rule)
        assert isinstance(result[0], tuple)
        return tuple(result)
    return per_axis_padding(padding, ndim)


def conv(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: IntOrTuple = 1,
    padding: Any = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    convention: str = "tensorflow",
    flip: bool = False,
) -> np.ndarray:
    """N-d convolution (cross-correlation, as in PyTorch and ONNX) of ``x`` with ``weight``.

    Parameters
    ----------
    x : array_like, shape (N, C_in, *spatial) or (C_in, *spatial)
        Any number of spatial axes (1, 2, 3, ...); unbatched input gives unbatched output.
    weight : array_like, shape (C_out, C_in / groups, *kernel_size)
    bias : array_like, shape (C_out,), optional
    stride, dilation : int or tuple of int
        Per spatial axis.
    padding : int, tuple, (before, after) pairs, or {'valid', 'same', 'full', 'symmetric'}
        An int pads both sides of every axis; a tuple has one int or one ``(before, after)``
        pair per axis. ``'same'`` pads as :func:`convarith.same_padding` with ``convention``;
        ``'full'`` pads ``ek - 1`` on both sides; ``'symmetric'`` applies
        :func:`convarith.engine.symmetric.symmetric_pad` (channel groups padded towards different
        corners, Wu et al. 2019) and then a valid convolution.
    groups : int
        Channels are split into ``groups`` independent convolutions (``groups = C_in`` is a
        depthwise convolution).
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}
        How padded cells are filled, as PyTorch's ``padding_mode`` (with its limits: reflect
        padding must be smaller than the input, circular padding at most the input).
    convention : str
        The 'same' split (see :data:`convarith.arithmetic.CONVENTIONS`): default ``'tensorflow'``, the extra
        unit after, which PyTorch's stride-1 ``padding='same'`` also uses.
    flip : bool
        Flip the kernel on every spatial axis first: a true convolution, ``sum x[o + t] w[-t]``.

    Returns
    -------
    ndarray, shape (N, C_out, *output_size)
        ``output_size`` is :func:`convarith.conv_output_size` of the same parameters. The dtype
        is the operands' (float32 in, float32 out); integers give exact int64 (uint64 if all
        unsigned); mixed operands: a float wins over integers, floats promote as in NumPy.

    Raises
    ------
    ValueError
        Wrong ranks, channels not divisible by ``groups``, a kernel larger than the padded
        input, a reflect padding as wide as the input, a bias of the wrong length.
    TypeError
        Non-integer sizes, non-numeric arrays.

    Notes
    -----
    For output position ``o`` and output channel ``m`` of group ``g``::

        y[n, m, o] = b[m] + sum_{c, t} x_pad[n, g*C_g + c, o*s + t*d] * w[m, c, t]

    with ``x_pad`` the padded input (``o*s + t*d`` in padded coordinates) and
    ``o = floor((i + pb + pe - ek) / s) + 1``, ``ek = d*(k - 1) + 1`` per axis.

    Implementation: for each block of outputs, the padded cells it reads are copied once; the
    ``prod(kernel)`` strided views ``block_slice(t)`` are stacked into a column matrix of shape
    ``(groups, C_g * prod(kernel), N_b * positions)``, and each group's transpose is multiplied by
    its weights, ``(N_b * positions, C_g * prod(kernel)) @ (C_g * prod(kernel), C_out / groups)``,
    in one ``matmul`` (BLAS for floats; exact loops for integers). With unit strides the taps are
    contiguous shifts of the flattened cells, so the columns are taken on the padded ("wide")
    grid and the extra columns dropped at the end. Depthwise layers (``C_g = 1``) contract small,
    cache-sized channel chunks instead. Temporaries stay under :data:`MAX_TEMPORARY_BYTES`.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016 (relationship 15).
    .. [2] PyTorch ``torch.nn.Conv2d`` and ONNX ``Conv`` operator documentation.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16).reshape(1, 1, 4, 4)  # no_padding_no_strides
    >>> conv(x, np.ones((1, 1, 3, 3), dtype=int))  # sums of 3x3 windows, exact integers
    array([[[[45, 54],
             [81, 90]]]])
    >>> conv(np.arange(5)[None], [[[1, 0, -1]]], flip=True).tolist()  # unbatched 1-D, true convolution
    [[2, 2, 2]]
    >>> conv(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=2, padding=1).shape  # padding_strides
    (1, 1, 3, 3)
    """
    # --- checks
    w = core.as_real_array(weight, "weight")
    if w.ndim < 3:
        raise ValueError(
            f"`weight` must have shape (C_out, C_in / groups, *kernel_size) with at least one spatial axis, "
            f"got {w.ndim} dimensions: {w.shape}"
        )
    ndim = w.ndim - 2
    xs, unbatched = _split_batch(core.as_real_array(x, "x"), ndim)
    _check_nonempty(xs)
    if 0 in w.shape:
        raise ValueError(f"`weight` must not have an empty axis, got shape {w.shape}")
    groups = check_minimum(groups, "groups", 1)
    c_in, c_out = xs.shape[1], w.shape[0]
    if c_in % groups:
        raise ValueError(f"`x` channels {c_in} must be divisible by `groups` {groups}")
    if c_out % groups:
        raise ValueError(f"`weight` output channels {c_out} must be divisible by `groups` {groups}")
    if w.shape[1] * groups != c_in:
        raise ValueError(
            f"`weight` shape {w.shape} expects {w.shape[1]} * {groups} = {w.shape[1] * groups} input channels "
            f"(C_in / groups per group), got {c_in} in `x`"
        )
    b = None
    if bias is not None:
        b = core.as_real_array(bias, "bias")
        if b.shape != (c_out,):
            raise ValueError(f"`bias` must have shape (C_out,) = ({c_out},), got {b.shape}")
    stride_ = per_axis(stride, "stride", ndim)
    dilation_ = per_axis(dilation, "dilation", ndim)
    check_choice(padding_mode, "padding_mode", PADDING_MODES)
    check_choice(
        convention, "convention", ("tensorflow", "keras", "jax", "same_upper", "same_lower", "pytorch", "caffe")
    )
    if _check_bool(flip, "flip"):
        w = w[core.spatial_index(*[slice(None, None, -1)] * ndim)]
    kernel = tuple(w.shape[2:])
    if isinstance(padding, str) and padding == "symmetric":
        if padding_mode != "zeros":
            raise ValueError(f"`padding`='symmetric' pads with zeros; got padding_mode={padding_mode!r}")
        from convarith.engine.symmetric import symmetric_pad

        spans = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation_, strict=True))
        for axis, (k, d, span) in enumerate(zip(kernel, dilation_, spans, strict=True)):
            if span % 2 == 1:
                raise ValueError(
                    f"`padding`='symmetric' is for kernels of even extent: kernel {k} dilated by {d} spans "
                    f"{span} = {d}*({k} - 1) + 1 (odd){axis_label(axis, ndim)}; use padding='same'"
                )
        xs = np.asarray(symmetric_pad(xs, spans))
        padding = 0
    sizes = tuple(xs.shape[2:])
    pads = _resolve_padding(padding, sizes, kernel, stride_, dilation_, convention)
    _check_mode_limits(sizes, pads, padding_mode, "padding_mode")
    windows = window_map(sizes, kernel, stride_, pads, dilation_)

    # --- compute
    dtype = core.result_dtype(xs, w, *([] if b is None else [b]))
    work = core.compute_dtype(dtype)
    out = _conv_blocks(xs, w.astype(work, copy=False), windows, groups, padding_mode, work)
    if b is not None:
        out += b.astype(work).reshape(c_out, *[1] * ndim)
    out = out.astype(dtype, copy=False)
    return out[0] if unbatched else out


def _conv_blocks(
    x: np.ndarray, weight: np.ndarray, windows: WindowMap, groups: int, mode: str, dtype: np.dtype
) -> np.ndarray:
    """The convolution itself, block of outputs by block of outputs (see :func:`conv`)."""
    axes = windows.axes
    n, c_in = x.shape[:2]
    c_out = weight.shape[0]
    c_group, out_group = c_in // groups, c_out // groups
    kernel = windows.kernel_shape
    taps = core.prod(kernel)
    output_shape = windows.output_shape
    depthwise = c_group == 1
    out = np.empty((n, c_out, *output_shape), dtype=dtype)

    def cost(block: Any) -> int:
        images, positions = block[0], core.prod(block[1:])
        cells = 2 * images * c_in * core.prod(core.extent_sizes(axes, block[1:]))  # see gather_padded
        if depthwise:  # the result on the wide grid (about the cells' size), an output block, columns
            wide = core.prod(core.extent_sizes(axes, block[1:]))
            columns = taps * wide * min(c_in, max(1, column_bytes // (taps * wide * dtype.itemsize)))
            return (cells + cells // 2 * out_group + images * c_out * positions + columns) * dtype.itemsize
        extent = core.extent_sizes(axes, block[1:])
        wide = sum((b - 1) * core.prod(extent[a + 1 :]) for a, b in enumerate(block[1:])) + 1  # see wide_grid
        columns = images * c_in * taps * max(positions, wide)
        partial = images * c_out * (positions + max(positions, wide))  # the GEMM's result, an output block
        return (cells + columns + partial) * dtype.itemsize

    column_bytes = min(_CACHE_BYTES, MAX_TEMPORARY_BYTES // 4)
    extents = (n, *output_shape)
    block = core.plan_block(extents, cost, MAX_TEMPORARY_BYTES)
    sources = [a.padded_sources(mode) for a in axes]
    # (groups, C_g * prod(k), C_out / groups): the GEMM runs positions x weights, see _conv_block
    w_matrix = weight.reshape(groups, out_group, c_group * taps).transpose(0, 2, 1)
    w_taps = weight.reshape(groups, out_group, *kernel) if depthwise else weight
    scratch = core.Scratch(dtype)
    for (n0, n1), *spatial in core.iterate_blocks(extents, block):
        cells = core.gather_padded(x, (n0, n1), axes, spatial, sources, 0, dtype, scratch)
        sizes = tuple(stop - start for start, stop in spatial)
        if sizes == output_shape:
            _conv_block(cells, axes, spatial, w_matrix, w_taps, depthwise, out[n0:n1], scratch, column_bytes)
        else:
            target = scratch.take("target", (n1 - n0, c_out, *sizes))
            _conv_block(cells, axes, spatial, w_matrix, w_taps, depthwise, target, scratch, column_bytes)
            out[n0:n1][core.spatial_index(*(slice(start, stop) for start, stop in spatial))] = target
        del cells
    return out


def _conv_block(
    cells: np.ndarray,
    axes: tuple[AxisWindows, ...],
    spatial: list[tuple[int, int]],
    w_matrix: np.ndarray,
    w_taps: np.ndarray,
    depthwise: bool,
    target: np.ndarray,
    scratch: core.Scratch,
    column_bytes: int,
) -> None:
    """One block: ``target`` (images, C_out, *sizes) from the padded ``cells`` it reads."""
    groups, width, out_group = w_matrix.shape
    images, c_in = cells.shape[:2]
    sizes = target.shape[2:]
    if depthwise:
        _depthwise_block(cells, axes, spatial, w_taps, target, scratch, column_bytes)
        return
    # Column matrix: columns[c, t, n, o] = x_pad[n, c, o*s + t*d] (one strided copy per tap),
    # then one GEMM per group for the whole block, (images*positions) x (C_g * prod(k)) times
    # (C_g * prod(k)) x (C_out / groups): one tall-and-thin BLAS call, which OpenBLAS runs faster
    # than weights @ columns, and few calls (each wakes up BLAS's threads). With unit strides the
    # columns are taken on the wide grid (contiguous copies) and the result cropped.
    kernel = tuple(a.kernel_size for a in axes)
    wide = core.wide_grid(cells, axes, spatial)
    if wide is not None:
        _, positions, offsets = wide
        flat = cells.reshape(images, c_in, -1)
        columns = scratch.take("columns", (c_in, core.prod(kernel), images, positions))
        for t, offset in enumerate(offsets):
            columns[:, t] = flat[:, :, offset : offset + positions].swapaxes(0, 1)
    else:
        positions = core.prod(sizes)
        columns = scratch.take("columns", (c_in, *kernel, images, *sizes))
        for tap, view in core.tap_views(cells, axes, spatial):
            where: tuple[Any, ...] = (slice(None), *tap)
            columns[where] = view.swapaxes(0, 1)
    result = scratch.take("result", (groups, images * positions, out_group))
    np.matmul(columns.reshape(groups, width, images * positions).transpose(0, 2, 1), w_matrix, out=result)
    # (groups, images, positions, C_out / groups) -> (images, groups, C_out / groups, *sizes)
    by_image = result.reshape(groups, images, positions, out_group).transpose(1, 0, 3, 2)
    if wide is not None:
        by_image = core.crop_wide(by_image, wide[0], sizes, axis=3)
    core.copy_in_row_chunks(
        target.reshape(images, groups, out_group, *sizes), by_image.reshape(images, groups, out_group, *sizes), axis=3
    )


def _depthwise_block(
    cells: np.ndarray,
    axes: tuple[AxisWindows, ...],
    spatial: list[tuple[int, int]],
    w_taps: np.ndarray,
    target: np.ndarray,
    scratch: core.Scratch,
    column_bytes: int,
) -> None:
    """Depthwise block (``C_g = 1``): ``y[n, g, m, o] = sum_t w[g, m, t] * x_t[n, g, o]``.

    Per image and chunk of channels small enough to stay in a core's cache: copy the taps into
    a ``(channels, taps, positions)`` column block and contract it with the ``(channels,
    multiplier, taps)`` weights in one batched ``matmul``. With unit steps every tap's view is a
    shifted window of the same flattened cells, so the columns are taken on a "wide" grid with the
    padded row length (long contiguous copies) and cropped to the output at the end.
    """
    groups, out_group = w_taps.shape[:2]
    images = cells.shape[0]
    sizes = target.shape[2:]
    kernel = tuple(a.kernel_size for a in axes)
    taps = core.prod(kernel)
    w_matrix = w_taps.reshape(groups, out_group, taps)
    views = list(core.tap_views(cells, axes, spatial))
    wide = core.wide_grid(cells, axes, spatial)
    if wide is not None:
        pitch, positions, offsets = wide
        flat = cells.reshape(images, groups, -1)
    else:
        positions = core.prod(sizes)
    chunk = max(1, column_bytes // (taps * positions * cells.itemsize))
    columns = scratch.take("columns", (min(chunk, groups), taps, positions))
    result = scratch.take("result", (images, groups, out_group, positions))
    for n in range(images):
        for g0 in range(0, groups, chunk):
            g1 = min(g0 + chunk, groups)
            block = columns[: g1 - g0]
            for t, (_, view) in enumerate(views):
                if wide is not None:
                    block[:, t] = flat[n, g0:g1, offsets[t] : offsets[t] + positions]
                else:
                    block[:, t] = view[n, g0:g1].reshape(g1 - g0, positions)
            np.matmul(w_matrix[g0:g1], block, out=result[n, g0:g1])
    if wide is not None:
        result = core.crop_wide(result, pitch, sizes, axis=3)
    np.copyto(target.reshape(images, groups, out_group, *sizes), result.reshape(images, groups, out_group, *sizes))


# --------------------------------------------------------------------------------------------
# pooling


def _pool_setup(
    x: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: Any,
) -> tuple[np.ndarray, bool, WindowMap]:
    """Checks shared by the pooling functions: batched input, windows, every window on the input."""
    array = core.as_real_array(x, "x")
    sizes_given = {"kernel_size": kernel_size, "stride": 1 if stride is None else stride, "dilation": dilation}
    ndim, scalar = axes_layout(sizes_given, padding)
    if scalar:
        if array.ndim < 3:
            raise ValueError(
                f"`x` must have shape (N, C, *spatial) with an int `kernel_size` (pass one size per axis for an "
                f"unbatched (C, *spatial) input), got {array.ndim} dimensions: {array.shape}"
            )
        ndim = array.ndim - 2
    xs, unbatched = _split_batch(array, ndim)
    _check_nonempty(xs)
    kernel = per_axis(kernel_size, "kernel_size", ndim)
    stride_ = kernel if stride is None else per_axis(stride, "stride", ndim)
    dilation_ = per_axis(dilation, "dilation", ndim)
    pads = per_axis_padding(padding, ndim)
    ceil = _check_bool(ceil_mode, "ceil_mode")
    windows = window_map(tuple(xs.shape[2:]), kernel, stride_, pads, dilation_, ceil_mode=ceil, pooling=True)
    return xs, unbatched, windows


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


def _pool_block_shape(windows: WindowMap, n: int, c: int, itemsize: int, accumulators: int) -> tuple[int, ...]:
    def cost(block: Any) -> int:
        cells = 2 * block[0] * c * core.prod(core.extent_sizes(windows.axes, block[1:]))
        return (cells + accumulators * block[0] * c * core.prod(block[1:])) * itemsize

    return core.plan_block((n, *windows.output_shape), cost, MAX_TEMPORARY_BYTES)


def _block_target(out: np.ndarray, n0: int, n1: int, spatial: list[tuple[int, int]]) -> np.ndarray:
    return out[n0:n1][core.spatial_index(*(slice(start, stop) for start, stop in spatial))]


def _first_input_tap(a: AxisWindows) -> np.ndarray:
    """PyTorch's starting index of each window along one axis: the first ``start + m*d >= 0``.

    That is the first input cell of the window when it has one; a window made only of padding
    (possible with dilation) keeps this coordinate and the fill value, as in PyTorch.
    """
    start = a.indices()[:, 0]
    steps = np.where(start < 0, -(start // a.dilation), 0)  # ceil(-start / d) for negative starts
    return start + steps * a.dilation


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
    padding: Any = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Maximum over each (dilated) window, as PyTorch's ``MaxPool*d`` and ONNX's ``MaxPool``.

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial) or (C, *spatial)
        With an int ``kernel_size`` the input must be batched (every axis after the first two is
        spatial); give one size per axis for an unbatched input.
    kernel_size : int or tuple of int
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
    if the last window would start in the right padding). NaN propagates, as in PyTorch.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016 (relationship 7).
    .. [2] PyTorch ``torch.nn.MaxPool2d`` and ONNX ``MaxPool`` operator documentation.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16).reshape(1, 1, 4, 4)
    >>> max_pool(x, 2)  # non-overlapping 2x2 windows
    array([[[[ 5,  7],
             [13, 15]]]])
    >>> max_pool(x, 3, stride=2, padding=1, return_indices=True)[1]  # flat index in the plane
    array([[[[ 5,  7],
             [13, 15]]]])
    """
    xs, unbatched, windows = _pool_setup(x, kernel_size, stride, padding, dilation, ceil_mode)
    want_indices = _check_bool(return_indices, "return_indices")
    dtype = xs.dtype
    work = core.compute_dtype(dtype)
    fill = -np.inf if work.kind == "f" else np.iinfo(work).min
    n, c = xs.shape[:2]
    out = np.empty((n, c, *windows.output_shape), dtype=work)
    indices = np.empty(out.shape, dtype=np.int64) if want_indices else None
    axes = windows.axes
    sources = [a.padded_sources("zeros") for a in axes]
    sizes = tuple(xs.shape[2:])
    first = [_first_input_tap(a) for a in axes]
    block = _pool_block_shape(windows, n, c, work.itemsize, 4 if want_indices else 1)
    scratch = core.Scratch(work)
    for (n0, n1), *spatial in core.iterate_blocks((n, *windows.output_shape), block):
        cells = core.gather_padded(xs, (n0, n1), axes, spatial, sources, fill, work, scratch)
        best = _block_target(out, n0, n1, spatial)
        if indices is None:
            for tap, view in core.tap_views(cells, axes, spatial):
                if any(tap):
                    np.maximum(best, view, out=best)
                else:
                    np.copyto(best, view)
            continue
        where = _block_target(indices, n0, n1, spatial)
        best.fill(fill)
        where[...] = _plane_index([f[s0:s1] for f, (s0, s1) in zip(first, spatial, strict=True)], sizes)
        for tap, view in core.tap_views(cells, axes, spatial):
            wins = view > best
            if work.kind == "f":
                wins |= np.isnan(view)
            np.copyto(best, view, where=wins)
            coords = [a.indices()[s0:s1, t] for a, t, (s0, s1) in zip(axes, tap, spatial, strict=True)]
            np.copyto(where, _plane_index(coords, sizes), where=wins)
    result = out.astype(dtype, copy=False)
    if unbatched:
        result = result[0]
        indices = None if indices is None else indices[0]
    return (result, indices) if indices is not None else result


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
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    dilation: IntOrTuple = 1,
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
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> avg_pool(x, 2)
    array([[[[ 2.5,  4.5],
             [10.5, 12.5]]]])
    >>> avg_pool(x, 3, stride=2, padding=1, count_include_pad=False)[0, 0, 0, 0]  # (0+1+4+5) / 4
    np.float64(2.5)
    """
    xs, unbatched, windows = _pool_setup(x, kernel_size, stride, padding, dilation, ceil_mode)
    include = _check_bool(count_include_pad, "count_include_pad")
    if not include and divisor_override is None:
        _check_windows_overlap_input(windows)
    override = None if divisor_override is None else _check_nonzero(divisor_override, "divisor_override")
    counts = _avg_divisor_counts(windows, include)
    dtype = core.result_dtype(xs)
    work = core.compute_dtype(dtype)
    n, c = xs.shape[:2]
    out = np.empty((n, c, *windows.output_shape), dtype=work)
    axes = windows.axes
    sources = [a.padded_sources("zeros") for a in axes]
    block = _pool_block_shape(windows, n, c, work.itemsize, 4)  # sum, divisor, integer division temporaries
    scratch = core.Scratch(work)
    for (n0, n1), *spatial in core.iterate_blocks((n, *windows.output_shape), block):
        cells = core.gather_padded(xs, (n0, n1), axes, spatial, sources, 0, work, scratch)
        total = _block_target(out, n0, n1, spatial)
        for tap, view in core.tap_views(cells, axes, spatial):
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
            quotient = np.abs(total) // np.abs(d)
            np.copyto(total, np.where((total < 0) != (np.asarray(d) < 0), -quotient, quotient))
    result = out.astype(dtype, copy=False)
    return result[0] if unbatched else result


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
    padding: Any = 0,
    dilation: IntOrTuple = 1,
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
    >>> lp_pool(np.array([[[3.0, 4.0, 0.0, 5.0]]]), 2, 2)  # sqrt(9 + 16), sqrt(0 + 25)
    array([[[5., 5.]]])
    """
    if isinstance(norm_type, bool) or not isinstance(norm_type, int | float | np.integer | np.floating):
        raise TypeError(f"`norm_type` must be a number, got {type(norm_type).__name__} {norm_type!r}")
    p = float(norm_type)
    if p == 0 or np.isnan(p):
        raise ValueError(f"`norm_type` must be non-zero (the result is the 1/p-th power), got {norm_type!r}")
    array = core.as_real_array(x, "x")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    if np.isinf(p):
        sign = 1 if p > 0 else -1
        pooled = max_pool(
            sign * np.abs(array), kernel_size, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode
        )
        assert isinstance(pooled, np.ndarray)
        return sign * pooled
    _, _, windows = _pool_setup(array, kernel_size, stride, padding, dilation, ceil_mode)
    taps = core.prod(windows.kernel_shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        powered = np.power(array, array.dtype.type(p))
        average = avg_pool(powered, kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode, dilation=dilation)
        average *= average.dtype.type(taps)
        return np.power(average, average.dtype.type(1 / p))


def _global_kernel(x: Any) -> tuple[np.ndarray, tuple[int, ...]]:
    array = core.as_real_array(x, "x")
    if array.ndim < 3:
        raise ValueError(f"`x` must have shape (N, C, *spatial) with at least one spatial axis, got {array.shape}")
    return array, tuple(array.shape[2:])


def global_avg_pool(x: Any) -> np.ndarray:
    """Average over all spatial axes, keeping them as size 1 (ONNX ``GlobalAveragePool``).

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial)

    Returns
    -------
    ndarray, shape (N, C, 1, ..., 1)
        As :func:`avg_pool` with the whole input as one window (integers: truncated int64).

    Notes
    -----
    ``y[n, c] = (1 / prod(i)) * sum_o x[n, c, o]``, PyTorch's ``adaptive_avg_pool*d(x, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> global_avg_pool(np.arange(8.0).reshape(1, 2, 2, 2))[:, :, 0, 0]
    array([[1.5, 5.5]])
    """
    array, kernel = _global_kernel(x)
    return avg_pool(array, kernel)


def global_max_pool(x: Any) -> np.ndarray:
    """Maximum over all spatial axes, keeping them as size 1 (ONNX ``GlobalMaxPool``).

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial)

    Returns
    -------
    ndarray, shape (N, C, 1, ..., 1)
        Same dtype as ``x``.

    Notes
    -----
    ``y[n, c] = max_o x[n, c, o]``, PyTorch's ``adaptive_max_pool*d(x, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> global_max_pool(np.arange(8).reshape(1, 2, 4))
    array([[[3],
            [7]]])
    """
    array, kernel = _global_kernel(x)
    result = max_pool(array, kernel)
    assert isinstance(result, np.ndarray)
    return result
