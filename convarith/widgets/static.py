"""Kernel-free views of the widgets, for pages that no Python stands behind (the built docs).

A widget on a static page is drawn from its saved state: its sliders move, but no kernel answers,
so the picture stays. When the environment variable :data:`STATIC_ENV` is set (``docs/conf.py``
sets it, and the notebook kernels of the docs build inherit it), ``import convarith.widgets``
calls :func:`register_static_views`, and IPython shows each widget by :func:`static_html`
instead:

* :class:`~convarith.widgets.LayerExplorer` -- every kernel position of its layer, embedded as
  PNG frames with play, pause and step buttons in JavaScript (:func:`convarith.widgets.player`),
  the formula with the numbers and the check line, under a note that the sliders need a kernel;
* :class:`~convarith.widgets.GroupExplorer` -- one frame per output channel, likewise;
* :class:`~convarith.widgets.ReceptiveFieldExplorer` -- one frame per traced output cell;
* :class:`~convarith.widgets.OutputSizeQuiz` and the exercise widget -- the question, and the
  answer inside an HTML ``<details>`` element (it opens on a click, without JavaScript);
* an explorer with a prediction asked for (its ``predict`` attribute) -- the player inside
  ``<details>``, so the answer is not on the page until the reader asks for it;
* the slide button -- a note that exporting needs a kernel, and the command that does it.

Nothing here changes the widgets; in JupyterLab without the variable they are what they were.
"""

from __future__ import annotations

import html
import os
import re
from typing import Any

__all__ = ["KERNEL_NOTE", "STATIC_ENV", "register_static_views", "static_html", "static_views_wanted"]

STATIC_ENV = "CONVARITH_STATIC_WIDGETS"
"""Name of the environment variable that turns the static views on (any non-empty value but ``0``)."""

KERNEL_NOTE = (
    "A static page: the sliders of this explorer need a running Python kernel. Its frames are "
    "embedded below; play or step them with the buttons. To move the sliders, run the notebook: "
    "<code>jupyter lab notebooks/</code> in a clone of the repository, or "
    "<code>convarith notebooks DIR</code> to copy the notebooks into DIR."
)
"""The note above each explorer's static view (HTML)."""

_CLASSES = {
    # class name -> module that defines it (registered by name: nothing is imported until used)
    "LayerExplorer": "convarith.widgets.layer_explorer",
    "GroupExplorer": "convarith.widgets.group_explorer",
    "ReceptiveFieldExplorer": "convarith.widgets.receptive_explorer",
    "OutputSizeQuiz": "convarith.widgets.quiz",
    "ExerciseWidget": "convarith.widgets.exercises",
    "SlideButton": "convarith.widgets.slides",
}
_INLINE_MATH = re.compile(r"\$([^$]+)\$")


def _note(text: str) -> str:
    return f'<p class="convarith-static-note" style="font-size:0.9em;margin:0.2em 0 0.5em"><i>{text}</i></p>'


def _math(latex_html: str) -> str:
    r"""``$...$`` as ``\(...\)``, the inline delimiters MathJax 3 reads by default."""
    return _INLINE_MATH.sub(lambda m: rf"\({m.group(1)}\)", latex_html)


def _box(kind: str, body: str) -> str:
    return (
        f'<div class="convarith-static convarith-static-{kind} mathjax_process" '
        f'style="border:1px solid #ddd;padding:0.5em;margin:0.5em 0">{body}</div>'
    )


def _interval(widget: Any, default: int = 700) -> int:
    play = getattr(widget, "play", None)
    return int(getattr(play, "interval", default) or default)


_PREDICTIONS = {  # the questions of convarith.widgets.predict.PREDICTIONS, as the note names them
    "output_size": "the output size",
    "next_value": "the value of each output cell before the kernel gets there",
    "reads": "which input cells each output cell reads",
}


def _predicted(widget: Any, body: str) -> str:
    """``body`` behind a click when the explorer asks for a prediction first."""
    predict = getattr(widget, "predict", None)
    if not predict:
        return body
    what = _PREDICTIONS.get(predict, "the result") if isinstance(predict, str) else "the result"
    state = getattr(widget, "state", None)
    scene = getattr(state, "scene", None)
    if predict == "reads" and scene is not None and scene.panels[0].footprint_on_output:  # the scatter view
        what = "which output cells each input cell adds the kernel to"
    return (
        f"<p><b>Predict first</b> {what}: work it out on paper, then open the picture to check.</p>"
        f"<details><summary>Show the picture and the formula</summary>{body}</details>"
    )


def _layer_explorer(explorer: Any) -> str:
    from convarith.widgets._common import check_html, player

    state = explorer.state
    if state.scene is None:
        return _box("explorer", _note(KERNEL_NOTE) + explorer.message.value)
    animation = player(state.scene, dpi=explorer.dpi, interval=_interval(explorer), caption=False).data
    notes = "".join(f"<div><i>{html.escape(note)}</i></div>" for note in state.notes)
    body = (
        f'<div class="convarith-static-player">{animation}</div>'
        f'<div class="convarith-formula">{_math(state.formula_latex())}{notes}</div>'
        + check_html(state.check_text(), state.agrees)  # (the widget's line is empty before a prediction)
    )
    return _box("explorer", _note(KERNEL_NOTE) + _predicted(explorer, body))


def _group_explorer(explorer: Any) -> str:
    from convarith.widgets._common import player

    state = explorer.state
    if state.scene is None:
        return _box("explorer", _note(KERNEL_NOTE) + explorer.message.value)
    animation = player(state.scene, dpi=explorer.dpi, interval=_interval(explorer)).data
    body = f'<div class="convarith-static-player">{animation}</div>{explorer.check.value}'
    return _box("explorer", _note(KERNEL_NOTE) + _predicted(explorer, body))


