"""The frames of max and average pooling, always with numbers (values from the engine).

Max pooling marks the winning cell of each window (the engine's ``return_indices``); in ceil
mode the overhang the last windows reach past the padding is drawn, and never read.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convarith.anim.scenes.common import (
    as_int_array,
    check_drawable,
    check_options,
    direct_frames,
    input_label,
    layer_caption,
    load_engine,
    output_label,
    unit_batch,
)
from convarith.anim.scenes.data import Panel, Scene
from convarith.arithmetic.layer import Layer, layer
from convarith.arithmetic.text import format_padding, format_param
from convarith.arithmetic.validate import check_bool, check_choice
from convarith.arithmetic.windows import WindowMap, window_map
from convarith.typing import IntOrTuple, PaddingLike

__all__ = ["pool_scene"]

_Winners = dict[tuple[int, ...], tuple[int, ...] | None]
"""Max pooling: the input cell that wins each window (None for a window of padding only)."""


def pool_scene(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: PaddingLike = 0,
    dilation: IntOrTuple = 1,
    *,
    mode: str = "max",
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    input_values: Any = None,
    seed: int = 0,
    name: str | None = None,
    title: str | None = None,
) -> Scene:
    """The frames of max or average pooling, always with numbers (values from the engine).

    Parameters
    ----------
    input_size, kernel_size, stride, padding, dilation : int or tuple of int
        As in :func:`convarith.max_pool` (stride defaults to the kernel size).
    mode : {'max', 'avg'}
    ceil_mode, count_include_pad : bool
        PyTorch's options (``count_include_pad`` for average pooling).
    input_values : array_like, optional
        Default: seeded integers in 0..9.

    Returns
    -------
    Scene
        Built from ``layer("max_pool" or "avg_pool", ...)`` (:func:`convarith.arithmetic.layer`,
        PyTorch's rules). For max pooling each frame's ``winner`` is the cell the engine's ``return_indices``
        points at.

    Notes
    -----
    PyTorch's rule (pooling uses :func:`convarith.pool_output_size`):
    ``o = floor((i + pb + pe - ek)/s) + 1``, in ceil mode rounded up unless the last window would
    start in the right padding.

    Examples
    --------
    >>> scene = pool_scene((5, 5), 3, stride=1, mode="max")  # the guide's numerical max pooling
    >>> len(scene), scene.panels[0].output_label
    (9, 'output 3×3')
    """
    check_choice(mode, "mode", ("max", "avg"))
    op = "max_pool" if mode == "max" else "avg_pool"
    lay = layer(op, input_size, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode)
    check_drawable(lay, input_size)
    return pool_layer_scene(
        lay, count_include_pad=count_include_pad, input_values=input_values, seed=seed, name=name, title=title
    )


def pool_layer_scene(
    lay: Layer,
    *,
    count_include_pad: bool = True,
    input_values: Any = None,
    seed: int = 0,
    name: str | None = None,
    title: str | None = None,
) -> Scene:
    """The scene of a max or average pooling layer (see :func:`pool_scene`)."""
    seed = check_options(False, seed, name, title)
    check_bool(count_include_pad, "count_include_pad")
    if lay.op not in ("max_pool", "avg_pool"):
        raise ValueError(f"pictures of pooling show 'max_pool' or 'avg_pool' layers, got {lay.op!r}")
    shape, pads, ds = lay.input_shape, lay.pads, lay.dilation
    if lay.op == "avg_pool" and any(d != 1 for d in ds):
        raise ValueError(f"`dilation` {format_param(ds)}: average pooling has no dilation (PyTorch's AvgPool)")
    windows = window_map(lay)
    x = _pool_input(shape, input_values, seed)
    if lay.op == "max_pool":
        out, winners = _max_pool_values(lay, windows, x)
    else:
        out, winners = _avg_pool_values(lay, x, count_include_pad), None
    overhang = tuple(a.overhang for a in windows.axes)
    mode = "max" if lay.op == "max_pool" else "avg"
    heading = title or _default_title(lay)
    panel = Panel(
        kind="max_pool" if mode == "max" else "avg_pool",
        input_shape=shape,
        output_shape=windows.output_shape,
        input_padding=pads,
        kernel_shape=lay.kernel_size,
        stride=lay.stride,
        dilation=ds,
        input_label=input_label(shape, pads),
        output_label=output_label(windows.output_shape),
        title=heading,
        caption=layer_caption(lay),
        frames=direct_frames(windows, output_values=out, winners=winners),
        windows=windows,
        overhang=overhang if any(overhang) else (),
        input_values=x,
        layer=lay,
    )
    return Scene(name or f"{mode}_pooling", heading, (panel,), lay)


def _pool_input(shape: tuple[int, ...], input_values: Any, seed: int) -> np.ndarray:
    """The input grid: the given values, or seeded integers in 0..9."""
    if input_values is None:
        from convarith.testing import random_array

        return random_array(shape, seed=seed, dtype=np.int64, low=0, high=9)
    return as_int_array(input_values, "input_values", shape)


def _max_pool_values(lay: Layer, windows: WindowMap, x: np.ndarray) -> tuple[np.ndarray, _Winners]:
    """The engine's max pooling of ``x`` and each window's winning cell (its ``return_indices``)."""
    out, idx = load_engine().max_pool(
        unit_batch(x),
        lay.kernel_size,
        stride=lay.stride,
        padding=lay.pads,
        dilation=lay.dilation,
        ceil_mode=lay.ceil_mode,
        return_indices=True,
    )
    out, idx = out[0, 0].astype(np.float64), idx[0, 0]
    winners: _Winners = {}
    for pos in windows.positions():
        if any(r.kind == "input" for r in windows.reads(pos)):
            winners[pos] = tuple(int(v) for v in np.unravel_index(int(idx[pos]), lay.input_shape))
        else:  # a window of padding only: no cell wins, the maximum of nothing is -inf (as PyTorch's)
            winners[pos], out[pos] = None, -np.inf
    return out, winners


def _avg_pool_values(lay: Layer, x: np.ndarray, count_include_pad: bool) -> np.ndarray:
    """The engine's average pooling of ``x`` (as floats)."""
    out = load_engine().avg_pool(
        unit_batch(x.astype(np.float64)),
        lay.kernel_size,
        stride=lay.stride,
        padding=lay.pads,
        ceil_mode=lay.ceil_mode,
        count_include_pad=count_include_pad,
    )
    return np.asarray(out[0, 0])


def _default_title(lay: Layer) -> str:
    """``Max pooling: window 3, stride 1``, then the padding, dilation and ceil mode when set."""
    pads, ds = lay.pads, lay.dilation
    word = "Max" if lay.op == "max_pool" else "Average"
    words = f"{word} pooling: window {format_param(lay.kernel_size)}, stride {format_param(lay.stride)}"
    if any(map(any, pads)):
        words += f", padding {format_padding(pads)}"
    if any(d != 1 for d in ds):
        words += f", dilation {format_param(ds)}"
    if lay.ceil_mode:
        words += ", ceil mode"
    return words
