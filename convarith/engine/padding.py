"""Padding: :func:`pad`, PyTorch's padding modes, and the padding a layer's arguments ask for.

``pad`` fills cell ``c`` of the padded axis from the input cell
:meth:`convarith.arithmetic.AxisWindows.padded_sources` names (the same rule the convolution's
``padding_mode`` uses). ``'same'``, ``'valid'`` and ``'full'`` become ``(before, after)`` pairs in
:func:`convarith.arithmetic.padding.resolve_padding`, the one resolver.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convarith.arithmetic.validate import (
    LayerError,
    axis_label,
    check_choice,
    check_minimum,
    check_real,
    is_sequence,
    per_axis_padding,
)
from convarith.arithmetic.windows import window_map
from convarith.engine import _core as core
from convarith.engine import memory
from convarith.engine.dtypes import real_array
from convarith.typing import PaddingLike, PadPair

__all__ = ["PADDING_MODES", "check_mode_limits", "pad"]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
"""PyTorch's ``padding_mode`` names, accepted by :func:`convarith.conv` and :func:`pad`."""


def check_mode_limits(sizes: tuple[int, ...], pads: tuple[PadPair, ...], mode: str, name: str) -> None:
    """PyTorch's limits: reflect needs padding < input size, circular padding <= input size.

    Raises :class:`~convarith.arithmetic.LayerError`, as every check of a layer's arguments.
    """
    for axis, (i, pair) in enumerate(zip(sizes, pads, strict=True)):
        where = axis_label(axis, len(sizes))
        if mode == "reflect" and max(pair) >= i:
            raise LayerError(
                f"`padding` {pair}{where} must be smaller than the input size {i} for {name}='reflect' "
                f"(reflection does not repeat the edge cell, so at most {i - 1} cells fit)"
            )
        if mode == "circular" and max(pair) > i:
            raise LayerError(
                f"`padding` {pair}{where} must be at most the input size {i} for {name}='circular' "
                "(the input may wrap around only once)"
            )


