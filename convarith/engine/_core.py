"""Private machinery of the engine: blocks of outputs, padded extents and kernel taps.

Every engine function follows the same steps:

1. ``window_map`` gives the windows along each axis (output sizes from :mod:`convarith.arithmetic.formulas`);
2. :func:`plan_block` picks a block shape whose temporary buffers fit in
   :data:`convarith.engine.memory.MAX_TEMPORARY_BYTES`, and :func:`iterate_blocks` walks the output
   block by block;
3. a :class:`BlockReader` hands over, for each kernel tap, one array holding that tap's input for
   every output of the block. Usually ("dense") it copies the padded cells the block reads (its
   ``padded_extent`` on every axis) once, or takes a view when no padding or conversion is
   needed, and each tap is the strided view ``block_slice(t)`` of them. When the kernel reads only
   a small fraction of those cells (huge strides or dilations, see :func:`reads_sparsely`) it
   gathers each tap's cells directly instead, so memory and time follow the output and the
   kernel, never the stride, dilation or padding.

The conv folds the taps into a column matrix and one GEMM; pooling folds them into a running
max or sum. There is no Python loop over output positions, only over blocks and kernel taps.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from convarith.arithmetic import validate
from convarith.arithmetic.validate import axis_label, check_choice, check_int, check_minimum
from convarith.arithmetic.windows import AxisWindows
from convarith.engine.memory import number_text

BlockRange = tuple[tuple[int, int], ...]


# --------------------------------------------------------------------------------------------
# argument checks shared by the public functions


def check_bool(value: Any, name: str) -> bool:
    return validate.check_bool(value, name)  # the one gate: a short message, never a whole repr


def split_batch(x: np.ndarray, ndim: int, name: str = "x", plain: bool = True) -> tuple[np.ndarray, int]:
    """``x`` as ``(N, C, *spatial)``, and the number of leading axes added to make it so.

    0 for batched ``(N, C, *spatial)``, 1 for unbatched ``(C, *spatial)``, 2 for a plain array
    ``(*spatial)``: one image with one channel (refused when ``plain`` is false). Undo with
    :func:`restore`.
    """
    added = ndim + 2 - x.ndim
    if added in (0, 1) or (added == 2 and plain):
        return x[(None,) * added], added
    shapes = f"{ndim + 2} or {ndim + 1}" + (f" or {ndim}" if plain else "")
    raise ValueError(
        f"`{name}` must have shape (N, C, *spatial) or (C, *spatial)"
        + (" or (*spatial)" if plain else "")
        + f" with {ndim} spatial {'axis' if ndim == 1 else 'axes'} ({shapes} dimensions), "
        f"got {x.ndim} dimensions: {x.shape}"
    )


def restore(out: np.ndarray, added: int) -> np.ndarray:
    """Drop the ``added`` leading axes of :func:`split_batch` again (an unbatched or plain result)."""
    return out[(0,) * added] if added else out


def spatial_axes_of_int(x: np.ndarray, name: str, value: Any) -> int:
    """The number of axes an int ``name`` (a kernel size, a padding) applies to, never guessed.

    A 1-d ``x`` reads one way (a plain signal). A 2-d ``x`` reads two ways (a plain image
    ``(H, W)``, or unbatched ``(C, L)``) and a ``D``-d one three (batched, unbatched, plain): the
    call is refused with the readings and how to choose (``ndim=``, or one size per axis).
    """
    d = x.ndim
    number = check_int(value, name)
    if d == 1:
        return 1
    if d == 0:
        raise ValueError(f"`x` must have at least one axis, got a 0-d array {x.shape}")
    if d == 2:
        readings = (
            "read two ways: a plain image (H, W) has 2 spatial axes, unbatched (C, L) has 1; pass ndim=2 or "
            f"ndim=1, or one size per spatial axis, e.g. {name}={(number, number)!r} for the plain image"
        )
    else:
        readings = (
            f"read three ways: batched (N, C, *spatial) has {d - 2} spatial {'axis' if d == 3 else 'axes'}, "
            f"unbatched (C, *spatial) has {d - 1}, a plain array (*spatial) has {d}; pass ndim={d - 2}, "
            f"ndim={d - 1} or ndim={d}, or one size per spatial axis, e.g. {name}={(number,) * (d - 1)!r} "
            "for (C, *spatial)"
        )
    raise ValueError(f"`{name}` {number} is one int and `x` has {d} dimensions {x.shape}, which {readings}")


def padding_cause(axes: Sequence[AxisWindows], otherwise: str) -> str:
    """What makes a layer's output large, for :func:`convarith.engine.memory.check_result_size`.

    The padding when it adds more cells than the input has on some axis (``"`padding` 1000000"``),
    else ``otherwise`` (the input's and the weight's shapes).
    """
    pads = [a.padding for a in axes]
    if not any(sum(p) > a.input_size for p, a in zip(pads, axes, strict=True)):
        return otherwise
    if all(p == pads[0] for p in pads) and pads[0][0] == pads[0][1]:
        return f"`padding` {number_text(pads[0][0])}"
    if all(p[0] == p[1] for p in pads):
        return f"`padding` {number_text(tuple(p[0] for p in pads))}"
    return f"`padding` {number_text(tuple(pads))}"


def plain_kernel(x: np.ndarray, w: np.ndarray, ndim: Any, layout: str) -> bool:
    """Whether ``weight`` is a plain kernel (no channel axes) for a plain ``x`` (see :func:`convarith.conv`).

    Default: a weight of 1 or 2 dimensions is plain; ``ndim`` chooses for more (``weight.ndim``:
    plain, ``weight.ndim - 2``: ``layout``, the channel layout).
    """
    if w.ndim == 0:
        raise ValueError(f"`weight` must have at least one axis (a plain kernel) or be {layout}")
    if ndim is None:
        plain = w.ndim < 3
    else:
        count = check_minimum(ndim, "ndim", 1)
        if count not in (w.ndim, w.ndim - 2):
            raise ValueError(
                f"`ndim` {count} does not fit `weight` of shape {w.shape}: a plain kernel has ndim dimensions, "
                f"{layout} has ndim + 2"
            )
        plain = count == w.ndim
    if plain and x.ndim != w.ndim:
        raise ValueError(
            f"`weight` {w.shape} is a plain {w.ndim}-d kernel (no channel axes), so `x` must be a plain {w.ndim}-d "
            f"array, got shape {x.shape}; for channels give `weight` the shape {layout}"
        )
    return plain


def plain_bias(bias: Any) -> np.ndarray:
    """The bias of a plain kernel: one number, as a ``(1,)`` array."""
    b = np.asarray(bias)
    if b.size != 1 or b.ndim > 1:
        raise ValueError(f"`bias` of a plain kernel (one output) must be one number, got shape {b.shape}")
    return b.reshape(1)


COORDINATE_LIMIT = 2**62
"""Largest window coordinate term (``(o - 1)*s``, ``(k - 1)*d``, a padding) the engine indexes with."""


def check_coordinates(axes: Sequence[AxisWindows]) -> None:
    """Refuse a layer whose window coordinates ``o*s + t*d - pb`` would not fit int64 index arrays.

    Each term (and each factor) must be below :data:`COORDINATE_LIMIT` (``2**62``), so their sum
    fits int64; the error names the argument (a stride, dilation or padding of ``2**63``
    overflowed NumPy).
    """
    for axis, a in enumerate(axes):
        where = axis_label(axis, len(axes))
        terms = (  # (NumPy also refuses the factor itself beyond int64, even times 0)
            ("stride", a.stride, max(a.output_size - 1, 1) * a.stride),
            ("dilation", a.dilation, max(a.kernel_size - 1, 1) * a.dilation),
            ("padding", a.padding, max(a.padding)),
        )
        for name, value, term in terms:
            if term >= COORDINATE_LIMIT:
                raise ValueError(
                    f"`{name}` {number_text(value)}{where} puts window coordinates at {number_text(term)} or "
                    "beyond, more than the "
                    f"engine's index arrays hold (2**62); use a smaller {name}"
                )


def check_spatial_cells(x: np.ndarray, ndim: int, name: str = "x") -> None:
    """Every spatial axis needs a cell (zero images or zero channels are fine: an empty result)."""
    if 0 in x.shape[x.ndim - ndim :]:
        raise ValueError(f"`{name}` must have at least one cell per spatial axis, got shape {x.shape}")


# --------------------------------------------------------------------------------------------
# what each padded cell holds, without building the padded axis


class AxisSources:
    """:meth:`AxisWindows.padded_sources` of one axis, evaluated only where asked.

    ``at(c)`` is the input index that fills input coordinate ``c`` (``-pb <= c``), or ``-1``
    for a fill (zero or ``-inf``) cell. The table is built for the padding clipped to the input
    size: beyond that, zero and replicate padding repeat their outermost cell (reflect and
    circular padding are never wider than the input), so memory is ``O(input)`` whatever the
    padding.
    """

    def __init__(self, a: AxisWindows, mode: str) -> None:
        check_choice(mode, "mode", ("zeros", "reflect", "replicate", "circular"))
        i, (pb, pe) = a.input_size, a.padding
        before, after = min(pb, i), min(pe, i)
        clipped = AxisWindows(i, 1, 1, (before, after), 1, before + i + after)
        self.table = clipped.padded_sources(mode)
        self.before = before
        self.end = i + pe  # coordinates from here on are the ceil-mode overhang: always fill

    def at(self, coordinates: np.ndarray) -> np.ndarray:
        index = np.clip(coordinates + self.before, 0, len(self.table) - 1)
        return np.where(coordinates >= self.end, -1, self.table[index])


def reads_sparsely(axes: Sequence[AxisWindows]) -> bool:
    """Whether the kernel reads so few of the padded cells that they are gathered tap by tap.

    Dense copies ``prod((o - 1)*s + ek)`` padded cells per channel; the kernel reads at most
    ``prod(o * k)`` of them. With huge strides or dilations (or padding only they reach) the
    first is many times the second: then each tap's cells are gathered directly.
    """
    dense = prod([(a.output_size - 1) * a.stride + a.effective_kernel_size for a in axes])
    sparse = prod([a.output_size * a.kernel_size for a in axes])
    return dense > 16 * sparse


def rereads_halo(axes: Sequence[AxisWindows], extents: Sequence[int], block: Sequence[int]) -> bool:
    """Whether dense blocks of ``block`` (batch, *output) recopy their halo more than gathering taps reads.

    A block of a few outputs copies ``(ek - 1)`` cells around it on each axis: with a huge
    dilation and blocks smaller than a row (the budget), the copies reach
    ``blocks * prod(extent)``, many times the ``N * prod(o) * prod(k)`` cells the taps read.
    """
    if 0 in extents:
        return False  # nothing to read
    blocks = prod([-(-e // b) for e, b in zip(extents, block, strict=True)])
    copied = blocks * block[0] * prod(extent_sizes(axes, block[1:]))
    return copied > 16 * extents[0] * prod(extents[1:]) * prod([a.kernel_size for a in axes])


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
    """``((start, stop), ...)`` per axis for every block, in row-major order (none if an extent is 0)."""
    if 0 in extents:
        return iter(())
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

    ``sources[a]`` gives the input index that fills each cell of axis ``a``, or ``-1`` for a
    ``fill`` cell (see :class:`AxisSources`).
    """

    def __init__(
        self,
        axes: Sequence[AxisWindows],
        spatial: Sequence[tuple[int, int]],
        sources: Sequence[AxisSources],
        fill: float | int,
    ) -> None:
        self.fill = fill
        self.shape: list[int] = []
        self.destination: list[slice] = []
        picks: list[slice | np.ndarray] = []
        self.needs_fill = False
        for a, (start, stop), source in zip(axes, spatial, sources, strict=True):
            extent = a.padded_extent(start, stop)
            cells = source.at(np.arange(extent.start - a.padding[0], extent.stop - a.padding[0]))
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
        self.inside = spatial_index(*self.destination)  # where the input cells go in the buffer
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
        sub: np.ndarray = part[self.picks]
        if not self.needs_fill:
            return sub.astype(dtype, copy=False)
        # Fill only the border (fill cells) of a reused buffer, then copy the input cells inside.
        shape = (part.shape[0], part.shape[1], *self.shape)
        slab = np.empty(shape, dtype=dtype) if scratch is None else scratch.take("cells", shape)
        self.fill_border(slab)
        slab[self.inside] = sub
        return slab

    def fill_border(self, slab: np.ndarray) -> None:
        """Write ``fill`` into the cells of ``slab`` (images, channels, *shape) that no input fills."""
        for axis, inside in enumerate(self.destination):
            before: list[slice] = [slice(None)] * len(self.destination)
            after: list[slice] = [slice(None)] * len(self.destination)
            before[axis], after[axis] = slice(0, inside.start), slice(inside.stop, None)
            slab[spatial_index(*before)] = self.fill
            slab[spatial_index(*after)] = self.fill


