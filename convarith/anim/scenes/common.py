"""What the scene builders share: frames from a window map, captions, default values.

Private to :mod:`convarith.anim.scenes`. The numbers a scene shows come from the engine
(imported when first needed, so building a scene without numbers needs the window map only).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from convarith.anim.scenes.data import Cell, Coord, Frame
from convarith.arithmetic.layer import Layer
from convarith.arithmetic.text import axis_lines, format_padding, format_size
from convarith.arithmetic.validate import LayerError, check_bool, check_int, describe, shown
from convarith.arithmetic.windows import WindowMap
from convarith.typing import PadPair

GUIDE_KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], dtype=np.int64)
"""The 3x3 kernel of the guide's numerical convolution figure."""

GUIDE_INPUT = np.array(
    [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], dtype=np.int64
)
"""The 5x5 input of the guide's ``numerical_no_padding_no_strides`` figure (output 12 12 17 / 10 17 19 /
9 6 14 with :data:`GUIDE_KERNEL`)."""


def _gaps(windows: WindowMap, reads: Sequence[Cell]) -> tuple[Coord, ...]:
    if all(a.dilation == 1 for a in windows.axes):
        return ()
    read = {c.coord for c in reads}
    lows = [min(c.coord[x] for c in reads) for x in range(len(windows.axes))]
    highs = [max(c.coord[x] for c in reads) for x in range(len(windows.axes))]
    box = itertools.product(*(range(lo, hi + 1) for lo, hi in zip(lows, highs, strict=True)))
    return tuple(c for c in box if c not in read)


def load_engine() -> Any:
    """The engine (:mod:`convarith.engine`, imported on demand: pictures without numbers need only the window map)."""
    import convarith.engine as engine

    return engine


def as_int_array(values: Any, name: str, shape: Sequence[int] | None = None) -> np.ndarray:
    """``values`` through the engine's one dtype gate (integers or floats), of ``shape`` if given.

    Complex, bool and object arrays are refused with the engine's message
    (:func:`convarith.engine.dtypes.real_array`), as every engine call would.
    """
    from convarith.engine.dtypes import real_array  # on demand, as load_engine

    array = real_array(values, name)
    if shape is not None and array.shape != tuple(shape):
        raise ValueError(f"`{name}` must have shape {tuple(shape)}, got {array.shape}")
    return array


def default_input(shape: Sequence[int], seed: int) -> np.ndarray:
    """A seeded input of small ints (0 to 3), so the sums on a slide stay easy to check by hand."""
    from convarith.testing import random_array

    return random_array(shape, seed=seed, dtype=np.int64, low=0, high=3)


def default_kernel(shape: Sequence[int], seed: int) -> np.ndarray:
    """The guide's 3x3 kernel for a 3x3 shape, else a seeded kernel of ints 0 to 2."""
    if tuple(shape) == (3, 3):
        return GUIDE_KERNEL.copy()
    from convarith.testing import random_array

    return random_array(shape, seed=seed + 1, dtype=np.int64, low=0, high=2)


def direct_frames(
    windows: WindowMap,
    zeros: frozenset[Coord] = frozenset(),
    output_values: np.ndarray | None = None,
    winners: dict[Coord, Coord | None] | None = None,
) -> tuple[Frame, ...]:
    """One frame per output cell of ``windows``: the cells it reads, and the values shown so far."""
    check_value_cells(math.prod(windows.output_shape), None if output_values is None else output_values.size)
    frames = []
    shown = None if output_values is None else np.full(output_values.shape, np.nan)
    for step, out in enumerate(windows.positions()):
        reads = tuple(
            Cell(r.input, r.offset, "zero" if r.kind == "input" and r.input in zeros else r.kind)
            for r in windows.reads(out)
        )
        snapshot = None
        if shown is not None and output_values is not None:
            shown[out] = output_values[out]
            snapshot = shown.copy()
        frames.append(
            Frame(
                step=step,
                reads=reads,
                writes=(Cell(out, None, "output"),),
                gaps=_gaps(windows, reads),
                winner=None if winners is None else winners[out],
                output_values=snapshot,
            )
        )
    return tuple(frames)


def check_value_cells(frames: int, cells: int | None) -> None:
    """Refuse numbers on a scene whose per-frame output snapshots exceed :data:`MAX_VALUE_CELLS`."""
    if cells is not None and frames * cells > MAX_VALUE_CELLS:
        raise LayerError(
            f"`input_size`: {frames} frames showing up to {cells} output values each keep {frames * cells} "
            f"values, more than MAX_VALUE_CELLS = {MAX_VALUE_CELLS}; draw a smaller layer or without numbers"
        )


