"""Translating a convolution's padding between frameworks.

PyTorch, TensorFlow/Keras, JAX, ONNX and Caffe describe padding differently: numbers on both
sides, per-side pairs, or words (``'SAME'``, ``SAME_LOWER``) whose split into before/after
depends on the stride and, at stride 2, on the parity of the input size. :func:`translate` takes a
layer in one framework's terms and gives the explicit ``(before, after)`` pads, the output size,
how to write the same layer in every other framework (flagging what is not native), and each
framework's own 'same' for the layer with the shift it causes.

A port that copies the weights but writes 'same' padding the target framework's way can shift
the features: TensorFlow pads a 7x7 stride-2 layer on a 224 input with ``(2, 3)``, PyTorch and
Caffe models with ``(3, 3)``; both give 112 outputs, one input pixel apart (the TensorNets case).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from convarith.arithmetic.formulas import axes_layout, conv_output_size, same_padding
from convarith.arithmetic.validate import check_choice, is_sequence, per_axis, per_axis_padding
from convarith.typing import IntOrTuple, PadPair

__all__ = ["FRAMEWORKS", "Counterpart", "Equivalent", "Translation", "translate"]

FRAMEWORKS: dict[str, str] = {
    "pytorch": "torch.nn.ConvNd: padding int/tuple (both sides alike), 'valid', or 'same' (stride 1 only)",
    "tensorflow": "tf.nn.convolution/conv2d: 'SAME' (extra unit after), 'VALID'; conv2d also takes explicit pairs",
    "keras": "keras.layers.ConvND: 'same' (as TensorFlow) or 'valid'",
    "jax": "jax.lax.conv_general_dilated: 'SAME', 'SAME_LOWER', 'VALID', or (low, high) pairs",
    "onnx": "ONNX Conv: auto_pad SAME_UPPER, SAME_LOWER, VALID, or NOTSET with explicit pads",
    "caffe": "Caffe Convolution: pad (pad_h, pad_w), both sides alike",
}
"""Frameworks :func:`translate` knows, with how each spells a convolution's padding."""

_WORDS: dict[str, dict[str, str]] = {
    # framework -> accepted word (lower case) -> convention of convarith.same_padding
    "pytorch": {"same": "pytorch", "valid": "valid"},
    "tensorflow": {"same": "tensorflow", "valid": "valid"},
    "keras": {"same": "tensorflow", "valid": "valid"},
    "jax": {"same": "tensorflow", "same_lower": "same_lower", "valid": "valid"},
    "onnx": {"same_upper": "same_upper", "same_lower": "same_lower", "valid": "valid"},
    "caffe": {},
}


@dataclass(frozen=True)
class Equivalent:
    """How one framework writes the translated layer.

    Attributes
    ----------
    framework : str
    code : str
        The layer's padding in that framework's terms (a code fragment).
    native : bool
        False when the layer cannot express the pads itself and the input must be padded first.
    note : str
        Why not, or which built-in rule matches.

    Examples
    --------
    >>> translate("tensorflow", 8, 3, stride=2, padding="SAME").equivalent("caffe").native  # pads (0, 1)
    False
    """

    framework: str
    code: str
    native: bool
    note: str = ""

    def __repr__(self) -> str:
        flag = "native" if self.native else "NOT NATIVE"
        return f"{self.framework:>10}: {self.code}  [{flag}]" + (f" {self.note}" if self.note else "")


@dataclass(frozen=True)
class Counterpart:
    """A framework's own 'same' padding for the layer, compared with the translated one.

    Attributes
    ----------
    framework : str
    padding : tuple of (before, after)
        Per axis.
    output_size : tuple of int
    shift : tuple of int
        Per axis, input units from the source's windows to this framework's
        (``pb_source - pb_here``): ``-1`` means this framework's windows start one unit earlier
        (left/up).
    rule : str
        The rule that gives ``padding``.

    Examples
    --------
    >>> translate("jax", 9, 4, stride=2, padding="SAME").counterpart("onnx")
    Counterpart(framework='onnx', padding=((1, 2),), output_size=(5,), shift=(0,), rule='SAME_UPPER: extra unit after')
    """

    framework: str
    padding: tuple[PadPair, ...]
    output_size: tuple[int, ...]
    shift: tuple[int, ...]
    rule: str


