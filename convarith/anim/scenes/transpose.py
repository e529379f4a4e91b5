"""The frames of a transposed convolution, in the guide's view or as a scatter.

The direct view is the guide's equivalent stride-1 convolution over the input with ``s - 1``
zeros inserted between cells and padding ``p' = ek - 1 - p``; the scatter view adds the kernel,
scaled by each input cell, onto the output, as the transposed convolution is computed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from convarith.anim.scenes.common import (
    as_int_array,
    check_drawable,
    check_options,
    check_value_cells,
    default_input,
    default_kernel,
    direct_frames,
    input_label,
    layer_caption,
    output_label,
    scatter_crop,
    unit_batch,
)
from convarith.anim.scenes.data import Cell, Frame, Panel, Scene
from convarith.arithmetic.formulas import TransposeEquivalent, transpose_equivalent
from convarith.arithmetic.layer import Layer, layer
from convarith.arithmetic.relationships import relationship
from convarith.arithmetic.text import format_padding, format_param, format_size
from convarith.arithmetic.validate import check_choice
from convarith.arithmetic.windows import WindowMap, window_map
from convarith.typing import IntOrTuple, PaddingLike

__all__ = ["transpose_scene"]


def _transposed_note(lay: Layer) -> str:
    """The second caption line of the guide's view: its relationship, when one applies."""
    note = "drawn as the guide's equivalent stride-1 convolution, kernel flipped, p′ = ek − 1 − p"
    axes = lay.axes
    same = len({(a.kernel_size, a.stride, a.padding, a.dilation) for a in axes}) == 1
    (pb, pe), d = axes[0].padding, axes[0].dilation
    if not same or pb != pe or d != 1:
        return note
    # the forward convolution's input size is the transposed output size (a restores an odd size)
    forward_input = axes[0].output_size
    r = relationship(axes[0].kernel_size, axes[0].stride, pb, transposed=True, input_size=forward_input)
    return f"{note}; relationship {r.number}: {r.formula}"


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
        Built from ``layer("conv_transpose", ...)`` (:func:`convarith.arithmetic.layer`): its
        formulas are the caption; the scatter view reads the layer's own window map.

    Notes
    -----
    Relationship 14 of [1]_: ``o' = s(i' - 1) + a + ek - pb - pe``. The direct view reads
    :meth:`convarith.arithmetic.WindowMap.reads` of the equivalent convolution; the scatter view reads the
    same method of the forward convolution (output size ``o'`` to ``i'``, the transposed layer's
    :func:`~convarith.arithmetic.window_map`), whose output cell ``j`` is the transposed
    convolution's input cell ``j``.

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
    lay = layer("conv_transpose", input_size, kernel_size, stride, padding, dilation, output_padding=output_padding)
    check_drawable(lay, input_size)
    return transpose_layer_scene(
        lay,
        view=view,
        numbers=numbers,
        input_values=input_values,
        kernel_values=kernel_values,
        seed=seed,
        name=name,
        title=title,
    )


def transpose_layer_scene(
    lay: Layer,
    *,
    view: str = "direct",
    numbers: bool = False,
    input_values: Any = None,
    kernel_values: Any = None,
    seed: int = 0,
    name: str | None = None,
    title: str | None = None,
) -> Scene:
    """The scene of a transposed convolution layer (see :func:`transpose_scene`)."""
    seed = check_options(numbers, seed, name, title)
    check_choice(view, "view", ("direct", "scatter"))
    if lay.op != "conv_transpose":
        raise ValueError(f"pictures of a transposed convolution show 'conv_transpose' layers, got {lay.op!r}")
    values = None
    if numbers or input_values is not None or kernel_values is not None:
        values = _layer_values(lay, input_values, kernel_values, seed)
    heading = title or _default_title(lay)
    caption = layer_caption(lay)
    if view == "direct":
        panel = _direct_panel(lay, values, heading, caption)
        return Scene(name or "transposed", heading, (panel,), lay)
    panel = _scatter_panel(lay, values, heading, caption)
    return Scene(name or "transposed_scatter", heading, (panel,), lay)


@dataclass(frozen=True)
class _Values:
    """The numerical mode: the input and kernel drawn, and the engine's output of the layer."""

    input: np.ndarray
    kernel: np.ndarray
    output: np.ndarray


def _layer_values(lay: Layer, input_values: Any, kernel_values: Any, seed: int) -> _Values:
    """The given (or seeded) input and kernel, and what the engine computes from them."""
    shape, ks = lay.input_shape, lay.kernel_size
    x = default_input(shape, seed) if input_values is None else as_int_array(input_values, "input_values", shape)
    w = default_kernel(ks, seed) if kernel_values is None else as_int_array(kernel_values, "kernel_values", ks)
    return _Values(x, w, _engine_transpose(lay, x, w))


