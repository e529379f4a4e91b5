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

from convarith.arithmetic.layer import Layer, layer
from convarith.arithmetic.padding import resolve_padding
from convarith.arithmetic.text import format_pad, format_padding, format_param, format_size
from convarith.arithmetic.validate import LayerError, check_choice, is_sequence
from convarith.typing import IntOrTuple, PaddingLike, PadPair

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
    # framework -> accepted word (lower case) -> the padding rule's name in convarith.arithmetic.resolve_padding
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
    layer : Layer
        The layer with this framework's padding.

    Examples
    --------
    >>> translate("jax", 9, 4, stride=2, padding="SAME").counterpart("onnx")
          onnx: pads (1, 2) -> output 5, shift +0  (SAME_UPPER: extra unit after)
    """

    framework: str
    padding: tuple[PadPair, ...]
    output_size: tuple[int, ...]
    shift: tuple[int, ...]
    rule: str
    layer: Layer

    def __repr__(self) -> str:
        shift = ", ".join(f"{v:+d}" for v in self.shift)
        return (
            f"{self.framework:>10}: pads {format_padding(self.padding)} -> output {format_size(self.output_size)}, "
            f"shift {shift}  ({self.rule})"
        )


@dataclass(frozen=True)
class Translation:
    """A convolution described in one framework, translated to the others.

    Attributes
    ----------
    framework : str
        The source framework.
    layer : Layer
        The source layer, its padding made explicit (:class:`convarith.arithmetic.Layer`).
    equivalents : tuple of Equivalent
        The same layer (same pads) in every framework.
    counterparts : tuple of Counterpart
        What each framework's own 'same' would pad, and the shift that causes.

    ``input_size``, ``kernel_size``, ``stride``, ``dilation``, ``padding`` and ``output_size`` are
    the layer's, per axis.

    Examples
    --------
    >>> t = translate("keras", (32, 32), 3, padding="same")
    >>> t.padding, t.output_size
    (((1, 1), (1, 1)), (32, 32))
    """

    framework: str
    layer: Layer
    equivalents: tuple[Equivalent, ...]
    counterparts: tuple[Counterpart, ...]

    @property
    def input_size(self) -> tuple[int, ...]:
        """Input size per axis."""
        return self.layer.input_shape

    @property
    def kernel_size(self) -> tuple[int, ...]:
        """Kernel size per axis."""
        return self.layer.kernel_size

    @property
    def stride(self) -> tuple[int, ...]:
        """Stride per axis."""
        return self.layer.stride

    @property
    def dilation(self) -> tuple[int, ...]:
        """Dilation per axis."""
        return self.layer.dilation

    @property
    def padding(self) -> tuple[PadPair, ...]:
        """The source layer's ``(before, after)`` padding per axis."""
        pads = self.layer.padding
        assert pads is not None
        return pads

    @property
    def output_size(self) -> tuple[int, ...]:
        """Output size per axis."""
        return self.layer.output_shape

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
        lay = self.layer
        lines = [
            f"{self.framework} conv: input {format_size(self.input_size)}, kernel {format_param(lay.kernel_size)}, "
            f"stride {format_param(lay.stride)}"
            + ("" if set(lay.dilation) == {1} else f", dilation {format_param(lay.dilation)}")
            + f" -> pads {format_padding(self.padding)}, output {format_size(self.output_size)}",
            "same layer in each framework:",
        ]
        lines += [f"  {e!r}" for e in self.equivalents]
        lines.append("each framework's own 'same' for this layer (shift: its windows vs the source's, input units):")
        lines += [f"  {c!r}" for c in self.counterparts]
        return "\n".join(lines)


def _source_padding(framework: str, padding: Any) -> Any:
    """The padding argument in convarith's terms: a rule's name for a framework word, else the numbers."""
    if isinstance(padding, str):
        words = _WORDS[framework]
        word = padding.lower()
        if word not in words:
            accepted = ", ".join(repr(w.upper() if framework in ("jax", "onnx", "tensorflow") else w) for w in words)
            rule = f"one of {accepted} or explicit numbers" if words else "numbers (Caffe has no padding words)"
            raise LayerError(f"`padding` {padding!r} is not a {framework} padding: {framework} takes {rule}")
        return words[word]
    if framework == "keras":
        raise LayerError(
            f"`padding` {padding!r}: Keras convolutions take 'same' or 'valid' only "
            "(explicit amounts need a ZeroPaddingND layer; describe the layer as framework='tensorflow' or 'jax')"
        )
    return padding