def pad(
    x: Any,
    padding: PaddingLike,
    mode: str = "zeros",
    value: float = 0,
    *,
    ndim: int | None = None,
    spatial_dims: Any = None,
) -> np.ndarray:
    """Pad the spatial (trailing) axes of ``x``.

    Parameters
    ----------
    x : array_like, shape (*spatial), (C, *spatial) or (N, C, *spatial)
        The last ``ndim`` axes are padded; any axes before them are kept.
    padding : int, (before, after) or tuple of those per axis
        As in :func:`convarith.conv_output_size`: an int pads both sides of every axis, a tuple
        has one int or one ``(before, after)`` pair per axis.
    mode : {'zeros', 'constant', 'reflect', 'replicate', 'circular'}
        PyTorch's padding modes; ``'zeros'`` and ``'constant'`` fill with ``value``.
    value : float
        The fill value of ``'zeros'``/``'constant'``.
    ndim : int, optional
        Number of padded (trailing) axes, at most ``x.ndim``. Default: the number of
        ``(before, after)`` pairs in ``padding`` if it has pairs; ``x.ndim`` for a tuple of
        ``x.ndim`` ints (a plain array: every axis, ``pad(img, (1, 1))``); ``x.ndim - 2`` (the
        ``(N, C, *spatial)`` reading) for other paddings of an input with 3 or more dimensions;
        1 for a 1-d ``x``. An int padding of a 2-d ``x`` (a plain image, or ``(C, L)``) is
        refused without ``ndim``.
    spatial_dims : None
        The old name of ``ndim``: refused with a ``TypeError`` that says so.

    Returns
    -------
    ndarray
        ``x`` with each padded axis grown from ``i`` to ``pb + i + pe``; same dtype, same rank.

    Raises
    ------
    ValueError
        Padding that reads two ways, too many axes, a mode's limits, or a padded array larger
        than :data:`convarith.engine.memory.MAX_RESULT_BYTES`.

    Notes
    -----
    Padded cell ``c`` (``-pb <= c < i + pe``) takes input cell: zeros ``value``; reflect ``-c``
    before and ``2(i - 1) - c`` after (needs ``pb, pe < i``); replicate ``clip(c, 0, i - 1)``;
    circular ``c mod i`` (needs ``pb, pe <= i``). These are
    :meth:`convarith.arithmetic.AxisWindows.padded_sources`, as PyTorch's ``F.pad``.

    Examples
    --------
    >>> import numpy as np
    >>> pad(np.ones((2, 2), dtype=int), (1, 1))  # a plain 2x2 image, one cell on every side
    array([[0, 0, 0, 0],
           [0, 1, 1, 0],
           [0, 1, 1, 0],
           [0, 0, 0, 0]])
    >>> pad(np.arange(4).reshape(1, 1, 4), 2, mode="reflect")  # (N, C, L): mirror, edge not repeated
    array([[[2, 1, 0, 1, 2, 3, 2, 1]]])
    >>> pad(np.ones((1, 1, 2, 2), dtype=int), ((0, 1), (1, 0)))[0, 0]  # (before, after) per axis
    array([[0, 1, 1],
           [0, 1, 1],
           [0, 0, 0]])
    """
    if spatial_dims is not None:
        raise TypeError("`spatial_dims` is now `ndim`, the engine's one keyword for the number of spatial axes")
    array = real_array(x, "x")
    check_choice(mode, "mode", (*PADDING_MODES, "constant"))
    check_real(value, "value")
    fill_mode = "zeros" if mode == "constant" else mode
    count = _padded_axes(array, padding, ndim)
    pads = per_axis_padding(padding, count)
    spatial_shape = array.shape[array.ndim - count :]
    if 0 in spatial_shape:
        raise ValueError(f"`x` must have at least one cell per padded axis, got shape {array.shape}")
    check_mode_limits(spatial_shape, pads, fill_mode, "mode")
    lead = array.shape[: array.ndim - count]
    padded_shape = (*lead, *(pb + i + pe for i, (pb, pe) in zip(spatial_shape, pads, strict=True)))
    same = len(set(pads)) == 1 and pads[0][0] == pads[0][1]
    cause = f"`padding` {memory.number_text(pads[0][0] if same else pads)}"
    memory.check_result_size(padded_shape, array.dtype.itemsize, cause, "padded array", str(array.dtype))
    flat = array.reshape(-1, 1, *spatial_shape)
    windows = window_map(spatial_shape, 1, 1, pads)
    core.check_coordinates(windows.axes)
    sources = [core.AxisSources(a, fill_mode) for a in windows.axes]
    whole = [(0, a.output_size) for a in windows.axes]
    padded = core.gather_padded(flat, (0, flat.shape[0]), windows.axes, whole, sources, value, array.dtype)
    return np.array(padded.reshape(*lead, *padded.shape[2:]), copy=np.may_share_memory(padded, array))


def _padded_axes(array: np.ndarray, padding: Any, ndim: Any) -> int:
    """The number of trailing axes :func:`pad` pads (see its ``ndim``)."""
    if ndim is not None:
        count = check_minimum(ndim, "ndim", 1)
    elif is_sequence(padding) and any(is_sequence(v) for v in padding):
        count = len(padding)
    elif is_sequence(padding) and len(padding) == array.ndim:
        count = array.ndim  # a plain array: one int per axis
    elif array.ndim >= 3:
        count = array.ndim - 2
    elif array.ndim == 1 or is_sequence(padding):
        count = 1  # a 1-d signal (an int or a pair), or one per-axis entry of a 2-d (C, L)
    else:
        count = core.spatial_axes_of_int(array, "padding", padding)
    if count > array.ndim or count < 1:
        raise ValueError(
            f"`x` must have at least {max(count, 1)} dimensions for {max(count, 1)} padded axes, "
            f"got {array.ndim} dimensions: {array.shape}"
        )
    return count
