"""The frames of a transposed convolution, in the guide's view or as a scatter.

The direct view is the guide's equivalent stride-1 convolution over the input with ``s - 1``
zeros inserted between cells and padding ``p' = ek - 1 - p``; the scatter view adds the kernel,
scaled by each input cell, onto the output, as the transposed convolution is computed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from convarith.anim.scenes.common import (
    _as_int_array,
    _caption,
    _check_drawable,
    _check_options,
    _check_value_cells,
    _default_input,
    _default_kernel,
    _direct_frames,
    _input_label,
    _output_label,
    _pads,
    _unit_batch,
)
from convarith.anim.scenes.data import Cell, Frame, Panel, Scene
from convarith.arithmetic.formulas import TransposeEquivalent, transpose_equivalent
from convarith.arithmetic.layer import Layer, layer
from convarith.arithmetic.relationships import relationship
from convarith.arithmetic.text import format_padding, format_param, format_size
from convarith.arithmetic.validate import check_choice
from convarith.arithmetic.windows import window_map
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
    _check_drawable(lay, input_size)
    return _transpose_layer_scene(
        lay,
        view=view,
        numbers=numbers,
        input_values=input_values,
        kernel_values=kernel_values,
        seed=seed,
        name=name,
        title=title,
    )


def _transpose_layer_scene(
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
    seed = _check_options(numbers, seed, name, title)
    check_choice(view, "view", ("direct", "scatter"))
    ndim, shape, pads = lay.ndim, lay.input_shape, _pads(lay)
    ks, ss, ds, aa = lay.kernel_size, lay.stride, lay.dilation, lay.output_padding
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
                _unit_batch(values), weight, stride=ss, padding=pads, output_padding=aa, dilation=ds
            )
            return np.asarray(result)[0, 0]

        out = transpose_fn(x)
    # the words of the layer's repr, in its order
    default_title = f"Transposed convolution: kernel {format_param(ks)}, stride {format_param(ss)}"
    default_title += f", padding {format_padding(pads)}"
    if any(d != 1 for d in ds):
        default_title += f", dilation {format_param(ds)}"
    if any(aa):
        default_title += f", output_padding {format_param(aa)}"
    caption = _caption(lay)

    if view == "direct":
        equivalent = transpose_equivalent(lay)
        eqs: tuple[TransposeEquivalent, ...] = equivalent if isinstance(equivalent, tuple) else (equivalent,)
        eq_pads = tuple(e.padding for e in eqs)
        if any(p < 0 for pair in eq_pads for p in pair):
            raise ValueError(
                f"`padding` {format_padding(pads)} is larger than the dilated kernel size minus one "
                f"({format_param([e.dilation * (e.kernel_size - 1) for e in eqs])}): the equivalent convolution "
                "would need negative padding; use view='scatter'"
            )
        stretched = tuple(e.stretched_size for e in eqs)
        windows = window_map(layer("conv", stretched, ks, 1, eq_pads, ds))
        zeros = frozenset(
            c for c in itertools.product(*(range(n) for n in stretched)) if any(c[x] % ss[x] for x in range(ndim))
        )
        between = [e.zeros_between for e in eqs]
        label = f"input {format_size(shape)}"
        if any(between):
            label += f" + {format_param(between)} zero{'' if between == [1] * ndim else 's'} between"
        label += f", p′ = {format_padding(eq_pads)}"
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
            output_label=_output_label(windows.output_shape),
            title=title or default_title,
            caption=(*caption, _transposed_note(lay)),
            frames=_direct_frames(windows, zeros=zeros, output_values=out),
            windows=windows,
            zeros=zeros,
            input_values=stretched_values,
            kernel_values=None if w is None else np.flip(w).copy(),
            layer=lay,
        )
        return Scene(name or "transposed", title or default_title, (panel,), lay)

    # scatter: the layer's window map is the forward convolution, from the transposed output (o')
    # back to its input (i'); its output cell j is the input cell j that adds the kernel
    forward = window_map(lay)
    _check_value_cells(math.prod(forward.output_shape), None if x is None else math.prod(lay.output_shape))
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
    out_shape = lay.output_shape
    panel = Panel(
        kind="transpose_scatter",
        input_shape=shape,
        output_shape=out_shape,
        input_padding=((0, 0),) * ndim,
        kernel_shape=ks,
        stride=ss,
        dilation=ds,
        input_label=_input_label(shape, ()),
        output_label=_output_label(out_shape) + (f" (cropped {format_padding(crop)})" if any(map(any, crop)) else ""),
        title=title or default_title,
        caption=(*caption, "each input cell adds the kernel, scaled, onto the output"),
        frames=tuple(scatter_frames),
        windows=forward,
        output_crop=crop,
        input_values=x,
        kernel_values=w,
        layer=lay,
    )
    return Scene(name or "transposed_scatter", title or default_title, (panel,), lay)
