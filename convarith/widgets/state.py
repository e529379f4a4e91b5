"""What the widgets show, computed without widgets: plain data, testable without a browser or kernel.

Each widget has a ``describe_*`` function that returns a frozen state object; the widget only
draws it. The layer explorer's is here; the group and receptive-field explorers' are in
:mod:`convarith.widgets.channel_state`. Importing this module needs NumPy alone (no ipywidgets, no matplotlib).

An impossible combination of parameters gives a state whose ``message`` is the validation
error's text (it names the argument and the numbers). Only those validation errors become
messages: any other exception is a bug and propagates.

The explorer's agreement line compares the formula with a count that does not use it: a scan of
where the (dilated) kernel fits in the padded input, start by start (:func:`kernel_starts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convarith.anim.scenes import Scene, conv_scene, pool_scene, transpose_scene
from convarith.arithmetic import Layer, LayerError, effective_kernel_size, layer, transpose_equivalent
from convarith.arithmetic.ops import OP_ALIASES
from convarith.arithmetic.text import axis_lines, format_pad, format_padding, format_size
from convarith.engine import avg_pool, conv, conv_transpose, max_pool
from convarith.engine.dtypes import real_array
from convarith.engine.padding import check_mode_limits
from convarith.testing import random_array

__all__ = [
    "KINDS",
    "PADDING_CHOICES",
    "LayerState",
    "describe_layer",
    "explorer_array",
    "explorer_layer",
    "layer_state",
    "kernel_starts",
]

KINDS = ("conv", "max_pool", "avg_pool", "conv_transpose")
"""Layers a :class:`~convarith.widgets.LayerExplorer` shows (layer ops; ``'transpose'`` is an alias)."""

PADDING_CHOICES = ("explicit", "valid", "same", "full")
"""The padding control's options: explicit ``(before, after)`` numbers, or a rule."""

# --------------------------------------------------------------------------------------------
# the brute-force count the formula is checked against


def kernel_starts(
    kind: str,
    input_size: int,
    kernel_size: int,
    stride: int,
    padding: tuple[int, int],
    dilation: int = 1,
    *,
    output_padding: int = 0,
    ceil_mode: bool = False,
) -> list[int]:
    """Where the kernel starts along one axis, found by scanning the padded input (no formula).

    Parameters
    ----------
    kind : {'conv', 'max_pool', 'avg_pool', 'conv_transpose'}
    input_size, kernel_size, stride, dilation : int
    padding : (before, after)
    output_padding : int
        Transposed convolution only.
    ceil_mode : bool
        Pooling only (PyTorch's rule).

    Returns
    -------
    list of int
        Start cells of the kernel, counted from the first padded cell; one per output cell.

    Notes
    -----
    The dilated kernel covers ``ek = d*(k - 1) + 1`` cells. Convolution and pooling: try
    ``p = 0, s, 2s, ...`` and keep ``p`` while ``p + ek <= pb + i + pe``. In ceil mode the first
    window that does not fit is kept too if it hangs over the padded input by less than a stride
    (so it covers cells no kept window covers) and does not start in the right padding
    (``p < pb + i``), as in PyTorch.

    Transposed convolution, as drawn in the guide's direct view: a stride-1 scan over the input
    stretched by ``s - 1`` zeros between cells, ``(i - 1)s + 1`` cells, padded by ``ek - 1 - pb``
    before and ``ek - 1 - pe + a`` after.

    Examples
    --------
    >>> kernel_starts("conv", 5, 3, 2, (1, 1))  # padding_strides: 3 positions
    [0, 2, 4]
    >>> kernel_starts("max_pool", 5, 2, 2, (0, 0), ceil_mode=True)  # a partial last window
    [0, 2, 4]
    >>> kernel_starts("max_pool", 1, 2, 2, (0, 0), ceil_mode=True)  # only a partial window
    [0]
    >>> len(kernel_starts("conv_transpose", 2, 3, 2, (0, 0)))  # no_padding_strides_transposed
    5
    """
    ek = effective_kernel_size(kernel_size, dilation)
    pb, pe = padding
    if OP_ALIASES.get(kind, kind) == "conv_transpose":
        length = (input_size - 1) * stride + 1 + (ek - 1 - pb) + (ek - 1 - pe + output_padding)
        step = 1
    else:
        length = pb + input_size + pe
        step = stride
    starts = []
    start = 0
    while start + ek <= length:
        starts.append(start)
        start += step
    if ceil_mode and OP_ALIASES.get(kind, kind) != "conv_transpose":  # the first window that does not fit
        overhang = start + ek - length
        if overhang < stride and start < pb + input_size:
            starts.append(start)
    return starts


