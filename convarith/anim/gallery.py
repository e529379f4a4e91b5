"""The slide gallery: the guide's animated figures under their names, and more.

:data:`GALLERY` lists every figure: the guide's convolutions (``no_padding_no_strides``, ...,
``dilation``) and their ``_transposed`` twins, with the parameters of Dumoulin & Visin's
figures, plus numerical convolution, max and average pooling, a kernel-2 stride-2 transposed
convolution, the overlap of three transposed convolutions built tap by tap (a checkerboard, an
even one, one with gaps), grouped and depthwise channel views, symmetric padding, TensorFlow-versus-PyTorch
'same' padding at stride 2, a non-square layer and a 1-D convolution. :func:`render_gallery`
writes them all (``convarith gallery OUTDIR`` on the command line).

References
----------
.. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
   arXiv:1603.07285, 2016. Figures: https://github.com/vdumoulin/conv_arithmetic
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from convarith.anim.scenes import (
    GUIDE_INPUT,
    GUIDE_KERNEL,
    ChannelScene,
    Scene,
    conv_scene,
    group_scene,
    overlap_scene,
    pool_scene,
    same_comparison_scene,
    symmetric_scene,
    transpose_scene,
)
from convarith.arithmetic.formulas import conv_output_size, recovering_output_padding

__all__ = ["FORMATS", "GALLERY", "GalleryFigure", "GallerySummary", "gallery_names", "render_gallery"]

FORMATS: dict[str, str] = {
    "gif": "NAME.gif (animated GIF)",
    "mp4": "NAME.mp4 (H.264 video)",
    "png": "NAME/NAME-000.png ... (one PNG per frame)",
    "svg": "NAME/NAME-000.svg ... (one SVG per frame)",
    "pdf": "NAME/NAME-000.pdf ... (one PDF per frame)",
    "sheet": "sheets/NAME.png (every frame on one image)",
    "beamer": "beamer/NAME.tex + beamer/NAME/NAME-000.pdf ... (LaTeX animate package)",
}
"""Output formats of :func:`render_gallery` and where each writes."""


@dataclass(frozen=True)
class GalleryFigure:
    """One figure of the gallery.

    Attributes
    ----------
    name : str
        File-name stem (the guide's names where they match).
    description : str
    build : callable
        Returns the figure's Scene or ChannelScene.
    """

    name: str
    description: str
    build: Callable[[], Scene | ChannelScene] = field(repr=False)


# the guide's convolution figures: name -> (i, k, s, p, d)
_GUIDE: dict[str, tuple[int, int, int, int, int]] = {
    "no_padding_no_strides": (4, 3, 1, 0, 1),
    "arbitrary_padding_no_strides": (5, 4, 1, 2, 1),
    "same_padding_no_strides": (5, 3, 1, 1, 1),
    "full_padding_no_strides": (5, 3, 1, 2, 1),
    "no_padding_strides": (5, 3, 2, 0, 1),
    "padding_strides": (5, 3, 2, 1, 1),
    "padding_strides_odd": (6, 3, 2, 1, 1),
    "dilation": (7, 3, 1, 0, 2),
}


def _conv_figure(name: str, i: int, k: int, s: int, p: int, d: int) -> GalleryFigure:
    def build() -> Scene:
        return conv_scene((i, i), k, s, p, d, name=name)

    text = f"convolution i={i}, k={k}, s={s}, p={p}" + (f", d={d}" if d != 1 else "")
    return GalleryFigure(name, text, build)


def _transposed_figure(name: str, i: int, k: int, s: int, p: int) -> GalleryFigure:
    # the transpose of the forward convolution i -> o: input o, output i (a recovers odd sizes)
    o = conv_output_size(i, k, s, p)
    a = recovering_output_padding(i, k, s, p)
    assert isinstance(o, int) and isinstance(a, int)

    def build() -> Scene:
        return transpose_scene((o, o), k, s, p, a, name=f"{name}_transposed")

    text = f"transposed convolution of {name}: input {o}, k={k}, s={s}, p={p}" + (f", a={a}" if a else "")
    return GalleryFigure(f"{name}_transposed", text, build)


def _number_figures() -> list[GalleryFigure]:
    """Numerical convolution and pooling: values, weights and outputs from the engine."""
    return [
        GalleryFigure(
            "numerical_no_padding_no_strides",
            "the guide's numerical convolution: its 5x5 input and 3x3 kernel, outputs computed by the engine",
            lambda: conv_scene(
                (5, 5), 3, input_values=GUIDE_INPUT, kernel_values=GUIDE_KERNEL, name="numerical_no_padding_no_strides"
            ),
        ),
        GalleryFigure(
            "numerical_padding_strides",
            "numerical convolution with padding 1 and stride 2",
            lambda: conv_scene((5, 5), 3, 2, 1, numbers=True, name="numerical_padding_strides"),
        ),
        GalleryFigure(
            "numerical_max_pooling",
            "3x3 max pooling, stride 1, the winning cell highlighted",
            lambda: pool_scene((5, 5), 3, 1, mode="max", name="numerical_max_pooling"),
        ),
        GalleryFigure(
            "numerical_average_pooling",
            "3x3 average pooling, stride 1",
            lambda: pool_scene((5, 5), 3, 1, mode="avg", name="numerical_average_pooling"),
        ),
        GalleryFigure(
            "max_pooling_ceil_mode",
            "2x2 max pooling, stride 2, ceil mode on a 5x5 input: the last windows overhang",
            lambda: pool_scene((5, 5), 2, 2, mode="max", ceil_mode=True, name="max_pooling_ceil_mode"),
        ),
    ]


def _upsampling_figures() -> list[GalleryFigure]:
    """Transposed convolutions beyond the guide's: the 2x upsampling, scatters and overlaps."""
    return [
        GalleryFigure(
            "kernel_2_strides_2_transposed",
            "transposed convolution k=2, s=2 (the usual 2x upsampling): no overlap, no checkerboard",
            lambda: transpose_scene((3, 3), 2, 2, name="kernel_2_strides_2_transposed"),
        ),
        GalleryFigure(
            "kernel_2_strides_2_transposed_scatter",
            "the same, as a scatter: each input cell paints a 2x2 block of the output",
            lambda: transpose_scene(
                (3, 3), 2, 2, view="scatter", numbers=True, name="kernel_2_strides_2_transposed_scatter"
            ),
        ),
        GalleryFigure(
            "padding_strides_transposed_scatter",
            "transposed k=3, s=2, p=1 as a scatter with numbers: overlapping kernels add up",
            lambda: transpose_scene(
                (3, 3), 3, 2, 1, view="scatter", numbers=True, name="padding_strides_transposed_scatter"
            ),
        ),
        GalleryFigure(
            "kernel_3_strides_2_overlap",
            "overlap of a transposed k=3, s=2 on ones, tap by tap: kernel not divisible by stride, a checkerboard",
            lambda: overlap_scene((4, 4), 3, 2, name="kernel_3_strides_2_overlap"),
        ),
        GalleryFigure(
            "kernel_4_strides_2_overlap",
            "overlap of a transposed k=4, s=2, p=1 on ones: kernel divisible by stride, even inside",
            lambda: overlap_scene((4, 4), 4, 2, 1, name="kernel_4_strides_2_overlap"),
        ),
        GalleryFigure(
            "kernel_2_strides_3_overlap",
            "overlap of a transposed k=2, s=3 on ones: stride above the kernel, every third row and column a gap",
            lambda: overlap_scene((3, 3), 2, 3, name="kernel_2_strides_3_overlap"),
        ),
    ]


def _channel_padding_and_shape_figures() -> list[GalleryFigure]:
    """Channel views, padding beyond zeros on both sides, non-square and 1-D layers."""
    return [
        GalleryFigure(
            "groups",
            "grouped convolution, 6 -> 6 channels, groups 3: which input channels feed each output",
            lambda: group_scene(6, 6, 3, name="groups"),
        ),
        GalleryFigure(
            "depthwise",
            "depthwise convolution, 4 -> 8 channels (groups 4, depth multiplier 2)",
            lambda: group_scene(4, 8, 4, name="depthwise"),
        ),
        GalleryFigure(
            "symmetric_padding",
            "Wu et al.'s C2sp: four channel groups padded towards four corners, 2x2 kernel",
            lambda: symmetric_scene((4, 4), 2, name="symmetric_padding"),
        ),
        GalleryFigure(
            "same_padding_tensorflow_vs_pytorch",
            "stride-2 'same': TensorFlow pads (0, 1), PyTorch users pad (1, 1): outputs one unit apart",
            lambda: same_comparison_scene((6, 6), 3, 2, name="same_padding_tensorflow_vs_pytorch"),
        ),
        GalleryFigure(
            "non_square",
            "non-square everything: input 5x7, kernel 3x2, stride 2x1, padding (1, 1) and (0, 1)",
            lambda: conv_scene((5, 7), (3, 2), (2, 1), ((1, 1), (0, 1)), name="non_square"),
        ),
        GalleryFigure(
            "conv1d_padding_strides",
            "1-D convolution, input 8, kernel 3, stride 2, padding 1, with numbers",
            lambda: conv_scene(8, 3, 2, 1, numbers=True, name="conv1d_padding_strides"),
        ),
    ]


def _figures() -> tuple[GalleryFigure, ...]:
    """The guide's figures, their transposed twins, then the others."""
    guide = [_conv_figure(name, *params) for name, params in _GUIDE.items()]
    twins = [_transposed_figure(name, i, k, s, p) for name, (i, k, s, p, d) in _GUIDE.items() if name != "dilation"]
    return (*guide, *twins, *_number_figures(), *_upsampling_figures(), *_channel_padding_and_shape_figures())


GALLERY: tuple[GalleryFigure, ...] = _figures()
"""Every figure of the gallery, in order."""


def gallery_names() -> list[str]:
    """Names of the gallery's figures.

    Returns
    -------
    list of str

    Notes
    -----
    The guide's figures keep the names of its repository (``padding_strides_odd``, ...); each
    transposed twin adds ``_transposed`` (the guide has no ``dilation_transposed``).

    Examples
    --------
    >>> names = gallery_names()
    >>> names[:2], "padding_strides_odd_transposed" in names, "dilation_transposed" in names
    (['no_padding_no_strides', 'arbitrary_padding_no_strides'], True, False)
    """
    return [figure.name for figure in GALLERY]


@dataclass
class GallerySummary:
    """What :func:`render_gallery` wrote, with the time each figure took.

    Attributes
    ----------
    rows : list of (name, frames, seconds, paths)
    seconds : float
        Wall time of the whole gallery.
    """

    rows: list[tuple[str, int, float, list[Path]]]
    seconds: float

    @property
    def paths(self) -> list[Path]:
        """Every file written."""
        return [p for row in self.rows for p in row[3]]

    def __repr__(self) -> str:
        width = max((len(r[0]) for r in self.rows), default=4)
        lines = [f"{'figure':<{width}}  frames  seconds  files"]
        for name, frames, seconds, paths in self.rows:
            lines.append(f"{name:<{width}}  {frames:>6}  {seconds:>7.2f}  {len(paths):>5}")
        frames_total = sum(r[1] for r in self.rows)
        lines.append(
            f"{len(self.rows)} figures, {frames_total} frames, {len(self.paths)} files in {self.seconds:.1f} s"
        )
        return "\n".join(lines)


def _targets(outdir: Path, name: str, count: int, fmt: str) -> list[Path]:
    from convarith.anim.export import frame_name

    if fmt in ("gif", "mp4"):
        return [outdir / f"{name}.{fmt}"]
    if fmt in ("png", "svg", "pdf"):
        return [outdir / name / frame_name(name, step, count, fmt) for step in range(count)]
    if fmt == "sheet":
        return [outdir / "sheets" / f"{name}.png"]
    # beamer
    return [outdir / "beamer" / f"{name}.tex"] + [
        outdir / "beamer" / name / frame_name(name, step, count, "pdf") for step in range(count)
    ]


def render_gallery(
    outdir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("gif",),
    names: Sequence[str] | None = None,
    overwrite: bool = False,
    progress: bool | None = None,
    duration: float = 0.7,
    dpi: float = 200,
) -> GallerySummary:
    """Render the gallery into ``outdir``.

    Parameters
    ----------
    outdir : str or path-like
        Created if missing.
    formats : sequence of str
        Any of :data:`FORMATS`: ``gif``, ``mp4``, ``png``, ``svg``, ``pdf``, ``sheet``, ``beamer``.
    names : sequence of str, optional
        Only these figures (default: all of :data:`GALLERY`).
    overwrite : bool
        Replace existing files. Without it, nothing is written if any target exists.
    progress : bool, optional
        Show a progress bar (tqdm) on stderr; None (default): only when stderr is a terminal, so
        that a log or a pipe gets no bar.
    duration : float
        Seconds per frame (GIF, MP4, Beamer).
    dpi : float
        Pixels per inch of the 9.6 × 5.4 inch (16:9) frames: the default 200 gives 1920 × 1080,
        a full-HD slide (the size the widgets' slide export writes); 100 gives 960 × 540.

    Returns
    -------
    GallerySummary
        Its ``repr`` is a table of the figures with their frame counts and times.

    Notes
    -----
    One renderer per figure serves every format. Files are written atomically (see
    :mod:`convarith.anim.export`).

    Examples
    --------
    >>> import tempfile
    >>> summary = render_gallery(tempfile.mkdtemp(), names=["no_padding_no_strides"], dpi=20, progress=False)
    >>> [p.name for p in summary.paths]
    ['no_padding_no_strides.gif']
    """
    from convarith.anim.export import check_path
    from convarith.arithmetic.validate import check_bool, check_number

    overwrite = check_bool(overwrite, "overwrite")
    progress = None if progress is None else check_bool(progress, "progress")
    check_number(duration, "duration", 0.02, 60, unit=" (seconds per frame)")
    check_number(dpi, "dpi", 10, 1000)
    formats, chosen = _formats_and_figures(formats, names)
    root = check_path(outdir, "outdir")
    if root.exists() and not root.is_dir():
        raise ValueError(f"`outdir` {str(root)!r} is a file, not a directory")
    # every scene first (cheap), so that nothing is written if any target exists
    scenes = [(figure, figure.build()) for figure in chosen]
    if not overwrite:
        _refuse_existing(root, scenes, formats)
    root.mkdir(parents=True, exist_ok=True)
    bar = _progress_bar(sys.stderr.isatty() if progress is None else progress, len(scenes))
    rows: list[tuple[str, int, float, list[Path]]] = []
    start = time.perf_counter()
    try:
        for figure, scene in scenes:
            if bar is not None:
                bar.set_postfix_str(figure.name)
            began = time.perf_counter()
            written = _write_figure(scene, root, figure.name, formats, duration=duration, dpi=dpi)
            rows.append((figure.name, len(scene), time.perf_counter() - began, written))
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return GallerySummary(rows, time.perf_counter() - start)


def _formats_and_figures(
    formats: Sequence[str], names: Sequence[str] | None
) -> tuple[Sequence[str], list[GalleryFigure]]:
    """The formats and the figures asked for (a string is a comma-separated list), each checked."""
    from convarith.arithmetic.validate import check_choice

    for arg, value in (("formats", formats), ("names", names)):
        if value is not None and not isinstance(value, str | Sequence):
            raise TypeError(f"`{arg}` must be a sequence of names, got {type(value).__name__}")
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    if not formats:
        raise ValueError("`formats` must name at least one of " + ", ".join(FORMATS))
    for fmt in formats:
        check_choice(fmt, "formats", tuple(FORMATS))
    if names is None:
        return formats, list(GALLERY)
    known = {f.name: f for f in GALLERY}
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    for name in names:
        check_choice(name, "names", tuple(known))
    return formats, [known[n] for n in names]


def _refuse_existing(
    root: Path, scenes: list[tuple[GalleryFigure, Scene | ChannelScene]], formats: Sequence[str]
) -> None:
    """Raise OutputExistsError for the first file the gallery would write that exists already."""
    from convarith.anim.export import OutputExistsError

    for figure, scene in scenes:
        for fmt in formats:
            for target in _targets(root, figure.name, len(scene), fmt):
                if target.exists():
                    raise OutputExistsError(target, "the gallery")


def _progress_bar(progress: bool, total: int) -> Any:
    """A tqdm bar over the figures on stderr, or None without ``progress``."""
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="figure", desc="gallery")


