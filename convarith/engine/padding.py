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
    per_axis_padding,
)
from convarith.arithmetic.windows import window_map
from convarith.engine import _core as core
from convarith.engine.dtypes import real_array
from convarith.typing import PadPair

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
    array = real_array(x, "x")
    check_choice(mode, "mode", (*PADDING_MODES, "constant"))
    check_real(value, "value")
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
    check_mode_limits(spatial_shape, pads, fill_mode, "mode")
    lead = array.shape[: array.ndim - ndim]
    flat = array.reshape(-1, 1, *spatial_shape)
    windows = window_map(spatial_shape, 1, 1, pads)
    sources = [core.AxisSources(a, fill_mode) for a in windows.axes]
    whole = [(0, a.output_size) for a in windows.axes]
    padded = core.gather_padded(flat, (0, flat.shape[0]), windows.axes, whole, sources, value, array.dtype)
    return np.array(padded.reshape(*lead, *padded.shape[2:]), copy=np.may_share_memory(padded, array))