# --------------------------------------------------------------------------------------------
# one layer


@dataclass(frozen=True, eq=False)
class LayerState:
    """What a :class:`~convarith.widgets.LayerExplorer` shows for one set of parameters.

    Attributes
    ----------
    layer : Layer or None
        The layer (its resolved padding, output size and formula); None when the parameters are
        impossible (then ``message`` says why).
    scene : Scene or None
        The animation frames (:mod:`convarith.anim.scenes`).
    engine_shape : tuple of int or None
        Output shape the engine computed for an input of shape ``input_shape``.
    input_shape, weight_shape : tuple of int
        The arrays passed to the engine: ``(1, C_in, *spatial)`` and the weight.
    engine_call : str
        The engine call, as a reader would type it.
    message : str or None
        Why the parameters are impossible.
    notes : tuple of str
        Remarks shown under the formula.
    positions : tuple of int
        Kernel positions per axis found by :func:`kernel_starts` (a scan, not the formula).
    """

    layer: Layer | None
    scene: Scene | None
    engine_shape: tuple[int, ...] | None
    input_shape: tuple[int, ...] = ()
    weight_shape: tuple[int, ...] = ()
    engine_call: str = ""
    message: str | None = None
    notes: tuple[str, ...] = field(default=())
    positions: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the parameters make a layer (no message)."""
        return self.message is None

    @property
    def expected_shape(self) -> tuple[int, ...] | None:
        """``(1, C_out, *output)`` from the formula."""
        if self.layer is None or self.engine_shape is None:
            return None
        return (*self.engine_shape[:2], *self.layer.output_shape)

    @property
    def agrees(self) -> bool:
        """Whether the formula's output shape equals the scanned kernel positions and the engine's."""
        if self.layer is None or self.engine_shape is None:
            return False
        formula = self.layer.output_shape
        return self.positions == formula and self.engine_shape[2:] == formula

    def formula_latex(self) -> str:
        """The formula with numbers, as ``$...$`` for :class:`ipywidgets.HTMLMath` ('' if impossible).

        One line when every axis has the same numbers, else one line per axis.
        """
        if self.layer is None:
            return ""
        rows = axis_lines(self.layer.latex_rows(), alike="")  # one row when every axis agrees
        if len(rows) == 1 and self.layer.ndim > 1:
            return f"${rows[0]}$ &nbsp; (rows and columns alike)"
        return f"${self.layer.latex()}$"

    def check_text(self) -> str:
        """One line: the scanned kernel positions, the formula's size, the engine's shape, and whether they agree."""
        if self.layer is None or self.engine_shape is None:
            return ""
        scanned = "zero-inserted, padded input" if self.layer.op == "conv_transpose" else "padded input"
        verdict = "✓ they agree" if self.agrees else "✗ they DISAGREE"
        return (
            f"kernel positions (scan of the {scanned}): {format_size(self.positions)};  "
            f"formula: {format_size(self.layer.output_shape)};  "
            f"engine: {self.engine_call} → {self.engine_shape};  {verdict}"
        )


def explorer_array(values: Any, name: str, ndim: int) -> np.ndarray:
    """The spatial part of an array an explorer shows: ``(*spatial)``, ``(1, *spatial)`` or ``(1, 1, *spatial)``.

    Parameters
    ----------
    values : array_like
        Numbers; the axes before the last ``ndim`` (batch, channel) must have length 1.
    name : str
        The parameter's name, for the message (``'x'`` or ``'w'``).
    ndim : {1, 2}
        Spatial axes.

    Returns
    -------
    numpy.ndarray
        The array with only its ``ndim`` spatial axes (a view).

    Raises
    ------
    LayerError
        When the array has too few or too many axes, or a batch or channel axis longer than 1.
    TypeError
        When the values are not numbers.

    Notes
    -----
    The explorers draw one channel of one example, so ``x[None, None]`` (PyTorch's batched shape
    ``(N, C, *spatial)``) and ``x[None]`` (unbatched ``(C, *spatial)``) are accepted when
    ``N = C = 1``, and likewise the weight ``w[None, None]`` (``(C_out, C_in, *k)``).

    Examples
    --------
    >>> explorer_array(np.ones((1, 1, 5, 5)), "x", 2).shape
    (5, 5)
    >>> explorer_array(np.ones((2, 5, 5)), "x", 2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    convarith.arithmetic.validate.LayerError: `x` has shape (2, 5, 5): the explorer draws one channel ...
    """
    array = real_array(values, name)  # the engine's one dtype gate (no complex, bool or object)
    if not ndim <= array.ndim <= ndim + 2:
        raise LayerError(
            f"`{name}` has shape {array.shape} ({array.ndim} axes): give {ndim} spatial axes, "
            f"as (*spatial), (1, *spatial) or (1, 1, *spatial)"
        )
    if any(n != 1 for n in array.shape[: array.ndim - ndim]):
        raise LayerError(
            f"`{name}` has shape {array.shape}: the explorer draws one channel of one example, "
            f"so the axes before the last {ndim} must have length 1"
        )
    return array.reshape(array.shape[array.ndim - ndim :])


def _check_arrays(lay: Layer, x: np.ndarray | None, w: np.ndarray | None) -> None:
    """Raise LayerError unless ``x`` is the layer's input and ``w`` its kernel."""
    assert lay.input_size is not None
    if x is not None and x.shape != lay.input_size:
        raise LayerError(
            f"`x` is {format_size(x.shape)} but the layer's input is {format_size(lay.input_size)} "
            f"(`input_size` {lay.input_size[0]}): set the input size to match `x`, or leave `x` out"
        )
    if w is not None and w.shape != lay.kernel_size:
        raise LayerError(
            f"`w` is {format_size(w.shape)} but the layer's kernel is {format_size(lay.kernel_size)} "
            f"(`kernel_size` {lay.kernel_size[0]}): set the kernel size to match `w`, or leave `w` out"
        )


def _call_padding(pads: tuple[tuple[int, int], ...]) -> int | tuple[tuple[int, int], ...]:
    """The ``padding=`` argument as a reader would type it: one int when every side is the same."""
    first = pads[0][0]
    return first if all(pair == (first, first) for pair in pads) else pads


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
    x: Any = None,
    w: Any = None,
) -> LayerState:
    """Everything a :class:`~convarith.widgets.LayerExplorer` shows: layer, frames, scan and engine shape.

    Parameters
    ----------
    kind : {'conv', 'max_pool', 'avg_pool', 'conv_transpose'}
    input_size, kernel_size, stride, dilation, output_padding : int
        The same on every axis (``stride`` defaults to 1, or to the kernel for pooling).
    padding : int, (before, after), or {'valid', 'same', 'full'}
        The same on every axis; ``'same'`` is split by ``convention``
        (:data:`convarith.arithmetic.CONVENTIONS`).
    ceil_mode : bool
        Pooling only.
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}
        Convolution only: how padded cells are filled. The engine check runs with it and, with
        ``numbers``, the picture's padding cells show the engine's padded values and its outputs
        are computed from them.
    convention : str
        The 'same' rule.
    view : {'direct', 'scatter'}
        Transposed convolution: the guide's direct view or the scatter view.
    numbers : bool
        Draw values in the cells.
    ndim : {1, 2}
        Spatial axes.
    seed : int
        Seed of the random input the engine check uses (when no ``x`` is given).
    x, w : array_like, optional
        The input and the kernel (convolutions only) to show and run the engine on: ``ndim``
        spatial axes, optionally with batch and channel axes of length 1 (:func:`explorer_array`).
        Their sizes must be the layer's ``input_size`` and ``kernel_size``. With ``numbers`` (and
        always for pooling) the picture shows these values and the engine's output computed from them.

    Returns
    -------
    LayerState
        With ``message`` set (and no layer) when the parameters are impossible.

    Raises
    ------
    Exception
        Anything but a :class:`~convarith.arithmetic.LayerError` (a bug) propagates.

    Notes
    -----
    Three answers to "how many outputs?": the formula of the :class:`~convarith.arithmetic.Layer`
    (e.g. ``o = floor((i + pb + pe - ek)/s) + 1``), the engine (:func:`convarith.conv`,
    :func:`convarith.max_pool`, :func:`convarith.avg_pool`, :func:`convarith.conv_transpose`) run
    on a random input of shape ``(1, 1, i, ...)``, and a scan of the kernel's start positions
    (:func:`kernel_starts`). The engine computes its windows from the same layer value, so only the
    scan is independent of the formula.

    Examples
    --------
    >>> state = describe_layer("conv", 5, 3, stride=2, padding=1)
    >>> state.positions, state.layer.output_shape, state.engine_shape, state.agrees
    ((3, 3), (3, 3), (1, 1, 3, 3), True)
    >>> describe_layer("conv", 2, 5).message  # the kernel does not fit
    '`kernel_size` 5 is larger than the padded input 2 = 2 + 0 + 0 on axis 0: no output'
    >>> x = np.arange(16).reshape(4, 4)
    >>> describe_layer("conv", 4, 3, x=x, w=np.ones((3, 3)), numbers=True).scene.panels[0].frames[-1].output_values
    array([[45., 54.],
           [81., 90.]])
    >>> describe_layer("conv", 5, 3, x=x).message
    "`x` is 4×4 but the layer's input is 5×5 (`input_size` 5): set the input size to match `x`, or leave `x` out"
    """
    kind = OP_ALIASES.get(kind, kind)
    if kind not in KINDS:
        return LayerState(None, None, None, message=f"`kind` must be one of {', '.join(KINDS)}; got {kind!r}")
    if ndim not in (1, 2):
        return LayerState(None, None, None, message=f"`ndim` must be 1 or 2 (pictures), got {ndim}")
    try:  # the layer parser: the one place where impossible parameters become a message
        lay = explorer_layer(
            kind, input_size, kernel_size, stride, padding, dilation,
            output_padding=output_padding, ceil_mode=ceil_mode, convention=convention, ndim=ndim,
        )  # fmt: skip
    except LayerError as error:
        return LayerState(None, None, None, message=str(error))
    return layer_state(lay, view=view, padding_mode=padding_mode, numbers=numbers, seed=seed, x=x, w=w)


