"""Animation frames as data: what each step of an operation reads and writes.

A :class:`Scene` is what one animated figure shows: one or more :class:`Panel` s (an input
grid, a kernel, an output grid) and, for each step, a :class:`Frame` listing the cells that are
highlighted. Everything is computed from :func:`convarith.window_map` (the same index map the
engine slices with), so a picture always shows what the engine computes; numbers, when asked
for, come from the engine itself. Nothing here imports matplotlib: :mod:`convarith.anim.render`
draws scenes.

Coordinates of an input grid are the window map's: ``-1`` is the first padding cell, ``0`` the
first input cell. In the guide's view of a transposed convolution the input grid is the
*stretched* input (``s - 1`` zeros inserted between units), with the equivalent padding ``p'``.

References
----------
.. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
   arXiv:1603.07285, 2016.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from convarith.arithmetic.formulas import axes_layout, same_padding, transpose_equivalent
from convarith.arithmetic.geometry import Geometry, geometry
from convarith.arithmetic.validate import check_choice, check_minimum, per_axis
from convarith.arithmetic.windows import WindowMap, window_map
from convarith.typing import IntOrTuple, PaddingLike, PadPair

__all__ = [
    "GUIDE_INPUT",
    "GUIDE_KERNEL",
    "Cell",
    "ChannelFrame",
    "ChannelScene",
    "Frame",
    "Panel",
    "Scene",
    "conv_scene",
    "group_scene",
    "pool_scene",
    "same_comparison_scene",
    "symmetric_scene",
    "transpose_scene",
]

Coord = tuple[int, ...]
CellKind = Literal["input", "padding", "overhang", "zero", "output", "cropped"]
PanelKind = Literal["conv", "max_pool", "avg_pool", "transpose", "transpose_scatter"]

GUIDE_KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], dtype=np.int64)
"""The 3x3 kernel of the guide's numerical convolution figure."""

GUIDE_INPUT = np.array(
    [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], dtype=np.int64
)
"""The 5x5 input of the guide's ``numerical_no_padding_no_strides`` figure (output 12 12 17 / 10 17 19 /
9 6 14 with :data:`GUIDE_KERNEL`)."""

# The corner each group of Wu et al.'s C2sp pads towards, as (top, bottom), (left, right).
_C2SP_GROUP_PADS: tuple[tuple[PadPair, PadPair], ...] = (
    ((0, 1), (0, 1)),
    ((1, 0), (1, 0)),
    ((0, 1), (1, 0)),
    ((1, 0), (0, 1)),
)
_CORNER_NAMES = {
    ((0, 1), (0, 1)): "bottom-right",
    ((1, 0), (1, 0)): "top-left",
    ((0, 1), (1, 0)): "bottom-left",
    ((1, 0), (0, 1)): "top-right",
}


@dataclass(frozen=True)
class Cell:
    """One highlighted cell.

    Attributes
    ----------
    coord : tuple of int
        Grid coordinates (input-grid cells may be negative: padding).
    tap : tuple of int or None
        The kernel tap that reads (or, in the scatter view, writes) this cell.
    kind : {'input', 'padding', 'overhang', 'zero', 'output', 'cropped'}
        ``'zero'`` is a zero inserted by a transposed convolution; ``'cropped'`` an output cell
        that the transposed convolution's padding removes.
    """

    coord: Coord
    tap: Coord | None
    kind: CellKind


