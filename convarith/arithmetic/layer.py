"""One layer, one value: :class:`Layer` and :func:`layer`, its only parser and validator.

A :class:`Layer` describes one convolution, transposed convolution or pooling layer along its
spatial axes: kernel, stride, dilation, resolved ``(before, after)`` padding, output padding,
ceil mode, groups, and the padding rule it came from. Output sizes, the formula text and LaTeX,
window maps, animation scenes, receptive fields, framework translations, widget states and the
CLI are all computed from it, so they cannot disagree.

:func:`layer` accepts every form a user may write (an int, a per-axis tuple, ``(before, after)``
pairs, per-axis pairs, a rule such as ``'same'`` with a convention) and raises
:class:`LayerError` (a ``ValueError``) naming the parameter, the rule and the numbers.

Symbols: input size ``i``, kernel ``k``, stride ``s``, padding ``pb``/``pe`` (before/after),
dilation ``d``, effective kernel ``ek = d*(k - 1) + 1``, output padding ``a``.

References
----------
.. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
   arXiv:1603.07285, 2016.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from convarith.arithmetic.kernel import effective_kernel_size
from convarith.arithmetic.layer_rules import axis_output, check_axes, check_switches, layer_padding
from convarith.arithmetic.ops import OP_ALIASES, OPS, Op, op_name
from convarith.arithmetic.padding import CONVENTIONS
from convarith.arithmetic.text import axis_formula, format_param, layer_latex, layer_text
from convarith.arithmetic.validate import LayerError, axes_layout, check_choice, per_axis
from convarith.typing import IntOrTuple, PaddingLike, PadPair

__all__ = ["OPS", "OP_ALIASES", "POOL_CONVENTIONS", "AxisGeometry", "Layer", "LayerError", "layer", "op_name"]

Kind = Literal["conv", "pool", "transpose"]
POOL_CONVENTIONS: tuple[str, ...] = ("pytorch", "onnx", "caffe")
"""Pooling output-size rules: PyTorch (with its ``padding <= kernel_size // 2``), ONNX (the same
arithmetic without that limit), Caffe (always rounds up)."""


@dataclass(frozen=True)
class AxisGeometry:
    """One axis of a layer: its numbers and output size, with the formula for that axis.

    Attributes
    ----------
    kind : {'conv', 'pool', 'transpose'}
    input_size, kernel_size, stride, dilation, output_padding : int
    padding : (before, after)
    ceil_mode : bool
    output_size : int

    Examples
    --------
    >>> axis = layer("max_pool", 5, 2, ceil_mode=True).axes[0]
    >>> axis.kind, axis.input_size, axis.kernel_size, axis.stride, axis.padding, axis.output_size
    ('pool', 5, 2, 2, (0, 0), 3)
    """

    kind: Kind
    input_size: int
    kernel_size: int
    stride: int
    padding: PadPair
    dilation: int
    output_padding: int
    ceil_mode: bool
    output_size: int

    @property
    def effective_kernel_size(self) -> int:
        """``d*(k - 1) + 1``."""
        return effective_kernel_size(self.kernel_size, self.dilation)

    def pool_dropped_last(self) -> bool:
        """Whether ceil mode's last window was dropped because it would start in the right padding.

        Examples
        --------
        >>> layer("max_pool", 3, 2, padding=1, ceil_mode=True).axes[0].pool_dropped_last()
        True
        """
        i, s, (pb, pe), ek = self.input_size, self.stride, self.padding, self.effective_kernel_size
        return self.ceil_mode and (i + pb + pe - ek + s - 1) // s + 1 != self.output_size

    def _expression(self, latex: bool) -> str:
        return axis_formula(
            self.kind,
            self.input_size,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.output_padding,
            self.output_size,
            ceil=self.kind == "pool" and self.ceil_mode,
            dropped_last=self.pool_dropped_last(),
            latex=latex,
        )

    def formula(self) -> str:
        """The output-size formula with this axis's numbers substituted.

        Examples
        --------
        >>> layer("conv", 5, 3, stride=2, padding=1).axes[0].formula()
        'o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3'
        """
        return self._expression(latex=False)

    def latex(self) -> str:
        r"""The formula as LaTeX (without ``$`` delimiters).

        Examples
        --------
        >>> layer("conv", 5, 3, stride=2, padding=1).axes[0].latex()
        'o = \\left\\lfloor \\frac{5 + 1 + 1 - 3}{2} \\right\\rfloor + 1 = 3'
        """
        return self._expression(latex=True)


@dataclass(frozen=True, repr=False)
class Layer:
    """One layer of any kind, along its spatial axes. Build it with :func:`layer`.

    Attributes
    ----------
    op : {'conv', 'conv_transpose', 'max_pool', 'avg_pool', 'lp_pool'}
    input_size : tuple of int or None
        None for a layer of a stack whose input is not known yet (see :meth:`with_input`).
    kernel_size, stride, dilation, output_padding : tuple of int
        One entry per axis.
    padding : tuple of (before, after) or None
        Resolved per axis; None only when ``input_size`` is None and the rule needs it.
    ceil_mode : bool
        Pooling only: round the output size up.
    groups : int
    padding_rule : {'explicit', 'valid', 'same', 'full'}
        Where ``padding`` came from.
    convention : str
        The 'same' split (see :data:`convarith.arithmetic.CONVENTIONS`).
    pool_convention : {'pytorch', 'onnx', 'caffe'}
        Pooling only: the output-size rule.
    scalar : bool
        Whether every size was given as an int (the thin formula functions then return ints).

    Notes
    -----
    ``repr`` is the header and one formula per axis with the numbers substituted; in a notebook
    the formulas render as LaTeX.

    Examples
    --------
    >>> layer("conv", (224, 224), 7, stride=2, padding="same")
    conv: input 224×224, kernel 7, stride 2, padding (2, 3) (same, tensorflow) -> output 112×112
      axis 0: o = ⌊(224 + 2 + 3 − 7) / 2⌋ + 1 = 112
      axis 1: o = ⌊(224 + 2 + 3 − 7) / 2⌋ + 1 = 112
    """

    op: Op
    input_size: tuple[int, ...] | None
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: tuple[PadPair, ...] | None
    output_padding: tuple[int, ...]
    ceil_mode: bool = False
    groups: int = 1
    padding_rule: str = "explicit"
    convention: str = "tensorflow"
    pool_convention: str = "pytorch"
    scalar: bool = False

    @property
    def ndim(self) -> int:
        """Number of spatial axes."""
        return len(self.kernel_size)

    @property
    def kind(self) -> Kind:
        """``'conv'``, ``'pool'`` (any pooling) or ``'transpose'``: which output-size formula applies."""
        return "conv" if self.op == "conv" else "transpose" if self.op == "conv_transpose" else "pool"

    @property
    def effective_kernel_size(self) -> tuple[int, ...]:
        """``d*(k - 1) + 1`` per axis."""
        return tuple(effective_kernel_size(k, d) for k, d in zip(self.kernel_size, self.dilation, strict=True))

    @property
    def output_size(self) -> tuple[int, ...] | None:
        """Output size per axis (None without an input size).

        Examples
        --------
        >>> layer("conv_transpose", 3, 3, stride=2, padding=1, output_padding=1).output_size
        (6,)
        """
        if self.input_size is None or self.padding is None:
            return None
        sizes = (self.input_size, self.kernel_size, self.stride, self.padding, self.dilation, self.output_padding)
        axes = zip(*sizes, strict=True)
        return tuple(
            axis_output(self.op, i, k, s, p, d, a, self.ceil_mode, self.pool_convention) for i, k, s, p, d, a in axes
        )

    def _sized(self) -> tuple[tuple[int, ...], tuple[PadPair, ...], tuple[int, ...]]:
        if self.input_size is None or self.padding is None:
            raise LayerError("`input_size` was not given: the layer has no output size (use with_input)")
        out = self.output_size
        assert out is not None
        return self.input_size, self.padding, out

    @property
    def pads(self) -> tuple[PadPair, ...]:
        """``padding`` when resolved, typed without None (an error while the rule waits for the input size).

        Examples
        --------
        >>> layer("conv", None, 4, 2, "caffe").pads
        ((1, 1),)
        """
        if self.padding is None:
            raise LayerError(
                f"`input_size` is needed: the '{self.convention}' split of 'same' padding at stride "
                f"{format_param(self.stride)} depends on it (use with_input)"
            )
        return self.padding

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Input size per axis (an error without one)."""
        return self._sized()[0]

    @property
    def output_shape(self) -> tuple[int, ...]:
        """Output size per axis (an error without an input size)."""
        return self._sized()[2]

    @property
    def axes(self) -> tuple[AxisGeometry, ...]:
        """One :class:`AxisGeometry` per axis (needs the input size)."""
        i, pads, out = self._sized()
        return tuple(
            AxisGeometry(
                self.kind,
                i[x],
                self.kernel_size[x],
                self.stride[x],
                pads[x],
                self.dilation[x],
                self.output_padding[x],
                self.ceil_mode,
                out[x],
            )
            for x in range(self.ndim)
        )

    def formula(self, axis: int = 0) -> str:
        """The output-size formula of one axis with the numbers substituted.

        Examples
        --------
        >>> layer("max_pool", 5, 2, ceil_mode=True).formula()
        'o = ⌈(5 + 0 + 0 − 2) / 2⌉ + 1 = 3'
        """
        return self.axes[axis].formula()

    def formulas(self) -> list[str]:
        """One formula per axis, numbers substituted."""
        return [a.formula() for a in self.axes]

    def latex_rows(self) -> list[str]:
        """One LaTeX formula per axis (without ``$``)."""
        return [a.latex() for a in self.axes]

    def latex(self) -> str:
        r"""All axes' formulas as one LaTeX expression (without ``$``; ``aligned`` for several axes).

        Examples
        --------
        >>> layer("conv", 7, 3, dilation=2).latex()
        'k_e = 2 \\cdot (3 - 1) + 1 = 5,\\quad o = \\left\\lfloor \\frac{7 + 0 + 0 - 5}{1} \\right\\rfloor + 1 = 3'
        """
        return layer_latex(self)

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$" if self.output_size is not None else ""

    def __repr__(self) -> str:
        return layer_text(self)

    def with_input(self, input_size: IntOrTuple) -> Layer:
        """The same layer on an input of ``input_size``: padding resolved, everything checked.

        A layer given with ints (``scalar``) spreads over as many axes as ``input_size`` has.

        Examples
        --------
        >>> stem = layer("conv", None, 7, stride=2, padding="same")
        >>> stem.padding is None  # TensorFlow's split at stride 2 depends on the input size
        True
        >>> stem.with_input(224).padding, stem.with_input(299).padding
        (((2, 3),), ((3, 3),))
        """

        def one(values: tuple[int, ...]) -> int | tuple[int, ...]:
            return values[0] if self.scalar else values

        pad: Any
        if self.op == "conv_transpose" and self.padding_rule != "explicit":
            # the crops of a transposed 'same' do not depend on the input size: keep them
            assert self.padding is not None
            sized = layer(
                self.op,
                input_size,
                one(self.kernel_size),
                one(self.stride),
                self.padding[0] if self.scalar else self.padding,
                one(self.dilation),
                output_padding=one(self.output_padding),
                groups=self.groups,
            )
            return replace(sized, padding_rule=self.padding_rule, convention=self.convention)
        if self.padding_rule == "explicit":
            assert self.padding is not None
            pad = self.padding[0] if self.scalar else self.padding
        else:
            pad = self.convention if self.padding_rule == "same" else self.padding_rule
        return layer(
            self.op,
            input_size,
            one(self.kernel_size),
            one(self.stride),
            pad,
            one(self.dilation),
            output_padding=one(self.output_padding),
            ceil_mode=self.ceil_mode,
            groups=self.groups,
            convention=self.convention,
            pool_convention=self.pool_convention,
        )