def explorer_layer(
    kind: str = "conv",
    input_size: int = 5,
    kernel_size: int = 3,
    stride: int | None = None,
    padding: Any = 0,
    dilation: int = 1,
    *,
    output_padding: int = 0,
    ceil_mode: bool = False,
    convention: str = "tensorflow",
    ndim: int = 2,
) -> Layer:
    """The layer an explorer's controls describe: the same numbers on every axis.

    Parameters
    ----------
    kind : {'conv', 'max_pool', 'avg_pool', 'conv_transpose'}
    input_size, kernel_size, stride, dilation, output_padding : int
        The same on every axis (``stride`` defaults to 1, or to the kernel for pooling).
    padding : int, (before, after), or {'valid', 'same', 'full'}
        The same on every axis; ``'same'`` is split by ``convention``.
    ceil_mode : bool
        Pooling only.
    convention : str
        The 'same' rule (:data:`convarith.arithmetic.CONVENTIONS`).
    ndim : {1, 2}
        Spatial axes.

    Returns
    -------
    Layer
        ``layer(op, (input_size,) * ndim, ...)`` (:func:`convarith.arithmetic.layer`), with
        ``op`` the kind (``'transpose'`` is read as ``'conv_transpose'``).

    Raises
    ------
    LayerError
        When the parameters make no layer (the message names the parameter and the numbers).

    Notes
    -----
    A ``(before, after)`` padding is the same pair on every axis: ``((pb, pe),) * ndim``.

    Examples
    --------
    >>> explorer_layer("conv", 6, 3, 2, "same").padding
    ((0, 1), (0, 1))
    >>> explorer_layer("max_pool", 5, 2, padding=(0, 1), ndim=1).output_shape
    (3,)
    """
    if kind == "avg_pool" and dilation != 1:
        raise LayerError(f"`dilation` {dilation}: average pooling has no dilation (PyTorch's AvgPool)")
    if isinstance(padding, Sequence) and not isinstance(padding, str):  # (before, after) on every axis
        padding = ((int(padding[0]), int(padding[1])),) * ndim
    return layer(
        OP_ALIASES.get(kind, kind), (input_size,) * ndim, kernel_size, stride, padding, dilation,
        output_padding=output_padding, ceil_mode=ceil_mode, convention=convention,
    )  # fmt: skip


