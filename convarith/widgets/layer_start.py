"""A real layer as the starting point of a :class:`~convarith.widgets.LayerExplorer`.

``LayerExplorer(layer=row.layer)`` starts from a layer read from a network (a row of
:func:`convarith.inspect`): the explorer's sliders take the numbers of a corner of it with a few
output cells (:func:`convarith.anim.scenes.crop.crop_layer`), so the picture has the real kernel,
stride, dilation and padding, and a note says which corner of which input it is.
"""

from __future__ import annotations

import html
from typing import Any

from convarith.anim.scenes.crop import crop_layer
from convarith.arithmetic.layer import Layer

__all__ = ["explorer_start"]

_KINDS = ("conv", "conv_transpose", "max_pool", "avg_pool")


def explorer_start(lay: Any, max_frames: int = 16) -> tuple[dict[str, Any], str]:
    """The explorer's starting parameters for a layer (or an inspect row), and the note to show.

    Parameters
    ----------
    lay : Layer or a row of an inspect report
        One or two spatial axes, the same numbers on each (the explorer's sliders are shared).
    max_frames : int
        At most this many output cells: a larger layer starts from a corner of it.

    Returns
    -------
    (dict, str)
        ``kind``, ``input_size``, ``kernel_size``, ``stride``, ``padding`` (``(before, after)``),
        ``dilation``, ``output_padding``, ``ceil_mode``, ``ndim``; and an HTML note (the crop,
        the channels).

    Raises
    ------
    ValueError
        A layer the explorer cannot show (``lp_pool``, 3-D, different numbers per axis).

    Examples
    --------
    >>> from convarith.arithmetic import layer
    >>> start, note = explorer_start(layer("conv", (224, 224), 7, stride=2, padding=3))
    >>> start["input_size"], start["kernel_size"], start["padding"], start["ndim"]
    (10, 7, (3, 0), 2)
    >>> note.split(". ")[1]  # which corner of which input
    'top-left corner: input rows -3..9, columns -3..9 of 224×224 (padding (3, 3)); output 4×4 of 112×112'
    """
    channels = ""
    name = ""
    if not isinstance(lay, Layer) and isinstance(getattr(lay, "layer", None), Layer):  # a report's row
        c_in, c_out = getattr(lay, "in_channels", None), getattr(lay, "out_channels", None)
        if c_in is not None or c_out is not None:
            channels = f"; channels {'?' if c_in is None else c_in} → {'?' if c_out is None else c_out}"
        name = f"{getattr(lay, 'name', '')}: "
        lay = lay.layer
    if not isinstance(lay, Layer):
        raise TypeError(f"`layer` must be a Layer or a row of an inspect report, got {type(lay).__name__}")
    if lay.op not in _KINDS:
        raise ValueError(f"`layer` is an {lay.op!r} layer: the explorer shows {', '.join(map(repr, _KINDS))}")
    if lay.ndim > 2:
        raise ValueError(f"`layer` has {lay.ndim} spatial axes: the explorer draws 1 or 2")
    crop = crop_layer(lay, max_frames)
    small = crop.cropped
    assert small.padding is not None
    per_axis = list(
        zip(
            small.input_shape,
            small.kernel_size,
            small.stride,
            small.padding,
            small.dilation,
            small.output_padding,
            strict=True,
        )
    )
    if len(set(per_axis)) != 1:
        raise ValueError(
            f"`layer` differs between its axes ({small!r}): the explorer's sliders are shared; "
            "draw it with convarith.anim.layer_scene"
        )
    i, k, s, pad, d, a = per_axis[0]
    start = {
        "kind": lay.op,
        "input_size": i,
        "kernel_size": k,
        "stride": s,
        "padding": pad,
        "dilation": d,
        "output_padding": a,
        "ceil_mode": lay.ceil_mode,
        "ndim": lay.ndim,
    }
    if crop.is_cropped:
        note = f"{name}the sliders started from a corner of the real layer. {crop.note()}{channels}"
    else:
        note = f"{name}the sliders started from the real layer{channels}" if name or channels else ""
    return start, html.escape(note)
