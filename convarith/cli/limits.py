"""The bounds of the drawing commands (``animate``, ``gallery``), checked before anything is drawn.

Every drawing option is bounded where it is parsed, and the size of the whole job (frames, cells,
pixels) is computed from the layer's arithmetic before a scene is built, so that a command either
draws in bounded time and memory or refuses at once with one line naming the option and the
numbers:

- ``--dpi`` between :data:`MIN_DPI` and :data:`MAX_DPI`; ``--width`` and ``--height`` positive
  and at most :data:`MAX_INCHES`; a frame (``width*dpi`` × ``height*dpi``) between
  :data:`MIN_SIDE` and :data:`MAX_SIDE` pixels on each side (smaller, the text cannot be drawn);
- ``--loop`` from 0 to :data:`MAX_LOOP` (GIF stores it in 16 bits);
- at most :data:`MAX_FRAMES` frames (one per output cell; ``--scatter``: one per input cell)
  and :data:`MAX_CELLS` cells in any drawn grid; ``animate groups`` at most :data:`MAX_CHANNELS`
  channels;
- frames × pixels at most :data:`MAX_HELD_PIXELS` for a GIF or a sheet (they hold every frame in
  memory at once) and :data:`MAX_DRAWN_PIXELS` for any output.
"""

from __future__ import annotations

import argparse
import contextlib
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

from convarith.cli.grammar import GrammarError, number_argument

__all__ = [
    "MAX_CELLS",
    "MAX_CHANNELS",
    "MAX_DPI",
    "MAX_DRAWN_PIXELS",
    "MAX_FRAMES",
    "MAX_HELD_PIXELS",
    "MAX_INCHES",
    "MAX_LOOP",
    "MAX_SIDE",
    "MIN_DPI",
    "MIN_SIDE",
    "check_budget",
    "check_frame",
    "dpi_argument",
    "frame_names",
    "inches_argument",
    "loop_argument",
    "text_too_small",
]

MIN_DPI, MAX_DPI = 10, 1000
"""``--dpi`` bounds (below 10 the smallest text is under half a pixel: FreeType refuses it)."""
MAX_INCHES = 100.0
"""Largest ``--width`` or ``--height``."""
MIN_SIDE, MAX_SIDE = 48, 8192
"""Pixels per side of a frame (``width*dpi``, ``height*dpi``)."""
MAX_LOOP = 65535
"""Largest ``--loop`` (a GIF stores the count in 16 bits)."""
MAX_FRAMES = 1024
"""Most frames one command draws (a 32×32 output)."""
MAX_CELLS = 4096
"""Most cells in one drawn grid (a 64×64 padded input)."""
MAX_CHANNELS = 64
"""Most channels (input or output) in the channel view (one box each)."""
MAX_HELD_PIXELS = 2**28
"""Frames × pixels of a GIF or a sheet (every frame is held at once: 268 M pixels, 805 MB)."""
MAX_DRAWN_PIXELS = 2**30
"""Frames × pixels of any output (one frame at a time)."""


def _bounded(text: str, low: float, high: float, unit: str, *, low_open: bool = False) -> float:
    value = number_argument(text)
    if value > high or value < low or (low_open and value == low):
        left = "(" if low_open else "["
        raise argparse.ArgumentTypeError(f"must be in {left}{low:g}, {high:g}] {unit}, got {text.strip()}")
    return value


def dpi_argument(text: str) -> float:
    """``--dpi``: a number from :data:`MIN_DPI` to :data:`MAX_DPI`.

    Examples
    --------
    >>> dpi_argument("72")
    72.0
    >>> dpi_argument("1e308")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be in [10, 1000] dots per inch, got 1e308
    """
    return _bounded(text, MIN_DPI, MAX_DPI, "dots per inch")


def inches_argument(text: str) -> float:
    """``--width`` or ``--height`` in inches: positive, at most :data:`MAX_INCHES`.

    Examples
    --------
    >>> inches_argument("5.4")
    5.4
    >>> inches_argument("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be in (0, 100] inches, got 0
    """
    return _bounded(text, 0, MAX_INCHES, "inches", low_open=True)


def loop_argument(text: str) -> int:
    """``--loop``: an integer from 0 (forever) to :data:`MAX_LOOP`.

    Examples
    --------
    >>> loop_argument("3")
    3
    >>> loop_argument("70000")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an integer from 0 (forever) to 65535, got '70000'
    """
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_LOOP:
        raise argparse.ArgumentTypeError(f"must be an integer from 0 (forever) to {MAX_LOOP}, got {text!r}")
    return value