@dataclass(frozen=True)
class Translation:
    """A convolution described in one framework, translated to the others.

    Attributes
    ----------
    framework : str
        The source framework.
    input_size, kernel_size, stride, dilation, output_size : tuple of int
        Per axis.
    padding : tuple of (before, after)
        The source layer's padding made explicit.
    equivalents : tuple of Equivalent
        The same layer (same pads) in every framework.
    counterparts : tuple of Counterpart
        What each framework's own 'same' would pad, and the shift that causes.

    Examples
    --------
    >>> t = translate("keras", (32, 32), 3, padding="same")
    >>> t.padding, t.output_size
    (((1, 1), (1, 1)), (32, 32))
    """

    framework: str
    input_size: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: tuple[PadPair, ...]
    output_size: tuple[int, ...]
    equivalents: tuple[Equivalent, ...]
    counterparts: tuple[Counterpart, ...]

    def equivalent(self, framework: str) -> Equivalent:
        """The :class:`Equivalent` for one framework.

        Examples
        --------
        >>> translate("pytorch", (224, 224), 7, stride=2, padding=3).equivalent("onnx")
              onnx: Conv(strides=[2, 2], pads=[3, 3, 3, 3])  [native]
        """
        check_choice(framework, "framework", FRAMEWORKS)
        return next(e for e in self.equivalents if e.framework == framework)

    def counterpart(self, framework: str) -> Counterpart:
        """The :class:`Counterpart` for one framework.

        Examples
        --------
        >>> translate("caffe", 224, 7, stride=2, padding=3).counterpart("keras").shift  # Keras starts 1 later
        (1,)
        """
        check_choice(framework, "framework", FRAMEWORKS)
        return next(c for c in self.counterparts if c.framework == framework)

    def __repr__(self) -> str:
        def sizes(values: tuple[int, ...]) -> str:
            return "x".join(str(v) for v in values)

        pads = ", ".join(f"({b}, {a})" for b, a in self.padding)
        lines = [
            f"{self.framework} conv: input {sizes(self.input_size)}, kernel {sizes(self.kernel_size)}, "
            f"stride {sizes(self.stride)}"
            + ("" if set(self.dilation) == {1} else f", dilation {sizes(self.dilation)}")
            + f" -> pads {pads}, output {sizes(self.output_size)}",
            "same layer in each framework:",
        ]
        lines += [f"  {e!r}" for e in self.equivalents]
        lines.append("each framework's own 'same' for this layer (shift: its windows vs the source's, input units):")
        for c in self.counterparts:
            cp = ", ".join(f"({b}, {a})" for b, a in c.padding)
            shift = ", ".join(f"{v:+d}" for v in c.shift)
            lines.append(f"  {c.framework:>10}: pads {cp} -> output {sizes(c.output_size)}, shift {shift}  ({c.rule})")
        return "\n".join(lines)


def _source_padding(
    framework: str, padding: Any, i: tuple[int, ...], k: tuple[int, ...], s: tuple[int, ...], d: tuple[int, ...]
) -> tuple[PadPair, ...]:
    ndim = len(i)
    if isinstance(padding, str):
        words = _WORDS[framework]
        word = padding.lower()
        if word not in words:
            accepted = ", ".join(repr(w.upper() if framework in ("jax", "onnx", "tensorflow") else w) for w in words)
            rule = f"one of {accepted} or explicit numbers" if words else "numbers (Caffe has no padding words)"
            raise ValueError(f"`padding` {padding!r} is not a {framework} padding: {framework} takes {rule}")
        pads = same_padding(i, k, s, d, convention=words[word])
        return pads if isinstance(pads[0], tuple) else (pads,)
    if framework == "keras":
        raise ValueError(
            f"`padding` {padding!r}: Keras convolutions take 'same' or 'valid' only "
            "(explicit amounts need a ZeroPaddingND layer; describe the layer as framework='tensorflow' or 'jax')"
        )
    pads = per_axis_padding(padding, ndim)
    if framework in ("pytorch", "caffe"):
        for axis, (b, a) in enumerate(pads):
            if b != a:
                where = "" if ndim == 1 else f" on axis {axis}"
                raise ValueError(
                    f"`padding` ({b}, {a}){where}: {framework} pads both sides alike; an asymmetric layer is "
                    "written in tensorflow, jax or onnx terms"
                )
    return pads


def _f_pad_order(pads: tuple[PadPair, ...]) -> str:
    # torch.nn.functional.pad takes the last axis first.
    return "(" + ", ".join(f"{b}, {a}" for b, a in reversed(pads)) + ")"


