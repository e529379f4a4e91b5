"""Animation frames as data: what each step of an operation reads and writes.

A :class:`Scene` is what one animated figure shows: one or more :class:`Panel` s (an input
grid, a kernel, an output grid) and, for each step, a :class:`Frame` listing the cells that are
highlighted. Everything is computed from :func:`convarith.window_map` (the same index map the
engine slices with), so a picture always shows what the engine computes; numbers, when asked
for, come from the engine itself. Nothing here imports matplotlib: :mod:`convarith.anim.render`
draws scenes.

Coordinates of an input grid are the window map's: ``-1`` is the first padding cell, ``0`` the
first input cell. In the guide's view of a transposed convolution the input grid is the
*stretched* input (``s - 1`` zeros inserted between units), with the equivalent padding ``p'``.

The modules: :mod:`~convarith.anim.scenes.data` (the types), one builder module per operation
(:mod:`~convarith.anim.scenes.conv`, :mod:`~convarith.anim.scenes.pool`,
:mod:`~convarith.anim.scenes.transpose`, :mod:`~convarith.anim.scenes.channels`),
:mod:`~convarith.anim.scenes.panels` (scenes of several panels),
:mod:`~convarith.anim.scenes.layers` (the scene of any :class:`~convarith.arithmetic.Layer`) and
:mod:`~convarith.anim.scenes.common` (what the builders share).

References
----------
.. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
   arXiv:1603.07285, 2016.
"""

from convarith.anim.scenes.channels import group_scene
from convarith.anim.scenes.common import GUIDE_INPUT, GUIDE_KERNEL
from convarith.anim.scenes.conv import conv_scene
from convarith.anim.scenes.data import Cell, ChannelFrame, ChannelScene, Frame, Panel, Scene
from convarith.anim.scenes.layers import layer_scene
from convarith.anim.scenes.overlap import overlap_scene
from convarith.anim.scenes.panels import padding_modes_scene, same_comparison_scene, symmetric_scene
from convarith.anim.scenes.pool import pool_scene
from convarith.anim.scenes.transpose import transpose_scene

__all__ = [
    "GUIDE_INPUT",
    "GUIDE_KERNEL",
    "Cell",
    "ChannelFrame",
    "ChannelScene",
    "Frame",
    "Panel",
    "Scene",
    "layer_scene",
    "conv_scene",
    "overlap_scene",
    "group_scene",
    "padding_modes_scene",
    "pool_scene",
    "same_comparison_scene",
    "symmetric_scene",
    "transpose_scene",
]
