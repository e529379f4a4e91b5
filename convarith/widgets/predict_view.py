"""The prediction box under an explorer's picture: the question, an answer box, Check, and the verdict.

:class:`PredictionBox` only shows what :mod:`convarith.widgets.predict` computes; the
:class:`~convarith.widgets.LayerExplorer` decides when to ask and what to reveal. Nothing it shows
before Check depends on the answer.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import numpy as np

from convarith.arithmetic.english import cell_name
from convarith.widgets._common import BAD_COLOUR, OK_COLOUR, Stepper, html_box, on_enter, png_bytes
from convarith.widgets.links import link_step, mark_cells
from convarith.widgets.predict import (
    PredictionFormatError,
    Question,
    Verdict,
    check_next_value,
    check_output_size,
    check_reads,
    question,
    without_winners,
)

__all__ = ["TARGET_COLOUR", "CHOSEN_COLOUR", "PredictionBox", "click_events", "question_pixels"]

TARGET_COLOUR = "#1a1a1a"
"""Outline of the cell a question is about (black, three pixels wide)."""
CHOSEN_COLOUR = "#e69f00"
"""Tint and outline of the cells a student clicked (orange)."""


class PredictionBox(widgets.VBox):
    """A question, an answer box (or clicks on the picture), Check, Next, and the verdict.

    Attributes
    ----------
    prompt : HTML
        The question (class ``convarith-predict-prompt``).
    answer : Text
        The typed prediction (``convarith-predict-answer``); hidden when the answer is clicked.
    check_button, next_button : Button
        ``convarith-predict-check``, ``convarith-predict-next``.
    feedback : HTML
        Empty until Check; then right or wrong and the working (``convarith-predict-feedback``).

    Examples
    --------
    >>> box = PredictionBox()
    >>> box.ask("What is the output size?", typed=True)
    >>> box.show(Verdict(False, "✗ You said 4×4; the output is 3×3", "o = 3"))
    >>> "3×3" in box.feedback.value
    True
    """

    def __init__(self) -> None:
        self.prompt = html_box("convarith-predict-prompt")
        self.answer = widgets.Text(
            value="", placeholder="your prediction", description="Prediction:", layout=widgets.Layout(width="20em")
        )
        self.answer.add_class("convarith-predict-answer")
        self.check_button = widgets.Button(description="Check", button_style="primary")
        self.check_button.add_class("convarith-predict-check")
        self.next_button = widgets.Button(description="Next position", layout=widgets.Layout(width="auto"))
        self.next_button.add_class("convarith-predict-next")
        self.feedback = html_box("convarith-predict-feedback")
        self._row = widgets.HBox([self.answer, self.check_button, self.next_button])
        super().__init__([self.prompt, self._row, self.feedback], layout=widgets.Layout(margin="0.3em 0"))
        self.add_class("convarith-predict")

    def ask(self, prompt: str, *, typed: bool, next_step: bool = False) -> None:
        """Show a new question: clear the answer and the verdict; ``typed``: an answer box (else clicks)."""
        self.prompt.value = f"<b>Predict.</b> {html.escape(prompt)}"
        self.answer.value = ""
        self.answer.layout.display = None if typed else "none"
        self.feedback.value = ""
        self.check_button.disabled = False
        self.next_button.layout.display = None if next_step else "none"
        self.next_button.disabled = True

    def idle(self, text: str, *, can_go_on: bool = False) -> None:
        """No open question: ``text`` says what to do next; Next is enabled when ``can_go_on``."""
        self.prompt.value = html.escape(text)
        self.check_button.disabled = True
        self.next_button.disabled = not can_go_on

    def show(self, verdict: Verdict) -> None:
        """Right or wrong (green or red), then the working, one line each."""
        colour = OK_COLOUR if verdict.correct else BAD_COLOUR
        lines = "".join(f"<div><i>{html.escape(line)}</i></div>" for line in verdict.detail.splitlines() if line)
        self.feedback.value = f'<div style="color:{colour}"><b>{html.escape(verdict.text)}</b></div>{lines}'

    def unreadable(self, message: str) -> None:
        """An answer that cannot be read: say how to write it (nothing is revealed)."""
        self.feedback.value = f'<div style="color:{BAD_COLOUR}">{html.escape(message)}</div>'

    def on(self, check: Any, next_step: Any) -> None:
        """Call ``check()`` on Check and ``next_step()`` on Next."""
        self.check_button.on_click(lambda _: check())
        on_enter(self.answer, lambda: None if self.check_button.disabled else check())  # Enter checks, as Check does
        self.next_button.on_click(lambda _: next_step())


def question_pixels(renderer: Any, q: Question, chosen: Any, pixels: np.ndarray) -> np.ndarray:
    """``pixels`` with a question's marks: its cell outlined, the chosen cells tinted (in place; returned).

    Parameters
    ----------
    renderer : Renderer
        The picture's renderer (:meth:`~convarith.anim.render.Renderer.cell_box`).
    q : Question
    chosen : iterable of tuple of int
        Cells of the question's grid the student clicked.
    pixels : ndarray, shape (height, width, 3)
    """
    mark_cells(pixels, [renderer.cell_box(0, q.target_grid, q.target)], TARGET_COLOUR, width=3)
    mark_cells(pixels, [renderer.cell_box(0, q.grid, c) for c in sorted(chosen)], CHOSEN_COLOUR, fill=0.55, width=2)
    return pixels


def click_events(image: widgets.Image, handler: Any) -> Any:
    """Clicks on ``image`` call ``handler(event)``; None without ipyevents (no clicks, all else works).

    The event (an ``ipyevents.Event`` watching ``'click'``) carries ``arrayX`` and ``arrayY``: the
    pixel of the image array under the mouse, whatever size the image is shown at.
    """
    try:
        from ipyevents import Event
    except ImportError:  # pragma: no cover - ipyevents is in the notebooks extra
        return None
    events = Event(source=image, watched_events=["click"])
    events.on_dom_event(handler)
    return events


Key = tuple[tuple[str, Any], ...]


class PredictAndLink:
    """The layer explorer's questions and clicks (a mixin of :class:`~convarith.widgets.LayerExplorer`).

    Per layer (the explorer's cache key) it remembers whether the output size was revealed and how
    many positions were; the open question is the first position not revealed.
    """

    predict: str | None
    renderer: Any
    state: Any
    prediction: PredictionBox
    chosen: set[tuple[int, ...]]
    picture: widgets.Image
    position: widgets.HTML
    notice: widgets.HTML
    step: widgets.IntSlider
    play: widgets.Play
    _stepper: Stepper
    _busy: bool
    _key: Key
    _sized: set[Any]
    _revealed: dict[Key, int]
    _asked: tuple[Any, ...]
    _plain: tuple[Any, Any] | None  # (renderer, a renderer of its scene without max-pooling winners)

    def _show_state(self, state: Any, renderer: Any) -> None:  # pragma: no cover - the explorer's
        raise NotImplementedError

    def _draw(self, step: int) -> None:  # pragma: no cover - the explorer's
        raise NotImplementedError

    def _asks_steps(self) -> bool:
        """Whether positions are predicted one by one (values are not asked in the scatter view)."""
        if self.predict not in ("next_value", "reads") or self.renderer is None:
            return False
        return not (self.predict == "next_value" and self.renderer.scene.panels[0].footprint_on_output)

    def _question_step(self) -> int:
        """The first position not revealed yet (the open question), counted from 0."""
        return self._revealed.get(self._key, 0)

    def _limit_steps(self) -> None:
        """Let the step slider reach the revealed positions and the open question, no further."""
        if self._asks_steps() and self.renderer is not None:
            last = min(len(self.renderer), self._question_step() + 1)
            for control in (self.play, self.step):
                control.max = last

    def check_prediction(self) -> Verdict | None:
        """Check the open prediction, say right or wrong, and reveal; None if nothing was asked.

        An answer that cannot be read gets a message saying how to write it, and reveals nothing.
        """
        state, renderer = self.state, self.renderer
        if self.predict is None or state.scene is None or state.layer is None or renderer is None:
            return None
        step = self._stepper.index()
        try:
            if self.predict == "output_size":
                if state.layer in self._sized:
                    return None
                verdict = check_output_size(state.layer, self.prediction.answer.value)
                self._sized.add(state.layer)
                self._show_state(state, renderer)
                self.prediction.show(verdict)
                return verdict
            if not self._asks_steps() or step != self._question_step():
                return None
            panel = renderer.scene.panels[0]
            if self.predict == "next_value":
                verdict = check_next_value(panel, step, self.prediction.answer.value)
            else:
                verdict = check_reads(panel, step, self.chosen)
        except PredictionFormatError as error:
            self.prediction.unreadable(str(error))
            return None
        self._revealed[self._key] = step + 1
        busy, self._busy = self._busy, True
        try:
            self._limit_steps()
        finally:
            self._busy = busy
        self._draw(step)
        self.prediction.show(verdict)
        return verdict

    def next_question(self) -> None:
        """Move to the open question (the first position not revealed)."""
        if self._asks_steps() and self.renderer is not None and self._question_step() < len(self.renderer):
            self.step.value = self._question_step() + 1

    def _draw_question(self, step: int) -> None:
        """The picture before position ``step`` is revealed: the cell asked about, and the cells clicked."""
        renderer = self.renderer
        assert renderer is not None
        q = question(renderer.scene.panels[0], step)
        if self._asked != (self._key, step):
            self._asked = (self._key, step)
            self.chosen = set()
            self.prediction.ask(q.prompt(str(self.predict)), typed=self.predict == "next_value", next_step=True)
        still = renderer.still_frame()
        if self.predict == "next_value":  # the kernel in place, its output cell blank (and no winner)
            pixels = self._plain_renderer().draw_frame(step).copy()
            r0, r1, c0, c1 = renderer.cell_box(0, 1, q.target)
            pixels[r0:r1, c0:c1] = still[r0:r1, c0:c1]
        else:  # nothing highlighted: no cell read, no kernel
            pixels = still
        self.picture.value = png_bytes(question_pixels(renderer, q, self.chosen, pixels))
        where = "input cell" if q.target_grid == 0 else "output cell"
        self.position.value = (
            f"kernel position {step + 1} of {len(renderer)}: {where} {cell_name(q.target)}, predict first"
        )

    def _plain_renderer(self) -> Any:
        """The renderer, or one of the same picture without the max-pooling winners (it is the answer)."""
        renderer = self.renderer
        if not any(f.winner is not None for p in renderer.scene.panels for f in p.frames):
            return renderer
        if self._plain is None or self._plain[0] is not renderer:
            from convarith.anim.render import Renderer

            if self._plain is not None:
                self._plain[1].close()
            width, height = (float(v) for v in renderer.figure.get_size_inches())
            plain = Renderer(
                without_winners(renderer.scene), numbers=renderer.numbers, caption=renderer.caption,
                width=width, height=height, dpi=float(renderer.figure.dpi),
            )  # fmt: skip
            self._plain = (renderer, plain)
        return self._plain[1]

    # -- click to link -------------------------------------------------------------------------
    def on_click(self, event: dict[str, Any]) -> None:
        """A click on the picture (an ``ipyevents`` event: ``arrayX``, ``arrayY`` are its pixel).

        On an output cell: move to the position that computes it (the scatter view: on an input
        cell, to where it adds the kernel). While a ``'reads'`` question is open, a click on its
        grid picks or unpicks a cell. Elsewhere nothing happens, or :attr:`notice` says what to
        click instead.
        """
        renderer = self.renderer
        x, y = event.get("arrayX"), event.get("arrayY")
        if renderer is None or x is None or y is None or self.picture.layout.display == "none":
            return
        hit = renderer.cell_at(float(x), float(y))
        if hit is None:
            return
        number, grid, coord = hit
        panel = renderer.scene.panels[number]
        step = self._stepper.index()
        asking = self._asks_steps() and step == self._question_step()
        if asking and self.predict == "reads" and grid == question(panel, step).grid:
            self.chosen ^= {coord}
            self._draw_question(step)
            return
        link = link_step(panel, grid, coord)
        if link.step is None:
            self.notice.value = html.escape(link.note)
            return
        if self._asks_steps() and link.step > self._question_step():
            self.notice.value = html.escape(
                f"Predict position {self._question_step() + 1} first: positions are revealed in order."
            )
            return
        self.notice.value = ""
        self.step.value = link.step + 1
