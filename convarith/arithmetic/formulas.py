"""Output-size formulas of convolution arithmetic, in pure integers.

Every function works per axis: a size argument is an int (one axis, or the same on every axis)
or a tuple with one int per axis. The result is an int when every argument was a scalar, else a
tuple. Symbols in formulas: input size ``i``, kernel ``k``, stride ``s``, padding ``p`` (or
``pb``/``pe`` before/after), dilation ``d``, effective kernel ``ek = d*(k - 1) + 1``, output
padding ``a``.

References
----------
.. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
   arXiv:1603.07285, 2016.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from convarith.arithmetic.validate import (
    axis_label,
    check_choice,
    check_minimum,
    count_axes,
    is_sequence,
    per_axis,
    per_axis_padding,
)
from convarith.typing import IntOrTuple, PaddingLike, PadPair, SizeResult

__all__ = [
    "CONVENTIONS",
    "RELATIONSHIPS",
    "Relationship",
    "TransposeEquivalent",
    "conv_output_size",
    "conv_transpose_output_size",
    "effective_kernel_size",
    "input_sizes_for_output",
    "padding_for_output",
    "pool_output_size",
    "recovering_output_padding",
    "relationship",
    "same_padding",
    "transpose_equivalent",
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
"""Padding conventions accepted by :func:`same_padding`, with their rule."""

_TENSORFLOW_LIKE = ("tensorflow", "keras", "jax", "same_upper")
PoolConvention = Literal["pytorch", "onnx", "caffe"]


def axes_layout(sizes: dict[str, Any], padding: Any = 0) -> tuple[int, bool]:
    """Number of axes and whether the result is a scalar."""
    ndim = count_axes(**sizes)
    if ndim is not None:
        return ndim, False
    if is_sequence(padding) and any(is_sequence(v) for v in padding):
        return len(padding), False
    return 1, True


def _parse_axes(padding: Any = None, **sizes: Any) -> tuple[int, bool, list[tuple[int, ...]], tuple[PadPair, ...]]:
    """Number of axes, whether the result is a scalar, each size per axis, and the padding per axis.

    ``output_padding`` may be 0; every other size must be at least 1. ``padding=None``: the
    function takes no padding (zeros are returned).
    """
    pad = 0 if padding is None else padding
    ndim, scalar = axes_layout(sizes, pad)
    values = [per_axis(v, name, ndim, minimum=0 if name == "output_padding" else 1) for name, v in sizes.items()]
    return ndim, scalar, values, per_axis_padding(pad, ndim)


def _result(values: Sequence[int], scalar: bool) -> SizeResult:
    return values[0] if scalar else tuple(values)


def effective_kernel_size(kernel_size: IntOrTuple, dilation: IntOrTuple = 1) -> SizeResult:
    """Kernel extent once dilated: ``ek = d*(k - 1) + 1``.

    Parameters
    ----------
    kernel_size, dilation : int or tuple of int
        Per axis; ``d - 1`` gaps are inserted between kernel taps.

    Returns
    -------
    int or tuple of int

    Notes
    -----
    ``ek = k + (k - 1)(d - 1) = d*(k - 1) + 1``: the span of the taps ``0, d, ..., (k - 1)*d``
    (section 5.1 of [1]_). Every formula here uses ``ek`` in place of ``k``.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> effective_kernel_size(3, dilation=2)  # taps at 0, 2, 4
    5
    >>> effective_kernel_size((3, 1), dilation=(2, 4))
    (5, 1)
    """
    _, scalar, (k, d), _ = _parse_axes(kernel_size=kernel_size, dilation=dilation)
    return _result([dd * (kk - 1) + 1 for kk, dd in zip(k, d, strict=True)], scalar)


def _dilated(k: int, d: int) -> str:
    return f"{k}" if d == 1 else f"{d * (k - 1) + 1} (dilated: {d}*({k} - 1) + 1)"


def _check_fits(i: int, k: int, d: int, pad: PadPair, where: str) -> None:
    ek = d * (k - 1) + 1
    if ek > i + pad[0] + pad[1]:
        raise ValueError(
            f"`kernel_size` {_dilated(k, d)} is larger than the padded input "
            f"{i + pad[0] + pad[1]} = {i} + {pad[0]} + {pad[1]}{where}: no output"
        )


def _conv_axis(i: int, k: int, s: int, pad: PadPair, d: int) -> int:
    return (i + pad[0] + pad[1] - (d * (k - 1) + 1)) // s + 1


def conv_output_size(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    dilation: IntOrTuple = 1,
) -> SizeResult:
    """Output size of a convolution (cross-correlation) along each axis.

    Parameters
    ----------
    input_size, kernel_size, stride, dilation : int or tuple of int
        Per axis (an int applies to every axis).
    padding : int, (before, after) or tuple of those per axis
        Zero padding; an int pads both sides.

    Returns
    -------
    int or tuple of int
        ``o`` per axis; an int when every argument is a scalar.

    Raises
    ------
    ValueError
        If the dilated kernel is larger than the padded input (no output), or a size is < 1.

    Notes
    -----
    Relationship 15 of [1]_, with asymmetric padding ``pb + pe`` in place of ``2p``::

        o = floor((i + pb + pe - ek) / s) + 1,   ek = d*(k - 1) + 1

    PyTorch (``Conv*d``), ONNX (``Conv``) and TensorFlow (explicit padding) all use it.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> conv_output_size(5, 3, stride=2, padding=1)  # the guide's padding_strides figure
    3
    >>> conv_output_size((224, 224), 7, stride=2, padding=3)  # a ResNet stem
    (112, 112)
    >>> conv_output_size(7, 3, dilation=2)  # the guide's dilation figure
    3
    >>> conv_output_size(6, 4, padding=(0, 1))  # asymmetric (before, after)
    4
    """
    ndim, scalar, (i, k, s, d), pads = _parse_axes(
        padding, input_size=input_size, kernel_size=kernel_size, stride=stride, dilation=dilation
    )
    out = []
    for axis in range(ndim):
        _check_fits(i[axis], k[axis], d[axis], pads[axis], axis_label(axis, ndim))
        out.append(_conv_axis(i[axis], k[axis], s[axis], pads[axis], d[axis]))
    return _result(out, scalar)


def _pool_axis(i: int, k: int, s: int, pad: PadPair, d: int, ceil_mode: bool, convention: str, where: str) -> int:
    ek = d * (k - 1) + 1
    pb, pe = pad
    if convention == "pytorch" and max(pb, pe) > k // 2:
        # PyTorch compares with the undilated kernel size (checked against torch 2.13).
        raise ValueError(
            f"`padding` {max(pb, pe)} is more than half the kernel size {k} ({k} // 2 = {k // 2}){where}: "
            "PyTorch pooling requires padding <= kernel_size // 2"
        )
    if convention == "caffe":
        if pb != pe:
            raise ValueError(f"`padding` {pad} is asymmetric{where}: Caffe pads both sides alike")
        if pb >= k:
            raise ValueError(f"`padding` {pb} must be smaller than `kernel_size` {k}{where} (Caffe)")
        o = -(-(i + 2 * pb - ek) // s) + 1
        if pb > 0 and (o - 1) * s >= i + pb:
            o -= 1
    else:
        o = (i + pb + pe - ek + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= i + pb:
            o -= 1
    if o < 1:
        raise ValueError(
            f"`kernel_size` {_dilated(k, d)} is larger than the padded input {i + pb + pe} = "
            f"{i} + {pb} + {pe}{where}: no output"
        )
    return o


def pool_output_size(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: PaddingLike = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool | None = None,
    *,
    convention: PoolConvention = "pytorch",
) -> SizeResult:
    """Output size of a pooling layer along each axis.

    Parameters
    ----------
    input_size, kernel_size, dilation : int or tuple of int
        Per axis.
    stride : int or tuple of int, optional
        Defaults to ``kernel_size`` (non-overlapping windows), as in PyTorch.
    padding : int, (before, after) or tuple of those per axis
        Implicit padding (``-inf`` for max, zeros or excluded for average pooling).
    ceil_mode : bool, optional
        Round up instead of down, keeping a last partial window. Default False (True for Caffe,
        which always rounds up and refuses ``ceil_mode=False``).
    convention : {'pytorch', 'onnx', 'caffe'}
        ``'pytorch'`` also enforces PyTorch's ``padding <= kernel_size // 2`` (PyTorch compares
        with the undilated kernel); ``'onnx'`` has the same arithmetic without that limit;
        ``'caffe'`` uses Caffe's rule below.

    Returns
    -------
    int or tuple of int

    Notes
    -----
    Relationship 7 of [1]_ generalised as in PyTorch and ONNX::

        o = floor((i + pb + pe - ek + (s - 1 if ceil_mode else 0)) / s) + 1
        if ceil_mode and (o - 1)*s >= i + pb:  o -= 1   # a window may not start in the right pad

    Caffe: ``o = ceil((i + 2p - ek) / s) + 1``, minus one when ``p > 0`` and the last window
    would start at or past ``i + p``.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> pool_output_size(5, 3, stride=1)  # the guide's pooling figure
    3
    >>> pool_output_size(6, 2)  # stride defaults to the kernel size
    3
    >>> pool_output_size(5, 2, ceil_mode=True)  # keeps the partial window over the last cell
    3
    >>> pool_output_size(112, 3, stride=2, padding=1)  # ResNet's max pool
    56
    """
    check_choice(convention, "convention", ("pytorch", "onnx", "caffe"))
    if ceil_mode is None:
        ceil_mode = convention == "caffe"
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"`ceil_mode` must be a bool, got {type(ceil_mode).__name__} {ceil_mode!r}")
    if convention == "caffe" and not ceil_mode:
        raise ValueError("`ceil_mode` False is not available with convention='caffe': Caffe pooling always rounds up")
    stride = kernel_size if stride is None else stride
    ndim, scalar, (i, k, s, d), pads = _parse_axes(
        padding, input_size=input_size, kernel_size=kernel_size, stride=stride, dilation=dilation
    )
    out = [_pool_axis(i[a], k[a], s[a], pads[a], d[a], ceil_mode, convention, axis_label(a, ndim)) for a in range(ndim)]
    return _result(out, scalar)


def _check_output_padding(a: int, s: int, d: int, where: str) -> None:
    if a >= s and a >= d:
        raise ValueError(
            f"`output_padding` {a} must be smaller than `stride` {s} or `dilation` {d}{where} (PyTorch's rule)"
        )


def _transpose_axis(i: int, k: int, s: int, pad: PadPair, a: int, d: int, where: str) -> int:
    _check_output_padding(a, s, d, where)
    o = (i - 1) * s - pad[0] - pad[1] + d * (k - 1) + 1 + a
    if o < 1:
        raise ValueError(
            f"`padding` {pad[0]} + {pad[1]} crops away the whole output{where}: "
            f"o = ({i} - 1)*{s} - {pad[0]} - {pad[1]} + {d * (k - 1) + 1} + {a} = {o}"
        )
    return o


def conv_transpose_output_size(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> SizeResult:
    """Output size of a transposed convolution along each axis.

    Parameters
    ----------
    input_size, kernel_size, stride, dilation : int or tuple of int
        Per axis; ``input_size`` is the transposed convolution's input (``i'`` in [1]_).
    padding : int, (before, after) or tuple of those per axis
        The padding of the convolution being transposed: it *crops* the output.
    output_padding : int or tuple of int
        Extra units ``a`` on the far side; must be smaller than ``stride`` or ``dilation``.

    Returns
    -------
    int or tuple of int

    Notes
    -----
    Relationship 14 of [1]_ with dilation, as in PyTorch ``ConvTranspose*d`` and ONNX
    ``ConvTranspose``::

        o = (i - 1)*s - pb - pe + ek + a,   ek = d*(k - 1) + 1

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> conv_transpose_output_size(2, 3)  # no_padding_no_strides_transposed: 2 -> 4
    4
    >>> conv_transpose_output_size(28, 4, stride=2, padding=1)  # a decoder layer doubles
    56
    >>> conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=1)  # recovers 6
    6
    """
    ndim, scalar, (i, k, s, a, d), pads = _parse_axes(
        padding,
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        output_padding=output_padding,
        dilation=dilation,
    )
    out = [_transpose_axis(i[x], k[x], s[x], pads[x], a[x], d[x], axis_label(x, ndim)) for x in range(ndim)]
    return _result(out, scalar)


@dataclass(frozen=True)
class TransposeEquivalent:
    """The guide's direct convolution equivalent to a transposed convolution, along one axis.

    The transposed convolution's input (size ``input_size``) gets ``zeros_between = s - 1`` zeros
    inserted between its units (size ``stretched_size = (i - 1)*s + 1``), then ``padding``
    ``(ek - 1 - pb, ek - 1 - pe + a)``; a stride-1 convolution with the flipped kernel (same
    ``kernel_size`` and ``dilation``) gives ``output_size``. A negative padding entry means that
    many units are cropped instead (the transposed convolution's padding exceeded ``ek - 1``).
    """

    input_size: int
    zeros_between: int
    stretched_size: int
    kernel_size: int
    dilation: int
    padding: PadPair
    output_size: int
    stride: int = 1


def transpose_equivalent(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> tuple[TransposeEquivalent, ...]:
    """Parameters of the direct convolution equivalent to a transposed convolution, per axis.

    Parameters
    ----------
    input_size, kernel_size, stride, padding, output_padding, dilation
        As in :func:`conv_transpose_output_size`.

    Returns
    -------
    tuple of TransposeEquivalent
        One entry per axis (a 1-tuple for scalar arguments).

    Notes
    -----
    Relationships 12-14 of [1]_: insert ``s - 1`` zeros between input units, pad with
    ``p' = ek - 1 - p`` on each side plus ``a`` on the far side, and convolve with stride 1::

        o' = ((i' - 1)*s + 1) + (ek - 1 - pb) + (ek - 1 - pe + a) - ek + 1
           = (i' - 1)*s - pb - pe + ek + a

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> (eq,) = transpose_equivalent(2, 3, stride=2, padding=1)  # padding_strides_transposed... of 3
    >>> eq.zeros_between, eq.stretched_size, eq.padding, eq.output_size
    (1, 3, (1, 1), 3)
    """
    ndim, _, (i, k, s, a, d), pads = _parse_axes(
        padding,
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        output_padding=output_padding,
        dilation=dilation,
    )
    result = []
    for x in range(ndim):
        o = _transpose_axis(i[x], k[x], s[x], pads[x], a[x], d[x], axis_label(x, ndim))
        ek = d[x] * (k[x] - 1) + 1
        result.append(
            TransposeEquivalent(
                input_size=i[x],
                zeros_between=s[x] - 1,
                stretched_size=(i[x] - 1) * s[x] + 1,
                kernel_size=k[x],
                dilation=d[x],
                padding=(ek - 1 - pads[x][0], ek - 1 - pads[x][1] + a[x]),
                output_size=o,
            )
        )
    return tuple(result)


def _same_axis(i: int, k: int, s: int, d: int, convention: str) -> PadPair:
    ek = d * (k - 1) + 1
    if convention == "valid":
        return (0, 0)
    if convention == "full":
        return (ek - 1, ek - 1)
    if convention == "caffe":
        return ((ek - 1) // 2, (ek - 1) // 2)
    if convention == "pytorch" and s != 1:
        raise ValueError(
            f"`stride` {s}: PyTorch refuses padding='same' for strided convolutions "
            "(use convention='tensorflow' for the TF/Keras/JAX split)"
        )
    o = -(-i // s)
    total = max((o - 1) * s + ek - i, 0)
    small = total // 2
    return (total - small, small) if convention == "same_lower" else (small, total - small)


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

    Notes
    -----
    TensorFlow/Keras/JAX ``'SAME'`` and ONNX ``SAME_UPPER``::

        o = ceil(i / s),  total = max((o - 1)*s + ek - i, 0),
        before = total // 2,  after = total - before

    ``SAME_LOWER`` swaps before and after. PyTorch's ``padding='same'`` is stride 1 only (total
    ``ek - 1``, the extra unit after). ``'caffe'`` is the symmetric ``(ek - 1) // 2`` that Caffe
    and most PyTorch models write by hand; ``'full'`` is relationship 4 of [1]_.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

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
    ndim, scalar, (i, k, s, d), _ = _parse_axes(
        input_size=input_size, kernel_size=kernel_size, stride=stride, dilation=dilation
    )
    check_choice(convention, "convention", CONVENTIONS)
    rule = "tensorflow" if convention in _TENSORFLOW_LIKE else convention
    pads = tuple(_same_axis(i[x], k[x], s[x], d[x], rule) for x in range(ndim))
    return pads[0] if scalar else pads


def input_sizes_for_output(
    output_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    dilation: IntOrTuple = 1,
) -> range | tuple[range, ...]:
    """Every input size that a convolution maps to ``output_size``.

    Parameters
    ----------
    output_size, kernel_size, stride, dilation : int or tuple of int
        Per axis.
    padding : int, (before, after) or tuple of those per axis

    Returns
    -------
    range or tuple of range
        With stride ``s`` there are up to ``s`` such sizes: the floor in the formula hides the
        last ``(i + pb + pe - ek) mod s`` input units.

    Notes
    -----
    Inverting ``o = floor((i + pb + pe - ek)/s) + 1``::

        (o - 1)*s + ek - pb - pe  <=  i  <=  (o - 1)*s + ek - pb - pe + s - 1,   i >= 1

    Examples
    --------
    >>> input_sizes_for_output(3, 3, stride=2, padding=1)  # 5 and 6 both give 3 outputs
    range(5, 7)
    >>> list(input_sizes_for_output(2, 3))
    [4]
    """
    ndim, scalar, (o, k, s, d), pads = _parse_axes(
        padding, output_size=output_size, kernel_size=kernel_size, stride=stride, dilation=dilation
    )
    ranges = []
    for x in range(ndim):
        low = (o[x] - 1) * s[x] + d[x] * (k[x] - 1) + 1 - pads[x][0] - pads[x][1]
        ranges.append(range(max(low, 1), max(low + s[x], 1)))
    return ranges[0] if scalar else tuple(ranges)


def padding_for_output(
    input_size: IntOrTuple,
    output_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    dilation: IntOrTuple = 1,
) -> PadPair | tuple[PadPair, ...]:
    """The smallest ``(before, after)`` padding that gives ``output_size``.

    Parameters
    ----------
    input_size, output_size, kernel_size, stride, dilation : int or tuple of int
        Per axis.

    Returns
    -------
    (before, after) or tuple of (before, after) per axis
        The total ``t`` is split as TensorFlow does: ``t // 2`` before, the rest after.

    Raises
    ------
    ValueError
        If even no padding gives more outputs than asked (padding cannot be negative).

    Notes
    -----
    The smallest total ``t >= 0`` with ``floor((i + t - ek)/s) + 1 = o`` is
    ``t = max((o - 1)*s + ek - i, 0)``.

    Examples
    --------
    >>> padding_for_output(224, 112, 7, stride=2)  # TensorFlow's SAME split
    (2, 3)
    >>> padding_for_output(5, 5, 3)  # half padding
    (1, 1)
    """
    ndim, scalar, (i, o, k, s, d), _ = _parse_axes(
        input_size=input_size, output_size=output_size, kernel_size=kernel_size, stride=stride, dilation=dilation
    )
    pads = []
    for x in range(ndim):
        ek = d[x] * (k[x] - 1) + 1
        total = (o[x] - 1) * s[x] + ek - i[x]
        if total < 0:
            most = (i[x] - ek) // s[x] + 1
            raise ValueError(
                f"`output_size` {o[x]} is smaller than the unpadded output {most} = "
                f"floor(({i[x]} - {ek}) / {s[x]}) + 1{axis_label(x, ndim)}: padding cannot be negative"
            )
        pads.append((total // 2, total - total // 2))
    return pads[0] if scalar else tuple(pads)


def recovering_output_padding(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    dilation: IntOrTuple = 1,
) -> SizeResult:
    """The ``output_padding`` with which the transposed convolution gets back ``input_size``.

    Parameters
    ----------
    input_size : int or tuple of int
        The input size of the (forward) convolution.
    kernel_size, stride, padding, dilation
        The convolution's parameters, shared by its transpose.

    Returns
    -------
    int or tuple of int
        ``a`` per axis, always ``< s``.

    Notes
    -----
    Relationship 14 of [1]_: the forward convolution ignores ``a = (i + pb + pe - ek) mod s``
    units, which the transposed convolution must add back::

        a = (i + pb + pe - ek) mod s,
        conv_transpose_output_size(conv_output_size(i), output_padding=a) == i

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> recovering_output_padding(6, 3, stride=2, padding=1)  # padding_strides_odd
    1
    >>> recovering_output_padding(5, 3, stride=2, padding=1)  # padding_strides
    0
    """
    ndim, scalar, (i, k, s, d), pads = _parse_axes(
        padding, input_size=input_size, kernel_size=kernel_size, stride=stride, dilation=dilation
    )
    out = []
    for x in range(ndim):
        _check_fits(i[x], k[x], d[x], pads[x], axis_label(x, ndim))
        out.append((i[x] + pads[x][0] + pads[x][1] - (d[x] * (k[x] - 1) + 1)) % s[x])
    return _result(out, scalar)


@dataclass(frozen=True)
class Relationship:
    """One of the 15 numbered relationships of Dumoulin & Visin's guide.

    Attributes
    ----------
    number : int
        1 to 15, as numbered in the guide.
    name : str
        A short name (``"half padding"``, ``"transposed, general"``, ...).
    conditions : str
        When the relationship holds, in the guide's symbols.
    formula : str
        The output size, in the guide's symbols.
    transposed : bool
        Whether ``output`` gives the size of a transposed convolution.
    holds : callable
        ``holds(i, k, s, p, d)`` tells whether the conditions are met.
    output : callable
        ``output(i, k, s, p, d)`` evaluates the formula (``i`` is ``i'`` when transposed).
    """

    number: int
    name: str
    conditions: str
    formula: str
    transposed: bool
    holds: Callable[[int, int, int, int, int], bool]
    output: Callable[[int, int, int, int, int], int]

    def __repr__(self) -> str:
        return f"Relationship {self.number} ({self.name}): {self.formula}  [{self.conditions}]"


def _r(number: int, name: str, conditions: str, formula: str, holds: Any, output: Any) -> Relationship:
    return Relationship(number, name, conditions, formula, number >= 8 and number <= 14, holds, output)


RELATIONSHIPS: tuple[Relationship, ...] = (
    _r(1, "no padding, unit strides", "s = 1, p = 0", "o = i - k + 1",
       lambda i, k, s, p, d: s == 1 and p == 0 and d == 1, lambda i, k, s, p, d: i - k + 1),
    _r(2, "zero padding, unit strides", "s = 1", "o = i - k + 2p + 1",
       lambda i, k, s, p, d: s == 1 and d == 1, lambda i, k, s, p, d: i - k + 2 * p + 1),
    _r(3, "half (same) padding", "s = 1, k odd, p = floor(k/2)", "o = i",
       lambda i, k, s, p, d: s == 1 and d == 1 and k % 2 == 1 and p == k // 2, lambda i, k, s, p, d: i),
    _r(4, "full padding", "s = 1, p = k - 1", "o = i + k - 1",
       lambda i, k, s, p, d: s == 1 and d == 1 and p == k - 1, lambda i, k, s, p, d: i + k - 1),
    _r(5, "no padding, strides", "p = 0", "o = floor((i - k)/s) + 1",
       lambda i, k, s, p, d: p == 0 and d == 1, lambda i, k, s, p, d: (i - k) // s + 1),
    _r(6, "zero padding, strides", "any i, k, s, p", "o = floor((i + 2p - k)/s) + 1",
       lambda i, k, s, p, d: d == 1, lambda i, k, s, p, d: (i + 2 * p - k) // s + 1),
    _r(7, "pooling", "p = 0 (any pooling function)", "o = floor((i - k)/s) + 1",
       lambda i, k, s, p, d: p == 0 and d == 1, lambda i, k, s, p, d: (i - k) // s + 1),
    _r(8, "transposed, no padding, unit strides", "k' = k, s' = 1, p' = k - 1 (transpose of 1)",
       "o' = i' + (k - 1)",
       lambda i, k, s, p, d: s == 1 and p == 0 and d == 1, lambda i, k, s, p, d: i + k - 1),
    _r(9, "transposed, zero padding, unit strides", "k' = k, s' = 1, p' = k - p - 1 (transpose of 2)",
       "o' = i' + (k - 1) - 2p",
       lambda i, k, s, p, d: s == 1 and d == 1, lambda i, k, s, p, d: i + k - 1 - 2 * p),
    _r(10, "transposed, half padding", "k odd, p = floor(k/2), s = 1, p' = p (transpose of 3)", "o' = i'",
       lambda i, k, s, p, d: s == 1 and d == 1 and k % 2 == 1 and p == k // 2, lambda i, k, s, p, d: i),
    _r(11, "transposed, full padding", "p = k - 1, s = 1, p' = 0 (transpose of 4)", "o' = i' - (k - 1)",
       lambda i, k, s, p, d: s == 1 and d == 1 and p == k - 1, lambda i, k, s, p, d: i - (k - 1)),
    _r(12, "transposed, no padding, strides",
       "p = 0, s divides i - k; zeros inserted, k' = k, s' = 1, p' = k - 1 (transpose of 5)",
       "o' = s(i' - 1) + k",
       lambda i, k, s, p, d: p == 0 and d == 1, lambda i, k, s, p, d: s * (i - 1) + k),
    _r(13, "transposed, padding, strides",
       "s divides i + 2p - k; zeros inserted, k' = k, s' = 1, p' = k - p - 1 (transpose of 6)",
       "o' = s(i' - 1) + k - 2p",
       lambda i, k, s, p, d: d == 1, lambda i, k, s, p, d: s * (i - 1) + k - 2 * p),
    _r(14, "transposed, general", "a = (i + 2p - k) mod s extra units; k' = k, s' = 1, p' = k - p - 1",
       "o' = s(i' - 1) + a + k - 2p",
       lambda i, k, s, p, d: d == 1, lambda i, k, s, p, d: s * (i - 1) + k - 2 * p),
    _r(15, "dilated convolution", "any i, k, s, p, d", "o = floor((i + 2p - k - (k - 1)(d - 1))/s) + 1",
       lambda i, k, s, p, d: True, lambda i, k, s, p, d: (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1),
)  # fmt: skip
"""The guide's 15 relationships, in order (``RELATIONSHIPS[n - 1].number == n``).

Relationship 14's ``output`` leaves out ``a``: add the ``output_padding`` yourself.
"""


def relationship(
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    *,
    transposed: bool = False,
    pooling: bool = False,
    input_size: int | None = None,
) -> Relationship:
    """The most specific of the guide's relationships that covers a layer.

    Parameters
    ----------
    kernel_size, stride, padding, dilation : int
        One axis, symmetric padding.
    transposed : bool
        Look among relationships 8-14 (the transpose of the convolution with these parameters).
    pooling : bool
        A pooling layer without padding (relationship 7).
    input_size : int, optional
        With ``transposed`` and a stride > 1: the forward convolution's input size ``i``, which
        tells whether ``s`` divides ``i + 2p - k`` (relationships 12, 13) or an extra ``a`` is
        needed (14). Without it the general relationship 14 is returned.

    Returns
    -------
    Relationship

    Notes
    -----
    The checks go from the most specific case to the most general: direct convolutions
    1, 3, 4, 2, 5, 6 then 15 (dilation); transposed 8, 10, 11, 9 at unit stride, then 12, 13 when
    ``s`` divides ``i + 2p - k``, else 14. Every relationship is a special case of the general
    formulas in :func:`conv_output_size` and :func:`conv_transpose_output_size`.

    Examples
    --------
    >>> relationship(3, padding=1).number  # half padding
    3
    >>> relationship(3, stride=2, padding=1, transposed=True, input_size=5).number  # s divides 4
    13
    >>> relationship(3, stride=2, padding=1, transposed=True, input_size=6).number  # a = 1
    14
    >>> relationship(3, dilation=2).number
    15
    """
    k = check_minimum(kernel_size, "kernel_size", 1)
    s = check_minimum(stride, "stride", 1)
    p = check_minimum(padding, "padding", 0)
    d = check_minimum(dilation, "dilation", 1)
    if pooling:
        if p != 0 or d != 1:
            raise ValueError(f"the guide's pooling relationship 7 has no padding or dilation, got p={p}, d={d}")
        return RELATIONSHIPS[6]
    if not transposed:
        for number in (1, 3, 4, 2, 5, 6, 15):
            if RELATIONSHIPS[number - 1].holds(1, k, s, p, d):
                return RELATIONSHIPS[number - 1]
        raise AssertionError("relationship 15 always holds")  # pragma: no cover
    if d != 1:
        raise ValueError(f"the guide's transposed relationships 8-14 have no dilation, got d={d}")
    if s == 1:
        for number in (8, 10, 11, 9):
            if RELATIONSHIPS[number - 1].holds(1, k, s, p, d):
                return RELATIONSHIPS[number - 1]
    if input_size is None:
        return RELATIONSHIPS[13]
    i = check_minimum(input_size, "input_size", 1)
    if (i + 2 * p - k) % s != 0:
        return RELATIONSHIPS[13]
    return RELATIONSHIPS[11] if p == 0 else RELATIONSHIPS[12]