def layer(
    op: str,
    input_size: IntOrTuple | None = None,
    kernel_size: IntOrTuple | None = None,
    stride: IntOrTuple | None = None,
    padding: PaddingLike | str = 0,
    dilation: IntOrTuple = 1,
    *,
    output_padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    groups: int = 1,
    convention: str = "tensorflow",
    pool_convention: str = "pytorch",
) -> Layer:
    """Describe one layer: parse every accepted form of its arguments, check them, resolve padding.

    Parameters
    ----------
    op : {'conv', 'conv_transpose', 'max_pool', 'avg_pool', 'lp_pool'}
        Also the aliases of :data:`OP_ALIASES` (``'pool'``, ``'transpose'``); see :func:`op_name`.
    input_size : int, tuple of int or None
        Per axis; None for a layer of a stack (receptive fields), resolved later by
        :meth:`Layer.with_input`.
    kernel_size, dilation : int or tuple of int
        Per axis (an int applies to every axis).
    stride : int or tuple of int, optional
        Defaults to 1, or to ``kernel_size`` for pooling (as in PyTorch).
    padding : int, (before, after), tuple of those per axis, or str
        With one axis ``(1, 2)`` is ``(before, after)``; with several axes ``(1, 2)`` is one int
        per axis and ``((0, 1), (1, 1))`` one pair per axis. A word (``'same'``, ``'valid'``,
        ``'full'``, or a convention name such as ``'caffe'``) is resolved by
        :func:`convarith.arithmetic.resolve_padding`. A transposed convolution takes numbers (they
        crop its output), or ``'same'``/``'valid'`` as TensorFlow/Keras (``convention='tensorflow'``)
        or ONNX (``'same_upper'``, ``'same_lower'``) resolve them:
        :func:`convarith.arithmetic.padding.transpose_padding`.
    output_padding : int or tuple of int
        Transposed convolution only: extra units ``a`` on the far side, ``a < s`` or ``a < d``.
        With ``padding='same'`` or ``'valid'`` it is the framework's argument (0 is Keras' "not
        given"); the layer keeps the resolved one.
    ceil_mode : bool
        Pooling only: round the output size up.
    groups : int
        Convolutions only: channel groups (at least 1).
    convention : str
        The split of ``padding='same'``: one of :data:`convarith.arithmetic.CONVENTIONS`.
    pool_convention : {'pytorch', 'onnx', 'caffe'}
        Pooling only: ``'pytorch'`` adds PyTorch's ``padding <= kernel_size // 2``; ``'onnx'`` is
        the same arithmetic without it; ``'caffe'`` always rounds up and pads both sides alike.

    Returns
    -------
    Layer

    Raises
    ------
    LayerError
        A value breaks a rule: the message names the parameter, the rule and the numbers (every
        size, stride, dilation, padding and output padding is at most
        :data:`~convarith.arithmetic.validate.MAX_SIZE`, ``2**31 - 1``).
    TypeError
        A value of the wrong kind (a float size, a string stride, no ``kernel_size``).

    Notes
    -----
    Output size per axis, with ``ek = d*(k - 1) + 1``:

    - convolution: ``o = floor((i + pb + pe - ek)/s) + 1`` (relationship 15 of [1]_), needs
      ``ek <= i + pb + pe``;
    - pooling: ``o = floor((i + pb + pe - ek + (s - 1 if ceil_mode else 0))/s) + 1``, minus one
      in ceil mode when ``(o - 1)*s >= i + pb`` (a window may not start in the right padding);
    - transposed: ``o = (i - 1)*s - pb - pe + ek + a`` (relationship 14), needs ``o >= 1``;
      ``padding='same'`` gives ``o = i*s`` (TensorFlow/Keras, ONNX ``SAME_UPPER``/``SAME_LOWER``).

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> layer("conv", 5, 3, stride=2, padding=1)  # the guide's padding_strides
    conv: input 5, kernel 3, stride 2, padding (1, 1) -> output 3
      o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3
    >>> layer("max_pool", (5, 6), 2, ceil_mode=True).output_size
    (3, 3)
    >>> layer("conv", (6, 6), 4, padding=((1, 2), (2, 1))).padding  # one pair per axis
    ((1, 2), (2, 1))
    >>> layer("conv", None, 3, padding="same")  # a stack's layer: no input size yet
    conv: kernel 3, stride 1, padding (1, 1) (same, tensorflow)
    >>> layer("conv_transpose", 8, 3, stride=2, padding="same")  # Keras: o = i*s, crops (0, 1)
    conv_transpose: input 8, kernel 3, stride 2, padding (0, 1) (same, tensorflow) -> output 16
      o = (8 − 1)·2 − 0 − 1 + 3 + 0 = 16
    >>> layer("conv", 4, 5)
    Traceback (most recent call last):
    ...
    convarith.arithmetic.validate.LayerError: `kernel_size` 5 is larger than the padded input 4 = 4 + 0 + 0: no output
    """
    # Argument checks: the kind of layer and its switches.
    op = op_name(op)  # an alias ('pool', 'transpose') becomes its op
    check_choice(convention, "convention", CONVENTIONS)
    check_choice(pool_convention, "pool_convention", POOL_CONVENTIONS)
    if kernel_size is None:
        raise TypeError(f"`kernel_size` is required for a {op} layer")
    ceil_mode, groups, rule, convention = check_switches(op, padding, ceil_mode, groups, convention)
    pooling = op.endswith("_pool")

    # Sizes per axis.
    sizes = {
        "input_size": input_size,
        "kernel_size": kernel_size,
        "stride": stride,
        "dilation": dilation,
        "output_padding": output_padding,
    }
    ndim, scalar = axes_layout({name: value for name, value in sizes.items() if value is not None}, padding)
    i = None if input_size is None else per_axis(input_size, "input_size", ndim)
    k = per_axis(kernel_size, "kernel_size", ndim)
    s = (k if pooling else (1,) * ndim) if stride is None else per_axis(stride, "stride", ndim)
    d = per_axis(dilation, "dilation", ndim)
    a = per_axis(output_padding, "output_padding", ndim, minimum=0)
    if any(a) and op != "conv_transpose":
        raise LayerError(f"`output_padding` {format_param(a)} applies to transposed convolutions only")
    if pooling and pool_convention == "caffe":
        ceil_mode = True  # Caffe pooling always rounds up

    # Padding: resolved now unless the rule needs the missing input size; then the rules per axis.
    pads, a = layer_padding(op, padding, rule, convention, i, k, s, d, a)
    check_axes(op, i, k, s, d, pads, a, ceil_mode, pool_convention)
    return Layer(op, i, k, s, d, pads, a, ceil_mode, groups, rule, convention, pool_convention, scalar)
