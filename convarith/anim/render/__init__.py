"""Drawing scenes: slide-ready frames of the animations, with matplotlib's Agg backend.

:class:`Renderer` builds the figure of a :class:`convarith.anim.scenes.Scene` once (grids, labels,
caption) and then only recolours cells and moves the kernel footprint for each step, so a frame
of a 7x7 convolution takes a few milliseconds to update and draw — fast enough for notebook
sliders. matplotlib is imported when a renderer is built, never by ``import convarith``.

The parts, in the order a frame is made:

- :mod:`~convarith.anim.render.palette`: the colours (Okabe-Ito) and how values are written;
- :mod:`~convarith.anim.render.layout`: figure geometry, the panel grid and where grids sit;
- :mod:`~convarith.anim.render.artists`: the matplotlib artists of a panel, built once;
- :mod:`~convarith.anim.render.renderer`: what changes per frame, and the fast (blitted) draw;
- :mod:`~convarith.anim.render.channels`: the channel view of grouped convolutions;
- :mod:`~convarith.anim.render.base`: the figure, pixels and ``savefig`` every renderer shares.

Colours are from the Okabe-Ito palette, which stays distinguishable under the common forms of
colour-vision deficiency: the input is blue, the output bluish green, the kernel footprint
vermillion, the winning cell of max pooling orange; padding is white with a dashed grey edge,
inserted zeros light grey with a dotted edge.

References
----------
.. [1] M. Okabe and K. Ito, "Color Universal Design (CUD): how to make figures and
   presentations that are friendly to colorblind people", 2008.
"""

from __future__ import annotations

from typing import Any

from convarith.anim.render.channels import ChannelRenderer
from convarith.anim.render.palette import PALETTE
from convarith.anim.render.renderer import Renderer
from convarith.anim.scenes import ChannelScene, Scene

__all__ = ["PALETTE", "ChannelRenderer", "Renderer", "render"]


def render(scene: Scene | ChannelScene, **options: Any) -> Renderer | ChannelRenderer:
    """A renderer for any scene (:class:`Renderer` or :class:`ChannelRenderer`).

    Parameters
    ----------
    scene : Scene or ChannelScene
    **options
        Passed on: ``numbers``, ``caption``, ``caption_scale``, ``width``, ``height``, ``dpi``, ``layout``.

    Returns
    -------
    Renderer or ChannelRenderer

    Notes
    -----
    A frame is ``width*dpi`` × ``height*dpi`` pixels (16:9 by default); the renderer draws the
    still parts once and, per step, only what moves, so :meth:`Renderer.draw_frame` is cheap.

    Examples
    --------
    >>> from convarith.anim.scenes import conv_scene
    >>> len(render(conv_scene(5, 3), dpi=20))  # a 1-D convolution: 3 frames
    3
    """
    if isinstance(scene, ChannelScene):
        return ChannelRenderer(scene, **options)
    if isinstance(scene, Scene):
        return Renderer(scene, **options)
    raise TypeError(f"`scene` must be a Scene or ChannelScene, got {type(scene).__name__}")
