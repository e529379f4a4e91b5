"""A real photograph through upsamplers of ones: the checkerboard, and the remedies, for notebook 14.

A transposed convolution whose kernel is not divisible by its stride writes some output pixels
more often than others (:func:`convarith.studies.overlap`): even with a kernel of ones, a smooth
picture comes out as a checkerboard (Odena, Dumoulin and Olah [1]_). The arrays here come from
the engine's :func:`~convarith.engine.conv_transpose` and :func:`~convarith.engine.conv`; the
figure only draws them. Images are ``(3, H, W)`` float64 arrays in ``[0, 1]``, as in
:mod:`convarith.classroom.images`.

References
----------
.. [1] A. Odena, V. Dumoulin, C. Olah, "Deconvolution and checkerboard artifacts", Distill, 2016.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convarith.arithmetic.validate import check_minimum
from convarith.classroom.images import rgb_pixels, subplot_grid
from convarith.engine import conv, conv_transpose
from convarith.studies.overlap import overlap

__all__ = ["resize_then_convolve", "upsample_ones", "upsampling_figure"]


def _check_image(image: Any) -> np.ndarray:
    array = np.asarray(image, dtype=np.float64)
    if array.ndim != 3:
        raise ValueError(f"`image` must have shape (channels, height, width), got shape {array.shape}")
    return array


def upsample_ones(image: np.ndarray, kernel_size: int, stride: int = 2) -> np.ndarray:
    """Upsample by ``stride`` with a depthwise transposed convolution whose kernel is all ones.

    Parameters
    ----------
    image : ndarray, shape (C, H, W)
    kernel_size : int
        At least ``stride``; padding ``(k - s + 1) // 2`` before and after, and the output padding
        that makes the output exactly ``stride`` times larger.
    stride : int

    Returns
    -------
    ndarray, shape (C, stride*H, stride*W)
        Divided by the mean overlap ``k²/s²``, so that an even overlap keeps the brightness.

    Examples
    --------
    >>> upsample_ones(np.ones((1, 3, 3)), 3)[0, 1]  # row 1: counts 2 4 2 4 2 2 over 9/4, a checkerboard
    array([0.88888889, 1.77777778, 0.88888889, 1.77777778, 0.88888889, 0.88888889])
    >>> upsample_ones(np.ones((1, 3, 3)), 4)[0, 2]  # k = 4 at s = 2: counts 2 4 4 4 4 2 over 16/4, even inside
    array([0.5, 1. , 1. , 1. , 1. , 0.5])
    """
    array = _check_image(image)
    k = check_minimum(kernel_size, "kernel_size", 1)
    s = check_minimum(stride, "stride", 1)
    if k < s:
        raise ValueError(f"`kernel_size` {k} is smaller than `stride` {s}: the output would have gaps")
    p = (k - s + 1) // 2
    a = s * array.shape[-1] - ((array.shape[-1] - 1) * s - 2 * p + k)  # output padding to reach s*H
    weight = np.ones((array.shape[0], 1, k, k))
    out = conv_transpose(array, weight, stride=s, padding=p, output_padding=a, groups=array.shape[0])
    return np.asarray(out) / (k * k / (s * s))


def resize_then_convolve(image: np.ndarray, stride: int = 2, kernel_size: int = 3) -> np.ndarray:
    """The remedy: nearest-neighbour upsampling by ``stride``, then a ``kernel_size`` box blur (stride 1).

    Parameters
    ----------
    image : ndarray, shape (C, H, W)
    stride : int
    kernel_size : int
        Odd; padding ``k // 2`` with reflection keeps the size and the border.

    Returns
    -------
    ndarray, shape (C, stride*H, stride*W)

    Examples
    --------
    >>> resize_then_convolve(np.ones((1, 3, 3)))[0, 2]  # no phases: a constant stays constant
    array([1., 1., 1., 1., 1., 1.])
    """
    array = _check_image(image)
    s = check_minimum(stride, "stride", 1)
    k = check_minimum(kernel_size, "kernel_size", 1)
    if k % 2 == 0:
        raise ValueError(f"`kernel_size` must be odd (a centred blur), got {k}")
    big = array.repeat(s, axis=1).repeat(s, axis=2)
    weight = np.full((array.shape[0], 1, k, k), 1.0 / (k * k))
    return np.asarray(conv(big, weight, padding=k // 2, groups=array.shape[0], padding_mode="reflect"))


def upsampling_figure(image: np.ndarray, box: tuple[int, int, int] = (60, 70, 48)) -> Any:
    """A patch of the photograph upsampled three ways, with the overlap counts of each layer.

    Row 1: the patch ``box = (top, left, size)``; a transposed 3×3 of ones at stride 2 (the
    checkerboard); a transposed 4×4 of ones at stride 2 (even); nearest resize then a 3×3 blur.
    Row 2: the overlap counts (:func:`convarith.studies.overlap`) of the two transposed layers on
    a 4×4 input, and what they mean.

    Examples
    --------
    >>> fig = upsampling_figure(np.full((3, 20, 20), 0.5), box=(0, 0, 12))
    >>> [ax.get_title() for ax in fig.axes[:4]]  # doctest: +NORMALIZE_WHITESPACE
    ['photograph, 12×12', 'transposed 3×3 of ones, s=2', 'transposed 4×4 of ones, s=2', 'resize, then 3×3 blur']
    """
    array = _check_image(image)
    top, left, size = box
    patch = array[:, top : top + size, left : left + size]
    if patch.shape[1] != size or patch.shape[2] != size:
        raise ValueError(f"`box` {box} reaches past the image {array.shape[1]}×{array.shape[2]}")
    fig, axes = subplot_grid(4, 2, width=13.0, height=7.2)
    pictures = (
        (patch, f"photograph, {size}×{size}"),
        (upsample_ones(patch, 3), "transposed 3×3 of ones, s=2"),
        (upsample_ones(patch, 4), "transposed 4×4 of ones, s=2"),
        (resize_then_convolve(patch), "resize, then 3×3 blur"),
    )
    for ax, (picture, title) in zip(axes[0], pictures, strict=True):
        ax.imshow(rgb_pixels(picture), interpolation="nearest")
        ax.set_title(title)
    for ax, k in zip(axes[1, :2], (3, 4), strict=True):
        counts = overlap((4, 4), k, stride=2, padding=(k - 1) // 2)
        ax.imshow(counts, cmap="viridis", vmin=0, vmax=4)
        for (row, col), value in np.ndenumerate(counts):
            ax.text(col, row, str(value), ha="center", va="center", color="white" if value < 3 else "black")
        ax.set_title(f"writes per pixel, k={k}, s=2")
    for ax in axes[1, 2:]:
        ax.set_axis_off()
    axes[1, 2].text(
        0.0,
        0.5,
        "3×3 at stride 2: interior pixels get 4, 2 or 1 writes,\n"
        "a checkerboard over the picture.\n"
        "4×4 at stride 2: 4 writes everywhere inside.\n"
        "Resize then convolve: no phases at all.",
        va="center",
        fontsize=11,
    )
    fig.suptitle("Upsampling with a kernel of ones: the kernel must be divisible by the stride")
    fig.tight_layout()
    return fig
