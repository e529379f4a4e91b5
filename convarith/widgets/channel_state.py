"""What the group and receptive-field explorers show, computed without widgets (NumPy only).

:func:`describe_groups` gives a :class:`GroupState` for a
:class:`~convarith.widgets.GroupExplorer`; :func:`describe_cone` a :class:`ConeState` for a
:class:`~convarith.widgets.ReceptiveFieldExplorer`. As in :mod:`convarith.widgets.state`, only the
layer's validation errors become messages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convarith.anim.scenes import ChannelScene, group_scene
from convarith.arithmetic import layer, window_map
from convarith.arithmetic.kernel import effective_kernel_size
from convarith.engine import conv
from convarith.studies.receptive import ReceptiveField, receptive_field
from convarith.testing import random_array

__all__ = ["MAX_CONE_CELLS", "ConeState", "GroupState", "describe_cone", "describe_groups"]

MAX_CONE_CELLS = 160
"""The widest input a :class:`~convarith.widgets.ReceptiveFieldExplorer` draws."""


# --------------------------------------------------------------------------------------------
# channels and groups


@dataclass(frozen=True, eq=False)
class GroupState:
    """What a :class:`~convarith.widgets.GroupExplorer` shows: the channel scene and the engine's shapes.

    Attributes
    ----------
    scene : ChannelScene or None
    weight_shape, engine_shape : tuple of int or None
    parameters : int
        Number of weights, ``C_out * C_in/groups * k * k``.
    message : str or None
    groups : int
    """

    scene: ChannelScene | None
    weight_shape: tuple[int, ...] | None
    engine_shape: tuple[int, ...] | None
    parameters: int = 0
    message: str | None = None
    groups: int = 1

    @property
    def ok(self) -> bool:
        """Whether the channel counts and groups fit together."""
        return self.message is None

    @property
    def agrees(self) -> bool:
        """Whether the engine's output has ``C_out`` channels."""
        if self.scene is None or self.engine_shape is None:
            return False
        return self.engine_shape[1] == self.scene.out_channels

    def channel_text(self, output_channel: int) -> str:
        """Which input channels output channel ``output_channel`` (from 0, as in the picture) reads.

        Examples
        --------
        >>> describe_groups(4, 4, groups=2).channel_text(2)
        'output channel 2 (group 1) reads input channels 2, 3'
        """
        if self.scene is None:
            return ""
        frame = self.scene.frames[output_channel]
        inputs = ", ".join(str(c) for c in frame.input_channels)
        plural = "s" if len(frame.input_channels) > 1 else ""
        return f"output channel {frame.output_channel} (group {frame.group}) reads input channel{plural} {inputs}"

    def check_text(self) -> str:
        """The weight shape, its size (and the saving when ``groups > 1``), and the engine's channels.

        Examples
        --------
        >>> describe_groups(4, 8, groups=1).check_text()
        'weight (8, 4, 3, 3) = (C_out, C_in/groups, k, k): 288 weights;  engine output (1, 8, 5, 5): ✓ C_out = 8'
        >>> describe_groups(4, 8, groups=4).check_text()[:75]
        'weight (8, 1, 3, 3) = (C_out, C_in/groups, k, k): 72 weights, 4× fewer than'
        """
        if self.scene is None or self.weight_shape is None or self.engine_shape is None:
            return ""
        text = f"weight {self.weight_shape} = (C_out, C_in/groups, k, k): {self.parameters} weights"
        if self.groups > 1:
            text += f", {self.groups}× fewer than with groups=1"
        out_channels = self.scene.out_channels
        verdict = f"✓ C_out = {out_channels}" if self.agrees else f"✗ not C_out = {out_channels}"
        return f"{text};  engine output {self.engine_shape}: {verdict}"


