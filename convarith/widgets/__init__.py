"""Classroom widgets: move a slider, watch the kernel slide and the formula update.

The notebooks in ``notebooks/`` stay thin because the logic lives here:

* :class:`LayerExplorer` -- parameter controls, a Play control and a step slider that move the
  kernel, the picture, the output-size formula with the numbers substituted, and a line that
  checks the formula against a scan of the kernel positions and the engine's output shape.
* :class:`GroupExplorer` -- channels and groups: which input channels feed each output channel.
* :class:`ReceptiveFieldExplorer` -- the cone of input cells one output of a stack depends on.
* :class:`OutputSizeQuiz` -- "predict the output size": checks the answer, explains it with the formula.

The modules, state first and views after:

* :mod:`convarith.widgets.state` and :mod:`convarith.widgets.channel_state` -- what each widget
  shows, as plain data (``describe_layer``; ``describe_groups``, ``describe_cone``): NumPy only,
  testable without a browser or kernel.
* :mod:`convarith.widgets.layer_explorer`, :mod:`~convarith.widgets.group_explorer`,
  :mod:`~convarith.widgets.receptive_explorer`, :mod:`~convarith.widgets.quiz` -- the views.
* ``convarith.widgets._common`` -- PNG pictures (:func:`still`, one frame; :func:`player`, every
  frame with play and step buttons that need no kernel), sliders, the Play/step pair, messages.

An impossible combination of parameters shows a message (the validation error's text, which
names the argument and the numbers); any other error is a bug and is raised. The views need
ipywidgets, matplotlib and pillow (the ``notebooks`` extra) and are imported when first used, so
``import convarith.widgets.state`` needs NumPy alone; ``import convarith`` imports neither.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from convarith.widgets._common import player, png_bytes, still
    from convarith.widgets.channel_state import MAX_CONE_CELLS, ConeState, GroupState, describe_cone, describe_groups
    from convarith.widgets.group_explorer import GroupExplorer
    from convarith.widgets.layer_explorer import CACHE_SIZE, LayerExplorer
    from convarith.widgets.quiz import OutputSizeQuiz
    from convarith.widgets.receptive_explorer import ReceptiveFieldExplorer
    from convarith.widgets.slides import SlideButton, export_slides
    from convarith.widgets.state import KINDS, PADDING_CHOICES, LayerState, describe_layer

# public name -> the module that defines it (imported on first use: PEP 562)
_HOMES = {
    "LayerExplorer": "layer_explorer",
    "CACHE_SIZE": "layer_explorer",
    "GroupExplorer": "group_explorer",
    "ReceptiveFieldExplorer": "receptive_explorer",
    "OutputSizeQuiz": "quiz",
    "SlideButton": "slides",
    "export_slides": "slides",
    "player": "_common",
    "png_bytes": "_common",
    "still": "_common",
    "KINDS": "state",
    "MAX_CONE_CELLS": "channel_state",
    "PADDING_CHOICES": "state",
    "LayerState": "state",
    "GroupState": "channel_state",
    "ConeState": "channel_state",
    "describe_layer": "state",
    "describe_groups": "channel_state",
    "describe_cone": "channel_state",
}

__all__ = [
    "CACHE_SIZE",
    "KINDS",
    "MAX_CONE_CELLS",
    "PADDING_CHOICES",
    "ConeState",
    "GroupExplorer",
    "GroupState",
    "LayerExplorer",
    "LayerState",
    "OutputSizeQuiz",
    "ReceptiveFieldExplorer",
    "SlideButton",
    "describe_cone",
    "describe_groups",
    "describe_layer",
    "export_slides",
    "player",
    "png_bytes",
    "still",
]


_static = importlib.import_module(f"{__name__}.static")
if _static.static_views_wanted():  # the built docs: kernel-free views, not dead sliders (docs/conf.py)
    _static.register_static_views()


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` when it is first asked for."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