def layer_state(
    lay: Layer,
    *,
    view: str = "direct",
    padding_mode: str = "zeros",
    numbers: bool = False,
    seed: int = 0,
    x: Any = None,
    w: Any = None,
) -> LayerState:
    """What an explorer shows for one layer: its frames, the engine call and shape, the scan.

    Parameters
    ----------
    lay : Layer
        A ``'conv'``, ``'conv_transpose'``, ``'max_pool'`` or ``'avg_pool'`` layer with an input
        size of one or two axes (:func:`explorer_layer`). The scene, the engine call and the
        check line all take their numbers from it.
    view, padding_mode, numbers, seed, x, w
        As :func:`describe_layer` takes them.

    Returns
    -------
    LayerState
        With ``message`` set (and no layer) when ``x`` or ``w`` do not fit the layer, the direct
        view of a transposed convolution would pad by less than nothing, or the padding mode's
        limits are passed.

    Examples
    --------
    >>> state = layer_state(explorer_layer("conv", 5, 3, 2, 1))  # padding_strides
    >>> state.positions, state.engine_call
    ((3, 3), 'conv(x (1, 1, 5, 5), w (1, 1, 3, 3), stride=2, padding=1)')
    """
    kind = lay.op
    ndim = lay.ndim
    try:
        xs = None if x is None else explorer_array(x, "x", ndim)
        if w is not None and kind in ("max_pool", "avg_pool"):
            raise LayerError(f"`w`: {kind} has no kernel weights, got an array of shape {np.shape(w)}")
        ws = None if w is None else explorer_array(w, "w", ndim)
        _check_arrays(lay, xs, ws)
    except LayerError as error:
        return LayerState(None, None, None, message=str(error))
    assert lay.padding is not None and lay.input_size is not None
    shape, kernel, pads = lay.input_size, lay.kernel_size, lay.padding
    if kind == "conv_transpose" and view == "direct":
        equivalent = transpose_equivalent(lay)
        assert isinstance(equivalent, tuple)
        if any(p < 0 for axis in equivalent for p in axis.padding):
            eq = equivalent[0]
            return LayerState(None, None, None, message=(
                f"`padding` {format_padding(pads)} is more than the dilated kernel size minus one "
                f"({eq.dilation * (eq.kernel_size - 1)}): the guide's direct view would pad the stretched input "
                f"by p′ = ek − 1 − p = {format_pad(eq.padding)}, less than nothing; choose the scatter view"
            ))  # fmt: skip
    s, d, a = lay.stride[0], lay.dilation[0], lay.output_padding[0]  # the same on every axis
    ceil_mode = lay.ceil_mode
    shown_x = xs if numbers or kind in ("max_pool", "avg_pool") else None  # values in the picture
    shown_w = ws if numbers else None
    x = random_array((1, 1, *shape), seed=seed) if xs is None else xs[None, None]
    w = random_array((1, 1, *kernel), seed=seed + 1) if ws is None else ws[None, None]
    if kind == "conv" and padding_mode != "zeros":
        try:  # the engine's padding-mode limits (reflect: pads < i; circular: pads <= i)
            check_mode_limits(shape, pads, padding_mode, "padding_mode")
        except LayerError as error:
            return LayerState(None, None, None, message=str(error))
    out_shape, call = _run_engine(lay, kind, x, w, padding_mode)
    scene, notes = _explorer_scene(lay, kind, view, padding_mode, numbers, shown_x, shown_w)
    positions = tuple(
        len(kernel_starts(kind, shape[axis], kernel[axis], s, pads[axis], d, output_padding=a, ceil_mode=ceil_mode))
        for axis in range(lay.ndim)
    )
    return LayerState(lay, scene, out_shape, x.shape, w.shape, call, None, notes, positions)


