"""The geometry of one layer: its parameters per axis and its formula with the numbers in.

:func:`geometry` is the guide-flavoured front door to :func:`convarith.arithmetic.layer`: the
:class:`~convarith.arithmetic.Layer` it returns is what the CLI prints, what the notebooks show and
what the animations caption, so all of them speak the same language. :class:`Geometry` is another
name for :class:`~convarith.arithmetic.Layer`.
"""

from __future__ import annotations

from typing import Literal

from convarith.arithmetic.layer import AxisGeometry, Layer, layer
from convarith.arithmetic.ops import OpName, op_name
from convarith.typing import IntOrTuple, PaddingLike

__all__ = ["AxisGeometry", "Geometry", "geometry"]

PoolConvention = Literal["pytorch", "onnx", "caffe"]
Geometry = Layer
"""Another name for :class:`~convarith.arithmetic.Layer` (what :func:`geometry` returns)."""


def geometry(
    kind: OpName,
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
) -> Layer:
    """Describe one layer: output size per axis and its formula with numbers substituted.

    Parameters
    ----------
    kind : {'conv', 'conv_transpose', 'max_pool', 'avg_pool', 'lp_pool'}
        The op of :func:`convarith.arithmetic.layer`; the older ``'pool'`` (max pooling) and
        ``'transpose'`` are accepted too (:data:`convarith.arithmetic.layer.OP_ALIASES`).
    input_size, kernel_size, dilation : int or tuple of int
        Per axis.
    stride : int or tuple of int, optional
        Defaults to 1, or to ``kernel_size`` for pooling.
    padding : int, (before, after), tuple of those per axis, or str
        A string (``'same'``, ``'valid'``, ``'full'``, or a convention name) is resolved by
        :func:`convarith.arithmetic.resolve_padding`, with ``convention`` for ``'same'``.
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
    Layer
        :class:`Geometry` is another name for :class:`~convarith.arithmetic.Layer`.

    Notes
    -----
    ``geometry(kind, ...)`` is :func:`convarith.arithmetic.layer` with ``kind`` as ``op``.

    Convolution: ``o = floor((i + pb + pe - ek)/s) + 1``; pooling: the same with ceil mode as in
    PyTorch; transposed: ``o = (i - 1)s - pb - pe + ek + a`` (see :mod:`convarith.arithmetic.formulas`).

    Examples
    --------
    >>> geometry("conv", 5, 3, stride=2, padding=1)  # the guide's padding_strides
    conv: input 5, kernel 3, stride 2, padding (1, 1) -> output 3
      o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = 3
    >>> geometry("conv", (224, 224), 7, stride=2, padding="same").output_shape
    (112, 112)
    >>> geometry("max_pool", 5, 2, stride=2).output_shape
    (2,)
    >>> geometry("conv_transpose", 3, 3, stride=2, padding=1, output_padding=1)
    conv_transpose: input 3, kernel 3, stride 2, padding (1, 1), output_padding 1 -> output 6
      o = (3 − 1)·2 − 1 − 1 + 3 + 1 = 6
    """
    return layer(
        op_name(kind, "kind"),
        input_size,
        kernel_size,
        stride,
        padding,
        dilation,
        output_padding=output_padding,
        ceil_mode=ceil_mode,
        convention=convention,
        pool_convention=pool_convention,
    )
