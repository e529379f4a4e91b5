"""Convolution: :func:`conv`, the blocked-GEMM fast path of the formula in :mod:`convarith.engine.reference`.

Every function takes its windows from :func:`convarith.window_map` (so the output sizes are
those of :mod:`convarith.arithmetic.formulas`, and the pictures show what is computed), copies the padded
cells of one block of outputs at a time, and reads kernel tap ``t`` as the strided view
:meth:`AxisWindows.block_slice(t) <convarith.arithmetic.AxisWindows.block_slice>` of them. The convolution
stacks the taps into a column matrix and multiplies it by the weights in one (grouped) GEMM.
No Python loop runs over output positions. The loop version
(:func:`convarith.engine.reference.conv`) is the definition; this one is tested against it.

Shapes are ``(N, C, *spatial)`` as in PyTorch and ONNX; an unbatched ``(C, *spatial)`` input
gives an unbatched result. Dtypes follow :mod:`convarith.engine.dtypes`; temporaries stay under
:data:`convarith.engine.memory.MAX_TEMPORARY_BYTES` (see :mod:`convarith.engine.memory`).

The pooling functions and :func:`pad` are re-exported here for code that imports them from this
module (they live in :mod:`convarith.engine.pooling` and :mod:`convarith.engine.padding`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from convarith.arithmetic.kernel import effective_kernel_size
from convarith.arithmetic.padding import PADDING_WORDS, resolve_padding
from convarith.arithmetic.validate import axis_label, check_choice, check_minimum, per_axis
from convarith.arithmetic.windows import AxisWindows, WindowMap, window_map
from convarith.engine import _core as core
from convarith.engine import memory
from convarith.engine.dtypes import accumulator_dtype, real_array, result_dtype
from convarith.engine.exact import INT64_MAX, as_int64, conv_bound
from convarith.engine.padding import PADDING_MODES, check_mode_limits, pad
from convarith.engine.pooling import avg_pool, global_avg_pool, global_max_pool, lp_pool, max_pool
from convarith.engine.symmetric import symmetric_groups, symmetric_pad
from convarith.typing import IntOrTuple, PaddingLike

__all__ = [
    "PADDING_MODES",
    "avg_pool",
    "conv",
    "global_avg_pool",
    "global_max_pool",
    "lp_pool",
    "max_pool",
    "pad",
]


def conv(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: IntOrTuple = 1,
    padding: PaddingLike | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    convention: str = "tensorflow",
    flip: bool = False,
    ndim: int | None = None,
) -> np.ndarray:
    """N-d convolution (cross-correlation, as in PyTorch and ONNX) of ``x`` with ``weight``.

    Parameters
    ----------
    x : array_like, shape (*spatial), (C_in, *spatial) or (N, C_in, *spatial)
        Any number of spatial axes (1, 2, 3, ...). A plain array (one image, no batch or
        channel axis) goes with a plain kernel and gives a plain result; unbatched input gives
        unbatched output.
    weight : array_like, shape (*kernel_size) or (C_out, C_in / groups, *kernel_size)
        A 1-d or 2-d ``weight`` is a plain kernel: ``x`` must then have as many dimensions
        (``conv(img, k)`` with a 5x5 image and a 3x3 kernel is 3x3). A plain 3-d (or more)
        kernel needs ``ndim``, since a 3-d ``weight`` is otherwise ``(C_out, C_in, k)``.
    bias : array_like, shape (C_out,), optional
        With a plain kernel: one number.
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
    ndim : int, optional
        The number of spatial axes: ``weight.ndim - 2`` (the default for a ``weight`` of 3 or
        more dimensions) or ``weight.ndim`` (a plain kernel; the default for 1 or 2 dimensions).

    Returns
    -------
    ndarray, shape (N, C_out, *output_size), (C_out, *output_size) or (*output_size)
        ``output_size`` is :func:`convarith.conv_output_size` of the same parameters; the rank
        is ``x``'s. The dtype is :mod:`convarith.engine.dtypes`'s: float32 in, float32 out;
        integers give exact int64 (a value beyond int64 is a ``ValueError``, never a wrapped
        number); a float wins over integers; two float precisions are a ``TypeError``. Zero
        images or zero input channels give an empty result (PyTorch's ``(N, 0, *output)`` for
        zero channels).

    Raises
    ------
    ValueError
        Wrong ranks, channels not divisible by ``groups``, a kernel larger than the padded
        input, a reflect padding as wide as the input, a bias of the wrong length, a result
        larger than :data:`convarith.engine.memory.MAX_RESULT_BYTES` or an integer result
        beyond int64.
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
    cache-sized channel chunks instead. Temporaries stay under
    :data:`convarith.engine.memory.MAX_TEMPORARY_BYTES`.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016 (relationship 15).
    .. [2] PyTorch ``torch.nn.Conv2d`` and ONNX ``Conv`` operator documentation.

    Integers: the result is bounded first, ``max|x| * sum|w[m]| + |b[m]|``; when that fits
    int64 the fast path is exact (int64 wraps modulo ``2**64``, so a true value inside int64
    comes out exact whatever the partial sums do); otherwise the sums are taken with Python
    integers (:mod:`convarith.engine.exact`).

    Examples
    --------
    >>> import numpy as np
    >>> img, k = np.arange(25).reshape(5, 5), np.ones((3, 3), dtype=int)
    >>> conv(img, k)  # a plain 5x5 image and a plain 3x3 kernel: a 3x3 result
    array([[ 54,  63,  72],
           [ 99, 108, 117],
           [144, 153, 162]])
    >>> x = np.arange(16).reshape(1, 1, 4, 4)  # no_padding_no_strides, (N, C, H, W)
    >>> conv(x, np.ones((1, 1, 3, 3), dtype=int))  # sums of 3x3 windows, exact integers
    array([[[[45, 54],
             [81, 90]]]])
    >>> conv(np.arange(5)[None], [[[1, 0, -1]]], flip=True).tolist()  # unbatched 1-D, true convolution
    [[2, 2, 2]]
    >>> conv(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=2, padding=1).shape  # padding_strides
    (1, 1, 3, 3)
    """
    # --- checks
    xs, w, b, added, groups, what = _conv_operands(x, weight, bias, ndim, groups)
    c_in, c_out, ndim = xs.shape[1], w.shape[0], w.ndim - 2
    dtype = result_dtype(("x", x), ("weight", weight), *([] if bias is None else [("bias", bias)]))
    work = accumulator_dtype(dtype)
    w, windows, symmetric = _conv_windows(xs, w, stride, padding, dilation, padding_mode, convention, flip)
    memory.check_result_size(
        (xs.shape[0], c_out, *windows.output_shape)[added:],
        dtype.itemsize,
        core.padding_cause(windows.axes, what),
        dtype=str(dtype),
    )
    core.check_coordinates(windows.axes)

    # --- compute
    if c_in == 0:  # no input channel: an empty result, as PyTorch's (N, 0, *output)
        return np.zeros((*xs.shape[added:2], *windows.output_shape), dtype=dtype)
    if work.kind != "f" and conv_bound(xs, w, b) > INT64_MAX:
        work = np.dtype(object)  # a sum may leave int64: Python integers (exact, slower)
    w = w.astype(work, copy=False)
    if symmetric:
        out = _conv_symmetric(xs, w, windows, groups, work)
    else:
        out = _conv_blocks(xs, w, windows, groups, padding_mode, work)
    if b is not None:
        out += b.astype(work).reshape(c_out, *[1] * ndim)
    out = core.restore(out, added)
    return out.astype(dtype, copy=False) if work.kind == "f" else as_int64(out, "conv of `x` and `weight`")


def _conv_operands(
    x: Any, weight: Any, bias: Any, ndim: int | None, groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int, int, str]:
    """The checked arrays of :func:`conv`, ``(N, C_in, *spatial)`` and ``(C_out, C_in / groups, *kernel)``.

    Also the bias, the axes :func:`core.split_batch` added, ``groups`` and the shapes as given.
    """
    w = real_array(weight, "weight")
    array = real_array(x, "x")
    what = f"`x` of shape {array.shape} with `weight` of shape {w.shape}"
    plain = core.plain_kernel(array, w, ndim, "(C_out, C_in / groups, *kernel_size)")
    if plain:  # one image, one kernel: the (1, 1, *spatial) and (1, 1, *kernel) layer
        w = w[None, None]
        bias = None if bias is None else core.plain_bias(bias)
    xs, added = core.split_batch(array, w.ndim - 2, plain=plain)
    core.check_spatial_cells(xs, w.ndim - 2)
    if w.shape[0] == 0 or 0 in w.shape[2:]:
        raise ValueError(f"`weight` must have output channels and kernel taps on every axis, got shape {w.shape}")
    groups = check_minimum(groups, "groups", 1)
    c_in, c_out = xs.shape[1], w.shape[0]
    if c_in % groups:
        raise ValueError(f"`x` channels {c_in} must be divisible by `groups` {groups}")
    if c_out % groups:
        raise ValueError(f"`weight` output channels {c_out} must be divisible by `groups` {groups}")
    if w.shape[1] * groups != c_in:
        hint = f"; for a plain {w.ndim}-d array and kernel pass ndim={w.ndim}" if array.ndim == w.ndim else ""
        raise ValueError(
            f"`weight` shape {w.shape} expects {w.shape[1]} * {groups} = {w.shape[1] * groups} input channels "
            f"(C_in / groups per group), got {c_in} in `x`{hint}"
        )
    b = None
    if bias is not None:
        b = real_array(bias, "bias")
        if b.shape != (c_out,):
            raise ValueError(f"`bias` must have shape (C_out,) = ({c_out},), got {b.shape}")
    return xs, w, b, added, groups, what


def _conv_windows(
    xs: np.ndarray,
    w: np.ndarray,
    stride: IntOrTuple,
    padding: PaddingLike | str,
    dilation: IntOrTuple,
    padding_mode: str,
    convention: str,
    flip: bool,
) -> tuple[np.ndarray, WindowMap, bool]:
    """The plan of :func:`conv`: its arguments checked, the kernel flipped if asked, the windows."""
    ndim = w.ndim - 2
    stride_ = per_axis(stride, "stride", ndim)
    dilation_ = per_axis(dilation, "dilation", ndim)
    check_choice(padding_mode, "padding_mode", PADDING_MODES)
    if isinstance(padding, str) and padding.lower() not in (*PADDING_WORDS, "symmetric"):
        check_choice(padding, "padding", (*PADDING_WORDS, "symmetric"))  # the error lists every word
    if core.check_bool(flip, "flip"):
        w = w[core.spatial_index(*[slice(None, None, -1)] * ndim)]
    kernel = tuple(w.shape[2:])
    sizes = tuple(xs.shape[2:])
    symmetric = isinstance(padding, str) and padding == "symmetric"
    if symmetric:  # every channel group pads ek - 1 in all, so any group's padding gives the output size
        pads = symmetric_groups(1, _symmetric_spans(kernel, dilation_, padding_mode))[0].padding
    else:
        pads = resolve_padding(padding, sizes, kernel, stride_, dilation_, convention=convention)
        check_mode_limits(sizes, pads, padding_mode, "padding_mode")
    return w, window_map(sizes, kernel, stride_, pads, dilation_), symmetric


def _symmetric_spans(kernel: tuple[int, ...], dilation: tuple[int, ...], mode: str) -> tuple[int, ...]:
    """The dilated kernel extents that ``padding='symmetric'`` pads for (each must be even)."""
    if mode != "zeros":
        raise ValueError(f"`padding`='symmetric' pads with zeros; got padding_mode={mode!r}")
    spans = tuple(effective_kernel_size(k, d) for k, d in zip(kernel, dilation, strict=True))
    for axis, (k, d, span) in enumerate(zip(kernel, dilation, spans, strict=True)):
        if span % 2 == 1:
            raise ValueError(
                f"`padding`='symmetric' is for kernels of even extent: kernel {k} dilated by {d} spans "
                f"{span} = {d}*({k} - 1) + 1 (odd){axis_label(axis, len(kernel))}; use padding='same'"
            )
    return spans


def _conv_symmetric(xs: np.ndarray, w: np.ndarray, windows: WindowMap, groups: int, dtype: np.dtype) -> np.ndarray:
    """``padding='symmetric'``: each channel group of :func:`symmetric_groups` padded its own way.

    Small paddings: :func:`symmetric_pad` then a valid convolution. When the padding would be
    many times the input (a widely dilated kernel), the convolution is linear in ``x``: the sum
    over the channel groups of the convolution of ``x`` restricted to the group (other channels
    zero) with the group's padding, so no padded copy is made.
    """
    axes = windows.axes
    kernel, stride, dilation = windows.kernel_shape, tuple(a.stride for a in axes), tuple(a.dilation for a in axes)
    spans = tuple(a.effective_kernel_size for a in axes)
    sizes = tuple(xs.shape[2:])
    padded_cells = core.prod([i + span - 1 for i, span in zip(sizes, spans, strict=True)])
    if padded_cells <= 4 * core.prod(sizes):
        padded = np.asarray(symmetric_pad(xs, spans))
        return _conv_blocks(
            padded, w, window_map(tuple(padded.shape[2:]), kernel, stride, 0, dilation), groups, "zeros", dtype
        )
    total: np.ndarray | None = None
    for group in symmetric_groups(xs.shape[1], spans):
        if not len(group.channels):
            continue
        part = np.zeros(xs.shape, dtype=xs.dtype)
        part[:, group.channels.start : group.channels.stop] = xs[:, group.channels.start : group.channels.stop]
        term = _conv_blocks(part, w, window_map(sizes, kernel, stride, group.padding, dilation), groups, "zeros", dtype)
        total = term if total is None else np.add(total, term, out=total)
    assert total is not None
    return total


def _conv_blocks(
    x: np.ndarray, weight: np.ndarray, windows: WindowMap, groups: int, mode: str, dtype: np.dtype
) -> np.ndarray:
    """The convolution itself, block of outputs by block of outputs (see :func:`conv`)."""
    axes = windows.axes
    n, c_in = (int(size) for size in x.shape[:2])
    c_out = int(weight.shape[0])
    c_group, out_group = c_in // groups, c_out // groups
    kernel = windows.kernel_shape
    taps = core.prod(kernel)
    output_shape = windows.output_shape
    reader = core.BlockReader(x, axes, mode, 0, dtype)
    depthwise = c_group == 1 and not reader.sparse
    out = np.empty((n, c_out, *output_shape), dtype=dtype)

    def cost(block: Sequence[int]) -> int:
        images, positions = block[0], core.prod(block[1:])
        cells = reader.cells_cost(images, block[1:])
        if reader.sparse:  # columns, the GEMM's result and an output block
            return (cells + images * c_in * taps * positions + 2 * images * c_out * positions) * dtype.itemsize
        if depthwise:  # an output block, and per channel chunk its cells, columns and result
            padded = core.prod(core.extent_sizes(axes, block[1:]))  # cells per channel
            chunk = min(c_in, max(1, column_bytes // (taps * padded * dtype.itemsize)))
            return (images * c_out * positions + chunk * padded * (2 + taps + out_group)) * dtype.itemsize
        extent = core.extent_sizes(axes, block[1:])
        wide = sum((b - 1) * core.prod(extent[a + 1 :]) for a, b in enumerate(block[1:])) + 1  # see wide_grid
        columns = images * c_in * taps * max(positions, wide)
        partial = images * c_out * (positions + max(positions, wide))  # the GEMM's result, an output block
        return (cells + columns + partial) * dtype.itemsize

    column_bytes = min(memory.CACHE_BYTES, memory.MAX_TEMPORARY_BYTES // 4)
    extents = (n, *output_shape)
    block = core.plan_block(extents, cost, memory.MAX_TEMPORARY_BYTES)
    if not reader.sparse and core.rereads_halo(axes, extents, block):  # huge dilations: gather tap by tap
        reader, depthwise = core.BlockReader(x, axes, mode, 0, dtype, sparse=True), False
        block = core.plan_block(extents, cost, memory.MAX_TEMPORARY_BYTES)
    # (groups, C_g * prod(k), C_out / groups): the GEMM runs positions x weights, see _conv_block
    w_matrix = weight.reshape(groups, out_group, c_group * taps).transpose(0, 2, 1)
    w_taps = weight.reshape(groups, out_group, *kernel) if depthwise else weight
    scratch = core.Scratch(dtype)
    for (n0, n1), *spatial in core.iterate_blocks(extents, block):
        sizes = tuple(stop - start for start, stop in spatial)
        whole = sizes == output_shape
        target = out[n0:n1] if whole else scratch.take("target", (n1 - n0, c_out, *sizes))
        if depthwise:
            _depthwise_block(reader, (n0, n1), spatial, w_taps, target, scratch, column_bytes)
        else:
            _conv_block(reader, (n0, n1), spatial, w_matrix, target, scratch)
        if not whole:
            out[n0:n1][core.spatial_index(*(slice(start, stop) for start, stop in spatial))] = target
    return out


def _conv_block(
    reader: core.BlockReader,
    batch: tuple[int, int],
    spatial: list[tuple[int, int]],
    w_matrix: np.ndarray,
    target: np.ndarray,
    scratch: core.Scratch,
) -> None:
    """One block: ``target`` (images, C_out, *sizes) from what the block's kernel taps read."""
    groups, width, out_group = w_matrix.shape
    images, c_in = batch[1] - batch[0], reader.x.shape[1]
    sizes = target.shape[2:]
    axes = reader.axes
    # Column matrix: columns[c, t, n, o] = x_pad[n, c, o*s + t*d] (one strided copy per tap),
    # then one GEMM per group for the whole block, (images*positions) x (C_g * prod(k)) times
    # (C_g * prod(k)) x (C_out / groups): one tall-and-thin BLAS call, which OpenBLAS runs faster
    # than weights @ columns, and few calls (each wakes up BLAS's threads). With unit strides the
    # columns are taken on the wide grid (contiguous copies) and the result cropped.
    kernel = tuple(a.kernel_size for a in axes)
    cells = None if reader.sparse else reader.cells(batch, spatial, scratch)
    wide = None if cells is None else core.wide_grid(cells, axes, spatial)
    if wide is not None:
        assert cells is not None
        _, positions, offsets = wide
        flat = cells.reshape(images, c_in, -1)
        columns = scratch.take("columns", (c_in, core.prod(kernel), images, positions))
        for t, offset in enumerate(offsets):
            columns[:, t] = flat[:, :, offset : offset + positions].swapaxes(0, 1)
    else:
        positions = core.prod(sizes)
        columns = scratch.take("columns", (c_in, *kernel, images, *sizes))
        views = core.tap_views(cells, axes, spatial) if cells is not None else reader.taps(batch, spatial, scratch)
        for tap, view in views:
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
    reader: core.BlockReader,
    batch: tuple[int, int],
    spatial: list[tuple[int, int]],
    w_taps: np.ndarray,
    target: np.ndarray,
    scratch: core.Scratch,
    column_bytes: int,
) -> None:
    """Depthwise block (``C_g = 1``): ``y[n, g, m, o] = sum_t w[g, m, t] * x_t[n, g, o]``.

    Per image and chunk of channels small enough to stay in cache (see :class:`_DepthwiseChunks`
    for the layouts): copy the chunk's cells into a buffer whose border is written once per
    block, copy every tap into a ``(channels, taps, positions)`` column block, and contract it
    with the ``(channels, multiplier, taps)`` weights in one batched ``matmul``, straight into
    ``target`` or into a buffer cropped into it. ``x`` is read and ``target`` written once.
    """
    groups, out_group = w_taps.shape[:2]
    sizes = target.shape[2:]
    w_matrix = w_taps.reshape(groups, out_group, -1)
    plan = _DepthwiseChunks(reader, spatial, sizes, out_group, column_bytes, scratch)
    by_group = target.reshape(target.shape[0], groups, out_group, *sizes)
    flat = target.reshape(target.shape[0], groups, out_group, -1)
    assert np.may_share_memory(flat, target)  # a view: target is C-contiguous
    for n in range(batch[1] - batch[0]):
        for g0 in range(0, groups, plan.chunk):
            k = min(plan.chunk, groups - g0)
            columns = plan.columns(reader.x[batch[0] + n, None, g0 : g0 + k])
            if plan.crop is None:  # the columns' positions are the output's
                np.matmul(w_matrix[g0 : g0 + k], columns, out=flat[n, g0 : g0 + k])
            else:
                product, cropped = plan.crop
                np.matmul(w_matrix[g0 : g0 + k], columns, out=product[:k])
                np.copyto(by_group[n, g0 : g0 + k], cropped[:k])