@dataclass(frozen=True, eq=False)
class Frame:
    """One step: the input cells read and the output cells written.

    Attributes
    ----------
    step : int
    reads : tuple of Cell
        Highlighted input-grid cells, with the kernel tap reading each (direct views).
    writes : tuple of Cell
        Highlighted output-grid cells (one for a convolution; the kernel's footprint in the
        scatter view of a transposed convolution).
    gaps : tuple of tuple of int
        Input-grid cells inside the dilated kernel's footprint that no tap reads.
    winner : tuple of int or None
        Max pooling: the input cell that wins (the engine's ``return_indices``).
    output_values : ndarray or None
        Numerical mode: the output grid as shown after this step (NaN where not computed yet).
    """

    step: int
    reads: tuple[Cell, ...]
    writes: tuple[Cell, ...]
    gaps: tuple[Coord, ...] = ()
    winner: Coord | None = None
    output_values: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Panel:
    """One input grid, its kernel and its output grid, with a frame per step.

    Attributes
    ----------
    kind : {'conv', 'max_pool', 'avg_pool', 'transpose', 'transpose_scatter'}
    input_shape, output_shape : tuple of int
        Spatial sizes of the drawn grids (for ``'transpose'``: the stretched input).
    input_padding : tuple of (before, after)
        Padding drawn around the input grid.
    output_crop : tuple of (before, after)
        Scatter view: output cells written then cropped away by the transposed padding.
    kernel_shape, stride, dilation : tuple of int
        Of the drawn (direct) convolution.
    zeros : frozenset of tuple of int
        Zero-inserted input-grid cells (transposed view).
    overhang : tuple of int
        Ceil-mode pooling: cells past the padding that the last windows reach (never read).
    input_label, output_label : str
        ``"input 5×5"``, ``"output 3×3"``: what the grids are, with their sizes.
    title : str
    caption : tuple of str
        The formula lines with numbers substituted (:meth:`convarith.arithmetic.Geometry.formulas`).
    input_values, kernel_values : ndarray or None
        Numerical mode: the unpadded input grid and the kernel as drawn (flipped for the
        transposed direct view).
    frames : tuple of Frame
    windows : WindowMap
        The window map the frames were read from.
    """

    kind: PanelKind
    input_shape: Coord
    output_shape: Coord
    input_padding: tuple[PadPair, ...]
    kernel_shape: Coord
    stride: Coord
    dilation: Coord
    input_label: str
    output_label: str
    title: str
    caption: tuple[str, ...]
    frames: tuple[Frame, ...]
    windows: WindowMap
    output_crop: tuple[PadPair, ...] = ()
    zeros: frozenset[Coord] = frozenset()
    overhang: tuple[int, ...] = ()
    input_values: np.ndarray | None = None
    kernel_values: np.ndarray | None = None

    @property
    def ndim(self) -> int:
        """Number of spatial axes (1 or 2 can be drawn)."""
        return len(self.input_shape)

    @property
    def footprint_on_output(self) -> bool:
        """Whether the kernel footprint is drawn on the output grid (scatter view)."""
        return self.kind == "transpose_scatter"


@dataclass(frozen=True, eq=False)
class Scene:
    """An animated figure: one or more panels stepping together.

    Attributes
    ----------
    name : str
        File-name stem (the guide's figure names where they match).
    title : str
    panels : tuple of Panel
        All with the same number of frames.
    geometry : Geometry or None
        The layer the scene shows (caption source).
    columns : int or None
        Panels per row in a picture (None: whatever leaves the cells largest).
    caption : tuple of str
        Caption of a scene with several panels (one panel's caption is its own).
    """

    name: str
    title: str
    panels: tuple[Panel, ...]
    geometry: Geometry | None = None
    columns: int | None = None
    caption: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.panels[0].frames)

    def __repr__(self) -> str:
        shapes = "; ".join(f"{p.input_label} -> {p.output_label}" for p in self.panels)
        return f"Scene({self.name!r}: {shapes}, {len(self)} frames)"


@dataclass(frozen=True)
class ChannelFrame:
    """One output channel of a grouped convolution and the input channels it reads.

    Attributes
    ----------
    step : int
    output_channel : int
    input_channels : tuple of int
    group : int
    """

    step: int
    output_channel: int
    input_channels: tuple[int, ...]
    group: int


@dataclass(frozen=True, eq=False)
class ChannelScene:
    """The channel view of a grouped (or depthwise) convolution: one frame per output channel.

    Attributes
    ----------
    name, title : str
    in_channels, out_channels, groups : int
    caption : tuple of str
    frames : tuple of ChannelFrame
    """

    name: str
    title: str
    in_channels: int
    out_channels: int
    groups: int
    caption: tuple[str, ...]
    frames: tuple[ChannelFrame, ...]

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return (
            f"ChannelScene({self.name!r}: {self.in_channels} -> {self.out_channels} channels, "
            f"groups {self.groups}, {len(self)} frames)"
        )


# --------------------------------------------------------------------------------------------
# helpers


def _size_text(shape: Sequence[int]) -> str:
    return "×".join(str(n) for n in shape)


def _param_text(values: Sequence[int]) -> str:
    """``2`` when every axis agrees, else ``1×2``."""
    return str(values[0]) if len(set(values)) == 1 else _size_text(values)


def _pad_text(pads: Sequence[PadPair]) -> str:
    """``1`` (everywhere), ``1:2`` (before:after on every axis), ``1×2`` or ``0:1, 1:0`` per axis."""
    if len(set(pads)) == 1:
        pb, pe = pads[0]
        return str(pb) if pb == pe else f"{pb}:{pe}"
    if all(a == b for a, b in pads):
        return "×".join(str(a) for a, _ in pads)
    return ", ".join(f"{a}:{b}" for a, b in pads)


