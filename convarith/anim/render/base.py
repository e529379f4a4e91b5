"""What every renderer shares: a figure on its own Agg canvas, and stepping through the frames.

Renderers never use pyplot: each owns a :class:`matplotlib.figure.Figure` on a
:class:`~matplotlib.backends.backend_agg.FigureCanvasAgg`, so nothing global is kept and
figures are freed with the renderer. A subclass says how to show a step (:meth:`update`) and
how to draw it into the canvas (:meth:`_draw`); pixels, Pillow images, ``savefig`` and
iteration come from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from convarith.anim.render.layout import pixel_size
from convarith.arithmetic.validate import LayerError, check_number

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


MIN_GLYPH_POINTS = 10.8
"""The smallest font size of any text in a picture, in points on a 5.4-inch-high figure.

Fonts scale with the figure's height, so this is one size relative to the picture: 12 pixels
(digits about 9 pixels high) in the notebook view (9.6 × 5.4 inches at 80 dpi, 768 × 432), 30
pixels on a 1920 × 1080 slide. Every renderer raises any smaller text to it after building its
figure (:func:`raise_small_texts`); ``tests/anim/test_glyphs.py`` measures the ink in written pixels.
"""


def raise_small_texts(figure: Any, scale: float) -> None:
    """Raise every text of ``figure`` below :data:`MIN_GLYPH_POINTS` (× ``scale``, height / 5.4 in) to it.

    Never below one pixel either: FreeType refuses a size that rounds to 0 (a long caption set
    smaller to fit a small frame could go under a pixel). Run once after a renderer builds its texts.
    """
    from matplotlib.text import Text

    floor = max(MIN_GLYPH_POINTS * scale, 72 / float(figure.dpi))  # 72 / dpi points: one pixel
    for text in figure.findobj(Text):
        if text.get_fontsize() < floor:
            text.set_fontsize(floor)


MIN_DPI, MAX_DPI = 10, 1000
"""``dpi`` bounds: below 10 the usual text is under a pixel (FreeType refuses it)."""

MIN_PIXELS, MAX_PIXELS = 16, 8192
"""Bounds of a frame's width and height in pixels (``width*dpi``, ``height*dpi``): 8192 is 8K."""


def check_size(width: Any, height: Any, dpi: Any, caption_scale: Any = 1.0) -> None:
    """Check the drawing options: numbers (not bools or strings), finite, within the documented bounds.

    ``dpi`` in [:data:`MIN_DPI`, :data:`MAX_DPI`]; ``width`` and ``height`` (inches) such that each
    side has :data:`MIN_PIXELS` to :data:`MAX_PIXELS` pixels; ``caption_scale`` in [0.25, 4].
    """
    dots = check_number(dpi, "dpi", MIN_DPI, MAX_DPI)
    for name, value in (("width", width), ("height", height)):
        inches = check_number(value, name, 0, MAX_PIXELS, unit=" (inches)", inclusive=False)
        if not MIN_PIXELS <= inches * dots <= MAX_PIXELS:
            raise LayerError(
                f"`{name}` {inches:g} inches at `dpi` {dots:g} is {inches * dots:.0f} pixels; a frame's "
                f"side must have {MIN_PIXELS} to {MAX_PIXELS} pixels"
            )
    check_number(caption_scale, "caption_scale", 0.25, 4)


def new_figure(width: float, height: float, dpi: float) -> tuple[Figure, Any]:
    """A white figure of ``width*dpi`` × ``height*dpi`` pixels (even sides) on its own Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    px_w, px_h = pixel_size(width, height, dpi)
    figure = Figure(figsize=(px_w / dpi, px_h / dpi), dpi=dpi, facecolor="white")
    return figure, FigureCanvasAgg(figure)


class FigureRenderer:
    """What every renderer shares: a figure on an Agg canvas, and stepping through it."""

    figure: Figure
    canvas: Any
    step: int
    scene: Any

    def __len__(self) -> int:
        return len(self.scene)

    def update(self, step: int) -> None:  # pragma: no cover - overridden
        """Show step ``step`` on the artists."""
        raise NotImplementedError

    def _draw(self, step: int | None) -> np.ndarray:  # pragma: no cover - overridden
        """Draw step ``step`` into the canvas; return the canvas's RGBA buffer (not a copy)."""
        raise NotImplementedError

    def image(self, step: int | None = None) -> Any:
        """Step ``step`` (the current step if None) as a Pillow RGB image."""
        from PIL import Image

        rgba = self._draw(step)
        height, width = rgba.shape[:2]
        return Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB")

    def draw_frame(self, step: int | None = None) -> np.ndarray:
        """Pixels of step ``step`` (the current step if None): ``uint8`` array ``(height, width, 3)``."""
        return np.asarray(self.image(step))

    def images(self) -> Iterator[Any]:
        """Iterate over every step as a Pillow RGB image."""
        for step in range(len(self)):
            yield self.image(step)

    def _check_step(self, step: int) -> int:
        n = len(self.scene)
        if isinstance(step, bool) or not isinstance(step, int | np.integer):
            raise TypeError(f"`step` must be an integer, got {type(step).__name__} {step!r}")
        if not 0 <= step < n:
            raise ValueError(f"`step` must be in [0, {n}), got {step}")
        return int(step)

    def savefig(self, fname: Any, step: int | None = None, **kwargs: Any) -> None:
        """Save step ``step`` with :meth:`matplotlib.figure.Figure.savefig` (any format, vector too)."""
        if step is not None:
            self.update(step)
        elif self.step < 0:
            self.update(0)
        self._prepare_full_draw()
        self.figure.savefig(fname, **kwargs)

    def _prepare_full_draw(self) -> None:
        """Bring artists that blitting keeps in the background up to date (before a full draw)."""

    def frames(self) -> Iterator[np.ndarray]:
        """Iterate over the pixels of every step."""
        for step in range(len(self)):
            yield self.draw_frame(step)

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` in pixels."""
        w, h = self.canvas.get_width_height()
        return int(w), int(h)

    def close(self) -> None:
        """Release the figure's axes and texts (renderers do not use pyplot, so nothing global is kept).

        The axes are removed, not cleared: :meth:`matplotlib.axes.Axes.clear` builds new ticks
        and costs more than drawing a frame (an explorer closes a renderer per new layer).
        """
        for ax in list(self.figure.axes):
            self.figure.delaxes(ax)
        self.figure.texts.clear()
