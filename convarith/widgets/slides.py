"""Slides from the explorer: the current layer as a 1920×1080 GIF or PNG sequence, formula included.

:func:`export_slides` writes a scene at full-HD slide size with the output-size formula drawn
under the picture, through :mod:`convarith.anim.export` (atomic writes; an existing file is never
replaced unless asked). :class:`SlideButton` is the notebook's button for it: a file name, GIF or
PNGs, an *overwrite* box, **Export slide**, and a status line that gives the files written and
their pixel size, or says plainly why nothing was written.
"""

from __future__ import annotations

import functools
import glob
import html
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np

from convarith.anim.export import OutputExistsError, save_frames, save_gif
from convarith.anim.files import check_target, write_atomically
from convarith.anim.scenes import ChannelScene, Scene
from convarith.arithmetic.english import plural
from convarith.widgets._common import BAD_COLOUR, OK_COLOUR

__all__ = ["SLIDE_FORMATS", "SLIDE_OPTIONS", "SLIDE_SIZE", "SlideButton", "export_frames", "export_slides"]

SLIDE_SIZE = (1920, 1080)
"""Width and height of a slide in pixels (full HD, 16:9)."""

SLIDE_OPTIONS: dict[str, Any] = {"width": 9.6, "height": 5.4, "dpi": 200, "caption": True, "caption_scale": 1.5}
"""Drawing options for a slide: 9.6 × 5.4 inches at 200 dpi (1920 × 1080 pixels), formula shown large.

The renderer sizes its fonts in points on a 5.4-inch-high figure; ``caption_scale=1.5`` sets the
formula's first line in 21 pt = 58 pixels at 200 dpi (5.4 % of the height, about what 24 pt is
on a 7.5-inch-high slide); a line longer than about 52 characters is set smaller to fit the
width (the 70-character dilated 'same' formula: 43 pixels). ``tests/widgets/test_slides.py`` measures
the ink in the written pixels.
"""

SLIDE_FORMATS = ("gif", "png")
"""``'gif'``: one animated file; ``'png'``: one file per step (``stem-000.png``, ...)."""