def _gaps(windows: WindowMap, reads: Sequence[Cell]) -> tuple[Coord, ...]:
    if all(a.dilation == 1 for a in windows.axes):
        return ()
    read = {c.coord for c in reads}
    lows = [min(c.coord[x] for c in reads) for x in range(len(windows.axes))]
    highs = [max(c.coord[x] for c in reads) for x in range(len(windows.axes))]
    box = itertools.product(*(range(lo, hi + 1) for lo, hi in zip(lows, highs, strict=True)))
    return tuple(c for c in box if c not in read)


def _engine() -> Any:
    """The engine module (imported on demand: it is written alongside the pictures)."""
    import convarith.engine.convolution as engine

    return engine


def _as_int_array(values: Any, name: str, shape: Sequence[int] | None = None) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"`{name}` must be an array of numbers, got dtype {array.dtype}")
    if shape is not None and array.shape != tuple(shape):
        raise ValueError(f"`{name}` must have shape {tuple(shape)}, got {array.shape}")
    return array


def _default_input(shape: Sequence[int], seed: int) -> np.ndarray:
    from convarith.testing import random_array

    return random_array(shape, seed=seed, dtype=np.int64, low=0, high=3)


def _default_kernel(shape: Sequence[int], seed: int) -> np.ndarray:
    if tuple(shape) == (3, 3):
        return GUIDE_KERNEL.copy()
    from convarith.testing import random_array

    return random_array(shape, seed=seed + 1, dtype=np.int64, low=0, high=2)


def _direct_frames(
    windows: WindowMap,
    zeros: frozenset[Coord] = frozenset(),
    output_values: np.ndarray | None = None,
    winners: dict[Coord, Coord] | None = None,
) -> tuple[Frame, ...]:
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


def _caption(geo: Geometry) -> tuple[str, ...]:
    lines = geo.formulas()
    if len(lines) == 1:
        return tuple(lines)
    if len(set(lines)) == 1:
        return (lines[0] + "  (each axis)",)
    return tuple(f"{'rows' if x == 0 else 'columns'}: {line}" for x, line in enumerate(lines))


def _transposed_note(geo: Geometry) -> str:
    """The second caption line of the guide's view: its relationship, when one applies."""
    from convarith.arithmetic.formulas import relationship

    note = "drawn as the guide's equivalent stride-1 convolution, kernel flipped, p′ = ek − 1 − p"
    axes = geo.axes
    same = len({(a.kernel_size, a.stride, a.padding, a.dilation) for a in axes}) == 1
    (pb, pe), d = axes[0].padding, axes[0].dilation
    if not same or pb != pe or d != 1:
        return note
    # the forward convolution's input size is the transposed output size (a restores an odd size)
    forward_input = axes[0].output_size
    r = relationship(axes[0].kernel_size, axes[0].stride, pb, transposed=True, input_size=forward_input)
    return f"{note}; relationship {r.number}: {r.formula}"


def _unit_batch(x: np.ndarray) -> np.ndarray:
    """(*spatial) -> (1, 1, *spatial)."""
    return x[None, None]


# --------------------------------------------------------------------------------------------
# convolution


