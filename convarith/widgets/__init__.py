"""Classroom widgets: move a slider, watch the kernel slide and the formula update.

The notebooks in ``notebooks/`` stay thin because the logic lives here:

* :class:`LayerExplorer` -- parameter controls (input size, kernel, stride, padding with
  asymmetric and framework-'same' options, dilation, output padding, ceil mode, padding mode),
  a :class:`ipywidgets.Play` control linked to a step slider that moves the kernel, the picture
  from :class:`convarith.anim.render.Renderer`, the output-size formula with the numbers substituted
  (LaTeX), and a visible check that the engine's output shape equals the formula's.
* :class:`GroupExplorer` -- channels and groups: which input channels feed each output channel.
* :class:`OutputSizeQuiz` -- "predict the output size": checks the student's answer and explains
  it with the formula.

Everything a widget shows is computed by :func:`describe_layer` (no widgets involved), so it can
be tested without a browser. An impossible combination of parameters gives a message (the
``ValueError`` text of the formula or engine check, which names the argument and the numbers)
instead of a traceback. Importing this module needs ipywidgets, matplotlib and pillow (the
``notebooks`` extra); ``import convarith`` never imports it.
"""

from __future__ import annotations

import html
import io
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import numpy as np

from convarith.arithmetic.formulas import CONVENTIONS
from convarith.arithmetic.geometry import Geometry, geometry

__all__ = [
    "CACHE_SIZE",
    "KINDS",
    "PADDING_CHOICES",
    "GroupExplorer",
    "GroupState",
    "LayerExplorer",
    "LayerState",
    "OutputSizeQuiz",
    "ConeState",
    "ReceptiveFieldExplorer",
    "describe_cone",
    "describe_groups",
    "describe_layer",
    "png_bytes",
    "still",
]

KINDS = ("conv", "max_pool", "avg_pool", "transpose")
"""Layers a :class:`LayerExplorer` shows."""

PADDING_CHOICES = ("explicit", "valid", "same", "full")
"""The padding control's options: explicit ``(before, after)`` numbers, or a rule."""

CACHE_SIZE = 12
"""Layers whose frames and renderer a :class:`LayerExplorer` keeps (the most recent ones)."""

MAX_CONE_CELLS = 160
"""The widest input a :class:`ReceptiveFieldExplorer` draws."""

_OK = "#1f6e55"
_BAD = "#b00020"


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

    from convarith.anim.render import render

    renderer = render(scene, dpi=dpi, **options)
    try:
        pixels = renderer.draw_frame(len(renderer) - 1 if step is None else step)
    finally:
        renderer.close()
    return Image(data=png_bytes(pixels), format="png")


def _shape_text(shape: Sequence[int]) -> str:
    return "×".join(str(n) for n in shape)


# --------------------------------------------------------------------------------------------
# the logic, without widgets


