"""The real-image studies: the engine on Grace Hopper's photograph, checked against PyTorch and Wu et al."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest

from convarith.classroom import images
from convarith.testing import seeded_rng

torch = pytest.importorskip("torch")
F = torch.nn.functional


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return images.sample_image(4)  # (3, 150, 128): quick


def _torch_depthwise(x: np.ndarray, kernel: np.ndarray, pad: int, mode: str, stride: int = 1) -> np.ndarray:
    t = torch.tensor(x[None])
    if mode != "zeros":
        t = F.pad(t, (pad,) * 4, mode=mode)
        pad = 0
    w = torch.tensor(np.repeat(kernel[None, None], 3, axis=0)) if kernel.ndim == 2 else torch.tensor(kernel[:, None])
    return F.conv2d(t, w, stride=stride, padding=pad, groups=3)[0].numpy()


def test_the_photograph_ships_with_matplotlib() -> None:
    import matplotlib.cbook as cbook

    full = images.sample_image(1)
    with cbook.get_sample_data("grace_hopper.jpg") as file:
        pixels = plt.imread(file, format="jpeg")
    assert full.shape == (3, 600, 512) and full.dtype == np.float64
    np.testing.assert_array_equal(full, pixels.transpose(2, 0, 1) / 255.0)
    half = images.sample_image(2)
    np.testing.assert_allclose(half, full.reshape(3, 300, 2, 256, 2).mean(axis=(2, 4)))


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate"])
def test_blur_is_a_depthwise_convolution_as_in_torch(photo: np.ndarray, mode: str) -> None:
    expected = _torch_depthwise(photo, images.binomial_kernel(7), 3, mode)
    np.testing.assert_allclose(images.blur(photo, 7, padding_mode=mode), expected, atol=1e-12)


def test_zero_padding_darkens_the_border_and_reflect_does_not() -> None:
    grey = np.full((3, 40, 40), 0.5)
    zeros, reflect = images.blur(grey, 9), images.blur(grey, 9, padding_mode="reflect")
    np.testing.assert_allclose(reflect, 0.5)
    assert zeros[:, 4:-4, 4:-4].min() == pytest.approx(0.5)  # the inside never reaches the padding
    assert zeros[:, 0, 20].max() < 0.5 * 0.7 and zeros[:, 0, 0].max() < 0.5 * 0.5  # edges and corners darker


def test_stride_without_smoothing_keeps_every_sth_pixel_and_smoothing_matches_torch(photo: np.ndarray) -> None:
    np.testing.assert_array_equal(images.subsample(photo, 3), photo[:, ::3, ::3])
    expected = _torch_depthwise(photo, images.binomial_kernel(7), 3, "reflect", stride=3)
    np.testing.assert_allclose(images.subsample(photo, 3, smooth=True), expected, atol=1e-12)


def test_aliasing_the_unsmoothed_stride_keeps_more_fine_detail_energy(photo: np.ndarray) -> None:
    def detail(x: np.ndarray) -> float:  # energy of neighbour differences
        return float((np.diff(x, axis=-1) ** 2).mean())

    assert detail(images.subsample(photo, 4)) > 2 * detail(images.subsample(photo, 4, smooth=True))


@pytest.mark.parametrize("layers", [2, 6])
def test_c2_drifts_half_a_pixel_per_layer_and_c2sp_stays(photo: np.ndarray, layers: int) -> None:
    result = images.even_kernel_drift(photo, layers=layers)
    assert result.shift == {"C2": (-layers // 2, -layers // 2), "C2sp": (0, 0)}
    # the C2 stack against PyTorch: TensorFlow's 'same' for k = 2 pads one zero after
    x = torch.tensor(photo[None])
    for _ in range(layers):
        x = F.avg_pool2d(F.pad(x, (0, 1, 0, 1)), 2, stride=1)
    np.testing.assert_allclose(result.images["C2"], x[0].numpy(), atol=1e-12)
    for name in ("C2", "C2sp"):
        q = result.erosion[name]
        assert len(q) == layers + 1 and all(b < a for a, b in itertools.pairwise(q))
    assert result.erosion["C2sp"][-1] > result.erosion["C2"][-1]  # symmetric padding erodes more slowly


def test_drift_of_a_single_bright_pixel_matches_measure_shift() -> None:
    from convarith.studies import measure_shift

    x = np.zeros((3, 25, 25))
    x[:, 12, 12] = 1.0
    result = images.even_kernel_drift(x, layers=4)
    expected = measure_shift(2, "tensorflow", layers=4).displacement
    assert result.shift["C2"] == tuple(int(v) for v in expected)


def test_depthwise_reads_one_colour_per_output_as_in_torch(photo: np.ndarray) -> None:
    y = images.depthwise_rgb(photo)
    sobel = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 4
    np.testing.assert_allclose(y, _torch_depthwise(photo, sobel, 1, "reflect"), atol=1e-12)
    changed = photo.copy()
    changed[1] = 1.0 - changed[1]
    y2 = images.depthwise_rgb(changed)
    np.testing.assert_array_equal(y2[[0, 2]], y[[0, 2]])
    assert not np.allclose(y2[1], y[1])


def test_best_shift_finds_a_known_roll() -> None:
    r = seeded_rng(1).random((3, 30, 30))
    assert images.best_shift(r, np.roll(r, (2, -1), axis=(1, 2)), max_shift=3) == (2, -1)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: images.blur(np.zeros((3, 5, 5)), 4), "`size` must be odd"),
        (lambda: images.sample_image(0), "`scale`"),
        (lambda: images.even_kernel_drift(np.zeros((4, 5, 5))), r"`image` must have shape \(3, H, W\)"),
        (lambda: images.depthwise_rgb(np.zeros((3, 5, 5)), np.zeros((3, 2, 2))), "`kernel` must have shape"),
        (lambda: images.subsample(np.zeros((3, 5, 5)), 0), "`stride`"),
    ],
)
def test_bad_arguments_name_the_parameter(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_the_figures_draw_the_arrays(photo: np.ndarray) -> None:
    figures = [
        images.padding_figure(photo, size=9, strip=(20, 30)),
        images.stride_figure(photo, strides=(4, 2), box=(100, 40, 40)),
        images.drift_figure(images.even_kernel_drift(photo, layers=2), photo, box=(20, 20, 60)),
        images.depthwise_figure(photo),
    ]
    assert [len(f.axes) for f in figures] == [4, 6, 4, 7]  # depthwise: and the colour bar
    assert "moved (-1, -1)" in figures[2].axes[1].get_title()
    for fig in figures:
        plt.close(fig)


def test_signed_values_are_shown_on_a_diverging_map_centred_on_zero_with_a_colour_bar(photo: np.ndarray) -> None:
    """13's edge-filter outputs once had a red/blue map and no colour bar, under text about "red-ness"."""
    from matplotlib.colors import Colormap

    figures = [
        images.padding_figure(photo, size=9, strip=(20, 30)),
        images.stride_figure(photo, strides=(4, 2), box=(100, 40, 40)),
        images.drift_figure(images.even_kernel_drift(photo, layers=2), photo, box=(20, 20, 60)),
        images.depthwise_figure(photo),
    ]
    signed = 0
    for fig in figures:
        for ax in fig.axes:
            for shown in ax.get_images():
                data = np.asarray(shown.get_array())
                if data.ndim != 2 or data.min() >= 0:
                    continue  # colours or non-negative values
                signed += 1
                norm, cmap = shown.norm, shown.get_cmap()
                assert norm.vmin == -norm.vmax, (ax.get_title(), norm.vmin, norm.vmax)  # centred on zero
                assert isinstance(cmap, Colormap)
                middle, low, high = (np.asarray(cmap(v)[:3]) for v in (0.5, 0.0, 1.0))
                assert middle.min() > 0.9  # white at zero
                assert np.argmax(low) != np.argmax(high)  # the two signs in different hues
                assert not ({int(np.argmax(low)), int(np.argmax(high))} == {0, 1})  # not red against green
                bars = [im.colorbar for a in fig.axes for im in a.get_images() if im.colorbar is not None]
                assert any(  # a colour bar of this scale and map (one bar may serve several images)
                    (b.norm.vmin, b.norm.vmax, b.cmap.name) == (norm.vmin, norm.vmax, cmap.name) for b in bars
                ), ax.get_title()
        plt.close(fig)
    assert signed == 3  # the three edge outputs
