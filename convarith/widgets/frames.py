"""An explorer's frames kept in the browser, so that a step needs no message to the kernel.

A :class:`FrameStack` holds :class:`ipywidgets.Image` widgets, one per step of the layer shown, in
an :class:`ipywidgets.Tab` (its tab bar hidden) whose ``selected_index`` is linked in the browser
(``jslink``) to the step slider (and so to Play): moving the slider shows a picture already in the
page (a Tab keeps every child's view and only hides the others, where a Stack would build the new
child's view again, leaving the place empty meanwhile). Once a student uses the explorer
(:meth:`FrameStack.wake`; a notebook's Run All sends nothing ahead), the kernel renders the steps
near the current one (:data:`AHEAD` after it, :data:`BEHIND` before it; the window moves with the
slider and Play) after a new layer's picture is sent, one frame per turn of its event loop and
paced, so that a control pressed meanwhile waits for one frame at most. A step not sent yet shows
a blank of the picture's size until the kernel draws it (a round trip, as before); the pictures of
the previous layer are blanked in the same turn as the new layer's first picture is sent, right
after it (only a step in the milliseconds between the two could still show an old one).
Outside a running event loop (a script, the tests), frames are drawn only when stepped to or by
:meth:`FrameStack.fill`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np
from traitlets import validate

from convarith.widgets._common import Stepper, png_bytes

__all__ = ["AHEAD", "BEHIND", "FrameStack"]


class FrameStack:
    """The pictures of every step of one renderer, in a Tab the step slider selects in the browser.

    Parameters
    ----------
    first_picture : Image
        The picture of the first step; it also stands for every step not rendered yet.
    stepper : Stepper
        Its slider's value selects the Tab's child (``first`` children of padding before step 0).
    prefetch : bool
        Keep every step's picture in the browser, rendered in the background once :meth:`wake`
        was called. False (a prediction explorer): every picture is drawn into ``first_picture``
        by the explorer (the only picture, in a plain Box), and no other frame reaches the browser.
    clicks : callable, optional
        ``clicks(image)`` is called on each new frame's Image (the explorer's click events).

    Attributes
    ----------
    box : Box
        The widget to lay out: the Tab (class ``convarith-frames``) and the style hiding its tab bar.

    Examples
    --------
    >>> from convarith.anim.render import Renderer
    >>> from convarith.anim.scenes import conv_scene
    >>> from convarith.widgets._common import picture
    >>> renderer = Renderer(conv_scene((4, 4), 3), caption=False, dpi=20)
    >>> stack = FrameStack(picture(), Stepper("step", 500))
    >>> stack.show(renderer)
    >>> stack.fill()  # what the kernel's event loop does, one frame at a time, near the current step
    4
    >>> len(stack.tab.children), stack.has(3)  # one blank before step 0, then a picture per step
    (5, True)
    """

    def __init__(
        self,
        first_picture: widgets.Image,
        stepper: Stepper,
        *,
        prefetch: bool = True,
        clicks: Callable[[widgets.Image], Any] | None = None,
    ) -> None:
        self.first_picture = first_picture
        self.first = stepper.first
        self.prefetch = prefetch
        self._clicks = clicks
        self.slider = stepper.slider
        self.blank = widgets.Image(format="png", value=_BLANK)  # a step not rendered yet
        self.tab = _Frames([self.blank] * self.first + [first_picture], selected_index=self.first)
        self.tab.add_class("convarith-frames")
        self.link: Any = None
        if prefetch:
            self.link = widgets.jslink((stepper.slider, "value"), (self.tab, "selected_index"))
            self.box: widgets.Box = widgets.VBox([widgets.HTML(_STYLE), self.tab])
        else:
            self.box = widgets.Box([first_picture])
        self._renderer: Any = None
        self._slot_layout = widgets.Layout()
        self._slots: list[tuple[widgets.Image, Any]] = []  # the pictures of steps 1, 2, ... (and their clicks)
        self._held: set[int] = set()  # steps whose slot holds the current renderer's picture
        self._stale: set[int] = set()  # steps whose slot still holds a previous renderer's picture
        self._awake = False
        self._first_drawn: Any = None  # the renderer whose step 0 first_picture holds
        self._pending: Any = None  # the scheduled fill callback
        self._filling: Any = None  # the renderer the last fill callback was for

    def __len__(self) -> int:
        return len(self._renderer) if self._renderer is not None else 0

    def show(self, renderer: Any) -> None:
        """Show the steps of ``renderer`` (None: nothing); step 0 is ``first_picture``, sized as its frames.

        The Tab gets a child for every step (children are only ever added, so the browser keeps
        every view); the pictures of the previous renderer are blanked once the first picture of
        this one is drawn (:meth:`draw`), so that they never show for this renderer.
        """
        if renderer is self._renderer:
            self._schedule()
            return
        self._renderer = renderer
        self._stale |= self._held
        self._held = set()
        if renderer is None:
            self._clear_stale()
            return
        width, height = (str(v) for v in renderer.size)
        self.first_picture.width, self.first_picture.height = width, height
        if not self.prefetch:
            return
        self.blank.width, self.blank.height = width, height
        new = []
        for _ in range(len(self._slots), len(self) - 1):  # one Layout for all (a widget fewer per step)
            image = widgets.Image(format="png", value=_BLANK, layout=self._slot_layout)
            image.add_class("convarith-picture")
            self._slots.append((image, None))  # its clicks are watched once it holds a picture (put)
            new.append(image)
        for image, _ in self._slots:
            image.width, image.height = width, height
        self.tab.selected_index = self.first
        if new:
            self.tab.children = (*self.tab.children, *new)
        self._schedule()

    def visible(self, shown: bool) -> None:
        """Show or hide the pictures (a prediction that hides them, a layer that is not valid)."""
        self.box.layout.display = self.first_picture.layout.display = None if shown else "none"

    def hide(self) -> None:
        """No layer to show: nothing drawn, nothing sent ahead, nothing on the page."""
        self.show(None)
        self.visible(False)

    def _clear_stale(self) -> None:
        """Blank the pictures a previous renderer left."""
        for step in sorted(self._stale):
            self._slots[step - 1][0].value = _BLANK
        self._stale = set()

    def has(self, step: int) -> bool:
        """Whether the browser holds the picture of ``step`` (step 0: ``first_picture``)."""
        return step == 0 or step in self._held

    def step(self) -> int:
        """The slider's step, counted from 0 (the browser selects the same child)."""
        return int(self.slider.value) - self.first

    def current(self) -> widgets.Image:
        """The Image shown for the slider's step."""
        step = self.step()
        return self._slots[step - 1][0] if step in self._held else self.first_picture

    def draw(self, step: int) -> None:
        """Make the browser hold the picture of ``step`` (a no-op when it does).

        Without ``prefetch`` the picture is drawn into ``first_picture`` every time (the explorer
        may have drawn a question there).
        """
        renderer = self._renderer
        assert renderer is not None
        if not self.prefetch or step == 0:
            if not self.prefetch or self._first_drawn is not renderer:
                self.first_picture.value = png_bytes(renderer.draw_frame(step))
                self._first_drawn = renderer if self.prefetch else None
        elif step not in self._held:
            self.put(step, renderer.draw_frame(step))
        self._clear_stale()
        self._schedule()  # the window of steps sent ahead moves with the slider

    def put(self, step: int, pixels: np.ndarray) -> widgets.Image:
        """Send the picture of ``step`` (RGB pixels) to the browser, into the Tab's child for it."""
        assert self._renderer is not None and 0 < step < len(self) and self.prefetch
        image, events = self._slots[step - 1]
        if events is None and self._clicks is not None:
            self._slots[step - 1] = (image, self._clicks(image))
        image.value = png_bytes(pixels)
        self._held.add(step)
        self._stale.discard(step)
        return image

    def wake(self) -> None:
        """Start rendering the frames in the background (the student is using this explorer)."""
        if not self._awake:
            self._awake = True
            self._schedule()

    def missing(self) -> list[int]:
        """The steps near the current one not rendered yet, nearest first (the next before the previous).

        Near: up to :data:`AHEAD` steps after the current one and :data:`BEHIND` before it; the
        window moves with the slider (and Play).
        """
        n = len(self) if self.prefetch else 0
        here = min(max(self.step(), 0), max(n - 1, 0))
        order = [here] + [s for d in range(1, AHEAD + 1) for s in (here + d, here - d) if s >= here - BEHIND]
        return [s for s in order if 0 < s < n and s not in self._held]

    def fill(self, limit: int | None = None) -> int:
        """Render up to ``limit`` missing frames now (all by default); the number of steps now held."""
        self._clear_stale()
        for step in self.missing()[:limit]:
            self.put(step, self._renderer.draw_frame(step))
        return 1 + len(self._held) if self._renderer is not None else 0

    def _schedule(self) -> None:
        """Render the next missing frame on the next turn of the kernel's event loop (if one runs)."""
        if not (self.prefetch and self._awake) or self._pending is not None or self._renderer is None:
            return
        if not self.missing():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no kernel event loop (a script, the tests): frames are drawn when needed
            return
        delay = _PAUSE if self._renderer is self._filling else _SETTLE
        self._filling = self._renderer
        self._pending = loop.call_later(delay, self._fill_next, self._renderer)

    def _fill_next(self, renderer: Any) -> None:
        self._pending = None
        if renderer is self._renderer:  # else the layer changed meanwhile: start on the new one
            self.fill(1)
        self._schedule()

    def close(self) -> None:
        """Close the frames' widgets and stop rendering."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self.show(None)


class _Frames(widgets.Tab):
    """A Tab that keeps its selection when the browser asks for a child it no longer has.

    The browser selects the child (the link from the slider); a selection sent just before the
    kernel changed the layer can name a child of the old layer: the first step stays selected.
    """

    @validate("selected_index")
    def _validated_index(self, proposal: Any) -> Any:
        value = proposal.value
        return value if value is None or 0 <= value < len(self.children) else self.selected_index


_BLANK = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108020000009077"
    "53de0000000c4944415408d763f8ffff3f0005fe02fea7d605f40000000049454e44ae426082"
)
"""A white pixel (PNG), stretched to the picture's size for a step not rendered yet."""

_STYLE = (
    "<style>.convarith-frames > .widget-tab-bar { display: none !important; }"
    " .convarith-frames > .widget-tab-contents { border: none !important; padding: 0 !important;"
    " background: transparent !important; }</style>"
)
"""The Tab of frames shows only its pictures: no tab bar, no border."""

AHEAD = 4
"""Steps after the current one whose pictures are sent ahead (Play and Arrow Right find them)."""
BEHIND = 2
"""Steps before the current one whose pictures are sent ahead."""

_SETTLE = 0.2
"""Seconds from a new layer's first picture to its first background frame (the picture goes first)."""
_PAUSE = 0.04
"""Seconds between two background frames: the kernel reads the browser's messages in between, and the
server and the browser pass each frame on before the next (a control's picture never queues behind many)."""
