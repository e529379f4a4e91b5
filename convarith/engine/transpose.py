"""Transposed convolution, computed directly (the guide's construction: :mod:`~convarith.engine.construction`).

:func:`conv_transpose` scatters: matrix products give every (output channel, kernel tap, input
cell) product, and each kernel tap's products are added into the output through the same strided
slice that the forward convolution *reads* with that tap
(:meth:`convarith.arithmetic.AxisWindows.padded_slice`). That is the transpose of the forward convolution,
cell for cell, and it never builds the zero-inserted input. (The taps are taken phase by phase:
those whose slices start at the same offset modulo the stride fill the same cells, so they are
summed in one contiguous buffer.)

:func:`convarith.engine.construction.conv_transpose_construction` is the guide's equivalent
direct convolution, step by step (zeros inserted, padded, flipped kernel, stride-1 convolution),
with every intermediate array. Both give the same numbers.

References
----------
.. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
   arXiv:1603.07285, 2016.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from convarith.arithmetic.kernel import effective_kernel_size
from convarith.arithmetic.layer import Layer, layer
from convarith.arithmetic.validate import axis_label, check_minimum, is_sequence, per_axis, per_axis_padding
from convarith.arithmetic.windows import AxisWindows
from convarith.engine import _core as core
from convarith.engine import memory
from convarith.engine.dtypes import accumulator_dtype, real_array, result_dtype
from convarith.engine.exact import INT64_MAX, as_int64, conv_bound
from convarith.typing import IntOrTuple, PaddingLike, PadPair

__all__ = ["conv_transpose"]


# ----------------------------------------------------------------------------------------------
# Argument checks shared by both public functions
# ----------------------------------------------------------------------------------------------


def _output_padding_from_size(
    output_size: Any,
    batched: bool,
    i: tuple[int, ...],
    k: tuple[int, ...],
    s: tuple[int, ...],
    pads: tuple[PadPair, ...],
    d: tuple[int, ...],
) -> tuple[int, ...]:
    """PyTorch's rule: ``output_size`` may only pick a size in ``[min, min + s - 1]`` per axis."""
    ndim = len(i)
    given: Any = output_size
    if is_sequence(output_size):
        given = list(output_size)
        leading = 2 if batched else 1
        if len(given) == ndim + leading:  # a full shape, as PyTorch accepts: keep the spatial part
            given = given[leading:]
        if len(given) != ndim:
            raise ValueError(
                f"`output_size` must give one size per spatial axis ({ndim}), or a full output shape "
                f"({ndim + leading} entries), got {len(given)}"
            )
    wanted = per_axis(given, "output_size", ndim, minimum=None)
    # min may be < 1 here (the padding crops more than the output_padding=0 output has); PyTorch
    # still accepts any size >= 1 in the range, and the caller checks the final size
    smallest = [(i[x] - 1) * s[x] - pads[x][0] - pads[x][1] + effective_kernel_size(k[x], d[x]) for x in range(ndim)]
    for x in range(ndim):
        low, high = smallest[x], smallest[x] + s[x] - 1
        if not low <= wanted[x] <= high:
            ek = effective_kernel_size(k[x], d[x])
            raise ValueError(
                f"`output_size` {wanted[x]}{axis_label(x, ndim)} is outside the valid range [{low}, {high}] = "
                f"[min, min + s - 1], min = ({i[x]} - 1)*{s[x]} - {pads[x][0]} - {pads[x][1]} + {ek} = {low} "
                "(PyTorch's rule: output_size only chooses the output_padding)"
            )
    return tuple(wanted[x] - smallest[x] for x in range(ndim))