def conv_scene(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: PaddingLike | str = 0,
    dilation: IntOrTuple = 1,
    *,
    convention: str = "tensorflow",
    numbers: bool = False,
    input_values: Any = None,
    kernel_values: Any = None,
    seed: int = 0,
    name: str | None = None,
    title: str | None = None,
) -> Scene:
    """The frames of a convolution: one per output cell, as in the guide's figures.

    Parameters
    ----------
    input_size, kernel_size, stride, dilation : int or tuple of int
        One or two spatial axes (a 1-D convolution is drawn as a single row).
    padding : int, (before, after), per-axis tuple, or str
        As in :func:`convarith.arithmetic.geometry` (``'same'`` uses ``convention``).
    numbers : bool
        Numerical mode: input values, kernel weights and each output value, computed by
        :func:`convarith.conv`.
    input_values, kernel_values : array_like, optional
        Values for numerical mode (default: seeded integers in 0..3 and the guide's kernel).
    seed : int
        Seed of the default values.
    name, title : str, optional

    Returns
    -------
    Scene

    Notes
    -----
    Frame ``n`` shows output cell ``o`` (row-major) reading input cells ``o*s + t*d - pb`` for
    every kernel tap ``t`` (:meth:`convarith.arithmetic.WindowMap.reads`); there are
    ``prod(floor((i + pb + pe - ek)/s) + 1)`` frames.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> scene = conv_scene((5, 5), 3, stride=2, padding=1)  # padding_strides
    >>> len(scene)  # one frame per output cell
    9
    >>> [c.coord for c in scene.panels[0].frames[0].reads][:4]
    [(-1, -1), (-1, 0), (-1, 1), (0, -1)]
    """
    geo = geometry("conv", input_size, kernel_size, stride, padding, dilation, convention=convention)
    if len(geo.axes) > 2:
        raise ValueError(f"pictures have 1 or 2 spatial axes, got {len(geo.axes)}: `input_size` {input_size!r}")
    shape = geo.input_shape
    pads = geo.padding
    windows = window_map(
        shape, [a.kernel_size for a in geo.axes], [a.stride for a in geo.axes], pads, [a.dilation for a in geo.axes]
    )
    x = w = out = None
    if numbers or input_values is not None or kernel_values is not None:
        x = _default_input(shape, seed) if input_values is None else _as_int_array(input_values, "input_values", shape)
        w = (
            _default_kernel(windows.kernel_shape, seed)
            if kernel_values is None
            else _as_int_array(kernel_values, "kernel_values", windows.kernel_shape)
        )
        out = _engine().conv(
            _unit_batch(x),
            _unit_batch(w),
            stride=tuple(a.stride for a in geo.axes),
            padding=tuple(pads),
            dilation=tuple(a.dilation for a in geo.axes),
        )[0, 0]
    frames = _direct_frames(windows, output_values=out)
    k = windows.kernel_shape
    default_title = f"Convolution: kernel {_size_text(k)}, stride {_param_text(tuple(a.stride for a in geo.axes))}"
    default_title += f", padding {_pad_text(pads)}"
    if any(a.dilation != 1 for a in geo.axes):
        default_title += f", dilation {_param_text(tuple(a.dilation for a in geo.axes))}"
    if isinstance(padding, str):
        default_title += f" ({padding}" + (f", {convention})" if padding == "same" else ")")
    panel = Panel(
        kind="conv",
        input_shape=shape,
        output_shape=windows.output_shape,
        input_padding=pads,
        kernel_shape=k,
        stride=tuple(a.stride for a in geo.axes),
        dilation=tuple(a.dilation for a in geo.axes),
        input_label=f"input {_size_text(shape)}" + (f", padding {_pad_text(pads)}" if any(map(any, pads)) else ""),
        output_label=f"output {_size_text(windows.output_shape)}",
        title=title or default_title,
        caption=_caption(geo),
        frames=frames,
        windows=windows,
        input_values=x,
        kernel_values=w,
    )
    return Scene(name or "convolution", title or default_title, (panel,), geo)


# --------------------------------------------------------------------------------------------
# pooling


def pool_scene(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: PaddingLike = 0,
    dilation: IntOrTuple = 1,
    *,
    mode: str = "max",
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    input_values: Any = None,
    seed: int = 0,
    name: str | None = None,
    title: str | None = None,
) -> Scene:
    """The frames of max or average pooling, always with numbers (values from the engine).

    Parameters
    ----------
    input_size, kernel_size, stride, padding, dilation : int or tuple of int
        As in :func:`convarith.max_pool` (stride defaults to the kernel size).
    mode : {'max', 'avg'}
    ceil_mode, count_include_pad : bool
        PyTorch's options (``count_include_pad`` for average pooling).
    input_values : array_like, optional
        Default: seeded integers in 0..9.

    Returns
    -------
    Scene
        For max pooling each frame's ``winner`` is the cell the engine's ``return_indices``
        points at.

    Notes
    -----
    PyTorch's rule (pooling uses :func:`convarith.pool_output_size`):
    ``o = floor((i + pb + pe - ek)/s) + 1``, in ceil mode rounded up unless the last window would
    start in the right padding.

    Examples
    --------
    >>> scene = pool_scene((5, 5), 3, stride=1, mode="max")  # the guide's numerical max pooling
    >>> len(scene), scene.panels[0].output_label
    (9, 'output 3×3')
    """
    check_choice(mode, "mode", ("max", "avg"))
    if stride is None:
        stride = kernel_size
    geo = geometry("pool", input_size, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode)
    if len(geo.axes) > 2:
        raise ValueError(f"pictures have 1 or 2 spatial axes, got {len(geo.axes)}: `input_size` {input_size!r}")
    shape = geo.input_shape
    pads = geo.padding
    ks = tuple(a.kernel_size for a in geo.axes)
    ss = tuple(a.stride for a in geo.axes)
    ds = tuple(a.dilation for a in geo.axes)
    windows = window_map(shape, ks, ss, pads, ds, ceil_mode=ceil_mode, pooling=True)
    if input_values is None:
        from convarith.testing import random_array

        x = random_array(shape, seed=seed, dtype=np.int64, low=0, high=9)
    else:
        x = _as_int_array(input_values, "input_values", shape)
    engine = _engine()
    winners = None
    if mode == "max":
        out, idx = engine.max_pool(
            _unit_batch(x), ks, stride=ss, padding=tuple(pads), dilation=ds, ceil_mode=ceil_mode, return_indices=True
        )
        out, idx = out[0, 0], idx[0, 0]
        winners = {pos: tuple(int(v) for v in np.unravel_index(int(idx[pos]), shape)) for pos in windows.positions()}
    else:
        if any(d != 1 for d in ds):
            raise ValueError(f"`dilation` {ds}: average pooling has no dilation (PyTorch's AvgPool)")
        out = engine.avg_pool(
            _unit_batch(x.astype(np.float64)),
            ks,
            stride=ss,
            padding=tuple(pads),
            ceil_mode=ceil_mode,
            count_include_pad=count_include_pad,
        )[0, 0]
    frames = _direct_frames(windows, output_values=out, winners=winners)
    overhang = tuple(a.overhang for a in windows.axes)
    word = "Max" if mode == "max" else "Average"
    default_title = f"{word} pooling: window {_size_text(ks)}, stride {_param_text(ss)}"
    if any(map(any, pads)):
        default_title += f", padding {_pad_text(pads)}"
    if ceil_mode:
        default_title += ", ceil mode"
    panel = Panel(
        kind="max_pool" if mode == "max" else "avg_pool",
        input_shape=shape,
        output_shape=windows.output_shape,
        input_padding=pads,
        kernel_shape=ks,
        stride=ss,
        dilation=ds,
        input_label=f"input {_size_text(shape)}" + (f", padding {_pad_text(pads)}" if any(map(any, pads)) else ""),
        output_label=f"output {_size_text(windows.output_shape)}",
        title=title or default_title,
        caption=_caption(geo),
        frames=frames,
        windows=windows,
        overhang=overhang if any(overhang) else (),
        input_values=x,
    )
    return Scene(name or f"{mode}_pooling", title or default_title, (panel,), geo)


