"""The scene of any layer value: one call from a :class:`~convarith.arithmetic.Layer` to its frames.

A layer built once by :func:`convarith.arithmetic.layer` (by a widget, the CLI, or a user) is
drawn without passing its numbers again: the operation picks the builder
(:func:`~convarith.anim.scenes.conv_scene`, :func:`~convarith.anim.scenes.pool_scene`,
:func:`~convarith.anim.scenes.transpose_scene`), and the layer's own padding, windows and
formulas are used as they are.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from convarith.anim.scenes.common import _caption, _check_drawable
from convarith.anim.scenes.conv import _conv_layer_scene
from convarith.anim.scenes.crop import LayerCrop, crop_layer
from convarith.anim.scenes.data import Scene
from convarith.anim.scenes.pool import _pool_layer_scene
from convarith.anim.scenes.transpose import _transpose_layer_scene
from convarith.arithmetic.layer import Layer
from convarith.arithmetic.text import format_size
from convarith.arithmetic.validate import check_minimum, describe, is_sequence

__all__ = ["layer_scene"]


def layer_scene(
    lay: Any,
    *,
    max_frames: int = 16,
    corner: str = "auto",
    channels: tuple[int | None, int | None] | None = None,
    **options: Any,
) -> Scene:
    """The animation of one layer: a frame per output cell (per input cell in the scatter view).

    Parameters
    ----------
    lay : Layer or a row of an inspect report
        With an input size of one or two axes (:func:`convarith.arithmetic.layer`); ``'lp_pool'``
        has no picture. A row of :func:`convarith.inspect` (anything with a ``layer`` attribute
        holding a Layer) brings its name and channel counts.
    max_frames : int
        A layer with more frames is cropped to a corner with at most this many
        (:func:`~convarith.anim.scenes.crop.crop_layer`: same kernel, stride, dilation and
        padding, the real windows); the caption says which corner of which input.
    corner : {'auto', 'start', 'end'}
        The corner of a cropped layer (``'auto'``: the end where the padding is larger).
    channels : (in, out), optional
        Channel counts for the caption (a row's own by default).
    **options
        Passed to the builder of the layer's operation: ``numbers``, ``input_values``,
        ``kernel_values``, ``seed``, ``name``, ``title``; ``view`` (``'direct'`` or ``'scatter'``)
        for a transposed convolution; ``count_include_pad`` for average pooling.

    Returns
    -------
    Scene
        Its :attr:`~convarith.anim.scenes.Scene.geometry` is ``lay`` itself, or the cropped
        layer whose windows the frames show.

    Notes
    -----
    ``'conv'`` is drawn by :func:`~convarith.anim.scenes.conv_scene`, ``'max_pool'`` and
    ``'avg_pool'`` by :func:`~convarith.anim.scenes.pool_scene`, ``'conv_transpose'`` by
    :func:`~convarith.anim.scenes.transpose_scene`; the same layer given to those functions as
    numbers gives the same frames.

    Examples
    --------
    >>> from convarith.arithmetic import layer
    >>> lay = layer("conv", (5, 5), 3, stride=2, padding=1)  # padding_strides
    >>> scene = layer_scene(lay)
    >>> len(scene), scene.geometry is lay
    (9, True)
    >>> len(layer_scene(layer("conv_transpose", (2, 2), 3, stride=2), view="scatter"))  # a frame per input cell
    4
    >>> stem = layer_scene(layer("conv", (224, 224), 7, stride=2, padding=3), channels=(3, 64))
    >>> len(stem), stem.panels[0].caption[2]  # a corner of the real layer, with its channels
    (16, 'channels 3 → 64')
    >>> stem.panels[0].caption[1]  # and it says which corner
    'top-left corner: input rows -3..9, columns -3..9 of 224×224 (padding (3, 3)); output 4×4 of 112×112'
    """
    name = None
    if not isinstance(lay, Layer) and isinstance(getattr(lay, "layer", None), Layer):  # a report's row
        name = getattr(lay, "name", None)
        if channels is None:
            channels = (getattr(lay, "in_channels", None), getattr(lay, "out_channels", None))
        lay = lay.layer
    if not isinstance(lay, Layer):
        raise TypeError(f"`lay` must be a Layer (convarith.arithmetic.layer), got {type(lay).__name__}")
    channels = _check_channels(channels)
    if lay.input_size is None:
        raise ValueError("`lay` has no input size: a picture needs one (use lay.with_input(size))")
    _check_drawable(lay, lay.input_size, "lay")
    crop = crop_layer(lay, max_frames, corner, view=options.get("view", "direct"))
    if not crop.is_cropped and channels is None:
        return _scene(lay, options)
    return _labelled(_scene(crop.cropped, options), crop, channels, name, options.get("title"))


def _check_channels(channels: Any) -> tuple[int | None, int | None] | None:
    """``channels`` as ``None`` or ``(in, out)``, each a count of at least 1 or None (unknown)."""
    if channels is None:
        return None
    if not is_sequence(channels) or len(channels) != 2:
        raise TypeError(f"`channels` must be a pair (in, out) of channel counts, got {describe(channels)}")
    c_in, c_out = (None if c is None else check_minimum(c, f"channels[{n}]", 1) for n, c in enumerate(channels))
    return c_in, c_out


def _channel_words(lay: Layer, channels: tuple[int | None, int | None] | None) -> tuple[str, ...]:
    if channels is None or all(c is None for c in channels):
        return ()
    c_in, c_out = ("?" if c is None else str(c) for c in channels)
    return (f"channels {c_in} → {c_out}" + (f", groups {lay.groups}" if lay.groups != 1 else ""),)


def _labelled(
    scene: Scene, crop: LayerCrop, channels: tuple[int | None, int | None] | None, name: str | None, title: Any
) -> Scene:
    """The scene of a cropped layer, titled and captioned with the real layer's numbers."""
    lay = crop.layer
    caption = (*_caption(lay), *((crop.note(),) if crop.is_cropped else ()), *_channel_words(lay, channels))
    panel = scene.panels[0]
    changes: dict[str, Any] = {"caption": caption}
    if crop.is_cropped:
        changes["input_label"] = f"{panel.input_label} (corner of {format_size(lay.input_shape)})"
        changes["output_label"] = f"{panel.output_label} (corner of {format_size(lay.output_shape)})"
    if title is None and crop.is_cropped:
        header = repr(lay).splitlines()[0]
        title = f"{name}: {header}" if name else header
    if title is None:
        title = f"{name}: {scene.title}" if name else scene.title
    panels = (dataclasses.replace(panel, title=title, **changes), *scene.panels[1:])
    return dataclasses.replace(scene, title=title, panels=panels)


def _scene(lay: Layer, options: dict[str, Any]) -> Scene:
    if lay.op == "conv":
        return _conv_layer_scene(lay, **options)
    if lay.op in ("max_pool", "avg_pool"):
        return _pool_layer_scene(lay, **options)
    if lay.op == "conv_transpose":
        return _transpose_layer_scene(lay, **options)
    raise ValueError(f"`lay` is an {lay.op!r} layer: pictures show 'conv', 'max_pool', 'avg_pool', 'conv_transpose'")
