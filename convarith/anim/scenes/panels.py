"""Scenes of several panels stepping together: two 'same' padding rules, padding modes, symmetric padding.

Each panel is a convolution scene's panel; the scene adds a title and a caption that compare
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from convarith.anim.scenes.common import _check_drawable, _check_text
from convarith.anim.scenes.conv import conv_scene
from convarith.anim.scenes.data import Panel, Scene
from convarith.arithmetic.layer import layer
from convarith.arithmetic.text import format_padding, format_param, format_size
from convarith.arithmetic.validate import check_bool, describe
from convarith.typing import IntOrTuple, PaddingLike

__all__ = ["padding_modes_scene", "same_comparison_scene", "symmetric_scene"]


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
    _check_text(name, "name", optional=False)
    for arg, values in (("conventions", conventions), ("labels", labels)):
        if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not 1 <= len(values) <= 4:
            raise TypeError(f"`{arg}` must be a sequence of 1 to 4 strings, got {describe(values)}")
        for x, value in enumerate(values):
            _check_text(value, f"{arg}[{x}]", optional=False)
    if len(conventions) != len(labels):
        raise ValueError(f"`labels` must have one entry per convention ({len(conventions)}), got {len(labels)}")
    panels = []
    for convention, label in zip(conventions, labels, strict=True):
        # a convention's name is a padding word: the resolver applies its 'same' split
        scene = conv_scene(input_size, kernel_size, stride, convention, title=label)
        panels.append(scene.panels[0])
    if len({p.output_shape for p in panels}) != 1:
        raise ValueError(
            "the conventions give different output sizes: "
            + ", ".join(f"{c}: {p.output_shape}" for c, p in zip(conventions, panels, strict=True))
        )
    first = panels[0]
    title = (
        f"'Same' padding at stride {format_param(first.stride)}: input {format_size(first.input_shape)}, "
        f"kernel {format_param(first.kernel_shape)}"
    )
    shifts = {b - a for (a, _), (b, _) in zip(panels[0].input_padding, panels[-1].input_padding, strict=True)}
    short = [label.split()[0] for label in labels]
    apart = "the same windows"
    if len(panels) == 2 and shifts != {0}:
        units = max(shifts)
        apart = f"every window is {units} input unit{'s' if units != 1 else ''} apart: the outputs are shifted"
    caption = (
        f"{short[0]} pads {format_padding(panels[0].input_padding)}, {short[-1]} pads "
        f"{format_padding(panels[-1].input_padding)}: both give {format_size(first.output_shape)} outputs",
        apart,
    )
    return Scene(name, title, tuple(panels), None, columns=1 if first.ndim == 1 else None, caption=caption)


def padding_modes_scene(
    input_values: Any,
    kernel_size: IntOrTuple = 3,
    padding: PaddingLike = 2,
    *,
    kernel_values: Any = None,
    modes: Sequence[str] = ("zeros", "reflect", "replicate", "circular"),
    name: str = "padding_modes",
) -> Scene:
    """The same convolution of the same input under each padding mode, one panel per mode.

    Parameters
    ----------
    input_values : array_like, shape (W,) or (H, W)
        The input (one row, or a grid).
    kernel_size : int or tuple of int
    padding : int, (before, after) or per-axis tuple
    kernel_values : array_like, optional
        The kernel (default: as :func:`conv_scene` chooses, the same in every panel).
    modes : sequence of {'zeros', 'reflect', 'replicate', 'circular'}

    Returns
    -------
    Scene
        Panel ``n`` is ``conv_scene(..., padding_mode=modes[n])``'s, titled with its mode: its
        padding cells hold the engine's padded values, its outputs the engine's.

    Notes
    -----
    The output size ``o = i + pb + pe - k + 1`` does not depend on the mode; the values in the
    padding cells, and so the outputs near the border, do (:func:`convarith.engine.pad`).

    Examples
    --------
    >>> scene = padding_modes_scene([1, 2, 3, 4, 5], 3, 2)
    >>> [(p.padding_mode, p.padded_values.tolist()) for p in scene.panels][1:3]
    [('reflect', [3, 2, 1, 2, 3, 4, 5, 4, 3]), ('replicate', [1, 1, 1, 2, 3, 4, 5, 5, 5])]
    """
    x = np.asarray(input_values)
    panels = tuple(
        conv_scene(
            x.shape, kernel_size, 1, padding, input_values=x, kernel_values=kernel_values, padding_mode=mode, title=mode
        ).panels[0]
        for mode in modes
    )
    first = panels[0]
    title = (
        f"Padding modes: input {format_size(first.input_shape)}, kernel {format_param(first.kernel_shape)}, "
        f"padding {format_padding(first.input_padding)}"
    )
    caption = (
        f"the grey cells hold what each mode pads with; every mode gives {format_size(first.output_shape)} outputs",
    )
    return Scene(name, title, panels, None, columns=2, caption=caption)


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

    check_bool(numbers, "numbers")
    _check_text(name, "name", optional=False)

    if not isinstance(input_size, Sequence) and not isinstance(kernel_size, Sequence):
        input_size, kernel_size = (input_size, input_size), (kernel_size, kernel_size)  # ints: a 2-D picture
    # checked by the one parser: stride 1, k - 1 padding in total per axis (each group splits it its way)
    lay = layer("conv", input_size, kernel_size, padding="same", convention="pytorch")
    _check_drawable(lay, input_size)
    ndim, shape, kernel = lay.ndim, lay.input_shape, lay.kernel_size
    groups = symmetric_groups(2**ndim, kernel)
    panels = []
    for group in groups:
        sides = []
        for axis, (before, after) in enumerate(group.padding):
            far, near = ("bottom", "top") if axis == 0 and ndim == 2 else ("right", "left")
            sides.append(far if after > before else near)
        scene = conv_scene(shape, kernel, 1, group.padding, numbers=numbers, seed=group.index)
        panel = scene.panels[0]
        # one line per panel: the group, its padding side; the picture's title gives the sizes
        arrows = {"bottom-right": "↘", "top-left": "↖", "bottom-left": "↙", "top-right": "↗", "right": "→", "left": "←"}
        label = f"group {group.index}: pads {arrows['-'.join(sides)]}"
        panels.append(Panel(**{**panel.__dict__, "input_label": label, "title": ""}))
    kind = "C2sp" if set(kernel) == {2} else "C4sp" if set(kernel) == {4} else "symmetric"
    title = (
        f"Symmetric padding ({kind}): {format_size(kernel)} kernel, {len(groups)} channel groups, "
        f"input {format_size(shape)}"
    )
    caption = (
        f"every group pads k − 1 = {format_param([k - 1 for k in kernel])} in total per axis, so output = input",
        "one-sided padding shifts each group half a unit; across the groups the shifts cancel",
    )
    return Scene(name, title, tuple(panels), None, columns=2 if ndim == 2 else 1, caption=caption)
