"""Output-size formulas of convolution arithmetic, in pure integers.

Every function works per axis: a size argument is an int (one axis, or the same on every axis)
or a tuple with one int per axis. The result is an int when every argument was a scalar, else a
tuple. Each function is a thin reading of :func:`convarith.arithmetic.layer`, which parses and
checks the arguments once for every module. Symbols in formulas: input size ``i``, kernel ``k``,
stride ``s``, padding ``p`` (or ``pb``/``pe`` before/after), dilation ``d``, effective kernel
``ek = d*(k - 1) + 1``, output padding ``a``.

The guide's numbered relationships live in :mod:`convarith.arithmetic.relationships`, the inverse
look-ups in :mod:`convarith.arithmetic.inverse`, the padding rules in
:mod:`convarith.arithmetic.padding`; their names are re-exported here.

References
----------
.. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
   arXiv:1603.07285, 2016.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, overload

from convarith.arithmetic.inverse import input_sizes_for_output, padding_for_output, recovering_output_padding
from convarith.arithmetic.kernel import effective_kernel_size
from convarith.arithmetic.layer import Layer, LayerError, layer
from convarith.arithmetic.padding import CONVENTIONS, same_padding
from convarith.arithmetic.relationships import RELATIONSHIPS, Relationship, relationship
from convarith.arithmetic.validate import check_bool, check_choice, check_given
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

PoolConvention = Literal["pytorch", "onnx", "caffe"]


def _sizes(lay: Layer) -> SizeResult:
    out = lay.output_shape  # a LayerError naming `input_size` if the layer has none
    return out[0] if lay.scalar else out


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
    check_given(input_size, "input_size")
    return _sizes(layer("conv", input_size, kernel_size, stride, padding, dilation))


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
    check_given(input_size, "input_size")
    check_choice(convention, "convention", ("pytorch", "onnx", "caffe"))
    ceil_mode = convention == "caffe" if ceil_mode is None else check_bool(ceil_mode, "ceil_mode")
    if convention == "caffe" and not ceil_mode:
        raise LayerError("`ceil_mode` False is not available with convention='caffe': Caffe pooling always rounds up")
    pool = layer(
        "max_pool", input_size, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode, pool_convention=convention
    )
    return _sizes(pool)


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
    check_given(input_size, "input_size")
    return _sizes(
        layer("conv_transpose", input_size, kernel_size, stride, padding, dilation, output_padding=output_padding)
    )


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


@overload
def transpose_equivalent(
    input_size: int,
    kernel_size: int | None = None,
    stride: int = 1,
    padding: int | Sequence[int] = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> TransposeEquivalent: ...


@overload
def transpose_equivalent(
    input_size: Sequence[int],
    kernel_size: IntOrTuple | None = None,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> tuple[TransposeEquivalent, ...]: ...


@overload
def transpose_equivalent(
    input_size: IntOrTuple | Layer,
    kernel_size: IntOrTuple | None = None,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> TransposeEquivalent | tuple[TransposeEquivalent, ...]: ...


def transpose_equivalent(
    input_size: IntOrTuple | Layer,
    kernel_size: IntOrTuple | None = None,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
) -> TransposeEquivalent | tuple[TransposeEquivalent, ...]:
    """Parameters of the direct convolution equivalent to a transposed convolution, per axis.

    Parameters
    ----------
    input_size, kernel_size, stride, padding, output_padding, dilation
        As in :func:`conv_transpose_output_size`; ``input_size`` may also be a transposed
        :class:`~convarith.arithmetic.Layer` (the other arguments are then ignored).

    Returns
    -------
    TransposeEquivalent or tuple of TransposeEquivalent
        One for scalar arguments (like every formula here: scalar in, scalar out), else one per
        axis.

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
    >>> eq = transpose_equivalent(2, 3, stride=2, padding=1)  # 2 -> 3: one zero between, pad 1 each side
    >>> eq.zeros_between, eq.stretched_size, eq.padding, eq.output_size
    (1, 3, (1, 1), 3)
    >>> [e.output_size for e in transpose_equivalent((2, 3), 3, stride=2, padding=1)]  # one per axis
    [3, 5]
    """
    if isinstance(input_size, Layer):
        lay = input_size
        if lay.op != "conv_transpose":
            raise LayerError(f"`input_size` is a {lay.op!r} layer; transpose_equivalent needs a 'conv_transpose' one")
    else:
        if kernel_size is None:
            raise TypeError("`kernel_size` is required (or pass a transposed Layer as the first argument)")
        check_given(input_size, "input_size")
        lay = layer("conv_transpose", input_size, kernel_size, stride, padding, dilation, output_padding=output_padding)
    i, pads, out = lay.input_shape, lay.pads, lay.output_shape
    result = tuple(
        TransposeEquivalent(
            input_size=i[x],
            zeros_between=lay.stride[x] - 1,
            stretched_size=(i[x] - 1) * lay.stride[x] + 1,
            kernel_size=lay.kernel_size[x],
            dilation=lay.dilation[x],
            padding=(ek - 1 - pads[x][0], ek - 1 - pads[x][1] + lay.output_padding[x]),
            output_size=out[x],
        )
        for x, ek in enumerate(lay.effective_kernel_size)
    )
    return result[0] if lay.scalar else result