# --------------------------------------------------------------------------------------------
# transposed convolution


def transpose_scene(
    input_size: IntOrTuple,
    kernel_size: IntOrTuple,
    stride: IntOrTuple = 1,
    padding: PaddingLike = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    *,
    view: str = "direct",
    numbers: bool = False,
    input_values: Any = None,
    kernel_values: Any = None,
    seed: int = 0,
    name: str | None = None,
    title: str | None = None,
) -> Scene:
    """The frames of a transposed convolution, as the guide draws it or as a scatter.

    Parameters
    ----------
    input_size, kernel_size, stride, padding, output_padding, dilation
        The transposed convolution's parameters (as :func:`convarith.conv_transpose`).
    view : {'direct', 'scatter'}
        ``'direct'``: the guide's equivalent stride-1 convolution over the input with ``s - 1``
        zeros inserted and padding ``p' = ek - 1 - p`` (one frame per output cell).
        ``'scatter'``: each input cell adds the kernel, scaled, onto the output (one frame per
        input cell); cells the padding crops away are drawn outside the output.
    numbers : bool
        Numerical mode (values from :func:`convarith.conv_transpose`).

    Returns
    -------
    Scene

    Notes
    -----
    Relationship 14 of [1]_: ``o' = s(i' - 1) + a + ek - pb - pe``. The direct view reads
    :meth:`convarith.arithmetic.WindowMap.reads` of the equivalent convolution; the scatter view reads the
    same method of the forward convolution (output size ``o'`` to ``i'``), whose output cell ``j``
    is the transposed convolution's input cell ``j``.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
       arXiv:1603.07285, 2016.

    Examples
    --------
    >>> scene = transpose_scene((2, 2), 3, stride=2)  # no_padding_strides_transposed
    >>> len(scene), scene.panels[0].input_shape, scene.panels[0].input_padding
    (25, (3, 3), ((2, 2), (2, 2)))
    >>> len(transpose_scene((2, 2), 3, stride=2, view="scatter"))  # one frame per input cell
    4
    """
    check_choice(view, "view", ("direct", "scatter"))
    geo = geometry("transpose", input_size, kernel_size, stride, padding, dilation, output_padding=output_padding)
    if len(geo.axes) > 2:
        raise ValueError(f"pictures have 1 or 2 spatial axes, got {len(geo.axes)}: `input_size` {input_size!r}")
    ndim = len(geo.axes)
    shape = geo.input_shape
    ks = tuple(a.kernel_size for a in geo.axes)
    ss = tuple(a.stride for a in geo.axes)
    ds = tuple(a.dilation for a in geo.axes)
    pads = geo.padding
    aa = tuple(a.output_padding for a in geo.axes)
    eqs = transpose_equivalent(shape, ks, ss, pads, aa, ds)
    x = w = out = None
    if numbers or input_values is not None or kernel_values is not None:
        x = _default_input(shape, seed) if input_values is None else _as_int_array(input_values, "input_values", shape)
        w = _default_kernel(ks, seed) if kernel_values is None else _as_int_array(kernel_values, "kernel_values", ks)
    transpose_fn: Callable[[np.ndarray], np.ndarray] | None = None
    if x is not None and w is not None:
        from convarith.engine import transpose as transpose_module

        weight = _unit_batch(w)

        def transpose_fn(values: np.ndarray) -> np.ndarray:
            result = transpose_module.conv_transpose(
                _unit_batch(values), weight, stride=ss, padding=tuple(pads), output_padding=aa, dilation=ds
            )
            return np.asarray(result)[0, 0]

        out = transpose_fn(x)
    sizes = f"input {_size_text(shape)}"
    pad_note = f", padding {_pad_text(pads)}" if any(map(any, pads)) else ""
    default_title = f"Transposed convolution: kernel {_size_text(ks)}, stride {_param_text(ss)}{pad_note}"
    if any(aa):
        default_title += f", output_padding {_param_text(aa)}"
    if any(d != 1 for d in ds):
        default_title += f", dilation {_param_text(ds)}"
    caption = _caption(geo)

    if view == "direct":
        eq_pads = tuple(e.padding for e in eqs)
        if any(p < 0 for pair in eq_pads for p in pair):
            raise ValueError(
                f"`padding` {pads} is larger than the dilated kernel size minus one "
                f"({[e.dilation * (e.kernel_size - 1) for e in eqs]}): the equivalent convolution would need "
                "negative padding; use view='scatter'"
            )
        stretched = tuple(e.stretched_size for e in eqs)
        windows = window_map(stretched, ks, 1, eq_pads, ds)
        zeros = frozenset(
            c for c in itertools.product(*(range(n) for n in stretched)) if any(c[x] % ss[x] for x in range(ndim))
        )
        kernel_drawn = None if w is None else np.flip(w).copy()
        frames = _direct_frames(windows, zeros=zeros, output_values=out)
        between = [e.zeros_between for e in eqs]
        label = sizes
        if any(between):
            count = str(between[0]) if len(set(between)) == 1 else "×".join(map(str, between))
            label += f" + {count} zero{'' if between == [1] * ndim else 's'} between"
        label += f", p′ = {_pad_text(eq_pads)}"
        stretched_values = None
        if x is not None:
            stretched_values = np.zeros(stretched, dtype=x.dtype)
            stretched_values[tuple(slice(None, None, s) for s in ss)] = x
        panel = Panel(
            kind="transpose",
            input_shape=stretched,
            output_shape=windows.output_shape,
            input_padding=eq_pads,
            kernel_shape=ks,
            stride=(1,) * ndim,
            dilation=ds,
            input_label=label,
            output_label=f"output {_size_text(windows.output_shape)}",
            title=title or default_title,
            caption=(*caption, _transposed_note(geo)),
            frames=frames,
            windows=windows,
            zeros=zeros,
            input_values=stretched_values,
            kernel_values=kernel_drawn,
        )
        return Scene(name or "transposed", title or default_title, (panel,), geo)

    # scatter: the forward convolution maps the transposed output (o') back to its input (i')
    out_shape = geo.output_shape
    forward = window_map(out_shape, ks, ss, pads, ds)
    if forward.output_shape != shape:  # pragma: no cover - guaranteed by the formulas
        raise AssertionError(f"forward map {forward.output_shape} != {shape}")
    scatter_frames: list[Frame] = []
    for step, j in enumerate(forward.positions()):
        writes = tuple(Cell(r.input, r.offset, "output" if r.kind == "input" else "cropped") for r in forward.reads(j))
        snapshot = None
        if transpose_fn is not None and x is not None:
            partial = np.zeros_like(x)
            flat = np.arange(x.size).reshape(shape)
            partial[flat <= flat[j]] = x[flat <= flat[j]]
            snapshot = transpose_fn(partial).astype(np.float64)
        scatter_frames.append(
            Frame(step=step, reads=(Cell(j, None, "input"),), writes=writes, gaps=(), output_values=snapshot)
        )
    # the last scatter reaches output cell (i' - 1)s + ek - 1 - pb = o' - 1 + pe - a
    crop = tuple((pb, max(pe - a, 0)) for (pb, pe), a in zip(pads, aa, strict=True))
    panel = Panel(
        kind="transpose_scatter",
        input_shape=shape,
        output_shape=out_shape,
        input_padding=((0, 0),) * ndim,
        kernel_shape=ks,
        stride=ss,
        dilation=ds,
        input_label=sizes,
        output_label=f"output {_size_text(out_shape)}"
        + (f" (cropped {_pad_text(crop)})" if any(map(any, crop)) else ""),
        title=title or default_title,
        caption=(*caption, "each input cell adds the kernel, scaled, onto the output"),
        frames=tuple(scatter_frames),
        windows=forward,
        output_crop=crop,
        input_values=x,
        kernel_values=w,
    )
    return Scene(name or "transposed_scatter", title or default_title, (panel,), geo)