def gather_padded(
    x: np.ndarray,
    batch: tuple[int, int],
    axes: Sequence[AxisWindows],
    spatial: Sequence[tuple[int, int]],
    sources: Sequence[AxisSources],
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


class BlockReader:
    """What each kernel tap reads, block by block, for one input (see the module notes).

    Dense (the usual case): :meth:`cells` copies the padded cells of a block once and
    :meth:`taps` yields their strided views. Sparse (:func:`reads_sparsely`): :meth:`taps`
    gathers each tap's cells from the input directly, ``(images, C, *block)`` per tap.
    """

    def __init__(
        self,
        x: np.ndarray,
        axes: Sequence[AxisWindows],
        mode: str,
        fill: float | int,
        dtype: np.dtype,
        sparse: bool | None = None,
    ) -> None:
        self.x, self.axes, self.mode, self.fill, self.dtype = x, tuple(axes), mode, fill, dtype
        self.sources = [AxisSources(a, mode) for a in axes]
        self.sparse = reads_sparsely(axes) if sparse is None else sparse
        # sparse: per axis, the input index each (output, tap) reads, -1 for a fill cell
        self.tap_sources = [s.at(a.indices()) for s, a in zip(self.sources, axes, strict=True)] if self.sparse else []

    def cells_cost(self, images: int, block: Sequence[int]) -> int:
        """Values held at once for a block's cells (dense: twice the extent, see gather)."""
        channels: int = self.x.shape[1]
        if self.sparse:  # one tap's gathered cells, the index grid and the fill mask
            return 3 * images * channels * prod(block)
        return 2 * images * channels * prod(extent_sizes(self.axes, block))

    def cells(self, batch: tuple[int, int], spatial: Sequence[tuple[int, int]], scratch: Scratch | None) -> np.ndarray:
        """The padded cells of the block (dense only): ``(images, C, *extent)``."""
        return gather_padded(self.x, batch, self.axes, spatial, self.sources, self.fill, self.dtype, scratch)

    def taps(
        self, batch: tuple[int, int], spatial: Sequence[tuple[int, int]], scratch: Scratch | None = None
    ) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
        """For each kernel tap (row-major), its input for every output of the block."""
        if not self.sparse:
            yield from tap_views(self.cells(batch, spatial, scratch), self.axes, spatial)
            return
        part = self.x[batch[0] : batch[1]]
        for taps in itertools.product(*(range(a.kernel_size) for a in self.axes)):
            index = [src[lo:hi, t] for src, t, (lo, hi) in zip(self.tap_sources, taps, spatial, strict=True)]
            grid = np.ix_(*(np.maximum(i, 0) for i in index))
            values = part[spatial_index(*grid)].astype(self.dtype, copy=False)
            if any((i < 0).any() for i in index):
                # (np.ix_ would read boolean arrays as masks: pass 0/1 integers)
                mask = functools.reduce(np.logical_and, np.ix_(*((i >= 0).astype(np.int8) for i in index)))
                values = np.where(mask, values, np.asarray(self.fill, dtype=self.dtype))
            yield taps, values
