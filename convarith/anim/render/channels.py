"""The channel view of a grouped convolution: which input channels feed each output channel.

:class:`ChannelRenderer` draws a :class:`convarith.anim.scenes.ChannelScene`: a box per input
channel on the left, a box per output channel on the right, their edges coloured by group, and
a faint line for every input channel an output channel reads. The still picture is drawn once and
cached; a step draws highlighted copies of one output channel, its inputs and their links over it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convarith.anim.render.base import FigureRenderer, check_size, new_figure, raise_small_texts
from convarith.anim.render.palette import GROUP_COLOURS, PALETTE
from convarith.anim.scenes import ChannelScene
from convarith.arithmetic.english import plural
from convarith.arithmetic.validate import check_bool, check_choice


class ChannelRenderer(FigureRenderer):
    """The channel view of a grouped convolution: input and output channels, and who feeds whom.

    Parameters
    ----------
    scene : ChannelScene
    caption : bool
    caption_scale : float
        As in :class:`Renderer`.
    width, height, dpi : float
        As in :class:`Renderer`.

    Notes
    -----
    The boxes, faded links and labels are drawn once; each step draws highlighted copies of the
    boxes and links involved over them.

    Examples
    --------
    >>> from convarith.anim.scenes import group_scene
    >>> ChannelRenderer(group_scene(4, 4, 2), dpi=20).draw_frame(0).shape
    (108, 192, 3)
    """

    def __init__(
        self,
        scene: ChannelScene,
        *,
        caption: bool = True,
        caption_scale: float = 1.0,
        width: float = 9.6,
        height: float = 5.4,
        dpi: float = 100,
        numbers: bool | None = None,
        layout: str = "auto",
    ) -> None:
        if not isinstance(scene, ChannelScene):
            raise TypeError(f"`scene` must be a ChannelScene, got {type(scene).__name__}")
        check_size(width, height, dpi, caption_scale)
        caption = check_bool(caption, "caption")
        if numbers is not None:
            check_bool(numbers, "numbers")
        check_choice(layout, "layout", ("auto", "horizontal", "vertical"))
        self.scene = scene
        self.step = -1
        self._background: Any = None
        self.figure, self.canvas = new_figure(width, height, dpi)
        fig = self.figure
        height_in = float(fig.get_size_inches()[1])
        sc = height_in / 5.4
        bottom, top = self._titles(sc, caption, caption_scale)
        ax = fig.add_axes((0.05, bottom, 0.9, top - bottom))
        ax.set_axis_off()
        self._ax = ax
        rows = max(scene.in_channels, scene.out_channels)
        ax.set_xlim(-2.2, 12.2)
        ax.set_ylim(-0.6, rows - 0.4)
        self._channels(sc, (top - bottom) * height_in * 72 / rows)
        self._labels(sc, height_in, top - bottom)
        self._active: list[Any] = []
        for artist in self._all_highlights():
            artist.set_visible(False)
        raise_small_texts(fig, sc)  # one minimum glyph size for every text

    def _titles(self, sc: float, caption: bool, caption_scale: float) -> tuple[float, float]:
        """The title and the caption lines; the bottom and top of the axes between them (figure fractions)."""
        fig, scene = self.figure, self.scene
        height_in = float(fig.get_size_inches()[1])
        fig.text(0.5, 1 - 0.32 * sc / height_in, scene.title, ha="center", va="center", fontsize=17 * sc,
                 fontweight="bold", color=PALETTE["text"])  # fmt: skip
        n_caption = len(scene.caption) if caption else 0
        csc = sc * caption_scale
        width_pts = float(fig.get_size_inches()[0]) * 72
        for line_no, line in enumerate(scene.caption if caption else ()):
            size = min((14 if line_no == 0 else 11) * csc, 0.94 * width_pts / (0.6 * len(line)))
            fig.text(0.5, (0.24 + 0.3 * (n_caption - 1 - line_no)) * csc / height_in, line, ha="center",
                     va="center", fontsize=size,
                     color=PALETTE["text"] if line_no == 0 else PALETTE["muted"])  # fmt: skip
        bottom = (0.14 + 0.3 * n_caption) * csc / height_in + 0.45 * sc / height_in + 0.02  # labels below
        top = 1 - (0.62 + 0.4) * sc / height_in  # room for the status line above
        return bottom, top

    def _channels(self, sc: float, points_per_unit: float) -> None:
        """A box per channel (and its highlighted copy), a faint line per link (and its highlighted copy)."""
        from matplotlib.patches import FancyBboxPatch

        ax = self._ax
        cin, cout, g = self.scene.in_channels, self.scene.out_channels, self.scene.groups
        rows = max(cin, cout)
        per_in, per_out = cin // g, cout // g
        font = min(13.0 * sc, 0.5 * points_per_unit)
        box_h = 0.8

        def y_of(index: int, count: int) -> float:
            return rows - 1 - (index + 0.5) * rows / count + 0.5

        def box(x: float, y: float, label: str, face: str, edge: str, animated: bool) -> tuple[Any, Any]:
            patch = FancyBboxPatch((x, y - box_h / 2), 1.6, box_h, boxstyle="round,pad=0.02,rounding_size=0.12",
                                   facecolor=face, edgecolor=edge, linewidth=2.4 * sc, animated=animated,
                                   zorder=2 if animated else 1.8)  # fmt: skip
            ax.add_patch(patch)
            text = ax.text(x + 0.8, y, label, ha="center", va="center", fontsize=font, animated=animated,
                           zorder=2.5 if animated else 1.9,
                           color="white" if animated and face == PALETTE["output_now"] else "black")  # fmt: skip
            return patch, text

        self._in_hi: list[tuple[Any, Any]] = []
        self._out_hi: list[tuple[Any, Any]] = []
        self._links_hi: list[list[Any]] = []
        for c in range(cin):
            edge = GROUP_COLOURS[(c // per_in) % 8]
            box(0, y_of(c, cin), f"in {c}", PALETTE["input"], edge, False)
            self._in_hi.append(box(0, y_of(c, cin), f"in {c}", PALETTE["input_read"], edge, True))
        for c in range(cout):
            edge = GROUP_COLOURS[(c // per_out) % 8]
            box(8.4, y_of(c, cout), f"out {c}", PALETTE["output"], edge, False)
            self._out_hi.append(box(8.4, y_of(c, cout), f"out {c}", PALETTE["output_now"], edge, True))
        for c in range(cout):
            group = c // per_out
            colour = GROUP_COLOURS[group % 8]
            highlighted: list[Any] = []
            for ci in range(group * per_in, (group + 1) * per_in):
                ends = ([1.6, 8.4], [y_of(ci, cin), y_of(c, cout)])
                ax.plot(*ends, color=colour, linewidth=1.0 * sc, alpha=0.22, zorder=1)
                highlighted.append(ax.plot(*ends, color=colour, linewidth=3.0 * sc, zorder=1.5, animated=True)[0])
            self._links_hi.append(highlighted)

    def _labels(self, sc: float, height_in: float, axes_height: float) -> None:
        """The names of the two columns and the groups below the axes, and the status line above."""
        ax = self._ax
        cin, cout, g = self.scene.in_channels, self.scene.out_channels, self.scene.groups
        for x, text, colour in (
            (0.8, f"input: {plural(cin, 'channel')}", PALETTE["input_edge"]),
            (9.2, f"output: {plural(cout, 'channel')}", PALETTE["output_edge"]),
        ):
            ax.text(x, -0.3 * sc / height_in / axes_height, text, ha="center", va="center", fontsize=14 * sc,
                    color=colour, fontweight="bold", transform=ax.get_xaxis_transform())  # fmt: skip
        ax.text(5.0, -0.3 * sc / height_in / axes_height, f"{g} group{'s' if g != 1 else ''}", ha="center",
                va="center", fontsize=13 * sc, color=PALETTE["muted"], transform=ax.get_xaxis_transform())  # fmt: skip
        self._label = ax.text(5.0, 1 + 0.2 * sc / height_in / axes_height, "", ha="center", va="center",
                              fontsize=13 * sc, color=PALETTE["text"], animated=True,
                              transform=ax.get_xaxis_transform())  # fmt: skip

    def _all_highlights(self) -> list[Any]:
        pairs = [a for pair in self._in_hi + self._out_hi for a in pair]
        return pairs + [line for lines in self._links_hi for line in lines]

    def update(self, step: int) -> None:
        """Highlight output channel ``step`` and the input channels it reads."""
        frame = self.scene.frames[self._check_step(step)]
        for artist in self._active:
            if artist is not self._label:
                artist.set_visible(False)
        active = list(self._links_hi[frame.output_channel])
        for c in frame.input_channels:
            active += self._in_hi[c]
        active += self._out_hi[frame.output_channel]
        for artist in active:
            artist.set_visible(True)
        self._active = [*active, self._label]
        self._label.set_text(
            f"output channel {frame.output_channel} (group {frame.group}) reads input channel"
            + ("s " if len(frame.input_channels) > 1 else " ")
            + ", ".join(str(c) for c in frame.input_channels)
        )
        self.step = int(step)

    def _draw(self, step: int | None) -> np.ndarray:
        if step is not None:
            self.update(step)
        elif self.step < 0:
            self.update(0)
        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.canvas.restore_region(self._background)
        for artist in sorted(self._active, key=lambda a: a.get_zorder()):
            self._ax.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())
