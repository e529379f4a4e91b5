"""Writing animations: GIF, MP4, per-frame PNG/SVG/PDF, a static sheet, and a Beamer snippet.

Every file is written atomically: into a temporary file in the target's directory, then moved
into place with :func:`os.replace`, so an interrupted write never leaves a partial file. An
existing file is never overwritten unless ``overwrite=True`` (else :class:`OutputExistsError`,
which is both a :class:`FileExistsError` and a :class:`ValueError`). Identical inputs give
byte-identical files: no dates, no random ids (SVG ``svg.hashsalt`` fixed, PDF dates removed,
ffmpeg in bit-exact mode).

GIF and PNG go through Pillow, MP4 through imageio-ffmpeg's bundled ffmpeg (libx264), SVG and
PDF through matplotlib. All of them are optional dependencies: ``pip install "convarith[anim]"``.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from convarith.anim.files import OutputExistsError, check_target, write_atomically
from convarith.anim.render import ChannelRenderer, Renderer, render
from convarith.anim.scenes import ChannelScene, Scene
from convarith.arithmetic.validate import check_bool, check_choice, check_int, check_minimum, check_number, shown

__all__ = [
    "OutputExistsError",
    "save",
    "save_beamer",
    "save_frames",
    "save_gif",
    "save_mp4",
    "save_sheet",
]

AnyRenderer = Renderer | ChannelRenderer
_FRAME_FORMATS = ("png", "svg", "pdf")


@contextlib.contextmanager
def _all_or_nothing() -> Iterator[list[Path]]:
    """Collect files written in a group; if the group fails, remove the ones already written."""
    written: list[Path] = []
    try:
        yield written
    except BaseException:
        for path in written:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        raise


# --------------------------------------------------------------------------------------------
# options


def _renderer(target: Scene | ChannelScene | AnyRenderer, options: dict[str, Any]) -> AnyRenderer:
    if isinstance(target, Renderer | ChannelRenderer):
        if options:
            raise TypeError(f"drawing options {sorted(options)} apply when passing a scene, not a renderer")
        return target
    if isinstance(target, Scene | ChannelScene):
        return render(target, **options)
    raise TypeError(f"`target` must be a Scene, ChannelScene or renderer, got {type(target).__name__}")


MAX_LOOP = 65535
"""The most loops a GIF can say (a 16-bit field; 0 = forever)."""

MAX_SHEET_PIXELS = 2**26
"""The most pixels a sheet has (67 million: 200 MiB of RGB); past it, lower ``dpi``."""

_MAX_NAME = 255  # bytes in one path component on common file systems


def _check_duration(duration: float) -> float:
    return check_number(duration, "duration", 0.02, 60, unit=" (seconds per frame)")


def _check_loop(loop: int) -> int:
    return check_int(loop, "loop", minimum=0, maximum=MAX_LOOP)


def check_path(path: Any, name: str) -> Path:
    """A path-like argument, each component short enough to be a file name (else a ValueError, not an OSError)."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"`{name}` must be a path, got {type(path).__name__}")
    if not os.fspath(path):
        raise ValueError(f"`{name}` is empty; give a file or folder name (. for the current folder)")
    result = Path(path)
    if any(len(part.encode(errors="replace")) > _MAX_NAME for part in result.parts):
        raise ValueError(f"`{name}` {shown(str(result))} has a component longer than {_MAX_NAME} bytes")
    return result


def _path(path: str | os.PathLike[str], suffixes: Sequence[str], name: str = "path") -> Path:
    result = check_path(path, name)
    if result.suffix.lower() not in suffixes:
        raise ValueError(f"`{name}` {shown(str(result))} must end with {' or '.join(suffixes)}")
    return result


# --------------------------------------------------------------------------------------------
# writers


