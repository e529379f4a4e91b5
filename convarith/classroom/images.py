"""A real photograph through the engine: padding at the border, stride and aliasing, even kernels, depthwise RGB.

The photograph is matplotlib's sample image ``grace_hopper.jpg`` (it ships with matplotlib: no
download). Every array here comes from :func:`convarith.engine.conv` on that image; the
``*subplot_grid`` functions only draw the arrays the other functions return, for
``notebooks/13_real_images.ipynb``. Images are float64 arrays of shape ``(3, H, W)`` (RGB
channels first, as the engine wants them) with values in ``[0, 1]``.

References
----------
.. [1] S. Wu, G. Wang, P. Tang, F. Chen, L. Shi, "Convolution with even-sized kernels and
   symmetric padding", NeurIPS 2019.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convarith.arithmetic.validate import check_minimum
from convarith.engine import avg_pool, conv

__all__ = [
    "DriftResult",
    "best_shift",
    "binomial_kernel",
    "blur",
    "depthwise_figure",
    "depthwise_rgb",
    "drift_figure",
    "even_kernel_drift",
    "padding_figure",
    "sample_image",
    "stride_figure",
    "subsample",
]

CHANNELS = ("red", "green", "blue")


def sample_image(scale: int = 2) -> np.ndarray:
    """Grace Hopper's portrait from matplotlib's sample data, as a ``(3, H, W)`` float64 array in ``[0, 1]``.

    Parameters
    ----------
    scale : int
        Downsampling factor: average pooling with a ``scale`` x ``scale`` window and stride (the
        engine's :func:`~convarith.engine.avg_pool`). ``1`` keeps the full 600 x 512 pixels.

    Returns
    -------
    ndarray, shape (3, 600 // scale, 512 // scale)

    Notes
    -----
    The file is ``matplotlib.cbook.get_sample_data("grace_hopper.jpg")``, installed with matplotlib.

    Examples
    --------
    >>> image = sample_image(4)
    >>> image.shape, image.dtype, bool(0 <= image.min() and image.max() <= 1)
    ((3, 150, 128), dtype('float64'), True)
    """
    from matplotlib import cbook
    from matplotlib import image as mpimg

    s = check_minimum(scale, "scale", 1)
    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    pixels = mpimg.imread(str(path), format="jpeg")
    image = np.ascontiguousarray(pixels.transpose(2, 0, 1), dtype=np.float64) / 255.0
    if s == 1:
        return image
    return avg_pool(image[None], (s, s), stride=(s, s))[0]


def binomial_kernel(size: int) -> np.ndarray:
    """A ``size`` x ``size`` smoothing kernel: the outer product of binomial coefficients, summing to 1.

    Notes
    -----
    Row ``n`` of Pascal's triangle divided by ``2**n`` approximates a Gaussian of variance ``n/4``.

    Examples
    --------
    >>> binomial_kernel(3) * 16
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    n = check_minimum(size, "size", 1)
    row = np.array([1.0])
    for _ in range(n - 1):
        row = np.convolve(row, [1.0, 1.0])
    row /= row.sum()
    return np.outer(row, row)


def blur(image: np.ndarray, size: int = 15, *, padding_mode: str = "zeros", stride: int = 1) -> np.ndarray:
    """Smooth each colour channel on its own (a depthwise convolution), keeping the size at stride one.

    Parameters
    ----------
    image : ndarray, shape (3, H, W)
    size : int
        Odd kernel size of :func:`binomial_kernel`; the padding is ``size // 2`` on every side.
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}
        What the padded cells hold: with ``'zeros'`` the border darkens, with ``'reflect'`` it
        does not.
    stride : int

    Returns
    -------
    ndarray, shape (3, ceil(H / stride), ceil(W / stride))

    Notes
    -----
    ``conv(image, w, padding=size // 2, groups=3, padding_mode=...)`` with the same kernel in
    each of the three groups: output ``o = floor((i + 2p - k)/s) + 1``.

    Examples
    --------
    >>> flat = np.ones((3, 8, 8))
    >>> float(blur(flat, 3, padding_mode="reflect")[0, 0, 0]), float(blur(flat, 3)[0, 0, 0])  # corner: 9/16
    (1.0, 0.5625)
    """
    k = check_minimum(size, "size", 1)
    if k % 2 == 0:
        raise ValueError(f"`size` must be odd so that the padding {k} // 2 is the same on both sides, got {k}")
    weight = np.repeat(binomial_kernel(k)[None, None], 3, axis=0)
    return conv(image[None], weight, stride=stride, padding=k // 2, groups=3, padding_mode=padding_mode)[0]


def subsample(image: np.ndarray, stride: int, *, smooth: bool = False) -> np.ndarray:
    """Stride without (or with) smoothing first: the aliasing of a strided convolution.

    ``smooth=False`` is a 1 x 1 convolution with stride ``stride`` (it keeps every ``stride``-th
    pixel, so fine stripes turn into coarse false patterns); ``smooth=True`` blurs with a
    ``2*stride + 1`` binomial kernel in the same strided convolution, which removes the detail the
    coarser grid cannot hold.

    Examples
    --------
    >>> x = np.arange(3 * 8 * 8, dtype=float).reshape(3, 8, 8)
    >>> np.array_equal(subsample(x, 2), x[:, ::2, ::2])
    True
    >>> subsample(x, 2, smooth=True).shape
    (3, 4, 4)
    """
    s = check_minimum(stride, "stride", 1)
    if smooth:
        return blur(image, 2 * s + 1, padding_mode="reflect", stride=s)
    return conv(image[None], np.ones((3, 1, 1, 1)), stride=s, groups=3)[0]


def _mixing_weight(copies: int = 4) -> np.ndarray:
    """2 x 2 averaging weight on ``copies`` stacked RGB copies: output (g, c) averages colour c of every copy."""
    weight = np.zeros((3 * copies, 3 * copies, 2, 2))
    for g in range(copies):
        for h in range(copies):
            for c in range(3):
                weight[3 * g + c, 3 * h + c] = 1.0 / (4 * copies)
    return weight


@dataclass(frozen=True)
class DriftResult:
    """A stack of 2 x 2 averaging convolutions on a photograph, one-sided vs symmetric padding.

    Attributes
    ----------
    layers : int
    images : dict of str to ndarray, shape (3, H, W)
        ``'C2'`` (TensorFlow 'same': the extra zero after) and ``'C2sp'`` (symmetric padding).
    erosion : dict of str to tuple of float
        ``erosion[name][n] = Q_n``, the mean absolute value after ``n`` layers (``Q_0``: the photograph).
    shift : dict of str to tuple of int
        The whole-pixel translation ``(dy, dx)`` that best maps the photograph onto the result.
    """

    layers: int
    images: dict[str, np.ndarray]
    erosion: dict[str, tuple[float, ...]]
    shift: dict[str, tuple[int, int]]


def even_kernel_drift(image: np.ndarray, layers: int = 16) -> DriftResult:
    """Push a photograph through ``layers`` 2 x 2 convolutions: C2 (one-sided padding) drifts, C2sp stays.

    Parameters
    ----------
    image : ndarray, shape (3, H, W)
    layers : int

    Returns
    -------
    DriftResult

    Notes
    -----
    Four copies of the RGB image form 12 channels, the four groups of C2sp [1]_ (each padded
    towards a different corner by ``conv(..., padding='symmetric')``). Every layer averages the
    2 x 2 window over all copies of the same colour, so every copy holds the same image. With
    TensorFlow's 'same' padding ``(0, 1)`` output ``y`` reads ``y`` and ``y + 1``, centred at
    ``y + 1/2``: after ``n`` layers ``F_n[p - n/2] ≈ F_0[p]``, a drift of ``n/2`` pixels up and
    left. With C2sp the four half-pixel shifts cancel. Erosion ``Q_n = mean |F_n|`` [1]_.

    Examples
    --------
    >>> x = np.zeros((3, 21, 21))
    >>> x[:, 10, 10] = 1.0
    >>> result = even_kernel_drift(x, layers=4)
    >>> result.shift
    {'C2': (-2, -2), 'C2sp': (0, 0)}
    """
    n = check_minimum(layers, "layers", 1)
    if image.ndim != 3 or image.shape[0] != 3:
        raise ValueError(f"`image` must have shape (3, H, W), got {image.shape}")
    weight = _mixing_weight()
    images, erosion, shift = {}, {}, {}
    for name, padding in (("C2", "same"), ("C2sp", "symmetric")):
        x = np.concatenate([image] * 4)[None]
        values = [float(np.abs(x).mean())]
        for _ in range(n):
            x = conv(x, weight, padding=padding, convention="tensorflow")
            values.append(float(np.abs(x).mean()))
        images[name] = x[0, :3]
        erosion[name] = tuple(values)
        shift[name] = best_shift(image, images[name], max_shift=n // 2 + 2)
    return DriftResult(n, images, erosion, shift)


def best_shift(reference: np.ndarray, moved: np.ndarray, max_shift: int = 8) -> tuple[int, int]:
    """The whole-pixel ``(dy, dx)`` with ``moved[p + (dy, dx)] ≈ reference[p]``, by least squares.

    Both arrays are compared on the pixels at least ``max_shift`` away from every border, after
    removing each one's mean (so a uniform loss of brightness does not count).

    Examples
    --------
    >>> r = np.random.default_rng(0).random((1, 20, 20))
    >>> best_shift(r, np.roll(r, (-3, 2), axis=(1, 2)), max_shift=4)
    (-3, 2)
    """
    m = check_minimum(max_shift, "max_shift", 0)
    h, w = reference.shape[-2:]
    core = reference[..., m : h - m, m : w - m]
    core = core - core.mean()
    best, best_error = (0, 0), np.inf
    for dy in range(-m, m + 1):
        for dx in range(-m, m + 1):
            window = moved[..., m + dy : h - m + dy, m + dx : w - m + dx]
            error = float(((window - window.mean() - core) ** 2).mean())
            if error < best_error - 1e-15:
                best, best_error = (dy, dx), error
    return best


def depthwise_rgb(image: np.ndarray, kernel: np.ndarray | None = None) -> np.ndarray:
    """A depthwise convolution of an RGB image: one kernel per colour, no mixing ("red-ness, green-ness, blue-ness").

    Parameters
    ----------
    image : ndarray, shape (3, H, W)
    kernel : ndarray, shape (3, k, k), optional
        One kernel per channel; default a vertical-edge (Sobel) kernel for each colour.

    Returns
    -------
    ndarray, shape (3, H, W)
        Output channel ``c`` depends on input channel ``c`` only.

    Notes
    -----
    ``conv(image, kernel[:, None], padding=k // 2, groups=3, padding_mode='reflect')``: the
    weight has shape ``(C_out, C_in / groups, k, k) = (3, 1, k, k)``, 3 * k * k weights instead of
    the 9 * k * k of a dense 3 -> 3 convolution.

    Examples
    --------
    >>> x = np.zeros((3, 5, 5))
    >>> x[0, :, 3:] = 1.0  # a vertical edge in the red channel only
    >>> y = depthwise_rgb(x)
    >>> float(abs(y[0]).max()) > 0, float(abs(y[1:]).max())
    (True, 0.0)
    """
    if kernel is None:
        sobel = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 4
        kernel = np.repeat(sobel[None], 3, axis=0)
    if kernel.ndim != 3 or kernel.shape[0] != 3 or kernel.shape[1] != kernel.shape[2] or kernel.shape[1] % 2 == 0:
        raise ValueError(f"`kernel` must have shape (3, k, k) with k odd, got {kernel.shape}")
    k = kernel.shape[-1]
    return conv(image[None], kernel[:, None], padding=k // 2, groups=3, padding_mode="reflect")[0]


# --- figures (they only draw the arrays above) -------------------------------------------------------


def rgb_pixels(image: np.ndarray) -> np.ndarray:
    return np.clip(image.transpose(1, 2, 0), 0.0, 1.0)


def subplot_grid(columns: int, rows: int = 1, *, width: float = 12.0, height: float = 4.6) -> tuple[Any, Any]:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(rows, columns, figsize=(width, height), squeeze=False)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes


def padding_figure(image: np.ndarray, size: int = 21, strip: tuple[int, int] = (60, 48)) -> Any:
    """The photograph blurred with zero padding (the border darkens) and with reflect padding (it does not).

    Returns a matplotlib Figure: the two blurred images, and a magnified strip at the right border
    of each (``strip = (top, height)``; as wide as tall), where the background is light.

    Examples
    --------
    >>> fig = padding_figure(sample_image(4), size=9, strip=(20, 30))
    >>> len(fig.axes)
    4
    """
    zeros = blur(image, size, padding_mode="zeros")
    reflect = blur(image, size, padding_mode="reflect")
    top, height = strip
    rows, columns = slice(top, top + height), slice(image.shape[-1] - height, image.shape[-1])
    fig, axes = subplot_grid(4, width=13.0, height=4.2)
    for ax, picture, title in (
        (axes[0, 0], zeros, f"zero padding, {size}×{size} blur"),
        (axes[0, 1], reflect, f"reflect padding, {size}×{size} blur"),
        (axes[0, 2], zeros[:, rows, columns], "zeros: the right border"),
        (axes[0, 3], reflect[:, rows, columns], "reflect: the right border"),
    ):
        ax.imshow(rgb_pixels(picture), interpolation="nearest")
        ax.set_title(title)
    fig.suptitle("Zeros at the border are black pixels: the blur pulls them in. Reflection repeats the picture.")
    fig.tight_layout()
    return fig


def stride_figure(
    image: np.ndarray, strides: tuple[int, int] = (8, 4), box: tuple[int, int, int] = (470, 310, 112)
) -> Any:
    """Strides without smoothing (aliasing) and with smoothing: the whole image, and a magnified patch.

    Row 1 strides the whole image by ``strides[0]``; row 2 magnifies the patch ``box = (top,
    left, size)`` (the ribbons, whose thin stripes alias) and strides it by ``strides[1]``.

    Examples
    --------
    >>> fig = stride_figure(sample_image(2), strides=(4, 2), box=(230, 150, 48))
    >>> [ax.get_title().split(":")[0] for ax in fig.axes[:3]]
    ['photograph', 'stride 4, no smoothing', 'stride 4 after a blur']
    """
    top, left, size = box
    patch = image[:, top : top + size, left : left + size]
    fig, axes = subplot_grid(3, 2, width=12.0, height=8.6)
    for row, (picture, s, name) in enumerate(((image, strides[0], "photograph"), (patch, strides[1], "ribbons"))):
        shape = "×".join(map(str, picture.shape[1:]))
        for ax, shown, title in (
            (axes[row, 0], picture, f"{name}: {shape} pixels"),
            (axes[row, 1], subsample(picture, s), f"stride {s}, no smoothing: aliasing"),
            (axes[row, 2], subsample(picture, s, smooth=True), f"stride {s} after a blur"),
        ):
            ax.imshow(rgb_pixels(shown), interpolation="nearest")
            ax.set_title(title)
    fig.suptitle("A strided convolution keeps one pixel in every stride: detail finer than that comes back as "
                 "false patterns")  # fmt: skip
    fig.tight_layout()
    return fig


def drift_figure(result: DriftResult, image: np.ndarray, box: tuple[int, int, int] = (40, 70, 110)) -> Any:
    """The photograph, C2 and C2sp after ``result.layers`` layers, with the same fixed grid, and ``Q_n``.

    Examples
    --------
    >>> x = sample_image(8)
    >>> fig = drift_figure(even_kernel_drift(x, layers=2), x, box=(10, 10, 40))
    >>> len(fig.axes)
    4
    """
    top, left, size = box
    fig, axes = subplot_grid(4, width=15.0, height=4.4)
    pictures = (
        ("photograph", image),
        (f"C2 × {result.layers}: moved {result.shift['C2']}", result.images["C2"]),
        (f"C2sp × {result.layers}: moved {result.shift['C2sp']}", result.images["C2sp"]),
    )
    for ax, (title, picture) in zip(axes[0, :3], pictures, strict=True):
        ax.imshow(rgb_pixels(picture[:, top : top + size, left : left + size]), interpolation="nearest")
        for line in range(0, size, 20):
            ax.axhline(line, color="yellow", lw=0.6)
            ax.axvline(line, color="yellow", lw=0.6)
        ax.set_title(title)
    from matplotlib.ticker import AutoLocator, MaxNLocator

    ax = axes[0, 3]
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(AutoLocator())
    for name, values in result.erosion.items():
        ax.plot(range(result.layers + 1), np.array(values) / values[0], marker="o", ms=3, label=name)
    ax.set_xlabel("layers n")
    ax.set_ylabel("Q_n / Q_0")
    ax.set_title("information erosion")
    ax.legend()
    fig.suptitle("2×2 kernels: one-sided padding drifts half a pixel per layer (up and left); C2sp stays put")
    fig.tight_layout()
    return fig


def depthwise_figure(image: np.ndarray) -> Any:
    """Red-ness, green-ness, blue-ness: the three channels, and a depthwise edge filter on each.

    Examples
    --------
    >>> fig = depthwise_figure(sample_image(8))
    >>> [ax.get_title() for ax in fig.axes[:3]]
    ['red-ness', 'green-ness', 'blue-ness']
    >>> fig.axes[-1].get_xlabel()[:14]  # a colour bar for the signed edge responses
    'edge response:'
    """
    edges = depthwise_rgb(image)
    fig, axes = subplot_grid(3, 2, width=11.0, height=8.0)
    limit = float(np.abs(edges).max())
    shown = None
    for c, name in enumerate(CHANNELS):
        alone = np.zeros_like(image)
        alone[c] = image[c]  # this colour only: bright where the photograph has much of it
        axes[0, c].imshow(rgb_pixels(alone))
        axes[0, c].set_title(f"{name}-ness")
        # signed values: a diverging map centred on 0 (white), one scale for the three outputs
        shown = axes[1, c].imshow(edges[c], cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[1, c].set_title(f"depthwise edge filter on {name} only")
    fig.suptitle("groups = 3: each output channel reads one colour (3·3·3 = 27 weights, a dense 3→3 layer has 81)")
    fig.set_layout_engine("constrained")  # room for the colour bar and its label
    bar = fig.colorbar(shown, ax=list(axes[1]), orientation="horizontal", fraction=0.05, pad=0.02, aspect=50)
    bar.set_label("edge response: > 0 red (brighter to the right), < 0 blue (darker to the right), 0 white (no edge)")
    return fig
