"""Padding rules: the one place where 'same', 'valid', 'full' and convention names become pads.

A padding argument is numbers (an int, a ``(before, after)`` pair, or one int or pair per axis)
or a word. :func:`resolve_padding` turns either into one ``(before, after)`` pair per axis; every
other module that meets a padding word hands it here. The words:

- ``'valid'``: no padding; ``'full'``: ``ek - 1`` on both sides (every partial overlap);
- ``'same'``: split by ``convention`` (see :data:`CONVENTIONS`);
- a convention name itself (``'tensorflow'``, ``'same_lower'``, ``'caffe'``, ...): 'same' with
  that convention.

Symbols: input size ``i``, kernel ``k``, stride ``s``, dilation ``d``, effective kernel
``ek = d*(k - 1) + 1``.

References
----------
.. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
   arXiv:1603.07285, 2016.
"""

from __future__ import annotations

from typing import Any

from convarith.arithmetic.kernel import effective_kernel_size
from convarith.arithmetic.validate import (
    LayerError,
    axis_label,
    check_choice,
    count_axes,
    is_sequence,
    per_axis,
    per_axis_padding,
)
from convarith.typing import IntOrTuple, PaddingLike, PadPair

__all__ = [
    "CONVENTIONS",
    "PADDING_WORDS",
    "needs_input_size",
    "padding_rule",
    "resolve_padding",
    "same_padding",
    "split_total",
    "transpose_padding",
]

CONVENTIONS: dict[str, str] = {
    "tensorflow": "ceil(i/s) outputs; the extra padding unit goes after (right/bottom)",
    "keras": "as 'tensorflow'",
    "jax": "as 'tensorflow' (lax 'SAME')",
    "same_upper": "ONNX auto_pad SAME_UPPER, as 'tensorflow'",
    "same_lower": "ONNX auto_pad SAME_LOWER: ceil(i/s) outputs, the extra unit goes before",
    "pytorch": "padding='same', stride 1 only: total d*(k-1), the extra unit after",
    "caffe": "symmetric (ek - 1) // 2 on both sides, the usual Caffe/PyTorch choice",
    "valid": "no padding",
    "full": "ek - 1 on both sides: every partial overlap",
}
"""Padding conventions (and rules) accepted by :func:`resolve_padding` and :func:`same_padding`."""

PADDING_WORDS: tuple[str, ...] = ("same", "valid", "full", *(c for c in CONVENTIONS if c not in ("valid", "full")))
"""Every word :func:`resolve_padding` accepts as ``padding`` (case-insensitive)."""

_TENSORFLOW_LIKE = ("tensorflow", "keras", "jax", "same_upper")


def padding_rule(padding: Any, convention: str = "tensorflow") -> tuple[str, str]:
    """The rule (``'explicit'``, ``'valid'``, ``'same'``, ``'full'``) and convention of a padding argument.

    Parameters
    ----------
    padding : int, tuple or str
        Numbers give ``'explicit'``; a convention name gives ``'same'`` with that convention.
    convention : str
        The convention of a bare ``'same'``.

    Returns
    -------
    (rule, convention)

    Notes
    -----
    ``'valid'`` and ``'full'`` are rules of their own; ``'same'`` keeps ``convention``; a
    convention's name means ``'same'`` split that way.

    Examples
    --------
    >>> padding_rule("SAME"), padding_rule("caffe"), padding_rule(1)
    (('same', 'tensorflow'), ('same', 'caffe'), ('explicit', 'tensorflow'))
    """
    check_choice(convention, "convention", CONVENTIONS)
    if not isinstance(padding, str):
        return "explicit", convention
    word = check_choice(padding.lower(), "padding", PADDING_WORDS)
    if word in ("valid", "full"):
        return word, convention
    return "same", convention if word == "same" else word


def needs_input_size(convention: str, stride: int) -> bool:
    """Whether a 'same' convention's split depends on the input size (at this stride).

    TensorFlow's (and ONNX's) ``ceil(i/s)`` rule depends on ``i mod s`` once ``s > 1``; Caffe's
    symmetric rule, PyTorch's (stride 1 only), valid and full never do.

    Notes
    -----
    At stride 1, ``total = max((i - 1) + ek - i, 0) = ek - 1`` for every ``i``.

    Examples
    --------
    >>> needs_input_size("tensorflow", 2), needs_input_size("tensorflow", 1), needs_input_size("caffe", 2)
    (True, False, False)
    """
    return convention in (*_TENSORFLOW_LIKE, "same_lower") and stride != 1