def save_gif(
    target: Scene | ChannelScene | AnyRenderer,
    path: str | os.PathLike[str],
    *,
    duration: float = 0.7,
    loop: int = 0,
    overwrite: bool = False,
    **options: Any,
) -> Path:
    """Write an animated GIF, one image per step.

    Parameters
    ----------
    target : Scene, ChannelScene or Renderer
    path : str or path-like
        Ends in ``.gif``.
    duration : float
        Seconds per frame.
    loop : int
        Times to loop (0 = forever).
    overwrite : bool
        Replace an existing file.
    **options
        Drawing options for a scene (``dpi``, ``width``, ``height``, ``numbers``, ``caption``).

    Returns
    -------
    Path

    Notes
    -----
    Each frame is reduced to at most 256 colours with a palette computed from the first frame
    (the cells' colours are the same in every frame), without dithering, so the output is
    deterministic and crisp.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from convarith.anim.scenes import conv_scene
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "no_padding_no_strides.gif"
    >>> save_gif(conv_scene((4, 4), 3), out, dpi=20).name
    'no_padding_no_strides.gif'
    """
    from PIL import Image

    file = _path(path, (".gif",))
    seconds = _check_duration(duration)
    loops = _check_loop(loop)
    check_target(file, check_bool(overwrite, "overwrite"))  # before drawing: refusing costs nothing
    renderer = _renderer(target, options)
    images = list(renderer.images())
    # the palette from the first and last frames (every cell colour appears in one of them), subsampled
    palette = _gif_palette(np.concatenate([np.asarray(images[0]), np.asarray(images[-1])], axis=0)[::3, ::3])
    frames = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]

    def write(temporary: Path) -> None:
        frames[0].save(
            temporary,
            format="GIF",
            save_all=True,
            append_images=frames[1:],
            duration=round(seconds * 1000),
            loop=loops,
            optimize=False,
            disposal=1,
        )

    return write_atomically(file, write, overwrite)


def _gif_palette(pixels: np.ndarray) -> Any:
    """A 256-colour palette: the renderer's exact colours, white and black, then median cut for the rest."""
    from matplotlib.colors import to_rgb
    from PIL import Image

    from convarith.anim.render import PALETTE

    fixed: set[tuple[int, ...]] = {(255, 255, 255), (0, 0, 0)}
    fixed |= {tuple(round(255 * v) for v in to_rgb(c)) for c in PALETTE.values()}
    rest = Image.fromarray(pixels).quantize(
        colors=256 - len(fixed), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    extra = np.asarray(rest.getpalette() or [], dtype=np.int64).reshape(-1, 3)[: 256 - len(fixed)]
    # Pillow maps pixels to the palette through a reduced-precision cache: keep the median-cut colours
    # away from the exact ones so that those stay exact
    anchors = np.array(sorted(fixed), dtype=np.int64)
    far = np.abs(extra[:, None, :] - anchors[None, :, :]).max(axis=2).min(axis=1) > 10
    colours = sorted(fixed) + [tuple(int(v) for v in c) for c in extra[far]]
    colours = (colours + [(0, 0, 0)] * 256)[:256]
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for c in colours for v in c])
    return palette


def save_mp4(
    target: Scene | ChannelScene | AnyRenderer,
    path: str | os.PathLike[str],
    *,
    duration: float = 0.7,
    overwrite: bool = False,
    **options: Any,
) -> Path:
    """Write an H.264 MP4 (imageio-ffmpeg's bundled ffmpeg), one video frame per step.

    Parameters
    ----------
    target : Scene, ChannelScene or Renderer
    path : str or path-like
        Ends in ``.mp4``.
    duration : float
        Seconds per frame: the video runs at ``1/duration`` frames per second.
    overwrite : bool
    **options
        Drawing options for a scene.

    Returns
    -------
    Path

    Notes
    -----
    ``yuv420p`` pixels (plays everywhere; the renderer makes both sides even), ffmpeg's
    ``-fflags +bitexact`` and no metadata, so identical inputs give identical files.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from convarith.anim.scenes import conv_scene
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "dilation.mp4"
    >>> save_mp4(conv_scene((7, 7), 3, dilation=2), out, dpi=20).suffix
    '.mp4'
    """
    import imageio_ffmpeg

    file = _path(path, (".mp4",))
    seconds = _check_duration(duration)
    check_target(file, check_bool(overwrite, "overwrite"))
    renderer = _renderer(target, options)
    width, height = renderer.size

    def write(temporary: Path) -> None:
        writer = imageio_ffmpeg.write_frames(
            str(temporary),
            (width, height),
            fps=1.0 / seconds,
            codec="libx264",
            quality=8,
            macro_block_size=2,
            ffmpeg_log_level="error",
            output_params=["-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1", "-f", "mp4"],
        )
        writer.send(None)
        try:
            for image in renderer.images():
                writer.send(image.tobytes())
        finally:
            writer.close()

    return write_atomically(file, write, overwrite)


