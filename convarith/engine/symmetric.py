"""Symmetric padding for even kernels, the shift problem, and information erosion.

An even kernel has no centre cell. Padded one-sidedly ("same" in TensorFlow, PyTorch and ONNX
``SAME_UPPER`` puts the extra unit after), each layer moves the feature map half a unit along
every axis. Wu et al. [1]_ split the channels into groups and pad each group towards a different
corner, so that the half-unit shifts of the groups cancel: *symmetric padding* (C2sp, C4sp).

This module pads (:func:`symmetric_pad`, :func:`symmetric_groups`); the shift it cancels is
measured in :mod:`convarith.studies.shift`.

References
----------
.. [1] S. Wu, G. Wang, P. Tang, F. Chen, L. Shi, "Convolution with even-sized kernels and
   symmetric padding", NeurIPS 2019.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from convarith.arithmetic.text import format_padding
from convarith.arithmetic.validate import check_minimum, is_sequence, shown
from convarith.engine.dtypes import real_array
from convarith.engine.memory import check_result_size, number_text

__all__ = ["SymmetricGroup", "even_kernel_size", "symmetric_groups", "symmetric_pad"]


@dataclass(frozen=True)
class SymmetricGroup:
    """One channel group of symmetric padding.

    Attributes
    ----------
    index : int
        Group number, in the official code's order.
    channels : range
        The contiguous input channels of the group (may be empty when there are fewer channels
        than groups).
    padding : tuple of (before, after)
        Zero padding of the group along each spatial axis.

    Examples
    --------
    >>> symmetric_groups(4, (2, 2))[2]  # the third group pads bottom and left
    group 2: channels 2..2 padding (0, 1)×(1, 0)
    """

    index: int
    channels: range
    padding: tuple[tuple[int, int], ...]

    def __repr__(self) -> str:
        pads = format_padding(self.padding)
        return f"group {self.index}: channels {self.channels.start}..{self.channels.stop - 1} padding {pads}"


def _group_patterns(ndim: int) -> list[tuple[int, ...]]:
    """Which axes pad more *before*, for each group, in the official order.

    The official 2x2 order is (small-before, small-before), its complement, (small, large),
    its complement: patterns with a leading 0 counted in binary, each followed by its complement.
    """
    patterns = []
    for rest in itertools.product((0, 1), repeat=ndim - 1):
        first = (0, *rest)
        patterns.append(first)
        patterns.append(tuple(1 - b for b in first))
    return patterns


def even_kernel_size(kernel_size: Any, ndim: int) -> tuple[int, ...]:
    """`kernel_size` per axis, checked to be even (symmetric padding is for even kernels)."""
    if not is_sequence(kernel_size):
        return (even_kernel_size((kernel_size,), 1)[0],) * ndim
    values = tuple(kernel_size)
    if len(values) != ndim:
        raise ValueError(
            f"`kernel_size` must have one entry per spatial axis ({ndim}), got {len(values)}: {shown(values)}"
        )
    kernel = tuple(
        check_minimum(k, "kernel_size" if ndim == 1 else f"kernel_size[{a}]", 1) for a, k in enumerate(values)
    )
    for axis, k in enumerate(kernel):
        if k % 2:
            where = "" if ndim == 1 else f" on axis {axis}"
            raise ValueError(
                f"`kernel_size` {k}{where} is odd: symmetric padding is for even kernels; an odd kernel "
                f"is already centred by padding ({k} - 1) // 2 = {(k - 1) // 2} on both sides (padding='same')"
            )
    return kernel


def _group_sizes(channels: int, groups: int) -> list[int]:
    base, extra = divmod(channels, groups)
    return [base + (1 if g < extra else 0) for g in range(groups)]


def symmetric_groups(channels: int, kernel_size: int | tuple[int, ...]) -> tuple[SymmetricGroup, ...]:
    """The channel groups of symmetric padding and the padding of each.

    Parameters
    ----------
    channels : int
        Number of input channels ``C``.
    kernel_size : int or tuple of int
        Even kernel size; a tuple gives one entry per spatial axis (an int means one axis).

    Returns
    -------
    tuple of SymmetricGroup
        ``2**ndim`` groups (2 for 1-D, 4 for 2-D, 8 for 3-D).

    Raises
    ------
    ValueError
        If a kernel size is odd or not positive, or ``channels`` is not positive.

    Notes
    -----
    Along an axis with kernel ``k`` the group pads ``(k/2 - 1, k/2)`` (pattern bit 0) or
    ``(k/2, k/2 - 1)`` (bit 1): total ``k - 1``, so a VALID convolution keeps the size. The groups'
    patterns are ``(0, ..., 0)``, its complement, then the next pattern with a leading 0 in binary
    order and its complement, ...; in 2-D this is the official C2sp order [1]_: (bottom, right),
    (top, left), (bottom, left), (top, right). Channel sizes are as even as possible, the first
    ``C % groups`` groups one larger, as in the official code; the half-unit shifts cancel
    exactly only when every group has the same size.

    References
    ----------
    .. [1] S. Wu, G. Wang, P. Tang, F. Chen, L. Shi, "Convolution with even-sized kernels and
       symmetric padding", NeurIPS 2019.

    Examples
    --------
    >>> for g in symmetric_groups(6, (2, 2)):  # C2sp; 6 = 2 + 2 + 1 + 1 channels
    ...     print(g)
    group 0: channels 0..1 padding (0, 1)
    group 1: channels 2..3 padding (1, 0)
    group 2: channels 4..4 padding (0, 1)×(1, 0)
    group 3: channels 5..5 padding (1, 0)×(0, 1)
    >>> [g.padding for g in symmetric_groups(2, 4)]  # 1-D, k = 4: (1, 2) and (2, 1)
    [((1, 2),), ((2, 1),)]
    """
    c = check_minimum(channels, "channels", 1)
    ndim = len(kernel_size) if isinstance(kernel_size, tuple | list) else 1
    if ndim == 0:
        raise ValueError("`kernel_size` must not be empty")
    kernel = even_kernel_size(kernel_size, ndim)
    patterns = _group_patterns(ndim)
    groups = []
    start = 0
    for index, (pattern, size) in enumerate(zip(patterns, _group_sizes(c, len(patterns)), strict=True)):
        padding = tuple(
            (k // 2, k // 2 - 1) if bit else (k // 2 - 1, k // 2) for k, bit in zip(kernel, pattern, strict=True)
        )
        groups.append(SymmetricGroup(index, range(start, start + size), padding))
        start += size
    return tuple(groups)


def symmetric_pad(x: np.ndarray, kernel_size: int | tuple[int, ...]) -> np.ndarray:
    """Zero-pad channel groups towards different corners, for a size-keeping even kernel.

    Parameters
    ----------
    x : ndarray, shape (N, C, *spatial) or (C, *spatial)
        A batch, or one unbatched sample.
    kernel_size : int or tuple of int
        Even kernel size. A tuple has one entry per spatial axis and fixes their number (then
        ``x.ndim`` is ``len + 2`` batched or ``len + 1`` unbatched). An int applies to every
        spatial axis of a *batched* ``x`` (``x.ndim - 2`` axes), except that a 2-d ``x`` is an
        unbatched 1-d signal ``(C, L)``; pass a tuple for any other unbatched input. There is no
        plain reading (``(*spatial)``, as :func:`convarith.conv` has): symmetric padding splits
        channels into groups, so ``x`` needs a channel axis (``x[None]`` for one image).

    Returns
    -------
    ndarray, shape (N, C, *(spatial + k - 1)) or (C, *(spatial + k - 1))
        Same dtype as ``x``. A stride-1 VALID convolution with ``kernel_size`` restores the
        spatial size.

    Raises
    ------
    TypeError
        If ``x`` is not an array of integers or floats (complex, bool and object are refused, as
        everywhere in the engine: :func:`convarith.engine.dtypes.real_array`).
    ValueError
        If a kernel size is odd or not positive, or the ranks of ``x`` and ``kernel_size`` do not
        match.

    Notes
    -----
    The channels are split into ``2**ndim`` contiguous groups (see :func:`symmetric_groups` for
    the order and the sizes: the first ``C % 2**ndim`` groups are one larger, as in the official
    C2sp code). Along an axis with kernel ``k`` a group pads ``(k/2 - 1, k/2)`` or
    ``(k/2, k/2 - 1)``: total ``k - 1``, so ``o = i + (k - 1) - k + 1 = i``. Each group's output
    is shifted by ``+-1/2`` unit per axis and the shifts sum to zero over the groups, so the
    convolution, which mixes all channels, does not move the feature map.

    Each output channel mixes groups whose windows are one unit apart, so the layer sees
    ``k + 1`` units per axis (2 -> 3 for C2sp, 4 -> 5 for C4sp). With fewer channels than groups
    the last groups are empty and the shifts no longer cancel.

    Odd kernels are refused: they are centred already by ``(k - 1) // 2`` on both sides.

    Stride: a strided convolution may follow, and the padding is the same; but the cancellation
    argument is about stride 1. The paper uses C2sp at stride 1 and downsamples with a 2x2
    stride-2 average pool.

    References
    ----------
    .. [1] S. Wu, G. Wang, P. Tang, F. Chen, L. Shi, "Convolution with even-sized kernels and
       symmetric padding", NeurIPS 2019.

    Examples
    --------
    >>> x = np.ones((4, 2, 2), dtype=np.int64)  # unbatched: 4 channels, one per group
    >>> y = symmetric_pad(x, (2, 2))
    >>> y.shape  # 2 + (2 - 1) per axis
    (4, 3, 3)
    >>> y[0]  # group 0 pads bottom and right
    array([[1, 1, 0],
           [1, 1, 0],
           [0, 0, 0]])
    >>> y[1]  # group 1 pads top and left
    array([[0, 0, 0],
           [0, 1, 1],
           [0, 1, 1]])
    >>> symmetric_pad(np.ones((1, 2, 3), np.float32), 4).shape  # batched 1-D, k = 4: 3 + 3
    (1, 2, 6)
    """
    # Argument checks.
    if not isinstance(x, np.ndarray):
        raise TypeError(f"`x` must be a NumPy array, got {type(x).__name__}")
    real_array(x, "x")  # the engine's one dtype gate: integers or floats (no complex, bool or object)
    if isinstance(kernel_size, tuple | list):
        ndim = len(kernel_size)
        if ndim == 0:
            raise ValueError("`kernel_size` must not be empty")
        if x.ndim not in (ndim + 1, ndim + 2):
            raise ValueError(
                f"`x` must have shape (N, C, *spatial) or (C, *spatial) with {ndim} spatial axes "
                f"(`kernel_size` {shown(kernel_size)}), i.e. {ndim + 2} or {ndim + 1} dimensions; got shape {x.shape}"
            )
    else:
        if x.ndim < 2:
            raise ValueError(f"`x` must have shape (N, C, *spatial) or (C, *spatial), got shape {x.shape}")
        ndim = 1 if x.ndim == 2 else x.ndim - 2
    unbatched = x.ndim == ndim + 1
    batch = x[None] if unbatched else x
    kernel = even_kernel_size(kernel_size, ndim)
    groups = symmetric_groups(batch.shape[1], kernel)

    # Pad each group into its place.
    shape = batch.shape[:2] + tuple(n + k - 1 for n, k in zip(batch.shape[2:], kernel, strict=True))
    sizes = kernel[0] if len(set(kernel)) == 1 else kernel
    check_result_size(
        shape[int(unbatched) :], x.dtype.itemsize, f"`kernel_size` {number_text(sizes)}", "padded array", str(x.dtype)
    )
    out = np.zeros(shape, dtype=x.dtype)
    for group in groups:
        where = tuple(slice(b, b + n) for (b, _), n in zip(group.padding, batch.shape[2:], strict=True))
        channels = slice(group.channels.start, group.channels.stop)
        out[(slice(None), channels, *where)] = batch[:, channels]
    return out[0] if unbatched else out