def _check_transpose_shapes(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, groups: int
) -> tuple[int, int, int]:
    """The shape checks of :func:`check_transpose_layer`: ``groups``, the input and output channels."""
    if weight.ndim < 3:
        raise ValueError(
            f"`weight` must have shape (C_in, C_out/groups, *kernel) with at least one spatial axis, "
            f"got shape {weight.shape}"
        )
    ndim = weight.ndim - 2
    if x.ndim not in (ndim + 1, ndim + 2):
        raise ValueError(
            f"`x` must have shape (N, C_in, *spatial) or (C_in, *spatial) with {ndim} spatial axes "
            f"(as `weight` {weight.shape} has), got shape {x.shape}"
        )
    if any(n < 1 for n in x.shape[-ndim:]):
        raise ValueError(f"`x` must have at least one cell along each spatial axis, got shape {x.shape}")
    if any(n < 1 for n in weight.shape[2:]):
        raise ValueError(f"`weight` must have at least one tap along each kernel axis, got shape {weight.shape}")
    groups = check_minimum(groups, "groups", 1)
    in_channels = x.shape[-ndim - 1]
    if in_channels % groups != 0:
        raise ValueError(f"`groups` {groups} must divide the input's {in_channels} channels")
    if weight.shape[0] != in_channels:
        hint = ""
        if weight.shape[1] * groups == in_channels:
            hint = (
                "; this looks like the convolution layout (C_out, C_in/groups, *kernel): transpose the "
                "first two axes per group"
            )
        raise ValueError(
            f"`weight` has shape {weight.shape}: its first axis ({weight.shape[0]}) must be the input's "
            f"{in_channels} channels, as conv_transpose's layout is (C_in, C_out/groups, *kernel){hint}"
        )
    out_channels = weight.shape[1] * groups
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(
            f"`bias` must have shape ({out_channels},), one value per output channel "
            f"(C_out = {weight.shape[1]} * groups {groups}), got shape {bias.shape}"
        )
    return groups, in_channels, out_channels


def check_transpose_layer(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None,
    stride: IntOrTuple,
    padding: PaddingLike,
    output_padding: IntOrTuple,
    dilation: IntOrTuple,
    groups: int,
    output_size: IntOrTuple | None,
) -> tuple[Layer, int, int]:
    """The checked layer (:func:`convarith.arithmetic.layer`), and the input and output channels."""
    # -- weight and input shapes --------------------------------------------------------------
    groups, in_channels, out_channels = _check_transpose_shapes(x, weight, bias, groups)
    ndim = weight.ndim - 2
    batched = x.ndim == ndim + 2
    # -- sizes per axis ----------------------------------------------------------------------
    i = tuple(int(n) for n in x.shape[-ndim:])
    k = tuple(int(n) for n in weight.shape[2:])
    s = per_axis(stride, "stride", ndim)
    d = per_axis(dilation, "dilation", ndim)
    pads = per_axis_padding(padding, ndim)
    a = per_axis(output_padding, "output_padding", ndim, minimum=0)
    if output_size is not None:
        if any(a):
            raise ValueError(
                f"pass either `output_size` or `output_padding`, not both (got output_padding {a}): "
                "output_size sets output_padding"
            )
        a = _output_padding_from_size(output_size, batched, i, k, s, pads, d)
    # output sizes, a < s or a < d, and padding that crops the whole output: the layer's rules
    return layer("conv_transpose", i, k, s, pads, d, output_padding=a, groups=groups), in_channels, out_channels


# ----------------------------------------------------------------------------------------------
# The fast path
# ----------------------------------------------------------------------------------------------


def _forward_windows(geometry: Layer) -> tuple[AxisWindows, ...]:
    """The forward convolution being transposed, one axis at a time.

    It reads an input of size ``o'`` padded by ``(pb, pe - a)`` and has ``i'`` outputs. When
    ``a > pe`` the far padding is negative; the scatter buffer then keeps ``a - pe`` extra units
    that no tap reaches (they stay zero), so its far padding is clamped at 0.
    """
    pads = geometry.padding
    assert pads is not None
    return tuple(
        AxisWindows(
            input_size=geometry.output_shape[x],
            kernel_size=geometry.kernel_size[x],
            stride=geometry.stride[x],
            padding=(pads[x][0], max(pads[x][1] - geometry.output_padding[x], 0)),
            dilation=geometry.dilation[x],
            output_size=geometry.input_shape[x],
        )
        for x in range(geometry.ndim)
    )