def describe_groups(
    in_channels: int = 4, out_channels: int = 4, groups: int = 1, kernel_size: int = 3, input_size: int = 5
) -> GroupState:
    """The channel view of a grouped convolution and the engine's shapes.

    Parameters
    ----------
    in_channels, out_channels, groups, kernel_size, input_size : int
        ``groups`` must divide both channel counts.

    Returns
    -------
    GroupState

    Notes
    -----
    Weight shape ``(C_out, C_in/groups, k, k)``; output channel ``co`` reads the input channels of
    group ``co // (C_out/groups)``. The weights number ``C_out * C_in/groups * k * k``:
    ``groups`` times fewer than a dense convolution's.

    Examples
    --------
    >>> describe_groups(4, 8, groups=4).weight_shape
    (8, 1, 3, 3)
    >>> describe_groups(4, 6, groups=4).message
    '`out_channels` 6 must be divisible by `groups` 4'
    """
    for value, name in [(in_channels, "in_channels"), (out_channels, "out_channels"), (groups, "groups")]:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return GroupState(None, None, None, message=f"`{name}` must be a positive integer, got {value!r}")
    for value, name in [(in_channels, "in_channels"), (out_channels, "out_channels")]:
        if value % groups:  # PyTorch's rule for Conv2d(in_channels, out_channels, groups=...)
            return GroupState(None, None, None, message=f"`{name}` {value} must be divisible by `groups` {groups}")
    scene = group_scene(in_channels, out_channels, groups)
    weight_shape = (out_channels, in_channels // groups, kernel_size, kernel_size)
    x = random_array((1, in_channels, input_size, input_size), seed=0)
    out = conv(x, random_array(weight_shape, seed=1), padding="same", groups=groups)
    return GroupState(scene, weight_shape, tuple(int(n) for n in out.shape), int(np.prod(weight_shape)), None, groups)


# --------------------------------------------------------------------------------------------
# receptive fields


@dataclass(frozen=True, eq=False)
class ConeState:
    """The cells that one output of a stack of identical valid layers depends on, level by level.

    Attributes
    ----------
    sizes : tuple of int
        Cells per level, the input first and the stack's output last.
    cone : tuple of frozenset of int
        Per level, the cells the chosen output depends on (found by walking the window map back).
    output : int
        The chosen output cell (from 0).
    field : ReceptiveField or None
        Araujo et al.'s closed form for the same stack (:func:`convarith.studies.receptive.receptive_field`).
    message : str or None
    reads : tuple of (level, cell, cell below)
        The window reads inside the cone: ``cell`` of level ``level`` reads ``cell below``.
    """

    sizes: tuple[int, ...]
    cone: tuple[frozenset[int], ...]
    output: int
    field: ReceptiveField | None
    message: str | None = None
    reads: tuple[tuple[int, int, int], ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the stack could be described (no message)."""
        return self.message is None

    @property
    def extent(self) -> tuple[int, int]:
        """First and last input cell of the cone (the brute-force receptive field)."""
        return min(self.cone[0]), max(self.cone[0])

    @property
    def agrees(self) -> bool:
        """Whether the cone's extent at the input is the closed form's interval."""
        return self.field is not None and self.extent == tuple(self.field.interval(self.output))

    def check_text(self) -> str:
        """The traced cone against the closed form, and whether they agree ('' if impossible)."""
        if self.field is None:
            return ""
        first, last = self.extent
        return (
            f"traced through the windows: output {self.output} depends on input cells {first}..{last} "
            f"({last - first + 1} wide); closed form: [{self.output}·S0 − P0, … + r0 − 1] = "
            f"{tuple(self.field.interval(self.output))}, r0 = {self.field.size}; "
            + ("✓ they agree" if self.agrees else "✗ they DISAGREE")
        )


def describe_cone(
    layers: int = 3, kernel_size: int = 3, stride: int = 1, dilation: int = 1, *, output: int = 0, outputs: int = 3
) -> ConeState:
    """The receptive-field cone of output ``output`` of ``layers`` identical unpadded convolutions.

    Parameters
    ----------
    layers, kernel_size, stride, dilation : int
        The stack: ``layers`` convolutions with the same kernel, stride and dilation, no padding.
    output : int
        The output cell whose cone is traced, from 0.
    outputs : int
        Number of output cells; the input is as small as that allows.

    Returns
    -------
    ConeState

    Notes
    -----
    Sizes are worked back from the output, ``n_l = (n_{l+1} - 1)*s + ek``, and the cone by
    walking :meth:`convarith.arithmetic.WindowMap.reads` from the output to the input. The closed form it is
    checked against (Araujo et al., 2019): ``r0 = 1 + sum_l (ek - 1) * s**(l-1)``, so output
    ``y`` reads input ``[y*S0, y*S0 + r0 - 1]`` with ``S0 = s**layers``.

    Examples
    --------
    >>> state = describe_cone(3, 3)  # three 3x3 layers: each output sees 7 input cells
    >>> state.sizes, state.extent, state.agrees
    ((9, 7, 5, 3), (0, 6), True)
    """
    for value, name in [
        (layers, "layers"), (kernel_size, "kernel_size"), (stride, "stride"), (dilation, "dilation"),
        (outputs, "outputs"),
    ]:  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return ConeState((), (), output, None, message=f"`{name}` must be a positive integer, got {value!r}")
    if not 0 <= output < outputs:
        return ConeState((), (), output, None, message=f"`output` must be in [0, {outputs}), got {output}")
    ek = effective_kernel_size(kernel_size, dilation)
    sizes = [outputs]
    for _ in range(layers):
        sizes.insert(0, (sizes[0] - 1) * stride + ek)
    if sizes[0] > MAX_CONE_CELLS:
        return ConeState(
            (), (), output, None,
            message=f"the input would have {sizes[0]} cells, more than the {MAX_CONE_CELLS} a picture can show: "
            "use fewer layers, a smaller kernel, stride or dilation",
        )  # fmt: skip
    stack = [layer("conv", None, kernel_size, stride, 0, dilation)] * layers
    field = receptive_field(stack, input_size=sizes[0])
    cone = [frozenset({output})]
    reads: list[tuple[int, int, int]] = []
    for level in range(layers - 1, -1, -1):
        windows = window_map(sizes[level], kernel_size, stride, 0, dilation)
        pairs = [(y, r.input[0]) for y in sorted(cone[0]) for r in windows.reads((y,))]
        reads += [(level + 1, y, x) for y, x in pairs]
        cone.insert(0, frozenset(x for _, x in pairs))
    return ConeState(tuple(sizes), tuple(cone), output, field, reads=tuple(reads))