# --------------------------------------------------------------------------------------------
# several panels


def same_comparison_scene(
    input_size: IntOrTuple = 6,
    kernel_size: IntOrTuple = 3,
    stride: IntOrTuple = 2,
    *,
    conventions: Sequence[str] = ("tensorflow", "caffe"),
    labels: Sequence[str] = ("TensorFlow / Keras / JAX SAME", "PyTorch padding=(k-1)//2"),
    name: str = "same_padding_tensorflow_vs_pytorch",
) -> Scene:
    """Side-by-side frames of the same strided layer under two 'same' padding rules.

    Parameters
    ----------
    input_size, kernel_size, stride : int or tuple of int
    conventions : sequence of str
        Padding conventions of :func:`convarith.same_padding`, one panel each.
    labels : sequence of str
        Panel titles.

    Returns
    -------
    Scene
        Raises ValueError if the panels have different output sizes (then they cannot step
        together).

    Notes
    -----
    TensorFlow's SAME pads ``max((ceil(i/s) - 1)*s + ek - i, 0)`` in total, the extra unit after;
    PyTorch users write ``padding=(k - 1)//2`` on both sides. With an even input at stride 2 both
    give ``i/2`` outputs, one input unit apart.

    Examples
    --------
    >>> scene = same_comparison_scene(6, 3, 2)
    >>> [p.input_padding for p in scene.panels]
    [((0, 1),), ((1, 1),)]
    """
    if len(conventions) != len(labels):
        raise ValueError(f"`labels` must have one entry per convention ({len(conventions)}), got {len(labels)}")
    panels = []
    for convention, label in zip(conventions, labels, strict=True):
        pads = same_padding(input_size, kernel_size, stride, convention=convention)
        scene = conv_scene(input_size, kernel_size, stride, pads, title=label)
        panels.append(scene.panels[0])
    if len({p.output_shape for p in panels}) != 1:
        raise ValueError(
            "the conventions give different output sizes: "
            + ", ".join(f"{c}: {p.output_shape}" for c, p in zip(conventions, panels, strict=True))
        )
    first = panels[0]
    title = (
        f"'Same' padding at stride {_param_text(first.stride)}: input {_size_text(first.input_shape)}, "
        f"kernel {_size_text(first.kernel_shape)}"
    )
    shifts = {b - a for (a, _), (b, _) in zip(panels[0].input_padding, panels[-1].input_padding, strict=True)}
    short = [label.split()[0] for label in labels]
    apart = "the same windows"
    if len(panels) == 2 and shifts != {0}:
        units = max(shifts)
        apart = f"every window is {units} input unit{'s' if units != 1 else ''} apart: the outputs are shifted"
    caption = (
        f"{short[0]} pads {_pad_text(panels[0].input_padding)}, {short[-1]} pads "
        f"{_pad_text(panels[-1].input_padding)}: both give {_size_text(first.output_shape)} outputs",
        apart,
    )
    return Scene(name, title, tuple(panels), None, columns=1 if first.ndim == 1 else None, caption=caption)


