"""The geometry of one layer: its parameters per axis and its formula with the numbers in.

:class:`Geometry` is what the CLI prints, what the notebooks show and what the animations
caption, so all of them speak the same language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from convarith.arithmetic.formulas import (
    PoolConvention,
    axes_layout,
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    same_padding,
)
from convarith.arithmetic.validate import check_choice, per_axis, per_axis_padding
from convarith.typing import IntOrTuple, PaddingLike, PadPair

__all__ = ["AxisGeometry", "Geometry", "geometry"]

Kind = Literal["conv", "pool", "transpose"]
_MINUS = "\u2212"


@dataclass(frozen=True)
class AxisGeometry:
    """One axis of a layer: sizes, padding and the output size.

    Attributes
    ----------
    kind : {'conv', 'pool', 'transpose'}
    input_size, kernel_size, stride, dilation, output_padding : int
    padding : (before, after)
    ceil_mode : bool
    output_size : int
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
        return self.dilation * (self.kernel_size - 1) + 1

    def pool_dropped_last(self) -> bool:
        """Whether ceil mode's last window was dropped because it would start in the right padding."""
        i, s, (pb, pe), ek = self.input_size, self.stride, self.padding, self.effective_kernel_size
        return self.ceil_mode and (i + pb + pe - ek + s - 1) // s + 1 != self.output_size

    def _expression(self, latex: bool) -> str:
        """The substituted formula, as plain text (Unicode) or as LaTeX."""
        i, k, s, d, a, o = (
            self.input_size,
            self.kernel_size,
            self.stride,
            self.dilation,
            self.output_padding,
            self.output_size,
        )
        pb, pe = self.padding
        ek = self.effective_kernel_size
        minus, dot = (" - ", r" \cdot ") if latex else (f" {_MINUS} ", "·")

        def rounded(numerator: str, up: bool) -> str:
            if latex:
                left, right = (r"\left\lceil", r"\right\rceil") if up else (r"\left\lfloor", r"\right\rfloor")
                return rf"{left} \frac{{{numerator}}}{{{s}}} {right}"
            left, right = ("⌈", "⌉") if up else ("⌊", "⌋")
            return f"{left}({numerator}) / {s}{right}"

        prefix = ""
        if d != 1:
            name, sep = (r"k_e", r",\quad ") if latex else ("ek", "; ")
            prefix = f"{name} = {d}{dot}({k}{minus}1) + 1 = {ek}{sep}"
        if self.kind == "transpose":
            return f"{prefix}o = ({i}{minus}1){dot}{s}{minus}{pb}{minus}{pe} + {ek} + {a} = {o}"
        numerator = f"{i} + {pb} + {pe}{minus}{ek}"
        up = self.kind == "pool" and self.ceil_mode
        text = f"{prefix}o = {rounded(numerator, up)} + 1"
        if up and self.pool_dropped_last():
            note = "" if latex else " (a window may not start in the right padding)"
            return f"{text}{minus}1 = {o}{note}"
        return f"{text} = {o}"

    def formula(self) -> str:
        """The output-size formula with this axis's numbers substituted.

        Examples
        --------
        >>> geometry("conv", 5, 3, stride=2, padding=1).axes[0].formula()
        'o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3'
        """
        return self._expression(latex=False)

    def latex(self) -> str:
        r"""The formula as LaTeX (without ``$`` delimiters).

        Examples
        --------
        >>> geometry("conv", 5, 3, stride=2, padding=1).axes[0].latex()
        'o = \\left\\lfloor \\frac{5 + 1 + 1 - 3}{2} \\right\\rfloor + 1 = 3'
        """
        return self._expression(latex=True)


