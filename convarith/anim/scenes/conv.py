"""The frames of a convolution: one per output cell, read from the window map.

With ``numbers`` the input, the kernel and each output value (from :func:`convarith.conv`) are
shown; the default values are seeded small integers and the guide's 3x3 kernel.
"""

from __future__ import annotations

from typing import Any

from convarith.anim.scenes.common import (
    _as_int_array,
    _caption,
    _default_input,
    _default_kernel,
    _direct_frames,
    _engine,
    _pad_text,
    _param_text,
    _size_text,
    _unit_batch,
)
from convarith.anim.scenes.data import Panel, Scene
from convarith.arithmetic.geometry import geometry
from convarith.arithmetic.windows import window_map
from convarith.typing import IntOrTuple, PaddingLike

__all__ = ["conv_scene"]


def conv_scene(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: PaddingLike | str = 0,
    dilation: IntOrTuple = 1,
    *,
    convention: str = "tensorflow",
    numbers: bool = False,
    input_values: Any = None,
    kernel_values: Any = None,
    seed: int = 0,
    name: str | None = None,
    title: str | None = None,
) -> Scene:
    """The frames of a convolution: one per output cell, as in the guide's figures.

    Parameters
    ----------
    input_size, kernel_size, stride, dilation : int or tuple of int
        One or two spatial axes (a 1-D convolution is drawn as a single row).
    padding : int, (before, after), per-axis tuple, or str
        As in :func:`convarith.arithmetic.geometry` (``'same'`` uses ``convention``).
    numbers : bool
        Numerical mode: input values, kernel weights and each output value, computed by
        :func:`convarith.conv`.
    input_values, kernel_values : array_like, optional
        Values for numerical mode (default: seeded integers in 0..3 and the guide's kernel).
    seed : int
        Seed of the default values.
    name, title : str, optional

    Returns
    -------
    Scene

    Notes
    -----
    Frame ``n`` shows output cell ``o`` (row-major) reading input cells ``o*s + t*d - pb`` for
    every kernel tap ``t`` (:meth:`convarith.arithmetic.WindowMap.reads`); there are
    ``prod(floor((i + pb + pe - ek)/s) + 1)`` frames.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> scene = conv_scene((5, 5), 3, stride=2, padding=1)  # padding_strides
    >>> len(scene)  # one frame per output cell
    9
    >>> [c.coord for c in scene.panels[0].frames[0].reads][:4]
    [(-1, -1), (-1, 0), (-1, 1), (0, -1)]
    """
    geo = geometry("conv", input_size, kernel_size, stride, padding, dilation, convention=convention)
    if len(geo.axes) > 2:
        raise ValueError(f"pictures have 1 or 2 spatial axes, got {len(geo.axes)}: `input_size` {input_size!r}")
    shape = geo.input_shape
    pads = geo.padding
    windows = window_map(
        shape, [a.kernel_size for a in geo.axes], [a.stride for a in geo.axes], pads, [a.dilation for a in geo.axes]
    )
    x = w = out = None
    if numbers or input_values is not None or kernel_values is not None:
        x = _default_input(shape, seed) if input_values is None else _as_int_array(input_values, "input_values", shape)
        w = (
            _default_kernel(windows.kernel_shape, seed)
            if kernel_values is None
            else _as_int_array(kernel_values, "kernel_values", windows.kernel_shape)
        )
        out = _engine().conv(
            _unit_batch(x),
            _unit_batch(w),
            stride=tuple(a.stride for a in geo.axes),
            padding=tuple(pads),
            dilation=tuple(a.dilation for a in geo.axes),
        )[0, 0]
    frames = _direct_frames(windows, output_values=out)
    k = windows.kernel_shape
    default_title = f"Convolution: kernel {_size_text(k)}, stride {_param_text(tuple(a.stride for a in geo.axes))}"
    default_title += f", padding {_pad_text(pads)}"
    if any(a.dilation != 1 for a in geo.axes):
        default_title += f", dilation {_param_text(tuple(a.dilation for a in geo.axes))}"
    if isinstance(padding, str):
        default_title += f" ({padding}" + (f", {convention})" if padding == "same" else ")")
    panel = Panel(
        kind="conv",
        input_shape=shape,
        output_shape=windows.output_shape,
        input_padding=pads,
        kernel_shape=k,
        stride=tuple(a.stride for a in geo.axes),
        dilation=tuple(a.dilation for a in geo.axes),
        input_label=f"input {_size_text(shape)}" + (f", padding {_pad_text(pads)}" if any(map(any, pads)) else ""),
        output_label=f"output {_size_text(windows.output_shape)}",
        title=title or default_title,
        caption=_caption(geo),
        frames=frames,
        windows=windows,
        input_values=x,
        kernel_values=w,
    )
    return Scene(name or "convolution", title or default_title, (panel,), geo)
