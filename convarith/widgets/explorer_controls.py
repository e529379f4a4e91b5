"""The layer explorer's controls: built from the starting values, chosen by kind, padding as a group.

:class:`~convarith.widgets.LayerExplorer` builds its controls here (:func:`make_controls`), shows
those that matter for its kind (:func:`shown_controls`) and reads a padding argument into the
padding controls' values in one place (:func:`padding_controls`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from convarith.arithmetic import CONVENTIONS
from convarith.arithmetic.validate import check_int
from convarith.widgets._common import slider
from convarith.widgets.state import PADDING_CHOICES

__all__ = ["make_controls", "padding_controls", "shown_controls"]


def padding_controls(padding: Any) -> tuple[str, int, int]:
    """The padding controls' values for a padding: ``(rule, before, after)``.

    An int is the same before and after, a pair is ``(before, after)``, a string is a rule
    (``'valid'``, ``'same'``, ``'full'``; its numbers are shown once the layer has them). A float
    or a pair of another length is refused (TypeError, ValueError), not rounded or cut.

    Examples
    --------
    >>> padding_controls(1), padding_controls((0, 2)), padding_controls("same")
    (('explicit', 1, 1), ('explicit', 0, 2), ('same', 0, 0))
    """
    if isinstance(padding, str):
        return padding, 0, 0
    if isinstance(padding, Sequence):
        if len(padding) != 2:
            raise ValueError(f"`padding` must be an int, a (before, after) pair or a rule, got {padding!r}")
        return "explicit", check_int(padding[0], "padding"), check_int(padding[1], "padding")
    number = check_int(padding, "padding")
    return "explicit", number, number


def make_controls(kind: str, start: dict[str, Any]) -> dict[str, widgets.Widget]:
    """Every control of an explorer of ``kind``, at its starting value, with its CSS class.

    ``start`` holds the starting values by control name (``padding`` as the explorer takes it:
    :func:`padding_controls`); each control gets the class ``convarith-<name>``.

    Examples
    --------
    >>> start = dict(input_size=5, kernel_size=3, stride=1, padding=(0, 1), dilation=1, output_padding=0,
    ...              convention="tensorflow", ceil_mode=False, padding_mode="zeros", view="direct", numbers=False)
    >>> controls = make_controls("conv", start)
    >>> controls["pad_after"].value, controls["symmetric"].value
    (1, False)
    """
    rule, before, after = padding_controls(start["padding"])
    controls: dict[str, widgets.Widget] = {
        "input_size": slider("input size i", start["input_size"], 1, 12),
        "kernel_size": slider("kernel k", start["kernel_size"], 1, 6),
        "stride": slider("stride s", start["stride"], 1, 4),
        "padding": widgets.ToggleButtons(
            options=list(PADDING_CHOICES if kind == "conv" else ("explicit",)),
            value=rule,
            description="padding",
            style={"description_width": "4em", "button_width": "5.2em"},
        ),
        "convention": widgets.Dropdown(
            options=[c for c in CONVENTIONS if c not in ("valid", "full")],
            value=start["convention"],
            description="'same' rule",
            style={"description_width": "9em"},
            layout=widgets.Layout(width="24em"),
        ),
        "pad_before": slider("pad before pb", before, 0, 5),
        "pad_after": slider("pad after pe", after, 0, 5),
        "symmetric": widgets.Checkbox(value=before == after, description="pb = pe", indent=False),
        "dilation": slider("dilation d", start["dilation"], 1, 3),
        "output_padding": slider("output padding a", start["output_padding"], 0, 3),
        "ceil_mode": widgets.Checkbox(value=start["ceil_mode"], description="ceil mode", indent=False),
        "padding_mode": widgets.Dropdown(
            options=["zeros", "reflect", "replicate", "circular"],
            value=start["padding_mode"],
            description="padding mode",
            style={"description_width": "9em"},
            layout=widgets.Layout(width="24em"),
        ),
        "view": widgets.ToggleButtons(
            options=["direct", "scatter"], value=start["view"], description="view", style={"description_width": "9em"}
        ),
        "numbers": widgets.Checkbox(value=start["numbers"], description="numbers in cells", indent=False),
    }
    for name, control in controls.items():
        control.add_class(f"convarith-{name.replace('_', '-')}")
    return controls


def shown_controls(kind: str, controls: Sequence[str] | None, every: dict[str, widgets.Widget]) -> tuple[str, ...]:
    """The controls shown, in order: ``controls`` (default: those that matter for ``kind``), padding as a group.

    Examples
    --------
    >>> shown_controls("max_pool", ["stride", "padding"], {"stride": None})  # pooling: explicit padding only
    ('stride', 'pad_before', 'pad_after', 'symmetric')
    """
    if controls is None:
        controls = ["input_size", "kernel_size", "stride", "padding", "dilation"]
        controls += {
            "conv": [],
            "conv_transpose": ["output_padding", "view", "numbers"],
            "max_pool": ["ceil_mode"],
            "avg_pool": ["ceil_mode"],
        }[kind]
    unknown = set(controls) - {*every, "padding"}
    if unknown:
        raise ValueError(f"`controls`: unknown names {sorted(unknown)}; choose from {sorted(every)}")
    shown = list(controls)
    if "padding" in shown:  # the padding group: rule, convention, before/after, pb = pe
        at = shown.index("padding")
        group = ["padding", "convention", "pad_before", "pad_after", "symmetric"] if kind == "conv" else [
            "pad_before", "pad_after", "symmetric"
        ]  # fmt: skip
        shown[at : at + 1] = group
    return tuple(shown)