def check_frame(width: float, height: float, dpi: float, labels: tuple[str, str] | None = None) -> int:
    """Refuse a frame outside :data:`MIN_SIDE`..:data:`MAX_SIDE` pixels per side; return its pixel count.

    ``labels`` name the width and height in the message (default: the options ``--width`` and
    ``--height`` with their values).

    Examples
    --------
    >>> check_frame(9.6, 5.4, 100)
    518400
    >>> check_frame(9.6, 0.2, 100)
    Traceback (most recent call last):
    ...
    convarith.cli.grammar.GrammarError: `--height` 0.2 at `--dpi` 100 gives 20 pixels; a frame needs 48 to 8192 per side
    """
    names = labels or (f"`--width` {width:g}", f"`--height` {height:g}")
    for label, inches in zip(names, (width, height), strict=True):
        pixels = inches * dpi
        if not MIN_SIDE <= pixels <= MAX_SIDE:
            raise GrammarError(
                f"{label} at `--dpi` {dpi:g} gives {pixels:.0f} pixels; a frame needs {MIN_SIDE} to {MAX_SIDE} per side"
            )
    return math.ceil(width * dpi) * math.ceil(height * dpi)


def _count(sizes: Sequence[int]) -> str:
    return "×".join(str(s) for s in sizes) + (f" = {math.prod(sizes)}" if len(sizes) > 1 else "")


def check_budget(
    given: str,
    *,
    frames: int,
    frame_what: str,
    grids: Sequence[tuple[str, Sequence[int]]] = (),
    frame_pixels: int | None = None,
    holds_all: bool = False,
) -> None:
    """Refuse a job beyond :data:`MAX_FRAMES`, :data:`MAX_CELLS` or the pixel budgets, before drawing.

    Parameters
    ----------
    given : str
        The options that set the size, as written (``"-i 2 -k 1000000"``), for the message.
    frames : int
        Frames the scene will have.
    frame_what : str
        What one frame is, for the message (``"one per output cell: 9×9 = 81"``).
    grids : sequence of (name, sizes)
        The grids drawn in each frame (``("a padded input", (7, 7))``).
    frame_pixels : int, optional
        Pixels of one frame (None: no pixel budget).
    holds_all : bool
        The output holds every frame in memory at once (a GIF, a sheet).

    Examples
    --------
    >>> check_budget("-i 5 -k 3", frames=9, frame_what="one per output cell", grids=[("an input", (5, 5))])
    >>> check_budget("-i 2 -k 999", frames=10**6, frame_what="one per output cell")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    convarith.cli.grammar.GrammarError: `-i 2 -k 999` gives 1000000 frames (one per output cell); animations ...
    """
    if frames > MAX_FRAMES:
        raise GrammarError(f"`{given}` gives {frames} frames ({frame_what}); animations have at most {MAX_FRAMES}")
    for name, sizes in grids:
        if math.prod(sizes) > MAX_CELLS:
            raise GrammarError(f"`{given}` gives {name} of {_count(sizes)} cells; a drawn grid has at most {MAX_CELLS}")
    if frame_pixels is not None:
        budget, kind = (MAX_HELD_PIXELS, "a GIF or a sheet") if holds_all else (MAX_DRAWN_PIXELS, "an output")
        if frames * frame_pixels > budget:
            raise GrammarError(
                f"{frames} frames of {frame_pixels} pixels (width × height × dpi²) are "
                f"{frames * frame_pixels} pixels; {kind} has at most {budget}: lower --dpi or draw fewer frames"
            )


def frame_names(path: Path, count: int) -> list[Path]:
    """The files ``animate -o PATH`` writes for ``count`` frames besides ``PATH`` itself.

    ``fig.png`` (no ``--sheet``) writes ``fig-000.png``, ...; ``fig.tex`` writes ``fig/fig-000.pdf``,
    ...: three digits, more when ``count > 1000`` (as :func:`convarith.anim.export.save_frames`).

    Examples
    --------
    >>> [p.as_posix() for p in frame_names(Path("out/fig.tex"), 2)]
    ['out/fig/fig-000.pdf', 'out/fig/fig-001.pdf']
    """
    digits = max(3, len(str(count - 1)))
    suffix = path.suffix.lower()
    folder, fmt = (path.parent / path.stem, "pdf") if suffix == ".tex" else (path.parent, suffix[1:])
    return [folder / f"{path.stem}-{step:0{digits}d}.{fmt}" for step in range(count)]


@contextlib.contextmanager
def text_too_small(width: float, height: float, dpi: float) -> Iterator[None]:
    """Turn FreeType's refusal of a text under half a pixel into a one-line error naming ``--dpi``.

    How small a layer's smallest text gets depends on its layout (many cells, small numbers), so
    no bound on ``--dpi`` alone rules it out; any other error passes through unchanged.
    """
    try:
        yield
    except RuntimeError as error:
        if not str(error).startswith("FT_"):
            raise
        raise GrammarError(
            f"`--dpi` {dpi:g}: this drawing's smallest text is under half a pixel at {width:g}×{height:g} "
            "inches; raise --dpi or the frame size"
        ) from None