def _check_symmetric(framework: str, pads: tuple[PadPair, ...]) -> None:
    if framework in ("pytorch", "caffe"):
        for axis, (b, a) in enumerate(pads):
            if b != a:
                where = "" if len(pads) == 1 else f" on axis {axis}"
                raise LayerError(
                    f"`padding` ({b}, {a}){where}: {framework} pads both sides alike; an asymmetric layer is "
                    "written in tensorflow, jax or onnx terms"
                )


def _f_pad_order(pads: tuple[PadPair, ...]) -> str:
    # torch.nn.functional.pad takes the last axis first.
    return "(" + ", ".join(f"{b}, {a}" for b, a in reversed(pads)) + ")"


def _matches(lay: Layer, convention: str) -> bool:
    """Whether ``convention``'s 'same' padding is the layer's."""
    try:
        return resolve_padding(convention, lay.input_shape, lay.kernel_size, lay.stride, lay.dilation) == lay.padding
    except LayerError:
        return False


def _one(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else str(values)


def _equivalents(lay: Layer) -> tuple[Equivalent, ...]:
    pads = lay.padding
    assert pads is not None
    nd = f"{lay.ndim}d"
    dil = "" if set(lay.dilation) == {1} else f", dilation={_one(lay.dilation)}"
    head = f"kernel_size={_one(lay.kernel_size)}, stride={_one(lay.stride)}{dil}"
    return (
        _pytorch_equivalent(lay, pads, nd, head),
        *_tensorflow_equivalents(lay, pads, nd),
        _jax_equivalent(lay, pads),
        _onnx_equivalent(lay, pads),
        _caffe_equivalent(pads),
    )


def _pytorch_equivalent(lay: Layer, pads: tuple[PadPair, ...], nd: str, head: str) -> Equivalent:
    s = lay.stride
    if all(b == a for b, a in pads):
        return Equivalent("pytorch", f"nn.Conv{nd}(..., {head}, padding={_one(tuple(b for b, _ in pads))})", True)
    if set(s) == {1} and _matches(lay, "pytorch"):
        return Equivalent("pytorch", f"nn.Conv{nd}(..., {head}, padding='same')", True, "the extra unit after")
    return Equivalent(
        "pytorch",
        f"F.pad(x, {_f_pad_order(pads)}) then nn.Conv{nd}(..., {head}, padding=0)",
        False,
        "PyTorch pads both sides alike" + ("" if set(s) == {1} else "; padding='same' needs stride 1"),
    )


def _tensorflow_equivalents(lay: Layer, pads: tuple[PadPair, ...], nd: str) -> tuple[Equivalent, Equivalent]:
    """TensorFlow's and Keras'."""
    i, k, s, d = lay.input_shape, lay.kernel_size, lay.stride, lay.dilation
    zero = all(b == 0 and a == 0 for b, a in pads)
    tf_word = "'VALID'" if zero else "'SAME'" if _matches(lay, "tensorflow") else None
    pairs = ", ".join(f"[{b}, {a}]" for b, a in pads)
    if tf_word:
        return (
            Equivalent("tensorflow", f"tf.nn.convolution(..., strides={_one(s)}, padding={tf_word})", True),
            Equivalent("keras", f"layers.Conv{nd.upper()}(..., strides={_one(s)}, padding={tf_word.lower()})", True),
        )
    if len(i) == 2:
        tensorflow = Equivalent(
            "tensorflow", f"tf.nn.conv2d(..., strides={_one(s)}, padding=[[0, 0], {pairs}, [0, 0]])", True
        )
    else:
        tensorflow = Equivalent(
            "tensorflow",
            f"tf.pad(x, [[0, 0], {pairs}, [0, 0]]) then padding='VALID'",
            False,
            f"explicit pairs are a conv2d feature; 'SAME' would pad {_same_text(i, k, s, d, 'tensorflow')}",
        )
    tuples = ", ".join(format_pad(p) for p in pads)
    keras = Equivalent(
        "keras",
        f"layers.ZeroPadding{nd.upper()}(({tuples})) then layers.Conv{nd.upper()}(..., padding='valid')",
        False,
        f"'same' would pad {_same_text(i, k, s, d, 'tensorflow')}",
    )
    return tensorflow, keras


def _jax_equivalent(lay: Layer, pads: tuple[PadPair, ...]) -> Equivalent:
    """Explicit pairs are native."""
    zero = all(b == 0 and a == 0 for b, a in pads)
    jax_word = (
        "'VALID'"
        if zero
        else "'SAME'"
        if _matches(lay, "tensorflow")
        else "'SAME_LOWER'"
        if _matches(lay, "same_lower")
        else None
    )
    jax_pad = jax_word or "(" + ", ".join(format_pad(p) for p in pads) + ("," if len(pads) == 1 else "") + ")"
    return Equivalent("jax", f"lax.conv_general_dilated(..., window_strides={lay.stride}, padding={jax_pad})", True)


def _onnx_equivalent(lay: Layer, pads: tuple[PadPair, ...]) -> Equivalent:
    """NOTSET with pads is native."""
    zero = all(b == 0 and a == 0 for b, a in pads)
    onnx_word = (
        "VALID"
        if zero
        else "SAME_UPPER"
        if _matches(lay, "same_upper")
        else "SAME_LOWER"
        if _matches(lay, "same_lower")
        else None
    )
    flat = [b for b, _ in pads] + [a for _, a in pads]
    onnx_pad = f"auto_pad='{onnx_word}'" if onnx_word else f"pads={flat}"
    return Equivalent("onnx", f"Conv(strides={list(lay.stride)}, {onnx_pad})", True)


def _caffe_equivalent(pads: tuple[PadPair, ...]) -> Equivalent:
    """Symmetric padding only."""
    if all(b == a for b, a in pads):
        caffe = (
            f"pad: {pads[0][0]}"
            if len({b for b, _ in pads}) == 1
            else ", ".join(f"pad_{n}: {b}" for n, (b, _) in zip("hw", pads, strict=False))
        )
        return Equivalent("caffe", f"convolution_param {{ {caffe} }}", True)
    return Equivalent(
        "caffe",
        "pad the input blob beforehand, then pad: 0",
        False,
        "Caffe pads both sides alike; no built-in asymmetric padding",
    )


def _same_text(i: tuple[int, ...], k: tuple[int, ...], s: tuple[int, ...], d: tuple[int, ...], convention: str) -> str:
    return format_padding(resolve_padding(convention, i, k, s, d))


def _counterparts(lay: Layer) -> tuple[Counterpart, ...]:
    i, k, s, d, pads = lay.input_shape, lay.kernel_size, lay.stride, lay.dilation, lay.padding
    assert pads is not None
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
        theirs = layer("conv", i, k, s, convention, d)
        assert theirs.padding is not None
        shift = tuple(pb - tb for (pb, _), (tb, _) in zip(pads, theirs.padding, strict=True))
        out.append(Counterpart(framework, theirs.padding, theirs.output_shape, shift, text, theirs))
    return tuple(out)


def translate(
    framework: str,
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: PaddingLike | str = 0,
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
    :func:`convarith.arithmetic.resolve_padding`.

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
    if not isinstance(padding, str) and not (isinstance(padding, int) or is_sequence(padding)):
        raise TypeError(f"`padding` must be a word, an int or a tuple, got {type(padding).__name__} {padding!r}")
    source = layer("conv", input_size, kernel_size, stride, _source_padding(framework, padding), dilation)
    assert source.padding is not None
    if source.padding_rule == "explicit":
        _check_symmetric(framework, source.padding)
    return Translation(framework, source, _equivalents(source), _counterparts(source))