@dataclass(frozen=True, eq=False)
class LayerState:
    """What a :class:`LayerExplorer` shows for one set of parameters.

    Attributes
    ----------
    geometry : Geometry or None
        None when the parameters are impossible (then ``message`` says why).
    scene : Scene or None
        The animation frames (:mod:`convarith.anim.scenes`).
    engine_shape : tuple of int or None
        Output shape the engine computed for an input of shape ``input_shape``.
    input_shape, weight_shape : tuple of int
        The arrays passed to the engine: ``(1, C_in, *spatial)`` and the weight.
    message : str or None
        Why the parameters are impossible.
    """

    geometry: Geometry | None
    scene: Any
    engine_shape: tuple[int, ...] | None
    input_shape: tuple[int, ...] = ()
    weight_shape: tuple[int, ...] = ()
    engine_call: str = ""
    message: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Whether the parameters make a layer (no message)."""
        return self.message is None

    @property
    def expected_shape(self) -> tuple[int, ...] | None:
        """``(1, C_out, *output)`` from the formula."""
        if self.geometry is None or self.engine_shape is None:
            return None
        return (*self.engine_shape[:2], *self.geometry.output_shape)

    @property
    def agrees(self) -> bool:
        """Whether the engine's spatial output shape equals the formula's."""
        return (
            self.geometry is not None
            and self.engine_shape is not None
            and (self.engine_shape[2:] == self.geometry.output_shape)
        )

    def formula_latex(self) -> str:
        """The formula with numbers, as ``$...$`` for :class:`ipywidgets.HTMLMath` ('' if impossible).

        One line when every axis has the same numbers, else one line per axis.
        """
        if self.geometry is None:
            return ""
        rows = {a.latex() for a in self.geometry.axes}
        if len(rows) == 1 and len(self.geometry.axes) > 1:
            return f"${rows.pop()}$ &nbsp; (rows and columns alike)"
        return self.geometry._repr_latex_()

    def check_text(self) -> str:
        """One line: the engine's output shape, the formula's, and whether they agree."""
        if self.geometry is None or self.engine_shape is None:
            return ""
        formula = _shape_text(self.geometry.output_shape)
        verdict = "✓ they agree" if self.agrees else "✗ they DISAGREE"
        return f"engine: {self.engine_call} → {self.engine_shape};  formula: {formula};  {verdict}"


def _explicit_padding(padding: Any, ndim: int) -> Any:
    """(before, after) on every axis; ints stay ints."""
    if isinstance(padding, str):
        return padding
    if isinstance(padding, Sequence) and len(padding) == 2 and not isinstance(padding[0], Sequence):
        return tuple((int(padding[0]), int(padding[1])) for _ in range(ndim))
    return padding


def describe_layer(
    kind: str = "conv",
    input_size: int = 5,
    kernel_size: int = 3,
    stride: int | None = None,
    padding: Any = 0,
    dilation: int = 1,
    *,
    output_padding: int = 0,
    ceil_mode: bool = False,
    padding_mode: str = "zeros",
    convention: str = "tensorflow",
    view: str = "direct",
    numbers: bool = False,
    ndim: int = 2,
    seed: int = 0,
) -> LayerState:
    """Everything a :class:`LayerExplorer` shows: geometry, frames and the engine's output shape.

    Parameters
    ----------
    kind : {'conv', 'max_pool', 'avg_pool', 'transpose'}
    input_size, kernel_size, stride, dilation, output_padding : int
        The same on every axis (``stride`` defaults to 1, or to the kernel for pooling).
    padding : int, (before, after), or {'valid', 'same', 'full'}
        ``'same'`` splits the padding by ``convention`` (:data:`convarith.arithmetic.CONVENTIONS`).
    ceil_mode : bool
        Pooling only.
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}
        Convolution only: how the engine fills padded cells (the check runs with it).
    view : {'direct', 'scatter'}
        Transposed convolution: the guide's direct view or the scatter view.
    numbers : bool
        Draw values in the cells.
    ndim : {1, 2}
        Spatial axes.
    seed : int
        Seed of the random input the engine check uses.

    Returns
    -------
    LayerState
        With ``message`` set (and no geometry) when the parameters are impossible.

    Notes
    -----
    The check runs the engine (:func:`convarith.conv`, :func:`convarith.max_pool`,
    :func:`convarith.avg_pool`, :func:`convarith.conv_transpose`) on a random input of shape
    ``(1, 1, i, ...)`` and compares its spatial shape with the formula's
    (:func:`convarith.arithmetic.geometry`), e.g. ``o = floor((i + pb + pe - ek)/s) + 1``.

    Examples
    --------
    >>> state = describe_layer("conv", 5, 3, stride=2, padding=1)
    >>> state.engine_shape, state.agrees
    ((1, 1, 3, 3), True)
    >>> describe_layer("conv", 2, 5).message  # the kernel does not fit
    '`kernel_size` ...'
    """
    if kind not in KINDS:
        return LayerState(None, None, None, message=f"`kind` must be one of {', '.join(KINDS)}; got {kind!r}")
    if ndim not in (1, 2):
        return LayerState(None, None, None, message=f"`ndim` must be 1 or 2 (pictures), got {ndim}")
    if stride is None:
        stride = kernel_size if kind in ("max_pool", "avg_pool") else 1
    pads = _explicit_padding(padding, ndim)
    try:
        return _describe(
            kind, input_size, kernel_size, stride, pads, dilation, output_padding, ceil_mode, padding_mode,
            convention, view, numbers, ndim, seed,
        )  # fmt: skip
    except (ValueError, TypeError) as error:
        return LayerState(None, None, None, message=str(error))


def _describe(
    kind: str,
    i: int,
    k: int,
    s: int,
    padding: Any,
    d: int,
    a: int,
    ceil_mode: bool,
    padding_mode: str,
    convention: str,
    view: str,
    numbers: bool,
    ndim: int,
    seed: int,
) -> LayerState:
    from convarith.anim import scenes as frames
    from convarith.testing import random_array

    shape = (i,) * ndim
    kernel = (k,) * ndim
    if kind == "conv":
        geo = geometry("conv", shape, kernel, s, padding, d, convention=convention)
    elif kind == "transpose":
        if isinstance(padding, str):
            raise ValueError(f"`padding` {padding!r}: a transposed convolution takes explicit padding")
        geo = geometry("transpose", shape, kernel, s, padding, d, output_padding=a)
    else:
        if isinstance(padding, str):
            raise ValueError(f"`padding` {padding!r}: pooling takes explicit padding here")
        geo = geometry("pool", shape, kernel, s, padding, d, ceil_mode=ceil_mode)
    pads = geo.padding
    x = random_array((1, 1, *shape), seed=seed)
    w = random_array((1, 1, *kernel), seed=seed + 1)
    notes: list[str] = []
    out: Any  # the engine's result (max_pool's type also allows an (output, indices) pair)
    if kind == "conv":
        from convarith.engine.convolution import conv

        out = conv(x, w, stride=s, padding=pads, dilation=d, padding_mode=padding_mode)
        call = f"conv(x {x.shape}, w {w.shape}, stride={s}, padding={_pad_text(pads)}"
        call += f", dilation={d}" if d != 1 else ""
        call += f", padding_mode={padding_mode!r})" if padding_mode != "zeros" else ")"
        scene = frames.conv_scene(
            shape, kernel, s, padding if isinstance(padding, str) else pads, d, convention=convention, numbers=numbers
        )
    elif kind == "transpose":
        from convarith.engine.transpose import conv_transpose

        out = conv_transpose(x, w, stride=s, padding=pads, output_padding=a, dilation=d)
        call = f"conv_transpose(x {x.shape}, w {w.shape}, stride={s}, padding={_pad_text(pads)}"
        call += f", output_padding={a})" if a else ")"
        scene = frames.transpose_scene(shape, kernel, s, pads, a, d, view=view, numbers=numbers)
    else:
        from convarith.engine.convolution import avg_pool, max_pool

        if kind == "max_pool":
            out = max_pool(x, kernel, stride=s, padding=pads, dilation=d, ceil_mode=ceil_mode)
        else:
            if d != 1:
                raise ValueError(f"`dilation` {d}: average pooling has no dilation (PyTorch's AvgPool)")
            out = avg_pool(x, kernel, stride=s, padding=pads, ceil_mode=ceil_mode)
        call = f"{kind}(x {x.shape}, {k}, stride={s}, padding={_pad_text(pads)}"
        call += f", dilation={d}" if d != 1 else ""
        call += ", ceil_mode=True)" if ceil_mode else ")"
        scene = frames.pool_scene(
            shape, kernel, s, pads, d, mode="max" if kind == "max_pool" else "avg", ceil_mode=ceil_mode
        )
        if ceil_mode and geo.axes[0].pool_dropped_last():
            notes.append("ceil mode dropped the last window: it would start in the right padding")
    return LayerState(geo, scene, tuple(int(n) for n in np.shape(out)), x.shape, w.shape, call, None, tuple(notes))


def _pad_text(pads: Sequence[tuple[int, int]]) -> str:
    if len(set(pads)) == 1:
        pb, pe = pads[0]
        return str(pb) if pb == pe else f"({pb}, {pe})"
    return str(tuple(pads))


@dataclass(frozen=True, eq=False)
class GroupState:
    """What a :class:`GroupExplorer` shows: the channel scene and the engine's shapes.

    Attributes
    ----------
    scene : ChannelScene or None
    weight_shape, engine_shape : tuple of int or None
    parameters : int
        Number of weights, ``C_out * C_in/groups * k * k``.
    message : str or None
    """

    scene: Any
    weight_shape: tuple[int, ...] | None
    engine_shape: tuple[int, ...] | None
    parameters: int = 0
    message: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the channel counts and groups fit together."""
        return self.message is None


