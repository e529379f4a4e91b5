"""The layer explorer: parameter controls, the sliding kernel, the formula with numbers, and a check.

The controls (input size, kernel, stride, padding with asymmetric and framework-'same' options,
dilation, output padding, ceil mode, padding mode), a :class:`ipywidgets.Play` control linked to
a step slider that moves the kernel, the picture from :class:`convarith.anim.render.Renderer`,
the output-size formula with the numbers substituted (LaTeX), and a line checking the formula
against a scan of the kernel positions and the engine's output shape. The controls make one
:class:`~convarith.arithmetic.Layer` (:meth:`LayerExplorer.build_layer`); everything shown comes
from it (:func:`convarith.widgets.state.layer_state`).

Click to link: a click on an output cell of the picture (``ipyevents``) moves the kernel to the
position that computes it; in a transposed convolution's scatter view a click on an input cell
moves to where it adds the kernel. Predict, then reveal (``predict=``): the explorer asks for the
output size, the next value or the cells read before it shows them, and checks the answer with
:mod:`convarith.widgets.predict`; until Check, no widget holds the answer.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import ipywidgets as widgets
import numpy as np

from convarith.anim.render import Renderer
from convarith.anim.scenes import Scene
from convarith.arithmetic import Layer, LayerError
from convarith.arithmetic.english import cell_name
from convarith.arithmetic.ops import OP_ALIASES
from convarith.arithmetic.text import format_size
from convarith.widgets._common import Stepper, check_html, html_box, message_html, picture
from convarith.widgets.explorer_controls import make_controls, padding_controls, shown_controls
from convarith.widgets.frames import FrameStack
from convarith.widgets.layer_start import explorer_start
from convarith.widgets.predict import PREDICTIONS
from convarith.widgets.predict_view import PredictAndLink, PredictionBox, click_events
from convarith.widgets.slides import SlideButton
from convarith.widgets.state import (
    KINDS,
    LayerState,
    explorer_array,
    explorer_layer,
    layer_state,
)

__all__ = ["CACHE_SIZE", "LayerExplorer"]

CACHE_SIZE = 12
"""Layers whose frames and renderer a :class:`LayerExplorer` keeps (the most recent ones)."""


class LayerExplorer(PredictAndLink, widgets.VBox):
    """Controls, picture, formula and a check for one layer.

    Parameters
    ----------
    kind : {'conv', 'max_pool', 'avg_pool', 'conv_transpose'}
        A layer op (``'transpose'`` is an alias of ``'conv_transpose'``).
    input_size, kernel_size, stride, dilation, output_padding : int
        Starting values (``stride`` defaults to 1, or to the kernel for pooling; ``input_size``
        and ``kernel_size`` default to the sizes of ``x`` and ``w``, else 5 and 3).
    padding : int, (before, after) or {'valid', 'same', 'full'}
    convention : str
        The 'same' rule (:data:`convarith.arithmetic.CONVENTIONS`).
    ceil_mode : bool
    padding_mode : str
    view : {'direct', 'scatter'}
        Transposed convolution.
    numbers : bool
        Values in the cells.
    ndim : {1, 2}
    controls : sequence of str, optional
        Which controls to show, from ``'input_size', 'kernel_size', 'stride', 'padding',
        'dilation', 'output_padding', 'ceil_mode', 'padding_mode', 'view', 'numbers'``.
        Default: those that matter for ``kind``.
    dpi : float
        Picture resolution (the picture is 9.6 × 5.4 inches).
    interval : int
        Milliseconds between Play steps.
    x, w : array_like, optional
        The notebook's own input and kernel (``w``: convolutions only), square, with ``ndim``
        spatial axes and optionally batch and channel axes of length 1 (``x[None, None]``). The
        picture shows exactly these numbers and the engine's output computed from them
        (``numbers`` starts ticked). A slider moved away from their sizes shows a message.
    predict : {None, 'output_size', 'next_value', 'reads'}
        Ask before revealing. ``'output_size'``: picture, formula, check line, position and
        steps stay hidden until the student types the output size and presses Check (again for
        each new layer). ``'next_value'`` (numbers shown, Play off): the kernel moves to the next
        position but its output cell stays blank until the student types the value and presses
        Check. ``'reads'`` (Play off): before a position is shown, the student clicks the input
        cells its output cell reads (in the scatter view: the output cells an input cell writes).
        Check says right or wrong, then reveals.
    slides : bool
        Show a row that writes the current layer as a 1920 × 1080 GIF or PNG sequence for
        slides, formula drawn large (:class:`~convarith.widgets.slides.SlideButton`).
    layer : Layer or a row of an inspect report, optional
        Start from this layer (``LayerExplorer(layer=report["conv1"])``): a corner of it with at
        most 16 output cells, with its kernel, stride, dilation and padding
        (:func:`~convarith.widgets.layer_start.explorer_start`); a note above says which corner
        of which input, and the channels. It replaces ``kind`` and the starting sizes.

    Raises
    ------
    LayerError
        When ``x`` or ``w`` has the wrong number of axes, or sizes other than ``input_size`` and
        ``kernel_size`` (the message names the parameter and both sizes).

    Attributes
    ----------
    controls : dict of str to Widget
    step, play : IntSlider, Play
    picture : Image
        The picture shown for the current step: PNG bytes from
        :class:`convarith.anim.render.Renderer`.
    frames : FrameStack
        Every step's picture in the browser, selected there by the step slider (without
        ``predict``: a step needs no round trip to the kernel).
    formula : HTMLMath
    check : HTML
        The formula's output size against a scan of the kernel positions and the engine's shape.
    message : HTML
        Why the parameters are impossible (empty otherwise).
    notice : HTML
        What a click on the picture did not do, and why (empty otherwise).
    slide_button : SlideButton or None
        The slide-export row (None with ``slides=False``).
    prediction : PredictionBox
        The question, answer box, Check and verdict (hidden without ``predict``).
    chosen : set of tuple of int
        ``'reads'``: the cells clicked for the open question.
    events : ipyevents.Event or None
        The picture's clicks (None without ipyevents): :meth:`on_click`.
    state : LayerState

    Examples
    --------
    >>> explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=20)
    >>> explorer.state.layer.output_shape
    (3, 3)
    >>> explorer.controls["stride"].value = 1  # as a student moving the slider
    >>> explorer.state.layer.output_shape, explorer.step.max  # one frame per output cell
    ((5, 5), 25)
    >>> x = np.arange(16).reshape(4, 4)
    >>> LayerExplorer("conv", x=x, w=np.ones((3, 3)), dpi=20).state.scene.panels[0].frames[-1].output_values
    array([[45., 54.],
           [81., 90.]])
    >>> quiz = LayerExplorer("conv", 5, 3, stride=2, padding=1, predict="output_size", dpi=20)
    >>> bytes(quiz.picture.value), quiz.formula.value, quiz.step.max  # nothing revealed before Check
    (b'', '', 1)
    >>> quiz.prediction.answer.value = "3x3"
    >>> quiz.check_prediction().text
    '✓ Right: 3×3'
    >>> quiz.step.max
    9
    """

    def __init__(
        self,
        kind: str = "conv",
        input_size: int | None = None,
        kernel_size: int | None = None,
        stride: int | None = None,
        padding: Any = 0,
        dilation: int = 1,
        *,
        output_padding: int = 0,
        convention: str = "tensorflow",
        ceil_mode: bool = False,
        padding_mode: str = "zeros",
        view: str = "direct",
        numbers: bool = False,
        ndim: int = 2,
        controls: Sequence[str] | None = None,
        dpi: float = 80,
        interval: int = 500,
        x: Any = None,
        w: Any = None,
        predict: str | None = None,
        slides: bool = True,
        layer: Any = None,
    ) -> None:
        start, layer_note = explorer_start(layer) if layer is not None else ({}, "")
        if start:  # a real layer (or an inspect row): a corner of it, its numbers on the sliders
            kind, ndim = start["kind"], start["ndim"]
            values = [start[name] for name in _FROM_LAYER]
            input_size, kernel_size, stride, padding, dilation, output_padding, ceil_mode = values
        kind = OP_ALIASES.get(kind, kind)  # 'transpose' and 'pool' are input spellings of the op names
        _check_arguments(kind, ndim, predict, w)
        self.x = None if x is None else explorer_array(x, "x", ndim)
        self.w = None if w is None else explorer_array(w, "w", ndim)
        self.predict, self.kind, self.ndim, self.dpi = predict, kind, ndim, dpi
        self.renderer: Renderer | None = None
        kernel_size = _size_of(self.w, "w", "kernel_size", kernel_size, 3)
        starting = {
            "input_size": _size_of(self.x, "x", "input_size", input_size, 5),
            "kernel_size": kernel_size,
            "stride": (kernel_size if kind in ("max_pool", "avg_pool") else 1) if stride is None else stride,
            "padding": padding,
            "dilation": dilation,
            "output_padding": output_padding,
            "convention": convention,
            "ceil_mode": ceil_mode,
            "padding_mode": padding_mode,
            "view": view,
            "numbers": numbers or x is not None or predict == "next_value",
        }
        self.controls = make_controls(kind, starting)
        self.controls["numbers"].disabled = predict == "next_value"  # the values are what is predicted
        self.shown_controls = shown_controls(kind, controls, self.controls)
        self._make_views(interval)
        self._lay_out(slides)
        self._wire()
        if start:
            self._start_at(start, layer_note)
        self._syncpadding_controls()
        self.update()

    def _make_views(self, interval: int) -> None:
        """The stepper, the picture, the texts and the prediction box, and the explorer's own state."""
        self._stepper = Stepper("kernel position", interval)
        self.step = self._stepper.slider
        self.play = self._stepper.play
        self.frames = FrameStack(
            picture(), self._stepper, prefetch=self.predict is None,
            clicks=lambda image: click_events(image, self.on_click),
        )  # fmt: skip
        self.position = html_box("convarith-position")
        self.formula = html_box("convarith-formula", math=True)
        self.formula.style.font_size = "1.4em"  # read from the back of a room, projected
        self.check = html_box("convarith-check")
        self.message = html_box("convarith-message")
        self.notice = html_box("convarith-notice")
        self.prediction = PredictionBox()
        self.prediction.layout.display = None if self.predict else "none"
        self.play.disabled = self.predict in ("next_value", "reads")
        self.chosen: set[tuple[int, ...]] = set()
        self.state: LayerState = LayerState(None, None, None)
        self._busy = False
        self._cache: OrderedDict[tuple[tuple[str, Any], ...], tuple[LayerState, Any]] = OrderedDict()
        self._key: tuple[tuple[str, Any], ...] = ()
        self._sized: set[Any] = set()  # layers (Layer values) whose output size was revealed
        self._revealed: dict[tuple[tuple[str, Any], ...], int] = {}  # frames revealed per layer
        self._asked: tuple[Any, ...] = ()  # the open question
        self._plain: tuple[Any, Any] | None = None  # (renderer, the same without max-pooling winners)

    def _lay_out(self, slides: bool) -> None:
        """Controls left; stepper, picture and prediction right; message, formula, check and slides below."""
        shown = self.shown_controls
        left = widgets.VBox(
            [self.controls[name] for name in shown], layout=widgets.Layout(min_width="25em" if shown else "0")
        )
        right = widgets.VBox(
            [self._stepper.box, self.position, self.frames.box, self.notice, self.prediction],
            layout=widgets.Layout(align_items="flex-start"),
        )
        self.slide_button = SlideButton(self.slide_scene, filename=f"{self.kind}_slide") if slides else None
        super().__init__(
            [widgets.HBox([left, right]), self.message, self.formula, self.check]
            + ([self.slide_button] if self.slide_button is not None else []),
            layout=widgets.Layout(border="1px solid #ddd", padding="0.5em"),
        )
        self.add_class("convarith-explorer")

    def _wire(self) -> None:
        """Every control, the step slider, the prediction's buttons and the picture's clicks."""
        for control in self.controls.values():
            control.observe(self._on_control, names="value")
        self.step.observe(self._on_step, names="value")
        self.prediction.on(self.check_prediction, self.next_question)
        self.events = click_events(self.frames.first_picture, self.on_click)

    @property
    def picture(self) -> widgets.Image:
        """The Image shown for the current step (:attr:`frames`)."""
        return self.frames.current()

    def _start_at(self, start: dict[str, Any], note: str) -> None:
        """Sliders that reach a real layer's numbers (a 7x7 kernel, padding 3), and the note above."""
        self._busy = True
        for name in ("input_size", "kernel_size", "stride", "dilation", "output_padding"):
            self.controls[name].max = max(self.controls[name].max, start[name])
            self.controls[name].value = start[name]
        for name, value in zip(("pad_before", "pad_after"), start["padding"], strict=True):
            self.controls[name].max = max(self.controls[name].max, value)
            self.controls[name].value = value
        self._busy = False
        self.layer_note = html_box("convarith-layer-note")
        self.layer_note.value = note
        self.children = (self.layer_note, *super().children)

    # -- parameters --------------------------------------------------------------------------
    def parameters(self) -> dict[str, Any]:
        """The current parameters, as :func:`describe_layer` takes them."""
        c = self.controls
        rule = c["padding"].value
        padding: Any = rule if rule != "explicit" else (c["pad_before"].value, c["pad_after"].value)
        return {
            "kind": self.kind,
            "input_size": c["input_size"].value,
            "kernel_size": c["kernel_size"].value,
            "stride": c["stride"].value,
            "padding": padding,
            "dilation": c["dilation"].value,
            "output_padding": c["output_padding"].value if self.kind == "conv_transpose" else 0,
            "ceil_mode": c["ceil_mode"].value if self.kind in ("max_pool", "avg_pool") else False,
            "padding_mode": c["padding_mode"].value if self.kind == "conv" else "zeros",
            "convention": c["convention"].value,
            "view": c["view"].value,
            "numbers": c["numbers"].value,
            "ndim": self.ndim,
            "x": self.x,
            "w": self.w,
        }

    def build_layer(self) -> Layer:
        """The one layer the controls describe: the scene, the engine call and the check line take it.

        Returns
        -------
        Layer
            :func:`~convarith.widgets.state.explorer_layer` of the controls' values.

        Raises
        ------
        LayerError
            When the controls make no layer (the explorer shows the message).

        Examples
        --------
        >>> explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=20)
        >>> explorer.build_layer() == explorer.state.layer
        True
        """
        p = self.parameters()
        return explorer_layer(**{name: p[name] for name in _LAYER_PARAMETERS})

    def set(self, **values: Any) -> None:
        """Set several controls at once and redraw once (``padding`` may be an int, pair or rule).

        Examples
        --------
        >>> explorer = LayerExplorer("conv", dpi=20)
        >>> explorer.set(input_size=6, padding="same", stride=2)
        >>> explorer.state.layer.padding
        ((0, 1), (0, 1))
        """
        self._busy = True
        try:
            for name, value in values.items():
                if name == "padding":
                    rule, pb, pe = padding_controls(value)
                    self.controls["padding"].value = rule
                    if rule == "explicit":
                        self._show_pads(pb, pe)
                elif name in self.controls:
                    self.controls[name].value = value
                else:
                    raise ValueError(f"`{name}` is not a control; choose from {sorted(self.controls)}")
        finally:
            self._busy = False
        self._syncpadding_controls()
        self.update()

    def _show_pads(self, pb: int, pe: int) -> None:
        """Set the explicit padding controls to ``(pb, pe)``."""
        self.controls["symmetric"].value = pb == pe
        self.controls["pad_before"].value = pb
        self.controls["pad_after"].value = pe

    def _syncpadding_controls(self) -> None:
        c = self.controls
        explicit = c["padding"].value == "explicit"
        for name in ("pad_before", "pad_after", "symmetric"):
            c[name].disabled = not explicit
        c["convention"].disabled = c["padding"].value != "same"
        if explicit and c["symmetric"].value:
            c["pad_after"].disabled = True
            if c["pad_after"].value != c["pad_before"].value:
                c["pad_after"].value = c["pad_before"].value

    def _on_control(self, change: dict[str, Any]) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            self._syncpadding_controls()
        finally:
            self._busy = False
        self.frames.wake()  # a student uses this explorer: its frames are worth sending ahead
        self.update()

    def slide_scene(self) -> Scene | str | None:
        """What **Export slide** writes: the layer, only as far as the student has been shown it.

        Returns
        -------
        Scene, str or None
            The current scene; with ``predict``, only the positions already revealed (a slide
            never holds an answer the explorer still asks for), or a sentence saying why nothing
            can be written yet; None when the parameters are impossible.

        Examples
        --------
        >>> quiz = LayerExplorer("conv", 5, 3, predict="next_value", dpi=20)
        >>> quiz.slide_scene()
        'a slide shows only the positions already revealed: answer the first prediction and press Check.'
        >>> quiz.prediction.answer.value = "0"
        >>> _ = quiz.check_prediction()
        >>> len(quiz.slide_scene())  # the one revealed position
        1
        """
        scene = self.state.scene
        if scene is None or self.predict is None or self.renderer is None:
            return scene
        if self.predict == "output_size":
            if self.state.layer in self._sized:
                return scene
            return "the slide would show the output size this explorer asks for; predict it and press Check first."
        if not self._asks_steps():
            return scene
        revealed = self._question_step()
        if revealed == 0:
            return "a slide shows only the positions already revealed: answer the first prediction and press Check."
        return replace(scene, panels=tuple(replace(p, frames=p.frames[:revealed]) for p in scene.panels))

    # -- drawing -----------------------------------------------------------------------------
    def update(self) -> None:
        """Recompute everything from the controls and redraw.

        The controls make one layer (:meth:`build_layer`) and :func:`layer_state` what is shown of
        it. Impossible parameters show a message (the layer's error explains them); any other
        error is a bug and propagates. The last :data:`CACHE_SIZE` layers keep their state and
        renderer, so moving a slider back to a value seen before only draws a frame.
        """
        parameters = self.parameters()
        key = tuple(sorted((k, v) for k, v in parameters.items() if k not in ("x", "w")))  # arrays are fixed
        cached = self._cache.pop(key, None)
        if cached is None:
            try:
                lay = self.build_layer()
            except LayerError as error:  # impossible parameters: the message says why
                state = LayerState(None, None, None, message=str(error))
            else:
                state = layer_state(
                    lay, view=parameters["view"], padding_mode=parameters["padding_mode"],
                    numbers=parameters["numbers"], x=self.x, w=self.w,
                )  # fmt: skip
            renderer = Renderer(state.scene, caption=False, dpi=self.dpi) if state.scene is not None else None
            cached = (state, renderer)
        self._cache[key] = cached
        self._key = key
        while len(self._cache) > CACHE_SIZE:
            _, (_, old) = self._cache.popitem(last=False)
            if old is not None:
                old.close()
        self._show_state(*cached)

    def _show_state(self, state: LayerState, renderer: Renderer | None) -> None:
        self.state = state
        self.renderer = renderer
        self.notice.value = ""
        if state.scene is None or renderer is None:
            self.message.value = message_html(state.message or "")
            self.formula.value = ""
            self.check.value = ""
            self.position.value = ""
            self.frames.hide()
            self._stepper.box.layout.display = "none"
            self.prediction.idle("Choose parameters that make a layer.")
            return
        hidden = self.predict == "output_size" and state.layer not in self._sized
        self.message.value = ""
        self.frames.visible(not hidden)
        self._stepper.box.layout.display = "none" if hidden else None
        busy, self._busy = self._busy, True
        try:
            self._stepper.reset(1 if hidden else len(state.scene))
            self.frames.show(renderer)
            if self.controls["padding"].value != "explicit" and state.layer and state.layer.padding:
                # show the padding a rule chose in the (disabled) explicit controls
                self._show_pads(*state.layer.padding[0])
            self._limit_steps()
        finally:
            self._busy = busy
        if hidden:  # nothing that shows the output size: no picture, formula, check line or steps
            self.formula.value = ""
            self.check.value = ""
            self.position.value = ""
            self.frames.first_picture.value = b""
            if self._asked != (state.layer, "size"):
                self._asked = (state.layer, "size")
                self.prediction.ask(
                    "What is the output size of this layer? Type one whole number per axis (rows×columns), "
                    "or one number for every axis, then press Check.",
                    typed=True,
                )
            return
        self.formula.value = state.formula_latex() + "".join(
            f"<div><i>{html.escape(note)}</i></div>" for note in state.notes
        )
        self.check.value = check_html(state.check_text(), state.agrees)
        if self.predict == "output_size":
            self.prediction.idle("Change a parameter, and predict the output size of the new layer.")
        self._draw(0)

    # -- one frame -----------------------------------------------------------------------------
    def _on_step(self, change: dict[str, Any]) -> None:
        if self._busy or self.renderer is None:
            return
        self.frames.wake()
        self._draw(int(change["new"]) - 1)

    def _draw(self, step: int) -> None:
        assert self.renderer is not None
        step = min(max(step, 0), len(self.renderer) - 1)
        if self._asks_steps() and step == self._question_step():
            self._draw_question(step)
            return
        self.frames.draw(step)  # nothing to send when the browser has this step's picture
        panel = self.renderer.scene.panels[0]
        frame = panel.frames[step]
        text = f"kernel position {step + 1} of {len(self.renderer)}"
        if panel.kind == "transpose_scatter":  # steps over the input cells
            text += f": input cell {cell_name(frame.reads[0].coord)} adds the kernel"
        else:
            text += f": output cell {cell_name(frame.writes[0].coord)}"
        self.position.value = text
        if self._asks_steps():
            left = len(self.renderer) - self._question_step()
            self.prediction.idle(
                "Press Next position for the next prediction." if left else "Every position is revealed.",
                can_go_on=left > 0,
            )
        elif self.predict == "next_value":
            self.prediction.idle("A step of the scatter view adds to several output cells: choose the direct view.")