def _transpose_by_phase(
    columns: np.ndarray,
    weight: np.ndarray,
    windows: tuple[AxisWindows, ...],
    dtype: np.dtype,
    bias: np.ndarray | None,
) -> np.ndarray:
    """Multiply, then add each kernel tap's products where the forward convolution's tap reads.

    ``columns`` is the input as ``(groups, C_in/groups, N * prod(i'))``; ``weight`` is
    ``(groups, taps, C_out/groups, C_in/groups)``. Tap ``t`` writes the cells
    ``padded_slice(t) = t*d, t*d + s, ...`` of the padded output: all in one *phase*
    ``t*d mod s``, from phase offset ``t*d // s`` on. Phase by phase: one matrix product for the
    phase's taps (in blocks of whole images, each under ``MAX_TEMPORARY_BYTES``), each tap's
    products added into a contiguous phase buffer (``s`` times smaller than the padded output
    per axis), and the buffer, cropped by the padding, written once into every ``s``-th output
    cell. The same numbers as adding strided slices into one padded buffer, with contiguous
    memory access and smaller temporaries.
    """
    groups, _, cout_g, _ = weight.shape
    out_channels = groups * cout_g
    inputs = tuple(w.output_size for w in windows)
    cells = math.prod(inputs)
    n = columns.shape[2] // cells
    work = columns.dtype
    out = np.empty((n, out_channels, *(w.input_size for w in windows)), dtype=dtype)
    channels_first = out.swapaxes(0, 1)
    bias_cells = None if bias is None else bias.reshape(-1, *(1,) * (len(windows) + 1))

    # Only the phases some tap writes are visited (at most prod(k) of them, whatever the stride);
    # output cells in the other phases get zero, plus the bias, in one pass.
    by_phase: dict[tuple[int, ...], list[tuple[int, tuple[int, ...]]]] = {}
    for index, tap in enumerate(itertools.product(*(range(w.kernel_size) for w in windows))):
        starts = [w.padded_slice(t).start for w, t in zip(windows, tap, strict=True)]
        phase = tuple(start % w.stride for start, w in zip(starts, windows, strict=True))
        offset = tuple(start // w.stride for start, w in zip(starts, windows, strict=True))
        by_phase.setdefault(phase, []).append((index, offset))
    placements = {phase: _phase_placement(phase, windows) for phase in by_phase}
    reached = sum(1 for placement in placements.values() if placement is not None)
    if reached < math.prod(min(w.stride, w.input_size) for w in windows):  # some output cell has no tap
        channels_first[...] = 0 if bias_cells is None else bias_cells

    # one buffer for every phase, holding the phase's output cells only (kept)
    longest = [-(-w.input_size // w.stride) + 1 for w in windows]
    phase_buffer = np.empty((out_channels, n, *longest), dtype=work)
    for phase, phase_taps in by_phase.items():
        placement = placements[phase]
        if placement is None:
            continue  # no output cell lies in this phase
        kept, target = placement
        destination = channels_first[(slice(None), slice(None), *target)]
        rows = weight[:, [index for index, _ in phase_taps]].reshape(groups, -1, weight.shape[3])
        accumulated = phase_buffer[(slice(None), slice(None), *(slice(0, k.stop - k.start) for k in kept))]
        accumulated[...] = 0
        per_image = len(phase_taps) * out_channels * cells * work.itemsize
        block = max(memory.MAX_TEMPORARY_BYTES // max(per_image, 1), 1)
        for first_image in range(0, n, block):
            images = slice(first_image, min(first_image + block, n))
            count = images.stop - images.start
            products = np.matmul(rows, columns[:, :, images.start * cells : images.stop * cells])
            products = products.reshape(groups, len(phase_taps), cout_g, count, *inputs)
            for number, (_, offset) in enumerate(phase_taps):
                # the tap's products land on phase cells offset .. offset + i' - 1; add the kept ones
                overlap = [(max(q, k.start), min(q + i, k.stop)) for q, i, k in zip(offset, inputs, kept, strict=True)]
                if any(lo >= hi for lo, hi in overlap):
                    continue
                hit = [slice(lo - k.start, hi - k.start) for (lo, hi), k in zip(overlap, kept, strict=True)]
                read = [slice(lo - q, hi - q) for (lo, hi), q in zip(overlap, offset, strict=True)]
                tap_products = products[:, number].reshape(out_channels, count, *inputs)
                accumulated[(slice(None), images, *hit)] += tap_products[(slice(None), slice(None), *read)]
            del products  # freed before the next block is allocated
        if bias_cells is None:
            np.copyto(destination, accumulated, casting="unsafe")
        else:
            np.add(accumulated, bias_cells, out=destination, casting="unsafe")
    return out


def _phase_placement(
    phase: tuple[int, ...], windows: tuple[AxisWindows, ...]
) -> tuple[list[slice], list[slice]] | None:
    """Phase cells ``r, r + s, ...`` of the padded output: which are output cells, and where they go.

    Returns ``(kept, target)`` per axis: the phase cells (counted in the phase) inside
    ``[pb, pb + o')``, and the output cells (every ``s``-th) they fill; ``None`` when no output
    cell lies in the phase.
    """
    kept, target = [], []
    for r, w in zip(phase, windows, strict=True):
        first = max(-(-(w.padding[0] - r) // w.stride), 0)
        stop = -(-(w.padding[0] + w.input_size - r) // w.stride)
        if first >= stop:
            return None
        kept.append(slice(first, stop))
        begin = r + first * w.stride - w.padding[0]
        target.append(slice(begin, begin + (stop - first - 1) * w.stride + 1, w.stride))
    return kept, target


def conv_transpose(
    x: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    *,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    output_size: IntOrTuple | None = None,
    ndim: int | None = None,
) -> np.ndarray:
    """Transposed convolution (PyTorch ``ConvTranspose*d``, ONNX ``ConvTranspose``), in N-d.

    Parameters
    ----------
    x : array_like, shape (*spatial), (C_in, *spatial) or (N, C_in, *spatial)
        Input; the result has its rank (a plain array with a plain kernel gives a plain result,
        without the batch axis the result has none either).
    weight : array_like, shape (*kernel) or (C_in, C_out/groups, *kernel)
        PyTorch/ONNX layout: the same array as the weight of the convolution being transposed.
        A 1-d or 2-d ``weight`` is a plain kernel for a plain ``x`` of the same rank, as in
        :func:`convarith.conv`.
    bias : array_like, shape (C_out,), optional
        With a plain kernel: one number.
    stride, dilation : int or tuple of int
        Per spatial axis.
    padding : int, (before, after) or tuple of those per axis
        The padding of the convolution being transposed: ``pb`` units are cropped from the start
        of the output and ``pe`` from its end. Unequal ``(before, after)`` are allowed, as in ONNX.
    output_padding : int or tuple of int
        Extra units ``a`` on the far side of each axis, ``a < s`` or ``a < d`` (PyTorch's rule).
    groups : int
        Channels split into ``groups`` independent transposed convolutions.
    output_size : int or tuple of int, optional
        As ``ConvTranspose*d.forward(x, output_size)``: a size per spatial axis (or a full output
        shape) in ``[min, min + s - 1]``; it sets ``output_padding = output_size - min`` (so
        passing a non-zero ``output_padding`` as well is an error).
    ndim : int, optional
        The number of spatial axes, as in :func:`convarith.conv`: ``weight.ndim`` reads a plain
        kernel (the default for 1 or 2 dimensions), ``weight.ndim - 2`` the channel layout.

    Returns
    -------
    ndarray, shape (N, C_out, *output) or (C_out, *output)
        ``output`` is :func:`convarith.conv_transpose_output_size`. The dtype follows
        :mod:`convarith.engine.dtypes`, as :func:`convarith.conv`: float32 stays float32, integers
        give exact int64, two float precisions are a ``TypeError``.

    Raises
    ------
    ValueError
        On a layout mismatch (weight, bias, groups), a bad ``output_padding``, an
        ``output_size`` out of range, or padding that crops the whole output.
    TypeError
        On non-numeric arrays or non-integer sizes.

    Notes
    -----
    Per axis (relationship 14 of [1]_, with dilation and asymmetric padding)::

        o' = (i' - 1)*s - pb - pe + ek + a,   ek = d*(k - 1) + 1

    Input cell ``j`` adds ``w[t] * x[j]`` to output cell ``j*s + t*d - pb``: exactly the cells
    the forward convolution (input ``o'``, padding ``(pb, pe - a)``) reads with tap ``t`` at
    position ``j`` (:meth:`convarith.arithmetic.AxisWindows.padded_slice`). Tap ``t`` fills every ``s``-th
    cell of the padded output (``pb + o' + max(pe - a, 0)`` cells per axis) from ``t*d``, so the
    taps fall into ``s`` phases per axis (``t*d mod s``). Per phase: one matrix product per group,
    ``(phase taps * C_out/groups, C_in/groups) @ (C_in/groups, N * prod(i'))``, then one
    contiguous add per tap into the phase's buffer, written once into every ``s``-th output cell.
    Only the phases some tap writes are visited (at most ``prod(k)`` of them), and each phase
    buffer holds only that phase's output cells, so time and memory follow the output and
    ``input x kernel``, never the stride. Memory: the products are computed in blocks of whole
    images under :data:`convarith.engine.memory.MAX_TEMPORARY_BYTES` (one image's products if
    larger); a copy of the input and one phase buffer (``1/s`` of the output per axis) come on top.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> conv_transpose(np.array([1, 2]), np.array([1, 10, 100]))  # plain: each cell stamps the kernel
    array([  1,  12, 120, 200])
    >>> x = np.array([[[1, 2]]])  # (N, C_in, i') = (1, 1, 2)
    >>> w = np.array([[[1, 10, 100]]])  # (C_in, C_out, k) = (1, 1, 3)
    >>> conv_transpose(x, w)  # o' = 2 + 3 - 1 = 4
    array([[[  1,  12, 120, 200]]])
    >>> conv_transpose(x, w, stride=2)  # stamps 2 apart: o' = (2 - 1)*2 + 3 = 5
    array([[[  1,  10, 102,  20, 200]]])
    >>> conv_transpose(np.ones((64, 28, 28), np.float32), np.ones((64, 32, 4, 4), np.float32),
    ...                stride=2, padding=1).shape  # a decoder layer, unbatched: 28 -> 56
    (32, 56, 56)
    """
    # -- argument checks ----------------------------------------------------------------------
    x_array, w_array, added = plain_operands(x, weight, ndim)
    b_array = None if bias is None else real_array(core.plain_bias(bias) if added else bias, "bias")
    geometry, in_channels, out_channels = check_transpose_layer(
        x_array, w_array, b_array, stride, padding, output_padding, dilation, groups, output_size
    )
    batched = x_array.ndim == geometry.ndim + 2
    dtype = result_dtype(("x", x), ("weight", weight), *([] if bias is None else [("bias", bias)]))
    work = accumulator_dtype(dtype)
    lead = x_array.shape[: x_array.ndim - geometry.ndim]
    shape = (*lead[:-1], out_channels, *geometry.output_shape)
    memory.check_result_size(
        shape[added:],
        dtype.itemsize,
        transpose_cause(geometry, core.restore(x_array, added), core.restore(w_array, added)),
        dtype=str(dtype),
    )

    if in_channels == 0:  # no input channel: an empty result, as conv's (N, 0, *output)
        return np.zeros((*lead, *geometry.output_shape), dtype=dtype)
    if work.kind != "f" and conv_bound(x_array, w_array.swapaxes(0, 1), b_array) > INT64_MAX:
        work = np.dtype(object)  # a sum may leave int64: Python integers (exact, slower)

    # -- the input as columns (image, cell), the weight as rows (tap, output channel) ---------
    batch = x_array if batched else x_array[None]
    n, g = batch.shape[0], geometry.groups
    cin_g, cout_g = in_channels // g, out_channels // g
    taps, cells = math.prod(geometry.kernel_size), math.prod(geometry.input_shape)
    by_group = batch.astype(work, copy=False).reshape(n, g, cin_g, cells).transpose(1, 2, 0, 3)
    columns = np.ascontiguousarray(by_group).reshape(g, cin_g, n * cells)
    rows = w_array.astype(work, copy=False).reshape(g, cin_g, cout_g, taps).transpose(0, 3, 2, 1)

    # -- products, scatter-added: tap t writes where the forward convolution's tap t reads ----
    bias_column = None if b_array is None else b_array.astype(work, copy=False)
    out = _transpose_by_phase(columns, rows, _forward_windows(geometry), np.dtype(work), bias_column)
    out = core.restore(out, 1 - int(batched) + added)
    return out.astype(dtype, copy=False) if work.kind == "f" else as_int64(out, "conv_transpose of `x` and `weight`")


def plain_operands(x: Any, weight: Any, ndim: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """``x`` and ``weight`` as arrays, a plain pair as ``(1, 1, *spatial)`` and ``(1, 1, *kernel)``.

    Returns the arrays and the number of axes added (2 for a plain pair, else 0).
    """
    x_array, w_array = real_array(x, "x"), real_array(weight, "weight")
    if core.plain_kernel(x_array, w_array, ndim, "(C_in, C_out / groups, *kernel_size)"):
        return x_array[None, None], w_array[None, None], 2
    return x_array, w_array, 0


def transpose_cause(geometry: Layer, x: np.ndarray, w: np.ndarray) -> str:
    """What makes a transposed convolution's output large (for the size guard's message)."""
    s, d = geometry.stride, geometry.dilation
    spread = [(i - 1) * st for i, st in zip(geometry.input_shape, s, strict=True)]
    if any(st > 1 and grow > 2 * i for st, grow, i in zip(s, spread, geometry.input_shape, strict=True)):
        return f"`stride` {memory.number_text(s[0] if len(set(s)) == 1 else s)}"
    if any(dd > 1 for dd in d):
        return f"`dilation` {memory.number_text(d[0] if len(set(d)) == 1 else d)}"
    return f"`x` of shape {x.shape} with `weight` of shape {w.shape}"