def describe_groups(
    in_channels: int = 4, out_channels: int = 4, groups: int = 1, kernel_size: int = 3, input_size: int = 5
) -> GroupState:
    """The channel view of a grouped convolution and the engine's shapes.

    Parameters
    ----------
    in_channels, out_channels, groups, kernel_size, input_size : int
        ``groups`` must divide both channel counts.

    Returns
    -------
    GroupState

    Notes
    -----
    Weight shape ``(C_out, C_in/groups, k, k)``; output channel ``co`` reads the input channels of
    group ``co // (C_out/groups)``.

    Examples
    --------
    >>> describe_groups(4, 8, groups=4).weight_shape
    (8, 1, 3, 3)
    >>> describe_groups(4, 6, groups=4).message
    '`out_channels` 6 must be divisible by `groups` 4'
    """
    from convarith.anim.scenes import group_scene
    from convarith.engine.convolution import conv
    from convarith.testing import random_array

    try:
        scene = group_scene(in_channels, out_channels, groups)
        weight_shape = (out_channels, in_channels // groups, kernel_size, kernel_size)
        x = random_array((1, in_channels, input_size, input_size), seed=0)
        out = conv(x, random_array(weight_shape, seed=1), padding="same", groups=groups)
    except (ValueError, TypeError) as error:
        return GroupState(None, None, None, message=str(error))
    return GroupState(scene, weight_shape, tuple(int(n) for n in out.shape), int(np.prod(weight_shape)))


# --------------------------------------------------------------------------------------------
# widgets


def _slider(description: str, value: int, low: int, high: int) -> widgets.IntSlider:
    return widgets.IntSlider(
        value=value,
        min=low,
        max=high,
        description=description,
        continuous_update=False,
        style={"description_width": "9em"},
        layout=widgets.Layout(width="24em"),
    )


def _message_html(text: str, prefix: str = "Not a valid layer") -> str:
    style = f"color:{_BAD};font-weight:bold;padding:0.4em 0"
    return f'<div style="{style}">{html.escape(prefix)}: {html.escape(text)}</div>'


def _check_html(text: str, ok: bool) -> str:
    return f'<div style="color:{_OK if ok else _BAD};font-family:monospace">{html.escape(text)}</div>'


class _Stepper:
    """A Play control linked (in the browser too) to a step slider; steps count from 1."""

    def __init__(self, description: str, interval: int) -> None:
        self.slider = _slider(description, 1, 1, 1)
        self.slider.continuous_update = True
        self.slider.add_class("convarith-step")
        self.play = widgets.Play(value=1, min=1, max=1, step=1, interval=interval, description="Play")
        self.play.add_class("convarith-play")
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.box = widgets.HBox([self.play, self.slider], layout=widgets.Layout(align_items="center"))

    def reset(self, frames: int) -> None:
        """Steps ``1 .. frames``, starting at 1."""
        for control in (self.play, self.slider):
            control.value = 1
            control.max = max(frames, 1)

    def index(self) -> int:
        """The current frame, counted from 0."""
        return int(self.slider.value) - 1


class LayerExplorer(widgets.VBox):
    """Controls, picture, formula and engine check for one layer.

    Parameters
    ----------
    kind : {'conv', 'max_pool', 'avg_pool', 'transpose'}
    input_size, kernel_size, stride, dilation, output_padding : int
        Starting values (``stride`` defaults to 1, or to the kernel for pooling).
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

    Attributes
    ----------
    controls : dict of str to Widget
    step, play : IntSlider, Play
    picture : Image
        PNG bytes from :class:`convarith.anim.render.Renderer`.
    formula : HTMLMath
    check : HTML
        The engine's output shape against the formula's.
    message : HTML
        Why the parameters are impossible (empty otherwise).
    state : LayerState

    Examples
    --------
    >>> explorer = LayerExplorer("conv", 5, 3, stride=2, padding=1, dpi=20)
    >>> explorer.state.geometry.output_shape
    (3, 3)
    >>> explorer.controls["stride"].value = 1  # as a student moving the slider
    >>> explorer.state.geometry.output_shape, explorer.step.max  # one frame per output cell
    ((5, 5), 25)
    """

    def __init__(
        self,
        kind: str = "conv",
        input_size: int = 5,
        kernel_size: int = 3,
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
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"`kind` must be one of {', '.join(map(repr, KINDS))}; got {kind!r}")
        if ndim not in (1, 2):
            raise ValueError(f"`ndim` must be 1 or 2 (pictures), got {ndim}")
        pooling = kind in ("max_pool", "avg_pool")
        if stride is None:
            stride = kernel_size if pooling else 1
        self.kind = kind
        self.ndim = ndim
        self.dpi = dpi
        self.renderer: Any = None
        if isinstance(padding, str):
            rule, before, after = padding, 0, 0
        elif isinstance(padding, Sequence):
            rule, before, after = "explicit", int(padding[0]), int(padding[1])
        else:
            rule, before, after = "explicit", int(padding), int(padding)
        all_controls: dict[str, widgets.Widget] = {
            "input_size": _slider("input size i", input_size, 1, 12),
            "kernel_size": _slider("kernel k", kernel_size, 1, 6),
            "stride": _slider("stride s", stride, 1, 4),
            "padding": widgets.ToggleButtons(
                options=list(PADDING_CHOICES if kind == "conv" else ("explicit",)),
                value=rule,
                description="padding",
                style={"description_width": "4em", "button_width": "5.2em"},
            ),
            "convention": widgets.Dropdown(
                options=[c for c in CONVENTIONS if c not in ("valid", "full")],
                value=convention,
                description="'same' rule",
                style={"description_width": "9em"},
                layout=widgets.Layout(width="24em"),
            ),
            "pad_before": _slider("pad before pb", before, 0, 5),
            "pad_after": _slider("pad after pe", after, 0, 5),
            "symmetric": widgets.Checkbox(value=before == after, description="pb = pe", indent=False),
            "dilation": _slider("dilation d", dilation, 1, 3),
            "output_padding": _slider("output padding a", output_padding, 0, 3),
            "ceil_mode": widgets.Checkbox(value=ceil_mode, description="ceil mode", indent=False),
            "padding_mode": widgets.Dropdown(
                options=["zeros", "reflect", "replicate", "circular"],
                value=padding_mode,
                description="padding mode",
                style={"description_width": "9em"},
                layout=widgets.Layout(width="24em"),
            ),
            "view": widgets.ToggleButtons(
                options=["direct", "scatter"], value=view, description="view", style={"description_width": "9em"}
            ),
            "numbers": widgets.Checkbox(value=numbers, description="numbers in cells", indent=False),
        }
        if controls is None:
            controls = ["input_size", "kernel_size", "stride", "padding", "dilation"]
            controls += {
                "conv": [],
                "transpose": ["output_padding", "view", "numbers"],
                "max_pool": ["ceil_mode"],
                "avg_pool": ["ceil_mode"],
            }[kind]
        unknown = set(controls) - {*all_controls, "padding"}
        if unknown:
            raise ValueError(f"`controls`: unknown names {sorted(unknown)}; choose from {sorted(all_controls)}")
        shown = list(controls)
        if "padding" in shown:  # the padding group: rule, convention, before/after, pb = pe
            at = shown.index("padding")
            group = ["padding", "convention", "pad_before", "pad_after", "symmetric"] if kind == "conv" else [
                "pad_before", "pad_after", "symmetric"
            ]  # fmt: skip
            shown[at : at + 1] = group
        self.controls = all_controls
        self.shown_controls = tuple(shown)
        for name, control in all_controls.items():
            control.add_class(f"convarith-{name.replace('_', '-')}")
            control.observe(self._on_control, names="value")

        self._stepper = _Stepper("kernel position", interval)
        self.step = self._stepper.slider
        self.play = self._stepper.play
        self.step.observe(self._on_step, names="value")
        self.picture = widgets.Image(format="png")
        self.picture.add_class("convarith-picture")
        self.position = widgets.HTML()
        self.position.add_class("convarith-position")
        self.formula = widgets.HTMLMath()
        self.formula.add_class("convarith-formula")
        self.check = widgets.HTML()
        self.check.add_class("convarith-check")
        self.message = widgets.HTML()
        self.message.add_class("convarith-message")
        self.state: LayerState = LayerState(None, None, None)
        self._busy = False
        self._cache: OrderedDict[tuple[tuple[str, Any], ...], tuple[LayerState, Any]] = OrderedDict()

        left = widgets.VBox([all_controls[name] for name in shown], layout=widgets.Layout(min_width="25em"))
        right = widgets.VBox(
            [self._stepper.box, self.position, self.picture], layout=widgets.Layout(align_items="flex-start")
        )
        super().__init__(
            [widgets.HBox([left, right]), self.message, self.formula, self.check],
            layout=widgets.Layout(border="1px solid #ddd", padding="0.5em"),
        )
        self.add_class("convarith-explorer")
        self._sync_padding_controls()
        self.update()

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
            "output_padding": c["output_padding"].value if self.kind == "transpose" else 0,
            "ceil_mode": c["ceil_mode"].value if self.kind in ("max_pool", "avg_pool") else False,
            "padding_mode": c["padding_mode"].value if self.kind == "conv" else "zeros",
            "convention": c["convention"].value,
            "view": c["view"].value,
            "numbers": c["numbers"].value,
            "ndim": self.ndim,
        }

    def set(self, **values: Any) -> None:
        """Set several controls at once and redraw once (``padding`` may be an int, pair or rule).

        Examples
        --------
        >>> explorer = LayerExplorer("conv", dpi=20)
        >>> explorer.set(input_size=6, padding="same", stride=2)
        >>> explorer.state.geometry.padding
        ((0, 1), (0, 1))
        """
        self._busy = True
        try:
            for name, value in values.items():
                if name == "padding":
                    if isinstance(value, str):
                        self.controls["padding"].value = value
                    else:
                        pb, pe = (value, value) if isinstance(value, int) else value
                        self.controls["padding"].value = "explicit"
                        self.controls["symmetric"].value = pb == pe
                        self.controls["pad_before"].value = pb
                        self.controls["pad_after"].value = pe
                elif name in self.controls:
                    self.controls[name].value = value
                else:
                    raise ValueError(f"`{name}` is not a control; choose from {sorted(self.controls)}")
        finally:
            self._busy = False
        self._sync_padding_controls()
        self.update()

    def _sync_padding_controls(self) -> None:
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
            self._sync_padding_controls()
        finally:
            self._busy = False
        self.update()

    # -- drawing -----------------------------------------------------------------------------
    def update(self) -> None:
        """Recompute everything from the controls and redraw (never raises for bad parameters).

        The last :data:`CACHE_SIZE` layers keep their state and renderer, so moving a slider back
        to a value seen before only draws a frame.
        """
        from convarith.anim.render import Renderer

        parameters = self.parameters()
        key = tuple(sorted(parameters.items()))
        try:
            cached = self._cache.pop(key, None)
            if cached is None:
                state = describe_layer(**parameters)
                renderer = Renderer(state.scene, caption=False, dpi=self.dpi) if state.ok else None
                cached = (state, renderer)
            self._cache[key] = cached
            while len(self._cache) > CACHE_SIZE:
                _, (_, old) = self._cache.popitem(last=False)
                if old is not None:
                    old.close()
            self._show_state(*cached)
        except Exception as error:  # a bug must not show a traceback to a student either
            self._show_state(LayerState(None, None, None, message=f"{type(error).__name__}: {error}"), None)

    def _show_state(self, state: LayerState, renderer: Any) -> None:
        self.state = state
        self.renderer = renderer
        if not state.ok or renderer is None:
            self.message.value = _message_html(state.message or "")
            self.formula.value = ""
            self.check.value = ""
            self.position.value = ""
            self.picture.layout.display = "none"
            self._stepper.box.layout.display = "none"
            return
        self.message.value = ""
        self.picture.layout.display = None
        self._stepper.box.layout.display = None
        width, height = renderer.size
        self.picture.width = str(width)
        self.picture.height = str(height)
        self.formula.value = state.formula_latex() + "".join(
            f"<div><i>{html.escape(note)}</i></div>" for note in state.notes
        )
        self.check.value = _check_html(state.check_text(), state.agrees)
        busy, self._busy = self._busy, True
        try:
            self._stepper.reset(len(state.scene))
            if self.controls["padding"].value != "explicit" and state.geometry is not None:
                # show the padding a rule chose in the (disabled) explicit controls
                pb, pe = state.geometry.padding[0]
                self.controls["symmetric"].value = pb == pe
                self.controls["pad_before"].value = pb
                self.controls["pad_after"].value = pe
        finally:
            self._busy = busy
        self._draw(0)

    def _on_step(self, change: dict[str, Any]) -> None:
        if self._busy or self.renderer is None:
            return
        self._draw(int(change["new"]) - 1)

    def _draw(self, step: int) -> None:
        assert self.renderer is not None
        step = min(max(step, 0), len(self.renderer) - 1)
        self.picture.value = png_bytes(self.renderer.draw_frame(step))
        frame = self.state.scene.panels[0].frames[step]
        n = len(self.renderer)
        text = f"kernel position {step + 1} of {n}"
        if self.state.scene.panels[0].kind == "transpose_scatter":  # steps over the input cells
            text += f": input cell {frame.reads[0].coord} adds the kernel"
        else:
            text += f": output cell {frame.writes[0].coord}"
        self.position.value = text


