"""Hypothesis strategies for convolution arithmetic: valid layers of every op, and arrays for them.

:func:`layers` draws :class:`~convarith.arithmetic.Layer` values that :func:`convarith.arithmetic.layer`
accepts: convolutions with stride, padding (symmetric, ``(before, after)`` pairs, ``'same'`` under
each convention, ``'valid'``, ``'full'``), dilation and groups; the pools with ceil mode; transposed
convolutions with output padding. :func:`arrays_for` draws an input and a weight for one layer, and
:func:`cases` both at once: each drawn :class:`Case` knows its output size (its layer's) and, through
the engine, its output (:meth:`Case.expected`).

Edge cases are drawn on purpose, each in about one case in five: the (dilated) kernel exactly as
large as the padded input, the stride above the kernel (cells no window reads), and, for pooling in
ceil mode, an input for which the last ceil-mode window would start in the right padding (and is
dropped). Array values are small integers (``-3..3``) in the requested dtype: sums are exact in
every float dtype, and a failing case shrinks to a few ones.

Needs `hypothesis <https://hypothesis.readthedocs.io>`_ (``pip install "convarith[testing]"``).

Examples
--------
>>> from hypothesis import given
>>> @given(layers("conv", ndim=2))
... def test_output_size(lay):
...     assert lay.output_size == conv_output_size(lay.input_size, lay.kernel_size, lay.stride, lay.padding,
...                                                lay.dilation)
>>> from convarith import conv_output_size
>>> test_output_size()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from convarith.arithmetic import CONVENTIONS, Layer, LayerError, layer
from convarith.arithmetic.layer import OPS, POOL_CONVENTIONS

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as error:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "convarith.testing.strategies needs hypothesis, an optional dependency: "
        'pip install "convarith[testing]" (or pip install "hypothesis>=6.100")'
    ) from error

from convarith.testing.layer_axes import POOLS, draw_axis  # (needs hypothesis: after the check above)

__all__ = ["EDGES", "PADDING_FORMS", "SAME_CONVENTIONS", "Case", "layers", "arrays_for", "cases"]

PADDING_FORMS: tuple[str, ...] = ("symmetric", "pairs", "same", "valid", "full", "none")
"""How :func:`layers` may write a padding: one int per axis (``'symmetric'``), ``(before, after)``
per axis (``'pairs'``), zero everywhere (``'none'``), or a word (``'same'`` split by a convention,
``'valid'``, ``'full'``; convolutions only)."""

SAME_CONVENTIONS: tuple[str, ...] = ("tensorflow", "same_lower", "pytorch", "caffe")
"""The distinct splits of ``padding='same'`` (``'keras'``, ``'jax'`` and ``'same_upper'`` split as
``'tensorflow'``; ``'pytorch'`` only at stride 1)."""

EDGES: tuple[str, ...] = ("any", "kernel_fills_input", "stride_above_kernel", "ceil_window_in_padding")
"""The edge cases :func:`layers` draws on purpose (``'any'`` draws freely and is what a failing
case shrinks towards)."""


def _check_options(
    op: str | None, ndim: int | None, max_size: int, padding: Sequence[str], conventions: Sequence[str]
) -> None:
    if op is not None and op not in OPS:
        raise ValueError(f"`op` must be one of {', '.join(OPS)} or None, got {op!r}")
    if ndim is not None and (isinstance(ndim, bool) or not isinstance(ndim, int) or ndim < 1):
        raise ValueError(f"`ndim` must be an int >= 1 or None, got {ndim!r}")
    if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
        raise ValueError(f"`max_size` must be an int >= 1, got {max_size!r}")
    unknown = [form for form in padding if form not in PADDING_FORMS]
    if unknown or not padding:
        raise ValueError(f"`padding` must be a non-empty selection of {PADDING_FORMS}, got {tuple(padding)!r}")
    bad = [c for c in conventions if c not in CONVENTIONS or c in ("valid", "full")]
    if bad or not conventions:
        raise ValueError(
            f"`conventions` must be a non-empty selection of {SAME_CONVENTIONS} (or their aliases), "
            f"got {tuple(conventions)!r}"
        )


def _forms_for(op: str, padding: tuple[str, ...], pool_convention: str) -> list[str]:
    """The padding forms of ``padding`` that an ``op`` layer takes."""
    forms = [f for f in padding if op == "conv" or f in ("symmetric", "pairs", "none")]
    if op in POOLS and pool_convention == "caffe":
        forms = [f for f in forms if f in ("symmetric", "none")]  # Caffe pads both sides alike
    return forms


def _draw_switches(
    draw: Callable[..., Any],
    op: str,
    padding: tuple[str, ...],
    conventions: tuple[str, ...],
    pool_convention: str,
    ceil_mode: bool | None,
) -> tuple[str, str, str, bool]:
    """The padding form, edge case, 'same' convention and ceil mode of one drawn ``op`` layer."""
    pooling = op in POOLS
    form = draw(st.sampled_from(_forms_for(op, padding, pool_convention)))
    edges = ["any", "kernel_fills_input", "stride_above_kernel"]
    if pooling and ceil_mode is not False and pool_convention != "caffe":
        edges.append("ceil_window_in_padding")
    if op == "conv_transpose" or form in ("same", "full"):
        edges.remove("kernel_fills_input")  # no such layer: these always have an output
    edge = draw(st.sampled_from(edges))
    convention = draw(st.sampled_from(conventions)) if form == "same" else "tensorflow"
    ceil = False
    if pooling:
        if pool_convention == "caffe" or edge == "ceil_window_in_padding":
            ceil = True
        else:
            ceil = draw(st.booleans()) if ceil_mode is None else ceil_mode
    return form, edge, convention, ceil


@st.composite
def _layer(
    draw: Callable[..., Any],
    op: str | None,
    ndim: int | None,
    max_size: int,
    padding: tuple[str, ...],
    conventions: tuple[str, ...],
    pool_convention: str,
    dilation: bool,
    ceil_mode: bool | None,
    max_groups: int,
    scalar: bool,
) -> Layer:
    op = op if op is not None else draw(st.sampled_from([o for o in OPS if _forms_for(o, padding, pool_convention)]))
    nd = 1 if scalar else ndim if ndim is not None else draw(st.integers(1, 3))
    form, edge, convention, ceil = _draw_switches(draw, op, padding, conventions, pool_convention, ceil_mode)
    pooling = op in POOLS
    axes = [draw_axis(draw, op, form, edge, convention, pool_convention, max_size, dilation) for _ in range(nd)]
    ks, ss, ds, pads, sizes, extra = (list(values) for values in zip(*axes, strict=True))

    groups = draw(st.integers(1, max_groups)) if op in ("conv", "conv_transpose") and max_groups > 1 else 1
    pad: Any
    if form in ("same", "valid", "full"):
        pad = form
    elif form in ("symmetric", "none"):
        pad = tuple(pb for pb, _ in pads)
    else:
        pad = tuple(pads)

    def one(values: list[Any]) -> Any:
        return values[0] if scalar else tuple(values)

    try:
        return layer(
            op,
            one(sizes),
            one(ks),
            one(ss),
            one(list(pad)) if isinstance(pad, tuple) else pad,
            one(ds),
            output_padding=one(extra) if op == "conv_transpose" else 0,
            ceil_mode=ceil,
            groups=groups,
            convention=convention,
            pool_convention=pool_convention if pooling else "pytorch",
        )
    except LayerError as error:  # a bug in this strategy: it must draw valid layers only
        raise AssertionError(f"convarith.testing.strategies drew an invalid layer: {error}") from error


def layers(
    op: str | None = None,
    ndim: int | None = None,
    *,
    max_size: int = 8,
    conventions: Sequence[str] = SAME_CONVENTIONS,
    padding: Sequence[str] | None = None,
    pool_convention: str = "pytorch",
    dilation: bool = True,
    ceil_mode: bool | None = None,
    max_groups: int = 3,
    scalar: bool = False,
) -> st.SearchStrategy[Layer]:
    """Valid layers: :class:`~convarith.arithmetic.Layer` values of one op (or any op), with an input size.

    Parameters
    ----------
    op : {'conv', 'conv_transpose', 'max_pool', 'avg_pool', 'lp_pool'}, optional
        None draws any op.
    ndim : int, optional
        Spatial axes; None draws 1 to 3.
    max_size : int
        Largest input size and (dilated) kernel size per axis; strides go up to 3 (or just above
        the kernel), dilations up to 3.
    conventions : sequence of str
        The splits of ``padding='same'`` to draw (see :data:`SAME_CONVENTIONS`).
    padding : sequence of str, optional
        The padding forms to draw, from :data:`PADDING_FORMS`; default all of them. Only
        convolutions take words; a transposed convolution or a pool takes ``'symmetric'``,
        ``'pairs'`` and ``'none'``.
    pool_convention : {'pytorch', 'onnx', 'caffe'}
        Pooling's rule (see :func:`convarith.arithmetic.layer`): ``'pytorch'`` keeps every padding
        at most ``kernel_size // 2``; ``'onnx'`` below the kernel size.
    dilation : bool
        Draw dilations (else every dilation is 1).
    ceil_mode : bool, optional
        Pooling: None draws both.
    max_groups : int
        Convolutions: groups drawn from 1 to this.
    scalar : bool
        One axis, every size given as an int (:attr:`Layer.scalar <convarith.arithmetic.Layer.scalar>`
        is True, as in ``conv_output_size(5, 3)``); ``ndim`` must then be None or 1.

    Returns
    -------
    SearchStrategy of Layer

    Notes
    -----
    Each layer is built by :func:`convarith.arithmetic.layer` from numbers chosen so that it is
    valid: per axis ``ek = d*(k - 1) + 1 <= max_size``, then the padding, then the input size from
    the smallest that gives an output (``max(1, ek - pb - pe)``, so the kernel fills the padded
    input) up to ``max_size``; a transposed convolution's padding is capped so that
    ``o = (i - 1)*s - pb - pe + ek + a >= 1``, and ``a < max(s, d)``. One of :data:`EDGES` is drawn
    first. Shrinking goes towards ``'any'``, one axis, kernel 1, stride 1, no padding, the
    smallest input.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(layers("max_pool", ndim=2, ceil_mode=True))
    ... def test_no_window_starts_in_the_right_padding(lay):
    ...     for axis in lay.axes:
    ...         assert (axis.output_size - 1) * axis.stride < axis.input_size + axis.padding[0]
    >>> test_no_window_starts_in_the_right_padding()
    """
    forms = tuple(PADDING_FORMS if padding is None else padding)
    _check_options(op, ndim, max_size, forms, tuple(conventions))
    if pool_convention not in POOL_CONVENTIONS:
        raise ValueError(f"`pool_convention` must be one of {POOL_CONVENTIONS}, got {pool_convention!r}")
    if ceil_mode is not None and not isinstance(ceil_mode, bool):
        raise TypeError(f"`ceil_mode` must be a bool or None, got {ceil_mode!r}")
    if isinstance(max_groups, bool) or not isinstance(max_groups, int) or max_groups < 1:
        raise ValueError(f"`max_groups` must be an int >= 1, got {max_groups!r}")
    if scalar and ndim not in (None, 1):
        raise ValueError(f"`scalar` layers have one axis, got ndim={ndim}")
    if op is not None and not _forms_for(op, forms, pool_convention):
        raise ValueError(
            f"`padding` {forms!r} has no form a {op} layer takes ('symmetric', 'pairs' or 'none'; "
            "under Caffe's pooling rule 'symmetric' or 'none')"
        )
    return _layer(
        op, ndim, max_size, forms, tuple(conventions), pool_convention, bool(dilation), ceil_mode, max_groups, scalar
    )


_ENGINE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "conv": ("stride", "padding", "dilation", "groups"),
    "conv_transpose": ("stride", "padding", "output_padding", "dilation", "groups"),
    "max_pool": ("stride", "padding", "dilation", "ceil_mode"),
    "avg_pool": ("stride", "padding", "ceil_mode", "count_include_pad"),
    "lp_pool": ("stride", "ceil_mode"),
}
"""The keywords of each op's call (PyTorch's functional ops take the same); an extension
(``dilation`` of ``avg_pool``, ``padding`` and ``dilation`` of ``lp_pool``) is passed only when used."""


@dataclass(frozen=True, repr=False)
class Case:
    """One drawn test case: a layer, its input and weight, and how the engine's function is called.

    Attributes
    ----------
    layer : Layer
    x : ndarray, shape (N, C_in, *input_size)
    weight : ndarray or None
        ``(C_out, C_in / groups, *kernel_size)`` for ``conv``, ``(C_in, C_out / groups,
        *kernel_size)`` for ``conv_transpose``; None for pooling.
    options : dict
        ``count_include_pad`` (``avg_pool``) or ``norm_type`` (``lp_pool``).
    pairs : bool
        Pass ``padding`` as ``(before, after)`` pairs even where both sides are alike.

    Notes
    -----
    The call is the engine's: ``conv(x, weight, stride=..., padding=..., dilation=..., groups=...)``,
    ``conv_transpose(x, weight, stride=..., padding=..., output_padding=..., dilation=...,
    groups=...)``, ``max_pool(x, kernel_size, stride=..., padding=..., dilation=...,
    ceil_mode=...)``, ``avg_pool(x, kernel_size, stride=..., padding=..., ceil_mode=...,
    count_include_pad=...)``, ``lp_pool(x, norm_type, kernel_size, stride=..., ceil_mode=...)``.
    Sizes are per-axis tuples; ``padding`` is one int per axis when every axis pads both sides
    alike (and ``pairs`` is False), else one ``(before, after)`` pair per axis. ``dilation`` of
    the average and power-average pools and ``padding`` of ``lp_pool`` (ONNX extensions that
    PyTorch lacks) are passed only when not at their default.

    Examples
    --------
    >>> import numpy as np
    >>> from convarith.arithmetic import layer
    >>> case = Case(layer("conv", (3,), (2,)), np.ones((1, 1, 3)), np.ones((1, 1, 2)))
    >>> case.call_text()
    'conv(x, weight, stride=(1,), padding=(0,), dilation=(1,), groups=1)'
    >>> case.expected()
    array([[[2., 2.]]])
    """

    layer: Layer
    x: np.ndarray
    weight: np.ndarray | None = None
    options: dict[str, Any] = field(default_factory=dict)
    pairs: bool = False

    def arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Positional and keyword arguments of the call (see the class notes)."""
        lay = self.layer
        pads = lay.pads
        values: dict[str, Any] = {
            "stride": lay.stride,
            "padding": pads if self.pairs or any(pb != pe for pb, pe in pads) else tuple(pb for pb, _ in pads),
            "dilation": lay.dilation,
            "groups": lay.groups,
            "output_padding": lay.output_padding,
            "ceil_mode": lay.ceil_mode,
            **self.options,
        }
        names = list(_ENGINE_KEYWORDS[lay.op])
        if lay.op in ("avg_pool", "lp_pool") and any(d != 1 for d in lay.dilation):
            names.append("dilation")
        if lay.op == "lp_pool" and any(p for pair in pads for p in pair):
            names.insert(1, "padding")
        keywords = {name: values[name] for name in names}
        if lay.op in ("conv", "conv_transpose"):
            return (self.x, self.weight), keywords
        if lay.op == "lp_pool":
            return (self.x, self.options["norm_type"], lay.kernel_size), keywords
        return (self.x, lay.kernel_size), keywords

    def call(self, fn: Callable[..., Any]) -> Any:
        """``fn(*args, **keywords)`` with this case's arguments."""
        args, keywords = self.arguments()
        return fn(*args, **keywords)

    def call_text(self, name: str | None = None) -> str:
        """The call written out, arrays by name: ``conv(x, weight, stride=(2,), ...)``."""
        args, keywords = self.arguments()
        shown = ["x", "weight"][: len(args)] if self.weight is not None else ["x", *map(repr, args[1:])]
        shown += [f"{key}={value!r}" for key, value in keywords.items()]
        return f"{name or self.layer.op}({', '.join(shown)})"

    def expected(self) -> np.ndarray:
        """The engine's output for this case (:mod:`convarith.engine`)."""
        from convarith import engine

        result = self.call(getattr(engine, self.layer.op))
        assert isinstance(result, np.ndarray)
        return result

    def __repr__(self) -> str:
        lines = [repr(self.layer), f"  x: shape {self.x.shape} {self.x.dtype}"]
        if self.weight is not None:
            lines.append(f"  weight: shape {self.weight.shape} {self.weight.dtype}")
        lines.append("  call: " + self.call_text())
        return "\n".join(lines)


