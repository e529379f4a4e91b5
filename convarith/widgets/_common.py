"""What every widget uses: PNG pictures, sliders, a Play control linked to a step slider, messages."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np

from convarith.anim.render import render

__all__ = ["frames_player", "offline_jshtml", "on_enter", "player", "png_bytes", "still"]

OK_COLOUR = "#1f6e55"
BAD_COLOUR = "#b00020"


def png_bytes(pixels: np.ndarray) -> bytes:
    r"""PNG file bytes of an RGB image (``uint8``, shape ``(height, width, 3)``).

    Examples
    --------
    >>> png_bytes(np.zeros((2, 3, 3), dtype=np.uint8))[:4]  # the PNG signature
    b'\x89PNG'
    """
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def still(scene: Any, step: int | None = None, *, dpi: float = 80, **options: Any) -> Any:
    r"""One frame of a scene as a picture for a notebook (the last frame by default).

    Parameters
    ----------
    scene : Scene or ChannelScene
        From :mod:`convarith.anim.scenes`.
    step : int, optional
        Frame number, counted from 0 (default: the last, where every output is computed).
    dpi : float
    **options
        Passed to :func:`convarith.anim.render.render` (``numbers``, ``caption``, ``width``, ...).

    Returns
    -------
    IPython.display.Image
        A PNG, kept in the notebook's output when saved.

    Examples
    --------
    >>> from convarith.anim.scenes import conv_scene
    >>> still(conv_scene((4, 4), 3), dpi=20).data[:4]  # no_padding_no_strides, last frame
    b'\x89PNG'
    """
    from IPython.display import Image

    renderer = render(scene, dpi=dpi, **options)
    try:
        pixels = renderer.draw_frame(len(renderer) - 1 if step is None else step)
    finally:
        renderer.close()
    return Image(data=png_bytes(pixels), format="png")


_CDN_LINK = re.compile(r"<link[^>]*font-awesome[^>]*>\s*", re.IGNORECASE)
_ICONS = {  # matplotlib's Font Awesome icons -> characters every font has
    "fa fa-minus": "−",
    "fa fa-fast-backward": "|◀",
    "fa fa-step-backward": "◁",
    "fa fa-play fa-flip-horizontal": "◀",
    "fa fa-pause": "‖",
    "fa fa-play": "▶",
    "fa fa-step-forward": "▷",
    "fa fa-fast-forward": "▶|",
    "fa fa-plus": "+",
}
_ICON = re.compile(r'<i class="(fa [^"]*)"></i>')


def offline_jshtml(page: str) -> str:
    """Matplotlib's ``to_jshtml`` page without its Font Awesome stylesheet (fetched from a CDN).

    The buttons' icons become plain characters (▶, ◁, ‖, ...), so the player looks the same in
    JupyterLab, on a docs page and offline, and the page asks for nothing outside itself.

    Examples
    --------
    >>> offline_jshtml('<link rel="stylesheet" href="https://x/font-awesome.min.css"><i class="fa fa-play"></i>')
    '▶'
    """
    page = _CDN_LINK.sub("", page)
    return _ICON.sub(lambda m: _ICONS.get(m.group(1), m.group(0)), page)


def frames_player(frames: Sequence[np.ndarray], *, dpi: float = 80, interval: int = 700) -> str:
    r"""HTML that shows RGB frames one at a time, with play, pause and step buttons in JavaScript.

    Parameters
    ----------
    frames : sequence of ndarray, shape (height, width, 3)
        ``uint8`` pictures of one size.
    dpi : float
        Only scales the figure the frames are drawn into; each frame is shown at its own pixels.
    interval : int
        Milliseconds between frames when playing.

    Returns
    -------
    str
        Matplotlib's ``Animation.to_jshtml`` page, every frame a PNG in the page, made
        self-contained by :func:`offline_jshtml`.

    Examples
    --------
    >>> frames = [np.full((4, 6, 3), v, dtype=np.uint8) for v in (0, 255)]
    >>> page = frames_player(frames, dpi=10)
    >>> page.count("data:image/png;base64"), "font-awesome" in page
    (2, False)
    """
    from matplotlib.animation import FuncAnimation
    from matplotlib.figure import Figure

    if not frames:
        raise ValueError("`frames` must hold at least one picture, got none")
    height, width = frames[0].shape[:2]
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    image = axes.imshow(frames[0], interpolation="none")

    def show(step: int) -> list[Any]:
        image.set_data(frames[step])
        return [image]

    animation = FuncAnimation(figure, show, frames=len(frames), interval=interval, repeat=False)
    return offline_jshtml(animation.to_jshtml(default_mode="once"))


def player(scene: Any, *, dpi: float = 80, interval: int = 700, **options: Any) -> Any:
    r"""Every frame of a scene as a player that needs no kernel: play, pause and step in JavaScript.

    Parameters
    ----------
    scene : Scene or ChannelScene
        From :mod:`convarith.anim.scenes`; every panel steps together.
    dpi : float
    interval : int
        Milliseconds between frames when playing.
    **options
        Passed to :func:`convarith.anim.render.render` (``numbers``, ``caption``, ``width``, ...).

    Returns
    -------
    IPython.display.HTML
        Matplotlib's ``Animation.to_jshtml`` page with the frames embedded as PNGs
        (:func:`frames_player`): it plays in JupyterLab and on a static docs page alike, offline too.

    Notes
    -----
    The frames are the renderer's pixels (the pictures :func:`still` shows), one per step of the
    scene, shown unscaled in a figure of the same size.

    Examples
    --------
    >>> from convarith.anim.scenes import conv_scene
    >>> html = player(conv_scene((4, 4), 3), dpi=20).data  # no_padding_no_strides: 4 frames
    >>> html.count("data:image/png;base64")
    4
    """
    from IPython.display import HTML

    renderer = render(scene, dpi=dpi, **options)
    try:
        frames = [renderer.draw_frame(step) for step in range(len(renderer))]
    finally:
        renderer.close()
    return HTML(frames_player(frames, dpi=dpi, interval=interval))


def on_enter(box: widgets.Text, callback: Any) -> None:
    """Call ``callback()`` when Enter is pressed in ``box`` (a text box), as a click on its button would.

    Notes
    -----
    The browser's text box sends a ``submit`` message on Enter; ipywidgets 8 still delivers it to
    the box's submission callbacks, but calls ``Text.on_submit``, which registers them, deprecated.
    Its advice (``continuous_update=False`` and a value observer) misses an Enter on an unchanged
    answer and fires when the box loses focus, so the callback is registered with the
    submission callbacks directly.

    Examples
    --------
    >>> box, pressed = widgets.Text(), []
    >>> on_enter(box, lambda: pressed.append(box.value))
    >>> box.value = "3"
    >>> box._handle_string_msg(None, {"event": "submit"}, [])  # what the browser sends on Enter
    >>> pressed
    ['3']
    """
    box._submission_callbacks.register_callback(lambda _box: callback())


def slider(description: str, value: int, low: int, high: int) -> widgets.IntSlider:
    """An integer slider that reports its value when released."""
    return widgets.IntSlider(
        value=value,
        min=low,
        max=high,
        description=description,
        continuous_update=False,
        style={"description_width": "9em"},
        layout=widgets.Layout(width="24em"),
    )


def message_html(text: str, prefix: str = "Not a valid layer") -> str:
    """Why the parameters are impossible, in red."""
    style = f"color:{BAD_COLOUR};font-weight:bold;padding:0.4em 0"
    return f'<div style="{style}">{html.escape(prefix)}: {html.escape(text)}</div>'


def check_html(text: str, ok: bool) -> str:
    """An agreement line, green when ``ok``, red otherwise."""
    return f'<div style="color:{OK_COLOUR if ok else BAD_COLOUR};font-family:monospace">{html.escape(text)}</div>'


def picture() -> widgets.Image:
    """The PNG picture a widget draws into."""
    image = widgets.Image(format="png")
    image.add_class("convarith-picture")
    return image


def html_box(css_class: str, math: bool = False) -> widgets.HTML:
    """An HTML (or HTMLMath) widget with a CSS class the browser tests find it by."""
    box = widgets.HTMLMath() if math else widgets.HTML()
    box.add_class(css_class)
    return box


class Stepper:
    """A Play control linked (in the browser too) to a step slider.

    Parameters
    ----------
    description : str
    interval : int
        Milliseconds between Play steps.
    first : {0, 1}
        The first step's number: 1 for counts ("position 1 of 9"), 0 for indices shown in the
        picture from 0 (channels, cells).
    """

    def __init__(self, description: str, interval: int, first: int = 1) -> None:
        self.first = first
        self.slider = slider(description, first, first, first)
        self.slider.continuous_update = True
        self.slider.add_class("convarith-step")
        self.play = widgets.Play(value=first, min=first, max=first, step=1, interval=interval, description="Play")
        self.play.add_class("convarith-play")
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.box = widgets.HBox([self.play, self.slider], layout=widgets.Layout(align_items="center"))

    def reset(self, frames: int) -> None:
        """``frames`` steps, starting at the first."""
        for control in (self.play, self.slider):
            control.value = self.first
            control.max = self.first + max(frames, 1) - 1

    def index(self) -> int:
        """The current frame, counted from 0."""
        return int(self.slider.value) - self.first