class GroupExplorer(widgets.VBox):
    """Input and output channels of a grouped convolution, and which feed which.

    Parameters
    ----------
    in_channels, out_channels, groups : int
        Starting values; ``groups == in_channels`` is a depthwise convolution.
    dpi : float
    interval : int
        Milliseconds between Play steps (one step per output channel).

    Attributes
    ----------
    controls : dict of str to IntSlider
    step, play, picture, check, message
        As in :class:`LayerExplorer`.

    Examples
    --------
    >>> explorer = GroupExplorer(4, 4, groups=2, dpi=20)
    >>> explorer.state.weight_shape
    (4, 2, 3, 3)
    >>> explorer.controls["groups"].value = 3  # 3 does not divide 4
    >>> explorer.state.ok
    False
    """

    def __init__(
        self, in_channels: int = 4, out_channels: int = 4, groups: int = 1, *, dpi: float = 80, interval: int = 700
    ) -> None:
        self.dpi = dpi
        self.renderer: Any = None
        self.controls = {
            "in_channels": _slider("input channels", in_channels, 1, 8),
            "out_channels": _slider("output channels", out_channels, 1, 8),
            "groups": _slider("groups", groups, 1, 8),
        }
        for name, control in self.controls.items():
            control.add_class(f"convarith-{name.replace('_', '-')}")
            control.observe(lambda change: self.update(), names="value")
        self._stepper = _Stepper("output channel", interval)
        self.step = self._stepper.slider
        self.play = self._stepper.play
        self.step.observe(self._on_step, names="value")
        self.picture = widgets.Image(format="png")
        self.picture.add_class("convarith-picture")
        self.check = widgets.HTML()
        self.check.add_class("convarith-check")
        self.message = widgets.HTML()
        self.message.add_class("convarith-message")
        self.state = GroupState(None, None, None)
        self._busy = False
        super().__init__(
            [widgets.VBox([*self.controls.values(), self._stepper.box]), self.message, self.picture, self.check],
            layout=widgets.Layout(border="1px solid #ddd", padding="0.5em"),
        )  # fmt: skip
        self.add_class("convarith-explorer")
        self.update()

    def update(self) -> None:
        """Recompute and redraw from the controls."""
        from convarith.anim.render import ChannelRenderer

        c = self.controls
        try:
            state = describe_groups(c["in_channels"].value, c["out_channels"].value, c["groups"].value)
        except Exception as error:  # never a traceback in the classroom
            state = GroupState(None, None, None, message=f"{type(error).__name__}: {error}")
        self.state = state
        if self.renderer is not None:
            self.renderer.close()
            self.renderer = None
        if not state.ok:
            self.message.value = _message_html(state.message or "")
            self.check.value = ""
            self.picture.layout.display = "none"
            return
        self.message.value = ""
        self.picture.layout.display = None
        self.renderer = ChannelRenderer(state.scene, dpi=self.dpi)
        width, height = self.renderer.size
        self.picture.width, self.picture.height = str(width), str(height)
        g = c["groups"].value
        self.check.value = _check_html(
            f"weight {state.weight_shape} = (C_out, C_in/groups, k, k); {state.parameters} weights"
            f" ({g}× fewer than groups=1);  engine output {state.engine_shape}: "
            + ("✓ C_out channels" if state.engine_shape and state.engine_shape[1] == c["out_channels"].value else "✗"),
            True,
        )
        self._busy = True
        try:
            self._stepper.reset(len(state.scene))
        finally:
            self._busy = False
        self.picture.value = png_bytes(self.renderer.draw_frame(0))

    def _on_step(self, change: dict[str, Any]) -> None:
        if self._busy or self.renderer is None:
            return
        self.picture.value = png_bytes(self.renderer.draw_frame(int(change["new"]) - 1))