def _values(dtype: np.dtype, low: int, high: int) -> st.SearchStrategy[Any]:
    """The integers ``low..high`` in ``dtype``, nearest to 0 first (what a failing case shrinks to)."""
    ordered = sorted(range(low, high + 1), key=lambda v: (abs(v), v < 0))
    # sampled_from values are reusable, so hypothesis draws an array as a background value and a few
    # cells, not every cell (20 times faster for an 8x8 input)
    return st.sampled_from([dtype.type(v) for v in ordered])


@st.composite
def _arrays(
    draw: Callable[..., Any],
    lay: Layer,
    dtype: np.dtype,
    max_batch: int,
    max_channels: int,
    values: tuple[int, int],
    pairs: bool,
) -> Case:
    if lay.input_size is None:
        raise ValueError(f"`layer` needs an input size to draw arrays for it: {lay!r}")
    n = draw(st.integers(1, max_batch))
    g = lay.groups
    elements = _values(dtype, *values)
    options: dict[str, Any] = {}
    weight = None
    if lay.op in ("conv", "conv_transpose"):
        c_in, c_out = g * draw(st.integers(1, max_channels)), g * draw(st.integers(1, max_channels))
        shape = (c_out, c_in // g) if lay.op == "conv" else (c_in, c_out // g)
        weight = draw(hnp.arrays(dtype, (*shape, *lay.kernel_size), elements=elements))
    else:
        c_in = draw(st.integers(1, max_channels))
    x = draw(hnp.arrays(dtype, (n, c_in, *lay.input_shape), elements=elements))
    if lay.op == "avg_pool":
        include = draw(st.booleans().map(lambda b: not b))  # shrinks towards True, PyTorch's default
        options["count_include_pad"] = include or _window_without_input(lay)  # an empty window needs the padding
    if lay.op == "lp_pool":
        options["norm_type"] = draw(st.sampled_from([2, 1, 3]))
    return Case(lay, x, weight, options, pairs)


def _window_without_input(lay: Layer) -> bool:
    """Whether some window of ``lay`` reads padding only (then count_include_pad=False divides by 0)."""
    for axis in lay.axes:
        (pb, _), ek = axis.padding, axis.effective_kernel_size
        for o in range(axis.output_size):
            taps = range(o * axis.stride - pb, o * axis.stride - pb + ek, axis.dilation)
            if not any(0 <= t < axis.input_size for t in taps):
                return True
    return False


def arrays_for(
    layer: Layer,
    dtype: npt.DTypeLike = np.float64,
    *,
    max_batch: int = 2,
    max_channels: int = 2,
    values: tuple[int, int] = (-3, 3),
    pairs: bool = False,
) -> st.SearchStrategy[Case]:
    """An input and a weight for ``layer``: a :class:`Case` the engine (and your function) can run.

    Parameters
    ----------
    layer : Layer
        With an input size (as :func:`layers` draws them).
    dtype : dtype
        Of the input and the weight.
    max_batch : int
        Images ``N`` drawn from 1 to this.
    max_channels : int
        Channels per group (``C_in / groups``, ``C_out / groups``) drawn from 1 to this.
    values : (low, high)
        Array entries are the integers ``low..high`` in ``dtype``: exact sums in every float
        dtype; a failing case shrinks to zeros and a few ones.
    pairs : bool
        Pass the padding as ``(before, after)`` pairs on every axis (see :class:`Case`).

    Returns
    -------
    SearchStrategy of Case

    Notes
    -----
    Shapes: ``x`` is ``(N, C_in, *input_size)``; ``weight`` is ``(C_out, C_in / groups,
    *kernel_size)`` (``conv``) or ``(C_in, C_out / groups, *kernel_size)`` (``conv_transpose``,
    PyTorch's layout). ``avg_pool`` also draws ``count_include_pad`` (True when a window reads
    padding only: False would divide by zero), ``lp_pool`` a ``norm_type`` in ``{2, 1, 3}``.

    Examples
    --------
    >>> from hypothesis import given
    >>> from convarith.arithmetic import layer
    >>> @given(arrays_for(layer("conv", (5, 5), 3, stride=2, padding=1)))
    ... def test_shape(case):
    ...     assert case.expected().shape[2:] == case.layer.output_size == (3, 3)
    >>> test_shape()
    """
    if not isinstance(layer, Layer):
        raise TypeError(f"`layer` must be a convarith.arithmetic.Layer, got {type(layer).__name__}")
    for name, number in (("max_batch", max_batch), ("max_channels", max_channels)):
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ValueError(f"`{name}` must be an int >= 1, got {number!r}")
    low, high = values
    if low > high:
        raise ValueError(f"`values` must be (low, high) with low <= high, got {values!r}")
    kind = np.dtype(dtype)
    if kind.kind not in "iuf":
        raise TypeError(f"`dtype` must be an integer or float dtype, got {kind}")
    return _arrays(layer, kind, max_batch, max_channels, (int(low), int(high)), bool(pairs))


def cases(
    op: str | None = None,
    ndim: int | None = None,
    dtype: npt.DTypeLike = np.float64,
    *,
    max_batch: int = 2,
    max_channels: int = 2,
    **layer_options: Any,
) -> st.SearchStrategy[Case]:
    """A layer from :func:`layers` and arrays for it from :func:`arrays_for`, in one strategy.

    Parameters
    ----------
    op, ndim
        As in :func:`layers`.
    dtype, max_batch, max_channels
        As in :func:`arrays_for`.
    **layer_options
        Passed to :func:`layers` (``max_size``, ``padding``, ``conventions``, ...). With
        ``padding=('pairs',)`` (pairs and no ``'symmetric'``) every call passes pairs.

    Returns
    -------
    SearchStrategy of Case

    Notes
    -----
    ``layers(op, ndim, **layer_options).flatmap(lambda lay: arrays_for(lay, dtype, ...))``: a
    failing case shrinks its layer and its arrays together.

    Examples
    --------
    >>> from hypothesis import given
    >>> import numpy as np
    >>> @given(cases("max_pool", ndim=1, max_size=5))
    ... def test_max_pool_keeps_values(case):
    ...     assert set(case.expected().ravel()) <= set(case.x.ravel()) | {-np.inf}
    >>> test_max_pool_keeps_values()
    """
    forms = layer_options.get("padding") or ()
    pairs = "pairs" in forms and "symmetric" not in forms
    return layers(op, ndim, **layer_options).flatmap(
        lambda lay: arrays_for(lay, dtype, max_batch=max_batch, max_channels=max_channels, pairs=pairs)
    )