def frame_name(stem: str, step: int, count: int, fmt: str) -> str:
    digits = max(3, len(str(count - 1)))
    return f"{stem}-{step:0{digits}d}.{fmt}"


def save_frames(
    target: Scene | ChannelScene | AnyRenderer,
    directory: str | os.PathLike[str],
    stem: str | None = None,
    *,
    fmt: str = "png",
    overwrite: bool = False,
    **options: Any,
) -> list[Path]:
    r"""Write one file per step: ``stem-000.png``, ``stem-001.png``, ...

    Parameters
    ----------
    target : Scene, ChannelScene or Renderer
    directory : str or path-like
        Created if missing.
    stem : str, optional
        File-name stem (default: the scene's name).
    fmt : {'png', 'svg', 'pdf'}
        PNG via Pillow (the renderer's pixels); SVG and PDF are vector files from matplotlib.
    overwrite : bool

    Returns
    -------
    list of Path
        If any file cannot be written, the ones written by this call are removed.

    Notes
    -----
    Frame ``n`` of ``N`` is ``stem-{n:03d}`` (more digits when ``N > 1000``), the numbering that
    LaTeX's ``\animategraphics`` and ffmpeg's ``%03d`` patterns expect.

    Examples
    --------
    >>> import tempfile
    >>> from convarith.anim.scenes import conv_scene
    >>> paths = save_frames(conv_scene((4, 4), 3), tempfile.mkdtemp(), dpi=20)
    >>> [p.name for p in paths]
    ['convolution-000.png', 'convolution-001.png', 'convolution-002.png', 'convolution-003.png']
    """
    check_choice(fmt, "fmt", _FRAME_FORMATS)
    folder = check_path(directory, "directory")
    overwrite = check_bool(overwrite, "overwrite")
    if stem is not None:
        _check_stem(stem)
    renderer = _renderer(target, options)
    name = stem or renderer.scene.name
    _check_stem(name)
    count = len(renderer)
    paths = [folder / frame_name(name, step, count, fmt) for step in range(count)]
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"`directory` {str(folder)!r} is a file")
    for path in paths:
        if path.exists() and not overwrite:
            raise OutputExistsError(path)
    folder.mkdir(parents=True, exist_ok=True)
    with _all_or_nothing() as written:
        for step, path in enumerate(paths):
            if fmt == "png":
                _write_png_atomic(renderer.image(step), path, overwrite)
            else:
                renderer.update(step)
                write_atomically(path, lambda t: _write_vector(renderer, t, fmt), overwrite)
            written.append(path)
    return paths


def _check_stem(stem: str) -> None:
    if not isinstance(stem, str):
        raise TypeError(f"`stem` must be a plain file-name stem (a string), got {type(stem).__name__}")
    if not stem or any(c in stem for c in "/\\") or stem.startswith(".") or len(stem.encode()) > _MAX_NAME - 16:
        raise ValueError(f"`stem` must be a plain file-name stem, got {shown(stem)}")


def _write_png_atomic(image: Any, path: Path, overwrite: bool) -> None:
    def write(temporary: Path) -> None:
        _write_png(image, temporary)

    write_atomically(path, write, overwrite)


def _write_png(image: Any, path: Path) -> None:
    """Write a Pillow image (or an RGB array) as PNG, with no metadata."""
    from PIL import Image

    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    image.save(path, format="PNG")


def _write_vector(renderer: AnyRenderer, path: Path, fmt: str) -> None:
    import matplotlib

    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"CreationDate": None, "ModDate": None}
    with matplotlib.rc_context({"svg.hashsalt": "convarith", "svg.fonttype": "path"}):
        renderer.figure.savefig(path, format=fmt, metadata=metadata)


