"""Inverse look-ups: which input sizes, paddings or output paddings give a wanted size.

Each function inverts one of the output-size formulas of :mod:`convarith.arithmetic.formulas`
(and is tested against it). Symbols: input size ``i``, output size ``o``, kernel ``k``, stride
``s``, padding ``pb``/``pe``, dilation ``d``, effective kernel ``ek = d*(k - 1) + 1``.

References
----------
.. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
   arXiv:1603.07285, 2016.
"""

from __future__ import annotations

from convarith.arithmetic.kernel import effective_kernel_size
from convarith.arithmetic.layer import LayerError, layer
from convarith.arithmetic.padding import split_total
from convarith.arithmetic.validate import axis_label, check_given, parse_axes
from convarith.typing import IntOrTuple, PaddingLike, PadPair, SizeResult

__all__ = ["input_sizes_for_output", "padding_for_output", "recovering_output_padding"]


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
    ndim, scalar, (o, k, s, d), pads = parse_axes(
        padding, output_size=output_size, kernel_size=kernel_size, stride=stride, dilation=dilation
    )
    ranges = []
    for x in range(ndim):
        low = (o[x] - 1) * s[x] + effective_kernel_size(k[x], d[x]) - pads[x][0] - pads[x][1]
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
    The totals ``t`` with ``floor((i + t - ek)/s) + 1 = o`` are
    ``(o - 1)*s + ek - i <= t <= (o - 1)*s + ek - i + s - 1``; the smallest ``t >= 0`` is
    ``t = max((o - 1)*s + ek - i, 0)``, and there is none when the upper end is negative (the
    unpadded output ``floor((i - ek)/s) + 1`` is already larger than ``o``).

    Examples
    --------
    >>> padding_for_output(224, 112, 7, stride=2)  # TensorFlow's SAME split
    (2, 3)
    >>> padding_for_output(5, 5, 3)  # half padding
    (1, 1)
    >>> padding_for_output(5, 1, 1, stride=5)  # no padding: the floor already gives one output
    (0, 0)
    """
    ndim, scalar, (i, o, k, s, d), _ = parse_axes(
        input_size=input_size, output_size=output_size, kernel_size=kernel_size, stride=stride, dilation=dilation
    )
    pads = []
    for x in range(ndim):
        ek = effective_kernel_size(k[x], d[x])
        total = (o[x] - 1) * s[x] + ek - i[x]  # the least total that reaches o outputs
        if total + s[x] - 1 < 0:  # below 0 the floor may still give o (the last units unread)
            most = (i[x] - ek) // s[x] + 1
            raise LayerError(
                f"`output_size` {o[x]} is smaller than the unpadded output {most} = "
                f"floor(({i[x]} - {ek}) / {s[x]}) + 1{axis_label(x, ndim)}: padding cannot be negative"
            )
        pads.append(split_total(max(total, 0)))
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
    conv = layer("conv", check_given(input_size, "input_size"), kernel_size, stride, padding, dilation)
    axes = zip(conv.input_shape, conv.pads, conv.effective_kernel_size, conv.stride, strict=True)
    out = [(i + pb + pe - ek) % s for i, (pb, pe), ek, s in axes]
    return out[0] if conv.scalar else tuple(out)
