"""The frames of max and average pooling, always with numbers (values from the engine).

Max pooling marks the winning cell of each window (the engine's ``return_indices``); in ceil
mode the overhang the last windows reach past the padding is drawn, and never read.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convarith.anim.scenes.common import (
    _as_int_array,
    _caption,
    _direct_frames,
    _engine,
    _pad_text,
    _param_text,
    _size_text,
    _unit_batch,
)
from convarith.anim.scenes.data import Panel, Scene
from convarith.arithmetic.geometry import geometry
from convarith.arithmetic.validate import check_choice
from convarith.arithmetic.windows import window_map
from convarith.typing import IntOrTuple, PaddingLike

__all__ = ["pool_scene"]


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
        For max pooling each frame's ``winner`` is the cell the engine's ``return_indices``
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
    if stride is None:
        stride = kernel_size
    geo = geometry("pool", input_size, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode)
    if len(geo.axes) > 2:
        raise ValueError(f"pictures have 1 or 2 spatial axes, got {len(geo.axes)}: `input_size` {input_size!r}")
    shape = geo.input_shape
    pads = geo.padding
    ks = tuple(a.kernel_size for a in geo.axes)
    ss = tuple(a.stride for a in geo.axes)
    ds = tuple(a.dilation for a in geo.axes)
    windows = window_map(shape, ks, ss, pads, ds, ceil_mode=ceil_mode, pooling=True)
    if input_values is None:
        from convarith.testing import random_array

        x = random_array(shape, seed=seed, dtype=np.int64, low=0, high=9)
    else:
        x = _as_int_array(input_values, "input_values", shape)
    engine = _engine()
    winners = None
    if mode == "max":
        out, idx = engine.max_pool(
            _unit_batch(x), ks, stride=ss, padding=tuple(pads), dilation=ds, ceil_mode=ceil_mode, return_indices=True
        )
        out, idx = out[0, 0], idx[0, 0]
        winners = {pos: tuple(int(v) for v in np.unravel_index(int(idx[pos]), shape)) for pos in windows.positions()}
    else:
        if any(d != 1 for d in ds):
            raise ValueError(f"`dilation` {ds}: average pooling has no dilation (PyTorch's AvgPool)")
        out = engine.avg_pool(
            _unit_batch(x.astype(np.float64)),
            ks,
            stride=ss,
            padding=tuple(pads),
            ceil_mode=ceil_mode,
            count_include_pad=count_include_pad,
        )[0, 0]
    frames = _direct_frames(windows, output_values=out, winners=winners)
    overhang = tuple(a.overhang for a in windows.axes)
    word = "Max" if mode == "max" else "Average"
    default_title = f"{word} pooling: window {_size_text(ks)}, stride {_param_text(ss)}"
    if any(map(any, pads)):
        default_title += f", padding {_pad_text(pads)}"
    if ceil_mode:
        default_title += ", ceil mode"
    panel = Panel(
        kind="max_pool" if mode == "max" else "avg_pool",
        input_shape=shape,
        output_shape=windows.output_shape,
        input_padding=pads,
        kernel_shape=ks,
        stride=ss,
        dilation=ds,
        input_label=f"input {_size_text(shape)}" + (f", padding {_pad_text(pads)}" if any(map(any, pads)) else ""),
        output_label=f"output {_size_text(windows.output_shape)}",
        title=title or default_title,
        caption=_caption(geo),
        frames=frames,
        windows=windows,
        overhang=overhang if any(overhang) else (),
        input_values=x,
    )
    return Scene(name or f"{mode}_pooling", title or default_title, (panel,), geo)