def symmetric_scene(
    input_size: IntOrTuple = 4,
    kernel_size: IntOrTuple = 2,
    *,
    numbers: bool = False,
    name: str = "symmetric_padding",
) -> Scene:
    """Wu et al.'s symmetric padding: channel groups, each padded towards a different corner.

    Parameters
    ----------
    input_size : int or tuple of int
        Spatial size (one or two axes); the even kernel slides with stride 1 and the output has
        the same size.
    kernel_size : int or tuple of int
        Even kernel size (2: C2sp, 4: C4sp).
    numbers : bool
        Show each group's output values (from :func:`convarith.conv` with the group's pads).

    Returns
    -------
    Scene
        One panel per group (four in 2-D, two in 1-D), stepping together.

    Notes
    -----
    The groups and their pads come from :func:`convarith.engine.symmetric.symmetric_groups`: along an
    axis a group pads ``(k/2 - 1, k/2)`` or ``(k/2, k/2 - 1)``, so
    ``o = i + (k - 1) - k + 1 = i``, and the half-unit shifts of the groups cancel.

    References
    ----------
    .. [1] S. Wu, G. Wang, P. Tang, F. Chen, L. Shi, "Convolution with even-sized kernels and
       symmetric padding", NeurIPS 2019.

    Examples
    --------
    >>> scene = symmetric_scene(4)
    >>> len(scene.panels), len(scene)
    (4, 16)
    >>> [p.input_padding for p in scene.panels][:2]
    [((0, 1), (0, 1)), ((1, 0), (1, 0))]
    """
    from convarith.engine.symmetric import symmetric_groups

    ndim, _ = axes_layout({"input_size": input_size, "kernel_size": kernel_size})
    if ndim == 1 and not isinstance(input_size, Sequence) and not isinstance(kernel_size, Sequence):
        ndim = 2
    shape = per_axis(input_size, "input_size", ndim)
    kernel = per_axis(kernel_size, "kernel_size", ndim)
    if ndim > 2:
        raise ValueError(f"pictures have 1 or 2 spatial axes, got {ndim}: `input_size` {input_size!r}")
    groups = symmetric_groups(2**ndim, kernel)
    panels = []
    for group in groups:
        sides = []
        for axis, (before, after) in enumerate(group.padding):
            far, near = ("bottom", "top") if axis == 0 and ndim == 2 else ("right", "left")
            sides.append(far if after > before else near)
        scene = conv_scene(
            shape,
            kernel,
            1,
            group.padding,
            numbers=numbers,
            seed=group.index,
            title=f"group {group.index}: more padding {'-'.join(sides)} ({_pad_text(group.padding)})",
        )
        panel = scene.panels[0]
        # one line per panel: the group, its padding side; the picture's title gives the sizes
        arrows = {"bottom-right": "↘", "top-left": "↖", "bottom-left": "↙", "top-right": "↗", "right": "→", "left": "←"}
        label = f"group {group.index}: pads {arrows['-'.join(sides)]}"
        panels.append(Panel(**{**panel.__dict__, "input_label": label, "title": ""}))
    kind = "C2sp" if set(kernel) == {2} else "C4sp" if set(kernel) == {4} else "symmetric"
    title = (
        f"Symmetric padding ({kind}): {_size_text(kernel)} kernel, {len(groups)} channel groups, "
        f"input {_size_text(shape)}"
    )
    caption = (
        f"every group pads k − 1 = {_param_text([k - 1 for k in kernel])} in total per axis, so output = input",
        "one-sided padding shifts each group half a unit; across the groups the shifts cancel",
    )
    return Scene(name, title, tuple(panels), None, columns=2 if ndim == 2 else 1, caption=caption)