def _receptive_explorer(explorer: Any) -> str:
    from convarith.widgets.channel_state import describe_cone
    from convarith.widgets.receptive_explorer import draw_cone

    parameters = {name: int(control.value) for name, control in explorer.controls.items()}
    states = [describe_cone(**parameters, output=cell) for cell in range(int(explorer.step.max) + 1)]
    drawable = [s for s in states if s.field is not None]
    if not drawable:
        return _box("explorer", _note(KERNEL_NOTE) + explorer.message.value)
    frames = [draw_cone(s, explorer.dpi) for s in drawable]
    from convarith.widgets._common import frames_player

    animation = frames_player(frames, dpi=explorer.dpi, interval=_interval(explorer))
    body = (
        f'<div class="convarith-static-player">{animation}</div>{explorer.check.value}'
        f"<pre>{html.escape(repr(drawable[0].field))}</pre>"
    )
    return _box("explorer", _note(KERNEL_NOTE) + _predicted(explorer, body))


def _answer(summary: str, body: str) -> str:
    return f'<details class="convarith-static-answer"><summary>{summary}</summary>{body}</details>'


def _quiz(quiz: Any) -> str:
    lay = quiz.question.layer
    answer = f"<p><b>o = {lay.output_shape[0]}</b></p><p>\\({lay.latex()}\\)</p>"
    note = "A static page: type and check your answer in a running notebook; here the answer opens on a click."
    return _box("quiz", f"<div>{quiz.prompt.value}</div>{_note(note)}{_answer('Show the answer', answer)}")


def _exercise(widget: Any) -> str:
    solution = f"<pre>{html.escape(widget.exercise.solution())}</pre>"
    note = (
        "A static page: the Check button needs a running kernel (<code>jupyter lab notebooks/</code>); "
        "work it out, then open the worked answer."
    )
    return _box("exercise", f"{widget.prompt.value}{_note(note)}{_answer('Show the worked answer', solution)}")


def _slide_button(button: Any) -> str:
    note = (
        "A static page: <b>Export slide</b> writes files from a running kernel, so it is not shown "
        "here. Run the notebook, or draw the layer from the command line: "
        "<code>convarith animate conv -i 5 -k 3 -o slide.gif --dpi 200</code> (1920 × 1080)."
    )
    return _box("slides", _note(note))


_VIEWS = {
    "LayerExplorer": _layer_explorer,
    "GroupExplorer": _group_explorer,
    "ReceptiveFieldExplorer": _receptive_explorer,
    "OutputSizeQuiz": _quiz,
    "ExerciseWidget": _exercise,
    "SlideButton": _slide_button,
}


def static_html(widget: Any) -> str:
    """The kernel-free view of a convarith widget, as HTML.

    Parameters
    ----------
    widget : LayerExplorer, GroupExplorer, ReceptiveFieldExplorer, OutputSizeQuiz, ExerciseWidget or SlideButton
        Read only; nothing of it changes.

    Returns
    -------
    str
        A ``<div class="convarith-static ...">``: for an explorer, :data:`KERNEL_NOTE` and a
        player of its current layer (behind ``<details>`` when it asks for a prediction); for a
        quiz or an exercise, the question and the answer behind ``<details>``; for the slide
        button, a note with the command that draws a slide.

    Raises
    ------
    TypeError
        When ``widget`` is none of these.

    Notes
    -----
    An explorer's player has one frame per step of its Play control (a kernel position, an
    output channel, a traced output cell), drawn at the explorer's ``dpi``.

    Examples
    --------
    >>> from convarith.widgets import LayerExplorer
    >>> page = static_html(LayerExplorer("conv", 4, 3, dpi=20))  # no_padding_no_strides: 4 positions
    >>> page.count("data:image/png;base64"), "running Python kernel" in page
    (4, True)
    """
    view = next((_VIEWS[cls.__name__] for cls in type(widget).__mro__ if cls.__name__ in _VIEWS), None)
    if view is None:
        raise TypeError(f"`widget` must be one of {', '.join(_VIEWS)}; got {type(widget).__name__}")
    return view(widget)


def _bundle(widget: Any) -> dict[str, str]:
    return {"text/html": static_html(widget), "text/plain": f"<static view of {type(widget).__name__}>"}


def static_views_wanted() -> bool:
    """Whether :data:`STATIC_ENV` asks for the static views.

    Examples
    --------
    >>> import os
    >>> static_views_wanted() == (os.environ.get(STATIC_ENV, "0") not in ("", "0"))
    True
    """
    return os.environ.get(STATIC_ENV, "0") not in ("", "0")


def register_static_views(shell: Any = None) -> bool:
    """Show every convarith widget by :func:`static_html` in this IPython session.

    Parameters
    ----------
    shell : InteractiveShell, optional
        Default: the running one (:func:`IPython.get_ipython`).

    Returns
    -------
    bool
        False when there is no IPython shell (a plain ``python``), so nothing was registered.

    Notes
    -----
    A printer registered for a type on IPython's mimebundle formatter is asked before the
    object's own ``_repr_mimebundle_`` (the widget view), so the page gets the HTML instead.
    The classes are registered by module and name: none is imported until it is shown.

    Examples
    --------
    >>> register_static_views()  # doctests run outside IPython
    False
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter.mimebundle_formatter
    for name, module in _CLASSES.items():
        formatter.for_type_by_name(module, name, _bundle)
    return True
