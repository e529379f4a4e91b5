"""The frames of a convolution: one per output cell, read from the layer's window map.

With ``numbers`` the input, the kernel and each output value (from :func:`convarith.conv`) are
shown, and the padding cells hold what :func:`convarith.engine.pad` puts there for the
``padding_mode``; the default values are seeded small integers and the guide's 3x3 kernel.
"""

from __future__ import annotations

from typing import Any

from convarith.anim.scenes.common import (
    as_int_array,
    check_drawable,
    check_options,
    default_input,
    default_kernel,
    direct_frames,
    input_label,
    layer_caption,
    load_engine,
    output_label,
    unit_batch,
)
from convarith.anim.scenes.data import Panel, Scene
from convarith.arithmetic.layer import Layer, layer
from convarith.arithmetic.text import format_padding, format_param, rule_words
from convarith.arithmetic.validate import check_choice
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
    padding_mode: str = "zeros",
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
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}
        How padding cells are filled (PyTorch's names). In numerical mode the padding cells show
        those values (``panel.padded_values``) and the outputs are computed with them.
    seed : int
        Seed of the default values.
    name, title : str, optional

    Returns
    -------
    Scene
        Built from ``layer("conv", ...)`` (:func:`convarith.arithmetic.layer`): its windows, its
        formulas as the caption; ``scene.geometry`` is that layer.

    Raises
    ------
    LayerError
        When the padding is too large for the mode (reflect: less than the input size; circular:
        at most the input size), as :func:`convarith.conv` says; when the picture would draw more
        than ``MAX_GRID`` (1024) cells along an axis or more than ``MAX_FRAMES`` (65,536) frames, or
        with numbers more than ``MAX_VALUE_CELLS`` (frames × output cells, 2**22); these are
        computed from the layer's sizes before anything is built. A ``name`` or ``title`` has at
        most 200 characters.

    Notes
    -----
    Frame ``n`` shows output cell ``o`` (row-major) reading input cells ``o*s + t*d - pb`` for
    every kernel tap ``t`` (:meth:`convarith.arithmetic.WindowMap.reads`); there are
    ``prod(floor((i + pb + pe - ek)/s) + 1)`` frames.

    The values are the engine's, so there is one source of truth: the padded input is
    ``convarith.engine.pad(x, padding, padding_mode)`` (padding cell ``c`` holds zero, input cell
    ``-c`` or ``2(i - 1) - c`` (reflect), ``clip(c, 0, i - 1)`` (replicate) or ``c mod i``
    (circular)), and the outputs are ``convarith.conv(x, w, ..., padding_mode=padding_mode)``.

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
    >>> panel = conv_scene(3, 2, padding=2, input_values=[1, 2, 3], padding_mode="reflect").panels[0]
    >>> panel.padded_values  # the engine's reflect padding, drawn in the padding cells
    array([3, 2, 1, 2, 3, 2, 1])
    """
    lay = layer("conv", input_size, kernel_size, stride, padding, dilation, convention=convention)
    check_drawable(lay, input_size)
    return conv_layer_scene(
        lay,
        numbers=numbers,
        input_values=input_values,
        kernel_values=kernel_values,
        padding_mode=padding_mode,
        seed=seed,
        name=name,
        title=title,
    )


def conv_layer_scene(
    lay: Layer,
    *,
    numbers: bool = False,
    input_values: Any = None,
    kernel_values: Any = None,
    padding_mode: str = "zeros",
    seed: int = 0,
    name: str | None = None,
    title: str | None = None,
) -> Scene:
    """The scene of a convolution layer (see :func:`conv_scene`)."""
    seed = check_options(numbers, seed, name, title)
    from convarith.engine.padding import PADDING_MODES, check_mode_limits

    shape, pads = lay.input_shape, lay.pads
    check_choice(padding_mode, "padding_mode", PADDING_MODES)
    check_mode_limits(shape, pads, padding_mode, "padding_mode")  # the engine's limits, as conv says them
    windows = window_map(lay)
    k = lay.kernel_size
    x = w = out = padded = None
    if numbers or input_values is not None or kernel_values is not None:
        x = default_input(shape, seed) if input_values is None else as_int_array(input_values, "input_values", shape)
        w = default_kernel(k, seed) if kernel_values is None else as_int_array(kernel_values, "kernel_values", k)
        engine = load_engine()
        padded = engine.pad(unit_batch(x), pads, padding_mode)[0, 0]
        out = engine.conv(
            unit_batch(x), unit_batch(w), stride=lay.stride, padding=pads, dilation=lay.dilation,
            padding_mode=padding_mode,
        )[0, 0]  # fmt: skip
    # the words of the layer's repr, in its order: kernel, stride, padding (and its rule), dilation
    default_title = f"Convolution: kernel {format_param(k)}, stride {format_param(lay.stride)}"
    default_title += f", padding {format_padding(pads)}{rule_words(lay)}"
    if padding_mode != "zeros":
        default_title += f" {padding_mode}"  # PyTorch's word: padding (1, 1) reflect
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
        input_label=input_label(shape, pads),
        output_label=output_label(windows.output_shape),
        title=title or default_title,
        caption=layer_caption(lay),
        frames=direct_frames(windows, output_values=out),
        windows=windows,
        input_values=x,
        kernel_values=w,
        layer=lay,
        padded_values=padded,
        padding_mode=padding_mode,
    )
    return Scene(name or "convolution", title or default_title, (panel,), lay)