def _equivalents(
    i: tuple[int, ...], k: tuple[int, ...], s: tuple[int, ...], d: tuple[int, ...], pads: tuple[PadPair, ...]
) -> tuple[Equivalent, ...]:
    ndim = len(i)
    symmetric = all(b == a for b, a in pads)
    zero = all(b == 0 and a == 0 for b, a in pads)

    def matches(convention: str) -> bool:
        try:
            rule = same_padding(i, k, s, d, convention=convention)
        except ValueError:
            return False
        return (rule if isinstance(rule[0], tuple) else (rule,)) == pads

    def one(values: tuple[int, ...]) -> str:
        return str(values[0]) if len(set(values)) == 1 else str(values)

    nd = f"{ndim}d"
    dil = "" if set(d) == {1} else f", dilation={one(d)}"
    head = f"kernel_size={one(k)}, stride={one(s)}{dil}"
    out = []

    # PyTorch.
    if symmetric:
        out.append(Equivalent("pytorch", f"nn.Conv{nd}(..., {head}, padding={one(tuple(b for b, _ in pads))})", True))
    elif set(s) == {1} and matches("pytorch"):
        out.append(Equivalent("pytorch", f"nn.Conv{nd}(..., {head}, padding='same')", True, "the extra unit after"))
    else:
        out.append(
            Equivalent(
                "pytorch",
                f"F.pad(x, {_f_pad_order(pads)}) then nn.Conv{nd}(..., {head}, padding=0)",
                False,
                "PyTorch pads both sides alike" + ("" if set(s) == {1} else "; padding='same' needs stride 1"),
            )
        )

    # TensorFlow and Keras.
    tf_word = "'VALID'" if zero else "'SAME'" if matches("tensorflow") else None
    pairs = ", ".join(f"[{b}, {a}]" for b, a in pads)
    if tf_word:
        out.append(Equivalent("tensorflow", f"tf.nn.convolution(..., strides={one(s)}, padding={tf_word})", True))
        out.append(
            Equivalent("keras", f"layers.Conv{nd.upper()}(..., strides={one(s)}, padding={tf_word.lower()})", True)
        )
    else:
        if ndim == 2:
            out.append(
                Equivalent(
                    "tensorflow", f"tf.nn.conv2d(..., strides={one(s)}, padding=[[0, 0], {pairs}, [0, 0]])", True
                )
            )
        else:
            out.append(
                Equivalent(
                    "tensorflow",
                    f"tf.pad(x, [[0, 0], {pairs}, [0, 0]]) then padding='VALID'",
                    False,
                    f"explicit pairs are a conv2d feature; 'SAME' would pad {_same_text(i, k, s, d, 'tensorflow')}",
                )
            )
        tuples = ", ".join(f"({b}, {a})" for b, a in pads)
        out.append(
            Equivalent(
                "keras",
                f"layers.ZeroPadding{nd.upper()}(({tuples})) then layers.Conv{nd.upper()}(..., padding='valid')",
                False,
                f"'same' would pad {_same_text(i, k, s, d, 'tensorflow')}",
            )
        )

    # JAX: explicit pairs are native.
    jax_word = (
        "'VALID'" if zero else "'SAME'" if matches("tensorflow") else "'SAME_LOWER'" if matches("same_lower") else None
    )
    jax_pad = jax_word or "(" + ", ".join(f"({b}, {a})" for b, a in pads) + ("," if ndim == 1 else "") + ")"
    out.append(Equivalent("jax", f"lax.conv_general_dilated(..., window_strides={s}, padding={jax_pad})", True))

    # ONNX: NOTSET with pads is native.
    onnx_word = (
        "VALID" if zero else "SAME_UPPER" if matches("same_upper") else "SAME_LOWER" if matches("same_lower") else None
    )
    flat = [b for b, _ in pads] + [a for _, a in pads]
    onnx_pad = f"auto_pad='{onnx_word}'" if onnx_word else f"pads={flat}"
    out.append(Equivalent("onnx", f"Conv(strides={list(s)}, {onnx_pad})", True))

    # Caffe: symmetric only.
    if symmetric:
        caffe = (
            f"pad: {pads[0][0]}"
            if len({b for b, _ in pads}) == 1
            else ", ".join(f"pad_{n}: {b}" for n, (b, _) in zip("hw", pads, strict=False))
        )
        out.append(Equivalent("caffe", f"convolution_param {{ {caffe} }}", True))
    else:
        out.append(
            Equivalent(
                "caffe",
                "pad the input blob beforehand, then pad: 0",
                False,
                "Caffe pads both sides alike; no built-in asymmetric padding",
            )
        )
    return tuple(out)


def _same_text(i: tuple[int, ...], k: tuple[int, ...], s: tuple[int, ...], d: tuple[int, ...], convention: str) -> str:
    pads = same_padding(i, k, s, d, convention=convention)
    seq = pads if isinstance(pads[0], tuple) else (pads,)
    return ", ".join(f"({b}, {a})" for b, a in seq)


