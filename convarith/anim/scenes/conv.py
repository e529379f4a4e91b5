"""The frames of a convolution: one per output cell, read from the layer's window map.

With ``numbers`` the input, the kernel and each output value (from :func:`convarith.conv`) are
shown; the default values are seeded small integers and the guide's 3x3 kernel.
"""

from __future__ import annotations

from typing import Any

from convarith.anim.scenes.common import (
    _as_int_array,
    _caption,
    _check_drawable,
    _default_input,
    _default_kernel,
    _direct_frames,
    _engine,
    _input_label,
    _output_label,
    _pads,
    _rule_words,
    _unit_batch,
)
from convarith.anim.scenes.data import Panel, Scene
from convarith.arithmetic.layer import Layer, layer
from convarith.arithmetic.text import format_padding, format_param
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
        As in :func:`convarith.arithmetic.layer` (``'same'`` uses ``convention``).
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
        Built from ``layer("conv", ...)`` (:func:`convarith.arithmetic.layer`): its windows, its
        formulas as the caption; ``scene.geometry`` is that layer.

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
    lay = layer("conv", input_size, kernel_size, stride, padding, dilation, convention=convention)
    _check_drawable(lay, input_size)
    return _conv_layer_scene(
        lay,
        numbers=numbers,
        input_values=input_values,
        kernel_values=kernel_values,
        seed=seed,
        name=name,
        title=title,
    )


def _conv_layer_scene(
    lay: Layer,
    *,
    numbers: bool = False,
    input_values: Any = None,
    kernel_values: Any = None,
    seed: int = 0,
    name: str | None = None,
    title: str | None = None,
) -> Scene:
    """The scene of a convolution layer (see :func:`conv_scene`)."""
    shape, pads = lay.input_shape, _pads(lay)
    windows = window_map(lay)
    k = lay.kernel_size
    x = w = out = None
    if numbers or input_values is not None or kernel_values is not None:
        x = _default_input(shape, seed) if input_values is None else _as_int_array(input_values, "input_values", shape)
        w = _default_kernel(k, seed) if kernel_values is None else _as_int_array(kernel_values, "kernel_values", k)
        out = _engine().conv(_unit_batch(x), _unit_batch(w), stride=lay.stride, padding=pads, dilation=lay.dilation)
        out = out[0, 0]
    # the words of the layer's repr, in its order: kernel, stride, padding (and its rule), dilation
    default_title = f"Convolution: kernel {format_param(k)}, stride {format_param(lay.stride)}"
    default_title += f", padding {format_padding(pads)}{_rule_words(lay)}"
    if any(d != 1 for d in lay.dilation):
        default_title += f", dilation {format_param(lay.dilation)}"
    panel = Panel(
        kind="conv",
        input_shape=shape,
        output_shape=windows.output_shape,
        input_padding=pads,
        kernel_shape=k,
        stride=lay.stride,
        dilation=lay.dilation,
        input_label=_input_label(shape, pads),
        output_label=_output_label(windows.output_shape),
        title=title or default_title,
        caption=_caption(lay),
        frames=_direct_frames(windows, output_values=out),
        windows=windows,
        input_values=x,
        kernel_values=w,
        layer=lay,
    )
    return Scene(name or "convolution", title or default_title, (panel,), lay)
