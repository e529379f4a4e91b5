"""The dilated kernel's extent, ``ek = d*(k - 1) + 1``: the one place convarith writes it.

Every module that needs the span of a dilated kernel (the output-size formulas, the layer value,
padding rules, the engines, scenes, receptive fields, widgets) calls :func:`effective_kernel_size`;
``tests/arithmetic/test_vocabulary.py`` checks that the expression is not written anywhere else.
"""

from __future__ import annotations

from typing import overload

from convarith.arithmetic.validate import parse_axes
from convarith.typing import IntOrTuple, SizeResult

__all__ = ["effective_kernel_size"]


@overload
def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int: ...
@overload
def effective_kernel_size(kernel_size: IntOrTuple, dilation: IntOrTuple = 1) -> SizeResult: ...
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
    if type(kernel_size) is int and type(dilation) is int and kernel_size >= 1 and dilation >= 1:
        return dilation * (kernel_size - 1) + 1  # the one place this formula is written
    _, scalar, (k, d), _ = parse_axes(kernel_size=kernel_size, dilation=dilation)
    values = [effective_kernel_size(kk, dd) for kk, dd in zip(k, d, strict=True)]
    return values[0] if scalar else tuple(values)
