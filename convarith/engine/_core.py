"""Private machinery of the engine: dtypes, blocks of outputs, padded extents and kernel taps.

Every engine function follows the same steps:

1. ``window_map`` gives the windows along each axis (output sizes from :mod:`convarith.arithmetic.formulas`);
2. :func:`plan_block` picks a block shape whose temporary buffers fit in
   ``convarith.engine.convolution.MAX_TEMPORARY_BYTES``, and :func:`iterate_blocks` walks the output block by block;
3. :func:`gather_padded` copies the padded cells a block reads (its ``padded_extent`` on every
   axis) once, or hands back a view when no padding or conversion is needed;
4. :func:`tap_views` yields, for each kernel tap, the strided view ``block_slice(t)`` of those
   cells: one array holding that tap's input for every output of the block.

The conv folds the taps into a column matrix and one GEMM; pooling folds them into a running
max or sum. There is no Python loop over output positions, only over blocks and kernel taps.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from convarith.arithmetic.windows import AxisWindows

BlockRange = tuple[tuple[int, int], ...]


def as_real_array(value: Any, name: str) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"`{name}` must hold integers or floats, got dtype {array.dtype}")
    return array


def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """PyTorch-like promotion: a float operand wins; integers widen to 64 bits (exact sums)."""
    floats = [a.dtype for a in arrays if a.dtype.kind == "f"]
    if floats:
        return np.dtype(np.result_type(*floats))
    promoted = np.result_type(*[a.dtype for a in arrays])
    return np.dtype(np.uint64) if promoted.kind == "u" else np.dtype(np.int64)


def compute_dtype(dtype: np.dtype) -> np.dtype:
    """float16 is computed in float32 (NumPy has no fast float16 GEMM), then rounded back."""
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def plan_block(extents: Sequence[int], cost: Callable[[Sequence[int]], int], budget: int) -> tuple[int, ...]:
    """The largest row-major block of ``extents`` (batch, *output) with ``cost(block) <= budget``.

    Trailing axes are taken whole first, so a block is a contiguous run of outputs: whole images,
    else whole rows of one image, and so on. One output position is the smallest block, even if
    it costs more than the budget.
    """
    block = [1] * len(extents)
    for axis in reversed(range(len(extents))):

        def fits(size: int, axis: int = axis) -> bool:
            trial = list(block)
            trial[axis] = size
            return cost(trial) <= budget

        if fits(extents[axis]):
            block[axis] = extents[axis]
            continue
        low, high = 1, extents[axis]
        while low < high:
            middle = (low + high + 1) // 2
            if fits(middle):
                low = middle
            else:
                high = middle - 1
        block[axis] = low
        break
    return tuple(block)


def iterate_blocks(extents: Sequence[int], block: Sequence[int]) -> Iterator[BlockRange]:
    """``((start, stop), ...)`` per axis for every block, in row-major order."""
    ranges = [
        [(start, min(start + size, n)) for start in range(0, n, size)] for n, size in zip(extents, block, strict=True)
    ]
    return itertools.product(*ranges)


def extent_sizes(axes: Sequence[AxisWindows], block: Sequence[int]) -> list[int]:
    """Number of padded cells a block of ``block`` outputs reads along each axis."""
    return [(b - 1) * a.stride + a.effective_kernel_size for a, b in zip(axes, block, strict=True)]


def spatial_index(*spatial: Any) -> tuple[Any, ...]:
    """An index that keeps the batch and channel axes and applies ``spatial`` to the others."""
    return (slice(None), slice(None), *spatial)


class PaddedCells:
    """How to copy the padded cells that outputs ``spatial`` read (planned once per block).

    ``sources[a]`` maps each padded cell of axis ``a`` to the input index that fills it, or
    ``-1`` for a ``fill`` cell (see :meth:`AxisWindows.padded_sources`).
    """

    def __init__(
        self,
        axes: Sequence[AxisWindows],
        spatial: Sequence[tuple[int, int]],
        sources: Sequence[np.ndarray],
        fill: float | int,
    ) -> None:
        self.fill = fill
        self.shape: list[int] = []
        self.destination: list[slice] = []
        picks: list[slice | np.ndarray] = []
        self.needs_fill = False
        for a, (start, stop), source in zip(axes, spatial, sources, strict=True):
            cells = source[a.padded_extent(start, stop)]
            self.shape.append(len(cells))
            valid = np.flatnonzero(cells >= 0)
            if len(valid) == 0:
                self.needs_fill = True
                self.destination.append(slice(0, 0))
                picks.append(slice(0, 0))
                continue
            first, last = int(valid[0]), int(valid[-1]) + 1
            self.needs_fill = self.needs_fill or first > 0 or last < len(cells)
            self.destination.append(slice(first, last))
            index = cells[first:last]
            if np.all(np.diff(index) == 1):
                picks.append(slice(int(index[0]), int(index[-1]) + 1))
            else:
                picks.append(index)
        self.plain = all(isinstance(p, slice) for p in picks)
        if self.plain:
            self.picks: tuple[Any, ...] = spatial_index(*picks)
        else:  # reflect, replicate, circular: one fancy-indexed copy
            ranges = [np.arange(p.start, p.stop) if isinstance(p, slice) else p for p in picks]
            self.picks = spatial_index(*np.ix_(*ranges))

    def gather(self, part: np.ndarray, dtype: np.dtype, scratch: Scratch | None = None) -> np.ndarray:
        """The padded cells of ``part`` (images, channels, *input): ``(images, channels, *extent)``.

        A view of ``part`` comes back when no fill cell is read, every source is a plain range
        and no dtype conversion is needed; otherwise a copy (into ``scratch``'s ``"cells"``
        buffer if given), and at most two buffers of the result's size exist at once (the
        engine's cost estimates count the cells twice).
        """
        sub = part[self.picks]
        if not self.needs_fill:
            return sub.astype(dtype, copy=False)
        # Fill only the border (fill cells) of a reused buffer, then copy the input cells inside.
        shape = (part.shape[0], part.shape[1], *self.shape)
        slab = np.empty(shape, dtype=dtype) if scratch is None else scratch.take("cells", shape)
        for axis, inside in enumerate(self.destination):
            before: list[slice] = [slice(None)] * len(self.destination)
            after: list[slice] = [slice(None)] * len(self.destination)
            before[axis], after[axis] = slice(0, inside.start), slice(inside.stop, None)
            slab[spatial_index(*before)] = self.fill
            slab[spatial_index(*after)] = self.fill
        slab[spatial_index(*self.destination)] = sub
        return slab


def gather_padded(
    x: np.ndarray,
    batch: tuple[int, int],
    axes: Sequence[AxisWindows],
    spatial: Sequence[tuple[int, int]],
    sources: Sequence[np.ndarray],
    fill: float | int,
    dtype: np.dtype,
    scratch: Scratch | None = None,
) -> np.ndarray:
    """The padded cells that outputs ``spatial`` of images ``batch`` read: ``(nb, C, *extent)``.

    See :class:`PaddedCells`.
    """
    return PaddedCells(axes, spatial, sources, fill).gather(x[batch[0] : batch[1]], dtype, scratch)


def tap_views(
    slab: np.ndarray, axes: Sequence[AxisWindows], spatial: Sequence[tuple[int, int]]
) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
    """For each kernel tap (row-major), the strided view of ``slab`` it reads for the block."""
    for taps in itertools.product(*(range(a.kernel_size) for a in axes)):
        index = tuple(a.block_slice(t, start, stop) for a, t, (start, stop) in zip(axes, taps, spatial, strict=True))
        yield taps, slab[spatial_index(*index)]


def tap_starts(axes: Sequence[AxisWindows], spatial: Sequence[tuple[int, int]]) -> list[list[int]] | None:
    """Per tap (row-major), the start of ``block_slice(t)`` on each axis; ``None`` if a step is not 1."""
    starts = []
    for taps in itertools.product(*(range(a.kernel_size) for a in axes)):
        slices = [a.block_slice(t, lo, hi) for a, t, (lo, hi) in zip(axes, taps, spatial, strict=True)]
        if any(sl.step != 1 for sl in slices):
            return None
        starts.append([sl.start for sl in slices])
    return starts


def wide_grid(
    cells: np.ndarray,
    axes: Sequence[AxisWindows],
    spatial: Sequence[tuple[int, int]],
    starts: list[list[int]] | None = None,
) -> tuple[list[int], int, list[int]] | None:
    """With unit steps, every tap reads a shifted window of the same flattened cells.

    Output ``o`` of tap ``t`` reads flat cell ``sum_a (o_a + start_a(t)) * pitch_a``, where
    ``start_a(t)`` is ``block_slice(t).start`` (:func:`tap_starts`, pass it to save its cost) and
    ``pitch_a`` the cells' stride along axis ``a`` (in cells). On the "wide" grid
    ``q = sum_a o_a * pitch_a`` (every padded row, the extra columns being ignored later) tap
    ``t`` is the contiguous run ``flat[offset(t) : offset(t) + length]``.

    Returns ``(pitch, length, offsets)`` or ``None`` when some step is not 1 or the cells are not
    contiguous. Crop a wide result with strides ``pitch_a`` (see :func:`crop_wide`).
    """
    if starts is None:
        starts = tap_starts(axes, spatial)
    if starts is None or not cells.flags.c_contiguous:
        return None
    ndim = len(axes)
    pitch = [math.prod(cells.shape[3 + a :]) for a in range(ndim)]
    length = sum((hi - lo - 1) * p for (lo, hi), p in zip(spatial, pitch, strict=True)) + 1
    offsets = [sum(start * p for start, p in zip(tap, pitch, strict=True)) for tap in starts]
    return pitch, length, offsets


def crop_wide(wide: np.ndarray, pitch: Sequence[int], sizes: Sequence[int], axis: int) -> np.ndarray:
    """View of a wide-grid array (wide grid along ``axis``) as the output grid ``sizes``."""
    item_stride = wide.strides[axis]
    shape = (*wide.shape[:axis], *sizes, *wide.shape[axis + 1 :])
    strides = (*wide.strides[:axis], *(p * item_stride for p in pitch), *wide.strides[axis + 1 :])
    return np.lib.stride_tricks.as_strided(wide, shape=shape, strides=strides, writeable=False)


def copy_in_row_chunks(target: np.ndarray, source: np.ndarray, axis: int, cells: int = 2048) -> None:
    """``target[...] = source`` in chunks along ``axis`` of about ``cells`` positions each.

    For a transposing copy (``source`` a transposed view) this keeps the source cache lines
    that one chunk touches in a core's cache, instead of streaming the whole array per row.
    """
    per_row = math.prod(target.shape[axis + 1 :])
    step = max(1, cells // max(per_row, 1))
    for start in range(0, target.shape[axis], step):
        index = (slice(None),) * axis + (slice(start, start + step),)
        np.copyto(target[index], source[index])


class Scratch:
    """Named scratch buffers reused from block to block (no fresh pages, no allocator churn).

    ``take(name, shape)`` returns a C-contiguous view of the buffer ``name``; the buffer grows
    only if a later block needs more. Every block after the first is at most as large, so each
    buffer is allocated once.
    """

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype
        self.buffers: dict[str, np.ndarray] = {}

    def take(self, name: str, shape: Sequence[int]) -> np.ndarray:
        size = math.prod(shape)
        buffer = self.buffers.get(name)
        if buffer is None or buffer.size < size:
            self.buffers.pop(name, None)
            buffer = self.buffers[name] = np.empty(size, dtype=self.dtype)
        return buffer[:size].reshape(shape)


def prod(values: Sequence[int]) -> int:
    return math.prod(values)