# --------------------------------------------------------------------------------------------
# receptive fields


@dataclass(frozen=True, eq=False)
class ConeState:
    """The cells that one output of a stack of identical valid layers depends on, level by level.

    Attributes
    ----------
    sizes : tuple of int
        Cells per level, the input first and the stack's output last.
    cone : tuple of frozenset of int
        Per level, the cells the chosen output depends on (found by walking the window map back).
    output : int
        The chosen output cell.
    field : ReceptiveField or None
        Araujo et al.'s closed form for the same stack (:func:`convarith.studies.receptive.receptive_field`).
    message : str or None
    reads : tuple of (level, cell, cell below)
        The window reads inside the cone: ``cell`` of level ``level`` reads ``cell below``.
    """

    sizes: tuple[int, ...]
    cone: tuple[frozenset[int], ...]
    output: int
    field: Any
    message: str | None = None
    reads: tuple[tuple[int, int, int], ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the stack could be described (no message)."""
        return self.message is None

    @property
    def extent(self) -> tuple[int, int]:
        """First and last input cell of the cone (the brute-force receptive field)."""
        return min(self.cone[0]), max(self.cone[0])

    @property
    def agrees(self) -> bool:
        """Whether the cone's extent at the input is the closed form's interval."""
        return self.field is not None and self.extent == tuple(self.field.interval(self.output))


def describe_cone(
    layers: int = 3, kernel_size: int = 3, stride: int = 1, dilation: int = 1, *, output: int = 0, outputs: int = 3
) -> ConeState:
    """The receptive-field cone of output ``output`` of ``layers`` identical unpadded convolutions.

    Parameters
    ----------
    layers, kernel_size, stride, dilation : int
        The stack: ``layers`` convolutions with the same kernel, stride and dilation, no padding.
    output : int
        The output cell whose cone is traced.
    outputs : int
        Number of output cells; the input is as small as that allows.

    Returns
    -------
    ConeState

    Notes
    -----
    Sizes are worked back from the output, ``n_l = (n_{l+1} - 1)*s + ek``, and the cone by
    walking :meth:`convarith.arithmetic.WindowMap.reads` from the output to the input. The closed form it is
    checked against (Araujo et al., 2019): ``r0 = 1 + sum_l (ek - 1) * s**(l-1)``, so output
    ``y`` reads input ``[y*S0, y*S0 + r0 - 1]`` with ``S0 = s**layers``.

    Examples
    --------
    >>> state = describe_cone(3, 3)  # three 3x3 layers: each output sees 7 input cells
    >>> state.sizes, state.extent, state.agrees
    ((9, 7, 5, 3), (0, 6), True)
    """
    from convarith.arithmetic.windows import window_map
    from convarith.studies.receptive import layer, receptive_field

    try:
        for value, name in [(layers, "layers"), (kernel_size, "kernel_size"), (stride, "stride")]:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer, got {value!r}")
        if not 0 <= output < outputs:
            raise ValueError(f"`output` must be in [0, {outputs}), got {output}")
        ek = dilation * (kernel_size - 1) + 1
        sizes = [outputs]
        for _ in range(layers):
            sizes.insert(0, (sizes[0] - 1) * stride + ek)
        if sizes[0] > MAX_CONE_CELLS:
            raise ValueError(
                f"the input would have {sizes[0]} cells, more than the {MAX_CONE_CELLS} a picture can show: "
                "use fewer layers, a smaller kernel, stride or dilation"
            )
        field = receptive_field([layer("conv", kernel_size, stride, 0, dilation)] * layers, input_size=sizes[0])
        cone = [frozenset({output})]
        reads: list[tuple[int, int, int]] = []
        for level in range(layers - 1, -1, -1):
            windows = window_map(sizes[level], kernel_size, stride, 0, dilation)
            pairs = [(y, r.input[0]) for y in sorted(cone[0]) for r in windows.reads((y,))]
            reads += [(level + 1, y, x) for y, x in pairs]
            cone.insert(0, frozenset(x for _, x in pairs))
    except (ValueError, TypeError) as error:
        return ConeState((), (), output, None, message=str(error))
    return ConeState(tuple(sizes), tuple(cone), output, field, reads=tuple(reads))


def _draw_cone(state: ConeState, dpi: float) -> np.ndarray:
    """Pixels of the cone picture: one row of cells per level, the input at the bottom."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from convarith.anim.render import PALETTE

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

    Attributes
    ----------
    controls : dict of str to IntSlider
    step, play, picture, check, message
        As in :class:`LayerExplorer`; ``text`` shows the closed form.

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
    ) -> None:
        self.dpi = dpi
        self.controls = {
            "layers": _slider("layers", layers, 1, 5),
            "kernel_size": _slider("kernel k", kernel_size, 1, 5),
            "stride": _slider("stride s", stride, 1, 3),
            "dilation": _slider("dilation d", dilation, 1, 3),
        }
        for name, control in self.controls.items():
            control.add_class(f"convarith-{name.replace('_', '-')}")
            control.observe(lambda change: self.update(), names="value")
        self._stepper = _Stepper("output cell", interval)
        self.step = self._stepper.slider
        self.play = self._stepper.play
        self.step.observe(lambda change: self._redraw(), names="value")
        self.picture = widgets.Image(format="png")
        self.picture.add_class("convarith-picture")
        self.text = widgets.HTML()
        self.check = widgets.HTML()
        self.check.add_class("convarith-check")
        self.message = widgets.HTML()
        self.message.add_class("convarith-message")
        self.state = ConeState((), (), 0, None)
        self._busy = False
        super().__init__(
            [widgets.VBox([*self.controls.values(), self._stepper.box]), self.message, self.picture, self.check,
             self.text],
            layout=widgets.Layout(border="1px solid #ddd", padding="0.5em"),
        )  # fmt: skip
        self.add_class("convarith-explorer")
        self.update()

    def _parameters(self) -> dict[str, int]:
        return {name: int(control.value) for name, control in self.controls.items()}

    def update(self) -> None:
        """Rebuild the stack from the controls and show output cell 1 of 3."""
        self._busy = True
        try:
            self._stepper.reset(3)
        finally:
            self._busy = False
        self._redraw()

    def _redraw(self) -> None:
        if self._busy:
            return
        try:
            state = describe_cone(**self._parameters(), output=self._stepper.index())
            pixels = _draw_cone(state, self.dpi) if state.ok else None
        except Exception as error:  # never a traceback in the classroom
            state, pixels = ConeState((), (), 0, None, message=f"{type(error).__name__}: {error}"), None
        self.state = state
        if not state.ok or pixels is None:
            self.message.value = _message_html(state.message or "", "Cannot draw this stack")
            self.picture.layout.display = "none"
            self.check.value = self.text.value = ""
            return
        self.message.value = ""
        self.picture.layout.display = None
        self.picture.width, self.picture.height = str(pixels.shape[1]), str(pixels.shape[0])
        self.picture.value = png_bytes(pixels)
        first, last = state.extent
        field = state.field
        self.check.value = _check_html(
            f"traced through the windows: output {state.output} depends on input cells {first}..{last} "
            f"({last - first + 1} wide); closed form: [{state.output}·S0 − P0, … + r0 − 1] = "
            f"{tuple(field.interval(state.output))}, r0 = {field.size}; "
            + ("✓ they agree" if state.agrees else "✗ they DISAGREE"),
            state.agrees,
        )
        self.text.value = f"<pre>{html.escape(repr(field))}</pre>"