def _engine_transpose(lay: Layer, values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The engine's transposed convolution of one unbatched grid (the numbers the pictures show)."""
    from convarith.engine import transpose as transpose_module

    result = transpose_module.conv_transpose(
        unit_batch(values),
        unit_batch(kernel),
        stride=lay.stride,
        padding=lay.pads,
        output_padding=lay.output_padding,
        dilation=lay.dilation,
    )
    return np.asarray(result)[0, 0]


def _default_title(lay: Layer) -> str:
    """The words of the layer's repr, in its order (dilation and output padding when they are set)."""
    ks, ss, ds, aa = lay.kernel_size, lay.stride, lay.dilation, lay.output_padding
    words = f"Transposed convolution: kernel {format_param(ks)}, stride {format_param(ss)}"
    words += f", padding {format_padding(lay.pads)}"
    if any(d != 1 for d in ds):
        words += f", dilation {format_param(ds)}"
    if any(aa):
        words += f", output_padding {format_param(aa)}"
    return words


def _equivalent_axes(lay: Layer) -> tuple[TransposeEquivalent, ...]:
    """The guide's equivalent convolution per axis, refused when its padding ``p'`` would be negative."""
    equivalent = transpose_equivalent(lay)
    eqs: tuple[TransposeEquivalent, ...] = equivalent if isinstance(equivalent, tuple) else (equivalent,)
    if any(p < 0 for e in eqs for p in e.padding):
        raise ValueError(
            f"`padding` {format_padding(lay.pads)} is larger than the dilated kernel size minus one "
            f"({format_param([e.dilation * (e.kernel_size - 1) for e in eqs])}): the equivalent convolution "
            "would need negative padding; use view='scatter'"
        )
    return eqs


def _stretched_label(lay: Layer, eqs: tuple[TransposeEquivalent, ...]) -> str:
    """``input 2×2 + 1 zero between, p′ = (2, 2)``: the grid the guide's view draws."""
    between = [e.zeros_between for e in eqs]
    label = f"input {format_size(lay.input_shape)}"
    if any(between):
        label += f" + {format_param(between)} zero{'' if between == [1] * lay.ndim else 's'} between"
    return label + f", p′ = {format_padding(tuple(e.padding for e in eqs))}"


def _direct_panel(lay: Layer, values: _Values | None, title: str, caption: tuple[str, ...]) -> Panel:
    """The guide's view: a stride-1 convolution over the stretched input, one frame per output cell."""
    eqs = _equivalent_axes(lay)
    ks, ss, ds = lay.kernel_size, lay.stride, lay.dilation
    eq_pads = tuple(e.padding for e in eqs)
    stretched = tuple(e.stretched_size for e in eqs)
    windows = window_map(layer("conv", stretched, ks, 1, eq_pads, ds))
    zeros = frozenset(
        c for c in itertools.product(*(range(n) for n in stretched)) if any(c[a] % ss[a] for a in range(lay.ndim))
    )
    stretched_values = None
    if values is not None:
        stretched_values = np.zeros(stretched, dtype=values.input.dtype)
        stretched_values[tuple(slice(None, None, s) for s in ss)] = values.input
    return Panel(
        kind="transpose",
        input_shape=stretched,
        output_shape=windows.output_shape,
        input_padding=eq_pads,
        kernel_shape=ks,
        stride=(1,) * lay.ndim,
        dilation=ds,
        input_label=_stretched_label(lay, eqs),
        output_label=output_label(windows.output_shape),
        title=title,
        caption=(*caption, _transposed_note(lay)),
        frames=direct_frames(windows, zeros=zeros, output_values=None if values is None else values.output),
        windows=windows,
        zeros=zeros,
        input_values=stretched_values,
        kernel_values=None if values is None else np.flip(values.kernel).copy(),
        layer=lay,
    )


def _scatter_frames(lay: Layer, forward: WindowMap, values: _Values | None) -> tuple[Frame, ...]:
    """One frame per input cell: the output cells its scaled kernel adds onto, and the sums so far."""
    frames: list[Frame] = []
    for step, j in enumerate(forward.positions()):
        writes = tuple(Cell(r.input, r.offset, "output" if r.kind == "input" else "cropped") for r in forward.reads(j))
        snapshot = None
        if values is not None:
            x = values.input
            partial = np.zeros_like(x)
            flat = np.arange(x.size).reshape(lay.input_shape)
            partial[flat <= flat[j]] = x[flat <= flat[j]]
            snapshot = _engine_transpose(lay, partial, values.kernel).astype(np.float64)
        frames.append(Frame(step=step, reads=(Cell(j, None, "input"),), writes=writes, gaps=(), output_values=snapshot))
    return tuple(frames)


def _scatter_panel(lay: Layer, values: _Values | None, title: str, caption: tuple[str, ...]) -> Panel:
    """The scatter view: each input cell adds the kernel, scaled, onto the output."""
    # the layer's window map is the forward convolution, from the transposed output (o') back to
    # its input (i'); its output cell j is the input cell j that adds the kernel
    forward = window_map(lay)
    check_value_cells(math.prod(forward.output_shape), None if values is None else math.prod(lay.output_shape))
    shape, out_shape = lay.input_shape, lay.output_shape
    crop = scatter_crop(lay)
    cropped = f" (cropped {format_padding(crop)})" if any(map(any, crop)) else ""
    return Panel(
        kind="transpose_scatter",
        input_shape=shape,
        output_shape=out_shape,
        input_padding=((0, 0),) * lay.ndim,
        kernel_shape=lay.kernel_size,
        stride=lay.stride,
        dilation=lay.dilation,
        input_label=input_label(shape, ()),
        output_label=output_label(out_shape) + cropped,
        title=title,
        caption=(*caption, "each input cell adds the kernel, scaled, onto the output"),
        frames=_scatter_frames(lay, forward, values),
        windows=forward,
        output_crop=crop,
        input_values=None if values is None else values.input,
        kernel_values=None if values is None else values.kernel,
        layer=lay,
    )