_LAYER_PARAMETERS = (
    "kind",
    "input_size",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "output_padding",
    "ceil_mode",
    "convention",
    "ndim",
)
"""The parameters (of :meth:`LayerExplorer.parameters`) that make the layer."""


_FROM_LAYER = ("input_size", "kernel_size", "stride", "padding", "dilation", "output_padding", "ceil_mode")
"""The starting values a real layer gives (:func:`~convarith.widgets.layer_start.explorer_start`)."""


def _check_arguments(kind: str, ndim: int, predict: str | None, w: Any) -> None:
    """Refuse an unknown kind, prediction or number of axes, and weights for a pooling layer."""
    if predict is not None and predict not in PREDICTIONS:
        raise ValueError(f"`predict` must be None or one of {', '.join(map(repr, PREDICTIONS))}; got {predict!r}")
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {', '.join(map(repr, KINDS))}; got {kind!r}")
    if ndim not in (1, 2):
        raise ValueError(f"`ndim` must be 1 or 2 (pictures), got {ndim}")
    if w is not None and kind in ("max_pool", "avg_pool"):
        raise LayerError(f"`w`: {kind} has no kernel weights, got an array of shape {np.shape(w)}")


def _size_of(array: np.ndarray | None, name: str, size_name: str, size: int | None, default: int) -> int:
    """The starting size of a square array, checked against the size given for it."""
    if array is None:
        return default if size is None else size
    if len(set(array.shape)) != 1:
        shape = format_size(array.shape)
        raise LayerError(f"`{name}` is {shape}: the explorer's sizes are one number, so it must be square")
    if size is not None and size != array.shape[0]:
        raise LayerError(
            f"`{name}` is {format_size(array.shape)} but `{size_name}` is {size}: "
            f"leave `{size_name}` out, or make them agree"
        )
    return int(array.shape[0])
