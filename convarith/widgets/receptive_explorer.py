"""The receptive-field explorer: which input cells one output of a stack of layers depends on."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from convarith.anim.render import PALETTE
from convarith.widgets._common import Stepper, check_html, html_box, message_html, picture, png_bytes, slider
from convarith.widgets.channel_state import ConeState, describe_cone
from convarith.widgets.slides import SlideButton

__all__ = ["ReceptiveFieldExplorer"]


def draw_cone(state: ConeState, dpi: float) -> np.ndarray:
    """Pixels of the cone picture: one row of cells per level, the input at the bottom."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    levels = len(state.sizes)
    figure = Figure(figsize=(9.6, 1.0 + 0.75 * levels), dpi=dpi, facecolor="white")
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0.1, 0.04, 0.88, 0.92))
    ax.set_axis_off()
    width = state.sizes[0]
    # level l: cell y is drawn at the centre of its field in input coordinates
    strides, fields = [1], [1]
    assert state.field is not None
    for row in state.field.rows:
        strides.append(int(row.stride[0]))
        fields.append(int(row.size[0]))
    boxes, colours, links = [], [], []
    for level, n in enumerate(state.sizes):
        y0 = level  # the input at the bottom, the stack's output at the top
        for cell in range(n):
            x = cell * strides[level] + (fields[level] - 1) / 2
            boxes.append(Rectangle((x - 0.42, y0 - 0.3), 0.84, 0.6))
            inside = cell in state.cone[level]
            top = level == levels - 1
            colours.append(
                PALETTE["output_now"] if inside and top else
                PALETTE["input_read"] if inside else PALETTE["output"] if top else PALETTE["input"]
            )  # fmt: skip
        label = "input" if level == 0 else f"layer {level}"
        ax.text(-0.8, y0, f"{label} ({n})", ha="right", va="center", fontsize=10, color=PALETTE["text"])
    for level, cell, below in state.reads:
        x_top = cell * strides[level] + (fields[level] - 1) / 2
        x_below = below * strides[level - 1] + (fields[level - 1] - 1) / 2
        links.append([(x_below, level - 1 + 0.3), (x_top, level - 0.3)])
    ax.add_collection(LineCollection(links, colors=PALETTE["link"], linewidths=0.6, zorder=1))
    ax.add_collection(PatchCollection(boxes, facecolors=colours, edgecolors=PALETTE["input_edge"], linewidths=0.5))
    ax.set_xlim(-0.6 - width * 0.12, width - 0.4)
    ax.set_ylim(-0.5, levels - 0.5)
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[..., :3].copy()  # type: ignore[attr-defined]


class ReceptiveFieldExplorer(widgets.VBox):
    """Which input cells one output of a stack depends on, layer by layer.

    Parameters
    ----------
    layers, kernel_size, stride, dilation : int
        Starting values of the stack of identical unpadded convolutions.
    dpi : float
    interval : int
        Milliseconds between Play steps (one step per output cell).
    slides : bool
        Show a row that writes the traced output cells as 1920 × 1080 slides
        (:class:`~convarith.widgets.slides.SlideButton`, :func:`~convarith.widgets.slides.export_frames`).

    Attributes
    ----------
    controls : dict of str to IntSlider
    step, play : IntSlider, Play
        The output cell traced, numbered from 0 as in the check line.
    picture, check, message
        As in :class:`~convarith.widgets.LayerExplorer`; ``text`` shows the closed form.
    state : ConeState
    slide_button : SlideButton or None
        The slide-export row (None with ``slides=False``).

    Examples
    --------
    >>> explorer = ReceptiveFieldExplorer(2, 3, stride=2, dpi=20)
    >>> explorer.state.extent, explorer.state.agrees  # r0 = 1 + 2 + 2*2 = 7
    ((0, 6), True)
    """

    def __init__(
        self,
        layers: int = 3,
        kernel_size: int = 3,
        stride: int = 1,
        dilation: int = 1,
        *,
        dpi: float = 80,
        interval: int = 700,
        slides: bool = True,
    ) -> None:
        self.dpi = dpi
        self.controls = {
            "layers": slider("layers", layers, 1, 5),
            "kernel_size": slider("kernel k", kernel_size, 1, 5),
            "stride": slider("stride s", stride, 1, 3),
            "dilation": slider("dilation d", dilation, 1, 3),
        }
        for name, control in self.controls.items():
            control.add_class(f"convarith-{name.replace('_', '-')}")
            control.observe(lambda change: self.update(), names="value")
        self._stepper = Stepper("output cell", interval, first=0)
        self.step = self._stepper.slider
        self.play = self._stepper.play
        self.step.observe(lambda change: self._redraw(), names="value")
        self.picture = picture()
        self.text = html_box("convarith-text")
        self.check = html_box("convarith-check")
        self.message = html_box("convarith-message")
        self.state = ConeState((), (), 0, None)
        self._busy = False
        self.slide_button = SlideButton(self.slide_frames, filename="receptive_field_slide") if slides else None
        super().__init__(
            [widgets.VBox([*self.controls.values(), self._stepper.box]), self.message, self.picture, self.check,
             self.text] + ([self.slide_button] if self.slide_button is not None else []),
            layout=widgets.Layout(border="1px solid #ddd", padding="0.5em"),
        )  # fmt: skip
        self.add_class("convarith-explorer")
        self.update()

    def slide_frames(self) -> list[np.ndarray] | None:
        """The pictures **Export slide** writes: every traced output cell, drawn at slide resolution (200 dpi).

        Returns
        -------
        list of ndarray or None
            One RGB picture per output cell of the Play control; None when the stack cannot be drawn.

        Examples
        --------
        >>> [frame.shape[1] for frame in ReceptiveFieldExplorer(2, 3, dpi=20, slides=False).slide_frames()]
        [1920, 1920, 1920]
        """
        states = [describe_cone(**self._parameters(), output=cell) for cell in range(int(self.step.max) + 1)]
        if any(s.field is None for s in states):
            return None
        return [draw_cone(s, 200) for s in states]

    def _parameters(self) -> dict[str, int]:
        return {name: int(control.value) for name, control in self.controls.items()}

    def update(self) -> None:
        """Rebuild the stack from the controls and show its first output cell (of 3)."""
        self._busy = True
        try:
            self._stepper.reset(3)
        finally:
            self._busy = False
        self._redraw()

    def _redraw(self) -> None:
        if self._busy:
            return
        state = describe_cone(**self._parameters(), output=self._stepper.index())
        self.state = state
        if state.field is None:
            self.message.value = message_html(state.message or "", "Cannot draw this stack")
            self.picture.layout.display = "none"
            self.check.value = self.text.value = ""
            return
        pixels = draw_cone(state, self.dpi)
        self.message.value = ""
        self.picture.layout.display = None
        self.picture.width, self.picture.height = str(pixels.shape[1]), str(pixels.shape[0])
        self.picture.value = png_bytes(pixels)
        self.check.value = check_html(state.check_text(), state.agrees)
        self.text.value = f"<pre>{html.escape(repr(state.field))}</pre>"
