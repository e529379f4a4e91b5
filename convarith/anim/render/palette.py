"""Colours of the pictures, and how a value is written on a cell.

Colours are from the Okabe-Ito palette, which stays distinguishable under the common forms of
colour-vision deficiency: the input is blue, the output bluish green, the kernel footprint
vermillion, the winning cell of max pooling orange; padding is white with a dashed grey edge,
inserted zeros light grey with a dotted edge.

References
----------
.. [1] M. Okabe and K. Ito, "Color Universal Design (CUD): how to make figures and
   presentations that are friendly to colorblind people", 2008.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PALETTE"]

PALETTE: dict[str, str] = {
    # Okabe-Ito hues, and tints of them for the quiet cells
    "input": "#d3ebf9",  # tint of sky blue
    "input_read": "#56b4e9",  # sky blue
    "input_edge": "#2c6e96",
    "padding": "#ffffff",
    "padding_read": "#a6d3ef",
    "padding_edge": "#8c8c8c",
    "zero": "#f0f0f0",
    "zero_read": "#a6d3ef",
    "output": "#d5efe6",  # tint of bluish green
    "output_done": "#8fd3bb",
    "output_now": "#009e73",  # bluish green
    "output_edge": "#1f6e55",
    "cropped": "#ffffff",
    "cropped_now": "#e6e6e6",
    "scatter_now": "#fbd3b5",  # tint of vermillion: the kernel being added
    "overhang": "#ffffff",
    "footprint": "#d55e00",  # vermillion
    "weight": "#8a3300",  # dark vermillion: kernel weights, readable on blue and on its tint
    "winner": "#e69f00",  # orange
    "text": "#1a1a1a",
    "muted": "#5a5a5a",
    "link": "#9a9a9a",
}
"""Cell colours (Okabe-Ito palette and tints)."""

GROUP_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
"""Edge colour of each channel group in the channel view (Okabe-Ito, then black)."""


def format_value(value: float) -> str:
    """A cell value as written on the cell: ``3``, ``2.5``, ``12.3``, ``−∞``; empty for NaN (not computed yet)."""
    if np.isnan(value):
        return ""
    if np.isinf(value):
        return "∞" if value > 0 else "−∞"  # max pooling over padding only
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}".rstrip("0")