# --------------------------------------------------------------------------------------------
# quiz


@dataclass(frozen=True)
class _Question:
    kind: str
    geometry: Geometry

    def text(self) -> str:
        a = self.geometry.axes[0]
        parts = [f"input size i = {a.input_size}", f"kernel k = {a.kernel_size}", f"stride s = {a.stride}"]
        pb, pe = a.padding
        parts.append(f"padding p = {pb}" if pb == pe else f"padding (before, after) = ({pb}, {pe})")
        if a.dilation != 1:
            parts.append(f"dilation d = {a.dilation}")
        if a.output_padding:
            parts.append(f"output padding a = {a.output_padding}")
        if a.ceil_mode:
            parts.append("ceil_mode=True")
        name = {"conv": "A convolution", "pool": "A pooling layer", "transpose": "A transposed convolution"}
        return f"{name[self.kind]} with " + ", ".join(parts) + ". What is the output size o?"


def _random_question(rng: np.random.Generator, kinds: Sequence[str]) -> _Question:
    while True:
        kind = str(rng.choice(list(kinds)))
        k = int(rng.integers(2, 6))
        s = int(rng.integers(1, 4))
        d = int(rng.choice([1, 1, 1, 2]))
        i = int(rng.integers(max(k, 3), 14))
        p = int(rng.integers(0, k))
        try:
            if kind == "conv":
                geo = geometry("conv", i, k, s, p, d)
            elif kind == "pool":
                geo = geometry("pool", i, k, s, min(p, k // 2), 1, ceil_mode=bool(rng.integers(0, 2)))
            else:
                a = int(rng.integers(0, s)) if s > 1 else 0
                geo = geometry("transpose", int(rng.integers(2, 7)), k, s, min(p, k - 1), d, output_padding=a)
        except ValueError:
            continue
        if geo.output_shape[0] >= 1:
            return _Question(kind, geo)


def _hint(question: _Question, answer: int) -> str:
    a = question.geometry.axes[0]
    right = a.output_size
    i, k, s, (pb, pe), ek = a.input_size, a.kernel_size, a.stride, a.padding, a.effective_kernel_size
    if question.kind == "transpose":
        return "A transposed convolution grows: each step of the input moves the kernel s places on the output."
    exact = (i + pb + pe - ek) / s + 1
    if a.dilation != 1 and answer == (i + pb + pe - k) // s + 1:
        return f"The dilated kernel covers ek = d·(k − 1) + 1 = {ek} cells, not k = {k}."
    if not a.ceil_mode and answer == -(-(i + pb + pe - ek) // s) + 1 and answer != right:
        return (
            f"Round down: (i + pb + pe − ek)/s = {exact - 1:g} has a fraction, and a window that does not fit"
            " is dropped."
        )
    if a.ceil_mode and answer == (i + pb + pe - ek) // s + 1 and answer != right:
        return "ceil_mode=True rounds up: a last, partial window is kept."
    if answer == (i - ek) // s + 1 and (pb or pe):
        return "Count the padding on both sides: i + pb + pe cells."
    return "Count the kernel positions: the first at 0, then every s cells while the window fits."


class OutputSizeQuiz(widgets.VBox):
    """A "predict the output size" quiz: a question, an answer box, and an explanation with the formula.

    Parameters
    ----------
    kinds : sequence of {'conv', 'pool', 'transpose'}
        What to ask about.
    seed : int
        Questions come from :func:`numpy.random.default_rng` with this seed, so a class can share
        the same questions.

    Attributes
    ----------
    question : the current question (``question.geometry`` is its :class:`Geometry`)
    answer : IntText
    feedback : HTMLMath
    score : tuple of int
        ``(right, asked)``.

    Examples
    --------
    >>> quiz = OutputSizeQuiz(seed=1)
    >>> quiz.answer.value = quiz.question.geometry.output_shape[0]
    >>> quiz.check_answer()
    True
    >>> quiz.score
    (1, 1)
    """

    def __init__(self, kinds: Sequence[str] = ("conv",), *, seed: int = 0) -> None:
        for kind in kinds:
            if kind not in ("conv", "pool", "transpose"):
                raise ValueError(f"`kinds` entries must be 'conv', 'pool' or 'transpose'; got {kind!r}")
        if not kinds:
            raise ValueError("`kinds` must name at least one kind of layer")
        self.kinds = tuple(kinds)
        self._rng = np.random.default_rng(seed)
        self.prompt = widgets.HTML()
        self.prompt.add_class("convarith-quiz-question")
        self.answer = widgets.IntText(value=0, description="o =", layout=widgets.Layout(width="12em"))
        self.answer.add_class("convarith-quiz-answer")
        self.check_button = widgets.Button(description="Check", button_style="primary")
        self.check_button.add_class("convarith-quiz-check")
        self.next_button = widgets.Button(description="New question")
        self.feedback = widgets.HTMLMath()
        self.feedback.add_class("convarith-quiz-feedback")
        self.scoreline = widgets.HTML()
        self.check_button.on_click(lambda _: self.check_answer())
        self.next_button.on_click(lambda _: self.new_question())
        self.right = 0
        self.asked = 0
        super().__init__(
            [self.prompt, widgets.HBox([self.answer, self.check_button, self.next_button]), self.feedback,
             self.scoreline],
            layout=widgets.Layout(border="1px solid #ddd", padding="0.5em"),
        )  # fmt: skip
        self.add_class("convarith-quiz")
        self.new_question()

    @property
    def score(self) -> tuple[int, int]:
        """``(right, asked)`` so far."""
        return self.right, self.asked

    def new_question(self) -> None:
        """Draw the next question and clear the answer and feedback."""
        self.question = _random_question(self._rng, self.kinds)
        self.prompt.value = f"<b>Predict the output size.</b> {html.escape(self.question.text())}"
        self.feedback.value = ""
        self._answered = False

    def check_answer(self) -> bool:
        """Compare the answer with the formula, explain, and return whether it was right."""
        right = self.question.geometry.output_shape[0]
        answer = int(self.answer.value)
        latex = self.question.geometry._repr_latex_()
        correct = answer == right
        if not self._answered:
            self.asked += 1
            self.right += int(correct)
            self._answered = True
        if correct:
            self.feedback.value = f'<div style="color:{_OK}"><b>✓ Right: o = {right}.</b></div><div>{latex}</div>'
        else:
            self.feedback.value = (
                f'<div style="color:{_BAD}"><b>✗ Not quite: you said {answer}, the output size is {right}.</b></div>'
                f"<div>{latex}</div><div><i>{html.escape(_hint(self.question, answer))}</i></div>"
            )
        self.scoreline.value = f"score: {self.right} of {self.asked} right on the first try"
        return correct