@dataclass(frozen=True)
class Geometry:
    """A layer's parameters along all of its axes, with its output size and formula.

    Build one with :func:`geometry`. ``repr`` prints one formula line per axis, with the
    numbers substituted; in a notebook the same renders as LaTeX.
    """

    axes: tuple[AxisGeometry, ...]

    @property
    def kind(self) -> Kind:
        """``'conv'``, ``'pool'`` or ``'transpose'``."""
        return self.axes[0].kind

    @property
    def output_shape(self) -> tuple[int, ...]:
        """Output size per axis."""
        return tuple(a.output_size for a in self.axes)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Input size per axis."""
        return tuple(a.input_size for a in self.axes)

    @property
    def padding(self) -> tuple[PadPair, ...]:
        """``(before, after)`` per axis."""
        return tuple(a.padding for a in self.axes)

    def formulas(self) -> list[str]:
        """One formula per axis, numbers substituted."""
        return [a.formula() for a in self.axes]

    def _header(self) -> str:
        def join(values: tuple[object, ...]) -> str:
            return str(values[0]) if len(set(values)) == 1 else "×".join(str(v) for v in values)

        a0 = self.axes[0]
        parts = [
            f"input {join(self.input_shape)}",
            f"kernel {join(tuple(a.kernel_size for a in self.axes))}",
            f"stride {join(tuple(a.stride for a in self.axes))}",
            f"padding {join(self.padding)}",
        ]
        if any(a.dilation != 1 for a in self.axes):
            parts.append(f"dilation {join(tuple(a.dilation for a in self.axes))}")
        if self.kind == "transpose" and any(a.output_padding for a in self.axes):
            parts.append(f"output_padding {join(tuple(a.output_padding for a in self.axes))}")
        if a0.ceil_mode:
            parts.append("ceil_mode")
        return f"{self.kind}: " + ", ".join(parts) + f" -> output {join(self.output_shape)}"

    def __repr__(self) -> str:
        lines = [self._header()]
        if len(self.axes) == 1:
            lines.append("  " + self.axes[0].formula())
        else:
            lines += [f"  axis {x}: {a.formula()}" for x, a in enumerate(self.axes)]
        return "\n".join(lines)

    def _repr_latex_(self) -> str:
        rows = [a.latex() for a in self.axes]
        if len(rows) == 1:
            return f"${rows[0]}$"
        body = r" \\ ".join(rf"&\text{{axis {x}: }} {r}" for x, r in enumerate(rows))
        return r"$\begin{aligned}" + body + r"\end{aligned}$"


def geometry(
    kind: Kind,
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: PaddingLike | str = 0,
    dilation: IntOrTuple = 1,
    *,
    output_padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    convention: str = "tensorflow",
    pool_convention: PoolConvention = "pytorch",
) -> Geometry:
    """Describe one layer: output size per axis and its formula with numbers substituted.

    Parameters
    ----------
    kind : {'conv', 'pool', 'transpose'}
        Convolution, pooling (PyTorch rules) or transposed convolution.
    input_size, kernel_size, dilation : int or tuple of int
        Per axis.
    stride : int or tuple of int, optional
        Defaults to 1, or to ``kernel_size`` for pooling.
    padding : int, (before, after), tuple of those per axis, or str
        A string (``'same'``, ``'valid'``, ``'full'``, or a convention name) asks
        :func:`convarith.same_padding` for the pads, with ``convention`` for ``'same'``.
    output_padding : int or tuple of int
        Transposed convolution only.
    ceil_mode : bool
        Pooling only.
    convention : str
        The framework rule used for ``padding='same'``.
    pool_convention : {'pytorch', 'onnx', 'caffe'}
        Pooling only: the rounding rule of :func:`convarith.pool_output_size` (``'caffe'``
        always rounds up, so the formula is shown with a ceiling).

    Returns
    -------
    Geometry

    Notes
    -----
    Convolution: ``o = floor((i + pb + pe - ek)/s) + 1``; pooling: the same with ceil mode as in
    PyTorch; transposed: ``o = (i - 1)s - pb - pe + ek + a`` (see :mod:`convarith.arithmetic.formulas`).

    Examples
    --------
    >>> geometry("conv", 5, 3, stride=2, padding=1)  # the guide's padding_strides
    conv: input 5, kernel 3, stride 2, padding (1, 1) -> output 3
      o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3
    >>> geometry("conv", (224, 224), 7, stride=2, padding="same").output_shape
    (112, 112)
    >>> geometry("transpose", 3, 3, stride=2, padding=1, output_padding=1)
    transpose: input 3, kernel 3, stride 2, padding (1, 1), output_padding 1 -> output 6
      o = (3 − 1)·2 − 1 − 1 + 3 + 1 = 6
    """
    check_choice(kind, "kind", ("conv", "pool", "transpose"))
    if stride is None:
        stride = kernel_size if kind == "pool" else 1
    ndim, _ = axes_layout(
        {
            "input_size": input_size,
            "kernel_size": kernel_size,
            "stride": stride,
            "dilation": dilation,
            "output_padding": output_padding,
        },
        padding if not isinstance(padding, str) else 0,
    )
    i = per_axis(input_size, "input_size", ndim)
    k = per_axis(kernel_size, "kernel_size", ndim)
    s = per_axis(stride, "stride", ndim)
    d = per_axis(dilation, "dilation", ndim)
    a = per_axis(output_padding, "output_padding", ndim, minimum=0)
    if isinstance(padding, str):
        if kind == "transpose":
            raise ValueError(f"`padding` {padding!r}: a transposed convolution takes explicit padding")
        rule = convention if padding == "same" else padding
        pads = same_padding(i, k, s, d, convention=rule)
        assert isinstance(pads[0], tuple)
        pads_t = pads
    else:
        pads_t = per_axis_padding(padding, ndim)
    if kind != "transpose" and any(a):
        raise ValueError(f"`output_padding` {a} applies to transposed convolutions only")
    if kind != "pool" and ceil_mode:
        raise ValueError("`ceil_mode` applies to pooling only")
    if kind == "conv":
        out = conv_output_size(i, k, s, pads_t, d)
    elif kind == "pool":
        out = pool_output_size(i, k, s, pads_t, d, ceil_mode or None, convention=pool_convention)
        ceil_mode = ceil_mode or pool_convention == "caffe"
    else:
        out = conv_transpose_output_size(i, k, s, pads_t, a, d)
    assert isinstance(out, tuple)
    return Geometry(
        tuple(AxisGeometry(kind, i[x], k[x], s[x], pads_t[x], d[x], a[x], ceil_mode, out[x]) for x in range(ndim))
    )