def _slide_path(path: str | os.PathLike[str], format: str | None) -> tuple[Path, str]:
    """The target path with its suffix, and the format (from the suffix when not given)."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"`path` must be a path, got {type(path).__name__}")
    if format is not None and format not in SLIDE_FORMATS:
        raise ValueError(f"`format` must be one of {SLIDE_FORMATS}, got {format!r}")
    file = Path(path).expanduser()
    if not file.name or str(path).strip() == "":
        raise ValueError(f"`path` must name a file, got {str(path)!r}")
    suffix = file.suffix.lower()
    if suffix in (".gif", ".png"):
        if format is not None and suffix != f".{format}":
            raise ValueError(f"`path` {str(file)!r} ends in {suffix} but `format` is {format!r}")
        return file, suffix[1:]
    fmt = format or "gif"
    return file.with_name(f"{file.name}.{fmt}"), fmt


def export_slides(
    scene: Scene | ChannelScene,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    overwrite: bool = False,
    duration: float = 0.7,
) -> list[Path]:
    """Write a scene as slides: a 1920×1080 GIF, or one 1920×1080 PNG per step.

    Parameters
    ----------
    scene : Scene or ChannelScene
        The layer to show (a :class:`~convarith.widgets.LayerExplorer`'s current scene).
    path : str or path-like
        ``name.gif`` for a GIF; ``name.png`` for ``name-000.png``, ``name-001.png``, ... in the same
        folder. Without a suffix, ``format``'s is added. A relative path is relative to the
        working directory (in Jupyter: the notebook's folder).
    format : {'gif', 'png'}, optional
        Default: from the suffix, else ``'gif'``.
    overwrite : bool
        Replace existing files (else :class:`~convarith.anim.export.OutputExistsError`, and
        nothing is written).
    duration : float
        Seconds per step in the GIF.

    Returns
    -------
    list of Path
        The files written, as absolute paths: one GIF, or one PNG per step.

    Notes
    -----
    Each image is :data:`SLIDE_SIZE` = 1920 × 1080 pixels: the renderer's 9.6 × 5.4-inch figure
    at 200 dpi (:data:`SLIDE_OPTIONS`). The formula under the picture is set in 21 pt on that
    5.4-inch height, 21/72 × 200 = 58 pixels: 5.4 % of the slide's height (24 pt on a 7.5-inch
    PowerPoint slide is 4.4 %), so on a 2-metre-high screen its characters are about 10 cm tall.
    Files are written atomically by :func:`~convarith.anim.export.save_gif` and
    :func:`~convarith.anim.export.save_frames`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> from convarith.anim.scenes import conv_scene
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> [gif] = export_slides(conv_scene((4, 4), 3), folder / "no_padding_no_strides")
    >>> with Image.open(gif) as image:  # four kernel positions, four full-HD frames
    ...     gif.name, image.size, image.n_frames
    ('no_padding_no_strides.gif', (1920, 1080), 4)
    """
    if not isinstance(scene, Scene | ChannelScene):
        raise TypeError(f"`scene` must be a Scene or ChannelScene, got {type(scene).__name__}")
    if not isinstance(overwrite, bool):
        raise TypeError(f"`overwrite` must be True or False, got {overwrite!r}")
    file, fmt = _slide_path(path, format)
    file = Path.cwd() / file  # absolute, so the caller is told exactly where the files are
    if fmt == "gif":
        return [save_gif(scene, file, duration=duration, overwrite=overwrite, **SLIDE_OPTIONS)]
    return save_frames(scene, file.parent, file.stem, fmt="png", overwrite=overwrite, **SLIDE_OPTIONS)


def _on_slide(pixels: Any) -> Any:
    """An RGB frame centred on a white :data:`SLIDE_SIZE` canvas, scaled down if it is larger (a Pillow image)."""
    from PIL import Image

    array = np.asarray(pixels)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise ValueError(f"`frames` must be uint8 RGB pictures (height, width, 3), got {array.dtype} {array.shape}")
    image = Image.fromarray(array)
    width, height = SLIDE_SIZE
    scale = min(1.0, width / image.width, height / image.height)
    if scale < 1:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    slide = Image.new("RGB", SLIDE_SIZE, "white")
    slide.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    return slide


def export_frames(
    frames: Sequence[Any],
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    overwrite: bool = False,
    duration: float = 0.7,
) -> list[Path]:
    """Write pictures an explorer drew itself as slides: a 1920×1080 GIF, or one 1920×1080 PNG each.

    Parameters
    ----------
    frames : sequence of ndarray, shape (height, width, 3)
        ``uint8`` RGB pictures, one per step (a :class:`~convarith.widgets.ReceptiveFieldExplorer`'s
        output cells).
    path, format, overwrite, duration
        As in :func:`export_slides`.

    Returns
    -------
    list of Path

    Notes
    -----
    Each picture is centred on a white 1920 × 1080 slide, scaled down (never up) to fit. Every
    target is checked before anything is written, and each file is written atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> frames = [np.full((400, 1920, 3), v, dtype=np.uint8) for v in (0, 128)]
    >>> [p.name for p in export_frames(frames, folder / "cone", format="png")]
    ['cone-000.png', 'cone-001.png']
    """
    if not isinstance(overwrite, bool):
        raise TypeError(f"`overwrite` must be True or False, got {overwrite!r}")
    if isinstance(duration, bool) or not isinstance(duration, int | float) or not 0.02 <= duration <= 60:
        raise ValueError(f"`duration` must be between 0.02 and 60 seconds per frame, got {duration!r}")
    if len(frames) == 0:
        raise ValueError("`frames` must hold at least one picture, got none")
    file, fmt = _slide_path(path, format)
    file = Path.cwd() / file
    slides = [_on_slide(f) for f in frames]
    if fmt == "gif":
        check_target(file, overwrite)
        first, rest = slides[0], slides[1:]
        save = {"format": "GIF", "save_all": True, "append_images": rest, "duration": round(duration * 1000), "loop": 0}
        return [write_atomically(file, lambda temporary: first.save(temporary, **save), overwrite)]
    paths = [file.with_name(f"{file.stem}-{n:03d}.png") for n in range(len(slides))]
    for target in paths:
        check_target(target, overwrite)
    for slide, target in zip(slides, paths, strict=True):
        write_atomically(target, functools.partial(_save_png, slide), overwrite)
    return paths


def _save_png(image: Any, temporary: Path) -> None:
    image.save(temporary, format="PNG")


def _describe(paths: list[Path]) -> str:
    """'slide.gif (1920×1080 pixels, 9 frames)' or 'slide-000.png … slide-008.png (9 files, ...)'."""
    from PIL import Image

    with Image.open(paths[0]) as image:
        width, height = image.size
        frames = getattr(image, "n_frames", 1)
    if paths[0].suffix == ".gif":
        return f"{paths[0]} ({width}×{height} pixels, {plural(frames, 'frame')})"
    if len(paths) == 1:
        return f"{paths[0]} (1 file, {width}×{height} pixels)"
    return f"{paths[0]} … {paths[-1].name} ({len(paths)} files, {width}×{height} pixels each)"


def _older_frames(paths: list[Path]) -> list[Path]:
    """PNG frames of the same stem that this export did not write (left by a longer, earlier one)."""
    if paths[0].suffix != ".png":
        return []
    stem = paths[0].stem.rsplit("-", 1)[0]
    frame = re.compile(rf"{re.escape(stem)}-\d{{3,}}\.png")
    written = set(paths)
    return sorted(
        p for p in paths[0].parent.glob(f"{glob.escape(stem)}-*.png") if frame.fullmatch(p.name) and p not in written
    )


class SlideButton(widgets.HBox):
    """A button that writes the explorer's current layer as a 1920×1080 slide (GIF or PNGs).

    Parameters
    ----------
    scene_source : callable
        Called with no arguments on each click; returns the scene to write (or a list of RGB
        pictures, :func:`export_frames`), None when the layer's parameters are impossible, or a
        sentence saying why nothing may be written now (a prediction not answered yet). Then
        nothing is written and the status says so.
    filename : str
        Initial file name; a relative name is under the working directory (the notebook's
        folder). The format toggle sets the suffix (a typed ``.gif`` or ``.png`` is replaced).
    format : {'gif', 'png'}
        Initial format.

    Attributes
    ----------
    filename : Text
    format : ToggleButtons
        ``'gif'`` or ``'png'`` (labelled GIF and PNGs).
    overwrite : Checkbox
    button : Button
        **Export slide**.
    status : HTML
        What the last click did: the files written and their size, or why nothing was.
    written : list of Path
        The files the last click wrote (empty if it wrote none).

    Notes
    -----
    CSS classes for tests and styling: ``convarith-slides`` on the box, and
    ``convarith-slides-{filename,format,overwrite,export,status}`` on its parts.
    A click calls :func:`export_slides`; every expected failure (an impossible layer, an
    existing file without *overwrite*, a bad name or folder, a file system error) becomes a
    message in :attr:`status`, never a traceback.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from convarith.anim.scenes import conv_scene
    >>> name = str(pathlib.Path(tempfile.mkdtemp()) / "first")  # a relative name is under the notebook's folder
    >>> slide = SlideButton(lambda: conv_scene((4, 4), 3), filename=name)
    >>> slide.click()  # same as pressing the button
    >>> [p.name for p in slide.written]
    ['first.gif']
    >>> slide.click()  # again: the file exists
    >>> "exists" in slide.status.value
    True
    """

    def __init__(
        self,
        scene_source: Callable[[], Scene | ChannelScene | list[Any] | str | None],
        *,
        filename: str = "slide",
        format: str = "gif",
    ) -> None:
        if not callable(scene_source):
            raise TypeError(f"`scene_source` must be a callable returning a scene, got {type(scene_source).__name__}")
        if format not in SLIDE_FORMATS:
            raise ValueError(f"`format` must be one of {SLIDE_FORMATS}, got {format!r}")
        self.scene_source = scene_source
        self.written: list[Path] = []
        self.filename = widgets.Text(
            value=filename, description="File", placeholder="slide", layout=widgets.Layout(width="16em")
        )
        self.format = widgets.ToggleButtons(
            options=[("GIF", "gif"), ("PNGs", "png")],
            value=format,
            tooltips=["one animated GIF", "one PNG per step: name-000.png, ..."],
            style={"button_width": "4.5em"},
        )
        self.overwrite = widgets.Checkbox(value=False, description="overwrite", indent=False, layout={"width": "7em"})
        self.button = widgets.Button(
            description="Export slide", icon="download", tooltip="write the current layer at 1920×1080"
        )
        self.status = widgets.HTML(value="")
        self.button.on_click(self._on_click)
        super().__init__(
            [self.filename, self.format, self.overwrite, self.button, self.status],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )
        self.add_class("convarith-slides")
        for part, name in [
            (self.filename, "filename"),
            (self.format, "format"),
            (self.overwrite, "overwrite"),
            (self.button, "export"),
            (self.status, "status"),
        ]:
            part.add_class(f"convarith-slides-{name}")

    def __repr__(self) -> str:
        return f"SlideButton(filename={self.filename.value!r}, format={self.format.value!r})"

    def click(self) -> None:
        """Export as if the button were pressed."""
        self._on_click(self.button)

    def _say(self, text: str, ok: bool) -> None:
        colour = OK_COLOUR if ok else BAD_COLOUR
        self.status.value = f'<span style="color:{colour}">{html.escape(text)}</span>'

    def _on_click(self, _button: Any) -> None:
        self.written = []
        scene = self.scene_source()
        if scene is None:
            self._say("Nothing written: the layer's parameters are impossible; change them first.", ok=False)
            return
        if isinstance(scene, str):
            self._say(f"Nothing written: {scene}", ok=False)
            return
        name = self.filename.value.strip()
        if name.lower().endswith((".gif", ".png")):  # the toggle says the format, not the typed suffix
            name = name[:-4]
        if not name:
            self._say("Nothing written: type a file name first.", ok=False)
            return
        self.button.disabled = True
        self._say(f"Writing {self.format.label}…", ok=True)
        try:
            fmt, overwrite = self.format.value, self.overwrite.value
            if isinstance(scene, list):
                self.written = export_frames(scene, name, format=fmt, overwrite=overwrite)
            else:
                self.written = export_slides(scene, name, format=fmt, overwrite=overwrite)
        except OutputExistsError as error:
            self._say(f"Nothing written: {error.advice('tick “overwrite”')}.", ok=False)
        except (ValueError, OSError) as error:
            self._say(f"Nothing written: {error}", ok=False)
        else:
            text = f"Wrote {_describe(self.written)}."
            older = _older_frames(self.written)
            if older:
                text += (
                    f" {len(older)} older frames of that name remain ({older[0].name} … {older[-1].name}):"
                    " delete them, or export under another name."
                )
            self._say(text, ok=True)
        finally:
            self.button.disabled = False
