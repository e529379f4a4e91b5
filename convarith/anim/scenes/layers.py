"""The scene of any layer value: one call from a :class:`~convarith.arithmetic.Layer` to its frames.

A layer built once by :func:`convarith.arithmetic.layer` (by a widget, the CLI, or a user) is
drawn without passing its numbers again: the operation picks the builder
(:func:`~convarith.anim.scenes.conv_scene`, :func:`~convarith.anim.scenes.pool_scene`,
:func:`~convarith.anim.scenes.transpose_scene`), and the layer's own padding, windows and
formulas are used as they are.
"""

from __future__ import annotations

from typing import Any

from convarith.anim.scenes.common import _check_drawable
from convarith.anim.scenes.conv import _conv_layer_scene
from convarith.anim.scenes.data import Scene
from convarith.anim.scenes.pool import _pool_layer_scene
from convarith.anim.scenes.transpose import _transpose_layer_scene
from convarith.arithmetic.layer import Layer

__all__ = ["layer_scene"]


def layer_scene(lay: Layer, **options: Any) -> Scene:
    """The animation of one layer: a frame per output cell (per input cell in the scatter view).

    Parameters
    ----------
    lay : Layer
        With an input size of one or two axes (:func:`convarith.arithmetic.layer`); ``'lp_pool'``
        has no picture.
    **options
        Passed to the builder of the layer's operation: ``numbers``, ``input_values``,
        ``kernel_values``, ``seed``, ``name``, ``title``; ``view`` (``'direct'`` or ``'scatter'``)
        for a transposed convolution; ``count_include_pad`` for average pooling.

    Returns
    -------
    Scene
        Its :attr:`~convarith.anim.scenes.Scene.geometry` is ``lay`` itself.

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
    """
    if not isinstance(lay, Layer):
        raise TypeError(f"`lay` must be a Layer (convarith.arithmetic.layer), got {type(lay).__name__}")
    if lay.input_size is None:
        raise ValueError("`lay` has no input size: a picture needs one (use lay.with_input(size))")
    _check_drawable(lay, lay.input_size, "lay")
    if lay.op == "conv":
        return _conv_layer_scene(lay, **options)
    if lay.op in ("max_pool", "avg_pool"):
        return _pool_layer_scene(lay, **options)
    if lay.op == "conv_transpose":
        return _transpose_layer_scene(lay, **options)
    raise ValueError(f"`lay` is an {lay.op!r} layer: pictures show 'conv', 'max_pool', 'avg_pool', 'conv_transpose'")