def _run_engine(lay: Layer, kind: str, x: np.ndarray, w: np.ndarray, padding_mode: str) -> tuple[tuple[int, ...], str]:
    """The engine's output shape for ``lay`` on ``x`` (and ``w``), and the call as a reader would type it."""
    assert lay.padding is not None
    s, d, a = lay.stride[0], lay.dilation[0], lay.output_padding[0]  # the same on every axis
    kernel, ceil_mode = lay.kernel_size, lay.ceil_mode
    pad_arg = _call_padding(lay.padding)
    out: Any  # the engine's result (max_pool's type also allows an (output, indices) pair)
    if kind == "conv":
        out = conv(x, w, stride=s, padding=pad_arg, dilation=d, padding_mode=padding_mode)
        call = f"conv(x {x.shape}, w {w.shape}, stride={s}, padding={pad_arg!r}"
        call += f", dilation={d}" if d != 1 else ""
        call += f", padding_mode={padding_mode!r})" if padding_mode != "zeros" else ")"
    elif kind == "conv_transpose":
        out = conv_transpose(x, w, stride=s, padding=pad_arg, output_padding=a, dilation=d)
        call = f"conv_transpose(x {x.shape}, w {w.shape}, stride={s}, padding={pad_arg!r}"
        call += f", output_padding={a})" if a else ")"
    else:
        if kind == "max_pool":
            out = max_pool(x, kernel, stride=s, padding=pad_arg, dilation=d, ceil_mode=ceil_mode)
        else:
            out = avg_pool(x, kernel, stride=s, padding=pad_arg, ceil_mode=ceil_mode)
        call = f"{kind}(x {x.shape}, {kernel}, stride={s}, padding={pad_arg!r}"
        call += f", dilation={d}" if d != 1 else ""
        call += ", ceil_mode=True)" if ceil_mode else ")"
    return tuple(int(n) for n in np.shape(out)), call


