"""The channel view of a grouped (or depthwise) convolution: which inputs feed each output."""

from __future__ import annotations

from convarith.anim.scenes.common import _check_text
from convarith.anim.scenes.data import ChannelFrame, ChannelScene
from convarith.arithmetic.validate import check_minimum

MAX_CHANNELS = 64
"""The most input or output channels a channel picture draws (one box and one frame each)."""

__all__ = ["group_scene"]


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
        Channels: 1 to :data:`MAX_CHANNELS` (64) each.
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
    cin = check_minimum(in_channels, "in_channels", 1, MAX_CHANNELS)
    cout = check_minimum(out_channels, "out_channels", 1, MAX_CHANNELS)
    g = check_minimum(groups, "groups", 1)
    _check_text(name, "name")
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