def _same_axis(i: int | None, k: int, s: int, d: int, convention: str, where: str) -> PadPair:
    ek = effective_kernel_size(k, d)
    if convention == "valid":
        return (0, 0)
    if convention == "full":
        return (ek - 1, ek - 1)
    if convention == "caffe":
        return ((ek - 1) // 2, (ek - 1) // 2)
    if convention == "pytorch" and s != 1:
        raise LayerError(
            f"`stride` {s}: PyTorch refuses padding='same' for strided convolutions{where} "
            "(use convention='tensorflow' for the TF/Keras/JAX split)"
        )
    if i is None:
        if s != 1:
            raise LayerError(
                f"`input_size` is needed{where}: the '{convention}' split of 'same' padding at stride {s} "
                "depends on the input size"
            )
        i = ek  # at stride 1 the split is ek - 1 whatever the input
    o = -(-i // s)
    total = max((o - 1) * s + ek - i, 0)
    return split_total(total, convention)


def split_total(total: int, convention: str = "tensorflow") -> PadPair:
    """Split a total padding (or crop) into ``(before, after)``: the extra unit after, or before for ``'same_lower'``.

    Notes
    -----
    ``before = total // 2`` (TensorFlow, ONNX ``SAME_UPPER``); ``SAME_LOWER`` swaps the halves.

    Examples
    --------
    >>> split_total(5), split_total(5, "same_lower")
    ((2, 3), (3, 2))
    """
    small = total // 2
    return (total - small, small) if convention == "same_lower" else (small, total - small)


def _transpose_axis(k: int, s: int, d: int, a: int | None, word: str, convention: str) -> tuple[PadPair, int]:
    ek = effective_kernel_size(k, d)
    if convention in ("same_upper", "same_lower"):  # ONNX ConvTranspose
        extra = a or 0
        if word == "valid":
            return (0, 0), extra
        total = extra + ek - s  # s*(i - 1) + a + ek - i*s, the same for every i
        if total < 0:  # the kernel is narrower than the stride: the missing cells go after
            return (0, 0), extra - total
        return split_total(total, convention), extra
    # Keras (keras/src/backend/common/backend_utils.py, the JAX conversion): the dilated input is
    # padded by `left` and `pad_len - left` before a valid convolution, i.e. cropped ek - 1 - pad
    if word == "valid":
        return (0, 0), (max(s - ek, 0) if a is None else a)
    pad_len = s + ek - 2 if a is None else ek + ek % 2 - 2 + a
    left = min(pad_len // 2 + pad_len % 2, ek - 1)
    before, after = ek - 1 - left, ek - 1 - (pad_len - left)
    return (before, max(after, 0)), max(-after, 0)


def transpose_padding(
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    dilation: IntOrTuple = 1,
    padding: str = "same",
    output_padding: IntOrTuple | None = None,
    convention: str = "tensorflow",
) -> tuple[tuple[PadPair, ...], tuple[int, ...]]:
    """Crops ``(before, after)`` and output padding of a transposed convolution with ``'same'`` or ``'valid'``.

    The one resolver of transposed 'same' and 'valid': :func:`convarith.arithmetic.layer` calls it,
    and so do the Keras and ONNX readers. The result is in PyTorch's terms,
    ``o = (i - 1)*s + ek - pb - pe + a``; it does not depend on the input size.

    Parameters
    ----------
    kernel_size, stride, dilation : int or tuple of int
        Per axis.
    padding : {'same', 'valid'}
    output_padding : int, tuple of int or None
        As the framework was given it. Keras tells ``None`` (not given) from ``0``.
    convention : str
        ``'tensorflow'`` (= ``'keras'``, ``'jax'``): Keras' ``ConvNDTranspose`` and TensorFlow's
        ``conv2d_transpose``; ``'same_upper'`` or ``'same_lower'``: ONNX ``ConvTranspose`` with that
        ``auto_pad`` (``'valid'``: ``auto_pad='VALID'``).

    Returns
    -------
    (tuple of (before, after), tuple of int)
        Crops and output padding per axis.

    Raises
    ------
    LayerError
        Another word or convention (PyTorch's ``ConvTranspose`` has no 'same').

    Notes
    -----
    TensorFlow/Keras (``deconv_output_length`` in ``keras/src/utils/conv_utils.py``): without
    ``output_padding``, ``o = i*s`` for ``'same'`` and ``o = i*s + max(ek - s, 0)`` for
    ``'valid'``; with it, ``o = (i - 1)*s + ek - 2*pad + a``, ``pad = ek // 2`` ('same') or 0.
    The crops are Keras' own (``_convert_conv_transpose_padding_args_from_keras_to_jax`` in
    ``keras/src/backend/common/backend_utils.py``): ``pad_len = s + ek - 2`` (or
    ``ek + ek % 2 - 2 + a``), ``left = min(ceil(pad_len/2), ek - 1)``, crops
    ``(ek - 1 - left, ek - 1 - (pad_len - left))``, a negative crop after being output padding.
    Wherever TensorFlow's ``conv2d_transpose`` accepts the shape this is its split (the forward
    convolution's 'same' from ``o`` to ``i``: ``total // 2`` before). Keras' torch backend pads both
    sides alike and differs when both its padding and output padding are positive (it warns).

    ONNX ``ConvTranspose`` (operator spec): ``SAME_UPPER``/``SAME_LOWER`` give ``o = i*s`` with
    ``total = s*(i - 1) + a + ek - o = a + ek - s`` cropped, ``total // 2`` before for
    ``SAME_UPPER`` and the larger half before for ``SAME_LOWER``. When ``ek + a < s`` the spec's
    total is negative; convarith then adds the ``s - ek`` missing cells after (as TensorFlow does),
    an assumption the spec does not settle. ``VALID`` crops nothing: ``o = s*(i - 1) + ek + a``.

    Examples
    --------
    >>> transpose_padding(3, 2)  # Keras: 8 -> 16 crops (0, 1)
    (((0, 1),), (0,))
    >>> transpose_padding(4, 2)  # the DCGAN layer
    (((1, 1),), (0,))
    >>> transpose_padding(3, 2, convention="same_lower"), transpose_padding(3, 2, convention="same_upper")
    ((((1, 0),), (0,)), (((0, 1),), (0,)))
    >>> transpose_padding(1, 2)  # a kernel narrower than the stride: one zero cell added
    (((0, 0),), (1,))
    """
    word = check_choice(padding.lower() if isinstance(padding, str) else padding, "padding", ("same", "valid"))
    check_choice(convention, "convention", CONVENTIONS)
    if convention not in (*_TENSORFLOW_LIKE, "same_lower"):
        raise LayerError(
            f"`convention` {convention!r}: transposed 'same' is defined by TensorFlow/Keras "
            "('tensorflow') and ONNX ('same_upper', 'same_lower'); PyTorch's ConvTranspose takes numbers"
        )
    onnx = convention in ("same_upper", "same_lower")
    sizes = {"kernel_size": kernel_size, "stride": stride, "dilation": dilation}
    if output_padding is not None:
        sizes["output_padding"] = output_padding
    ndim = count_axes(**sizes) or 1
    k = per_axis(kernel_size, "kernel_size", ndim)
    s = per_axis(stride, "stride", ndim)
    d = per_axis(dilation, "dilation", ndim)
    a = None if output_padding is None else per_axis(output_padding, "output_padding", ndim, minimum=0)
    pads, extra = [], []
    for x in range(ndim):
        pad, add = _transpose_axis(
            k[x], s[x], d[x], None if a is None else a[x], word, convention if onnx else "tensorflow"
        )
        pads.append(pad)
        extra.append(add)
    return tuple(pads), tuple(extra)


def resolve_padding(
    padding: PaddingLike | str,
    input_size: IntOrTuple | None,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    dilation: IntOrTuple = 1,
    *,
    convention: str = "tensorflow",
    name: str = "padding",
) -> tuple[PadPair, ...]:
    """Pads ``(before, after)`` per axis for any padding argument: numbers or a rule's name.

    Parameters
    ----------
    padding : int, (before, after), tuple of those per axis, or str
        Numbers are checked and normalised; a word (``'same'``, ``'valid'``, ``'full'`` or a
        convention name, case-insensitive) is resolved by its rule.
    input_size : int, tuple of int or None
        Per axis. Only TensorFlow-like 'same' at a stride above 1 needs it; otherwise None is fine.
    kernel_size, stride, dilation : int or tuple of int
        Per axis.
    convention : str
        The split of ``'same'``: one of :data:`CONVENTIONS`.
    name : str
        The argument's name in error messages.

    Returns
    -------
    tuple of (before, after)
        One pair per axis, always a tuple of pairs (also for one axis).

    Raises
    ------
    LayerError
        An unknown word or convention, PyTorch 'same' at a stride, a missing input size that the
        rule needs, or numbers that are negative or have the wrong number of axes.

    Notes
    -----
    TensorFlow/Keras/JAX ``'SAME'`` and ONNX ``SAME_UPPER``::

        o = ceil(i / s),  total = max((o - 1)*s + ek - i, 0),
        before = total // 2,  after = total - before

    ``SAME_LOWER`` swaps before and after. PyTorch's ``padding='same'`` is stride 1 only (total
    ``ek - 1``, the extra unit after). ``'caffe'`` is the symmetric ``(ek - 1) // 2`` that Caffe
    and most PyTorch models write by hand; ``'full'`` is ``ek - 1`` on both sides, relationship 4
    of [1]_; ``'valid'`` is no padding.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> resolve_padding("same", 224, 7, 2)  # TensorFlow: even input, the extra unit after
    ((2, 3),)
    >>> resolve_padding("same", (224, 299), 7, 2)  # an odd input pads symmetrically
    ((2, 3), (3, 3))
    >>> resolve_padding("caffe", None, 7, 2)  # no input size needed
    ((3, 3),)
    >>> resolve_padding("full", 5, 3, dilation=2)
    ((4, 4),)
    >>> resolve_padding(((1, 1), (0, 1)), (5, 6), 3)  # numbers pass through, one pair per axis
    ((1, 1), (0, 1))
    """
    if not isinstance(name, str):
        raise TypeError(f"`name` must be the argument's name (a string), got {type(name).__name__}")
    rule, convention = padding_rule(padding, convention)
    sizes = {"kernel_size": kernel_size, "stride": stride, "dilation": dilation}
    if input_size is not None:
        sizes = {"input_size": input_size, **sizes}
    ndim = count_axes(**sizes)
    if rule == "explicit":
        if ndim is None:
            given: Any = padding  # numbers (per_axis_padding checks them)
            ndim = len(given) if is_sequence(given) and any(is_sequence(v) for v in given) else 1
        return per_axis_padding(padding, ndim, name)
    ndim = ndim or 1
    i = None if input_size is None else per_axis(input_size, "input_size", ndim)
    k = per_axis(kernel_size, "kernel_size", ndim)
    s = per_axis(stride, "stride", ndim)
    d = per_axis(dilation, "dilation", ndim)
    word = rule if rule in ("valid", "full") else "tensorflow" if convention in _TENSORFLOW_LIKE else convention
    return tuple(
        _same_axis(None if i is None else i[x], k[x], s[x], d[x], word, axis_label(x, ndim)) for x in range(ndim)
    )


def same_padding(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    dilation: IntOrTuple = 1,
    convention: str = "tensorflow",
) -> PadPair | tuple[PadPair, ...]:
    """The ``(before, after)`` padding a framework's 'same' (or valid/full) mode applies.

    Parameters
    ----------
    input_size, kernel_size, stride, dilation : int or tuple of int
        Per axis.
    convention : str
        One of :data:`CONVENTIONS`: ``'tensorflow'`` (= ``'keras'``, ``'jax'``,
        ``'same_upper'``), ``'same_lower'``, ``'pytorch'``, ``'caffe'``, ``'valid'``,
        ``'full'``.

    Returns
    -------
    (before, after) or tuple of (before, after) per axis
        A single pair when every size is an int.

    Notes
    -----
    :func:`resolve_padding` with the convention's name as the padding; TensorFlow::

        o = ceil(i / s),  total = max((o - 1)*s + ek - i, 0),
        before = total // 2,  after = total - before

    Examples
    --------
    >>> same_padding(224, 7, stride=2)  # TensorFlow: even input, the extra unit after
    (2, 3)
    >>> same_padding(299, 7, stride=2)  # odd input: symmetric
    (3, 3)
    >>> same_padding(224, 7, stride=2, convention="caffe")
    (3, 3)
    >>> same_padding(5, 4, convention="same_lower")
    (2, 1)
    """
    check_choice(convention, "convention", CONVENTIONS)
    pads = resolve_padding(convention, input_size, kernel_size, stride, dilation, name="convention")
    scalar = count_axes(input_size=input_size, kernel_size=kernel_size, stride=stride, dilation=dilation) is None
    return pads[0] if scalar else pads