def _explorer_scene(
    lay: Layer, kind: str, view: str, padding_mode: str, numbers: bool, shown_x: Any, shown_w: Any
) -> tuple[Scene, tuple[str, ...]]:
    """The frames of ``lay`` as the explorer draws them, and the notes under the formula."""
    assert lay.padding is not None and lay.input_size is not None
    shape, kernel, pads = lay.input_size, lay.kernel_size, lay.padding
    s, d, a = lay.stride[0], lay.dilation[0], lay.output_padding[0]  # the same on every axis
    if kind == "conv":
        rule = lay.padding_rule if lay.padding_rule != "explicit" else pads  # a rule keeps its name in the title
        scene = conv_scene(
            shape, kernel, s, rule, d, convention=lay.convention, numbers=numbers,
            input_values=shown_x, kernel_values=shown_w, padding_mode=padding_mode,
        )  # fmt: skip
        return scene, ()
    if kind == "conv_transpose":
        scene = transpose_scene(
            shape, kernel, s, pads, a, d, view=view, numbers=numbers, input_values=shown_x, kernel_values=shown_w
        )
        return scene, ()
    mode = "max" if kind == "max_pool" else "avg"
    scene = pool_scene(shape, kernel, s, pads, d, mode=mode, ceil_mode=lay.ceil_mode, input_values=shown_x)
    if lay.ceil_mode and lay.axes[0].pool_dropped_last():
        return scene, ("ceil mode dropped the last window: it would start in the right padding",)
    return scene, ()
