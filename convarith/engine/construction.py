"""The guide's construction of a transposed convolution, step by step, with every intermediate array.

:func:`conv_transpose_construction` is the guide's equivalent direct convolution: insert
``s - 1`` zeros between input units, pad with ``p' = ek - 1 - p`` (plus ``a`` on the far side),
flip the kernel and swap its channel axes, then convolve with stride 1. It returns every
intermediate array (:class:`TransposeConstruction`), so notebooks and animations can show each
step; :func:`convarith.engine.transpose.conv_transpose` computes the same numbers directly.

References
----------
.. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
   arXiv:1603.07285, 2016.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from convarith.arithmetic.formulas import TransposeEquivalent, transpose_equivalent
from convarith.arithmetic.kernel import effective_kernel_size
from convarith.arithmetic.text import format_param, format_size
from convarith.engine import _core as core
from convarith.engine import memory
from convarith.engine.convolution import conv
from convarith.engine.transpose import check_transpose_layer, plain_operands, transpose_cause
from convarith.typing import IntOrTuple, PaddingLike, PadPair

__all__ = ["TransposeConstruction", "conv_transpose_construction"]


@dataclass(frozen=True, repr=False, eq=False)  # arrays: compare the fields you need
class TransposeConstruction:
    """The guide's direct convolution equivalent to a transposed convolution, step by step.

    Attributes
    ----------
    input : ndarray, shape (N, C_in, *i') or (C_in, *i')
        The transposed convolution's input.
    weight : ndarray, shape (C_in, C_out/groups, *k)
        The transposed convolution's weight.
    stretched : ndarray, shape (..., *((i' - 1)*s + 1))
        Step 1: ``s - 1`` zeros inserted between neighbouring input units.
    padded : ndarray, shape (..., *(stretched + p'_before + p'_after))
        Step 2: ``p' = ek - 1 - pb`` zeros before and ``ek - 1 - pe + a`` after, per axis; a
        negative ``p'`` crops that many units instead.
    kernel : ndarray, shape (C_out, C_in/groups, *k)
        Step 3: ``weight`` with its spatial axes flipped and its two channel axes swapped within
        each group: the weight of an ordinary convolution.
    output : ndarray, shape (N, C_out, *o') or (C_out, *o')
        Step 4: the stride-1 convolution (dilation ``d``, same ``groups``) of ``padded`` with
        ``kernel``. Equal to :func:`conv_transpose` with the same arguments.
    axes : tuple of TransposeEquivalent
        The numbers per axis (:func:`convarith.arithmetic.transpose_equivalent`).
    padding : tuple of (before, after)
        The transposed convolution's padding ``(pb, pe)`` per axis.
    output_padding : tuple of int
        ``a`` per axis.
    groups : int
    """

    input: np.ndarray
    weight: np.ndarray
    stretched: np.ndarray
    padded: np.ndarray
    kernel: np.ndarray
    output: np.ndarray
    axes: tuple[TransposeEquivalent, ...]
    padding: tuple[PadPair, ...]
    output_padding: tuple[int, ...]
    groups: int

    def steps(self) -> list[str]:
        r"""The construction in words, one step (and one line per axis) at a time.

        Examples
        --------
        >>> c = conv_transpose_construction(np.ones((1, 1, 3)), np.ones((1, 1, 3)), stride=2, padding=1)
        >>> print("\n".join(c.steps()))
        1. stretched: insert s - 1 zeros between input units: 1×1×3 -> 1×1×5
             5 = (3 - 1)*2 + 1
        2. padded: p' = ek - 1 - p before, ek - 1 - p + a after (crop where negative): -> 1×1×7
             before 3 - 1 - 1 = 1, after 3 - 1 - 1 + 0 = 1
        3. kernel: flip the weight, swap C_in and C_out (groups 1): 1×1×3 -> 1×1×3
        4. output: stride-1 convolution: 1×1×7 -> 1×1×5
             o' = 7 - 3 + 1 = 5
        """

        def label(x: int) -> str:
            return "     " if len(self.axes) == 1 else f"     axis {x}: "

        def signed(v: int) -> str:
            return f"{v} (crop {-v})" if v < 0 else str(v)

        ek = [effective_kernel_size(e.kernel_size, e.dilation) for e in self.axes]
        dilations = [e.dilation for e in self.axes]
        dilated = "" if set(dilations) == {1} else f", dilation {format_param(dilations)}"
        lines = [
            "1. stretched: insert s - 1 zeros between input units: "
            f"{format_size(self.input.shape)} -> {format_size(self.stretched.shape)}"
        ]
        lines += [
            f"{label(x)}{e.stretched_size} = ({e.input_size} - 1)*{e.zeros_between + 1} + 1"
            for x, e in enumerate(self.axes)
        ]
        lines.append(
            "2. padded: p' = ek - 1 - p before, ek - 1 - p + a after (crop where negative): "
            f"-> {format_size(self.padded.shape)}"
        )
        lines += [
            f"{label(x)}before {ek[x]} - 1 - {pb} = {signed(e.padding[0])}, "
            f"after {ek[x]} - 1 - {pe} + {a} = {signed(e.padding[1])}"
            for x, (e, (pb, pe), a) in enumerate(zip(self.axes, self.padding, self.output_padding, strict=True))
        ]
        lines.append(
            f"3. kernel: flip the weight, swap C_in and C_out (groups {self.groups}): "
            f"{format_size(self.weight.shape)} -> {format_size(self.kernel.shape)}"
        )
        lines.append(
            f"4. output: stride-1 convolution{dilated}: "
            f"{format_size(self.padded.shape)} -> {format_size(self.output.shape)}"
        )
        size = self.padded.shape[-len(self.axes) :]
        lines += [f"{label(x)}o' = {size[x]} - {ek[x]} + 1 = {e.output_size}" for x, e in enumerate(self.axes)]
        return lines

    def __repr__(self) -> str:
        head = "TransposeConstruction: conv_transpose as a stride-1 convolution (the guide's construction)"
        return "\n".join([head, *("  " + line for line in self.steps())])


def conv_transpose_construction(
    x: npt.ArrayLike,
    weight: npt.ArrayLike,
    *,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    output_size: IntOrTuple | None = None,
    ndim: int | None = None,
) -> TransposeConstruction:
    """The guide's construction of a transposed convolution, with every intermediate array.

    Parameters
    ----------
    x, weight, stride, padding, output_padding, dilation, groups, output_size, ndim
        As in :func:`convarith.conv_transpose` (no bias): a plain ``x`` and a plain kernel (no
        batch or channel axes) give plain arrays at every step.

    Returns
    -------
    TransposeConstruction
        ``stretched``, ``padded``, ``kernel`` and ``output`` arrays; ``output`` equals
        ``conv_transpose(x, weight, ...)``. Its ``repr`` lists the steps with the numbers.

    Notes
    -----
    Relationships 12-14 of [1]_, with dilation and asymmetric padding, per axis:

    1. insert ``s - 1`` zeros between input units: ``(i' - 1)*s + 1`` units;
    2. pad ``ek - 1 - pb`` before and ``ek - 1 - pe + a`` after (crop where negative);
    3. flip the kernel along every spatial axis and swap ``C_in`` and ``C_out`` (per group);
    4. convolve with stride 1 and dilation ``d`` (:func:`convarith.conv`)::

        o' = ((i' - 1)*s + 1) + (ek - 1 - pb) + (ek - 1 - pe + a) - ek + 1
           = (i' - 1)*s - pb - pe + ek + a

    This is slow on purpose (a fraction ``(s - 1)/s`` per axis of the stretched input is zeros);
    :func:`conv_transpose` computes the same numbers directly.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> x = np.array([[1, 2], [3, 4]])  # a plain 2x2 image, and a plain 3x3 kernel
    >>> c = conv_transpose_construction(x, np.ones((3, 3), int), stride=2, padding=1)
    >>> c.stretched  # s - 1 = 1 zero between units
    array([[1, 0, 2],
           [0, 0, 0],
           [3, 0, 4]])
    >>> c.padded.shape  # p' = k - p - 1 = 1 on each side
    (5, 5)
    >>> c.output  # stride 2, padding 1: 2x2 -> 3x3
    array([[ 1,  3,  2],
           [ 4, 10,  6],
           [ 3,  7,  4]])
    >>> conv_transpose_construction(x[None, None], np.ones((1, 1, 3, 3), int), stride=2).padded.shape  # (N, C, H, W)
    (1, 1, 7, 7)
    """
    # -- argument checks ----------------------------------------------------------------------
    x_array, w_array, added = plain_operands(x, weight, ndim)
    geometry, in_channels, out_channels = check_transpose_layer(
        x_array, w_array, None, stride, padding, output_padding, dilation, groups, output_size
    )
    axes = transpose_equivalent(geometry)
    assert isinstance(axes, tuple) and geometry.padding is not None
    lead = x_array.shape[: x_array.ndim - geometry.ndim]

    # -- sizes first: the stretched input, the padded one (before its crop), the output --------
    stretched_shape = (*lead, *(e.stretched_size for e in axes))
    strides = geometry.stride[0] if len(set(geometry.stride)) == 1 else geometry.stride
    check = memory.check_result_size
    check(
        stretched_shape[added:],
        x_array.dtype.itemsize,
        f"`stride` {memory.number_text(strides)}",
        "stretched input",
        str(x_array.dtype),
    )
    grown = (*lead, *(e.stretched_size + max(e.padding[0], 0) + max(e.padding[1], 0) for e in axes))
    cause = transpose_cause(geometry, core.restore(x_array, added), core.restore(w_array, added))
    check(grown[added:], x_array.dtype.itemsize, cause, "padded input", str(x_array.dtype))

    # -- 1. insert s - 1 zeros between input units --------------------------------------------
    stretched = np.zeros((*lead, *(e.stretched_size for e in axes)), dtype=x_array.dtype)
    every_s: tuple[Any, ...] = (..., *(slice(None, None, e.zeros_between + 1) for e in axes))
    stretched[every_s] = x_array

    # -- 2. pad p' on each side (crop where p' is negative) ------------------------------------
    widths = [(0, 0)] * len(lead) + [(max(e.padding[0], 0), max(e.padding[1], 0)) for e in axes]
    padded = np.pad(stretched, widths)
    crop = tuple(
        slice(max(-e.padding[0], 0), padded.shape[len(lead) + x] - max(-e.padding[1], 0)) for x, e in enumerate(axes)
    )
    inside: tuple[Any, ...] = (..., *crop)
    padded = np.ascontiguousarray(padded[inside])

    # -- 3. flip the kernel, swap its channel axes within each group --------------------------
    g = geometry.groups
    cin_g, cout_g = in_channels // g, out_channels // g
    kernel = w_array.reshape(g, cin_g, cout_g, *geometry.kernel_size).swapaxes(1, 2)
    kernel = kernel.reshape(out_channels, cin_g, *geometry.kernel_size)
    kernel = np.ascontiguousarray(np.flip(kernel, axis=tuple(range(2, 2 + geometry.ndim))))

    # -- 4. stride-1 convolution with the engine ---------------------------------------------
    output = conv(padded, kernel, stride=1, padding=0, dilation=geometry.dilation, groups=g)
    assert output.shape[-geometry.ndim :] == geometry.output_shape
    if added:  # a plain x and kernel: plain arrays at every step
        x_array, w_array, stretched, padded, kernel, output = (
            core.restore(a, added) for a in (x_array, w_array, stretched, padded, kernel, output)
        )
    return TransposeConstruction(
        x_array, w_array, stretched, padded, kernel, output, axes, geometry.padding, geometry.output_padding, g
    )