def _write_figure(
    scene: Scene | ChannelScene, root: Path, name: str, formats: Sequence[str], *, duration: float, dpi: float
) -> list[Path]:
    """Render one figure once and write it in every format (the paths of :func:`_targets`)."""
    from convarith.anim.export import save_beamer, save_frames, save_gif, save_mp4, save_sheet
    from convarith.anim.render import render

    renderer = render(scene, dpi=dpi)
    written: list[Path] = []
    for fmt in formats:
        if fmt == "gif":
            written.append(save_gif(renderer, root / f"{name}.gif", duration=duration, overwrite=True))
        elif fmt == "mp4":
            written.append(save_mp4(renderer, root / f"{name}.mp4", duration=duration, overwrite=True))
        elif fmt in ("png", "svg", "pdf"):
            written += save_frames(renderer, root / name, name, fmt=fmt, overwrite=True)
        elif fmt == "sheet":
            (root / "sheets").mkdir(exist_ok=True)
            written.append(save_sheet(renderer, root / "sheets" / f"{name}.png", overwrite=True))
        else:
            (root / "beamer").mkdir(exist_ok=True)
            tex = save_beamer(renderer, root / "beamer" / f"{name}.tex", duration=duration, overwrite=True)
            written += [tex, *sorted((root / "beamer" / name).glob(f"{name}-*.pdf"))]
    return written  # the renderer is dropped here: cheaper than clearing its figure