def layer_caption(lay: Layer) -> tuple[str, ...]:
    """The layer's formulas, numbers in: one line, or one per axis when the axes differ."""
    return tuple(axis_lines(lay.formulas(), label=lambda x: "rows: " if x == 0 else "columns: ", alike="  (each axis)"))


MAX_GRID = 1024
"""The most cells a picture draws along one axis of a grid (the padded or stretched input, the
output, the dilated kernel): past it the cells are below a pixel at any usual size."""

MAX_FRAMES = 65536
"""The most frames a scene has (one per output cell, or per input cell in a scatter view):
a 256×256 output, 13 hours of GIF at 0.7 s a frame."""

MAX_VALUE_CELLS = 2**22
"""With numbers, each frame keeps the output values so far: frames × output cells at most
4,194,304 (32 MiB), about a 45×45 output."""

MAX_TEXT = 200
"""The longest ``name``, ``title`` or label a scene takes, in characters."""


def check_drawable(lay: Layer, input_size: Any, name: str = "input_size") -> None:
    """Pictures have one or two spatial axes, at most :data:`MAX_GRID` cells a side, :data:`MAX_FRAMES` frames.

    Computed from the layer's sizes alone (no window map, no frame is built before), so a
    refusal costs nothing; ``name`` is the argument that carries the sizes (``lay`` for
    :func:`layer_scene`).
    """
    if lay.ndim > 2:
        raise ValueError(f"pictures have 1 or 2 spatial axes, got {lay.ndim}: `{name}` {shown(input_size)}")
    shape, pads, out = lay.input_shape, lay.pads, lay.output_shape
    for x, (i, (pb, pe), ek, o) in enumerate(zip(shape, pads, lay.effective_kernel_size, out, strict=True)):
        # the widest grid drawn on this axis: the padded input, or the transposed view's stretched one
        extent = max(i + pb + pe, o + pb + pe + ek - 1 if lay.op == "conv_transpose" else 0, o, ek)
        if extent > MAX_GRID:
            stretch = (i - 1) * lay.stride[x] if lay.op == "conv_transpose" else 0
            parts = {name: i, "padding": pb + pe, "kernel_size": ek, "stride": stretch}
            culprit = max(parts, key=lambda key: parts[key])
            if culprit == "kernel_size" and lay.dilation[x] > 1:
                culprit = "dilation"
            where = "" if lay.ndim == 1 else f" on axis {x}"
            raise LayerError(
                f"`{culprit}`: the picture would draw {extent} cells{where} (input {i}, padding {pb} + {pe}, "
                f"dilated kernel {ek}, output {o}), more than MAX_GRID = {MAX_GRID}"
            )
    frames = math.prod(shape if lay.op == "conv_transpose" else out)
    if lay.op == "conv_transpose":
        frames = max(frames, math.prod(out))
    if frames > MAX_FRAMES:
        raise LayerError(
            f"`{name}` {shown(input_size)} gives {format_size(out)} outputs: {frames} frames, more than "
            f"MAX_FRAMES = {MAX_FRAMES} a picture shows"
        )


def check_options(numbers: Any, seed: Any, name: Any, title: Any) -> int:
    """The options every scene builder shares: ``numbers`` a bool, ``seed`` an int (returned), text names."""
    check_bool(numbers, "numbers")
    number = check_int(seed, "seed", minimum=0, maximum=2**63 - 1)
    check_text(name, "name")
    check_text(title, "title")
    return number


def check_text(value: Any, name: str, optional: bool = True) -> str | None:
    """A name, title or label: a string of at most :data:`MAX_TEXT` characters (or None if ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"`{name}` must be a string, got {describe(value)}")
    if len(value) > MAX_TEXT:
        raise LayerError(f"`{name}` has {len(value)} characters, more than MAX_TEXT = {MAX_TEXT}")
    return value


def input_label(shape: Sequence[int], pads: Sequence[PadPair]) -> str:
    """``input 5×5``, with ``, padding (1, 1)`` when there is padding."""
    label = f"input {format_size(shape)}"
    return label + (f", padding {format_padding(pads)}" if any(map(any, pads)) else "")


def output_label(shape: Sequence[int]) -> str:
    """``output 3×3``."""
    return f"output {format_size(shape)}"


def scatter_crop(lay: Layer) -> tuple[PadPair, ...]:
    """The cells the scatter view of a transposed convolution draws outside its output, per axis.

    The last scatter reaches output cell ``(i' - 1)*s + ek - 1 - pb = o' - 1 + pe - a``: ``pb``
    cells are cropped before, ``max(pe - a, 0)`` after.
    """
    return tuple((pb, max(pe - a, 0)) for (pb, pe), a in zip(lay.pads, lay.output_padding, strict=True))


def unit_batch(x: np.ndarray) -> np.ndarray:
    """(*spatial) -> (1, 1, *spatial)."""
    return x[None, None]
