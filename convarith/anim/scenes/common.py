"""What the scene builders share: frames from a window map, captions, default values.

Private to :mod:`convarith.anim.scenes`. The numbers a scene shows come from the engine
(imported when first needed, so building a scene without numbers needs the window map only).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from convarith.anim.scenes.data import Cell, Coord, Frame
from convarith.arithmetic.layer import Layer
from convarith.arithmetic.text import format_padding, format_size
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
    """``values`` as an array of numbers (TypeError otherwise), of ``shape`` when given (ValueError otherwise)."""
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"`{name}` must be an array of numbers, got dtype {array.dtype}")
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
    """One frame per output position: the cells it reads (``zeros`` drawn as zeros), the cell it writes."""
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


def layer_caption(lay: Layer) -> tuple[str, ...]:
    """The layer's formulas, numbers in: one line, or one per axis when the axes differ."""
    lines = lay.formulas()
    if len(lines) == 1:
        return tuple(lines)
    if len(set(lines)) == 1:
        return (lines[0] + "  (each axis)",)
    return tuple(f"{'rows' if x == 0 else 'columns'}: {line}" for x, line in enumerate(lines))


def check_drawable(lay: Layer, input_size: Any) -> None:
    """Pictures have one or two spatial axes."""
    if lay.ndim > 2:
        raise ValueError(f"pictures have 1 or 2 spatial axes, got {lay.ndim}: `input_size` {input_size!r}")


def input_label(shape: Sequence[int], pads: Sequence[PadPair]) -> str:
    """``input 5×5``, with ``, padding (1, 1)`` when there is padding."""
    label = f"input {format_size(shape)}"
    return label + (f", padding {format_padding(pads)}" if any(map(any, pads)) else "")


def output_label(shape: Sequence[int]) -> str:
    """``output 3×3``."""
    return f"output {format_size(shape)}"


def rule_words(lay: Layer) -> str:
    """`` (same, tensorflow)`` or `` (valid)`` when the padding came from a rule, else nothing."""
    rule = lay.padding_rule
    if rule == "explicit":
        return ""
    return f" ({rule}, {lay.convention})" if rule == "same" else f" ({rule})"


def layer_pads(lay: Layer) -> tuple[PadPair, ...]:
    """The resolved padding of a layer with an input size."""
    assert lay.padding is not None  # every scene's layer has its input size
    return lay.padding


def unit_batch(x: np.ndarray) -> np.ndarray:
    """(*spatial) -> (1, 1, *spatial)."""
    return x[None, None]
