"""The group explorer: which input channels feed each output channel of a grouped convolution."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ipywidgets as widgets

from convarith.anim.render import ChannelRenderer
from convarith.widgets._common import Stepper, check_html, html_box, message_html, picture, slider
from convarith.widgets.channel_state import GroupState, describe_groups
from convarith.widgets.frames import FrameStack
from convarith.widgets.slides import SlideButton

__all__ = ["GroupExplorer"]

_CACHE_SIZE = 12
"""Channel counts whose state and renderer a :class:`GroupExplorer` keeps (the most recent ones)."""


class GroupExplorer(widgets.VBox):
    """Input and output channels of a grouped convolution, and which feed which.

    Parameters
    ----------
    in_channels, out_channels, groups : int
        Starting values; ``groups == in_channels`` is a depthwise convolution.
    dpi : float
    interval : int
        Milliseconds between Play steps (one step per output channel).
    slides : bool
        Show a row that writes the current layer as a 1920 × 1080 GIF or PNG sequence
        (:class:`~convarith.widgets.slides.SlideButton`), one frame per output channel.

    Attributes
    ----------
    controls : dict of str to IntSlider
    step, play : IntSlider, Play
        The output channel shown, numbered from 0 as in the picture.
    picture, frames, check, message
        As in :class:`~convarith.widgets.LayerExplorer`: a step needs no round trip to the kernel.
    channel : HTML
        Which input channels the chosen output channel reads.
    state : GroupState
    slide_button : SlideButton or None
        The slide-export row (None with ``slides=False``).

    Notes
    -----
    Impossible channel counts show a message and hide the picture, Play and the step slider
    (nothing to play), until the counts make a layer again.

    Examples
    --------
    >>> explorer = GroupExplorer(4, 4, groups=2, dpi=20)
    >>> explorer.state.weight_shape
    (4, 2, 3, 3)
    >>> explorer.step.value = 2  # output channel 2, as the picture numbers it
    >>> explorer.channel.value
    'output channel 2 (group 1) reads input channels 2, 3'
    >>> explorer.controls["groups"].value = 3  # 3 does not divide 4
    >>> explorer.state.ok, explorer.play.layout.display  # no Play for no layer
    (False, 'none')
    """

    def __init__(
        self,
        in_channels: int = 4,
        out_channels: int = 4,
        groups: int = 1,
        *,
        dpi: float = 80,
        interval: int = 700,
        slides: bool = True,
    ) -> None:
        self.dpi = dpi
        self.renderer: ChannelRenderer | None = None
        self.controls = {
            "in_channels": slider("input channels", in_channels, 1, 8),
            "out_channels": slider("output channels", out_channels, 1, 8),
            "groups": slider("groups", groups, 1, 8),
        }
        for name, control in self.controls.items():
            control.add_class(f"convarith-{name.replace('_', '-')}")
            control.observe(self._on_control, names="value")
        self._stepper = Stepper("output channel", interval, first=0)
        self.step = self._stepper.slider
        self.play = self._stepper.play
        self.step.observe(self._on_step, names="value")
        self.frames = FrameStack(picture(), self._stepper)
        self.channel = html_box("convarith-position")
        self.check = html_box("convarith-check")
        self.message = html_box("convarith-message")
        self.state = GroupState(None, None, None)
        self._cache: OrderedDict[tuple[int, int, int], tuple[GroupState, ChannelRenderer | None]] = OrderedDict()
        self._busy = False
        self.slide_button = (
            SlideButton(lambda: self.state.scene, filename="groups_slide") if slides else None
        )  # fmt: skip
        super().__init__(
            [widgets.VBox([*self.controls.values(), self._stepper.box]), self.message, self.channel, self.frames.box,
             self.check] + ([self.slide_button] if self.slide_button is not None else []),
            layout=widgets.Layout(border="1px solid #ddd", padding="0.5em"),
        )  # fmt: skip
        self.add_class("convarith-explorer")
        self.update()

    @property
    def picture(self) -> widgets.Image:
        """The Image shown for the current output channel (:attr:`frames`)."""
        return self.frames.current()

    def _on_control(self, change: dict[str, Any]) -> None:
        self.frames.wake()  # a student uses this explorer: its frames are worth sending ahead
        self.update()

    def update(self) -> None:
        """Recompute and redraw from the controls (impossible channel counts show a message).

        The last 12 channel counts keep their state and renderer, so going back to counts seen
        before only draws a frame (a new renderer costs about 250 ms, a frame about 40 ms).
        """
        c = self.controls
        key = (c["in_channels"].value, c["out_channels"].value, c["groups"].value)
        cached = self._cache.pop(key, None)
        if cached is None:
            state = describe_groups(*key)
            cached = (state, ChannelRenderer(state.scene, dpi=self.dpi) if state.scene is not None else None)
        self._cache[key] = cached
        while len(self._cache) > _CACHE_SIZE:
            _, (_, old) = self._cache.popitem(last=False)
            if old is not None:
                old.close()
        state, self.renderer = cached
        self.state = state
        if state.scene is None or self.renderer is None:
            self.message.value = message_html(state.message or "")
            self.check.value = self.channel.value = ""
            self.frames.hide()
            self._stepper.box.layout.display = self.play.layout.display = "none"
            return
        self.message.value = ""
        self.frames.visible(True)
        self._stepper.box.layout.display = self.play.layout.display = None
        self.check.value = check_html(state.check_text(), state.agrees)
        self._busy = True
        try:
            self._stepper.reset(len(state.scene))
            self.frames.show(self.renderer)
        finally:
            self._busy = False
        self._draw(0)

    def _on_step(self, change: dict[str, Any]) -> None:
        if self._busy or self.renderer is None:
            return
        self.frames.wake()
        self._draw(self._stepper.index())

    def _draw(self, output_channel: int) -> None:
        assert self.renderer is not None
        self.frames.draw(output_channel)  # nothing to send when the browser has this picture
        self.channel.value = self.state.channel_text(output_channel)
