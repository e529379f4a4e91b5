"""One minimum glyph size on every picture, measured in the written pixels.

For every kind of scene, at the notebook view's 80 dpi (768 × 432) and on a 1920 × 1080 slide, each
text of a frame, written by Agg as the renderer sets it (string, size, weight, font), must have
ink as high as the same text written at :data:`~convarith.anim.render.base.MIN_GLYPH_POINTS`
(digits 9 pixels high in the notebook view, 22 on a slide). Cell values, kernel weights
in cell corners, grid labels, titles and captions alike: 02's padding-modes still once wrote cell
digits about 7 pixels high, 01's corner weights 5.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from convarith.anim.render import render
from convarith.anim.render.base import MIN_GLYPH_POINTS
from convarith.anim.scenes import (
    GUIDE_INPUT,
    GUIDE_KERNEL,
    conv_scene,
    group_scene,
    overlap_scene,
    padding_modes_scene,
    pool_scene,
    same_comparison_scene,
    symmetric_scene,
    transpose_scene,
)

SCENES: dict[str, Callable[[], Any]] = {
    "conv, guide numbers, weights in corners": lambda: conv_scene(
        (5, 5), 3, numbers=True, input_values=GUIDE_INPUT, kernel_values=GUIDE_KERNEL
    ),
    "conv 12×12 with numbers": lambda: conv_scene((12, 12), 3, numbers=True),
    "conv 1-D": lambda: conv_scene((8,), 3, 2, 1, numbers=True),
    "max pool, ceil mode": lambda: pool_scene((5, 5), 2, 2, ceil_mode=True),
    "transposed, direct": lambda: transpose_scene((3, 3), 3, 2, numbers=True),
    "transposed, scatter": lambda: transpose_scene((3, 3), 3, 2, view="scatter", numbers=True),
    "padding modes (02)": lambda: padding_modes_scene(np.arange(25).reshape(5, 5) % 10, 3, 2),
    "same comparison": lambda: same_comparison_scene(6, 3, 2),
    "symmetric (09)": lambda: symmetric_scene(4),
    "groups": lambda: group_scene(4, 6, 2),
    "overlap (14)": lambda: overlap_scene((4, 4), 3, 2),
}
DPIS = {80: "notebook view", 200: "1920 × 1080 slide"}


def _texts(figure: Any) -> list[Any]:
    from matplotlib.text import Text

    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _written_height(text: str, size: float, weight: Any, family: Any, dpi: float) -> int:
    """The ink height in pixels of ``text`` as Agg writes it at ``size`` points and ``dpi`` (dark on white)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(max(2.0, 0.02 * size * len(text)), max(1.0, 0.04 * size)), dpi=dpi, facecolor="white")
    canvas = FigureCanvasAgg(figure)
    figure.text(0.5, 0.5, text, ha="center", va="center", fontsize=size, fontweight=weight, family=family)
    canvas.draw()
    ink = np.flatnonzero((np.asarray(canvas.buffer_rgba())[..., :3] < 128).any(axis=(1, 2)))
    return int(ink[-1] - ink[0] + 1) if ink.size else 0


def _too_small(scene: Any, dpi: float, step: int) -> tuple[int, list[tuple[int, int, str]]]:
    """How many texts frame ``step`` has, and those whose ink is lower than the same text at the minimum."""
    renderer = render(scene, dpi=dpi)
    try:
        renderer.draw_frame(step)
        floor = MIN_GLYPH_POINTS * float(renderer.figure.get_size_inches()[1]) / 5.4
        seen: dict[tuple[Any, ...], tuple[int, int]] = {}
        small, texts = [], _texts(renderer.figure)
        for text in texts:
            words, size, weight = text.get_text(), text.get_fontsize(), text.get_fontweight()
            family = list(text.get_fontfamily())
            key = (words, size, weight, *family)
            if key not in seen:
                seen[key] = (
                    _written_height(words, size, weight, family, dpi),
                    _written_height(words, floor, weight, family, dpi),
                )
            written, least = seen[key]
            if written < least - 1 or written == 0:  # one pixel for where the glyphs fall on the grid
                small.append((written, least, words))
        return len(texts), small
    finally:
        renderer.close()


@pytest.mark.parametrize("dpi", DPIS, ids=list(DPIS.values()))
@pytest.mark.parametrize("name", SCENES)
def test_every_text_is_at_least_the_minimum_glyph(name: str, dpi: float) -> None:
    scene = SCENES[name]()
    step = min(3, len(scene) - 1)  # a step with values, weights and a highlighted cell
    count, small = _too_small(scene, dpi, step)
    assert count >= 3
    assert not small, f"{name} at {dpi} dpi: (ink px, ink px at the minimum, text): {sorted(small)[:5]}"
    digit = _written_height("0123456789", MIN_GLYPH_POINTS, "normal", ["sans-serif"], dpi)
    assert digit >= (8 if dpi == 80 else 20)  # the minimum's digits: 9 pixels high in the notebook view, 22 on a slide


def test_the_minimum_is_projectable() -> None:
    assert MIN_GLYPH_POINTS * 80 / 72 == pytest.approx(12)  # 12-pixel type in the notebook view
    assert MIN_GLYPH_POINTS * 200 / 72 == pytest.approx(30)  # 30 pixels on a 1080-pixel-high slide


def test_no_notebook_draws_below_the_notebook_view() -> None:
    """09 once played the C2sp stack at 60 dpi: labels 8 pixels, the caption 7."""
    import re
    from pathlib import Path

    low = [
        (path.name, int(dpi))
        for path in sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
        for dpi in re.findall(r"dpi=(\d+)", path.read_text(encoding="utf-8"))
        if int(dpi) < 80
    ]
    assert not low, low