class _DepthwiseChunks:
    """Buffers and views for the depthwise columns of one block, chunk of channels by chunk.

    Three layouts, fastest first (``pitch_a`` is the buffer's stride along axis ``a``, in cells):

    * **Inner axes unpadded** (zero padding, unit strides, and every axis after the first as
      long in the output as in the input, as with ``padding='same'``): the buffer pads only the
      first axis, so every tap ``t`` is a run of the flattened cells starting at
      ``sum_a (t_a * d_a - pb_a) * pitch_a`` (``pb_0`` taken as 0) whose positions are exactly
      the output's. A tap that crosses an inner edge reads a neighbouring row there (or the
      buffer's spare cells, ``slack``): those columns are set to zero after the copy
      (``zeroed``), the zero padding, and the product goes straight into the output.
    * **Padded wide grid** (unit strides): the buffer holds the padded cells; tap ``t`` is the
      run at ``sum_a t_a * d_a * pitch_a`` on the "wide" grid with the padded row length, and
      the product is cropped to the output (``crop``: the product and its cropped view).
    * **Strided** (other strides): each tap's strided view is copied on its own.

    In the first two, one strided view holds every tap (``every_tap``), so a chunk's columns are
    one copy.
    """

    def __init__(
        self,
        reader: core.BlockReader,
        spatial: list[tuple[int, int]],
        sizes: tuple[int, ...],
        out_group: int,
        column_bytes: int,
        scratch: core.Scratch,
    ) -> None:
        axes, item = reader.axes, np.dtype(reader.dtype).itemsize
        kernel = tuple(a.kernel_size for a in axes)
        taps, positions = core.prod(kernel), core.prod(sizes)
        self.spatial, self.axes, self.sizes = spatial, axes, sizes
        self.chunk = chunk = min(
            reader.x.shape[1], max(1, column_bytes // (taps * core.prod(core.extent_sizes(axes, sizes)) * item))
        )
        self.every_tap: np.ndarray | None = None
        self.zeroed: list[tuple[Any, ...]] = []
        self.crop: tuple[np.ndarray, np.ndarray] | None = None
        inner = list(zip(axes[1:], spatial[1:], strict=True))
        if (
            reader.mode == "zeros"
            and all(a.stride == 1 for a in axes)
            and all(a.output_size == a.input_size == hi - lo for a, (lo, hi) in inner)
        ):
            self._inner_axes_unpadded(reader, kernel, positions, scratch)
        else:
            positions = self._padded_cells(reader, kernel, positions, out_group, scratch)
        self.padded.fill_border(self.cells)
        self.columns_buffer = scratch.take("columns", (chunk, *kernel, positions))
        self.views: dict[int, tuple[Any, ...]] = {}

    def _inner_axes_unpadded(
        self, reader: core.BlockReader, kernel: tuple[int, ...], positions: int, scratch: core.Scratch
    ) -> None:
        """The first layout: only the first axis padded, every tap a run of the flattened cells."""
        axes, chunk, item = self.axes, self.chunk, np.dtype(reader.dtype).itemsize
        self.padded = core.PaddedCells(axes[:1], self.spatial[:1], reader.sources[:1], reader.fill)
        shape = (self.padded.shape[0], *(a.input_size for a in axes[1:]))
        pitch = [core.prod(shape[a + 1 :]) for a in range(len(axes))]
        cells = core.prod(shape)
        first = -sum(a.padding[0] * p for a, p in zip(axes[1:], pitch[1:], strict=True))
        last = first + sum((a.effective_kernel_size - 1) * p for a, p in zip(axes, pitch, strict=True))
        slack = max(0, -first, last + positions - cells)
        flat = scratch.take("cells", (chunk * cells + 2 * slack,))
        self.cells = flat[slack : slack + chunk * cells].reshape(1, chunk, *shape)
        self.every_tap = np.lib.stride_tricks.as_strided(
            flat[slack + first :],
            (chunk, *kernel, positions),
            (cells * item, *(a.dilation * p * item for a, p in zip(axes, pitch, strict=True)), item),
            writeable=False,
        )
        self.zeroed = _outside_taps(axes, self.sizes)

    def _padded_cells(
        self, reader: core.BlockReader, kernel: tuple[int, ...], positions: int, out_group: int, scratch: core.Scratch
    ) -> int:
        """The padded wide grid (unit strides) or the strided layout; the number of column positions."""
        axes, spatial, sizes, chunk = self.axes, self.spatial, self.sizes, self.chunk
        item = np.dtype(reader.dtype).itemsize
        self.padded = core.PaddedCells(axes, spatial, reader.sources, reader.fill)
        self.cells = scratch.take("cells", (1, chunk, *self.padded.shape))
        wide = core.wide_grid(self.cells, axes, spatial)
        if wide is not None:
            pitch, positions, _ = wide
            flat = self.cells.reshape(chunk, -1)
            self.every_tap = np.lib.stride_tricks.as_strided(
                flat,
                (chunk, *kernel, positions),
                (flat.strides[0], *(a.dilation * p * item for a, p in zip(axes, pitch, strict=True)), item),
                writeable=False,
            )
            # the product on the wide grid, row length pitch[0], cropped to sizes by slicing
            result = scratch.take("result", (chunk, out_group, sizes[0] * pitch[0]))
            crop = (slice(None),) * 3 + tuple(slice(0, size) for size in sizes[1:])
            wide_rows = result.reshape(chunk, out_group, sizes[0], *self.padded.shape[1:])
            self.crop = result[:, :, :positions], wide_rows[crop]
        else:
            product = scratch.take("result", (chunk, out_group, positions))
            self.crop = product, product.reshape(chunk, out_group, *sizes)
        return positions

    def columns(self, part: np.ndarray) -> np.ndarray:
        """The ``(channels, taps, positions)`` columns of ``part``, ``(1, channels, *input)``."""
        k = part.shape[1]
        if k not in self.views:  # (every chunk but an image's last has the same size)
            self.views[k] = self.chunk_views(k)
        inside, columns, every_tap, zeroed = self.views[k]
        inside[...] = part[self.padded.picks]
        if every_tap is not None:
            np.copyto(columns, every_tap)
        else:
            for taps, view in core.tap_views(self.cells[:, :k], self.axes, self.spatial):
                where: tuple[Any, ...] = (slice(None), *taps)
                columns[where] = view[0].reshape(k, -1)
        for outside in zeroed:
            outside[...] = 0
        blocks: np.ndarray = columns.reshape(k, -1, columns.shape[-1])
        return blocks

    def chunk_views(self, k: int) -> tuple[Any, ...]:
        """Views for a chunk of ``k`` channels (the last one of an image may be smaller).

        Where its input cells go, its columns, every tap's view of its cells (or ``None``), and
        the columns to zero.
        """
        columns = self.columns_buffer[:k]
        every_tap = None if self.every_tap is None else self.every_tap[:k]
        zeroed = []
        if self.zeroed:  # (only in the first layout, where the positions are the output's)
            grid = columns.reshape(*columns.shape[:-1], *self.sizes)
            zeroed = [grid[index] for index in self.zeroed]
        return self.cells[:, :k][self.padded.inside], columns, every_tap, zeroed


def _outside_taps(axes: Sequence[AxisWindows], sizes: tuple[int, ...]) -> list[tuple[Any, ...]]:
    """Indices into the columns ``(chunk, *kernel, *sizes)`` where a tap reads outside an inner axis.

    Tap ``t_a`` reads inner coordinate ``o_a + t_a*d_a - pb_a``; where that lies outside the input
    the columns hold a neighbouring row's cells (or spare ones) and are set to zero: the padding.
    """
    ndim = len(axes)
    zeroed = []
    for axis, a in enumerate(axes[1:], 1):
        for t in range(a.kernel_size):
            shift = t * a.dilation - a.padding[0]
            for outside in (slice(0, max(0, -shift)), slice(max(0, a.input_size - shift), None)):
                index: list[Any] = [slice(None)] * (1 + 2 * ndim)
                index[1 + axis], index[1 + ndim + axis] = t, outside
                if len(range(*outside.indices(sizes[axis]))):
                    zeroed.append(tuple(index))
    return zeroed