def _counterparts(
    i: tuple[int, ...], k: tuple[int, ...], s: tuple[int, ...], d: tuple[int, ...], pads: tuple[PadPair, ...]
) -> tuple[Counterpart, ...]:
    rules = {
        "pytorch": ("pytorch", "padding='same'")
        if set(s) == {1}
        else ("caffe", "hand-written (ek - 1) // 2 both sides (padding='same' needs stride 1)"),
        "tensorflow": ("tensorflow", "'SAME': extra unit after"),
        "keras": ("tensorflow", "'same': extra unit after"),
        "jax": ("tensorflow", "'SAME': extra unit after"),
        "onnx": ("same_upper", "SAME_UPPER: extra unit after"),
        "caffe": ("caffe", "(ek - 1) // 2 both sides"),
    }
    out = []
    for framework, (convention, text) in rules.items():
        raw = same_padding(i, k, s, d, convention=convention)
        theirs: tuple[PadPair, ...] = raw if isinstance(raw[0], tuple) else (raw,)
        size = conv_output_size(i, k, s, theirs, d)
        sizes = size if isinstance(size, tuple) else (size,)
        shift = tuple(pb - tb for (pb, _), (tb, _) in zip(pads, theirs, strict=True))
        out.append(Counterpart(framework, theirs, sizes, shift, text))
    return tuple(out)


def translate(
    framework: str,
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: Any = 0,
    dilation: IntOrTuple = 1,
) -> Translation:
    """Translate a convolution's padding from one framework's terms to every other's.

    Parameters
    ----------
    framework : {'pytorch', 'tensorflow', 'keras', 'jax', 'onnx', 'caffe'}
        The framework the layer is written for (see :data:`FRAMEWORKS`).
    input_size, kernel_size, stride, dilation : int or tuple of int
        Per spatial axis.
    padding : str, int, (before, after) or tuple of those per axis
        In the framework's terms, case-insensitive: PyTorch ``'same'``/``'valid'`` or numbers
        (both sides alike); TensorFlow ``'SAME'``/``'VALID'`` or pairs; Keras ``'same'`` or
        ``'valid'``; JAX ``'SAME'``/``'SAME_LOWER'``/``'VALID'`` or pairs; ONNX auto_pad
        ``'SAME_UPPER'``/``'SAME_LOWER'``/``'VALID'`` or pairs (NOTSET); Caffe numbers.

    Returns
    -------
    Translation
        Explicit pads, output size, the same layer in each framework (``native=False`` where the
        input must be padded first), and each framework's own 'same' with the shift it causes.

    Raises
    ------
    ValueError
        If the padding is not one the framework accepts (asymmetric pairs in PyTorch or Caffe,
        a word Caffe does not have, PyTorch 'same' with a stride), or the layer has no output.

    Notes
    -----
    TensorFlow, Keras, JAX ``'SAME'`` and ONNX ``SAME_UPPER``::

        o = ceil(i / s),  total = max((o - 1)*s + ek - i, 0),  before = total // 2

    (``SAME_LOWER`` puts the larger half before), then ``o = floor((i + pb + pe - ek)/s) + 1``.
    Output ``y`` reads from input ``y*s - pb``: two layers whose ``pb`` differ by ``t`` see
    windows ``t`` input units apart, whatever ``y``. The splits come from
    :func:`convarith.same_padding`.

    Examples
    --------
    >>> t = translate("tensorflow", 224, 7, stride=2, padding="SAME")  # the TensorNets case
    >>> t.padding, t.output_size
    (((2, 3),), (112,))
    >>> t.equivalent("pytorch").native  # (2, 3) needs F.pad in PyTorch
    False
    >>> c = t.counterpart("pytorch")  # a PyTorch port pads (3, 3): same size, shifted
    >>> c.padding, c.output_size, c.shift
    (((3, 3),), (112,), (-1,))
    >>> translate("tensorflow", 299, 7, stride=2, padding="SAME").counterpart("caffe").shift  # odd input
    (0,)
    """
    # Argument checks.
    check_choice(framework, "framework", FRAMEWORKS)
    ndim, _ = axes_layout(
        {"input_size": input_size, "kernel_size": kernel_size, "stride": stride, "dilation": dilation},
        0 if isinstance(padding, str) else padding,
    )
    i = per_axis(input_size, "input_size", ndim)
    k = per_axis(kernel_size, "kernel_size", ndim)
    s = per_axis(stride, "stride", ndim)
    d = per_axis(dilation, "dilation", ndim)
    if not isinstance(padding, str) and not (isinstance(padding, int) or is_sequence(padding)):
        raise TypeError(f"`padding` must be a word, an int or a tuple, got {type(padding).__name__} {padding!r}")

    pads = _source_padding(framework, padding, i, k, s, d)
    size = conv_output_size(i, k, s, pads, d)
    out = size if isinstance(size, tuple) else (size,)
    return Translation(
        framework, i, k, s, d, pads, out, _equivalents(i, k, s, d, pads), _counterparts(i, k, s, d, pads)
    )
