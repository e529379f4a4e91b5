"""The frames of a transposed convolution, in the guide's view or as a scatter.

The direct view is the guide's equivalent stride-1 convolution over the input with ``s - 1``
zeros inserted between cells and padding ``p' = ek - 1 - p``; the scatter view adds the kernel,
scaled by each input cell, onto the output, as the transposed convolution is computed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from convarith.anim.scenes.common import (
    _as_int_array,
    _caption,
    _default_input,
    _default_kernel,
    _direct_frames,
    _pad_text,
    _param_text,
    _size_text,
    _unit_batch,
)
from convarith.anim.scenes.data import Cell, Frame, Panel, Scene
from convarith.arithmetic.formulas import transpose_equivalent
from convarith.arithmetic.geometry import Geometry, geometry
from convarith.arithmetic.validate import check_choice
from convarith.arithmetic.windows import window_map
from convarith.typing import IntOrTuple, PaddingLike

__all__ = ["transpose_scene"]


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