def save_sheet(
    target: Scene | ChannelScene | AnyRenderer,
    path: str | os.PathLike[str],
    *,
    columns: int | None = None,
    overwrite: bool = False,
    **options: Any,
) -> Path:
    """Write one PNG with every frame, row by row (a handout or a thumbnail overview).

    Parameters
    ----------
    target : Scene, ChannelScene or Renderer
    path : str or path-like
        Ends in ``.png``.
    columns : int, optional
        Frames per row (default: about square, at least the output grid's width).
    overwrite : bool
    **options
        Drawing options for a scene (a small ``dpi`` keeps sheets of long scenes small).

    Returns
    -------
    Path

    Notes
    -----
    ``rows = ceil(N / columns)``; frames are separated by a grey border of ``max(2, width/200)``
    pixels.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from convarith.anim.scenes import conv_scene
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "sheet.png"
    >>> save_sheet(conv_scene((4, 4), 3), out, dpi=20).name
    'sheet.png'
    """
    file = _path(path, (".png",))
    if columns is not None:
        check_minimum(columns, "columns", 1)
    check_target(file, check_bool(overwrite, "overwrite"))
    renderer = _renderer(target, options)
    count = len(renderer)
    if columns is None:
        shape = renderer.scene.panels[0].output_shape if isinstance(renderer, Renderer) else (count,)
        columns = shape[-1] if count == math.prod(shape) and shape[-1] > 1 else math.ceil(math.sqrt(count))
    cols = min(check_minimum(columns, "columns", 1), count)  # more columns than frames: one row
    width, height = renderer.size
    rows = math.ceil(count / cols)
    if rows * cols * width * height > MAX_SHEET_PIXELS:
        raise ValueError(
            f"`dpi`: a sheet of {count} frames of {width}×{height} pixels in {cols} columns has "
            f"{rows * cols * width * height} pixels, more than MAX_SHEET_PIXELS = {MAX_SHEET_PIXELS}; lower dpi"
        )
    border = max(2, width // 200)
    sheet = np.full((rows * (height + border) + border, cols * (width + border) + border, 3), 200, dtype=np.uint8)
    for step, px in enumerate(renderer.frames()):
        r, c = divmod(step, cols)
        y, x = border + r * (height + border), border + c * (width + border)
        sheet[y : y + height, x : x + width] = px
    return write_atomically(file, lambda t: _write_png(sheet, t), overwrite)


def save_beamer(
    target: Scene | ChannelScene | AnyRenderer,
    path: str | os.PathLike[str],
    *,
    fmt: str = "pdf",
    duration: float = 0.7,
    loop: bool = True,
    latex_width: str = r"\linewidth",
    overwrite: bool = False,
    **options: Any,
) -> Path:
    r"""Write the frames and a LaTeX Beamer snippet that plays them with ``\animategraphics``.

    Parameters
    ----------
    target : Scene, ChannelScene or Renderer
    path : str or path-like
        The snippet, ending in ``.tex``; frames go to a folder of its stem (``fig/fig-000.pdf``, ...).
    fmt : {'pdf', 'png'}
        Frame format (PDF is vector and what pdflatex embeds best).
    duration : float
        Seconds per frame (the snippet's frame rate is ``1/duration``).
    loop : bool
        Loop forever.
    latex_width : str
        Width on the slide, a LaTeX length with its unit (``\linewidth``, ``10cm``); the drawing
        options (``width``, ``height`` in inches, ``dpi``, as in :func:`save`) shape the frames.
    overwrite : bool

    Returns
    -------
    Path
        The snippet. Include it with ``\input{fig.tex}`` in a frame, and put
        ``\usepackage{animate}`` in the preamble.

    Notes
    -----
    ``\animategraphics[options]{fps}{base}{first}{last}`` reads ``base<first>.pdf`` to
    ``base<last>.pdf``; zero-padded numbers are given with the same digits as the file names.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from convarith.anim.scenes import conv_scene
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "no_padding_no_strides.tex"
    >>> print(save_beamer(conv_scene((4, 4), 3), out, fmt="png", dpi=20).read_text().splitlines()[-1])
    \animategraphics[autoplay,loop,controls,width=\linewidth]{1.43}{no_padding_no_strides/no_padding_no_strides-}{000}{003}
    """
    import re

    file = _path(path, (".tex",))
    check_choice(fmt, "fmt", ("pdf", "png"))
    seconds = _check_duration(duration)
    loop = check_bool(loop, "loop")
    if not isinstance(latex_width, str) or not re.fullmatch(
        r"\s*(\d*\.?\d+\s*)?\\[A-Za-z]+\s*|\s*\d*\.?\d+\s*[a-z]{2}\s*", latex_width[:100]
    ):
        raise ValueError(
            f"`latex_width` must be a LaTeX length with its unit (\\linewidth, 10cm), got {shown(latex_width)}"
        )
    stem = file.stem
    _check_stem(stem)
    check_target(file, check_bool(overwrite, "overwrite"))
    renderer = _renderer(target, options)
    with _all_or_nothing() as written:
        written.extend(frames := save_frames(renderer, file.parent / stem, stem, fmt=fmt, overwrite=overwrite))
        first, last = (frame.stem.rsplit("-", 1)[1] for frame in (frames[0], frames[-1]))
        flags = ["autoplay", *(["loop"] if loop else []), "controls", f"width={latex_width.strip()}"]
        text = "\n".join(
            [
                rf"% convarith: {renderer.scene.title}",
                rf"% {len(renderer)} frames in {stem}/; needs \usepackage{{animate}} in the preamble.",
                rf"\animategraphics[{','.join(flags)}]{{{1 / seconds:.3g}}}{{{stem}/{stem}-}}{{{first}}}{{{last}}}",
            ]
        )

        def write(temporary: Path) -> None:
            temporary.write_text(text + "\n", encoding="utf-8")

        write_atomically(file, write, overwrite)
    return file


def save(
    target: Scene | ChannelScene | AnyRenderer,
    path: str | os.PathLike[str],
    *,
    sheet: bool = False,
    overwrite: bool = False,
    duration: float = 0.7,
    loop: int = 0,
    **options: Any,
) -> Path | list[Path]:
    """Write a scene to a file whose suffix says the format.

    Parameters
    ----------
    target : Scene, ChannelScene or Renderer
    path : str or path-like
        ``.gif`` or ``.mp4``: an animation; ``.tex``: a Beamer snippet and its PDF frames;
        ``.png``, ``.svg``, ``.pdf``: one file per frame, ``stem-000.png``, ... beside ``path``
        (with ``sheet=True`` and ``.png``: one sheet with every frame).
    sheet : bool
    overwrite : bool
    duration, loop
        Seconds per frame, loops (GIF; 0 = forever).
    **options
        Drawing options for a scene: ``dpi``, ``width``, ``height``, ``numbers``, ``caption``,
        ``layout`` (``dpi`` 10 to 1000, each side of a frame 16 to 8192 pixels; see
        :class:`~convarith.anim.Renderer`). ``sheet`` and ``overwrite`` are bools (a string such as
        ``'False'`` is a TypeError); ``loop`` is 0 to 65535.

    Returns
    -------
    Path or list of Path

    Notes
    -----
    Dispatches to :func:`save_gif`, :func:`save_mp4`, :func:`save_beamer`, :func:`save_sheet` or
    :func:`save_frames`; every file is written atomically and never over an existing one unless
    ``overwrite=True``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from convarith.anim.scenes import conv_scene
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "sheet.png"
    >>> save(conv_scene(5, 3), out, sheet=True, dpi=20).name  # every frame on one image
    'sheet.png'
    """
    file = _path(path, (".gif", ".mp4", ".tex", ".png", ".svg", ".pdf"))
    sheet, overwrite = check_bool(sheet, "sheet"), check_bool(overwrite, "overwrite")
    suffix = file.suffix.lower()
    if sheet and suffix != ".png":
        raise ValueError(f"`sheet` needs a .png path, got {str(file)!r}")
    if suffix == ".gif":
        return save_gif(target, file, duration=duration, loop=loop, overwrite=overwrite, **options)
    if suffix == ".mp4":
        return save_mp4(target, file, duration=duration, overwrite=overwrite, **options)
    if suffix == ".tex":
        return save_beamer(target, file, duration=duration, loop=loop == 0, overwrite=overwrite, **options)
    if sheet:
        return save_sheet(target, file, overwrite=overwrite, **options)
    return save_frames(target, file.parent, file.stem, fmt=suffix[1:], overwrite=overwrite, **options)