# --------------------------------------------------------------------------------------------
# channels


def group_scene(
    in_channels: int,
    out_channels: int,
    groups: int = 1,
    *,
    name: str | None = None,
) -> ChannelScene:
    """The channel view of a grouped convolution: which input channels feed each output channel.

    Parameters
    ----------
    in_channels, out_channels, groups : int
        ``groups`` must divide both channel counts (``groups == in_channels`` is depthwise).

    Returns
    -------
    ChannelScene
        One frame per output channel.

    Notes
    -----
    With the weight layout ``(C_out, C_in/groups, *k)``, output channel ``co`` belongs to group
    ``g = co // (C_out/groups)`` and reads input channels ``g*C_in/groups`` to
    ``(g + 1)*C_in/groups - 1``.

    Examples
    --------
    >>> scene = group_scene(4, 4, groups=4)  # depthwise
    >>> [f.input_channels for f in scene.frames]
    [(0,), (1,), (2,), (3,)]
    """
    cin = check_minimum(in_channels, "in_channels", 1)
    cout = check_minimum(out_channels, "out_channels", 1)
    g = check_minimum(groups, "groups", 1)
    if cin % g:
        raise ValueError(f"`in_channels` {cin} must be divisible by `groups` {g}")
    if cout % g:
        raise ValueError(f"`out_channels` {cout} must be divisible by `groups` {g}")
    per_in, per_out = cin // g, cout // g
    frames = tuple(
        ChannelFrame(co, co, tuple(range((co // per_out) * per_in, (co // per_out + 1) * per_in)), co // per_out)
        for co in range(cout)
    )
    depthwise = g == cin
    kind = "Depthwise" if depthwise else "Grouped" if g > 1 else "Dense"
    title = f"{kind} convolution: {cin} → {cout} channels, groups {g}"
    caption = (
        f"each output channel reads C_in/groups = {cin}/{g} = {per_in} input channel" + ("s" if per_in != 1 else ""),
        f"weight shape (C_out, C_in/groups, k, k) = ({cout}, {per_in}, k, k)",
    )
    default = "depthwise" if depthwise else f"groups_{g}" if g > 1 else "dense_channels"
    return ChannelScene(name or default, title, cin, cout, g, caption, frames)
